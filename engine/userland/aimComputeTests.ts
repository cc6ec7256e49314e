import { ACCESS_WRITE } from '../machine/cpu';
import type { Operation } from '../machine/executionContext';
import { NR } from '../linux/core/syscalls';
import type { AimUser } from './aimUser';
import { MACRO_COSTS } from './macroParameters';

/** An AIM test as one user runs it: returns 0 on success. */
export type AimTest = (user: AimUser) => Operation<number>;

const C = MACRO_COSTS;
const PAGE = 4096;

/** Cycles of `loops` loops of twelve dependent operations of `cycles` each, plus the loop control. */
function arithmetic(loops: number, cycles: number): (instruction: number) => number {
  return (instruction) => loops * (C.aimOpsPerLoop * cycles + C.aimLoopControl * instruction);
}

/** The add, multiply and divide loops of add.c, mul.c and div.c: user cycles per call, given the cycles of one simple instruction. */
const ARITHMETIC: ReadonlyArray<readonly [string, (instruction: number) => number]> = [
  ['add_double', arithmetic(C.aimAddDoubleLoops, C.aimFpuLatency)],
  ['add_float', arithmetic(C.aimAddFloatLoops, C.aimFpuLatency)],
  // an integer add is one simple instruction
  ['add_int', (instruction) => arithmetic(C.aimAddIntLoops, instruction)(instruction)],
  ['add_long', (instruction) => arithmetic(C.aimAddIntLoops, instruction)(instruction)],
  ['add_short', (instruction) => arithmetic(C.aimAddShortLoops, instruction)(instruction)],
  ['mul_double', arithmetic(C.aimMulFloatingLoops, C.aimFpuLatency)],
  ['mul_float', arithmetic(C.aimMulFloatingLoops, C.aimFpuLatency)],
  ['mul_int', arithmetic(C.aimMulIntLoops, C.aimImulCycles)],
  ['mul_long', arithmetic(C.aimMulIntLoops, C.aimImulCycles)],
  ['mul_short', arithmetic(C.aimMulShortLoops, C.aimImulCycles)],
  ['div_double', arithmetic(C.aimDivFloatingLoops, C.aimFdivCycles)],
  ['div_float', arithmetic(C.aimDivFloatingLoops, C.aimFdivCycles)],
  ['div_int', arithmetic(C.aimDivIntLoops, C.aimIdivCycles)],
  ['div_long', arithmetic(C.aimDivIntLoops, C.aimIdivCycles)],
  ['div_short', arithmetic(C.aimDivIntLoops, C.aimIdivCycles)],
];

/** The other tests that only compute (num_fcns.c, ram.c, creat_clo.c jmp_test): user cycles per call. */
const LIBRARY: ReadonlyArray<readonly [string, (instruction: number) => number]> = [
  ['array_rtns', () => C.aimArrayRtnsCycles],
  ['jmp_test', (instruction) => C.aimJmpTestInstructions * instruction],
  ['matrix_rtns', () => C.aimMatrixRtnsCycles],
  ['mem_rtns_1', () => C.aimMemRtns1Cycles],
  ['mem_rtns_2', () => C.aimMemRtns2Cycles],
  ['new_raph', () => C.aimNewRaphCycles],
  ['num_rtns_1', () => C.aimNumRtnsCycles],
  ['ram_copy', () => C.aimRamCopyCycles],
  ['series_1', () => C.aimSeriesCycles],
  ['sort_rtns_1', (instruction) => C.aimSortRtnsInstructions * instruction],
  ['trig_rtns', () => C.aimTrigRtnsCycles],
];

function computeOnly(cycles: (instruction: number) => number): AimTest {
  return function* (user: AimUser): Operation<number> {
    yield* user.compute(cycles(user.libc.cpu.p.instruction));
    return 0;
  };
}

/** string_rtns: string and conversion routines; time() once, as the test asks for the current time. */
function* stringRtns(user: AimUser): Operation<number> {
  if ((yield* user.libc.syscall(NR.time, 0)) < 0) return 1;
  yield* user.compute(C.aimStringRtnsCycles);
  return 0;
}

/**
 * sieve: malloc of the 1 MB table (the heap grows by brk), its first memset faulting every page
 * in, the passes, free (GNU malloc trims the heap back, so every call faults the pages again).
 */
function* sieve(user: AimUser): Operation<number> {
  const libc = user.libc;
  const base = yield* libc.brk(0);
  const table = (base + PAGE - 1) & ~(PAGE - 1);
  if ((yield* libc.brk(table + C.aimSieveBytes)) < table + C.aimSieveBytes) return 1;
  const pages = user.scaled(Math.ceil(C.aimSieveBytes / PAGE));
  for (let page = 0; page < pages; page++) yield* libc.touch(table + page * PAGE, 4, ACCESS_WRITE);
  yield* user.compute(C.aimSievePasses * C.aimSievePassCycles);
  yield* libc.brk(base);
  return 0;
}

/** The tests that spend (almost) all their time in user mode, by name. */
export const AIM_COMPUTE_TESTS: ReadonlyMap<string, AimTest> = new Map<string, AimTest>([
  ...[...ARITHMETIC, ...LIBRARY].map(([name, cycles]) => [name, computeOnly(cycles)] as [string, AimTest]),
  ['string_rtns', stringRtns],
  ['sieve', sieve],
]);
