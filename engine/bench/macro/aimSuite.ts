import { paperValue } from '../reference';
import { registerSuitePart, type SuiteOptions } from '../suiteRegistry';
import { between, linuxSuiteSystems, round, runGuest } from '../linux/linuxHarness';
import type { ResultRecord, SystemId } from '../records';

/**
 * Simulated loads (users) of the quick and the full run; AIM Suite VII steps its load up the same
 * way, past the point where throughput stops growing. The quick run's top load must get there
 * too, or its maximum measures how well a system overlaps CPU and disk rather than its
 * throughput: at 8 users native Linux still idles 2 % of the time, when every user waits in
 * sync or fsync at once (2.0's wake_up_process preempts only for a counter more than 3 above
 * the running task's, so a woken user may wait for it to block or use up its slice, hundreds of
 * ms: test/probes/aimWakeLatency.ts; L4Linux's reply IPC runs it at once), and its maximum fell
 * below L4Linux's. At 24 users no system idles more than 0.4 %, and the quick
 * maxima are within 1 % of the full run's (up to 64 users), their ratios to native within 0.005.
 */
export const AIM_LOADS = { quick: [1, 4, 24], full: [1, 2, 4, 8, 16, 24, 32, 48, 64] } as const;

/**
 * The work fraction of both runs: every count inside AIM's tests (loops, blocks, processes,
 * syncs) runs this fraction as often (engine/userland/aimUser.ts), since simulating whole AIM
 * jobs — about 80 s of a 133 MHz Pentium per user — for every user of every load would take
 * hours. Jobs per minute are reported as AIM jobs: jobs done times the fraction. The quick run
 * differs only in its loads: at a smaller fraction the tests' unscaled set-up (creat, unlink,
 * sync) would be most of the disk traffic (22-27 requests per AIM job at 0.01 against 6-13 at
 * 0.1) and make the mix disk-bound, which whole AIM jobs are not.
 */
export const AIM_WORK_FRACTION = 0.1;

/** The loads of a run: the mode's list, scaled (at least one user each, duplicates dropped). */
export function aimLoads(options: SuiteOptions): number[] {
  const loads = options.mode === 'full' ? AIM_LOADS.full : AIM_LOADS.quick;
  const scale = options.scale ?? 1;
  return [...new Set(loads.map((load) => Math.max(1, Math.round(load * scale))))];
}

/**
 * Suite `aim` (SOSP'97 Figures 8 and 9): for each load, `aim -f FRACTION LOAD` runs LOAD simulated
 * users of AIM Suite VII's multiuser shared-system mix concurrently; records the run's real time
 * and the AIM jobs completed per minute (breakdown per AIM job), and per system the maximum
 * throughput over the loads.
 */
function runAim(system: SystemId, options: SuiteOptions): ResultRecord[] {
  const loads = aimLoads(options);
  const fraction = AIM_WORK_FRACTION;
  const results: ResultRecord[] = [];
  let best: ResultRecord | null = null;
  loads.forEach((load, index) => {
    if (options.cancelled?.()) return;
    options.progress?.(index / loads.length, `load ${load}`);
    const run = runGuest(system, `aim -f ${fraction} ${load}`, options);
    const jobs = run.marks.get('stop')!.value;
    const { cycles, breakdown } = between(run, 'start', 'stop', 1);
    const seconds = cycles / (run.clockMHz * 1e6);
    const perJob = between(run, 'start', 'stop', jobs * fraction).breakdown;
    const rate: ResultRecord = { suite: 'aim', system, benchmark: 'aim.jobs-per-minute', unit: 'jobs/min', value: round(((jobs * fraction) / seconds) * 60, 2), paper: paperValue(system, 'aim.jobs-per-minute'), breakdown: perJob, load, scale: fraction, iterations: jobs };
    results.push(rate, { suite: 'aim', system, benchmark: 'aim.real-time', unit: 's', value: round(seconds, 4), paper: paperValue(system, 'aim.real-time'), breakdown, load, scale: fraction, iterations: jobs });
    if (best === null || rate.value > best.value) best = rate;
  });
  const top = best as ResultRecord | null;
  if (top !== null) results.push({ ...top, benchmark: 'aim.max-jobs-per-minute', paper: paperValue(system, 'aim.max-jobs-per-minute') });
  return results;
}

registerSuitePart({ suite: 'aim', title: 'AIM Suite VII shared-system mix (Figures 8, 9)', systems: linuxSuiteSystems(), run: runAim });
