// Entry point of the L4 Lab extension. activate() only creates and registers disposables;
// the engine runs in a worker thread that starts on the first command that needs it.

import * as vscode from 'vscode';
import { writeFileAtomically } from './atomicWrite';
import { BenchmarkPanel } from './benchmarkPanel';
import { CustomServers } from './customServer';
import { EngineClient } from './engineClient';
import { Lab, type RunOutcome } from './lab';
import { recordsToCsv, recordsToMarkdown } from './resultExport';
import { runSettings } from './settings';
import { showMachine } from './showMachine';
import { LabNotebookController } from './notebook/controller';
import { LabCellHelp } from './notebook/labCellHelp';
import { LabNotebookSerializer, NOTEBOOK_TYPE } from './notebook/serializer';
import { ParameterHelp } from './parameterHelp';
import { openSystemTerminal, type BootHandle } from './systemTerminal';
import type { ExportFormat, PanelRun } from '../webview/panelProtocol';

const SYSTEM_LABELS: Record<string, string> = {
  linux: 'Linux 2.0 (native, monolithic)',
  l4linux: 'L4Linux on the L4 µ-kernel',
  'l4linux-trampoline': 'L4Linux with the trampoline',
  'mklinux-kernel': 'MkLinux, server in the Mach kernel',
  'mklinux-user': 'MkLinux, user-level server',
  l4: 'L4 µ-kernel alone',
};

/** What activate() returns: `vscode.extensions.getExtension('l4lab.l4lab').exports`. */
export interface L4LabApi {
  /** How long activate() itself took, in milliseconds (it only registers; the engine starts on first use). */
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): L4LabApi {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('L4 Lab');
  const engine = EngineClient.forScript(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath);
  const lab = new Lab(engine, output, context.workspaceState);
  const customServers = new CustomServers(context.extensionUri, engine);
  context.subscriptions.push(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new LabNotebookSerializer(), { transientOutputs: false }),
    new LabNotebookController(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath),
    new LabCellHelp(vscode.Uri.joinPath(context.extensionUri, 'dist', 'labCellApi.json')),
    new ParameterHelp(),
  );

  /** Quick pick of several of `systems` (all picked at first). */
  const pickSystems = async (title: string, systems: readonly string[]): Promise<string[] | undefined> => {
    const picked = await vscode.window.showQuickPick(
      systems.map(system => ({ label: system, description: SYSTEM_LABELS[system] ?? '', picked: true })),
      { title, canPickMany: true, placeHolder: 'Systems to run on' },
    );
    return picked?.map(item => item.label);
  };

  const runSuites = async (run: PanelRun): Promise<RunOutcome> => {
    panel.show(true);
    return lab.run(run);
  };

  /** A suite on systems (`args.systems`, or a quick pick when `pick` is set, or all it supports). */
  const suiteCommand = (suite: string, title: string, pick: boolean) => async (args?: { systems?: string[] }): Promise<RunOutcome> => {
    let systems = args?.systems;
    if (!systems && pick) {
      const info = await lab.engineInfo();
      const known = info.suites.find(entry => entry.id === suite);
      if (known) {
        systems = await pickSystems(title, known.systems);
        if (!systems || systems.length === 0) return { results: [], missing: [], cancelled: true, errors: [] };
      }
    }
    return runSuites({ title, suites: [{ suite, systems }] });
  };

  const exportResults = async (args?: { format?: ExportFormat; target?: string }): Promise<string | undefined> => {
    let format = args?.format;
    if (!format) {
      const picked = await vscode.window.showQuickPick(['csv', 'markdown'], { title: 'Export the benchmark results as' });
      if (picked !== 'csv' && picked !== 'markdown') return undefined;
      format = picked;
    }
    const extension = format === 'csv' ? 'csv' : 'md';
    let target = args?.target ? vscode.Uri.file(args.target) : undefined;
    if (!target) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      target = await vscode.window.showSaveDialog({
        title: 'Export the L4 Lab results',
        defaultUri: folder ? vscode.Uri.joinPath(folder, `l4lab-results.${extension}`) : undefined,
        filters: format === 'csv' ? { CSV: ['csv'] } : { Markdown: ['md'] },
      });
      if (!target) return undefined;
    }
    const state = lab.panelState;
    const text = format === 'csv' ? recordsToCsv(state.records) : recordsToMarkdown(state.records, state.machine?.summary);
    await writeFileAtomically(target, new TextEncoder().encode(text));
    if (!args?.target) void vscode.window.showInformationMessage(`L4 Lab: exported ${state.records.length} results to ${vscode.workspace.asRelativePath(target)}`);
    return target.fsPath;
  };

  const stop = (): number => {
    const run = lab.stop();
    const custom = customServers.stop();
    const stopped = Math.max(engine.stopAll(), run ? 1 : 0, custom);
    void vscode.window.setStatusBarMessage(stopped > 0 ? 'L4 Lab: simulation stopped' : 'L4 Lab: nothing is running', 3000);
    return stopped;
  };

  const machineBenchmark = () => runSuites({ title: 'machine benchmark', suites: [], machineBenchmark: true });

  const panel = new BenchmarkPanel(context.extensionUri, lab, {
    rerun: () => {
      const last = lab.panelState.lastRun;
      return last ? runSuites(last) : vscode.window.showInformationMessage('L4 Lab: nothing to re-run yet; run a suite from the command palette.');
    },
    stop,
    exportResults: format => exportResults({ format }),
    runMachineBenchmark: machineBenchmark,
  });

  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.text = '$(debug-stop) L4 Lab';
  status.tooltip = 'A simulation is running: click to stop it';
  status.command = 'l4lab.stop';

  context.subscriptions.push(
    output,
    engine,
    lab,
    customServers,
    panel,
    status,
    engine.onDidChangeBusy(busy => (busy > 0 ? status.show() : status.hide())),
    vscode.commands.registerCommand('l4lab.showMachine', async () => {
      const description = await showMachine(engine, output, runSettings().machine);
      lab.setMachine(description);
      return description;
    }),
    vscode.commands.registerCommand('l4lab.bootSystem', async (system?: string): Promise<BootHandle | undefined> => {
      if (!system) {
        // The systems the engine registers as bootable (engine/linux/systems.ts), so L4Linux and MkLinux appear once they are built.
        const info = await lab.engineInfo();
        const picked = await vscode.window.showQuickPick(
          info.bootable.map(id => ({ label: id, description: SYSTEM_LABELS[id] ?? '' })),
          { title: 'L4 Lab: Boot a system in a terminal' },
        );
        if (!picked) return undefined;
        system = picked.label;
      }
      return openSystemTerminal(engine, system);
    }),
    vscode.commands.registerCommand('l4lab.runLmbench', suiteCommand('lmbench', 'lmbench suite', true)),
    vscode.commands.registerCommand('l4lab.runPipe', async (args?: { systems?: string[] }) =>
      runSuites({ title: 'pipe/RPC benchmarks', suites: [{ suite: 'pipe', systems: args?.systems }, ...((await lab.engineInfo()).suites.some(s => s.id === 'ipc') ? [{ suite: 'ipc', systems: args?.systems }] : [])] }),
    ),
    vscode.commands.registerCommand('l4lab.runGetpid', suiteCommand('getpid', 'getpid', false)),
    vscode.commands.registerCommand('l4lab.reproduce', async (): Promise<RunOutcome> => {
      const info = await lab.engineInfo();
      // The paper's suites in its order (engine/bench REPRODUCTION_SUITES, plus `ipc`), then any others the engine has.
      const paper = ['getpid', 'pipe', 'ipc', 'lmbench', 'hbench', 'compile', 'aim', 'vm', 'cache-partitioning'];
      const built = info.suites.map(suite => suite.id);
      const suites = [...paper.filter(suite => built.includes(suite)), ...built.filter(suite => !paper.includes(suite))];
      const missing = paper.filter(suite => suite !== 'ipc' && !built.includes(suite));
      if (missing.length > 0) output.appendLine(`[reproduce] not built yet: ${missing.join(', ')}`);
      const outcome = await runSuites({ title: 'reproduce the paper', suites: suites.map(suite => ({ suite })), machineBenchmark: true });
      return { ...outcome, missing: [...outcome.missing, ...missing] };
    }),
    vscode.commands.registerCommand('l4lab.openPanel', () => {
      panel.show();
      return panel.status;
    }),
    vscode.commands.registerCommand('l4lab.panelStatus', () => ({ ...panel.status, state: lab.panelState })),
    vscode.commands.registerCommand('l4lab.exportResults', exportResults),
    vscode.commands.registerCommand('l4lab.runMachineBenchmark', machineBenchmark),
    vscode.commands.registerCommand('l4lab.newCustomServer', (args?: { template?: string; target?: string }) => customServers.create(args)),
    vscode.commands.registerCommand('l4lab.runCustomServer', (uri?: vscode.Uri) => customServers.run('run', uri)),
    vscode.commands.registerCommand('l4lab.benchmarkCustomServer', async (uri?: vscode.Uri) => {
      const outcome = await customServers.run('benchmark', uri);
      if (outcome.results.length > 0) {
        lab.addCustomResults(outcome.results);
        panel.show(true);
      }
      return outcome;
    }),
    vscode.commands.registerCommand('l4lab.openLab', async (name?: string) => {
      const labs = await bundledLabs(context.extensionUri);
      if (labs.length === 0) {
        void vscode.window.showInformationMessage('L4 Lab: no bundled labs in this version yet; the custom-server templates are in "L4 Lab: New Custom Server".');
        return undefined;
      }
      const chosen = name ? labs.find(entry => entry.label === name) : await vscode.window.showQuickPick(labs, { title: 'L4 Lab: Open a bundled lab' });
      if (!chosen) return undefined;
      if (chosen.label.endsWith('.l4lab')) return openLabNotebook(chosen.uri, chosen.label);
      // Open a copy, so the bundled original stays pristine.
      const document = await vscode.workspace.openTextDocument({ content: new TextDecoder().decode(await vscode.workspace.fs.readFile(chosen.uri)), language: chosen.language });
      await vscode.window.showTextDocument(document);
      return document.uri;
    }),
    vscode.commands.registerCommand('l4lab.stop', stop),
  );
  return { activationMs: performance.now() - started };
}

/**
 * Copies a bundled lab notebook into the first workspace folder (labs/NAME, never overwriting an
 * existing file: written through a temporary file and a rename) and opens it; without a folder,
 * opens an untitled copy.
 */
async function openLabNotebook(source: vscode.Uri, name: string): Promise<vscode.Uri> {
  const content = await vscode.workspace.fs.readFile(source);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new LabNotebookSerializer().deserializeNotebook(content));
    await vscode.window.showNotebookDocument(notebook);
    return notebook.uri;
  }
  const target = vscode.Uri.joinPath(folder.uri, 'labs', name);
  const exists = await vscode.workspace.fs.stat(target).then(() => true, () => false);
  if (!exists) {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder.uri, 'labs'));
    await writeFileAtomically(target, content, false);
  }
  const notebook = await vscode.workspace.openNotebookDocument(target);
  await vscode.window.showNotebookDocument(notebook);
  return target;
}

/** The bundled labs: notebooks (.l4lab) and Markdown labs under labs/. */
async function bundledLabs(extensionUri: vscode.Uri): Promise<Array<{ label: string; description: string; uri: vscode.Uri; language: string }>> {
  const root = vscode.Uri.joinPath(extensionUri, 'labs');
  const found: Array<{ label: string; description: string; uri: vscode.Uri; language: string }> = [];
  for (const [name, type] of await vscode.workspace.fs.readDirectory(root).then(undefined, () => [] as Array<[string, vscode.FileType]>)) {
    if (type === vscode.FileType.File && (name.endsWith('.l4lab') || name.endsWith('.md'))) {
      found.push({ label: name, description: 'bundled lab', uri: vscode.Uri.joinPath(root, name), language: name.endsWith('.md') ? 'markdown' : 'json' });
    }
  }
  return found;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
