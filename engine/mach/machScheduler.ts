import { RunHistory } from '../base/runHistory';
import { CAT } from '../machine/cpu';
import type { Activity } from '../machine/executionContext';
import type { MachKernel } from './machKernel';
import type { Thread } from './thread';
import { SWITCH_LINES, touchLines } from './threadLayout';

/** Number of run queues (NRQS of Mach 3.0); priority 0 is the highest. */
export const RUN_QUEUES = 32;

/** DEPRESSPRI (OSF MK kern/sched.h: NRQS - 2), the queue of depressed threads. */
const DEPRESS_QUEUE = RUN_QUEUES - 2;

/**
 * The Mach scheduler (kern/sched_prim.c): 32 FIFO run queues by priority with a low-water hint,
 * thread_setrun, thread_block (thread_select + switch) and the RPC handoff that skips the run
 * queues. A switch saves and loads kernel state (switch_context) and, when the next thread
 * belongs to another address space, loads CR3, which flushes the untagged Pentium TLBs.
 * The run-queue header lives in kernel memory at `address`.
 */
export class MachScheduler {
  /** The thread on the CPU since each recent switch: what a clock tick samples (see MachKernel's clockInterrupt). */
  readonly running = new RunHistory<Thread | null>(null);
  readonly queues: Thread[][] = Array.from({ length: RUN_QUEUES }, () => []);
  private runnable = 0;
  private lowHint = RUN_QUEUES;
  current: Thread | null = null;
  idle!: Thread;
  switches = 0;
  /** A higher-priority thread became runnable: preempt at the next kernel exit. */
  astPending = false;

  private readonly quantumCycles: number;

  constructor(private readonly k: MachKernel, readonly address: number) {
    this.quantumCycles = k.p.quantumMs * 1000 * k.machine.parameters.clockMHz;
  }

  /**
   * Clock-tick check (kern/sched_prim.c, the AST on quantum expiry): true if the current thread
   * has used up its time slice and a thread of equal or higher priority is waiting to run.
   */
  quantumExpired(thread: Thread): boolean {
    if (thread === this.idle || this.k.cpu.now < thread.quantumEnd) return false;
    for (let priority = 0; priority <= thread.priority; priority++) if (this.queues[priority].length > 0) return true;
    return false;
  }

  get runnableCount(): number {
    return this.runnable;
  }

  /**
   * One IPL change (i386/spl.s): the instructions and, when the PIC mask changes (`maskChanges`:
   * an interrupt's set_spl_noi to its device's IPL and back), the 8259 mask writes over the ISA
   * bus, charged to `device`. splsched()/splx() between IPL 0 and SPLSCHED leave the PIC alone
   * (splsched is splhigh: CLI; splx(SPL0) finds the mask unchanged).
   */
  splChange(maskChanges = false): void {
    const k = this.k;
    k.execute(k.paths.splTransition);
    if (maskChanges) k.cpu.charge(k.p.picWritesPerSpl * k.machine.parameters.isaIoAccess, CAT.device);
  }

  /** s = splsched(); ...; splx(s): the pair around a scheduler operation (no PIC write). */
  splPair(): void {
    this.splChange();
    this.splChange();
  }

  /**
   * thread_setrun: makes `thread` runnable at its priority (or parks it if it is suspended).
   * `splHeld`: the caller already runs at splsched (set_pri inside thread_depress_abort_fast).
   */
  setrun(thread: Thread, splHeld = false): void {
    const k = this.k;
    if (thread.state === 'halted') return;
    if (thread.suspendCount > 0) {
      thread.state = 'suspended';
      return;
    }
    // s = splsched(); thread_lock(); thread_setrun(); thread_unlock(); splx(s)
    if (!splHeld) this.splPair();
    // an idle processor is dispatched directly (next_thread), not through the run queues
    k.execute(this.current === this.idle ? k.paths.idleDispatch : k.paths.threadSetrun);
    k.memory.touchUpdate(this.address + 4 * thread.priority, 4);
    k.memory.touchUpdate(thread.address, 16);
    thread.state = 'runnable';
    this.queues[thread.priority].push(thread);
    this.runnable++;
    if (thread.priority < this.lowHint) this.lowHint = thread.priority;
    const current = this.current;
    if (current !== null && current !== this.idle && thread.priority < current.priority) this.astPending = true;
  }

  /**
   * thread_dispatch's thread_setrun of a thread that blocked still runnable but depressed
   * (thread_switch with SWITCH_OPTION_IDLE: OSF MK puts it on the DEPRESSPRI queue, where it runs
   * only if nothing else can). Charged, not enqueued: the model keeps a depressed thread off the
   * run queues until thread_depress_abort, so it never runs in the idle time.
   */
  requeueDepressed(thread: Thread): void {
    const k = this.k;
    k.execute(k.paths.threadSetrun);
    k.memory.touchUpdate(this.address + 4 * DEPRESS_QUEUE, 4);
    k.memory.touchUpdate(thread.address, 16);
  }

  /**
   * thread_depress_abort's set_pri/rem_runq (kern/sched_prim.c): the depressed thread leaves the
   * DEPRESSPRI queue before thread_setrun puts it back at its own priority (charged; see
   * {@link requeueDepressed}), all under thread_depress_abort_fast's splsched.
   */
  undepress(thread: Thread): void {
    const k = this.k;
    k.execute(k.paths.remRunq);
    k.memory.touchUpdate(this.address + 4 * DEPRESS_QUEUE, 4);
    this.setrun(thread, true);
  }

  /**
   * switch_act into a migrating RPC's server activation (OSF MK kern/thread_act.c): if the server
   * task has a higher policy priority than the thread, the thread assumes it while it runs there.
   * Returns the priority to restore with {@link switchActOut} (null: nothing was assumed). The
   * thread is running, so on no run queue.
   */
  switchActIn(thread: Thread, taskPriority: number | null): number | null {
    if (taskPriority === null || taskPriority >= thread.priority) return null;
    const saved = thread.priority;
    thread.priority = taskPriority;
    return saved;
  }

  /**
   * switch_act back to the caller's activation: the assumed priority is given up and, if the
   * thread no longer deserves the CPU (csw_needed: a thread of higher priority is runnable, e.g.
   * one its call woke at the server's priority), an AST preempts it on its way out of the kernel.
   */
  switchActOut(thread: Thread, saved: number | null): void {
    if (saved === null) return;
    thread.priority = saved;
    if (this.runnableAbove(saved)) this.astPending = true;
  }

  /**
   * The AST check on the way out of the kernel (need_ast): a thread of higher priority than the
   * current one became runnable, so the current one yields before returning to user mode.
   */
  *checkAst(thread: Thread): Activity {
    if (!this.astPending) return;
    this.astPending = false;
    if (this.runnableAbove(thread.priority)) yield* this.yieldCpu(thread);
  }

  /** Whether a thread of higher priority than `priority` (a smaller number) is on a run queue. */
  private runnableAbove(priority: number): boolean {
    for (let p = 0; p < priority; p++) if (this.queues[p].length > 0) return true;
    return false;
  }

  /**
   * The multi-cycle instructions of every switch_context and machine_switch_act (i386/pcb.c):
   * fpu_save_context's set_ts (two CR0 moves) and act_machine_switch_pcb's set_ldt (LLDT).
   */
  switchControlRegisters(): void {
    const k = this.k;
    k.execute(k.paths.setTs);
    k.execute(k.paths.lldt);
  }

  /**
   * set_pri (kern/sched_prim.c) as thread_set_policy's compute_priority calls it: the thread's
   * priority becomes `priority`; a thread on a run queue moves to that priority's queue, and a
   * running thread that no longer deserves the CPU is preempted at its next AST. Charged by the
   * caller's path (`threadSetPolicy`).
   */
  setPriority(thread: Thread, priority: number): void {
    const queue = this.queues[thread.priority];
    const index = queue.indexOf(thread);
    if (index >= 0) queue.splice(index, 1);
    thread.priority = priority;
    if (index >= 0) {
      this.queues[priority].push(thread);
      if (priority < this.lowHint) this.lowHint = priority;
    }
    if (thread === this.current && this.runnableAbove(priority)) this.astPending = true;
  }

  /** Removes a runnable thread from its queue (for suspension or termination). */
  remove(thread: Thread): void {
    const queue = this.queues[thread.priority];
    const index = queue.indexOf(thread);
    if (index >= 0) {
      queue.splice(index, 1);
      this.runnable--;
    }
  }

  /** thread_select: the highest-priority runnable thread, dequeued, or null. */
  private select(): Thread | null {
    if (this.runnable === 0) return null;
    for (let priority = this.lowHint; priority < RUN_QUEUES; priority++) {
      this.k.memory.touch(this.address + 4 * priority, 4);
      const queue = this.queues[priority];
      if (queue.length > 0) {
        this.lowHint = priority;
        this.runnable--;
        return queue.shift()!;
      }
    }
    return null;
  }

  /**
   * thread_block: the current thread (whose state the caller has set to waiting, runnable or
   * halted) gives up the CPU. Returns when the thread is switched back in. With a pending
   * handoff (set by the send half of an RPC) the receiver is switched to directly.
   */
  *block(thread: Thread): Activity {
    const k = this.k;
    let next = thread.handoffTo;
    thread.handoffTo = null;
    if (next === null) {
      k.execute(k.paths.threadBlock);
      next = this.select() ?? this.idle;
    }
    if (next === thread) {
      thread.state = 'running';
      return;
    }
    this.switchTo(next);
    yield;
  }

  /** Voluntary yield (swtch, thread_switch, quantum expiry): requeue and block. */
  *yieldCpu(thread: Thread): Activity {
    if (this.runnable === 0) return;
    this.setrun(thread);
    yield* this.block(thread);
  }

  /**
   * switch_context: saves the current thread's kernel state, loads the next one's, and switches
   * address space if the tasks' pmaps differ. Sets `cpu.current`; the caller must then yield.
   */
  switchTo(next: Thread): void {
    const k = this.k;
    const previous = this.current;
    // s = splsched() in the blocking thread ... splx(s) in the resumed one
    this.splPair();
    k.execute(k.paths.switchContext);
    this.switchControlRegisters();
    if (previous !== null) {
      touchLines(k.memory, previous.address, SWITCH_LINES, 'update');
      k.memory.touchWrite(previous.kernelStack + 4096 - k.p.kernelStackBytes, k.p.kernelStackBytes / 2);
    }
    touchLines(k.memory, next.address, SWITCH_LINES, 'read');
    k.memory.touch(next.kernelStack + 4096 - k.p.kernelStackBytes, k.p.kernelStackBytes / 2);
    const directory = next.task.map.pmap.directory;
    if ((k.cpu.cr3 & 0xfffff000) !== directory && next !== this.idle) {
      k.execute(k.paths.pmapActivate);
      k.cpu.loadCr3(directory);
    }
    next.state = 'running';
    next.quantumEnd = k.cpu.now + this.quantumCycles;
    this.current = next;
    this.running.record(k.cpu.now, next);
    this.switches++;
    k.cpu.current = next.context;
  }

  /** The idle thread's body: run whatever becomes runnable, halt otherwise. */
  *idleLoop(): Activity {
    const k = this.k;
    for (;;) {
      k.cpu.cpl = 0;
      const next = this.select();
      if (next !== null) {
        k.execute(k.paths.idleThreadRun);
        this.switchTo(next);
        yield;
        continue;
      }
      yield* k.cpu.halt();
    }
  }
}
