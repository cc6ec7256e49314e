import type { CycleBreakdown } from '../base/cycleCategory';

/** System ids of `shared/reference/benchmarks.md`. */
export const SYSTEMS = ['linux', 'l4linux', 'l4linux-trampoline', 'mklinux-kernel', 'mklinux-user', 'l4'] as const;
export type SystemId = (typeof SYSTEMS)[number];

/** The five Linux systems, in the paper's order. */
export const LINUX_SYSTEMS: readonly SystemId[] = ['linux', 'l4linux', 'l4linux-trampoline', 'mklinux-kernel', 'mklinux-user'];

export type ResultUnit = 'us' | 'MB/s' | 'cycles' | 's' | 'jobs/min' | 'ratio';

/**
 * One result (DESIGN.md §6): what the CLI's `--json`, the panels and the notebooks show. The
 * breakdown is cycles per operation by attribution category.
 */
export interface ResultRecord {
  readonly suite: string;
  readonly system: SystemId;
  readonly benchmark: string;
  readonly unit: ResultUnit;
  readonly value: number;
  /** The published value (labs/reference/), or null where the paper gives none. */
  readonly paper: number | null;
  readonly breakdown: CycleBreakdown;
  /** Optional split of a path into a figure's rows (SOSP'97 Figure 5), cycles per operation. */
  readonly phases?: Readonly<Record<string, number>>;
  /** For load-dependent results (AIM): the load. */
  readonly load?: number;
  /** For scaled macro benchmarks (compile): the scale relative to the paper's full size. */
  readonly scale?: number;
  /** Iterations measured (after warm-up). */
  readonly iterations?: number;
}

/** What `l4lab bench SUITE --json` prints. */
export interface SuiteReport {
  readonly suite: string;
  /** The machine's summary; for a what-if run it ends with the overrides (`what-if: l4.ipcShortPathCycles=40`). */
  readonly machine: string;
  readonly results: ResultRecord[];
  /**
   * Every parameter override in effect as `table.name` → value (`machine.clockMHz`,
   * `l4.ipcShortPathCycles`); absent for the paper's configuration.
   */
  readonly overrides?: Readonly<Record<string, number | boolean>>;
}

export function isSystemId(value: string): value is SystemId {
  return (SYSTEMS as readonly string[]).includes(value);
}
