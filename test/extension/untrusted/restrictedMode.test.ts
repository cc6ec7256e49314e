// The extension in an untrusted workspace (VS Code's Restricted Mode) behaves as package.json's
// `capabilities.untrustedWorkspaces` ("limited") says: it activates; running code from the
// workspace (custom servers, lab notebook cells) is refused with a clear message and nothing
// runs; the benchmark panel and the simulator's own suites work.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

async function until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

describe('L4 Lab in an untrusted workspace (Restricted Mode)', function () {
  this.timeout(120000);

  it('runs in Restricted Mode, as its "limited" untrustedWorkspaces capability allows', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the test workspace should be untrusted');
    const extension = vscode.extensions.getExtension('l4lab.l4lab')!;
    assert.equal(extension.packageJSON.capabilities.untrustedWorkspaces.supported, 'limited');
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('refuses to run or benchmark a custom server from the workspace, leaving the file intact', async () => {
    const file = path.join(workspace(), 'servers', 'untrusted.ts');
    const source = "export function* server(): Generator<void, void, void> {}\nexport function* client(): Generator<void, void, void> {}\nthrow new Error('this code must not run');\n";
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, source);
    for (const command of ['l4lab.runCustomServer', 'l4lab.benchmarkCustomServer']) {
      const outcome = await vscode.commands.executeCommand<{ status: string; message: string }>(command, vscode.Uri.file(file));
      assert.equal(outcome.status, 'refused', command);
      assert.match(outcome.message, /trust this workspace first/);
    }
    assert.equal(fs.readFileSync(file, 'utf8'), source);
  });

  it('does not run lab notebook cells: each says the workspace must be trusted', async () => {
    const file = path.join(workspace(), 'untrusted.l4lab');
    const notebookText = `${JSON.stringify({ version: 1, metadata: {}, cells: [{ kind: 'code', language: 'typescript', source: "lab.print('this cell ran')", outputs: [] }] }, null, 2)}\n`;
    fs.writeFileSync(file, notebookText);
    const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    await vscode.window.showNotebookDocument(notebook);
    // In Restricted Mode VS Code first asks for trust (a dialog that the test workbench refuses), and
    // the command does not settle: do not await it. Should execution reach the controller anyway, it refuses.
    void vscode.commands.executeCommand('notebook.execute');
    const cell = notebook.cellAt(0);
    await until(() => (cell.executionSummary?.success !== undefined ? true : undefined), 8000);
    const text = cell.outputs.flatMap(output => output.items.map(item => new TextDecoder().decode(item.data))).join('\n');
    assert.doesNotMatch(text, /this cell ran/);
    if (cell.executionSummary?.success !== undefined) {
      assert.equal(cell.executionSummary.success, false);
      assert.match(text, /trust this workspace first/);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(fs.readFileSync(file, 'utf8'), notebookText, 'the notebook file changed');
  });

  it('opens the benchmark panel and runs the simulator\'s own suites', async () => {
    const status = await vscode.commands.executeCommand<{ open: boolean }>('l4lab.openPanel');
    assert.equal(status.open, true, 'the panel did not open');
    const outcome = await vscode.commands.executeCommand<{ results: Array<{ benchmark: string }>; errors: string[] }>('l4lab.runGetpid', { systems: ['linux'] });
    assert.deepEqual(outcome.errors, []);
    assert.ok(outcome.results.some(result => result.benchmark.startsWith('getpid')), 'no getpid result');
  });
});
