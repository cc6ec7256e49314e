/**
 * Cycle-attribution categories (DESIGN.md §2): every simulated cycle is charged to exactly one,
 * so that every result can answer "where did the cycles go".
 */
export const CYCLE_CATEGORIES = [
  'user',               // guest user-mode instructions
  'kernelEntry',        // trap/interrupt entry and exit (int, iret, SAVE_ALL-style register saving)
  'ipc',                // L4 IPC path instructions
  'addressSpaceSwitch', // CR3 loads, segment reloads, TSS switches
  'tlbRefill',          // hardware page walks after TLB misses
  'cacheMiss',          // stalls on L1/L2 misses and write-through to memory
  'branchMiss',         // pipeline flushes after taken branches the BTB did not predict
  'copy',               // instruction cost of bulk copies (rep movs) between buffers
  'kernel',             // other kernel code paths (native Linux, L4 non-IPC calls, Mach kernel)
  'linuxServer',        // the Linux personality running as a user-level server (L4Linux, MkLinux)
  'emulation',          // L4Linux emulation library / trampoline, MkLinux emulator
  'machIpc',            // Mach message path: port translation, kmsg, copyin/copyout
  'device',             // device access: PIC, PIT, disk, console I/O
  'idle',               // nothing runnable: halted until the next interrupt
] as const;

export type CycleCategory = (typeof CYCLE_CATEGORIES)[number];

/** Index of each category in the dense counter array of {@link CycleAccounting}. */
export const CATEGORY_INDEX: { readonly [K in CycleCategory]: number } = Object.fromEntries(
  CYCLE_CATEGORIES.map((name, index) => [name, index]),
) as { [K in CycleCategory]: number };

/** Human-readable labels, used by reports and panels. */
export const CATEGORY_LABEL: { readonly [K in CycleCategory]: string } = {
  user: 'user code',
  kernelEntry: 'kernel entry/exit',
  ipc: 'IPC path',
  addressSpaceSwitch: 'address-space switch',
  tlbRefill: 'TLB refill',
  cacheMiss: 'cache misses',
  branchMiss: 'branch mispredictions',
  copy: 'copy',
  kernel: 'kernel',
  linuxServer: 'Linux server',
  emulation: 'emulation library',
  machIpc: 'Mach IPC',
  device: 'devices',
  idle: 'idle',
};

export type CycleBreakdown = Partial<Record<CycleCategory, number>>;
