import { PAGE_SIZE } from '../base/frameAllocator';
import type { Cpu } from '../machine/cpu';
import { FRAME_MASK, makePde, makePte, PG_PRESENT, PG_USER, PG_WRITABLE } from '../machine/paging';
import { kernelLinear, type KernelMemory } from './kernelMemory';

/** First PDE of the kernel's half: linear 0xC0000000 and up is shared by every page directory. */
export const KERNEL_PDE_FIRST = 768;

/**
 * The machine-dependent address space of a task (i386/pmap.c): a real IA-32 page directory in
 * simulated memory whose upper quarter is the kernel's (shared page tables, supervisor-only), and
 * user page tables allocated on demand. PTE updates are written to memory with their timing; a
 * change to the pmap that is loaded in CR3 invalidates the TLB entry (INVLPG).
 */
export class Pmap {
  readonly directory: number;
  /** Page-table frames of the user half, for teardown. */
  private readonly tables: number[] = [];

  constructor(private readonly kernel: KernelMemory, kernelDirectory: number | null) {
    const directory = kernel.allocateFrame();
    if (directory < 0) throw new Error('out of memory for a page directory');
    this.directory = directory;
    if (kernelDirectory !== null) {
      for (let i = KERNEL_PDE_FIRST; i < 1024; i++) kernel.memory.write32(directory + 4 * i, kernel.memory.read32(kernelDirectory + 4 * i));
    }
  }

  private get cpu(): Cpu {
    return this.kernel.cpu;
  }

  get active(): boolean {
    return (this.cpu.cr3 & 0xfffff000) === this.directory;
  }

  /**
   * Physical address of the PTE for `linear`, allocating the page table if `create` (from the
   * reserve if `privileged`); -1 if none.
   */
  private pteAddress(linear: number, create: boolean, privileged = true): number {
    const pdeAddress = this.directory + 4 * (linear >>> 22);
    this.kernel.touch(kernelLinear(pdeAddress), 4);
    let pde = this.kernel.memory.read32(pdeAddress);
    if ((pde & PG_PRESENT) === 0) {
      if (!create) return -1;
      const table = this.kernel.allocateFrame(privileged);
      if (table < 0) return -1;
      this.tables.push(table);
      pde = makePde(table, PG_WRITABLE | PG_USER);
      this.kernel.memory.write32(pdeAddress, pde);
      this.kernel.touchWrite(kernelLinear(pdeAddress), 4);
    }
    return (pde & FRAME_MASK) + 4 * ((linear >>> 12) & 0x3ff);
  }

  /**
   * pmap_enter: maps the page at `linear` to frame `physical`. False if no page table could be
   * had (for a fault of a thread that is not VM-privileged, `privileged` false, the reserve is not
   * touched).
   */
  enter(linear: number, physical: number, writable: boolean, privileged = true): boolean {
    const pte = this.pteAddress(linear, true, privileged);
    if (pte < 0) return false;
    this.kernel.memory.write32(pte, makePte(physical, PG_USER | (writable ? PG_WRITABLE : 0)));
    this.kernel.touchWrite(kernelLinear(pte), 4);
    if (this.active) this.cpu.invalidatePage(linear);
    return true;
  }

  /** The PTE of `linear` (0 if none), functional only. */
  lookup(linear: number): number {
    const pde = this.kernel.memory.read32(this.directory + 4 * (linear >>> 22));
    if ((pde & PG_PRESENT) === 0) return 0;
    return this.kernel.memory.read32((pde & FRAME_MASK) + 4 * ((linear >>> 12) & 0x3ff));
  }

  /** User page tables the pmap holds (pmap_destroy frees each). */
  get tableCount(): number {
    return this.tables.length;
  }

  /** pmap_destroy: frees the user page tables and the directory. The pmap must not be in CR3. */
  destroy(): void {
    if (this.active) throw new Error('pmap_destroy of the active pmap');
    for (const table of this.tables.splice(0)) this.kernel.frames.release(table);
    this.kernel.frames.release(this.directory);
  }

  /** pmap_remove over [start, end). */
  remove(start: number, end: number): number {
    let removed = 0;
    for (let linear = start; linear < end; linear += PAGE_SIZE) {
      const pte = this.pteAddress(linear, false);
      if (pte < 0) {
        linear = ((linear >>> 22) + 1) * 0x400000 - PAGE_SIZE; // next page table (no 32-bit overflow above 2 GB)
        continue;
      }
      if ((this.kernel.memory.read32(pte) & PG_PRESENT) === 0) continue;
      this.kernel.memory.write32(pte, 0);
      this.kernel.touchWrite(kernelLinear(pte), 4);
      if (this.active) this.cpu.invalidatePage(linear);
      removed++;
    }
    return removed;
  }

  /** pmap_protect over [start, end): write access off (or all access off when `readable` is false). */
  protect(start: number, end: number, writable: boolean, readable: boolean): number {
    let present = 0;
    for (let linear = start; linear < end; linear += PAGE_SIZE) {
      const pte = this.pteAddress(linear, false);
      if (pte < 0) {
        linear = ((linear >>> 22) + 1) * 0x400000 - PAGE_SIZE; // next page table (no 32-bit overflow above 2 GB)
        continue;
      }
      const old = this.kernel.memory.read32(pte);
      if ((old & PG_PRESENT) === 0) continue;
      present++;
      const value = !readable ? 0 : writable ? old : old & ~PG_WRITABLE;
      if (value === old) continue;
      this.kernel.memory.write32(pte, value >>> 0);
      this.kernel.touchWrite(kernelLinear(pte), 4);
      if (this.active) this.cpu.invalidatePage(linear);
    }
    return present;
  }
}
