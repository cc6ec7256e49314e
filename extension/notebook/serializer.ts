// The `.l4lab` NotebookSerializer: a thin adapter over the pure format module
// (engine/api/labFormat.ts) that `l4lab lab run` uses too. A malformed file opens as one
// read-only error cell (the notebook's metadata marks it) and is never written back.

import * as vscode from 'vscode';
import { LabFormatError, LAB_FORMAT_VERSION, parseLabNotebook, serializeLabNotebook, type LabCell, type LabCellOutput } from '../../engine/api/labFormat';

export const NOTEBOOK_TYPE = 'l4lab-notebook';
/** Metadata key set on a notebook opened from a malformed file. */
export const MALFORMED = 'l4labMalformed';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toVscodeOutput(output: LabCellOutput): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput(
    output.items.map((item) => {
      if (item.mime === 'application/vnd.code.notebook.error') {
        const data = item.data as { name?: string; message?: string; stack?: string };
        const error = new Error(data.message ?? '');
        error.name = data.name ?? 'Error';
        error.stack = data.stack;
        return vscode.NotebookCellOutputItem.error(error);
      }
      if (typeof item.data === 'string') return vscode.NotebookCellOutputItem.text(item.data, item.mime);
      return vscode.NotebookCellOutputItem.json(item.data, item.mime);
    }),
  );
}

function fromVscodeOutput(output: vscode.NotebookCellOutput): LabCellOutput {
  return {
    items: output.items.map((item) => {
      const text = decoder.decode(item.data);
      const isJson = item.mime.endsWith('+json') || item.mime === 'application/json' || item.mime === 'application/vnd.code.notebook.error';
      let data: unknown = text;
      if (isJson) {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      return { mime: item.mime, data };
    }),
  };
}

/** Converts lab cell outputs (engine worker replies) to VS Code outputs. */
export function labOutputsToVscode(outputs: readonly LabCellOutput[]): vscode.NotebookCellOutput[] {
  return outputs.map(toVscodeOutput);
}

export class LabNotebookSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    const text = decoder.decode(content);
    try {
      const notebook = parseLabNotebook(text);
      const cells = notebook.cells.map((cell) => {
        const data = new vscode.NotebookCellData(cell.kind === 'markdown' ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code, cell.source, cell.language);
        data.outputs = cell.outputs.map(toVscodeOutput);
        if (cell.executionOrder !== undefined) data.executionSummary = { executionOrder: cell.executionOrder, ...(cell.success !== undefined ? { success: cell.success } : {}) };
        return data;
      });
      const data = new vscode.NotebookData(cells);
      data.metadata = { ...notebook.metadata };
      return data;
    } catch (error) {
      if (!(error instanceof LabFormatError)) throw error;
      const cell = new vscode.NotebookCellData(
        vscode.NotebookCellKind.Markup,
        `**This file is not a valid L4 Lab notebook** — ${error.message}.\n\nIt was opened read-only and will not be saved: fix it in a text editor (Reopen Editor With… › Text Editor).`,
        'markdown',
      );
      const data = new vscode.NotebookData([cell]);
      data.metadata = { [MALFORMED]: error.message };
      return data;
    }
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    const malformed = data.metadata?.[MALFORMED];
    if (typeof malformed === 'string') throw new Error(`refusing to overwrite a malformed L4 Lab notebook (${malformed})`);
    const cells: LabCell[] = data.cells.map((cell) => ({
      kind: cell.kind === vscode.NotebookCellKind.Markup ? 'markdown' : 'code',
      language: cell.languageId,
      source: cell.value,
      outputs: (cell.outputs ?? []).map(fromVscodeOutput),
      ...(cell.executionSummary?.executionOrder !== undefined ? { executionOrder: cell.executionSummary.executionOrder } : {}),
      ...(cell.executionSummary?.success !== undefined ? { success: cell.executionSummary.success } : {}),
    }));
    return encoder.encode(serializeLabNotebook({ version: LAB_FORMAT_VERSION, metadata: { ...(data.metadata ?? {}) }, cells }));
  }
}
