import type { Operation } from '../../machine/executionContext';
import { ERESTARTSYS } from './errno';
import type { LinuxKernel } from './kernel';
import { SIG } from './syscalls';
import { WaitQueue, type Task } from './task';
import type { SelectStatus, SelectType } from './select';
import type { FileOperations, OpenFile } from './vfs';

/**
 * The console tty (drivers/char/tty_io.c + n_tty.c, reduced): canonical line input with echo,
 * ^C sends SIGINT and ^\ SIGQUIT to the foreground process group, ^D at the start of a line is
 * end of file, backspace edits the line. Output goes to the console device.
 */
export class Tty {
  private line: number[] = [];
  private readonly ready: number[][] = [];
  readonly wait = new WaitQueue();
  /** The foreground process group (TIOCSPGRP). */
  foreground = 1;
  echo = true;

  constructor(private readonly kernel: LinuxKernel) {}

  /** Bytes from the keyboard/serial interrupt. */
  receive(bytes: Uint8Array): void {
    for (const byte of bytes) {
      if (byte === 0x03 || byte === 0x1c) {
        this.line = [];
        if (this.echo) this.kernel.substrate.consoleOutput(Uint8Array.of(0x5e, byte === 0x03 ? 0x43 : 0x5c, 0x0a));
        this.kernel.signalGroup(this.foreground, byte === 0x03 ? SIG.SIGINT : SIG.SIGQUIT);
        continue;
      }
      if (byte === 0x04) {
        this.ready.push(this.line);
        this.line = [];
        continue;
      }
      if (byte === 0x7f || byte === 0x08) {
        if (this.line.length > 0) {
          this.line.pop();
          if (this.echo) this.kernel.substrate.consoleOutput(Uint8Array.of(0x08, 0x20, 0x08));
        }
        continue;
      }
      const value = byte === 0x0d ? 0x0a : byte;
      this.line.push(value);
      if (this.echo) this.kernel.substrate.consoleOutput(Uint8Array.of(value));
      if (value === 0x0a) {
        this.ready.push(this.line);
        this.line = [];
      }
    }
    this.kernel.wakeUp(this.wait);
  }

  /** True when a reader is blocked waiting for a line. */
  get readerWaiting(): boolean {
    return this.wait.sleepers.length > 0 && this.ready.length === 0;
  }

  readonly ops: FileOperations = {
    read: (kernel: LinuxKernel, task: Task, _file: OpenFile, buffer: number, count: number) => this.read(kernel, task, buffer, count),
    write: (kernel: LinuxKernel, task: Task, _file: OpenFile, buffer: number, count: number) => this.write(kernel, task, buffer, count),
    // n_tty select: readable when a line (or ^D) is ready; output never blocks
    select: (_kernel: LinuxKernel, _file: OpenFile, type: SelectType): SelectStatus => (type === 'in' ? (this.ready.length > 0 ? true : this.wait) : type === 'out' ? true : null),
  };

  private *read(kernel: LinuxKernel, task: Task, buffer: number, count: number): Operation<number> {
    while (this.ready.length === 0) {
      if (task.hasPendingSignal()) return -ERESTARTSYS;
      yield* kernel.sleepOn(task, this.wait);
    }
    const line = this.ready[0];
    const n = Math.min(count, line.length);
    const bytes = Uint8Array.from(line.slice(0, n));
    const copied = yield* kernel.writeUserBytes(task, buffer, bytes);
    if (copied < 0) return copied;
    if (n === line.length) this.ready.shift();
    else this.ready[0] = line.slice(n);
    return n;
  }

  private *write(kernel: LinuxKernel, task: Task, buffer: number, count: number): Operation<number> {
    let done = 0;
    while (done < count) {
      const chunk = Math.min(count - done, 1024);
      const bytes = yield* kernel.readUserBytes(task, buffer + done, chunk);
      if (typeof bytes === 'number') return done > 0 ? done : bytes;
      kernel.run('ttyWritePerChar', chunk);
      kernel.substrate.consoleOutput(bytes);
      done += chunk;
    }
    return done;
  }
}
