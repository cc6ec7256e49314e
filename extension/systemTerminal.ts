// "Boot a system in a terminal": a pseudoterminal showing the boot log and an interactive shell
// of a simulated system. Keystrokes go to the guest raw: its tty does the line editing, the echo
// and Ctrl-C (SIGINT to the foreground process group), as n_tty does; closing the terminal shuts
// the system down (end of file to the shell, then a stop). The engine side is the boot.* requests
// of the worker protocol; a system that cannot boot yet gets a clear message and the terminal closes.

import * as vscode from 'vscode';
import { EngineError, type EngineClient } from './engineClient';
import { runSettings } from './settings';
import { toTerminalText, withoutEscapeSequences } from './terminalText';

export type BootStatus = 'running' | 'exited' | 'unavailable' | 'failed';

/** What l4lab.bootSystem returns (tests read it). */
export interface BootHandle {
  system: string;
  terminal: vscode.Terminal;
  /** Ctrl-C. */
  interrupt(): void;
  /** Settles when the system has booted and is waiting for input, or could not boot. */
  ready: Promise<{ status: BootStatus; message?: string }>;
  /** Everything written to the terminal so far (without escape handling). */
  transcript(): string;
  /** Types a line, as if the user had typed it and pressed Enter. */
  type(text: string): void;
}

export class SystemTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private session: number | undefined;
  private ended = false;
  private text = '';
  private resolveReady!: (value: { status: BootStatus; message?: string }) => void;
  readonly ready = new Promise<{ status: BootStatus; message?: string }>(resolve => (this.resolveReady = resolve));
  private readonly abort = new AbortController();

  constructor(
    private readonly engine: EngineClient,
    readonly system: string,
  ) {}

  get transcript(): string {
    return this.text;
  }

  private write(text: string): void {
    this.text += text;
    this.writeEmitter.fire(toTerminalText(text));
  }

  open(dimensions: vscode.TerminalDimensions | undefined): void {
    this.write(`L4 Lab: booting ${this.system} on the simulated Pentium…\n`);
    this.engine
      .request(
        { type: 'boot.start', system: this.system, columns: dimensions?.columns, rows: dimensions?.rows, ...runSettings() },
        {
          signal: this.abort.signal,
          idleTimeoutMs: 0, // an idle shell sends nothing for as long as the user thinks
          onId: id => (this.session = id),
          onOutput: text => {
            this.write(text);
            this.resolveReady({ status: 'running' });
          },
        },
      )
      .then(
        ({ exitCode }) => {
          this.write(`\n[${this.system} shut down, exit code ${exitCode}]\n`);
          this.resolveReady({ status: 'exited' });
          this.end(exitCode);
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          const unavailable = error instanceof EngineError && error.code === 'unavailable';
          this.write(`\n${unavailable ? 'Not available yet' : 'Error'}: ${message}\n`);
          this.resolveReady({ status: unavailable ? 'unavailable' : 'failed', message });
          if (!this.ended) void vscode.window.showWarningMessage(`L4 Lab: ${message}`);
          this.end(unavailable ? 0 : 1);
        },
      );
  }

  handleInput(data: string): void {
    if (this.session === undefined || this.ended) return;
    // The guest tty edits lines with backspace only (n_tty without history): drop cursor and
    // function keys, whose escape sequences it would otherwise echo into the line.
    const keys = withoutEscapeSequences(data);
    if (keys !== '') void this.control({ type: 'boot.input', session: this.session, data: keys });
  }

  /** Types a line and Enter (tests and "run in terminal" helpers). */
  type(line: string): void {
    this.handleInput(`${line}\r`);
  }

  /** Ctrl-C to the foreground guest process. */
  interrupt(): void {
    if (this.session !== undefined && !this.ended) void this.control({ type: 'boot.interrupt', session: this.session });
  }

  private async control(request: Parameters<EngineClient['request']>[0]): Promise<void> {
    try {
      await this.engine.request(request);
    } catch (error) {
      this.write(`\n[L4 Lab: ${error instanceof Error ? error.message : String(error)}]\n`);
    }
  }

  /** The terminal was closed by the user: shut the system down, then stop its run. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.session !== undefined) void this.control({ type: 'boot.stop', session: this.session }).finally(() => setTimeout(() => this.abort.abort(), 2000));
    else this.abort.abort();
  }

  private end(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.closeEmitter.fire(code);
  }
}

/** Opens a terminal booting `system`. */
export function openSystemTerminal(engine: EngineClient, system: string): BootHandle {
  const pty = new SystemTerminal(engine, system);
  const terminal = vscode.window.createTerminal({ name: `L4 Lab: ${system}`, pty });
  terminal.show();
  return { system, terminal, ready: pty.ready, transcript: () => pty.transcript, type: line => pty.type(line), interrupt: () => pty.interrupt() };
}

