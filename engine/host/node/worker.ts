// Entry of the engine worker thread (bundled to dist/worker.js). The extension host starts it
// lazily through EngineClient; the simulation runs here so a long run never blocks the editor.
// It speaks workerProtocol.ts and uses the engine only through engine/api.

import { parentPort } from 'node:worker_threads';
import * as engine from '../../api';
import { loadCustomServer } from './customServerLoader';
import { LabSession } from './workerLab';
import type { LabCellOutput } from '../../api/labFormat';
import type {
  BootStartRequest,
  CustomRunRequest,
  CustomServerReport,
  EngineInfo,
  ErrorReply,
  RunSettings,
  SuiteRunRequest,
  WorkerReply,
  WorkerRequest,
  WorkerRequestType,
  WorkerResults,
} from './workerProtocol';

/** An engine capability that is not built yet: reported as `code: 'unavailable'`. */
class UnavailableError extends Error {
  override name = 'UnavailableError';
}

class CancelledError extends Error {
  override name = 'CancelledError';
}

/** What a request handler may tell the extension while it runs. */
interface Channel {
  progress(message: string, fraction?: number): void;
  output(text: string): void;
  cellOutput(output: LabCellOutput): void;
  cancelled(): boolean;
}

/** A booted system driven by the worker: console output out, keystrokes in. */
interface BootSession {
  /** Raw keystrokes for the guest's tty (it echoes and edits lines itself; ^C is SIGINT). */
  input(data: string): void;
  /** Shut the system down: end of file to the shell, then stop if it does not exit. */
  shutdown(): void;
  /** Resolves with init's exit status when the system has halted. */
  readonly done: Promise<number>;
}

const sessions = new Map<number, BootSession>();
const cancelled = new Set<number>();

function info(): EngineInfo {
  return {
    suites: engine.listSuites(),
    systems: [...engine.SYSTEMS],
    categoryLabels: { ...engine.CATEGORY_LABEL },
    canBoot: typeof engine.bootSystem === 'function',
    bootable: engine.bootableLinuxSystems(),
    canRunCustomServers: typeof engine.runCustomServer === 'function',
  };
}

/** The machine and kernel what-ifs of a run request, checked. */
function whatIfOf(settings: RunSettings): engine.WhatIf {
  return engine.resolveParameters({ ...settings.machine, ...settings.parameters });
}

function runSuite(request: SuiteRunRequest, channel: Channel): engine.SuiteReport {
  const known = engine.listSuites().find(suite => suite.id === request.suite);
  if (!known) {
    const available = engine.listSuites().map(suite => suite.id).join(', ') || 'none';
    throw new UnavailableError(`the suite '${request.suite}' is not built yet (available: ${available})`);
  }
  const whatIf = whatIfOf(request);
  const report = engine.runSuite(request.suite, request.systems, {
    machine: whatIf.machine,
    kernels: whatIf.kernels,
    mode: request.mode,
    smallSpaces: request.smallSpaces,
    progress: (fraction, label) => channel.progress(label, fraction),
    cancelled: channel.cancelled,
  });
  if (channel.cancelled()) throw new CancelledError(`the ${request.suite} run was cancelled`);
  return report;
}

/**
 * Boots `request.system` and runs it in slices of 0.1 simulated seconds, yielding to the event
 * loop between slices so that input, Ctrl-C and shutdown requests get through; while the shell
 * waits for input nothing runs.
 */
function startSession(request: BootStartRequest, channel: Channel): BootSession {
  let system: engine.LinuxSystem;
  try {
    const whatIf = whatIfOf(request);
    system = engine.bootSystem(request.system, { ...whatIf.kernels, parameters: whatIf.machine, smallSpaces: request.smallSpaces });
    for (const line of engine.whatIfBanner(whatIf.overrides)) channel.output(`[${line}]\n`);
  } catch (error) {
    if (error instanceof engine.UnknownSystemError) throw new UnavailableError(`booting ${request.system} is not available yet: ${error.message}`);
    throw error;
  }
  for (const line of system.bootLog) channel.output(`${line}\n`);
  system.machine.console.onOutput(text => channel.output(text));
  const slice = system.machine.parameters.clockMHz * 1e5;
  let stepping = false;
  let stopAfter = Number.POSITIVE_INFINITY;
  let finish!: (status: number) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<number>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const step = (): void => {
    stepping = false;
    let outcome: string;
    try {
      outcome = system.run(slice, () => system.machine.scheduler.now >= stopAfter);
    } catch (error) {
      fail(error);
      return;
    }
    if (outcome === 'halted') finish(system.exitStatus ?? 0);
    else if (outcome === 'failed') fail(system.failure instanceof Error ? system.failure : new Error(`the simulated system failed: ${String(system.failure)}`));
    else if (outcome === 'stopped' || channel.cancelled()) finish(system.exitStatus ?? 130);
    else if (outcome === 'limit') schedule();
    // 'waitingForInput': the next input schedules the next slice
  };
  const schedule = (): void => {
    if (!stepping) {
      stepping = true;
      setImmediate(step);
    }
  };
  schedule();
  return {
    input: data => {
      system.type(data);
      schedule();
    },
    shutdown: () => {
      system.type('\u0004');
      // give the shell one simulated second to exit cleanly, then stop the machine
      stopAfter = Math.min(stopAfter, system.machine.scheduler.now + system.machine.parameters.clockMHz * 1e6);
      schedule();
    },
    done,
  };
}

async function boot(request: BootStartRequest, channel: Channel): Promise<WorkerResults['boot.start']> {
  if (!engine.isSystemId(request.system)) throw new RangeError(`unknown system '${request.system}'`);
  const session = startSession(request, channel);
  sessions.set(request.id, session);
  try {
    return { system: request.system, exitCode: await session.done };
  } finally {
    sessions.delete(request.id);
  }
}

function session(id: number): BootSession {
  const found = sessions.get(id);
  if (!found) throw new Error(`the simulated system of boot session ${id} has shut down`);
  return found;
}

async function runCustom(request: CustomRunRequest, channel: Channel): Promise<CustomServerReport> {
  let output = '';
  const tee: Channel = { ...channel, output: text => ((output += text), channel.output(text)) };
  const guestConsole = {
    log: (...parts: unknown[]) => tee.output(parts.map(part => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ') + '\n'),
  };
  const exports = loadCustomServer(request.source, request.fileName, guestConsole);
  for (const name of ['server', 'client']) {
    if (typeof exports[name] !== 'function') throw new TypeError(`${request.fileName} must export a function '${name}' (see the templates)`);
  }
  const whatIf = whatIfOf(request);
  for (const line of engine.whatIfBanner(whatIf.overrides)) tee.output(`[${line}]\n`);
  const { results } = engine.runCustomServer(exports, {
    action: request.action,
    fileName: request.fileName,
    console: tee.output,
    machine: whatIf.machine,
    l4: whatIf.kernels.l4,
    mode: request.mode,
    smallSpaces: request.smallSpaces,
  });
  return { output, results };
}

/** The notebook's lab session (the extension starts one worker per notebook). */
let labSession: LabSession | undefined;

async function handle(request: WorkerRequest, channel: Channel): Promise<WorkerResults[WorkerRequestType]> {
  switch (request.type) {
    case 'machine.describe':
      return engine.describeMachine(request.machine);
    case 'machine.benchmark':
      return engine.benchmarkMachine(request.machine);
    case 'engine.info':
      return info();
    case 'suite.run':
      return runSuite(request, channel);
    case 'boot.start':
      return boot(request, channel);
    case 'boot.input':
      session(request.session).input(request.data);
      return null;
    case 'boot.interrupt':
      session(request.session).input('\u0003');
      return null;
    case 'boot.stop':
      sessions.get(request.session)?.shutdown(); // stopping a system that has halted is fine
      return null;
    case 'custom.run':
      return runCustom(request, channel);
    case 'lab.cell':
      labSession ??= new LabSession(request.mode ?? 'quick');
      return labSession.run(request.source, request.fileName, channel.cellOutput, channel.progress);
    case 'cancel':
      cancelled.add(request.target);
      sessions.get(request.target)?.shutdown();
      return null;
    default: {
      const unknownRequest: never = request;
      throw new Error(`unknown request type ${JSON.stringify((unknownRequest as { type: unknown }).type)}`);
    }
  }
}

const port = parentPort;
if (!port) {
  throw new Error('worker.js must run in a worker_threads Worker (see extension/engineClient.ts)');
}

function reply(message: WorkerReply): void {
  port!.postMessage(message);
}

function errorCode(error: unknown): ErrorReply['code'] {
  if (error instanceof UnavailableError) return 'unavailable';
  if (error instanceof CancelledError) return 'cancelled';
  return 'failed';
}

port.on('message', async (request: WorkerRequest) => {
  const channel: Channel = {
    progress: (message, fraction) => reply({ id: request.id, type: 'progress', message, fraction }),
    output: text => reply({ id: request.id, type: 'output', text }),
    cellOutput: output => reply({ id: request.id, type: 'cellOutput', output }),
    cancelled: () => cancelled.has(request.id),
  };
  try {
    reply({ id: request.id, type: 'result', value: await handle(request, channel) });
  } catch (error) {
    const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
    reply({ id: request.id, type: 'error', message, stack, code: errorCode(error) });
  } finally {
    cancelled.delete(request.id);
  }
});
