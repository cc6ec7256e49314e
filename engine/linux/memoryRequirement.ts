/**
 * How much physical memory each system needs, from the layout its substrate really uses (where
 * its kernel's fixed regions end and Linux's page frames begin), so that a machine too small for
 * a system is refused with the reason before anything boots, instead of failing inside the boot.
 */

import { PAGE_SIZE } from '../base/frameAllocator';
import { SIGMA0_MEMORY_PHYSICAL } from '../l4/kernelLayout';
import { FIRST_FREE } from '../mach/machKernel';
import { MIN_FREE_PAGES } from './core/mm';
import type { KernelOverrides } from './kernelOverrides';
import { SERVER_IMAGE } from './l4/layout';
import { SERVER_TEXT_BYTES } from './mach/mklinux';
import { mklinuxParameters } from './mach/mklinuxParameters';
import { nativeMemoryStart } from './native/nativeLinux';
import { nativeParameters } from './native/nativeParameters';

const MB = 1 << 20;

/** One region a system needs in physical memory, from its real layout. */
export interface MemoryPart {
  readonly bytes: number;
  /** What the region holds, for the error message. */
  readonly what: string;
}

/** What a system needs in physical memory before its first process or task can run. */
export interface MemoryRequirement {
  /** The system's name in prose (`L4Linux`). */
  readonly title: string;
  /** The regions, in address order; Linux's own minimum of page frames last. */
  readonly parts: readonly MemoryPart[];
  /** Their sum. */
  readonly bytes: number;
}

/**
 * The fewest page frames the Linux personality can start with: the shared zero page and the
 * min_free_pages it keeps free for the kernel (mm/page_alloc.c); with fewer, no allocation can
 * succeed. Whether a given workload fits beyond that is the guest's business (ENOMEM, the OOM
 * killer), as on a real machine.
 */
const LINUX_MINIMUM: MemoryPart = { bytes: (1 + MIN_FREE_PAGES) * PAGE_SIZE, what: `Linux's page frames (at least the zero page and min_free_pages = ${MIN_FREE_PAGES})` };

/** Each system's regions below Linux's page frames, from the layout its substrate uses. */
const LAYOUTS: Readonly<Record<string, { title: string; parts: (memoryBytes: number, kernels: KernelOverrides) => MemoryPart[] }>> = {
  linux: {
    title: 'Linux',
    parts: (memoryBytes, kernels) => {
      const largePages = nativeParameters(kernels.native).values.pentiumMm;
      return [{ bytes: nativeMemoryStart(memoryBytes, largePages), what: largePages ? 'the kernel image and swapper_pg_dir' : 'the kernel image, swapper_pg_dir and the page tables mapping all memory' }];
    },
  },
  l4linux: { title: 'L4Linux', parts: () => l4linuxParts() },
  'l4linux-trampoline': { title: 'L4Linux (trampoline)', parts: () => l4linuxParts() },
  'mklinux-kernel': { title: 'MkLinux (in-kernel server)', parts: (_memory, kernels) => mklinuxParts(kernels) },
  'mklinux-user': { title: 'MkLinux (user-mode server)', parts: (_memory, kernels) => mklinuxParts(kernels) },
};

/** The L4 kernel's fixed region: everything below sigma0's memory. */
const L4_KERNEL_MEMORY: MemoryPart = { bytes: SIGMA0_MEMORY_PHYSICAL, what: "the L4 kernel below sigma0's memory (code, mapping database, TCBs, page-table pool)" };

function l4linuxParts(): MemoryPart[] {
  return [
    L4_KERNEL_MEMORY,
    { bytes: SERVER_IMAGE.end - SERVER_IMAGE.text, what: "the Linux server's image (text, glue, emulation library, data)" },
  ];
}

function mklinuxParts(kernels: KernelOverrides): MemoryPart[] {
  const machMemoryMB = mklinuxParameters(kernels.mklinux).values.machMemoryMB;
  if (machMemoryMB * MB <= FIRST_FREE) {
    throw new RangeError(`mklinux.machMemoryMB = ${machMemoryMB} leaves the Mach kernel no memory: its image and tables fill the first ${size(FIRST_FREE)}, so its share must be larger`);
  }
  return [
    { bytes: machMemoryMB * MB, what: `the Mach kernel (mklinux.machMemoryMB = ${machMemoryMB}: kernel, zones, page tables, default pager)` },
    { bytes: SERVER_TEXT_BYTES, what: "the Linux server's text" },
  ];
}

/**
 * What a bare L4 kernel needs: its own region and at least one page for sigma0 to page tasks
 * from. Sigma0 maps idempotently (virtual = physical), so a task can only use addresses below
 * the end of memory; what a benchmark's tasks touch beyond that is refused as on real L4.
 */
export function bareL4MemoryRequirement(): MemoryRequirement {
  const parts = [L4_KERNEL_MEMORY, { bytes: PAGE_SIZE, what: 'the memory sigma0 pages tasks from' }];
  return { title: 'The bare L4 kernel', parts, bytes: parts.reduce((sum, part) => sum + part.bytes, 0) };
}

/** What `system` needs on a machine of `memoryBytes`, or undefined for a system without a known layout. */
export function linuxMemoryRequirement(system: string, memoryBytes: number, kernels: KernelOverrides = {}): MemoryRequirement | undefined {
  const layout = LAYOUTS[system];
  if (layout === undefined) return undefined;
  const parts = [...layout.parts(memoryBytes, kernels), LINUX_MINIMUM];
  return { title: layout.title, parts, bytes: parts.reduce((sum, part) => sum + part.bytes, 0) };
}

/** The machine is too small for the system asked for (a configuration error, not a guest's). */
export class MemoryTooSmallError extends RangeError {
  override name = 'MemoryTooSmall';

  constructor(readonly requirement: MemoryRequirement, readonly memoryBytes: number) {
    const needMB = Math.ceil(requirement.bytes / MB);
    const parts = requirement.parts.map((part) => `${size(part.bytes)} for ${part.what}`);
    super(
      `${requirement.title} needs at least ${needMB} MB of memory, and this machine has ${size(memoryBytes)} (memoryMB=${memoryBytes / MB}): ` +
        `${parts.slice(0, -1).join(', ')}, and ${parts.at(-1)}`,
    );
  }
}

/** `8 MB`, `512 KB`, `68 KB`. */
function size(bytes: number): string {
  return bytes % MB === 0 ? `${bytes / MB} MB` : `${Math.round(bytes / 1024)} KB`;
}

/**
 * Checks that a machine of `memoryBytes` can hold `system`'s layout and Linux's minimum.
 * @throws MemoryTooSmallError saying how much the system needs and what for; RangeError for a
 * Mach share (`mklinux.machMemoryMB`) too small for the Mach kernel itself.
 */
export function checkLinuxMemory(system: string, memoryBytes: number, kernels: KernelOverrides = {}): void {
  const requirement = linuxMemoryRequirement(system, memoryBytes, kernels);
  if (requirement !== undefined && memoryBytes < requirement.bytes) throw new MemoryTooSmallError(requirement, memoryBytes);
}
