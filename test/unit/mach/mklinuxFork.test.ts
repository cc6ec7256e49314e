import { strict as assert } from 'node:assert';
import type { MkLinux } from '../../../engine/linux/mach/mklinux';
import { bootLinuxSystem } from '../../../engine/linux/systems';
import { MACH_NOTIFY, MACH_PORT_TYPE_RECEIVE, MACH_PORT_TYPE_SEND } from '../../../engine/mach/machConstants';
import type { Port } from '../../../engine/mach/port';
import type { Thread } from '../../../engine/mach/thread';
import type { GuestProgram } from '../../../engine/userland/runtime';

const CHILDREN = 4;

/** Forks children that report nothing and exit; reports each child's Mach priority as the parent sees it after the fork. */
function forker(priorities: number[], substrate: () => MkLinux): GuestProgram {
  return {
    name: 't_forkexit',
    textBytes: 8192,
    dataBytes: 4096,
    bssBytes: 4096,
    *main(libc) {
      for (let i = 0; i < CHILDREN; i++) {
        const child = yield* libc.fork(function* () {
          return 0;
        });
        const process = (substrate() as unknown as { byPid: Map<number, { userThread: Thread }> }).byPid.get(child);
        priorities.push(process?.userThread.priority ?? -1);
        yield* libc.waitpid(child);
      }
      yield* libc.print(1, 'done\n');
      return 0;
    },
  };
}

describe("MkLinux's fork and exit Mach calls (copy_thread, osfmach3_cleanup_task)", () => {
  for (const name of ['mklinux-user', 'mklinux-kernel']) {
    it(`${name}: a child runs at Mach priority 20 (thread_set_policy); its dead-name requests are cancelled at exit and the notify thread takes both send-once notifications`, () => {
      const priorities: number[] = [];
      let mklinux: MkLinux | null = null;
      const system = bootLinuxSystem(name, { programs: [forker(priorities, () => mklinux!)], initArgs: ['sh', '-c', 't_forkexit'] });
      mklinux = system.substrate as unknown as MkLinux;
      const notify = (mklinux as unknown as { portOf(name: number): Port; notifyName: number }).portOf((mklinux as unknown as { notifyName: number }).notifyName);
      // init (osfmach3_set_priority at boot) is at the mapped priority too
      const init = (mklinux as unknown as { byPid: Map<number, { userThread: Thread }> }).byPid.get(1);
      assert.equal(init?.userThread.priority, 20);
      assert.equal(system.run(133_000_000 * 5), 'halted');
      assert.equal(system.machine.console.output(), 'done\n');
      assert.deepEqual(priorities, Array(CHILDREN).fill(20));
      // every exited process cancelled its two requests at do_exit and deallocated the two
      // send-once rights that came back: two MACH_NOTIFY_SEND_ONCE messages each. The children's
      // were all received; what is left are exactly init's own two, sent by its do_exit after
      // the exit that halts the system: the run stops with the first handed to the notify thread
      // (chosen to run, not yet run) and the second queued behind it. So the two send-once rights
      // still counted are those two messages' destinations, in flight, not a leak: the count is
      // the same for any number of children (0, 1 or 4: measured)
      const notifyThread = (mklinux as unknown as { serverTask: { threads: Thread[] } }).serverTask.threads.find((t) => t.name === 'linux.notify')!;
      const inFlight = [...notify.messages, ...(notifyThread.receivedKmsg === null ? [] : [notifyThread.receivedKmsg])];
      assert.deepEqual(inFlight.map((kmsg) => kmsg.id), [MACH_NOTIFY.SEND_ONCE, MACH_NOTIFY.SEND_ONCE], 'init\'s two notifications');
      assert.equal(notify.sendOnceRights, inFlight.length, 'no send-once right but those of the notifications in flight');
    });
  }
});

interface ChildView {
  machTask: { active: boolean };
  userThread: Thread;
  taskName: number;
  threadName: number;
}

describe("MkLinux's exit cleanup (osfmach3_terminate_task at do_exit)", () => {
  for (const name of ['mklinux-user', 'mklinux-kernel']) {
    it(`${name}: an exited child's task and its task and thread ports are gone before the parent's wait4, which still gets its status`, () => {
      let mklinux: MkLinux | null = null;
      const seen: string[] = [];
      const program: GuestProgram = {
        name: 't_exitclean',
        textBytes: 8192,
        dataBytes: 4096,
        bssBytes: 4096,
        *main(libc) {
          const substrate = mklinux as unknown as { byPid: Map<number, ChildView>; serverTask: { space: { lookup(name: number): number } } };
          const child = yield* libc.fork(function* () {
            return 5;
          });
          const view = substrate.byPid.get(child)!;
          seen.push(`alive ${view.machTask.active}`);
          // the child runs, exits and is a zombie while the parent sleeps
          yield* libc.sleep(0, 50_000_000);
          const space = substrate.serverTask.space;
          seen.push(`zombie ${view.machTask.active} ${view.userThread.state === 'halted' || name === 'mklinux-kernel'} ${space.lookup(view.taskName) < 0} ${space.lookup(view.threadName) < 0} ${substrate.byPid.has(child)}`);
          const [pid, status] = yield* libc.waitpid(child);
          seen.push(`reaped ${pid === child} ${status} ${substrate.byPid.has(child)}`);
          return 0;
        },
      };
      const system = bootLinuxSystem(name, { programs: [program], initArgs: ['sh', '-c', 't_exitclean'] });
      mklinux = system.substrate as unknown as MkLinux;
      assert.equal(system.run(133_000_000 * 5), 'halted');
      assert.deepEqual(seen, ['alive true', 'zombie false true true true true', `reaped true ${5 << 8} false`]);
    });
  }
});

describe("MkLinux's notify port (osfmach3_notify_init)", () => {
  for (const name of ['mklinux-user', 'mklinux-kernel']) {
    it(`${name}: the server holds the receive right and one send right (MAKE_SEND) under one name`, () => {
      const system = bootLinuxSystem(name, { programs: [], initArgs: ['sh', '-c', 'true'] });
      const mklinux = system.substrate as unknown as { notifyName: number; serverTask: { space: { lookup(n: number): number; typeOf(i: number): number; urefsOf(i: number): number } }; portOf(n: number): Port };
      const space = mklinux.serverTask.space;
      const index = space.lookup(mklinux.notifyName);
      assert.ok(index >= 0);
      assert.equal(space.typeOf(index), MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_SEND);
      assert.equal(space.urefsOf(index), 1);
      const port = mklinux.portOf(mklinux.notifyName);
      assert.equal(port.makeSendCount, 1);
    });
  }
});
