import assert from 'node:assert/strict';
import { CAT } from '../../../engine/machine/cpu';
import { bareMetalMachine } from '../../../engine/bench/bareMetal';
import { KernelCode } from '../../../engine/linux/core/kernelCode';
import { linuxParameters } from '../../../engine/linux/core/linuxParameters';
import { MemoryManager, TASK_SIZE, VM_MAY, VM_READ, VM_WRITE, type MemoryMap } from '../../../engine/linux/core/mm';
import type { Substrate } from '../../../engine/linux/core/substrate';
import { Inode } from '../../../engine/linux/core/vfs';
import { PG_PRESENT, PG_WRITABLE } from '../../../engine/machine/paging';

/** A fake substrate over a bare-metal machine whose first 32 MB are mapped 1:1 (kernel = physical). */
function setup(): { mm: MemoryManager; changed: number[]; flushed: number; calls: string[] } {
  const machine = bareMetalMachine({ mappedMB: 32 });
  const state = { changed: [] as number[], flushed: 0, calls: [] as string[] };
  const hex = (n: number): string => `0x${n.toString(16)}`;
  const substrate = {
    name: 'fake', machine, cpu: machine.cpu, kernelCategory: CAT.kernel, kernelTextBase: 0x100000,
    kernelLinear: (p: number) => p, memoryStart: 8 << 20, memoryEnd: 32 << 20, taskSize: TASK_SIZE,
    initPageDirectory: () => {},
    pageChanged: (_mm: MemoryMap, address: number) => {
      state.changed.push(address);
      state.calls.push(`pageChanged ${hex(address)}`);
    },
    addressSpaceChanged: () => {
      state.flushed++;
      state.calls.push('addressSpaceChanged');
    },
    flushTlbPage: (_mm: MemoryMap, address: number) => state.calls.push(`flushTlbPage ${hex(address)}`),
    flushTlbRange: (_mm: MemoryMap, start: number, end: number) => state.calls.push(`flushTlbRange ${hex(start)}-${hex(end)}`),
    flushTlbMm: () => state.calls.push('flushTlbMm'),
    pageMapped: () => {},
  } as unknown as Substrate;
  const p = linuxParameters().values;
  const mm = new MemoryManager(substrate, p, new KernelCode(machine.cpu, p, 0x100000, CAT.kernel));
  return { mm, get changed() { return state.changed; }, get flushed() { return state.flushed; }, get calls() { return state.calls; } };
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

  it('reports each changed PTE of munmap, brk and mprotect to the substrate, then calls flush_tlb_range once per area', () => {
    const state = setup();
    const { mm } = state;
    const space = mm.newAddressSpace()!;
    const at = mm.mmap(space, 0, 4 * 4096, VM_MAY | VM_READ | VM_WRITE, false, false, null, 0);
    for (const page of [0, 1, 3]) mm.handleFault(space, at + page * 4096, true);
    const hex = (n: number): string => `0x${n.toString(16)}`;
    state.calls.length = 0;
    assert.equal(mm.mprotect(space, at, 4 * 4096, VM_READ), 0);
    assert.deepEqual(state.calls, [...[0, 1, 3].map((page) => `pageChanged ${hex(at + page * 4096)}`), `flushTlbRange ${hex(at)}-${hex(at + 4 * 4096)}`]);
    state.calls.length = 0;
    assert.equal(mm.munmap(space, at + 4096, 3 * 4096), 0);
    assert.deepEqual(state.calls, [`pageChanged ${hex(at + 4096)}`, `pageChanged ${hex(at + 3 * 4096)}`, `flushTlbRange ${hex(at + 4096)}-${hex(at + 4 * 4096)}`]);
    space.startBrk = space.brk = 0x08100000;
    mm.setBrk(space, 0x08100000 + 2 * 4096);
    mm.handleFault(space, 0x08100000 + 4096, true);
    state.calls.length = 0;
    mm.setBrk(space, 0x08100000);
    assert.deepEqual(state.calls, ['pageChanged 0x8101000', 'flushTlbRange 0x8100000-0x8102000']);
  });

  it('munmap of a MAP_SHARED file area syncs it first: flush_tlb_page per written page and flush_tlb_range, then the zap', () => {
    const state = setup();
    const { mm } = state;
    const space = mm.newAddressSpace()!;
    const file = new Inode(5, 'file', 0o644);
    const at = mm.mmap(space, 0, 2 * 4096, VM_MAY | VM_READ | VM_WRITE, true, false, file, 0);
    assert.equal(mm.handleFault(space, at, true), 'ok');
    assert.equal(mm.handleFault(space, at + 4096, false), 'ok');
    const hex = (n: number): string => `0x${n.toString(16)}`;
    const range = `flushTlbRange ${hex(at)}-${hex(at + 2 * 4096)}`;
    state.calls.length = 0;
    assert.equal(mm.munmap(space, at, 2 * 4096), 0);
    assert.deepEqual(state.calls, [`flushTlbPage ${hex(at)}`, range, `pageChanged ${hex(at)}`, `pageChanged ${hex(at + 4096)}`, range]);
  });

  it('a write fault on a present page flushes it with flush_tlb_page (handle_pte_fault, do_wp_page); an anonymous no-page fault does not', () => {
    const state = setup();
    const { mm } = state;
    const space = mm.newAddressSpace()!;
    const at = mm.mmap(space, 0, 4096, VM_READ | VM_WRITE, false, false, null, 0);
    state.calls.length = 0;
    mm.handleFault(space, at, false);
    assert.deepEqual(state.calls, [], 'zero page mapped where nothing was present');
    mm.handleFault(space, at, true);
    const page = `0x${at.toString(16)}`;
    assert.deepEqual(state.calls, [`flushTlbPage ${page}`, `pageChanged ${page}`, `flushTlbPage ${page}`], 'pte_mkyoung, then the COW break of the zero page');
  });

  it('fork calls flush_tlb_range for each area, parent and child, and reports the parent\'s space once', () => {
    const state = setup();
    const { mm } = state;
    const parent = mm.newAddressSpace()!;
    const first = mm.mmap(parent, 0, 4096, VM_READ | VM_WRITE, false, false, null, 0);
    const second = mm.mmap(parent, 0x50000000, 4096, VM_READ | VM_WRITE, false, true, null, 0);
    mm.handleFault(parent, first, true);
    state.calls.length = 0;
    const child = mm.fork(parent)!;
    assert.ok(child !== null);
    const range = (start: number): string => `flushTlbRange 0x${start.toString(16)}-0x${(start + 4096).toString(16)}`;
    assert.deepEqual(state.calls, [range(first), range(first), range(second), range(second), 'addressSpaceChanged']);
  });
});
