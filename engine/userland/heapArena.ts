import { ACCESS_WRITE } from '../machine/cpu';
import type { Operation } from '../machine/executionContext';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';

const PAGE = 4096;

/**
 * A program's malloc heap as it fills (obstacks, symbol tables): the break is raised with brk in
 * `mallocBrkStep` steps when more is used, and each newly used page is written once, so that
 * it is a zero-fill fault. Memory is never given back (the break of a 1996 malloc never shrank).
 */
export class HeapArena {
  private used = 0;
  private top = 0;

  private constructor(private readonly libc: Libc, readonly base: number) {
    this.top = base;
  }

  /** An arena starting at the current break. */
  static *open(libc: Libc): Operation<HeapArena> {
    const base = yield* libc.brk(0);
    return new HeapArena(libc, base);
  }

  /** The address of the first byte (`base`) and the bytes in use. */
  get size(): number {
    return this.used;
  }

  /** Uses `bytes` more; returns false when brk fails (out of memory). */
  *grow(bytes: number): Operation<boolean> {
    const before = this.base + this.used;
    const after = before + Math.max(0, Math.round(bytes));
    while (after > this.top) {
      const wanted = this.top + MACRO_COSTS.mallocBrkStep;
      const top = yield* this.libc.brk(wanted);
      if (top < wanted) return false;
      this.top = top;
    }
    for (let page = Math.ceil(before / PAGE) * PAGE; page < after; page += PAGE) yield* this.libc.touch(page, 32, ACCESS_WRITE);
    this.used = after - this.base;
    return true;
  }
}
