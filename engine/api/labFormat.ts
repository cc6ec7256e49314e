/**
 * The `.l4lab` notebook file format (DESIGN.md §7): JSON with a stable key order and 2-space
 * indentation so that notebooks diff well in git; outputs are saved with the cells. Pure: the
 * VS Code serializer (extension/notebook) and `l4lab lab run` both use it.
 */
import type { LabOutputItem } from './labProtocol';

export const LAB_FORMAT_VERSION = 1;

/** One output of a cell: its items (one per MIME type, `text/plain` always among them). */
export interface LabCellOutput {
  readonly items: readonly LabOutputItem[];
}

export interface LabCell {
  readonly kind: 'markdown' | 'code';
  /** `markdown` or `typescript`. */
  readonly language: string;
  readonly source: string;
  readonly outputs: readonly LabCellOutput[];
  /** Execution order of the last run, if any. */
  readonly executionOrder?: number;
  /** Whether the last run succeeded (absent when never run). */
  readonly success?: boolean;
}

export interface LabNotebook {
  readonly version: number;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly cells: readonly LabCell[];
}

/** A file that is not a valid `.l4lab` notebook; `message` says where and why. */
export class LabFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabFormatError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`;
}

/**
 * Parses the text of a `.l4lab` file.
 * @throws LabFormatError with the position of a JSON error or the path of an invalid field.
 */
export function parseLabNotebook(text: string): LabNotebook {
  let raw: unknown;
  if (text.trim() === '') return { version: LAB_FORMAT_VERSION, metadata: {}, cells: [] };
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position ? ` at ${lineAndColumn(text, Number(position[1]))}` : '';
    throw new LabFormatError(`not valid JSON${where}: ${message}`);
  }
  if (!isRecord(raw)) throw new LabFormatError('a notebook must be a JSON object with "version" and "cells"');
  if (raw.version !== LAB_FORMAT_VERSION) throw new LabFormatError(`unsupported notebook version ${JSON.stringify(raw.version)} (this build reads version ${LAB_FORMAT_VERSION})`);
  if (!Array.isArray(raw.cells)) throw new LabFormatError('"cells" must be an array');
  const metadata = raw.metadata === undefined ? {} : raw.metadata;
  if (!isRecord(metadata)) throw new LabFormatError('"metadata" must be an object');
  const cells = raw.cells.map((cell: unknown, index: number): LabCell => {
    const at = `cells[${index}]`;
    if (!isRecord(cell)) throw new LabFormatError(`${at} must be an object`);
    if (cell.kind !== 'markdown' && cell.kind !== 'code') throw new LabFormatError(`${at}.kind must be "markdown" or "code"`);
    const source = Array.isArray(cell.source) && cell.source.every((line) => typeof line === 'string') ? cell.source.join('\n') : cell.source;
    if (typeof source !== 'string') throw new LabFormatError(`${at}.source must be a string or an array of lines`);
    const language = cell.language ?? (cell.kind === 'markdown' ? 'markdown' : 'typescript');
    if (typeof language !== 'string') throw new LabFormatError(`${at}.language must be a string`);
    const outputs = cell.outputs ?? [];
    if (!Array.isArray(outputs)) throw new LabFormatError(`${at}.outputs must be an array`);
    const parsedOutputs = outputs.map((output: unknown, o: number): LabCellOutput => {
      if (!isRecord(output) || !Array.isArray(output.items)) throw new LabFormatError(`${at}.outputs[${o}] must be an object with "items"`);
      return {
        items: output.items.map((item: unknown, i: number) => {
          if (!isRecord(item) || typeof item.mime !== 'string' || !('data' in item)) throw new LabFormatError(`${at}.outputs[${o}].items[${i}] must have "mime" and "data"`);
          return { mime: item.mime, data: item.data };
        }),
      };
    });
    if (cell.executionOrder !== undefined && !Number.isInteger(cell.executionOrder)) throw new LabFormatError(`${at}.executionOrder must be an integer`);
    if (cell.success !== undefined && typeof cell.success !== 'boolean') throw new LabFormatError(`${at}.success must be a boolean`);
    return {
      kind: cell.kind,
      language,
      source,
      outputs: parsedOutputs,
      ...(cell.executionOrder !== undefined ? { executionOrder: cell.executionOrder as number } : {}),
      ...(cell.success !== undefined ? { success: cell.success } : {}),
    };
  });
  return { version: LAB_FORMAT_VERSION, metadata, cells };
}

/** Key order of known objects; other objects (metadata, output data) get their keys sorted. */
const KEY_ORDER = ['version', 'metadata', 'cells', 'kind', 'language', 'executionOrder', 'success', 'source', 'outputs', 'items', 'mime', 'data'];

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isRecord(value)) return value;
  const rank = (key: string) => {
    const index = KEY_ORDER.indexOf(key);
    return index < 0 ? KEY_ORDER.length : index;
  };
  const keys = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = canonical(value[key]);
  return out;
}

/**
 * Serializes a notebook: stable key order, 2-space indentation, a cell's source as an array of
 * lines (one JSON line per source line, so diffs are line-based), and a final newline.
 * `parseLabNotebook(serializeLabNotebook(n))` equals `n`.
 */
export function serializeLabNotebook(notebook: LabNotebook): string {
  const cells = notebook.cells.map((cell) => ({ ...cell, source: cell.source.split('\n') }));
  return `${JSON.stringify(canonical({ version: notebook.version, metadata: notebook.metadata, cells }), null, 2)}\n`;
}
