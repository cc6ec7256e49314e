import { defineParameters, ParameterTable } from '../base/parameters';

/**
 * The macro-benchmark programs (the compile tree and the AIM-style job mix): the shape of the
 * workload (files, sizes, binaries, heap) and the user-level work of its programs, in
 * instructions charged at the machine's `instruction` cycles through the C library's compute.
 * They are properties of the programs and the source tree, the same on every system; only the
 * system calls, faults and switches under them differ. None is derived from a benchmark result.
 *
 * The compile workload is SOSP'97 Figure 7's "recompile the Linux server": Linux 2.0 built by
 * GNU make 3.74 and gcc 2.7.2 (`-O2 -pipe`, arch/i386/Makefile of 2.0) on a libc-5 ELF system.
 */
export const MACRO_PARAMETERS = defineParameters({
  // ---- the source tree (Linux 2.0 kernel proper as the L4Linux server builds it) ----------------
  treeSources: { value: 170, unit: 'files', provenance: 'I', source: 'C files of a Linux 2.0 configuration with ext2, proc, IDE, console/serial, INET and Unix sockets, counted per directory from the 2.0 tree: kernel 17, mm 14, fs 24, fs/ext2 13, fs/proc 10, ipc 4, lib 8, init 2, drivers/block 5, drivers/char 15, net 3+7+25+3+3, arch 17 (estimate from the tree\'s Makefiles)', description: 'C files compiled by the full-size build' },
  treeHeaders: { value: 350, unit: 'files', provenance: 'I', source: 'Linux 2.0 include/linux (~260), include/asm-i386 (~55) and include/net (~35) header files (estimate)', description: 'header files of the tree' },
  headerIncludes: { value: 3, unit: 'includes', provenance: 'I', source: 'nested #includes per kernel header: most include 1-3 (types.h, config.h...), a few like sched.h and fs.h 10-20 (estimate)', description: '#include lines per header' },
  sourceIncludes: { value: 12, unit: 'includes', provenance: 'I', source: 'direct #include lines of a Linux 2.0 C file (kernel/sched.c 24, mm/memory.c 12, lib/ctype.c 1; estimate); with nesting a compile opens ~30-60 distinct headers', description: '#include lines per C file' },
  sourceBytesMin: { value: 3072, unit: 'B', provenance: 'I', source: 'Linux 2.0 C files: from ~3 KB (kernel/dma.c) ...', description: 'smallest C file' },
  sourceBytesMax: { value: 30720, unit: 'B', provenance: 'I', source: '... to ~30-40 KB (kernel/sched.c, mm/filemap.c, fs/buffer.c); uniform in between, mean ~16 KB (estimate)', description: 'largest C file' },
  headerBytesMin: { value: 1024, unit: 'B', provenance: 'I', source: 'Linux 2.0 headers: ~1 KB (linux/stddef.h) ...', description: 'smallest header' },
  headerBytesMax: { value: 8192, unit: 'B', provenance: 'I', source: '... to 8 KB and more (linux/fs.h, linux/sched.h); mean ~4.5 KB, as include/linux holds ~1.2 MB in ~260 files (estimate)', description: 'largest header' },
  lineBytes: { value: 28, unit: 'B/line', provenance: 'I', source: 'kernel C with tab indentation averages 25-30 characters per line (estimate)', description: 'mean line length of the generated sources' },

  // ---- the tools: binaries, dynamic linking, heap -----------------------------------------------
  cc1TextBytes: { value: 1100 * 1024, unit: 'B', provenance: 'I', source: 'cc1 of gcc 2.7.2 for i486-linux ELF: about 1.1 MB of text (the largest tool by far; estimate)', description: 'cc1 text size' },
  textTouchedFraction: { value: 0.6, unit: 'fraction', provenance: 'I', source: 'a compiler run executes most of its passes (parser, RTL generation, ~15 -O2 passes, final), a tool its main paths: ~60% of the text pages (estimate)', description: 'text pages a tool run touches' },
  libcTextBytes: { value: 580 * 1024, unit: 'B', provenance: 'I', source: 'libc.so.5.3/5.4 (1996-97): about 580 KB of text (estimate)', description: 'shared C library text' },
  libcDataBytes: { value: 24 * 1024, unit: 'B', provenance: 'I', source: 'libc.so.5 data and GOT (estimate)', description: 'shared C library data' },
  libcTextPagesTouched: { value: 40, unit: 'pages', provenance: 'I', source: 'start-up, stdio, malloc, string and system-call wrappers of libc 5 a tool uses (estimate)', description: 'libc text pages a tool run touches' },
  libcDataPagesWritten: { value: 6, unit: 'pages', provenance: 'I', source: 'ld.so relocates libc\'s GOT and data, and the program\'s GOT/PLT, writing (copy-on-write) a few pages (estimate)', description: 'data pages written by the dynamic linker' },
  mallocBrkStep: { value: 8192, unit: 'B', provenance: 'I', source: 'GNU malloc of libc 5 extends the heap with sbrk by the 4 KB blocks a request needs; obstacks grow in ~4 KB chunks (estimate: two blocks per sbrk)', description: 'heap growth per brk call' },
  cc1HeapPerHeaderLine: { value: 120, unit: 'B/line', provenance: 'I', source: 'cc1 keeps every declaration of the translation unit on the permanent obstack: ~1-2 tree nodes of 40-100 B per header line (estimate)', description: 'cc1 heap per preprocessed header line' },
  cc1HeapPerSourceLine: { value: 200, unit: 'B/line', provenance: 'I', source: 'trees and RTL of function bodies, several insns of ~40 B per line; obstack memory is reused per function but the break never shrinks (estimate)', description: 'cc1 heap per line of the C file' },
  asHeapPerByte: { value: 1, unit: 'B/B', provenance: 'I', source: 'GNU as keeps frags and the symbol table of the whole input until it writes the object (estimate)', description: 'assembler heap per byte of assembler text' },

  // ---- the tools' work ---------------------------------------------------------------------------
  preprocessPerByte: { value: 60, unit: 'instructions/B', provenance: 'C', source: 'cpp (cccp) of gcc 2.7: tokenizing and macro expansion, a few tens of instructions per input character (recalled order of magnitude)', description: 'preprocessor work per byte of source and headers' },
  compilePerHeaderLine: { value: 3000, unit: 'instructions/line', provenance: 'I', source: 'cc1 parsing declarations (lexing, yacc parser, building decl trees and the symbol table): a few thousand instructions per line (estimate)', description: 'cc1 work per preprocessed header line' },
  compilePerSourceLine: { value: 60000, unit: 'instructions/line', provenance: 'I', source: 'cc1 -O2 on function bodies: ~4 RTL insns per C line times ~15,000 instructions of the passes per insn (cse twice, loop, flow, combine, local/global alloc, reload, final), i.e. about 2,000 lines/s at 133 MHz; no published cc1 throughput for a 133 MHz Pentium was found', description: 'cc1 work per line of the C file' },
  assemblyPerSourceLine: { value: 70, unit: 'B/line', provenance: 'I', source: 'gcc -O2 -S of kernel C: ~3-4 assembler lines of ~20 characters per C line (estimate)', description: 'assembler text written per line of the C file' },
  assemblePerByte: { value: 80, unit: 'instructions/B', provenance: 'C', source: 'GNU as 2.7: two passes over the assembler text (recalled order of magnitude)', description: 'assembler work per byte of assembler text' },
  objectPerAssemblyByte: { value: 0.25, unit: 'B/B', provenance: 'I', source: 'i386 ELF object vs. its assembler text (a few bytes of code per assembler line of ~20 characters)', description: 'object bytes per byte of assembler text' },
  linkPerByte: { value: 40, unit: 'instructions/B', provenance: 'C', source: 'GNU ld 2.7: symbol resolution and relocation per byte of object code (recalled order of magnitude)', description: 'linker work per byte of object files' },
  driverWork: { value: 200000, unit: 'instructions', provenance: 'I', source: 'gcc driver: parsing the specs file and the options, building the three command lines (estimate)', description: 'gcc driver work per compilation' },
  makeRulePerTarget: { value: 4000, unit: 'instructions', provenance: 'C', source: 'GNU make 3.74 dependency check and command expansion of one rule (recalled order of magnitude)', description: 'make work per target' },

  // ---- the working sets their computation keeps re-referencing ---------------------------------
  toolHotCodeBytes: { value: 4096, unit: 'B', provenance: 'I', source: 'the inner loops a tool runs between two system calls (cccp\'s lexer and hash lookup, cc1\'s parser, tree/RTL walkers and obstack allocation, as\'s scanner and frag code, libc\'s memcpy/strcmp/malloc): a few KB; set to half the 8 KB I-cache so that the native system alone keeps it mostly resident and only eviction by other code costs (estimate)', description: 'hot code of a tool\'s computation (whole lines of its text)' },
  toolHotCodePages: { value: 8, unit: 'pages', provenance: 'I', source: 'SOSP\'97 §4.2: a standard hello world needs 32 TLB entries for code, data, stack and libc; a compiler pass\'s hot routines lie scattered over its text, about a quarter of that on code (estimate)', description: 'text pages the hot code is spread over (its I-TLB footprint)' },
  toolHotDataBytes: { value: 4096, unit: 'B', provenance: 'I', source: 'a tool\'s hot data between system calls: parser and call stack, hash-table buckets, the current obstack chunk, stdio state, static variables; half the 8 KB D-cache, as for the code (estimate)', description: 'hot data of a tool\'s computation (whole lines of its data and bss)' },
  toolHotDataPages: { value: 8, unit: 'pages', provenance: 'I', source: 'SOSP\'97 §4.2: 32 TLB entries for a hello world; a tool\'s hot data over its data and bss pages, a quarter of that (estimate)', description: 'data and bss pages the hot data is spread over (its D-TLB footprint)' },
  aimHotCodeBytes: { value: 1024, unit: 'B', provenance: 'I', source: 'AIM Suite VII arithmetic tests are loops of a few instructions called through the suite\'s dispatcher: well under 1 KB of code each plus the driver\'s loop (estimate)', description: 'hot code of an AIM compute job' },
  aimHotCodePages: { value: 2, unit: 'pages', provenance: 'I', source: 'the test routine and the dispatcher (estimate)', description: 'text pages of the AIM compute job\'s hot code' },
  aimHotDataBytes: { value: 1024, unit: 'B', provenance: 'I', source: 'the operands and counters of an AIM arithmetic test and the stack of its calls (estimate)', description: 'hot data of an AIM compute job' },
  aimHotDataPages: { value: 2, unit: 'pages', provenance: 'I', source: 'the test\'s static operands and the driver\'s state (estimate)', description: 'data and bss pages of the AIM compute job\'s hot data' },
  hotDataWritten: { value: 0.5, unit: 'fraction', provenance: 'I', source: 'stores of a compute loop (stack frames, counters, obstack tops, hash-table updates) go to about half the lines it loads (estimate); these lines are dirty when other code evicts them', description: 'hot data lines that the computation also writes' },

  // ---- AIM --------------------------------------------------------------------------------------
  aimComputeJob: { value: 200000, unit: 'instructions', provenance: 'I', source: 'AIM Suite VII arithmetic tests (add_long, mul_int, div_double...): loops of 10^5 operations per test call', description: 'compute job of one AIM load unit' },
  aimFileBytes: { value: 16384, unit: 'B', provenance: 'I', source: 'AIM Suite VII disk tests (disk_rw, disk_rd) work on small files in 1-8 KB blocks', description: 'file written and read back by the disk job' },
  aimPipeRounds: { value: 16, unit: 'round trips', provenance: 'I', source: 'AIM Suite VII pipe_cpy: blocks passed through a pipe between two processes', description: 'pipe round trips of the pipe job' },
  aimPipeBlock: { value: 512, unit: 'B', provenance: 'I', source: 'AIM Suite VII pipe_cpy block size', description: 'block size of the pipe job' },
  aimSharedBytes: { value: 16384, unit: 'B', provenance: 'I', source: 'AIM Suite VII shared_memory: a small segment written by one process, read by another', description: 'shared region of the shared-memory job' },
  matmulInnerInstructions: { value: 5, unit: 'instructions', provenance: 'I', source: 'inner loop of a double-precision matrix multiplication on the Pentium: fld, fmul, faddp, two index increments/compare-and-branch (the loads of the operands are simulated memory accesses)', description: 'work per inner iteration of the matrix multiplication' },
});

export const MACRO_COSTS = new ParameterTable('macro', MACRO_PARAMETERS).values;
