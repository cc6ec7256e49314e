// What-if parameter names in a real VS Code: hovering one in a notebook cell or in the
// l4lab.parameters object of a settings.json shows its unit, range and source; an unknown name
// gets the nearest known one; completion offers every name inside a what-if object.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { listParameters } from '../../engine/api/parameterCatalog';

const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const ipcPath = listParameters(undefined, 'l4').find(row => row.name === 'ipcShortPathCycles')!;

/** The Markdown of every hover at `line`:`character`, with Markdown escapes removed. */
async function hoverText(uri: vscode.Uri, line: number, character: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, character));
  return hovers
    .flatMap(hover => hover.contents.map(content => (typeof content === 'string' ? content : content.value)))
    .join('\n')
    .replace(/\\(.)/g, '$1');
}

async function completionLabels(uri: vscode.Uri, line: number, character: number, trigger: string): Promise<Map<string, vscode.CompletionItem>> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(line, character), trigger);
  return new Map(list.items.map(item => [typeof item.label === 'string' ? item.label : item.label.label, item]));
}

function assertDescribes(text: string): void {
  assert.match(text, /l4\.ipcShortPathCycles/);
  assert.ok(text.includes(`published value: **${String(ipcPath.defaultValue)}** ${ipcPath.unit}`), `no published value with unit in: ${text}`);
  assert.ok(text.includes(ipcPath.source), `no source in: ${text}`);
  assert.match(text, /allowed: /);
  assert.match(text, new RegExp(`provenance: ${ipcPath.provenance}`));
}

describe('what-if parameter help', function () {
  this.timeout(60000);

  before(async () => {
    await vscode.extensions.getExtension('l4lab.l4lab')!.activate(); // a plain JSON file does not activate it
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('hovers and completes parameter names in a notebook cell', async () => {
    const file = path.join(workspace(), 'whatif.l4lab');
    const source = "lab.setParameters({ 'l4.ipcShortPathCycles': 60, 'l4.ipcShortPathCycle': 1 });\nlab.setParameters({ 'l4. });";
    fs.writeFileSync(file, `${JSON.stringify({ version: 1, metadata: {}, cells: [{ kind: 'code', language: 'typescript', source, outputs: [] }] }, null, 2)}\n`);
    const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    await vscode.window.showNotebookDocument(notebook);
    const cell = notebook.cellAt(0).document;
    assertDescribes(await hoverText(cell.uri, 0, 25));
    assert.match(await hoverText(cell.uri, 0, 55), /Unknown what-if parameter[\s\S]*did you mean 'l4\.ipcShortPathCycles'/);
    const items = await completionLabels(cell.uri, 1, 24, '.');
    assert.equal(listParameters().filter(row => !items.has(row.qualifiedName)).length, 0, 'a parameter missing from the completions');
    const documentation = items.get('l4.ipcShortPathCycles')!.documentation as vscode.MarkdownString;
    assertDescribes(documentation.value.replace(/\\(.)/g, '$1'));
  });

  it('hovers and completes parameter names inside l4lab.parameters of a settings.json only', async () => {
    const file = path.join(workspace(), 'whatif', 'settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{\n  "note": "l4.ipcShortPathCycles",\n  "l4lab.parameters": {\n    "l4.ipcShortPathCycles": 40,\n    "mach."\n  }\n}\n');
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(document);
    assertDescribes(await hoverText(document.uri, 3, 10));
    assert.doesNotMatch(await hoverText(document.uri, 1, 15), /published value/, 'a name outside l4lab.parameters');
    const items = await completionLabels(document.uri, 4, 10, '.');
    assert.ok([...items.keys()].some(label => label.startsWith('mach.')), `no mach.* completion among ${items.size} items`);
    assert.match((items.get('l4.ipcShortPathCycles')!.documentation as vscode.MarkdownString).value, /source: /);
  });
});
