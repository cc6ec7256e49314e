/**
 * What a fuzzing run reports (`l4lab fuzz ... --json`): deterministic, so the same options and
 * seed give a byte-identical document. Host time is not part of it.
 */

/** One broken invariant or wrong result, at the operation that revealed it. */
export interface FuzzViolation {
  /** Index of the operation (0-based) after which the check failed. */
  readonly op: number;
  /** What the operation was (its kind and arguments). */
  readonly operation: string;
  readonly message: string;
}

/** The outcome of one fuzzing run. */
export interface FuzzReport {
  readonly fuzzer: 'l4' | 'linux';
  /** The system fuzzed (`l4`, or a Linux system's name). */
  readonly system: string;
  readonly seed: number;
  /** Operations issued. */
  readonly ops: number;
  /** Operations asked for. */
  readonly requestedOps: number;
  readonly violations: FuzzViolation[];
  /** Exceptions that escaped the engine (never a guest's own mistake). */
  readonly engineExceptions: string[];
  /** Operations issued, by kind. */
  readonly kinds: Record<string, number>;
  /** Outcomes worth knowing (errors returned, tasks killed, watchdog revivals...). */
  readonly outcomes: Record<string, number>;
  readonly simulatedCycles: number;
  /** With a failure: the shortest prefix of operations (same seed) that replays it, if one did. */
  readonly shortestFailingPrefix?: number;
}

/** Increments `counts[key]`. */
export function count(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** The same record with its keys sorted (stable JSON). */
export function sortedCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Whether a run found anything. */
export function failed(report: FuzzReport): boolean {
  return report.violations.length + report.engineExceptions.length > 0;
}

/**
 * A failed report with the shortest prefix (in operations) of the same seed that still fails:
 * a binary search between 1 and the operations the run issued, each probe a full replay (runs
 * are deterministic, and a prefix of N operations issues exactly the first N operations of any
 * longer run). Unchanged if the run did not fail, or if no prefix reproduced it.
 */
export function withShortestFailingPrefix(report: FuzzReport, replay: (ops: number) => FuzzReport): FuzzReport {
  if (!failed(report) || !failed(replay(report.ops))) return report;
  let low = 1;
  let high = report.ops;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (failed(replay(middle))) high = middle;
    else low = middle + 1;
  }
  return { ...report, shortestFailingPrefix: high };
}

/** The plain-text summary of a run. */
export function formatFuzzReport(report: FuzzReport): string {
  const lines = [`fuzz ${report.fuzzer} on ${report.system}: ${report.ops} of ${report.requestedOps} operations, seed ${report.seed}, ${report.simulatedCycles} simulated cycles`];
  lines.push(`  kinds: ${Object.entries(report.kinds).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`  outcomes: ${Object.entries(report.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`  violations: ${report.violations.length}, engine exceptions: ${report.engineExceptions.length}`);
  for (const v of report.violations.slice(0, 20)) lines.push(`  VIOLATION after op ${v.op} (${v.operation}): ${v.message}`);
  for (const e of report.engineExceptions.slice(0, 20)) lines.push(`  ENGINE EXCEPTION: ${e}`);
  if (report.violations.length + report.engineExceptions.length > 0) {
    const prefix = report.shortestFailingPrefix;
    lines.push(prefix === undefined ? `  replay: --seed ${report.seed} --ops ${report.requestedOps} (no shorter prefix reproduced it)` : `  replay: --seed ${report.seed} --ops ${prefix} (shortest failing prefix)`);
  }
  return lines.join('\n');
}
