// The lab: the engine client, what the engine can do, and the results the panel shows. Runs of
// suites go through here so that every entry point (palette, panel, tests) gets the same
// progress notification, cancellation, settings and live updates.

import * as vscode from 'vscode';
import type { MachineDescription, MachineReport, ResultRecord } from '../engine/api';
import type { EngineInfo, SuiteRunRequest } from '../engine/host/node/workerProtocol';
import { emptyPanelState, isPanelState, type PanelRecord, type PanelRun, type PanelState } from '../webview/panelProtocol';
import { EngineError, type EngineClient } from './engineClient';
import { runSettings, watchdogMilliseconds } from './settings';

/** What a run command returns (tests read it). */
export interface RunOutcome {
  results: ResultRecord[];
  /** Suites asked for that this engine build does not have yet. */
  missing: string[];
  cancelled: boolean;
  /** Errors of suites that failed, one line each. */
  errors: string[];
}

const STATE_KEY = 'l4lab.panelState';

/** Which part of the engine a suite of the paper comes from, to say what is missing. */
const SUITE_NEEDS: Record<string, string> = {
  getpid: 'the Linux personality',
  lmbench: 'the Linux personality',
  pipe: 'the Linux personality and the L4 kernel',
  ipc: 'the L4 kernel',
  hbench: 'the Linux personality',
  compile: 'the Linux personality',
  aim: 'the Linux personality',
  vm: 'the L4 kernel',
  'cache-partitioning': 'the L4 kernel',
};

/** "getpid (needs the Linux personality, which is not built yet)". */
export function describeMissing(suite: string): string {
  const needs = SUITE_NEEDS[suite];
  return needs ? `${suite} (needs ${needs}, which is not built yet)` : `${suite} (not built yet)`;
}

export class Lab implements vscode.Disposable {
  private state: PanelState;
  private info: EngineInfo | undefined;
  private readonly changed = new vscode.EventEmitter<PanelState>();
  /** Fires with the whole panel state whenever results, progress or notes change. */
  readonly onDidChangeState = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Aborts the run in progress, if any. */
  private abortRun: AbortController | undefined;

  constructor(
    readonly engine: EngineClient,
    readonly output: vscode.OutputChannel,
    private readonly memento: vscode.Memento,
  ) {
    const saved = memento.get<unknown>(STATE_KEY);
    this.state = isPanelState(saved) ? { ...saved, running: null } : emptyPanelState();
  }

  get panelState(): PanelState {
    return this.state;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  /** Suites, systems and capabilities of the engine (asked once per worker start). */
  async engineInfo(): Promise<EngineInfo> {
    if (!this.info || !this.engine.isRunning) {
      this.info = await this.engine.request({ type: 'engine.info' });
      if (Object.keys(this.state.categoryLabels).length === 0) this.update({ categoryLabels: this.info.categoryLabels });
    }
    return this.info;
  }

  update(change: Partial<PanelState>): void {
    this.state = { ...this.state, ...change };
    void this.memento.update(STATE_KEY, { ...this.state, running: null });
    this.changed.fire(this.state);
  }

  /** Replaces the records of (suite, system) pairs present in `records`, keeping the others. */
  private addRecords(records: readonly ResultRecord[]): void {
    const fresh = records.map(toPanelRecord);
    const replaced = new Set(fresh.map(record => `${record.suite}\u0000${record.system}`));
    this.update({ records: [...this.state.records.filter(record => !replaced.has(`${record.suite}\u0000${record.system}`)), ...fresh] });
  }

  private note(message: string): void {
    this.update({ notes: [message, ...this.state.notes.filter(note => note !== message)].slice(0, 6) });
  }

  /**
   * Runs suites (each on some systems, default all it supports) with a cancellable progress
   * notification; the panel updates after each system. Suites not built yet are reported, not faked.
   */
  async run(run: PanelRun, token?: { signal: AbortSignal }): Promise<RunOutcome> {
    const info = await this.engineInfo();
    const outcome: RunOutcome = { results: [], missing: [], cancelled: false, errors: [] };
    const plan: Array<{ suite: string; system: string }> = [];
    for (const { suite, systems } of run.suites) {
      const known = info.suites.find(entry => entry.id === suite);
      if (!known) {
        outcome.missing.push(suite);
        continue;
      }
      const wanted = systems ? known.systems.filter(system => systems.includes(system)) : known.systems;
      for (const system of wanted) plan.push({ suite, system });
    }
    if (outcome.missing.length > 0) {
      const available = info.suites.map(suite => suite.id).join(', ') || 'none';
      const message = `Cannot run ${outcome.missing.map(describeMissing).join('; ')}. Available suites: ${available}.`;
      this.note(message);
      void vscode.window.showWarningMessage(`L4 Lab: ${message}`);
    }
    if (plan.length === 0 && !run.machineBenchmark) {
      return outcome;
    }
    this.update({ lastRun: run });
    const settings = runSettings();
    const steps = plan.length + (run.machineBenchmark ? 1 : 0);
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `L4 Lab: ${run.title}`, cancellable: true },
      async (progress, cancellation) => {
        const abort = new AbortController();
        this.abortRun = abort;
        const subscription = cancellation.onCancellationRequested(() => abort.abort());
        token?.signal.addEventListener('abort', () => abort.abort(), { once: true });
        let done = 0;
        const report = (message: string, fraction = 0) => {
          const total = (done + Math.min(1, Math.max(0, fraction))) / steps;
          progress.report({ message });
          this.update({ running: { title: run.title, message, fraction: total } });
        };
        try {
          for (const step of plan) {
            if (abort.signal.aborted) break;
            report(`${step.suite} on ${step.system}`);
            try {
              const request: Omit<SuiteRunRequest, 'id'> = { type: 'suite.run', suite: step.suite, systems: [step.system], ...settings };
              const result = await this.engine.request(request, {
                signal: abort.signal,
                idleTimeoutMs: watchdogMilliseconds(),
                onProgress: ({ message, fraction }) => report(`${step.suite}: ${message}`, fraction),
              });
              const records = result.results.map(record => ({ ...record, suite: record.suite ?? step.suite }));
              outcome.results.push(...records);
              this.addRecords(records);
            } catch (error) {
              if (error instanceof EngineError && error.code === 'cancelled') {
                abort.abort(); // stopped from elsewhere (Stop command, panel): end the whole run
                break;
              }
              const message = `${step.suite} on ${step.system} failed: ${error instanceof Error ? error.message : String(error)}`;
              outcome.errors.push(message);
              this.output.appendLine(error instanceof Error && error.stack ? error.stack : message);
              this.note(message);
            }
            done++;
          }
          if (run.machineBenchmark && !abort.signal.aborted) {
            report('machine benchmark');
            try {
              await this.machineReport(settings.machine, abort.signal);
            } catch (error) {
              if (error instanceof EngineError && error.code === 'cancelled') abort.abort();
              else outcome.errors.push(String(error instanceof Error ? error.message : error));
            }
          }
        } finally {
          subscription.dispose();
          if (this.abortRun === abort) this.abortRun = undefined;
          outcome.cancelled = abort.signal.aborted;
          if (outcome.cancelled) this.note(`${run.title} was cancelled.`);
          this.update({ running: null });
        }
      },
    );
    if (outcome.errors.length > 0) {
      void vscode.window.showErrorMessage(`L4 Lab: ${outcome.errors[0]}${outcome.errors.length > 1 ? ` (and ${outcome.errors.length - 1} more, see the L4 Lab output)` : ''}`);
    }
    return outcome;
  }

  /** Cancels the run in progress; returns whether there was one. */
  stop(): boolean {
    const abort = this.abortRun;
    abort?.abort();
    return abort !== undefined;
  }

  /** The machine description and the machine benchmark, into the panel's machine tab. */
  async machineReport(machine = runSettings().machine, signal?: AbortSignal): Promise<{ description: MachineDescription; report: MachineReport }> {
    const description = await this.engine.request({ type: 'machine.describe', machine }, { signal });
    this.setMachine(description);
    const report = await this.engine.request({ type: 'machine.benchmark', machine }, { signal, idleTimeoutMs: watchdogMilliseconds() });
    this.update({
      machineFigures: report.figures.map(figure => ({
        id: figure.id,
        what: figure.what,
        unit: figure.unit,
        value: figure.value,
        reference: figure.reference ? { min: figure.reference.min, max: figure.reference.max, source: figure.reference.source } : null,
        breakdown: { ...figure.breakdown },
      })),
    });
    return { description, report };
  }

  setMachine(description: MachineDescription): void {
    this.update({
      machine: {
        summary: description.summary,
        parameters: description.parameters.map(parameter => ({
          name: parameter.name,
          value: String(parameter.value),
          unit: parameter.unit,
          description: parameter.description,
          source: parameter.source,
          changed: parameter.value !== parameter.defaultValue,
        })),
      },
    });
  }

  /** Results of a custom server benchmark, shown beside the paper's L4 rows. */
  addCustomResults(records: readonly ResultRecord[]): void {
    this.addRecords(records);
  }

  clearResults(): void {
    this.update({ records: [], notes: [] });
  }
}

export function toPanelRecord(record: ResultRecord): PanelRecord {
  const breakdown: Record<string, number> = {};
  for (const [category, cycles] of Object.entries(record.breakdown)) if (typeof cycles === 'number') breakdown[category] = cycles;
  return {
    suite: record.suite,
    system: record.system,
    benchmark: record.benchmark,
    unit: record.unit,
    value: record.value,
    paper: record.paper,
    breakdown,
    ...(record.phases ? { phases: { ...record.phases } } : {}),
    ...(record.iterations !== undefined ? { iterations: record.iterations } : {}),
  };
}
