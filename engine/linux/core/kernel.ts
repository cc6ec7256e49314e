import type { Activity, Operation } from '../../machine/executionContext';
import type { ParameterRow } from '../../base/parameters';
import { decodeUtf8, encodeUtf8 } from '../../base/text';
import * as E from './errno';
import { KernelCode, type LinuxPath } from './kernelCode';
import { linuxParameters, type LinuxOverrides, type LinuxParameters } from './linuxParameters';
import { MemoryManager, PAGE_SIZE, VM_EXEC, VM_MAY, VM_MAYWRITE, VM_READ, VM_WRITE, type ImageLayout, type MemoryMap } from './mm';
import { Pipe, PIPE_READ_OPS, PIPE_WRITE_OPS } from './pipe';
import { LinuxScheduler } from './sched';
import type { Substrate, UserRuntime } from './substrate';
import {
  HZ, MAP_ANONYMOUS, MAP_FIXED, MAP_SHARED, MAX_ARG_PAGES, NR, NSIG, O_ACCMODE, O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_TRUNC, O_WRONLY,
  PROT_EXEC, PROT_READ, PROT_WRITE, RUSAGE_BOTH, RUSAGE_CHILDREN, RUSAGE_SELF, SIG, SIG_DFL, SIG_IGN, TIOCGPGRP, TIOCSPGRP, WNOHANG,
} from './syscalls';
import { Task, WaitQueue } from './task';
import { Tty } from './tty';
import { SocketLayer } from './net';
import { DiskFileSystem } from './diskFs';
import { KmallocClass } from './kmalloc';
import { NR_TASKS, TaskTable } from './taskTable';
import { sysSelect } from './select';
import { WriteBack } from './writeback';
import { WaitFootprint } from './waitFootprint';
import { ACCESS_READ, CAT, type Cpu } from '../../machine/cpu';
import { Inode, OpenFile, pathComponents, RamFileSystem, type FileOperations } from './vfs';

/** A system-call handler: `fast` ones never block (no generator on the path); others may sleep. */
export type SyscallHandler =
  | { readonly fast: true; readonly run: (task: Task, a1: number, a2: number, a3: number, a4: number, a5: number) => number }
  | { readonly fast: false; readonly run: (task: Task, a1: number, a2: number, a3: number, a4: number, a5: number) => Operation<number> };

/** The header of a guest binary file: `#!l4lab-guest PROGRAM TEXT DATA BSS\n` (sizes in bytes). */
export const BINARY_MAGIC = '#!l4lab-guest ';

export function parseBinaryHeader(bytes: Uint8Array): ImageLayout | null {
  const text = decodeUtf8(bytes.subarray(0, Math.min(bytes.length, 128)));
  if (!text.startsWith(BINARY_MAGIC)) return null;
  const line = text.slice(BINARY_MAGIC.length).split('\n')[0].trim().split(/\s+/);
  if (line.length !== 4) return null;
  const [program, textBytes, dataBytes, bssBytes] = [line[0], Number(line[1]), Number(line[2]), Number(line[3])];
  if (![textBytes, dataBytes, bssBytes].every((n) => Number.isInteger(n) && n >= 0)) return null;
  return { program, textBytes, dataBytes, bssBytes };
}

const SA_ONESHOT = 0x80000000;
/** struct file is 64 bytes in 2.0 (include/linux/fs.h); struct inode about 320. */
const FILE_STRUCT_BYTES = 64;
const INODE_STRUCT_BYTES = 320;
const STRUCT_ARENA_PAGES = 4;
const TASK_STRUCT_BLOCK_BYTES = 1024;
const FILES_STRUCT_BLOCK_BYTES = 2048;
/** Offset of fd[] in struct files_struct (count, close_on_exec and open_fds bitmaps of 256 bits). */
const FILES_FD_OFFSET = 68;
const SA_NOMASK = 0x40000000;
const SIGNAL_FRAME_BYTES = 100; // 2.0 struct sigframe: retaddr, sig, sigcontext (22 dwords), retcode
/** do_execve's room for the argument strings: MAX_ARG_PAGES pages less a word (bprm.p = PAGE_SIZE * MAX_ARG_PAGES - 4). */
const ARGUMENT_BYTES = MAX_ARG_PAGES * PAGE_SIZE - 4;
/** setup_frame of 2.0 takes 64 words below the user stack pointer (frame -= 64) and verifies them. */
const SETUP_FRAME_BYTES = 256;
/**
 * Where the first signal frame goes: the model's guests keep no stack pointer of their own, so a
 * handler's frame is taken this far below the top of the user stack (a running program's depth);
 * a nested one goes {@link SETUP_FRAME_BYTES} below the frame it interrupts.
 */
const SIGNAL_STACK_DEPTH = 0x18000;
/**
 * How deep signal handlers may nest in the simulator. Linux 2.0 nests them until the frames
 * exhaust the stack (8 MB: about 32,000 frames of 256 B, fewer with the handlers' own use),
 * then setup_frame's verify_area fails and the process dies of SIGSEGV. A handler that faults
 * in itself (SIGSEGV in a SIGSEGV handler: force_sig unblocks it) never stops nesting, and the
 * simulator runs each nested handler inside the one it interrupted, so its own stack bounds the
 * depth it can follow: at this depth the process gets the same end, said in the kernel log.
 */
export const MAX_NESTED_SIGNAL_FRAMES = 100;
/** struct sigcontext_struct of 2.0: the 22 dwords sys_sigreturn verifies and copies in. */
const SIGCONTEXT_BYTES = 88;
/** xtime's advance per tick in µs (kernel/sched.c of 2.0: `tick = (1000000 + HZ/2) / HZ`). */
const TICK_USEC = 10_000;
/** struct tms of 2.0 (include/linux/times.h): four clock_t. */
const TMS_BYTES = 16;
/** struct timeval and struct timezone of 2.0 (include/linux/time.h): two longs, two ints. */
const TIMEVAL_BYTES = 8;
const TIMEZONE_BYTES = 8;
/** struct rusage of 2.0 (include/linux/resource.h): ru_utime, ru_stime, then 14 longs. */
const RUSAGE_BYTES = 72;

/**
 * The Linux 2.0 personality: processes, signals, memory, files, pipes and the tty, written once
 * against a {@link Substrate}. Its system calls take the arguments of Linux/i386 and return a
 * result or -errno; they reach user memory only through the substrate's copyin/copyout.
 */
export class LinuxKernel {
  readonly p: LinuxParameters;
  readonly parameterRows: ParameterRow[];
  readonly mm: MemoryManager;
  readonly code: KernelCode;
  readonly fs = new RamFileSystem();
  readonly scheduler = new LinuxScheduler();
  readonly tasks = new Map<number, Task>();
  /** task[NR_TASKS]: fork fails with EAGAIN when it is full. */
  readonly taskTable = new TaskTable();
  readonly tty: Tty;
  readonly net: SocketLayer;
  readonly disk: DiskFileSystem;
  readonly writeBack: WriteBack;
  readonly cpu: Cpu;
  readonly deviceCategory = CAT.device;
  readonly handlers: Array<SyscallHandler | undefined> = [];
  readonly bootLog: string[] = [];
  /** Memory traffic of the wait queues and the run queue (kernel/sched.c). */
  readonly waits: WaitFootprint;
  jiffies = 0;
  /**
   * Cycle at which the last timer tick was handled: where do_gettimeofday's offset into the
   * current tick counts from (do_fast_gettimeoffset: the TSC read by the timer interrupt).
   */
  private lastTickCycle = 0;
  /** Cycles charged per instruction of a personality path. */
  private readonly instructionCycles: number;
  private readonly category: number;
  private nextPid = 1;
  /** Pages of the file table and of the in-core inode table (kmalloc'd structures). */
  private readonly fileArena: number[] = [];
  private readonly inodeArena: number[] = [];
  private fileSlot = 0;
  private readonly taskStructs: KmallocClass;
  private readonly filesStructs: KmallocClass;
  private inodeSlot = 0;
  private readonly scratch: number;
  private readonly scratchLinear: number;
  private readonly devConsole: Inode;
  private procRoot: Inode;
  private readonly sleepingTimed = new Set<Task>();
  private readonly timeouts = new Map<Task, number>();
  /** Called when init (pid 1) exits: the system halts. */
  onInitExit: ((status: number) => void) | null = null;

  constructor(readonly substrate: Substrate, readonly runtime: UserRuntime, overrides: LinuxOverrides = {}) {
    const table = linuxParameters(overrides);
    this.p = table.values;
    this.parameterRows = table.rows();
    this.instructionCycles = substrate.cpu.p.instruction;
    this.category = substrate.kernelCategory;
    this.code = new KernelCode(substrate.cpu, this.p, substrate.kernelTextBase, this.category, substrate.linuxBuild);
    this.mm = new MemoryManager(substrate, this.p, this.code);
    this.scratch = this.mm.allocate(false);
    // kernel/sched.c's static data in the image (init_task, kstat): a page of its own
    this.waits = new WaitFootprint(substrate.cpu, (physical) => substrate.kernelLinear(physical), substrate.kernelLinear(this.mm.allocate(true)));
    // kernel/fork.c of 2.0: task structs are kmalloc'd (~900 bytes: the 1 KB size class)
    this.taskStructs = new KmallocClass(TASK_STRUCT_BLOCK_BYTES, () => this.mm.allocate(false), (page) => this.mm.put(page));
    // copy_files: struct files_struct (count, close_on_exec, open_fds, fd[NR_OPEN = 256]) is ~1.1 KB: the 2 KB class
    this.filesStructs = new KmallocClass(FILES_STRUCT_BLOCK_BYTES, () => this.mm.allocate(false), (page) => this.mm.put(page));
    for (let i = 0; i < STRUCT_ARENA_PAGES; i++) {
      this.fileArena.push(substrate.kernelLinear(this.mm.allocate(true)));
      this.inodeArena.push(substrate.kernelLinear(this.mm.allocate(true)));
    }
    this.scratchLinear = substrate.kernelLinear(this.scratch);
    this.tty = new Tty(this);
    this.net = new SocketLayer(this);
    this.cpu = substrate.cpu;
    this.disk = new DiskFileSystem(this, substrate.machine.disk);
    this.writeBack = new WriteBack(this, this.disk);
    this.mm.sharedPageDirtied = (inode, index) => this.writeBack.pageDirtied(inode, index);
    this.mm.pageCache.dropable = (inode, index) => this.writeBack.dropable(inode, index);
    const root = this.fs.root;
    for (const name of ['bin', 'dev', 'etc', 'tmp', 'sbin', 'proc']) this.fs.link(root, name, this.fs.imageInode('dir', 0o755));
    const dev = root.entries!.get('dev')!;
    this.device(dev, 'null', NULL_OPS);
    this.device(dev, 'zero', ZERO_OPS);
    this.devConsole = this.device(dev, 'console', this.tty.ops);
    this.device(dev, 'tty', this.tty.ops);
    this.procRoot = root.entries!.get('proc')!;
    this.buildSyscallTable();
    this.printk(`Linux version 2.0 personality on the ${substrate.name} substrate`);
    this.printk(`Memory: ${Math.round((this.mm.freePages * 4))}k available`);
  }

  printk(line: string): void {
    this.bootLog.push(line);
  }

  /** Charges `instructions` of personality code. */
  charge(instructions: number): void {
    this.substrate.cpu.charge(instructions * this.instructionCycles, this.category);
  }

  /** Runs personality path `name` (`count` times): instruction cycles plus its code fetch. */
  run(name: LinuxPath, count = 1): void {
    this.code.run(name, count);
  }

  private device(dir: Inode, name: string, ops: FileOperations): Inode {
    const inode = this.fs.imageInode('chr', 0o666);
    inode.device = ops;
    this.fs.link(dir, name, inode);
    return inode;
  }

  get current(): Task | null {
    return this.substrate.current;
  }

  // ---- files in the image (boot-time, no cost) ---------------------------------------------

  /**
   * Creates (or replaces) a file with `content` at `path`, making directories (image build, no
   * cost). With `onDisk` (the default) the data go to the disk image and are read into the page
   * cache on first use; otherwise they are put straight into page frames (a RAM file).
   */
  installFile(path: string, content: Uint8Array, mode = 0o644, onDisk = true): Inode {
    const parts = pathComponents(path);
    let dir = this.fs.root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.entries!.get(part);
      if (next === undefined) {
        next = this.fs.imageInode('dir', 0o755);
        this.fs.link(dir, part, next);
      }
      dir = next;
    }
    const name = parts[parts.length - 1];
    const existing = dir.entries!.get(name);
    if (existing !== undefined) this.truncate(existing);
    const inode = existing ?? this.fs.imageInode('file', mode);
    if (existing === undefined) this.fs.link(dir, name, inode);
    if (onDisk && this.disk.store(inode, content)) return inode;
    for (let offset = 0; offset < content.length; offset += PAGE_SIZE) {
      const frame = this.mm.frames.allocate();
      if (frame < 0) throw new Error('out of memory building the file system image');
      this.mm.count[frame >>> 12] = 1;
      const bytes = this.substrate.cpu.memory.bytes;
      bytes.fill(0, frame, frame + PAGE_SIZE);
      bytes.set(content.subarray(offset, Math.min(content.length, offset + PAGE_SIZE)), frame);
      inode.pages.push(frame);
    }
    inode.size = content.length;
    return inode;
  }

  /** Reads a whole file functionally (tests, host tools; no cost). */
  peekFile(path: string): Uint8Array | null {
    const inode = this.lookupPath(this.fs.root, path);
    if (inode === null || inode.kind !== 'file') return null;
    const out = new Uint8Array(inode.size);
    const bytes = this.substrate.cpu.memory.bytes;
    for (let i = 0; i < inode.pages.length; i++) {
      const frame = inode.pages[i];
      const length = Math.min(PAGE_SIZE, inode.size - i * PAGE_SIZE);
      if (frame > 0 && length > 0) out.set(bytes.subarray(frame, frame + length), i * PAGE_SIZE);
      else if (frame === 0 && length > 0) out.set(this.disk.peek(inode, i * PAGE_SIZE, length), i * PAGE_SIZE);
    }
    return out;
  }

  private truncate(inode: Inode): void {
    for (const frame of inode.pages) if (frame > 0) this.mm.put(frame);
    inode.pages.length = 0;
    this.writeBack.truncated(inode);
    inode.size = 0;
  }

  /**
   * A new file or directory in `dir` (ext2_new_inode): it lives on the disk if `dir` does, and its
   * inode-table block is read into the buffer cache for the entry to be written back later.
   */
  private *createInode(task: Task, dir: Inode, name: string, inode: Inode): Operation<void> {
    this.fs.link(dir, name, inode);
    inode.onDisk = dir.onDisk;
    const block = this.disk.inodeBlock(inode);
    if (block >= 0) yield* this.disk.bread(task, block);
    this.writeBack.inodeDirtied(inode);
    this.writeBack.inodeDirtied(dir);
  }

  // ---- processes ------------------------------------------------------------------------------

  /** Starts init (pid 1) running the binary at `path` with `argv`. */
  startInit(path: string, argv: string[]): Task {
    const init = this.newTask(null, 'init');
    if (typeof init === 'number') throw new Error(`cannot create init: ${E.ERRNO_NAME[-init] ?? init}`);
    for (const fd of [0, 1, 2]) init.files[fd] = new OpenFile(this.devConsole, 2, this.devConsole.device!);
    init.files[0]!.references = 3;
    init.files[1] = init.files[0];
    init.files[2] = init.files[0];
    const inode = this.lookupPath(this.fs.root, path);
    if (inode === null) throw new Error(`no init at ${path}`);
    const result = this.execImage(init, inode, argv);
    if (result < 0) throw new Error(`cannot exec ${path}: ${E.ERRNO_NAME[-result] ?? result}`);
    init.execPending = false;
    const created = this.substrate.createTask(init);
    if (created < 0) throw new Error(`cannot create init: ${E.ERRNO_NAME[-created] ?? created}`);
    this.printk(`init: started ${path} as pid 1`);
    return init;
  }

  /**
   * do_fork's first steps, in its order: kmalloc the task struct, alloc_kernel_stack (ENOMEM),
   * find_empty_process (EAGAIN), copy_files' files_struct (ENOMEM). Returns the task, not yet
   * in the task list, or -errno with nothing left allocated.
   */
  private newTask(parent: Task | null, comm: string): Task | number {
    const structPhysical = this.taskStructs.allocate();
    if (structPhysical < 0) return -E.ENOMEM;
    const kernelStackPhysical = this.mm.allocate(false);
    if (kernelStackPhysical < 0) {
      this.taskStructs.release(structPhysical);
      return -E.ENOMEM;
    }
    const slot = this.taskTable.findEmpty();
    // find_empty_process scans task[] from slot 0 to the first free one; get_pid compares every task
    this.run('findEmptyProcessPerSlot', slot < 0 ? NR_TASKS : slot + 1);
    this.run('findEmptyProcessPerTask', this.taskTable.occupied);
    const filesPhysical = slot < 0 ? -1 : this.filesStructs.allocate();
    if (filesPhysical < 0) {
      this.mm.put(kernelStackPhysical);
      this.taskStructs.release(structPhysical);
      return slot < 0 ? -E.EAGAIN : -E.ENOMEM;
    }
    const task = new Task(this.nextPid++, parent, parent?.cwd ?? this.fs.root, 20, comm);
    task.structPhysical = structPhysical;
    task.kernelStackPhysical = kernelStackPhysical;
    task.filesPhysical = filesPhysical;
    task.startTime = this.substrate.now;
    this.taskTable.take(slot, task);
    this.tasks.set(task.pid, task);
    this.scheduler.add(task);
    if (parent !== null) parent.children.push(task);
    return task;
  }

  /** wake_up_process: makes `task` runnable; asks for a reschedule if it deserves the CPU. */
  wakeUpProcess(task: Task): void {
    if (task.state !== 'interruptible' && task.state !== 'uninterruptible' && task.state !== 'stopped') return;
    this.run('wakeUpPerWaiter');
    this.waits.enqueue(task);
    task.state = 'running';
    const current = this.current;
    if (current === null || task.counter > current.counter + 3) this.scheduler.needResched = true;
  }

  /** wake_up_interruptible on `queue`. */
  wakeUp(queue: WaitQueue): void {
    this.run('wakeUp');
    for (const task of queue.sleepers) {
      this.waits.visit(task);
      this.wakeUpProcess(task);
    }
  }

  /** interruptible_sleep_on: sleeps until woken (or a signal arrives). */
  *sleepOn(task: Task, queue: WaitQueue): Activity {
    this.run('sleepOn');
    this.waits.sleep(task);
    task.state = 'interruptible';
    queue.add(task);
    yield* this.substrate.schedule(task);
    this.run('sleepOnWake');
    this.waits.wake(task);
    queue.remove(task);
  }

  /**
   * select's sleep: on every queue of `queues` at once, until a wake-up on any of them, a signal,
   * or jiffies reaching `deadline` (null: no timeout). do_select calls schedule() itself: its
   * queueing (select_wait) and unqueueing (free_wait) are select's own rows, not __sleep_on's.
   */
  *sleepOnQueues(task: Task, queues: readonly WaitQueue[], deadline: number | null): Activity {
    for (const queue of queues) queue.add(task);
    if (deadline !== null) {
      this.timeouts.set(task, deadline);
      this.sleepingTimed.add(task);
    }
    task.state = 'interruptible';
    yield* this.substrate.schedule(task);
    this.sleepingTimed.delete(task);
    this.timeouts.delete(task);
    for (const queue of queues) queue.remove(task);
  }

  /** Sleeps `ticks` jiffies (or until a signal). */
  private *sleepTicks(task: Task, ticks: number): Activity {
    this.timeouts.set(task, this.jiffies + Math.max(1, ticks));
    this.sleepingTimed.add(task);
    task.state = 'interruptible';
    yield* this.substrate.schedule(task);
    this.sleepingTimed.delete(task);
    this.timeouts.delete(task);
  }

  /**
   * The timer interrupt's work (do_timer): jiffies, alarms, timeouts, the time slice, and
   * update_process_times' accounting: the tick goes to `interrupted` (the task that was running
   * when the tick came; null: idle, or a substrate that keeps no such count), to its user time
   * if the tick interrupted it in user mode (2.0: `user_mode(regs)`), else to its system time.
   */
  timerTick(interrupted: Task | null = null, userMode = false): void {
    this.jiffies++;
    this.lastTickCycle = this.substrate.now;
    if (interrupted !== null) {
      if (userMode) interrupted.utime++;
      else interrupted.stime++;
    }
    this.run('timerTick');
    this.writeBack.tick();
    for (const task of this.sleepingTimed) {
      if ((this.timeouts.get(task) ?? Infinity) <= this.jiffies) this.wakeUpProcess(task);
    }
    for (const task of this.tasks.values()) {
      if (task.alarmAt !== 0 && task.alarmAt <= this.jiffies) {
        task.alarmAt = 0;
        this.sendSignal(task, SIG.SIGALRM);
      }
    }
    this.scheduler.tick(this.current);
  }

  /** Signals every process of group `pgrp` (the tty's ^C). */
  signalGroup(pgrp: number, signal: number): void {
    for (const task of this.tasks.values()) if (task.pgrp === pgrp && task.state !== 'zombie') this.sendSignal(task, signal);
  }

  /**
   * force_sig (kernel/signal.c): a signal raised by a fault of `task` itself; it cannot be ignored
   * or blocked (an ignored one takes the default action).
   */
  forceSignal(task: Task, signal: number): void {
    const action = task.actions[signal];
    if (action.handler <= 1) action.handler = 0;
    task.blocked &= ~(1 << (signal - 1));
    this.sendSignal(task, signal);
  }

  /** send_sig: marks `signal` pending and wakes the task if it sleeps interruptibly. */
  sendSignal(task: Task, signal: number): void {
    if (signal <= 0 || signal > NSIG || task.state === 'zombie') return;
    this.run('signalSend');
    const action = task.actions[signal];
    const ignoredByDefault = signal === SIG.SIGCHLD || signal === SIG.SIGWINCH;
    if (signal !== SIG.SIGKILL && (action.handler === SIG_IGN || (action.handler === SIG_DFL && ignoredByDefault))) return;
    task.signal |= 1 << (signal - 1);
    if (signal === SIG.SIGKILL || signal === SIG.SIGCONT || (task.state === 'interruptible' && (task.blocked & (1 << (signal - 1))) === 0)) {
      this.wakeUpProcess(task);
    }
  }

  /**
   * ret_from_sys_call's loop (arch/i386/kernel/entry.S), the same on every substrate: the
   * substrate's schedule() while need_resched is set, signal delivery while a signal is pending,
   * until neither holds. `poll` (native only) returns the work that lets pending interrupts in at
   * each pass, or null when none is due.
   */
  *retFromSysCall(task: Task, poll?: () => Activity | null): Activity {
    for (;;) {
      const interrupts = poll?.() ?? null;
      if (interrupts !== null) yield* interrupts;
      if (this.scheduler.needResched) {
        yield* this.substrate.schedule(task);
        continue;
      }
      if (task.hasPendingSignal()) {
        yield* this.handleSignals(task);
        continue;
      }
      return;
    }
  }

  /**
   * do_signal, on every return to user mode: default actions (terminate) run here and never
   * return; caught signals get a frame on the user stack and are queued in `task.handlers` for
   * the substrate to run in user mode.
   */
  *handleSignals(task: Task): Activity {
    while (task.hasPendingSignal()) {
      const pending = task.signal & ~task.blocked;
      const signal = 31 - Math.clz32(pending & -pending) + 1;
      task.signal &= ~(1 << (signal - 1));
      const action = task.actions[signal];
      if (action.handler === SIG_IGN && signal !== SIG.SIGKILL) continue;
      if (action.handler === SIG_DFL || signal === SIG.SIGKILL) {
        if (signal === SIG.SIGCHLD || signal === SIG.SIGWINCH || signal === SIG.SIGCONT) continue;
        if (signal === SIG.SIGSTOP || signal === SIG.SIGTSTP) continue; // job control stops are not modelled
        yield* this.doExit(task, signal & 0x7f);
        return;
      }
      this.run('signalFrame');
      const frames = task.signalFrames;
      if (frames.length >= MAX_NESTED_SIGNAL_FRAMES) {
        this.printk(`${task.comm} (pid ${task.pid}): signal handlers nested ${frames.length} deep; killed with SIGSEGV as a stack overflow would (the simulator's nesting limit)`);
        yield* this.doExit(task, SIG.SIGSEGV);
        return;
      }
      const frame = frames.length === 0 ? this.substrate.taskSize - SIGNAL_STACK_DEPTH : frames[frames.length - 1] - SETUP_FRAME_BYTES;
      // setup_frame's verify_area of the 64-word frame
      if (!this.verifyArea(task, frame, SETUP_FRAME_BYTES, true)) {
        yield* this.doExit(task, SIG.SIGSEGV);
        return;
      }
      const words = new Uint8Array(SIGNAL_FRAME_BYTES);
      new DataView(words.buffer).setUint32(4, signal, true);
      new DataView(words.buffer).setUint32(8, task.blocked, true);
      const written = yield* this.writeUserBytes(task, frame, words);
      if (written < 0) {
        yield* this.doExit(task, SIG.SIGSEGV);
        return;
      }
      task.handlers.push({ signal, handler: action.handler, frame });
      frames.push(frame);
      if ((action.flags & SA_ONESHOT) !== 0) action.handler = SIG_DFL;
      if ((action.flags & SA_NOMASK) === 0) task.blocked |= action.mask | (1 << (signal - 1));
    }
  }

  /** do_exit: releases files and memory, becomes a zombie, tells the parent; never returns. */
  *doExit(task: Task, status: number): Activity {
    this.run('exitBase');
    for (let fd = 0; fd < task.files.length; fd++) this.closeFd(task, fd);
    const mm = task.mm;
    // exit_mm: flush_tlb_mm, then SET_PAGE_DIR to swapper_pg_dir; exit_mmap follows
    if (mm !== null) this.substrate.flushTlbMm(mm);
    task.mm = null;
    this.substrate.addressSpaceReplaced(task);
    if (mm !== null) this.releaseMm(mm);
    task.state = 'zombie';
    task.exitCode = status;
    const init = this.tasks.get(1);
    for (const child of task.children) {
      child.parent = init ?? null;
      if (init !== undefined && init !== task) init.children.push(child);
    }
    task.children.length = 0;
    if (init !== undefined && init !== task) this.wakeUp(init.childExit);
    const parent = task.parent;
    if (parent !== null) {
      this.sendSignal(parent, SIG.SIGCHLD);
      this.wakeUp(parent.childExit);
    }
    if (task.pid === 1) this.onInitExit?.(status);
    yield* this.substrate.schedule(task);
    throw new Error(`zombie ${task.pid} was scheduled`);
  }

  private reap(task: Task): void {
    const parent = task.parent;
    if (parent !== null) {
      parent.children.splice(parent.children.indexOf(task), 1);
      // sys_wait4's TASK_ZOMBIE case (cutime, cstime) and release() (cmin_flt, cmaj_flt) of 2.0
      parent.cutime += task.utime + task.cutime;
      parent.cstime += task.stime + task.cstime;
      parent.cminFlt += task.minFlt + task.cminFlt;
      parent.cmajFlt += task.majFlt + task.cmajFlt;
    }
    this.tasks.delete(task.pid);
    this.taskTable.release(task);
    this.scheduler.remove(task);
    this.substrate.destroyTask(task);
    this.taskStructs.release(task.structPhysical);
    if (task.filesPhysical > 0) this.filesStructs.release(task.filesPhysical);
    this.mm.put(task.kernelStackPhysical);
  }

  /**
   * A fork whose child the substrate could not build after all (its deferred part, made by the
   * server after the personality's sys_fork: L4Linux's task_new, MkLinux's task_create): do_fork's
   * bad_fork_cleanup for a child that never ran. Its files and memory are released and its slot,
   * pid and structures freed as by a reap; the substrate returns an error (-EAGAIN) to the parent
   * instead of the child's pid. sys_fork uses it too when copy_mm or createTask fails.
   */
  cancelFork(child: Task): void {
    for (let fd = 0; fd < child.files.length; fd++) this.closeFd(child, fd);
    const mm = child.mm;
    child.mm = null;
    if (mm !== null) this.releaseMm(mm);
    child.state = 'zombie';
    this.reap(child);
  }

  // ---- user memory helpers -------------------------------------------------------------------

  /** Copies `length` (≤ 4096) bytes from user memory into a new host array, or -EFAULT. */
  *readUserBytes(task: Task, address: number, length: number): Operation<Uint8Array | number> {
    if (length > PAGE_SIZE) return -E.EINVAL;
    const copied = yield* this.substrate.copyFromUser(task, address, this.scratchLinear, length);
    if (copied < 0) return copied;
    return this.substrate.cpu.memory.bytes.slice(this.scratch, this.scratch + length);
  }

  /** Copies host `bytes` (≤ 4096) to user memory through the kernel scratch page; bytes or -EFAULT. */
  *writeUserBytes(task: Task, address: number, bytes: Uint8Array): Operation<number> {
    if (bytes.length > PAGE_SIZE) return -E.EINVAL;
    this.substrate.cpu.memory.bytes.set(bytes, this.scratch);
    return yield* this.substrate.copyToUser(task, this.scratchLinear, address, bytes.length);
  }

  /** Copies `count` 32-bit words from user memory, or -EFAULT. */
  *readUserWords(task: Task, address: number, count: number): Operation<Uint32Array | number> {
    const bytes = yield* this.readUserBytes(task, address, count * 4);
    if (typeof bytes === 'number') return bytes;
    const out = new Uint32Array(count);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, true);
    return out;
  }

  /** Writes 32-bit words to user memory: 0, or -EFAULT. */
  *writeUserWords(task: Task, address: number, words: readonly number[]): Operation<number> {
    const bytes = new Uint8Array(words.length * 4);
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
    return yield* this.writeUserBytes(task, address, bytes);
  }

  /**
   * strncpy_from_user for a path or argument: the string, or -EFAULT / -ENAMETOOLONG. A path is
   * getname's (fs/namei.c of 2.0): at most a page with its NUL, so 4,095 characters.
   */
  *readUserString(task: Task, address: number, max = PAGE_SIZE): Operation<string | number> {
    const collected: number[] = [];
    let at = address;
    while (collected.length < max) {
      const chunk = Math.min(PAGE_SIZE - (at & 0xfff), max - collected.length, 256);
      const bytes = yield* this.readUserBytes(task, at, chunk);
      if (typeof bytes === 'number') return bytes;
      const end = bytes.indexOf(0);
      if (end >= 0) {
        for (let i = 0; i < end; i++) collected.push(bytes[i]);
        return decodeUtf8(Uint8Array.from(collected));
      }
      for (const b of bytes) collected.push(b);
      at += chunk;
    }
    return -E.ENAMETOOLONG;
  }

  // ---- path lookup ---------------------------------------------------------------------------

  lookupPath(start: Inode, path: string): Inode | null {
    let inode = path.startsWith('/') ? this.fs.root : start;
    for (const part of pathComponents(path)) {
      if (inode.kind !== 'dir') return null;
      if (part === '..') {
        inode = inode.parent ?? inode;
        continue;
      }
      if (inode === this.procRoot) this.refreshProc();
      const next = inode.entries!.get(part);
      if (next === undefined) return null;
      inode = next;
    }
    return inode;
  }

  /** The disk and buffer-cache side of a path lookup (directory blocks, inode-table blocks). */
  private namei(task: Task, path: string): Operation<void> {
    return this.disk.lookupIo(task, path.startsWith('/') ? this.fs.root : task.cwd, pathComponents(path));
  }

  /** Writes the image's metadata (inodes, directories) to the disk: call once the image is built. */
  sealImage(): void {
    this.disk.writeMetadata(this.fs.root);
  }

  /** namei with cost: the inode, or -errno; `parent` mode returns the directory and last name. */
  private lookup(task: Task, path: string): Inode | number {
    if (path.length === 0) return -E.ENOENT;
    const parts = pathComponents(path);
    this.run('pathComponent', Math.max(1, parts.length));
    const inode = this.lookupPath(task.cwd, path);
    if (inode === null) {
      const parent = this.lookupPath(task.cwd, parts.slice(0, -1).join('/') || (path.startsWith('/') ? '/' : '.'));
      return parent !== null && parent.kind !== 'dir' ? -E.ENOTDIR : -E.ENOENT;
    }
    return inode;
  }

  private lookupParent(task: Task, path: string): { dir: Inode; name: string } | number {
    if (path.length === 0) return -E.ENOENT; // getname of an empty string
    const parts = pathComponents(path);
    if (parts.length === 0) return -E.EEXIST;
    this.run('pathComponent', parts.length);
    const dirPath = (path.startsWith('/') ? '/' : '') + parts.slice(0, -1).join('/');
    const dir = this.lookupPath(task.cwd, dirPath.length === 0 ? '.' : dirPath);
    if (dir === null) return -E.ENOENT;
    if (dir.kind !== 'dir') return -E.ENOTDIR;
    return { dir, name: parts[parts.length - 1] };
  }

  /** /proc: one file per process, "PID PPID STATE COMM", rebuilt on lookup. */
  private refreshProc(): void {
    for (const inode of this.procRoot.entries!.values()) this.truncate(inode);
    this.procRoot.entries!.clear();
    for (const task of this.tasks.values()) {
      const inode = this.fs.newInode('file', 0o444);
      this.fs.link(this.procRoot, String(task.pid), inode);
      const text = encodeUtf8(`${task.pid} ${task.ppid} ${task.state[0].toUpperCase()} ${task.comm}\n`);
      const frame = this.mm.allocate(true);
      if (frame < 0) continue;
      this.substrate.cpu.memory.bytes.set(text, frame);
      inode.pages.push(frame);
      inode.size = text.length;
    }
  }

  // ---- files ---------------------------------------------------------------------------------

  /** The open file of descriptor `fd`, or null (no cost: callers charge their own lookup). */
  fileOf(task: Task, fd: number): OpenFile | null {
    return fd >= 0 && fd < task.files.length ? task.files[fd] : null;
  }

  private fget(task: Task, fd: number): OpenFile | null {
    this.run('fget');
    if (fd < 0 || fd >= task.files.length) return null;
    // current->files->fd[fd]
    if (task.filesPhysical > 0) this.cpu.access(this.substrate.kernelLinear(task.filesPhysical) + FILES_FD_OFFSET + 4 * fd, 4, ACCESS_READ, false);
    const file = task.files[fd];
    if (file !== null) this.touchFile(file);
    return file;
  }

  /** Places a new struct file / in-core inode in the file and inode tables (first use). */
  private place(file: OpenFile): void {
    if (file.kernelAddress === 0) {
      const slot = this.fileSlot++ % (STRUCT_ARENA_PAGES * (PAGE_SIZE / FILE_STRUCT_BYTES));
      file.kernelAddress = this.fileArena[Math.floor(slot / (PAGE_SIZE / FILE_STRUCT_BYTES))] + (slot % (PAGE_SIZE / FILE_STRUCT_BYTES)) * FILE_STRUCT_BYTES;
    }
    const inode = file.inode;
    if (inode.kernelAddress === 0) {
      const perPage = Math.floor(PAGE_SIZE / INODE_STRUCT_BYTES);
      const slot = this.inodeSlot++ % (STRUCT_ARENA_PAGES * perPage);
      inode.kernelAddress = this.inodeArena[Math.floor(slot / perPage)] + (slot % perPage) * INODE_STRUCT_BYTES;
    }
  }

  /** A read/write path reads f_flags/f_pos/f_op of the file and the inode's fields it uses. */
  touchFile(file: OpenFile): void {
    if (file.kernelAddress === 0) this.place(file);
    this.cpu.access(file.kernelAddress, 32, ACCESS_READ, false);
    this.cpu.access(file.inode.kernelAddress, 64, ACCESS_READ, false);
  }

  /** Installs an open file in the lowest free descriptor: the descriptor, or -EMFILE. */
  installOpenFile(task: Task, file: OpenFile): number {
    return this.installFd(task, file);
  }

  private installFd(task: Task, file: OpenFile, from = 0): number {
    for (let fd = from; fd < task.files.length; fd++) {
      if (task.files[fd] === null) {
        task.files[fd] = file;
        return fd;
      }
    }
    return -E.EMFILE;
  }

  closeFd(task: Task, fd: number): boolean {
    const file = task.files[fd];
    if (file === null || file === undefined) return false;
    task.files[fd] = null;
    this.run('closeBase');
    if (--file.references === 0) {
      file.ops.release?.(this, file);
      this.iput(file.inode);
    }
    return true;
  }

  /** True while `inode` is open, mapped or a working directory of some task (2.0's i_count above zero). */
  private inUse(inode: Inode): boolean {
    for (const task of this.tasks.values()) {
      if (task.cwd === inode) return true;
      for (const f of task.files) if (f !== null && f.inode === inode) return true;
      if (task.mm !== null && task.mm.areas.some((area) => area.inode === inode)) return true;
    }
    return false;
  }

  /**
   * iput: a deleted file or directory goes when its last user (open file, mapping, working
   * directory) does (ext2_delete_inode): its data, its blocks, then its inode (ext2_free_inode).
   */
  private iput(inode: Inode): void {
    if (inode.nlink !== 0 || (inode.kind !== 'file' && inode.kind !== 'dir') || !inode.allocated || this.inUse(inode)) return;
    this.truncate(inode);
    this.fs.freeInode(inode);
  }

  /** exit_mmap, then iput of the files the address space mapped. */
  private releaseMm(mm: MemoryMap): void {
    this.iputMapped(this.releaseAreas(mm));
  }

  /** exit_mmap; returns the files the address space mapped, for {@link iputMapped} once it is gone. */
  private releaseAreas(mm: MemoryMap): Set<Inode | null> {
    const mapped = new Set(mm.areas.map((area) => area.inode));
    this.mm.release(mm);
    return mapped;
  }

  /** iput of each file a released address space mapped. */
  private iputMapped(mapped: Set<Inode | null>): void {
    for (const inode of mapped) if (inode !== null) this.iput(inode);
  }

  /** munmap(2): do_munmap, then iput of the files whose mappings went. */
  private sysMunmap(task: Task, address: number, length: number): number {
    if (task.mm === null) return -E.EINVAL;
    const mapped = new Set(task.mm.areas.map((area) => area.inode));
    const result = this.mm.munmap(task.mm, address, length);
    for (const inode of mapped) if (inode !== null) this.iput(inode);
    return result;
  }

  /** Frees a pipe's page once both ends are closed. */
  maybeFreePipe(inode: Inode): void {
    const pipe = inode.pipe;
    if (pipe !== null && pipe.readers === 0 && pipe.writers === 0) {
      this.mm.put(pipe.page);
      inode.pipe = null;
    }
  }

  private *fileRead(task: Task, file: OpenFile, buffer: number, count: number): Operation<number> {
    const inode = file.inode;
    if (inode.kind === 'dir') return -E.EISDIR;
    this.run('fileReadCall');
    let done = 0;
    while (done < count && file.position < inode.size) {
      this.run('fileReadBase');
      const position = file.position;
      const index = Math.floor(position / PAGE_SIZE);
      const offset = position % PAGE_SIZE;
      const chunk = Math.min(count - done, PAGE_SIZE - offset, inode.size - position);
      // a page read in may be reclaimed again before this task runs: look until it is there
      while (inode.pages[index] === 0) {
        const loaded = yield* this.disk.readPage(task, inode, index);
        if (loaded < 0) return done > 0 ? done : loaded;
      }
      const cached = inode.pages[index] > 0;
      const frame = cached ? inode.pages[index] : this.mm.zeroPage;
      if (cached) {
        this.mm.pageCache.touch(frame);
        this.mm.pageCache.hold(frame); // across the copy: not reclaimed by a fault in it
      }
      const copied = yield* this.substrate.copyToUser(task, this.substrate.kernelLinear(frame + offset), buffer + done, chunk);
      if (cached) this.mm.pageCache.unhold(frame);
      if (copied < 0) return done > 0 ? done : copied;
      file.position += chunk;
      done += chunk;
    }
    return done;
  }

  private *fileWrite(task: Task, file: OpenFile, buffer: number, count: number): Operation<number> {
    const inode = file.inode;
    if ((file.flags & O_APPEND) !== 0) file.position = inode.size;
    let done = 0;
    while (done < count) {
      this.run('fileReadBase');
      const position = file.position;
      const index = Math.floor(position / PAGE_SIZE);
      const offset = position % PAGE_SIZE;
      // ext2_getblk: the disk blocks this chunk reaches (a full disk leaves room for less)
      const chunk = this.writeBack.reserveBlocks(inode, position + Math.min(count - done, PAGE_SIZE - offset)) - position;
      if (chunk <= 0) return done > 0 ? done : -E.ENOSPC;
      while (inode.pages.length <= index) inode.pages.push(-1);
      while (inode.pages[index] === 0) {
        const loaded = yield* this.disk.readPage(task, inode, index);
        if (loaded < 0) return done > 0 ? done : loaded;
      }
      if (inode.pages[index] < 0) {
        const frame = yield* this.writeBack.allocatePage(task);
        if (frame < 0) return done > 0 ? done : -E.ENOMEM;
        this.mm.pageCache.add(inode, index, frame);
      }
      const frame = inode.pages[index];
      this.mm.pageCache.touch(frame);
      this.mm.pageCache.hold(frame); // until it is dirty: not reclaimed by a fault in the copy
      const copied = yield* this.substrate.copyFromUser(task, buffer + done, this.substrate.kernelLinear(frame + offset), chunk);
      this.mm.pageCache.unhold(frame);
      if (copied < 0) return done > 0 ? done : copied;
      this.writeBack.pageDirtied(inode, index);
      file.position += chunk;
      done += chunk;
      if (file.position > inode.size) inode.size = file.position;
    }
    inode.mtime = this.jiffies;
    return done;
  }

  private readonly regularOps: FileOperations = {
    read: (_k, task, file, buffer, count) => this.fileRead(task, file, buffer, count),
    write: (_k, task, file, buffer, count) => this.fileWrite(task, file, buffer, count),
  };

  private openInode(inode: Inode, flags: number): OpenFile {
    if (inode.device !== null) return new OpenFile(inode, flags, inode.device);
    return new OpenFile(inode, flags, this.regularOps);
  }

  // ---- exec ----------------------------------------------------------------------------------

  /** Replaces the image of `task` by the guest binary `inode` with arguments `argv`. */
  private execImage(task: Task, inode: Inode, argv: string[]): number {
    if (inode.kind !== 'file') return -E.EACCES;
    const header = this.peekInode(inode, 128);
    const layout = parseBinaryHeader(header);
    if (layout === null) return -E.ENOEXEC;
    const mm = this.mm.newAddressSpace();
    if (mm === null) return -E.ENOMEM;
    this.mm.mapImage(mm, inode, layout);
    // argument strings at the top of the stack, then envp/argv arrays and argc (create_tables)
    const strings = argv.map((a) => encodeUtf8(`${a}\0`));
    const stringBytes = strings.reduce((n, s) => n + s.length, 0);
    this.run('execBase');
    this.run('execPerArgByte', stringBytes);
    let at = this.substrate.taskSize - 4 - stringBytes;
    const pointers: number[] = [];
    for (const s of strings) {
      if (!this.mm.poke(mm, at, s)) return this.abandon(mm);
      pointers.push(at);
      at += s.length;
    }
    const words = [argv.length, ...pointers, 0, 0];
    const esp = (((this.substrate.taskSize - 4 - stringBytes) & ~3) >>> 0) - words.length * 4;
    const table = new Uint8Array(words.length * 4);
    words.forEach((w, i) => new DataView(table.buffer).setUint32(i * 4, w >>> 0, true));
    if (!this.mm.poke(mm, esp, table)) return this.abandon(mm);
    // exec_mmap: exit_mmap of the old space while it is still live (on native Linux a CR3 reload
    // per area), then clear_page_tables' flush_tlb_mm; here the switch to the new directory is
    // that last flush (2.0 keeps the directory, the model gives the image a new one). The files
    // are put once the freed directory is no longer CR3.
    const old = task.mm;
    const mapped = old === null ? null : this.releaseAreas(old);
    task.mm = mm;
    mm.faultCounter = task;
    this.substrate.addressSpaceReplaced(task);
    if (mapped !== null) this.iputMapped(mapped);
    task.program = layout.program;
    task.comm = argv[0]?.split('/').pop() ?? layout.program;
    task.regs.esp = esp;
    task.signalFrames.length = 0;
    task.regs.childEntry = undefined;
    task.execPending = true;
    for (const action of task.actions) if (action.handler !== SIG_IGN) action.handler = SIG_DFL;
    return 0;
  }

  private abandon(mm: MemoryMap): number {
    this.mm.release(mm);
    return -E.ENOMEM;
  }

  private peekInode(inode: Inode, length: number): Uint8Array {
    const n = Math.min(length, inode.size, PAGE_SIZE);
    if (inode.pages[0] === 0) return this.disk.peek(inode, 0, n);
    if (inode.pages.length === 0 || inode.pages[0] <= 0) return new Uint8Array(0);
    return this.substrate.cpu.memory.bytes.slice(inode.pages[0], inode.pages[0] + n);
  }

  // ---- the system calls ----------------------------------------------------------------------

  private fast(nr: number, run: (task: Task, a1: number, a2: number, a3: number, a4: number, a5: number) => number): void {
    this.handlers[nr] = { fast: true, run };
  }

  private slow(nr: number, run: (task: Task, a1: number, a2: number, a3: number, a4: number, a5: number) => Operation<number>): void {
    this.handlers[nr] = { fast: false, run };
  }

  private buildSyscallTable(): void {
    this.fast(NR.getpid, (task) => {
      this.run('sysGetpid');
      return task.pid;
    });
    this.fast(NR.getppid, (task) => {
      this.run('sysGetpid');
      return task.ppid;
    });
    this.fast(NR.getpgrp, (task) => {
      this.run('sysGetpid');
      return task.pgrp;
    });
    this.fast(NR.setpgid, (task, pid, pgid) => {
      this.run('syscallBody');
      const target = pid === 0 ? task : this.tasks.get(pid);
      if (target === undefined || (target !== task && target.parent !== task)) return -E.ESRCH;
      if (pgid < 0) return -E.EINVAL;
      target.pgrp = pgid === 0 ? target.pid : pgid;
      return 0;
    });
    this.slow(NR.time, (task, tloc) => this.sysTime(task, tloc));
    this.fast(NR.alarm, (task, seconds) => {
      this.run('syscallBody');
      const left = task.alarmAt === 0 ? 0 : Math.ceil((task.alarmAt - this.jiffies) / HZ);
      task.alarmAt = seconds === 0 ? 0 : this.jiffies + seconds * HZ;
      return left;
    });
    this.slow(NR.exit, (task, status) => this.sysExit(task, status));
    this.fast(NR.fork, (task) => this.sysFork(task));
    this.slow(NR.read, (task, fd, buffer, count) => this.sysRead(task, fd, buffer, count));
    this.slow(NR.write, (task, fd, buffer, count) => this.sysWrite(task, fd, buffer, count));
    this.slow(NR.open, (task, path, flags, mode) => this.sysOpen(task, path, flags, mode));
    this.slow(NR.creat, (task, path, mode) => this.sysOpen(task, path, O_CREAT | O_WRONLY | O_TRUNC, mode));
    this.fast(NR.close, (task, fd) => {
      this.run('fget');
      return this.closeFd(task, fd) ? 0 : -E.EBADF;
    });
    this.slow(NR.waitpid, (task, pid, status, options) => this.sysWait4(task, pid | 0, status, options));
    this.slow(NR.wait4, (task, pid, status, options, usage) => this.sysWait4(task, pid | 0, status, options, usage));
    this.slow(NR.times, (task, buffer) => this.sysTimes(task, buffer));
    this.slow(NR.getrusage, (task, who, usage) => this.sysGetrusage(task, who | 0, usage));
    this.slow(NR.gettimeofday, (task, tv, tz) => this.sysGettimeofday(task, tv, tz));
    this.slow(NR.unlink, (task, path) => this.sysUnlink(task, path));
    this.slow(NR.execve, (task, path, argv) => this.sysExecve(task, path, argv));
    this.slow(NR.chdir, (task, path) => this.sysChdir(task, path));
    this.fast(NR.lseek, (task, fd, offset, whence) => this.sysLseek(task, fd, offset | 0, whence));
    this.slow(NR.pause, (task) => this.sysPause(task));
    this.fast(NR.kill, (task, pid, signal) => this.sysKill(task, pid | 0, signal));
    this.slow(NR.mkdir, (task, path, mode) => this.sysMkdir(task, path, mode));
    this.slow(NR.rmdir, (task, path) => this.sysRmdir(task, path));
    this.fast(NR.dup, (task, fd) => this.sysDup2(task, fd, -1));
    this.fast(NR.dup2, (task, fd, target) => this.sysDup2(task, fd, target | 0));
    this.slow(NR.pipe, (task, fds) => this.sysPipe(task, fds));
    this.fast(NR.brk, (task, address) => (task.mm === null ? -E.ENOMEM : this.mm.setBrk(task.mm, address)));
    this.fast(NR.signal, (task, signal, handler) => this.sysSignal(task, signal, handler));
    this.slow(NR.sigaction, (task, signal, action, old) => this.sysSigaction(task, signal, action, old));
    this.slow(NR.sigprocmask, (task, how, set, old) => this.sysSigprocmask(task, how, set, old));
    this.fast(NR.sigreturn, (task, frame) => this.sysSigreturn(task, frame));
    this.slow(NR.ioctl, (task, fd, request, argument) => this.sysIoctl(task, fd, request, argument));
    this.slow(NR.mmap, (task, args) => this.sysMmap(task, args));
    this.fast(NR.munmap, (task, address, length) => this.sysMunmap(task, address, length));
    this.fast(NR.mprotect, (task, address, length, prot) => (task.mm === null ? -E.EINVAL : this.mm.mprotect(task.mm, address, length, prot)));
    this.slow(NR.stat, (task, path, buffer) => this.sysStat(task, path, buffer));
    this.slow(NR.fstat, (task, fd, buffer) => this.sysFstat(task, fd, buffer));
    this.slow(NR.getdents, (task, fd, buffer, count) => this.sysGetdents(task, fd, buffer, count));
    this.slow(NR.nanosleep, (task, request) => this.sysNanosleep(task, request));
    this.slow(NR.sync, (task) => this.writeBack.sync(task));
    this.slow(NR.fsync, (task, fd) => this.sysFsync(task, fd));
    this.slow(NR._newselect, (task, n, inp, outp, exp, tvp) => sysSelect(this, task, n, [inp, outp, exp], tvp));
    this.slow(NR.socketcall, (task, call, args) => this.net.socketcall(task, call, args));
  }

  private *sysExit(task: Task, status: number): Operation<number> {
    yield* this.doExit(task, (status & 0xff) << 8);
    return 0;
  }

  private sysFork(task: Task): number {
    this.run('forkBase');
    if (task.mm === null) return -E.EINVAL;
    const child = this.newTask(task, task.comm);
    if (typeof child === 'number') return child;
    const mm = this.mm.fork(task.mm);
    if (mm === null) {
      this.cancelFork(child);
      return -E.ENOMEM;
    }
    child.mm = mm;
    mm.faultCounter = child;
    child.program = task.program;
    child.pgrp = task.pgrp;
    child.blocked = task.blocked;
    child.counter = task.counter >> 1; // kernel/fork.c: p->counter = current->counter >> 1
    task.actions.forEach((a, i) => Object.assign(child.actions[i], a));
    child.files = task.files.map((f) => {
      if (f !== null) f.references++;
      return f;
    });
    child.regs.childEntry = task.regs.childEntry;
    child.regs.esp = task.regs.esp;
    child.signalFrames.push(...task.signalFrames); // its stack is a copy: a fork in a handler returns through the same frames
    child.state = 'interruptible';
    const created = this.substrate.createTask(child);
    if (created < 0) {
      this.cancelFork(child);
      return created;
    }
    this.wakeUpProcess(child);
    return child.pid;
  }

  private *sysRead(task: Task, fd: number, buffer: number, count: number): Operation<number> {
    const file = this.rwFile(task, fd, O_WRONLY, buffer, count, true);
    if (typeof file === 'number') return file;
    if (file.ops.read === undefined) return -E.EINVAL;
    this.run('sysReadFrame');
    return yield* file.ops.read(this, task, file, buffer, count);
  }

  private *sysWrite(task: Task, fd: number, buffer: number, count: number): Operation<number> {
    const file = this.rwFile(task, fd, O_RDONLY, buffer, count, false);
    if (typeof file === 'number') return file;
    if (file.ops.write === undefined) return -E.EINVAL;
    this.run('sysWriteFrame');
    this.run('writeSemaphore');
    return yield* file.ops.write(this, task, file, buffer, count);
  }

  /** verify_area (mm/memory.c of 2.0) of `length` bytes at `address` in `task`'s space: false for a bad range or no mm. */
  verifyArea(task: Task, address: number, length: number, write: boolean): boolean {
    return task.mm !== null && this.mm.verify(task.mm, address, length, write);
  }

  /**
   * The checks sys_read and sys_write share: an fd not opened `deniedMode`, a sane count, and
   * verify_area of the user buffer. Returns the file, 0 for a zero count, or -errno.
   */
  private rwFile(task: Task, fd: number, deniedMode: number, buffer: number, count: number, writesUser: boolean): OpenFile | number {
    const file = this.fget(task, fd);
    if (file === null || (file.flags & O_ACCMODE) === deniedMode) return -E.EBADF;
    if ((count | 0) < 0) return -E.EINVAL;
    this.run('rwVerify');
    if (count === 0) return 0;
    if (!this.verifyArea(task, buffer, count, writesUser)) return -E.EFAULT;
    return file;
  }

  private *sysOpen(task: Task, pathAddress: number, flags: number, mode: number): Operation<number> {
    const path = yield* this.readUserString(task, pathAddress);
    if (typeof path === 'number') return path;
    yield* this.namei(task, path);
    this.run('openBase');
    let inode = this.lookup(task, path);
    if (typeof inode === 'number') {
      if (inode !== -E.ENOENT || (flags & O_CREAT) === 0) return inode;
      const parent = this.lookupParent(task, path);
      if (typeof parent === 'number') return parent;
      const created = this.fs.allocateInode('file', mode & 0o777);
      if (created === null) return -E.ENOSPC;
      inode = created;
      yield* this.createInode(task, parent.dir, parent.name, inode);
    } else if ((flags & (O_CREAT | O_EXCL)) === (O_CREAT | O_EXCL)) {
      return -E.EEXIST;
    }
    if (inode.kind === 'dir' && (flags & O_ACCMODE) !== O_RDONLY) return -E.EISDIR;
    if ((flags & O_TRUNC) !== 0 && inode.kind === 'file' && (flags & O_ACCMODE) !== O_RDONLY) this.truncate(inode);
    const file = this.openInode(inode, flags);
    const fd = this.installFd(task, file);
    return fd;
  }

  private *sysWait4(task: Task, pid: number, statusAddress: number, options: number, usage = 0): Operation<number> {
    this.run('waitBase');
    // 2.0's sys_wait4: verify_area of a struct rusage first, if one is asked for
    if (usage !== 0 && !this.verifyArea(task, usage, RUSAGE_BYTES, true)) return -E.EFAULT;
    for (;;) {
      let found = false;
      for (const child of task.children) {
        if (pid > 0 ? child.pid !== pid : pid === 0 ? child.pgrp !== task.pgrp : pid < -1 ? child.pgrp !== -pid : false) continue;
        found = true;
        if (child.state !== 'zombie') continue;
        if (statusAddress !== 0) {
          const written = yield* this.writeUserWords(task, statusAddress, [child.exitCode]);
          if (written < 0) return written;
        }
        const childPid = child.pid;
        if (usage !== 0) {
          const written = yield* this.writeRusage(task, child, RUSAGE_BOTH, usage);
          if (written < 0) return written;
        }
        this.reap(child);
        return childPid;
      }
      if (!found) return -E.ECHILD;
      if ((options & WNOHANG) !== 0) return 0;
      if (task.hasPendingSignal()) return -E.ERESTARTSYS;
      yield* this.sleepOn(task, task.childExit);
    }
  }

  /**
   * sys_time (kernel/time.c of 2.0): CURRENT_TIME (xtime's seconds), also stored at `tloc` when it
   * is not NULL (verify_area first, so a bad pointer is -EFAULT and nothing is written).
   */
  private *sysTime(task: Task, tloc: number): Operation<number> {
    this.run('syscallBody');
    const seconds = Math.floor(this.jiffies / HZ);
    if (tloc !== 0) {
      if (!this.verifyArea(task, tloc, 4, true)) return -E.EFAULT;
      const written = yield* this.writeUserWords(task, tloc, [seconds]);
      if (written < 0) return written;
    }
    return seconds;
  }

  /**
   * sys_times (kernel/sys.c of 2.0): the caller's and its reaped children's times in clock ticks
   * into a struct tms, if `buffer` is not NULL (verify_area first); returns jiffies.
   */
  private *sysTimes(task: Task, buffer: number): Operation<number> {
    this.run('sysTimes');
    if (buffer !== 0) {
      if (!this.verifyArea(task, buffer, TMS_BYTES, true)) return -E.EFAULT;
      yield* this.updateTaskTimes(task);
      const written = yield* this.writeUserWords(task, buffer, [task.utime, task.stime, task.cutime, task.cstime]);
      if (written < 0) return written;
    }
    return this.jiffies;
  }

  /** sys_getrusage (kernel/sys.c of 2.0): RUSAGE_SELF or RUSAGE_CHILDREN, anything else EINVAL. */
  private *sysGetrusage(task: Task, who: number, usage: number): Operation<number> {
    this.run('sysGetrusage');
    if (who !== RUSAGE_SELF && who !== RUSAGE_CHILDREN) return -E.EINVAL;
    if (!this.verifyArea(task, usage, RUSAGE_BYTES, true)) return -E.EFAULT;
    const written = yield* this.writeRusage(task, task, who, usage);
    return written < 0 ? written : 0;
  }

  /**
   * getrusage(p, who, ru) of 2.0: a zeroed struct rusage with the times as timevals (CT_TO_SECS,
   * CT_TO_USECS) and the fault counts, of `p` (RUSAGE_SELF), its reaped children
   * (RUSAGE_CHILDREN) or both (wait4's RUSAGE_BOTH), copied to `usage` in `task`'s space. 2.0
   * fills ru_nswap too; without swapping it stays 0, as do the fields 2.0 never fills.
   */
  private *writeRusage(task: Task, p: Task, who: number, usage: number): Operation<number> {
    this.run('getrusage');
    yield* this.updateTaskTimes(p);
    const self = who !== RUSAGE_CHILDREN;
    const children = who !== RUSAGE_SELF;
    const utime = (self ? p.utime : 0) + (children ? p.cutime : 0);
    const stime = (self ? p.stime : 0) + (children ? p.cstime : 0);
    const minFlt = (self ? p.minFlt : 0) + (children ? p.cminFlt : 0);
    const majFlt = (self ? p.majFlt : 0) + (children ? p.cmajFlt : 0);
    const words = new Array<number>(RUSAGE_BYTES / 4).fill(0);
    words[0] = Math.floor(utime / HZ);
    words[1] = (utime % HZ) * TICK_USEC;
    words[2] = Math.floor(stime / HZ);
    words[3] = (stime % HZ) * TICK_USEC;
    // ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, then ru_minflt, ru_majflt, ru_nswap
    words[8] = minFlt;
    words[9] = majFlt;
    return yield* this.writeUserWords(task, usage, words);
  }

  /** MkLinux's osfmach3_update_task_info before the times are read; nothing elsewhere (the tick keeps them). */
  private *updateTaskTimes(task: Task): Activity {
    if (this.substrate.updateTaskTimes !== undefined) yield* this.substrate.updateTaskTimes(task);
  }

  /**
   * sys_gettimeofday (kernel/time.c of 2.0): for a non-NULL `tv`, verify_area, then
   * do_gettimeofday: xtime (jiffies' seconds and microseconds) plus the time since the last tick
   * (do_fast_gettimeoffset on a Pentium: the TSC since the timer interrupt, kept below one tick
   * so that the time never runs backwards when a tick is handled late); for a non-NULL `tz`,
   * verify_area and sys_tz (zero: no timezone was ever set).
   */
  private *sysGettimeofday(task: Task, tv: number, tz: number): Operation<number> {
    this.run('sysGettimeofday');
    if (tv !== 0) {
      if (!this.verifyArea(task, tv, TIMEVAL_BYTES, true)) return -E.EFAULT;
      this.run('doGettimeofday');
      const cycles = this.substrate.now - this.lastTickCycle;
      const offset = Math.min(TICK_USEC - 1, Math.floor(cycles / this.substrate.machine.parameters.clockMHz));
      const written = yield* this.writeUserWords(task, tv, [Math.floor(this.jiffies / HZ), (this.jiffies % HZ) * TICK_USEC + offset]);
      if (written < 0) return written;
    }
    if (tz !== 0) {
      if (!this.verifyArea(task, tz, TIMEZONE_BYTES, true)) return -E.EFAULT;
      const written = yield* this.writeUserWords(task, tz, [0, 0]);
      if (written < 0) return written;
    }
    return 0;
  }

  private *sysUnlink(task: Task, pathAddress: number): Operation<number> {
    const path = yield* this.readUserString(task, pathAddress);
    if (typeof path === 'number') return path;
    yield* this.namei(task, path);
    const parent = this.lookupParent(task, path);
    if (typeof parent === 'number') return parent;
    const inode = parent.dir.entries!.get(parent.name);
    if (inode === undefined) return -E.ENOENT;
    if (inode.kind === 'dir') return -E.EISDIR;
    parent.dir.entries!.delete(parent.name);
    parent.dir.changed();
    this.writeBack.inodeDirtied(parent.dir);
    inode.nlink--;
    this.writeBack.inodeDirtied(inode);
    this.iput(inode);
    return 0;
  }

  private *sysExecve(task: Task, pathAddress: number, argvAddress: number): Operation<number> {
    const path = yield* this.readUserString(task, pathAddress);
    if (typeof path === 'number') return path;
    yield* this.namei(task, path);
    const argv: string[] = [];
    if (argvAddress !== 0) {
      // copy_strings into the MAX_ARG_PAGES argument pages: any number of strings, any length,
      // E2BIG once they (with their NULs) do not fit
      let room = ARGUMENT_BYTES;
      for (let i = 0; ; i++) {
        const word = yield* this.readUserWords(task, argvAddress + i * 4, 1);
        if (typeof word === 'number') return word;
        if (word[0] === 0) break;
        if (room === 0) return -E.E2BIG;
        const arg = yield* this.readUserString(task, word[0], room);
        if (arg === -E.ENAMETOOLONG) return -E.E2BIG;
        if (typeof arg === 'number') return arg;
        room -= encodeUtf8(arg).length + 1;
        argv.push(arg);
      }
    }
    const inode = this.lookup(task, path);
    if (typeof inode === 'number') return inode;
    if (inode.kind === 'file' && inode.pages[0] === 0) {
      const frame = yield* this.disk.readPage(task, inode, 0); // prepare_binprm reads the header
      if (frame < 0) return frame;
    }
    return this.execImage(task, inode, argv);
  }

  private *sysChdir(task: Task, pathAddress: number): Operation<number> {
    const path = yield* this.readUserString(task, pathAddress);
    if (typeof path === 'number') return path;
    yield* this.namei(task, path);
    const inode = this.lookup(task, path);
    if (typeof inode === 'number') return inode;
    if (inode.kind !== 'dir') return -E.ENOTDIR;
    const previous = task.cwd;
    task.cwd = inode;
    this.iput(previous);
    return 0;
  }

  private sysLseek(task: Task, fd: number, offset: number, whence: number): number {
    const file = this.fget(task, fd);
    if (file === null) return -E.EBADF;
    if (whence >>> 0 > 2) return -E.EINVAL; // fs/read_write.c: origin > 2, before the file's own lseek
    if (file.inode.kind === 'fifo' || file.inode.kind === 'sock' || file.inode.kind === 'chr') return file.inode.kind === 'chr' ? 0 : -E.ESPIPE;
    const base = whence === 0 ? 0 : whence === 1 ? file.position : whence === 2 ? file.inode.size : NaN;
    if (Number.isNaN(base)) return -E.EINVAL;
    const position = base + offset;
    if (position < 0) return -E.EINVAL;
    file.position = position;
    return position;
  }

  private *sysPause(task: Task): Operation<number> {
    while (!task.hasPendingSignal()) {
      task.state = 'interruptible';
      yield* this.substrate.schedule(task);
    }
    return -E.ERESTARTSYS;
  }

  private sysKill(task: Task, pid: number, signal: number): number {
    this.run('syscallBody');
    if (signal < 0 || signal > NSIG) return -E.EINVAL;
    const targets = [...this.tasks.values()].filter((t) =>
      t.state !== 'zombie' && (pid > 0 ? t.pid === pid : pid === 0 ? t.pgrp === task.pgrp : pid === -1 ? t.pid > 1 && t !== task : t.pgrp === -pid),
    );
    if (targets.length === 0) return -E.ESRCH;
    for (const target of targets) this.sendSignal(target, signal);
    return 0;
  }

  private *sysMkdir(task: Task, pathAddress: number, mode: number): Operation<number> {
    const path = yield* this.readUserString(task, pathAddress);
    if (typeof path === 'number') return path;
    yield* this.namei(task, path);
    const parent = this.lookupParent(task, path);
    if (typeof parent === 'number') return parent;
    if (parent.dir.entries!.has(parent.name)) return -E.EEXIST;
    const dir = this.fs.allocateInode('dir', mode & 0o777);
    if (dir === null) return -E.ENOSPC;
    yield* this.createInode(task, parent.dir, parent.name, dir);
    return 0;
  }

  private *sysRmdir(task: Task, pathAddress: number): Operation<number> {
    const path = yield* this.readUserString(task, pathAddress);
    if (typeof path === 'number') return path;
    yield* this.namei(task, path);
    const parent = this.lookupParent(task, path);
    if (typeof parent === 'number') return parent;
    const inode = parent.dir.entries!.get(parent.name);
    if (inode === undefined) return -E.ENOENT;
    if (inode.kind !== 'dir') return -E.ENOTDIR;
    if (inode.entries!.size > 0) return -E.ENOTEMPTY;
    parent.dir.entries!.delete(parent.name);
    parent.dir.changed();
    this.writeBack.inodeDirtied(parent.dir);
    inode.nlink = 0;
    this.writeBack.inodeDirtied(inode);
    this.iput(inode);
    return 0;
  }

  private sysDup2(task: Task, fd: number, target: number): number {
    this.run('dupBase');
    const file = this.fget(task, fd);
    if (file === null) return -E.EBADF;
    if (target === -1) {
      const installed = this.installFd(task, file);
      if (installed >= 0) file.references++;
      return installed;
    }
    if (target < 0 || target >= task.files.length) return -E.EBADF;
    if (target === fd) return fd;
    this.closeFd(task, target);
    task.files[target] = file;
    file.references++;
    return target;
  }

  private *sysPipe(task: Task, fdsAddress: number): Operation<number> {
    // arch/i386/kernel/sys_i386.c: verify_area(VERIFY_WRITE, fildes, 8) before do_pipe
    if (!this.verifyArea(task, fdsAddress, 8, true)) return -E.EFAULT;
    this.run('openBase');
    const page = this.mm.allocate(false);
    if (page < 0) return -E.ENOMEM;
    const inode = this.fs.newInode('fifo', 0o600);
    inode.pipe = new Pipe(page);
    inode.pipe.readers = 1;
    inode.pipe.writers = 1;
    const reader = new OpenFile(inode, O_RDONLY, PIPE_READ_OPS);
    const writer = new OpenFile(inode, O_WRONLY, PIPE_WRITE_OPS);
    const r = this.installFd(task, reader);
    if (r < 0) {
      this.mm.put(page);
      return r;
    }
    const w = this.installFd(task, writer);
    if (w < 0) {
      task.files[r] = null;
      this.mm.put(page);
      return w;
    }
    const written = yield* this.writeUserWords(task, fdsAddress, [r, w]);
    if (written < 0) {
      task.files[r] = null;
      task.files[w] = null;
      this.mm.put(page);
      return written;
    }
    return 0;
  }

  private sysSignal(task: Task, signal: number, handler: number): number {
    this.run('syscallBody');
    if (signal < 1 || signal > NSIG || signal === SIG.SIGKILL || signal === SIG.SIGSTOP) return -E.EINVAL;
    const action = task.actions[signal];
    const old = action.handler;
    action.handler = handler;
    action.mask = 0;
    action.flags = SA_ONESHOT | SA_NOMASK;
    return old;
  }

  private *sysSigaction(task: Task, signal: number, actionAddress: number, oldAddress: number): Operation<number> {
    this.run('syscallBody');
    if (signal < 1 || signal > NSIG || signal === SIG.SIGKILL || signal === SIG.SIGSTOP) return -E.EINVAL;
    const action = task.actions[signal];
    let next: Uint32Array | null = null;
    if (actionAddress !== 0) {
      const words = yield* this.readUserWords(task, actionAddress, 4);
      if (typeof words === 'number') return words;
      next = words;
    }
    if (oldAddress !== 0) {
      const written = yield* this.writeUserWords(task, oldAddress, [action.handler, action.mask, action.flags, 0]);
      if (written < 0) return written;
    }
    if (next !== null) {
      action.handler = next[0];
      action.mask = next[1];
      action.flags = next[2];
    }
    return 0;
  }

  private *sysSigprocmask(task: Task, how: number, setAddress: number, oldAddress: number): Operation<number> {
    this.run('syscallBody');
    const old = task.blocked;
    if (setAddress !== 0) {
      const words = yield* this.readUserWords(task, setAddress, 1);
      if (typeof words === 'number') return words;
      const set = words[0] & ~((1 << (SIG.SIGKILL - 1)) | (1 << (SIG.SIGSTOP - 1)));
      if (how === 0) task.blocked |= set;
      else if (how === 1) task.blocked &= ~set;
      else if (how === 2) task.blocked = set;
      else return -E.EINVAL;
    }
    if (oldAddress !== 0) {
      const written = yield* this.writeUserWords(task, oldAddress, [old]);
      if (written < 0) return written;
    }
    return 0;
  }

  private sysSigreturn(task: Task, frame: number): number {
    this.run('sigreturn');
    const mm = task.mm;
    const frames = task.signalFrames;
    // badframe: no frame of a delivered signal there (2.0 restores whatever the stack holds, and
    // the garbage segment selectors or the bad frame make it do_exit(SIGSEGV))
    if (mm === null || frames.length === 0 || frames[frames.length - 1] !== frame || !this.mm.verify(mm, frame, SIGCONTEXT_BYTES, false)) {
      task.actions[SIG.SIGSEGV].handler = SIG_DFL;
      this.forceSignal(task, SIG.SIGSEGV);
      return -E.EFAULT;
    }
    frames.pop();
    const pte = this.mm.pte(mm, (frame & ~0xfff) >>> 0);
    if (pte !== 0) {
      const physical = ((pte & 0xfffff000) >>> 0) + (frame & 0xfff) + 8;
      if (physical + 4 <= this.substrate.cpu.memory.bytes.length) task.blocked = this.substrate.cpu.memory.read32(physical);
    }
    return 0;
  }

  /** ioctl on the console tty: TIOCGPGRP/TIOCSPGRP (tcgetpgrp/tcsetpgrp) with a pid_t pointer, as in tty_io.c. */
  private *sysIoctl(task: Task, fd: number, request: number, argument: number): Operation<number> {
    this.run('syscallBody');
    const file = this.fget(task, fd);
    if (file === null) return -E.EBADF;
    if (file.inode.device !== this.tty.ops) return -E.ENOTTY;
    if (request === TIOCGPGRP) return yield* this.writeUserWords(task, argument, [this.tty.foreground]);
    if (request !== TIOCSPGRP) return -E.EINVAL;
    const words = yield* this.readUserWords(task, argument, 1);
    if (typeof words === 'number') return words;
    const pgrp = words[0] | 0;
    if (pgrp < 0) return -E.EINVAL;
    // session_of_pgrp: the group must exist (there is one session, the console's)
    if (![...this.tasks.values()].some((t) => t.pgrp === pgrp && t.state !== 'zombie')) return -E.EPERM;
    this.tty.foreground = pgrp;
    return 0;
  }

  private *sysMmap(task: Task, argsAddress: number): Operation<number> {
    const words = yield* this.readUserWords(task, argsAddress, 6);
    if (typeof words === 'number') return words;
    const [address, length, prot, flags, fd, offset] = words;
    if (task.mm === null) return -E.EINVAL;
    let inode: Inode | null = null;
    let may = VM_MAY;
    if ((flags & MAP_ANONYMOUS) === 0) {
      const file = this.fget(task, fd | 0);
      if (file === null) return -E.EBADF;
      if (file.inode.kind !== 'file') return -E.EINVAL;
      inode = file.inode;
      // do_mmap: a shared mapping can be written only through a file opened for writing
      if ((flags & MAP_SHARED) !== 0 && (file.flags & O_ACCMODE) === O_RDONLY) {
        if ((prot & PROT_WRITE) !== 0) return -E.EACCES;
        may &= ~VM_MAYWRITE;
      }
    }
    const vmFlags = may | (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
    return this.mm.mmap(task.mm, address, length, vmFlags, (flags & MAP_SHARED) !== 0, (flags & MAP_FIXED) !== 0, inode, offset);
  }

  private statWords(inode: Inode): number[] {
    const words = new Array<number>(16).fill(0);
    words[1] = inode.ino;
    words[2] = (inode.typeBits | inode.mode) | (inode.nlink << 16);
    words[5] = inode.size;
    words[6] = PAGE_SIZE;
    words[7] = Math.ceil(inode.size / 512);
    words[10] = inode.mtime;
    return words;
  }

  private *sysStat(task: Task, pathAddress: number, buffer: number): Operation<number> {
    const path = yield* this.readUserString(task, pathAddress);
    if (typeof path === 'number') return path;
    yield* this.namei(task, path);
    const inode = this.lookup(task, path);
    if (typeof inode === 'number') return inode;
    this.run('statBase');
    const written = yield* this.writeUserWords(task, buffer, this.statWords(inode));
    return written < 0 ? written : 0;
  }

  private *sysFstat(task: Task, fd: number, buffer: number): Operation<number> {
    const file = this.fget(task, fd);
    if (file === null) return -E.EBADF;
    this.run('fstatBase');
    const written = yield* this.writeUserWords(task, buffer, this.statWords(file.inode));
    return written < 0 ? written : 0;
  }

  /** getdents: `struct dirent` records {d_ino, d_off, d_reclen:16, d_name[]}, 4-byte aligned. */
  private *sysGetdents(task: Task, fd: number, buffer: number, count: number): Operation<number> {
    const file = this.fget(task, fd);
    if (file === null) return -E.EBADF;
    const dir = file.inode;
    if (dir.kind !== 'dir') return -E.ENOTDIR;
    if (dir === this.procRoot) this.refreshProc();
    const names: Array<[string, number]> = [['.', dir.ino], ['..', (dir.parent ?? dir).ino], ...[...dir.entries!.entries()].map(([n, i]) => [n, i.ino] as [string, number])];
    const out: number[] = [];
    let index = file.position;
    while (index < names.length) {
      const [name, ino] = names[index];
      const nameBytes = encodeUtf8(name);
      const reclen = (10 + nameBytes.length + 1 + 3) & ~3;
      if (out.length + reclen > Math.min(count, PAGE_SIZE)) break;
      this.run('getdentsPerEntry');
      const record = new Uint8Array(reclen);
      const view = new DataView(record.buffer);
      view.setUint32(0, ino, true);
      view.setUint32(4, index + 1, true);
      view.setUint16(8, reclen, true);
      record.set(nameBytes, 10);
      for (const b of record) out.push(b);
      index++;
    }
    if (out.length === 0 && index < names.length) return -E.EINVAL;
    const written = yield* this.writeUserBytes(task, buffer, Uint8Array.from(out));
    if (written < 0) return written;
    file.position = index;
    return out.length;
  }

  /** fsync: writes the file's dirty pages and inode and waits; EINVAL for what has no disk copy. */
  private *sysFsync(task: Task, fd: number): Operation<number> {
    const file = this.fget(task, fd);
    if (file === null) return -E.EBADF;
    const inode = file.inode;
    if ((inode.kind !== 'file' && inode.kind !== 'dir') || inode.device !== null) return -E.EINVAL;
    return yield* this.writeBack.sync(task, inode);
  }

  private *sysNanosleep(task: Task, request: number): Operation<number> {
    const words = yield* this.readUserWords(task, request, 2);
    if (typeof words === 'number') return words;
    if (words[1] >= 1_000_000_000) return -E.EINVAL;
    const ticks = Math.ceil(words[0] * HZ + words[1] / (1_000_000_000 / HZ));
    yield* this.sleepTicks(task, ticks);
    return task.hasPendingSignal() ? -E.EINTR : 0;
  }
}

const NULL_OPS: FileOperations = {
  *read(): Operation<number> {
    return 0;
  },
  *write(kernel: LinuxKernel, _task: Task, _file: OpenFile, _buffer: number, count: number): Operation<number> {
    kernel.run('writeNull');
    return count;
  },
};

const ZERO_OPS: FileOperations = {
  *read(kernel: LinuxKernel, task: Task, _file: OpenFile, buffer: number, count: number): Operation<number> {
    let done = 0;
    while (done < count) {
      const chunk = Math.min(count - done, PAGE_SIZE - ((buffer + done) & 0xfff));
      const copied = yield* kernel.substrate.copyToUser(task, kernel.substrate.kernelLinear(kernel.mm.zeroPage), buffer + done, chunk);
      if (copied < 0) return done > 0 ? done : copied;
      done += chunk;
    }
    return done;
  },
  *write(_kernel: LinuxKernel, _task: Task, _file: OpenFile, _buffer: number, count: number): Operation<number> {
    return count;
  },
};
