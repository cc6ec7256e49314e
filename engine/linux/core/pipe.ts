import type { Operation } from '../../machine/executionContext';
import { EAGAIN, EPIPE, ERESTARTSYS } from './errno';
import type { LinuxKernel } from './kernel';
import { SIG, O_NONBLOCK } from './syscalls';
import { WaitQueue, type Task } from './task';
import type { SelectStatus, SelectType } from './select';
import type { FileOperations, OpenFile } from './vfs';

/** PIPE_BUF: one page (include/linux/limits.h); writes up to it are atomic. */
export const PIPE_BUF = 4096;

/**
 * A pipe (fs/pipe.c of Linux 2.0): one page of buffer in simulated memory, a start offset and a
 * length, reader and writer counts, and one wait queue for both directions. Readers sleep while
 * the pipe is empty and has writers; writers sleep while there is not room for an atomic write;
 * every copy is `memcpy_fromfs`/`memcpy_tofs` through the substrate's user access, and each
 * completed operation wakes the other side with `wake_up_interruptible`.
 */
export class Pipe {
  start = 0;
  length = 0;
  readers = 0;
  writers = 0;
  readonly wait = new WaitQueue();
  constructor(readonly page: number) {}
}

function pipeOf(file: OpenFile): Pipe {
  return file.inode.pipe!;
}

export const PIPE_READ_OPS: FileOperations = {
  *read(kernel: LinuxKernel, task: Task, file: OpenFile, buffer: number, count: number): Operation<number> {
    const pipe = pipeOf(file);
    kernel.run('pipeReadOp');
    if (count === 0) return 0;
    while (pipe.length === 0) {
      if (pipe.writers === 0) return 0;
      if ((file.flags & O_NONBLOCK) !== 0) return -EAGAIN;
      if (task.hasPendingSignal()) return -ERESTARTSYS;
      kernel.run('pipeRetest');
      yield* kernel.sleepOn(task, pipe.wait);
    }
    let read = 0;
    while (count > 0 && pipe.length > 0) {
      kernel.run('pipeChunk');
      const chunk = Math.min(count, pipe.length, PIPE_BUF - pipe.start);
      const copied = yield* kernel.substrate.copyToUser(task, kernel.substrate.kernelLinear(pipe.page + pipe.start), buffer + read, chunk);
      if (copied < 0) return read > 0 ? read : copied;
      pipe.start = (pipe.start + chunk) % PIPE_BUF;
      pipe.length -= chunk;
      read += chunk;
      count -= chunk;
    }
    if (pipe.length === 0) pipe.start = 0;
    kernel.wakeUp(pipe.wait);
    return read;
  },
  /** pipe_select, SEL_IN: data, or no writer left (read returns 0). */
  select(_kernel: LinuxKernel, file: OpenFile, type: SelectType): SelectStatus {
    const pipe = pipeOf(file);
    if (type !== 'in') return null;
    return pipe.length > 0 || pipe.writers === 0 ? true : pipe.wait;
  },
  release(kernel: LinuxKernel, file: OpenFile): void {
    const pipe = pipeOf(file);
    pipe.readers--;
    kernel.wakeUp(pipe.wait);
    kernel.maybeFreePipe(file.inode);
  },
};

export const PIPE_WRITE_OPS: FileOperations = {
  *write(kernel: LinuxKernel, task: Task, file: OpenFile, buffer: number, count: number): Operation<number> {
    const pipe = pipeOf(file);
    kernel.run('pipeWriteOp');
    let written = 0;
    let needed = count <= PIPE_BUF ? count : 1;
    while (count > 0) {
      while (PIPE_BUF - pipe.length < needed) {
        if (pipe.readers === 0) {
          kernel.sendSignal(task, SIG.SIGPIPE);
          return written > 0 ? written : -EPIPE;
        }
        if (task.hasPendingSignal()) return written > 0 ? written : -ERESTARTSYS;
        if ((file.flags & O_NONBLOCK) !== 0) return written > 0 ? written : -EAGAIN;
        kernel.run('pipeRetest');
        yield* kernel.sleepOn(task, pipe.wait);
      }
      if (pipe.readers === 0) {
        kernel.sendSignal(task, SIG.SIGPIPE);
        return written > 0 ? written : -EPIPE;
      }
      while (count > 0 && PIPE_BUF - pipe.length > 0) {
        kernel.run('pipeChunk');
        const end = (pipe.start + pipe.length) % PIPE_BUF;
        const chunk = Math.min(count, PIPE_BUF - pipe.length, PIPE_BUF - end);
        const copied = yield* kernel.substrate.copyFromUser(task, buffer + written, kernel.substrate.kernelLinear(pipe.page + end), chunk);
        if (copied < 0) return written > 0 ? written : copied;
        pipe.length += chunk;
        written += chunk;
        count -= chunk;
      }
      kernel.wakeUp(pipe.wait);
      needed = 1;
    }
    return written;
  },
  /** pipe_select, SEL_OUT: room in the buffer, or no reader left (write fails with EPIPE). */
  select(_kernel: LinuxKernel, file: OpenFile, type: SelectType): SelectStatus {
    const pipe = pipeOf(file);
    if (type !== 'out') return null;
    return pipe.length < PIPE_BUF || pipe.readers === 0 ? true : pipe.wait;
  },
  release(kernel: LinuxKernel, file: OpenFile): void {
    const pipe = pipeOf(file);
    pipe.writers--;
    kernel.wakeUp(pipe.wait);
    kernel.maybeFreePipe(file.inode);
  },
};
