import type { ScheduledEvent } from '../base/scheduler';
import type { Activity, ExecutionContext } from '../machine/executionContext';
import type { Task } from './task';

/** Thread states (who may change them: the kernel only). */
export const THREAD_STATE = {
  /** Created, never started (no EIP/ESP yet) or killed. */
  inactive: 0,
  /** Runnable (running or in a ready queue). */
  ready: 1,
  /** Blocked trying to send (polling the destination). */
  sending: 2,
  /** Blocked in a receive (open or closed). */
  receiving: 3,
  /** Reserved: in a transfer with a partner (transfers never block in this model). */
  locked: 4,
  /** Stopped after an unhandled exception; reported in the kernel's report list. */
  stopped: 5,
} as const;
/** One of {@link THREAD_STATE}. */
export type ThreadState = (typeof THREAD_STATE)[keyof typeof THREAD_STATE];

/** Why a blocked thread was woken. */
export const WAKE = { none: 0, partner: 1, timeout: 2, cancelled: 3, aborted: 4, done: 5, pageFault: 6 } as const;

/** What a user-level exception handler sees: the frame L4 pushes on the thread's user stack. */
export interface ExceptionFrame {
  /** The exception or trap vector (13 #GP, 14 #PF not resolved, 0x80 for `int 0x80`...). */
  readonly vector: number;
  /** Error code pushed by the CPU (0 where none). */
  readonly errorCode: number;
  /** EIP at the exception (a pseudo address, see {@link Thread.eip}). */
  readonly eip: number;
  readonly eflags: number;
  /** For a guest that threw: the message. */
  readonly message?: string;
}

/** A user-level exception handler: runs in the thread, in user mode, then returns (IRET). */
export type ExceptionHandler = (frame: ExceptionFrame) => Activity;

/**
 * A thread control block (TCB). The simulated part, what the IPC path touches, lives in a 1 KB
 * slot of kernel memory at {@link tcbPhysical} (TCB at the bottom, kernel stack at the top,
 * SOSP'95 §5.1); the fields below are its host-side copy. Only the kernel mutates them.
 */
export class Thread {
  state: ThreadState = THREAD_STATE.inactive;
  /** The host coroutine that carries the thread (its user and kernel stack). */
  context: ExecutionContext | null = null;
  idLow: number;
  idHigh: number;
  priority: number;
  /** Cycles of the thread's last kernel entry from user mode and last return to it (see userModeAt). */
  kernelEnteredAt = 0;
  kernelLeftAt = 0;
  /** Time slice in PIT ticks, and what is left of it. */
  timeSlice: number;
  sliceLeft: number;
  /** Pager and exception handler (preempter/ex_regs in the v2 API). */
  pagerLow = 0;
  pagerHigh = 0;
  exceptionHandler: ExceptionHandler | null = null;
  /** User registers of the system-call ABI (pentium-parameters.md §2). */
  eax = 0;
  ecx = 0;
  edx = 0;
  ebx = 0;
  ebp = 0;
  esi = 0;
  edi = 0;
  esp = 0;
  /** EIP as an entry handle (guest code is TypeScript; see Kernel.registerEntry). */
  eip = 0;
  eflags = 0x202;

  // ---- IPC state -------------------------------------------------------------------------
  /** The thread this one sends to (state sending) or waits for (closed receive); null = open wait. */
  partner: Thread | null = null;
  /** Closed receive from an interrupt: its IRQ, else -1. */
  waitIrq = -1;
  /** Head and tail of the queue of threads waiting to send to this one; links of that queue. */
  sendersHead: Thread | null = null;
  sendersTail: Thread | null = null;
  nextSender: Thread | null = null;
  previousSender: Thread | null = null;
  /** The receiver a sending thread is queued at. */
  queuedAt: Thread | null = null;
  wake: number = WAKE.none;
  timeoutEvent: ScheduledEvent | null = null;
  /** Result of the last IPC (mirrors EAX, EDX, EBX, ESI, EDI after the call). */
  resultDope = 0;
  resultW0 = 0;
  resultW1 = 0;
  resultSourceLow = 0;
  resultSourceHigh = 0;
  /** For redirected messages: the original destination (ECX:EBP after the receive). */
  resultDestinationLow = 0;
  resultDestinationHigh = 0;
  /**
   * The current send deceits (send descriptor bit 0, direction preserving): the receiver sees
   * `virtualSenderLow/High` as the source instead of this thread.
   */
  deceiting = false;
  virtualSenderLow = 0;
  virtualSenderHigh = 0;
  /** In the kernel's page-fault RPC to its pager (between the #PF and the pager's reply). */
  inPageFault = false;
  /**
   * lthread_ex_regs gave this thread, while in its page-fault RPC, a new EIP (an entry handle):
   * the RPC is aborted and the thread runs that entry (see L4Kernel.lthreadExRegs); else null.
   */
  redirectedTo: number | null = null;
  /** A sender found this receiver's buffer unmapped: the address (| 2 for a write) to fault in, and who waits. */
  faultAddress = 0;
  faultSender: Thread | null = null;
  /** While receiving: the receive descriptor and timeouts of the pending call. */
  receiveDescriptor = 0xffffffff;
  timeouts = 0;
  /** What a short IPC (`Ipc.shortIpc`) that switched away still has to do when resumed (`IPC_REST`). */
  ipcRest = 0;

  // ---- scheduler links -------------------------------------------------------------------
  inReadyQueue = false;
  readyNext: Thread | null = null;
  readyPrevious: Thread | null = null;

  constructor(
    readonly task: Task,
    readonly lthread: number,
    /** Physical address of the 1 KB TCB slot. */
    readonly tcbPhysical: number,
    /**
     * Kernel linear address of the slot, as an int32 (the form the MMU takes, see Cpu.access: as
     * a uint32 above 2 GB it would be a heap number loaded on every IPC).
     */
    readonly tcbLinear: number,
    idLow: number,
    idHigh: number,
    priority: number,
    timeSlice: number,
  ) {
    this.idLow = idLow;
    this.idHigh = idHigh;
    this.priority = priority;
    this.timeSlice = timeSlice;
    this.sliceLeft = timeSlice;
  }

  get name(): string {
    return `${this.task.number.toString(16)}.${this.lthread.toString(16)}`;
  }

  get active(): boolean {
    return this.state !== THREAD_STATE.inactive && this.state !== THREAD_STATE.stopped;
  }
}
