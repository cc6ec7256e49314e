// The one protocol between the extension host and the benchmark panel webview (STYLE.md 2).
// Both sides import this file (extension/benchmarkPanel.ts and webview/panel/main.ts); it holds
// types and the validators that each side runs on every message it receives. No DOM, no Node,
// no vscode, no engine: the records are restated structurally so the webview bundle stays small.

/** One benchmark result as the panel shows it (the engine's ResultRecord, structurally). */
export interface PanelRecord {
  suite: string;
  system: string;
  benchmark: string;
  unit: string;
  value: number;
  /** The published value, or null where the paper gives none. */
  paper: number | null;
  /** Cycles per operation by attribution category. */
  breakdown: Record<string, number>;
  /** Optional split into a figure's rows (SOSP'97 Figure 5), cycles per operation. */
  phases?: Record<string, number>;
  iterations?: number;
}

/** One machine parameter, for the machine-configuration table. */
export interface PanelParameter {
  name: string;
  value: string;
  unit: string;
  description: string;
  source: string;
  changed: boolean;
}

/** One figure of the machine report (memory hierarchy and TLB). */
export interface PanelMachineFigure {
  id: string;
  what: string;
  unit: string;
  value: number;
  reference: { min: number; max: number; source: string } | null;
  breakdown: Record<string, number>;
}

/** What a re-run repeats: suites (each on some systems) or the machine benchmark. */
export interface PanelRun {
  title: string;
  suites: Array<{ suite: string; systems?: string[] }>;
  machineBenchmark?: boolean;
}

/** Everything the panel shows; the extension owns it and sends it whole on every change. */
export interface PanelState {
  records: PanelRecord[];
  machine: { summary: string; parameters: PanelParameter[] } | null;
  machineFigures: PanelMachineFigure[];
  /** Label of each cycle category (engine/base/cycleCategory.ts). */
  categoryLabels: Record<string, string>;
  lastRun: PanelRun | null;
  /** A run in progress, or null. */
  running: { title: string; message: string; fraction?: number } | null;
  /** Short notes for the user: suites not built yet, cancelled runs, errors. */
  notes: string[];
}

export type ExportFormat = 'csv' | 'markdown';

/** Extension → panel. */
export type ToPanelMessage =
  | { type: 'state'; state: PanelState }
  | { type: 'exported'; path: string };

/** Panel → extension. */
export type FromPanelMessage =
  | { type: 'ready' }
  /** The panel has drawn a state with this many records (tests and diagnostics). */
  | { type: 'rendered'; records: number }
  | { type: 'rerun' }
  | { type: 'stop' }
  | { type: 'runMachineBenchmark' }
  | { type: 'export'; format: ExportFormat };

export function emptyPanelState(): PanelState {
  return { records: [], machine: null, machineFigures: [], categoryLabels: {}, lastRun: null, running: null, notes: [] };
}

// ---- validation ------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumberMap = (value: unknown): value is Record<string, number> =>
  isObject(value) && Object.values(value).every(entry => typeof entry === 'number' && Number.isFinite(entry));
const isString = (value: unknown): value is string => typeof value === 'string';
const isOptional = <T>(value: unknown, check: (value: unknown) => value is T): boolean => value === undefined || check(value);

export function isPanelRecord(value: unknown): value is PanelRecord {
  return (
    isObject(value) &&
    isString(value.suite) &&
    isString(value.system) &&
    isString(value.benchmark) &&
    isString(value.unit) &&
    typeof value.value === 'number' &&
    (value.paper === null || typeof value.paper === 'number') &&
    isNumberMap(value.breakdown) &&
    isOptional(value.phases, isNumberMap) &&
    (value.iterations === undefined || typeof value.iterations === 'number')
  );
}

function isParameter(value: unknown): value is PanelParameter {
  return isObject(value) && isString(value.name) && isString(value.value) && isString(value.unit) && isString(value.description) && isString(value.source) && typeof value.changed === 'boolean';
}

function isFigure(value: unknown): value is PanelMachineFigure {
  return (
    isObject(value) &&
    isString(value.id) &&
    isString(value.what) &&
    isString(value.unit) &&
    typeof value.value === 'number' &&
    (value.reference === null || (isObject(value.reference) && typeof value.reference.min === 'number' && typeof value.reference.max === 'number' && isString(value.reference.source))) &&
    isNumberMap(value.breakdown)
  );
}

function isRun(value: unknown): value is PanelRun {
  return (
    isObject(value) &&
    isString(value.title) &&
    Array.isArray(value.suites) &&
    value.suites.every(entry => isObject(entry) && isString(entry.suite) && (entry.systems === undefined || (Array.isArray(entry.systems) && entry.systems.every(isString)))) &&
    (value.machineBenchmark === undefined || typeof value.machineBenchmark === 'boolean')
  );
}

export function isPanelState(value: unknown): value is PanelState {
  return (
    isObject(value) &&
    Array.isArray(value.records) &&
    value.records.every(isPanelRecord) &&
    (value.machine === null || (isObject(value.machine) && isString(value.machine.summary) && Array.isArray(value.machine.parameters) && value.machine.parameters.every(isParameter))) &&
    Array.isArray(value.machineFigures) &&
    value.machineFigures.every(isFigure) &&
    isObject(value.categoryLabels) &&
    Object.values(value.categoryLabels).every(isString) &&
    (value.lastRun === null || isRun(value.lastRun)) &&
    (value.running === null || (isObject(value.running) && isString(value.running.title) && isString(value.running.message) && (value.running.fraction === undefined || typeof value.running.fraction === 'number'))) &&
    Array.isArray(value.notes) &&
    value.notes.every(isString)
  );
}

/** Validates a message arriving in the webview. */
export function isToPanelMessage(value: unknown): value is ToPanelMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'state':
      return isPanelState(value.state);
    case 'exported':
      return isString(value.path);
    default:
      return false;
  }
}

/** Validates a message arriving in the extension from the webview. */
export function isFromPanelMessage(value: unknown): value is FromPanelMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'ready':
    case 'rerun':
    case 'stop':
    case 'runMachineBenchmark':
      return Object.keys(value).length === 1;
    case 'export':
      return value.format === 'csv' || value.format === 'markdown';
    case 'rendered':
      return Number.isInteger(value.records) && (value.records as number) >= 0 && Object.keys(value).length === 2;
    default:
      return false;
  }
}
