// The `.l4lab` notebook controller: one engine worker per notebook (its lab session keeps
// declarations, booted systems and machine settings between cells), cells queued in order,
// execution order numbers, interrupt (terminates that notebook's worker: the engine is
// synchronous) and restart (a fresh worker boots afresh).

import * as vscode from 'vscode';
import { EngineClient, EngineError } from '../engineClient';
import { labOutputsToVscode, MALFORMED, NOTEBOOK_TYPE } from './serializer';
import type { LabCellOutput } from '../../engine/api/labFormat';

interface NotebookEngine {
  client: EngineClient;
  /** The tail of the queue of cells of this notebook. */
  queue: Promise<void>;
  order: number;
  abort: AbortController;
}

export class LabNotebookController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly engines = new Map<string, NotebookEngine>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly workerScript: string) {
    this.controller = vscode.notebooks.createNotebookController('l4lab-notebook-controller', NOTEBOOK_TYPE, 'L4 Lab engine');
    this.controller.supportedLanguages = ['typescript', 'markdown'];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'the simulated Pentium, one engine worker per notebook';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.controller.interruptHandler = (notebook) => this.interrupt(notebook);
    this.disposables.push(
      this.controller,
      vscode.workspace.onDidCloseNotebookDocument((notebook) => this.restart(notebook)),
      vscode.workspace.onDidOpenNotebookDocument((notebook) => this.prefer(notebook)),
    );
    for (const notebook of vscode.workspace.notebookDocuments) this.prefer(notebook);
  }

  dispose(): void {
    for (const engine of this.engines.values()) engine.client.dispose();
    this.engines.clear();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private engineFor(notebook: vscode.NotebookDocument): NotebookEngine {
    const key = notebook.uri.toString();
    let engine = this.engines.get(key);
    if (!engine) {
      engine = { client: EngineClient.forScript(this.workerScript, { cancelGraceMs: 200 }), queue: Promise.resolve(), order: 0, abort: new AbortController() };
      this.engines.set(key, engine);
    }
    return engine;
  }

  private prefer(notebook: vscode.NotebookDocument): void {
    if (notebook.notebookType === NOTEBOOK_TYPE) this.controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  }

  /** Stops the running cell and drops the queued ones (terminates this notebook's worker). */
  interrupt(notebook: vscode.NotebookDocument): void {
    const engine = this.engines.get(notebook.uri.toString());
    if (!engine) return;
    engine.abort.abort();
    engine.abort = new AbortController();
  }

  /** Restart: a fresh worker (systems boot afresh, declarations are forgotten). */
  restart(notebook: vscode.NotebookDocument): void {
    const key = notebook.uri.toString();
    const engine = this.engines.get(key);
    if (!engine) return;
    engine.abort.abort();
    engine.client.dispose();
    this.engines.delete(key);
  }

  private execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    if (typeof notebook.metadata[MALFORMED] === 'string') {
      void vscode.window.showErrorMessage(`This L4 Lab notebook could not be read and is not run: ${String(notebook.metadata[MALFORMED])}`);
      return Promise.resolve();
    }
    const code = cells.filter((cell) => cell.kind === vscode.NotebookCellKind.Code);
    if (!vscode.workspace.isTrusted) return this.refuseUntrusted(code);
    const engine = this.engineFor(notebook);
    const signal = engine.abort.signal;
    const executions = code.map((cell) => this.controller.createNotebookCellExecution(cell));
    const run = async () => {
      /** Why the rest of this batch is not run: a cell's `lab.require` named something this engine build lacks. */
      let unavailable: string | undefined;
      for (const execution of executions) {
        const cell = execution.cell;
        if (signal.aborted || unavailable !== undefined) {
          execution.start(Date.now());
          execution.end(undefined, Date.now());
          continue;
        }
        const cancel = execution.token.onCancellationRequested(() => this.interrupt(notebook));
        execution.executionOrder = ++engine.order;
        execution.start(Date.now());
        await execution.clearOutput();
        const stream = new CellStream(execution);
        try {
          const name = `${vscode.workspace.asRelativePath(notebook.uri)}#cell${cell.index + 1}.ts`;
          const report = await engine.client.request(
            { type: 'lab.cell', source: cell.document.getText(), fileName: name, mode: 'quick' },
            { signal, onCellOutput: (output) => stream.output(output), onProgress: ({ message, fraction }) => stream.progress(message, fraction) },
          );
          await stream.settled();
          await execution.replaceOutput(labOutputsToVscode(report.outputs));
          execution.end(report.success, Date.now());
          if (report.unavailable !== undefined) {
            unavailable = report.unavailable;
            void vscode.window.showInformationMessage(`L4 Lab: the rest of this lab is not run: ${report.unavailable}`);
          }
        } catch (error) {
          const interrupted = error instanceof EngineError && error.code === 'cancelled';
          const message = interrupted ? 'interrupted: the cell was stopped (this notebook\'s engine restarts on the next run)' : error instanceof Error ? error.message : String(error);
          await stream.settled();
          // Keep what the cell showed before it was stopped, then say why it ended.
          await execution.replaceOutput([...labOutputsToVscode(stream.outputs), new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(Object.assign(new Error(message), { name: interrupted ? 'Interrupted' : 'EngineError' }))])]);
          execution.end(false, Date.now());
          if (interrupted) this.restart(notebook);
        } finally {
          cancel.dispose();
        }
      }
    };
    engine.queue = engine.queue.then(run, run);
    return engine.queue;
  }

  /** Running a cell runs code from the workspace: in an untrusted (restricted) workspace each cell ends with an error saying so. */
  private async refuseUntrusted(cells: readonly vscode.NotebookCell[]): Promise<void> {
    const message = 'running a lab cell executes its code: trust this workspace first (Workspaces: Manage Workspace Trust). The bundled results and the benchmark panel work without trust.';
    for (const cell of cells) {
      const execution = this.controller.createNotebookCellExecution(cell);
      execution.start(Date.now());
      await execution.replaceOutput([new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(Object.assign(new Error(message), { name: 'UntrustedWorkspace' }))])]);
      execution.end(false, Date.now());
    }
    void vscode.window.showWarningMessage(`L4 Lab: ${message}`);
  }
}

/**
 * The outputs of a running cell as they arrive (streamed by the worker), plus one transient
 * progress line while a suite runs; updates are applied in order, and the progress line at most
 * a few times a second. The final result replaces all of it.
 */
class CellStream {
  readonly outputs: LabCellOutput[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private progressOutput: vscode.NotebookCellOutput | undefined;
  private lastProgress = 0;

  constructor(private readonly execution: vscode.NotebookCellExecution) {}

  output(output: LabCellOutput): void {
    this.outputs.push(output);
    this.chain = this.chain.then(() => this.execution.appendOutput(labOutputsToVscode([output])));
  }

  progress(message: string, fraction: number | undefined): void {
    const now = Date.now();
    if (now - this.lastProgress < 250) return;
    this.lastProgress = now;
    const item = vscode.NotebookCellOutputItem.text(`running ${message}${fraction === undefined ? '' : ` (${Math.round(fraction * 100)} %)`}`);
    this.chain = this.chain.then(() => {
      if (this.progressOutput) return this.execution.replaceOutputItems(item, this.progressOutput);
      this.progressOutput = new vscode.NotebookCellOutput([item], { transient: true });
      return this.execution.appendOutput(this.progressOutput);
    });
  }

  /** Resolves when every update so far has been applied. */
  async settled(): Promise<void> {
    await this.chain.catch(() => undefined);
  }
}
