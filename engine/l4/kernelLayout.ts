/**
 * Where the kernel lives. All physical memory is mapped supervisor-only at {@link KERNEL_LINEAR}
 * with 4 MB pages (PSE) in every page directory, so every kernel access to its code, TCBs,
 * mapping nodes and page tables goes through the TLB and the caches, and is flushed by a CR3 load
 * (the P5 has no global pages). The user part of a large space ends at 3 GB; the 512 MB above it
 * hold the small spaces (SOSP'97 §3), shared by all page directories; the communication window
 * used for long IPC is two PDE slots at {@link WINDOW_LINEAR} (Liedtke 93).
 */
export const USER_LIMIT = 0xbfffffff;
/** Linear base of the small-space area. */
export const SMALL_SPACE_AREA = 0xc0000000;
/** Size of the small-space area (SOSP'97 §3: 512 MB by default). */
export const SMALL_SPACE_AREA_BYTES = 512 * 1024 * 1024;
/** Smallest small space: one PDE (4 MB). */
export const SMALL_SPACE_UNIT = 4 * 1024 * 1024;
/** Linear address at which all physical memory is mapped for the kernel. */
export const KERNEL_LINEAR = 0xe0000000;
/** The virtual TCB array: TCB of (task, lthread) at TCB_LINEAR + (task·128 + lthread)·1 KB, 4 KB pages mapped on demand (SOSP'95 §4.2). */
export const TCB_LINEAR = 0xe8000000;
/** Linear base of the communication window (long IPC). */
export const WINDOW_LINEAR = 0xf0000000;
/** PDE slots of the communication window (8 MB). */
export const WINDOW_SLOTS = 2;

/** Physical layout of kernel memory. */
export const KERNEL_CODE_PHYSICAL = 0x00100000;
/** Size reserved for kernel code. */
export const KERNEL_CODE_BYTES = 0x40000;
/**
 * The kernel's descriptor tables, in its data after the code paths (tag I): the IDT (256 gates),
 * the GDT (null, kernel code/data, user code/data descriptors) and the one TSS whose ESP0 points
 * at the running thread's kernel stack.
 */
export const IDT_PHYSICAL = KERNEL_CODE_PHYSICAL + 0x20000;
/** The GDT, after the IDT. */
export const GDT_PHYSICAL = IDT_PHYSICAL + 256 * 8;
/** The TSS, after the GDT's five descriptors. */
export const TSS_PHYSICAL = GDT_PHYSICAL + 5 * 8;
/** GDT selectors: the kernel code segment the gates name, and user code and stack. */
export const KERNEL_CS = 0x08;
export const USER_CS = 0x1b;
export const USER_DS = 0x23;

/** Physical area of the mapping-database nodes. */
export const MAPPING_NODES_PHYSICAL = 0x00140000;
/** Size of the mapping-node area. */
export const MAPPING_NODES_BYTES = 0x000c0000;
/** Physical frames backing the virtual TCB array. */
export const TCB_AREA_PHYSICAL = 0x00200000;
/** Frames backing the virtual TCB array (4 TCBs per frame). */
export const TCB_AREA_BYTES = 0x00200000;
/** Physical pool of page directories and page tables. */
export const PAGE_TABLE_POOL_PHYSICAL = 0x00400000;
/** Size of the page-table pool. */
export const PAGE_TABLE_POOL_BYTES = 0x00400000;
/** First physical address owned by sigma0 (everything above belongs to it). */
export const SIGMA0_MEMORY_PHYSICAL = 0x00800000;

/** The kernel's linear address of physical address `physical`. */
export function kernelLinear(physical: number): number {
  return (KERNEL_LINEAR + physical) >>> 0;
}

/**
 * Kernel code layout: each path's code at its own offset in the kernel text. The trap-entry stub
 * follows the short-IPC path, so the two form one hot block (SOSP'95 §4.2: a short IPC's cache
 * working set is under 1 KB; §5.2: L3's kernel layout was chosen for the IPC path) instead of
 * starting at a page boundary, where it shared an L1 set with every page-aligned routine.
 */
export const KERNEL_CODE = {
  entry: 0x0200,
  ipc: 0x0100,
  ipcLong: 0x0400,
  map: 0x0800,
  unmap: 0x0a00,
  pageFault: 0x0c00,
  exception: 0x0d00,
  interrupt: 0x0e00,
  timer: 0x0f00,
  schedule: 0x1000,
  syscalls: 0x1200,
  taskNew: 0x1600,
} as const;
