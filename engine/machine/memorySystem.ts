import type { Counter, StatRegistry } from '../base/stats';
import { Cache } from './cache';
import { Dram, type CycleClock } from './dram';
import type { PentiumParameters } from './pentiumParameters';

/**
 * The timing path of the memory hierarchy: split L1 (I and D), an optional unified L2, DRAM.
 * Every method takes a physical address, updates the caches' state and returns the stall cycles
 * the access costs beyond its instruction cycles; the CPU charges them. Data never move here.
 *
 * Policies (SOSP'97 §6.1, SDM Vol.3 §11.3): the P5 L1 D-cache is write-back and does not allocate
 * on a write miss, so a write that misses L1 goes to L2 or, missing there too, to DRAM as single
 * transfers. Line fills come from L2 or DRAM and also fill L2 (read allocate). The page walker
 * reads page-table entries without loading them into L1 (SOSP'97 §4.3). L2 misses and dirty L2
 * evictions are timed by the {@link Dram} (open pages, posted write-backs).
 *
 * Time within a batch of accesses (see {@link Dram}): every stall a miss path returns moves the
 * DRAM's time, the DRAM's own stalls inside the Dram, every other one (L2 fills and writes, L1
 * write-backs) by {@link elapse}, so a posted write-back drains while they go on. Hits do not
 * (they cost `l1HitExtra`, 0 on the P5), so that they stay one lookup.
 */
export class MemorySystem {
  readonly l1i: Cache;
  readonly l1d: Cache;
  readonly l2: Cache | null;
  readonly lineShift: number;
  readonly lineBytes: number;
  readonly dramReads: Counter;
  readonly dramWrites: Counter;
  readonly dram: Dram;
  private readonly p: PentiumParameters;

  /** `clock` tells the DRAM the current time, for its posted write buffer (default: always 0). */
  constructor(parameters: PentiumParameters, stats: StatRegistry, clock: CycleClock = { now: 0 }) {
    this.p = parameters;
    this.lineBytes = parameters.lineBytes;
    this.l1i = new Cache('l1i', parameters.l1CodeKB * 1024, parameters.l1Ways, parameters.lineBytes, stats);
    this.l1d = new Cache('l1d', parameters.l1DataKB * 1024, parameters.l1Ways, parameters.lineBytes, stats);
    this.l2 = parameters.l2KB > 0 ? new Cache('l2', parameters.l2KB * 1024, parameters.l2Ways, parameters.lineBytes, stats) : null;
    this.lineShift = this.l1d.lineShift;
    this.dramReads = stats.counter('machine.dram.lineReads', 'lines', 'line fills served by DRAM');
    this.dramWrites = stats.counter('machine.dram.writes', 'transfers', 'single writes and line write-backs that reached DRAM');
    this.dram = new Dram(parameters, stats, clock);
  }

  /**
   * `cycles` of work in the current batch of accesses that the caller has not charged yet and
   * that is not a stall returned here (the copy loop's instructions): the DRAM's time moves on.
   */
  elapse(cycles: number): void {
    this.dram.elapse(cycles);
  }

  /** A data read of the line holding `physical`. */
  readData(physical: number): number {
    return this.readDataLine(physical >>> this.lineShift);
  }

  /** A data read of line number `line` (physical >>> lineShift). */
  readDataLine(line: number): number {
    // the hit stays a one-liner so that it inlines into the CPU's access loop; misses are calls
    return this.l1d.access(line) ? this.p.l1HitExtra : this.readDataMiss(line);
  }

  /** A data read that missed L1: a line fill from L2 or DRAM, writing back the dirty victim. */
  private readDataMiss(line: number): number {
    let stall = this.fillFromBelow(line);
    this.l1d.fill(line);
    if (this.l1d.evictedDirty >= 0) stall += this.writeBackFromL1(this.l1d.evictedDirty);
    return stall;
  }

  /**
   * Data reads of the consecutive lines `first`..`last` (one access spanning them): as
   * {@link readDataLine} on each line in turn.
   */
  readDataLines(first: number, last: number): number {
    if (this.p.l1HitExtra !== 0) {
      // hits cost something: sum them in line order, exactly as readDataLine one by one
      let stall = 0;
      for (let line = first; line <= last; line++) stall += this.readDataLine(line);
      return stall;
    }
    return this.readLines(this.l1d, first, last);
  }

  /**
   * Instruction fetches of the consecutive lines `first`..`last`: as {@link readCodeLine} on
   * each line in turn.
   */
  readCodeLines(first: number, last: number): number {
    return this.readLines(this.l1i, first, last);
  }

  /**
   * Reads of lines `first`..`last` through `l1` (the D- or the I-cache) whose hits cost nothing:
   * each run of hits is one lookup, each miss a fill as the single-line read does it.
   */
  private readLines(l1: Cache, first: number, last: number): number {
    let stall = 0;
    for (let line = first; line <= last; line++) {
      const missed = l1.hitRun(line, last);
      if (missed > last) break;
      stall += l1 === this.l1d ? this.readDataMiss(missed) : this.readCodeMiss(missed);
      line = missed;
    }
    return stall;
  }

  /** An instruction fetch of the line holding `physical`. */
  readCode(physical: number): number {
    return this.readCodeLine(physical >>> this.lineShift);
  }

  /** An instruction fetch of line number `line`. */
  readCodeLine(line: number): number {
    return this.l1i.access(line) ? 0 : this.readCodeMiss(line);
  }

  /** An instruction fetch that missed L1: a line fill from L2 or DRAM. */
  private readCodeMiss(line: number): number {
    const stall = this.fillFromBelow(line);
    this.l1i.fill(line);
    return stall;
  }

  /** A write of `bytes` bytes (as dwords) within the line holding `physical`. */
  writeData(physical: number, bytes: number): number {
    const line = physical >>> this.lineShift;
    return this.l1d.accessForWrite(line) ? this.p.l1HitExtra : this.writeMiss(line, bytes);
  }

  /** A write that missed L1: allocate (what-if) or write through to L2 or DRAM. */
  private writeMiss(line: number, bytes: number): number {
    if (this.p.l1WriteAllocate) {
      let stall = this.fillFromBelow(line);
      this.l1d.fill(line, true);
      if (this.l1d.evictedDirty >= 0) stall += this.writeBackFromL1(this.l1d.evictedDirty);
      return stall;
    }
    const dwords = Math.max(1, (bytes + 3) >>> 2);
    const l2 = this.l2;
    if (l2 !== null) {
      if (l2.access(line)) {
        l2.markDirty(line);
        return this.l2Stall(dwords * this.p.l2DwordWrite);
      }
      if (this.p.l2WriteAllocate) {
        const stall = this.dramFill(line);
        l2.markDirty(line);
        return stall + this.l2Stall(dwords * this.p.l2DwordWrite);
      }
    }
    this.dramWrites.value += dwords;
    return this.dram.writeDwords(line << this.lineShift, dwords);
  }

  /** A page-walker read of one entry: served by L1 if present there, never allocated into L1. */
  walkerRead(physical: number): number {
    const line = physical >>> this.lineShift;
    if (this.l1d.find(line) >= 0) return this.p.l1HitExtra;
    const l2 = this.l2;
    if (l2 !== null && l2.access(line)) return this.l2Stall(this.p.l2DwordRead);
    this.dramReads.value++;
    let stall = this.dram.readDword(physical);
    if (l2 !== null) {
      l2.fill(line);
      if (l2.evictedDirty >= 0) stall += this.dramLineWriteBack(l2.evictedDirty);
    }
    return stall;
  }

  /** Writes back and drops every cached line (WBINVD); returns the cycles of the write-backs. */
  writeBackAndInvalidate(): number {
    let stall = 0;
    for (const cache of [this.l1d, this.l2]) {
      if (cache === null) continue;
      for (const view of cache.inspect()) if (view.dirty) stall += cache === this.l1d ? this.l2Stall(this.p.l1WritebackToL2) : this.dramLineWriteBack(view.physical >>> this.lineShift);
      cache.flush();
    }
    this.l1i.flush();
    return stall;
  }

  private fillFromBelow(line: number): number {
    const l2 = this.l2;
    if (l2 !== null && l2.access(line)) return this.l2Stall(this.p.l2LineFill);
    return this.dramFill(line);
  }

  private dramFill(line: number): number {
    this.dramReads.value++;
    let stall = this.dram.readLine(line << this.lineShift);
    const l2 = this.l2;
    if (l2 !== null) {
      l2.fill(line);
      if (l2.evictedDirty >= 0) stall += this.dramLineWriteBack(l2.evictedDirty);
    }
    return stall;
  }

  /**
   * A dirty L1 line's burst write-back: into its L2 line when the L2 holds it, else allocated in the
   * L2 over the line there (written back to DRAM first if dirty) when `l2AllocatesWriteBacks`, else
   * straight to DRAM.
   */
  private writeBackFromL1(line: number): number {
    const l2 = this.l2;
    if (l2 === null) return this.dramLineWriteBack(line);
    if (l2.markDirty(line)) return this.l2Stall(this.p.l1WritebackToL2);
    if (!this.p.l2AllocatesWriteBacks) return this.dramLineWriteBack(line);
    l2.fill(line, true);
    const victim = l2.evictedDirty;
    const stall = this.l2Stall(this.p.l1WritebackToL2);
    return victim >= 0 ? stall + this.dramLineWriteBack(victim) : stall;
  }

  /** A stall of `cycles` that the DRAM does not time (an L2 access): the DRAM's time moves on. */
  private l2Stall(cycles: number): number {
    this.dram.elapse(cycles);
    return cycles;
  }

  private dramLineWriteBack(line: number): number {
    this.dramWrites.value++;
    return this.dram.writeLine(line << this.lineShift);
  }
}
