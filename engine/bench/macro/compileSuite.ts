import { paperValue } from '../reference';
import { registerSuitePart, type SuiteOptions } from '../suiteRegistry';
import { between, linuxSuiteSystems, round, runGuest } from '../linux/linuxHarness';
import { compileTree, compileTreeSources, TREE_ROOT } from './compileTree';
import type { ResultRecord, SystemId } from '../records';

/** Scale of the quick run: a few sources, so that a system takes seconds of host time. */
export const QUICK_COMPILE_SCALE = 0.1;

/** The scale a run uses: `options.scale` if given, else quick or full size. */
export function compileScale(options: SuiteOptions): number {
  if (options.scale !== undefined) {
    if (!(options.scale > 0 && options.scale <= 10)) throw new RangeError(`--scale must be in (0, 10], got ${options.scale}`);
    return options.scale;
  }
  return options.mode === 'full' ? 1 : QUICK_COMPILE_SCALE;
}

/**
 * Suite `compile` (SOSP'97 Figure 7): `make` rebuilds the program tree of {@link compileTree}
 * (cc → cc1 + as per source, then ld), timed from make's start to its end in simulated real
 * time. The slowdown against native Linux is the ratio of these times (the report computes it).
 */
function runCompile(system: SystemId, options: SuiteOptions): ResultRecord[] {
  const scale = compileScale(options);
  options.progress?.(0, `make, ${compileTreeSources(scale)} sources (scale ${scale})`);
  const files = compileTree(scale, options.seed ?? 1997);
  const run = runGuest(system, `make -C ${TREE_ROOT} > /dev/null`, options, { files }, 3600);
  const { cycles, breakdown } = between(run, 'start', 'stop', 1);
  const seconds = cycles / (run.clockMHz * 1e6);
  return [{ suite: 'compile', system, benchmark: 'compile.seconds', unit: 's', value: round(seconds, 3), paper: paperValue(system, 'compile.seconds'), breakdown, scale, iterations: 1 }];
}

registerSuitePart({ suite: 'compile', title: 'compile a program tree (Figure 7)', systems: linuxSuiteSystems(), run: runCompile });
