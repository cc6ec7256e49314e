import type { Counter, StatRegistry } from '../base/stats';

/** Permission bits kept in a TLB entry. */
export const TLB_WRITABLE = 1;
export const TLB_USER = 2;
export const TLB_DIRTY = 4;

/**
 * The words of an entry in {@link Tlb.words}, which the MMU's hit path reads directly: the
 * frame and the permission bits (TLB_*) at these offsets from the index {@link Tlb.lookup}
 * returns.
 */
export const TLB_FRAME = 2;
export const TLB_FLAGS = 3;
/** Offsets of an entry's page (-1: invalid) and its address-space tag. */
const PAGE = 0;
const TAG = 1;
/** Words per entry (a power of two: an entry's index is its number shifted left by 2). */
const ENTRY_WORDS = 4;
const ENTRY_SHIFT = 2;

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
 *
 * Layout, chosen for host speed (issue 10): every entry's page, tag, frame and flags, and after
 * them every set's pseudo-LRU bits, live in one Int32Array, {@link words}. A lookup and the MMU's
 * use of the entry it found then check and load one typed array instead of five (V8 checks each
 * typed array's map and loads its backing store before touching an element). Entries are
 * addressed by their index in `words` (entry number × 4).
 */
export class Tlb {
  readonly sets: number;
  /** sets - 1: the set of a page is `page & setMask`. */
  private readonly setMask: number;
  /**
   * Entries (ENTRY_WORDS words each: PAGE, TAG, TLB_FRAME, TLB_FLAGS), then one word of
   * pseudo-LRU bits per set at {@link plruBase}. The MMU's hit path reads an entry's frame and
   * flags directly (a method call there is one V8 may not inline); only this class writes.
   */
  readonly words: Int32Array;
  private readonly plruBase: number;
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
    this.plruBase = entries * ENTRY_WORDS;
    this.words = new Int32Array(this.plruBase + this.sets);
    for (let i = 0; i < this.plruBase; i += ENTRY_WORDS) this.words[i + PAGE] = -1;
    this.filled = new Int32Array(entries);
    this.hits = stats.counter(`machine.${name}.hits`, 'lookups', `${name} lookups that hit`);
    this.misses = stats.counter(`machine.${name}.misses`, 'lookups', `${name} lookups that missed`);
    this.flushes = stats.counter(`machine.${name}.flushes`, 'flushes', `${name} full flushes`);
  }

  /** Index in {@link words} of the entry of `page` under `tag`, or -1. Updates replacement state and hit/miss counters. */
  lookup(page: number, tag: number): number {
    if (this.ways !== 4) return this.lookupAny(page, tag);
    // the Pentium's TLBs are all 4-way: this path stays small enough for V8 to inline it into
    // the MMU (one of the hottest lookups of the simulator)
    const set = page & this.setMask;
    const base = set << (2 + ENTRY_SHIFT);
    const words = this.words;
    let way: number;
    // way w's entry starts at base + w * ENTRY_WORDS
    if (words[base + PAGE] === page && words[base + TAG] === tag) way = 0;
    else if (words[base + 4 + PAGE] === page && words[base + 4 + TAG] === tag) way = 1;
    else if (words[base + 8 + PAGE] === page && words[base + 8 + TAG] === tag) way = 2;
    else if (words[base + 12 + PAGE] === page && words[base + 12 + TAG] === tag) way = 3;
    else {
      this.misses.value++;
      return -1;
    }
    const plru = this.plruBase + set;
    words[plru] = touched4(words[plru], way);
    this.hits.value++;
    return base + (way << ENTRY_SHIFT);
  }

  /** {@link lookup} for associativities other than 4. */
  private lookupAny(page: number, tag: number): number {
    const set = page & this.setMask;
    const first = set * this.ways;
    for (let way = 0; way < this.ways; way++) {
      const index = (first + way) << ENTRY_SHIFT;
      if (this.words[index + PAGE] === page && this.words[index + TAG] === tag) {
        this.touch(set, way);
        this.hits.value++;
        return index;
      }
    }
    this.misses.value++;
    return -1;
  }

  /** Like lookup, without counting or changing replacement state (inspect path). */
  probe(page: number, tag: number): number {
    const first = (page & this.setMask) * this.ways;
    for (let way = 0; way < this.ways; way++) {
      const index = (first + way) << ENTRY_SHIFT;
      if (this.words[index + PAGE] === page && this.words[index + TAG] === tag) return index;
    }
    return -1;
  }

  /** Sets the permission bits of the entry at `index` (as {@link lookup} returns it). */
  setFlags(index: number, flags: number): void {
    this.words[index + TLB_FLAGS] = flags;
  }

  /** Installs a translation, replacing an invalid way or the pseudo-LRU victim. Returns its index. */
  insert(page: number, frame: number, flags: number, tag: number): number {
    const set = page & this.setMask;
    const first = set * this.ways;
    let way = -1;
    for (let w = 0; w < this.ways; w++) {
      if (this.words[((first + w) << ENTRY_SHIFT) + PAGE] === -1) {
        way = w;
        break;
      }
    }
    const invalid = way >= 0;
    if (!invalid) way = this.victim(set);
    const index = (first + way) << ENTRY_SHIFT;
    if (invalid) this.noteFilled(index);
    const words = this.words;
    words[index + PAGE] = page;
    words[index + TAG] = tag;
    words[index + TLB_FRAME] = frame;
    words[index + TLB_FLAGS] = flags;
    this.touch(set, way);
    return index;
  }

  /** Drops every entry (a CR3 load on the untagged Pentium). */
  flush(): void {
    const words = this.words;
    if (this.filledOverflow) {
      for (let i = 0; i < this.plruBase; i += ENTRY_WORDS) words[i + PAGE] = -1;
    } else {
      const filled = this.filled;
      for (let i = 0; i < this.filledCount; i++) words[filled[i] + PAGE] = -1;
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
    const first = (page & this.setMask) * this.ways;
    for (let way = 0; way < this.ways; way++) {
      const index = (first + way) << ENTRY_SHIFT;
      if (this.words[index + PAGE] === page) this.words[index + PAGE] = -1;
    }
  }

  /** Drops the entries filled under one tag (tagged what-if: an address space went away). */
  invalidateTag(tag: number): void {
    for (let i = 0; i < this.plruBase; i += ENTRY_WORDS) if (this.words[i + TAG] === tag) this.words[i + PAGE] = -1;
  }

  validEntries(): number {
    let count = 0;
    for (let i = 0; i < this.plruBase; i += ENTRY_WORDS) if (this.words[i + PAGE] !== -1) count++;
    return count;
  }

  /** Side-effect-free dump for the UI. */
  inspect(): TlbEntryView[] {
    const out: TlbEntryView[] = [];
    const words = this.words;
    for (let i = 0; i < this.entries; i++) {
      const index = i << ENTRY_SHIFT;
      if (words[index + PAGE] === -1) continue;
      const flags = words[index + TLB_FLAGS];
      out.push({
        set: Math.floor(i / this.ways),
        way: i % this.ways,
        page: words[index + PAGE],
        frame: words[index + TLB_FRAME],
        writable: (flags & TLB_WRITABLE) !== 0,
        user: (flags & TLB_USER) !== 0,
        dirty: (flags & TLB_DIRTY) !== 0,
        tag: words[index + TAG],
      });
    }
    return out;
  }

  // Tree pseudo-LRU. For 4 ways, bit 0 chooses the half holding the next victim, bit 1 the way
  // within the left half, bit 2 within the right half; 2 ways use bit 0 only. Other associativities
  // fall back to round robin.
  private touch(set: number, way: number): void {
    const plru = this.plruBase + set;
    if (this.ways === 4) this.words[plru] = touched4(this.words[plru], way);
    else if (this.ways === 2) this.words[plru] = way === 0 ? 1 : 0;
  }

  private victim(set: number): number {
    const plru = this.plruBase + set;
    if (this.ways === 4) {
      const bits = this.words[plru];
      if ((bits & 1) === 0) return (bits & 2) === 0 ? 0 : 1;
      return (bits & 4) === 0 ? 2 : 3;
    }
    if (this.ways === 2) return this.words[plru];
    if (this.ways === 1) return 0;
    const way = this.words[plru] % this.ways;
    this.words[plru] = (way + 1) % this.ways;
    return way;
  }
}
