import { SeededRandom } from '../base/random';
import { encodeUtf8 } from '../base/text';
import type { Operation } from '../machine/executionContext';
import { AIM_COMPUTE_TESTS, type AimTest } from './aimComputeTests';
import { AIM_DISK_TESTS } from './aimDiskTests';
import { AIM_IPC_TESTS } from './aimIpcTests';
import { AIM_SYSTEM_TESTS } from './aimSystemTests';
import { AIM_COMMON_FILE, AIM_DIR, AIM_FAKEH, AIM_SCRIPT, AimUser, aimDiskBlocks } from './aimUser';
import { AIM_WORKFILE, aimJobCounts, aimJobOrder } from './aimWorkfile';
import { writeFile } from './fileHelpers';
import type { WorkingSetShape } from './hotWorkingSet';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';
import type { GuestProgram } from './runtime';

const KB = 1024;

/*
 * AIM Suite VII's multiuser run (SOSP'97 Figures 8 and 9) with its "Multiuser Shared System Mix"
 * (osdl-aim-7 data/workfile.shared). `aim [-f FRACTION] LOAD` forks LOAD users at once; each runs
 * its jobs — every test of the mix round(hits / 780 x 100) times, in AIM's random order — and
 * exits; the driver waits for them all. The harness marks the run's real time and the jobs done.
 * FRACTION (default AIM_DEFAULT_FRACTION) scales every count inside the tests (see AimUser).
 */

/**
 * The work fraction `aim` runs with when not given one: small, so that a run typed in a terminal
 * ends quickly (whole AIM jobs of every user take hours). The tests' set-up is not scaled, so at
 * this fraction the mix is disk-bound; the `aim` suite runs AIM_WORK_FRACTION (0.1,
 * engine/bench/macro/aimSuite.ts), where it is not.
 */
export const AIM_DEFAULT_FRACTION = 0.01;

/** Every test of the workfile, by name. */
const TESTS: ReadonlyMap<string, AimTest> = new Map([...AIM_COMPUTE_TESTS, ...AIM_SYSTEM_TESTS, ...AIM_DISK_TESTS, ...AIM_IPC_TESTS]);

/** Text pages aim's start-up runs. */
const AIM_STARTUP_TEXT_PAGES = 6;

/** What the compute tests keep re-referencing. */
const AIM_WORKING_SET: WorkingSetShape = {
  codeBytes: MACRO_COSTS.aimHotCodeBytes,
  codePages: MACRO_COSTS.aimHotCodePages,
  dataBytes: MACRO_COSTS.aimHotDataBytes,
  dataPages: MACRO_COSTS.aimHotDataPages,
  dataWritten: MACRO_COSTS.hotDataWritten,
};

/** One user: runs its jobs; the exit status counts the failed ones. */
function* runUser(user: AimUser, only: readonly string[]): Operation<number> {
  let failed = 0;
  for (const name of aimJobOrder(aimJobCounts(MACRO_COSTS.aimJobsPerUser, only), user.random)) {
    if ((yield* TESTS.get(name)!(user)) === 0) continue;
    yield* user.libc.print(2, `aim: user ${user.unit}: ${name} failed\n`);
    failed++;
  }
  return failed;
}

/**
 * The run's files, made before it starts as the driver does (create_fakeh, disk_create_all_files,
 * the scripts): the directory, the shell script, the copy tests' common file for this load, and
 * the directory-search tree.
 */
function* createFiles(libc: Libc, users: number, fraction: number): Operation<number> {
  yield* libc.mkdir(AIM_DIR);
  yield* libc.mkdir(AIM_FAKEH);
  const buffer = yield* libc.malloc(4 * KB);
  const script = encodeUtf8('#!/bin/sh\nls -l > /dev/null\nexit 0\n');
  yield* libc.store(buffer, script);
  if ((yield* writeFile(libc, AIM_SCRIPT, buffer, script.length)) < 0) return 1;
  const blocks = Math.ceil(aimDiskBlocks(users) * fraction) + 1;
  if ((yield* writeFile(libc, AIM_COMMON_FILE, buffer, blocks * MACRO_COSTS.aimDiskBlockBytes)) < 0) return 1;
  const names: string[] = [];
  for (let i = 0; i < MACRO_COSTS.aimDirSearchFiles; i++) {
    names.push(`s h${i}.h`, `c c${i}`);
    if ((yield* writeFile(libc, `${AIM_FAKEH}/h${i}.h`, buffer, 0)) < 0) return 1;
  }
  const list = encodeUtf8(`${names.join('\n')}\n`);
  const listBuffer = yield* libc.malloc(list.length);
  yield* libc.store(listBuffer, list);
  return (yield* writeFile(libc, `${AIM_FAKEH}/dirlist`, listBuffer, list.length)) < 0 ? 1 : 0;
}

/** Parses `[-f FRACTION] LOAD [TEST,...]`; null if malformed. */
function parseArguments(argv: readonly string[]): { load: number; fraction: number; only: string[] } | null {
  const args = argv.slice(1);
  let fraction = AIM_DEFAULT_FRACTION;
  if (args[0] === '-f') {
    fraction = Number(args[1]);
    args.splice(0, 2);
  }
  const load = Number(args[0] ?? '1');
  const only = args[1] === undefined ? [] : args[1].split(',');
  const known = new Set(AIM_WORKFILE.map(([name]) => name));
  if (!Number.isInteger(load) || load < 1 || !(fraction > 0 && fraction <= 1) || only.some((name) => !known.has(name))) return null;
  return { load, fraction, only };
}

/** aim [-f FRACTION] LOAD [TEST,...]: LOAD users run their jobs (or only the tests named) concurrently; marks 'start'/'stop' (value: jobs done). */
const aim: GuestProgram = {
  name: 'aim', textBytes: 96 * KB, dataBytes: 8 * KB, bssBytes: 16 * KB, startup: { textPages: AIM_STARTUP_TEXT_PAGES, dataPages: 2, bssPages: 2 },
  // the arithmetic tests are among the code its start-up runs
  workingSet: { shape: AIM_WORKING_SET, textPages: Array.from({ length: AIM_STARTUP_TEXT_PAGES }, (_, page) => page * 4 * KB) },
  main: function* (libc: Libc, argv: string[]): Operation<number> {
    const args = parseArguments(argv);
    if (args === null) {
      yield* libc.print(2, 'usage: aim [-f FRACTION] LOAD [TEST,...]\n');
      return 2;
    }
    const { load, fraction, only } = args;
    if ((yield* createFiles(libc, load, fraction)) !== 0) return 1;
    // warm-up: one user's jobs first, so that binaries and files are in the caches, as after AIM's own start-up
    if ((yield* runUser(new AimUser(libc, load, load, fraction, new SeededRandom(load + 1)), only)) !== 0) return 1;
    libc.mark('start');
    const users: number[] = [];
    for (let unit = 0; unit < load; unit++) {
      const pid = yield* libc.fork((child) => runUser(new AimUser(child, unit, load, fraction, new SeededRandom(unit + 1)), only));
      if (pid < 0) return 1;
      users.push(pid);
    }
    let failed = 0;
    for (const pid of users) {
      const [done, status] = yield* libc.waitpid(pid);
      if (done !== pid || status !== 0) failed++;
    }
    const jobs = [...aimJobCounts(MACRO_COSTS.aimJobsPerUser, only).values()].reduce((sum, count) => sum + count, 0);
    libc.mark('stop', load * jobs);
    if (failed > 0) yield* libc.print(2, `aim: ${failed} users failed\n`);
    return failed === 0 ? 0 : 1;
  },
};

/** The AIM driver. */
export const AIM_PROGRAMS: readonly GuestProgram[] = [aim];
