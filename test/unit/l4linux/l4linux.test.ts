import { strict as assert } from 'node:assert';
import { LinuxSystem, nativeHost } from '../../../engine/linux/boot';
import { L4Linux, l4linuxHost } from '../../../engine/linux/l4/l4linux';
import { TASK_SIZE } from '../../../engine/linux/core/mm';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, O_RDONLY, O_WRONLY, PROT_READ, PROT_WRITE, SIG } from '../../../engine/linux/core/syscalls';
import { EMULATION_LIBRARY, L4LINUX_TASK_SIZE } from '../../../engine/linux/l4/layout';
import { ACCESS_WRITE } from '../../../engine/machine/cpu';
import type { GuestProgram } from '../../../engine/userland/runtime';
import type { Libc } from '../../../engine/userland/libc';
import type { Operation } from '../../../engine/machine/executionContext';
import { between, runGuest } from '../../../engine/bench/linux/linuxHarness';
import { bootLinuxSystem } from '../../../engine/linux/systems';
import { L4_PARAMETERS } from '../../../engine/l4/l4Parameters';
import { PENTIUM_PARAMETERS } from '../../../engine/machine/pentiumParameters';

function boot(command: string, smallSpaces = true): { system: LinuxSystem; l4linux: L4Linux } {
  const system = new LinuxSystem({ host: l4linuxHost(false, { smallSpaces }), initArgs: ['sh', '-c', command] });
  return { system, l4linux: system.substrate as unknown as L4Linux };
}

function getpidCycles(smallSpaces: boolean): number {
  const { system } = boot('lat_syscall getpid 500 100', smallSpaces);
  const marks = new Map<string, number>();
  system.runtime.onMark = (label) => marks.set(label, system.machine.now);
  assert.equal(system.run(133_000_000 * 5), 'halted');
  return (marks.get('stop')! - marks.get('start')!) / 500;
}

describe('L4Linux substrate (SOSP97 §4)', () => {
  it('boots L4, sigma0, the Linux server (small space, memory mapped 1:1 from sigma0), then init', () => {
    const { system, l4linux } = boot('echo hi');
    const log = system.bootLog;
    const at = (pattern: RegExp) => log.findIndex((line) => pattern.test(line));
    const order = [/^L4\/x86/, /^sigma0:/, /^Linux server: task 4/, /mapped 1:1/, /interrupt threads/, /^Linux version/, /^init: started/].map(at);
    assert.ok(order.every((index) => index >= 0), log.join('\n'));
    assert.deepEqual([...order].sort((a, b) => a - b), order, log.join('\n'));
    assert.equal(l4linux.kernelLinear(0x900000), 0xc0900000, 'the 1:1 map seen through the small-space segment');
    assert.equal(system.run(133_000_000), 'halted');
    assert.equal(system.machine.console.output(), 'hi\n');
    assert.ok(l4linux.l4.counters.pageFaults.value > 10, 'user page faults reach the server as IPC');
  });

  it('without small spaces the server is a large space and getpid pays the TLB flushes', () => {
    const { l4linux } = boot('true', false);
    assert.equal(l4linux.kernelLinear(0x900000), 0x900000);
    const small = getpidCycles(true);
    const large = getpidCycles(false);
    assert.ok(large > small * 1.4, `large ${large} vs small ${small}`);
  });

  it('a warm getpid hits in L1 and the TLBs; each Figure 5 IPC row is one short IPC plus both sides\' C bindings (the library\'s PIC)', () => {
    const run = runGuest('l4linux', 'lat_syscall getpid 300 100', { seed: 1 });
    const { breakdown } = between(run, 'start', 'stop', 300);
    assert.equal(Math.round(breakdown.cacheMiss ?? 0), 0, 'the overhead code and LINUX fit L1 without conflicts (SOSP97: 45 lines, 9 %)');
    assert.equal(breakdown.tlbRefill, undefined);
    const start = run.marks.get('start')!.phases;
    const stop = run.marks.get('stop')!.phases;
    const row = (phase: string) => ((stop[phase] ?? 0) - (start[phase] ?? 0)) / 300;
    const p = L4_PARAMETERS;
    const m = PENTIUM_PARAMETERS;
    // int + iret, the short path, the small-space segment switch
    const kernel = m.intOuter.value + m.iretOuter.value + p.ipcShortPathCycles.value + p.smallSpaceSegmentLoads.value * m.segmentLoad.value;
    const save = p.ipcBindingSaveInstructions.value;
    const store = p.ipcBindingStoreInstructions.value;
    // the library's PIC l4_ipc_call before the trap, the server's l4_ipc_reply_and_wait after it (5 results, address block)
    const send = p.ipcStubCycles.value + save + p.ipcBindingPicBefore.value + kernel + save + 5 * store + p.ipcBindingIndirectAfter.value;
    // the server's reply_and_wait before the trap, the library's call after it (3 results, EBX restore)
    const reply = p.ipcStubCycles.value + save + p.ipcBindingIndirectBefore.value + kernel + save + 3 * store + p.ipcBindingPicAfter.value;
    assert.ok(Math.abs(row('send system call message') - send) < 1, `send ${row('send system call message')} vs ${send}`);
    assert.ok(Math.abs(row('receive reply') - reply) < 1, `reply ${row('receive reply')} vs ${reply}`);
  });

  it('the suites reach the what-if through SuiteOptions.smallSpaces (the CLI\'s --small-spaces off)', () => {
    const cycles = (smallSpaces?: boolean) => {
      const run = runGuest('l4linux', 'lat_syscall getpid 300 100', { seed: 1, smallSpaces });
      return between(run, 'start', 'stop', 300).cycles;
    };
    const small = cycles(undefined);
    assert.equal(cycles(true), small);
    assert.ok(cycles(false) > small * 1.4, `off ${cycles(false)} vs default ${small}`);
  });
});

/** A child computing in user mode (no system calls) is killed; one that makes calls gets its caught signal. */
const userModeSignals: GuestProgram = {
  name: 't_usersignals',
  textBytes: 8192,
  dataBytes: 4096,
  bssBytes: 4096,
  *main(libc) {
    const spinner = yield* libc.fork(function* (c) {
      for (;;) yield* c.compute(100_000);
    });
    yield* libc.sleep(0, 30_000_000);
    yield* libc.kill(spinner, SIG.SIGKILL);
    const [, killed] = yield* libc.waitpid(spinner);
    const caller = yield* libc.fork(function* (c) {
      const flag = yield* c.malloc(16);
      yield* c.storeWords(flag, [0]);
      yield* c.signal(SIG.SIGUSR1, function* (l, signal) {
        yield* l.storeWords(flag, [signal]);
      });
      while ((yield* c.loadWord(flag)) === 0) {
        yield* c.compute(50_000);
        yield* c.getpid();
      }
      return 7;
    });
    yield* libc.sleep(0, 30_000_000);
    yield* libc.kill(caller, SIG.SIGUSR1);
    const [, caught] = yield* libc.waitpid(caller);
    yield* libc.print(1, `killed ${killed & 0x7f} caught ${(caught >> 8) & 0xff}\n`);
    return 0;
  },
};

/**
 * Reads the process's view of the page it shares with the server: the registers of its last
 * system call, EAX (after the reply: the result), EBX, ECX, EDX, ESI, EDI.
 */
function* sharedState(libc: Libc): Operation<number[]> {
  const words: number[] = [];
  for (let i = 0; i < 6; i++) words.push(yield* libc.loadWord(EMULATION_LIBRARY.state + 4 * i));
  return words;
}

const sharedPageProgram: GuestProgram = {
  name: 'shared_state', textBytes: 16 * 1024, dataBytes: 4096, bssBytes: 8192,
  *main(libc: Libc): Operation<number> {
    const fail = function* (what: string): Operation<number> {
      yield* libc.print(2, `FAIL: ${what}\n`);
      return 1;
    };
    const fd = yield* libc.open('/dev/null', O_WRONLY);
    const buffer = yield* libc.malloc(64);
    const written = yield* libc.write(fd, buffer, 5);
    const afterWrite = yield* sharedState(libc);
    // the call's registers stayed where the library put them; EAX holds the server's result
    if (written !== 5 || afterWrite.join() !== [5, fd, buffer, 5, 0, 0].join()) return yield* fail(`write: ${written}, ${afterWrite}`);
    // an argument above 2 GB (a buffer on the stack) is an address, not a negative number
    const onStack = libc.state.stack + 64;
    yield* libc.touch(onStack, 4, ACCESS_WRITE);
    if ((yield* libc.write(fd, onStack, 4)) !== 4) return yield* fail(`write from the stack at 0x${onStack.toString(16)}`);
    // five arguments travel the same way (an unknown call: the server answers ENOSYS in EAX)
    const unknown = yield* libc.syscall(250, 11, 22, 33, 44, 55);
    const afterUnknown = yield* sharedState(libc);
    if (unknown !== -38 || afterUnknown.join() !== [-38 >>> 0, 11, 22, 33, 44, 55].join()) return yield* fail(`five arguments: ${unknown}, ${afterUnknown}`);
    const pid = yield* libc.getpid();
    const child = yield* libc.fork(function* (c) {
      // the child's page is its own: the parent's last call is not in it
      const own = yield* c.getpid();
      const state = yield* sharedState(c);
      return own !== pid && state[0] === own ? 0 : 3;
    });
    const [reaped, status] = yield* libc.waitpid(child);
    const mine = yield* sharedState(libc);
    if (reaped !== child || status !== 0) return yield* fail(`child status ${status}`);
    if (mine[0] !== child) return yield* fail(`parent's page after waitpid: ${mine}`);
    return 0;
  },
};

/**
 * The region above L4Linux's TASK_SIZE is the server's, not Linux's: no mapping, and no system
 * call reads or writes it for the process; the stack starts below it.
 */
const keptRegionProgram: GuestProgram = {
  name: 'kept_region', textBytes: 16 * 1024, dataBytes: 4096, bssBytes: 8192,
  *main(libc: Libc): Operation<number> {
    const fd = yield* libc.open('/etc/motd', O_RDONLY);
    const results = [
      yield* libc.mmap(L4LINUX_TASK_SIZE, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0),
      yield* libc.mmap(L4LINUX_TASK_SIZE - 4096, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0),
      yield* libc.read(fd, EMULATION_LIBRARY.state, 16),
      yield* libc.write(1, EMULATION_LIBRARY.code, 4),
      yield* libc.munmap(EMULATION_LIBRARY.code, 4096),
    ];
    const stackBelow = libc.state.stack < L4LINUX_TASK_SIZE && libc.state.stack > L4LINUX_TASK_SIZE - 0x20000;
    yield* libc.print(1, `${results.join(' ')} ${stackBelow} ${yield* libc.getppid()}\n`);
    return 0;
  },
};

describe('L4Linux system calls through the page each process shares with the server (L4Linux 2.2\'s protocol)', () => {
  for (const system of ['l4linux', 'l4linux-trampoline']) {
    it(`carries a call's registers there and brings the result back in EAX; a forked child has its own page (${system})`, () => {
      const run = runGuest(system, 'shared_state', {}, { programs: [sharedPageProgram] });
      assert.equal(run.output.includes('FAIL'), false, run.output);
    });
  }
  it('keeps the library and the shared page above TASK_SIZE, out of Linux\'s reach: EINVAL to map there, EFAULT to pass them to a call', () => {
    assert.equal(EMULATION_LIBRARY.code, L4LINUX_TASK_SIZE);
    assert.ok(L4LINUX_TASK_SIZE % (4 << 20) === 0 && L4LINUX_TASK_SIZE < TASK_SIZE);
    const run = runGuest('l4linux', 'kept_region', {}, { programs: [keptRegionProgram] });
    assert.match(run.output, /^-22 -22 -14 -14 -22 true [1-9]\d*\n/, run.output);
  });
});

describe('L4Linux signals to processes in user mode', () => {
  for (const trampoline of [false, true]) {
    it(`SIGKILL is done by the server; a caught signal goes through the signal thread${trampoline ? ' (trampoline)' : ''}`, () => {
      const system = new LinuxSystem({ host: l4linuxHost(trampoline), programs: [userModeSignals], initArgs: ['sh', '-c', 't_usersignals'] });
      assert.equal(system.run(133_000_000 * 5), 'halted');
      assert.equal(system.machine.console.output(), 'killed 9 caught 7\n');
    });
  }
});

/**
 * A store to `address` in two children: one with SIGSEGV's default action, one that catches it
 * and exits 42 from the handler. Returns "default <signal> caught <status>".
 */
function* storeInChildren(libc: Libc, address: number): Operation<string> {
  const statuses: number[] = [];
  for (const caught of [false, true]) {
    const child = yield* libc.fork(function* (c) {
      if (caught) yield* c.signal(SIG.SIGSEGV, (l) => l.exit(42));
      yield* c.store(address, Uint8Array.of(1));
      return 0;
    });
    statuses.push((yield* libc.waitpid(child))[1]);
  }
  return `default ${statuses[0] & 0x7f} caught ${(statuses[1] >> 8) & 0xff}`;
}

/** Stores beyond user space (#GP): one child with SIGSEGV's default action, one that catches it and exits from the handler. */
const kernelStores: GuestProgram = {
  name: 't_kernelstore',
  textBytes: 8192,
  dataBytes: 4096,
  bssBytes: 4096,
  *main(libc) {
    yield* libc.print(1, `${yield* storeInChildren(libc, TASK_SIZE + 0x1000)}\n`);
    return 0;
  },
};

describe('L4Linux exceptions of processes', () => {
  it('native Linux gives the same: default action kills with SIGSEGV, a caught one runs its handler', () => {
    const system = new LinuxSystem({ host: nativeHost, programs: [kernelStores], initArgs: ['sh', '-c', 't_kernelstore'] });
    assert.equal(system.run(133_000_000 * 5), 'halted');
    assert.equal(system.machine.console.output(), 'default 11 caught 42\n');
  });

  for (const trampoline of [false, true]) {
    it(`a #GP is reflected to the process's exception handler and reaches the server as SIGSEGV${trampoline ? ' (trampoline)' : ''}`, () => {
      const system = new LinuxSystem({ host: l4linuxHost(trampoline), programs: [kernelStores], initArgs: ['sh', '-c', 't_kernelstore'] });
      const l4linux = system.substrate as unknown as L4Linux;
      assert.equal(system.run(133_000_000 * 5), 'halted');
      assert.equal(system.machine.console.output(), 'default 11 caught 42\n');
      assert.ok(l4linux.l4.counters.exceptions.value >= 2, 'the stores raised exceptions in L4');
    });
  }
});

/** Unresolvable page faults: default action, a handler that exits, and one that mprotects the page so the store is retried. */
const pageFaultSignals: GuestProgram = {
  name: 't_pfsignal',
  textBytes: 8192,
  dataBytes: 4096,
  bssBytes: 4096,
  *main(libc) {
    const children = yield* storeInChildren(libc, 0x10);
    const page = yield* libc.mmap(0, 4096, 1, 0x22, -1, 0); // PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS
    let calls = 0;
    yield* libc.signal(SIG.SIGSEGV, function* (l) {
      calls++;
      yield* l.mprotect(page, 4096, 3);
    });
    yield* libc.store(page + 8, Uint8Array.of(77));
    const back = yield* libc.load(page + 8, 1);
    yield* libc.print(1, `${children} retried ${calls} ${back[0]}\n`);
    return 0;
  },
};

describe('L4Linux page faults Linux cannot resolve', () => {
  const expected = 'default 11 caught 42 retried 1 77\n';
  it('native Linux: SIGSEGV kills by default; a caught one runs its handler, then the access is retried', () => {
    const system = new LinuxSystem({ host: nativeHost, programs: [pageFaultSignals], initArgs: ['sh', '-c', 't_pfsignal'] });
    assert.equal(system.run(133_000_000 * 5), 'halted');
    assert.equal(system.machine.console.output(), expected);
  });

  for (const trampoline of [false, true]) {
    it(`the signal thread aborts the page-fault RPC into the signal entry, as on native${trampoline ? ' (trampoline)' : ''}`, () => {
      const system = new LinuxSystem({ host: l4linuxHost(trampoline), programs: [pageFaultSignals], initArgs: ['sh', '-c', 't_pfsignal'] });
      const l4linux = system.substrate as unknown as L4Linux;
      assert.equal(system.run(133_000_000 * 5), 'halted');
      assert.equal(system.machine.console.output(), expected);
      assert.deepEqual(l4linux.l4.reports.filter((line) => /stopped/.test(line)), [], 'no thread is stopped by the kernel');
    });
  }

  for (const name of ['mklinux-user', 'mklinux-kernel']) {
    it(`${name}: the pager's data_error fails vm_fault, EXC_BAD_ACCESS reaches the server, whose reply sends the thread to the handler`, () => {
      const system = bootLinuxSystem(name, { programs: [pageFaultSignals], initArgs: ['sh', '-c', 't_pfsignal'] });
      assert.equal(system.run(133_000_000 * 5), 'halted');
      assert.equal(system.machine.console.output(), expected);
    });
  }
});
