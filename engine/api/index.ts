/**
 * The one public facade of the engine (DESIGN.md §1): the extension, the command line, notebooks
 * and tests use the simulator only through what this module exports.
 */
import { Machine, type MachineDescription } from '../machine/machine';
import type { PentiumOverrides } from '../machine/pentiumParameters';
import { formatMachineReport, runMachineBenchmark, type MachineReport } from '../bench/machineBench';

export type { MachineDescription } from '../machine/machine';
export type { PentiumOverrides as MachineOverrides } from '../machine/pentiumParameters';
export type { MachineFigure, MachineReport } from '../bench/machineBench';
export type { ParameterRow } from '../base/parameters';
export type { CycleBreakdown, CycleCategory } from '../base/cycleCategory';
export { CATEGORY_LABEL, CYCLE_CATEGORIES } from '../base/cycleCategory';

/**
 * Describes the simulated machine: clock, memory, and every parameter with its unit and source.
 * @param overrides what-if values for parameters of the Pentium table (e.g. `{ clockMHz: 200 }`).
 */
export function describeMachine(overrides: PentiumOverrides = {}): MachineDescription {
  return new Machine({ parameters: overrides }).describe();
}

/**
 * Measures the machine model itself: copy, read and write bandwidth in L1, L2 and DRAM, the cost
 * of a TLB miss and of refilling the TLBs after a CR3 load.
 */
export function benchmarkMachine(overrides: PentiumOverrides = {}): MachineReport {
  return runMachineBenchmark(overrides);
}

/** Plain-text table of a {@link benchmarkMachine} report. */
export function formatMachineBenchmark(report: MachineReport): string {
  return formatMachineReport(report);
}
