import type { Counter, StatRegistry } from '../base/stats';
import type { PentiumParameters } from './pentiumParameters';

/** Anything that tells the current simulated time in CPU cycles (the machine's scheduler). */
export interface CycleClock {
  readonly now: number;
}

/**
 * Timing of the fast-page-mode DRAM behind the 430FX memory controller, for the traffic that
 * misses L2: burst line fills, single reads of the page walker, single writes (the P5 does not
 * allocate on a write miss) and dirty-line write-backs.
 *
 * Memory is `dramBanks` banks (RAS# rows) of contiguous addresses; each bank is a row of DRAM
 * chips whose open row ("page", `dramPageBytes` of consecutive addresses) stays open while its
 * RAS# is held. An access to the open page pays only the CAS part of the lead-off (page hit); a
 * bank without an open page first activates a row (row miss); a bank with another page open
 * first precharges it (page miss). At most `dramOpenBanks` banks keep a page open; opening one
 * more closes the least recently used, in the shadow of the new activation. The CAS-before-RAS
 * refresh every `dramRefreshMicroseconds` closes every page.
 *
 * Write-backs go through the controller's posted write buffer (one line): the CPU continues
 * while it drains, after the line fill that evicted it (read-around-write). A DRAM access that
 * arrives before the drain is done waits for it. Lead-offs and burst rates are in bus clocks;
 * every method returns CPU stall cycles.
 *
 * Time: callers charge stalls only after a batch of accesses (a 4 KB chunk, a copy), so the
 * clock may not have moved between two accesses of one batch. The DRAM therefore keeps its own
 * time, the cursor: the end of the last stall it returned or of the work it was told about
 * ({@link elapse}), and starts the next access no earlier than that. A write-back then drains
 * while that work goes on, and an access after it waits only for what is left of the drain.
 */
export class Dram {
  readonly pageHits: Counter;
  readonly rowMisses: Counter;
  readonly pageMisses: Counter;
  readonly writeBufferWaits: Counter;
  private readonly p: PentiumParameters;
  private readonly pageShift: number;
  private readonly pagesPerBank: number;
  /** Per bank: the open page (physical >>> pageShift), or -1 when the bank is precharged. */
  private readonly openPage: Int32Array;
  /** Per bank: access sequence number of its last use, to close the least recently used. */
  private readonly lastUse: Float64Array;
  private openBanks = 0;
  private uses = 0;
  private readonly refreshCycles: number;
  /** Refresh period (time / refreshCycles) of the last access: a newer one found every page closed. */
  private refreshPeriod = 0;
  /** CPU time at which the last returned stall or elapsed work ends. */
  private cursor = 0;
  /** CPU time at which the posted write buffer is empty again. */
  private drainEnd = 0;

  constructor(parameters: PentiumParameters, stats: StatRegistry, private readonly clock: CycleClock) {
    this.p = parameters;
    this.pageShift = Math.log2(parameters.dramPageBytes);
    if (!Number.isInteger(this.pageShift)) throw new RangeError('dram: page size must be a power of two');
    const pages = Math.max(1, Math.floor((parameters.memoryMB * 1024 * 1024) / parameters.dramPageBytes));
    this.pagesPerBank = Math.max(1, Math.ceil(pages / parameters.dramBanks));
    this.openPage = new Int32Array(parameters.dramBanks).fill(-1);
    this.lastUse = new Float64Array(parameters.dramBanks);
    this.refreshCycles = parameters.dramRefreshMicroseconds * parameters.clockMHz;
    this.pageHits = stats.counter('machine.dram.pageHits', 'accesses', 'DRAM accesses to the open page of their bank');
    this.rowMisses = stats.counter('machine.dram.rowMisses', 'accesses', 'DRAM accesses to a bank without an open page (row activation)');
    this.pageMisses = stats.counter('machine.dram.pageMisses', 'accesses', 'DRAM accesses to a bank with another page open (precharge + activation)');
    this.writeBufferWaits = stats.counter('machine.dram.writeBufferWaits', 'cycles', 'CPU cycles spent waiting for the posted write buffer to drain');
  }

  /** A burst line fill (x-y-y-y) of the line at `physical`: the CPU stalls until the last transfer. */
  readLine(physical: number): number {
    const p = this.p;
    return this.stalling(p.dramReadLeadoff + 3 * p.dramBurstClocks, physical);
  }

  /** A single read (the page walker's) at `physical`: the lead-off only. */
  readDword(physical: number): number {
    return this.stalling(this.p.dramReadLeadoff, physical);
  }

  /**
   * A write-back of the dirty line at `physical`. Posted, it costs the CPU only a wait for a
   * buffer still draining the previous line; unposted, the whole burst write.
   */
  writeLine(physical: number): number {
    const p = this.p;
    const busClocks = p.dramWriteLeadoff + 3 * p.dramBurstClocks;
    if (!p.dramPostedWrites) return this.stalling(busClocks, physical);
    const start = this.start();
    const wait = this.waitForBuffer(start);
    this.drainEnd = start + wait + (busClocks + this.openRow(physical, start + wait)) * p.busRatio;
    this.cursor = start + wait;
    return wait;
  }

  /**
   * `dwords` single writes within the line at `physical` (write misses of L1 and L2). They are
   * posted, but back to back they go at the DRAM's page-mode cycle, one burst transfer time each
   * (FPM x-3-3-3: the 3 is the page-mode cycle), after the row activation a closed page needs.
   */
  writeDwords(physical: number, dwords: number): number {
    return this.stalling(dwords * this.p.dramBurstClocks, physical);
  }

  /**
   * `cycles` of other work (an L2 access, the copy loop's instructions) in the batch of accesses
   * that has not been charged to the clock yet: the DRAM's time moves on by them, so a drain in
   * progress overlaps them. Once the batch is charged, the clock has caught up with the cursor.
   */
  elapse(cycles: number): void {
    this.cursor = this.start() + cycles;
  }

  /** An access the CPU waits for: `busClocks` on a page hit, after any drain in progress. */
  private stalling(busClocks: number, physical: number): number {
    const start = this.start();
    const wait = this.waitForBuffer(start);
    const stall = wait + (busClocks + this.openRow(physical, start + wait)) * this.p.busRatio;
    this.cursor = start + stall;
    return stall;
  }

  private start(): number {
    const now = this.clock.now;
    return now > this.cursor ? now : this.cursor;
  }

  private waitForBuffer(start: number): number {
    if (this.drainEnd <= start) return 0;
    const wait = this.drainEnd - start;
    this.writeBufferWaits.value += wait;
    return wait;
  }

  /**
   * Opens the page of `physical` in its bank for an access at CPU time `time`; returns the bus
   * clocks beyond a page hit's lead-off.
   */
  private openRow(physical: number, time: number): number {
    const p = this.p;
    const period = Math.floor(time / this.refreshCycles);
    if (period !== this.refreshPeriod) this.closeAll(period);
    const page = physical >>> this.pageShift;
    const bank = Math.min(Math.floor(page / this.pagesPerBank), this.openPage.length - 1);
    const open = this.openPage[bank];
    this.lastUse[bank] = ++this.uses;
    if (open === page) {
      this.pageHits.value++;
      return 0;
    }
    this.openPage[bank] = page;
    if (open >= 0) {
      this.pageMisses.value++;
      return p.dramRowActivate + p.dramPrecharge;
    }
    this.rowMisses.value++;
    if (++this.openBanks > p.dramOpenBanks) this.closeLeastRecentlyUsed(bank);
    return p.dramRowActivate;
  }

  private closeAll(period: number): void {
    this.refreshPeriod = period;
    this.openPage.fill(-1);
    this.openBanks = 0;
  }

  private closeLeastRecentlyUsed(except: number): void {
    let victim = -1;
    for (let bank = 0; bank < this.openPage.length; bank++) {
      if (bank === except || this.openPage[bank] < 0) continue;
      if (victim < 0 || this.lastUse[bank] < this.lastUse[victim]) victim = bank;
    }
    if (victim < 0) return;
    this.openPage[victim] = -1;
    this.openBanks--;
  }
}
