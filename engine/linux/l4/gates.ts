import { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE, CAT, type Cpu } from '../../machine/cpu';
import type { Activity, Operation } from '../../machine/executionContext';
import type { CycleAccounting } from '../../base/cycleAccounting';
import { TIMEOUT_NEVER, type ExceptionFrame, type IpcOptions, type IpcResult, type L4Api, type ThreadId } from '../../l4/guestApi';
import { LINUX_SYSCALL_VECTOR } from '../../l4/kernel';
import { EINTR } from '../core/errno';
import type { SystemCallGate, UserRuntime } from '../core/substrate';
import type { Task } from '../core/task';
import type { L4LinuxCode } from './glueCode';
import type { L4LinuxParameters } from './l4linuxParameters';
import { EMULATION_LIBRARY, MESSAGE, REPLY_HANDLERS, STATE_WORDS } from './layout';
import { LibraryCall, type LibraryExit } from './libraryCall';

/** The library is part of the shared libc.so, so its IPC binding is the PIC variant. */
const LIBRARY_BINDING: IpcOptions = Object.freeze({ positionIndependent: true });

/** The Figure 5 phases (SOSP'97), as reproduce.ts names them. */
export const PHASE = {
  enter: 'enter emulation library',
  send: 'send system call message',
  linux: 'LINUX',
  reply: 'receive reply',
  leave: 'leave emulation library',
} as const;

/** What a process's emulation library knows: its L4 thread, the server, the costs. */
export interface EmulationContext {
  readonly cpu: Cpu;
  readonly accounting: CycleAccounting;
  readonly parameters: L4LinuxParameters;
  /** Where the library's stub and trampoline are (the process's high region). */
  readonly code: L4LinuxCode;
  readonly runtime: UserRuntime;
  readonly server: ThreadId;
}

/**
 * Executes `bytes` of user code at `address` (I-TLB, I-cache; faults go to the pager). Returns
 * null when it completed without a fault (the usual case: no generator is created), else the
 * activity that raises the fault and finishes the fetch; use as
 * `const rest = fetchUserCode(...); if (rest !== null) yield* rest;`.
 */
export function fetchUserCode(cpu: Cpu, address: number, bytes: number): Activity | null {
  if (bytes <= 0) return null;
  const done = cpu.userAccess(address, bytes, ACCESS_FETCH);
  return done < bytes ? fetchFaults(cpu, address, bytes, done) : null;
}

/** The rest of a fetch whose first attempt stopped at `done` with a fault in `cpu.fault`. */
function* fetchFaults(cpu: Cpu, address: number, bytes: number, done: number): Activity {
  yield* cpu.raise(cpu.fault);
  for (let faults = 1; done < bytes; faults++) {
    if (faults > 16) throw new Error(`emulation library: 0x${(address + done).toString(16)} is never mapped`);
    done += cpu.userAccess(address + done, bytes - done, ACCESS_FETCH);
    if (done < bytes) yield* cpu.raise(cpu.fault);
  }
}

/**
 * Moves `bytes` between user `address` and `buffer` (a store with ACCESS_WRITE, a load with
 * ACCESS_READ) without waiting: the bytes done, fewer when the page is not mapped as needed (the
 * fault is in `cpu.fault`).
 */
function moveUserBytes(cpu: Cpu, address: number, buffer: Uint8Array, done: number, kind: typeof ACCESS_READ | typeof ACCESS_WRITE): number {
  const linear = cpu.userLinear(address + done, buffer.length - done, kind);
  if (linear < 0) return done;
  return done + (kind === ACCESS_WRITE ? cpu.write(linear, buffer, done, buffer.length - done, true) : cpu.read(linear, buffer, done, buffer.length - done, true));
}

/** {@link moveUserBytes} to the end, taking the faults (they go to the pager). */
function* moveUserBytesFaulting(cpu: Cpu, address: number, buffer: Uint8Array, done: number, kind: typeof ACCESS_READ | typeof ACCESS_WRITE): Activity {
  for (let faults = 0; done < buffer.length; faults++) {
    if (faults > 16) throw new Error(`emulation library: the shared page at 0x${address.toString(16)} is never mapped`);
    yield* cpu.raise(cpu.fault);
    done = moveUserBytes(cpu, address, buffer, done, kind);
  }
}

/**
 * The emulation library (SOSP'97 §4, the modified libc.so): mapped high into every process, it
 * "handles only communication with the Linux server". A system call enters the library, saves
 * its registers (the number and the five argument registers) in the page the process shares with
 * the server ({@link EMULATION_LIBRARY}.state), sends a short L4 IPC call to the server, and after
 * the reply restores the new state from that page (EAX: the result) and leaves, as L4Linux 2.2's
 * emulation code did. Caught signals whose frames the server pushed run before the call returns,
 * as after native's iret.
 */
export class EmulationLibraryGate implements SystemCallGate, LibraryExit {
  /** Set by the process's signal thread: enter Linux for signal delivery before the next call. */
  signalEntry = false;
  /** The library is the modified libc.so: a dynamically linked call's PLT slot leads straight into it. */
  readonly libraryEntry: boolean = true;

  /**
   * The exception handler to install in the process's main thread: L4 reflects an exception
   * (#GP of a store beyond user space, ...) to it, and the library reports it to the server, which
   * turns it into SIGSEGV; caught, its handler runs before the faulting access is retried.
   */
  readonly handler = (frame: ExceptionFrame): Activity => this.reflected(frame);
  /** This process's system call from its IPC on (reused by every call). */
  private readonly libraryCall = new LibraryCall(this);
  /** The registers a call saves in, and restores from, the shared page (reused by every call). */
  private readonly state = new Uint8Array(STATE_WORDS * 4);
  private readonly stateView = new DataView(this.state.buffer);

  constructor(
    protected readonly context: EmulationContext,
    protected readonly l4: L4Api,
    protected readonly task: Task,
  ) {}

  call(nr: number, a1?: number, a2?: number, a3?: number, a4?: number, a5?: number): Operation<number> {
    return this.enter(nr, [a1, a2, a3, a4, a5]);
  }

  setChildEntry(entry: unknown): void {
    this.task.regs.childEntry = entry;
  }

  /**
   * The library's signal entry (SOSP'97 Fig. 3): the main thread enters Linux for signal delivery
   * and runs the caught handlers. The signal thread redirects a main thread that waits in a
   * page-fault RPC here; one computing in user mode takes it at its next system call.
   */
  *enterForSignals(): Activity {
    this.signalEntry = false;
    yield* this.emulate(MESSAGE.signalEntry, []);
  }

  /** The library routine for call `nr`; not a generator itself (one host frame less per system call). */
  protected enter(nr: number, args: ReadonlyArray<number | undefined>): Operation<number> {
    return this.signalEntry ? this.enterAfterSignals(nr, args) : this.emulate(nr, args);
  }

  /** {@link enter} when the signal thread asked for signal delivery first. */
  private *enterAfterSignals(nr: number, args: ReadonlyArray<number | undefined>): Operation<number> {
    yield* this.enterForSignals();
    return yield* this.emulate(nr, args);
  }

  /** An exception reflected by L4: a message to the server (a guest that threw is an engine bug, not a fault). */
  protected *reflected(frame: ExceptionFrame): Activity {
    if (frame.message !== undefined) throw new Error(`exception ${frame.vector} in a Linux process: ${frame.message}`);
    yield* this.emulate(MESSAGE.exception, [frame.vector]);
  }

  /**
   * The library routine: enter, IPC call to the server, leave, then caught signals. Not a
   * generator itself: the usual call (code resident, at most one argument) returns the
   * process's reusable {@link LibraryCall}.
   */
  protected emulate(nr: number, args: ReadonlyArray<number | undefined>): Operation<number> {
    const { cpu, accounting, parameters: n } = this.context;
    const m = cpu.p;
    accounting.setPhase(PHASE.enter, cpu.scheduler.now);
    cpu.charge(n.emulEnterSimple * m.instruction + n.emulEnterMemoryOps * m.aluRegMem, CAT.emulation);
    const stub = this.context.code.stub;
    const entering = fetchUserCode(cpu, stub.address, stub.enterBytes);
    if (entering !== null || this.libraryCall.busy) return this.emulateRest(entering, nr, args);
    const saved = this.saveState(nr, args);
    if (saved < this.state.length) return this.emulateRest(null, nr, args, saved);
    accounting.setPhase(PHASE.send, cpu.scheduler.now);
    return this.libraryCall.start(this.send());
  }

  /**
   * {@link emulate} as a generator: the code fetch faulted, the shared page is not mapped yet
   * (`saved` bytes of the registers went in), or the library call is in use.
   */
  private *emulateRest(entering: Activity | null, nr: number, args: ReadonlyArray<number | undefined>, saved = -1): Operation<number> {
    const cpu = this.context.cpu;
    if (entering !== null) yield* entering;
    if (saved < 0) saved = this.saveState(nr, args);
    if (saved < this.state.length) yield* moveUserBytesFaulting(cpu, EMULATION_LIBRARY.state, this.state, saved, ACCESS_WRITE);
    this.context.accounting.setPhase(PHASE.send, cpu.scheduler.now);
    const after = this.leaveLibrary(yield* this.send());
    return typeof after === 'number' ? after : yield* after;
  }

  /** Stores the call's registers in the shared page: EAX (the number), EBX, ECX, EDX, ESI, EDI. Returns the bytes stored (fewer: a fault). */
  private saveState(nr: number, args: ReadonlyArray<number | undefined>): number {
    const view = this.stateView;
    view.setUint32(0, nr >>> 0, true);
    for (let i = 0; i < STATE_WORDS - 1; i++) view.setUint32(4 + 4 * i, (args[i] ?? 0) >>> 0, true);
    return moveUserBytes(this.context.cpu, EMULATION_LIBRARY.state, this.state, 0, ACCESS_WRITE);
  }

  /** The IPC call to the server: a short message that says "system call"; the registers are in the shared page. */
  private send(): Operation<IpcResult> {
    return this.l4.ipcCall(this.context.server, MESSAGE.systemCall, 0, TIMEOUT_NEVER, LIBRARY_BINDING);
  }

  /** The library's way out after the server's reply: the call's result, or the rest as a generator when the code fetch faults or caught signals' handlers must run (also for the process's {@link LibraryCall}). */
  leaveLibrary(reply: IpcResult): Operation<number> | number {
    const { cpu, accounting, parameters: n } = this.context;
    const m = cpu.p;
    accounting.setPhase(PHASE.leave, cpu.scheduler.now);
    cpu.charge(n.emulLeaveSimple * m.instruction + n.emulLeaveMemoryOps * m.aluRegMem, CAT.emulation);
    const stub = this.context.code.stub;
    const leaving = fetchUserCode(cpu, stub.address + stub.enterBytes, stub.bytes - stub.enterBytes);
    // the new state from the shared page (not after an aborted IPC: the call did not happen)
    const restored = reply.error !== 0 ? this.state.length : moveUserBytes(cpu, EMULATION_LIBRARY.state, this.state, 0, ACCESS_READ);
    if (leaving !== null || restored < this.state.length || (reply.w1 & REPLY_HANDLERS) !== 0) return this.leaveRest(leaving, reply, restored);
    accounting.setPhase(null, cpu.scheduler.now);
    return reply.error !== 0 ? -EINTR : this.stateView.getInt32(0, true);
  }

  /** {@link leaveLibrary} as a generator, after its first fetch and its first load of the new state (`restored` bytes). */
  private *leaveRest(leaving: Activity | null, reply: IpcResult, restored: number): Operation<number> {
    if (leaving !== null) yield* leaving;
    if (restored < this.state.length) yield* moveUserBytesFaulting(this.context.cpu, EMULATION_LIBRARY.state, this.state, restored, ACCESS_READ);
    this.context.accounting.setPhase(null, this.context.cpu.scheduler.now);
    const result = reply.error !== 0 ? -EINTR : this.stateView.getInt32(0, true);
    if ((reply.w1 & REPLY_HANDLERS) !== 0) yield* this.runHandlers();
    return result;
  }

  /** Runs the user-level handlers of caught signals (their frames are on the user stack). */
  private *runHandlers(): Activity {
    const task = this.task;
    while (task.handlers.length > 0) {
      const handler = task.handlers.shift()!;
      yield* this.context.runtime.handleSignal(task, this, handler.handler, handler.signal, handler.frame);
    }
  }
}

/**
 * The trampoline (SOSP'97 §4, system `l4linux-trampoline`): an unmodified binary's `int $0x80`
 * is reflected by L4 to the thread's user-level exception handler, which decodes it and calls
 * the same emulation-library routine, then returns past the `int` (IRET at user level).
 */
export class TrampolineGate extends EmulationLibraryGate {
  /** Binaries keep the unmodified libc.so, whose wrappers trap with int 0x80. */
  override readonly libraryEntry: boolean = false;
  private pending: { nr: number; args: ReadonlyArray<number | undefined> } = { nr: 0, args: [] };
  private result = 0;

  protected override *enter(nr: number, args: ReadonlyArray<number | undefined>): Operation<number> {
    this.pending = { nr, args };
    this.context.accounting.setPhase(PHASE.enter, this.context.cpu.scheduler.now);
    yield* this.l4.trap(LINUX_SYSCALL_VECTOR);
    return this.result;
  }

  /** `int $0x80` goes to the emulation-library routine; any other exception to the server as on the library path. */
  protected override *reflected(frame: ExceptionFrame): Activity {
    if (frame.vector !== LINUX_SYSCALL_VECTOR) {
      yield* super.reflected(frame);
      return;
    }
    const { cpu, parameters: n } = this.context;
    cpu.charge(n.trampolineSimple * cpu.p.instruction + n.trampolineMemoryOps * cpu.p.aluRegMem, CAT.emulation);
    const trampoline = fetchUserCode(cpu, this.context.code.trampoline.address, this.context.code.trampoline.bytes);
    if (trampoline !== null) yield* trampoline;
    const { nr, args } = this.pending;
    this.result = yield* super.enter(nr, args);
  }
}
