import * as assert from 'node:assert/strict';
import { ACCESS_READ, ACCESS_WRITE } from '../../../engine/machine/cpu';
import { Machine } from '../../../engine/machine/machine';

function machine(): Machine {
  return new Machine({ parameters: { memoryMB: 8 } });
}

/** CPU cycles of a DRAM line fill whose lead-off pays `extraBusClocks` beyond a page hit. */
function dramFill(p: Machine['parameters'], extraBusClocks: number): number {
  return (p.dramReadLeadoff + extraBusClocks + 3 * p.dramBurstClocks) * p.busRatio;
}

describe('Caches', () => {
  it('misses L1 and L2 on first touch, then hits L1; an L1 eviction leaves the line in L2', () => {
    const m = machine();
    const caches = m.caches;
    const p = m.parameters;
    assert.equal(caches.readData(0x10000), dramFill(p, p.dramRowActivate), 'the first access opens a row');
    assert.equal(caches.readData(0x10004), 0);
    assert.equal(caches.l1d.hits.value, 1);
    // two more lines in the same L1 set (2-way, 4 KB apart) push 0x10000 out of L1
    caches.readData(0x11000);
    caches.readData(0x12000);
    assert.deepEqual(m.inspector.cacheState(0x10000), { l1i: false, l1d: false, l1dDirty: false, l2: true, l2Dirty: false });
    assert.equal(caches.readData(0x10000), p.l2LineFill);
  });

  it('does not allocate on a write miss (P5): the write goes to L2 or DRAM as dwords', () => {
    const m = machine();
    const caches = m.caches;
    const p = m.parameters;
    // eight single writes at the DRAM's page-mode cycle, after opening the row
    assert.equal(caches.writeData(0x20000, 32), (8 * p.dramBurstClocks + p.dramRowActivate) * p.busRatio);
    assert.equal(m.inspector.cacheState(0x20000).l1d, false);
    assert.equal(m.inspector.cacheState(0x20000).l2, false);
    caches.readData(0x20000); // now cached
    assert.equal(caches.writeData(0x20000, 4), 0);
    assert.equal(m.inspector.cacheState(0x20000).l1dDirty, true);
    // evict it from L1: the dirty line is written back into L2
    caches.readData(0x21000);
    caches.readData(0x22000);
    assert.deepEqual(m.inspector.cacheState(0x20000), { l1i: false, l1d: false, l1dDirty: false, l2: true, l2Dirty: true });
    assert.equal(caches.writeData(0x20000, 8), 2 * p.l2DwordWrite);
  });

  it('shows direct-mapped L2 conflicts: lines 256 KB apart evict each other', () => {
    const m = machine();
    const caches = m.caches;
    const p = m.parameters;
    const a = 0x100000;
    const b = a + 256 * 1024;
    caches.readData(a);
    caches.readData(b);
    assert.equal(m.inspector.cacheState(a).l2, false);
    assert.equal(m.inspector.cacheState(b).l2, true);
    // push a out of L1 too: it must come from DRAM again
    caches.readData(a + 0x1000);
    caches.readData(a + 0x2000);
    caches.readData(b + 0x1000);
    caches.readData(b + 0x2000);
    assert.equal(caches.readData(a), dramFill(p, p.dramRowActivate + p.dramPrecharge), 'another DRAM page is open');
  });


  it('takes a dirty L1 line whose L2 line was replaced into the L2 on its write-back (what-if: straight to DRAM)', () => {
    for (const allocate of [true, false]) {
      const m = new Machine({ parameters: { memoryMB: 8, l2AllocatesWriteBacks: allocate } });
      const caches = m.caches;
      const a = 0x100000;
      const b = a + 256 * 1024; // a's L2 line, another L1 way
      caches.readData(a);
      caches.writeData(a, 4);
      caches.readData(b); // replaces a in the direct-mapped L2; a stays dirty in L1
      assert.deepEqual(m.inspector.cacheState(a), { l1i: false, l1d: true, l1dDirty: true, l2: false, l2Dirty: false });
      const writesBefore = caches.dramWrites.value;
      caches.readData(a + 0x1000); // two more lines of a's L1 set: a (least recent) is written back
      caches.readData(a + 0x2000);
      const state = m.inspector.cacheState(a);
      assert.equal(state.l1d, false);
      assert.equal(state.l2, allocate, allocate ? 'allocated in L2' : 'not in L2');
      assert.equal(state.l2Dirty, allocate);
      assert.equal(m.inspector.cacheState(b).l2, !allocate, 'b (clean) is replaced by the allocation');
      assert.equal(caches.dramWrites.value - writesBefore, allocate ? 0 : 1, 'only the what-if writes to DRAM');
    }
  });
  it('fetches instructions through the I-cache, apart from data', () => {
    const m = machine();
    assert.equal(m.caches.readCode(0x30000), dramFill(m.parameters, m.parameters.dramRowActivate));
    assert.equal(m.caches.readCode(0x30010), 0);
    assert.equal(m.inspector.cacheState(0x30000).l1i, true);
    assert.equal(m.inspector.cacheState(0x30000).l1d, false);
    assert.equal(m.caches.readData(0x30000), m.parameters.l2LineFill);
  });

  it('copies line by line; pre-reading the destination turns write misses into hits', () => {
    const plain = machine();
    plain.memory.bytes.set([1, 2, 3, 4], 0x40000);
    plain.memory.write32(0x1000, 0x00000083 | 0); // 4 MB identity page for linear 0-4 MB
    plain.cpu.loadCr3(0x1000);
    assert.equal(plain.cpu.copy(0x40000, 0x80000, 4096, false, false), 4096);
    assert.deepEqual([...plain.memory.bytes.subarray(0x80000, 0x80004)], [1, 2, 3, 4]);
    const withPreRead = machine();
    withPreRead.memory.write32(0x1000, 0x00000083);
    withPreRead.cpu.loadCr3(0x1000);
    withPreRead.cpu.copy(0x40000, 0x80000, 4096, false, false, true);
    assert.equal(withPreRead.inspector.cacheState(0x80000).l1dDirty, true);
    assert.equal(plain.inspector.cacheState(0x80000).l1d, false);
    // the accounting distinguishes copy instructions from stalls
    assert.ok(plain.accounting.get('copy') > 0 && plain.accounting.get('cacheMiss') > 0);
  });

  it('pre-reads each destination line before its source: a cached destination survives the source fill', () => {
    const m = machine();
    m.memory.write32(0x1000, 0x00000083); // 4 MB identity page for linear 0-4 MB
    m.cpu.loadCr3(0x1000);
    // one 2-way L1 set (lines 4 KB apart): the destination is its least recently used line, so
    // a source fill before the pre-read would evict it and the pre-read would miss
    m.caches.readData(0x80000);
    m.caches.readData(0x81000);
    const misses = m.caches.l1d.misses.value;
    m.cpu.copy(0x40000, 0x80000, 32, false, false, true);
    assert.equal(m.caches.l1d.misses.value - misses, 1, 'only the source line missed');
    assert.equal(m.inspector.cacheState(0x80000).l1dDirty, true, 'the destination stayed in L1 and took the writes');
    assert.equal(m.inspector.cacheState(0x81000).l1d, false, 'the source fill evicted the other line');
  });

  it('copies: write misses drain through the write buffers while the copy loop runs', () => {
    const m = machine();
    const p = m.parameters;
    m.memory.write32(0x1000, 0x00000083); // 4 MB identity page for linear 0-4 MB
    m.cpu.loadCr3(0x1000);
    m.cpu.copy(0x40000, 0x80000, 32, false, false); // warm the TLB
    m.caches.readData(0x40020); // the source line is in L1: only the destination misses
    const before = m.accounting.get('cacheMiss');
    const dram = m.caches.dram;
    const [rowMisses, pageMisses] = [dram.rowMisses.value, dram.pageMisses.value];
    m.cpu.copy(0x40020, 0x90020, 32, false, false);
    // one line of 8 dword write misses to DRAM: their bus time less the 8 MOVSD cycles
    const open = (dram.rowMisses.value - rowMisses) * p.dramRowActivate + (dram.pageMisses.value - pageMisses) * (p.dramRowActivate + p.dramPrecharge);
    assert.equal(dram.rowMisses.value + dram.pageMisses.value - rowMisses - pageMisses, 1, 'the destination is in another DRAM page');
    assert.equal(m.accounting.get('cacheMiss') - before, (8 * p.dramBurstClocks + open) * p.busRatio - 8 * p.repMovsPerDword);
  });

  it('copies without DRAM traffic: the same instruction cycles and stalls, split as before', () => {
    const m = machine();
    const p = m.parameters;
    m.memory.write32(0x1000, 0x00000083); // 4 MB identity page for linear 0-4 MB
    m.cpu.loadCr3(0x1000);
    const [source, target, length] = [0x40000, 0x48000, 2048];
    m.cpu.copy(source, target, length, false, false, true); // source and target in L1 and L2, TLB warm
    for (let a = 0x50000; a < 0x54000; a += 32) m.caches.readData(a); // pushes both out of L1, not out of L2
    const dramReads = m.caches.dramReads.value;
    const dramWrites = m.caches.dramWrites.value;
    const before = { now: m.cpu.now, copy: m.accounting.get('copy'), cacheMiss: m.accounting.get('cacheMiss'), tlbRefill: m.accounting.get('tlbRefill') };
    assert.equal(m.cpu.copy(source + 4, target + 4, length - 8, false, false), length - 8);
    assert.equal(m.caches.dramReads.value, dramReads, 'no line fill from DRAM');
    assert.equal(m.caches.dramWrites.value, dramWrites, 'no write to DRAM');
    // per line: the source fill from L2, then the line's dword writes to L2 less the MOVSDs they overlap
    const lines = length / 32;
    const writes = (dwords: number): number => dwords * p.l2DwordWrite - dwords * p.repMovsPerDword;
    const instructions = p.repMovsStartup + ((length - 8) / 4) * p.repMovsPerDword;
    const stalls = lines * p.l2LineFill + (lines - 2) * writes(8) + 2 * writes(7);
    assert.equal(m.accounting.get('copy') - before.copy, instructions);
    assert.equal(m.accounting.get('cacheMiss') - before.cacheMiss, stalls);
    assert.equal(m.accounting.get('tlbRefill') - before.tlbRefill, 0);
    assert.equal(m.cpu.now - before.now, instructions + stalls);
  });

  it('copies: a posted write-back drains while the copy loop runs its lines', () => {
    /**
     * Buffer waits of the read of an uncached line just after a posted write-back: directly
     * (`hits` < 0), or as the source of line `hits` + 1 of a copy whose first `hits` lines hit L1.
     */
    const waitOfRead = (hits: number): { wait: number; p: Machine['parameters'] } => {
      const m = machine();
      const [caches, cpu] = [m.caches, m.cpu];
      m.memory.write32(0x1000, 0x00000083); // 4 MB identity page for linear 0-4 MB
      cpu.loadCr3(0x1000);
      const [source, target, lines] = [0x40800, 0x60800, Math.max(hits, 0) + 1];
      cpu.access(target, 32 * lines, ACCESS_WRITE, false); // the TLB entries, dirty
      cpu.access(target, 32 * lines, ACCESS_READ, false); // the destination in L1
      if (hits > 0) cpu.access(source, 32 * hits, ACCESS_READ, false); // sources but the last in L1
      const a = 0x100000;
      caches.readData(a);
      caches.writeData(a, 4); // dirty in L1
      caches.readData(a + 0x1000);
      caches.readData(a + 0x2000); // a leaves L1 for L2, dirty
      caches.readData(a + 256 * 1024); // same L2 set: a is written back, posted; nothing charged yet
      const waits = caches.dram.writeBufferWaits.value;
      if (hits < 0) caches.readData(source);
      else cpu.copy(source, target, 32 * lines, false, false, true);
      return { wait: caches.dram.writeBufferWaits.value - waits, p: m.parameters };
    };
    const { wait: drain, p } = waitOfRead(-1);
    const loop = (hits: number): number => p.repMovsStartup + 8 * hits * p.repMovsPerDword;
    assert.ok(drain > loop(1), 'read at once, it waits for the whole drain');
    assert.equal(waitOfRead(0).wait, drain - loop(0), 'the REP MOVSD startup came in between');
    assert.equal(waitOfRead(1).wait, drain - loop(1), 'and the MOVSDs of the line before');
    assert.equal(waitOfRead(Math.ceil(drain / 8)).wait, 0);
  });

  it('moves data through read and write with faults reported as bytes done', () => {
    const m = machine();
    m.memory.write32(0x1000, 0x00000087); // 4 MB user page at 0
    m.cpu.loadCr3(0x1000);
    const data = Uint8Array.from([9, 8, 7]);
    assert.equal(m.cpu.write(0x3ffffe, data, 0, 3, true), 2, 'stops at the unmapped 4 MB boundary');
    assert.equal(m.cpu.fault.address, 0x400000);
    const out = new Uint8Array(2);
    assert.equal(m.cpu.read(0x3ffffe, out, 0, 2, true), 2);
    assert.deepEqual([...out], [9, 8]);
    assert.equal(m.cpu.access(0x100, 64, ACCESS_WRITE, true), 64);
    assert.equal(m.cpu.access(0x3ffff0, 64, ACCESS_READ, true), 16);
  });
});
