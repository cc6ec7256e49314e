// Hover help and completion for the lab API in TypeScript cells of `.l4lab` notebooks. The members,
// signatures and JSDoc come from dist/labCellApi.json, which scripts/genLabCellDts.mjs derives from
// engine/api/lab.ts together with labs/templates/l4lab-cell.d.ts (the same declarations, for reading
// or for `/// <reference>` in your own files). Cells have no module system, so the receiver of a
// member is found by name: `lab`, or a variable a cell of the notebook assigned from `lab.boot(...)`,
// `lab.l4()`, `lab.runSuite(...)` or `lab.machine()`. The index is read on first use, not at activation.

import * as vscode from 'vscode';
import { hoverMarkdown, receiverInterface, type LabApiIndex } from './labApiIndex';
import { NOTEBOOK_TYPE } from './serializer';

export class LabCellHelp implements vscode.HoverProvider, vscode.CompletionItemProvider, vscode.Disposable {
  private index: Promise<LabApiIndex> | undefined;
  private readonly registrations: vscode.Disposable[];

  constructor(private readonly apiFile: vscode.Uri) {
    const selector: vscode.DocumentSelector = { notebookType: NOTEBOOK_TYPE, language: 'typescript' };
    this.registrations = [vscode.languages.registerHoverProvider(selector, this), vscode.languages.registerCompletionItemProvider(selector, this, '.')];
  }

  dispose(): void {
    for (const registration of this.registrations) registration.dispose();
  }

  private load(): Promise<LabApiIndex> {
    this.index ??= Promise.resolve(vscode.workspace.fs.readFile(this.apiFile)).then(bytes => JSON.parse(new TextDecoder().decode(bytes)) as LabApiIndex);
    return this.index;
  }

  /** The text of every cell of the notebook that holds `document` (declarations carry over between cells). */
  private notebookSource(document: vscode.TextDocument): string {
    const notebook = vscode.workspace.notebookDocuments.find(candidate => candidate.getCells().some(cell => cell.document === document));
    return notebook ? notebook.getCells().map(cell => cell.document.getText()).join('\n') : document.getText();
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const range = document.getWordRangeAtPosition(position, /[\w$]+/);
    if (!range) return undefined;
    const word = document.getText(range);
    const before = document.lineAt(position.line).text.slice(0, range.start.character);
    const index = await this.load();
    const dotted = /([\w$]+)\s*\.\s*$/.exec(before);
    if (!dotted) {
      const global = index.globals?.find(member => member.name === word);
      return global ? new vscode.Hover(new vscode.MarkdownString(hoverMarkdown('globals', global)), range) : undefined;
    }
    const owner = receiverInterface(dotted[1]!, this.notebookSource(document));
    const member = owner ? index[owner]?.find(candidate => candidate.name === word) : undefined;
    return owner && member ? new vscode.Hover(new vscode.MarkdownString(hoverMarkdown(owner, member)), range) : undefined;
  }

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const dotted = /([\w$]+)\s*\.\s*[\w$]*$/.exec(document.lineAt(position.line).text.slice(0, position.character));
    if (!dotted) return undefined;
    const owner = receiverInterface(dotted[1]!, this.notebookSource(document));
    const members = owner ? (await this.load())[owner] : undefined;
    return members?.map(member => {
      const item = new vscode.CompletionItem(member.name, /^\w+\(/.test(member.signature) ? vscode.CompletionItemKind.Method : vscode.CompletionItemKind.Property);
      item.detail = member.signature;
      item.documentation = new vscode.MarkdownString(member.doc);
      return item;
    });
  }
}
