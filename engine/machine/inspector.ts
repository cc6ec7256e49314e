import type { Cpu } from './cpu';
import type { MemorySystem } from './memorySystem';
import { LARGE_FRAME_MASK, PG_DIRTY, PG_LARGE, PG_PRESENT, PG_USER, PG_WRITABLE } from './paging';
import type { PhysicalMemory } from './physicalMemory';

export interface TranslationView {
  readonly linear: number;
  readonly physical: number | null;
  readonly pde: number;
  readonly pte: number | null;
  readonly large: boolean;
  readonly writable: boolean;
  readonly user: boolean;
  readonly dirty: boolean;
}

/**
 * The side-effect-free path for UIs and debuggers: it reads page tables and memory directly,
 * fills no TLB, sets no A/D bit, touches no cache and counts nothing.
 */
export class Inspector {
  constructor(private readonly cpu: Cpu, private readonly memory: PhysicalMemory, private readonly memorySystem: MemorySystem) {}

  /** Walks the tables under `pageDirectory` (default: the current CR3) for `linear`. */
  translate(linear: number, pageDirectory = this.cpu.cr3): TranslationView {
    const pdeAddress = ((pageDirectory & 0xfffff000) + ((linear >>> 22) << 2)) >>> 0;
    const pde = this.memory.read32(pdeAddress);
    const none = { linear, physical: null, pde, pte: null, large: false, writable: false, user: false, dirty: false };
    if ((pde & PG_PRESENT) === 0) return none;
    if ((pde & PG_LARGE) !== 0 && this.cpu.pse) {
      return {
        linear,
        physical: ((pde & LARGE_FRAME_MASK) | (linear & 0x3fffff)) >>> 0,
        pde,
        pte: null,
        large: true,
        writable: (pde & PG_WRITABLE) !== 0,
        user: (pde & PG_USER) !== 0,
        dirty: (pde & PG_DIRTY) !== 0,
      };
    }
    const pte = this.memory.read32(((pde & 0xfffff000) + (((linear >>> 12) & 0x3ff) << 2)) >>> 0);
    if ((pte & PG_PRESENT) === 0) return { ...none, pte };
    return {
      linear,
      physical: ((pte & 0xfffff000) | (linear & 0xfff)) >>> 0,
      pde,
      pte,
      large: false,
      writable: (pde & pte & PG_WRITABLE) !== 0,
      user: (pde & pte & PG_USER) !== 0,
      dirty: (pte & PG_DIRTY) !== 0,
    };
  }

  readPhysical(physical: number, length: number): Uint8Array {
    return this.memory.bytes.slice(physical, physical + length);
  }

  /** Reads through a page directory without side effects; null where a page is not mapped. */
  readLinear(linear: number, length: number, pageDirectory = this.cpu.cr3): Uint8Array | null {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const view = this.translate((linear + done) >>> 0, pageDirectory);
      if (view.physical === null) return null;
      const chunk = Math.min(4096 - ((linear + done) & 0xfff), length - done);
      out.set(this.memory.bytes.subarray(view.physical, view.physical + chunk), done);
      done += chunk;
    }
    return out;
  }

  tlbs() {
    return { dtlb: this.cpu.dtlb.inspect(), dtlbLarge: this.cpu.dtlbLarge.inspect(), itlb: this.cpu.itlb.inspect() };
  }

  caches() {
    const summary = (cache: { name: string; sets: number; ways: number; validLines(): number }) => ({
      name: cache.name,
      sets: cache.sets,
      ways: cache.ways,
      validLines: cache.validLines(),
    });
    return {
      l1i: summary(this.memorySystem.l1i),
      l1d: summary(this.memorySystem.l1d),
      l2: this.memorySystem.l2 === null ? null : summary(this.memorySystem.l2),
    };
  }

  /** Is the line holding `physical` in each cache (and dirty)? */
  cacheState(physical: number) {
    const line = physical >>> this.memorySystem.lineShift;
    return {
      l1i: this.memorySystem.l1i.find(line) >= 0,
      l1d: this.memorySystem.l1d.find(line) >= 0,
      l1dDirty: this.memorySystem.l1d.isDirty(line),
      l2: this.memorySystem.l2 !== null && this.memorySystem.l2.find(line) >= 0,
      l2Dirty: this.memorySystem.l2 !== null && this.memorySystem.l2.isDirty(line),
    };
  }
}
