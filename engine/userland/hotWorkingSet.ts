import { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE, CAT, type AccessKind, type Cpu } from '../machine/cpu';
import type { Activity } from '../machine/executionContext';

const PAGE = 4096;

/**
 * What a program class's computation keeps re-referencing between two visits of other code:
 * whole lines of its text (`codeBytes` spread over `codePages` pages) and of its data and bss
 * (`dataBytes` over `dataPages` pages). The same on every system.
 */
export interface WorkingSetShape {
  readonly codeBytes: number;
  readonly codePages: number;
  readonly dataBytes: number;
  readonly dataPages: number;
  /** Fraction of each page's hot data lines that are also written after they are loaded. */
  readonly dataWritten: number;
}

/** A program's hot working set as its binary declares it. */
export interface WorkingSetDeclaration {
  readonly shape: WorkingSetShape;
  /**
   * Offsets in the text of the pages the hot code may lie in: pages the program runs anyway
   * before it computes (its hot routines are among the code it executes).
   */
  readonly textPages: readonly number[];
}

/** Where a process's image lies, as exec laid it out. */
export interface ImageLayout {
  readonly textBase: number;
  readonly dataBase: number;
  /** End of the bss (the initial break). */
  readonly dataEnd: number;
}

/**
 * A process's hot working set at real addresses of its image: the lines of a
 * {@link WorkingSetShape}, each page's share placed at a different page offset (one pass over
 * the L1 sets, as a linker packs hot routines and data), the pages spread evenly over the text
 * pages it declares and over its data and bss.
 *
 * The computation behind `libc.compute` re-references these lines: each time user code resumes
 * after other code ran (the start of a compute follows a kernel visit; an interrupt or a
 * preemption inside it runs kernel and other processes' code), it touches each line once through
 * the user-mode MMU, TLBs and caches. The instruction count of the compute already covers these
 * loads, stores and fetches as L1 hits, so the hits' cycles come out of the compute and only
 * misses (L1 refills from L2 or DRAM, TLB refills, write-backs of dirty victims, first-touch page
 * faults) add time: what a larger system footprint costs the user indirectly (Chen and Bershad,
 * SOSP'93), on every system through the same path.
 */
export class HotWorkingSet {
  /** Accesses of one pass, in order: user offset, bytes (within one page), kind. */
  private readonly addresses: number[] = [];
  private readonly lengths: number[] = [];
  private readonly kinds: AccessKind[] = [];
  /** Data-line accesses of one pass (each costs `l1HitExtra` when it hits). */
  readonly dataLineAccesses: number;

  constructor(declaration: WorkingSetDeclaration, image: ImageLayout, lineBytes: number) {
    const shape = declaration.shape;
    this.place(declaration.textPages.map((offset) => image.textBase + offset), shape.codeBytes, shape.codePages, lineBytes, ACCESS_FETCH, 0);
    const dataPages: number[] = [];
    for (let page = image.dataBase; page + PAGE <= image.dataEnd; page += PAGE) dataPages.push(page);
    this.dataLineAccesses = this.place(dataPages, shape.dataBytes, shape.dataPages, lineBytes, ACCESS_READ, shape.dataWritten);
  }

  /**
   * Spreads `bytes` of whole lines over `pages` pages chosen evenly from `candidates`, accessed as
   * `kind` (the first `written` of each page's lines also stored to). Returns the data line
   * accesses added (none for code).
   */
  private place(candidates: readonly number[], bytes: number, pages: number, lineBytes: number, kind: AccessKind, written: number): number {
    const used = Math.min(Math.max(0, Math.round(pages)), candidates.length);
    const lines = Math.floor(bytes / lineBytes);
    let accesses = 0;
    for (let i = 0; i < used; i++) {
      const first = Math.floor((i * lines) / used);
      const count = Math.min(Math.floor(((i + 1) * lines) / used) - first, PAGE / lineBytes);
      if (count <= 0) continue;
      const page = candidates[Math.floor((i * candidates.length) / used)];
      // this page's share starts where the previous one ended, modulo the page: the shares
      // together pass over the L1 sets once (a share that would cross the page wraps around)
      const offset = (first * lineBytes) % PAGE;
      const stores = Math.round(count * written);
      this.addWrapped(page, offset, count * lineBytes, kind);
      if (stores > 0) this.addWrapped(page, offset, stores * lineBytes, ACCESS_WRITE);
      if (kind !== ACCESS_FETCH) accesses += count + stores;
    }
    return accesses;
  }

  /** `length` bytes from `offset` of `page`, wrapping around to the page's start. */
  private addWrapped(page: number, offset: number, length: number, kind: AccessKind): void {
    const inPage = Math.min(length, PAGE - offset);
    this.add(page + offset, inPage, kind);
    if (length > inPage) this.add(page, length - inPage, kind);
  }

  private add(address: number, length: number, kind: AccessKind): void {
    this.addresses.push(address);
    this.lengths.push(length);
    this.kinds.push(kind);
  }

  /**
   * `cycles` of user computation (category user) that re-references the working set whenever
   * other code ran before or during it; interrupts are let in as `cpu.compute` does.
   */
  *compute(cpu: Cpu, cycles: number): Activity {
    const scheduler = cpu.scheduler;
    const hitCycles = this.dataLineAccesses * cpu.p.l1HitExtra;
    let remaining = cycles;
    let cold = true;
    while (remaining > 0) {
      if (cold) {
        yield* this.touch(cpu);
        remaining -= Math.min(remaining, hitCycles);
        if (remaining <= 0) break;
      }
      const before = scheduler.now;
      const room = scheduler.checkpoint - before;
      if (room <= 0) {
        // an event came due during other user work: take it before computing
        yield* cpu.poll();
        cold = scheduler.now !== before;
        continue;
      }
      const step = room < remaining ? room : remaining;
      yield* cpu.compute(step, CAT.user);
      remaining -= step;
      // time beyond the step's own cycles: an interrupt handler, or other threads, ran
      cold = scheduler.now - before > step;
    }
  }

  /** One pass over the working set; a fault is raised through the IDT and the access retried. */
  private *touch(cpu: Cpu): Activity {
    const addresses = this.addresses;
    for (let i = 0; i < addresses.length; i++) {
      const length = this.lengths[i];
      // within one page: done whole, or not at all with the fault in cpu.fault
      while (cpu.userAccess(addresses[i], length, this.kinds[i]) !== length) yield* cpu.raise(cpu.fault);
    }
  }
}
