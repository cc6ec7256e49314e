/**
 * Prints how much the results that hinge on where hot code lands in the L1-I move over plausible
 * builds of the same kernels: each result with `linux.linkMapSeed` 0 (the sizes as derived, the
 * default build) and over seeds 1..N (min / median / mean / max, and where seed 0 falls among
 * them, and each draw), then mklinux-kernel's getpid over `mach.linkMapSeed` 1..M with the Linux seed at 0:
 *   npx tsx test/probes/linkMapSpread.ts [--seeds N] [--mach-seeds M]
 */
import { runSuite } from '../../engine/bench/suites';
import type { SystemId } from '../../engine/bench/records';
import type { KernelOverrides } from '../../engine/linux/kernelOverrides';
import { MACH_PARAMETERS } from '../../engine/mach/machParameters';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = argv.indexOf(name);
  return at >= 0 ? Number(argv[at + 1]) : fallback;
};
const seeds = option('--seeds', 16);
const machSeeds = option('--mach-seeds', 8);

/** The results measured: suite, systems, benchmark, unit. */
const ROWS: ReadonlyArray<{ suite: string; systems: SystemId[]; benchmark: string; unit: string }> = [
  { suite: 'getpid', systems: ['l4linux', 'l4linux-trampoline', 'mklinux-kernel', 'mklinux-user'], benchmark: 'getpid.cycles', unit: 'cycles' },
  { suite: 'pipe', systems: ['linux', 'l4linux', 'l4linux-trampoline', 'mklinux-kernel'], benchmark: 'pipe.latency', unit: 'µs' },
  { suite: 'lmbench', systems: ['linux', 'l4linux'], benchmark: 'lat.null-write', unit: 'µs' },
];

/** Each row's value per system under `kernels`. */
function measure(kernels: KernelOverrides, rows = ROWS): Map<string, number> {
  const values = new Map<string, number>();
  for (const row of rows) {
    for (const result of runSuite(row.suite, row.systems, { kernels }).results) {
      if (result.benchmark === row.benchmark) values.set(`${result.system} ${row.benchmark} (${row.unit})`, result.value);
    }
  }
  return values;
}

const median = (sorted: number[]): number => (sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2);

/** One line: the default's value, the spread over the drawn builds, how many draws lie below and at the default, and each draw. */
function line(name: string, at0: number, drawn: number[]): string {
  const sorted = [...drawn].sort((a, b) => a - b);
  const mean = drawn.reduce((sum, v) => sum + v, 0) / drawn.length;
  const below = drawn.filter((v) => v < at0).length;
  const equal = drawn.filter((v) => v === at0).length;
  const f = (v: number) => (v >= 100 ? v.toFixed(1) : v.toFixed(2)).padStart(8);
  return `${name.padEnd(44)} ${f(at0)} ${f(sorted[0])} ${f(median(sorted))} ${f(mean)} ${f(sorted[sorted.length - 1])}   ${String(below).padStart(2)} below, ${String(equal).padStart(2)} at\n${' '.repeat(46)}draws: ${drawn.map((v) => v.toFixed(v >= 100 ? 0 : 1)).join(' ')}`;
}

const header = `${'result'.padEnd(44)} ${'default'.padStart(8)} ${'min'.padStart(8)} ${'median'.padStart(8)} ${'mean'.padStart(8)} ${'max'.padStart(8)}   draws below / at the default`;
const base = measure({});
const draws = Array.from({ length: seeds }, (_, i) => measure({ linux: { linkMapSeed: i + 1 } }));
console.log(`linux.linkMapSeed: seed 0 (sizes as derived) and seeds 1-${seeds}`);
console.log(header);
for (const [name, at0] of base) console.log(line(name, at0, draws.map((d) => d.get(name)!)));

const getpid = [{ suite: 'getpid', systems: ['mklinux-kernel' as SystemId], benchmark: 'getpid.cycles', unit: 'cycles' }];
const machDefault = MACH_PARAMETERS.linkMapSeed.value;
const machDraws = Array.from({ length: machSeeds }, (_, i) => measure({ mach: { linkMapSeed: i + 1 } }, getpid));
console.log(`\nmach.linkMapSeed: the default 0x${machDefault.toString(16)} and seeds 1-${machSeeds}, linux.linkMapSeed 0`);
console.log(header);
for (const [name, at0] of measure({}, getpid)) console.log(line(name, at0, machDraws.map((d) => d.get(name)!)));
