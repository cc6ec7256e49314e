import type { Machine } from '../../engine/machine/machine';
import type { MemorySystem } from '../../engine/machine/memorySystem';

/** What an access was, as the probe sees it: a data read, a data write, an instruction fetch, a page-walker read. */
export type ProbeAccess = 'read' | 'write' | 'fetch' | 'walk';
/** The level that served an access (looked up before it). */
export type ProbeLevel = 'L1' | 'L2' | 'DRAM';

/** Accesses and stall cycles of one (page, access, level, in a copy or not) cell. */
export interface StallCell {
  accesses: number;
  /** Stall cycles the memory system returned. */
  stall: number;
  /** The part of them the CPU charged: a copy's write stalls less the MOVSDs they overlap (Cpu.copy). */
  charged: number;
}

/** One cell with its key. */
export interface ProbeEntry {
  readonly page: number;
  readonly access: ProbeAccess;
  readonly level: ProbeLevel;
  /** Inside Cpu.copy (the REP MOVSD of copyin/copyout, a pipe's data). */
  readonly inCopy: boolean;
  readonly cell: StallCell;
}

type Line = readonly [physical: number, access: ProbeAccess, level: ProbeLevel];
type Method = (...args: number[]) => number;

/** The MemorySystem entry points the CPU calls; each is wrapped once (the inner calls between them are not counted twice). */
const ENTRY_POINTS = ['readDataLine', 'readDataLines', 'readCodeLine', 'readCodeLines', 'writeData', 'walkerRead'] as const;

/**
 * A test-only diagnostic (never part of the engine): attributes the memory hierarchy's stall
 * cycles of one machine by physical page, kind of access and the level that served it, records
 * the pages each Cpu.copy reads and writes, and which lines evict the lines of watched pages from
 * the L1 D-cache. It shadows the entry points of that machine's MemorySystem and its Cpu.copy
 * with own properties of those instances, so the simulator's code is unchanged and runs at full
 * speed without a probe; the wrappers only look at the caches (Cache.find, Inspector.translate:
 * no side effects) before and after each call, so simulated time is the same with the probe.
 *
 * A span read (several lines in one call) has its stall split evenly over the lines that missed
 * L1. Walker stalls go to the CPU's `tlbRefill` category, the rest to `cacheMiss` (except what a
 * kernel charges elsewhere, e.g. L4Linux's software walk of the logical tables, `linuxServer`).
 */
export class CacheMissProbe {
  /** Recording is on only while active (set it around the measured part of a run). */
  active = false;
  private readonly cells = new Map<string, StallCell>();
  /** Bytes copied, by `source page > target page`. */
  readonly copies = new Map<string, number>();
  /** L1 evictions of lines of the watched pages, by evicting page. */
  readonly evictions = new Map<number, number>();
  private readonly watched = new Set<number>();
  private readonly restore: Array<() => void> = [];
  private depth = 0;
  private inCopy = false;

  constructor(private readonly machine: Machine) {
    const caches = machine.caches;
    const own = caches as unknown as Record<string, Method>;
    for (const name of ENTRY_POINTS) {
      const original = own[name].bind(caches) as Method;
      own[name] = (...args: number[]) => this.around(name, original, args);
      this.restore.push(() => delete own[name]);
    }
    const cpu = machine.cpu;
    const copy = cpu.copy.bind(cpu);
    cpu.copy = (source, target, length, sourceUser, targetUser, preReadTarget, category) => {
      if (this.active) this.noteCopy(source, target, length);
      this.inCopy = true;
      try {
        return copy(source, target, length, sourceUser, targetUser, preReadTarget, category);
      } finally {
        this.inCopy = false;
      }
    };
    this.restore.push(() => delete (cpu as unknown as Record<string, unknown>).copy);
  }

  /** Records, from now on, which lines evict lines of physical page `page` (page number) from L1. */
  watch(page: number): void {
    this.watched.add(page);
  }

  /** Removes the wrappers. */
  detach(): void {
    for (const undo of this.restore.splice(0)) undo();
  }

  /** Every cell recorded. */
  *entries(): Generator<ProbeEntry> {
    for (const [key, cell] of this.cells) {
      const [page, access, level, where] = key.split('|');
      yield { page: Number(page), access: access as ProbeAccess, level: level as ProbeLevel, inCopy: where === 'copy', cell };
    }
  }

  private around(name: (typeof ENTRY_POINTS)[number], original: Method, args: number[]): number {
    if (!this.active || this.depth > 0) return original(...args);
    const lines = this.linesOf(name, args);
    const watched = this.watchedResidents(lines);
    this.depth++;
    const stall = original(...args);
    this.depth--;
    if (watched.length > 0) this.noteEvictions(watched, lines);
    const charged = name === 'writeData' && this.inCopy ? this.copyWriteCharge(stall, args[1]) : stall;
    const missed = lines.filter((line) => line[2] !== 'L1').length;
    for (const line of lines) {
      // a span's stall is split evenly over its lines that missed L1; with none, the hit's extra goes to its first line
      const share = missed === 0 ? (line === lines[0] ? 1 : 0) : line[2] === 'L1' ? 0 : 1 / missed;
      this.note(line, stall * share, charged * share);
    }
    return stall;
  }

  /** The lines an entry point's call touches, each with the level that holds it now. */
  private linesOf(name: (typeof ENTRY_POINTS)[number], args: number[]): Line[] {
    const caches = this.machine.caches;
    const shift = caches.lineShift;
    switch (name) {
      case 'readDataLine':
        return [[args[0] << shift, 'read', levelOf(caches, 'd', args[0])]];
      case 'readCodeLine':
        return [[args[0] << shift, 'fetch', levelOf(caches, 'i', args[0])]];
      case 'readDataLines':
      case 'readCodeLines': {
        const out: Line[] = [];
        const data = name === 'readDataLines';
        for (let line = args[0]; line <= args[1]; line++) out.push([line << shift, data ? 'read' : 'fetch', levelOf(caches, data ? 'd' : 'i', line)]);
        return out;
      }
      case 'writeData':
        return [[args[0], 'write', levelOf(caches, 'd', args[0] >>> shift)]];
      case 'walkerRead':
        return [[args[0], 'walk', levelOf(caches, 'd', args[0] >>> shift)]];
    }
  }

  /** What Cpu.copy charges of a write's stall: the bus time beyond the line's MOVSDs, which run meanwhile. */
  private copyWriteCharge(stall: number, bytes: number): number {
    const p = this.machine.cpu.p;
    if (stall <= p.l1HitExtra) return stall;
    const loop = ((bytes + 3) >>> 2) * p.repMovsPerDword;
    return stall > loop ? stall - loop : 0;
  }

  private note(line: Line, stall: number, charged: number): void {
    const key = `${line[0] >>> 12}|${line[1]}|${line[2]}|${this.inCopy ? 'copy' : 'other'}`;
    let cell = this.cells.get(key);
    if (cell === undefined) this.cells.set(key, (cell = { accesses: 0, stall: 0, charged: 0 }));
    cell.accesses++;
    cell.stall += stall;
    cell.charged += charged;
  }

  /** Lines of watched pages now in L1 that a fill for `lines` could evict (same L1 set). */
  private watchedResidents(lines: readonly Line[]): number[] {
    if (this.watched.size === 0) return [];
    const l1 = this.machine.caches.l1d;
    const shift = this.machine.caches.lineShift;
    const setsMask = l1.sets - 1;
    const linesPerPage = 4096 >>> shift;
    const out: number[] = [];
    for (const [physical, access, level] of lines) {
      if (access !== 'read' || level === 'L1') continue;
      const set = (physical >>> shift) & setsMask;
      for (const page of this.watched) {
        const first = page * linesPerPage;
        for (let line = first; line < first + linesPerPage; line++) if ((line & setsMask) === set && l1.find(line) >= 0) out.push(line);
      }
    }
    return out;
  }

  private noteEvictions(watched: readonly number[], lines: readonly Line[]): void {
    const l1 = this.machine.caches.l1d;
    const shift = this.machine.caches.lineShift;
    for (const line of watched) {
      if (l1.find(line) >= 0) continue;
      const by = lines.find(([physical]) => ((physical >>> shift) & (l1.sets - 1)) === (line & (l1.sets - 1)));
      const page = by === undefined ? -1 : by[0] >>> 12;
      this.evictions.set(page, (this.evictions.get(page) ?? 0) + 1);
    }
  }

  private noteCopy(source: number, target: number, length: number): void {
    const inspector = this.machine.inspector;
    for (let done = 0; done < length; ) {
      const from = (source + done) >>> 0;
      const to = (target + done) >>> 0;
      const chunk = Math.min(4096 - (from & 0xfff), 4096 - (to & 0xfff), length - done);
      const s = inspector.translate(from).physical;
      const t = inspector.translate(to).physical;
      if (s !== null && t !== null) {
        const key = `${s >>> 12}>${t >>> 12}`;
        this.copies.set(key, (this.copies.get(key) ?? 0) + chunk);
      }
      done += chunk;
    }
  }
}

/** The level holding line `line` for the D- or I-side, without touching any cache state. */
function levelOf(caches: MemorySystem, side: 'd' | 'i', line: number): ProbeLevel {
  if ((side === 'd' ? caches.l1d : caches.l1i).find(line) >= 0) return 'L1';
  return caches.l2 !== null && caches.l2.find(line) >= 0 ? 'L2' : 'DRAM';
}
