// `.l4lab` notebooks in a real VS Code: a bundled lab opens and runs top to bottom with renderer
// outputs, a long cell is interrupted, a failing cell shows its error with the notebook intact, and
// a malformed file is refused without ever being overwritten.
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

const codeCells = (notebook: vscode.NotebookDocument) => notebook.getCells().filter(cell => cell.kind === vscode.NotebookCellKind.Code);
const finished = (notebook: vscode.NotebookDocument) => (codeCells(notebook).every(cell => cell.executionSummary?.success !== undefined) ? true : undefined);
const mimes = (cell: vscode.NotebookCell) => cell.outputs.flatMap(output => output.items.map(item => item.mime));
const text = (cell: vscode.NotebookCell) => cell.outputs.flatMap(output => output.items.map(item => new TextDecoder().decode(item.data))).join('\n');

async function openNotebook(file: string, content: string): Promise<vscode.NotebookDocument> {
  fs.writeFileSync(file, content);
  const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
  await vscode.window.showNotebookDocument(notebook);
  return notebook;
}

function labFile(cells: Array<{ kind: 'code' | 'markdown'; source: string }>): string {
  return `${JSON.stringify({ version: 1, metadata: {}, cells: cells.map(cell => ({ ...cell, language: cell.kind === 'code' ? 'typescript' : 'markdown', outputs: [] })) }, null, 2)}\n`;
}

describe('lab notebooks (.l4lab)', function () {
  this.timeout(120000);

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens a bundled lab as a notebook in the workspace and runs every cell with renderer outputs', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('l4lab.openLab', '01-ipc.l4lab');
    assert.ok(uri, 'openLab returned no document');
    assert.ok(fs.existsSync(path.join(workspace(), 'labs', '01-ipc.l4lab')), 'the lab was not copied into the workspace');
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    assert.equal(notebook?.notebookType, 'l4lab-notebook');
    await vscode.commands.executeCommand('notebook.execute');
    assert.ok(await until(() => finished(notebook), 90000), 'the cells did not all run');
    for (const cell of codeCells(notebook)) assert.equal(cell.executionSummary?.success, true, `cell ${cell.index + 1} failed: ${text(cell)}`);
    const orders = codeCells(notebook).map(cell => cell.executionSummary?.executionOrder);
    assert.deepEqual(orders, [...orders].sort((a, b) => a! - b!));
    const all = codeCells(notebook).flatMap(mimes);
    assert.ok(all.includes('application/vnd.l4lab.table+json'), `no table output: ${all.join(', ')}`);
    assert.ok(all.includes('application/vnd.l4lab.chart+json'), 'no chart output');
    assert.ok(all.includes('text/plain'), 'no plain-text fallback');
    assert.match(text(codeCells(notebook)[0]!), /ipc\.short\.small/);
  });

  it('the page-fault lab gives a sequence diagram, the Figure 1 path and a mapping tree, each with a text fallback', async () => {
    await vscode.commands.executeCommand<vscode.Uri>('l4lab.openLab', '03-page-faults.l4lab');
    const notebook = vscode.window.activeNotebookEditor!.notebook;
    await vscode.commands.executeCommand('notebook.execute');
    assert.ok(await until(() => finished(notebook), 60000), 'the cells did not all run');
    for (const cell of codeCells(notebook)) assert.equal(cell.executionSummary?.success, true, `cell ${cell.index + 1} failed: ${text(cell)}`);
    const outputs = codeCells(notebook).flatMap(cell => cell.outputs);
    for (const mime of ['application/vnd.l4lab.sequence+json', 'application/vnd.l4lab.page-fault-path+json', 'application/vnd.l4lab.mapping-tree+json']) {
      const output = outputs.find(candidate => candidate.items.some(item => item.mime === mime));
      assert.ok(output, `no ${mime} output`);
      assert.ok(output.items.some(item => item.mime === 'text/plain'), `${mime} has no text/plain fallback`);
    }
    assert.match(text(codeCells(notebook)[0]!), /#PF 0x800000/);
  });

  it('interrupting a long cell stops it, and the next run works on a fresh engine', async () => {
    const file = path.join(workspace(), 'long.l4lab');
    const notebook = await openNotebook(file, labFile([{ kind: 'code', source: 'for (;;) {}' }, { kind: 'code', source: 'lab.print(6 * 7)' }]));
    void vscode.commands.executeCommand('notebook.execute');
    await new Promise(resolve => setTimeout(resolve, 2000));
    await vscode.commands.executeCommand('notebook.cancelExecution');
    const long = codeCells(notebook)[0]!;
    assert.ok(await until(() => (long.executionSummary?.success === false ? true : undefined), 15000), 'the long cell was not stopped');
    assert.match(text(long), /interrupted/);
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 1, end: 2 }], document: notebook.uri });
    const next = codeCells(notebook)[1]!;
    assert.ok(await until(() => (next.executionSummary?.success === true ? true : undefined), 30000), `the next cell did not run: ${text(next)}`);
    assert.match(text(next), /42/);
  });

  it('a failing cell shows its error; the notebook stays intact and saves', async () => {
    const file = path.join(workspace(), 'failing.l4lab');
    const notebook = await openNotebook(file, labFile([{ kind: 'markdown', source: '# failing' }, { kind: 'code', source: "throw new RangeError('on purpose')" }, { kind: 'code', source: "lab.boot('no-such-system')" }]));
    await vscode.commands.executeCommand('notebook.execute');
    assert.ok(await until(() => finished(notebook), 60000));
    const [thrown, unavailable] = codeCells(notebook);
    assert.equal(thrown!.executionSummary?.success, false);
    assert.ok(mimes(thrown!).includes('application/vnd.code.notebook.error'));
    assert.match(text(thrown!), /on purpose/);
    assert.match(text(unavailable!), /unknown system 'no-such-system'/);
    assert.equal(notebook.cellCount, 3);
    await notebook.save();
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: Array<{ source: string[]; success?: boolean }> };
    assert.equal(saved.cells.length, 3);
    assert.equal(saved.cells[1]!.success, false);
    assert.deepEqual(saved.cells[1]!.source, ["throw new RangeError('on purpose')"]);
  });

  it('shows the outputs of a long cell while it runs, and the progress of its suite runs', async () => {
    const file = path.join(workspace(), 'streaming.l4lab');
    const source = "lab.print('first output'); const started = Date.now(); while (Date.now() - started < 3000) {} lab.runSuite('ipc', ['l4']); lab.print('last output');";
    const notebook = await openNotebook(file, labFile([{ kind: 'code', source }]));
    const cell = codeCells(notebook)[0]!;
    const seen: string[] = [];
    const watching = setInterval(() => {
      if (cell.executionSummary?.success === undefined) seen.push(text(cell));
    }, 50);
    try {
      await vscode.commands.executeCommand('notebook.execute');
      assert.ok(await until(() => finished(notebook), 60000), 'the cell did not finish');
    } finally {
      clearInterval(watching);
    }
    assert.equal(cell.executionSummary?.success, true, text(cell));
    assert.ok(seen.some(partial => partial.includes('first output') && !partial.includes('last output')), 'the first output was not shown while the cell ran');
    assert.ok(seen.some(partial => /running ipc: /.test(partial)), `no progress line while the suite ran (saw: ${[...new Set(seen)].slice(-3).join(' | ')})`);
    assert.match(text(cell), /first output[\s\S]*ipc\.short[\s\S]*last output/);
    assert.doesNotMatch(text(cell), /running ipc: /, 'the progress line stays after the cell ended');
  });

  it('a lab that needs what this build lacks says so in its first cell and runs no further', async () => {
    const file = path.join(workspace(), 'needs.l4lab');
    const notebook = await openNotebook(file, labFile([{ kind: 'code', source: "lab.require({ boot: ['no-such-system'] })" }, { kind: 'code', source: "lab.print('not reached')" }]));
    await vscode.commands.executeCommand('notebook.execute');
    const [needs, next] = codeCells(notebook);
    assert.ok(await until(() => (needs!.executionSummary?.success === false ? true : undefined), 30000), 'the first cell did not end');
    await new Promise(resolve => setTimeout(resolve, 1500));
    assert.match(text(needs!), /LabUnavailable|this lab needs booting 'no-such-system'/);
    assert.notEqual(next!.executionSummary?.success, true);
    assert.doesNotMatch(text(next!), /not reached/);
  });

  it('gives hover help and completion for the lab API in TypeScript cells', async () => {
    const file = path.join(workspace(), 'help.l4lab');
    const notebook = await openNotebook(file, labFile([{ kind: 'code', source: "const linux = lab.boot('linux');" }, { kind: 'code', source: "linux.sh('ls');\nlab." }]));
    const [first, second] = codeCells(notebook);
    const hoverText = async (cell: vscode.NotebookCell, line: number, character: number) => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cell.document.uri, new vscode.Position(line, character));
      return hovers.flatMap(hover => hover.contents.map(content => (typeof content === 'string' ? content : content.value))).join('\n');
    };
    assert.match(await hoverText(first!, 0, 19), /\(method\) Lab\.boot\(system: string\): LabSystem[\s\S]*Boots `system`/);
    assert.match(await hoverText(first!, 0, 15), /const lab: LabApi\.Lab/);
    assert.match(await hoverText(second!, 0, 6), /\(method\) LabSystem\.sh\(command: string[\s\S]*guest shell/, 'a variable assigned from lab.boot in another cell');
    const completions = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', second!.document.uri, new vscode.Position(1, 4), '.');
    const runSuite = completions.items.find(item => (typeof item.label === 'string' ? item.label : item.label.label) === 'runSuite');
    assert.ok(runSuite, `no runSuite completion among ${completions.items.length} items`);
    assert.match(String(runSuite.detail), /runSuite\(suite: string, systems\?: readonly string\[\]/);
  });

  it('a malformed file opens with a clear error and is never overwritten', async () => {
    const file = path.join(workspace(), 'broken.l4lab');
    const content = '{ "version": 1, "cells": [ oops ] }\n';
    const notebook = await openNotebook(file, content);
    assert.match(String(notebook.metadata.l4labMalformed), /not valid JSON/);
    assert.match(notebook.cellAt(0).document.getText(), /not a valid L4 Lab notebook/);
    await notebook.save().then(undefined, () => false);
    assert.equal(fs.readFileSync(file, 'utf8'), content);
  });
});
