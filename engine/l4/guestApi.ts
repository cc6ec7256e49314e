import { GuestError, guestCycles, VECTOR } from '../base/result';
import { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE, CAT } from '../machine/cpu';
import type { Activity, Operation } from '../machine/executionContext';
import type { L4Kernel } from './kernel';
import { LINUX_SYSCALL_VECTOR, SYSCALL } from './kernel';
import { DOPE_REDIRECTED, ipcError, SEND_DECEIT } from './messageDope';
import { IpcTrap, type IpcTrapOwner } from './ipcTrap';
import type { ExceptionHandler, Thread } from './thread';
import { NIL_ID, type ThreadId } from './threadId';
import { TIMEOUT_NEVER } from './timeout';

export { fpage, ioFpage, UNMAP_ALL_SPACES, UNMAP_FLUSH } from './fpage';
export { IO_PORTS } from './ioSpace';
export { DOPE_DECEITED, DOPE_FPAGE_RECEIVED, DOPE_REDIRECTED, DOPE_SOURCE_INSIDE, IPC_ERROR, ipcErrorName, messageDope, MESSAGE_BUFFER, SEND_DECEIT, stringDopeOffset } from './messageDope';
export { interruptId, NIL_ID, INVALID_ID, threadId, type ThreadId } from './threadId';
export { timeoutWord, TIMEOUT_NEVER, TIMEOUT_POLL } from './timeout';
export type { ExceptionFrame, ExceptionHandler } from './thread';

/** Guest code of a thread: a generator function that receives the thread's L4 API. */
export type GuestEntry = (l4: L4Api) => Activity;

/** Send descriptor values (EAX): no send, a short (register) message, a short map message. */
export const SEND_NONE = 0xffffffff;
/** Send descriptor of a short message (EDX, EBX only). */
export const SEND_SHORT = 0;
/** A short message whose two words are a map item (send base, fpage). */
export const SEND_SHORT_MAP = 2;
/** Receive descriptor values (EBP): none, a short receive without a map window. */
export const RECEIVE_NONE = 0xffffffff;
/** Receive descriptor of a short receive without a map window. */
export const RECEIVE_SHORT = 0;

/** A short receive with a map window (`L4_IPC_MAPMSG`): the fpage word with bit 1 set. */
export function receiveWindow(address: number, size: number): number {
  return ((address & 0xfffff000) | ((size & 0x3f) << 2) | 2) >>> 0;
}

/** A send descriptor for the long message buffer at `address` (with map items if `map`). */
export function sendBuffer(address: number, map = false): number {
  return ((address & ~3) | (map ? 2 : 0)) >>> 0;
}

/** The result of an IPC. One object per thread, overwritten by its next IPC (no allocation). */
export interface IpcResult {
  /** The result message dope (EAX). */
  dope: number;
  /** Its error part: 0 or one of {@link IPC_ERROR}. */
  error: number;
  /** Received words 0 and 1 (EDX, EBX). */
  w0: number;
  w1: number;
  /** The sender's id (ESI:EDI) — for an interrupt, its pseudo-thread id; a deceited message (dope bit {@link DOPE_DECEITED}) gives the virtual sender. */
  sourceLow: number;
  sourceHigh: number;
  /** A redirected message (dope bit {@link DOPE_REDIRECTED}, received by a chief): the thread it was sent to (ECX:EBP); else 0. */
  destinationLow: number;
  destinationHigh: number;
}

/** Options of the IPC bindings: descriptors other than the short defaults. */
export interface IpcOptions {
  /** Send descriptor: {@link SEND_SHORT} (default), {@link SEND_SHORT_MAP} or {@link sendBuffer}. */
  readonly send?: number;
  /** Receive descriptor: {@link RECEIVE_SHORT} (default), {@link receiveWindow} or a buffer address. */
  readonly receive?: number;
  /**
   * Deceiting (chiefs): send as this thread. The binding sets bit 0 of the send descriptor and
   * pushes the id on the user stack, as `l4_ipc_send_deceiting` does; the kernel honours it only
   * when direction preserving (the receiver would have got a message from that thread through
   * this chief anyway), else the message arrives with the true sender. Needs a user stack
   * ({@link L4Api.userImage} or the thread's ESP).
   */
  readonly virtualSender?: ThreadId;
  /**
   * The caller is position-independent code (a shared library, EBX holding its GOT pointer): the
   * binding is the PIC variant (L4ENV ipc-l42-gcc273-pic.h), which saves and restores EBX and
   * passes the two words through a memory block.
   */
  readonly positionIndependent?: boolean;
}

/** The default options, shared so that a call without options allocates nothing. */
const DEFAULT_IPC_OPTIONS: IpcOptions = Object.freeze({});

/**
 * A classic C binding around `int $0x30` (L4ENV@f68bf96 ipc-l42-gcc273-nopic.h): how many results
 * it stores through output pointers (dope, received words, source id) and whether it passes the
 * ids through an address block (reply_and_wait). Null: the registers are set up in line, as in the
 * L4 pingpong's inner loop, and nothing is stored afterwards.
 */
interface CBinding {
  readonly outputs: number;
  readonly indirect: boolean;
}

/** The C bindings of the L4Api methods (also the instruction counts of L4Linux's binding code, engine/linux/l4/glueCode.ts). */
export const C_BINDING = {
  call: { outputs: 3, indirect: false },
  send: { outputs: 1, indirect: false },
  receive: { outputs: 3, indirect: false },
  wait: { outputs: 5, indirect: false },
  replyAndWait: { outputs: 5, indirect: true },
} as const satisfies Record<string, CBinding>;

/**
 * A thread's IPC binding in progress: which C binding (null: registers set up in line), its PIC
 * variant, and the result it reads from the registers after the trap. It is the owner of the
 * thread's {@link IpcTrap}: an object with a method rather than a closure per thread, which would
 * be a new call target in V8 for every simulated system and made it drop the optimized code of
 * the IPC path at the start of each run (issue 10).
 */
class IpcBindingResult implements IpcTrapOwner<IpcResult> {
  /** The C binding of the IPC in progress (null: in line) and whether it is the PIC variant. */
  binding: CBinding | null = null;
  pic = false;
  private readonly result: IpcResult = { dope: 0, error: 0, w0: 0, w1: 0, sourceLow: 0, sourceHigh: 0, destinationLow: 0, destinationHigh: 0 };

  constructor(private readonly kernel: L4Kernel, private readonly thread: Thread) {}

  /** After the trap: the result from the registers, then the binding's stores (of the call's {@link binding}). */
  ipcResult(): IpcResult {
    const t = this.thread;
    const r = this.result;
    r.dope = t.eax;
    r.error = ipcError(t.eax);
    r.w0 = t.edx;
    r.w1 = t.ebx;
    r.sourceLow = t.esi;
    r.sourceHigh = t.edi;
    const redirected = (t.eax & DOPE_REDIRECTED) !== 0;
    r.destinationLow = redirected ? t.ecx : 0;
    r.destinationHigh = redirected ? t.ebp : 0;
    const binding = this.binding;
    if (binding !== null) {
      const p = this.kernel.p;
      this.kernel.cpu.charge((p.ipcBindingSaveInstructions + binding.outputs * p.ipcBindingStoreInstructions + (binding.indirect ? p.ipcBindingIndirectAfter : 0) + (this.pic ? p.ipcBindingPicAfter : 0)) * this.kernel.cpu.p.instruction, CAT.user);
    }
    return r;
  }
}

/**
 * The L4 system calls as a thread sees them: generator functions mirroring the classic C
 * bindings (`l4_ipc_call` → `ipcCall`...). Each loads the registers of the L4/x86 v2 ABI and
 * traps with `int 0x30`..`0x36`; the kernel's costs follow from that. Memory helpers access the
 * thread's own address space through the MMU; page faults go to the thread's pager and the
 * access is retried. Use with `yield*`.
 */
export class L4Api {
  /** Where this thread's binding code and stack are (0 = not simulated), see {@link userImage}. */
  private codeAddress = 0;
  private stackAddress = 0;
  /** The binding of the IPC in progress and its result. */
  private readonly call: IpcBindingResult;
  /** This thread's `int 0x30` of the IPC bindings (reused by every call). */
  private readonly ipcTrap: IpcTrap<IpcResult>;

  constructor(private readonly kernel: L4Kernel, private readonly thread: Thread) {
    this.call = new IpcBindingResult(kernel, thread);
    this.ipcTrap = new IpcTrap(kernel, thread, this.call);
  }

  /** This thread's id (`l4_myself`). */
  get myself(): ThreadId {
    return { low: this.thread.idLow, high: this.thread.idHigh };
  }

  /** This thread's task number and lthread number. */
  get taskNumber(): number {
    return this.thread.task.number;
  }

  get lthread(): number {
    return this.thread.lthread;
  }

  /** The id of sigma0's thread (the initial pager). */
  get sigma0(): ThreadId {
    return this.kernel.idOf(2) ?? NIL_ID;
  }

  /**
   * Declares where the thread's system-call binding code and its stack live in its space. From
   * then on every binding fetches its 32 code bytes through the I-TLB and I-cache and pushes its
   * return address on the stack, so user-level TLB and cache effects of an address-space switch
   * are simulated. Both pages are faulted in through the pager on first use.
   */
  *userImage(codeAddress: number, stackAddress: number): Activity {
    this.codeAddress = codeAddress >>> 0;
    this.stackAddress = stackAddress >>> 0;
    if (this.codeAddress !== 0 && !this.stubAccesses()) yield* this.stubFaults();
  }

  /**
   * The binding's fault path: raises the fault a failed {@link stubAccesses} left in `cpu.fault`
   * through the IDT (the pager maps the page) and retries, nine attempts in all.
   */
  private *stubFaults(): Activity {
    const cpu = this.kernel.cpu;
    for (let attempts = 1; ; attempts++) {
      yield* cpu.raise(cpu.fault);
      if (attempts > 8) throw new GuestError(`binding code at 0x${this.codeAddress.toString(16)} is not mapped by the pager`);
      if (this.stubAccesses()) return;
    }
  }

  /**
   * One attempt at the binding's memory traffic (its code and a stack slot): true if it
   * completed, false with the fault in `cpu.fault`. A plain function, so that the usual case (no
   * fault) creates no generator; {@link stubFaults} handles the rest.
   */
  private stubAccesses(): boolean {
    const cpu = this.kernel.cpu;
    if (cpu.userAccess(this.codeAddress, 32, ACCESS_FETCH) !== 32) return false;
    // CALL pushes the return address, RET pops it (the read allocates the line in L1)
    const stack = this.stackAddress - 8;
    return cpu.userAccess(stack, 8, ACCESS_WRITE) === 8 && cpu.userAccess(stack, 8, ACCESS_READ) === 8;
  }

  /** The cycle counter (RDTSC): simulated cycles since reset. */
  now(): number {
    return this.kernel.machine.now;
  }

  /** The id of lthread `lthread` of task `task` as the kernel knows it (null if none). */
  idOf(task: number, lthread = 0): ThreadId | null {
    return this.kernel.idOf(task, lthread);
  }

  // ---- IPC ---------------------------------------------------------------------------------

  /**
   * The raw `ipc` system call: send descriptor, destination (or receive source), two words,
   * receive descriptor (bit 0 = open wait) and the timeout word; with `virtualSender` a deceiting
   * send (see {@link IpcOptions.virtualSender}). It costs only the register set-up, as the
   * in-line assembler of a tuned loop (the L4 pingpong); the `ipcCall` ... `ipcReplyAndWait`
   * methods are the C bindings and also pay their EBP save and result stores.
   */
  ipc(send: number, destination: ThreadId, w0: number, w1: number, receive: number, timeouts: number, virtualSender?: ThreadId): Operation<IpcResult> {
    return this.invoke(send, destination, w0, w1, receive, timeouts, virtualSender, null);
  }

  /**
   * {@link ipc} through the C binding `binding` (null: registers set up in line), its PIC variant
   * if `pic`. Not a generator: the usual call (binding code mapped, no deceit) loads the
   * registers and returns the thread's reusable {@link IpcTrap}.
   */
  private invoke(send: number, destination: ThreadId, w0: number, w1: number, receive: number, timeouts: number, virtualSender: ThreadId | undefined, binding: CBinding | null, pic = false): Operation<IpcResult> {
    const p = this.kernel.p;
    this.kernel.cpu.charge(binding === null ? p.ipcStubCycles : p.ipcStubCycles + (p.ipcBindingSaveInstructions + (binding.indirect ? p.ipcBindingIndirectBefore : 0) + (pic ? p.ipcBindingPicBefore : 0)) * this.kernel.cpu.p.instruction, CAT.user);
    const stubbed = this.codeAddress === 0 || this.stubAccesses();
    this.call.binding = binding;
    this.call.pic = pic;
    if (!stubbed || (virtualSender !== undefined && send !== SEND_NONE)) return this.invokeWithFaults(stubbed, send, destination, w0, w1, receive, timeouts, virtualSender);
    this.loadRegisters(send, destination, w0, w1, receive, timeouts);
    return this.ipcTrap.start();
  }

  /** {@link invoke} when the binding's code faulted (`stubbed` false) or the send deceits: the pushes may fault too. */
  private *invokeWithFaults(stubbed: boolean, send: number, destination: ThreadId, w0: number, w1: number, receive: number, timeouts: number, virtualSender: ThreadId | undefined): Operation<IpcResult> {
    const t = this.thread;
    const { binding, pic } = this.call;
    if (!stubbed) yield* this.stubFaults();
    // a deceiting send: the binding pushes the virtual sender, and pops it after the trap
    const esp = t.esp;
    let pushed = -1;
    if (virtualSender !== undefined && send !== SEND_NONE) {
      pushed = yield* this.pushVirtualSender(virtualSender);
      send |= SEND_DECEIT;
    }
    this.loadRegisters(send, destination, w0, w1, receive, timeouts);
    yield* this.kernel.cpu.idt[SYSCALL.ipc]!(SYSCALL.ipc, null);
    if (pushed >= 0 && t.esp === pushed) t.esp = esp;
    this.call.binding = binding;
    this.call.pic = pic;
    return this.call.ipcResult();
  }

  /** The IPC registers of the v2 ABI: EAX send, EBP receive, ECX timeouts, ESI:EDI the partner, EDX/EBX the words. */
  private loadRegisters(send: number, destination: ThreadId, w0: number, w1: number, receive: number, timeouts: number): void {
    const t = this.thread;
    t.eax = send >>> 0;
    t.ebp = receive >>> 0;
    t.ecx = timeouts >>> 0;
    t.esi = destination.low >>> 0;
    t.edi = destination.high >>> 0;
    t.edx = w0 >>> 0;
    t.ebx = w1 >>> 0;
  }

  /**
   * The deceiting binding's two pushes: [ESP] = the virtual sender's low word, [ESP+4] = its
   * high word (below the binding's return-address slot when the stack is declared by
   * {@link userImage}). Returns the ESP it leaves for the trap.
   */
  private *pushVirtualSender(id: ThreadId): Operation<number> {
    const t = this.thread;
    const top = this.stackAddress !== 0 ? this.stackAddress - 8 : t.esp;
    if (top === 0) throw new GuestError('a deceiting send needs a user stack: declare it with userImage or start the thread with an ESP');
    yield* this.write32(top - 4, id.high);
    yield* this.write32(top - 8, id.low);
    t.esp = (top - 8) >>> 0;
    return t.esp;
  }

  /** `l4_ipc_call`: send to `destination` and receive its reply (closed receive). */
  ipcCall(destination: ThreadId, w0: number, w1: number, timeouts = TIMEOUT_NEVER, options: IpcOptions = DEFAULT_IPC_OPTIONS): Operation<IpcResult> {
    return this.invoke(options.send ?? SEND_SHORT, destination, w0, w1, options.receive ?? RECEIVE_SHORT, timeouts, options.virtualSender, C_BINDING.call, options.positionIndependent);
  }

  /** `l4_ipc_send`: send only. */
  ipcSend(destination: ThreadId, w0: number, w1: number, timeouts = TIMEOUT_NEVER, options: IpcOptions = DEFAULT_IPC_OPTIONS): Operation<IpcResult> {
    return this.invoke(options.send ?? SEND_SHORT, destination, w0, w1, RECEIVE_NONE, timeouts, options.virtualSender, C_BINDING.send, options.positionIndependent);
  }

  /** `l4_ipc_receive`: closed receive from `source` (a thread or an interrupt id). */
  ipcReceive(source: ThreadId, timeouts = TIMEOUT_NEVER, options: IpcOptions = DEFAULT_IPC_OPTIONS): Operation<IpcResult> {
    return this.invoke(SEND_NONE, source, 0, 0, (options.receive ?? RECEIVE_SHORT) & ~1, timeouts, undefined, C_BINDING.receive, options.positionIndependent);
  }

  /** `l4_ipc_wait`: open receive from anyone. */
  ipcWait(timeouts = TIMEOUT_NEVER, options: IpcOptions = DEFAULT_IPC_OPTIONS): Operation<IpcResult> {
    return this.invoke(SEND_NONE, NIL_ID, 0, 0, (options.receive ?? RECEIVE_SHORT) | 1, timeouts, undefined, C_BINDING.wait, options.positionIndependent);
  }

  /** `l4_ipc_reply_and_wait`: send to `destination`, then open receive. */
  ipcReplyAndWait(destination: ThreadId, w0: number, w1: number, timeouts = TIMEOUT_NEVER, options: IpcOptions = DEFAULT_IPC_OPTIONS): Operation<IpcResult> {
    return this.invoke(options.send ?? SEND_SHORT, destination, w0, w1, (options.receive ?? RECEIVE_SHORT) | 1, timeouts, options.virtualSender, C_BINDING.replyAndWait, options.positionIndependent);
  }

  // ---- other system calls ----------------------------------------------------------------------

  /** `l4_fpage_unmap`: unmaps `fpage` from every space that got it from this one (see UNMAP_*). */
  *fpageUnmap(fpage: number, mask: number): Activity {
    this.thread.eax = fpage >>> 0;
    this.thread.ecx = mask >>> 0;
    yield* this.trapTo(SYSCALL.fpageUnmap);
  }

  /** `l4_thread_switch`: donate the CPU to `destination`, or yield (nil). */
  *threadSwitch(destination: ThreadId = NIL_ID): Activity {
    this.thread.esi = destination.low;
    this.thread.edi = destination.high;
    yield* this.trapTo(SYSCALL.threadSwitch);
  }

  /**
   * `l4_thread_schedule`: sets priority (bits 0-7) and small space (bits 8-15) of `destination`
   * from `parameter` (0xffffffff: only read). Returns the old parameter word (0xffffffff: no such thread).
   */
  *threadSchedule(destination: ThreadId, parameter: number): Operation<number> {
    this.thread.eax = parameter >>> 0;
    this.thread.esi = destination.low;
    this.thread.edi = destination.high;
    yield* this.trapTo(SYSCALL.threadSchedule);
    return this.thread.eax >>> 0;
  }

  /**
   * `l4_thread_ex_regs`: starts, restarts or cancels lthread `lthread` of this task: new entry
   * (null = unchanged), new stack pointer and pager (undefined = unchanged). Returns the old
   * values; a thread blocked in IPC returns from it with a cancelled error.
   */
  *lthreadExRegs(lthread: number, entry: GuestEntry | null, esp?: number, pager?: ThreadId): Operation<{ eip: number; esp: number; pager: ThreadId; ok: boolean }> {
    const t = this.thread;
    t.eax = lthread;
    t.edx = entry === null ? 0xffffffff : this.kernel.registerEntry(entry);
    t.ecx = esp === undefined ? 0xffffffff : esp >>> 0;
    t.esi = pager === undefined ? 0xffffffff : pager.low;
    t.edi = pager === undefined ? 0xffffffff : pager.high;
    yield* this.trapTo(SYSCALL.lthreadExRegs);
    return { eip: t.edx, esp: t.ecx, pager: { low: t.esi, high: t.edi }, ok: t.eax !== 0xffffffff };
  }

  /**
   * `l4_task_new`: creates task `task` (this task becomes its chief) with lthread 0 running
   * `entry` on `esp`, paged by `pager` (nil: created inactive), with maximum controlled priority
   * `mcp` (at most this task's own). Returns its id or null.
   */
  *taskNew(task: number, entry: GuestEntry | null, pager: ThreadId, esp = 0, version = 1, mcp = 255): Operation<ThreadId | null> {
    const t = this.thread;
    t.esi = ((task & 0x7ff) << 17) | (version & 0x3ff);
    t.edi = 0;
    t.eax = mcp & 0xff;
    t.ecx = esp >>> 0;
    t.edx = entry === null ? 0 : this.kernel.registerEntry(entry);
    t.ebx = pager.low;
    t.ebp = pager.high;
    yield* this.trapTo(SYSCALL.taskNew);
    return t.esi === 0 && t.edi === 0 ? null : { low: t.esi, high: t.edi };
  }

  /** `l4_id_nearest`: the thread a message to `destination` would reach, and whether it is redirected. */
  *idNearest(destination: ThreadId): Operation<{ id: ThreadId; redirected: boolean; exists: boolean }> {
    const t = this.thread;
    t.esi = destination.low;
    t.edi = destination.high;
    yield* this.trapTo(SYSCALL.idNearest);
    return { id: { low: t.esi, high: t.edi }, redirected: t.eax === 1, exists: t.eax !== 0xffffffff };
  }

  /**
   * Installs this thread's user-level exception handler (L4/x86 emulates LIDT per thread).
   * Exceptions, `int 0x80` and a guest that throws are reflected to it.
   */
  *setExceptionHandler(handler: ExceptionHandler | null): Activity {
    const kernel = this.kernel;
    // user-mode LIDT is privileged: its #GP is the kernel entry
    kernel.enterKernel(this.thread, VECTOR.generalProtection);
    kernel.cpu.execute(kernel.paths.exception);
    this.thread.exceptionHandler = handler;
    kernel.exitKernel(this.thread);
    yield* kernel.cpu.poll();
  }

  /** Executes `int vector` (e.g. 0x80 as a Linux binary does), reflected to the handler. */
  *trap(vector: number = LINUX_SYSCALL_VECTOR): Activity {
    const handler = this.kernel.cpu.idt[vector];
    if (handler === undefined || (vector >= SYSCALL.ipc && vector <= SYSCALL.taskNew)) throw new GuestError(`int 0x${vector.toString(16)} is not a trap this API raises`);
    yield* handler(vector, null);
  }

  private *trapTo(vector: number): Activity {
    this.kernel.cpu.charge(this.kernel.p.ipcStubCycles, CAT.user);
    if (this.codeAddress !== 0 && !this.stubAccesses()) yield* this.stubFaults();
    yield* this.kernel.cpu.idt[vector]!(vector, null);
  }

  // ---- I/O ports ------------------------------------------------------------------------------

  /**
   * `in` from `port` (`width` 1, 2 or 4 bytes) at user level: allowed when the task's I/O
   * bitmap grants every byte (ports come as I/O fpages from sigma0 or another holder); else a
   * #GP is reflected to the thread's exception handler and the result is null. The device side
   * is an unpopulated ISA bus (reads give all ones), charged as one ISA I/O cycle.
   */
  *portIn(port: number, width: 1 | 2 | 4 = 1): Operation<number | null> {
    if (!(yield* this.portAccess(port, width))) return null;
    return width === 4 ? 0xffffffff : 2 ** (8 * width) - 1;
  }

  /** `out` of `value` to `port`: as {@link portIn}; false (after the #GP) when not allowed. */
  *portOut(port: number, _value: number, width: 1 | 2 | 4 = 1): Operation<boolean> {
    return yield* this.portAccess(port, width);
  }

  private *portAccess(port: number, width: number): Operation<boolean> {
    const kernel = this.kernel;
    if (!kernel.io.allowed(this.thread.task, port >>> 0, width)) {
      yield* kernel.exceptionTrap(VECTOR.generalProtection, 0);
      return false;
    }
    kernel.cpu.charge(kernel.machine.parameters.isaIoAccess, CAT.user);
    yield* kernel.cpu.poll();
    return true;
  }

  // ---- computation and memory ------------------------------------------------------------------

  /** Spends `cycles` of user computation (interrupts may come in). */
  *compute(cycles: number): Activity {
    yield* this.kernel.cpu.compute(guestCycles(cycles), CAT.user);
  }

  /** Reads a dword of this thread's address space (MOV r32, m32). */
  *read32(address: number): Operation<number> {
    const cpu = this.kernel.cpu;
    for (let faults = 0; ; faults++) {
      if (faults > 64) throw new GuestError(`read at 0x${(address >>> 0).toString(16)}: the pager never resolved the fault`);
      const linear = cpu.userLinear(address, 4, ACCESS_READ);
      if (linear >= 0) {
        const value = cpu.read32(linear, true);
        if (value !== undefined) {
          cpu.charge(1, CAT.user);
          return value;
        }
      }
      yield* cpu.raise(cpu.fault);
    }
  }

  /** Writes a dword (MOV m32, r32). */
  *write32(address: number, value: number): Activity {
    const cpu = this.kernel.cpu;
    for (let faults = 0; ; faults++) {
      if (faults > 64) throw new GuestError(`write at 0x${(address >>> 0).toString(16)}: the pager never resolved the fault`);
      const linear = cpu.userLinear(address, 4, ACCESS_WRITE);
      if (linear >= 0 && cpu.write32(linear, value, true)) {
        cpu.charge(1, CAT.user);
        return;
      }
      yield* cpu.raise(cpu.fault);
    }
  }

  /**
   * Touches `length` bytes (reads, or writes if `write`) as a loop of dword moves would: one
   * cycle per dword plus the cache and TLB effects. Faults go to the pager.
   */
  *touch(address: number, length: number, write = false): Activity {
    const cpu = this.kernel.cpu;
    const kind = write ? ACCESS_WRITE : ACCESS_READ;
    let done = 0;
    let faults = 0;
    while (done < length) {
      done += cpu.userAccess(address + done, length - done, kind);
      if (done >= length) break;
      if (++faults > 64 + length / 4096) throw new GuestError(`access at 0x${((address + done) >>> 0).toString(16)}: the pager never resolved the fault`);
      yield* cpu.raise(cpu.fault);
    }
    cpu.charge(Math.ceil(length / 4), CAT.user);
  }

  /** Copies `bytes` into this space at `address`. */
  *write(address: number, bytes: Uint8Array): Activity {
    const cpu = this.kernel.cpu;
    let done = 0;
    let faults = 0;
    while (done < bytes.length) {
      const linear = cpu.userLinear(address + done, bytes.length - done, ACCESS_WRITE);
      if (linear >= 0) done += cpu.write(linear, bytes, done, bytes.length - done, true);
      if (done >= bytes.length) break;
      if (++faults > 64 + bytes.length / 4096) throw new GuestError(`write at 0x${((address + done) >>> 0).toString(16)}: the pager never resolved the fault`);
      yield* cpu.raise(cpu.fault);
    }
    cpu.charge(Math.ceil(bytes.length / 4), CAT.user);
  }

  /** Reads `length` bytes at `address` of this space. */
  *read(address: number, length: number): Operation<Uint8Array> {
    const cpu = this.kernel.cpu;
    const out = new Uint8Array(length);
    let done = 0;
    let faults = 0;
    while (done < length) {
      const linear = cpu.userLinear(address + done, length - done, ACCESS_READ);
      if (linear >= 0) done += cpu.read(linear, out, done, length - done, true);
      if (done >= length) break;
      if (++faults > 64 + length / 4096) throw new GuestError(`read at 0x${((address + done) >>> 0).toString(16)}: the pager never resolved the fault`);
      yield* cpu.raise(cpu.fault);
    }
    cpu.charge(Math.ceil(length / 4), CAT.user);
    return out;
  }
}
