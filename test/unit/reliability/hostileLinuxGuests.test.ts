import assert from 'node:assert/strict';
import * as E from '../../../engine/linux/core/errno';
import { TASK_SIZE } from '../../../engine/linux/core/mm';
import { MAP_ANONYMOUS, MAP_PRIVATE, NR, PROT_READ, PROT_WRITE, SIG } from '../../../engine/linux/core/syscalls';
import { MAX_NESTED_SIGNAL_FRAMES } from '../../../engine/linux/core/kernel';
import { bootLinuxSystem, bootableLinuxSystems } from '../../../engine/linux/systems';
import type { Operation } from '../../../engine/machine/executionContext';
import type { Libc } from '../../../engine/userland/libc';
import type { GuestProgram } from '../../../engine/userland/runtime';
import { KNOWN_GAPS } from './knownGaps';

function program(name: string, main: (libc: Libc) => Operation<number>): GuestProgram {
  return { name, textBytes: 8192, dataBytes: 4096, bssBytes: 4096, main: (libc) => main(libc) };
}

/** Runs `program` as the only command of a fresh `system`; its exit status (null: the system never finished). */
function runOn(system: string, guest: GuestProgram, seconds = 20): { status: number | null; outcome: string; output: string } {
  const linux = bootLinuxSystem(system, { programs: [guest], initArgs: ['sh', '-c', guest.name] });
  const outcome = linux.run(133e6 * seconds);
  return { status: linux.exitStatus, outcome, output: linux.machine.console.output() };
}

const wildStore = program('wildstore', function* (libc) {
  const child = yield* libc.fork(function* (c) {
    yield* c.store(TASK_SIZE + 0x1000, Uint8Array.of(1));
    return 0;
  });
  const [, status] = yield* libc.waitpid(child);
  return (status & 0x7f) === SIG.SIGSEGV ? 0 : 1;
});

const nullStore = program('nullstore', function* (libc) {
  const child = yield* libc.fork(function* (c) {
    yield* c.store(0x10, Uint8Array.of(1));
    return 0;
  });
  const [, status] = yield* libc.waitpid(child);
  return (status & 0x7f) === SIG.SIGSEGV ? 0 : 1;
});

const exhaust = program('exhaust', function* (libc) {
  // brk into the kernel's half fails (returns the old break); mmap without bound ends in ENOMEM
  const before = yield* libc.brk(0);
  if ((yield* libc.brk(TASK_SIZE + 0x1000)) !== before) return 3;
  for (let maps = 0; maps < 4096; maps++) {
    const address = yield* libc.mmap(0, 0x400000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (address < 0 && address > -4096) return address === -E.ENOMEM ? 0 : 2;
  }
  return 1;
});

/**
 * A fork bomb: children that block on a pipe until fork fails (the task table of Linux 2.0 is
 * full, or the substrate's kernel is out of task or thread memory), then released and reaped; a
 * fork afterwards works again. Exit 0 when fork failed with EAGAIN and every child was reaped.
 */
const forkBomb = program('forkbomb', function* (libc) {
  const [r, w] = yield* libc.pipe();
  let children = 0;
  let failure = 0;
  while (failure === 0 && children < 2000) {
    const pid = yield* libc.fork(function* (c) {
      yield* c.close(w);
      yield* c.readText(r, 1);
      return 0;
    });
    if (pid < 0) failure = pid;
    else children++;
  }
  yield* libc.close(w);
  let reaped = 0;
  while ((yield* libc.waitpid(-1))[0] > 0) reaped++;
  yield* libc.print(1, `children ${children} failure ${failure} reaped ${reaped}\n`);
  if (failure !== -E.EAGAIN || reaped !== children) return 1;
  const again = yield* libc.fork(function* () {
    return 7;
  });
  if (again < 0) return 2;
  const [, status] = yield* libc.waitpid(again);
  return status === 7 << 8 ? 0 : 3;
});

/**
 * Signal handlers that nest without end: a SIGSEGV handler that faults again (force_sig unblocks
 * SIGSEGV, so each fault nests a handler below the last), and a sigreturn with no frame of a
 * delivered signal. Both children die of SIGSEGV; a handler nested a few deep (a SIGUSR1 handler
 * that raises SIGUSR2, whose handler returns) unwinds through its frames and the process goes on.
 */
const nestingSignals = program('nesting', function* (libc) {
  const status = function* (body: (c: Libc) => Operation<number>): Operation<number> {
    const child = yield* libc.fork(body);
    return (yield* libc.waitpid(child))[1];
  };
  const faulting = yield* status(function* (c) {
    yield* c.signal(SIG.SIGSEGV, function* (l) {
      yield* l.store(0x10, Uint8Array.of(1));
    });
    yield* c.store(0x10, Uint8Array.of(1));
    return 1;
  });
  const stray = yield* status(function* (c) {
    yield* c.syscall(NR.sigreturn, 0x1000);
    return 2;
  });
  let order = '';
  const nested = yield* status(function* (c) {
    yield* c.signal(SIG.SIGUSR2, function* () {
      order += '2';
    });
    yield* c.signal(SIG.SIGUSR1, function* (l) {
      order += '1';
      yield* l.syscall(NR.kill, yield* l.getpid(), SIG.SIGUSR2);
      order += '1';
    });
    yield* c.syscall(NR.kill, yield* c.getpid(), SIG.SIGUSR1);
    return order === '121' ? 5 : 3;
  });
  yield* libc.print(1, `faulting ${faulting} stray ${stray} nested ${nested >> 8}\n`);
  return faulting === SIG.SIGSEGV && stray === SIG.SIGSEGV && nested === 5 << 8 ? 0 : 1;
});

const spinner = program('spinner', function* (libc) {
  for (;;) yield* libc.compute(1_000_000);
});

for (const system of bootableLinuxSystems()) {
  describe(`hostile Linux guests on ${system}`, function () {
    this.timeout(60_000);

    it('a store to a kernel address or to page 0 kills the process with SIGSEGV; the parent goes on', function () {
      if (KNOWN_GAPS[system] !== undefined) this.skip();
      for (const guest of [wildStore, nullStore]) {
        const run = runOn(system, guest);
        assert.equal(run.status, 0, `${guest.name}: ${run.outcome} ${run.output.slice(-300)}`);
      }
    });

    it('signal handlers that nest without end die of SIGSEGV at the nesting limit; a stray sigreturn too; a nested handler unwinds', () => {
      const linux = bootLinuxSystem(system, { programs: [nestingSignals], initArgs: ['sh', '-c', 'nesting'] });
      const outcome = linux.run(133e6 * 20);
      const output = linux.machine.console.output();
      assert.equal(linux.exitStatus, 0, `${outcome} ${String(linux.failure ?? '')} ${output.slice(-300)}`);
      assert.ok(linux.bootLog.some((line) => line.includes(`nested ${MAX_NESTED_SIGNAL_FRAMES} deep`)), 'the kernel log says why');
    });

    it('allocating without bound ends in an error (brk refused, mmap ENOMEM), not in a crash', () => {
      const run = runOn(system, exhaust, 60);
      assert.equal(run.status, 0, `${run.outcome} ${run.output.slice(-300)}`);
    });

    it('a fork bomb ends in fork() = -EAGAIN; its children are reaped and the system goes on', () => {
      const linux = bootLinuxSystem(system, { programs: [forkBomb], initArgs: ['sh', '-c', 'forkbomb && echo after the bomb'] });
      const outcome = linux.run(133e6 * 60);
      const output = linux.machine.console.output();
      assert.equal(linux.exitStatus, 0, `${outcome} ${String(linux.failure ?? '')} ${output.slice(-300)}`);
      assert.match(output, /after the bomb/);
    });

    it('a program that never ends is stopped by the simulated-time watchdog, and the engine still works', () => {
      const run = runOn(system, spinner, 0.5);
      assert.equal(run.outcome, 'limit');
      assert.equal(runOn(system, exhaust, 60).status, 0);
    });
  });
}
