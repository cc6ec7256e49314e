import { BitLayout } from '../base/bitField';

/**
 * IA-32 two-level paging as on the P5 (Intel SDM Vol. 3 §4.3, PSE for 4 MB pages; no PAE, no
 * global pages). A page directory of 1024 PDEs at CR3 maps 4 MB each, either to a page table of
 * 1024 PTEs (4 KB pages) or, with PS set and CR4.PSE on, directly to a 4 MB frame.
 *
 * The entries live in simulated physical memory; kernels write them with the layouts below and
 * the MMU's walker reads them, setting Accessed and Dirty as the hardware does.
 */
export const PTE = new BitLayout('PTE', {
  present: { shift: 0, width: 1 },
  writable: { shift: 1, width: 1 },
  user: { shift: 2, width: 1 },
  writeThrough: { shift: 3, width: 1 },
  cacheDisable: { shift: 4, width: 1 },
  accessed: { shift: 5, width: 1 },
  dirty: { shift: 6, width: 1 },
  reserved7: { shift: 7, width: 1 },
  global: { shift: 8, width: 1 },
  available: { shift: 9, width: 3 },
  frame: { shift: 12, width: 20 },
});

export const PDE = new BitLayout('PDE', {
  present: { shift: 0, width: 1 },
  writable: { shift: 1, width: 1 },
  user: { shift: 2, width: 1 },
  writeThrough: { shift: 3, width: 1 },
  cacheDisable: { shift: 4, width: 1 },
  accessed: { shift: 5, width: 1 },
  dirty: { shift: 6, width: 1 }, // 4 MB pages only
  pageSize: { shift: 7, width: 1 }, // PS: 1 = maps a 4 MB page
  global: { shift: 8, width: 1 },
  available: { shift: 9, width: 3 },
  frame: { shift: 12, width: 20 }, // page-table frame; for PS=1 bits 22..31 hold the 4 MB frame
});

/** Flag masks for hot paths, derived from the layouts above. */
export const PG_PRESENT = PTE.mask.present;
export const PG_WRITABLE = PTE.mask.writable;
export const PG_USER = PTE.mask.user;
export const PG_ACCESSED = PTE.mask.accessed;
export const PG_DIRTY = PTE.mask.dirty;
export const PG_LARGE = PDE.mask.pageSize;
export const PG_AVAILABLE = PTE.mask.available;
export const FRAME_MASK = PTE.mask.frame;
export const LARGE_FRAME_MASK = 0xffc00000;

export const PAGE_SIZE = 4096;
export const LARGE_PAGE_SIZE = 4 * 1024 * 1024;

export function pdIndex(linear: number): number {
  return linear >>> 22;
}

export function ptIndex(linear: number): number {
  return (linear >>> 12) & 0x3ff;
}

/** A PTE mapping `physical` with the given flag masks (PG_*). */
export function makePte(physical: number, flags: number): number {
  return ((physical & FRAME_MASK) | (flags & 0xfff) | PG_PRESENT) >>> 0;
}

/** A PDE pointing at the page table at `tablePhysical`. */
export function makePde(tablePhysical: number, flags: number): number {
  return ((tablePhysical & FRAME_MASK) | (flags & 0xfff & ~PG_LARGE) | PG_PRESENT) >>> 0;
}

/** A PDE mapping the 4 MB frame at `physical` (PSE). */
export function makeLargePde(physical: number, flags: number): number {
  return ((physical & LARGE_FRAME_MASK) | (flags & 0xfff) | PG_LARGE | PG_PRESENT) >>> 0;
}
