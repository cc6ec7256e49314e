import { defineParameters, ParameterTable, type ParameterOverrides } from '../base/parameters';

/**
 * The machine of SOSP'97 §5.1: a 133 MHz Pentium (P54C) on an Intel 430FX board with a 256 KB
 * direct-mapped pipeline-burst L2 and 64 MB of 60 ns FPM DRAM. Sources are the short names of
 * `shared/reference/pentium-parameters.md` (SOSP95, SOSP97, 86Box, MAME, LMB, SDM). Where that
 * file and the paper disagree the paper wins. Costs are per primitive; no benchmark result appears
 * here. Memory timings are in CPU cycles at the default 2:1 core/bus ratio.
 */
export const PENTIUM_PARAMETERS = defineParameters({
  clockMHz: { value: 133, unit: 'MHz', min: 1, max: 2000, provenance: 'R', source: 'SOSP97 §5.1 (133 MHz Pentium)', description: 'core clock' },
  busRatio: { value: 2, unit: 'cycles/bus clock', min: 1, max: 8, provenance: 'C', source: 'SOSP97 §5.1; 66 MHz bus of the P133', description: 'core cycles per bus clock' },
  memoryMB: { value: 64, unit: 'MB', integer: true, min: 1, max: 512, provenance: 'R', source: 'SOSP97 §5.1 (64 MB of 60 ns FPM RAM)', description: 'physical memory' },

  lineBytes: { value: 32, unit: 'B', integer: true, min: 16, max: 128, provenance: 'R2', source: 'Pentium Dev. Manual Vol.1 §2.5 via ventium spec', description: 'cache line size (L1 and L2)' },
  l1CodeKB: { value: 8, unit: 'KB', integer: true, min: 1, max: 256, provenance: 'R2', source: 'Pentium Dev. Manual Vol.1 §2.5', description: 'L1 instruction cache size' },
  l1DataKB: { value: 8, unit: 'KB', integer: true, min: 1, max: 256, provenance: 'R2', source: 'Pentium Dev. Manual Vol.1 §2.5', description: 'L1 data cache size' },
  l1Ways: { value: 2, unit: 'ways', integer: true, min: 1, max: 8, provenance: 'R2', source: 'Pentium Dev. Manual Vol.1 §2.5', description: 'L1 associativity (I and D)' },
  l1WriteAllocate: { value: false, unit: 'flag', provenance: 'R', source: 'SDM Vol.3 §11.3: write-miss line fills only from the P6 family; SOSP97 §6.1', description: 'L1 allocates a line on a write miss' },
  l2KB: { value: 256, unit: 'KB', integer: true, min: 0, max: 4096, provenance: 'R', source: 'SOSP97 §5.1 (256 KB pipeline-burst L2)', description: 'L2 size (0 = no L2)' },
  l2Ways: { value: 1, unit: 'ways', integer: true, min: 1, max: 8, provenance: 'R', source: 'SOSP97 §6.1 (direct-mapped second-level cache)', description: 'L2 associativity' },
  l2WriteAllocate: { value: false, unit: 'flag', provenance: 'I', source: 'SOSP97 §6.1: in lmbench "the destination misses both caches"; 430FX L2 fills on read misses only', description: 'L2 allocates a line on a write miss' },

  l2AllocatesWriteBacks: { value: true, unit: 'flag', provenance: 'I', source: 'inferred from SOSP97 Table 4 row (3), a measurement of this board: the worst-case L4 RPC copy (source and destination on the same lines of the direct-mapped L2, destination pre-read by L4) ran at 65 MB/s = 65 cycles per 32-byte line. If a dirty L1 line whose L2 line was replaced went straight to DRAM, each copied line would move three lines over the memory bus (source read, destination pre-read, destination write-back) = 2 × (7 + 3·3) + (4 + 3·3) = 45 bus clocks = 90 cycles with FPM x-3-3-3 (SOSP97 §5.1: 60 ns FPM; 430FX timings, pentium-parameters.md §1), above 65 even with every transfer a page hit and perfectly overlapped; with the burst write-back taken into the L2 (it carries the whole line, so no memory read is needed), the next pre-read hits the L2 and two transfers remain (≈ 29 bus clocks). No 430FX datasheet statement was found either way; false is the what-if of a write-back that bypasses the L2 on a miss', description: 'a dirty L1 line written back while its L2 line holds another address is allocated in the L2 (evicting that line) instead of going to DRAM' },
  l1HitExtra: { value: 0, unit: 'cycles', min: 0, max: 10, provenance: 'R', source: 'MAME Pentium MOV r,m = 1 cycle; LMB lat_allmem L1 = 8 ns', description: 'extra stall of an L1 hit (included in instruction cost)' },
  l2LineFill: { value: 12, unit: 'cycles', min: 1, max: 200, provenance: 'I', source: 'PB SRAM 3-1-1-1 bus clocks = 6 bus clocks = 12 cycles (AOpen AX4LR manual p.100)', description: 'L1 miss served by L2: line fill stall' },
  l2DwordRead: { value: 8, unit: 'cycles', min: 1, max: 100, provenance: 'I', source: 'SOSP97 §4.3: a TLB miss costs ~25 cycles with PTEs in L2 = 9 walk + 2 × 8 L2 reads', description: 'single uncached-in-L1 read served by L2 (page walker)' },
  l2DwordWrite: { value: 4, unit: 'cycles', min: 0, max: 100, provenance: 'I', source: 'PB SRAM single write, 2 bus clocks (430FX)', description: 'write of a dword that misses L1 and hits L2' },
  l1WritebackToL2: { value: 6, unit: 'cycles', min: 0, max: 100, provenance: 'I', source: 'burst write-back of a dirty L1 line to L2, half hidden by the Pentium write-back buffer (3-1-1-1 bus clocks / 2)', description: 'eviction of a dirty L1 line into L2' },

  // FPM DRAM behind the 430FX (dram.ts): banks with open pages, lead-offs and bursts in bus clocks
  dramBanks: { value: 2, unit: 'banks', min: 1, max: 8, provenance: 'C', source: '64 MB as four 16 MB 72-pin SIMMs, paired into two 64-bit banks (RAS# rows); the 430FX drives five RAS# lines (128 MB max)', description: 'DRAM banks (RAS# rows), each a contiguous part of memory' },
  dramPageBytes: { value: 8192, unit: 'B', integer: true, min: 512, max: 65536, provenance: 'I', source: '1024 columns (10 column address bits of 4 Mbit 1M×4 and 16 Mbit 4M×4 (12/10) FPM chips) × the 8-byte bank width', description: 'DRAM page: the bytes one open row of a bank holds' },
  dramOpenBanks: { value: 1, unit: 'banks', min: 1, max: 8, provenance: 'C', source: '430FX performance table distinguishes page hit, row miss and page miss; one page comparator assumed (what-if: one open page per bank)', description: 'banks that may keep a page open at the same time' },
  dramReadLeadoff: { value: 7, unit: 'bus clocks', min: 1, max: 30, provenance: 'R2', source: 'pentium-parameters.md §1: 430FX lead-off 7–12 bus clocks (x of x-3-3-3 FPM, x-2-2-2 EDO); 7 = page hit, includes the L2 tag lookup', description: 'ADS# to first data of a DRAM read that hits the open page' },
  dramRowActivate: { value: 3, unit: 'bus clocks', min: 0, max: 30, provenance: 'I', source: '60 ns FPM: tRAC 60 ns − tCAC 15 ns = 45 ns = 3 bus clocks at 66 MHz (RAS# to data beyond the CAS# access)', description: 'extra lead-off when the bank has no page open (row miss)' },
  dramPrecharge: { value: 2, unit: 'bus clocks', min: 0, max: 30, provenance: 'I', source: 'tRP 40 ns of 60 ns FPM, partly hidden behind the address decode; 7 + 3 + 2 = 12, the top of the 430FX lead-off range (pentium-parameters.md §1)', description: 'extra lead-off when the bank has another page open (page miss), beyond a row miss' },
  dramBurstClocks: { value: 3, unit: 'bus clocks', min: 1, max: 10, provenance: 'R2', source: 'pentium-parameters.md §1: FPM x-3-3-3 on the 430FX (EDO x-2-2-2)', description: 'page-mode cycle: each further transfer of a 4-qword burst, and each single write to the open page' },
  dramWriteLeadoff: { value: 4, unit: 'bus clocks', min: 1, max: 30, provenance: 'I', source: 'posted FPM write, page hit: data travel with the address, one CAS# cycle (3 bus clocks) after a clock of decode', description: 'lead-off of a burst write that hits the open page' },
  dramPostedWrites: { value: true, unit: 'flag', provenance: 'C', source: '430FX CPU-to-DRAM posted write buffer with read-around-write (one line); off = write-backs stall for their whole burst', description: 'dirty-line write-backs go through a posted write buffer' },
  dramRefreshMicroseconds: { value: 15.6, unit: 'µs', min: 1, max: 1000, provenance: 'R2', source: 'Intel 430-family DRAMC refresh rate "normal (15.6 µs)" (coreboot register notes); 64 ms / 4096 rows of 4K-refresh chips', description: 'interval of the CAS-before-RAS refresh, which closes every open page' },

  dtlbEntries: { value: 64, unit: 'entries', integer: true, min: 4, max: 4096, provenance: 'R2', source: 'Pentium Dev. Manual Vol.1 §2.5 (ventium spec)', description: 'data TLB entries for 4 KB pages' },
  dtlbWays: { value: 4, unit: 'ways', integer: true, min: 1, max: 64, provenance: 'R2', source: 'Pentium Dev. Manual Vol.1 §2.5', description: 'data TLB associativity' },
  dtlbLargeEntries: { value: 8, unit: 'entries', integer: true, min: 1, max: 256, provenance: 'R2', source: 'Pentium Dev. Manual Vol.1 §2.5', description: 'data TLB entries for 4 MB pages' },
  itlbEntries: { value: 32, unit: 'entries', integer: true, min: 4, max: 4096, provenance: 'R2', source: 'Pentium Dev. Manual Vol.1 §2.5 (4 MB pages cached as 4 KB pieces)', description: 'instruction TLB entries' },
  itlbWays: { value: 4, unit: 'ways', integer: true, min: 1, max: 64, provenance: 'R2', source: 'Pentium Dev. Manual Vol.1 §2.5', description: 'instruction TLB associativity' },
  taggedTlb: { value: false, unit: 'flag', provenance: 'R', source: 'SOSP95 §4.1.2: the Pentium TLB is untagged (what-if switch)', description: 'TLB entries tagged with the address space, so a CR3 load flushes nothing' },
  tlbWalkBase: { value: 9, unit: 'cycles', min: 0, max: 100, provenance: 'R', source: 'SOSP95 §4.1.2: ≈9 cycles per TLB miss ((32+64)×9 = 864)', description: 'page-walk overhead beyond its two memory reads' },
  dirtyBitUpdate: { value: 6, unit: 'cycles', min: 0, max: 100, provenance: 'I', source: 'locked read-modify-write of the PTE on the first write through a clean TLB entry (SDM Vol.3 §4.8)', description: 'setting the PTE dirty bit' },

  btbEntries: { value: 256, unit: 'entries', integer: true, min: 0, max: 65536, provenance: 'R2', source: 'Pentium Dev. Manual Vol.1 §2.4 via ques10 "flushing of pipeline" (branch target buffer: 4-way set associative, 256 entries; modelled fully associative, see btb.ts); 0 = every taken branch predicted', description: 'branch target buffer entries' },
  btbMissPenalty: { value: 3.5, unit: 'cycles', min: 0, max: 100, provenance: 'I', source: 'mean of the Pentium\'s misprediction penalties, 3 cycles in the U pipe and 4 in the V pipe (Pentium Dev. Manual Vol.1 §2.4 via ques10; C: Intel AP-526 optimization guide)', description: 'pipeline flush after a taken branch the BTB did not predict' },
  takenBranchDensity: { value: 0.13, unit: 'branches/instruction', min: 0, max: 1, provenance: 'I', source: '80x86 SPECint92 mix (H&P, as Table 4-2 of Microprocessor Design, McGraw-Hill 2006, R2): conditional branches 20 %, calls 1 %, returns 1 %, jumps below the top ten (≈ 1 %); × 52 % of forward conditional branches taken (E. Killian, comp.arch 1988, 13 programs, R2), kernel paths being forward-branch code: 0.20 × 0.52 + 0.03 ≈ 0.13', description: 'taken control transfers per instruction of a compiled kernel code path (its BTB lookups)' },
  instruction: { value: 1, unit: 'cycles', min: 0.25, max: 10, provenance: 'R2', source: 'MAME Pentium column: simple ALU/MOV/PUSH = 1. Checked for compiled kernel code (no pairing is modelled): the P5 pairing, AGI, prefix and non-pairable clocks (Pentium User\'s Manual Vol.1 §3.1.2 via jnz.dk/faqsys/pairing.txt; A. Fog, Pentium optimization ch. 8-10) applied to gdb traces of 50 Linux 2.0 paths (gcc 12 -m32 -march=i486 -O2) give 0.76-0.78 cycles per instruction for the lat_pipe path when warm (median of the 50: 0.84) and 1.10-1.18 right after an I-cache fill, when the P5 pairs nothing (Fog ch. 8); 1 lies between the two', description: 'one simple instruction' },
  aluRegMem: { value: 2, unit: 'cycles', min: 1, max: 20, provenance: 'C', source: 'Pentium ALU r32,m32 (e.g. ADD EAX,[ESI]) = 2 cycles with an L1 hit (Intel Pentium instruction timings, recalled)', description: 'ALU instruction with a memory source operand' },
  intOuter: { value: 50, unit: 'cycles', min: 1, max: 1000, provenance: 'I', source: 'SOSP97 §5.2 measures 82 cycles to enter and leave kernel mode; split 42:27 as 86Box timing_int_pm_outer : timing_iret_pm_outer', description: 'INT n / exception / interrupt through a gate, ring 3 → 0' },
  iretOuter: { value: 32, unit: 'cycles', min: 1, max: 1000, provenance: 'I', source: 'SOSP97 §5.2 (82 cycles for entry + exit), split as above', description: 'IRET ring 0 → 3' },
  intSame: { value: 25, unit: 'cycles', min: 1, max: 1000, provenance: 'R2', source: '86Box timing_int_pm', description: 'INT n / exception at the same privilege level' },
  iretSame: { value: 10, unit: 'cycles', min: 1, max: 1000, provenance: 'R2', source: '86Box timing_iret_pm', description: 'IRET at the same privilege level' },
  segmentLoad: { value: 3, unit: 'cycles', min: 1, max: 100, provenance: 'R2', source: 'MAME Pentium MOV Sreg,m (pm)', description: 'segment register load' },
  movCr3: { value: 4, unit: 'cycles', min: 1, max: 100, provenance: 'R2', source: 'MAME CYCLES_MOV_REG_CR3 (86Box interpreter: 10)', description: 'CR3 write (the TLB flush itself is free; its refills are not)' },
  invlpg: { value: 12, unit: 'cycles', min: 1, max: 100, provenance: 'R2', source: '86Box x86_ops_pmode.h (486 value; Pentium not found)', description: 'INVLPG' },
  movDebugRegister: { value: 11, unit: 'cycles', min: 1, max: 100, provenance: 'R2', source: 'MAME: MOV r,DR6 = 11, MOV DR7,r = 10', description: 'MOV to/from a debug register' },
  cliSti: { value: 7, unit: 'cycles', min: 1, max: 100, provenance: 'R2', source: 'MAME; 86Box codegen_timing_pentium.c', description: 'CLI or STI' },
  taskSwitch: { value: 85, unit: 'cycles', min: 1, max: 2000, provenance: 'R2', source: 'Pentium "task switch times for exceptions", any TSS to a 32-bit TSS, cache hits assumed: 85 clocks (IBM OS/2 Toolkit 4.5 Assembler Language Reference, "Clocks columns", reproducing the Intel Pentium timing table; the 486 table gives TS = 199+); the TSS and descriptor traffic is charged apart by the cache model', description: 'hardware task switch (JMP to TSS) with its memory accesses hitting, excluding TLB refills' },
  repMovsStartup: { value: 13, unit: 'cycles', min: 0, max: 100, provenance: 'C', source: 'commonly quoted REP MOVSD startup on the P5 (86Box/MAME per-dword values conflict)', description: 'REP MOVSD setup' },
  repMovsPerDword: { value: 1, unit: 'cycles/dword', min: 0.25, max: 10, provenance: 'C', source: 'commonly quoted ≈1 cycle per dword in cache (86Box: 3, MAME: 4; sources conflict)', description: 'REP MOVSD per dword, L1 hits' },

  isaIoAccess: { value: 133, unit: 'cycles', min: 1, max: 10000, provenance: 'I', source: 'ISA bus I/O cycle ≈ 1 µs (8.33 MHz ISA, wait states)', description: 'IN/OUT to an ISA device (PIC, PIT)' },
  hz: { value: 100, unit: 'Hz', integer: true, min: 1, max: 10000, provenance: 'R', source: 'Linux 2.0 include/asm-i386/param.h', description: 'timer interrupt rate (8253 channel 0)' },
  pitInputHz: { value: 1193182, unit: 'Hz', integer: true, min: 1, max: 100000000, provenance: 'R', source: 'Intel 8253 on the PC: 1.193182 MHz input clock', description: 'PIT input clock' },
  diskSeekMs: { value: 10.5, unit: 'ms', min: 0, max: 100, provenance: 'C', source: 'typical 1996 EIDE drive (e.g. 5400 rpm, ~10 ms average seek)', description: 'average seek time (over all pairs of distinct cylinders, the data-sheet definition)' },
  diskSeekTrackMs: { value: 2.33, unit: 'ms', min: 0, max: 100, provenance: 'C', source: 'the HP 97560 ratio of single-track to average seek, 3.0 of 13.5 ms (HP 97556/58/60 product description 5960-0116 via the th99 drive table; the drive Ruemmler & Wilkes, IEEE Computer 1994, modelled), applied to diskSeekMs', description: 'track-to-track (single-cylinder) seek' },
  diskSeekFullMs: { value: 18.4, unit: 'ms', min: 0, max: 200, provenance: 'C', source: 'Ruemmler & Wilkes, IEEE Computer 1994: HP 97560 seek curve 8.00 + 0.008·d ms for long seeks, 23.7 ms over its 1962 cylinders against its 13.5 ms average; that ratio applied to diskSeekMs', description: 'full-stroke seek' },
  diskRpm: { value: 5400, unit: 'rpm', min: 1000, max: 20000, provenance: 'C', source: 'typical 1996 EIDE drive', description: 'spindle speed' },
  diskMBps: { value: 5, unit: 'MB/s', min: 0.1, max: 1000, provenance: 'C', source: 'typical 1996 EIDE media transfer rate', description: 'media transfer rate' },
  diskHeads: { value: 4, unit: 'heads', min: 1, max: 64, provenance: 'I', source: 'a two-platter 1996 3.5-inch EIDE drive (4 recording surfaces)', description: 'recording surfaces: tracks per cylinder' },
  diskCylinders: { value: 5376, unit: 'cylinders', min: 2, max: 100000, provenance: 'I', source: 'a 1.2 GB drive: 1.2e9 bytes / (4 heads × 109 sectors per track (diskMBps at diskRpm) × 512 bytes); the simulated disk (diskSectors) is its first part', description: 'cylinders of the whole drive (the full stroke)' },
  diskSectors: { value: 262144, unit: 'sectors', min: 64, max: 16777216, provenance: 'I', source: '128 MB of 512-byte sectors: enough for the lab file systems', description: 'disk size' },
  consoleCharCost: { value: 133, unit: 'cycles', min: 0, max: 100000, provenance: 'I', source: 'one ISA I/O cycle per character (UART THR / VGA text write)', description: 'console output per character' },
});

export type PentiumParameterSpecs = typeof PENTIUM_PARAMETERS;
export type PentiumOverrides = ParameterOverrides<PentiumParameterSpecs>;
export type PentiumParameters = ParameterTable<PentiumParameterSpecs>['values'];

/**
 * The machine's parameters with `overrides` (what-ifs).
 * @throws RangeError for a value out of its range, or a cache, TLB or DRAM geometry the model
 * cannot index ({@link checkGeometry}).
 */
export function pentiumParameters(overrides: PentiumOverrides = {}): ParameterTable<PentiumParameterSpecs> {
  const table = new ParameterTable('machine', PENTIUM_PARAMETERS, overrides);
  checkGeometry(table.values);
  return table;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * The caches, TLBs and DRAM pick a set (a row) by address bits, as the hardware does, so each
 * must have a power of two of them. Checked with the what-ifs, so that a notebook's setMachine
 * or a setting says which parameter to change, not a component when a system is built.
 */
function checkGeometry(p: PentiumParameters): void {
  if (!isPowerOfTwo(p.lineBytes)) throw new RangeError(`machine.lineBytes = ${p.lineBytes} B: a cache line is a power of two bytes (16, 32, 64 or 128)`);
  if (!isPowerOfTwo(p.dramPageBytes)) throw new RangeError(`machine.dramPageBytes = ${p.dramPageBytes} B: a DRAM page is a power of two bytes`);
  const caches: Array<[string, number, string, number]> = [
    ['l1CodeKB', p.l1CodeKB, 'l1Ways', p.l1Ways],
    ['l1DataKB', p.l1DataKB, 'l1Ways', p.l1Ways],
  ];
  if (p.l2KB > 0) caches.push(['l2KB', p.l2KB, 'l2Ways', p.l2Ways]);
  for (const [size, kb, ways, n] of caches) {
    const sets = (kb * 1024) / (n * p.lineBytes);
    if (isPowerOfTwo(sets)) continue;
    const near = Math.max(1, 2 ** Math.round(Math.log2(Math.max(1, sets))));
    throw new RangeError(
      `machine.${size} = ${kb} KB with machine.${ways} = ${n} and ${p.lineBytes}-byte lines gives ${Number(sets.toFixed(2))} sets; a cache picks its set by address bits, so the sets must be a power of two (e.g. machine.${size} = ${(near * n * p.lineBytes) / 1024})`,
    );
  }
  const tlbs: Array<[string, number, string, number]> = [
    ['dtlbEntries', p.dtlbEntries, 'dtlbWays', p.dtlbWays],
    ['itlbEntries', p.itlbEntries, 'itlbWays', p.itlbWays],
    ['dtlbLargeEntries', p.dtlbLargeEntries, 'its 4 ways (or fewer)', Math.min(4, p.dtlbLargeEntries)],
  ];
  for (const [entries, count, ways, n] of tlbs) {
    if (isPowerOfTwo(count / n)) continue;
    throw new RangeError(`machine.${entries} = ${count} with ${ways.startsWith('its') ? ways : `machine.${ways} = ${n}`} gives ${count / n} sets; a TLB picks its set by page-number bits, so entries ÷ ways must be a power of two`);
  }
}
