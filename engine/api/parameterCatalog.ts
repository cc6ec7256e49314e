/**
 * Every parameter table a user can change in a what-if (DESIGN.md §2: every cost is a named
 * parameter with a unit and a source): the machine and the kernels' cost tables, each under the
 * prefix a user writes (`l4.ipcShortPathCycles`, `mach.msgPathCycles`; machine parameters also
 * without a prefix). Names and values are checked here, before anything boots, so that a typo
 * or an impossible value is a clear error naming the valid choices rather than a failure deep
 * in a run.
 */
import type { ParameterRow, ParameterSpec, ParameterSpecs, ParameterValue } from '../base/parameters';
import { PARAMETER_SPECS, qualifiedOverrides, whatIfLabel, type KernelOverrides, type KernelTable } from '../linux/kernelOverrides';
import type { PentiumOverrides } from '../machine/pentiumParameters';

/** What-if settings as a user writes them: `table.name` (or a bare machine name) → value. */
export type ParameterSettings = Readonly<Record<string, ParameterValue>>;

/** One table of the catalog. */
export interface ParameterTableInfo {
  /** The prefix of its names (`l4` in `l4.ipcShortPathCycles`). */
  readonly prefix: 'machine' | KernelTable;
  /** Other prefixes accepted for it (the table's internal name). */
  readonly aliases: readonly string[];
  readonly title: string;
  /** The systems whose runs read it. */
  readonly usedBy: string;
  /** Where it is declared. */
  readonly file: string;
  readonly specs: ParameterSpecs;
}

/** The tables, in the order `l4lab parameters` lists them. */
export const PARAMETER_TABLES: readonly ParameterTableInfo[] = [
  { prefix: 'machine', aliases: [], title: 'the simulated Pentium', usedBy: 'every system', file: 'engine/machine/pentiumParameters.ts', specs: PARAMETER_SPECS.machine },
  { prefix: 'l4', aliases: [], title: 'the L4 µ-kernel', usedBy: 'l4, l4linux, l4linux-trampoline, custom servers', file: 'engine/l4/l4Parameters.ts', specs: PARAMETER_SPECS.l4 },
  { prefix: 'linux', aliases: [], title: 'the Linux 2.0 personality', usedBy: 'every Linux system', file: 'engine/linux/core/linuxParameters.ts', specs: PARAMETER_SPECS.linux },
  { prefix: 'native', aliases: ['linuxNative'], title: 'native Linux (entry.S, context switch)', usedBy: 'linux', file: 'engine/linux/native/nativeParameters.ts', specs: PARAMETER_SPECS.native },
  { prefix: 'l4linux', aliases: [], title: 'the L4Linux server glue', usedBy: 'l4linux, l4linux-trampoline', file: 'engine/linux/l4/l4linuxParameters.ts', specs: PARAMETER_SPECS.l4linux },
  { prefix: 'mach', aliases: [], title: 'the Mach 3 µ-kernel', usedBy: 'mklinux-kernel, mklinux-user', file: 'engine/mach/machParameters.ts', specs: PARAMETER_SPECS.mach },
  { prefix: 'mklinux', aliases: [], title: 'the MkLinux server', usedBy: 'mklinux-kernel, mklinux-user', file: 'engine/linux/mach/mklinuxParameters.ts', specs: PARAMETER_SPECS.mklinux },
];

/** A bad what-if name or value; the message names the valid choices or range. */
export class ParameterError extends RangeError {
  override name = 'ParameterError';
}

/** What-if settings checked and split by table: what boots, suites and custom servers take. */
export interface WhatIf {
  readonly machine: PentiumOverrides;
  readonly kernels: KernelOverrides;
  /** Every override as `table.name` → value (empty for the paper's configuration). */
  readonly overrides: Readonly<Record<string, ParameterValue>>;
}

/** The paper's configuration: nothing overridden. */
export const PUBLISHED: WhatIf = { machine: {}, kernels: {}, overrides: {} };

/** Edit distance of two names, case-insensitive (for "did you mean"). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[y.length]!;
}

/** The candidate nearest to `name`, if it is near enough to be a typo or a shortened name. */
function nearest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const containing = lower.length >= 4 ? candidates.filter((candidate) => candidate.toLowerCase().includes(lower)) : [];
  if (containing.length > 0) return containing.reduce((a, b) => (b.length < a.length ? b : a));
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function tableOf(prefix: string): ParameterTableInfo | undefined {
  return PARAMETER_TABLES.find((table) => table.prefix === prefix || table.aliases.includes(prefix));
}

/** `[table, parameter]` named by `name` (`l4.ipcShortPathCycles`, `machine.l2KB`, or bare `l2KB`). */
function locate(name: string): [ParameterTableInfo, string] {
  const dot = name.indexOf('.');
  const prefixes = PARAMETER_TABLES.map((table) => table.prefix);
  if (dot < 0) {
    const machine = PARAMETER_TABLES[0]!;
    if (Object.hasOwn(machine.specs, name)) return [machine, name];
    const owners = PARAMETER_TABLES.filter((table) => Object.hasOwn(table.specs, name)).map((table) => `${table.prefix}.${name}`);
    const hint = owners.length > 0 ? `: kernel parameters take their table's prefix, did you mean ${owners.join(' or ')}?` : suggestion(name, machine);
    throw new ParameterError(`unknown parameter '${name}' (a bare name is a machine parameter; tables: ${prefixes.join(', ')})${hint}`);
  }
  const prefix = name.slice(0, dot);
  const parameter = name.slice(dot + 1);
  const table = tableOf(prefix);
  if (table === undefined) {
    const near = nearest(prefix, prefixes);
    throw new ParameterError(`unknown parameter table '${prefix}' in '${name}' (tables: ${prefixes.join(', ')})${near ? `; did you mean '${near}.${parameter}'?` : ''}`);
  }
  if (!Object.hasOwn(table.specs, parameter)) {
    const elsewhere = PARAMETER_TABLES.filter((other) => other !== table && Object.hasOwn(other.specs, parameter)).map((other) => `${other.prefix}.${parameter}`);
    const hint = elsewhere.length > 0 ? `; it is in another table: ${elsewhere.join(', ')}` : suggestion(parameter, table);
    throw new ParameterError(`table '${table.prefix}' has no parameter '${parameter}'${hint} ('l4lab parameters --table ${table.prefix}' lists them)`);
  }
  return [table, parameter];
}

function suggestion(name: string, table: ParameterTableInfo): string {
  const near = nearest(name, Object.keys(table.specs));
  return near === undefined ? '' : `; did you mean '${table.prefix === 'machine' ? near : `${table.prefix}.${near}`}'?`;
}

/** The range a number of `spec` may take: its declared one, else any value ≥ 0 (no cost, count or size is negative). */
function range(spec: ParameterSpec): { min: number; max: number } {
  return { min: spec.min ?? 0, max: spec.max ?? Number.POSITIVE_INFINITY };
}

/** Checks `value` against `spec`; throws a {@link ParameterError} saying what `qualified` accepts. */
function checkValue(qualified: string, spec: ParameterSpec, value: unknown): ParameterValue {
  if (typeof spec.value === 'boolean') {
    if (typeof value !== 'boolean') throw new ParameterError(`${qualified} is a switch (${spec.description}): it takes true or false, not ${JSON.stringify(value)}`);
    return value;
  }
  const { min, max } = range(spec);
  const allowed = max === Number.POSITIVE_INFINITY ? `${qualified} ≥ ${min} ${spec.unit}` : `${min} ≤ ${qualified} ≤ ${max} ${spec.unit}`;
  if (typeof value !== 'number') throw new ParameterError(`${qualified} takes a number (${spec.unit}: ${spec.description}), not ${JSON.stringify(value)}; allowed: ${allowed}`);
  if (!Number.isFinite(value) || value < min || value > max) throw new ParameterError(`${qualified} = ${value} is out of range; allowed: ${allowed} (published: ${spec.value})`);
  return value;
}

/**
 * Checks what-if settings and splits them by table. Names are `table.name` with a table of
 * {@link PARAMETER_TABLES} (`machine.` may be left out); values must have the parameter's type
 * and lie in its range. `{}` is the paper's configuration.
 * @throws ParameterError naming the valid tables, the nearest name or the allowed range.
 */
export function resolveParameters(settings: ParameterSettings): WhatIf {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) throw new ParameterError(`parameters are an object of 'table.name': value pairs, e.g. { 'l4.ipcShortPathCycles': 40 }, not ${JSON.stringify(settings)}`);
  const tables: Record<string, Record<string, ParameterValue>> = {};
  for (const [name, value] of Object.entries(settings)) {
    const [table, parameter] = locate(name);
    const qualified = `${table.prefix}.${parameter}`;
    (tables[table.prefix] ??= {})[parameter] = checkValue(qualified, table.specs[parameter]!, value);
  }
  const { machine = {}, ...kernels } = tables;
  return { machine: machine as PentiumOverrides, kernels: kernels as KernelOverrides, overrides: qualifiedOverrides(machine as PentiumOverrides, kernels as KernelOverrides) };
}

/**
 * What `name` names as a what-if: its `table.name` (table aliases and bare machine names
 * resolved), or the message {@link resolveParameters} would give for it (nearest name, tables).
 */
export function lookupParameter(name: string): { readonly qualifiedName: string } | { readonly error: string } {
  try {
    const [table, parameter] = locate(name);
    return { qualifiedName: `${table.prefix}.${parameter}` };
  } catch (error) {
    if (error instanceof ParameterError) return { error: error.message };
    throw error;
  }
}

/**
 * `NAME=VALUE` of the command line (`l4.ipcShortPathCycles=40`, `taggedTlb=true`) as a name and
 * a typed value (unchecked: {@link resolveParameters} checks it).
 */
export function parseParameterAssignment(assignment: string): [string, ParameterValue] {
  const match = /^([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)?)=(.+)$/.exec(assignment);
  if (!match) throw new ParameterError(`--set expects NAME=VALUE or TABLE.NAME=VALUE (e.g. l4.ipcShortPathCycles=40), got '${assignment}'`);
  const [, name, raw] = match as unknown as [string, string, string];
  if (raw === 'true' || raw === 'false') return [name, raw === 'true'];
  const number = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(number)) throw new ParameterError(`--set ${name}: '${raw}' is neither a number nor true/false`);
  return [name, number];
}

/** One parameter of a listing: its row, the name to write in a what-if, its range and whether it is overridden. */
export interface ParameterListing extends ParameterRow {
  /** `table.name` (what `--set` and `lab.setParameters` take). */
  readonly qualifiedName: string;
  readonly min?: number;
  readonly max?: number;
  readonly overridden: boolean;
}

/**
 * Every parameter of every table (or of table `table`) with its value under `whatIf`, unit,
 * provenance and source, marking the overridden ones.
 * @throws ParameterError for an unknown table.
 */
export function listParameters(whatIf: WhatIf = PUBLISHED, table?: string): ParameterListing[] {
  const chosen = table === undefined ? PARAMETER_TABLES : [tableOf(table)];
  if (chosen[0] === undefined) throw new ParameterError(`unknown parameter table '${table}' (tables: ${PARAMETER_TABLES.map((t) => t.prefix).join(', ')})`);
  return (chosen as ParameterTableInfo[]).flatMap((info) =>
    Object.entries(info.specs).map(([name, spec]) => {
      const qualifiedName = `${info.prefix}.${name}`;
      const overridden = Object.hasOwn(whatIf.overrides, qualifiedName);
      const { min, max } = spec;
      return {
        table: info.prefix,
        name,
        qualifiedName,
        value: overridden ? whatIf.overrides[qualifiedName]! : spec.value,
        defaultValue: spec.value,
        unit: spec.unit,
        description: spec.description,
        source: spec.source,
        provenance: spec.provenance,
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        overridden,
      };
    }),
  );
}

/**
 * A short account of a what-if: each override with its published value, or a sentence saying
 * that the paper's configuration is in effect.
 */
export function describeWhatIf(whatIf: WhatIf): string {
  const label = whatIfLabel(whatIf.overrides);
  if (label === '') return "the paper's configuration (no parameter overridden)";
  const lines = listParameters(whatIf).filter((row) => row.overridden).map((row) => `  ${row.qualifiedName} = ${String(row.value)} ${row.unit} (published ${String(row.defaultValue)}): ${row.description}`);
  return [`${label} (not the paper's configuration)`, ...lines].join('\n');
}
