import type { Activity, Operation } from '../../machine/executionContext';
import type { Cpu } from '../../machine/cpu';
import type { Machine } from '../../machine/machine';
import type { LinuxBuild } from './kernelCode';
import type { MemoryMap } from './mm';
import type { Task } from './task';

/**
 * The trap mechanism a process uses to make a system call, as seen from user mode: the C
 * library's stubs call {@link call} with the Linux/i386 number and up to five arguments (EBX,
 * ECX, EDX, ESI, EDI) and get EAX back (a result or -errno). Native Linux implements it with
 * `int $0x80`; L4Linux with an IPC call from the emulation library (or the trampoline reflecting
 * the int); MkLinux with a Mach message. The stub is all that differs: the same guest programs
 * run on every system.
 */
export interface SystemCallGate {
  call(nr: number, a1?: number, a2?: number, a3?: number, a4?: number, a5?: number): Operation<number>;
  /**
   * Sets where a child created by the next fork resumes in user mode (the EIP/ESP the child
   * inherits from the parent's trap frame). The value is opaque to the kernel.
   */
  setChildEntry(entry: unknown): void;
  /**
   * True when the gate is itself the shared C library's system-call wrapper (L4Linux's emulation
   * library is the modified libc.so), so a dynamically linked call has no int 0x80 wrapper of its own.
   */
  readonly libraryEntry?: boolean;
}

/**
 * The user side of processes, supplied by the userland (its crt0): the kernel never calls guest
 * code directly, only through this.
 */
export interface UserRuntime {
  /**
   * Runs `task` in user mode from its first return to user mode (after fork or execve) until it
   * exits. Never returns normally: it ends in the exit system call.
   */
  run(task: Task, gate: SystemCallGate): Activity;
  /**
   * Runs the user-level signal handler at address `handler` for `signal` in user mode; the
   * kernel has already pushed the signal frame at `frame` on the user stack. The handler ends
   * with the sigreturn system call, made through `gate`.
   */
  handleSignal(task: Task, gate: SystemCallGate, handler: number, signal: number, frame: number): Activity;
}

/**
 * What the Linux 2.0 personality (engine/linux/core) needs from the system it runs on. The
 * personality is written once against this; native Linux, L4Linux and MkLinux implement it.
 *
 * Execution model: every Linux task has its own coroutine (the task's kernel stack); system calls
 * run on it. On native Linux that coroutine is the process's own execution context, entered by
 * the `int $0x80` trap; on L4Linux it is one of the Linux server's coroutines, all multiplexed on
 * the server's single L4 thread, entered when the server receives the process's system-call IPC;
 * on MkLinux it is a server coroutine entered by a Mach message.
 *
 * A system call: the substrate takes the number and arguments from its gate, runs
 * `kernel.handlers[nr]` on the task's coroutine (`fast` handlers are plain functions, the others
 * generators that may sleep), turns -ERESTARTSYS into -EINTR, and on the way back to user mode
 * runs `kernel.retFromSysCall(task)` (its `schedule(task)` while `kernel.scheduler.needResched`
 * is set, `kernel.handleSignals(task)` while a signal is pending); caught signals leave frames in `task.handlers`, which the
 * substrate runs in user mode with `runtime.handleSignal` (native: after the iret; L4Linux: via
 * the process's signal thread).
 *
 * Page faults on user addresses go to `kernel.mm.handleFault(mm, address, write)`: 'ok' retry,
 * 'segv'/'oom' deliver SIGSEGV/SIGKILL (or EFAULT inside copyin/copyout), 'io' means the page is
 * not in the page cache yet: call `kernel.disk.readPage(task, pending.inode, pending.index)` with
 * `kernel.mm.pendingRead` (it sleeps until the disk interrupt) and retry.
 *
 * Interrupts: the substrate's handlers call `kernel.timerTick()` (IRQ 0, HZ = 100; then a
 * reschedule check on return to user mode), `kernel.tty.receive(bytes)` (console input) and
 * `kernel.disk.interrupt()` (IRQ 14). Native Linux takes them through the PIC and the IDT; L4Linux
 * through its interrupt threads' IPC.
 */
export interface Substrate {
  readonly name: string;
  readonly machine: Machine;
  readonly cpu: Cpu;
  /** Category the personality's own code paths are charged to (`kernel` native, `linuxServer` on L4Linux/MkLinux). */
  readonly kernelCategory: number;
  /** Linear address of the personality's code (so paths have an I-cache/I-TLB footprint). */
  readonly kernelTextBase: number;
  /**
   * Where this substrate's build of the personality compiles differently from native Linux 2.0
   * (absent: as native, flag instructions included; L4Linux keeps them, SOSP'97 §4: "Linux's
   * interrupt disabling is kept unchanged").
   */
  readonly linuxBuild?: LinuxBuild;

  // ---- memory ------------------------------------------------------------------------------

  /**
   * The linear address at which the personality reaches physical address `physical`: native
   * Linux's 0xC0000000 + p mapping (PAGE_OFFSET); the L4Linux server's 1:1 map of the memory
   * sigma0 gave it.
   */
  kernelLinear(physical: number): number;
  /** First and last+1 physical address of the memory Linux may allocate pages from. */
  readonly memoryStart: number;
  readonly memoryEnd: number;
  /**
   * TASK_SIZE, an architecture's constant (include/asm/processor.h): user addresses are below it,
   * the stack starts at it, mmap's default search starts at a third of it. i386's 3 GB natively and
   * on MkLinux; L4Linux keeps the top 4 MB below 3 GB for its emulation library and the page each
   * process shares with the server (engine/linux/l4/layout.ts).
   */
  readonly taskSize: number;

  /**
   * A new page directory was allocated (zeroed) at `pgd`: add what every directory needs (native:
   * the kernel's PDEs from swapper_pg_dir; L4Linux: nothing, the logical tables hold user space
   * only).
   */
  initPageDirectory(pgd: number): void;
  /**
   * The personality changed or removed a present PTE of `mm` at `address` (COW write-protect,
   * unmap, page freed, protection change): a substrate that keeps its own copy of the user
   * translations makes it agree. Native: nothing (the hardware walks Linux's tables; its TLB is
   * the flush primitives' business). L4Linux: `fpage_unmap` of the page from the task. MkLinux: a
   * memory_object_lock_request flush of the page. Adding a PTE where none was present needs no
   * call (it is picked up on the next fault). The personality also calls the 2.0 flush primitive
   * ({@link flushTlbPage}, or {@link flushTlbRange} after a loop) where 2.0 does.
   */
  pageChanged(mm: MemoryMap, address: number): void;
  /**
   * Many PTEs of `mm` changed at once (fork's write-protection, exit): as {@link pageChanged} for
   * the whole space (L4Linux: every page the task holds is reconciled; MkLinux: every page its
   * memory object holds is rechecked). Native: nothing.
   */
  addressSpaceChanged(mm: MemoryMap): void;
  /**
   * Linux 2.0's `flush_tlb_page(vma, address)` (include/asm-i386/pgtable.h, uniprocessor): called
   * after a fault handler changed one present PTE (do_wp_page). Native: `invlpg` of the page when
   * `mm` is the live address space (`vma->vm_mm == current->mm`), nothing otherwise. L4Linux and
   * MkLinux: nothing (see {@link flushTlbRange}).
   */
  flushTlbPage(mm: MemoryMap, address: number): void;
  /**
   * Linux 2.0's `flush_tlb_range(mm, start, end)`: called once after a loop over the PTEs of
   * [start, end) (zap_page_range for munmap and brk, change_protection for mprotect,
   * copy_page_range for each area at fork, for the parent and the child). Native: on the
   * Pentium it is `__flush_tlb()`, a CR3 reload that drops the whole TLB (no global pages),
   * when `mm` is the live address space; nothing otherwise. L4Linux: nothing (the server has no
   * TLB to flush; L4 flushes what `fpage_unmap` removes). MkLinux: nothing (osfmach3/pgtable.h
   * defines every flush_tlb_* empty).
   */
  flushTlbRange(mm: MemoryMap, start: number, end: number): void;
  /**
   * Linux 2.0's `flush_tlb_mm(mm)` (exit_mm before the switch to swapper_pg_dir): as
   * {@link flushTlbRange} for the whole space.
   */
  flushTlbMm(mm: MemoryMap): void;
  /**
   * The page at user `address` of `mm` was just made present by a fault: on native Linux nothing
   * to do (the hardware walks Linux's tables); on L4Linux map the page to the task (the reply
   * to the page-fault IPC).
   */
  pageMapped(mm: MemoryMap, address: number, writable: boolean): void;

  /**
   * copy_from_user: copies `length` bytes from user address `user` of `task` to the
   * personality's linear address `target`. Native: through the user segment in the same address
   * space; faults on user addresses are resolved by the personality's page-fault handler.
   * L4Linux: "physical" copy, walking the logical page tables in software. Returns the bytes
   * copied, or -EFAULT for an address the task may not access.
   */
  copyFromUser(task: Task, user: number, target: number, length: number): Operation<number>;
  /** copy_to_user: as {@link copyFromUser}, the other way. */
  copyToUser(task: Task, source: number, user: number, length: number): Operation<number>;

  // ---- tasks, scheduling, interrupts ----------------------------------------------------------

  /**
   * A task was created by fork (or is init): build what runs it (native: an execution context
   * and a TSS; L4Linux: an L4 task whose pager is the server, plus its server coroutine). When it
   * first runs it returns to user mode through `ret_from_sys_call` with EAX = 0 and then runs
   * `runtime.run(task, gate)`. Returns 0, or -EAGAIN / -ENOMEM when the substrate's resources for
   * a new process are exhausted (it has then built nothing, and fork fails with that error). A
   * substrate that builds the child later, in its server (L4Linux's task_new, MkLinux's
   * task_create), and fails there undoes the fork with `kernel.cancelFork(task)` and returns the
   * error to the parent instead of the pid.
   */
  createTask(task: Task): number;
  /** The task was reaped (wait4): release what {@link createTask} built. */
  destroyTask(task: Task): void;
  /** The address space of `task` was replaced by execve. */
  addressSpaceReplaced(task: Task): void;
  /**
   * schedule(): give up the CPU; return when `task` runs again. `task` may still be runnable
   * (time slice used up, need_resched) or asleep on a wait queue (then it returns after a
   * wake-up) or a zombie (then it never returns). Native Linux picks the next task with goodness()
   * and switches by a hardware task switch (CR3 reload, TLB flush); L4Linux switches coroutines in
   * the server, user threads being scheduled by L4.
   */
  schedule(task: Task): Activity;
  /**
   * MkLinux's osfmach3_update_task_info (sys_times and getrusage call it before reading the
   * times): `task.utime`/`stime` from Mach's task_info and thread_info. Absent where the timer
   * tick keeps them (native Linux, L4Linux).
   */
  updateTaskTimes?(task: Task): Activity;
  /** The task now in the kernel (`current`), or null when idle. */
  readonly current: Task | null;

  /** Writes to the console device (the tty driver's output routine, with its device cost). */
  consoleOutput(bytes: Uint8Array): void;
  /** Simulated time in cycles. */
  readonly now: number;
}
