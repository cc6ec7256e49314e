import { CYCLE_CATEGORIES, type CycleBreakdown } from '../../base/cycleCategory';
import { paperValue } from '../reference';
import { registerSuitePart } from '../suiteRegistry';
import { between, round, runGuest } from './linuxHarness';
import type { ResultRecord } from '../records';

/**
 * Suite `vm` on native Linux (SOSP'97 Table 5): vm.trap, the time from a write to a
 * write-protected page until the SIGSEGV handler runs, summed over the pages of `vm_trap`;
 * vm.appel1/vm.appel2, the time per fault of `vm_appel` (protection changes by mprotect(2) in
 * the SIGSEGV handler). vm.fault is L4-only.
 */
/**
 * Untimed warm-up traps of vm_trap and rounds of vm_appel: the first SIGSEGV of a run costs about
 * ten times a warm one (its code, the signal frame's lines and the page tables come from memory),
 * which put 0.7 µs into the quick run's 100-page mean and made it depend on the run's length.
 */
const WARM_TRAPS = 10;
const WARM_APPEL_ROUNDS = { 1: 10, 2: 1 } as const;

registerSuitePart({
  suite: 'vm',
  title: 'virtual-memory operations (Table 5)',
  systems: ['linux'],
  run(system, options) {
    const pages = options.mode === 'full' ? 1000 : 100;
    const run = runGuest(system, `vm_trap ${pages} ${WARM_TRAPS}`, options);
    let cycles = 0;
    const sums = new Float64Array(CYCLE_CATEGORIES.length);
    for (let i = 0; i < pages; i++) {
      const write = run.marks.get(`w${i}`);
      const handler = run.marks.get(`h${i}`);
      if (write === undefined || handler === undefined) throw new Error(`vm_trap: page ${i} did not trap`);
      cycles += handler.cycles - write.cycles;
      CYCLE_CATEGORIES.forEach((_, index) => (sums[index] += handler.categories[index] - write.categories[index]));
    }
    const breakdown: CycleBreakdown = {};
    CYCLE_CATEGORIES.forEach((name, index) => {
      const value = round(sums[index] / pages);
      if (value !== 0) breakdown[name] = value;
    });
    const results: ResultRecord[] = [{ suite: 'vm', system, benchmark: 'vm.trap', unit: 'us', value: round(cycles / pages / run.clockMHz, 2), paper: paperValue(system, 'vm.trap'), breakdown, iterations: pages }];
    for (const [variant, rounds] of [[1, pages], [2, options.mode === 'full' ? 20 : 3]] as const) {
      if (options.cancelled?.()) break;
      const appel = runGuest(system, `vm_appel ${variant} ${rounds} ${options.seed ?? 1991} ${WARM_APPEL_ROUNDS[variant]}`, options);
      const faults = appel.marks.get('stop')!.value;
      const per = between(appel, 'start', 'stop', faults);
      const benchmark = `vm.appel${variant}`;
      results.push({ suite: 'vm', system, benchmark, unit: 'us', value: round(per.cycles / appel.clockMHz, 2), paper: paperValue(system, benchmark), breakdown: per.breakdown, iterations: faults });
    }
    return results;
  },
});
