import { userModeAt } from '../base/runHistory';
import { FrameAllocator, PAGE_SIZE } from '../base/frameAllocator';
import { PAGE_FAULT_USER, PAGE_FAULT_WRITE, VECTOR, type MachineFault } from '../base/result';
import { ACCESS_READ, CAT, type Cpu, type RunOutcome } from '../machine/cpu';
import { ExecutionContext, type Activity, type Operation } from '../machine/executionContext';
import type { Machine } from '../machine/machine';
import { makePde, makePte, PG_WRITABLE } from '../machine/paging';
import { ExceptionDelivery } from './exceptions';
import { KernelMessageReader, KernelMessageWriter, KernelObjectServer, taskRoutines, threadRoutines, type KernelRoutine } from './ipcKobject';
import { copyout, checkDead, releaseRight } from './ipcRight';
import { RealtimeClock } from './clock';
import { IpcSpace, TYPE_DEAD_NAME, TYPE_PORT_SET, TYPE_RECEIVE, TYPE_SEND, TYPE_SEND_ONCE } from './ipcSpace';
import { Kalloc, KERNEL_BASE, kernelLinear, KernelMemory, physicalOf, Zone } from './kernelMemory';
import { KmsgAllocator } from './kmsg';
import { EXC, KERN, LIBMACH_BASE, LIBMACH_BYTES, MACH_MSG, MACH_NOTIFY, MACH_PORT_DEAD, MACH_TRAP, MSG_HEADER_BYTES, MSG_ID, MSG_TYPE_PORT_SEND, MSG_TYPE_PORT_SEND_ONCE, SWITCH_OPTION, USER_CS, USER_DS } from './machConstants';
import { MachMsg } from './machMsg';
import { layoutMachPaths, machParameters, type MachOverrides, type MachParameters, type MachPath, type MachPaths } from './machParameters';
import { MachScheduler } from './machScheduler';
import { PagerInterface } from './pager';
import { Pmap } from './pmap';
import { Port, PortSet, type KernelObject } from './port';
import { Task, type SyscallRedirect } from './task';
import { REG, Thread } from './thread';
import { THREAD_ELEMENT_BYTES, TRAP_FRAME_BYTES, TRAP_FRAME_OFFSET } from './threadLayout';
import { VmMap, type VmMapCopy, type VmMapEntry } from './vmMap';
import { VmObject } from './vmObject';
import { MachGuest } from './guestApi';
import { DeviceService } from './device';
import type { ParameterRow } from '../base/parameters';
import type { TracePoint } from '../base/trace';

/** The body of a guest thread: user code that calls the kernel through {@link MachGuest}. */
export type GuestBody = (guest: MachGuest) => Activity;

/** A guest entry point for thread_create (see {@link MachKernel.registerEntryPoint}). */
export interface EntryPoint {
  readonly body: (guest: MachGuest, argument: number) => Activity;
  /** False: threads created there get no stack region (see {@link MachKernel.createThread}). */
  readonly userStack: boolean;
}

/** IDT vectors the Mach kernel installs. */
export const MACH_VECTOR = {
  /** Mach traps. OSF MK/i386 enters them through the `lcall $7,0` call gate; this model uses an interrupt gate. */
  machTrap: 0x81,
  /** Unix system calls (`int $0x80`), redirected to the task's emulator (MkLinux). */
  unixSyscall: 0x80,
  clock: 0x20,
} as const;

export interface MachKernelOptions {
  /** What-if overrides of the Mach parameter table. */
  readonly parameters?: MachOverrides;
  /**
   * Physical memory at the top withheld from the kernel's page allocator (memory a server wires
   * for itself at boot, as MkLinux's Linux server did for its page frames). Default 0.
   */
  readonly reservedBytes?: number;
}

/** Physical layout of the kernel image (an estimate of OSF MK's i386 layout: loaded at 1 MB). */
const KERNEL_DIRECTORY = 0x1000;
const KERNEL_TABLES = 0x2000;
const KERNEL_TEXT = 0x100000;
/** The first byte of physical memory the kernel's page allocator may hand out (after its image and tables). */
export const FIRST_FREE = 0x200000;
/**
 * The kernel's descriptor tables, in its data after the text (i386/gdt.c, idt.c, ldt.c, ktss.c;
 * tag I for the placement): IDT of 256 gates, GDT (null, KERNEL_CS, KERNEL_DS, LDT, KERNEL_TSS,
 * …: 8 slots), the default LDT holding the user segments (4 slots), the kernel TSS (104 B).
 */
const IDT_BYTES = 256 * 8;
const GDT_BYTES = 8 * 8;
const LDT_BYTES = 4 * 8;
const TSS_BYTES = 104;
/** i386/seg.h: KERNEL_CS in the GDT; USER_CS and USER_DS (machConstants) in the LDT. */
const KERNEL_CS = 0x08;
/** User address-space limits of a task (VM_MIN_ADDRESS .. VM_MAX_ADDRESS on i386). */
export const USER_MIN = 0x1000;
export const USER_MAX = KERNEL_BASE;
const STACK_BYTES = 64 * 1024;

const STACK_REGION = 0xb0000000;

/**
 * Kernel frames a task_create may take at worst: its page directory, and a fresh zone page each
 * for the task, its IPC space, its self port and the map entry of libmach.
 */
const TASK_CREATE_FRAMES = 5;
/** Kernel frames a thread_create may take at worst: its kernel stack, and a zone page each for the thread, its two ports and its user stack's map entry. */
const THREAD_CREATE_FRAMES = 4;

/**
 * The Mach 3 kernel on the simulated Pentium: boot (kernel page tables mapping all memory at
 * 0xC0000000, kernel text with its code paths, zones), the IDT (Mach traps, page faults, the
 * Unix-syscall redirection, the clock), and the kernel objects: tasks, threads, ports, IPC
 * spaces, VM maps and objects, pagers, exceptions. Guest code runs in threads created with
 * {@link createThread}/{@link startTask} and reaches the kernel only through traps.
 *
 * Co-location hook (issue 6, mklinux-kernel): {@link createTask} with `colocated` makes a task
 * that shares the kernel pmap, and {@link colocateServer} turns one of its receive rights into a
 * kernel object whose `serve` runs in the client's thread: mach_msg still translates names,
 * checks and moves rights and allocates kmsgs (Mach's IPC bookkeeping), but there is no queue,
 * no thread switch and no address-space switch: the MIG RPC becomes a call.
 *
 * Syscall redirection hook: {@link setSyscallRedirect} (Mach 3's task_set_emulation) sends a
 * task's `int $0x80` to a user-level emulator in the same task.
 */
export class MachKernel {
  readonly p: MachParameters;
  readonly parameterRows: ParameterRow[];
  readonly paths: MachPaths;
  readonly cpu: Cpu;
  readonly memory: KernelMemory;
  readonly kalloc: Kalloc;
  /** The realtime clock (kern/clock.c): its port and clock_sleep's alarms. */
  readonly clock: RealtimeClock;
  readonly kmsgs: KmsgAllocator;
  readonly scheduler: MachScheduler;
  readonly msg: MachMsg;
  readonly pagers: PagerInterface;
  readonly exceptions: ExceptionDelivery;
  readonly reader: KernelMessageReader;
  readonly writer: KernelMessageWriter;
  readonly devices: DeviceService;
  /**
   * The default processor set's control port (kern/processor.c default_pset, its pset_self port):
   * thread_set_policy's processor-set argument. The set has no routines of its own here.
   */
  readonly defaultPset: Port;
  readonly kernelPmapDirectory = KERNEL_DIRECTORY;
  readonly kernelTask: Task;
  readonly tasks: Task[] = [];
  /** The shared text object of the user-level Mach library. */
  readonly libmach: VmObject;
  /** Guest entry points by number, for thread_create (a stand-in for user code addresses). */
  readonly entryPoints = new Map<number, EntryPoint>();

  readonly portZone: Zone;
  readonly mapEntryZone: Zone;
  readonly copyZone: Zone;
  private readonly objectZone: Zone;
  private readonly threadZone: Zone;
  private readonly taskZone: Zone;
  private readonly spaceZone: Zone;
  private readonly ports = new Map<number, Port>();
  private readonly portSets = new Map<number, PortSet>();
  /** Dead ports whose zone element waits for their last right to go ({@link reclaimPorts}). */
  private readonly deadPorts: Port[] = [];
  /** Threads whose resources the reaper has released ({@link reapThread}). */
  private readonly reaped = new WeakSet<Thread>();
  /** Threads waiting for free frames ({@link pageWait}). */
  private readonly pageWaiters: Thread[] = [];
  /** Per task, user stack addresses of exited threads for the next {@link createThread} (cthreads' stack list). */
  private readonly freedStacks = new WeakMap<Task, number[]>();
  /** Whether the Mach library's text is mapped in the kernel map (with the first kernel-loaded task). */
  private kernelLibmach = false;
  private readonly taskRoutines: Map<number, { replyBytes: number; run: KernelRoutine<Task> }>;
  private readonly threadRoutines: Map<number, { replyBytes: number; run: KernelRoutine<Thread> }>;
  private nextPortId = 1;
  private nextObjectId = 1;
  private nextThreadId = 1;
  private readonly argumentScratch = new Uint8Array(28);
  private readonly argumentView = new DataView(this.argumentScratch.buffer);
  private booted = false;
  /** Named trace points (off by default): messages sent, VM faults, exceptions raised. */
  readonly tracePoints: { readonly send: TracePoint; readonly fault: TracePoint; readonly exception: TracePoint };
  /** Threads preempted at quantum expiry. */
  preemptions = 0;
  /** First physical address of the memory withheld from the page allocator ({@link MachKernelOptions.reservedBytes}). */
  readonly reservedStart: number;
  /** Ports to which device interrupts are posted as messages (see {@link setInterruptPort}). */
  private readonly interruptPorts = new Map<number, Port>();
  private readonly interruptWriter: KernelMessageWriter;

  constructor(readonly machine: Machine, options: MachKernelOptions = {}) {
    const table = machParameters(options.parameters);
    this.p = table.values;
    this.parameterRows = table.rows();
    this.cpu = machine.cpu;
    const memoryBytes = machine.memory.size;
    // kernel page tables: all of physical memory at KERNEL_BASE, supervisor read/write, 4 KB pages
    const tables = Math.ceil(memoryBytes / (4 << 20));
    for (let t = 0; t < tables; t++) {
      const table = KERNEL_TABLES + t * PAGE_SIZE;
      machine.memory.write32(KERNEL_DIRECTORY + 4 * (768 + t), makePde(table, PG_WRITABLE));
      for (let i = 0; i < 1024; i++) {
        const physical = (t * 1024 + i) * PAGE_SIZE;
        if (physical >= memoryBytes) break;
        machine.memory.write32(table + 4 * i, makePte(physical, PG_WRITABLE));
      }
    }
    const layout = layoutMachPaths(this.p, kernelLinear(KERNEL_TEXT));
    this.paths = layout.paths;
    const idt = (layout.textEnd + 31) & ~31;
    const tablesEnd = idt + IDT_BYTES + GDT_BYTES + LDT_BYTES + TSS_BYTES;
    if (tablesEnd - kernelLinear(KERNEL_TEXT) > FIRST_FREE - KERNEL_TEXT) throw new Error('kernel text overflows its region');
    this.cpu.descriptorTables = {
      idt: idt >>> 0, gdt: (idt + IDT_BYTES) >>> 0, ldt: (idt + IDT_BYTES + GDT_BYTES) >>> 0, tss: (idt + IDT_BYTES + GDT_BYTES + LDT_BYTES) >>> 0,
      kernelCode: KERNEL_CS, userCode: USER_CS, userStack: USER_DS,
    };
    const firstFree = Math.max(FIRST_FREE, KERNEL_TABLES + tables * PAGE_SIZE);
    const reserved = Math.floor((options.reservedBytes ?? 0) / PAGE_SIZE) * PAGE_SIZE;
    this.reservedStart = memoryBytes - reserved;
    if (this.reservedStart <= firstFree) throw new Error('reservedBytes leaves the kernel no memory');
    const frames = new FrameAllocator(firstFree / PAGE_SIZE, (this.reservedStart - firstFree) / PAGE_SIZE);
    this.memory = new KernelMemory(this.cpu, machine.memory, frames);
    this.kalloc = new Kalloc(this.memory);
    this.kmsgs = new KmsgAllocator(this.memory, this.kalloc, this.p);
    this.portZone = new Zone('ipc.port', 128, this.memory);
    this.mapEntryZone = new Zone('vm.map.entry', 64, this.memory);
    this.copyZone = new Zone('vm.map.copy', 64, this.memory);
    this.objectZone = new Zone('vm.object', 128, this.memory);
    this.threadZone = new Zone('thread', THREAD_ELEMENT_BYTES, this.memory);
    this.taskZone = new Zone('task', 256, this.memory);
    this.spaceZone = new Zone('ipc.space', 64, this.memory);
    this.cpu.loadCr3(KERNEL_DIRECTORY);
    this.cpu.cpl = 0;
    this.scheduler = new MachScheduler(this, this.kalloc.allocate(32 * 4));
    this.msg = new MachMsg(this);
    this.reader = new KernelMessageReader(this);
    this.interruptWriter = new KernelMessageWriter(this);
    this.writer = new KernelMessageWriter(this);
    this.pagers = new PagerInterface(this);
    this.exceptions = new ExceptionDelivery(this);
    this.taskRoutines = taskRoutines(this);
    this.threadRoutines = threadRoutines(this);
    this.libmach = this.createObject(LIBMACH_BYTES);
    for (let page = 0; page < LIBMACH_BYTES / PAGE_SIZE; page++) this.libmach.pages.set(page, this.memory.allocateFrame());
    this.kernelTask = this.createTask('kernel', true);
    this.kernelTask.vmPrivileged = true;
    this.devices = new DeviceService(this);
    const idle = this.newThread(this.kernelTask, 'idle', 31);
    idle.context = new ExecutionContext('mach.idle', () => this.scheduler.idleLoop(), idle);
    this.scheduler.idle = idle;
    this.defaultPset = this.newPort();
    this.defaultPset.kobject = new KernelObjectServer(this, 'processorSet', null, new Map());
    this.clock = new RealtimeClock(this);
    this.installIdt();
    this.tracePoints = {
      send: machine.trace.point('mach.msg.send', 'a message copied in by mach_msg: task, destination port, msgh_id, size'),
      fault: machine.trace.point('mach.vm.fault', 'a user page fault resolved by vm_fault: task, address, write, KERN_* result'),
      exception: machine.trace.point('mach.exception', 'an exception_raise: thread, exception, code, subcode'),
    };
    const stats = machine.stats;
    stats.formula('mach.ipc.kmsgsLive', 'kmsgs', 'kernel messages allocated and not yet freed', () => this.kmsgs.live);
    stats.formula('mach.sched.switches', 'switches', 'context switches (switch_context)', () => this.scheduler.switches);
    stats.formula('mach.sched.preemptions', 'threads', 'threads preempted at quantum expiry', () => this.preemptions);
    stats.formula('mach.exceptions.raised', 'exceptions', 'exception_raise messages attempted', () => this.exceptions.raised);
    stats.formula('mach.device.interrupts', 'interrupts', 'disk interrupts handled', () => this.devices.interrupts);
    stats.formula('mach.ipc.ports', 'ports', 'ports allocated since boot', () => this.nextPortId - 1);
    machine.accounting.reset();
  }

  // ---- boot and run -------------------------------------------------------------------------

  private installIdt(): void {
    const idt = this.cpu.idt;
    idt[MACH_VECTOR.machTrap] = () => this.machTrap();
    idt[MACH_VECTOR.unixSyscall] = () => this.unixSyscall();
    idt[VECTOR.pageFault] = (_vector, fault) => this.userException(fault);
    idt[VECTOR.generalProtection] = (_vector, fault) => this.userException(fault);
    idt[MACH_VECTOR.clock] = () => this.clockInterrupt();
    this.machine.pic.setVectorBases(0x20, 0x28);
    idt[0x28 + (this.machine.disk.irq - 8)] = () => this.devices.diskInterrupt();
    idt[0x20 + this.machine.console.irq] = () => this.spuriousInterrupt(this.machine.console.irq);
  }

  /**
   * Runs the machine until `stop()` holds, nothing can run any more ('idle'), or `budget`
   * cycles pass. The first call starts the scheduler in the idle thread.
   */
  /** Runs kernel path `path`: its instruction cycles and the fetch of every run of its code. */
  execute(path: MachPath): void {
    const cpu = this.cpu;
    cpu.execute(path);
    for (const piece of path.pieces) cpu.execute(piece);
  }

  run(stop: () => boolean = () => false, budget?: number): RunOutcome {
    this.boot();
    return this.cpu.run(stop, budget);
  }

  /** Starts the scheduler in the idle thread (once), for hosts that drive `cpu.run` themselves. */
  boot(): void {
    if (this.booted) return;
    this.booted = true;
    this.scheduler.current = this.scheduler.idle;
    this.scheduler.idle.state = 'running';
    this.cpu.current = this.scheduler.idle.context;
  }

  /** Starts the PIT: clock interrupts every 1/HZ (quantum accounting, timeouts need no clock). */
  startClock(): void {
    this.machine.pic.unmask(0);
    this.machine.pit.start();
  }

  // ---- tasks and threads --------------------------------------------------------------------

  /**
   * Whether kernel memory can back a task_create (`what` = 'task') or a thread_create: checked
   * before either changes any state, so that exhausted memory is KERN_RESOURCE_SHORTAGE to the
   * caller rather than a half-built object. New tasks and threads may not eat into the reserve
   * and the commitments ({@link KernelMemory.withheld}): the tasks that exist can always finish their faults.
   */
  canCreate(what: 'task' | 'thread'): boolean {
    return this.memory.frames.freeFrames >= this.memory.withheld + (what === 'task' ? TASK_CREATE_FRAMES : THREAD_CREATE_FRAMES);
  }

  /**
   * task_create: an empty task with its own map and pmap, with the Mach library's text mapped
   * unless `libmach` is false. OSF MK's task_create maps nothing; libmach is the model's stand-in
   * for the library a Mach program is linked with (its guests' MIG stubs and mach_msg stub run
   * there), so a task whose program is not a Mach program (a MkLinux process: Linux's own binary,
   * no emulator) is made without it. A `colocated` task is kernel_task_create's kernel-loaded task (OSF MK kern/task.c): its map
   * is the kernel's map (map_size 0: new_task->map = kernel_map), so it shares the kernel pmap,
   * and what it vm_allocates on its own task port is allocated there, apart from what any other
   * kernel-loaded task has. The library's text (a kernel-loaded image carries libmach, whose MIG
   * stubs its threads run) is entered in the kernel map with the first kernel-loaded task.
   */
  createTask(name: string, colocated: boolean, libmach = true): Task {
    const address = this.taskZone.allocate();
    const space = new IpcSpace(this.spaceZone.allocate(), this.memory, this.kalloc, this.p, (a) => this.ports.get(a), (a) => this.portSets.get(a), name);
    const kernelLoaded = colocated && this.tasks.length > 0;
    const map = kernelLoaded ? this.kernelTask.map : new VmMap(this, new Pmap(this.memory, KERNEL_DIRECTORY), USER_MIN, USER_MAX);
    const task = new Task(this.tasks.length, name, address, space, map, colocated);
    if ((!colocated && libmach) || (kernelLoaded && !this.kernelLibmach)) {
      this.libmach.references++;
      map.enter(LIBMACH_BASE, LIBMACH_BYTES, false, this.libmach, 0, 5, 5, false);
      map.inherit(LIBMACH_BASE, LIBMACH_BYTES, 0);
      if (kernelLoaded) this.kernelLibmach = true;
    }
    task.selfPort = this.newPort();
    task.selfPort.kobject = new KernelObjectServer(this, 'task', task, this.taskRoutines);
    this.tasks.push(task);
    return task;
  }

  private newThread(task: Task, name: string, priority: number): Thread {
    const stack = this.memory.allocateFrame();
    if (stack < 0) throw new Error('out of memory for a kernel stack');
    const thread = new Thread(this.nextThreadId++, name, task, this.threadZone.allocate(), kernelLinear(stack), priority);
    thread.selfPort = this.newPort();
    thread.selfPort.kobject = new KernelObjectServer(this, 'thread', thread, this.threadRoutines);
    thread.replyPort = this.newPort();
    return thread;
  }

  /**
   * thread_create + initial state: a suspended thread of `task` that will run `body` in user mode
   * on its own 64 KB user stack (allocated in the task as cthreads' stack allocator does), or,
   * with `userStack` false, on whatever stack its body sets up (a MkLinux process's thread runs
   * Linux's program on the stack Linux's exec built, and its task has no Mach stack region).
   * Resume it with {@link resume} (or thread_resume). Unless given one, it starts at its task's
   * base priority: the one task_set_policy set, else BASEPRI_USER.
   */
  createThread(task: Task, name: string, body: GuestBody, priority = task.policyPriority ?? this.p.defaultPriority, userStack = true): Thread {
    const thread = this.newThread(task, name, priority);
    if (userStack) {
      // the thread library hands out the stack address its last exited thread left, if any
      const hint = this.freedStacks.get(task)?.pop() ?? STACK_REGION - STACK_BYTES * (this.nextThreadId + 1);
      const stack = task.map.enter(hint, STACK_BYTES, true, null, 0, 3, 7, false);
      if (stack.result !== KERN.SUCCESS) throw new Error(`no room for a stack in ${task.name}`);
      thread.stackTop = stack.address + STACK_BYTES;
      thread.messageBuffer = stack.address;
      thread.registers[REG.ESP] = thread.stackTop - 64;
    }
    thread.context = new ExecutionContext(name, () => this.threadBody(thread, body), thread);
    task.threads.push(thread);
    return thread;
  }

  /** thread_resume: decrements the suspend count; at 0 a suspended thread becomes runnable. False if it was not suspended. */
  resume(thread: Thread): boolean {
    if (thread.suspendCount === 0 || thread.state === 'halted') return false;
    thread.suspendCount--;
    if (thread.suspendCount === 0 && thread.state === 'suspended') this.scheduler.setrun(thread);
    return true;
  }

  /**
   * thread_suspend: increments the suspend count. A runnable thread leaves the run queue; a
   * waiting one parks when its wait ends; the current thread stops on its way out of the kernel.
   */
  suspend(thread: Thread): number {
    if (thread.state === 'halted') return KERN.INVALID_ARGUMENT;
    thread.suspendCount++;
    if (thread.state === 'runnable') {
      this.scheduler.remove(thread);
      thread.state = 'suspended';
    }
    return KERN.SUCCESS;
  }

  /**
   * thread_abort: ends the wait of a thread blocked in mach_msg with MACH_SEND_INTERRUPTED or
   * MACH_RCV_INTERRUPTED, or in clock_sleep with KERN_ABORTED (a thread waiting for a pager or an
   * exception reply is not aborted).
   */
  abort(thread: Thread): number {
    if (thread.state === 'waiting' && this.clock.cancel(thread, true)) return KERN.SUCCESS;
    const queue = thread.waitPort;
    if (thread.state !== 'waiting' || queue === null) return KERN.SUCCESS;
    const r = queue.receivers.indexOf(thread);
    const s = queue.blockedSenders.indexOf(thread);
    if (r < 0 && s < 0) return KERN.SUCCESS;
    if (r >= 0) queue.receivers.splice(r, 1);
    if (s >= 0) queue.blockedSenders.splice(s, 1);
    if (thread.waitTimer !== null) this.cpu.scheduler.cancel(thread.waitTimer);
    thread.waitTimer = null;
    thread.waitPort = null;
    thread.waitResult = r >= 0 ? MACH_MSG.RCV_INTERRUPTED : MACH_MSG.SEND_INTERRUPTED;
    this.scheduler.setrun(thread);
    return KERN.SUCCESS;
  }

  /** thread_terminate of another thread (a thread terminating itself does so on its way out of the kernel). */
  terminateThread(thread: Thread): number {
    if (thread.state === 'halted') return KERN.INVALID_ARGUMENT;
    if (thread === this.scheduler.current) {
      thread.suspendCount = Number.POSITIVE_INFINITY;
      return KERN.SUCCESS;
    }
    this.abort(thread);
    if (thread.state === 'runnable') this.scheduler.remove(thread);
    const queue = thread.waitPort;
    if (queue !== null) {
      const r = queue.receivers.indexOf(thread);
      if (r >= 0) queue.receivers.splice(r, 1);
    }
    thread.state = 'halted';
    const index = thread.task.threads.indexOf(thread);
    if (index >= 0) thread.task.threads.splice(index, 1);
    this.reapThread(thread);
    return KERN.SUCCESS;
  }

  /**
   * What thread_terminate leaves to the reaper (kern/thread.c thread_deallocate, stack_free): the
   * thread's ports die, its kernel stack goes back to the page pool and its structure to the
   * thread zone. The thread library's part of a thread exit is done here too while the task lives
   * on (cthread_exit: mig_dealloc_reply_port, and vm_deallocate of the user stack that
   * {@link createThread} allocated). Once per thread; the thread never runs again, so the freed
   * stack is at most touched for timing on the switch away from it.
   */
  private reapThread(thread: Thread): void {
    if (this.reaped.has(thread)) return;
    this.reaped.add(thread);
    this.destroyPort(thread.selfPort);
    this.destroyPort(thread.replyPort);
    const task = thread.task;
    if (task.active && thread.migReplyName !== 0) this.portDestroy(task, thread.migReplyName);
    if (task.active && thread.stackTop !== 0) {
      this.execute(this.paths.vmDeallocate);
      task.map.remove(thread.stackTop - STACK_BYTES, STACK_BYTES);
      const freed = this.freedStacks.get(task) ?? [];
      freed.push(thread.stackTop - STACK_BYTES);
      this.freedStacks.set(task, freed);
    }
    this.memory.frames.release(physicalOf(thread.kernelStack));
    this.threadZone.release(thread.address);
    this.reclaimPorts();
    this.pagesFreed();
  }

  /** A task with one thread running `body`, started. */
  startTask(name: string, body: GuestBody, options: { colocated?: boolean; priority?: number } = {}): Thread {
    const task = this.createTask(name, options.colocated ?? false);
    const thread = this.createThread(task, `${name}.main`, body, options.priority);
    this.resume(thread);
    return thread;
  }

  /**
   * Registers a guest entry point for thread_create; returns its number. A thread created at an
   * entry point with `userStack` false gets no stack region ({@link createThread}).
   */
  registerEntryPoint(body: (guest: MachGuest, argument: number) => Activity, userStack = true): number {
    const entry = 0x1000 + this.entryPoints.size;
    this.entryPoints.set(entry, { body, userStack });
    return entry;
  }

  /** True if `task` maps the Mach library's text (see {@link createTask}). */
  mapsLibmach(task: Task): boolean {
    return task.map.entries.some((entry) => entry.object === this.libmach);
  }

  private *threadBody(thread: Thread, body: GuestBody): Activity {
    // thread_bootstrap_return: the new thread leaves the kernel into user mode
    this.cpu.iretToUser();
    thread.kernelLeftAt = this.cpu.now;
    this.cpu.cpl = 3;
    this.cpu.interruptsEnabled = true;
    yield* body(new MachGuest(this, thread));
    yield* this.terminateSelf(thread);
  }

  /** thread_terminate(self): the thread never runs again. */
  *terminateSelf(thread: Thread): Activity {
    this.cpu.cpl = 0;
    this.cpu.interruptsEnabled = false;
    thread.state = 'halted';
    const index = thread.task.threads.indexOf(thread);
    if (index >= 0) thread.task.threads.splice(index, 1);
    this.reapThread(thread);
    for (;;) yield* this.scheduler.block(thread);
  }

  /**
   * task_terminate: stops every thread of `task` (a thread of it that is running now stops when
   * it next leaves the kernel), destroys its port name space (receive rights destroy their
   * ports; send rights elsewhere become dead names) and its address space.
   */
  terminateTask(task: Task): void {
    if (!task.active) return;
    task.active = false;
    const current = this.scheduler.current;
    const stacks = task.threads.filter((thread) => thread.stackTop !== 0).map((thread) => thread.stackTop);
    for (const thread of task.threads.splice(0)) {
      thread.suspendCount = Number.POSITIVE_INFINITY;
      if (thread.state === 'runnable') this.scheduler.remove(thread);
      const port = thread.waitPort;
      if (port !== null) {
        const r = port.receivers.indexOf(thread);
        if (r >= 0) port.receivers.splice(r, 1);
        const s = port.blockedSenders.indexOf(thread);
        if (s >= 0) port.blockedSenders.splice(s, 1);
      }
      if (thread.waitTimer !== null) this.cpu.scheduler.cancel(thread.waitTimer);
      thread.waitTimer = null;
      thread.waitPort = null;
      this.clock.cancel(thread, false);
      this.destroyPort(thread.selfPort);
      this.destroyPort(thread.replyPort);
      // the running thread is reaped when it leaves the kernel (terminateSelf)
      if (thread !== current) {
        thread.state = 'halted';
        this.reapThread(thread);
      }
    }
    this.destroyPort(task.selfPort);
    if (task.exceptionPort !== null) task.exceptionPort.sendRights--;
    task.exceptionPort = null;
    const space = task.space;
    for (const { name, type, port } of space.names()) {
      const index = space.lookup(name);
      if (index < 0) continue;
      if ((type & TYPE_PORT_SET) !== 0) {
        const set = space.setOf(index);
        space.free(index);
        if (set !== undefined) this.destroyPortSet(set);
        continue;
      }
      if (port !== undefined) {
        if ((type & TYPE_SEND) !== 0) port.sendRights--;
      }
      space.free(index);
      if ((type & TYPE_SEND_ONCE) !== 0 && port !== undefined) this.msg.sendOnceDestroyed(port);
      if ((type & TYPE_RECEIVE) !== 0 && port !== undefined) {
        port.receiver = null;
        this.destroyPort(port);
      }
    }
    space.destroy();
    this.spaceZone.release(space.header);
    if (task.map === this.kernelTask.map) {
      // a kernel-loaded task's map is the kernel's: only its threads' stacks go (what it
      // vm_allocated is kernel memory, and stays)
      for (const top of stacks) task.map.remove(top - STACK_BYTES, STACK_BYTES);
    } else {
      task.map.remove(USER_MIN, USER_MAX - USER_MIN);
    }
    if (task.map.pmap !== this.kernelTask.map.pmap) {
      if (task.map.pmap.active) this.cpu.loadCr3(KERNEL_DIRECTORY);
      task.map.pmap.destroy();
    }
    this.taskZone.release(task.address);
    this.reclaimPorts();
    this.pagesFreed();
  }

  /** Installs the syscall redirection (task_set_emulation) of `task`; null removes it. */
  setSyscallRedirect(task: Task, redirect: SyscallRedirect | null): void {
    task.syscallRedirect = redirect;
  }

  /**
   * The co-location hook: the receive right `name` of co-located `task` becomes a kernel object
   * served by `server` in the sending thread's context (MIG short-circuit). Returns KERN_*.
   */
  colocateServer(task: Task, name: number, server: KernelObject): number {
    if (!task.colocated) return KERN.INVALID_TASK;
    const index = task.space.lookup(name);
    if (index < 0 || (task.space.typeOf(index) & TYPE_RECEIVE) === 0) return KERN.INVALID_RIGHT;
    task.space.objectOf(index)!.kobject = server;
    return KERN.SUCCESS;
  }

  // ---- traps ----------------------------------------------------------------------------------

  /** A trap from user mode: the gate, then `path` (locore's entry for this vector). */
  private enter(thread: Thread, vector: number, path: MachPath): void {
    const cpu = this.cpu;
    cpu.gateFromUser(vector);
    thread.kernelEnteredAt = cpu.now;
    cpu.cpl = 0;
    cpu.interruptsEnabled = false;
    this.execute(path);
    this.memory.touchWrite(thread.address + TRAP_FRAME_OFFSET, TRAP_FRAME_BYTES);
    this.memory.touchWrite(thread.kernelStack + PAGE_SIZE - this.p.kernelStackBytes, this.p.kernelStackBytes);
  }

  private leave(thread: Thread): void {
    const cpu = this.cpu;
    this.execute(this.paths.trapExit);
    this.memory.touch(thread.kernelStack + PAGE_SIZE - this.p.kernelStackBytes, this.p.kernelStackBytes);
    this.memory.touch(thread.address + TRAP_FRAME_OFFSET, TRAP_FRAME_BYTES);
    cpu.iretToUser();
    thread.kernelLeftAt = cpu.now;
    cpu.cpl = 3;
    cpu.interruptsEnabled = true;
  }

  /**
   * The exit to user mode, then the interrupts that came due meanwhile: the IRET sets IF, so a
   * pending clock or device interrupt is taken before the next user instruction, and the timeouts
   * that expired (a mach_msg receive timeout) fire. The traps run with interrupts off here, so
   * without this a thread that only traps and charges user time (lat_pipe, bw_pipe) would take
   * no clock tick at all (as L4's kernel does after its exit).
   */
  private *leaveToUser(thread: Thread): Activity {
    this.leave(thread);
    if (this.cpu.scheduler.now >= this.cpu.scheduler.checkpoint) yield* this.cpu.poll();
  }

  /**
   * The gate of hardware interrupt `vector`: from user mode with its descriptor reads, else the
   * same `intOuter` charge without them; to ring 0 (IF is left to the caller).
   */
  interruptGate(wasUser: boolean, vector: number): void {
    const cpu = this.cpu;
    if (wasUser) cpu.gateFromUser(vector);
    else cpu.charge(this.machine.parameters.intOuter, CAT.kernelEntry);
    cpu.cpl = 0;
  }

  /** The IRET that ends a hardware interrupt: back to user mode (IF on) or to ring 0. */
  interruptReturn(wasUser: boolean): void {
    const cpu = this.cpu;
    if (wasUser) cpu.iretToUser();
    else cpu.charge(this.machine.parameters.iretOuter, CAT.kernelEntry);
    cpu.cpl = wasUser ? 3 : 0;
    if (wasUser) cpu.interruptsEnabled = true;
  }

  /** The Mach trap handler: EAX holds the (negative) trap number; mach_msg's arguments are on the user stack. */
  private *machTrap(): Activity {
    const thread = this.scheduler.current!;
    const registers = thread.registers;
    this.enter(thread, MACH_VECTOR.machTrap, this.paths.trapEntry);
    const trap = registers[REG.EAX] | 0;
    let result: number = KERN.FAILURE;
    switch (trap) {
      case MACH_TRAP.msg: {
        if (!this.copyinTrapArguments(thread, 7)) {
          result = MACH_MSG.SEND_INVALID_DATA;
          break;
        }
        const a = this.argumentView;
        result = yield* this.msg.trap(thread, a.getUint32(0, true), a.getUint32(4, true), a.getUint32(8, true), a.getUint32(12, true), a.getUint32(16, true), a.getUint32(20, true));
        break;
      }
      case MACH_TRAP.replyPort:
        this.execute(this.paths.replyPortTrap);
        result = Math.max(0, this.allocateReceiveRight(thread.task));
        break;
      case MACH_TRAP.threadSelf:
      case MACH_TRAP.taskSelf: {
        this.execute(this.paths.threadSelfTrap);
        const port = trap === MACH_TRAP.threadSelf ? thread.selfPort : thread.task.selfPort;
        this.memory.touch(thread.address, 16);
        port.sendRights++;
        result = Math.max(0, copyout(this, thread.task.space, port, MSG_TYPE_PORT_SEND));
        break;
      }
      case MACH_TRAP.threadSwitch:
        if (!this.copyinTrapArguments(thread, 3)) {
          result = KERN.INVALID_ADDRESS;
          break;
        }
        if (this.argumentView.getUint32(4, true) === SWITCH_OPTION.IDLE) {
          result = yield* this.depressIdle(thread);
          break;
        }
        if (this.argumentView.getUint32(4, true) === SWITCH_OPTION.DEPRESS) {
          result = yield* this.depressYield(thread);
          break;
        }
        yield* this.scheduler.yieldCpu(thread);
        result = KERN.SUCCESS;
        break;
      case MACH_TRAP.clockSleep:
        result = this.copyinTrapArguments(thread, 5) ? yield* this.clockSleepTrap(thread) : KERN.INVALID_ADDRESS;
        break;
      case MACH_TRAP.threadDepressAbort:
        result = this.copyinTrapArguments(thread, 1) ? this.depressAbort(thread.task.space, this.argumentView.getUint32(0, true)) : KERN.INVALID_ADDRESS;
        break;
      case MACH_TRAP.swtch:
      case MACH_TRAP.swtchPri:
        yield* this.scheduler.yieldCpu(thread);
        result = KERN.SUCCESS;
        break;
      default:
        result = KERN.INVALID_ARGUMENT;
    }
    registers[REG.EAX] = result >>> 0;
    yield* this.returnFromTrap(thread);
  }

  /**
   * clock_sleep_trap(clock_name, sleep_type, sleep_sec, sleep_nsec, wakeup_time) (OSF MK
   * kern/clock.c), its arguments already copied in: port_name_to_clock (KERN_INVALID_ARGUMENT
   * unless the name denotes a send right to a clock), the sleep, and then the wakeup time copied
   * out as a tvalspec, also after KERN_INVALID_VALUE as clock_sleep_trap does (a bad
   * `wakeup_time` is ignored, as copyout's result is there).
   */
  private *clockSleepTrap(thread: Thread): Operation<number> {
    const a = this.argumentView;
    const [name, type, seconds, nanoseconds, wakeup] = [0, 4, 8, 12, 16].map((offset) => a.getUint32(offset, true));
    this.execute(this.paths.entryLookup);
    const index = thread.task.space.lookup(name);
    const port = index < 0 ? undefined : thread.task.space.objectOf(index);
    if (port === undefined || port.kobject?.kind !== 'clock') return KERN.INVALID_ARGUMENT;
    this.memory.touch(port.address, this.p.portBytes);
    const [result, time] = yield* this.clock.sleep(thread, type, seconds | 0, nanoseconds | 0);
    a.setUint32(0, Math.floor(time / 1e9), true);
    a.setUint32(4, time % 1e9, true);
    this.cpu.write(wakeup, this.argumentScratch, 0, 8, true);
    return result;
  }

  /** Copies `words` trap arguments from the user stack (mach_trap_table's count); false on a bad address. */
  private copyinTrapArguments(thread: Thread, words: number): boolean {
    if (words > 0) this.execute(this.paths.trapArguments);
    for (let i = 0; i < words; i++) this.execute(this.paths.trapArgumentWord);
    return this.cpu.read(thread.registers[REG.ESP], this.argumentScratch, 0, 4 * words, true) === 4 * words;
  }

  /**
   * thread_switch(THREAD_NULL, SWITCH_OPTION_IDLE, 0) (OSF MK kern/syscall_subr.c): `thread`
   * depresses its priority and gives up the CPU until {@link depressAbort}; returns KERN_ABORTED
   * as the real call does once the depression was aborted. OSF MK leaves the thread runnable at
   * DEPRESSPRI (thread_dispatch re-queues it); here it waits off the run queues, with that
   * re-queueing and thread_depress_abort's rem_runq charged. A kernel-loaded caller (a co-located
   * server's cthreads) calls it without the trap.
   */
  *depressIdle(thread: Thread): Operation<number> {
    this.depressPriority(thread);
    thread.depressed = true;
    thread.state = 'waiting';
    this.scheduler.requeueDepressed(thread);
    yield* this.scheduler.block(thread);
    return KERN.ABORTED;
  }

  /**
   * thread_switch(THREAD_NULL, SWITCH_OPTION_DEPRESS, ms) (OSF MK kern/syscall_subr.c): `thread`
   * depresses its priority, thread_block(AST_QUANTUM) lets the other runnable threads run, and
   * when it runs again it aborts its own depression (thread_depress_abort of its activation), so
   * the depression timer never fires. Here the yield puts it behind the threads of its own
   * priority (not at DEPRESSPRI). A kernel-loaded caller calls it without the trap.
   */
  *depressYield(thread: Thread): Operation<number> {
    this.depressPriority(thread);
    yield* this.scheduler.yieldCpu(thread);
    this.execute(this.paths.threadDepressSelfAbort);
    this.scheduler.splPair();
    this.memory.touchUpdate(thread.address, 16);
    return KERN.SUCCESS;
  }

  /** thread_switch's option switch and thread_depress_priority (with its splsched/splx pair). */
  private depressPriority(thread: Thread): void {
    this.execute(this.paths.threadDepress);
    this.scheduler.splPair();
    this.memory.touchUpdate(thread.address, 16);
  }

  /**
   * thread_depress_abort(name) (OSF MK syscall_thread_depress_abort): `name` in `space` denotes a
   * thread port; a depressed thread gets its priority back and runs again. KERN_NOT_DEPRESSED if
   * it is not depressed, KERN_INVALID_ARGUMENT if the name is no live thread's port.
   */
  depressAbort(space: IpcSpace, name: number): number {
    this.execute(this.paths.entryLookup);
    const index = space.lookup(name);
    const port = index < 0 ? undefined : space.objectOf(index);
    const target = port === undefined ? undefined : this.threadOf(port);
    if (port === undefined || target === undefined) return KERN.INVALID_ARGUMENT;
    this.memory.touch(port.address, this.p.portBytes);
    this.execute(this.paths.threadDepressAbort);
    this.scheduler.splPair();
    this.memory.touchUpdate(target.address, 16);
    if (!target.depressed) return KERN.NOT_DEPRESSED;
    target.depressed = false;
    if (target.state === 'waiting') this.scheduler.undepress(target);
    return KERN.SUCCESS;
  }

  /** The end of a trap: termination or suspension requested meanwhile, ASTs, the exit path. */
  private *returnFromTrap(thread: Thread): Activity {
    if (!thread.task.active || thread.suspendCount === Number.POSITIVE_INFINITY) yield* this.terminateSelf(thread);
    if (thread.suspendCount > 0) {
      thread.state = 'suspended';
      yield* this.scheduler.block(thread);
    }
    yield* this.scheduler.checkAst(thread);
    yield* this.leaveToUser(thread);
  }

  /**
   * `int $0x80`: redirected to the task's emulator if it has one (task_set_emulation); else an
   * EXC_SYSCALL exception with the thread's state (exception_raise_state), whose handler's reply
   * sets the registers: how OSF MK hands MkLinux its processes' system calls.
   */
  private *unixSyscall(): Activity {
    const thread = this.scheduler.current!;
    this.enter(thread, MACH_VECTOR.unixSyscall, this.paths.syscallEntry);
    const redirect = thread.task.syscallRedirect;
    if (redirect === null) {
      if (yield* this.exceptions.raiseState(thread, EXC.SYSCALL, thread.registers[REG.EAX], 0)) {
        yield* this.returnFromTrap(thread);
        return;
      }
      this.leave(thread);
      yield* this.terminateSelf(thread);
      return;
    }
    // the kernel rewrites the return frame to the emulator's entry and returns to user mode
    this.leave(thread);
    yield* redirect(thread, thread.registers);
  }

  /** Page faults and protection faults from user mode: vm_fault, else an exception message. */
  private *userException(fault: MachineFault | null): Activity {
    const thread = this.scheduler.current!;
    if (fault === null) throw new Error('exception without a fault record');
    if ((fault.errorCode & PAGE_FAULT_USER) === 0 && fault.vector === VECTOR.pageFault) {
      throw new Error(`kernel-mode page fault at 0x${fault.address.toString(16)} outside copyin/copyout`);
    }
    const cpu = this.cpu;
    cpu.gateFromUser(fault.vector);
    thread.kernelEnteredAt = cpu.now;
    cpu.cpl = 0;
    cpu.interruptsEnabled = false;
    this.execute(this.paths.exceptionEntry);
    let result: number = KERN.INVALID_ADDRESS;
    if (fault.vector === VECTOR.pageFault) result = yield* thread.task.map.fault(thread, fault.address, (fault.errorCode & PAGE_FAULT_WRITE) !== 0);
    const point = this.tracePoints.fault;
    if (point.enabled) point.emit(cpu.now, { task: thread.task.name, address: fault.address, write: (fault.errorCode & PAGE_FAULT_WRITE) !== 0, result });
    let handled = false;
    if (result !== KERN.SUCCESS) {
      handled = yield* this.exceptions.raise(thread, EXC.BAD_ACCESS, result, fault.address);
      if (!handled) yield* this.terminateSelf(thread);
    }
    yield* this.scheduler.checkAst(thread);
    yield* this.leaveToUser(thread);
    const resume = thread.task.exceptionResume;
    if (handled && resume !== null) yield* resume(thread);
  }

  /** hardclock: tick accounting; on return to user mode, preempts a thread whose quantum expired. */
  private *clockInterrupt(): Activity {
    const cpu = this.cpu;
    const wasUser = cpu.cpl === 3;
    // hardclock's STAT_TIME accounting (no instructions counted for it: part of clockInterrupt),
    // for the thread that ran when the tick became due, in the mode it was in then: the model
    // takes the interrupt at the next exit to user mode, perhaps after switches
    const at = this.machine.pit.lastTickAt;
    const sampled = this.scheduler.running.valueAt(at);
    if (sampled !== null) {
      if (userModeAt(sampled, at)) sampled.userTicks++;
      else sampled.systemTicks++;
    }
    this.interruptGate(wasUser, MACH_VECTOR.clock);
    this.execute(this.paths.interruptEntry);
    this.scheduler.splChange(true); // raise to the clock's IPL (i386/interrupt.S → set_spl_noi)
    this.execute(this.paths.clockInterrupt);
    this.machine.pic.endOfInterrupt(0);
    cpu.charge(this.p.eoiWrites * this.machine.parameters.isaIoAccess, CAT.device);
    // rtclock_intr: the realtime clock's time, and clock_alarm_intr for the alarms now due
    this.clock.tick();
    this.scheduler.splChange(true); // back to the interrupted IPL
    const thread = this.scheduler.current;
    if (wasUser && thread !== null && this.scheduler.quantumExpired(thread)) {
      this.preemptions++;
      yield* this.scheduler.yieldCpu(thread);
    } else if (wasUser && thread !== null) {
      yield* this.scheduler.checkAst(thread);
    }
    this.interruptReturn(wasUser);
  }

  /**
   * Interrupts of devices without a Mach driver in this model (console input): acknowledged, and
   * posted to the interrupt port registered for the IRQ if any, else dropped.
   */
  private *spuriousInterrupt(irq: number): Activity {
    const cpu = this.cpu;
    const wasUser = cpu.cpl === 3;
    this.interruptGate(wasUser, 0x20 + irq);
    this.execute(this.paths.interruptEntry);
    cpu.charge(this.p.eoiWrites * this.machine.parameters.isaIoAccess, CAT.device);
    this.machine.pic.endOfInterrupt(irq);
    this.postInterrupt(irq);
    const current = this.scheduler.current;
    if (wasUser && current !== null) yield* this.scheduler.checkAst(current);
    this.interruptReturn(wasUser);
  }

  /**
   * Posts IRQ `irq` to a server: from now on the kernel's handler for it sends a message
   * (id MSG_ID.interruptNotify, the IRQ number as its one integer) to `port` after doing its own
   * work; the server's interrupt thread receives it. This is how a user-level server such as
   * MkLinux's Linux server learns of device events the kernel's drivers handle (OSF MK sends it
   * device replies; this model has one notification message per interrupt). Null: stop posting.
   */
  setInterruptPort(irq: number, port: Port | null): void {
    if (port === null) this.interruptPorts.delete(irq);
    else this.interruptPorts.set(irq, port);
  }

  /** Sends the interrupt notification of `irq`, if a port is registered for it. */
  postInterrupt(irq: number): void {
    const port = this.interruptPorts.get(irq);
    if (port === undefined || !port.active) return;
    port.sendRights++;
    const kmsg = this.interruptWriter.begin(port, MSG_TYPE_PORT_SEND, MSG_ID.interruptNotify, MSG_HEADER_BYTES + 8);
    if (kmsg === null) return;
    this.interruptWriter.int(irq);
    this.msg.deliver(this.interruptWriter.finish());
  }

  // ---- ports ----------------------------------------------------------------------------------

  /** ipc_port_alloc: a new active port with no rights. */
  newPort(): Port {
    const address = this.portZone.allocate();
    if (address < 0) throw new Error('out of kernel memory for ports');
    this.memory.touchWrite(address, this.p.portBytes);
    const port = new Port(address, this.nextPortId++, this.p.queueLimit);
    this.ports.set(address, port);
    return port;
  }

  portAt(address: number): Port | undefined {
    return this.ports.get(address);
  }

  /** A new port whose receive right is named in `task`'s space; the name, or -1. */
  allocateReceiveRight(task: Task): number {
    const port = this.newPort();
    const index = task.space.allocate(port, TYPE_RECEIVE, 0);
    if (index < 0) return -1;
    port.receiver = task.space;
    return task.space.nameOf(index);
  }

  /**
   * Bootstrap helper (what a name server would do): gives `target` a send right made from, or
   * copied from, the right `name` of `holder`. Returns the name in `target`, or -1.
   */
  grantSendRight(holder: Task, name: number, target: Task): number {
    const index = holder.space.lookup(name);
    if (index < 0 || (holder.space.typeOf(index) & (TYPE_RECEIVE | TYPE_SEND)) === 0) return -1;
    const port = holder.space.objectOf(index)!;
    port.sendRights++;
    if ((holder.space.typeOf(index) & TYPE_RECEIVE) !== 0) port.makeSendCount++;
    return copyout(this, target.space, port, MSG_TYPE_PORT_SEND);
  }

  /**
   * mach_port_request_notification(task, name, MACH_NOTIFY_DEAD_NAME, sync, notify)
   * (ipc/ipc_right.c ipc_right_dnrequest): when the port that `name` denotes dies, a dead-name
   * notification carrying `name` goes through the send-once right `notify` (at once if `name`
   * already is a dead name). Deallocating the name first sends a port-deleted notification
   * instead. A request already registered for the name is replaced and its send-once right given
   * back as `previous`; a null `notify` only cancels (what MkLinux's osfmach3_notify_deregister
   * does before the process's task and thread go).
   */
  requestDeadName(task: Task, name: number, notify: Port | null): { readonly result: number; readonly previous: Port | null } {
    const space = task.space;
    const index = space.lookup(name);
    if (index < 0) return { result: KERN.INVALID_NAME, previous: null };
    checkDead(space, index);
    const type = space.typeOf(index);
    if ((type & TYPE_DEAD_NAME) !== 0) {
      if (notify !== null) this.msg.notify(notify, MACH_NOTIFY.DEAD_NAME, name);
      return { result: KERN.SUCCESS, previous: null };
    }
    if ((type & (TYPE_SEND | TYPE_SEND_ONCE)) === 0) return { result: KERN.INVALID_RIGHT, previous: null };
    const port = space.objectOf(index)!;
    const requests = port.deadNameRequests;
    const at = requests.findIndex((request) => request.space === space && request.name === name);
    const previous = at < 0 ? null : requests.splice(at, 1)[0].notify;
    if (notify !== null) {
      // ipc_port_dnrequest finds no table on a port's first request: ipc_port_dngrow makes one
      if (!port.hasRequestTable) this.execute(this.paths.portDnrequestGrow);
      port.hasRequestTable = true;
      requests.push({ space, name, notify });
    }
    return { result: KERN.SUCCESS, previous };
  }

  /** The name `name` of `space` no longer denotes `port`: its dead-name request becomes a port-deleted notification. */
  private nameDeleted(space: IpcSpace, name: number, port: Port | undefined): void {
    if (port === undefined) return;
    const requests = port.deadNameRequests;
    for (let i = requests.length - 1; i >= 0; i--) {
      const request = requests[i];
      if (request.space !== space || request.name !== name) continue;
      requests.splice(i, 1);
      this.msg.notify(request.notify, MACH_NOTIFY.PORT_DELETED, name);
    }
  }

  /** mach_port_allocate(PORT_SET): a new empty port set named in `task`'s space; the name, or -1. */
  allocatePortSet(task: Task): number {
    const address = this.portZone.allocate();
    if (address < 0) return -1;
    const set = new PortSet(address, this.nextPortId++);
    this.portSets.set(address, set);
    const index = task.space.allocateSet(set);
    return index < 0 ? -1 : task.space.nameOf(index);
  }

  /**
   * mach_port_move_member(task, member, after): moves receive right `member` into set `after`
   * (MACH_PORT_NULL: out of any set). Messages queued for the port move with it.
   */
  movePortMember(task: Task, member: number, after: number): number {
    const space = task.space;
    const index = space.lookup(member);
    if (index < 0) return KERN.INVALID_NAME;
    if ((space.typeOf(index) & TYPE_RECEIVE) === 0) return KERN.INVALID_RIGHT;
    let target: PortSet | null = null;
    if (after !== 0) {
      const setIndex = space.lookup(after);
      if (setIndex < 0) return KERN.INVALID_NAME;
      target = space.setOf(setIndex) ?? null;
      if (target === null) return KERN.INVALID_RIGHT;
    }
    const port = space.objectOf(index)!;
    const from = port.queue;
    const moving = from.messages.filter((kmsg) => kmsg.destination === port);
    if (port.portSet !== null) port.portSet.members.splice(port.portSet.members.indexOf(port), 1);
    if (from !== port) from.messages.splice(0, from.messages.length, ...from.messages.filter((kmsg) => kmsg.destination !== port));
    else port.messages.length = 0;
    port.portSet = target;
    if (target !== null) target.members.push(port);
    port.queue.messages.push(...moving);
    return KERN.SUCCESS;
  }

  /**
   * Destroys a port set whose name is gone: its members leave it (with their messages); its
   * receivers wake with MACH_RCV_PORT_DIED; its element goes back to the zone.
   */
  destroyPortSet(set: PortSet): void {
    if (!set.active) return;
    set.active = false;
    for (const member of set.members.splice(0)) {
      const mine = set.messages.filter((kmsg) => kmsg.destination === member);
      member.portSet = null;
      member.messages.push(...mine);
    }
    set.messages.length = 0;
    this.msg.portDied(set);
    this.portSets.delete(set.address);
    this.portZone.release(set.address);
  }

  /** convert_port_to_task: the live task whose task port is `port`, if any. */
  taskOf(port: Port): Task | undefined {
    return this.tasks.find((task) => task.active && task.selfPort === port);
  }

  /** convert_port_to_thread: the live thread whose thread port is `port`, if any. */
  threadOf(port: Port): Thread | undefined {
    for (const task of this.tasks) {
      const thread = task.active ? task.threads.find((t) => t.selfPort === port) : undefined;
      if (thread !== undefined) return thread;
    }
    return undefined;
  }

  /** Gives `task` a send right to a kernel port (the master device port, a task port); its name. */
  grantKernelPort(task: Task, port: Port): number {
    port.sendRights++;
    return copyout(this, task.space, port, MSG_TYPE_PORT_SEND);
  }

  /**
   * mach_port_insert_right(task, name, right): installs a send or send-once right in transit
   * under `name`. A send right may join the send or receive right the name already denotes for
   * the same port; otherwise the name must be free (KERN_NAME_EXISTS) and the port must have no
   * other name there (KERN_RIGHT_EXISTS). On failure the right is released.
   */
  insertRight(task: Task, name: number, port: Port, transit: number): number {
    const space = task.space;
    const fail = (code: number) => {
      releaseRight(port, transit, undefined, this.msg.notifySendOnce);
      return code;
    };
    if (name === 0 || name === MACH_PORT_DEAD) return fail(KERN.INVALID_VALUE);
    if (transit !== MSG_TYPE_PORT_SEND && transit !== MSG_TYPE_PORT_SEND_ONCE) return fail(KERN.INVALID_VALUE);
    const index = space.lookup(name);
    if (index >= 0) {
      const type = space.typeOf(index);
      if (transit !== MSG_TYPE_PORT_SEND || space.objectOf(index) !== port || (type & (TYPE_SEND | TYPE_RECEIVE)) === 0) return fail(KERN.NAME_EXISTS);
      if ((type & TYPE_SEND) !== 0) port.sendRights--;
      space.setBits(index, type | TYPE_SEND, space.urefsOf(index) + 1);
      space.noteReverse(port, index);
      return KERN.SUCCESS;
    }
    if (transit === MSG_TYPE_PORT_SEND && space.reverseLookup(port) >= 0) return fail(KERN.RIGHT_EXISTS);
    const type = transit === MSG_TYPE_PORT_SEND ? TYPE_SEND : TYPE_SEND_ONCE;
    if (space.allocateNamed(name, port, type, 1) < 0) return fail(KERN.NAME_EXISTS);
    return KERN.SUCCESS;
  }

  /** mach_port_deallocate: drops one user reference of a send, send-once or dead-name right. */
  portDeallocate(task: Task, name: number): number {
    const space = task.space;
    this.execute(this.paths.entryLookup);
    const index = space.lookup(name);
    if (index < 0) return KERN.INVALID_NAME;
    checkDead(space, index);
    const type = space.typeOf(index);
    const urefs = space.urefsOf(index);
    const port = space.objectOf(index);
    if ((type & TYPE_SEND_ONCE) !== 0) {
      space.free(index);
      this.nameDeleted(space, name, port);
      this.msg.sendOnceDestroyed(port!);
    } else if ((type & (TYPE_SEND | TYPE_DEAD_NAME)) !== 0) {
      if (urefs > 1) space.setBits(index, type, urefs - 1);
      else {
        if ((type & TYPE_SEND) !== 0) {
          port!.sendRights--;
          this.nameDeleted(space, name, port);
        }
        if ((type & TYPE_RECEIVE) !== 0) space.setBits(index, TYPE_RECEIVE, 0);
        else space.free(index);
      }
    } else {
      return KERN.INVALID_RIGHT;
    }
    return KERN.SUCCESS;
  }

  /** mach_port_destroy: removes every right named `name`; a receive right destroys the port. */
  portDestroy(task: Task, name: number): number {
    const space = task.space;
    const index = space.lookup(name);
    if (index < 0) return KERN.INVALID_NAME;
    checkDead(space, index);
    const type = space.typeOf(index);
    if ((type & TYPE_PORT_SET) !== 0) {
      const set = space.setOf(index);
      space.free(index);
      if (set !== undefined) this.destroyPortSet(set);
      return KERN.SUCCESS;
    }
    const port = space.objectOf(index);
    if (port !== undefined && (type & TYPE_SEND) !== 0) port.sendRights--;
    space.free(index);
    if ((type & TYPE_RECEIVE) === 0) this.nameDeleted(space, name, port);
    if (port !== undefined && (type & TYPE_SEND_ONCE) !== 0) this.msg.sendOnceDestroyed(port);
    if ((type & TYPE_RECEIVE) !== 0 && port !== undefined) {
      port.receiver = null;
      this.destroyPort(port);
    }
    return KERN.SUCCESS;
  }

  /**
   * ipc_port_destroy: the receive right is gone. Queued messages are destroyed, waiters wake with
   * errors, and the send rights elsewhere turn into dead names when next used. If the receive
   * right's entry also held send rights, that name becomes a dead name now.
   */
  destroyPort(port: Port): void {
    if (!port.active) return;
    port.active = false;
    port.kobject = null;
    const set = port.portSet;
    if (set !== null) {
      set.members.splice(set.members.indexOf(port), 1);
      const mine = set.messages.filter((kmsg) => kmsg.destination === port);
      set.messages.splice(0, set.messages.length, ...set.messages.filter((kmsg) => kmsg.destination !== port));
      port.portSet = null;
      port.messages.push(...mine);
    }
    const space = port.receiver;
    if (space !== null) {
      const index = space.reverseLookup(port);
      if (index >= 0) {
        const type = space.typeOf(index);
        if ((type & TYPE_SEND) !== 0) {
          port.sendRights--;
          space.makeDeadName(index, space.urefsOf(index));
        } else space.free(index);
      }
      port.receiver = null;
    }
    this.msg.portDied(port);
    for (const request of port.deadNameRequests.splice(0)) this.msg.notify(request.notify, MACH_NOTIFY.DEAD_NAME, request.name);
    this.deadPorts.push(port);
  }

  /**
   * zone_info: elements in use per zone (the kernel's object zones, the kmsg zone and kalloc's),
   * by zone name; what a leak of kernel memory shows as before it costs a whole frame.
   */
  zoneElements(): Map<string, number> {
    const zones = [this.portZone, this.mapEntryZone, this.copyZone, this.objectZone, this.threadZone, this.taskZone, this.spaceZone, this.kmsgs.zone, ...this.kalloc.zones];
    return new Map(zones.map((zone) => [zone.name, zone.allocated]));
  }

  /**
   * ipc_port_release of the last reference, deferred: a dead port's element returns to the port
   * zone once no send or send-once right to it is left (a space's entry names a port by its
   * address, so the element may be reused only then). Mach frees at the last ip_release; this
   * model sweeps the dead ports when a thread or task terminates, which is when most of them die.
   */
  private reclaimPorts(): void {
    const dead = this.deadPorts;
    let kept = 0;
    for (const port of dead) {
      if (port.sendRights > 0 || port.sendOnceRights > 0 || port.receiver !== null) dead[kept++] = port;
      else if (this.ports.get(port.address) === port) {
        this.ports.delete(port.address);
        this.portZone.release(port.address);
      }
    }
    dead.length = kept;
  }

  // ---- VM objects -----------------------------------------------------------------------------

  createObject(size: number, shadow: VmObject | null = null, shadowOffset = 0): VmObject {
    const address = this.objectZone.allocate();
    if (address < 0) throw new Error('out of kernel memory for VM objects');
    this.memory.touchWrite(address, this.p.objectBytes);
    return new VmObject(address, this.nextObjectId++, size, shadow, shadowOffset);
  }

  /** vm_object_deallocate: the last reference frees the pages and releases the shadow. */
  deallocateObject(object: VmObject): void {
    let current: VmObject | null = object;
    while (current !== null) {
      current.references--;
      if (current.references > 0) return;
      if (!current.borrowed) for (const frame of current.pages.values()) this.memory.frames.release(frame);
      current.pages.clear();
      this.pagers.forget(current);
      if (current.pager !== null) current.pager.sendRights--;
      this.objectZone.release(current.address);
      current = current.shadow;
    }
    this.pagesFreed();
  }

  /**
   * VM_PAGE_WAIT: `thread`, whose fault found no frame it may take, sleeps until frames are
   * freed (a task or thread ends, an object goes); the fault is then tried again.
   */
  *pageWait(thread: Thread): Activity {
    this.pageWaiters.push(thread);
    thread.state = 'waiting';
    yield* this.scheduler.block(thread);
  }

  /** vm_page_free's wakeup of the threads in {@link pageWait}. */
  private pagesFreed(): void {
    if (this.pageWaiters.length === 0) return;
    for (const thread of this.pageWaiters.splice(0)) if (thread.state === 'waiting') this.scheduler.setrun(thread);
  }

  /** The frame holding page `index` of `object` or of its shadows, or -1. */
  findPage(object: VmObject, index: number): number {
    let current: VmObject | null = object;
    let at = index;
    while (current !== null) {
      const frame = current.pages.get(at);
      if (frame !== undefined) return frame;
      at += current.shadowOffset / PAGE_SIZE;
      current = current.shadow;
    }
    return -1;
  }

  /** A private physical copy of an entry's pages (for objects shared writably). */
  physicalCopy(_map: VmMap, entry: VmMapEntry): VmObject {
    const object = this.createObject(entry.end - entry.start);
    const pages = (entry.end - entry.start) / PAGE_SIZE;
    for (let i = 0; i < pages; i++) {
      const frame = this.findPage(entry.object!, entry.offset / PAGE_SIZE + i);
      if (frame < 0) continue;
      const copy = this.memory.allocateFrame();
      if (copy < 0) break;
      this.cpu.copy(kernelLinear(frame), kernelLinear(copy), PAGE_SIZE, false, false);
      object.pages.set(i, copy);
    }
    return object;
  }

  /**
   * vm_write's data movement: faults the target pages in for writing (copy-on-write breaks as on
   * a user write) and copies the data of `copy` into them, page by page, through the kernel
   * mapping. Returns KERN_*.
   */
  *writeTask(task: Task, address: number, copy: VmMapCopy, thread: Thread): Generator<void, number, void> {
    let position = 0;
    for (const piece of copy.pieces) {
      for (let page = 0; page < piece.size && position < copy.size; page += PAGE_SIZE, position += PAGE_SIZE) {
        const target = address + position;
        let pte = task.map.pmap.lookup(target);
        if ((pte & 1) === 0 || (pte & PG_WRITABLE) === 0) {
          const result = yield* task.map.fault(thread, target, true);
          if (result !== KERN.SUCCESS) return result;
          pte = task.map.pmap.lookup(target);
        }
        const source = this.findPage(piece.object, (piece.offset + page) / PAGE_SIZE);
        const length = Math.min(PAGE_SIZE, copy.size - position);
        if (source >= 0) this.cpu.copy(kernelLinear(source), kernelLinear(pte & 0xfffff000), length, false, false);
        else this.machine.memory.fill(pte & 0xfffff000, length, 0);
      }
    }
    return KERN.SUCCESS;
  }

  /** vm_map_copy_discard. */
  deallocateCopy(copy: VmMapCopy): void {
    for (const piece of copy.pieces) this.deallocateObject(piece.object);
    this.copyZone.release(copy.address);
  }

  /** Reads a user word of `task` without timing (tests, inspection). */
  peek32(task: Task, address: number): number | undefined {
    const view = this.machine.inspector.translate(address, task.map.pmap.directory);
    return view.physical === null ? undefined : this.machine.memory.read32(view.physical);
  }

  /** Touches user memory of the current task for timing (used by the guest API). */
  touchUser(address: number, length: number): number {
    return this.cpu.access(address, length, ACCESS_READ, true);
  }
}
