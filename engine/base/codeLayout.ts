import type { ParameterSpec } from './parameters';

/**
 * How compiled kernel C occupies I-cache lines, the same primitive for every personality whose
 * paths are gcc -O2 i386 code (Linux 2.0, OSF MK): a path of n executed instructions touches
 * n × `codeLineBytesPerInstruction` bytes of whole lines, because the lines it fetches also hold
 * the arms it does not take (error returns, other cases) and its runs start anywhere in a line.
 * Hand-written assembly (entry/locore code, switch_to, REP-string loops) is compact and is sized
 * by its instruction length instead.
 */
export const CODE_LINE_BYTES_PER_INSTRUCTION = {
  value: 4.63,
  unit: 'B/instruction',
  min: 1,
  max: 64,
  provenance: 'I',
  source:
    'measured: reconstructions (never committed) of Linux 2.0 paths (sys_read/sys_write of a pipe, the page allocator, fork, exit, wait4, page faults, ' +
    'copy_page_range/zap_page_range, open/close/stat, generic_file_read, mmap/munmap/brk, execve, ll_rw_block: 52 distinct cases) and OSF MK paths ' +
    '(mach_msg hot path, mach_msg general path, kfree, ipc_kmsg_get/put, ipc_mqueue send/receive: 12 cases), compiled with gcc 12.2 -m32 -march=i386 -O2 ' +
    '-fno-reorder-blocks -fno-reorder-blocks-and-partition -fno-reorder-functions -fno-align-jumps -fno-align-labels -fno-align-loops -falign-functions=4 ' +
    '(closest to gcc 2.7.2 -O2, which is not available; inlining only of inline functions; Linux -fomit-frame-pointer) and single-stepped under gdb: ' +
    '22,437 executed instructions (each counted once, a loop body one pass, as the per-iteration rows count it) touch 3,244 distinct 32-B lines = ' +
    '4.63 B/instruction (Linux 4.64, OSF MK 4.52; per case 3.4-5.8). Executed bytes are 2.86 B/instruction, so 62 % of a fetched line is executed; ' +
    'the runs between jumps (31.5 B on average) start uniformly within a line. gcc 12 plain -O2 (block reordering) gives 4.48',
  description: 'I-cache line bytes a compiled C kernel path touches per instruction it executes',
} as const satisfies ParameterSpec<number>;

/** `bytes` of code rounded up to whole lines of `lineBytes`: what a block of code occupies in the I-cache. */
export function wholeLineBytes(bytes: number, lineBytes: number): number {
  return Math.ceil(bytes / lineBytes) * lineBytes;
}

/**
 * Splits a path's code of `bytes` (whole lines) into the clusters of consecutive lines it touches:
 * round(bytes / `runBytes`) runs (at least one), of whole lines, as equal as whole lines allow,
 * the larger ones first. Deterministic; the sizes add up to `bytes`.
 */
export function splitIntoRuns(bytes: number, runBytes: number, lineBytes: number): number[] {
  const lines = Math.ceil(bytes / lineBytes);
  if (lines === 0) return [];
  const count = Math.min(lines, Math.max(1, Math.round(bytes / runBytes)));
  const base = Math.floor(lines / count);
  const larger = lines - base * count;
  return Array.from({ length: count }, (_, i) => (base + (i < larger ? 1 : 0)) * lineBytes);
}
