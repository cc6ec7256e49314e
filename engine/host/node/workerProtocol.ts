// The one protocol between the extension host and the engine worker (DESIGN.md §1, STYLE.md 2).
// Every message is a plain, structured-clonable object with a `type` discriminant; a request
// carries an `id` that the worker echoes in every reply (progress and output events, then one
// result or error). Types only: importing this module never loads the engine.
//
// Cancellation: the client sends `cancel` with the id of the request to stop; the worker sets the
// flag that the engine polls (`SuiteOptions.cancelled`). Engine runs are synchronous inside the
// worker, so the flag is only seen between units of work the engine yields at; the client
// therefore also terminates the worker when the request has not ended after a short grace period
// (extension/engineClient.ts), which always stops the run. The next request starts a new worker.

import type {
  MachineDescription,
  MachineOverrides,
  MachineReport,
  ParameterSettings,
  ResultRecord,
  SuiteReport,
  SystemId,
} from '../../api';
import type { LabCellOutput } from '../../api/labFormat';

/** How many iterations a suite runs: the quick tier or the paper's full counts. */
export type IterationMode = 'quick' | 'full';

/** One benchmark suite as `listSuites()` reports it. */
export interface SuiteInfo {
  id: string;
  title: string;
  systems: SystemId[];
}

/** What this build of the engine can do; the extension adapts its commands to it. */
export interface EngineInfo {
  suites: SuiteInfo[];
  /** Every system id the engine knows (not all have suites yet). */
  systems: SystemId[];
  /** Human-readable label of each cycle-attribution category. */
  categoryLabels: Record<string, string>;
  /** Whether engine/api can boot systems with an interactive console (`boot.start`). */
  canBoot: boolean;
  /** The systems `boot.start` can boot in this build (engine/api bootableLinuxSystems), in registration order. */
  bootable: string[];
  /** Whether engine/api can load a custom server into the simulated L4 (`custom.run`). */
  canRunCustomServers: boolean;
}

/** Machine what-ifs and iteration counts shared by every run request. */
export interface RunSettings {
  machine?: MachineOverrides;
  /**
   * What-ifs of any parameter table as `table.name` → value (`l4.ipcShortPathCycles`,
   * `mach.msgPathCycles`; engine/api/parameterCatalog.ts), on top of `machine`; checked by the
   * worker, which answers a bad name or value with an error naming the valid choices.
   */
  parameters?: ParameterSettings;
  mode?: IterationMode;
  /** L4 small address spaces (segment-based, no TLB flush): undefined keeps each system's published configuration. */
  smallSpaces?: boolean;
}

/** Result of `custom.run`. */
export interface CustomServerReport {
  /** Console output of the guest tasks, also streamed as `output` events. */
  output: string;
  /** Benchmark mode: IPC latency and bandwidth records of the custom server. */
  results: ResultRecord[];
}

/** Result of `lab.cell`: the cell's outputs (each a list of MIME items), its success and execution order. */
export interface LabCellReport {
  outputs: LabCellOutput[];
  success: boolean;
  executionOrder: number;
  /** The cell's `lab.require` named something this engine build lacks: why (the notebook's later cells are not run). */
  unavailable?: string;
}

/**
 * Run one TypeScript cell of a `.l4lab` notebook (DESIGN.md §7) in this worker's lab session
 * (one worker per notebook: declarations, booted systems and machine settings carry over). Each
 * output streams as a `cellOutput` reply when the cell displays it, suite runs report `progress`;
 * the result repeats all outputs.
 * Interrupting terminates the worker (cancel), and restart starts a new one.
 */
export interface LabCellRequest {
  id: number;
  type: 'lab.cell';
  source: string;
  fileName: string;
  mode?: IterationMode;
}

/** What each request type answers with, keyed by request `type`. */
export interface WorkerResults {
  'machine.describe': MachineDescription;
  'machine.benchmark': MachineReport;
  'engine.info': EngineInfo;
  'suite.run': SuiteReport;
  'boot.start': { system: string; exitCode: number };
  'boot.input': null;
  'boot.interrupt': null;
  'boot.stop': null;
  'custom.run': CustomServerReport;
  'lab.cell': LabCellReport;
  cancel: null;
}

export type WorkerRequestType = keyof WorkerResults;

/** Describe the simulated machine: clock and every named parameter with unit and source. */
export interface MachineDescribeRequest {
  id: number;
  type: 'machine.describe';
  machine?: MachineOverrides;
}

/** Measure the machine model (memory hierarchy and TLB figures). */
export interface MachineBenchmarkRequest {
  id: number;
  type: 'machine.benchmark';
  machine?: MachineOverrides;
}

/** Suites, systems, category labels and capabilities of this engine build. */
export interface EngineInfoRequest {
  id: number;
  type: 'engine.info';
}

/** Run one suite on some systems (default: all it supports); replies with progress, then the report. */
export interface SuiteRunRequest extends RunSettings {
  id: number;
  type: 'suite.run';
  suite: string;
  systems?: string[];
}

/**
 * Boot a system with an interactive console. Output arrives as `output` events of this request
 * until the system shuts down; then the result carries its exit code. Input goes through
 * `boot.input` / `boot.interrupt` / `boot.stop` naming this request's id as `session`.
 */
export interface BootStartRequest extends RunSettings {
  id: number;
  type: 'boot.start';
  system: string;
  /** Terminal size, for the guest's console. */
  columns?: number;
  rows?: number;
}

/**
 * Keystrokes typed at the console of boot session `session`, raw: the guest's tty does the line
 * editing and the echo, as a real terminal line discipline would (Enter is "\r").
 */
export interface BootInputRequest {
  id: number;
  type: 'boot.input';
  session: number;
  data: string;
}

/** Ctrl-C: SIGINT to the foreground guest process of boot session `session`. */
export interface BootInterruptRequest {
  id: number;
  type: 'boot.interrupt';
  session: number;
}

/** Shut boot session `session` down cleanly. */
export interface BootStopRequest {
  id: number;
  type: 'boot.stop';
  session: number;
}

/**
 * Load a custom server (the TypeScript source of the user's file; the worker transpiles it with
 * line numbers kept) into the simulated L4 and run it (`run`) or benchmark it (`benchmark`).
 * Console output arrives as `output` events; guest exceptions come back as an error whose stack
 * names `fileName`.
 */
export interface CustomRunRequest extends RunSettings {
  id: number;
  type: 'custom.run';
  fileName: string;
  source: string;
  action: 'run' | 'benchmark';
}

/** Stop request `target` (cooperatively; the client terminates the worker if that is not enough). */
export interface CancelRequest {
  id: number;
  type: 'cancel';
  target: number;
}

/** Extension → worker. */
export type WorkerRequest =
  | MachineDescribeRequest
  | MachineBenchmarkRequest
  | EngineInfoRequest
  | SuiteRunRequest
  | BootStartRequest
  | BootInputRequest
  | BootInterruptRequest
  | BootStopRequest
  | CustomRunRequest
  | LabCellRequest
  | CancelRequest;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A request before the client assigns its id. */
export type WorkerRequestBody = DistributiveOmit<WorkerRequest, 'id'>;

/** The request completed; `value` is `WorkerResults[request.type]`. */
export interface ResultReply {
  id: number;
  type: 'result';
  value: WorkerResults[WorkerRequestType];
}

/** The request failed inside the worker. */
export interface ErrorReply {
  id: number;
  type: 'error';
  message: string;
  stack?: string;
  /** `unavailable`: the engine lacks the capability (not built yet); `cancelled`: stopped on request. */
  code?: 'unavailable' | 'cancelled' | 'failed';
}

/** Intermediate progress of a long request (a benchmark run); zero or more before the result. */
export interface ProgressReply {
  id: number;
  type: 'progress';
  message: string;
  /** Fraction done in [0, 1], when known. */
  fraction?: number;
}

/** Console text of a boot session or custom server (may hold several lines or part of one). */
export interface OutputReply {
  id: number;
  type: 'output';
  text: string;
}

/** One output a running notebook cell displayed (`lab.cell`), sent as soon as the cell shows it. */
export interface CellOutputReply {
  id: number;
  type: 'cellOutput';
  output: LabCellOutput;
}

/** Worker → extension. */
export type WorkerReply = ResultReply | ErrorReply | ProgressReply | OutputReply | CellOutputReply;

