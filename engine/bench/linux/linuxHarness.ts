import { CYCLE_CATEGORIES, type CycleBreakdown } from '../../base/cycleCategory';
import type { LinuxBootOptions } from '../../linux/boot';
import { bootableLinuxSystems, bootLinuxSystem } from '../../linux/systems';
import type { SystemId } from '../records';
import type { SuiteOptions } from '../suiteRegistry';

/** A harness mark: simulated time, the cycle accounting at that moment, and the program's value. */
export interface Mark {
  readonly cycles: number;
  readonly categories: Float64Array;
  /** Cycles per phase so far (CycleAccounting.setPhase, e.g. the rows of SOSP'97 Figure 5). */
  readonly phases: Readonly<Record<string, number>>;
  readonly value: number;
}

export interface GuestRun {
  readonly marks: Map<string, Mark>;
  readonly clockMHz: number;
  readonly output: string;
}

/**
 * Boots the Linux system `system`, runs `command` through `sh -c` as init's child, and collects the
 * benchmark program's marks (start/stop, overhead-start/overhead-stop...). Throws if the guest
 * fails, so a broken benchmark never yields a number.
 */
export function runGuest(
  system: string,
  command: string,
  options: SuiteOptions,
  boot: LinuxBootOptions = {},
  maxSeconds = 600,
  onMark?: (label: string) => void,
): GuestRun {
  const booted = bootLinuxSystem(system, { ...options.kernels, parameters: options.machine, seed: options.seed, smallSpaces: options.smallSpaces, ...boot, initArgs: ['sh', '-c', command] });
  const marks = new Map<string, Mark>();
  const accounting = booted.machine.accounting;
  booted.runtime.onMark = (label, value) => {
    marks.set(label, { cycles: booted.machine.scheduler.now, categories: accounting.byCategory.slice(), phases: accounting.phaseTotals(), value });
    onMark?.(label);
  };
  const outcome = booted.run(maxSeconds * booted.machine.parameters.clockMHz * 1e6, () => options.cancelled?.() ?? false);
  if (outcome === 'failed') throw booted.failure instanceof Error ? booted.failure : new Error(String(booted.failure));
  if (outcome !== 'halted' || booted.exitStatus !== 0) {
    throw new Error(`'${command}' did not complete (${outcome}, status ${booted.exitStatus}): ${booted.machine.console.output().slice(-400)}`);
  }
  return { marks, clockMHz: booted.machine.parameters.clockMHz, output: booted.machine.console.output() };
}

/**
 * Bytes bw_pipe moves in a quick run. Native Linux starts in one of 2.0's two scheduler modes for
 * a pipe (every switch a sleep) and after about 80 ms of the transfer settles in the other (a
 * wake-up preempts the waker when its counter leads by more than 3; half the switches need no
 * sleep): 43.7 MB/s before, 45.8 after. 4 MB (90 ms) measured the first, 44.0 MB/s against the
 * full run's 45.7; 16 MB gives 45.4. The other systems move by less than 0.3 %.
 */
export const QUICK_BW_PIPE_BYTES = 16 << 20;

/** Cycles and per-category breakdown between two marks, divided by `per`. */
export function between(run: GuestRun, from: string, to: string, per: number): { cycles: number; breakdown: CycleBreakdown } {
  const a = run.marks.get(from);
  const b = run.marks.get(to);
  if (a === undefined || b === undefined) throw new Error(`missing marks ${from}/${to}`);
  const breakdown: CycleBreakdown = {};
  CYCLE_CATEGORIES.forEach((name, index) => {
    const value = round((b.categories[index] - a.categories[index]) / per);
    if (value !== 0) breakdown[name] = value;
  });
  return { cycles: (b.cycles - a.cycles) / per, breakdown };
}

/** Cycles per phase between two marks, divided by `per`; undefined when no phase was set. */
export function phasesBetween(run: GuestRun, from: string, to: string, per: number): Record<string, number> | undefined {
  const a = run.marks.get(from);
  const b = run.marks.get(to);
  if (a === undefined || b === undefined) throw new Error(`missing marks ${from}/${to}`);
  const names = Object.keys(b.phases);
  if (names.length === 0) return undefined;
  return Object.fromEntries(names.map((name) => [name, round((b.phases[name] - (a.phases[name] ?? 0)) / per)]));
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** MB/s as lmbench reports it (MB = 2^20 bytes). */
export function megabytesPerSecond(bytes: number, cycles: number, clockMHz: number): number {
  return bytes / (1 << 20) / (cycles / (clockMHz * 1e6));
}

/** The Linux systems the Linux suites run on: every bootable one. */
export function linuxSuiteSystems(): SystemId[] {
  return bootableLinuxSystems() as SystemId[];
}
