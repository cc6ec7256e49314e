import { FrameAllocator } from '../base/frameAllocator';
import type { ParameterRow } from '../base/parameters';
import type { Counter } from '../base/stats';
import type { TracePoint } from '../base/trace';
import { PAGE_FAULT_USER, PAGE_FAULT_WRITE, VECTOR, type MachineFault } from '../base/result';
import { ACCESS_READ, ACCESS_WRITE, CAT, type CodePath } from '../machine/cpu';
import { ExecutionContext, type Activity } from '../machine/executionContext';
import { GuardedActivity, type BodyOutcome } from '../machine/guardedActivity';
import type { Machine } from '../machine/machine';
import { makeLargePde, makePde, makePte, PG_PRESENT, PG_USER, PG_WRITABLE } from '../machine/paging';
import { Interrupts } from './interrupts';
import { isIoFpage } from './fpage';
import { IoSpace } from './ioSpace';
import { Ipc } from './ipc';
import {
  KERNEL_CODE,
  KERNEL_CODE_PHYSICAL,
  KERNEL_LINEAR,
  kernelLinear,
  MAPPING_NODES_BYTES,
  MAPPING_NODES_PHYSICAL,
  IDT_PHYSICAL,
  GDT_PHYSICAL,
  TSS_PHYSICAL,
  KERNEL_CS,
  USER_CS,
  USER_DS,
  PAGE_TABLE_POOL_BYTES,
  PAGE_TABLE_POOL_PHYSICAL,
  SIGMA0_MEMORY_PHYSICAL,
  SMALL_SPACE_AREA,
  TCB_AREA_BYTES,
  TCB_AREA_PHYSICAL,
  TCB_LINEAR,
  USER_LIMIT,
  WINDOW_LINEAR,
} from './kernelLayout';
import { l4Parameters, type L4Overrides, type L4Parameters } from './l4Parameters';
import { L4Scheduler } from './l4Scheduler';
import { MappingDatabase, type MappingHost, type MappingNode } from './mappingDatabase';
import { SmallSpaces } from './smallSpaces';
import { Task, type SmallSpaceSlot } from './task';
import { THREAD_STATE, WAKE, type ExceptionFrame, Thread } from './thread';
import { RunHistory, userModeAt } from '../base/runHistory';
import { formatId, isNilId, lthreadOf, MAX_TASKS, taskOf, THREAD_ID_HIGH, THREAD_ID_LOW, versionOf } from './threadId';
import type { GuestEntry } from './guestApi';
import { L4Api } from './guestApi';
import { sigma0Program } from './sigma0';

/** The send or receive descriptor of an IPC that has no send (or no receive) part (L4/x86 v2: all ones). */
const SEND_NONE_WORD = 0xffffffff;

/** Boot options of the L4 kernel. */
export interface L4KernelOptions {
  /** Cost-table overrides (what-if runs). */
  readonly parameters?: L4Overrides;
  /** Allow small address spaces (thread_schedule's small field); default true. */
  readonly smallSpaces?: boolean;
  /** Start the PIT (time slices, timeouts are exact events regardless); default true. */
  readonly timer?: boolean;
  /** The root task's program (task 4); default: none. */
  readonly root?: GuestEntry;
}

/** Well-known task numbers of L4/x86 v2: sigma0 is task 2, the root task task 4. */
export const SIGMA0_TASK = 2;
/** Task number of the root task started at boot. */
export const ROOT_TASK = 4;

/** System-call vectors (pentium-parameters.md §2). */
export const SYSCALL = {
  ipc: 0x30,
  idNearest: 0x31,
  fpageUnmap: 0x32,
  threadSwitch: 0x33,
  threadSchedule: 0x34,
  lthreadExRegs: 0x35,
  taskNew: 0x36,
} as const;

/** The software trap that a Linux binary uses, reflected to the thread's handler on L4. */
export const LINUX_SYSCALL_VECTOR = 0x80;

/**
 * The L4 µ-kernel (L4/x86 version 2 API) on the simulated Pentium: boot (kernel memory,
 * sigma0, root task), the IDT (system calls 0x30-0x36, #PF, #GP and other exceptions, hardware
 * interrupts), thread switching with the address-space switch, and the system calls other than
 * IPC (which is in {@link Ipc}).
 */
export class L4Kernel {
  readonly p: L4Parameters;
  readonly parameterRows: ParameterRow[];
  readonly scheduler = new L4Scheduler();
  readonly tasks: Array<Task | null> = new Array(MAX_TASKS).fill(null);
  readonly pageTablePool: FrameAllocator;
  readonly mappings: MappingDatabase;
  /** I/O ports: their mapping database and the tasks' I/O permission bitmaps. */
  readonly io: IoSpace;
  readonly smallSpaces = new SmallSpaces();
  readonly interrupts = new Interrupts();
  /**
   * The thread the last clock tick (IRQ 0) interrupted (null: the idle loop), and whether it was
   * in user mode: read by a user-level kernel's timer thread for its per-process accounting (as
   * L4Linux's do_timer decides between user and system time). Written at the tick, costs nothing.
   */
  tickInterrupted: { readonly thread: Thread | null; readonly userMode: boolean; readonly at: number } = { thread: null, userMode: false, at: 0 };
  /** The thread on the CPU (null: idle) since each recent switch, for {@link tickInterrupted}. */
  private readonly running = new RunHistory<Thread | null>(null);
  readonly ipc: Ipc;
  readonly bootLog: string[] = [];
  /** Unhandled exceptions, killed tasks: one line each. */
  readonly reports: string[] = [];
  readonly smallSpacesEnabled: boolean;
  readonly masterDirectory: number;
  /** The thread now running (null while idle). */
  current: Thread | null = null;
  readonly idle: ExecutionContext;
  readonly paths: Readonly<Record<keyof typeof KERNEL_CODE, CodePath>>;
  private readonly entries: GuestEntry[] = [];
  private readonly entryHandles = new Map<GuestEntry, number>();
  private readonly tcbFrames = new FrameAllocator(TCB_AREA_PHYSICAL / 4096, TCB_AREA_BYTES / 4096);
  /** End of physical memory. */
  readonly memoryEnd: number;
  /** Declared statistics (STYLE.md §5). */
  readonly counters: {
    readonly systemCalls: Counter;
    readonly pageFaults: Counter;
    readonly exceptions: Counter;
    readonly interrupts: Counter;
  };

  /** Named trace points (off by default): IPC system calls, user page faults, thread switches. */
  private readonly tracePoints: { ipc: TracePoint; pageFault: TracePoint; switch: TracePoint };

  constructor(readonly machine: Machine, options: L4KernelOptions = {}) {
    this.tracePoints = {
      ipc: machine.trace.point('l4.ipc', 'an IPC system call: thread, destination (send part, or none), whether it also receives'),
      pageFault: machine.trace.point('l4.pageFault', 'a user page fault sent to the pager: thread, pager, address, write'),
      switch: machine.trace.point('l4.switch', 'a thread switch: from, to, and whether the address space (CR3) was reloaded'),
    };
    const table = l4Parameters(options.parameters);
    this.p = table.values;
    this.parameterRows = table.rows();
    this.smallSpacesEnabled = options.smallSpaces ?? true;
    const cpu = machine.cpu;
    this.memoryEnd = machine.memory.size;
    this.pageTablePool = new FrameAllocator(PAGE_TABLE_POOL_PHYSICAL / 4096, PAGE_TABLE_POOL_BYTES / 4096);
    // 7/8 of the node area for memory pages, 1/8 for I/O ports
    const memoryNodeBytes = (MAPPING_NODES_BYTES / 8) * 7;
    this.mappings = new MappingDatabase(this.mappingHost(), MAPPING_NODES_PHYSICAL, this.p.mappingNodeBytes, Math.floor(memoryNodeBytes / this.p.mappingNodeBytes));
    const ioNodes = Math.floor((MAPPING_NODES_BYTES - memoryNodeBytes) / this.p.mappingNodeBytes);
    this.io = new IoSpace(cpu, machine.memory, this.pageTablePool, this.p, () => this.tasks[SIGMA0_TASK] ?? null, MAPPING_NODES_PHYSICAL + memoryNodeBytes, ioNodes);
    this.paths = this.declarePaths();
    const stats = machine.stats;
    this.counters = {
      systemCalls: stats.counter('l4.systemCalls', 'calls', 'L4 system calls (int 0x30-0x36)'),
      pageFaults: stats.counter('l4.pageFaults', 'faults', 'user page faults sent to pagers'),
      exceptions: stats.counter('l4.exceptions', 'exceptions', 'exceptions and traps reflected or reported'),
      interrupts: stats.counter('l4.interrupts', 'interrupts', 'hardware interrupts taken by the kernel'),
    };
    this.ipc = new Ipc(this, stats);

    // the kernel's own page directory: all physical memory at KERNEL_LINEAR in 4 MB pages
    this.masterDirectory = this.pageTablePool.allocate();
    machine.memory.bytes.fill(0, this.masterDirectory, this.masterDirectory + 4096);
    for (let physical = 0; physical < this.memoryEnd; physical += 0x400000) {
      machine.memory.write32(this.masterDirectory + 4 * ((KERNEL_LINEAR + physical) >>> 22), makeLargePde(physical, PG_WRITABLE));
    }
    cpu.pse = true;
    cpu.loadCr3(this.masterDirectory);
    cpu.loadUserSegment(0, USER_LIMIT);
    cpu.descriptorTables = {
      idt: kernelLinear(IDT_PHYSICAL), gdt: kernelLinear(GDT_PHYSICAL), tss: kernelLinear(TSS_PHYSICAL),
      kernelCode: KERNEL_CS, userCode: USER_CS, userStack: USER_DS,
    };
    this.log(`L4/x86 (version 2 API) on ${machine.describe().summary}`);
    this.log(`kernel: code at 0x${kernelLinear(KERNEL_CODE_PHYSICAL).toString(16)}, virtual TCB array (${this.p.tcbBytes} B slots, 4 KB pages) at 0x${TCB_LINEAR.toString(16)}, physical memory at 0x${KERNEL_LINEAR.toString(16)} (4 MB pages)`);
    this.log(`small address spaces: ${this.smallSpacesEnabled ? `on (512 MB at 0x${SMALL_SPACE_AREA.toString(16)})` : 'off'}`);

    // IDT
    const idt = cpu.idt;
    idt[SYSCALL.ipc] = () => this.ipc.ipc(this.current!, true);
    idt[SYSCALL.idNearest] = () => this.systemCall(SYSCALL.idNearest);
    idt[SYSCALL.fpageUnmap] = () => this.systemCall(SYSCALL.fpageUnmap);
    idt[SYSCALL.threadSwitch] = () => this.systemCall(SYSCALL.threadSwitch);
    idt[SYSCALL.threadSchedule] = () => this.systemCall(SYSCALL.threadSchedule);
    idt[SYSCALL.lthreadExRegs] = () => this.systemCall(SYSCALL.lthreadExRegs);
    idt[SYSCALL.taskNew] = () => this.systemCall(SYSCALL.taskNew);
    idt[VECTOR.pageFault] = (_v, fault) => this.pageFaultTrap(fault!);
    idt[VECTOR.generalProtection] = (_v, fault) => this.generalProtectionTrap(fault!);
    for (const vector of [VECTOR.divideError, VECTOR.debug, VECTOR.breakpoint, VECTOR.invalidOpcode, LINUX_SYSCALL_VECTOR]) {
      idt[vector] = (v, fault) => this.exceptionTrap(v, fault?.errorCode ?? 0);
    }
    machine.pic.setVectorBases(0x20, 0x28);
    for (let irq = 0; irq < 16; irq++) idt[0x20 + irq] = (vector) => this.interruptTrap(vector);

    this.idle = new ExecutionContext('l4.idle', () => this.idleLoop());

    // sigma0: all memory above the kernel's, mapped idempotently (the roots of the mapping trees)
    const sigma0 = this.createTask(SIGMA0_TASK, 0, 1);
    for (let physical = SIGMA0_MEMORY_PHYSICAL; physical < this.memoryEnd; physical += 4096) {
      const pte = sigma0.pteAddress(physical, this.pageTablePool);
      machine.memory.write32(pte, makePte(physical, PG_WRITABLE | PG_USER));
    }
    const s0 = this.createThread(sigma0, 0, 0, 0, this.registerEntry(sigma0Program(SIGMA0_MEMORY_PHYSICAL, this.memoryEnd)), 0x00ffff00);
    this.scheduler.setPriority(s0, 255);
    this.log(`sigma0: task ${SIGMA0_TASK}, owns ${((this.memoryEnd - SIGMA0_MEMORY_PHYSICAL) / 1048576).toFixed(0)} MB at 0x${SIGMA0_MEMORY_PHYSICAL.toString(16)}-0x${(this.memoryEnd - 1).toString(16)}, mapped idempotently`);
    if (options.root) {
      this.createBootTask(ROOT_TASK, options.root, { pager: s0 });
      this.log(`root task: task ${ROOT_TASK}, pager sigma0`);
    }
    if (options.timer ?? true) {
      machine.pit.start();
      this.log(`timer: PIT at ${machine.parameters.hz} Hz, time slice ${this.p.timeSliceMs} ms`);
    }
    cpu.current = this.idle;
  }

  get cpu() {
    return this.machine.cpu;
  }

  log(line: string): void {
    this.bootLog.push(line);
  }

  // ---- objects --------------------------------------------------------------------------

  /** Registers guest code and returns its entry handle (the EIP value that names it). */
  registerEntry(entry: GuestEntry): number {
    const known = this.entryHandles.get(entry);
    if (known !== undefined) return known;
    this.entries.push(entry);
    const handle = 0x1000 + 16 * (this.entries.length - 1);
    this.entryHandles.set(entry, handle);
    return handle;
  }

  entryOf(eip: number): GuestEntry | undefined {
    if (eip < 0x1000 || (eip - 0x1000) % 16 !== 0) return undefined;
    return this.entries[(eip - 0x1000) / 16];
  }

  /** Creates an empty task (address space with the kernel area). */
  createTask(number: number, chief: number, version: number): Task {
    const directory = this.pageTablePool.allocate();
    if (directory < 0) throw new Error('kernel page-table pool exhausted');
    const memory = this.machine.memory;
    memory.bytes.fill(0, directory, directory + 4096);
    // kernel and small-space PDEs are shared by every directory
    for (let index = SMALL_SPACE_AREA >>> 22; index < 1024; index++) memory.write32(directory + 4 * index, memory.read32(this.masterDirectory + 4 * index));
    const task = new Task(number, version, chief, directory, memory);
    this.tasks[number] = task;
    return task;
  }

  /**
   * Creates a boot module task (chief: the kernel, like sigma0) with lthread 0 running `entry`:
   * what the boot loader does for the root task and for the benchmark programs.
   */
  createBootTask(number: number, entry: GuestEntry, options: { pager?: Thread; priority?: number; small?: number } = {}): Thread {
    const task = this.createTask(number, 0, 1);
    const pager = options.pager ?? this.tasks[SIGMA0_TASK]!.threads[0]!;
    const thread = this.createThread(task, 0, pager.idLow, pager.idHigh, this.registerEntry(entry), 0);
    if (options.priority !== undefined) this.scheduler.setPriority(thread, options.priority);
    if (options.small !== undefined && options.small !== 0) this.setSmallSpace(task, options.small);
    return thread;
  }

  /** Creates (and, with an entry, starts) lthread `lthread` of `task`. */
  createThread(task: Task, lthread: number, pagerLow: number, pagerHigh: number, eip: number, esp: number): Thread {
    const linear = (TCB_LINEAR + (task.number * 128 + lthread) * this.p.tcbBytes) >>> 0;
    const physical = this.tcbPage(linear);
    const low = THREAD_ID_LOW.encode({ versionLow: task.version & 0x3ff, lthread, task: task.number, versionHigh: (task.version >>> 10) & 0xf });
    const high = THREAD_ID_HIGH.encode({ chief: task.chief });
    const ticks = Math.max(1, Math.round((this.p.timeSliceMs * this.machine.parameters.hz) / 1000));
    const thread = new Thread(task, lthread, physical, linear | 0, low, high, this.p.defaultPriority, ticks);
    thread.pagerLow = pagerLow;
    thread.pagerHigh = pagerHigh;
    task.threads[lthread] = thread;
    if (eip !== 0 && eip !== 0xffffffff) this.start(thread, eip, esp);
    return thread;
  }

  /**
   * Physical address of the TCB at virtual `linear`, mapping its 4 KB page of the TCB array
   * (and the array's page table, shared by every directory) on first use.
   */
  private tcbPage(linear: number): number {
    const memory = this.machine.memory;
    const index = linear >>> 22;
    let pde = memory.read32(this.masterDirectory + 4 * index);
    if ((pde & PG_PRESENT) === 0) {
      const table = this.pageTablePool.allocate();
      if (table < 0) throw new Error('kernel page-table pool exhausted');
      memory.bytes.fill(0, table, table + 4096);
      pde = makePde(table, PG_WRITABLE);
      memory.write32(this.masterDirectory + 4 * index, pde);
      for (const other of this.tasks) if (other) memory.write32(other.pageDirectory + 4 * index, pde);
    }
    const pteAddress = (pde & 0xfffff000) + 4 * ((linear >>> 12) & 0x3ff);
    let pte = memory.read32(pteAddress);
    if ((pte & PG_PRESENT) === 0) {
      const frame = this.tcbFrames.allocate();
      if (frame < 0) throw new Error('TCB frames exhausted');
      memory.bytes.fill(0, frame, frame + 4096);
      pte = makePte(frame, PG_WRITABLE);
      memory.write32(pteAddress, pte);
    }
    return ((pte & 0xfffff000) | (linear & 0xfff)) >>> 0;
  }

  /**
   * Whether the TCB of (task `number`, `lthread`) is backed or can be: it lies below the
   * communication window, and its page (and, if missing, the TCB array's page table, with
   * `poolReserve` more pool frames for the caller) can be allocated. Checked before a system
   * call creates a thread, so that kernel memory exhaustion is an error result, not a crash.
   */
  private tcbAvailable(number: number, lthread: number, poolReserve: number): boolean {
    const linear = TCB_LINEAR + (number * 128 + lthread) * this.p.tcbBytes;
    if (linear + this.p.tcbBytes > WINDOW_LINEAR) return false;
    const memory = this.machine.memory;
    const pde = memory.read32(this.masterDirectory + 4 * (linear >>> 22));
    if ((pde & PG_PRESENT) === 0) return this.tcbFrames.freeFrames > 0 && this.pageTablePool.freeFrames > poolReserve;
    return (memory.read32((pde & 0xfffff000) + 4 * ((linear >>> 12) & 0x3ff)) & PG_PRESENT) !== 0 || this.tcbFrames.freeFrames > 0;
  }

  /** Starts an inactive thread (or restarts an active one) at entry `eip`. */
  start(thread: Thread, eip: number, esp: number): boolean {
    const entry = this.entryOf(eip);
    if (entry === undefined) return false;
    thread.eip = eip;
    thread.esp = esp;
    const api = new L4Api(this, thread);
    thread.context = new ExecutionContext(`l4.${thread.name}`, () => this.threadLife(thread, entry, api), thread);
    thread.state = THREAD_STATE.ready;
    this.scheduler.enqueue(thread);
    return true;
  }

  /** The thread with id (low, high), if it exists and the version matches. */
  threadById(low: number, high: number): Thread | null {
    void high;
    const task = this.tasks[taskOf(low)];
    if (!task || !task.alive || versionOf(low) !== (task.version & 0x3fff)) return null;
    return task.threads[lthreadOf(low)] ?? null;
  }

  /** Whether `va` of `task` is mapped with the rights of `write` (no timing: a kernel probe). */
  probe(task: Task, va: number, write: boolean): boolean {
    const pte = task.readPte(va);
    return (pte & PG_PRESENT) !== 0 && (!write || (pte & PG_WRITABLE) !== 0);
  }

  // ---- clans and chiefs ------------------------------------------------------------------

  /**
   * The task a message from `from` to `to` is delivered to (L4 clans & chiefs): directly inside
   * the clan, to a direct subordinate, or to one's own chief; otherwise to the outermost chief
   * of `to` that lives in `from`'s clan, or else to `from`'s chief.
   */
  nearest(from: Task, to: Task): Task {
    if (to.chief === from.chief || to.chief === from.number || to.number === from.chief) return to;
    for (let inner: Task = to, guard = 0; guard < 16; guard++) {
      const chief = this.tasks[inner.chief];
      if (!chief || chief === inner) break;
      if (chief.chief === from.number || chief.chief === from.chief) return chief;
      inner = chief;
    }
    return this.tasks[from.chief] ?? to;
  }

  /** Is `task` inside the clan of `chief` (its chief, or its chief's chief, and so on)? */
  insideClan(task: Task, chief: Task): boolean {
    for (let inner: Task = task, guard = 0; guard < 16; guard++) {
      const next = this.tasks[inner.chief];
      if (!next || next === inner) return false;
      if (next === chief) return true;
      inner = next;
    }
    return false;
  }

  // ---- address spaces ----------------------------------------------------------------------

  /** Makes `task` a small space with number `number`; false if invalid or taken. */
  setSmallSpace(task: Task, number: number): boolean {
    if (!this.smallSpacesEnabled) return false;
    const slot = SmallSpaces.decode(number);
    if (slot === null) return false;
    // the task's used part must fit into the slot
    for (const [index] of task.pageTables()) if (index >= SMALL_SPACE_AREA >>> 22 || index * 0x400000 >= slot.bytes) return false;
    if (!this.smallSpaces.claim(slot, task.number)) return false;
    if (task.small) this.makeLarge(task);
    task.small = slot;
    for (const [index, table] of task.pageTables()) this.shareSmallTable(slot, index, table);
    return true;
  }

  /** Returns a small task to the 3 GB model (SOSP'97 §3: touching memory outside the slot). */
  makeLarge(task: Task): void {
    const slot = task.small;
    if (!slot) return;
    const memory = this.machine.memory;
    const first = slot.base >>> 22;
    for (let index = first; index < first + slot.bytes / 0x400000; index++) {
      for (const other of this.tasks) if (other) memory.write32(other.pageDirectory + 4 * index, 0);
      memory.write32(this.masterDirectory + 4 * index, 0);
    }
    this.smallSpaces.release(slot);
    task.small = null;
    // the shared entries may be cached: reload CR3 (charged as an address-space switch)
    this.cpu.loadCr3(this.cpu.cr3);
    if (this.current?.task === task) this.cpu.loadUserSegment(0, USER_LIMIT, this.p.smallSpaceSegmentLoads);
  }

  private shareSmallTable(slot: SmallSpaceSlot, index: number, table: number): void {
    const memory = this.machine.memory;
    const shared = (slot.base >>> 22) + index;
    const value = (table & 0xfffff000) | PG_PRESENT | PG_WRITABLE | PG_USER;
    memory.write32(this.masterDirectory + 4 * shared, value);
    for (const other of this.tasks) if (other) memory.write32(other.pageDirectory + 4 * shared, value);
  }

  /**
   * PTE address for (task, va), creating the page table (and sharing it for small tasks). A new
   * table is cleared (REP STOSD, its stores through the caches) before its PDE is written.
   */
  pteAddress(task: Task, va: number): number {
    return task.pteAddress(va, this.pageTablePool, (index, table) => {
      this.cpu.charge(this.p.pageTableClearCycles, CAT.kernel);
      this.cpu.access(kernelLinear(table), 4096, ACCESS_WRITE, false);
      this.cpu.access(kernelLinear(task.pageDirectory + 4 * index), 4, ACCESS_WRITE, false);
      if (task.small === null) return;
      if (index * 0x400000 < task.small.bytes) this.shareSmallTable(task.small, index, table);
      else this.makeLarge(task); // a page beyond the slot: back to the 3 GB model (SOSP'97 §3)
    });
  }

  /** The linear address at which `va` of `task` is visible now, or -1 (not visible). */
  visibleLinear(task: Task, va: number): number {
    if (task.small) return (task.small.base + va) >>> 0;
    return this.cpu.cr3 === task.pageDirectory ? va : -1;
  }

  /**
   * The address-space switch to `to` (SOSP'95 §4.1.2): to or from a small space reloads the
   * segments only; between large spaces CR3 is loaded, which flushes the untagged TLBs.
   */
  switchSpace(to: Thread): void {
    const cpu = this.cpu;
    const task = to.task;
    if (task.small) {
      if (cpu.segmentBase !== task.small.base || cpu.segmentLimit !== task.small.bytes - 1) cpu.loadUserSegment(task.small.base, task.small.bytes - 1, this.p.smallSpaceSegmentLoads);
      return;
    }
    if (cpu.cr3 !== task.pageDirectory) {
      cpu.loadCr3(task.pageDirectory);
      this.ipc.windowFlushed();
    }
    if (cpu.segmentBase !== 0 || cpu.segmentLimit !== USER_LIMIT) cpu.loadUserSegment(0, USER_LIMIT, this.p.smallSpaceSegmentLoads);
  }

  // ---- switching -----------------------------------------------------------------------------

  /** Switches the CPU to `to` (its space, its context) and suspends the caller until resumed. */
  *switchTo(to: Thread): Activity {
    this.handOver(to);
    yield;
  }

  /**
   * {@link switchTo} up to its `yield`: the IPC path calls it and yields itself
   * (`k.handOver(to); yield;`), which saves a host generator per switch.
   */
  handOver(to: Thread): void {
    if (to.context === null) throw new Error(`thread ${to.name} has no context`);
    if (this.tracePoints.switch.enabled) this.tracePoints.switch.emit(this.machine.now, { from: this.current?.name ?? '', to: to.name, spaceSwitch: !to.task.small && this.cpu.cr3 !== to.task.pageDirectory });
    this.switchSpace(to);
    this.current = to;
    this.running.record(this.cpu.now, to);
    this.cpu.current = to.context;
    // an interrupt that woke a thread out of HLT: the CPU runs again (the idle context stays
    // suspended in its handler until the next idle period)
    this.cpu.halted = false;
  }

  /** Gives the CPU to the best ready thread, or idles; returns when the caller runs again. */
  *dispatch(): Activity {
    if (this.reschedule()) yield;
  }

  /**
   * {@link dispatch} up to its `yield`: picks the next thread and switches to it (or to the idle
   * context); true if the caller must now yield, false if it keeps the CPU.
   */
  reschedule(): boolean {
    this.cpu.execute(this.paths.schedule);
    const next = this.scheduler.pick();
    if (next !== null && next === this.current) return false;
    if (next === null) {
      this.current = null;
      this.running.record(this.cpu.now, null);
      this.cpu.current = this.idle;
      return true;
    }
    this.handOver(next);
    return true;
  }

  /** Blocks `thread` (its state already set) until woken; returns the wake reason. */
  *block(thread: Thread): Generator<void, number, void> {
    thread.wake = WAKE.none;
    yield* this.dispatch();
    while (thread.state !== THREAD_STATE.ready) yield* this.dispatch();
    return thread.wake;
  }

  /** Makes a blocked thread ready with a wake reason. */
  wakeUp(thread: Thread, reason: number): void {
    if (thread.timeoutEvent !== null) {
      this.machine.scheduler.cancel(thread.timeoutEvent);
      thread.timeoutEvent = null;
    }
    thread.wake = reason;
    thread.state = THREAD_STATE.ready;
    this.scheduler.enqueue(thread);
  }

  /** Arms a timeout of `microseconds` (finite, > 0) for a blocked thread. */
  armTimeout(thread: Thread, microseconds: number): void {
    const cycles = Math.max(1, Math.round(microseconds * this.machine.parameters.clockMHz));
    thread.timeoutEvent = this.machine.scheduler.after(cycles, 'l4.timeout', () => {
      thread.timeoutEvent = null;
      if (thread.state === THREAD_STATE.sending || thread.state === THREAD_STATE.receiving) {
        this.ipc.dequeueSender(thread);
        this.wakeUp(thread, WAKE.timeout);
      }
    });
  }

  private *idleLoop(): Activity {
    for (;;) {
      const next = this.scheduler.pick();
      if (next !== null) {
        this.cpu.cpl = 0;
        yield* this.switchTo(next);
        continue;
      }
      this.current = null;
      this.running.record(this.cpu.now, null);
      yield* this.cpu.halt();
    }
  }

  // ---- kernel entry and exit ---------------------------------------------------------------

  /** INT `vector` from user mode: the gate, the trap frame on the kernel stack, ring 0, IF off. */
  enterKernel(thread: Thread, vector: number): void {
    const cpu = this.cpu;
    cpu.gateFromUser(vector);
    thread.kernelEnteredAt = cpu.now;
    cpu.cpl = 0;
    cpu.interruptsEnabled = false;
    cpu.execute(this.paths.entry);
    cpu.access(this.kernelFrame(thread), this.p.kernelFrameBytes, ACCESS_WRITE, false);
  }

  /**
   * Linear address of the thread's trap frame (the top of its kernel stack in the TCB), as an
   * int32 like every address handed to the MMU (see Cpu.access: no heap number per call).
   */
  private kernelFrame(thread: Thread): number {
    return (thread.tcbLinear + this.p.tcbBytes - this.p.kernelFrameBytes) | 0;
  }

  /** IRET to user mode from the thread's kernel stack. */
  exitKernel(thread: Thread): void {
    const cpu = this.cpu;
    cpu.access(this.kernelFrame(thread), this.p.kernelFrameBytes, ACCESS_READ, false);
    cpu.iretToUser();
    thread.kernelLeftAt = cpu.now;
    cpu.cpl = 3;
    cpu.interruptsEnabled = true;
  }

  /**
   * A thread's whole life: the kernel's IRET into user mode, its guest code, then its end. Not a
   * generator around the guest code: every switch to the thread resumes through this level.
   */
  private threadLife(thread: Thread, entry: GuestEntry, api: L4Api): Activity {
    return new GuardedActivity(
      () => {
        // a new thread starts by the kernel's IRET into user mode
        this.exitKernel(thread);
        return entry(api);
      },
      (outcome) => this.threadEnd(thread, outcome),
    );
  }

  /** After the guest code returned or threw: the thread ends (inactive), as after an exit. */
  private *threadEnd(thread: Thread, outcome: BodyOutcome): Activity {
    if (outcome !== null) yield* this.guestThrew(thread, outcome.error);
    this.cpu.cpl = 0;
    this.terminate(thread, THREAD_STATE.inactive);
    yield* this.dispatch();
    throw new Error(`ended thread ${thread.name} was resumed`);
  }

  private terminate(thread: Thread, state: typeof THREAD_STATE.inactive | typeof THREAD_STATE.stopped): void {
    this.ipc.cancelAll(thread);
    thread.state = state;
    this.scheduler.remove(thread);
    this.interrupts.detachAll(thread);
  }

  private *guestThrew(thread: Thread, error: unknown): Activity {
    const message = error instanceof Error ? error.message : String(error);
    if (thread.exceptionHandler !== null) {
      this.enterKernel(thread, VECTOR.generalProtection);
      this.exitKernel(thread);
      try {
        yield* thread.exceptionHandler({ vector: VECTOR.generalProtection, errorCode: 0, eip: thread.eip, eflags: thread.eflags, message });
      } catch {
        // a handler that throws too: fall through to the kill below
      }
      this.report(`thread ${thread.name}: guest code threw "${message}"; handler ran, thread stopped`);
      this.cpu.cpl = 0;
      this.terminate(thread, THREAD_STATE.stopped);
      yield* this.dispatch();
      throw new Error('stopped thread resumed');
    }
    this.report(`task ${thread.task.number}: killed, thread ${thread.name} threw "${message}" without an exception handler`);
    this.cpu.cpl = 0;
    for (const other of thread.task.threads) if (other && other.active) this.terminate(other, THREAD_STATE.stopped);
    yield* this.dispatch();
    throw new Error('killed thread resumed');
  }

  report(line: string): void {
    this.reports.push(`[${this.machine.now}] ${line}`);
  }

  // ---- traps -----------------------------------------------------------------------------------

  /** The entry half of the IPC trap (`ipc.ipc(thread, true)` runs the call and the exit). */
  enterIpcTrap(thread: Thread): void {
    this.counters.systemCalls.value++;
    this.enterKernel(thread, SYSCALL.ipc);
    if (this.tracePoints.ipc.enabled) this.traceIpc(thread);
  }

  /** The `ipc` trace event of an IPC trap (out of {@link enterIpcTrap}'s host code: tracing is rare). */
  private traceIpc(thread: Thread): void {
    const destination = thread.eax === SEND_NONE_WORD ? null : this.threadById(thread.esi, thread.edi);
    this.tracePoints.ipc.emit(this.machine.now, { thread: thread.name, destination: destination?.name ?? '', receive: thread.ebp !== SEND_NONE_WORD });
  }

  /**
   * #PF. From user mode: an IPC to the thread's pager carrying (fault address | write bit, EIP);
   * the pager's map reply is installed by the IPC, then the access is retried by the guest.
   */
  private *pageFaultTrap(fault: MachineFault): Activity {
    const thread = this.current;
    if (thread === null || (fault.errorCode & PAGE_FAULT_USER) === 0) throw new Error(`kernel page fault at 0x${fault.address.toString(16)}`);
    this.enterKernel(thread, VECTOR.pageFault);
    this.counters.pageFaults.value++;
    if (this.tracePoints.pageFault.enabled) {
      const pager = this.threadById(thread.pagerLow, thread.pagerHigh);
      this.tracePoints.pageFault.emit(this.machine.now, { thread: thread.name, pager: pager?.name ?? '', address: fault.address >>> 0, write: (fault.errorCode & PAGE_FAULT_WRITE) !== 0 });
    }
    this.cpu.execute(this.paths.pageFault);
    let address = fault.address;
    if (thread.task.small) address = (address - thread.task.small.base) >>> 0;
    thread.inPageFault = true;
    const ok = yield* this.pagerCall(thread, (address & ~3) | ((fault.errorCode & PAGE_FAULT_WRITE) !== 0 ? 2 : 0), thread.eip);
    thread.inPageFault = false;
    const redirect = thread.redirectedTo;
    if (redirect !== null) {
      // lthread_ex_regs aborted the RPC with a new EIP: the thread continues there in user mode
      thread.redirectedTo = null;
      this.exitKernel(thread);
      yield* this.entryOf(redirect)!(new L4Api(this, thread));
      return;
    }
    if (!ok) yield* this.stopThread(thread, `page fault at 0x${address.toString(16)} (${fault.access}) could not be sent to pager ${formatId(thread.pagerLow, thread.pagerHigh)}`);
    this.exitKernel(thread);
  }

  /**
   * The kernel's page-fault RPC on behalf of `thread`: call its pager with a short message and a
   * receive window of the whole space; the thread's registers are preserved. False if the
   * pager does not exist or the IPC failed.
   */
  *pagerCall(thread: Thread, w0: number, w1: number): Generator<void, boolean, void> {
    const { eax, ecx, edx, ebx, ebp, esi, edi } = thread;
    thread.eax = 0;
    thread.ebp = (32 << 2) | 2;
    thread.ecx = 0;
    thread.edx = w0 >>> 0;
    thread.ebx = w1 >>> 0;
    thread.esi = thread.pagerLow;
    thread.edi = thread.pagerHigh;
    yield* this.ipc.ipc(thread);
    const ok = (thread.resultDope & 0xf0) === 0;
    thread.eax = eax;
    thread.ecx = ecx;
    thread.edx = edx;
    thread.ebx = ebx;
    thread.ebp = ebp;
    thread.esi = esi;
    thread.edi = edi;
    return ok;
  }

  /** #GP: a small space touching beyond its slot goes back to the 3 GB model; else reflected. */
  private *generalProtectionTrap(fault: MachineFault): Activity {
    const thread = this.current!;
    if (thread.task.small && fault.address <= USER_LIMIT) {
      this.enterKernel(thread, VECTOR.generalProtection);
      this.makeLarge(thread.task);
      this.exitKernel(thread);
      return;
    }
    yield* this.exceptionTrap(VECTOR.generalProtection, fault.errorCode);
  }

  /**
   * Exceptions and traps are reflected to the thread's user-level handler (SOSP'97 §4: "an
   * exception pushes instruction pointer and flags on the thread's user-level stack and invokes
   * the thread's handler"); without a handler the thread is stopped and reported.
   */
  *exceptionTrap(vector: number, errorCode: number): Activity {
    const thread = this.current!;
    this.counters.exceptions.value++;
    this.enterKernel(thread, vector);
    if (thread.exceptionHandler === null) {
      yield* this.stopThread(thread, `unhandled exception ${vector} (error code ${errorCode})`);
      return;
    }
    this.cpu.execute(this.paths.exception);
    // push EIP, EFLAGS and the error code on the user stack, if it is mapped
    if (thread.esp >= 12) this.cpu.userAccess(thread.esp - 12, 12, ACCESS_WRITE);
    this.exitKernel(thread);
    const frame: ExceptionFrame = { vector, errorCode, eip: thread.eip, eflags: thread.eflags };
    yield* thread.exceptionHandler(frame);
    // the handler's IRET at user level
    this.cpu.charge(this.machine.parameters.iretSame, CAT.user);
  }

  private *stopThread(thread: Thread, why: string): Activity {
    this.report(`thread ${thread.name} stopped: ${why}`);
    this.terminate(thread, THREAD_STATE.stopped);
    yield* this.dispatch();
    throw new Error('stopped thread resumed');
  }

  /** Hardware interrupt: the kernel's tick (IRQ 0) and IPC to the attached thread. */
  private *interruptTrap(vector: number): Activity {
    const cpu = this.cpu;
    const machine = this.machine;
    const irq = machine.pic.irqOfVector(vector);
    this.counters.interrupts.value++;
    const fromUser = cpu.cpl === 3;
    const interrupted = this.current;
    const enabled = cpu.interruptsEnabled;
    if (fromUser && interrupted !== null) this.enterKernel(interrupted, vector);
    else {
      cpu.charge(machine.parameters.intSame, CAT.kernelEntry);
      cpu.interruptsEnabled = false;
    }
    const savedCpl = cpu.cpl;
    cpu.cpl = 0;
    cpu.execute(this.paths.interrupt);
    cpu.charge(machine.parameters.isaIoAccess, CAT.device); // EOI to the 8259
    machine.pic.endOfInterrupt(irq);
    let preempt = false;
    if (irq === 0) {
      // the thread that ran when the tick became due (the model lets it in at the next kernel
      // exit, perhaps after switches), in the mode it was in then
      const at = machine.pit.lastTickAt;
      const sampled = this.running.valueAt(at);
      this.tickInterrupted = { thread: sampled, userMode: sampled !== null && userModeAt(sampled, at), at };
      cpu.execute(this.paths.timer);
      if (interrupted !== null && --interrupted.sliceLeft <= 0) {
        interrupted.sliceLeft = interrupted.timeSlice;
        this.scheduler.rotate(interrupted);
        preempt = true;
      }
    }
    const holder = this.interrupts.attachedTo(irq);
    if (holder !== null) {
      if (holder.state === THREAD_STATE.receiving && holder.waitIrq === irq) this.ipc.deliverInterrupt(holder, irq);
      else this.interrupts.markPending(irq);
    }
    const best = this.scheduler.pick();
    if (best !== null && best !== interrupted && (interrupted === null || best.priority > interrupted.priority || (preempt && best.priority === interrupted.priority))) {
      if (interrupted === null) {
        this.current = best;
        yield* this.switchTo(best);
      } else {
        yield* this.switchTo(best);
      }
    }
    cpu.cpl = savedCpl;
    if (fromUser && interrupted !== null) {
      this.switchSpace(interrupted);
      this.exitKernel(interrupted);
    } else {
      cpu.charge(machine.parameters.iretSame, CAT.kernelEntry);
      cpu.interruptsEnabled = enabled;
      cpu.cpl = savedCpl;
    }
  }

  // ---- the other system calls ------------------------------------------------------------------

  private *systemCall(vector: number): Activity {
    const thread = this.current!;
    this.counters.systemCalls.value++;
    this.enterKernel(thread, vector);
    this.cpu.execute(this.paths.syscalls);
    switch (vector) {
      case SYSCALL.idNearest:
        this.idNearest(thread);
        break;
      case SYSCALL.fpageUnmap:
        this.fpageUnmap(thread);
        break;
      case SYSCALL.threadSwitch:
        yield* this.threadSwitch(thread);
        break;
      case SYSCALL.threadSchedule:
        this.threadSchedule(thread);
        break;
      case SYSCALL.lthreadExRegs:
        yield* this.lthreadExRegs(thread);
        break;
      case SYSCALL.taskNew:
        this.taskNew(thread);
        break;
    }
    this.exitKernel(thread);
    if (this.cpu.scheduler.now >= this.cpu.scheduler.checkpoint) yield* this.cpu.poll();
  }

  /** id_nearest: ESI:EDI = destination → ESI:EDI = the thread a message would reach, EAX = 0 direct, 1 redirected. */
  private idNearest(thread: Thread): void {
    const target = this.threadById(thread.esi, thread.edi);
    if (target === null) {
      thread.eax = 0xffffffff;
      thread.esi = 0;
      thread.edi = 0;
      return;
    }
    const task = this.nearest(thread.task, target.task);
    const reached = task === target.task ? target : task.threads[0];
    thread.eax = task === target.task ? 0 : 1;
    thread.esi = reached?.idLow ?? 0;
    thread.edi = reached?.idHigh ?? 0;
  }

  /** fpage_unmap: EAX = fpage (memory or I/O), ECX = map mask (UNMAP_FLUSH, UNMAP_ALL_SPACES). */
  private fpageUnmap(thread: Thread): void {
    const word = thread.eax >>> 0;
    const mask = thread.ecx >>> 0;
    const size = (word >>> 2) & 0x3f;
    const io = isIoFpage(word);
    if (!io && (size < 12 || size > 32)) return;
    const cpu = this.cpu;
    cpu.execute(this.paths.unmap);
    const flush = (mask & 2) !== 0;
    const self = (mask & 0x80000000) !== 0;
    const task = thread.task;
    if (io) {
      this.io.unmap(task, word, flush, self);
      return;
    }
    const base = size >= 32 ? 0 : Math.floor((word & 0xfffff000) / 2 ** size) * 2 ** size;
    const bytes = 2 ** size;
    if (bytes > 0x400000) {
      for (const node of [...task.mappings.values()]) if (node.va >= base && node.va < base + bytes && task.mappings.get(node.va >>> 12) === node) this.unmapPage(node, flush, self);
      return;
    }
    // the caller's page-table walk over the fpage: its PDE, then each PTE of an existing table
    cpu.access(kernelLinear(task.pageDirectory + 4 * (base >>> 22)), 4, ACCESS_READ, false);
    const firstPte = task.pteAddress(base, null);
    if (firstPte >= 0) cpu.access(kernelLinear(firstPte), 4 * (bytes >>> 12), ACCESS_READ, false);
    for (let va = base; va < base + bytes; va += 4096) {
      const node = task.mappings.get(va >>> 12);
      if (node) this.unmapPage(node, flush, self);
    }
  }

  /** fpage_unmap of one page the caller has mapped: find its node, then flush or downgrade what derives from it. */
  private unmapPage(node: MappingNode, flush: boolean, self: boolean): void {
    this.cpu.charge(this.p.unmapLookupCycles, CAT.kernel);
    this.mappings.unmap(node, flush, self);
  }

  /** thread_switch: ESI:EDI = thread to donate to (nil: yield to the scheduler). */
  private *threadSwitch(thread: Thread): Activity {
    const target = isNilId(thread.esi, thread.edi) ? null : this.threadById(thread.esi, thread.edi);
    this.scheduler.rotate(thread);
    if (target !== null && target !== thread && target.state === THREAD_STATE.ready) {
      yield* this.switchTo(target);
      return;
    }
    yield* this.dispatch();
  }

  /**
   * thread_schedule: EAX = parameter word (prio:8, small:8, state:4, time exponent:4, time
   * mantissa:8; all ones = read only), ESI:EDI = thread. Returns the old word in EAX (state
   * 0 = running/ready, 1 = blocked) and the thread's accumulated... time is not kept: ECX = 0.
   * MCP (L4 v2 maximum controlled priority): a thread whose priority exceeds the caller task's mcp
   * is neither changed nor inspected (EAX = 0xffffffff, as for a missing thread); a new priority
   * above the mcp is lowered to the mcp (lab convention: no thread gains more than its scheduler has).
   */
  private threadSchedule(thread: Thread): void {
    const target = this.threadById(thread.esi, thread.edi);
    const mcp = thread.task.mcp;
    if (target === null || target.priority > mcp) {
      thread.eax = 0xffffffff;
      thread.ecx = 0;
      return;
    }
    const old = (target.priority & 0xff) | ((target.task.small?.number ?? 0) << 8) | ((target.state === THREAD_STATE.ready ? 0 : 1) << 16);
    const word = thread.eax >>> 0;
    if (word !== 0xffffffff) {
      const priority = Math.min(word & 0xff, mcp);
      const small = (word >>> 8) & 0xff;
      // validate first, then change
      const slotOk = small === 0 || (this.smallSpacesEnabled && SmallSpaces.decode(small) !== null);
      if (slotOk) {
        this.scheduler.setPriority(target, priority);
        if (small !== 0 && target.task.small?.number !== small) this.setSmallSpace(target.task, small);
      }
    }
    thread.eax = old;
    thread.ecx = 0;
  }

  /**
   * lthread_ex_regs: EAX = lthread, ECX = ESP, EDX = EIP (entry handle), ESI:EDI = pager (each
   * 0xffffffff = unchanged). Returns EAX = EFLAGS, ECX = old ESP, EDX = old EIP, ESI:EDI = old
   * pager. A thread blocked in IPC is cancelled; a new EIP restarts it there (a thread in its
   * page-fault RPC runs the new entry instead and retries the faulting access if it returns).
   */
  private *lthreadExRegs(thread: Thread): Generator<void, void, void> {
    const lthread = thread.eax & 0x7f;
    const esp = thread.ecx >>> 0;
    const eip = thread.edx >>> 0;
    const pagerLow = thread.esi >>> 0;
    const pagerHigh = thread.edi >>> 0;
    const task = thread.task;
    // decode: the entry must be known before anything changes
    if ((eip !== 0xffffffff && this.entryOf(eip) === undefined) || (task.threads[lthread] === null && !this.tcbAvailable(task.number, lthread, 0))) {
      thread.eax = 0xffffffff;
      return;
    }
    let target = task.threads[lthread];
    const oldEsp = target?.esp ?? 0;
    const oldEip = target?.eip ?? 0;
    const oldPagerLow = target?.pagerLow ?? 0;
    const oldPagerHigh = target?.pagerHigh ?? 0;
    if (target === null) target = this.createThread(task, lthread, thread.pagerLow, thread.pagerHigh, 0, 0);
    if (pagerLow !== 0xffffffff || pagerHigh !== 0xffffffff) {
      target.pagerLow = pagerLow;
      target.pagerHigh = pagerHigh;
    }
    if (target.state === THREAD_STATE.sending || target.state === THREAD_STATE.receiving) {
      this.ipc.dequeueSender(target);
      this.wakeUp(target, WAKE.cancelled);
    }
    if (esp !== 0xffffffff) target.esp = esp;
    thread.eax = target.eflags;
    thread.ecx = oldEsp;
    thread.edx = oldEip;
    thread.esi = oldPagerLow;
    thread.edi = oldPagerHigh;
    if (eip !== 0xffffffff && target.inPageFault && target !== thread) {
      // a thread waiting in its page-fault RPC: the RPC is aborted (above) and the thread runs
      // the new entry in its own context; guest code is host code, so the faulting access is kept
      // and retried if that entry returns (what the L4Linux emulation library's signal entry
      // does through sigreturn, SOSP'97 §4 "Signalling")
      target.redirectedTo = eip;
    } else if (eip !== 0xffffffff) {
      this.scheduler.remove(target);
      this.start(target, eip, target.esp);
      if (target === thread) {
        // restarting oneself: the old context is abandoned (dispatch would pick the same
        // thread and return into it; switch to its new context explicitly)
        yield* this.switchTo(target);
        throw new Error('abandoned context resumed');
      }
    }
  }

  /**
   * task_new: ESI:EDI = new task id (task and version), EAX = mcp (low 8 bits; the new task's
   * mcp is min(EAX, the creator's mcp)), ECX = ESP, EDX = EIP (entry handle), EBX:EBP = pager
   * (nil: create inactive). Returns the new id in ESI:EDI, or nil. An existing task of which the
   * caller is chief is deleted first. (v2 passes the new chief in EAX for an inactive task; here
   * the creator is always the chief, see README.)
   */
  private taskNew(thread: Thread): void {
    const number = taskOf(thread.esi);
    const version = versionOf(thread.esi) || 1;
    const eip = thread.edx >>> 0;
    const existing = this.tasks[number];
    const fail = () => {
      thread.esi = 0;
      thread.edi = 0;
    };
    if (number <= ROOT_TASK || number >= MAX_TASKS) return fail();
    if (existing && existing.chief !== thread.task.number) return fail();
    const pagerNil = isNilId(thread.ebx, thread.ebp);
    if (!pagerNil && this.entryOf(eip) === undefined) return fail();
    // the new directory (and, active, its first page table), less the directory freed by deleting
    // the existing task first: deleting a task (task_new inactive) works even with the pool empty
    const poolNeeded = (pagerNil ? 1 : 2) - (existing ? 1 : 0);
    if (this.pageTablePool.freeFrames < poolNeeded || !this.tcbAvailable(number, 0, poolNeeded)) return fail();
    this.cpu.execute(this.paths.taskNew);
    if (existing) this.deleteTask(existing);
    const task = this.createTask(number, thread.task.number, version);
    task.mcp = Math.min(thread.eax & 0xff, thread.task.mcp);
    // charge writing the new directory's kernel part through the caches
    this.cpu.access(kernelLinear(task.pageDirectory + 4 * (SMALL_SPACE_AREA >>> 22)), 4096 - 4 * (SMALL_SPACE_AREA >>> 22), ACCESS_WRITE, false);
    const first = this.createThread(task, 0, thread.ebx, thread.ebp, pagerNil ? 0 : eip, thread.ecx);
    thread.esi = first.idLow;
    thread.edi = first.idHigh;
  }

  /** Deletes a task with its clan (subtasks first, recursively): its threads end, its mappings are flushed, its tables freed. */
  deleteTask(task: Task): void {
    for (const subtask of this.tasks) if (subtask !== null && subtask !== task && subtask.chief === task.number) this.deleteTask(subtask);
    for (const thread of task.threads) if (thread) this.terminate(thread, THREAD_STATE.inactive);
    this.mappings.removeTask(task);
    this.io.release(task);
    if (task.small) this.makeLarge(task);
    task.releaseTables(this.pageTablePool);
    this.pageTablePool.release(task.pageDirectory);
    task.alive = false;
    this.tasks[task.number] = null;
  }

  // ---- the mapping database's page-table side ---------------------------------------------

  private mappingHost(): MappingHost {
    return {
      install: (task, va, frame, writable) => {
        if (this.pteAddress(task, va) < 0) return false;
        // the receiver's PDE names its page table; the old entry is checked before it is replaced
        const pte = this.walkToPte(task, va);
        const old = this.machine.memory.read32(pte);
        this.machine.memory.write32(pte, makePte(frame, PG_USER | (writable ? PG_WRITABLE : 0)));
        this.cpu.access(kernelLinear(pte), 4, ACCESS_WRITE, false);
        if ((old & PG_PRESENT) !== 0) this.invalidate(task, va);
        return true;
      },
      remove: (task, va) => {
        this.cpu.charge(this.p.unmapPageCycles, CAT.kernel);
        const pte = this.walkToPte(task, va);
        if (pte < 0) return;
        this.machine.memory.write32(pte, 0);
        this.cpu.access(kernelLinear(pte), 4, ACCESS_WRITE, false);
        this.invalidate(task, va);
      },
      downgrade: (task, va) => {
        this.cpu.charge(this.p.unmapPageCycles, CAT.kernel);
        const pte = this.walkToPte(task, va);
        if (pte < 0) return;
        this.machine.memory.write32(pte, this.machine.memory.read32(pte) & ~PG_WRITABLE);
        this.cpu.access(kernelLinear(pte), 4, ACCESS_WRITE, false);
        this.invalidate(task, va);
      },
      touchNode: (node: MappingNode, write: boolean) => {
        this.cpu.access(kernelLinear(node.address), this.p.mappingNodeBytes, write ? ACCESS_WRITE : ACCESS_READ, false);
      },
    };
  }

  /**
   * The kernel's walk to the PTE of (task, va) before it changes the entry: the PDE names the
   * table and the PTE is read (is it valid?) before it is written, as a v2 kernel inserts and
   * deletes a page (Fiasco Mem_space::v_insert / v_delete: walk, pte.valid(), set / set_invalid).
   * -1 if `task` has no table there.
   */
  private walkToPte(task: Task, va: number): number {
    this.cpu.access(kernelLinear(task.pageDirectory + 4 * (va >>> 22)), 4, ACCESS_READ, false);
    const pte = task.pteAddress(va, null);
    if (pte >= 0) this.cpu.access(kernelLinear(pte), 4, ACCESS_READ, false);
    return pte;
  }

  /** INVLPG where the page of (task, va) may be in the TLB: its small slot, or the current space. */
  private invalidate(task: Task, va: number): void {
    const linear = this.visibleLinear(task, va);
    if (linear >= 0) this.cpu.invalidatePage(linear, CAT.kernel);
  }

  private declarePaths(): Record<keyof typeof KERNEL_CODE, CodePath> {
    const p = this.p;
    const at = (offset: number) => kernelLinear(KERNEL_CODE_PHYSICAL + offset);
    const path = (name: string, cycles: number, category: CodePath['category'], offset: number, bytes: number, source: string): CodePath => ({ name, cycles, category, address: at(offset), bytes, source });
    return {
      entry: path('l4.entry', 0, 'kernelEntry', KERNEL_CODE.entry, 32, 'trap entry stub'),
      ipc: path('l4.ipc', p.ipcShortPathCycles, 'ipc', KERNEL_CODE.ipc, p.ipcPathBytes, 'l4 ipcShortPathCycles'),
      ipcLong: path('l4.ipcLong', p.ipcLongPathCycles, 'ipc', KERNEL_CODE.ipcLong, 192, 'l4 ipcLongPathCycles'),
      map: path('l4.map', p.mapItemCycles, 'ipc', KERNEL_CODE.map, 128, 'l4 mapItemCycles'),
      unmap: path('l4.unmap', p.unmapCallCycles, 'kernel', KERNEL_CODE.unmap, 96, 'l4 unmapCallCycles'),
      pageFault: path('l4.pageFault', p.pageFaultPathCycles, 'kernel', KERNEL_CODE.pageFault, 96, 'l4 pageFaultPathCycles'),
      exception: path('l4.exception', p.exceptionPathCycles, 'kernel', KERNEL_CODE.exception, 96, 'l4 exceptionPathCycles'),
      interrupt: path('l4.interrupt', p.interruptPathCycles, 'kernel', KERNEL_CODE.interrupt, 96, 'l4 interruptPathCycles'),
      timer: path('l4.timer', p.timerTickCycles, 'kernel', KERNEL_CODE.timer, 64, 'l4 timerTickCycles'),
      schedule: path('l4.schedule', p.schedulePathCycles, 'kernel', KERNEL_CODE.schedule, 64, 'l4 schedulePathCycles'),
      syscalls: path('l4.syscall', p.systemCallPathCycles, 'kernel', KERNEL_CODE.syscalls, 96, 'l4 systemCallPathCycles'),
      taskNew: path('l4.taskNew', p.taskNewCycles, 'kernel', KERNEL_CODE.taskNew, 256, 'l4 taskNewCycles'),
    };
  }

  // ---- running -------------------------------------------------------------------------------

  /**
   * Runs the system until `stop()` holds, nothing can run any more ('idle'), or `maxCycles`
   * simulated cycles passed. Returns why it stopped.
   */
  run(stop: () => boolean = () => false, maxCycles = Number.POSITIVE_INFINITY): string {
    const scheduler = this.machine.scheduler;
    const limit = scheduler.now + maxCycles;
    for (;;) {
      const outcome = this.cpu.run(() => stop() || scheduler.now >= limit, 50_000_000);
      if (outcome === 'budget') continue;
      if (outcome === 'failed') {
        const failed = this.cpu.current;
        throw failed?.failure instanceof Error ? failed.failure : new Error(String(failed?.failure));
      }
      if (outcome === 'noContext' || outcome === 'finished') this.cpu.current = this.idle;
      if (outcome === 'stopped') return scheduler.now >= limit && !stop() ? 'limit' : 'stopped';
      return outcome;
    }
  }

  /** Id of task `number`'s lthread `lthread`, for guests that know task numbers. */
  idOf(number: number, lthread = 0): { low: number; high: number } | null {
    const thread = this.tasks[number]?.threads[lthread];
    return thread ? { low: thread.idLow, high: thread.idHigh } : null;
  }
}
