import * as assert from 'node:assert/strict';
import { between, runGuest } from '../../../engine/bench/linux/linuxHarness';
import { bootLinuxSystem } from '../../../engine/linux/systems';
import { MSG_ID } from '../../../engine/mach/machConstants';
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
      const supplies = booted.machine.trace.drain().filter((r) => r.point === 'mach.msg.send' && (r.fields as { id: number }).id === MSG_ID.memoryObjectDataSupply);
      const mk = booted.substrate as unknown as MkLinux;
      // the user-mode server answers data requests by mach_msg; the co-located one by calls
      if (system === 'mklinux-user') assert.ok(supplies.length > 10, `${supplies.length} data_supply messages`);
      else assert.equal(supplies.length, 0);
      assert.equal(mk.serverTask.colocated, system === 'mklinux-kernel');
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
    assert.equal(kernel.breakdown.addressSpaceSwitch, undefined);
    assert.ok((user.breakdown.addressSpaceSwitch ?? 0) > 0);
    assert.ok((kernel.breakdown.machIpc ?? 0) > 0 && (kernel.breakdown.linuxServer ?? 0) > 0);
  });
});
