import type { IpcResult } from '../../l4/guestApi';
import { ReusableOperation } from '../../l4/reusableOperation';
import type { Operation } from '../../machine/executionContext';

/** The library's way out after the server's reply, which a {@link LibraryCall} runs (the process's gate). */
export interface LibraryExit {
  /** The call's result, or a generator when it has to wait (a fault, caught signals' handlers). */
  leaveLibrary(reply: IpcResult): Operation<number> | number;
}

/**
 * The emulation library's system call from its IPC on, as one reusable host iterator (one per
 * process): it runs the binding's IPC, then the library's way out ({@link LibraryExit}), which
 * gives the call's result, or a generator when it has to wait. No host generator is created for
 * the usual call. While it is in use (a signal handler making system calls) the library takes
 * its generator path instead ({@link busy}). The way out is a method of an object rather than a
 * closure per process: each simulated system's closures were new call targets for V8, and the
 * optimized code of this path was about 13% slower for them (issue 10).
 */
export class LibraryCall extends ReusableOperation<number> {
  private ipc: Operation<IpcResult> | null = null;
  private rest: Operation<number> | null = null;
  /** The final result, reused (`yield*` reads it at once). */
  private readonly finished: IteratorReturnResult<number> = { done: true, value: 0 };

  constructor(private readonly exit: LibraryExit) {
    super();
  }

  /** Whether a call is in progress. */
  get busy(): boolean {
    return this.ipc !== null || this.rest !== null;
  }

  /** Starts a call whose IPC is `ipc` (the library's work before it is done). */
  start(ipc: Operation<IpcResult>): this {
    this.ipc = ipc;
    return this;
  }

  protected step(): IteratorResult<void, number> {
    if (this.ipc !== null) {
      const reply = this.ipc.next();
      if (reply.done !== true) return reply;
      this.ipc = null;
      const after = this.exit.leaveLibrary(reply.value);
      if (typeof after === 'number') {
        this.finished.value = after;
        return this.finished;
      }
      this.rest = after;
    }
    if (this.rest === null) throw new Error('emulation library call resumed after its end');
    const result = this.rest.next();
    if (result.done === true) this.rest = null;
    return result;
  }

  protected reset(): void {
    this.ipc?.return(undefined as unknown as IpcResult);
    this.rest?.return(0);
    this.ipc = null;
    this.rest = null;
  }
}
