import type { Counter, StatRegistry } from '../base/stats';

/**
 * The taken branches of one code path (the same ones every time it runs): when each was last
 * entered in the buffer, on the buffer's insertion count (-Infinity: never).
 */
export class BranchSites {
  readonly entered: Float64Array;
  /** Smallest and largest of {@link entered}. */
  oldest = -Infinity;
  newest = -Infinity;

  constructor(readonly count: number) {
    this.entered = new Float64Array(count).fill(-Infinity);
  }
}

/**
 * The Pentium's branch target buffer (256 entries on the P54C): a cache of the addresses of taken
 * branches, looked up as each control transfer is decoded. A taken branch found there is
 * predicted taken and costs nothing extra; one that is not is predicted not taken, so the
 * pipeline is flushed when it resolves (the miss penalty) and the branch is entered for next
 * time. Not-taken branches never allocate, and the direction history of resident entries is not
 * simulated: a modelled site is a branch taken every time its path runs.
 *
 * What this captures is capacity: a loop whose kernel paths take fewer branches than the buffer
 * holds has them all predicted from its second iteration on (native Linux's getpid, L4's IPC
 * path); one that takes more finds them evicted every time (Mach's message path, thousands of
 * instructions per system call).
 *
 * Simplifications, stated: the hardware is 4-way set associative; the model is fully
 * associative (a path's sites are spread evenly over its code, so they fill the 64 sets evenly
 * and set conflicts are ignored) with first-in-first-out replacement (the sources read give the
 * size and associativity, not the policy). Under FIFO a hit changes nothing and an entry leaves
 * exactly `entries` insertions after it came in, so a path whose sites are all still resident,
 * or all gone, is decided in constant time.
 */
export class BranchTargetBuffer {
  /** Branches entered so far (the FIFO's clock). */
  private insertions = 0;
  private readonly sitesOf = new Map<object, BranchSites>();
  readonly lookups: Counter;
  readonly misses: Counter;

  constructor(readonly entries: number, stats: StatRegistry) {
    this.lookups = stats.counter('machine.btb.lookups', 'branches', 'taken branches looked up in the branch target buffer');
    this.misses = stats.counter('machine.btb.misses', 'branches', 'taken branches not in the branch target buffer (mispredicted)');
  }

  /** The branch sites of `code` (any object standing for one code path), `count` of them. */
  sites(code: object, count: number): BranchSites {
    let sites = this.sitesOf.get(code);
    if (sites === undefined || sites.count !== count) {
      sites = new BranchSites(count);
      this.sitesOf.set(code, sites);
    }
    return sites;
  }

  /** Runs the taken branches `sites` once; returns how many the buffer did not predict. */
  run(sites: BranchSites): number {
    const count = sites.count;
    this.lookups.value += count;
    // an entry is still there while fewer than `entries` insertions followed it
    const evictedBefore = this.insertions - this.entries;
    if (sites.oldest >= evictedBefore) return 0;
    const entered = sites.entered;
    const start = this.insertions;
    if (sites.newest < evictedBefore) {
      // all gone: entered again in order
      for (let site = 0; site < count; site++) entered[site] = start + site;
      sites.oldest = start;
      sites.newest = start + count - 1;
      this.insertions += count;
      this.misses.value += count;
      return count;
    }
    // some gone: each miss enters one branch, which pushes the oldest entry out (perhaps one of
    // this path's later sites)
    let oldest = Infinity;
    for (let site = 0; site < count; site++) {
      if (entered[site] < this.insertions - this.entries) entered[site] = this.insertions++;
      if (entered[site] < oldest) oldest = entered[site];
    }
    const missed = this.insertions - start;
    sites.oldest = oldest;
    sites.newest = this.insertions - 1;
    this.misses.value += missed;
    return missed;
  }
}
