// The panel's model: pure functions from records to what the tabs show (no DOM), unit-tested in
// plain Node (test/unit/extension/panelModel.test.ts).

import sosp97 from '../../labs/reference/sosp97.json';
import type { PanelRecord } from '../panelProtocol';

export const SYSTEM_ORDER = ['linux', 'l4linux', 'l4linux-trampoline', 'mklinux-kernel', 'mklinux-user', 'l4'];
export const SYSTEM_LABEL: Record<string, string> = {
  linux: 'Linux',
  l4linux: 'L4Linux',
  'l4linux-trampoline': 'L4Linux (trampoline)',
  'mklinux-kernel': 'MkLinux (in-kernel)',
  'mklinux-user': 'MkLinux (user)',
  l4: 'L4',
  machine: 'the bare machine',
};
export const systemLabel = (system: string) => SYSTEM_LABEL[system] ?? system;
export const bySystem = (a: string, b: string) => rank(a) - rank(b);
const rank = (system: string) => (SYSTEM_ORDER.includes(system) ? SYSTEM_ORDER.indexOf(system) : SYSTEM_ORDER.length);

export const TABS = [
  { id: 'lmbench', label: 'lmbench (Fig. 6)' },
  { id: 'pipe', label: 'Pipe / RPC (Table 4)' },
  { id: 'getpid', label: 'getpid (Table 2, Fig. 5)' },
  { id: 'macro', label: 'Macro' },
  { id: 'custom', label: 'Custom servers' },
  { id: 'machine', label: 'Machine' },
];

export function tabOf(suite: string): string {
  if (suite === 'lmbench') return 'lmbench';
  if (suite === 'pipe' || suite === 'ipc' || suite === 'rpc') return 'pipe';
  if (suite === 'getpid') return 'getpid';
  if (suite.startsWith('custom')) return 'custom';
  return 'macro';
}

export function format(value: number): string {
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function difference(record: PanelRecord): string {
  if (record.paper === null || record.paper === 0) return '–';
  const percent = ((record.value - record.paper) / record.paper) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)} %`;
}

/** Slowdown relative to native Linux (SOSP'97 Figure 6): times for latencies, inverse for bandwidths. */
export function slowdown(record: PanelRecord, linux: PanelRecord | undefined): number | null {
  if (!linux || linux.value === 0 || record.value === 0) return null;
  const higherIsBetter = record.unit === 'MB/s' || record.unit === 'jobs/min';
  return higherIsBetter ? linux.value / record.value : record.value / linux.value;
}

/**
 * SOSP'97 Figure 6: for each benchmark, each system's slowdown relative to native Linux; one
 * series per system other than Linux (none without Linux results to normalize by).
 */
export function figure6(records: readonly PanelRecord[]): { benchmarks: string[]; series: Array<{ label: string; values: Array<number | null>; colourIndex: number }> } {
  const benchmarks = [...new Set(records.map(record => record.benchmark))];
  if (!records.some(record => record.system === 'linux')) return { benchmarks, series: [] };
  const systems = [...new Set(records.map(record => record.system))].filter(system => system !== 'linux').sort(bySystem);
  const find = (system: string, benchmark: string) => records.find(entry => entry.system === system && entry.benchmark === benchmark);
  return {
    benchmarks,
    series: systems.map(system => ({
      label: systemLabel(system),
      // a system keeps its colour whichever others were run (native Linux is the baseline, not a series)
      colourIndex: rank(system) - 1,
      values: benchmarks.map(benchmark => {
        const record = find(system, benchmark);
        return record ? slowdown(record, find('linux', benchmark)) : null;
      }),
    })),
  };
}

/** The measurement a benchmark name is about: `pipe.bandwidth.worst` → `pipe`. */
const measurement = (benchmark: string) => benchmark.split('.')[0] ?? benchmark;

/** SOSP'97 Table 4's rows, in the paper's order: `system|measurement` → row label ("1", "1a", ... "4"). */
const TABLE4_ROWS: ReadonlyMap<string, string> = new Map(sosp97.tables.table4.records.map(entry => [`${entry.system}|${measurement(entry.benchmark)}`, entry.row]));
const TABLE4_ORDER = [...new Set(TABLE4_ROWS.values())];

/** The Table 4 row of a pipe/RPC record ("(1a)"), or undefined for one the table does not have (e.g. `ipc.short.small`). */
export function table4Row(record: Pick<PanelRecord, 'system' | 'benchmark'>): string | undefined {
  const row = TABLE4_ROWS.get(`${record.system}|${measurement(record.benchmark)}`);
  return row === undefined ? undefined : `(${row})`;
}

/** Within a row: latency, then bandwidth (worst case before best case). */
const quantityRank = (benchmark: string) => ['latency', 'bandwidth', 'bandwidth.worst', 'bandwidth.best'].indexOf(benchmark.slice(measurement(benchmark).length + 1));

/**
 * Pipe/RPC records in the order of the paper's Table 4: rows (1), (1a)–(1d), (2), (3), (4), each
 * latency before bandwidth; records the table has no row for come last, by benchmark and system.
 */
export function table4Order(records: readonly PanelRecord[]): PanelRecord[] {
  const rowRank = (record: PanelRecord) => {
    const row = TABLE4_ROWS.get(`${record.system}|${measurement(record.benchmark)}`);
    return row === undefined ? TABLE4_ORDER.length : TABLE4_ORDER.indexOf(row);
  };
  return records
    .slice()
    .sort((a, b) => rowRank(a) - rowRank(b) || quantityRank(a.benchmark) - quantityRank(b.benchmark) || a.benchmark.localeCompare(b.benchmark) || bySystem(a.system, b.system));
}
