import { CATEGORY_LABEL } from '../base/cycleCategory';
import { describeMachineParameters } from '../machine/machine';
import type { PentiumOverrides } from '../machine/pentiumParameters';
import { qualifiedOverrides, whatIfBanner, whatIfLabel, type KernelOverrides } from '../linux/kernelOverrides';
import { compareWithNative, cycleNarrative } from './cycleNarrative';
import { figure5Rows, PAPER_CITATION, paperValue } from './reference';
import { LINUX_SYSTEMS, SYSTEMS, type ResultRecord, type SystemId } from './records';
import { listSuites, runSuite } from './suiteRegistry';

/** The suites of `l4lab reproduce`, in the order of the paper. */
export const REPRODUCTION_SUITES = ['getpid', 'pipe', 'lmbench', 'hbench', 'compile', 'aim', 'vm', 'cache-partitioning'] as const;

export interface ReproductionOptions {
  readonly mode?: 'quick' | 'full';
  readonly machine?: PentiumOverrides;
  /** What-if kernel parameters (recorded in the reproduction). */
  readonly kernels?: KernelOverrides;
  readonly systems?: readonly SystemId[];
  /** Progress of suite `suite` in [0, 1], with the system being run. */
  readonly progress?: (suite: string, fraction: number, label: string) => void;
  readonly cancelled?: () => boolean;
}

/** Every record of a reproduction, each with its suite, plus what could not run yet. */
export interface Reproduction {
  readonly machine: string;
  readonly mode: 'quick' | 'full';
  readonly records: ResultRecord[];
  /** Every parameter override in effect (`table.name` → value); absent for the paper's configuration. */
  readonly overrides?: Readonly<Record<string, number | boolean>>;
  /** Suites of the paper not available in this build. */
  readonly missing: string[];
}

/** One unit of a reproduction: one suite on one system (independent of every other job). */
export interface ReproductionJob {
  readonly suite: string;
  readonly system: SystemId;
}

/**
 * The jobs of a reproduction in report order (suites as in {@link REPRODUCTION_SUITES}, systems as
 * in SYSTEMS), and the suites this build lacks. Hosts may run the jobs in any order or in
 * parallel and hand the records to {@link assembleReproduction} in job order.
 */
export function reproductionPlan(options: ReproductionOptions = {}): { jobs: ReproductionJob[]; missing: string[] } {
  const available = new Map(listSuites().map((s) => [s.id, s]));
  const jobs: ReproductionJob[] = [];
  const missing: string[] = [];
  for (const suite of REPRODUCTION_SUITES) {
    const info = available.get(suite);
    if (info === undefined) {
      missing.push(suite);
      continue;
    }
    const systems = options.systems ? info.systems.filter((s) => options.systems?.includes(s)) : info.systems;
    for (const system of systems) jobs.push({ suite, system });
  }
  return { jobs, missing };
}

/** Runs one job of a reproduction on a freshly booted system; `progress` is the job's own. */
export function runReproductionJob(job: ReproductionJob, options: ReproductionOptions = {}, progress?: (fraction: number, label: string) => void): ResultRecord[] {
  const report = runSuite(job.suite, [job.system], { mode: options.mode ?? 'quick', machine: options.machine, kernels: options.kernels, cancelled: options.cancelled, progress });
  return report.results.map((r) => ({ ...r, suite: job.suite }));
}

/**
 * The reproduction made of the records of every job, concatenated in job order, and the records
 * derived from several systems' results ({@link aimRelativeRecords}).
 */
export function assembleReproduction(options: ReproductionOptions, records: ResultRecord[], missing: string[]): Reproduction {
  const overrides = qualifiedOverrides(options.machine, options.kernels);
  const label = whatIfLabel(overrides);
  const machine = describeMachineParameters(options.machine).summary + (label === '' ? '' : `, ${label}`);
  const measured = records.filter((r) => r.benchmark !== AIM_RELATIVE);
  return { machine, mode: options.mode ?? 'quick', records: [...measured, ...aimRelativeRecords(measured)], missing, ...(label === '' ? {} : { overrides }) };
}

/** The id of AIM's maximum throughput relative to native Linux's (what SOSP'97's abstract states). */
const AIM_RELATIVE = 'aim.max-throughput-relative';

/**
 * Each system's maximum AIM throughput over native Linux's, as a record beside the abstract's
 * value (labs/reference/sosp97-macro.json), so that results.json holds the comparison the
 * paper makes; none without native Linux's AIM result.
 */
function aimRelativeRecords(records: readonly ResultRecord[]): ResultRecord[] {
  const native = find(records, 'linux', 'aim.max-jobs-per-minute');
  if (native === undefined || native.value <= 0) return [];
  return LINUX_SYSTEMS.flatMap((system): ResultRecord[] => {
    const max = find(records, system, 'aim.max-jobs-per-minute');
    if (max === undefined) return [];
    const value = Math.round((max.value / native.value) * 1000) / 1000;
    return [{ suite: 'aim', system, benchmark: AIM_RELATIVE, unit: 'ratio', value, paper: paperValue(system, AIM_RELATIVE), breakdown: {}, ...(max.load === undefined ? {} : { load: max.load }), ...(max.scale === undefined ? {} : { scale: max.scale }) }];
  });
}

/** Runs every available suite of {@link REPRODUCTION_SUITES} on every system it applies to, in this thread. */
export function reproduce(options: ReproductionOptions = {}): Reproduction {
  const { jobs, missing } = reproductionPlan(options);
  const records: ResultRecord[] = [];
  for (const job of jobs) {
    if (options.cancelled?.()) break;
    // one progress bar per suite: the job's fraction within its suite's jobs
    const ofSuite = jobs.filter((j) => j.suite === job.suite);
    const index = ofSuite.indexOf(job);
    records.push(...runReproductionJob(job, options, (fraction, label) => options.progress?.(job.suite, (index + fraction) / ofSuite.length, label)));
  }
  return assembleReproduction(options, records, missing);
}

// ---- the paper's tables, as text and Markdown ------------------------------------------

const SYSTEM_LABEL: Record<SystemId, string> = {
  linux: 'Linux',
  l4linux: 'L4Linux',
  'l4linux-trampoline': 'L4Linux (trampoline)',
  'mklinux-kernel': 'MkLinux (in-kernel)',
  'mklinux-user': 'MkLinux (user)',
  l4: 'L4',
};

interface Table {
  readonly title: string;
  readonly header: string[];
  readonly rows: string[][];
  readonly notes?: string[];
}

function find(records: readonly ResultRecord[], system: SystemId, benchmark: string): ResultRecord | undefined {
  return records.find((r) => r.system === system && r.benchmark === benchmark);
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function diff(record: ResultRecord | undefined): string {
  if (record === undefined || record.paper === null || record.paper === 0) return '';
  const d = ((record.value - record.paper) / record.paper) * 100;
  return `${d >= 0 ? '+' : ''}${d.toFixed(0)}%`;
}

function cell(record: ResultRecord | undefined): [string, string, string] {
  if (record === undefined) return ['-', '-', ''];
  return [fmt(record.value), record.paper === null ? '-' : fmt(record.paper), diff(record)];
}

function table2(records: readonly ResultRecord[]): Table | null {
  const rows = LINUX_SYSTEMS.filter((s) => find(records, s, 'getpid.cycles')).map((s) => [
    SYSTEM_LABEL[s],
    ...cell(find(records, s, 'getpid.time')),
    ...cell(find(records, s, 'getpid.cycles')),
  ]);
  if (rows.length === 0) return null;
  return { title: "Table 2: getpid system-call cost", header: ['System', 'µs', 'paper µs', 'Δ', 'cycles', 'paper', 'Δ'], rows };
}

function figure5(records: readonly ResultRecord[]): Table | null {
  const record = find(records, 'l4linux', 'getpid.cycles');
  if (record?.phases === undefined) return null;
  const rows = figure5Rows().map((row) => {
    const simulated = record.phases?.[row.phase];
    return [row.phase, row.side, simulated === undefined ? '-' : fmt(simulated), fmt(row.cycles)];
  });
  return { title: 'Figure 5: cycles spent for getpid in L4Linux', header: ['Step', 'side', 'cycles', 'paper'], rows };
}

const TABLE4_ROWS: Array<[string, SystemId, string, string]> = [
  ['(1) Linux pipe', 'linux', 'pipe.latency', 'pipe.bandwidth'],
  ['(1a) L4Linux pipe', 'l4linux', 'pipe.latency', 'pipe.bandwidth'],
  ['(1b) L4Linux (trampoline) pipe', 'l4linux-trampoline', 'pipe.latency', 'pipe.bandwidth'],
  ['(1c) MkLinux (user) pipe', 'mklinux-user', 'pipe.latency', 'pipe.bandwidth'],
  ['(1d) MkLinux (in-kernel) pipe', 'mklinux-kernel', 'pipe.latency', 'pipe.bandwidth'],
  ['(2) L4 pipe', 'l4', 'pipe.latency', 'pipe.bandwidth'],
  ['(3) synchronous L4 RPC', 'l4', 'rpc.latency', 'rpc.bandwidth'],
  ['(4) synchronous mapping RPC', 'l4', 'map-rpc.latency', 'map-rpc.bandwidth'],
];

function table4(records: readonly ResultRecord[]): Table | null {
  const rows: string[][] = [];
  for (const [label, system, latency, bandwidth] of TABLE4_ROWS) {
    const lat = find(records, system, latency);
    const single = find(records, system, bandwidth);
    const best = find(records, system, `${bandwidth}.best`);
    const worst = find(records, system, `${bandwidth}.worst`);
    if (!lat && !single && !best) continue;
    const bw = single ? cell(single) : best && worst ? [`${fmt(worst.value)}–${fmt(best.value)}`, `${fmt(worst.paper ?? NaN)}–${fmt(best.paper ?? NaN)}`, `${diff(worst)} / ${diff(best)}`] : ['-', '-', ''];
    rows.push([label, ...cell(lat), ...bw]);
  }
  if (rows.length === 0) return null;
  return { title: 'Table 4: pipe and RPC performance', header: ['System', 'latency µs', 'paper', 'Δ', 'bandwidth MB/s', 'paper', 'Δ'], rows };
}

/** lmbench (Figure 6): slowdown = system/linux for latencies, linux/system for bandwidths. */
export function normalizedSlowdown(records: readonly ResultRecord[], system: SystemId, benchmark: string): number | null {
  const base = find(records, 'linux', benchmark);
  const other = find(records, system, benchmark);
  if (!base || !other || base.value === 0 || other.value === 0) return null;
  return base.unit === 'MB/s' ? base.value / other.value : other.value / base.value;
}

function figure6(records: readonly ResultRecord[], suite: 'lmbench' | 'hbench'): Table | null {
  const ids = [...new Set(records.filter((r) => r.suite === suite).map((r) => r.benchmark))];
  const systems = LINUX_SYSTEMS.filter((s) => records.some((r) => r.suite === suite && r.system === s));
  if (ids.length === 0) return null;
  const rows = ids.map((id) => {
    const base = find(records.filter((r) => r.suite === suite), 'linux', id);
    const out = [id, base ? `${fmt(base.value)} ${base.unit}` : '-'];
    for (const s of systems.filter((x) => x !== 'linux')) {
      const n = normalizedSlowdown(records.filter((r) => r.suite === suite), s, id);
      out.push(n === null ? '-' : `${n.toFixed(2)} ${bar(n)}`);
    }
    return out;
  });
  return {
    title: suite === 'lmbench' ? 'Figure 6: lmbench, slowdown normalized to native Linux' : 'hbench:OS, slowdown normalized to native Linux',
    header: ['benchmark', 'Linux', ...systems.filter((s) => s !== 'linux').map((s) => SYSTEM_LABEL[s])],
    rows,
    notes: ['1.00 = as fast as native Linux; each # is 0.25 of slowdown beyond 1 (capped at 20).'],
  };
}

function bar(slowdown: number): string {
  return '#'.repeat(Math.max(0, Math.min(20, Math.round((slowdown - 1) / 0.25))));
}

/** Figure 7: compile time per system and its slowdown against native Linux. */
function compileTable(records: readonly ResultRecord[]): Table | null {
  const rows = LINUX_SYSTEMS.flatMap((s) => {
    const r = find(records, s, 'compile.seconds');
    if (r === undefined) return [];
    const slowdown = normalizedSlowdown(records, s, 'compile.seconds');
    return [[SYSTEM_LABEL[s], ...cell(r), slowdown === null ? '-' : `${slowdown.toFixed(3)} ${bar(slowdown)}`]];
  });
  if (rows.length === 0) return null;
  const scale = find(records, 'linux', 'compile.seconds')?.scale ?? records.find((r) => r.benchmark === 'compile.seconds')?.scale;
  return { title: `Figure 7: compiling a program tree (scale ${scale ?? '-'})`, header: ['System', 'seconds', 'paper', 'Δ', 'slowdown vs Linux'], rows };
}

/** Figures 8 and 9: AIM jobs per minute per load, and the maximum, per system. */
function aimTable(records: readonly ResultRecord[]): Table | null {
  const aim = records.filter((r) => r.benchmark === 'aim.jobs-per-minute');
  const loads = [...new Set(aim.map((r) => r.load ?? 0))].sort((a, b) => a - b);
  const rows = LINUX_SYSTEMS.flatMap((s) => {
    const max = find(records, s, 'aim.max-jobs-per-minute');
    if (max === undefined) return [];
    const perLoad = loads.map((load) => {
      const rate = aim.find((r) => r.system === s && r.load === load);
      const time = records.find((r) => r.system === s && r.benchmark === 'aim.real-time' && r.load === load);
      return rate && time ? `${fmt(rate.value)} (${fmt(time.value)} s)` : '-';
    });
    const base = find(records, 'linux', 'aim.max-jobs-per-minute');
    // the abstract gives the maximum throughput relative to native Linux; shown as Linux/system
    const relative = paperValue(s, AIM_RELATIVE);
    return [[SYSTEM_LABEL[s], ...perLoad, fmt(max.value), max.paper === null ? '-' : fmt(max.paper), base ? (base.value / max.value).toFixed(2) : '-', relative === null ? '-' : (1 / relative).toFixed(2)]];
  });
  if (rows.length === 0) return null;
  return {
    title: `Figures 8 and 9: AIM Suite VII shared-system mix (work fraction ${aim[0]?.scale ?? '-'}), AIM jobs per minute (real time per run)`,
    header: ['System', ...loads.map((l) => `load ${l}`), 'max jobs/min', 'paper', 'Linux/system', 'paper'],
    rows,
    notes: ['Linux/system: native Linux\'s maximum jobs per minute over the system\'s; its paper column is from the SOSP\'97 abstract (L4Linux 5% lower, MkLinux in-kernel 25%, user 35%).'],
  };
}

const VM_ROWS = ['vm.fault', 'vm.trap', 'vm.appel1', 'vm.appel2'];

/** Table 5: the virtual-memory operations, µs, on L4 and native Linux. */
function vmTable(records: readonly ResultRecord[]): Table | null {
  const systems = SYSTEMS.filter((s) => records.some((r) => r.suite === 'vm' && r.system === s));
  if (systems.length === 0) return null;
  const rows = VM_ROWS.map((id) => [id, ...systems.flatMap((s) => cell(find(records, s, id)))]);
  return { title: 'Table 5: virtual-memory operations (µs)', header: ['benchmark', ...systems.flatMap((s) => [SYSTEM_LABEL[s], 'paper', 'Δ'])], rows };
}

/** §6.3: the matrix multiplication's worst case with and without the colouring pager. */
function cacheTable(records: readonly ResultRecord[]): Table | null {
  const rows = records.filter((r) => r.suite === 'cache-partitioning').map((r) => [r.benchmark, ...cell(r)]);
  if (rows.length === 0) return null;
  return {
    title: 'Section 6.3: cache partitioning, 64×64 matrix multiplication (µs, worst case)',
    header: ['case', 'µs', 'paper', 'Δ'],
    rows,
    notes: ['alone: no load; worst: interrupted by the L2-thrashing load; worst-coloured: the same with the colouring pager.'],
  };
}

/** Suites whose records are compared with native Linux's in "where the cycles went". */
export const WHERE_SUITES = ['getpid', 'pipe', 'lmbench', 'compile', 'aim'];

/** Where the cycles went: per system, the categories that add most beyond native Linux. */
export function whereCyclesWent(records: readonly ResultRecord[]): Table | null {
  const rows: string[][] = [];
  for (const system of SYSTEMS) {
    if (system === 'linux') continue;
    const comparison = compareWithNative(records, system, WHERE_SUITES);
    if (comparison === null) continue;
    const top = comparison.extraByCategory
      .filter(([, v]) => Math.abs(v) >= 0.005)
      .slice(0, 3)
      .map(([c, v]) => `${CATEGORY_LABEL[c]} ${v >= 0 ? '+' : ''}${(v * 100).toFixed(0)}%`);
    rows.push([SYSTEM_LABEL[system], String(comparison.benchmarks), top.join(', ') || 'no difference']);
  }
  if (rows.length === 0) return null;
  return {
    title: 'Where the cycles went (vs native Linux)',
    header: ['System', 'benchmarks', 'largest extra cycles, as % of native Linux cycles'],
    rows,
    notes: [`Averaged over the ${WHERE_SUITES.join(', ')} benchmarks run on both the system and native Linux.`],
  };
}

/** The tables of a reproduction, in the paper's order. */
export function reproductionTables(reproduction: Reproduction): Table[] {
  const r = reproduction.records;
  const tables = [table2(r), figure5(r), table4(r), figure6(r, 'lmbench'), figure6(r, 'hbench')];
  tables.push(compileTable(r), aimTable(r), vmTable(r), cacheTable(r));
  tables.push(whereCyclesWent(r));
  return tables.filter((t): t is Table => t !== null);
}

function textTable(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [t.title, '-'.repeat(t.title.length), line(t.header), ...t.rows.map(line), ...(t.notes ?? [])].join('\n');
}

function markdownTable(t: Table): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`### ${t.title}`, '', `| ${t.header.map(esc).join(' | ')} |`, `|${t.header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...t.rows.map((row) => `| ${row.map(esc).join(' | ')} |`), '', ...(t.notes ?? []).map((n) => `_${n}_`)].join('\n');
}

function missingNote(reproduction: Reproduction): string {
  return reproduction.missing.length === 0 ? '' : `Not available in this build yet: ${reproduction.missing.join(', ')}.`;
}

export function formatReproduction(reproduction: Reproduction): string {
  const parts = [`L4 Lab — reproduction of ${PAPER_CITATION}`, `Machine: ${reproduction.machine} (${reproduction.mode} mode)`, ...whatIfBanner(reproduction.overrides), ''];
  const tables = reproductionTables(reproduction);
  if (tables.length === 0) parts.push('No suite has produced results yet.');
  for (const t of tables) parts.push(textTable(t), '');
  const note = missingNote(reproduction);
  if (note) parts.push(note);
  return parts.join('\n');
}

export function markdownReproduction(reproduction: Reproduction): string {
  const parts = [`# L4 Lab reproduction`, '', `Paper: ${PAPER_CITATION}`, '', `Machine: ${reproduction.machine}; mode: ${reproduction.mode}.`, '', ...whatIfBanner(reproduction.overrides).map((line) => `**${line}**\n`), 'Simulated values beside the published ones (Δ = difference to the paper).', ''];
  for (const t of reproductionTables(reproduction)) parts.push(markdownTable(t), '');
  parts.push(...cycleNarrative(reproduction.records, WHERE_SUITES, (s) => SYSTEM_LABEL[s]));
  const note = missingNote(reproduction);
  if (note) parts.push(note, '');
  return parts.join('\n');
}
