import { describeMachineParameters } from '../machine/machine';
import type { PentiumOverrides } from '../machine/pentiumParameters';
import { qualifiedOverrides, whatIfLabel, type KernelOverrides } from '../linux/kernelOverrides';
import { SYSTEMS, type ResultRecord, type SuiteReport, type SystemId } from './records';

export interface SuiteOptions {
  /** What-if machine parameters. */
  readonly machine?: PentiumOverrides;
  /** What-if kernel parameters (each system reads the tables of its kernels). */
  readonly kernels?: KernelOverrides;
  /** Quick (default) or the paper's full iteration counts. */
  readonly mode?: 'quick' | 'full';
  /** Size of the macro benchmarks relative to the paper's (compile, aim); default per mode. */
  readonly scale?: number;
  /** Seed for anything random in the run. */
  readonly seed?: number;
  /** What-if of the L4-based Linux systems: the server in an L4 small address space (default true, the paper's). */
  readonly smallSpaces?: boolean;
  /** Called with progress in [0, 1] of this part and a label. */
  readonly progress?: (fraction: number, label: string) => void;
  /** Polled between units of work: true stops the run (cancellation). */
  readonly cancelled?: () => boolean;
}

/**
 * The part of a suite of `benchmarks.md` that one kernel contributes: e.g. suite `pipe` gets
 * row (1) from the Linux personality on `linux`, rows (2)-(4) from the L4 engine on `l4`.
 * A part runs guest programs on a freshly booted system and returns result records.
 */
export interface SuitePart {
  readonly suite: string;
  readonly title: string;
  readonly systems: readonly SystemId[];
  run(system: SystemId, options: SuiteOptions): ResultRecord[];
}

const parts: SuitePart[] = [];

/** Called once by each suite module (imported from `engine/bench/suites.ts`). */
export function registerSuitePart(part: SuitePart): void {
  if (parts.some((p) => p.suite === part.suite && p.systems.some((s) => part.systems.includes(s)))) {
    throw new Error(`suite ${part.suite} registered twice for a system`);
  }
  parts.push(part);
}

/** Suite ids with the systems each supports. */
export function listSuites(): Array<{ id: string; title: string; systems: SystemId[] }> {
  const byId = new Map<string, { id: string; title: string; systems: SystemId[] }>();
  for (const part of parts) {
    const entry = byId.get(part.suite) ?? { id: part.suite, title: part.title, systems: [] };
    entry.systems.push(...part.systems);
    byId.set(part.suite, entry);
  }
  for (const entry of byId.values()) entry.systems.sort((a, b) => SYSTEMS.indexOf(a) - SYSTEMS.indexOf(b));
  return [...byId.values()];
}

/**
 * Runs suite `id` on `systems` (default: all it supports), in the order of {@link SYSTEMS}.
 * Throws a RangeError for an unknown suite or a system the suite does not support.
 */
export function runSuite(id: string, systems: readonly SystemId[] | undefined, options: SuiteOptions = {}): SuiteReport {
  const suiteParts = parts.filter((p) => p.suite === id);
  if (suiteParts.length === 0) throw new RangeError(`unknown suite '${id}' (known: ${listSuites().map((s) => s.id).join(', ') || 'none'})`);
  const supported = suiteParts.flatMap((p) => p.systems);
  const wanted = systems ?? supported;
  for (const system of wanted) if (!supported.includes(system)) throw new RangeError(`suite '${id}' does not run on '${system}' (it runs on ${supported.join(', ')})`);
  const ordered = SYSTEMS.filter((s) => wanted.includes(s));
  const results: ResultRecord[] = [];
  ordered.forEach((system, index) => {
    if (options.cancelled?.()) return;
    const part = suiteParts.find((p) => p.systems.includes(system));
    if (part === undefined) return;
    const progress = (fraction: number, label: string) => options.progress?.((index + fraction) / ordered.length, `${system}: ${label}`);
    progress(0, 'booting');
    results.push(...part.run(system, { ...options, progress }));
    progress(1, 'done');
  });
  const whatIf = options.smallSpaces === false ? ', L4 small spaces off (what-if)' : '';
  const overrides = qualifiedOverrides(options.machine, options.kernels);
  const label = whatIfLabel(overrides);
  const machine = describeMachineParameters(options.machine).summary + whatIf + (label === '' ? '' : `, ${label}`);
  return { suite: id, machine, results, ...(label === '' ? {} : { overrides }) };
}
