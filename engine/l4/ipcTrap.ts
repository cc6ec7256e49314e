import type { Activity } from '../machine/executionContext';
import { IPC_STEP } from './ipc';
import type { L4Kernel } from './kernel';
import { SYSCALL } from './kernel';
import { ReusableOperation } from './reusableOperation';
import type { Thread } from './thread';

/** Where an {@link IpcTrap} is: free, at its start, switched away on the short path, or running a generator. */
const FREE = 0;
const START = 1;
const SWITCHED = 2;
const DELEGATING = 3;

/** What an {@link IpcTrap} asks for the call's value when the trap is over (the thread's binding). */
export interface IpcTrapOwner<R> {
  /** The binding's result, from the thread's registers. */
  ipcResult(): R;
}

/**
 * The `int 0x30` of a thread's IPC binding as one reusable host iterator (one per thread): the
 * kernel's short path (`Ipc.shortIpc`, `resumeShort`) runs in `next()` with no host generator
 * created per call; what may wait otherwise runs as the general trap (the IDT handler) or the
 * short path's rest, delegated to. Use through `yield*`; when the trap is over, the owner's
 * `ipcResult` gives the call's value. (An owner object rather than a closure: a closure per
 * thread is a new call target for every simulated system, which made V8 drop the optimized
 * code of this hot path at the start of each run and compile it again.)
 */
export class IpcTrap<R> extends ReusableOperation<R> {
  private state = FREE;
  private delegate: Activity | null = null;
  private readonly running: IteratorYieldResult<void> = { done: false, value: undefined };
  /** The final result, reused (`yield*` reads it at once). */
  private readonly finished: IteratorReturnResult<R | undefined> = { done: true, value: undefined };

  constructor(
    private readonly kernel: L4Kernel,
    private readonly thread: Thread,
    private readonly owner: IpcTrapOwner<R>,
  ) {
    super();
  }

  /** Arms the trap for one call (the thread's registers are loaded). */
  start(): this {
    if (this.state !== FREE) throw new Error(`thread ${this.thread.name}: IPC trap entered twice`);
    this.state = START;
    return this;
  }

  protected step(): IteratorResult<void, R> {
    const ipc = this.kernel.ipc;
    let outcome: number;
    if (this.state === START) {
      outcome = ipc.shortIpc(this.thread);
      if (outcome === IPC_STEP.general) {
        this.delegate = this.kernel.cpu.idt[SYSCALL.ipc]!(SYSCALL.ipc, null);
        this.state = DELEGATING;
      }
    } else if (this.state === SWITCHED) {
      outcome = ipc.resumeShort(this.thread);
    } else if (this.state === DELEGATING) {
      outcome = IPC_STEP.general;
    } else {
      return { done: true, value: undefined as R };
    }
    if (outcome === IPC_STEP.switched) {
      this.state = SWITCHED;
      return this.running;
    }
    if (outcome === IPC_STEP.rest) {
      this.delegate = ipc.rest(this.thread);
      this.state = DELEGATING;
    }
    if (this.state === DELEGATING) {
      const result = this.delegate!.next();
      if (result.done !== true) return result;
      this.delegate = null;
    }
    this.state = FREE;
    this.finished.value = this.owner.ipcResult();
    return this.finished as IteratorReturnResult<R>;
  }

  protected reset(): void {
    this.delegate?.return(undefined);
    this.state = FREE;
    this.delegate = null;
  }
}
