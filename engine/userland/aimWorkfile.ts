import type { SeededRandom } from '../base/random';

/**
 * AIM Suite VII's "Multiuser Shared System Mix" (osdl-aim-7 data/workfile.shared, "Unchanged
 * from AIM", SCCS 1.2 1/22/96): 53 tests and their hits, 780 in all. The hits weight the tests:
 * of every user's jobs, a test gets its share hits / total hits.
 */
export const AIM_WORKFILE: ReadonlyArray<readonly [string, number]> = [
  ['add_double', 30], ['add_float', 30], ['add_int', 30], ['add_long', 30], ['add_short', 30],
  ['array_rtns', 10], ['brk_test', 10], ['creat_clo', 10], ['dgram_pipe', 10], ['dir_rtns_1', 10],
  ['disk_cp', 20], ['disk_rd', 20], ['disk_rr', 20], ['disk_rw', 20], ['disk_src', 20], ['disk_wrt', 20],
  ['div_double', 10], ['div_float', 10], ['div_int', 10], ['div_long', 10], ['div_short', 10],
  ['exec_test', 20], ['fork_test', 10], ['jmp_test', 10], ['link_test', 10], ['matrix_rtns', 10],
  ['mem_rtns_1', 10], ['mem_rtns_2', 10], ['misc_rtns_1', 10],
  ['mul_double', 20], ['mul_float', 20], ['mul_int', 20], ['mul_long', 20], ['mul_short', 20],
  ['new_raph', 10], ['num_rtns_1', 10], ['page_test', 10], ['pipe_cpy', 10], ['ram_copy', 10],
  ['series_1', 10], ['shared_memory', 10], ['shell_rtns_1', 20], ['sieve', 10], ['signal_test', 10],
  ['sort_rtns_1', 10], ['stream_pipe', 10], ['string_rtns', 30], ['sync_disk_cp', 10], ['sync_disk_rw', 10],
  ['sync_disk_wrt', 10], ['tcp_test', 10], ['trig_rtns', 10], ['udp_test', 10],
];

/**
 * How many times each test runs in one user's jobs (osdl-aim-7 src/driver.c runloop): its share
 * hits / total hits of `jobsPerUser`, rounded half up, and at least once. `only` restricts the mix
 * to the tests named (their counts stay those of the whole mix).
 */
export function aimJobCounts(jobsPerUser: number, only: readonly string[] = []): Map<string, number> {
  const total = AIM_WORKFILE.reduce((sum, [, hits]) => sum + hits, 0);
  const counts = new Map<string, number>();
  for (const [name, hits] of AIM_WORKFILE) {
    if (only.length > 0 && !only.includes(name)) continue;
    const share = (hits / total) * jobsPerUser;
    counts.set(name, Math.max(1, Math.floor(share + 0.5)));
  }
  return counts;
}

/**
 * The order in which a user runs its jobs, as AIM's child loop picks them: from the current place
 * in the list of tests with jobs left, step a random number of places (cyclically) and run that
 * test; a test whose jobs are used up leaves the list and the walk restarts at its head.
 */
export function aimJobOrder(counts: ReadonlyMap<string, number>, random: SeededRandom): string[] {
  const left = [...counts].filter(([, count]) => count > 0).map(([name, count]) => ({ name, count }));
  const order: string[] = [];
  const jobs = left.reduce((sum, item) => sum + item.count, 0);
  let at = 0;
  while (order.length < jobs) {
    at = (at + random.below(left.length)) % left.length;
    const item = left[at];
    order.push(item.name);
    item.count--;
    if (item.count === 0) {
      left.splice(at, 1);
      at = 0;
    }
  }
  return order;
}
