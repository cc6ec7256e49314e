import * as assert from 'node:assert/strict';
import { between, runGuest } from '../../../engine/bench/linux/linuxHarness';
import { bootLinuxSystem } from '../../../engine/linux/systems';
import { EXC, MSG_ID } from '../../../engine/mach/machConstants';
import { TASK_SIZE } from '../../../engine/linux/core/mm';
import { SIG } from '../../../engine/linux/core/syscalls';
import type { GuestProgram } from '../../../engine/userland/runtime';
import type { MkLinux } from '../../../engine/linux/mach/mklinux';

/**
 * MkLinux (engine/linux/mach): the Linux personality as a Mach task (`mklinux-user`) and
 * co-located in the kernel (`mklinux-kernel`). The conformance suite checks the semantics; these
 * check that the mechanisms are the ones that run (messages, the external pager, co-location).
 */
describe('MkLinux on the Mach model', () => {
  for (const system of ['mklinux-user', 'mklinux-kernel'] as const) {
    it(`${system}: runs a command, with its page faults served by the Linux server as external pager`, () => {
      const booted = bootLinuxSystem(system, { initArgs: ['sh', '-c', 'echo hi'] });
      booted.machine.trace.enable('mach.msg.send');
      assert.equal(booted.run(133_000_000 * 5), 'halted');
      assert.equal(booted.exitStatus, 0);
      assert.match(booted.machine.console.output(), /hi\n/);
      const sent = booted.machine.trace.drain().filter((r) => r.point === 'mach.msg.send');
      const count = (id: number) => sent.filter((r) => (r.fields as { id: number }).id === id).length;
      const supplies = count(MSG_ID.memoryObjectDataSupply);
      const mk = booted.substrate as unknown as MkLinux;
      // the user-mode server answers data requests by mach_msg; the co-located one by calls
      if (system === 'mklinux-user') assert.ok(supplies > 10, `${supplies} data_supply messages`);
      else assert.equal(supplies, 0);
      // user memory: the user-mode server vm_remaps it into its share cache; co-located, COPYIN/COPYOUT
      if (system === 'mklinux-user') assert.ok(count(MSG_ID.vmRemap) > 0 && count(MSG_ID.vmDeallocate) > 0, `${count(MSG_ID.vmRemap)} vm_remap, ${count(MSG_ID.vmDeallocate)} vm_deallocate`);
      else assert.equal(count(MSG_ID.vmRemap), 0);
      assert.equal(mk.serverTask.colocated, system === 'mklinux-kernel');
    });
  }

  for (const system of ['mklinux-user', 'mklinux-kernel'] as const) {
    it(`${system}: a store to page 0 or beyond user space is an exception_raise to the server, which kills the process with SIGSEGV`, () => {
      const wild = bootLinuxSystem(system, { programs: [wildStores], initArgs: ['sh', '-c', 't_wildstores'] });
      wild.machine.trace.enable('mach.exception');
      assert.equal(wild.run(133_000_000 * 5), 'halted');
      assert.equal(wild.machine.console.output(), 'null 11 kernel 11\n');
      assert.equal(wild.machine.trace.drain().filter((r) => r.point === 'mach.exception' && (r.fields as { exception: number }).exception === EXC.BAD_ACCESS).length, 2);
    });
  }

  for (const system of ['mklinux-user', 'mklinux-kernel'] as const) {
    it(`${system}: fork and reaping make MkLinux's Mach RPCs (copy_thread, fork_resume, cleanup_task)`, () => {
      const forker: GuestProgram = {
        name: 't_fork3',
        textBytes: 8192,
        dataBytes: 4096,
        bssBytes: 4096,
        *main(libc) {
          for (let i = 0; i < 3; i++) {
            const child = yield* libc.fork(function* () {
              return 7;
            });
            if ((yield* libc.waitpid(child))[1] !== 7 << 8) return 1;
          }
          return 0;
        },
      };
      const booted = bootLinuxSystem(system, { programs: [forker], initArgs: ['sh', '-c', 't_fork3'] });
      booted.machine.trace.enable('mach.msg.send');
      assert.equal(booted.run(133_000_000 * 10), 'halted');
      assert.equal(booted.exitStatus, 0);
      const sent = booted.machine.trace.drain().filter((r) => r.point === 'mach.msg.send');
      const count = (id: number) => sent.filter((r) => (r.fields as { id: number }).id === id).length;
      const ids = [MSG_ID.taskCreate, MSG_ID.threadCreate, MSG_ID.threadSetState, MSG_ID.taskSetExceptionPort, MSG_ID.threadResume, MSG_ID.taskTerminate];
      // user-mode: mach_msg RPCs from the server's threads, one of each per fork (sh may fork too);
      // co-located: the same requests short-circuited into calls, no mach_msg
      const counts = ids.map(count);
      if (system === 'mklinux-user') {
        assert.ok(counts[0] >= 3, `${counts[0]} task_create`);
        // task_terminate: one more, init's (sh's) own at its do_exit, which halts the system
        const expected = [...ids.slice(0, -1).map(() => counts[0]), counts[0] + 1];
        assert.deepEqual(counts, expected, `task_create, thread_create, thread_set_state, task_set_exception_port, thread_resume, task_terminate: ${counts}`);
        assert.equal(count(MSG_ID.machPortDestroy), 2 * (counts[0] + 1));
      } else assert.deepEqual(counts, ids.map(() => 0));
    });
  }

  for (const system of ['mklinux-user', 'mklinux-kernel'] as const) {
    it(`${system}: the server's threads run at BASEPRI_SERVER (server_thread_init), the device reply and console input threads above it; processes at BASEPRI_USER`, () => {
      const booted = bootLinuxSystem(system, { initArgs: ['sh', '-c', 'echo hi'] });
      const mk = booted.substrate as unknown as MkLinux;
      const mach = mk.mach.p;
      const priorities = new Map(mk.serverTask.threads.map((thread) => [thread.name, thread.priority]));
      assert.equal(priorities.get('linux.clock'), mach.serverPriority, 'jiffies_thread keeps the task\'s priority');
      assert.equal(priorities.get('linux.deviceReply'), mach.serverPriority - 1, 'device_reply_thread: BASEPRI_SERVER-1');
      assert.equal(priorities.get('linux.consoleInput'), mach.serverPriority - 2, 'keyboard input: BASEPRI_SERVER-2');
      assert.equal(booted.run(133_000_000 * 5), 'halted');
      const serverThreads = mk.serverTask.threads.filter((thread) => /^linux\.\d+\.server$/.test(thread.name));
      // the user-mode server's per-process threads (ux_server_loop) are created in the server task
      if (system === 'mklinux-user') assert.ok(serverThreads.length > 0 && serverThreads.every((thread) => thread.priority === mach.serverPriority));
      else assert.equal(serverThreads.length, 0);
    });
  }

  for (const system of ['mklinux-user', 'mklinux-kernel'] as const) {
    it(`${system}: lat_pipe takes its clock ticks, and no system call yields the CPU for them (MkLinux has no need_resched)`, () => {
      const booted = bootLinuxSystem(system, { seed: 1, initArgs: ['sh', '-c', 'lat_pipe 300 50'] });
      const mk = booted.substrate as unknown as MkLinux;
      const mach = mk.mach as unknown as { depressYield: (...args: never[]) => Generator };
      const depressYield = mach.depressYield.bind(mach);
      let yields = 0;
      let measuring = false;
      mach.depressYield = (...args: never[]) => {
        if (measuring) yields++;
        return depressYield(...args);
      };
      let start = { cycles: 0, jiffies: 0 };
      let stop = start;
      const at = () => ({ cycles: booted.machine.now, jiffies: booted.kernel.jiffies });
      booted.runtime.onMark = (label) => {
        measuring = label === 'start';
        if (label === 'start') start = at();
        else stop = at();
      };
      assert.equal(booted.run(133_000_000 * 5), 'halted');
      assert.equal(booted.exitStatus, 0);
      const ticks = (stop.cycles - start.cycles) / booted.machine.microsecondsToCycles(10_000);
      assert.ok(ticks > 3, `${ticks} ticks`);
      // the clock thread runs do_timer once per 10 ms while the processes only trap and compute
      assert.ok(Math.abs(stop.jiffies - start.jiffies - ticks) <= 2, `${stop.jiffies - start.jiffies} jiffies in ${ticks.toFixed(1)} ticks`);
      assert.equal(yields, 0, 'osfmach3_yield from a system call');
    });
  }

  it('same configuration, same cycles (deterministic)', () => {
    const a = bootLinuxSystem('mklinux-user', { initArgs: ['sh', '-c', 'echo hi'] });
    const b = bootLinuxSystem('mklinux-user', { initArgs: ['sh', '-c', 'echo hi'] });
    a.run(133_000_000 * 5);
    b.run(133_000_000 * 5);
    assert.equal(a.machine.now, b.machine.now);
  });

  it('getpid: native < co-located < user-mode server; only the user-mode server switches address spaces', () => {
    const n = 300;
    const cycles = (system: string) => between(runGuest(system, `lat_syscall getpid ${n} 50`, {}), 'start', 'stop', n);
    const native = cycles('linux');
    const kernel = cycles('mklinux-kernel');
    const user = cycles('mklinux-user');
    assert.ok(native.cycles < kernel.cycles && kernel.cycles < user.cycles, `${native.cycles} ${kernel.cycles} ${user.cycles}`);
    // co-located, a call switches no address space: only the clock tick's switch to the server's clock thread and back does
    assert.ok((kernel.breakdown.addressSpaceSwitch ?? 0) < 1, `${kernel.breakdown.addressSpaceSwitch} cycles per call`);
    assert.ok((user.breakdown.addressSpaceSwitch ?? 0) > 0);
    assert.ok((kernel.breakdown.machIpc ?? 0) > 0 && (kernel.breakdown.linuxServer ?? 0) > 0);
  });
});

/** Two children: a store to page 0 (no map entry) and one beyond user space (#GP); each status's signal. */
const wildStores: GuestProgram = {
  name: 't_wildstores',
  textBytes: 8192,
  dataBytes: 4096,
  bssBytes: 4096,
  *main(libc) {
    const signals: number[] = [];
    for (const address of [0x10, TASK_SIZE + 0x1000]) {
      const child = yield* libc.fork(function* (c) {
        yield* c.store(address, Uint8Array.of(1));
        return 0;
      });
      signals.push((yield* libc.waitpid(child))[1] & 0x7f);
    }
    yield* libc.print(1, `null ${signals[0]} kernel ${signals[1]}\n`);
    return signals.every((signal) => signal === SIG.SIGSEGV) ? 0 : 1;
  },
};
