import assert from 'node:assert/strict';
import { CAT } from '../../../engine/machine/cpu';
import { bareMetalMachine } from '../../../engine/bench/bareMetal';
import { KernelCode } from '../../../engine/linux/core/kernelCode';
import { linuxParameters } from '../../../engine/linux/core/linuxParameters';
import { MemoryManager, VM_READ, VM_WRITE, type MemoryMap } from '../../../engine/linux/core/mm';
import type { Substrate } from '../../../engine/linux/core/substrate';
import { PG_PRESENT, PG_WRITABLE } from '../../../engine/machine/paging';

/** A fake substrate over a bare-metal machine whose first 32 MB are mapped 1:1 (kernel = physical). */
function setup(): { mm: MemoryManager; changed: number[]; flushed: number } {
  const machine = bareMetalMachine({ mappedMB: 32 });
  const state = { changed: [] as number[], flushed: 0 };
  const substrate = {
    name: 'fake', machine, cpu: machine.cpu, kernelCategory: CAT.kernel, kernelTextBase: 0x100000,
    kernelLinear: (p: number) => p, memoryStart: 8 << 20, memoryEnd: 32 << 20,
    initPageDirectory: () => {}, pageChanged: (_mm: MemoryMap, address: number) => state.changed.push(address),
    addressSpaceChanged: () => { state.flushed++; }, pageMapped: () => {},
  } as unknown as Substrate;
  const p = linuxParameters().values;
  const mm = new MemoryManager(substrate, p, new KernelCode(machine.cpu, p, 0x100000, CAT.kernel));
  return { mm, get changed() { return state.changed; }, get flushed() { return state.flushed; } };
}

describe('Linux memory manager (mm/)', () => {
  it('zero-fills anonymous memory: the shared zero page on a read, a private page on a write', () => {
    const { mm } = setup();
    const space = mm.newAddressSpace()!;
    const at = mm.mmap(space, 0, 3 * 4096, VM_READ | VM_WRITE, false, false, null, 0);
    assert.equal(at, 0x40000000);
    assert.equal(mm.handleFault(space, at + 10, false), 'ok');
    const read = mm.pte(space, at);
    assert.equal(read & 0xfffff000, mm.zeroPage);
    assert.equal(read & PG_WRITABLE, 0);
    assert.equal(mm.handleFault(space, at + 10, true), 'ok');
    const written = mm.pte(space, at);
    assert.notEqual(written & 0xfffff000, mm.zeroPage);
    assert.ok((written & PG_WRITABLE) !== 0);
    assert.equal(mm.handleFault(space, 0x30000000, false), 'segv');
  });

  it('fork write-protects private pages in both spaces; a write breaks COW, the last owner just regains write access', () => {
    const setupResult = setup();
    const { mm } = setupResult;
    const parent = mm.newAddressSpace()!;
    const at = mm.mmap(parent, 0, 4096, VM_READ | VM_WRITE, false, false, null, 0);
    mm.handleFault(parent, at, true);
    const frame = mm.pte(parent, at) & 0xfffff000;
    const child = mm.fork(parent)!;
    assert.ok(setupResult.flushed > 0, 'the parent TLB is flushed after write-protecting');
    for (const space of [parent, child]) assert.equal(mm.pte(space, at) & (PG_WRITABLE | PG_PRESENT), PG_PRESENT);
    assert.equal(mm.count[frame >>> 12], 2);
    assert.equal(mm.handleFault(child, at, true), 'ok');
    assert.notEqual(mm.pte(child, at) & 0xfffff000, frame, 'the child got a copy');
    assert.equal(mm.count[frame >>> 12], 1);
    assert.equal(mm.handleFault(parent, at, true), 'ok');
    assert.equal(mm.pte(parent, at) & 0xfffff000, frame, 'the parent keeps its frame');
    assert.ok(setupResult.changed.includes(at));
  });

  it('munmap splits areas and brk grows and shrinks the heap', () => {
    const { mm } = setup();
    const space = mm.newAddressSpace()!;
    const at = mm.mmap(space, 0, 4 * 4096, VM_READ | VM_WRITE, false, false, null, 0);
    assert.equal(mm.munmap(space, at + 4096, 4096), 0);
    assert.deepEqual(space.areas.map((a) => [a.start - at, a.end - at]), [[0, 4096], [8192, 16384]]);
    assert.equal(mm.munmap(space, at + 1, 4096), -22);
    assert.equal(mm.mmap(space, 0, 0, VM_READ, false, false, null, 0), -22);
    space.startBrk = space.brk = 0x08100000;
    assert.equal(mm.setBrk(space, 0x08100000 + 10000), 0x08100000 + 10000);
    assert.ok(mm.verify(space, 0x08100000, 10000, true));
    assert.equal(mm.setBrk(space, 0x08100000), 0x08100000);
    assert.equal(mm.verify(space, 0x08100000, 4, true), false);
  });

  it('releases every page of an address space on exit', () => {
    const { mm } = setup();
    const before = mm.freePages;
    const space = mm.newAddressSpace()!;
    const at = mm.mmap(space, 0, 8 * 4096, VM_READ | VM_WRITE, false, false, null, 0);
    for (let i = 0; i < 8; i++) mm.handleFault(space, at + i * 4096, true);
    mm.release(space);
    assert.equal(mm.freePages, before);
  });
});
