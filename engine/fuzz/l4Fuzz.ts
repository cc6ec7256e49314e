/**
 * `l4lab fuzz l4`: random L4 system calls from several tasks and threads, with the kernel's
 * invariants ({@link checkL4Invariants}) checked after every operation.
 *
 * The world: a bare L4 on a 12 MB machine with the PIT running (preemption, timeouts, device
 * interrupts), sigma0, four fuzzing boot tasks (each starting more threads and sub-tasks of its
 * own), and a supervisor (the root task, the boot loader's stand-in). All draw their operations
 * from one seeded generator, so a seed replays exactly. Threads block, time out, get killed and
 * kill each other's sub-tasks; the supervisor wakes every few simulated milliseconds and recreates
 * a fuzzing task that made no progress or lost all its threads, so the run always goes on.
 */
import { SeededRandom } from '../base/random';
import { GuestError } from '../base/result';
import { checkL4Invariants } from '../l4/invariants';
import { timeoutWord, type GuestEntry, type L4Api } from '../l4/guestApi';
import { L4Kernel } from '../l4/kernel';
import { Machine } from '../machine/machine';
import { count, sortedCounts, withShortestFailingPrefix, type FuzzReport, type FuzzViolation } from './fuzzReport';
import { FUZZ_TASKS, FuzzThrow, pickOperation, prepareMessagePage, type FuzzContext } from './l4FuzzOps';

/** Options of {@link runL4Fuzz}. */
export interface L4FuzzOptions {
  /** Operations to issue. */
  readonly ops: number;
  readonly seed: number;
  /** Scan sigma0's whole space every `deepEvery` operations (default 1000). */
  readonly deepEvery?: number;
  /** Look for the shortest failing prefix after a failure (default true). */
  readonly shrink?: boolean;
}

/** The highest priority (sigma0's), so that no fuzzing thread can starve the supervisor. */
const SUPERVISOR_PRIORITY = 255;
/** The supervisor's period: 3 ms of simulated time. */
const SUPERVISOR_PERIOD_US = 3000;

/**
 * Runs the L4 fuzzer. Stops at the first violated invariant or engine exception and then, with
 * `shrink`, replays shorter prefixes of the same seed to find the shortest that still fails.
 */
export function runL4Fuzz(options: L4FuzzOptions): FuzzReport {
  const report = fuzzOnce(options);
  return options.shrink === false ? report : withShortestFailingPrefix(report, (ops) => fuzzOnce({ ...options, ops }));
}

function fuzzOnce(options: L4FuzzOptions): FuzzReport {
  const requested = Math.max(0, Math.floor(options.ops));
  const deepEvery = options.deepEvery ?? 1000;
  const rng = new SeededRandom(options.seed);
  const kinds: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const violations: FuzzViolation[] = [];
  const engineExceptions: string[] = [];
  const progress = new Map<number, number>();
  let issued = 0;
  let completed = 0;
  let stop = requested === 0;

  const machine = new Machine({ parameters: { memoryMB: 12 }, seed: options.seed });
  let kernel: L4Kernel;

  const check = (op: number, operation: string) => {
    const found = checkL4Invariants(kernel, { deep: op % deepEvery === 0 });
    if (found.length === 0) return;
    for (const message of found.slice(0, 20)) violations.push({ op, operation, message });
    stop = true;
  };

  const worker: GuestEntry = function* fuzzWorker(l4: L4Api) {
    const thread = kernel.tasks[l4.taskNumber]!.threads[l4.lthread]!;
    const context: FuzzContext = {
      l4,
      thread,
      kernel,
      rng,
      worker,
      outcome: (name) => count(outcomes, name),
      violation: (message) => {
        violations.push({ op: issued - 1, operation: 'unmap', message });
        stop = true;
      },
    };
    yield* guard(prepareMessagePage(l4), 'setup');
    while (!stop && issued < requested) {
      const op = issued++;
      const operation = pickOperation(rng);
      count(kinds, operation.name);
      const description = yield* guard(operation.run(context), operation.name);
      completed++;
      progress.set(thread.task.number, (progress.get(thread.task.number) ?? 0) + 1);
      check(op, description);
      if (issued >= requested && completed >= issued) stop = true;
    }
  };

  /** Runs a guest operation; anything but a guest's own error escaping it is an engine exception. */
  function* guard<T>(body: Generator<void, T, void>, what: string): Generator<void, T, void> {
    try {
      return yield* body;
    } catch (error) {
      if (!(error instanceof GuestError)) {
        engineExceptions.push(`${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        stop = true;
      } else if (!(error instanceof FuzzThrow)) count(outcomes, 'guestError');
      throw error;
    }
  }

  const supervisor: GuestEntry = function* fuzzSupervisor(l4: L4Api) {
    let seen = new Map<number, number>();
    let lastCompleted = -1;
    for (;;) {
      yield* l4.ipcReceive(l4.myself, timeoutWord(0, SUPERVISOR_PERIOD_US));
      if (stop) continue;
      if (issued >= requested && completed === lastCompleted) {
        // the last operations are blocked for good: the run is over
        stop = true;
        continue;
      }
      lastCompleted = completed;
      for (const number of FUZZ_TASKS) {
        const task = kernel.tasks[number];
        const alive = task !== null && task.threads.some((t) => t !== null && t.active);
        if (alive && progress.get(number) !== seen.get(number)) continue;
        if (task !== null) kernel.deleteTask(task);
        kernel.createBootTask(number, worker);
        count(outcomes, alive ? 'supervisor.restartedStuckTask' : 'supervisor.restartedDeadTask');
      }
      seen = new Map(progress);
      check(issued, 'supervisor restarts');
    }
  };

  let simulatedCycles = 0;
  try {
    kernel = new L4Kernel(machine, { root: supervisor });
    kernel.scheduler.setPriority(kernel.tasks[4]!.threads[0]!, SUPERVISOR_PRIORITY);
    for (const number of FUZZ_TASKS) kernel.createBootTask(number, worker);
    check(0, 'boot');
    kernel.run(() => stop);
  } catch (error) {
    engineExceptions.push(`kernel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  simulatedCycles = machine.scheduler.now;
  count(outcomes, 'kernel.reports', kernel! ? kernel.reports.length : 0);
  return {
    fuzzer: 'l4',
    system: 'l4',
    seed: options.seed,
    ops: issued,
    requestedOps: requested,
    violations,
    engineExceptions,
    kinds: sortedCounts(kinds),
    outcomes: sortedCounts(outcomes),
    simulatedCycles,
  };
}
