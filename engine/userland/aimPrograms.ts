import { ACCESS_READ, ACCESS_WRITE } from '../machine/cpu';
import type { Operation } from '../machine/executionContext';
import { MAP_SHARED, O_CREAT, O_RDWR, PROT_READ, PROT_WRITE } from '../linux/core/syscalls';
import { readFile, runProgram, writeFile } from './fileHelpers';
import type { WorkingSetShape } from './hotWorkingSet';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';
import type { GuestProgram } from './runtime';

const KB = 1024;

/*
 * An AIM-Multiuser-style load (AIM Suite VII, SOSP'97 Figures 8 and 9): every simulated user
 * runs one load unit, a fixed mix of jobs exercising the parts of the system the suite does —
 * computation, file I/O, process creation, pipes and shared memory. `aim LOAD` starts LOAD users
 * at once and waits for them all; the harness marks the run's real time and the jobs done.
 */

/** The jobs of one load unit, in order; each returns 0 on success. */
const JOBS: ReadonlyArray<[string, (libc: Libc, unit: number) => Operation<number>]> = [
  ['compute', computeJob],
  ['disk', diskJob],
  ['process', processJob],
  ['pipe', pipeJob],
  ['shared-memory', sharedMemoryJob],
];

/** Text pages aim's start-up runs. */
const AIM_STARTUP_TEXT_PAGES = 6;

/** What the compute job's arithmetic tests keep re-referencing. */
const AIM_WORKING_SET: WorkingSetShape = {
  codeBytes: MACRO_COSTS.aimHotCodeBytes,
  codePages: MACRO_COSTS.aimHotCodePages,
  dataBytes: MACRO_COSTS.aimHotDataBytes,
  dataPages: MACRO_COSTS.aimHotDataPages,
  dataWritten: MACRO_COSTS.hotDataWritten,
};

/** Jobs per load unit (what jobs/minute counts). */
export const AIM_JOBS_PER_UNIT = JOBS.length;

function* computeJob(libc: Libc): Operation<number> {
  yield* libc.compute(Math.round(MACRO_COSTS.aimComputeJob * libc.cpu.p.instruction));
  return 0;
}

/** Writes a file, reads it back, removes it. */
function* diskJob(libc: Libc, unit: number): Operation<number> {
  const path = `/tmp/aim${unit}`;
  const buffer = yield* libc.malloc(4 * KB);
  if ((yield* writeFile(libc, path, buffer, MACRO_COSTS.aimFileBytes)) < 0) return 1;
  const read = yield* readFile(libc, path, buffer);
  yield* libc.unlink(path);
  return read.bytes === MACRO_COSTS.aimFileBytes ? 0 : 1;
}

function* processJob(libc: Libc): Operation<number> {
  return yield* runProgram(libc, '/bin/true', ['true']);
}

/** Blocks back and forth between this process and a child through two pipes. */
function* pipeJob(libc: Libc): Operation<number> {
  const rounds = MACRO_COSTS.aimPipeRounds;
  const block = MACRO_COSTS.aimPipeBlock;
  const [toChildRead, toChildWrite] = yield* libc.pipe();
  const [toParentRead, toParentWrite] = yield* libc.pipe();
  if (toChildRead < 0 || toParentRead < 0) return 1;
  const buffer = yield* libc.malloc(block);
  yield* libc.touch(buffer, block, ACCESS_WRITE);
  const child = yield* libc.fork(function* (c: Libc): Operation<number> {
    for (let i = 0; i < rounds; i++) {
      if ((yield* c.read(toChildRead, buffer, block)) !== block) return 1;
      if ((yield* c.write(toParentWrite, buffer, block)) !== block) return 1;
    }
    return 0;
  });
  if (child < 0) return 1;
  let ok = true;
  for (let i = 0; i < rounds && ok; i++) {
    ok = (yield* libc.write(toChildWrite, buffer, block)) === block && (yield* libc.read(toParentRead, buffer, block)) === block;
  }
  for (const fd of [toChildRead, toChildWrite, toParentRead, toParentWrite]) yield* libc.close(fd);
  const [, status] = yield* libc.waitpid(child);
  return ok && status === 0 ? 0 : 1;
}

/** A child writes a word into every page of a shared file mapping; the parent checks them. */
function* sharedMemoryJob(libc: Libc, unit: number): Operation<number> {
  const bytes = MACRO_COSTS.aimSharedBytes;
  const path = `/tmp/aimshm${unit}`;
  const buffer = yield* libc.malloc(4 * KB);
  if ((yield* writeFile(libc, path, buffer, bytes)) < 0) return 1;
  const fd = yield* libc.open(path, O_RDWR | O_CREAT);
  const region = yield* libc.mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  yield* libc.close(fd);
  yield* libc.unlink(path);
  if (region < 0) return 1;
  const child = yield* libc.fork(function* (c: Libc): Operation<number> {
    for (let offset = 0; offset < bytes; offset += 4 * KB) yield* c.storeWords(region + offset, [unit + offset]);
    return 0;
  });
  if (child < 0) return 1;
  yield* libc.waitpid(child);
  let ok = true;
  for (let offset = 0; offset < bytes; offset += 4 * KB) {
    yield* libc.touch(region + offset, 4, ACCESS_READ);
    ok = ok && (yield* libc.loadWord(region + offset)) === unit + offset;
  }
  yield* libc.munmap(region, bytes);
  return ok ? 0 : 1;
}

/** One simulated user: runs the load unit's jobs; the exit status counts the failed ones. */
function* loadUnit(libc: Libc, unit: number, only: readonly string[]): Operation<number> {
  let failed = 0;
  for (const [name, job] of JOBS) {
    if (only.length > 0 && !only.includes(name)) continue;
    if ((yield* job(libc, unit)) === 0) continue;
    yield* libc.print(2, `aim: user ${unit}: job ${name} failed\n`);
    failed++;
  }
  return failed;
}

/** aim LOAD [JOB,...]: LOAD users run one load unit each (or only the jobs named), concurrently; marks 'start'/'stop' (value: jobs done). */
const aim: GuestProgram = {
  name: 'aim', textBytes: 96 * KB, dataBytes: 8 * KB, bssBytes: 16 * KB, startup: { textPages: AIM_STARTUP_TEXT_PAGES, dataPages: 2, bssPages: 2 },
  // the arithmetic tests are among the code its start-up runs
  workingSet: { shape: AIM_WORKING_SET, textPages: Array.from({ length: AIM_STARTUP_TEXT_PAGES }, (_, page) => page * 4 * KB) },
  main: function* (libc: Libc, argv: string[]): Operation<number> {
    const load = Number(argv[1] ?? '1');
    const only = argv[2] === undefined ? [] : argv[2].split(',');
    if (!Number.isInteger(load) || load < 1) {
      yield* libc.print(2, 'usage: aim LOAD [JOB,...]\n');
      return 2;
    }
    // warm-up: one load unit first, so that binaries and files are in the caches, as after AIM's own start-up
    if ((yield* loadUnit(libc, load, only)) !== 0) return 1;
    libc.mark('start');
    const users: number[] = [];
    for (let unit = 0; unit < load; unit++) {
      const pid = yield* libc.fork((child) => loadUnit(child, unit, only));
      if (pid < 0) return 1;
      users.push(pid);
    }
    let failed = 0;
    for (const pid of users) {
      const [done, status] = yield* libc.waitpid(pid);
      if (done !== pid || status !== 0) failed++;
    }
    libc.mark('stop', load * (only.length > 0 ? JOBS.filter(([name]) => only.includes(name)).length : AIM_JOBS_PER_UNIT));
    if (failed > 0) yield* libc.print(2, `aim: ${failed} users failed\n`);
    return failed === 0 ? 0 : 1;
  },
};

/** The AIM-style load driver. */
export const AIM_PROGRAMS: readonly GuestProgram[] = [aim];
