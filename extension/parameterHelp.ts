// Hover help and completion for what-if parameter names where users write them: quoted strings in
// TypeScript cells of `.l4lab` notebooks (`lab.setParameters({ 'l4.ipcShortPathCycles': 60 })`) and
// keys of the `l4lab.parameters` object in a settings.json. In cells every known name gets its
// hover; an unknown name, and completion, only inside a what-if object. The engine's parameter
// catalog is loaded on first use, not at activation.

import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from './notebook/serializer';
import { ParameterDocs } from './parameterDocs';
import { inWhatIfObject, quotedStringAt, type QuotedString } from './whatIfText';

/** TypeScript cells of lab notebooks. */
const CELLS: vscode.DocumentFilter = { notebookType: NOTEBOOK_TYPE, language: 'typescript' };

/** JSON documents; only a settings.json among them is looked at (the user's settings are `vscode-userdata:` documents, so no file pattern). */
const JSON_DOCUMENTS: vscode.DocumentFilter[] = [{ language: 'json' }, { language: 'jsonc' }];

/** A quoted string under the cursor where a parameter name may be written. */
interface Site {
  readonly quoted: QuotedString;
  readonly line: number;
  /** Whether the string is inside a what-if object (a key of setParameters' argument or of l4lab.parameters). */
  readonly inWhatIf: boolean;
}

export class ParameterHelp implements vscode.HoverProvider, vscode.CompletionItemProvider, vscode.Disposable {
  private docs: Promise<ParameterDocs> | undefined;
  private readonly registrations: vscode.Disposable[];

  constructor() {
    const selector = [CELLS, ...JSON_DOCUMENTS];
    this.registrations = [vscode.languages.registerHoverProvider(selector, this), vscode.languages.registerCompletionItemProvider(selector, this, "'", '"', '.')];
  }

  dispose(): void {
    for (const registration of this.registrations) registration.dispose();
  }

  private load(): Promise<ParameterDocs> {
    this.docs ??= import('../engine/api/parameterCatalog').then(catalog => new ParameterDocs(catalog));
    return this.docs;
  }

  /** The quoted string at `position` if it is a place for a parameter name. */
  private site(document: vscode.TextDocument, position: vscode.Position): Site | undefined {
    const inCell = vscode.languages.match(CELLS, document) > 0;
    if (!inCell && !/(^|\/)settings\.json$/i.test(document.uri.path)) return undefined;
    const quoted = quotedStringAt(document.lineAt(position.line).text, position.character);
    if (!quoted) return undefined;
    const inWhatIf = inWhatIfObject(document.getText(new vscode.Range(0, 0, position.line, quoted.start - 1)));
    return inCell || inWhatIf ? { quoted, line: position.line, inWhatIf } : undefined;
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const site = this.site(document, position);
    if (!site || site.quoted.text === '') return undefined;
    const docs = await this.load();
    const range = new vscode.Range(site.line, site.quoted.start, site.line, site.quoted.end);
    const row = docs.find(site.quoted.text);
    if (row) return new vscode.Hover(new vscode.MarkdownString(docs.markdown(row)), range);
    return site.inWhatIf ? new vscode.Hover(new vscode.MarkdownString(docs.unknownMarkdown(site.quoted.text)), range) : undefined;
  }

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const site = this.site(document, position);
    if (!site?.inWhatIf) return undefined;
    const docs = await this.load();
    const inserting = new vscode.Range(site.line, site.quoted.start, position.line, position.character);
    const replacing = new vscode.Range(site.line, site.quoted.start, site.line, site.quoted.end);
    return docs.rows().map(row => {
      const item = new vscode.CompletionItem(row.qualifiedName, vscode.CompletionItemKind.Property);
      item.detail = `${String(row.defaultValue)} ${row.unit}: ${row.description}`;
      item.documentation = new vscode.MarkdownString(docs.markdown(row));
      item.range = { inserting, replacing };
      return item;
    });
  }
}
