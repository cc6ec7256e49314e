import { strict as assert } from 'node:assert';
import type { MkLinux } from '../../../engine/linux/mach/mklinux';
import { bootLinuxSystem } from '../../../engine/linux/systems';
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
      // every reaped process's two send-once rights came back and were received: nothing is left queued
      assert.equal(notify.messages.length, 0);
      assert.equal(notify.sendOnceRights, 2, "only init's two requests remain registered");
    });
  }
});
