import { PAGE_SIZE } from '../../base/frameAllocator';
import type { ParameterRow } from '../../base/parameters';
import { decodeUtf8 } from '../../base/text';
import { CAT, type CodePath, type Cpu } from '../../machine/cpu';
import type { Activity, Operation } from '../../machine/executionContext';
import type { Counter } from '../../base/stats';
import type { Machine } from '../../machine/machine';
import { PG_PRESENT, PG_WRITABLE } from '../../machine/paging';
import { MACH_ROUTINES, type MachGuest } from '../../mach/guestApi';
import { EXC, HDR_ID, I386_SAVED_STATE, KERN, MACH_NOTIFY, TASK_BASIC_INFO, TASK_BASIC_INFO_COUNT, THREAD_BASIC_INFO, THREAD_BASIC_INFO_COUNT, MACH_PORT_TYPE_DEAD_NAME, MACH_PORT_TYPE_SEND, MACH_PORT_TYPE_SEND_ONCE, MACH_RCV_MSG, MSG_ID, MSG_TYPE, MSG_TYPE_PORT_SEND, POLICY, SWITCH_OPTION, TIME_ABSOLUTE, TIME_RELATIVE, USER_CS, USER_DS } from '../../mach/machConstants';
import { takeRight } from '../../mach/ipcRight';
import { MachKernel, type MachKernelOptions } from '../../mach/machKernel';
import { RUN_QUEUES } from '../../mach/machScheduler';
import { THREAD_STATE_WORDS } from '../../mach/mig';
import type { Port } from '../../mach/port';
import type { Task as MachTask } from '../../mach/task';
import { getThreadState, REG, SAVED_STATE_UESP, timeValueOfTicks, type Thread } from '../../mach/thread';
import { EAGAIN, EINTR, ENOSYS, ERESTARTSYS } from '../core/errno';
import { checkTextFits, ENTRY_OBJECT, kernelObjectOffset, type LinuxBuild } from '../core/kernelCode';
import { LinuxKernel } from '../core/kernel';
import { linuxParameters, type LinuxOverrides } from '../core/linuxParameters';
import { TASK_SIZE, type MemoryMap } from '../core/mm';
import type { Substrate, SystemCallGate, UserRuntime } from '../core/substrate';
import { HZ, NR, SIG } from '../core/syscalls';
import type { Task } from '../core/task';
import { ColocatedPager, ColocatedRequests } from './colocated';
import type { MkLinuxProcess } from './mklinuxProcess';
import { mklinuxParameters, type MkLinuxOverrides, type MkLinuxParameters } from './mklinuxParameters';
import { DATA_ERROR, DATA_SUPPLY, KernelCalls, LOCK_REQUEST } from './serverCalls';
import { Condition, ServerLock, type Parking, type ServerActor } from './serverLock';
import { UserCopy, type PageResolution, type UserCopyHost } from './userCopy';
import { UserMemoryCache } from './userMemory';

/** Where the user-mode server maps its wired memory (its Linux page frames and text). */
const SERVER_MEMORY_BASE = 0x10000000;
/**
 * The first 512 KB of the server's memory hold its text (the personality's code paths): the Linux
 * text as 2.0's link lays it out (`layoutLinuxText`, 431 KB) with room for what-ifs of its sizes.
 * A text that outgrows it is refused at boot rather than overlapping Linux's page frames.
 */
export const SERVER_TEXT_BYTES = 512 * 1024;
/** Linux 2.0's DEF_PRIORITY (include/linux/sched.h: 20 * HZ / 100 ticks), a new process's priority. */
const DEF_PRIORITY = 20;
/** OSF MK kern/sched.h BASEPRI_MINPRI (MINPRI = DEPRESSPRI = NRQS − 2): the user range of osfmach3_set_priority ends one above it. */
const BASEPRI_MINPRI = RUN_QUEUES - 2;

/**
 * Pages of a server thread's stack region it touches, each at its first use: the stack top and
 * the two MIG buffers (request and scratch). They are committed from Mach's free frames when the
 * thread is created, so that every process can still be served (woken, faulted, reaped) when
 * Mach refuses new tasks (see KernelMemory.committed).
 */
const SERVER_THREAD_PAGES = 3;
/** cthread_wakeup's back-off when the sleeper is not depressed yet: thread_switch(THREAD_NULL, SWITCH_OPTION_DEPRESS, 10). */
const CTHREAD_WAKEUP_RETRY_MS = 10;
/** osfmach3_yield's server_thread_yield(10): thread_switch(THREAD_NULL, SWITCH_OPTION_DEPRESS, 10). */
const OSFMACH3_YIELD_MS = 10;
const VM_PROT_WRITE = 2;

export interface MkLinuxOptions {
  readonly linux?: LinuxOverrides;
  readonly mach?: MachKernelOptions['parameters'];
  readonly mklinux?: MkLinuxOverrides;
}

/** A thread that runs Linux code in the server, with what it needs to wait and wake others. */
export interface MkActor extends ServerActor {
  /** Its guest interface (null for a co-located process thread, which calls the kernel directly). */
  guest: MachGuest | null;
  /** The server's name for its thread's port (cthreads' `wired`, from mach_thread_self). */
  threadName: number;
  /** cthreads' `undepress`: a waker has made it runnable (set before the depression is aborted). */
  undepress: boolean;
  /** cthreads' CTHREAD_DEPRESS flag: it is in, or about to enter, thread_switch(SWITCH_OPTION_IDLE). */
  depressing: boolean;
}

/**
 * MkLinux: the Linux 2.0 personality as a server on the Mach 3 model (engine/mach), either a
 * user-mode Mach task (`mklinux-user`) or co-located in the kernel's address space
 * (`mklinux-kernel`).
 *
 * - Processes are Mach tasks with one thread. Their `int $0x80` becomes an EXC_SYSCALL
 *   exception_raise_state message (the thread state carries number, arguments and, in the reply,
 *   the result) to the process's trap port, its request port (MkLinux's osfmach3 trap setup). The
 *   user-mode server has one server thread per process receiving on a port set {request port,
 *   memory object port}; co-located, the request port is a kernel object and the exception is
 *   served in the caller's thread (kmsgs and the reply right stay; no queue, no switch).
 * - A process's address space is one memory object whose pager is the server. A page fault goes
 *   through vm_fault → memory_object_data_request (or _data_unlock for a write to a write-locked
 *   page) → the server resolves it in Linux's page tables and answers memory_object_data_supply
 *   with its own page (shared, write-locked if Linux's PTE is read-only). Linux's changes of
 *   PTEs become memory_object_lock_request flushes before the process runs again.
 * - copy_from_user/copy_to_user: the user-mode server vm_remaps user ranges into a share cache
 *   (MkLinux's user_memory.c, `userMemory.ts`) and copies through it; the co-located server
 *   copies through the process's own address space (COPYIN/COPYOUT).
 * - One master lock serializes Linux code (Linux's `current` is its holder); a sleeping server
 *   thread parks (a mach_msg receive on its wait port, or thread_block co-located).
 * - The clock is a server thread that sleeps on Mach's realtime clock to each 10 ms mark; device interrupts
 *   (disk, console) are posted by the kernel as messages to the server's interrupt thread.
 */
export class MkLinux implements Substrate {
  readonly name: string;
  readonly cpu: Cpu;
  readonly mach: MachKernel;
  readonly kernel: LinuxKernel;
  readonly p: MkLinuxParameters;
  readonly parameterRows: ParameterRow[];
  readonly kernelCategory = CAT.linuxServer;
  readonly kernelTextBase: number;
  /**
   * MkLinux's build of Linux: include/osfmach3/system.h makes cli(), sti(), save_flags() and
   * restore_flags() empty (the uniproc master lock serializes the server's threads instead), and
   * kernel/sched.c's schedule() and wake_up_process() leave the run queue to Mach
   * (`scheduleSimple`, `wakeUpPerWaiterSimple`; read in slp/osfmk-mklinux).
   */
  readonly linuxBuild: LinuxBuild;
  /** i386's: MkLinux's server runs the processes' user space as native Linux lays it out. */
  readonly taskSize = TASK_SIZE;
  readonly memoryStart: number;
  readonly memoryEnd: number;
  haltedWith: number | null = null;
  readonly serverTask: MachTask;
  private readonly regionStart: number;
  private readonly lock: ServerLock;
  private readonly calls: KernelCalls;
  private readonly processes = new Map<MemoryMap, MkLinuxProcess>();
  /** Processes by pid: the argument of their user thread's entry point. */
  private readonly byPid = new Map<number, MkLinuxProcess>();
  /** Children forked by a process, whose Mach task and thread its server thread creates before its fork returns. */
  private readonly forked = new Map<MkLinuxProcess, Task[]>();
  /** The entry point (thread_create) of a process's user thread. */
  private readonly userEntry: number;
  /** The server's name for its own task port (the target of its mach_port_* RPCs). */
  private readonly serverSelfName: number;
  /** The server's send right to the default processor set (MkLinux's default_processor_set: thread_set_policy's argument). */
  private readonly psetName: number;
  /** The server's send right to the realtime clock (jiffies_thread's rt_clock). */
  private readonly clockName: number;
  /** The receive right of osfmach3_notify_port, where the notify thread takes the kernel's notifications. */
  private readonly notifyName: number;
  private readonly notifyPath: CodePath;
  private readonly demuxPath: CodePath;
  private readonly walkPath: CodePath;
  private readonly pagerPath: CodePath;
  private readonly interruptPath: CodePath;
  private readonly wakeupPath: CodePath;
  /** do_bottom_half's dispatch in the idle task (cpu_idle). */
  private readonly bottomHalfPath: CodePath;
  /** osfmach3_idle_condition: the idle task sleeps on it between ticks. */
  private readonly idleCondition = new Condition();
  /** Rounds of the idle task's loop (stat mklinux.idle.wakeups). */
  private readonly idleWakeups: Counter;
  private readonly blockPath: CodePath;
  private readonly requests: ColocatedRequests | null;
  private readonly pager: ColocatedPager | null;
  /** The user-mode server's share cache of remapped user memory (null co-located: COPYIN/COPYOUT). */
  private readonly userMemory: UserMemoryCache | null;
  /** copy_from_user/copy_to_user. */
  private readonly copier: UserCopy;

  constructor(readonly machine: Machine, readonly runtime: UserRuntime, readonly colocated: boolean, options: MkLinuxOptions = {}) {
    this.name = colocated ? 'mklinux-kernel' : 'mklinux-user';
    this.cpu = machine.cpu;
    const table = mklinuxParameters(options.mklinux);
    this.p = table.values;
    const p = this.p;
    const memoryBytes = machine.memory.size;
    const reserved = Math.max(0, memoryBytes - p.machMemoryMB * (1 << 20));
    this.mach = new MachKernel(machine, { parameters: options.mach, reservedBytes: reserved });
    const k = this.mach;
    this.regionStart = k.reservedStart;
    const linux = linuxParameters(options.linux).values;
    checkTextFits(linux, SERVER_TEXT_BYTES, "MkLinux's server");
    this.memoryStart = this.regionStart + SERVER_TEXT_BYTES;
    this.memoryEnd = memoryBytes;
    this.serverTask = k.createTask('linux-server', colocated);
    // the pager of every process: its threads are wired (VM-privileged), as a memory manager's must be
    this.serverTask.vmPrivileged = true;
    // server_thread_init's task_set_policy(POLICY_RR, BASEPRI_SERVER): what a migrating call assumes
    this.serverTask.policyPriority = k.p.serverPriority;
    if (!colocated) {
      this.wireServerMemory();
      // the server initializes Linux in its own address space
      this.cpu.loadCr3(this.serverTask.map.pmap.directory);
    }
    this.kernelTextBase = this.kernelLinear(this.regionStart);
    this.linuxBuild = {
      interruptFlags: false,
      paths: { scheduleBase: { instructions: p.scheduleSimple, rmw: 2 }, wakeUpPerWaiter: { instructions: p.wakeUpPerWaiterSimple, rmw: 0 } },
    };
    const m = machine.parameters;
    const text = this.kernelTextBase + kernelObjectOffset(linux, ENTRY_OBJECT); // arch/osfmach3 glue where native links entry.S (in the booted build)
    const path = (name: string, cycles: number, offset: number, bytes: number, source: string, category: CodePath['category'] = 'linuxServer'): CodePath => ({ name, cycles, category, address: text + offset, bytes, source });
    const mutexCycles = p.mutexSimple * m.instruction + p.mutexLocked * m.aluRegMem;
    // co-located with activations: catch_exception_raise_state called by thread migration on the saved state in place
    const entrySimple = colocated ? p.activationEntrySimple + (p.useActivations === 1 ? 0 : p.outStateCopySimple) : p.serverLoopSimple + p.outStateCopySimple;
    // the antechamber mutex is taken on a system call only by an activation (trap.c, use_activations)
    const entryMutexes = colocated && p.useActivations === 1 ? p.antechamberMutexes : 0;
    this.demuxPath = path('mklinux.serverDemux', (p.serverDemuxSimple + entrySimple) * m.instruction + p.serverDemuxMemoryOps * m.aluRegMem + entryMutexes * mutexCycles, 0, p.serverCodeBytes / 2, 'server request loop + syscall glue');
    this.walkPath = path('mklinux.softWalk', p.softWalkSimple * m.instruction, p.serverCodeBytes / 2 + 96, 32, 'software page-table walk');
    this.pagerPath = path('mklinux.pager', p.pagerSimple * m.instruction, p.serverCodeBytes, 288, 'server pager');
    this.interruptPath = path('mklinux.interrupt', p.interruptSimple * m.instruction, p.serverCodeBytes + 288, 192, 'server clock/interrupt thread');
    this.idleWakeups = this.machine.stats.counter('mklinux.idle.wakeups', 'wake-ups', 'rounds of the Linux idle task (do_bottom_half, then condition_wait until the next tick)');
    this.bottomHalfPath = path('mklinux.bottomHalf', p.bottomHalfSimple * m.instruction, p.serverCodeBytes + 2080, 64, 'cpu_idle: do_bottom_half\'s dispatch');
    this.wakeupPath = path('mklinux.wakeup', p.wakeupSimple * m.instruction, p.serverCodeBytes + 992, 224, 'condition_signal, mutex_unlock_solid, cthread_wakeup');
    this.blockPath = path('mklinux.block', p.blockSimple * m.instruction, p.serverCodeBytes + 1216, 288, 'condition_wait / mutex_lock_real, cthread_block_wired');
    this.notifyPath = path('mklinux.notify', p.notifySimple * m.instruction, p.serverCodeBytes + 1888, 192, 'osfmach3_notify_thread: notify_server and its loop');
    this.lock = new ServerLock(this.parking(), () => this.cpu.charge(mutexCycles / 2, CAT.linuxServer));
    this.userMemory = colocated
      ? null
      : new UserMemoryCache(this.cpu, {
          hint: path('mklinux.userMemoryLookup', p.userMemoryHintSimple * m.instruction, p.serverCodeBytes + 544, 96, 'user_memory_lookup via a hint + unlock'),
          slow: path('mklinux.userMemorySlowLookup', p.userMemorySlowSimple * m.instruction + p.divideCycles, p.serverCodeBytes + 640, 96, 'user_memory_slow_lookup'),
          chainStep: p.userMemoryChainStep * m.instruction,
          insert: path('mklinux.userMemoryInsert', p.userMemoryInsertSimple * m.instruction, p.serverCodeBytes + 736, 256, 'map_region + user_memory_insert'),
        });
    this.calls = new KernelCalls(k, colocated, this.serverTask);
    this.serverSelfName = k.grantKernelPort(this.serverTask, this.serverTask.selfPort);
    // server initialization, by kernel calls: the default processor set's port and
    // osfmach3_notify_init's notify port (serv_notify.c: mach_port_allocate of a receive right,
    // then mach_port_insert_right(MAKE_SEND) under the same name; nothing sends with that right
    // here, the requests make send-once rights)
    this.psetName = k.grantKernelPort(this.serverTask, k.defaultPset);
    // jiffies_thread's rt_clock: host_get_clock_service(REALTIME_CLOCK) answered by a send right
    // to the clock port (the model has no host port: the right is granted as the pset's is)
    this.clockName = k.grantKernelPort(this.serverTask, k.clock.port);
    this.notifyName = k.allocateReceiveRight(this.serverTask);
    const notifyPort = takeRight(k, this.serverTask.space, this.notifyName, MSG_TYPE.MAKE_SEND);
    if (k.insertRight(this.serverTask, this.notifyName, notifyPort, MSG_TYPE_PORT_SEND) !== KERN.SUCCESS) throw new Error('MkLinux osfmach3_notify_init: mach_port_insert_right(MAKE_SEND) failed');
    this.userEntry = k.registerEntryPoint((_guest, pid) => this.userSide(this.byPid.get(pid)!), false);
    this.requests = colocated ? new ColocatedRequests(this, p.useActivations === 1) : null;
    this.pager = colocated ? new ColocatedPager(this) : null;

    this.kernel = new LinuxKernel(this, runtime, options.linux);
    // the copy paths (copy_from_user/copy_to_user) need the personality's page tables
    const copyHost: UserCopyHost = {
      cpu: this.cpu,
      mach: k,
      kernel: this.kernel,
      serverTask: this.serverTask,
      kernelLinear: (physical) => this.kernelLinear(physical),
      sendFlushes: (by) => this.sendFlushes(by),
      resolvePage: (process, address, write, by) => this.resolvePage(process, address, write, by),
    };
    this.copier = new UserCopy(copyHost, {
      call: path('mklinux.uaccess', p.copyCallSimple * m.instruction, p.serverCodeBytes / 2, 96, 'copy_from_user/copy_to_user'),
      walk: this.walkPath,
      // server_thread_unblocking is uniproc_enter for the user task: the antechamber mutex too
      blockingCycles: (1 + p.antechamberMutexes) * mutexCycles + p.serverBlockingSimple * m.instruction,
      kernelLoadedCopy: path('mklinux.klcopy', p.kernelLoadedCopySimple * m.instruction, p.serverCodeBytes + 1504, 384, 'klcopyin/klcopyout'),
    }, this.userMemory);
    this.parameterRows = [...this.kernel.parameterRows, ...k.parameterRows, ...table.rows()];
    this.kernel.onInitExit = (status) => {
      this.haltedWith = (status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
    };
    this.kernel.printk(`OSF Mach 3 model: ${p.machMemoryMB} MB for the kernel, ${(memoryBytes - this.regionStart) >> 20} MB wired by the Linux server`);
    this.kernel.printk(colocated ? 'Linux server co-located in the kernel address space (MIG RPCs short-circuited)' : 'Linux server running as a user-mode Mach task');
  }

  get now(): number {
    return this.machine.scheduler.now;
  }

  get current(): Task | null {
    return this.lock.holder?.task ?? null;
  }

  kernelLinear(physical: number): number {
    if (this.colocated) return (0xc0000000 + physical) >>> 0;
    return (SERVER_MEMORY_BASE + physical - this.regionStart) >>> 0;
  }

  /**
   * The user-mode server's memory: vm_allocate + vm_wire of the region at SERVER_MEMORY_BASE,
   * an object whose pages are the reserved frames, entered in the server's pmap at boot.
   */
  private wireServerMemory(): void {
    const k = this.mach;
    const size = this.machine.memory.size - this.regionStart;
    const object = k.createObject(size);
    object.borrowed = true;
    for (let page = 0; page < size / PAGE_SIZE; page++) object.pages.set(page, this.regionStart + page * PAGE_SIZE);
    const entered = this.serverTask.map.enter(SERVER_MEMORY_BASE, size, false, object, 0, 3, 3, false);
    if (entered.result !== KERN.SUCCESS) throw new Error('cannot map the Linux server memory');
    for (let page = 0; page < size / PAGE_SIZE; page++) this.serverTask.map.pmap.enter(SERVER_MEMORY_BASE + page * PAGE_SIZE, this.regionStart + page * PAGE_SIZE, true);
  }

  // ---- parking: how server threads wait ------------------------------------------------------

  /**
   * OSF MK cthreads' blocking of a wired cthread (mach_services/lib/libcthreads/cthreads.c
   * cthread_block_wired and cthread_wakeup): the sleeper loops on thread_switch(THREAD_NULL,
   * SWITCH_OPTION_IDLE, 0) until a waker sets its `undepress` and, if it is depressed, aborts the
   * depression with thread_depress_abort on its thread port (a failed abort: the sleeper is not
   * depressed yet, so the waker yields with thread_switch(SWITCH_OPTION_DEPRESS) and tries again).
   * The co-located server's cthreads make the same calls as calls (no trap).
   */
  private parking(): Parking {
    const k = this.mach;
    const cpu = this.cpu;
    const space = this.serverTask.space;
    const colocated = this.colocated;
    const blockPath = this.blockPath;
    const wakeupPath = this.wakeupPath;
    const switchIdle = (a: MkActor) => (colocated ? k.depressIdle(a.thread) : a.guest!.threadSwitch(0, SWITCH_OPTION.IDLE, 0));
    const abort = function* (from: MkActor, to: MkActor): Operation<number> {
      return colocated ? k.depressAbort(space, to.threadName) : yield* from.guest!.threadDepressAbort(to.threadName);
    };
    const yieldDepressed = (from: MkActor, ms: number) => (colocated ? k.depressYield(from.thread) : from.guest!.threadSwitch(0, SWITCH_OPTION.DEPRESS, ms));
    return {
      *park(actor) {
        const a = actor as MkActor;
        cpu.execute(blockPath);
        while (!a.undepress) {
          a.depressing = true;
          yield* switchIdle(a);
          a.depressing = false;
        }
        a.undepress = false;
      },
      *unpark(from, to) {
        const waker = from as MkActor;
        const sleeper = to as MkActor;
        cpu.execute(wakeupPath);
        sleeper.undepress = true;
        while (sleeper.depressing) {
          if ((yield* abort(waker, sleeper)) === KERN.SUCCESS) return;
          yield* yieldDepressed(waker, CTHREAD_WAKEUP_RETRY_MS);
        }
      },
      *yieldCpu(actor) {
        yield* yieldDepressed(actor as MkActor, OSFMACH3_YIELD_MS);
      },
    };
  }

  // ---- memory -------------------------------------------------------------------------------

  initPageDirectory(_pgd: number): void {
    // Linux's tables hold user space only: the hardware tables are Mach's pmaps
  }

  pageChanged(mm: MemoryMap, address: number): void {
    const process = this.processes.get(mm);
    if (process === undefined) return;
    this.queueFlush(process, address & ~(PAGE_SIZE - 1));
  }

  addressSpaceChanged(mm: MemoryMap): void {
    const process = this.processes.get(mm);
    if (process !== undefined) process.recheck = true;
  }

  /**
   * After many PTEs changed: compares every page the process's memory object holds with Linux's
   * PTE (a software walk each) and queues a flush for each run of pages whose frame went away,
   * changed, or lost write permission while supplied writable.
   */
  private recheck(process: MkLinuxProcess): void {
    process.recheck = false;
    const object = this.mach.pagers.objectOf(process.pagerPort);
    const mm = process.task.mm;
    if (object === undefined) return;
    const stale = [...object.pages.entries()]
      .filter(([index, frame]) => {
        if (mm === null) return true;
        this.cpu.execute(this.walkPath);
        const pte = this.kernel.mm.pte(mm, index * PAGE_SIZE);
        if ((pte & PG_PRESENT) === 0 || (pte & 0xfffff000) >>> 0 !== frame) return true;
        return (pte & PG_WRITABLE) === 0 && !object.writeLocked.has(index);
      })
      .map(([index]) => index)
      .sort((a, b) => a - b);
    for (const index of stale) this.queueFlush(process, index * PAGE_SIZE);
  }

  private queueFlush(process: MkLinuxProcess, page: number): void {
    const last = process.flushes[process.flushes.length - 1];
    if (last !== undefined && last.offset + last.size === page) process.flushes[process.flushes.length - 1] = { offset: last.offset, size: last.size + PAGE_SIZE };
    else process.flushes.push({ offset: page, size: PAGE_SIZE });
  }

  flushTlbPage(_mm: MemoryMap, _address: number): void {
    // MkLinux's include/osfmach3/pgtable.h defines every flush_tlb_* empty: Mach's pmaps follow the
    // memory_object_lock_request flushes of pageChanged
  }

  flushTlbRange(_mm: MemoryMap, _start: number, _end: number): void {
    // as flushTlbPage
  }

  flushTlbMm(_mm: MemoryMap): void {
    // as flushTlbPage
  }

  pageMapped(_mm: MemoryMap, _address: number, _writable: boolean): void {
    // the page reaches the process when Mach asks the pager for it
  }

  addressSpaceReplaced(task: Task): void {
    const process = task.substrateData as MkLinuxProcess | undefined;
    if (process === undefined) return;
    for (const [mm, p] of this.processes) if (p === process) this.processes.delete(mm);
    if (task.mm !== null) this.processes.set(task.mm, process);
    process.recheck = true;
  }


  copyFromUser(task: Task, user: number, target: number, length: number): Operation<number> {
    return this.copier.copy(task, this.lock.holder as MkActor | null, user, target, length, false);
  }

  copyToUser(task: Task, source: number, user: number, length: number): Operation<number> {
    return this.copier.copy(task, this.lock.holder as MkActor | null, user, source, length, true);
  }

  // ---- processes ----------------------------------------------------------------------------

  /**
   * A process's Mach side. Init's (at boot, no server thread yet) is made by kernel calls; a
   * forked child's by its parent's server thread before the fork returns (see {@link createForked}).
   */
  createTask(task: Task): number {
    const parent = this.lock.holder?.task?.substrateData as MkLinuxProcess | undefined;
    if (parent !== undefined) {
      this.forked.set(parent, [...(this.forked.get(parent) ?? []), task]);
      return 0;
    }
    const k = this.mach;
    // a Linux binary, no emulator: no libmach and no Mach stack in the process's space
    const machTask = k.createTask(`linux.${task.pid}`, false, false);
    const userThread = k.createThread(machTask, `linux.${task.pid}.user`, () => this.userSide(task.substrateData as MkLinuxProcess), undefined, false);
    userThread.registers[REG.ESP] = task.regs.esp; // init's image is in place: its start_thread state
    const process = this.buildProcess(task, machTask, k.grantKernelPort(this.serverTask, machTask.selfPort), userThread, k.grantKernelPort(this.serverTask, userThread.selfPort));
    process.requestPort.sendRights++;
    machTask.exceptionPort = process.requestPort;
    // copy_thread's osfmach3_set_priority and osfmach3_notify_register, as kernel calls at boot
    k.scheduler.setPriority(userThread, this.machPriority(task));
    const notify = this.portOf(this.notifyName);
    for (const name of [process.taskName, process.threadName]) {
      notify.sendOnceRights++;
      k.requestDeadName(this.serverTask, name, notify);
    }
    k.resume(userThread);
    return 0;
  }

  /**
   * osfmach3_set_priority's Mach priority for a SCHED_OTHER process: Linux's priority, clamped
   * to [linux_min_pri, linux_max_pri] as sys_setpriority computes them from DEF_PRIORITY (0 and
   * 40), mapped linearly onto [BASEPRI_USER, BASEPRI_MINPRI − 1] = [12, 29]: DEF_PRIORITY gives 20.
   */
  private machPriority(task: Task): number {
    const linuxMax = Math.trunc((20 * DEF_PRIORITY + 10) / 20) + DEF_PRIORITY;
    const linuxMin = 2 * DEF_PRIORITY - linuxMax;
    const priority = Math.min(linuxMax, Math.max(linuxMin, task.priority));
    const user = this.mach.p.defaultPriority;
    return Math.trunc(((priority - linuxMin) * (BASEPRI_MINPRI - 1 - user)) / (linuxMax - linuxMin)) + user;
  }

  /**
   * mach_port_request_notification(mach_task_self(), name, MACH_NOTIFY_DEAD_NAME, 1, notify,
   * MAKE_SEND_ONCE) by the server thread `thread` (notify 0: MACH_PORT_NULL, a cancellation),
   * then mach_port_deallocate of the send-once right of the request it replaced, if one came
   * back: osfmach3_notify_register's and osfmach3_notify_deregister's pair of RPCs per port.
   */
  private *requestDeadName(guest: MachGuest | null, thread: Thread, name: number, notify: number): Activity {
    const calls = this.calls;
    const result = yield* calls.rpc(guest, thread, MACH_ROUTINES.machPortRequestNotification, this.serverSelfName, [name, MACH_NOTIFY.DEAD_NAME, 1, notify]);
    const previous = calls.out[0];
    if (result === KERN.SUCCESS && previous !== 0) yield* calls.rpc(guest, thread, MACH_ROUTINES.machPortDeallocate, this.serverSelfName, [previous]);
  }

  /**
   * MkLinux's copy_thread and osfmach3_fork_resume, by the parent's server thread `by`, as MIG
   * RPCs to the kernel (co-located: short-circuited into calls): task_create on the parent's
   * task port, thread_create in the child, thread_set_policy (osfmach3_set_priority: POLICY_TIMESHARE
   * at the mapped Linux priority, limit BASEPRI_USER), two mach_port_request_notification for
   * dead-name notifications of the task and thread ports on the server's notify port
   * (osfmach3_notify_register), thread_set_state (the parent's state, EAX = 0: fork's
   * result in the child), task_set_exception_port to the child's trap port
   * (osfmach3_trap_setup_task) and thread_resume. The child's address space is its own memory
   * object (inherit_memory FALSE: the model pages every process from Linux's tables).
   * When Mach is short of kernel memory (KERN_RESOURCE_SHORTAGE from task_create or
   * thread_create, or no room for the process's server thread) the child is undone
   * (`kernel.cancelFork`) and the result is -EAGAIN, the parent's fork result; else 0.
   */
  private *createForked(by: MkLinuxProcess): Operation<number> {
    const children = this.forked.get(by);
    if (children === undefined) return 0;
    this.forked.delete(by);
    const k = this.mach;
    const guest = this.actorGuest(by);
    const thread = by.actor.thread;
    const calls = this.calls;
    const check = (what: string, code: number) => {
      if (code !== KERN.SUCCESS) throw new Error(`MkLinux copy_thread: ${what} failed (${code})`);
    };
    let failed = 0;
    for (const task of children) {
      const created = yield* calls.rpc(guest, thread, MACH_ROUTINES.taskCreate, by.taskName, [0]);
      if (created === KERN.RESOURCE_SHORTAGE) {
        this.kernel.cancelFork(task);
        failed = -EAGAIN;
        continue;
      }
      check('task_create', created);
      const taskName = calls.out[0];
      if (this.serverTask.space.lookup(taskName) < 0) {
        // the reply's send right found no room in the server's space (its table could not grow
        // for want of kernel memory): the server has no name for the task, so the fork fails as
        // Linux's does; the nameless task is not reclaimed here (known gap)
        this.kernel.cancelFork(task);
        failed = -EAGAIN;
        continue;
      }
      const machTask = k.taskOf(this.portOf(taskName))!;
      const threaded = yield* calls.rpc(guest, thread, MACH_ROUTINES.threadCreate, taskName, [this.userEntry, task.pid]);
      const threadName = calls.out[0];
      if (threaded === KERN.RESOURCE_SHORTAGE || (threaded === KERN.SUCCESS && !this.colocated && !k.canCreate('thread'))) {
        yield* calls.rpc(guest, thread, MACH_ROUTINES.taskTerminate, taskName, []);
        yield* calls.rpc(guest, thread, MACH_ROUTINES.machPortDestroy, this.serverSelfName, [taskName]);
        if (threaded === KERN.SUCCESS) yield* calls.rpc(guest, thread, MACH_ROUTINES.machPortDestroy, this.serverSelfName, [threadName]);
        this.kernel.cancelFork(task);
        failed = -EAGAIN;
        continue;
      }
      check('thread_create', threaded);
      const userThread = k.threadOf(this.portOf(threadName))!;
      const process = this.buildProcess(task, machTask, taskName, userThread, threadName);
      check('thread_set_policy', yield* calls.rpc(guest, thread, MACH_ROUTINES.threadSetPolicy, threadName, [this.psetName, POLICY.TIMESHARE, this.machPriority(task), k.p.defaultPriority]));
      yield* this.requestDeadName(guest, thread, taskName, this.notifyName);
      yield* this.requestDeadName(guest, thread, threadName, this.notifyName);
      const state = new Uint32Array(THREAD_STATE_WORDS);
      getThreadState(by.userThread, USER_CS, USER_DS, state);
      state[STATE_INDEX.eax] = 0; // the parent's state, ESP included: the same address in the copied memory
      check('thread_set_state', yield* calls.rpc(guest, thread, MACH_ROUTINES.threadSetState, threadName, [I386_SAVED_STATE, ...state]));
      const requestName = this.serverTask.space.nameOf(this.serverTask.space.reverseLookup(process.requestPort));
      check('task_set_exception_port', yield* calls.rpc(guest, thread, MACH_ROUTINES.taskSetExceptionPort, taskName, [requestName]));
      check('thread_resume', yield* calls.rpc(guest, thread, MACH_ROUTINES.threadResume, threadName, []));
    }
    return failed;
  }

  /** What the server builds for a process around its Mach task and user thread (ports, pager, server thread). */
  private buildProcess(task: Task, machTask: MachTask, taskName: number, userThread: Thread, threadName: number): MkLinuxProcess {
    const k = this.mach;
    // the process's address space: one memory object, paged by the server, around Mach's own regions
    const pagerName = k.allocateReceiveRight(this.serverTask);
    const pagerPort = this.portOf(pagerName);
    if (this.pager !== null) k.colocateServer(this.serverTask, pagerName, this.pager.objectFor(task));
    for (const [start, end] of this.linuxRanges(machTask)) {
      const mapped = k.pagers.map(machTask, start, end - start, false, pagerPort, start, false, 7, 7);
      if (mapped.result !== KERN.SUCCESS) throw new Error(`cannot map the address space of ${task.pid}`);
    }
    const requestName = k.allocateReceiveRight(this.serverTask);
    const requestPort = this.portOf(requestName);
    const gate: SystemCallGate = {
      call: (nr, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0) => this.userSystemCall(process, nr, a1, a2, a3, a4, a5),
      setChildEntry: (entry) => {
        task.regs.childEntry = entry;
      },
    };
    let actor: MkActor;
    let serverContext = null;
    let setName = 0;
    if (this.colocated) {
      actor = { thread: userThread, task, guest: null, threadName: k.grantKernelPort(this.serverTask, userThread.selfPort), undepress: false, depressing: false };
      k.colocateServer(this.serverTask, requestName, this.requests!.objectFor(task));
    } else {
      const set = k.allocatePortSet(this.serverTask);
      setName = set;
      k.movePortMember(this.serverTask, requestName, set);
      k.movePortMember(this.serverTask, pagerName, set);
      const serverThread = k.createThread(this.serverTask, `linux.${task.pid}.server`, (guest) => this.serverThread(process, guest, set));
      k.memory.committed += SERVER_THREAD_PAGES;
      // its thread-port name comes from mach_thread_self when it starts (cthread_body)
      actor = { thread: serverThread, task, guest: null, threadName: 0, undepress: false, depressing: false };
      serverContext = serverThread.context;
      k.resume(serverThread);
    }
    const object = k.pagers.objectOf(pagerPort);
    const process: MkLinuxProcess = {
      task,
      machTask,
      taskName,
      userThread,
      threadName,
      gate,
      requestPort,
      pagerPort,
      pagerName,
      control: object?.control ?? null,
      controlName: 0,
      actor,
      flushes: [],
      recheck: false,
      contexts: serverContext === null ? [userThread.context] : [userThread.context, serverContext],
      setName,
      trapState: new Int32Array(THREAD_STATE_WORDS),
      pendingReply: null,
      // the server made the task (task_create) and keeps its task port: vm_remap's source
      userMemory: this.userMemory === null ? null : this.userMemory.owner(task.pid, taskName),
    };
    Object.defineProperty(process, 'context', { get: () => process.contexts.find((c) => c.failure !== undefined) ?? userThread.context });
    task.substrateData = process;
    this.byPid.set(task.pid, process);
    if (task.mm !== null) this.processes.set(task.mm, process);
    // a caught signal from an exception: the server's reply points the thread at its handler
    machTask.exceptionResume = () => this.runHandlers(process);
    return process;
  }

  /**
   * The user ranges mapped from the Linux object: all of [PAGE_SIZE, TASK_SIZE) but what the task
   * already maps. A process's task is made empty (no libmach, no Mach stack: see
   * {@link createTask}), so that is all of Linux's user space, as in MkLinux; until session 17
   * the model left the libmach text and a hole for Mach thread stacks (0xA0000000-0xB0000000)
   * out, and a process that mapped memory there got it from Linux and died of SIGSEGV on
   * touching it.
   */
  private linuxRanges(machTask: MachTask): Array<[number, number]> {
    const taken = machTask.map.entries.map((e) => [e.start, e.end] as [number, number]).sort((a, b) => a[0] - b[0]);
    const ranges: Array<[number, number]> = [];
    let at = PAGE_SIZE;
    for (const [start, end] of taken) {
      if (start > at) ranges.push([at, start]);
      at = Math.max(at, end);
    }
    if (at < TASK_SIZE) ranges.push([at, TASK_SIZE]);
    return ranges;
  }

  private portOf(name: number): Port {
    const space = this.serverTask.space;
    const port = space.objectOf(space.lookup(name));
    if (port === undefined) throw new Error(`no port named ${name} in the Linux server`);
    return port;
  }

  /**
   * The process was reaped (wait4; MkLinux's release()): its Mach task, task and thread ports are
   * already gone (see {@link terminateTask}, run by its own server thread at do_exit), so what is
   * left is what the server built for it, given back by kernel calls ({@link releaseProcess}).
   */
  destroyTask(task: Task): void {
    const process = task.substrateData as MkLinuxProcess | undefined;
    if (process === undefined) return;
    this.byPid.delete(task.pid);
    this.lock.forget(process.actor);
    if (process.userMemory !== null) this.userMemory!.forget(process.userMemory);
    for (const [mm, p] of this.processes) if (p === process) this.processes.delete(mm);
    task.substrateData = undefined;
    this.releaseProcess(process);
  }

  /**
   * MkLinux's osfmach3_terminate_task → osfmach3_cleanup_task (the osfmach3 arch kernel/process.c),
   * run by do_exit in the dying process's own server thread (ASSERT(current == tsk)), before the
   * thread goes back to ux_server_loop: osfmach3_notify_deregister (the two dead-name requests
   * cancelled, each send-once right that comes back deallocated, and so sent to the notify thread
   * as a send-once notification), task_terminate, mach_port_destroy of the task port, then of
   * the thread port, all MIG RPCs (co-located: short-circuited). Its zombie keeps only Linux's
   * task_struct until the parent's wait4. Not made: osfmach3_update_task_info's task_info and
   * thread_info before task_terminate (the times they would return are taken, for the parent's
   * wait4, without the calls), and osfmach3_trap_terminate_task's and the reply port's
   * mach_port_destroy (kernel calls at the reap, in {@link releaseProcess}).
   */
  private *terminateTask(process: MkLinuxProcess): Activity {
    if (!process.machTask.active) return;
    // osfmach3_update_task_info "for the last time", so that the parent's wait4 adds the final
    // times: the values its thread_info would return, read without making the calls (see above)
    this.takeThreadTimes(process.task, process.userThread.userTicks, process.userThread.systemTicks);
    const guest = this.actorGuest(process);
    const thread = process.actor.thread;
    const calls = this.calls;
    yield* this.requestDeadName(guest, thread, process.taskName, 0);
    yield* this.requestDeadName(guest, thread, process.threadName, 0);
    yield* calls.rpc(guest, thread, MACH_ROUTINES.taskTerminate, process.taskName, []);
    yield* calls.rpc(guest, thread, MACH_ROUTINES.machPortDestroy, this.serverSelfName, [process.taskName]);
    yield* calls.rpc(guest, thread, MACH_ROUTINES.machPortDestroy, this.serverSelfName, [process.threadName]);
  }

  /**
   * MkLinux's osfmach3_update_task_info (osfmach3 kernel/process.c), which sys_times and
   * getrusage call before they read the times: task_info(TASK_BASIC_INFO) of the process's Mach
   * task, then (osfmach3_update_thread_info) thread_info(THREAD_BASIC_INFO) of its thread, MIG
   * RPCs by the server thread running the call (co-located: kernel calls), and utime/stime from
   * the thread's user and system time. Under CONFIG_OSFMACH3 the Linux tick charges no process
   * (Mach decides who runs): these are Mach's own timers, the time the process's thread ran in
   * user mode and in the Mach kernel; what the server's threads do for it is the server's time.
   * Not done: task_info's resident and virtual sizes into mm->rss and swap_cnt (the
   * personality's rss stays its own count). A process whose Mach task is gone (a zombie
   * waited for) keeps the times read at its exit.
   */
  *updateTaskTimes(task: Task): Activity {
    const process = task.substrateData as MkLinuxProcess | undefined;
    const actor = this.lock.holder as MkActor | null;
    if (process === undefined || actor === null || !process.machTask.active) return;
    const calls = this.calls;
    if ((yield* calls.rpc(actor.guest, actor.thread, MACH_ROUTINES.taskInfo, process.taskName, [TASK_BASIC_INFO, TASK_BASIC_INFO_COUNT])) !== KERN.SUCCESS) return;
    if ((yield* calls.rpc(actor.guest, actor.thread, MACH_ROUTINES.threadInfo, process.threadName, [THREAD_BASIC_INFO, THREAD_BASIC_INFO_COUNT])) !== KERN.SUCCESS) return;
    const out = calls.out;
    task.utime = clockTicks(out[0], out[1]);
    task.stime = clockTicks(out[2], out[3]);
  }

  /** The times thread_info would return for Mach timers of `userTicks` and `systemTicks` clock interrupts, in Linux's clock ticks. */
  private takeThreadTimes(task: Task, userTicks: number, systemTicks: number): void {
    const hz = this.machine.parameters.hz;
    task.utime = clockTicks(...timeValueOfTicks(userTicks, hz));
    task.stime = clockTicks(...timeValueOfTicks(systemTicks, hz));
  }

  /** What the server built for a process, given back: its task (if still alive), threads, ports and names. */
  private releaseProcess(process: MkLinuxProcess): void {
    const k = this.mach;
    k.terminateTask(process.machTask);
    // co-located, the user thread itself ran task_terminate at do_exit (as the server's thread):
    // still current then, it was left to stop on its way out and is reaped now
    if (process.userThread.state !== 'halted') k.terminateThread(process.userThread);
    // the co-located server's reply right of its last, never-answered call (exit, a fatal
    // signal): destroyed, as the user-mode server deallocates its name (below)
    if (process.pendingReply !== null) k.msg.destroyRight(process.pendingReply.port, process.pendingReply.type);
    process.pendingReply = null;
    if (process.actor.thread !== process.userThread) {
      k.terminateThread(process.actor.thread);
      k.memory.committed -= SERVER_THREAD_PAGES;
    }
    k.portDestroy(this.serverTask, (process.actor as MkActor).threadName);
    k.portDestroy(this.serverTask, process.pagerName);
    k.portDestroy(this.serverTask, this.serverTask.space.nameOf(this.serverTask.space.reverseLookup(process.requestPort)));
    if (process.setName !== 0) k.portDestroy(this.serverTask, process.setName);
    // the server's rights to ports that died with the process (the memory object's control port,
    // the reply right of its last, never-answered exit call) are dead names now: destroy them with
    // all their user references (mach_port_destroy; the control port's name has one per pager
    // message that carried it), as the server does on its dead-name notifications, or its name
    // space fills up (rights the kernel has already turned into dead names too)
    for (const { name, type, port } of this.serverTask.space.names()) {
      const deadRight = port !== undefined && !port.active && (type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_SEND_ONCE)) !== 0;
      if (deadRight || type === MACH_PORT_TYPE_DEAD_NAME) k.portDestroy(this.serverTask, name);
    }
  }

  /**
   * Boots: the clock, notify and two interrupt threads, then the scheduler (init's threads are
   * already runnable). Every server thread starts at the server task's BASEPRI_SERVER
   * (server_thread_init's task_set_policy); the clock and notify threads keep it (jiffies_thread
   * and osfmach3_notify_thread set none), the device reply and console input threads raise theirs
   * with server_thread_priorities.
   */
  start(_init: Task): void {
    const k = this.mach;
    k.resume(k.createThread(this.serverTask, 'linux.clock', (guest) => this.clockThread(guest)));
    k.resume(k.createThread(this.serverTask, 'linux.idle', (guest) => this.idleThread(guest)));
    k.resume(k.createThread(this.serverTask, 'linux.notify', (guest) => this.notifyThread(guest)));
    this.startInterruptThread('linux.deviceReply', this.machine.disk.irq, k.p.serverPriority + this.p.deviceReplyPriorityOffset);
    this.startInterruptThread('linux.consoleInput', this.machine.console.irq, k.p.serverPriority + this.p.consoleInputPriorityOffset);
    k.boot();
    k.startClock();
  }

  /** A server thread at `priority` that takes the notifications of `irq` on its own port. */
  private startInterruptThread(name: string, irq: number, priority: number): void {
    const k = this.mach;
    const port = this.portOf(k.allocateReceiveRight(this.serverTask));
    const portName = this.serverTask.space.nameOf(this.serverTask.space.reverseLookup(port));
    k.setInterruptPort(irq, port);
    k.resume(k.createThread(this.serverTask, name, (guest) => this.interruptThread(guest, portName), priority));
  }

  // ---- the user side ------------------------------------------------------------------------

  private *userSide(process: MkLinuxProcess): Activity {
    yield* this.runtime.run(process.task, process.gate);
    throw new Error(`user side of ${process.task.pid} returned`);
  }

  /** `int $0x80` from the process: the registers, the trap (redirected), EAX; then caught signals' handlers. */
  private *userSystemCall(process: MkLinuxProcess, nr: number, a1: number, a2: number, a3: number, a4: number, a5: number): Operation<number> {
    const registers = process.userThread.registers;
    registers[REG.EAX] = nr >>> 0;
    registers[REG.EBX] = a1 >>> 0;
    registers[REG.ECX] = a2 >>> 0;
    registers[REG.EDX] = a3 >>> 0;
    registers[REG.ESI] = a4 >>> 0;
    registers[REG.EDI] = a5 >>> 0;
    yield* this.cpu.idt[0x80]!(0x80, null);
    const result = registers[REG.EAX] | 0;
    yield* this.runHandlers(process);
    return result;
  }

  /**
   * The user side at the state the server's reply set (exception_raise_state's new state, or
   * thread_set_state after an exception): the frames of caught signals, each handler then its
   * sigreturn; then the thread goes on (after a system call, or retrying a faulting access).
   */
  private *runHandlers(process: MkLinuxProcess): Activity {
    const task = process.task;
    while (task.handlers.length > 0) {
      const handler = task.handlers.shift()!;
      yield* this.runtime.handleSignal(task, process.gate, handler.handler, handler.signal, handler.frame);
    }
  }

  // ---- the server side ----------------------------------------------------------------------

  /** The user-mode server's thread of one process: requests and page faults, one at a time. */
  private *serverThread(process: MkLinuxProcess, guest: MachGuest, set: number): Activity {
    const actor = process.actor as MkActor;
    actor.guest = guest;
    actor.threadName = yield* guest.machThreadSelf();
    let replySize = 0;
    for (;;) {
      const received = yield* guest.serverReplyAndReceive(set, replySize);
      if (received !== KERN.SUCCESS) return;
      const id = yield* guest.read32(guest.messageBuffer + HDR_ID);
      replySize = 0;
      if (id === MSG_ID.exceptionRaiseState) {
        yield* guest.readMessage(EXCEPTION_RAISE_STATE);
        const state = process.trapState;
        state.set(guest.out.subarray(4, 4 + THREAD_STATE_WORDS));
        const retCode = yield* this.serveTrap(process, guest.out[0], state);
        replySize = yield* guest.buildReply(retCode, EXCEPTION_STATE_REPLY, [I386_SAVED_STATE, ...state]);
      } else if (id === MSG_ID.memoryObjectDataRequest || id === MSG_ID.memoryObjectDataUnlock) {
        yield* guest.readMessage(PAGER_REQUEST);
        process.controlName = guest.out[0];
        const offset = guest.out[1] >>> 0;
        const write = id === MSG_ID.memoryObjectDataUnlock || (guest.out[3] & VM_PROT_WRITE) !== 0;
        yield* this.servePage(process, offset, write);
      } else if (id === MSG_ID.memoryObjectInit) {
        yield* guest.readMessage(PAGER_INIT);
        process.controlName = guest.out[0];
      } else if (id === MSG_ID.exceptionRaise) {
        yield* guest.readMessage(EXCEPTION_RAISE);
        const [threadName, taskName] = [guest.out[0], guest.out[1]];
        const self = yield* guest.machTaskSelf();
        yield* guest.machPortDeallocate(self, threadName);
        yield* guest.machPortDeallocate(self, taskName);
        yield* this.serveException(process);
        replySize = yield* guest.buildReply(KERN.SUCCESS);
      }
    }
  }

  /**
   * catch_exception_raise_state for a process's thread: an EXC_SYSCALL is a system call, its
   * number and arguments in the state's EAX, EBX, ECX, EDX, ESI, EDI; the result goes back in
   * the state's EAX (`state` is updated in place). Returns the reply's RetCode.
   */
  *serveTrap(process: MkLinuxProcess, exception: number, state: Int32Array | Uint32Array): Operation<number> {
    if (exception !== EXC.SYSCALL) return KERN.FAILURE;
    const s = STATE_INDEX;
    const nr = state[s.eax];
    state[s.eax] = yield* this.serveSystemCall(process, nr, state[s.ebx], state[s.ecx], state[s.edx], state[s.esi], state[s.edi]);
    // an execve's start_thread: the reply's state carries the new image's stack pointer
    if (nr === NR.execve && state[s.eax] === 0) state[SAVED_STATE_UESP] = process.task.regs.esp;
    return KERN.SUCCESS;
  }

  /**
   * A system call in the server: lock, the handler, ret_from_sys_call's checks, the flushes,
   * unlock. The request's words arrive as signed integers; registers are unsigned.
   */
  *serveSystemCall(process: MkLinuxProcess, nr: number, a1: number, a2: number, a3: number, a4: number, a5: number): Operation<number> {
    const actor = process.actor;
    const task = process.task;
    const kernel = this.kernel;
    yield* this.lock.acquire(actor);
    this.cpu.execute(this.demuxPath);
    const handler = nr >= 0 ? kernel.handlers[nr] : undefined;
    let result: number;
    if (handler === undefined) result = -ENOSYS;
    else if (handler.fast) result = handler.run(task, a1 >>> 0, a2 >>> 0, a3 >>> 0, a4 >>> 0, a5 >>> 0);
    else result = yield* handler.run(task, a1 >>> 0, a2 >>> 0, a3 >>> 0, a4 >>> 0, a5 >>> 0);
    if (result === -ERESTARTSYS) result = -EINTR;
    const forkFailed = yield* this.returnToUser(process);
    return forkFailed < 0 ? forkFailed : result;
  }

  /**
   * ret_from_sys_call in the server (after copy_thread's RPCs for a fork): reschedule and
   * signals, then flushes, then the lock goes. Returns -EAGAIN if Mach could not build a forked
   * child (see {@link createForked}), else 0.
   */
  private *returnToUser(process: MkLinuxProcess): Operation<number> {
    const forkFailed = yield* this.createForked(process);
    // MkLinux's ret_from_sys_call (arch/osfmach3_i386/server/trap.c, catch_exception_raise_state)
    // runs the bottom halves and do_signal but never tests need_resched, which nothing sets under
    // CONFIG_OSFMACH3 anyway (kernel/sched.c: wake_up_process is osfmach3_setrun, and
    // update_process_times leaves the counters alone): Mach alone decides when a process runs,
    // so the personality's request (a wakeup, a clock tick) is dropped here rather than yielded to
    this.kernel.scheduler.needResched = false;
    yield* this.kernel.retFromSysCall(process.task);
    yield* this.sendFlushes(process);
    yield* this.lock.release(process.actor);
    return forkFailed;
  }

  /** Sends the pending memory_object_lock_request flushes of every process (before any of them runs again). */
  private *sendFlushes(by: MkLinuxProcess): Activity {
    const guest = this.actorGuest(by);
    if (this.userMemory !== null && guest !== null) yield* this.userMemory.drain(guest);
    for (const process of new Set(this.processes.values())) {
      if (process.recheck) this.recheck(process);
      if (process.flushes.length === 0 || process.control === null) continue;
      for (const flush of process.flushes.splice(0)) {
        yield* this.calls.call(this.actorGuest(by), by.actor.thread, LOCK_REQUEST, process.control, process.controlName, [flush.offset, flush.size]);
      }
    }
  }

  private actorGuest(process: MkLinuxProcess): MachGuest | null {
    return (process.actor as MkActor).guest;
  }

  /**
   * memory_object_data_request/_unlock for page `offset` of `process`: Linux's fault handler on the
   * process's page tables, then data_supply of the frame (write-locked if the PTE is read-only),
   * or a fatal signal if Linux refuses the access.
   */
  *servePage(process: MkLinuxProcess, offset: number, write: boolean): Activity {
    yield* this.lock.acquire(process.actor);
    this.cpu.execute(this.pagerPath);
    const result = yield* this.resolvePage(process, offset, write, process.actor as MkActor);
    // Linux refuses the access: memory_object_data_error, so that vm_fault fails and Mach raises
    // EXC_BAD_ACCESS to the server (its exception port), where do_page_fault's bad_area sends
    // SIGSEGV (serveException); a failed read from disk or no memory kills
    if (result === 'segv') yield* this.calls.call(this.actorGuest(process), process.actor.thread, DATA_ERROR, process.control!, process.controlName, [offset, PAGE_SIZE]);
    else if (result !== 'ok') this.kernel.forceSignal(process.task, SIG.SIGKILL);
    yield* this.returnToUser(process);
  }

  /**
   * The pager's work for the page of `address` in `process`, by the server thread of `by`:
   * Linux's fault handler (reading the page from disk if it must), then
   * memory_object_data_supply of the frame, write-locked if the PTE is read-only. Returns 'ok',
   * or why Linux refused ('segv', 'oom', 'io' for a failed read).
   */
  private *resolvePage(process: MkLinuxProcess, address: number, write: boolean, by: MkActor): Operation<PageResolution> {
    const task = process.task;
    const kernel = this.kernel;
    for (;;) {
      const mm = task.mm;
      const result = mm === null ? 'segv' : kernel.mm.handleFault(mm, address, write);
      if (result === 'io') {
        const pending = kernel.mm.pendingRead!;
        if ((yield* kernel.disk.readPage(task, pending.inode, pending.index)) >= 0) continue;
        return 'io';
      }
      if (result !== 'ok') return result === 'oom' ? 'oom' : 'segv';
      const pte = kernel.mm.pte(mm!, address);
      yield* this.sendFlushes(process);
      const frame = (pte & 0xfffff000) >>> 0;
      const lock = (pte & PG_WRITABLE) !== 0 ? 0 : VM_PROT_WRITE;
      yield* this.calls.call(by.guest, by.thread, DATA_SUPPLY, process.control!, process.controlName, [(address & ~(PAGE_SIZE - 1)) >>> 0, this.kernelLinear(frame), lock]);
      return 'ok';
    }
  }

  /**
   * exception_raise from Mach for the process's thread (EXC_BAD_ACCESS: no map entry for the
   * address, page 0 or beyond user space; a page the pager refused; a #GP): MkLinux's
   * do_page_fault bad_area, force_sig(SIGSEGV), delivered on the way out: uncaught, the process
   * dies; caught, its frame is built on the user stack and the reply sends the thread to the
   * handler (Task.exceptionResume), after which the access is retried.
   */
  *serveException(process: MkLinuxProcess): Activity {
    yield* this.lock.acquire(process.actor);
    this.cpu.execute(this.demuxPath);
    this.kernel.forceSignal(process.task, SIG.SIGSEGV);
    yield* this.returnToUser(process);
  }


  /**
   * The clock (osfmach3/server/jiffies_thread.c): a server thread that sleeps on the realtime
   * clock to the next 10 ms mark (clock_sleep, TIME_ABSOLUTE) and runs do_timer under the master
   * lock. The marks are absolute, so a thread that ran late (a process computing until the
   * clock interrupt preempted it) still takes one tick per 10 ms; the first mark is the clock's
   * time when the thread starts (a zero relative sleep returns it).
   */
  private *clockThread(guest: MachGuest): Activity {
    const actor: MkActor = { thread: guest.thread, task: null, guest, threadName: yield* guest.machThreadSelf(), undepress: false, depressing: false };
    const tickNs = 1e9 / this.machine.parameters.hz;
    const wakeup = guest.messageBuffer;
    if ((yield* guest.clockSleep(this.clockName, TIME_RELATIVE, 0, 0, wakeup)) !== KERN.SUCCESS) throw new Error('MkLinux jiffies_thread: clock_sleep on rt_clock failed');
    let mark = (yield* guest.read32(wakeup)) * 1e9 + (yield* guest.read32(wakeup + 4));
    for (;;) {
      mark += tickNs;
      yield* guest.clockSleep(this.clockName, TIME_ABSOLUTE, Math.floor(mark / 1e9), mark % 1e9, wakeup);
      yield* this.lock.acquire(actor);
      this.cpu.execute(this.interruptPath);
      // no process is charged (update_process_times under CONFIG_OSFMACH3): a process's times
      // are its Mach thread's, read by updateTaskTimes
      this.kernel.timerTick();
      // do_timer marked TIMER_BH: the idle task runs the bottom halves (condition_signal)
      this.lock.signal(this.idleCondition);
      yield* this.lock.release(actor);
    }
  }

  /**
   * Linux's idle task in MkLinux (init/main.c cpu_idle under CONFIG_OSFMACH3): under the master
   * lock it runs do_bottom_half, then sleeps in condition_wait(&osfmach3_idle_condition,
   * &uniproc_mutex) until jiffies_thread signals that bottom halves are pending, which do_timer's
   * TIMER_BH makes every tick. So each tick costs a wake-up (cthread_wakeup's
   * thread_depress_abort), a switch to this thread, the lock, and its thread_switch back to sleep.
   * timer_bh's own work is in the personality's timerTick, which the clock thread runs.
   */
  private *idleThread(guest: MachGuest): Activity {
    const actor: MkActor = { thread: guest.thread, task: null, guest, threadName: yield* guest.machThreadSelf(), undepress: false, depressing: false };
    yield* this.lock.acquire(actor);
    for (;;) {
      this.idleWakeups.value++;
      this.cpu.execute(this.bottomHalfPath);
      yield* this.lock.wait(actor, this.idleCondition);
    }
  }

  /**
   * MkLinux's osfmach3_notify_thread (osfmach3/server/serv_notify.c): receives the kernel's
   * notifications on osfmach3_notify_port outside the master lock and runs notify_server under
   * it. What arrives here is the send-once notification of each right osfmach3_notify_deregister
   * deallocates (do_mach_notify_send_once does nothing; two per reaped process) and, for a task
   * that died with its requests still registered, dead-name notifications (do_mach_notify_dead_name
   * finds no Linux process left for the name); none carries a reply port, so none is answered.
   */
  private *notifyThread(guest: MachGuest): Activity {
    const actor: MkActor = { thread: guest.thread, task: null, guest, threadName: yield* guest.machThreadSelf(), undepress: false, depressing: false };
    for (;;) {
      if ((yield* guest.machMsg(guest.messageBuffer, MACH_RCV_MSG, 0, 64, this.notifyName)) !== KERN.SUCCESS) return;
      yield* guest.readMessage([]);
      yield* this.lock.acquire(actor);
      this.cpu.execute(this.notifyPath);
      yield* this.lock.release(actor);
    }
  }

  /** Device interrupts posted by the kernel: console input and disk completions. */
  private *interruptThread(guest: MachGuest, port: number): Activity {
    const actor: MkActor = { thread: guest.thread, task: null, guest, threadName: yield* guest.machThreadSelf(), undepress: false, depressing: false };
    for (;;) {
      if ((yield* guest.machMsg(guest.messageBuffer, MACH_RCV_MSG, 0, 64, port)) !== KERN.SUCCESS) return;
      yield* guest.readMessage(PAGER_INIT.slice(1));
      const irq = guest.out[0];
      yield* this.lock.acquire(actor);
      this.cpu.execute(this.interruptPath);
      if (irq === this.machine.disk.irq) this.kernel.disk.interrupt();
      else {
        const console = this.machine.console;
        const bytes = console.takeInput(console.inputAvailable);
        this.cpu.charge(bytes.length * this.cpu.p.isaIoAccess, CAT.device);
        this.kernel.tty.receive(bytes);
      }
      yield* this.lock.release(actor);
    }
  }

  // ---- scheduling and devices -----------------------------------------------------------------

  /** schedule(): Linux's policy picks, the master lock and Mach's scheduler switch. */
  *schedule(task: Task): Activity {
    const kernel = this.kernel;
    const process = task.substrateData as MkLinuxProcess;
    // CONFIG_OSFMACH3's schedule(): need_resched = 0 and the state tests, no goodness loop and no
    // counter recalculation (Mach picks the next thread)
    kernel.run('scheduleBase');
    kernel.scheduler.needResched = false;
    yield* this.sendFlushes(process);
    // do_exit's last schedule(): MkLinux calls osfmach3_terminate_task here instead
    if (task.state === 'zombie') yield* this.terminateTask(process);
    if (task.state === 'running') yield* this.lock.yieldLock(process.actor);
    else yield* this.lock.sleep(process.actor);
    if (task.state === 'zombie') throw new Error(`zombie ${task.pid} resumed`);
  }

  /** The console: device_write to Mach's console device, charged as the driver's output cost. */
  consoleOutput(bytes: Uint8Array): void {
    this.cpu.charge(bytes.length * this.cpu.p.consoleCharCost, CAT.device);
    this.machine.console.write(decodeUtf8(bytes));
  }
}

/** memory_object_data_request/_unlock as the server reads them: control port, offset, length, access. */
const PAGER_REQUEST = ['moveSend', 'int', 'int', 'int'] as const;
/** exception_raise as the server reads it: thread, task, exception, code, subcode. */
const EXCEPTION_RAISE = ['moveSend', 'moveSend', 'int', 'int', 'int'] as const;
/** exception_raise_state as the server reads it: exception, code, subcode, flavor, the old state. */
export const EXCEPTION_RAISE_STATE = ['int', 'int', 'int', 'int', 'threadState'] as const;
/** Its reply after RetCode: flavor and the new state. */
export const EXCEPTION_STATE_REPLY = ['int', 'threadState'] as const;
/** Words of an i386_SAVED_STATE (OSF MK mach/i386/thread_status.h order) that carry the system-call registers. */
const STATE_INDEX = { edi: 4, esi: 5, ebx: 8, edx: 9, ecx: 10, eax: 11 } as const;
/** memory_object_init: control port, page size (the interrupt notification is its tail: one int). */
const PAGER_INIT = ['moveSend', 'int'] as const;

/** osfmach3_update_thread_info: a Mach time_value (seconds, microseconds) in clock ticks, `seconds * HZ + (microseconds * HZ) / TIME_MICROS_MAX`. */
function clockTicks(seconds: number, microseconds: number): number {
  return seconds * HZ + Math.floor((microseconds * HZ) / 1_000_000);
}
