import type { Counter, StatRegistry } from '../base/stats';

/** Permission bits kept in a TLB entry. */
export const TLB_WRITABLE = 1;
export const TLB_USER = 2;
export const TLB_DIRTY = 4;

export interface TlbEntryView {
  readonly set: number;
  readonly way: number;
  readonly page: number;
  readonly frame: number;
  readonly writable: boolean;
  readonly user: boolean;
  readonly dirty: boolean;
  readonly tag: number;
}

/**
 * The tree pseudo-LRU bits of a 4-way set after an access to `way`: bit 0 chooses the half holding
 * the next victim, bit 1 the way within the left half, bit 2 within the right half.
 */
function touched4(bits: number, way: number): number {
  return way < 2 ? ((bits | 1) & ~2) | (way === 0 ? 2 : 0) : (bits & ~5) | (way === 2 ? 4 : 0);
}

/**
 * A set-associative translation lookaside buffer with tree pseudo-LRU replacement (Pentium Dev.
 * Manual Vol.1 §2.5). Pages and frames are numbers in units of the entry's page size. Untagged
 * by default: the owner flushes it on a CR3 load. For the tagged-TLB what-if, each entry also
 * remembers the address-space tag it was filled under and lookups must match it.
 */
export class Tlb {
  readonly sets: number;
  /** sets - 1: the set of a page is `page & setMask`. */
  private readonly setMask: number;
  private readonly pages: Int32Array;
  /**
   * Frame and permission bits (TLB_*) of each entry, by the index {@link lookup} returns: read
   * directly by the MMU's hit path (a method call there is one V8 may not inline); written only
   * here.
   */
  readonly frames: Int32Array;
  readonly flags: Uint8Array;
  private readonly tags: Int32Array;
  private readonly plru: Uint8Array;
  /**
   * Indices filled into an invalid way since the last flush (a superset of the valid entries
   * unless `filledOverflow`), so that a flush clears only those: a CR3 load flushes three
   * TLBs, usually holding a handful of entries each.
   */
  private readonly filled: Int32Array;
  private filledCount = 0;
  private filledOverflow = false;
  readonly hits: Counter;
  readonly misses: Counter;
  readonly flushes: Counter;

  constructor(readonly name: string, readonly entries: number, readonly ways: number, stats: StatRegistry) {
    if (entries % ways !== 0) throw new RangeError(`${name}: ${entries} entries do not divide into ${ways} ways`);
    this.sets = entries / ways;
    if ((this.sets & (this.sets - 1)) !== 0) throw new RangeError(`${name}: set count must be a power of two`);
    this.setMask = this.sets - 1;
    this.pages = new Int32Array(entries).fill(-1);
    this.frames = new Int32Array(entries);
    this.flags = new Uint8Array(entries);
    this.tags = new Int32Array(entries);
    this.plru = new Uint8Array(this.sets);
    this.filled = new Int32Array(entries);
    this.hits = stats.counter(`machine.${name}.hits`, 'lookups', `${name} lookups that hit`);
    this.misses = stats.counter(`machine.${name}.misses`, 'lookups', `${name} lookups that missed`);
    this.flushes = stats.counter(`machine.${name}.flushes`, 'flushes', `${name} full flushes`);
  }

  /** Entry index of `page` under `tag`, or -1. Updates replacement state and hit/miss counters. */
  lookup(page: number, tag: number): number {
    if (this.ways !== 4) return this.lookupAny(page, tag);
    // the Pentium's TLBs are all 4-way: this path stays small enough for V8 to inline it into
    // the MMU (one of the hottest lookups of the simulator)
    const set = page & this.setMask;
    const base = set << 2;
    const pages = this.pages;
    const tags = this.tags;
    let way: number;
    if (pages[base] === page && tags[base] === tag) way = 0;
    else if (pages[base + 1] === page && tags[base + 1] === tag) way = 1;
    else if (pages[base + 2] === page && tags[base + 2] === tag) way = 2;
    else if (pages[base + 3] === page && tags[base + 3] === tag) way = 3;
    else {
      this.misses.value++;
      return -1;
    }
    this.plru[set] = touched4(this.plru[set], way);
    this.hits.value++;
    return base + way;
  }

  /** {@link lookup} for associativities other than 4. */
  private lookupAny(page: number, tag: number): number {
    const set = page & this.setMask;
    const base = set * this.ways;
    for (let way = 0; way < this.ways; way++) {
      if (this.pages[base + way] === page && this.tags[base + way] === tag) {
        this.touch(set, way);
        this.hits.value++;
        return base + way;
      }
    }
    this.misses.value++;
    return -1;
  }

  /** Like lookup, without counting or changing replacement state (inspect path). */
  probe(page: number, tag: number): number {
    const base = (page & (this.sets - 1)) * this.ways;
    for (let way = 0; way < this.ways; way++) {
      if (this.pages[base + way] === page && this.tags[base + way] === tag) return base + way;
    }
    return -1;
  }

  setFlags(index: number, flags: number): void {
    this.flags[index] = flags;
  }

  /** Installs a translation, replacing an invalid way or the pseudo-LRU victim. Returns the index. */
  insert(page: number, frame: number, flags: number, tag: number): number {
    const set = page & this.setMask;
    const base = set * this.ways;
    let way = -1;
    for (let w = 0; w < this.ways; w++) {
      if (this.pages[base + w] === -1) {
        way = w;
        break;
      }
    }
    if (way >= 0) this.noteFilled(base + way);
    else way = this.victim(set);
    const index = base + way;
    this.pages[index] = page;
    this.frames[index] = frame;
    this.flags[index] = flags;
    this.tags[index] = tag;
    this.touch(set, way);
    return index;
  }

  /** Drops every entry (a CR3 load on the untagged Pentium). */
  flush(): void {
    const pages = this.pages;
    if (this.filledOverflow) {
      pages.fill(-1);
    } else {
      const filled = this.filled;
      for (let i = 0; i < this.filledCount; i++) pages[filled[i]] = -1;
    }
    this.filledCount = 0;
    this.filledOverflow = false;
    this.flushes.value++;
  }

  private noteFilled(index: number): void {
    if (this.filledCount < this.filled.length) this.filled[this.filledCount++] = index;
    else this.filledOverflow = true;
  }

  /** Drops the entries of one page (INVLPG), under any tag. */
  invalidate(page: number): void {
    const base = (page & (this.sets - 1)) * this.ways;
    for (let way = 0; way < this.ways; way++) if (this.pages[base + way] === page) this.pages[base + way] = -1;
  }

  /** Drops the entries filled under one tag (tagged what-if: an address space went away). */
  invalidateTag(tag: number): void {
    for (let i = 0; i < this.entries; i++) if (this.tags[i] === tag) this.pages[i] = -1;
  }

  validEntries(): number {
    let count = 0;
    for (let i = 0; i < this.entries; i++) if (this.pages[i] !== -1) count++;
    return count;
  }

  /** Side-effect-free dump for the UI. */
  inspect(): TlbEntryView[] {
    const out: TlbEntryView[] = [];
    for (let i = 0; i < this.entries; i++) {
      if (this.pages[i] === -1) continue;
      out.push({
        set: Math.floor(i / this.ways),
        way: i % this.ways,
        page: this.pages[i],
        frame: this.frames[i],
        writable: (this.flags[i] & TLB_WRITABLE) !== 0,
        user: (this.flags[i] & TLB_USER) !== 0,
        dirty: (this.flags[i] & TLB_DIRTY) !== 0,
        tag: this.tags[i],
      });
    }
    return out;
  }

  // Tree pseudo-LRU. For 4 ways, bit 0 chooses the half holding the next victim, bit 1 the way
  // within the left half, bit 2 within the right half; 2 ways use bit 0 only. Other associativities
  // fall back to round robin.
  private touch(set: number, way: number): void {
    if (this.ways === 4) this.plru[set] = touched4(this.plru[set], way);
    else if (this.ways === 2) this.plru[set] = way === 0 ? 1 : 0;
  }

  private victim(set: number): number {
    if (this.ways === 4) {
      const bits = this.plru[set];
      if ((bits & 1) === 0) return (bits & 2) === 0 ? 0 : 1;
      return (bits & 4) === 0 ? 2 : 3;
    }
    if (this.ways === 2) return this.plru[set];
    if (this.ways === 1) return 0;
    const way = this.plru[set] % this.ways;
    this.plru[set] = (way + 1) % this.ways;
    return way;
  }
}
