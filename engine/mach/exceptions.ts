import { PAGE_SIZE } from '../base/frameAllocator';
import type { Operation } from '../machine/executionContext';
import { KernelMessageWriter } from './ipcKobject';
import type { Kmsg } from './kmsg';
import { I386_SAVED_STATE, KERN, MSG_HEADER_BYTES, MSG_ID, MSG_TYPE_PORT_SEND, MSG_TYPE_PORT_SEND_ONCE, USER_CS, USER_DS } from './machConstants';
import type { MachKernel } from './machKernel';
import { THREAD_STATE_WORDS } from './mig';
import type { KernelObject, Port } from './port';
import { getThreadState, REG, SAVED_ARGV_COUNT, SAVED_STATE_ARGV, SAVED_STATE_ARGV_STATUS, setThreadState, type Thread } from './thread';
import { EXCEPTION_LINES, touchLines } from './threadLayout';

/** exception_raise_state's reply as the kernel reads it: RetCode, flavor, then the state's descriptor and words. */
const REPLY_STATE_OFFSET = MSG_HEADER_BYTES + 8 + 8 + 4;
/**
 * Where exception()'s frame keeps the kernel MIG stub's Request/Reply union, below the trap frame
 * on the thread's kernel stack (bytes from the stack top: the trap frame, exception()'s
 * state[THREAD_MACHINE_STATE_MAX] and the union of two ≈ 180-byte messages; layout estimate).
 */
const STUB_BUFFER_FROM_TOP = 512;

/**
 * Exceptions as messages (kern/exception.c, Mach 3.0): the kernel sends
 * exception_raise(exception_port, thread, task, exception, code, subcode) on behalf of the
 * faulting thread, to the thread's exception port or else its task's, with a send-once right to
 * a kernel-held reply port, and the thread waits for the reply. RetCode KERN_SUCCESS means "the
 * handler fixed it": the faulting access is retried. No port, a dead port or any other RetCode
 * terminates the thread. A port that is a kernel object (a co-located server's) is served in
 * the faulting thread, as any message to a kernel object.
 */
export class ExceptionDelivery {
  private readonly writer: KernelMessageWriter;
  private readonly state = new Uint32Array(THREAD_STATE_WORDS);
  raised = 0;

  constructor(private readonly k: MachKernel) {
    this.writer = new KernelMessageWriter(k);
  }

  /**
   * exception(): finds the thread's exception port, else its task's, and starts the message `id`
   * of `bytes` to it with a send-once right to the thread's kernel reply port; null if there is no
   * live port or no kmsg.
   */
  private begin(thread: Thread, exception: number, code: number, subcode: number, id: number, bytes: number): Port | null {
    const k = this.k;
    k.execute(k.paths.exceptionRaise);
    touchLines(k.memory, thread.address, EXCEPTION_LINES, 'read');
    this.raised++;
    const point = k.tracePoints.exception;
    if (point.enabled) point.emit(k.cpu.now, { thread: thread.name, exception, code, subcode });
    const port = thread.exceptionPort ?? thread.task.exceptionPort;
    if (port === null || !port.active) return null;
    port.sendRights++;
    thread.replyPort.sendOnceRights++;
    return this.writer.begin(port, MSG_TYPE_PORT_SEND, id, bytes, thread.replyPort, MSG_TYPE_PORT_SEND_ONCE) === null ? null : port;
  }

  /** Raises `exception` for `thread`; true if a handler answered KERN_SUCCESS. */
  *raise(thread: Thread, exception: number, code: number, subcode: number): Operation<boolean> {
    const k = this.k;
    const port = this.begin(thread, exception, code, subcode, MSG_ID.exceptionRaise, MSG_HEADER_BYTES + 5 * 8);
    if (port === null) return false;
    thread.selfPort.sendRights++;
    this.writer.port(thread.selfPort, MSG_TYPE_PORT_SEND);
    thread.task.selfPort.sendRights++;
    this.writer.port(thread.task.selfPort, MSG_TYPE_PORT_SEND);
    this.writer.int(exception);
    this.writer.int(code);
    this.writer.int(subcode);
    const size = yield* this.rpc(thread, port, this.writer.finish());
    const retCode = size >= MSG_HEADER_BYTES + 8 ? k.memory.read32(this.stubBuffer(thread) + MSG_HEADER_BYTES + 4) | 0 : KERN.FAILURE;
    return retCode === KERN.SUCCESS;
  }

  /**
   * exception_raise_state (OSF MK kern/exception.c, EXCEPTION_STATE behavior): the message carries
   * the exception, its two codes and the thread's i386_SAVED_STATE (thread_getstatus), no thread
   * or task port; the reply's RetCode and new state (thread_setstatus) decide how the thread goes
   * on. For this flavor exception() first copies i386_SAVED_ARGV_COUNT words from the user stack
   * into the saved state (syscall_exc_copyin; argv_status tells the server whether it worked). This is how MkLinux receives its processes' system calls (EXC_SYSCALL on the thread
   * exception port the server set, its trap port) and answers them: the reply's EAX is the
   * result. True if the handler answered KERN_SUCCESS.
   */
  *raiseState(thread: Thread, exception: number, code: number, subcode: number): Operation<boolean> {
    const k = this.k;
    const target = thread.exceptionPort ?? thread.task.exceptionPort;
    const server = target !== null && target.active ? target.kobject : null;
    if (server?.raiseState !== undefined) return yield* this.raiseStateFast(thread, exception, code, subcode, server);
    // exception()'s argv copyin comes first (it may fault and wait for a pager: the message is
    // begun only after it, and the state is the thread's own)
    const state = yield* this.savedState(thread, thread.savedState);
    const port = this.begin(thread, exception, code, subcode, MSG_ID.exceptionRaiseState, MSG_HEADER_BYTES + 4 * 8 + 4 + 4 * THREAD_STATE_WORDS);
    if (port === null) return false;
    this.writer.int(exception);
    this.writer.int(code);
    this.writer.int(subcode);
    this.writer.int(I386_SAVED_STATE);
    // thread_getstatus: *state = *saved_state, from the PCB into exception()'s state[]
    k.execute(k.paths.threadGetState);
    k.cpu.copy(thread.savedStateAddress, this.stateBuffer(thread), 4 * THREAD_STATE_WORDS, false, false);
    this.writer.words(state);
    const size = yield* this.rpc(thread, port, this.writer.finish());
    const stub = this.stubBuffer(thread);
    const ok = size >= REPLY_STATE_OFFSET + 4 * THREAD_STATE_WORDS && (k.memory.read32(stub + MSG_HEADER_BYTES + 4) | 0) === KERN.SUCCESS;
    if (ok) {
      // the stub copies new_state out of its reply buffer into exception()'s state[], then thread_setstatus
      const local = this.stateBuffer(thread);
      k.cpu.copy(stub + REPLY_STATE_OFFSET, local, 4 * THREAD_STATE_WORDS, false, false);
      k.execute(k.paths.threadSetState);
      for (let i = 0; i < THREAD_STATE_WORDS; i++) this.state[i] = k.memory.read32(local + 4 * i);
      k.memory.touchWrite(thread.savedStateAddress, 4 * THREAD_STATE_WORDS);
      setThreadState(thread, this.state);
    }
    return ok;
  }

  /**
   * exception_raise_state to a port whose server routine the kernel calls by thread migration
   * (OSF MK MACHINE_FAST_EXCEPTION: an RPC subsystem in a kernel-loaded space, flavor
   * MACHINE_THREAD_STATE): the routine works on the saved state in place, so there is no kmsg,
   * no MIG marshalling and no thread_getstatus/thread_setstatus copy.
   */
  private *raiseStateFast(thread: Thread, exception: number, code: number, subcode: number, server: KernelObject): Operation<boolean> {
    const k = this.k;
    k.execute(k.paths.fastException);
    touchLines(k.memory, thread.address, EXCEPTION_LINES, 'read');
    this.raised++;
    const point = k.tracePoints.exception;
    if (point.enabled) point.emit(k.cpu.now, { thread: thread.name, exception, code, subcode });
    // the thread's own saved state: the handler may block, and other threads raise meanwhile
    const state = yield* this.savedState(thread, thread.savedState);
    k.execute(k.paths.switchActIn);
    this.machineSwitchAct();
    const assumed = k.scheduler.switchActIn(thread, server.serverTask?.policyPriority ?? null);
    const result = yield* server.raiseState!(thread, exception, code, state);
    // the server routine returns into exception_return_wrapper, which switch_acts back
    k.execute(k.paths.exceptionReturnWrapper);
    k.execute(k.paths.switchActOut);
    this.machineSwitchAct();
    k.scheduler.switchActOut(thread, assumed);
    if (result !== KERN.SUCCESS) return false;
    k.memory.touchWrite(thread.savedStateAddress, 4 * THREAD_STATE_WORDS);
    setThreadState(thread, state);
    return true;
  }

  /** machine_switch_act (i386/pcb.c) of a switch_act: its body, set_ts's CR0 moves and set_ldt's LLDT. */
  private machineSwitchAct(): void {
    const k = this.k;
    k.execute(k.paths.machineSwitchAct);
    k.scheduler.switchControlRegisters();
  }

  /**
   * The thread's i386_saved_state as exception() has it: first the argv words copied in from the
   * user stack (syscall_exc_copyin, fault recovery included; argv_status says whether it worked),
   * then the saved registers read, into `state`.
   */
  private *savedState(thread: Thread, state: Uint32Array): Operation<Uint32Array> {
    const k = this.k;
    const argv = thread.savedStateAddress + 4 * SAVED_STATE_ARGV;
    const copied = yield* k.msg.copyUser(thread, thread.registers[REG.ESP], argv, 4 * SAVED_ARGV_COUNT, true);
    k.memory.touch(thread.savedStateAddress, 4 * THREAD_STATE_WORDS);
    getThreadState(thread, USER_CS, USER_DS, state);
    state[SAVED_STATE_ARGV_STATUS] = copied ? 1 : 0;
    for (let i = 0; copied && i < SAVED_ARGV_COUNT; i++) state[SAVED_STATE_ARGV + i] = k.memory.read32(argv + 4 * i);
    return state;
  }

  /**
   * The kernel's RPC of an exception message: the client side of a KernelUser MIG stub, which
   * builds the request in its buffer on the kernel stack, then mach_msg_rpc_from_kernel (OSF MK
   * kern/ipc_mig.c): ipc_kmsg_get_from_kernel copies it into a kmsg, which a co-located server's
   * port serves in the faulting thread (ipc_kobject_server) and any other gets queued or handed to
   * its waiting receiver; the thread waits on its kernel reply port, and ipc_kmsg_put_to_kernel
   * copies the reply back into the stub's buffer ({@link stubBuffer}) and frees the kmsg. Here
   * the request is written into the kmsg, so the stub's marshalling is a copy the other way
   * first. mach_msg_rpc_from_kernel's own work (the header rights copied in and out from and to
   * the kernel, the reply port, put_to_kernel) is `rpcFromKernel`; the send and the receive are
   * mqueueSend and mqueueReceive, the free of the reply kmsgFree. Returns the reply's size, 0 if
   * none came.
   */
  private *rpc(thread: Thread, port: Port, message: Kmsg): Operation<number> {
    const k = this.k;
    const cpu = k.cpu;
    const stub = this.stubBuffer(thread);
    cpu.copy(message.header, stub, message.size, false, false);
    k.execute(k.paths.kmsgGetFromKernel);
    cpu.copy(stub, message.header, message.size, false, false);
    k.execute(k.paths.rpcFromKernel);
    if (port.kobject !== null) yield* k.msg.serveKernelObject(thread, port, message);
    else k.msg.deliver(message);
    const reply = yield* k.msg.kernelReceive(thread, thread.replyPort);
    if (reply === null) return 0;
    const size = reply.size;
    cpu.copy(reply.header, stub, Math.min(size, STUB_BUFFER_FROM_TOP - k.p.kernelStackBytes), false, false);
    k.msg.consumeReceived(reply);
    return size;
  }

  /** exception()'s state[THREAD_MACHINE_STATE_MAX], below the stub's buffer in its frame. */
  private stateBuffer(thread: Thread): number {
    return this.stubBuffer(thread) - 4 * THREAD_STATE_WORDS;
  }

  /** The kernel MIG stub's message buffer in exception()'s frame on `thread`'s kernel stack. */
  private stubBuffer(thread: Thread): number {
    return thread.kernelStack + PAGE_SIZE - STUB_BUFFER_FROM_TOP;
  }
}
