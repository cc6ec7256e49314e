import type { ScheduledEvent } from '../base/scheduler';
import type { ExecutionContext } from '../machine/executionContext';
import type { Kmsg } from './kmsg';
import { THREAD_STATE_WORDS } from './mig';
import type { MessageQueue, Port } from './port';
import type { Task } from './task';
import { SAVED_STATE_OFFSET } from './threadLayout';

export type ThreadState = 'runnable' | 'running' | 'waiting' | 'suspended' | 'halted';

/** Register slots of a thread's saved user state used by the trap ABI (i386_saved_state). */
export const REG = { EAX: 0, EBX: 1, ECX: 2, EDX: 3, ESI: 4, EDI: 5, EBP: 6, ESP: 7 } as const;

/**
 * Where the trap ABI's registers sit in an i386_saved_state (gs fs es ds edi esi ebp esp ebx edx
 * ecx eax trapno err eip cs efl uesp ss v86[4] argv_status argv[7]); the user ESP is uesp.
 */
const STATE_SLOT: Readonly<Record<keyof typeof REG, number>> = { EDI: 4, ESI: 5, EBP: 6, ESP: 17, EBX: 8, EDX: 9, ECX: 10, EAX: 11 };

/** i386_saved_state: the user stack pointer (uesp). */
export const SAVED_STATE_UESP = STATE_SLOT.ESP;
/** i386_saved_state: argv_status and the first of the i386_SAVED_ARGV_COUNT words copied from the user stack. */
export const SAVED_STATE_ARGV_STATUS = 23;
export const SAVED_STATE_ARGV = 24;
export const SAVED_ARGV_COUNT = 7;

/**
 * thread_getstatus(i386_SAVED_STATE): the thread's saved user state into `out` (31 words). The
 * model keeps the trap ABI's registers; the segment selectors are the user ones, EFLAGS has IF set,
 * EIP is not modelled (guest code is host code); argv is the exception path's (see ExceptionDelivery).
 */
export function getThreadState(thread: Thread, userCode: number, userData: number, out: Uint32Array): void {
  out.fill(0);
  out[0] = out[1] = out[2] = out[3] = out[18] = userData;
  out[15] = userCode;
  out[16] = 0x202;
  for (const [name, slot] of Object.entries(STATE_SLOT)) out[slot] = thread.registers[REG[name as keyof typeof REG]];
}

/** thread_setstatus(i386_SAVED_STATE): the trap ABI's registers from `state` (31 words). */
export function setThreadState(thread: Thread, state: ArrayLike<number>): void {
  for (const [name, slot] of Object.entries(STATE_SLOT)) thread.registers[REG[name as keyof typeof REG]] = state[slot] >>> 0;
}

/**
 * A Mach thread (kern/thread.h): the unit of execution and scheduling. Its host coroutine
 * (`context`) is both its user and kernel stack. Its shuttle and activation (with the PCB) live at
 * `address` in kernel memory as threadLayout.ts lays them out, the kernel stack at `kernelStack`; the fields below are what the IPC, scheduler
 * and VM paths read and write.
 */
export class Thread {
  state: ThreadState = 'suspended';
  /** thread_suspend count: the thread runs only at 0 (a new thread starts at 1). */
  suspendCount = 1;
  context!: ExecutionContext;
  /** Saved user registers: trap number and arguments in, results out (EAX). */
  readonly registers = new Uint32Array(8);
  /**
   * The PCB's i386_saved_state as exception() has it (argv words included): a handler called by
   * thread migration edits it in place (OSF MK MACHINE_FAST_EXCEPTION). The thread's own, so a
   * handler that blocks, or an argv copyin that waits for a pager, keeps it.
   */
  readonly savedState = new Uint32Array(THREAD_STATE_WORDS);
  /** Why the last wait ended (a mach_msg_return_t or KERN_* code). */
  waitResult = 0;
  waitTimer: ScheduledEvent | null = null;
  /** The port this thread waits on (receive or blocked send), for timeouts and port death. */
  waitPort: MessageQueue | null = null;
  /** A message handed to this thread by a sender while it waited in receive (ith_kmsg). */
  receivedKmsg: Kmsg | null = null;
  /** The thread to hand the CPU to when this one next blocks in receive (RPC handoff). */
  handoffTo: Thread | null = null;
  /**
   * Priority depressed by thread_switch(SWITCH_OPTION_IDLE) until thread_depress_abort: the
   * thread waits (in OSF MK it stays runnable at DEPRESSPRI, so it runs only when nothing else
   * would: as idle time, modelled as not running at all).
   */
  depressed = false;
  selfPort!: Port;
  exceptionPort: Port | null = null;
  /** Kernel-held port on which the thread waits for exception and pager replies. */
  replyPort!: Port;
  /** Name of the thread's MIG reply port in its task's space (0 until mig_get_reply_port). */
  migReplyName = 0;
  /**
   * The thread's timers as Mach 3 keeps them with statistical timing (STAT_TIME, kern/mach_clock.c
   * hardclock): each clock tick is charged to the running thread, to its user timer if the tick
   * interrupted user mode, else to its system timer. In ticks; thread_info reports them.
   */
  userTicks = 0;
  systemTicks = 0;
  /** Cycles of the thread's last trap from user mode and last return to it (see userModeAt). */
  kernelEnteredAt = 0;
  kernelLeftAt = 0;
  /** Cycle at which the thread's time slice ends (set when it is switched in). */
  quantumEnd = 0;
  /** User address of the thread's stack top and of its MIG message buffer (inside the stack). */
  stackTop = 0;
  messageBuffer = 0;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly task: Task,
    /** Kernel address of the thread zone element: struct thread_shuttle, then struct thread_activation. */
    readonly address: number,
    /** Kernel address of the thread's kernel stack (one page). */
    readonly kernelStack: number,
    public priority: number,
  ) {}

  /** Kernel address of the PCB's i386_saved_state (the activation's mact.xxx_pcb.iss). */
  get savedStateAddress(): number {
    return this.address + SAVED_STATE_OFFSET;
  }
}

/**
 * A timer of `ticks` clock interrupts at `hz` as the time_value_t thread_info reports it
 * (thread_read_times): [seconds, microseconds].
 */
export function timeValueOfTicks(ticks: number, hz: number): [number, number] {
  return [Math.floor(ticks / hz), ((ticks % hz) * 1_000_000) / hz];
}
