import { paperValue } from '../reference';
import { registerSuitePart, type SuiteOptions } from '../suiteRegistry';
import { between, linuxSuiteSystems, round, runGuest } from '../linux/linuxHarness';
import { compileTree, compileTreeSources, TREE_ROOT } from './compileTree';
import type { ResultRecord, SystemId } from '../records';

/**
 * Before the timed build, the tree and the tool chain are read once (`tar cf /dev/null`), so the
 * build runs with a warm page cache as a repeated `time make` does: the disk does not dominate
 * the measurement, and the objects' write-back still happens in it.
 */
const WARM_CACHE = `tar cf /dev/null ${TREE_ROOT} /usr/lib/gcc-lib /lib /etc/ld.so.cache /bin/make /bin/gcc /bin/as /bin/ld`;

/** Scale of the quick run: one directory of the tree (9 C files), so that a system takes a few seconds of host time. */
export const QUICK_COMPILE_SCALE = 0.05;

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
  options.progress?.(0, `make, ${compileTreeSources(scale)} C files (scale ${scale})`);
  const files = compileTree(scale, options.seed ?? 1997);
  const run = runGuest(system, `${WARM_CACHE} && make -C ${TREE_ROOT} > /dev/null`, options, { files }, 3600);
  const { cycles, breakdown } = between(run, 'start', 'stop', 1);
  const seconds = cycles / (run.clockMHz * 1e6);
  return [{ suite: 'compile', system, benchmark: 'compile.seconds', unit: 's', value: round(seconds, 3), paper: paperValue(system, 'compile.seconds'), breakdown, scale, iterations: 1 }];
}

registerSuitePart({ suite: 'compile', title: 'compile a program tree (Figure 7)', systems: linuxSuiteSystems(), run: runCompile });
