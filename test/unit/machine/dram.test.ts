import * as assert from 'node:assert/strict';
import { StatRegistry } from '../../../engine/base/stats';
import { Dram } from '../../../engine/machine/dram';
import { Machine } from '../../../engine/machine/machine';
import { pentiumParameters, type PentiumOverrides } from '../../../engine/machine/pentiumParameters';

const MB = 1024 * 1024;

function dram(overrides: PentiumOverrides = {}): { dram: Dram; clock: { now: number }; p: ReturnType<typeof pentiumParameters>['values'] } {
  const p = pentiumParameters({ memoryMB: 8, ...overrides }).values;
  const clock = { now: 0 };
  return { dram: new Dram(p, new StatRegistry(), clock), clock, p };
}

/** Leaves the line at `a` dirty in L2 only: written in L1, then pushed out of its 2-way L1 set. */
function makeDirtyInL2(caches: Machine['caches'], a: number): void {
  caches.readData(a);
  caches.writeData(a, 4);
  caches.readData(a + 0x1000);
  caches.readData(a + 0x2000);
}

describe('DRAM (fast page mode, 430FX)', () => {
  it('charges a page hit less than a row miss, and a row miss less than a page miss', () => {
    const { dram: d, clock, p } = dram();
    const burst = 3 * p.dramBurstClocks;
    clock.now = 100;
    assert.equal(d.readLine(0), (p.dramReadLeadoff + p.dramRowActivate + burst) * p.busRatio, 'row miss: the bank was precharged');
    clock.now = 200;
    assert.equal(d.readLine(32), (p.dramReadLeadoff + burst) * p.busRatio, 'page hit: same 8 KB page');
    clock.now = 300;
    assert.equal(d.readLine(p.dramPageBytes), (p.dramReadLeadoff + p.dramRowActivate + p.dramPrecharge + burst) * p.busRatio, 'page miss');
    clock.now = 400;
    assert.equal(d.readDword(p.dramPageBytes + 64), p.dramReadLeadoff * p.busRatio, 'a single read pays the lead-off only');
    assert.deepEqual([d.pageHits.value, d.rowMisses.value, d.pageMisses.value], [2, 1, 1]);
  });

  it('keeps a page open per bank up to dramOpenBanks, closing the least recently used', () => {
    const bank1 = 4 * MB; // 8 MB in two banks
    const hit = (p: { dramReadLeadoff: number; dramBurstClocks: number; busRatio: number }): number => (p.dramReadLeadoff + 3 * p.dramBurstClocks) * p.busRatio;
    const two = dram({ dramOpenBanks: 2 });
    two.dram.readLine(0);
    two.dram.readLine(bank1);
    assert.equal(two.dram.readLine(32), hit(two.p), 'bank 0 kept its page while bank 1 opened one');
    assert.equal(two.dram.readLine(bank1 + 32), hit(two.p));
    const one = dram({ dramOpenBanks: 1 });
    one.dram.readLine(0);
    one.dram.readLine(bank1);
    assert.equal(one.dram.readLine(32), hit(one.p) + one.p.dramRowActivate * one.p.busRatio, 'opening bank 1 closed bank 0: a row miss');
    assert.equal(one.dram.rowMisses.value, 3);
    assert.equal(one.dram.pageMisses.value, 0);
  });

  it('posts write-backs: the CPU goes on, and only a DRAM access during the drain waits', () => {
    const { dram: d, clock, p } = dram();
    const drain = (p.dramWriteLeadoff + 3 * p.dramBurstClocks) * p.busRatio;
    const hit = (p.dramReadLeadoff + 3 * p.dramBurstClocks) * p.busRatio;
    d.readLine(0); // opens the page; its stall ends at the DRAM's cursor
    assert.equal(d.writeLine(64), 0, 'posted');
    // the clock has not moved (the caller charges after its batch): the next read waits for the drain
    assert.equal(d.readLine(96), drain + hit);
    assert.equal(d.writeBufferWaits.value, drain);
    assert.equal(d.writeLine(128), 0);
    clock.now = 1000; // the CPU computed long enough for the buffer to drain
    assert.equal(d.readLine(160), hit);
    assert.equal(d.writeBufferWaits.value, drain);
  });

  it('drains a posted write-back during the work that follows it in a batch: a read waits only for the rest', () => {
    const { dram: d, p } = dram();
    const drain = (p.dramWriteLeadoff + 3 * p.dramBurstClocks) * p.busRatio;
    const hit = (p.dramReadLeadoff + 3 * p.dramBurstClocks) * p.busRatio;
    const work = 10;
    d.readLine(0);
    assert.equal(d.writeLine(64), 0);
    d.elapse(work); // e.g. L2 fills or copy instructions, not charged to the clock yet
    assert.equal(d.readLine(96), drain - work + hit, 'waits for the rest of the drain');
    assert.equal(d.writeLine(128), 0);
    d.elapse(drain + 5);
    assert.equal(d.readLine(160), hit, 'the drain ended during the work');
    assert.equal(d.writeBufferWaits.value, drain - work);
  });

  it('times single writes at the page-mode cycle, after the lead-off of a closed page', () => {
    const { dram: d, clock, p } = dram();
    clock.now = 100;
    assert.equal(d.writeDwords(0, 2), (2 * p.dramBurstClocks + p.dramRowActivate) * p.busRatio);
    clock.now = 200;
    assert.equal(d.writeDwords(4, 1), p.dramBurstClocks * p.busRatio, 'page hit');
    clock.now = 300;
    assert.equal(d.readLine(32), (p.dramReadLeadoff + 3 * p.dramBurstClocks) * p.busRatio, 'the writes left the page open');
  });

  it('closes every page at each refresh', () => {
    const { dram: d, clock, p } = dram();
    const refresh = p.dramRefreshMicroseconds * p.clockMHz;
    const rowMiss = (p.dramReadLeadoff + p.dramRowActivate + 3 * p.dramBurstClocks) * p.busRatio;
    clock.now = refresh + 10;
    assert.equal(d.readLine(0), rowMiss);
    clock.now = 2 * refresh - 100;
    assert.equal(d.readLine(32), rowMiss - p.dramRowActivate * p.busRatio, 'same refresh period: page hit');
    clock.now = 2 * refresh + 10;
    assert.equal(d.readLine(64), rowMiss, 'a refresh came in between');
  });

  it('stalls for the whole burst write when write-backs are not posted', () => {
    const { dram: d, clock, p } = dram({ dramPostedWrites: false });
    d.readLine(0);
    clock.now = 1000;
    assert.equal(d.writeLine(64), (p.dramWriteLeadoff + 3 * p.dramBurstClocks) * p.busRatio);
    assert.equal(d.writeBufferWaits.value, 0);
  });

  it('times a dirty L2 eviction by the DRAM: posted, the line fill alone stalls', () => {
    const stallOfEviction = (posted: boolean): { stall: number; writes: number; p: Machine['parameters'] } => {
      const m = new Machine({ parameters: { memoryMB: 8, dramPostedWrites: posted } });
      const caches = m.caches;
      const a = 0x100000;
      makeDirtyInL2(caches, a);
      const writes = caches.dramWrites.value;
      const stall = caches.readData(a + 256 * 1024); // same L2 set: a is written back
      return { stall, writes: caches.dramWrites.value - writes, p: m.parameters };
    };
    const posted = stallOfEviction(true);
    const unposted = stallOfEviction(false);
    const p = posted.p;
    assert.equal(posted.writes, 1);
    assert.equal(unposted.writes, 1);
    assert.equal(posted.stall, (p.dramReadLeadoff + p.dramRowActivate + p.dramPrecharge + 3 * p.dramBurstClocks) * p.busRatio);
    assert.equal(unposted.stall - posted.stall, (p.dramWriteLeadoff + p.dramRowActivate + p.dramPrecharge + 3 * p.dramBurstClocks) * p.busRatio);
  });

  it('lets L2 fills that follow a posted write-back overlap its drain (one batch, clock not moved)', () => {
    /** Buffer waits of a DRAM read after a dirty L2 eviction and then `fills` line fills from L2. */
    const waitAfterL2Fills = (fills: number): { wait: number; p: Machine['parameters'] } => {
      const m = new Machine({ parameters: { memoryMB: 8 } });
      const caches = m.caches;
      const a = 0x100000;
      makeDirtyInL2(caches, a);
      // lines in L1 sets 1, 2, ...: read, then pushed out of their 2-way set, so in L2 only
      const line = (i: number, page: number): number => a + page * 0x1000 + 32 * (i + 1);
      for (let i = 0; i < fills; i++) for (const page of [8, 9, 10]) caches.readData(line(i, page));
      const dram = caches.dram;
      caches.readData(a + 256 * 1024); // same L2 set as a: a is written back, posted
      const [l2Hits, waits] = [caches.l2!.hits.value, dram.writeBufferWaits.value];
      for (let i = 0; i < fills; i++) assert.equal(caches.readData(line(i, 8)), m.parameters.l2LineFill);
      assert.equal(caches.l2!.hits.value - l2Hits, fills);
      caches.readData(a + 256 * 1024 + 64); // from DRAM
      return { wait: dram.writeBufferWaits.value - waits, p: m.parameters };
    };
    const full = waitAfterL2Fills(0);
    const l2LineFill = full.p.l2LineFill;
    assert.ok(full.wait > 2 * l2LineFill, 'without other work the read waits for the whole drain');
    assert.equal(waitAfterL2Fills(2).wait, full.wait - 2 * l2LineFill);
    const enough = Math.ceil(full.wait / l2LineFill);
    assert.equal(waitAfterL2Fills(enough).wait, 0);
  });

  it('rejects a DRAM page size that is not a power of two', () => {
    assert.throws(() => dram({ dramPageBytes: 3000 }), RangeError);
  });
});
