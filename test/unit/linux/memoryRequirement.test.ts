import * as assert from 'node:assert/strict';
import { bootSystem, linuxMemoryRequirement, MemoryTooSmallError, runSuite } from '../../../engine/api';
import { Lab } from '../../../engine/api/lab';
import type { LinuxSystem } from '../../../engine/linux/boot';

const MB = 1 << 20;

/** Boots `system` on `memoryMB` and runs `echo` to the end: the guest's exit status and output. */
function echo(system: string, memoryMB: number, options: { mklinux?: { machMemoryMB: number } } = {}): { status: number | null; output: string } {
  const linux: LinuxSystem = bootSystem(system, { ...options, parameters: { memoryMB }, initArgs: ['sh', '-c', 'echo fits'] });
  const outcome = linux.run(60 * 133e6);
  assert.equal(outcome, 'halted', `${system} on ${memoryMB} MB: ${String(linux.failure)}`);
  return { status: linux.exitStatus, output: linux.machine.console.output() };
}

describe('machines too small for a system', function () {
  this.timeout(120000);

  const cases: Array<[string, number, RegExp | null]> = [
    ['linux', 8, null],
    ['l4linux', 8, /^L4Linux needs at least 9 MB of memory, and this machine has 8 MB \(memoryMB=8\): 8 MB for the L4 kernel below sigma0's memory .*, 512 KB for the Linux server's image .*, and 68 KB for Linux's page frames/],
    ['l4linux-trampoline', 8, /^L4Linux \(trampoline\) needs at least 9 MB/],
    ['l4linux', 12, null],
    ['l4linux-trampoline', 16, null],
    ...[8, 12, 16].flatMap((mb): Array<[string, number, RegExp]> => [
      ['mklinux-kernel', mb, new RegExp(`^MkLinux \\(in-kernel server\\) needs at least 17 MB of memory, and this machine has ${mb} MB .*16 MB for the Mach kernel \\(mklinux.machMemoryMB = 16`)],
      ['mklinux-user', mb, new RegExp(`^MkLinux \\(user-mode server\\) needs at least 17 MB of memory, and this machine has ${mb} MB`)],
    ]),
  ];
  for (const [system, memoryMB, message] of cases) {
    it(`${system} on ${memoryMB} MB ${message === null ? 'boots' : 'is a configuration error saying what it needs'}`, () => {
      if (message === null) {
        assert.match(echo(system, memoryMB).output, /fits/);
        return;
      }
      assert.throws(() => bootSystem(system, { parameters: { memoryMB }, initArgs: [] }), (error: Error) => error instanceof MemoryTooSmallError && error instanceof RangeError && message.test(error.message));
    });
  }

  it('each system runs at the minimum it states (native Linux as before)', () => {
    for (const system of ['linux', 'l4linux', 'mklinux-user']) {
      const requirement = linuxMemoryRequirement(system, 64 * MB)!;
      const minimum = Math.ceil(requirement.bytes / MB);
      assert.match(echo(system, minimum).output, /fits/, `${system} on ${minimum} MB`);
      assert.throws(() => bootSystem(system, { parameters: { memoryMB: minimum - 1 }, initArgs: [] }), MemoryTooSmallError);
    }
    assert.throws(() => bootSystem('linux', { parameters: { memoryMB: 2 }, initArgs: [] }), /Linux needs at least 3 MB of memory, and this machine has 2 MB/);
  });

  it('follows the layout: a smaller Mach share lowers what MkLinux needs', () => {
    const requirement = linuxMemoryRequirement('mklinux-kernel', 12 * MB, { mklinux: { machMemoryMB: 8 } })!;
    assert.equal(Math.ceil(requirement.bytes / MB), 9);
    assert.equal(echo('mklinux-kernel', 12, { mklinux: { machMemoryMB: 8 } }).status, 0);
    assert.throws(() => bootSystem('mklinux-user', { mklinux: { machMemoryMB: 2 }, initArgs: [] }), /mklinux\.machMemoryMB = 2 leaves the Mach kernel no memory: its image and tables fill the first 2 MB/);
  });

  it('benchmarks and lab boots give the same error', () => {
    assert.throws(() => runSuite('getpid', ['l4linux'], { machine: { memoryMB: 8 } }), /L4Linux needs at least 9 MB/);
    const lab = new Lab(() => undefined);
    lab.setMachine({ memoryMB: 12 });
    assert.throws(() => lab.boot('mklinux-user'), /MkLinux \(user-mode server\) needs at least 17 MB/);
  });

  it('a bare L4 kernel needs memory above its own for sigma0', () => {
    assert.throws(() => runSuite('ipc', ['l4'], { machine: { memoryMB: 8 } }), (error: Error) => error instanceof MemoryTooSmallError && /^The bare L4 kernel needs at least 9 MB of memory, and this machine has 8 MB .*8 MB for the L4 kernel below sigma0's memory/.test(error.message));
    const lab = new Lab(() => undefined);
    lab.setMachine({ memoryMB: 4 });
    assert.throws(() => lab.l4(), /The bare L4 kernel needs at least 9 MB/);
  });
});
