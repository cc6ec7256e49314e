// The `.l4lab` notebook controller: one engine worker per notebook (its lab session keeps
// declarations, booted systems and machine settings between cells), cells queued in order,
// execution order numbers, interrupt (terminates that notebook's worker: the engine is
// synchronous) and restart (a fresh worker boots afresh).

import * as vscode from 'vscode';
import { EngineClient, EngineError } from '../engineClient';
import { labOutputsToVscode, MALFORMED, NOTEBOOK_TYPE } from './serializer';

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
    const engine = this.engineFor(notebook);
    const signal = engine.abort.signal;
    const executions = cells.filter((cell) => cell.kind === vscode.NotebookCellKind.Code).map((cell) => this.controller.createNotebookCellExecution(cell));
    const run = async () => {
      for (const execution of executions) {
        const cell = execution.cell;
        if (signal.aborted) {
          execution.start(Date.now());
          execution.end(undefined, Date.now());
          continue;
        }
        const cancel = execution.token.onCancellationRequested(() => this.interrupt(notebook));
        execution.executionOrder = ++engine.order;
        execution.start(Date.now());
        await execution.clearOutput();
        try {
          const name = `${vscode.workspace.asRelativePath(notebook.uri)}#cell${cell.index + 1}.ts`;
          const report = await engine.client.request({ type: 'lab.cell', source: cell.document.getText(), fileName: name, mode: 'quick' }, { signal });
          await execution.replaceOutput(labOutputsToVscode(report.outputs));
          execution.end(report.success, Date.now());
        } catch (error) {
          const interrupted = error instanceof EngineError && error.code === 'cancelled';
          const message = interrupted ? 'interrupted: the cell was stopped (this notebook\'s engine restarts on the next run)' : error instanceof Error ? error.message : String(error);
          await execution.replaceOutput([new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(Object.assign(new Error(message), { name: interrupted ? 'Interrupted' : 'EngineError' }))])]);
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
}
