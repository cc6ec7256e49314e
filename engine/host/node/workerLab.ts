// Runs the TypeScript cells of a `.l4lab` notebook (DESIGN.md §7), in the engine worker or in
// `l4lab lab run`: sucrase strips the types in-process (as for custom servers), and the cell runs
// in a vm context of its own notebook, with `lab` (engine/api/lab.ts) in scope. Top-level
// declarations of one cell are visible in the next ones. A cell that loops is stopped by a
// host-time watchdog (vm timeout).

import vm from 'node:vm';
import { transform } from 'sucrase';
import { Lab, LabUnavailableError } from '../../api/lab';
import { LAB_MIME, type LabOutputItem } from '../../api/labProtocol';
import type { LabCellOutput, LabNotebook, LabCell } from '../../api/labFormat';

/** Host milliseconds a cell may run before it is stopped. */
export const CELL_TIMEOUT_MS = 120_000;

/** What running one cell produced. */
export interface CellRunResult {
  outputs: LabCellOutput[];
  success: boolean;
  executionOrder: number;
  /** Set when the cell stopped because the lab needs something this engine build lacks (`lab.require`): the reason. */
  unavailable?: string;
}

/** The error output of a failed cell (the notebook error MIME type plus a plain-text fallback). */
export function errorOutput(error: unknown): LabCellOutput {
  const err = error instanceof Error ? error : new Error(String(error));
  const text = `${err.name}: ${err.message}`;
  return {
    items: [
      { mime: LAB_MIME.error, data: { name: err.name, message: err.message, stack: err.stack ?? text } },
      { mime: LAB_MIME.text, data: text },
    ],
  };
}

/** One notebook's lab: its `lab` object, its vm context and its execution counter. */
export class LabSession {
  private order = 0;
  private readonly context: vm.Context;
  private sink: ((items: LabOutputItem[]) => void) | undefined;
  private progressSink: ((message: string, fraction?: number) => void) | undefined;
  readonly lab: Lab;

  constructor(mode: 'quick' | 'full' = 'quick', private readonly timeoutMs = CELL_TIMEOUT_MS) {
    this.lab = new Lab((items) => this.sink?.(items), mode, (message, fraction) => this.progressSink?.(message, fraction));
    const cellConsole = { log: (...values: unknown[]) => this.lab.print(...values) };
    this.context = vm.createContext({ lab: this.lab, console: cellConsole });
  }

  /**
   * Runs one TypeScript cell; `onOutput` sees each output as it is displayed, `onProgress` the
   * progress of the suites it runs. Never throws: a failure becomes the cell's last output.
   */
  run(source: string, fileName: string, onOutput?: (output: LabCellOutput) => void, onProgress?: (message: string, fraction?: number) => void): CellRunResult {
    const outputs: LabCellOutput[] = [];
    const executionOrder = ++this.order;
    this.progressSink = onProgress;
    this.sink = (items) => {
      const output = { items };
      outputs.push(output);
      onOutput?.(output);
    };
    try {
      const javascript = transform(source, { transforms: ['typescript'], filePath: fileName, production: true, disableESTransforms: true }).code;
      const value: unknown = vm.runInContext(javascript, this.context, { filename: fileName, timeout: this.timeoutMs });
      if (value !== undefined && typeof value !== 'function' && outputs.length === 0) this.lab.print(value);
      return { outputs, success: true, executionOrder };
    } catch (error) {
      const output = errorOutput(error);
      outputs.push(output);
      onOutput?.(output);
      return { outputs, success: false, executionOrder, ...(error instanceof LabUnavailableError ? { unavailable: error.message } : {}) };
    } finally {
      this.sink = undefined;
      this.progressSink = undefined;
    }
  }
}

/**
 * Runs every code cell of a notebook in order; returns the notebook with new outputs and whether
 * all cells succeeded. A cell whose `lab.require` names something this engine build lacks ends
 * the run early: the lab is `skipped` (with the reason), not failed, and later cells keep their outputs.
 */
export function runLabNotebook(notebook: LabNotebook, name: string, mode: 'quick' | 'full' = 'quick', onCell?: (index: number, cell: LabCell, result: CellRunResult) => void): { notebook: LabNotebook; ok: boolean; skipped?: string } {
  const session = new LabSession(mode);
  let ok = true;
  let skipped: string | undefined;
  const cells = notebook.cells.map((cell, index): LabCell => {
    if (cell.kind !== 'code' || skipped !== undefined) return cell;
    const result = session.run(cell.source, `${name}#cell${index + 1}.ts`);
    onCell?.(index, cell, result);
    if (result.unavailable !== undefined) skipped = result.unavailable;
    else if (!result.success) ok = false;
    return { ...cell, outputs: result.outputs, executionOrder: result.executionOrder, success: result.success };
  });
  return { notebook: { ...notebook, cells }, ok, ...(skipped !== undefined ? { skipped } : {}) };
}
