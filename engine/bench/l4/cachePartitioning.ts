import { fpage, SEND_SHORT_MAP, timeoutWord, type IpcResult, type L4Api } from '../../l4/guestApi';
import { MACRO_COSTS } from '../../userland/macroParameters';
import type { ResultRecord } from '../records';
import { paperValue } from '../reference';
import { registerSuitePart, type SuiteOptions } from '../suiteRegistry';
import { breakdownPerOperation, L4BenchSystem, type Measurement } from './l4System';

/*
 * Experiment `cache-partitioning` (SOSP'97 §6.3): a 64×64 double matrix multiplication (A and
 * B, 64 KB, read; C written) is interrupted every 100 µs by a higher-priority load that touches
 * a line in every page of a 256 KB region, i.e. in every colour of the direct-mapped 256 KB L2.
 * Both tasks are paged by one user-level pager that takes physical frames from sigma0 (virtual
 * = physical there). Without colouring it hands out frames in order, so the load's region covers
 * every colour the matrix uses; with colouring it gives the matrix task only frames of
 * {@link MATRIX_COLOURS} colours and the load only frames of the others. Worst case of several
 * runs, in µs.
 */
const PAGE = 4096;
const N = 64;
const MATRIX_A = 0x00400000;
const MATRIX_B = MATRIX_A + N * N * 8;
const MATRIX_C = MATRIX_B + N * N * 8;
const LOAD_REGION = 0x00800000;
const LOAD_PAGES = 64;
const CODE = 0x00e00000;
/** Physical frames the pager hands out (above sigma0's 8 MB base). */
const FRAME_POOL = 0x02000000;
/** L2 colours: 256 KB direct-mapped / 4 KB pages. */
const COLOURS = 64;
/** Colours reserved for the matrix task (benchmarks.md: 3 of the 64). */
export const MATRIX_COLOURS = 3;
/** Period of the interrupting load (SOSP'97 §6.3: every 100 µs). */
const LOAD_PERIOD_US = 100;
const MATRIX_TASK = 20;

/** The pager: a frame per faulting page, coloured by task or in order. */
function colouringPager(coloured: boolean) {
  return function* (l4: L4Api): Generator<void, void, void> {
    yield* l4.userImage(CODE + 0x10500, CODE + 0x16000);
    const next = new Map<string, number>();
    const frames = new Map<string, number>();
    let sequential = 0;
    const frameFor = (task: number, page: number): number => {
      const key = `${task}:${page}`;
      const known = frames.get(key);
      if (known !== undefined) return known;
      let index: number;
      if (!coloured) index = sequential++;
      else {
        const matrix = task === MATRIX_TASK;
        const count = next.get(String(matrix)) ?? 0;
        next.set(String(matrix), count + 1);
        const width = matrix ? MATRIX_COLOURS : COLOURS - MATRIX_COLOURS;
        const colour = (matrix ? 0 : MATRIX_COLOURS) + (count % width);
        index = Math.floor(count / width) * COLOURS + colour;
      }
      const frame = FRAME_POOL + index * PAGE;
      frames.set(key, frame);
      return frame;
    };
    let request: IpcResult = yield* l4.ipcWait();
    for (;;) {
      const address = (request.w0 & 0xfffff000) >>> 0;
      const frame = frameFor(request.sourceLow >>> 17 & 0x7ff, address >>> 12);
      yield* l4.touch(frame, 4, false);
      request = yield* l4.ipcReplyAndWait({ low: request.sourceLow, high: request.sourceHigh }, address, fpage(frame, 12, true), 0, { send: SEND_SHORT_MAP });
    }
  };
}

/** The interrupting load: every 100 µs, one line in each page of its region (a new line each time). */
function* thrashingLoad(l4: L4Api): Generator<void, void, void> {
  yield* l4.userImage(CODE + 0x30500, CODE + 0x36000);
  const period = timeoutWord(0, LOAD_PERIOD_US);
  for (let round = 0; ; round++) {
    yield* l4.ipcWait(period);
    const line = (round * 32) % PAGE;
    for (let page = 0; page < LOAD_PAGES; page++) yield* l4.touch(LOAD_REGION + page * PAGE + line, 4, true);
  }
}

/** C = A × B, element by element, reading A by rows and B by columns. */
function* multiply(l4: L4Api): Generator<void, void, void> {
  const work = MACRO_COSTS.matmulInnerInstructions;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      for (let k = 0; k < N; k++) {
        yield* l4.touch(MATRIX_A + (i * N + k) * 8, 8, false);
        yield* l4.touch(MATRIX_B + (k * N + j) * 8, 8, false);
        yield* l4.compute(work);
      }
      yield* l4.touch(MATRIX_C + (i * N + j) * 8, 8, true);
    }
  }
}

/** Runs the multiplication `runs` times (after one warm-up run) and returns the slowest run. */
function worstCase(options: SuiteOptions, coloured: boolean, load: boolean): { cycles: number; measurement: Measurement; system: L4BenchSystem } {
  const runs = options.mode === 'full' ? 10 : 2;
  const system = new L4BenchSystem(options.machine);
  const pagerThread = system.kernel.createBootTask(10, colouringPager(coloured));
  if (load) system.kernel.createBootTask(30, thrashingLoad, { pager: pagerThread, priority: system.kernel.p.defaultPriority + 10 });
  let worst: Measurement | null = null;
  system.kernel.createBootTask(MATRIX_TASK, function* (l4: L4Api) {
    yield* l4.userImage(CODE + 0x20500, CODE + 0x26000);
    for (const base of [MATRIX_A, MATRIX_B, MATRIX_C]) yield* l4.touch(base, N * N * 8, true);
    yield* multiply(l4);
    for (let run = 0; run < runs; run++) {
      const accounting = system.machine.accounting;
      const m: Measurement = { start: l4.now(), end: 0, startBreakdown: accounting.breakdown(), endBreakdown: {}, operations: 1 };
      yield* multiply(l4);
      m.end = l4.now();
      m.endBreakdown = accounting.breakdown();
      if (worst === null || m.end - m.start > worst.end - worst.start) worst = m;
    }
    system.begin();
    system.end(1);
  }, { pager: pagerThread });
  system.run();
  const measurement = worst as Measurement | null;
  if (measurement === null) throw new Error('cache-partitioning: no run finished');
  return { cycles: measurement.end - measurement.start, measurement, system };
}

function record(benchmark: string, options: SuiteOptions, coloured: boolean, load: boolean): ResultRecord {
  const { cycles, measurement, system } = worstCase(options, coloured, load);
  const value = Math.round(system.machine.cyclesToMicroseconds(cycles));
  return { suite: 'cache-partitioning', system: 'l4', benchmark, unit: 'us', value, paper: paperValue('l4', benchmark), breakdown: breakdownPerOperation(measurement), iterations: options.mode === 'full' ? 10 : 2 };
}

registerSuitePart({
  suite: 'cache-partitioning',
  title: 'cache partitioning by a colouring user-level pager (§6.3)',
  systems: ['l4'],
  run(_system, options) {
    const steps: Array<[string, boolean, boolean]> = [
      ['cache-partitioning.alone', false, false],
      ['cache-partitioning.worst', false, true],
      ['cache-partitioning.worst-coloured', true, true],
    ];
    return steps.map(([benchmark, coloured, load], index) => {
      options.progress?.(index / steps.length, benchmark);
      return record(benchmark, options, coloured, load);
    });
  },
});
