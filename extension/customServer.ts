// Custom servers: "New Custom Server" writes a TypeScript file from a template (labs/templates/)
// with the L4 guest API's declarations beside it (IntelliSense without configuration); "Run"
// and "Benchmark" check the file for TypeScript errors and send it to the engine worker, which
// transpiles it in-process with sucrase (pure JavaScript; the output keeps the file's line
// numbers; engine/host/node/customServerLoader.ts) and loads it into the simulated L4. Guest console output goes to an output channel; a guest
// exception is reported with its stack, and its line is marked in the user's file. The user's
// document is never modified.

import * as vscode from 'vscode';
import { writeFileAtomically } from './atomicWrite';
import type { ResultRecord } from '../engine/api';
import { EngineError, type EngineClient } from './engineClient';
import { runSettings, watchdogMilliseconds } from './settings';

export interface CustomTemplate {
  id: string;
  label: string;
  description: string;
  file: string;
}

export const TEMPLATES: readonly CustomTemplate[] = [
  { id: 'rpcEcho', label: 'RPC echo server', description: 'replies to every call; the client measures the round trip', file: 'rpcEcho.ts' },
  { id: 'pipeServer', label: 'Pipe server', description: 'long IPC byte strings; the client measures bandwidth', file: 'pipeServer.ts' },
  { id: 'pager', label: 'User-level pager', description: 'answers page faults with mappings; the client measures the fault cost', file: 'pager.ts' },
];

export const DECLARATIONS_FILE = 'l4lab.d.ts';

/** What Run/Benchmark Custom Server return (tests read it). */
export interface CustomRunOutcome {
  status: 'ok' | 'refused' | 'unavailable' | 'failed' | 'cancelled';
  message: string;
  output: string;
  results: ResultRecord[];
  stack?: string;
}

/** The first position in `stack` inside `fileName` (1-based line and column), if any. */
export function locateInStack(stack: string, fileName: string): { line: number; column: number } | undefined {
  const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined;
}

export class CustomServers implements vscode.Disposable {
  private readonly output = vscode.window.createOutputChannel('L4 Lab: Custom Server');
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('l4lab');
  /** The runs under way, from the moment the command starts (opening and checking the file) to their end. */
  private readonly active = new Set<AbortController>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engine: EngineClient,
  ) {}

  dispose(): void {
    this.output.dispose();
    this.diagnostics.dispose();
  }

  /** Creates a custom server from a template at `target` (asks for both when not given) and opens it. */
  async create(args: { template?: string; target?: string } = {}): Promise<vscode.Uri | undefined> {
    let template = TEMPLATES.find(entry => entry.id === args.template);
    if (!template) {
      const picked = await vscode.window.showQuickPick(
        TEMPLATES.map(entry => ({ label: entry.label, description: entry.description, template: entry })),
        { title: 'L4 Lab: New Custom Server', placeHolder: 'Choose a template' },
      );
      if (!picked) return undefined;
      template = picked.template;
    }
    let target = args.target ? vscode.Uri.file(args.target) : undefined;
    if (!target) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      target = await vscode.window.showSaveDialog({
        title: 'Save the custom server as',
        defaultUri: folder ? vscode.Uri.joinPath(folder, template.file) : undefined,
        filters: { TypeScript: ['ts'] },
      });
      if (!target) return undefined;
    }
    const templates = vscode.Uri.joinPath(this.extensionUri, 'labs', 'templates');
    const source = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(templates, template.file));
    const declarations = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(templates, DECLARATIONS_FILE));
    const folder = vscode.Uri.joinPath(target, '..');
    await vscode.workspace.fs.createDirectory(folder);
    await writeFileAtomically(target, source);
    // Always refresh the declarations: they describe the guest API of this version of the extension.
    await writeFileAtomically(vscode.Uri.joinPath(folder, DECLARATIONS_FILE), declarations);
    await vscode.window.showTextDocument(target, { preview: false });
    return target;
  }

  /**
   * Stops every custom-server run, also one still being prepared (its file opened and checked
   * before the engine has it), which then never starts; returns how many were stopped.
   */
  stop(): number {
    const count = this.active.size;
    for (const abort of this.active) abort.abort();
    return count;
  }

  /** Runs (or benchmarks) the custom server in `uri`, default the active editor's file. */
  async run(action: 'run' | 'benchmark', uri?: vscode.Uri, signal?: AbortSignal): Promise<CustomRunOutcome> {
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort(), { once: true });
    this.active.add(abort);
    try {
      return await this.runOnce(action, abort, uri);
    } finally {
      this.active.delete(abort);
    }
  }

  private async runOnce(action: 'run' | 'benchmark', abort: AbortController, uri?: vscode.Uri): Promise<CustomRunOutcome> {
    const refuse = (message: string): CustomRunOutcome => {
      void vscode.window.showErrorMessage(`L4 Lab: ${message}`);
      return { status: 'refused', message, output: '', results: [] };
    };
    if (!vscode.workspace.isTrusted) {
      return refuse('running a custom server executes its code: trust this workspace first (Workspaces: Manage Workspace Trust).');
    }
    const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!document) return refuse('open a custom server (a TypeScript file from "L4 Lab: New Custom Server") first.');
    if (document.languageId !== 'typescript' && !document.fileName.endsWith('.ts')) {
      return refuse(`${vscode.workspace.asRelativePath(document.uri)} is not a TypeScript file.`);
    }
    const fileName = document.uri.fsPath;
    const name = vscode.workspace.asRelativePath(document.uri);
    const errors = vscode.languages.getDiagnostics(document.uri).filter(diagnostic => diagnostic.severity === vscode.DiagnosticSeverity.Error && diagnostic.source !== 'l4lab');
    if (errors.length > 0) {
      const first = errors[0];
      return refuse(`${name} has ${errors.length} error(s); fix them first. Line ${first.range.start.line + 1}: ${first.message}`);
    }
    this.diagnostics.delete(document.uri);
    this.output.clear();
    this.output.show(true);
    this.output.appendLine(`[L4 Lab] ${action === 'run' ? 'running' : 'benchmarking'} ${name}`);
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `L4 Lab: ${action === 'run' ? 'running' : 'benchmarking'} ${name}`, cancellable: true },
        (_progress, cancellation) => {
          cancellation.onCancellationRequested(() => abort.abort());
          return this.engine.request(
            { type: 'custom.run', fileName, source: document.getText(), action, ...runSettings() },
            { signal: abort.signal, idleTimeoutMs: watchdogMilliseconds(), onOutput: text => this.output.append(text) },
          );
        },
      );
      this.output.appendLine(`[L4 Lab] ${name} finished`);
      return { status: 'ok', message: `${name} finished`, output: report.output, results: report.results };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const stack = error instanceof Error ? error.stack : undefined;
      if (error instanceof EngineError && (error.code === 'unavailable' || error.code === 'cancelled')) {
        this.output.appendLine(`[L4 Lab] ${message}`);
        void vscode.window.showWarningMessage(`L4 Lab: ${message}`);
        return { status: error.code, message, output: '', results: [] };
      }
      this.output.appendLine(`[L4 Lab] ${name} failed:`);
      this.output.appendLine(stack ?? message);
      const where = stack ? locateInStack(stack, fileName) : undefined;
      if (where) {
        const line = Math.min(where.line - 1, document.lineCount - 1);
        const range = document.lineAt(Math.max(0, line)).range;
        const diagnostic = new vscode.Diagnostic(range, `the custom server threw: ${message}`, vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'l4lab';
        this.diagnostics.set(document.uri, [diagnostic]);
      }
      const text = `${name} threw: ${message}${where ? ` (line ${where.line})` : ''}. The stack trace is in the "L4 Lab: Custom Server" output.`;
      void vscode.window.showErrorMessage(`L4 Lab: ${text}`);
      return { status: 'failed', message: text, output: '', results: [], stack };
    }
  }
}
