import type { ParameterSpecs, ParameterValue } from '../base/parameters';
import { L4_PARAMETERS, type L4Overrides } from '../l4/l4Parameters';
import { MACH_PARAMETERS, type MachOverrides } from '../mach/machParameters';
import { PENTIUM_PARAMETERS, type PentiumOverrides } from '../machine/pentiumParameters';
import { LINUX_PARAMETERS, type LinuxOverrides } from './core/linuxParameters';
import { L4LINUX_PARAMETERS, type L4LinuxOverrides } from './l4/l4linuxParameters';
import { MKLINUX_PARAMETERS, type MkLinuxOverrides } from './mach/mklinuxParameters';
import { NATIVE_PARAMETERS, type NativeOverrides } from './native/nativeParameters';

/**
 * What-if overrides of the kernels' cost tables, one entry per table, keyed by the prefix a user
 * writes (`--set l4.ipcShortPathCycles=40`). Each system uses the tables of the kernels it is
 * built from and ignores the others: `linux` reads `linux` and `native`; `l4linux` reads `linux`,
 * `l4` and `l4linux`; `mklinux-*` read `linux`, `mach` and `mklinux`; the bare `l4` reads `l4`.
 */
export interface KernelOverrides {
  readonly l4?: L4Overrides;
  readonly linux?: LinuxOverrides;
  readonly native?: NativeOverrides;
  readonly l4linux?: L4LinuxOverrides;
  readonly mach?: MachOverrides;
  readonly mklinux?: MkLinuxOverrides;
}

/** The prefixes of {@link KernelOverrides}, in the order listings show them. */
export const KERNEL_TABLES = ['l4', 'linux', 'native', 'l4linux', 'mach', 'mklinux'] as const;

/** One of {@link KERNEL_TABLES}. */
export type KernelTable = (typeof KERNEL_TABLES)[number];

/** The spec table behind each prefix: the machine's and each kernel's. */
export const PARAMETER_SPECS: Readonly<Record<'machine' | KernelTable, ParameterSpecs>> = {
  machine: PENTIUM_PARAMETERS,
  l4: L4_PARAMETERS,
  linux: LINUX_PARAMETERS,
  native: NATIVE_PARAMETERS,
  l4linux: L4LINUX_PARAMETERS,
  mach: MACH_PARAMETERS,
  mklinux: MKLINUX_PARAMETERS,
};

/**
 * Every override in effect as `table.name` → value (`machine.clockMHz`, `l4.ipcShortPathCycles`),
 * in table order: what results record so that a what-if run is never mistaken for the paper's
 * configuration. A value equal to the published one is no what-if and is left out (the extension
 * passes its machine settings, defaults included), so this is empty for the paper's configuration.
 */
export function qualifiedOverrides(machine: PentiumOverrides = {}, kernels: KernelOverrides = {}): Record<string, ParameterValue> {
  const out: Record<string, ParameterValue> = {};
  const add = (table: 'machine' | KernelTable, overrides: Readonly<Record<string, ParameterValue | undefined>> | undefined) => {
    for (const [name, value] of Object.entries(overrides ?? {})) if (value !== undefined && value !== PARAMETER_SPECS[table][name]?.value) out[`${table}.${name}`] = value;
  };
  add('machine', machine);
  for (const table of KERNEL_TABLES) add(table, kernels[table]);
  return out;
}

/** `l4.ipcShortPathCycles=40, machine.clockMHz=200`. */
function assignments(overrides: Readonly<Record<string, ParameterValue>>): string {
  return Object.entries(overrides).map(([name, value]) => `${name}=${String(value)}`).join(', ');
}

/** `what-if: l4.ipcShortPathCycles=40, machine.clockMHz=200`, or '' when nothing is overridden. */
export function whatIfLabel(overrides: Readonly<Record<string, ParameterValue>>): string {
  return Object.keys(overrides).length === 0 ? '' : `what-if: ${assignments(overrides)}`;
}

/**
 * The line a terminal or report shows above the results of a what-if run (none for the paper's
 * configuration), so that its figures are never read as a reproduction of the paper.
 */
export function whatIfBanner(overrides: Readonly<Record<string, ParameterValue>> | undefined): string[] {
  return overrides === undefined || Object.keys(overrides).length === 0 ? [] : [`WHAT-IF RUN, not the paper's configuration: ${assignments(overrides)}`];
}
