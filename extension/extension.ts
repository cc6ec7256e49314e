// Entry point of the L4 Lab extension. activate() only creates and registers disposables;
// the engine runs in a worker thread that starts on the first command that needs it.

import * as vscode from 'vscode';
import { EngineClient } from './engineClient';
import { showMachine } from './showMachine';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('L4 Lab');
  const engine = EngineClient.forScript(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath);
  context.subscriptions.push(
    output,
    engine,
    vscode.commands.registerCommand('l4lab.showMachine', () => showMachine(engine, output)),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
