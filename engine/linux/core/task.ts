import type { MemoryMap } from './mm';
import type { OpenFile } from './vfs';
import type { Inode } from './vfs';
import { NSIG } from './syscalls';

/**
 * Byte offsets in Linux 2.0's `struct task_struct` (include/linux/sched.h) of the fields whose
 * memory traffic is modelled. The first ones are "hardcoded" for entry.S (state 0, counter 4,
 * priority 8, signal 12, blocked 16, flags 20, errno 24, dbgreg6 52, dbgreg7 56), then
 * exec_domain, binfmt, next_task, prev_task, next_run, prev_run (tag C: recalled from the 2.0
 * headers). `tss` (the thread_struct holding the hardware TSS)
 * follows pids, the 32 supplementary groups, the family links, ids, timers, accounting, rlimits
 * and comm: about 0x230 bytes in (tag I, from the field sizes).
 */
/** NR_OPEN of Linux 2.0 (include/linux/fs.h): the descriptors a process may have open. */
export const NR_OPEN = 256;

export const TASK_STRUCT = { state: 0, counter: 4, flags: 20, debugreg6: 52, debugreg7: 56, runLinks: 76, tss: 0x230 } as const;

/** Task states of Linux 2.0 (include/linux/sched.h). */
export type TaskState = 'running' | 'interruptible' | 'uninterruptible' | 'zombie' | 'stopped';

/** A sigaction entry: handler is a user address, SIG_DFL (0) or SIG_IGN (1). */
export interface SignalAction {
  handler: number;
  mask: number;
  flags: number;
}

/** The user-visible register state the kernel keeps for a task (the parts this model needs). */
export interface UserRegisters {
  /** Stack pointer after execve: where argc, argv and envp are. */
  esp: number;
  /** Where the child of a fork resumes in user mode (set by the C library before the trap). */
  childEntry: unknown;
}

/** A caught signal whose frame is on the user stack, to run on the next return to user mode. */
export interface PendingHandler {
  readonly signal: number;
  readonly handler: number;
  readonly frame: number;
}

/**
 * A Linux task (`struct task_struct`): identity, scheduling, memory, files, signals. Substrates
 * attach their own per-task state (an execution context, an L4 thread) through `substrateData`.
 */
export class Task {
  state: TaskState = 'running';
  /** Remaining time slice in ticks (Linux 2.0 `counter`). */
  counter: number;
  /** Base time slice in ticks (`priority`, DEF_PRIORITY = 20 ticks at HZ=100). */
  priority: number;
  pgrp: number;
  exitCode = 0;
  /** Pending and blocked signal masks (bit n-1 = signal n). */
  signal = 0;
  blocked = 0;
  readonly actions: SignalAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: 0, mask: 0, flags: 0 }));
  readonly children: Task[] = [];
  /** Woken when a child changes state (`wait_chldexit`). */
  readonly childExit = new WaitQueue();
  /** fd[NR_OPEN] of struct files_struct. */
  files: Array<OpenFile | null> = new Array<OpenFile | null>(NR_OPEN).fill(null);
  cwd: Inode;
  mm: MemoryMap | null = null;
  /** The guest program the current image runs (from the binary's header). */
  program = '';
  comm: string;
  readonly regs: UserRegisters = { esp: 0, childEntry: undefined };
  readonly handlers: PendingHandler[] = [];
  /**
   * The signal frames do_signal built on the user stack and no sigreturn has taken back yet,
   * outermost first: a handler interrupted by another signal (or faulting in itself) nests the
   * next frame below its own.
   */
  readonly signalFrames: number[] = [];
  /** Index of the task's slot in the task table (task[nr] of kernel/sched.c), 0 when it holds none. */
  slot = 0;
  /** Physical address of the task struct and of the kernel stack page (cache footprint). */
  structPhysical = 0;
  kernelStackPhysical = 0;
  /** Physical address of the kmalloc'd `struct files_struct` (the fd array fget reads), or 0. */
  filesPhysical = 0;
  /** Set by execve: the user side must start the new image. */
  execPending = false;
  /** Substrate-private per-task state. */
  substrateData: unknown = undefined;
  /** Cycle when the task last started running (ps). */
  startTime = 0;
  /** Pending alarm tick, or 0. */
  alarmAt = 0;
  /**
   * Accounting of 2.0's task_struct (include/linux/sched.h), in clock ticks (HZ = 100): user and
   * system time charged by the timer tick (update_process_times; MkLinux: from Mach's thread_info,
   * see Substrate.updateTaskTimes), and the children's, added when the parent reaps them (sys_wait4).
   */
  utime = 0;
  stime = 0;
  cutime = 0;
  cstime = 0;
  /** Page faults (mm/memory.c of 2.0): minor (do_wp_page, an anonymous page written), major (nopage of a file page); the children's at release(). */
  minFlt = 0;
  majFlt = 0;
  cminFlt = 0;
  cmajFlt = 0;

  constructor(readonly pid: number, public parent: Task | null, cwd: Inode, priority: number, comm: string) {
    this.priority = priority;
    this.counter = priority;
    this.pgrp = parent?.pgrp ?? pid;
    this.cwd = cwd;
    this.comm = comm;
  }

  get ppid(): number {
    return this.parent?.pid ?? 0;
  }

  hasPendingSignal(): boolean {
    return (this.signal & ~this.blocked) !== 0;
  }
}

/** A wait queue (`struct wait_queue`): tasks sleeping until an event. */
export class WaitQueue {
  readonly sleepers: Task[] = [];

  add(task: Task): void {
    if (!this.sleepers.includes(task)) this.sleepers.push(task);
  }

  remove(task: Task): void {
    const index = this.sleepers.indexOf(task);
    if (index >= 0) this.sleepers.splice(index, 1);
  }
}
