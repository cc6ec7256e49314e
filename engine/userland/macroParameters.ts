import { defineParameters, ParameterTable } from '../base/parameters';

/**
 * User-level work of the macro-benchmark programs (the compile tree and the AIM-style job mix):
 * instructions per byte a compiler pass or a job processes, charged at the machine's
 * `instruction` cycles through the C library's compute. They are properties of the programs,
 * the same on every system; only the system calls, faults and switches under them differ.
 */
export const MACRO_PARAMETERS = defineParameters({
  preprocessPerByte: { value: 60, unit: 'instructions/B', provenance: 'C', source: 'cpp of gcc 2.7: tokenizing and macro expansion, a few tens of instructions per input character (recalled order of magnitude)', description: 'preprocessor work per byte of source and headers' },
  compilePerByte: { value: 1500, unit: 'instructions/B', provenance: 'C', source: 'cc1 of gcc 2.7 at -O2 compiles about 1-2 K lines (30-60 KB of preprocessed C) per second on a 133 MHz Pentium (recalled order of magnitude)', description: 'compiler (cc1) work per byte of preprocessed source' },
  assemblePerByte: { value: 80, unit: 'instructions/B', provenance: 'C', source: 'GNU as 2.7: two passes over the assembler text (recalled order of magnitude)', description: 'assembler work per byte of assembler text' },
  linkPerByte: { value: 40, unit: 'instructions/B', provenance: 'C', source: 'GNU ld 2.7: symbol resolution and relocation per byte of object code (recalled order of magnitude)', description: 'linker work per byte of object files' },
  assemblyPerSourceByte: { value: 1.5, unit: 'B/B', provenance: 'I', source: 'gcc -O2 -S output of kernel C files is of the order of the preprocessed-away source size', description: 'assembler text written per byte of source' },
  objectPerAssemblyByte: { value: 0.25, unit: 'B/B', provenance: 'I', source: 'i386 a.out object vs. its assembler text (a few bytes of code per assembler line of ~25 characters)', description: 'object bytes per byte of assembler text' },
  compilerHeapPerByte: { value: 8, unit: 'B/B', provenance: 'I', source: 'cc1 keeps RTL and trees of a whole function unit: several bytes of heap per byte of preprocessed source', description: 'compiler heap touched per byte of preprocessed source' },
  makeRulePerTarget: { value: 4000, unit: 'instructions', provenance: 'C', source: 'GNU make 3.74 dependency check and command expansion of one rule (recalled order of magnitude)', description: 'make work per target' },
  aimComputeJob: { value: 200000, unit: 'instructions', provenance: 'I', source: 'AIM Suite VII arithmetic tests (add_long, mul_int, div_double...): loops of 10^5 operations per test call', description: 'compute job of one AIM load unit' },
  aimFileBytes: { value: 16384, unit: 'B', provenance: 'I', source: 'AIM Suite VII disk tests (disk_rw, disk_rd) work on small files in 1-8 KB blocks', description: 'file written and read back by the disk job' },
  aimPipeRounds: { value: 16, unit: 'round trips', provenance: 'I', source: 'AIM Suite VII pipe_cpy: blocks passed through a pipe between two processes', description: 'pipe round trips of the pipe job' },
  aimPipeBlock: { value: 512, unit: 'B', provenance: 'I', source: 'AIM Suite VII pipe_cpy block size', description: 'block size of the pipe job' },
  aimSharedBytes: { value: 16384, unit: 'B', provenance: 'I', source: 'AIM Suite VII shared_memory: a small segment written by one process, read by another', description: 'shared region of the shared-memory job' },
  matmulInnerInstructions: { value: 5, unit: 'instructions', provenance: 'I', source: 'inner loop of a double-precision matrix multiplication on the Pentium: fld, fmul, faddp, two index increments/compare-and-branch (the loads of the operands are simulated memory accesses)', description: 'work per inner iteration of the matrix multiplication' },
});

export const MACRO_COSTS = new ParameterTable('macro', MACRO_PARAMETERS).values;
