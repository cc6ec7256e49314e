import type { ParameterRow } from '../../base/parameters';
import { RunHistory } from '../../base/runHistory';
import { decodeUtf8 } from '../../base/text';
import { ACCESS_READ, ACCESS_WRITE, CAT, type CodePath, type Cpu } from '../../machine/cpu';
import { ExecutionContext, type Activity, type Operation } from '../../machine/executionContext';
import { GuardedActivity } from '../../machine/guardedActivity';
import type { Machine } from '../../machine/machine';
import { FRAME_MASK, PG_PRESENT, PG_WRITABLE } from '../../machine/paging';
import { fpage, interruptId, L4Api, NIL_ID, receiveWindow, SEND_SHORT, SEND_SHORT_MAP, TIMEOUT_NEVER, UNMAP_FLUSH, type IpcOptions, type IpcResult, type ThreadId } from '../../l4/guestApi';
import { fpageBytes } from '../../l4/fpage';
import { L4Kernel, ROOT_TASK } from '../../l4/kernel';
import { SIGMA0_SUPERPAGE_REQUEST } from '../../l4/sigma0';
import { SIGMA0_MEMORY_PHYSICAL, SMALL_SPACE_AREA_BYTES, SMALL_SPACE_UNIT } from '../../l4/kernelLayout';
import type { L4Overrides } from '../../l4/l4Parameters';
import type { Thread } from '../../l4/thread';
import { lthreadOf, MAX_TASKS, taskOf } from '../../l4/threadId';
import { TIMEOUT } from '../../l4/timeout';
import { EAGAIN, EFAULT, EINTR, ENOMEM, ENOSYS, ERESTARTSYS } from '../core/errno';
import { LinuxKernel } from '../core/kernel';
import { checkTextFits } from '../core/kernelCode';
import { linuxParameters, type LinuxOverrides } from '../core/linuxParameters';
import { nativeParameters, type NativeOverrides } from '../native/nativeParameters';
import type { MemoryMap } from '../core/mm';
import type { Substrate, UserRuntime } from '../core/substrate';
import { SIG } from '../core/syscalls';
import { IPC_ERROR } from '../../l4/messageDope';
import type { Task } from '../core/task';
import { EmulationLibraryGate, fetchUserCode, PHASE, TrampolineGate, type EmulationContext } from './gates';
import { dispatchCycles, l4linuxCode, type L4LinuxCode } from './glueCode';
import { UnmapQueue, UserSpaceMappings } from './hardwareMappings';
import { l4linuxParameters, type L4LinuxOverrides, type L4LinuxParameters } from './l4linuxParameters';
import { EMULATION_LIBRARY, L4LINUX_TASK_SIZE, MESSAGE, REPLY_HANDLERS, SERVER_IMAGE, SERVER_THREAD, SIGNAL_IN_FAULT, STATE_WORDS, USER_THREAD } from './layout';

/** The shared page, and the structure's offset in it (layout.ts EMULATION_LIBRARY.state). */
const STATE_PAGE = (EMULATION_LIBRARY.state & ~0xfff) >>> 0;
const STATE_OFFSET = EMULATION_LIBRARY.state & 0xfff;
import { softwareTranslate } from './softwareWalk';

/** Reply with send timeout 0 (a client that went away must not block the server), receive never. */
const REPLY_TIMEOUT = TIMEOUT.encode({ sendExponent: 1, sendMantissa: 0 });
/** The server's replies through the C bindings: a short message, or a short map item. */
const REPLY_SHORT: IpcOptions = Object.freeze({ send: SEND_SHORT });
const REPLY_MAP: IpcOptions = Object.freeze({ send: SEND_SHORT_MAP });
/** The 4 MB pages the server asks sigma0 for at boot. */
const SUPERPAGE = 1 << 22;
/** sys_call_table in the server's data. */
const SYS_CALL_TABLE = SERVER_IMAGE.data;

export interface L4LinuxOptions {
  readonly linux?: LinuxOverrides;
  readonly l4?: L4Overrides;
  readonly l4linux?: L4LinuxOverrides;
  /** What-ifs of native Linux's entry.S counts: the server keeps that code's register moves, dispatch and return checks (glueCode.ts). */
  readonly native?: NativeOverrides;
  /** Run the server in a small address space (the paper's configuration; default true). */
  readonly smallSpaces?: boolean;
  /** System calls through the trampoline (`int $0x80` reflected) instead of the emulation library. */
  readonly trampoline?: boolean;
}

/** What the server received and hands to a task's coroutine. */
interface Request {
  /** `finishSystemCall`: the receive loop ran the call (w0 = its result); ret_from_sys_call needs the process's stack. */
  readonly kind: 'systemCall' | 'pageFault' | 'signals' | 'finishSystemCall';
  readonly w0: number;
  readonly w1: number;
  readonly from: ThreadId;
  /** `systemCall`: the registers the receive loop extracted from the shared page (EAX, EBX, ..., EDI). */
  readonly registers?: readonly number[];
}

/** A queued reply of the server: to whom, the two words, map or not, and whether it ends a system call (Figure 5). */
interface Reply {
  readonly to: ThreadId;
  readonly send: number;
  readonly w0: number;
  readonly w1: number;
  readonly systemCall: boolean;
}

/** The server's per-process state (`task.substrateData`). */
interface LinuxProcess {
  readonly task: Task;
  /** L4 task number and version of the process's address space. */
  readonly number: number;
  readonly version: number;
  coroutine: ExecutionContext | null;
  readonly mappings: UserSpaceMappings;
  gate: EmulationLibraryGate | null;
  request: Request | null;
  /** Between a request's dispatch and its reply (the main thread waits for the server). */
  inKernel: boolean;
  /** Its coroutine sleeps in schedule(). */
  inSchedule: boolean;
  /** The signal thread was told about the pending signals. */
  notified: boolean;
  /** The main thread waits in a page-fault RPC the server left unanswered for a caught SIGSEGV. */
  faultUnanswered: boolean;
  /** The ids its threads' messages came from, by lthread (see senderId). */
  readonly senders: ThreadId[];
  /** The server's page the process shares with it (EMULATION_LIBRARY.state): a call's registers. */
  readonly stateFrame: number;
  /** For the host: a context that failed (see LinuxSystem). */
  context?: ExecutionContext;
}

/**
 * L4Linux (SOSP'97 §4): the unchanged Linux personality as a user-level server on the L4 engine.
 * The server is an L4 task (the root task) that maps the memory sigma0 gives it one to one; a
 * single L4 thread runs all Linux activity, multiplexed by Linux's schedule() as coroutines (one
 * per Linux task, its kernel stack); interrupts are top-half threads waiting for interrupt IPC and
 * one bottom-half thread, at priorities above the server. Each Linux process is an L4 task whose
 * pager is the server: page faults arrive as IPC and are answered by mapping the server's pages
 * as Linux's logical page tables say. System calls arrive as IPC from the emulation library
 * (or from the trampoline that reflects `int $0x80`); copyin/copyout walk the logical tables in
 * software and copy through the server's 1:1 map. Each process has a signal thread.
 */
export class L4Linux implements Substrate {
  readonly name: string;
  readonly cpu: Cpu;
  readonly l4: L4Kernel;
  readonly kernel: LinuxKernel;
  readonly n: L4LinuxParameters;
  readonly parameterRows: ParameterRow[];
  readonly kernelCategory = CAT.linuxServer;
  readonly kernelTextBase: number;
  readonly memoryStart = SERVER_IMAGE.end;
  readonly memoryEnd: number;
  readonly taskSize = L4LINUX_TASK_SIZE;
  haltedWith: number | null = null;
  /** The server's own boot messages (merged into the kernel's boot log). */
  private readonly serverLog: string[] = [];
  private readonly serverThread: Thread;
  private serverApi: L4Api | null = null;
  private dispatcher: ExecutionContext | null = null;
  private booted = false;
  private active: LinuxProcess | null = null;
  /** {@link active} since each recent coroutine switch: whom the server was serving when a tick became due. */
  private readonly serving = new RunHistory<LinuxProcess | null>(null);
  private readonly byL4Task = new Map<number, LinuxProcess>();
  private readonly byMm = new Map<MemoryMap, LinuxProcess>();
  private readonly unmaps = new UnmapQueue();
  private readonly toCreate: LinuxProcess[] = [];
  private readonly toDelete: LinuxProcess[] = [];
  private readonly scheduleQueue: LinuxProcess[] = [];
  private readonly replies: Reply[] = [];
  /** Parents whose fork's child task_new refused before their reply was built: the child's pid. */
  private readonly failedForks = new Map<Task, number>();
  private readonly freeNumbers: number[] = [];
  /** Task numbers task_new refused (their TCBs could not be backed): tried only when no other free number is left. */
  private readonly refusedNumbers: number[] = [];
  private readonly versions = new Map<number, number>();
  private nextNumber = ROOT_TASK + 1;
  /** The page a fault reply is about to map (its old mapping is replaced by the reply's map). */
  private faulting: { process: LinuxProcess; page: number } | null = null;
  private readonly dispatchPath: CodePath;
  /** Where the server glue and the emulation library's pieces are, at what sizes. */
  readonly code: L4LinuxCode;
  private readonly emulation: EmulationContext;
  private readonly userEntry = (l4: L4Api): Activity => this.userMain(l4);
  private readonly signalEntry = (l4: L4Api): Activity => this.signalThread(l4);
  private readonly signalRedirect = (l4: L4Api): Activity => this.enterForSignals(l4);

  constructor(readonly machine: Machine, readonly runtime: UserRuntime, private readonly options: L4LinuxOptions = {}) {
    const cpu = machine.cpu;
    this.cpu = cpu;
    this.name = options.trampoline ? 'l4linux-trampoline' : 'l4linux';
    const table = l4linuxParameters(options.l4linux);
    this.n = table.values;
    this.memoryEnd = machine.memory.size;
    this.l4 = new L4Kernel(machine, { parameters: options.l4, smallSpaces: options.smallSpaces ?? true });
    const small = this.l4.smallSpacesEnabled ? smallSpaceFor(this.memoryEnd) : undefined;
    this.serverThread = this.l4.createBootTask(ROOT_TASK, (api) => this.serverMain(api), { priority: this.n.serverPriority, small });
    this.kernelTextBase = this.kernelLinear(SERVER_IMAGE.text);
    const native = nativeParameters(options.native).values;
    const linux = linuxParameters(options.linux).values;
    checkTextFits(linux, SERVER_IMAGE.emulation - SERVER_IMAGE.text, "L4Linux's server image");
    this.code = l4linuxCode(this.n, native, linux, this.l4.p, cpu.p.lineBytes);
    this.dispatchPath = {
      name: 'l4linux.dispatch',
      cycles: dispatchCycles(this.n, native, cpu.p.instruction, cpu.p.aluRegMem),
      category: 'linuxServer',
      address: this.kernelLinear(this.code.dispatch.address),
      bytes: this.code.dispatch.bytes,
      source: 'l4linux server glue + entry.S (SAVE_ALL/RESTORE_ALL moves, system_call, ret_from_sys_call) without segment, debug-register and sti work',
    };
    this.emulation = { cpu, accounting: machine.accounting, parameters: this.n, code: this.code, runtime, server: { low: this.serverThread.idLow, high: this.serverThread.idHigh } };
    this.serverLog.push(`Linux server: task ${ROOT_TASK} (pager sigma0), ${this.serverThread.task.small ? `small space ${this.serverThread.task.small.bytes >> 20} MB at 0x${this.serverThread.task.small.base.toString(16)}` : 'large space'}, priority ${this.n.serverPriority}`);
    // the server's boot runs for real: memory from sigma0, interrupt threads
    this.l4.run(() => this.booted);
    this.kernel = new LinuxKernel(this, runtime, options.linux);
    this.kernel.bootLog.unshift(...this.l4.bootLog, ...this.serverLog);
    this.parameterRows = [...this.kernel.parameterRows, ...this.l4.parameterRows, ...table.rows()];
    this.kernel.onInitExit = (status) => {
      this.haltedWith = (status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
    };
  }

  get now(): number {
    return this.machine.scheduler.now;
  }

  get current(): Task | null {
    return this.active?.task ?? null;
  }

  /** The server's linear address of physical `physical`: its 1:1 map, seen through its small-space segment. */
  kernelLinear(physical: number): number {
    return ((this.serverThread.task.small?.base ?? 0) + physical) >>> 0;
  }

  /**
   * {@link kernelLinear} as an int32, as the MMU takes addresses (see Cpu.access): a small
   * space lies above 2 GB, where a uint32 result would be a heap number allocated per call.
   */
  /** A call's registers as {@link extractState} read them (reused). */
  private readonly stateWords = new Uint32Array(STATE_WORDS);

  private serverLinear(physical: number): number {
    return ((this.serverThread.task.small?.base ?? 0) + physical) | 0;
  }

  private get serverId(): ThreadId {
    return { low: this.serverThread.idLow, high: this.serverThread.idHigh };
  }

  // ---- the server's boot and its threads ------------------------------------------------------

  /**
   * The server thread: its boot, then the receive loop for ever. Not a generator around the loop,
   * which every switch to the server resumes (see GuardedActivity).
   */
  private serverMain(api: L4Api): Activity {
    return new GuardedActivity(
      () => this.serverBoot(api),
      (outcome) => {
        if (outcome !== null) throw outcome.error;
        return this.dispatchLoop(api);
      },
    );
  }

  /** Memory from sigma0, the interrupt and bottom-half threads; then back to the host, which starts Linux. */
  private *serverBoot(api: L4Api): Activity {
    this.serverApi = api;
    this.dispatcher = this.serverThread.context;
    let pages = 0;
    for (let page = SIGMA0_MEMORY_PHYSICAL; page < this.memoryEnd; ) {
      const superpage = page % SUPERPAGE === 0 && page + SUPERPAGE <= this.memoryEnd;
      const reply = yield* api.ipcCall(api.sigma0, page, superpage ? SIGMA0_SUPERPAGE_REQUEST : 0, TIMEOUT_NEVER, { receive: receiveWindow(0, 32) });
      if (reply.error !== 0 || reply.w0 !== page) throw new Error(`sigma0 refused page 0x${page.toString(16)}`);
      const bytes = fpageBytes(reply.w1);
      pages += bytes / 4096;
      page += bytes;
    }
    this.serverLog.push(`Linux server: ${(pages * 4) >> 10} MB from sigma0 mapped 1:1 (0x${SIGMA0_MEMORY_PHYSICAL.toString(16)}-0x${(this.memoryEnd - 1).toString(16)}); logical page tables beside L4's`);
    const kernelThreads: Array<[number, (l4: L4Api) => Activity, number]> = [
      [SERVER_THREAD.timer, (l4) => this.topHalf(l4, 0, () => this.timerTick()), this.n.interruptPriority],
      [SERVER_THREAD.console, (l4) => this.topHalf(l4, 1, () => this.consoleInput()), this.n.interruptPriority],
      [SERVER_THREAD.disk, (l4) => this.topHalf(l4, 14, () => this.kernel.disk.interrupt()), this.n.interruptPriority],
      [SERVER_THREAD.bottomHalf, (l4) => this.bottomHalf(l4), this.n.bottomHalfPriority],
    ];
    for (const [lthread, entry, priority] of kernelThreads) {
      yield* api.lthreadExRegs(lthread, entry, SERVER_IMAGE.data + 0x1000 * lthread);
      yield* api.threadSchedule(api.idOf(ROOT_TASK, lthread)!, priority);
    }
    this.serverLog.push(`Linux server: interrupt threads for IRQ 0, 1, 14 (priority ${this.n.interruptPriority}), bottom-half thread (${this.n.bottomHalfPriority}), server thread (${this.n.serverPriority}), users (${this.n.userPriority})`);
    this.booted = true;
    yield; // back to the host, which builds the personality and starts init
  }

  /** A top half: wait for the interrupt IPC, run the unchanged Linux handler, kick the bottom half. */
  private *topHalf(l4: L4Api, irq: number, handler: () => void): Activity {
    const bottomHalf = l4.idOf(ROOT_TASK, SERVER_THREAD.bottomHalf)!;
    for (;;) {
      const message = yield* l4.ipcReceive(interruptId(irq));
      if (message.error !== 0) continue;
      this.cpu.charge(this.n.interruptThreadSimple * this.cpu.p.instruction, CAT.linuxServer);
      handler();
      yield* l4.ipcSend(bottomHalf, MESSAGE.wakeUp, irq);
    }
  }

  /** The bottom-half thread: once the top halves are done, wakes the server if Linux has work. */
  private *bottomHalf(l4: L4Api): Activity {
    for (;;) {
      yield* l4.ipcWait();
      this.cpu.charge(this.n.interruptThreadSimple * this.cpu.p.instruction, CAT.linuxServer);
      if (this.serverHasWork()) yield* l4.ipcSend(this.serverId, MESSAGE.wakeUp, 0);
    }
  }

  /**
   * The timer top half's do_timer. update_process_times charges the tick to the process that was
   * running when it came (L4's `tickInterrupted`): user time if it was one of the process's own
   * threads in user mode (its code, the emulation library or trampoline in its task), system
   * time if it was in L4's kernel (its IPC) or if the server thread was on that process's
   * coroutine (serving its call or fault); none for the server's receive loop, the interrupt
   * threads or idle. (Linux's `current` here, the coroutine being run, is not that process while
   * it runs in its own task: the server then waits in its receive loop.)
   */
  private timerTick(): void {
    const { thread, userMode, at } = this.l4.tickInterrupted;
    let task: Task | null = null;
    let user = false;
    if (thread === this.serverThread) task = this.serving.valueAt(at)?.task ?? null;
    else if (thread !== null) {
      const process = this.byL4Task.get(thread.task.number);
      if (process !== undefined && process.task.state !== 'zombie') {
        task = process.task;
        user = userMode;
      }
    }
    this.kernel.timerTick(task, user);
  }

  private consoleInput(): void {
    const console = this.machine.console;
    const bytes = console.takeInput(console.inputAvailable);
    this.cpu.charge(bytes.length * this.cpu.p.isaIoAccess, CAT.device);
    this.kernel.tty.receive(bytes);
  }

  private serverHasWork(): boolean {
    return this.scheduleQueue.some((p) => p.task.state === 'running') || [...this.byL4Task.values()].some((p) => this.signalWaiting(p));
  }

  /** A process in user mode with a pending signal the server has not acted on yet. */
  private signalWaiting(process: LinuxProcess): boolean {
    return !process.inKernel && !process.notified && process.task.state !== 'zombie' && process.task.hasPendingSignal();
  }

  // ---- the server thread: receive loop and coroutines -------------------------------------------

  /**
   * The server's receive loop. Before it waits it does the L4 work Linux asked for (new and
   * deleted tasks, unmaps, signal notifications) and sends the replies; the last reply goes with
   * the wait (reply-and-wait). A coroutine that schedule() left (it slept, or need_resched was
   * set) is followed by the next runnable one, as Linux's schedule() picks it. A request that
   * completed is answered first unless need_resched is set: "when a system call completes and
   * the server's reschedule flag is not set, the server resumes the user thread and sleeps
   * waiting for the next system-call message or a wakeup from an interrupt thread" (SOSP'97 §4,
   * Scheduling), so a coroutine woken meanwhile waits for the next schedule(), as a woken task
   * does on native Linux 2.0 (ret_from_sys_call calls schedule() only when need_resched is set;
   * L4Linux 2.6's dispatch_system_call keeps the order: `if (need_resched()) schedule();`, then
   * the reply-and-wait, osfree-project/l4linux-l4env arch/l4/kernel/arch-i386/dispatch.c).
   */
  private *dispatchLoop(api: L4Api): Activity {
    const accounting = this.machine.accounting;
    for (;;) {
      if (this.serverWorkPending()) yield* this.serverWork(api);
      const ready = this.replies.length === 0 || this.kernel.scheduler.needResched ? this.takeRunnable() : null;
      if (ready !== null) {
        this.resume(ready);
        yield;
        continue;
      }
      while (this.replies.length > 1) {
        const reply = this.replies.shift()!;
        if (reply.systemCall) this.writeResult(reply);
        this.replySent(reply, (yield* api.ipcSend(reply.to, reply.w0, reply.w1, REPLY_TIMEOUT, reply.send === SEND_SHORT_MAP ? REPLY_MAP : REPLY_SHORT)).error);
      }
      const last = this.replies.shift();
      let message: IpcResult;
      if (last === undefined) message = yield* api.ipcWait();
      else {
        if (last.systemCall) this.writeResult(last);
        if (last.systemCall) accounting.setPhase(PHASE.reply, this.now);
        message = yield* api.ipcReplyAndWait(last.to, last.w0, last.w1, REPLY_TIMEOUT, last.send === SEND_SHORT_MAP ? REPLY_MAP : REPLY_SHORT);
        this.replySent(last, message.error);
      }
      if (message.error !== 0) continue;
      const process = this.byL4Task.get(taskOf(message.sourceLow));
      if (process === undefined) continue; // the bottom half's wake-up, or a task already gone
      const from = this.senderId(process, message.sourceLow, message.sourceHigh);
      if (MESSAGE.isSystemCall(message.w0)) {
        accounting.setPhase(PHASE.linux, this.now);
        const state = this.extractState(process);
        const quick = this.quickSystemCall(process, state, from);
        if (quick === 'done') continue;
        if (quick === 'declined') process.request = { kind: 'systemCall', w0: message.w0, w1: message.w1, from, registers: Array.from(state) };
      } else if ((message.w0 & ~0xfff) >>> 0 === EMULATION_LIBRARY.code && lthreadOf(message.sourceLow) <= USER_THREAD.signal) {
        // the emulation library's page: the server's own, read-only, not in Linux's tables
        this.cpu.execute(this.dispatchPath);
        this.replies.push({ to: from, send: SEND_SHORT_MAP, w0: EMULATION_LIBRARY.code, w1: fpage(SERVER_IMAGE.emulation, 12, false), systemCall: false });
        continue;
      } else if ((message.w0 & ~0xfff) >>> 0 === STATE_PAGE && lthreadOf(message.sourceLow) <= USER_THREAD.signal) {
        // the page the process shares with the server: the server's own, writable, not in Linux's tables
        this.cpu.execute(this.dispatchPath);
        this.replies.push({ to: from, send: SEND_SHORT_MAP, w0: STATE_PAGE, w1: fpage(process.stateFrame, 12, true), systemCall: false });
        continue;
      } else {
        process.request = { kind: 'pageFault', w0: message.w0, w1: message.w1, from };
      }
      this.resume(process);
      yield;
    }
  }

  /**
   * Whether {@link serverWork} has anything to do: a plain check, so that the usual round of the
   * receive loop (nothing queued) creates no generator and no arrays.
   */
  private serverWorkPending(): boolean {
    if (this.toDelete.length !== 0 || this.toCreate.length !== 0 || this.unmaps.length !== 0) return true;
    for (const process of this.byL4Task.values()) if (this.signalWaiting(process)) return true;
    return false;
  }

  /**
   * A page-fault reply whose mapping L4 could not install (sendMapFailed: no page-table memory
   * left in the L4 kernel) would only make the thread fault again, for ever: the server does what
   * Linux does when it cannot give a faulting process memory (do_page_fault's out_of_memory) and
   * kills the process with SIGKILL.
   */
  private replySent(reply: Reply, error: number): void {
    if (error !== IPC_ERROR.sendMapFailed || reply.send !== SEND_SHORT_MAP) return;
    const process = this.byL4Task.get(taskOf(reply.to.low));
    if (process !== undefined && process.task.state !== 'zombie') this.kernel.forceSignal(process.task, SIG.SIGKILL);
  }

  /** L4 work queued by the personality's synchronous calls, done by the server thread. */
  private *serverWork(api: L4Api): Activity {
    for (const process of this.toDelete.splice(0)) {
      yield* api.taskNew(process.number, null, NIL_ID, 0, process.version);
      process.mappings.clear();
      if (this.byL4Task.get(process.number) === process) this.byL4Task.delete(process.number);
    }
    for (const process of this.toCreate.splice(0)) {
      if (process.task.state === 'zombie') continue;
      this.byL4Task.set(process.number, process);
      const id = yield* api.taskNew(process.number, this.userEntry, this.serverId, 0, process.version);
      if (id === null) this.forkFailed(process);
    }
    for (const unmap of this.unmaps.take()) yield* api.fpageUnmap(fpage(unmap.frame, 12), unmap.flush ? UNMAP_FLUSH : 0);
    for (const process of this.byL4Task.values()) {
      if (!this.signalWaiting(process)) continue;
      if (this.caughtOnly(process.task)) {
        const signalThread = api.idOf(process.number, USER_THREAD.signal);
        if (signalThread === null) continue;
        const sent = yield* api.ipcSend(signalThread, MESSAGE.wakeUp, process.faultUnanswered ? SIGNAL_IN_FAULT : 0, REPLY_TIMEOUT);
        process.notified = sent.error === 0;
      } else {
        // a default action (terminate): the server does it on the process's coroutine
        process.notified = true;
        process.request = { kind: 'signals', w0: 0, w1: 0, from: NIL_ID };
        this.scheduleQueue.push(process);
        process.inKernel = true;
      }
    }
  }

  /** Whether every pending signal of `task` has a user handler (delivery needs the process itself). */
  private caughtOnly(task: Task): boolean {
    const pending = task.signal & ~task.blocked;
    for (let signal = 1; signal <= 32; signal++) {
      if ((pending & (1 << (signal - 1))) === 0) continue;
      if (signal === SIG.SIGKILL || task.actions[signal].handler <= 1) return false;
    }
    return true;
  }

  /** The next coroutine that schedule() left and that may run again (FIFO), or null. */
  private takeRunnable(): LinuxProcess | null {
    for (let i = 0; i < this.scheduleQueue.length; i++) {
      const process = this.scheduleQueue[i];
      if (process.task.state === 'zombie' && process.request === null) {
        this.scheduleQueue.splice(i--, 1);
        continue;
      }
      if (process.task.state === 'running' || process.request?.kind === 'signals') {
        this.scheduleQueue.splice(i, 1);
        return process;
      }
    }
    return null;
  }

  /**
   * Coroutine switch from the receive loop to `process`'s kernel stack, up to the `yield` its
   * caller does (`this.resume(p); yield;`: no host generator per switch).
   */
  private resume(process: LinuxProcess): void {
    this.active = process;
    this.serving.record(this.cpu.now, process);
    this.serverThread.context = process.coroutine;
    this.cpu.current = process.coroutine!;
  }

  /** Coroutine switch back to the receive loop, up to the caller's `yield` (as {@link resume}). */
  private toDispatcher(): void {
    this.active = null;
    this.serving.record(this.cpu.now, null);
    this.serverThread.context = this.dispatcher;
    this.cpu.current = this.dispatcher;
  }

  /** One Linux task's kernel stack: handles the requests the receive loop hands it. */
  private *coroutine(process: LinuxProcess): Activity {
    for (;;) {
      const request = process.request!;
      process.request = null;
      if (request.kind === 'finishSystemCall') {
        // entered by quickSystemCall, which ran the handler already
        yield* this.finishSystemCall(process.task, request.from, request.w0);
      } else {
        this.enterLinux(process);
        if (request.kind === 'systemCall') yield* this.systemCall(process, request);
        else if (request.kind === 'pageFault') yield* this.pageFault(process, request);
        else yield* this.returnToUser(process.task);
      }
      this.leaveLinux(process);
      this.toDispatcher();
      yield;
    }
  }

  /** The top of the process's kernel stack (the trap frame the server's entry saves), as an int32 like every address handed to the MMU. */
  private kernelStack(process: LinuxProcess): number {
    return (this.serverLinear(process.task.kernelStackPhysical) + 4096 - 64) | 0;
  }

  /** Entry into Linux for a request: the dispatch path and the frame saved on the kernel stack. */
  private enterLinux(process: LinuxProcess): void {
    process.inKernel = true;
    process.notified = false;
    process.faultUnanswered = false;
    this.cpu.execute(this.dispatchPath);
    this.cpu.access(this.kernelStack(process), 64, ACCESS_WRITE, false);
  }

  /** The way back out of Linux after a request: the frame restored from the kernel stack. */
  private leaveLinux(process: LinuxProcess): void {
    this.cpu.access(this.kernelStack(process), 64, ACCESS_READ, false);
    process.inKernel = false;
  }

  /**
   * A system call whose handler never blocks (getpid...), its registers already extracted from the
   * shared page (`state`), run by the receive loop itself: the same work in the same order as on the process's coroutine, minus the
   * two host coroutine switches, which cost no simulated time. When ret_from_sys_call has work
   * (a reschedule, a signal), the rest goes to the coroutine as a `finishSystemCall` request
   * ('finish': resume it); 'done' when the reply is queued; 'declined' (nothing done) for a call
   * this path does not take.
   */
  private quickSystemCall(process: LinuxProcess, state: Uint32Array, from: ThreadId): 'done' | 'finish' | 'declined' {
    if (process.inKernel) return 'declined';
    const nr = state[0];
    if (nr === MESSAGE.signalEntry || nr === MESSAGE.exception) return 'declined';
    const handler = this.kernel.handlers[nr];
    if (handler !== undefined && !handler.fast) return 'declined';
    const task = process.task;
    process.request = null;
    this.active = process;
    this.enterLinux(process);
    this.readSystemCallTable(task, nr);
    const result = handler === undefined ? -ENOSYS : handler.run(task, state[1], state[2], state[3], state[4], state[5]);
    if (this.kernel.scheduler.needResched || task.hasPendingSignal()) {
      process.request = { kind: 'finishSystemCall', w0: result, w1: 0, from };
      return 'finish';
    }
    this.reply(task, from, result);
    this.leaveLinux(process);
    this.active = null;
    return 'done';
  }

  /** The id a message of `process` came from, as one object per sending thread (ids are values: shared, never changed). */
  private senderId(process: LinuxProcess, low: number, high: number): ThreadId {
    const lthread = lthreadOf(low);
    const known = process.senders[lthread];
    if (known !== undefined && known.low === low && known.high === high) return known;
    const id = { low, high };
    process.senders[lthread] = id;
    return id;
  }

  private *systemCall(process: LinuxProcess, request: Request): Activity {
    const task = process.task;
    const [nr, ...args] = request.registers!;
    const result = yield* this.invoke(task, nr, args);
    yield* this.finishSystemCall(task, request.from, result);
  }

  /**
   * The server extracts a call's registers from the page the process shares with it: through its
   * one-to-one map of that page, without a software walk (the server allocated it), into the
   * call's pt_regs. Returns them (EAX, EBX, ECX, EDX, ESI, EDI) in a reused array.
   */
  private extractState(process: LinuxProcess): Uint32Array {
    const cpu = this.cpu;
    cpu.charge(this.n.serverStateExtractSimple * cpu.p.instruction, CAT.linuxServer);
    cpu.access(this.serverLinear(process.stateFrame + STATE_OFFSET), STATE_WORDS * 4, ACCESS_READ, false);
    const state = this.stateWords;
    for (let i = 0; i < STATE_WORDS; i++) state[i] = cpu.memory.read32(process.stateFrame + STATE_OFFSET + 4 * i);
    return state;
  }

  /** The server writes a call's new state (the result, in EAX) into the shared page before it replies. */
  private writeResult(reply: Reply): void {
    const process = this.byL4Task.get(taskOf(reply.to.low));
    if (process === undefined) return;
    const cpu = this.cpu;
    cpu.charge(this.n.serverStateWriteSimple * cpu.p.instruction, CAT.linuxServer);
    cpu.access(this.serverLinear(process.stateFrame + STATE_OFFSET), 4, ACCESS_WRITE, false);
    cpu.memory.write32(process.stateFrame + STATE_OFFSET, reply.w0 >>> 0);
  }

  /** The end of a system call: ret_from_sys_call, then the reply (queued for the receive loop). */
  private *finishSystemCall(task: Task, from: ThreadId, result: number): Activity {
    yield* this.returnToUser(task);
    this.reply(task, from, result);
  }

  /** Queues the reply that ends a system call with `result` (-EAGAIN for a fork whose child task_new refused). */
  private reply(task: Task, from: ThreadId, result: number): void {
    if (this.failedForks.size !== 0 && this.failedForks.get(task) === result) {
      this.failedForks.delete(task);
      result = -EAGAIN;
    }
    const value = result === -ERESTARTSYS ? -EINTR : result;
    this.replies.push({ to: from, send: SEND_SHORT, w0: value >>> 0, w1: task.handlers.length > 0 ? REPLY_HANDLERS : 0, systemCall: true });
  }

  /** sys_call_table dispatch, as native Linux's system_call does it. */
  private *invoke(task: Task, nr: number, args: readonly number[]): Operation<number> {
    if (nr === MESSAGE.signalEntry) return 0;
    if (nr === MESSAGE.exception) {
      // do_general_protection and friends: force_sig(SIGSEGV), delivered on the way back
      this.kernel.forceSignal(task, SIG.SIGSEGV);
      return 0;
    }
    this.readSystemCallTable(task, nr);
    const handler = this.kernel.handlers[nr];
    if (handler === undefined) return -ENOSYS;
    if (handler.fast) return handler.run(task, args[0], args[1], args[2], args[3], args[4]);
    return yield* handler.run(task, args[0], args[1], args[2], args[3], args[4]);
  }

  /** system_call's reads before the handler: its sys_call_table slot and the task struct. */
  private readSystemCallTable(task: Task, nr: number): void {
    this.cpu.access((this.serverLinear(SYS_CALL_TABLE) + ((nr & 0xff) << 2)) | 0, 4, ACCESS_READ, false);
    this.cpu.access(this.serverLinear(task.structPhysical), 32, ACCESS_READ, false);
  }

  /** ret_from_sys_call in the server: deferred schedule() and signal delivery. */
  private returnToUser(task: Task): Activity {
    return this.kernel.retFromSysCall(task);
  }

  /** A user page fault (IPC from L4): Linux's do_page_fault on the logical tables, then map the page. */
  private *pageFault(process: LinuxProcess, request: Request): Activity {
    const task = process.task;
    const address = (request.w0 & ~3) >>> 0;
    const write = (request.w0 & 2) !== 0;
    const page = (address & ~0xfff) >>> 0;
    for (let attempt = 0; ; attempt++) {
      const mm = task.mm;
      if (mm === null) return;
      this.faulting = { process, page };
      const result = this.kernel.mm.handleFault(mm, address, write);
      this.faulting = null;
      if (result === 'io' && attempt < 8) {
        const pending = this.kernel.mm.pendingRead!;
        if ((yield* this.kernel.disk.readPage(task, pending.inode, pending.index)) >= 0) continue;
      }
      if (result === 'ok') {
        const pte = this.kernel.mm.pte(mm, page);
        if ((pte & PG_PRESENT) !== 0) {
          const frame = (pte & FRAME_MASK) >>> 0;
          const writable = (pte & PG_WRITABLE) !== 0;
          process.mappings.record(page, frame, writable);
          this.replies.push({ to: request.from, send: SEND_SHORT_MAP, w0: page, w1: fpage(frame, 12, writable), systemCall: false });
          return;
        }
      }
      // unresolvable: force_sig(SIGSEGV) (SIGKILL when out of memory). Caught in the main thread,
      // the fault stays unanswered: the signal thread redirects the main thread to the
      // emulation library's signal entry (the handler runs, then the access is retried)
      const signal = result === 'oom' ? SIG.SIGKILL : SIG.SIGSEGV;
      if (signal === SIG.SIGKILL || lthreadOf(request.from.low) !== USER_THREAD.main) task.actions[signal].handler = 0;
      this.kernel.forceSignal(task, signal);
      if (task.actions[signal].handler > 1) {
        process.faultUnanswered = true;
        return;
      }
      yield* this.returnToUser(task);
      return;
    }
  }


  // ---- user tasks: the main thread and the signal thread ------------------------------------------

  private *userMain(l4: L4Api): Activity {
    const process = this.byL4Task.get(l4.taskNumber);
    if (process === undefined) return;
    const gate = this.options.trampoline ? new TrampolineGate(this.emulation, l4, process.task) : new EmulationLibraryGate(this.emulation, l4, process.task);
    process.gate = gate;
    yield* l4.setExceptionHandler(gate.handler);
    yield* l4.lthreadExRegs(USER_THREAD.signal, this.signalEntry, EMULATION_LIBRARY.code + EMULATION_LIBRARY.bytes);
    try {
      yield* this.runtime.run(process.task, gate);
    } catch (error) {
      yield* this.fail(process, error);
    }
  }

  /**
   * The signal thread (SOSP'97 §4, Fig. 3): on a message from the server it makes the main thread
   * enter Linux. Guest code is host code here, so the redirection of the main thread's SP and IP
   * takes effect at its next entry into the emulation library.
   */
  private *signalThread(l4: L4Api): Activity {
    const process = this.byL4Task.get(l4.taskNumber);
    for (;;) {
      const message = yield* l4.ipcReceive(this.serverId);
      if (message.error !== 0 || process?.gate == null) continue;
      this.cpu.charge(this.n.signalThreadSimple * this.cpu.p.instruction, CAT.emulation);
      const fetch = fetchUserCode(this.cpu, this.code.signalThread.address, this.code.signalThread.bytes);
      if (fetch !== null) yield* fetch;
      process.gate.signalEntry = true;
      // the main thread waits in a page-fault RPC: lthread_ex_regs aborts it into the signal entry
      if ((message.w1 & SIGNAL_IN_FAULT) !== 0) yield* l4.lthreadExRegs(USER_THREAD.main, this.signalRedirect);
    }
  }

  /** Where the signal thread redirects a main thread waiting in a page-fault RPC. */
  private *enterForSignals(l4: L4Api): Activity {
    const gate = this.byL4Task.get(l4.taskNumber)?.gate;
    if (gate != null) yield* gate.enterForSignals();
  }

  /** A guest program threw (an engine or guest bug): report it to the host as native Linux does. */
  private *fail(process: LinuxProcess, error: unknown): Activity {
    const failed = new ExecutionContext(`l4linux.${process.task.pid}.failure`, function* () {
      throw error;
    });
    process.context = failed;
    this.cpu.current = failed;
    yield;
  }

  // ---- memory -------------------------------------------------------------------------------------

  initPageDirectory(_pgd: number): void {
    // the logical tables hold user space only; the server's own space is L4's
  }

  /** The logical PTE of `va` in `mm` (a functional look, for reconciling the hardware mappings). */
  private logicalPte(mm: MemoryMap, va: number): number {
    const memory = this.machine.memory;
    const pde = memory.read32(mm.pgd + (va >>> 22) * 4);
    if ((pde & PG_PRESENT) === 0) return 0;
    return memory.read32(((pde & FRAME_MASK) >>> 0) + ((va >>> 12) & 0x3ff) * 4);
  }

  pageChanged(mm: MemoryMap, address: number): void {
    const process = this.byMm.get(mm);
    if (process === undefined) return;
    const page = (address & ~0xfff) >>> 0;
    if (this.faulting?.process === process && this.faulting.page === page) return; // the fault's map reply replaces it
    this.unmaps.add(process.mappings.reconcile(page, this.logicalPte(mm, page)));
  }

  addressSpaceChanged(mm: MemoryMap): void {
    const process = this.byMm.get(mm);
    if (process === undefined) return;
    for (const unmap of process.mappings.reconcileAll((va) => this.logicalPte(mm, va))) this.unmaps.add(unmap);
  }

  flushTlbPage(_mm: MemoryMap, _address: number): void {
    // the server has no TLB to flush: L4 flushes what the fpage_unmap of pageChanged removes
  }

  flushTlbRange(_mm: MemoryMap, _start: number, _end: number): void {
    // as flushTlbPage
  }

  flushTlbMm(_mm: MemoryMap): void {
    // as flushTlbPage
  }

  pageMapped(_mm: MemoryMap, _address: number, _writable: boolean): void {
    // the map item goes with the reply to the page fault (see pageFault)
  }

  addressSpaceReplaced(task: Task): void {
    const process = task.substrateData as LinuxProcess | undefined;
    if (process === undefined) return;
    for (const [mm, owner] of this.byMm) if (owner === process) this.byMm.delete(mm);
    if (task.mm === null) {
      // exit: the process's address space goes away with its L4 task
      if (!this.toDelete.includes(process)) this.toDelete.push(process);
      return;
    }
    for (const unmap of process.mappings.reconcileAll(() => 0)) this.unmaps.add(unmap);
    this.byMm.set(task.mm, process);
  }

  /** "Physical" copyin/copyout (SOSP'97 §4): translate by walking the logical tables, copy through the 1:1 map. */
  private *physicalCopy(task: Task, user: number, kernelAddress: number, length: number, toUser: boolean): Operation<number> {
    if (length === 0) return 0;
    if (user < 0 || user + length > this.taskSize || task.mm === null) return -EFAULT;
    let done = 0;
    let faults = 0;
    while (done < length) {
      const mm = task.mm;
      if (mm === null) return -EFAULT;
      const va = user + done;
      const chunk = Math.min(length - done, 4096 - (va & 0xfff));
      const walk = softwareTranslate(this.machine, this.n, mm.pgd, va, toUser);
      if (!walk.ok) {
        if (++faults > 8) return -EFAULT;
        const result = this.kernel.mm.handleFault(mm, va, toUser);
        if (result === 'io') {
          const pending = this.kernel.mm.pendingRead!;
          if ((yield* this.kernel.disk.readPage(task, pending.inode, pending.index)) < 0) return -EFAULT;
        } else if (result !== 'ok') {
          return -EFAULT;
        }
        continue;
      }
      const mapped = this.kernelLinear(walk.physical);
      this.cpu.copy(toUser ? kernelAddress + done : mapped, toUser ? mapped : kernelAddress + done, chunk, false, false, false, CAT.copy);
      done += chunk;
      faults = 0;
    }
    return length;
  }

  copyFromUser(task: Task, user: number, target: number, length: number): Operation<number> {
    return this.physicalCopy(task, user, target, length, false);
  }

  copyToUser(task: Task, source: number, user: number, length: number): Operation<number> {
    return this.physicalCopy(task, user, source, length, true);
  }

  // ---- tasks and scheduling --------------------------------------------------------------------------

  createTask(task: Task): number {
    if (this.freeNumbers.length === 0 && this.refusedNumbers.length === 0 && this.nextNumber >= MAX_TASKS) return -EAGAIN;
    // the page the process shares with the server (__get_free_page; the library writes it before the server reads it)
    const stateFrame = this.kernel.mm.allocate(false);
    if (stateFrame < 0) return -ENOMEM;
    const number = this.freeNumbers.shift() ?? this.refusedNumbers.shift() ?? this.nextNumber++;
    const version = (this.versions.get(number) ?? 0) + 1;
    this.versions.set(number, version);
    const process: LinuxProcess = {
      task,
      number,
      version,
      coroutine: null,
      mappings: new UserSpaceMappings(),
      gate: null,
      request: null,
      inKernel: false,
      inSchedule: false,
      notified: false,
      faultUnanswered: false,
      senders: [],
      stateFrame,
    };
    process.coroutine = new ExecutionContext(`l4linux.${task.pid}`, () => this.coroutine(process), task);
    process.context = process.coroutine;
    task.substrateData = process;
    if (task.mm !== null) this.byMm.set(task.mm, process);
    this.toCreate.push(process);
    return 0;
  }

  /**
   * task_new refused the child of a fork (no TCB or page-table memory left in the L4 kernel): Linux
   * undoes the fork, and the parent's fork returns -EAGAIN instead of the child's pid, in the
   * reply already queued or, if the parent is still in the kernel, in the one it will send.
   */
  private forkFailed(process: LinuxProcess): void {
    const child = process.task;
    const parent = child.parent;
    this.byL4Task.delete(process.number);
    if (child.mm !== null) this.byMm.delete(child.mm);
    this.kernel.cancelFork(child);
    const freed = this.freeNumbers.indexOf(process.number);
    if (freed >= 0) this.freeNumbers.splice(freed, 1);
    this.refusedNumbers.push(process.number);
    if (parent === null) return;
    const parentNumber = (parent.substrateData as LinuxProcess | undefined)?.number;
    const queued = this.replies.findIndex((r) => r.systemCall && r.w0 === child.pid && taskOf(r.to.low) === parentNumber);
    if (queued >= 0) this.replies[queued] = { ...this.replies[queued], w0: -EAGAIN >>> 0 };
    else this.failedForks.set(parent, child.pid);
  }

  destroyTask(task: Task): void {
    const process = task.substrateData as LinuxProcess | undefined;
    if (process === undefined) return;
    this.kernel.mm.put(process.stateFrame);
    if (!this.toDelete.includes(process) && this.byL4Task.get(process.number) === process) this.toDelete.push(process);
    this.freeNumbers.push(process.number);
    task.substrateData = undefined;
  }

  /** Starts the server's receive loop; init's L4 task is its first piece of work. */
  start(_init: Task): void {
    // the server thread is suspended at the end of its boot; the next run resumes it
  }

  /**
   * schedule() in the server: Linux's policy bookkeeping, then a coroutine switch. The caller's
   * coroutine continues when its task is runnable again and the receive loop picks it; user
   * threads themselves are scheduled by L4.
   */
  *schedule(task: Task): Activity {
    const kernel = this.kernel;
    kernel.run('scheduleBase');
    kernel.scheduler.pickNext(task);
    kernel.run('goodnessPerTask', kernel.scheduler.lastScanned);
    if (kernel.scheduler.lastRecalculated > 0) kernel.run('recalculatePerTask', kernel.scheduler.lastRecalculated);
    const process = task.substrateData as LinuxProcess;
    if (task.state === 'zombie') {
      process.inKernel = false;
      this.toDispatcher();
      yield;
      throw new Error(`zombie ${task.pid} resumed`);
    }
    process.inSchedule = true;
    this.scheduleQueue.push(process);
    this.toDispatcher();
    yield;
    process.inSchedule = false;
  }

  consoleOutput(bytes: Uint8Array): void {
    this.cpu.charge(bytes.length * this.cpu.p.consoleCharCost, CAT.device);
    this.machine.console.write(decodeUtf8(bytes));
  }
}

/** The small-space number of a slot from 0 that holds `bytes` (null if none is big enough). */
function smallSpaceFor(bytes: number): number | undefined {
  let k = 0;
  while (SMALL_SPACE_UNIT * 2 ** k < bytes) k++;
  if (SMALL_SPACE_UNIT * 2 ** k > SMALL_SPACE_AREA_BYTES) return undefined;
  return 1 << k;
}

/**
 * The factory of `l4linux` (emulation library) and `l4linux-trampoline` for engine/linux/systems.ts.
 * `options.smallSpaces` wins over the boot options' `smallSpaces` (the what-if of the CLI and suites).
 */
export function l4linuxHost(trampoline: boolean, options: Omit<L4LinuxOptions, 'trampoline'> = {}) {
  return (machine: Machine, runtime: UserRuntime, boot: Pick<L4LinuxOptions, 'linux' | 'l4' | 'l4linux' | 'native' | 'smallSpaces'>): L4Linux =>
    new L4Linux(machine, runtime, { ...options, smallSpaces: options.smallSpaces ?? boot.smallSpaces, linux: boot.linux, l4: boot.l4, l4linux: boot.l4linux, native: boot.native, trampoline });
}
