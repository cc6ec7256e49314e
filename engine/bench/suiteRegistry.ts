import type { PentiumOverrides } from '../machine/pentiumParameters';
import type { ResultRecord, SystemId } from './records';

export interface SuiteOptions {
  /** Systems to run on (default: every system the suite supports). */
  readonly systems?: readonly SystemId[];
  /** What-if machine parameters. */
  readonly machine?: PentiumOverrides;
  /** Quick (default) or the paper's full iteration counts. */
  readonly mode?: 'quick' | 'full';
  /** Seed for anything random in the run. */
  readonly seed?: number;
  /** Called with progress in [0, 1] and a label (the system being run). */
  readonly progress?: (fraction: number, label: string) => void;
  /** Polled between units of work: true stops the run (cancellation). */
  readonly cancelled?: () => boolean;
}

/** A benchmark suite of `benchmarks.md`: runs guest programs and returns result records. */
export interface Suite {
  readonly id: string;
  readonly title: string;
  readonly systems: readonly SystemId[];
  run(options: SuiteOptions): ResultRecord[];
}

const suites = new Map<string, Suite>();

/** Called once by each suite module (see `engine/bench/suites.ts`). */
export function registerSuite(suite: Suite): void {
  if (suites.has(suite.id)) throw new Error(`suite ${suite.id} registered twice`);
  suites.set(suite.id, suite);
}

export function findSuite(id: string): Suite | undefined {
  return suites.get(id);
}

export function listSuites(): Suite[] {
  return [...suites.values()];
}
