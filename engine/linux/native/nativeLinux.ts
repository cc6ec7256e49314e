import { VECTOR, type MachineFault } from '../../base/result';
import type { ParameterRow } from '../../base/parameters';
import { decodeUtf8 } from '../../base/text';
import { ACCESS_READ, ACCESS_WRITE, CAT, type CodePath, type Cpu, type DescriptorTables } from '../../machine/cpu';
import { ExecutionContext, type Activity, type Operation } from '../../machine/executionContext';
import type { Machine } from '../../machine/machine';
import { makeLargePde, makePde, makePte, PG_WRITABLE } from '../../machine/paging';
import { EFAULT, EINTR, ENOSYS, ERESTARTSYS } from '../core/errno';
import { LinuxKernel } from '../core/kernel';
import { checkTextFits, ENTRY_OBJECT, kernelFunctionOffset, kernelObjectOffset } from '../core/kernelCode';
import { linuxParameters, type LinuxOverrides } from '../core/linuxParameters';
import { TASK_SIZE, type MemoryMap } from '../core/mm';
import type { Substrate, SystemCallGate, UserRuntime } from '../core/substrate';
import { SIG } from '../core/syscalls';
import { TASK_STRUCT, type Task } from '../core/task';
import { nativeParameters, type NativeOverrides, type NativeParameters } from './nativeParameters';

/** PAGE_OFFSET: Linux 2.0 maps all physical memory at 0xC0000000 (include/asm-i386/page.h). */
export const PAGE_OFFSET = 0xc0000000;
/** The kernel image is loaded at 1 MB (arch/i386/boot); its text starts there. */
const KERNEL_PHYSICAL = 0x100000;
/**
 * The image's .data, in link order: head.S's idt_table (256 × 8 B) and gdt_table (12 fixed
 * descriptors + a TSS and an LDT descriptor per task, NR_TASKS = 512: 8 KB + 96 B), then entry.S's
 * sys_call_table (256 × 4 B), then the kernel's global variables (current_set, need_resched,
 * intr_count, bh_mask, bh_active, jiffies; kernel/sched.c and softirq.c data). Offsets are where
 * a 2.0 link puts them (tag I): not page-aligned, so they do not all share one L1 set.
 */
const KERNEL_DATA = 0x180000;
const IDT = KERNEL_DATA;
const GDT = KERNEL_DATA + 0x800;
/** include/asm-i386/segment.h: the selectors the gates and user mode use. */
const KERNEL_CS = 0x10;
const USER_CS = 0x23;
const USER_DS = 0x2b;
const FIRST_TSS_ENTRY = 12;
const SYS_CALL_TABLE = GDT + (FIRST_TSS_ENTRY + 2 * 512) * 8;
const KERNEL_GLOBALS = SYS_CALL_TABLE + 256 * 4 + 0x1c0;
const NR_TASKS = 512;
/** swapper_pg_dir and the kernel page tables follow the image. */
const SWAPPER_PG_DIR = 0x200000;

/**
 * Where native Linux's page frames start on a machine of `memoryBytes`: after the kernel image
 * and swapper_pg_dir, and without `largePages` (USE_PENTIUM_MM) the page tables that map all
 * memory at PAGE_OFFSET (one per 4 MB).
 */
export function nativeMemoryStart(memoryBytes: number, largePages: boolean): number {
  return SWAPPER_PG_DIR + 0x1000 + (largePages ? 0 : Math.ceil(memoryBytes / (4 << 20)) * 0x1000);
}

export interface NativeOptions {
  readonly linux?: LinuxOverrides;
  readonly native?: NativeOverrides;
}

interface NativeTask {
  readonly context: ExecutionContext;
  readonly gate: NativeGate;
}

/**
 * Native Linux 2.0: the personality in ring 0 of the simulated Pentium. All physical memory is
 * mapped at PAGE_OFFSET with 4 MB pages, as 2.0's paging_init does on a CPU with PSE
 * (USE_PENTIUM_MM; the `pentiumMm` what-if maps it with 4 KB page tables instead), each
 * process's page directory shares those kernel PDEs, and Linux's page tables are the
 * hardware's. System calls are `int $0x80` in the process's own execution context; a context
 * switch is schedule() + a hardware task switch (TSS save/load, CR3 reload flushing the
 * untagged TLB); the PIT interrupt arrives through the 8259 and the IDT.
 */
export class NativeLinux implements Substrate {
  readonly name = 'native';
  readonly cpu: Cpu;
  readonly kernel: LinuxKernel;
  readonly n: NativeParameters;
  readonly parameterRows: ParameterRow[];
  readonly kernelCategory = CAT.kernel;
  readonly kernelTextBase = PAGE_OFFSET + KERNEL_PHYSICAL;
  readonly memoryStart: number;
  readonly memoryEnd: number;
  readonly taskSize = TASK_SIZE;
  currentTask: Task | null = null;
  /** The IDT and GDT in the image's .data, and TR (the running task's TSS). */
  private readonly descriptorTables: DescriptorTables = { idt: this.kernelLinear(IDT), gdt: this.kernelLinear(GDT), tss: 0, kernelCode: KERNEL_CS, userCode: USER_CS, userStack: USER_DS };
  /** Exit status of init once it has exited (the system is down), else null. */
  haltedWith: number | null = null;
  private readonly idle: ExecutionContext;
  private readonly entryPath: CodePath;
  private readonly retPath: CodePath;
  private readonly restorePath: CodePath;
  private readonly irqPath: CodePath;
  private readonly faultPath: CodePath;
  private readonly schedulePath: CodePath;
  private readonly scheduleTailPath: CodePath;

  constructor(readonly machine: Machine, readonly runtime: UserRuntime, options: NativeOptions = {}) {
    const cpu = machine.cpu;
    this.cpu = cpu;
    const table = nativeParameters(options.native);
    this.n = table.values;
    const m = cpu.p;
    const n = this.n;
    const text = this.kernelTextBase;
    const path = (name: string, cycles: number, category: CodePath['category'], offset: number, bytes: number, source: string): CodePath => ({ name, cycles, category, address: text + offset, bytes, source });
    // entry.S and irq.c where the link of the booted build puts them (kernelTextLayout.ts); the places within them are estimates
    const linux = linuxParameters(options.linux).values;
    checkTextFits(linux, KERNEL_DATA - KERNEL_PHYSICAL, "native Linux's image (its text, up to .data)");
    const entry = kernelObjectOffset(linux, ENTRY_OBJECT);
    this.entryPath = path('system_call', (n.saveAllSimple + n.systemCallSimple) * m.instruction + n.saveAllSegmentLoads * m.segmentLoad + n.systemCallMemoryOps * m.aluRegMem + n.systemCallDebugReads * m.movDebugRegister, 'kernel', entry, n.systemCallCodeBytes, 'entry.S SAVE_ALL + system_call');
    this.retPath = path('ret_from_sys_call', n.retFromSysCallSimple * m.instruction + n.retFromSysCallMemoryOps * m.aluRegMem + n.retFromSysCallSti * m.cliSti, 'kernel', entry + 0xa0, n.retCodeBytes / 2, 'entry.S ret_from_sys_call');
    this.restorePath = path('RESTORE_ALL', n.restoreAllSimple * m.instruction + n.restoreAllMemoryOps * m.aluRegMem + n.restoreAllSegmentPops * m.segmentLoad + n.restoreAllDebugWrites * m.movDebugRegister, 'kernel', entry + 0xe0, n.retCodeBytes / 2, 'entry.S RESTORE_ALL');
    this.irqPath = path('IRQ', (n.saveAllSimple + n.irqEntrySimple) * m.instruction + n.saveAllSegmentLoads * m.segmentLoad, 'kernel', kernelObjectOffset(linux, 'arch/i386/kernel/irq.c'), 192, 'irq.c fast IRQ + do_IRQ');
    this.faultPath = path('page_fault', (n.saveAllSimple + n.faultEntrySimple) * m.instruction + n.saveAllSegmentLoads * m.segmentLoad, 'kernel', entry + 0x300, 128, 'entry.S page_fault + error_code');
    const scheduleAt = kernelFunctionOffset(linux, 'kernel/sched.c', 'schedule');
    const scheduleHead = n.scheduleCodeBytes - n.scheduleTailCodeBytes;
    this.schedulePath = path('schedule', 0, 'kernel', scheduleAt, scheduleHead, 'kernel/sched.c schedule() up to the ljmp of switch_to');
    this.scheduleTailPath = path('schedule tail', 0, 'kernel', scheduleAt + scheduleHead, n.scheduleTailCodeBytes, 'switch_to after the ljmp + the end of schedule()');

    // swapper_pg_dir: PAGE_OFFSET → physical 0.., supervisor only; paging_init maps it with 4 MB
    // pages on a Pentium (USE_PENTIUM_MM), else with page tables
    const memoryBytes = machine.memory.size;
    const regions = Math.ceil(memoryBytes / (4 << 20));
    const largePages = n.pentiumMm;
    const pageTables = SWAPPER_PG_DIR + 0x1000;
    this.memoryStart = nativeMemoryStart(memoryBytes, largePages);
    this.memoryEnd = memoryBytes;
    machine.memory.bytes.fill(0, SWAPPER_PG_DIR, this.memoryStart);
    for (let t = 0; t < regions; t++) {
      const pde = SWAPPER_PG_DIR + 4 * ((PAGE_OFFSET >>> 22) + t);
      if (largePages) {
        machine.memory.write32(pde, makeLargePde(t * (4 << 20), PG_WRITABLE));
        continue;
      }
      const tablePhysical = pageTables + t * 0x1000;
      machine.memory.write32(pde, makePde(tablePhysical, PG_WRITABLE));
      for (let i = 0; i < 1024; i++) {
        const physical = (t * 1024 + i) * 4096;
        if (physical >= memoryBytes) break;
        machine.memory.write32(tablePhysical + 4 * i, makePte(physical, PG_WRITABLE));
      }
    }
    cpu.loadCr3(SWAPPER_PG_DIR);
    cpu.pse = largePages; // paging_init sets CR4.PSE only for its 4 MB pages
    cpu.writeProtect = true; // 2.0 checks wp_works_ok and relies on it on 486/Pentium
    cpu.segmentBase = 0;
    cpu.segmentLimit = TASK_SIZE - 1; // USER_DS: 3 GB
    machine.pic.setVectorBases(0x20, 0x28);
    // head.S's lidt/lgdt; TR is loaded with the running task's TSS (in its task_struct) by the
    // first switchTo, before any user mode runs
    cpu.descriptorTables = this.descriptorTables;
    cpu.idt[VECTOR.pageFault] = (_vector, fault) => this.pageFault(fault!);
    cpu.idt[VECTOR.generalProtection] = (_vector, fault) => this.generalProtection(fault!);
    cpu.idt[0x20] = () => this.timerInterrupt();
    cpu.idt[0x21] = () => this.consoleInterrupt();
    cpu.idt[0x28 + 6] = () => this.diskInterrupt();

    this.kernel = new LinuxKernel(this, runtime, options.linux);
    this.parameterRows = [...this.kernel.parameterRows, ...table.rows()];
    this.idle = new ExecutionContext('idle', () => this.idleLoop());
    this.kernel.onInitExit = (status) => {
      // a wait status: exit code in bits 8-15, or the terminating signal
      this.haltedWith = (status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
    };
    this.kernel.printk(largePages ? `Kernel mapping: ${regions} 4 MB pages map ${memoryBytes >> 20} MB at PAGE_OFFSET 0xc0000000 (USE_PENTIUM_MM)` : `Kernel page tables: ${regions} tables map ${memoryBytes >> 20} MB at PAGE_OFFSET 0xc0000000 (4 KB pages)`);
    this.kernel.printk('Calibrating delay loop.. ok - 133.00 MHz Pentium (P54C)');
  }

  get now(): number {
    return this.machine.scheduler.now;
  }

  get current(): Task | null {
    return this.currentTask;
  }

  kernelLinear(physical: number): number {
    return (PAGE_OFFSET + physical) >>> 0;
  }

  initPageDirectory(pgd: number): void {
    const memory = this.machine.memory;
    for (let index = PAGE_OFFSET >>> 22; index < 1024; index++) memory.write32(pgd + index * 4, memory.read32(SWAPPER_PG_DIR + index * 4));
  }

  private isLive(mm: MemoryMap): boolean {
    return (this.cpu.cr3 & 0xfffff000) >>> 0 === mm.pgd;
  }

  pageChanged(_mm: MemoryMap, _address: number): void {
    // the hardware walks Linux's own tables; the TLB is flushed by the flush_tlb_* primitives
  }

  addressSpaceChanged(_mm: MemoryMap): void {
    // as pageChanged
  }

  /** flush_tlb_page: `__flush_tlb_one`, an INVLPG (the kernel is built for the Pentium, not CONFIG_M386). */
  flushTlbPage(mm: MemoryMap, address: number): void {
    if (this.isLive(mm)) this.cpu.invalidatePage(address, this.kernelCategory);
  }

  /** flush_tlb_range: `__flush_tlb()`, CR3 read and written back; the whole TLB goes (the P54C has no global pages). */
  flushTlbRange(mm: MemoryMap, _start: number, _end: number): void {
    this.flushTlbMm(mm);
  }

  /** flush_tlb_mm: `__flush_tlb()` as {@link flushTlbRange}. */
  flushTlbMm(mm: MemoryMap): void {
    if (this.isLive(mm)) this.cpu.loadCr3(mm.pgd, this.kernelCategory);
  }

  pageMapped(_mm: MemoryMap, _address: number, _writable: boolean): void {
    // the hardware walks Linux's own tables
  }

  addressSpaceReplaced(task: Task): void {
    if (task === this.currentTask) this.cpu.loadCr3(task.mm?.pgd ?? SWAPPER_PG_DIR, this.kernelCategory);
  }

  // ---- user memory ----------------------------------------------------------------------------

  /** Kernel access to user memory through the user segment, resolving faults with do_page_fault. */
  private *userCopy(task: Task, source: number, target: number, length: number, userAddress: number, toUser: boolean): Operation<number> {
    if (length === 0) return 0;
    if (userAddress < 0 || userAddress + length > TASK_SIZE || task.mm === null) return -EFAULT;
    const cpu = this.cpu;
    this.memcpyFsSetUp(length, toUser);
    let done = 0;
    while (done < length) {
      done += cpu.copy(source + done, target + done, length - done, false, false, false, CAT.copy);
      if (done >= length) break;
      const fault = cpu.fault;
      if (fault.address >= TASK_SIZE) throw new Error(`kernel fault at 0x${fault.address.toString(16)} copying user memory`);
      cpu.charge(cpu.p.intSame + cpu.p.iretSame, CAT.kernelEntry);
      cpu.execute(this.faultPath);
      const result = this.kernel.mm.handleFault(task.mm, fault.address, fault.access === 'write');
      if (result === 'io') {
        const pending = this.kernel.mm.pendingRead!;
        if ((yield* this.kernel.disk.readPage(task, pending.inode, pending.index)) < 0) return -EFAULT;
        continue;
      }
      if (result !== 'ok') return -EFAULT;
    }
    return length;
  }

  /**
   * The instructions of 2.0's memcpy_fromfs/memcpy_tofs around their last REP MOVSB (whose
   * start-up and data cpu.copy charges): the length test, for more than 3 bytes the alignment
   * split with two more REP MOVS, and for tofs the switch of ES to the user segment and back.
   */
  private memcpyFsSetUp(length: number, toUser: boolean): void {
    const n = this.n;
    const m = this.cpu.p;
    let cycles = n.memcpyFsSimple * m.instruction;
    if (length > 3) cycles += n.memcpyFsAlignSimple * m.instruction + n.memcpyFsAlignRepeats * m.repMovsStartup;
    if (toUser) cycles += n.memcpyToFsPushes * m.instruction + n.memcpyToFsSegment * m.segmentLoad;
    this.cpu.charge(cycles, CAT.copy);
  }

  copyFromUser(task: Task, user: number, target: number, length: number): Operation<number> {
    return this.userCopy(task, user, target, length, user, false);
  }

  copyToUser(task: Task, source: number, user: number, length: number): Operation<number> {
    return this.userCopy(task, source, user, length, user, true);
  }

  // ---- tasks and switching ----------------------------------------------------------------------

  createTask(task: Task): number {
    const gate = new NativeGate(this, task);
    const context = new ExecutionContext(`${task.pid}`, () => this.firstReturnToUser(task, gate), task);
    task.substrateData = { context, gate } satisfies NativeTask;
    return 0;
  }

  destroyTask(task: Task): void {
    task.substrateData = undefined;
  }

  /** Starts the machine running `init` (after {@link LinuxKernel.startInit}). */
  start(init: Task): void {
    this.currentTask = init;
    this.cpu.loadCr3(init.mm!.pgd);
    this.cpu.current = (init.substrateData as NativeTask).context;
    this.machine.pit.start();
  }

  /** ret_from_fork: a new task's first return to user mode, then its user side. */
  private *firstReturnToUser(task: Task, gate: NativeGate): Activity {
    yield* this.exitToUser(task);
    yield* this.runHandlers(task, gate);
    yield* this.runtime.run(task, gate);
    throw new Error(`user side of ${task.pid} returned`);
  }

  *schedule(task: Task): Activity {
    const kernel = this.kernel;
    const cpu = this.cpu;
    cpu.execute(this.schedulePath);
    kernel.run('scheduleBase');
    const previous = this.currentTask;
    const next = kernel.scheduler.pickNext(previous);
    kernel.run('goodnessPerTask', kernel.scheduler.lastScanned);
    if (kernel.scheduler.lastRecalculated > 0) kernel.run('recalculatePerTask', kernel.scheduler.lastRecalculated);
    // the goodness loop reads counter and next_run of every runnable task struct
    for (const t of kernel.scheduler.tasks) {
      if (t.state !== 'running') continue;
      const struct = this.kernelLinear(t.structPhysical);
      cpu.access(struct + TASK_STRUCT.counter, 4, ACCESS_READ, false);
      cpu.access(struct + TASK_STRUCT.runLinks, 4, ACCESS_READ, false);
    }
    const switching = next !== previous || next === null;
    kernel.waits.schedule(previous, previous !== null && previous.state !== 'running', switching);
    if (!switching) return;
    this.switchTo(next);
    yield;
    if (task.state === 'zombie') throw new Error(`zombie ${task.pid} resumed`);
    // the resumed task runs the rest of switch_to and schedule() in its own address space
    cpu.execute(this.scheduleTailPath);
  }

  /** switch_to: the hardware task switch (`ljmp` to the TSS): saves and loads TSSs, reloads CR3. */
  private switchTo(next: Task | null): void {
    const cpu = this.cpu;
    const previous = this.currentTask;
    this.kernel.run('switchTo');
    cpu.charge(cpu.p.taskSwitch, CAT.addressSpaceSwitch);
    // the descriptor traffic of the ljmp: old TSS descriptor's busy bit cleared, new one's read
    // and set, the new LDT descriptor, then the segment descriptors (KERNEL_CS/DS, USER_DS)
    if (previous !== null) {
      cpu.access(this.kernelLinear(this.tssDescriptor(previous)), 8, ACCESS_WRITE, false);
      cpu.access(this.kernelLinear(previous.structPhysical) + TASK_STRUCT.tss, this.n.tssBytes, ACCESS_WRITE, false);
    }
    if (next !== null) {
      cpu.access(this.kernelLinear(this.tssDescriptor(next)), 16, ACCESS_READ, false);
      cpu.access(this.kernelLinear(this.tssDescriptor(next)), 8, ACCESS_WRITE, false);
      cpu.access(this.kernelLinear(GDT + 2 * 8), 32, ACCESS_READ, false);
      cpu.access(this.kernelLinear(next.structPhysical) + TASK_STRUCT.tss, this.n.tssBytes, ACCESS_READ, false);
    }
    cpu.loadCr3(next?.mm?.pgd ?? SWAPPER_PG_DIR);
    if (next !== null) this.descriptorTables.tss = this.kernelLinear(next.structPhysical) + TASK_STRUCT.tss;
    this.currentTask = next;
    cpu.current = next === null ? this.idle : (next.substrateData as NativeTask).context;
  }

  /** The task's TSS descriptor in the GDT (its LDT descriptor follows), by its task[] slot. */
  private tssDescriptor(task: Task): number {
    return GDT + (FIRST_TSS_ENTRY + 2 * (task.pid % NR_TASKS)) * 8;
  }

  /** Task 0: halts until an interrupt makes something runnable. */
  private *idleLoop(): Activity {
    for (;;) {
      if (this.haltedWith === null && this.kernel.scheduler.tasks.some((t) => t.state === 'running')) {
        this.cpu.execute(this.schedulePath);
        this.kernel.run('scheduleBase');
        const next = this.kernel.scheduler.pickNext(null);
        this.kernel.run('goodnessPerTask', this.kernel.scheduler.lastScanned);
        if (next !== null) {
          this.kernel.waits.schedule(null, false, true);
          this.switchTo(next);
          yield;
          continue;
        }
      }
      yield* this.cpu.halt();
    }
  }

  /** ret_from_sys_call / ret_from_intr towards user mode: interrupts, reschedule, signals. */
  *exitToUser(task: Task): Activity {
    this.cpu.execute(this.retPath);
    yield* this.kernel.retFromSysCall(task, () => this.interruptWindow());
    this.restoreAll(task);
  }

  /** The sti/cli window of ret_from_sys_call: lets due interrupts in, or null when none is due. */
  private interruptWindow(): Activity | null {
    const cpu = this.cpu;
    return cpu.scheduler.now >= cpu.scheduler.checkpoint ? this.pollWithInterrupts() : null;
  }

  private *pollWithInterrupts(): Activity {
    const cpu = this.cpu;
    cpu.interruptsEnabled = true;
    yield* cpu.poll();
    cpu.interruptsEnabled = false;
  }

  /** RESTORE_ALL to user mode: current->debugreg[7] for %db7, the saved frame, iret. */
  private restoreAll(task: Task): void {
    const cpu = this.cpu;
    cpu.execute(this.restorePath);
    cpu.access(this.kernelLinear(task.structPhysical) + TASK_STRUCT.debugreg7, 4, ACCESS_READ, false);
    cpu.access(this.kernelLinear(task.kernelStackPhysical) + 4096 - 68, 68, ACCESS_READ, false);
    cpu.iretToUser();
    cpu.cpl = 3;
    cpu.interruptsEnabled = true;
  }

  /** Runs the user-level handlers of caught signals (their frames are on the user stack). */
  *runHandlers(task: Task, gate: SystemCallGate): Activity {
    while (task.handlers.length > 0) {
      const handler = task.handlers.shift()!;
      yield* this.runtime.handleSignal(task, gate, handler.handler, handler.signal, handler.frame);
    }
  }

  /** int $0x80 from user mode: entry, dispatch through the kernel's table, exit. */
  *systemCall(task: Task, gate: NativeGate, nr: number, a1: number, a2: number, a3: number, a4: number, a5: number): Operation<number> {
    const cpu = this.cpu;
    cpu.gateFromUser(0x80);
    cpu.cpl = 0;
    cpu.execute(this.entryPath);
    cpu.access(this.kernelLinear(task.kernelStackPhysical) + 4096 - 68, 68, ACCESS_WRITE, false);
    cpu.access(this.kernelLinear(SYS_CALL_TABLE) + ((nr & 0xff) << 2), 4, ACCESS_READ, false);
    cpu.access(this.kernelLinear(KERNEL_GLOBALS), 32, ACCESS_READ, false);
    // current->debugreg[6] written (%db6), current->flags read (PF_TRACESYS test)
    cpu.access(this.kernelLinear(task.structPhysical) + TASK_STRUCT.debugreg6, 4, ACCESS_WRITE, false);
    cpu.access(this.kernelLinear(task.structPhysical) + TASK_STRUCT.flags, 4, ACCESS_READ, false);
    const handler = nr >= 0 ? this.kernel.handlers[nr] : undefined;
    let result: number;
    if (handler === undefined) result = -ENOSYS;
    else if (handler.fast) result = handler.run(task, a1, a2, a3, a4, a5);
    else result = yield* handler.run(task, a1, a2, a3, a4, a5);
    if (result === -ERESTARTSYS) result = -EINTR;
    const scheduler = cpu.scheduler;
    if (!this.kernel.scheduler.needResched && !task.hasPendingSignal() && scheduler.now < scheduler.checkpoint) {
      // the common ret_from_sys_call: no work, straight to RESTORE_ALL and iret
      cpu.execute(this.retPath);
      this.restoreAll(task);
    } else {
      yield* this.exitToUser(task);
    }
    if (task.handlers.length > 0) yield* this.runHandlers(task, gate);
    return result;
  }

  // ---- interrupts and exceptions ------------------------------------------------------------

  private *pageFault(fault: MachineFault): Activity {
    const cpu = this.cpu;
    const task = this.currentTask;
    if (task === null || cpu.cpl !== 3) throw new Error(`kernel page fault at 0x${fault.address.toString(16)}`);
    cpu.gateFromUser(VECTOR.pageFault);
    cpu.cpl = 0;
    cpu.interruptsEnabled = false;
    cpu.execute(this.faultPath);
    const result = task.mm === null ? 'segv' : this.kernel.mm.handleFault(task.mm, fault.address, fault.access === 'write');
    if (result === 'io') {
      const pending = this.kernel.mm.pendingRead!;
      if ((yield* this.kernel.disk.readPage(task, pending.inode, pending.index)) < 0) this.kernel.forceSignal(task, SIG.SIGKILL);
    } else if (result !== 'ok') {
      this.kernel.forceSignal(task, result === 'oom' ? SIG.SIGKILL : SIG.SIGSEGV);
    }
    yield* this.exitToUser(task);
    yield* this.runHandlers(task, (task.substrateData as NativeTask).gate);
  }

  private *generalProtection(_fault: MachineFault): Activity {
    const cpu = this.cpu;
    const task = this.currentTask;
    if (task === null || cpu.cpl !== 3) throw new Error('kernel general protection fault');
    cpu.gateFromUser(VECTOR.generalProtection);
    cpu.cpl = 0;
    cpu.execute(this.faultPath);
    this.kernel.forceSignal(task, SIG.SIGSEGV);
    yield* this.exitToUser(task);
    // a caught SIGSEGV runs its handler before the instruction is retried, as after a page fault
    yield* this.runHandlers(task, (task.substrateData as NativeTask).gate);
  }


  /** Hardware interrupt entry (gate + IRQ stub + PIC acknowledge): true if it came from user mode. */
  private interruptEntry(irq: number): boolean {
    const cpu = this.cpu;
    const fromUser = cpu.cpl === 3;
    if (fromUser) cpu.gateFromUser(irq < 8 ? 0x20 + irq : 0x28 + irq - 8);
    else cpu.charge(cpu.p.intSame, CAT.kernelEntry);
    cpu.cpl = 0;
    cpu.interruptsEnabled = false;
    cpu.execute(this.irqPath);
    cpu.charge(this.n.irqPicAccesses * cpu.p.isaIoAccess, CAT.device);
    this.machine.pic.endOfInterrupt(irq);
    return fromUser;
  }

  private *interruptExit(fromUser: boolean): Activity {
    const cpu = this.cpu;
    const task = this.currentTask;
    if (fromUser && task !== null) {
      yield* this.exitToUser(task);
      if (task.handlers.length > 0) yield* this.runHandlers(task, (task.substrateData as NativeTask).gate);
      return;
    }
    cpu.execute(this.restorePath);
    cpu.charge(cpu.p.iretSame, CAT.kernelEntry);
    cpu.interruptsEnabled = true;
  }

  private *timerInterrupt(): Activity {
    const fromUser = this.interruptEntry(0);
    // update_process_times: the tick is current's, user time if it interrupted user mode
    this.kernel.timerTick(this.currentTask, fromUser);
    yield* this.interruptExit(fromUser);
  }

  private *consoleInterrupt(): Activity {
    const fromUser = this.interruptEntry(1);
    const console = this.machine.console;
    const bytes = console.takeInput(console.inputAvailable);
    this.cpu.charge(bytes.length * this.cpu.p.isaIoAccess, CAT.device);
    this.kernel.tty.receive(bytes);
    yield* this.interruptExit(fromUser);
  }

  private *diskInterrupt(): Activity {
    const fromUser = this.interruptEntry(14);
    this.kernel.disk.interrupt();
    yield* this.interruptExit(fromUser);
  }

  consoleOutput(bytes: Uint8Array): void {
    this.cpu.charge(bytes.length * this.cpu.p.consoleCharCost, CAT.device);
    this.machine.console.write(decodeUtf8(bytes));
  }
}

/** The `int $0x80` trap of native Linux, as the C library's stubs use it. */
export class NativeGate implements SystemCallGate {
  constructor(private readonly linux: NativeLinux, private readonly task: Task) {}

  call(nr: number, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): Operation<number> {
    return this.linux.systemCall(this.task, this, nr, a1, a2, a3, a4, a5);
  }

  setChildEntry(entry: unknown): void {
    this.task.regs.childEntry = entry;
  }
}
