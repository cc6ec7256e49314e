import type { Counter, StatRegistry } from '../base/stats';

export interface CacheLineView {
  readonly set: number;
  readonly way: number;
  readonly physical: number;
  readonly dirty: boolean;
}

/** The packed LRU order of a 2-way set after an access to `way`: `way` in front, the other one behind it. */
function twoWayOrder(way: number): number {
  return way | ((way ^ 1) << 4);
}

/**
 * A physically indexed, physically tagged set-associative cache of fixed-size lines with LRU
 * replacement (exact for 1 and 2 ways, which is what the Pentium L1s and the direct-mapped L2
 * are). It keeps tags and dirty bits only: the data stay in {@link PhysicalMemory}. Timing is
 * decided by the {@link MemorySystem}, which composes the levels.
 */
export class Cache {
  readonly sets: number;
  /** sets - 1: the set of a line is `line & setMask`. */
  private readonly setMask: number;
  readonly lineShift: number;
  /**
   * The cache's state in one Int32Array, for host speed (issue 10: a lookup then checks and
   * loads one typed array, not three): at index `set * ways + way` the line number
   * (physical >>> lineShift) that way holds, -1 when invalid; at {@link dirtyBase} + that index
   * its dirty bit; at {@link orderBase} + set the set's ways, most recently used first (packed,
   * 4 bits per way, up to 8 ways).
   */
  private readonly words: Int32Array;
  private readonly dirtyBase: number;
  private readonly orderBase: number;
  readonly hits: Counter;
  readonly misses: Counter;
  readonly writebacks: Counter;
  /** Line evicted dirty by the last {@link fill}, or -1. */
  evictedDirty = -1;

  constructor(readonly name: string, sizeBytes: number, readonly ways: number, readonly lineBytes: number, stats: StatRegistry) {
    this.lineShift = Math.log2(lineBytes);
    if (!Number.isInteger(this.lineShift)) throw new RangeError(`${name}: line size must be a power of two`);
    const lineCount = Math.max(0, Math.floor(sizeBytes / lineBytes));
    this.sets = Math.max(1, lineCount / ways);
    if (!Number.isInteger(this.sets) || (this.sets & (this.sets - 1)) !== 0) throw new RangeError(`${name}: set count must be a power of two`);
    if (ways > 8) throw new RangeError(`${name}: at most 8 ways`);
    this.setMask = this.sets - 1;
    const lines = this.sets * ways;
    this.dirtyBase = lines;
    this.orderBase = 2 * lines;
    this.words = new Int32Array(2 * lines + this.sets);
    this.words.fill(-1, 0, lines);
    let initial = 0;
    for (let way = ways - 1; way >= 0; way--) initial = (initial << 4) | way;
    this.words.fill(initial, this.orderBase);
    this.hits = stats.counter(`machine.${name}.hits`, 'accesses', `${name} accesses that hit`);
    this.misses = stats.counter(`machine.${name}.misses`, 'accesses', `${name} accesses that missed`);
    this.writebacks = stats.counter(`machine.${name}.writebacks`, 'lines', `dirty lines ${name} wrote back on eviction`);
  }

  /** Index of the way holding `line`, or -1; no state change, no counting. */
  find(line: number): number {
    const set = line & this.setMask;
    const way = this.wayOf(line, set);
    return way < 0 ? -1 : set * this.ways + way;
  }

  /** Looks `line` up as an access: counts a hit or miss and makes it most recently used on a hit. */
  access(line: number): boolean {
    return this.hitIndex(line) >= 0;
  }

  /** {@link access} followed, on a hit, by {@link markDirty}: a write hit in one lookup. */
  accessForWrite(line: number): boolean {
    const index = this.hitIndex(line);
    if (index < 0) return false;
    this.words[this.dirtyBase + index] = 1;
    return true;
  }

  /**
   * {@link access} of the consecutive lines `first`, `first + 1`... up to `last`, stopping at the
   * first miss: returns the line that missed (counted as a miss; the caller fills it and goes on
   * from the next line), or `last + 1` when all hit. The same counts and LRU updates as one
   * access per line, in one tight loop (a long code path fetches many lines).
   */
  hitRun(first: number, last: number): number {
    if (this.ways !== 2) {
      for (let line = first; line <= last; line++) if (this.hitIndexAny(line) < 0) return line;
      return last + 1;
    }
    const words = this.words;
    const orderBase = this.orderBase;
    const setMask = this.setMask;
    let hits = 0;
    let line = first;
    for (; line <= last; line++) {
      const set = line & setMask;
      const base = set << 1;
      let way: number;
      if (words[base] === line) way = 0;
      else if (words[base + 1] === line) way = 1;
      else {
        this.misses.value++;
        break;
      }
      words[orderBase + set] = way | ((way ^ 1) << 4);
      hits++;
    }
    this.hits.value += hits;
    return line;
  }

  /** The lookup of {@link access}: the index of the way hit (now most recently used), or -1. */
  private hitIndex(line: number): number {
    // unrolled for the 2-way L1s of the Pentium (the hottest lookup of the simulator), small
    // enough for V8 to inline into the CPU's access path; other associativities in hitIndexAny
    if (this.ways !== 2) return this.hitIndexAny(line);
    const set = line & this.setMask;
    const base = set << 1;
    const words = this.words;
    let way: number;
    if (words[base] === line) way = 0;
    else if (words[base + 1] === line) way = 1;
    else {
      this.misses.value++;
      return -1;
    }
    // twoWayOrder(way), written out: this path is inlined deep into the MMU, where V8's inlining
    // budget may already be spent
    words[this.orderBase + set] = way | ((way ^ 1) << 4);
    this.hits.value++;
    return base + way;
  }

  /** {@link hitIndex} for associativities other than 2 (the direct-mapped L2 first). */
  private hitIndexAny(line: number): number {
    const set = line & this.setMask;
    if (this.ways === 1) {
      if (this.words[set] !== line) {
        this.misses.value++;
        return -1;
      }
      this.hits.value++;
      return set;
    }
    const way = this.wayOf(line, set);
    if (way < 0) {
      this.misses.value++;
      return -1;
    }
    this.hits.value++;
    this.promote(set, way);
    return set * this.ways + way;
  }

  /** The way of set `set` holding `line`, or -1 (unrolled for 2 ways and direct-mapped). */
  private wayOf(line: number, set: number): number {
    const lines = this.words;
    const ways = this.ways;
    if (ways === 2) {
      const base = set << 1;
      return lines[base] === line ? 0 : lines[base + 1] === line ? 1 : -1;
    }
    if (ways === 1) return lines[set] === line ? 0 : -1;
    const base = set * ways;
    for (let way = 0; way < ways; way++) if (lines[base + way] === line) return way;
    return -1;
  }

  markDirty(line: number): boolean {
    const index = this.find(line);
    if (index < 0) return false;
    this.words[this.dirtyBase + index] = 1;
    return true;
  }

  isDirty(line: number): boolean {
    const index = this.find(line);
    return index >= 0 && this.words[this.dirtyBase + index] !== 0;
  }

  /**
   * Installs `line` (which must be absent) in the LRU way of its set. Sets {@link evictedDirty}
   * to the line number written back, or -1; returns the line evicted (dirty or clean) or -1.
   */
  fill(line: number, dirty = false): number {
    const set = line & this.setMask;
    const way = this.lruWay(set);
    const index = set * this.ways + way;
    const words = this.words;
    const evicted = words[index];
    this.evictedDirty = -1;
    if (evicted !== -1 && words[this.dirtyBase + index] !== 0) {
      this.evictedDirty = evicted;
      this.writebacks.value++;
    }
    words[index] = line;
    words[this.dirtyBase + index] = dirty ? 1 : 0;
    this.promote(set, way);
    return evicted;
  }

  /** Removes `line` if present; returns true if it was dirty. */
  invalidate(line: number): boolean {
    const index = this.find(line);
    if (index < 0) return false;
    const wasDirty = this.words[this.dirtyBase + index] !== 0;
    this.words[index] = -1;
    this.words[this.dirtyBase + index] = 0;
    return wasDirty;
  }

  flush(): void {
    this.words.fill(-1, 0, this.dirtyBase);
    this.words.fill(0, this.dirtyBase, this.orderBase);
  }

  setOf(physical: number): number {
    return (physical >>> this.lineShift) & this.setMask;
  }

  validLines(): number {
    let count = 0;
    for (let i = 0; i < this.dirtyBase; i++) if (this.words[i] !== -1) count++;
    return count;
  }

  inspect(): CacheLineView[] {
    const out: CacheLineView[] = [];
    const words = this.words;
    for (let i = 0; i < this.dirtyBase; i++) {
      if (words[i] === -1) continue;
      out.push({ set: Math.floor(i / this.ways), way: i % this.ways, physical: words[i] << this.lineShift, dirty: words[this.dirtyBase + i] !== 0 });
    }
    return out;
  }

  private lruWay(set: number): number {
    if (this.ways === 1) return 0;
    return (this.words[this.orderBase + set] >>> (4 * (this.ways - 1))) & 0xf;
  }

  private promote(set: number, way: number): void {
    if (this.ways === 2) {
      this.words[this.orderBase + set] = twoWayOrder(way);
      return;
    }
    if (this.ways === 1) return;
    const order = this.words[this.orderBase + set];
    // remove `way` from the packed list, then push it at the front (position 0)
    let rebuilt = 0;
    let position = 1;
    for (let i = 0; i < this.ways; i++) {
      const w = (order >>> (4 * i)) & 0xf;
      if (w === way) continue;
      rebuilt |= w << (4 * position);
      position++;
    }
    this.words[this.orderBase + set] = rebuilt | way;
  }
}
