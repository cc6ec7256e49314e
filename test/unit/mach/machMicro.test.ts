import * as assert from 'node:assert/strict';
import { machColocatedNullRpc, machNullRpc, machNullTrap, machOol64k, machRedirectedSyscall } from '../../../engine/bench/mach/machMicro';

const sum = (breakdown: Record<string, number | undefined>) => Object.values(breakdown).reduce<number>((a, b) => a + (b ?? 0), 0);

describe('mach microbenchmarks', () => {
  it('null trap: above the hardware minimum, no address-space switch, cycles fully attributed', () => {
    const r = machNullTrap({ iterations: 50 });
    assert.ok(r.cycles > 82, `${r.cycles}`);
    assert.equal(r.breakdown.addressSpaceSwitch, undefined);
    assert.ok(Math.abs(sum(r.breakdown) - r.cycles) <= 2);
    assert.ok((r.breakdown.kernelEntry ?? 0) >= 82);
  });

  it('null RPC: two CR3 loads per round trip, Mach IPC dominates, deterministic', () => {
    const a = machNullRpc({ iterations: 50 });
    const b = machNullRpc({ iterations: 50 });
    assert.deepEqual(a, b);
    assert.ok(a.cycles > 2 * machNullTrap({ iterations: 50 }).cycles);
    assert.ok((a.breakdown.addressSpaceSwitch ?? 0) >= 2 * 4);
    assert.ok((a.breakdown.machIpc ?? 0) > (a.breakdown.kernelEntry ?? 0));
    assert.ok(Math.abs(sum(a.breakdown) - a.cycles) <= 2);
  });

  it('64 KB out of line costs more than a null RPC but far less than copying 64 KB twice', () => {
    const rpc = machNullRpc({ iterations: 20 });
    const ool = machOol64k({ iterations: 20 });
    assert.ok(ool.cycles > rpc.cycles);
    // two physical copies of 64 KB at ≥ 1 cycle/dword would be ≥ 32768 cycles of copy alone
    assert.ok(ool.cycles < 32768, `${ool.cycles}`);
  });

  it('a co-located server saves the switches but keeps the IPC bookkeeping', () => {
    const user = machNullRpc({ iterations: 30 });
    const colocated = machColocatedNullRpc({ iterations: 30 });
    assert.ok(colocated.cycles < user.cycles);
    assert.equal(colocated.breakdown.addressSpaceSwitch, undefined);
    assert.ok((colocated.breakdown.machIpc ?? 0) > 0);
  });

  it('empty L1 caches and TLBs make the same operations dearer (the footprint is simulated)', () => {
    assert.ok(machNullTrap({ iterations: 30, coldL1: true }).cycles > machNullTrap({ iterations: 30 }).cycles);
    assert.ok(machNullRpc({ iterations: 30, coldL1: true }).cycles > machNullRpc({ iterations: 30 }).cycles);
  });

  it('a redirected int 0x80 costs a trap plus the RPC, less when the server is co-located', () => {
    const user = machRedirectedSyscall({ iterations: 30 });
    const colocated = machRedirectedSyscall({ iterations: 30, colocated: true });
    assert.ok(user.cycles > machNullRpc({ iterations: 30 }).cycles);
    assert.ok(colocated.cycles < user.cycles);
    assert.equal(colocated.breakdown.addressSpaceSwitch, undefined);
  });
});
