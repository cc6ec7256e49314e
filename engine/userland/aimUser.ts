import type { SeededRandom } from '../base/random';
import type { Operation } from '../machine/executionContext';
import { runProgram } from './fileHelpers';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';

/** Where the AIM run keeps its files: the DISKDIR of reaim.config, one per run. */
export const AIM_DIR = '/tmp/aim';

/** The shell script shell_rtns_1 and exec_test run (osdl-aim-7 scripts/true, a copy of aim_1.sh). */
export const AIM_SCRIPT = `${AIM_DIR}/aim_1.sh`;

/** The common source file of the copy tests (suite.h TMPFILE1). */
export const AIM_COMMON_FILE = `${AIM_DIR}/tmpa.common`;

/** The directory-search tree of disk_src (the driver's create_fakeh). */
export const AIM_FAKEH = `${AIM_DIR}/fakeh`;

/**
 * disk_iteration_count of a run with `users` users (osdl-aim-7 src/driver.c multiuser):
 * FILESIZE + POOLSIZE / users, in 1 KB blocks (NBUFSIZE).
 */
export function aimDiskBlocks(users: number): number {
  return MACRO_COSTS.aimFileSizeBlocks + Math.floor(MACRO_COSTS.aimPoolSizeBlocks / users);
}

/**
 * One simulated AIM user (a child of the driver) while it runs its jobs: its C library, its
 * random numbers (aim_rand, seeded per user as AIM seeds with the pid), and the work fraction of
 * the run. Every count of a test (loop iterations, blocks, processes, syncs) runs `fraction` times
 * as often as in AIM, rounded up or down at random so that its expected number is exact; the
 * tests' set-up (creating, opening and closing their files, sockets and pipes) is not scaled.
 */
export class AimUser {
  /** The next entry of the transfer-size table of pipe_test.c (its static `count`). */
  sizeIndex = 0;

  constructor(
    readonly libc: Libc,
    readonly unit: number,
    readonly users: number,
    readonly fraction: number,
    readonly random: SeededRandom,
  ) {}

  /** `count` scaled by the run's work fraction: its integer part, plus one with the probability of its fraction. */
  scaled(count: number): number {
    const exact = count * this.fraction;
    const whole = Math.floor(exact);
    return whole + (this.random.next() < exact - whole ? 1 : 0);
  }

  /** User computation of `cycles` cycles, scaled by the run's work fraction. */
  *compute(cycles: number): Operation<void> {
    const scaled = Math.round(cycles * this.fraction);
    if (scaled > 0) yield* this.libc.compute(scaled);
  }

  /** A file name private to this user. */
  path(name: string): string {
    return `${AIM_DIR}/${name}${this.unit}`;
  }

  /** disk_iteration_count of this run, in blocks. */
  diskBlocks(): number {
    return aimDiskBlocks(this.users);
  }

  /**
   * DO_SYNC of disk1.c: system("sync") (fork, exec /bin/sh -c sync, which runs sync), which
   * unmodified AIM does around its disk tests; scaled like every other count.
   */
  *doSync(): Operation<number> {
    if (this.scaled(1) === 0) return 0;
    return yield* runProgram(this.libc, '/bin/sh', ['sh', '-c', 'sync']);
  }
}
