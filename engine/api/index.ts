/**
 * The one public facade of the engine (DESIGN.md §1): the extension, the command line, notebooks
 * and tests use the simulator only through what this module exports.
 */
import { describeMachineParameters, type MachineDescription } from '../machine/machine';
import { isSystemId, type SuiteReport, type SystemId } from '../bench/records';
import { listSuites as listRegisteredSuites, runSuite as runRegisteredSuite } from '../bench/suites';
import type { SuiteOptions } from '../bench/suiteRegistry';
import { reproduce as runReproduction, type Reproduction, type ReproductionOptions } from '../bench/reproduce';
import type { PentiumOverrides } from '../machine/pentiumParameters';
import { formatMachineReport, runMachineBenchmark, type MachineReport } from '../bench/machineBench';

export type { MachineDescription } from '../machine/machine';
export type { PentiumOverrides as MachineOverrides } from '../machine/pentiumParameters';
export type { MachineFigure, MachineReport } from '../bench/machineBench';
export type { ParameterRow, ParameterValue } from '../base/parameters';
export type { KernelOverrides } from '../linux/kernelOverrides';
export { whatIfBanner } from '../linux/kernelOverrides';
export type { ParameterListing, ParameterSettings, ParameterTableInfo, WhatIf } from './parameterCatalog';
/** What-if parameters of every table (machine and kernels): checking, listing, describing. */
export { PARAMETER_TABLES, PUBLISHED, ParameterError, describeWhatIf, listParameters, parseParameterAssignment, resolveParameters } from './parameterCatalog';
export type { MemoryPart, MemoryRequirement } from '../linux/memoryRequirement';
/** How much memory each Linux system needs, from its layout; the error a too-small machine gives. */
export { MemoryTooSmallError, linuxMemoryRequirement } from '../linux/memoryRequirement';
export type { CycleBreakdown, CycleCategory } from '../base/cycleCategory';
export { CATEGORY_LABEL, CYCLE_CATEGORIES } from '../base/cycleCategory';

/**
 * Describes the simulated machine: clock, memory, and every parameter with its unit and source.
 * @param overrides what-if values for parameters of the Pentium table (e.g. `{ clockMHz: 200 }`).
 */
export function describeMachine(overrides: PentiumOverrides = {}): MachineDescription {
  return describeMachineParameters(overrides);
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

export type { ResultRecord, ResultUnit, SuiteReport, SystemId } from '../bench/records';
export type { SuiteOptions } from '../bench/suiteRegistry';
export { LINUX_SYSTEMS, SYSTEMS, isSystemId } from '../bench/records';
export { paperValue } from '../bench/reference';

/** The benchmark suites available, with the systems each runs on. */
export function listSuites(): Array<{ id: string; title: string; systems: SystemId[] }> {
  return listRegisteredSuites();
}

/**
 * Runs a benchmark suite of `benchmarks.md` on some systems (default: all it supports) and
 * returns its result records, each with the paper's value and a cycle breakdown.
 * @throws RangeError for an unknown suite or system.
 */
export function runSuite(suite: string, systems?: readonly string[], options: SuiteOptions = {}): SuiteReport {
  const checked: SystemId[] | undefined = systems?.map((system) => {
    if (!isSystemId(system)) throw new RangeError(`unknown system '${system}'`);
    return system;
  });
  return runRegisteredSuite(suite, checked, options);
}

export type { Reproduction, ReproductionJob, ReproductionOptions } from '../bench/reproduce';
export { REPRODUCTION_SUITES, formatReproduction, markdownReproduction, normalizedSlowdown } from '../bench/reproduce';
/** For hosts that run a reproduction's independent jobs in parallel (engine/host/node/parallelReproduce.ts). */
export { assembleReproduction, reproductionPlan, runReproductionJob } from '../bench/reproduce';

/**
 * Reproduces the paper: runs every available suite of the paper on every system it applies to
 * and returns all result records (each with its suite), plus the suites not built yet.
 */
export function reproduce(options: ReproductionOptions = {}): Reproduction {
  return runReproduction(options);
}

export type { LinuxBootOptions, LinuxRunOutcome } from '../linux/boot';
export { LinuxSystem } from '../linux/boot';
import type { LinuxBootOptions as BootOptions, LinuxSystem as BootedLinux } from '../linux/boot';
import { bootableLinuxSystems, bootLinuxSystem } from '../linux/systems';
export { UnknownSystemError } from '../linux/systems';

/** The Linux systems this engine build can boot. */
export { bootableLinuxSystems };

/**
 * Boots a Linux system on the simulated Pentium (one of {@link bootableLinuxSystems}). The file
 * system holds /bin with the guest programs, /sbin/init, /etc, /tmp and /dev; init runs `sh`
 * with `options.initArgs` (interactive when none). Drive it with `run()` and `type()`; guest
 * output arrives on `machine.console`.
 * @throws UnknownSystemError for a system that cannot be booted yet.
 * @throws MemoryTooSmallError when the machine's memory cannot hold the system's layout.
 */
export function bootSystem(system: string, options: BootOptions = {}): BootedLinux {
  return bootLinuxSystem(system, options);
}

export type { CustomServerLab, CustomServerModule, CustomServerOptions } from './customServer';
/** Runs a custom server (a module exporting `server` and `client` thread bodies) on the simulated L4. */
export { runCustomServer } from './customServer';
export type { L4Api, ThreadId as L4ThreadId, IpcResult as L4IpcResult } from '../l4/guestApi';
