import { guestCycles } from '../base/result';
import { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE, CAT, type Cpu } from '../machine/cpu';
import type { Activity, Operation } from '../machine/executionContext';
import {
  HDR_ID,
  HDR_LOCAL,
  HDR_REMOTE,
  HDR_SIZE,
  KERN,
  LIBMACH_BASE,
  LIBMACH_BYTES,
  MACH_MSG,
  MACH_PORT_RIGHT,
  MACH_RCV_MSG,
  MACH_SEND_MSG,
  MACH_TRAP,
  MIG,
  MIG_REPLY_OFFSET,
  MSG_HEADER_BYTES,
  MSG_ID,
  MSG_TYPE,
} from './machConstants';
import type { MachKernel } from './machKernel';
import { argumentBytes, defineRoutine, marshal, unmarshal, valueCount, type MigArgument, type MigRoutine } from './mig';
import { REG, type Thread } from './thread';
import { wholeLineBytes } from '../base/codeLayout';

/** The Mach interfaces served by the kernel, as MIG routines (client side of ipcKobject.ts). */
export const MACH_ROUTINES = {
  machPortAllocate: defineRoutine({ name: 'mach_port_allocate', id: MSG_ID.machPortAllocate, request: ['int'], reply: ['int'] }),
  machPortDeallocate: defineRoutine({ name: 'mach_port_deallocate', id: MSG_ID.machPortDeallocate, request: ['int'], reply: [] }),
  machPortMoveMember: defineRoutine({ name: 'mach_port_move_member', id: MSG_ID.machPortMoveMember, request: ['int', 'int'], reply: [] }),
  machPortRequestNotification: defineRoutine({ name: 'mach_port_request_notification', id: MSG_ID.machPortRequestNotification, request: ['int', 'int', 'int', 'makeSendOnce'], reply: ['moveSendOnce'] }),
  machPortDestroy: defineRoutine({ name: 'mach_port_destroy', id: MSG_ID.machPortDestroy, request: ['int'], reply: [] }),
  machPortInsertSend: defineRoutine({ name: 'mach_port_insert_right(MAKE_SEND)', id: MSG_ID.machPortInsertRight, request: ['int', 'makeSend'], reply: [] }),
  machPortInsertCopySend: defineRoutine({ name: 'mach_port_insert_right(COPY_SEND)', id: MSG_ID.machPortInsertRight, request: ['int', 'copySend'], reply: [] }),
  machPortInsertSendOnce: defineRoutine({ name: 'mach_port_insert_right(MAKE_SEND_ONCE)', id: MSG_ID.machPortInsertRight, request: ['int', 'makeSendOnce'], reply: [] }),
  vmAllocate: defineRoutine({ name: 'vm_allocate', id: MSG_ID.vmAllocate, request: ['int', 'int', 'int'], reply: ['int'] }),
  vmDeallocate: defineRoutine({ name: 'vm_deallocate', id: MSG_ID.vmDeallocate, request: ['int', 'int'], reply: [] }),
  vmProtect: defineRoutine({ name: 'vm_protect', id: MSG_ID.vmProtect, request: ['int', 'int', 'int', 'int'], reply: [] }),
  vmInherit: defineRoutine({ name: 'vm_inherit', id: MSG_ID.vmInherit, request: ['int', 'int', 'int'], reply: [] }),
  vmRead: defineRoutine({ name: 'vm_read', id: MSG_ID.vmRead, request: ['int', 'int'], reply: ['ool'] }),
  vmWrite: defineRoutine({ name: 'vm_write', id: MSG_ID.vmWrite, request: ['int', 'ool'], reply: [] }),
  vmMap: defineRoutine({ name: 'vm_map', id: MSG_ID.vmMap, request: ['int', 'int', 'int', 'copySend', 'int', 'int', 'int', 'int'], reply: ['int'] }),
  vmRemap: defineRoutine({ name: 'vm_remap', id: MSG_ID.vmRemap, request: ['int', 'int', 'int', 'copySend', 'int', 'int', 'int'], reply: ['int', 'int', 'int'] }),
  taskCreate: defineRoutine({ name: 'task_create', id: MSG_ID.taskCreate, request: ['int'], reply: ['moveSend'] }),
  taskTerminate: defineRoutine({ name: 'task_terminate', id: MSG_ID.taskTerminate, request: [], reply: [] }),
  /**
   * task_info(task, TASK_BASIC_INFO, count): suspend_count, virtual_size, resident_size, user_time
   * and system_time (seconds, microseconds) of its terminated threads, policy. MIG returns the
   * info as one inline array; here each word is an item of its own (8 bytes, not 4).
   */
  taskInfo: defineRoutine({ name: 'task_info', id: MSG_ID.taskInfo, request: ['int', 'int'], reply: ['int', 'int', 'int', 'int', 'int', 'int', 'int', 'int'] }),
  /** thread_info(thread, THREAD_BASIC_INFO, count): user_time, system_time (seconds, microseconds), cpu_usage, policy, run_state, flags, suspend_count, sleep_time (as taskInfo, word by word). */
  threadInfo: defineRoutine({ name: 'thread_info', id: MSG_ID.threadInfo, request: ['int', 'int'], reply: ['int', 'int', 'int', 'int', 'int', 'int', 'int', 'int', 'int', 'int'] }),
  threadCreate: defineRoutine({ name: 'thread_create', id: MSG_ID.threadCreate, request: ['int', 'int'], reply: ['moveSend'] }),
  threadResume: defineRoutine({ name: 'thread_resume', id: MSG_ID.threadResume, request: [], reply: [] }),
  /** thread_get_state(thread, flavor): the thread's i386_SAVED_STATE in the reply. */
  threadGetState: defineRoutine({ name: 'thread_get_state', id: MSG_ID.threadGetState, request: ['int'], reply: ['threadState'] }),
  threadSetState: defineRoutine({ name: 'thread_set_state', id: MSG_ID.threadSetState, request: ['int', 'threadState'], reply: [] }),
  /** thread_set_policy(thread, pset, policy, base, limit): a one-word base (base_priority) and limit (max_priority), as POLICY_TIMESHARE's. */
  threadSetPolicy: defineRoutine({ name: 'thread_set_policy', id: MSG_ID.threadSetPolicy, request: ['copySend', 'int', 'int', 'int'], reply: [] }),
  threadSuspend: defineRoutine({ name: 'thread_suspend', id: MSG_ID.threadSuspend, request: [], reply: [] }),
  threadAbort: defineRoutine({ name: 'thread_abort', id: MSG_ID.threadAbort, request: [], reply: [] }),
  threadTerminate: defineRoutine({ name: 'thread_terminate', id: MSG_ID.threadTerminate, request: [], reply: [] }),
  taskSetExceptionPort: defineRoutine({ name: 'task_set_exception_port', id: MSG_ID.taskSetExceptionPort, request: ['makeSend'], reply: [] }),
  taskSetExceptionPortCopy: defineRoutine({ name: 'task_set_exception_port(COPY_SEND)', id: MSG_ID.taskSetExceptionPort, request: ['copySend'], reply: [] }),
  threadSetExceptionPort: defineRoutine({ name: 'thread_set_exception_port', id: MSG_ID.threadSetExceptionPort, request: ['makeSend'], reply: [] }),
  deviceOpen: defineRoutine({ name: 'device_open', id: MSG_ID.deviceOpen, request: ['int', 'int'], reply: ['moveSend'] }),
  deviceWrite: defineRoutine({ name: 'device_write', id: MSG_ID.deviceWrite, request: ['int', 'int', 'ool'], reply: ['int'] }),
  deviceRead: defineRoutine({ name: 'device_read', id: MSG_ID.deviceRead, request: ['int', 'int', 'int'], reply: ['ool'] }),
  memoryObjectDataProvided: defineRoutine({ name: 'memory_object_data_provided', id: MSG_ID.memoryObjectDataProvided, request: ['int', 'ool', 'int'], reply: [], oneWay: true }),
  memoryObjectDataError: defineRoutine({ name: 'memory_object_data_error', id: MSG_ID.memoryObjectDataError, request: ['int', 'int', 'int'], reply: [], oneWay: true }),
} as const;

/**
 * A server-side routine for {@link MachGuest.runMigServer}: `handle` gets the request's values
 * (as {@link unmarshal} lays them out) and fills `reply` with the out values; it returns RetCode.
 */
export interface MigHandler {
  readonly routine: MigRoutine;
  handle(guest: MachGuest, request: Int32Array, reply: Int32Array): Operation<number>;
}

/** A received message, parsed on the user side. */
export interface ReceivedMessage {
  readonly id: number;
  readonly size: number;
  /** Name of the right to reply on (msgh_remote_port after receive), 0 if none. */
  readonly replyPort: number;
  /** The right type carried for the reply port (msgh_bits remote part). */
  readonly replyType: number;
  /** Name of the port the message arrived on. */
  readonly localPort: number;
}

const MESSAGE_SCRATCH = 8192;

/**
 * The guest's Mach interface (libmach): what a user program running in a Mach task calls. Every
 * call is user code that traps into the kernel through the machine's IDT (Mach traps at vector
 * 0x81, Unix system calls at 0x80) or, for the kernel's MIG interfaces (mach_port_*, vm_*,
 * task_*, thread_*), a MIG stub doing mach_msg(SEND|RCV) to the task's or thread's kernel port.
 * User memory is touched through the MMU; a page fault enters the kernel's fault handler
 * (vm_fault, pagers, exception messages) and the access is retried.
 *
 * Results are Mach return codes (KERN_*, MACH_MSG_*, MIG_*); out values of the last call are in
 * {@link out}.
 */
export class MachGuest {
  /** Out values of the last MIG call (after RetCode). */
  /** The values of the last message read: room for a thread state and a few more arguments. */
  readonly out = new Int32Array(32);
  private readonly scratch = new Uint8Array(MESSAGE_SCRATCH);
  private readonly view = new DataView(this.scratch.buffer);
  /** The scratch buffer seen 8 bytes in, so the items after a reply's RetCode parse like a body. */
  private readonly afterRetCode = new DataView(this.scratch.buffer, 8);
  private readonly arguments = new Uint8Array(28);
  private readonly argumentView = new DataView(this.arguments.buffer);
  private readonly values = new Int32Array(32);

  constructor(readonly kernel: MachKernel, readonly thread: Thread) {}

  get cpu(): Cpu {
    return this.kernel.cpu;
  }

  /** A user buffer of 8 KB inside this thread's stack region, for messages (servers, raw mach_msg). */
  get messageBuffer(): number {
    return this.thread.messageBuffer;
  }

  /** A second 8 KB buffer used by the MIG client stubs, so a server can call while holding a request. */
  get migBuffer(): number {
    return this.thread.messageBuffer + MESSAGE_SCRATCH;
  }

  // ---- memory and computation ---------------------------------------------------------------

  /** Spends `cycles` of user computation. */
  *compute(cycles: number): Activity {
    yield* this.cpu.compute(guestCycles(cycles), CAT.user);
  }

  /** Writes `length` bytes of `source` to user `address`, taking page faults. */
  *write(address: number, source: Uint8Array, offset = 0, length = source.length - offset): Activity {
    let done = 0;
    while (done < length) {
      done += this.cpu.write(address + done, source, offset + done, length - done, true);
      if (done < length) yield* this.cpu.raise(this.cpu.fault);
    }
  }

  /** Reads `length` bytes at user `address` into `target`, taking page faults. */
  *read(address: number, target: Uint8Array, offset = 0, length = target.length - offset): Activity {
    let done = 0;
    while (done < length) {
      done += this.cpu.read(address + done, target, offset + done, length - done, true);
      if (done < length) yield* this.cpu.raise(this.cpu.fault);
    }
  }

  /** Touches user memory for reading or writing (timing, faults), without moving data. */
  *touch(address: number, length: number, write: boolean): Activity {
    let done = 0;
    while (done < length) {
      done += this.cpu.access(address + done, length - done, write ? ACCESS_WRITE : ACCESS_READ, true);
      if (done < length) yield* this.cpu.raise(this.cpu.fault);
    }
  }

  *write32(address: number, value: number): Activity {
    this.argumentView.setUint32(0, value >>> 0, true);
    yield* this.write(address, this.arguments, 0, 4);
  }

  *read32(address: number): Operation<number> {
    yield* this.read(address, this.arguments, 0, 4);
    return this.argumentView.getUint32(0, true);
  }

  // ---- traps ----------------------------------------------------------------------------------

  /**
   * Instruction fetch of `bytes` of user library code at `offset` in libmach's text (I-TLB,
   * I-cache; the first touch page-faults the shared text in).
   */
  *fetchLibraryCode(offset: number, bytes: number): Activity {
    let done = 0;
    const address = LIBMACH_BASE + offset;
    while (done < bytes) {
      done += this.cpu.access(address + done, bytes - done, ACCESS_FETCH, true);
      if (done < bytes) yield* this.cpu.raise(this.cpu.fault);
    }
  }

  /** Charges a user-side stub of `cycles` at `offset` of libmach: its instructions and their fetch. */
  private *runStub(offset: number, cycles: number): Activity {
    this.cpu.charge(cycles, CAT.machIpc);
    yield* this.fetchLibraryCode(offset, wholeLineBytes(cycles * this.kernel.p.codeBytesPerCycle, 32));
  }

  /** Executes `int 0x81` with EAX = `trap`; returns EAX. */
  *trap(trap: number): Operation<number> {
    this.thread.registers[REG.EAX] = trap >>> 0;
    yield* this.cpu.idt[0x81]!(0x81, null);
    return this.thread.registers[REG.EAX];
  }

  /**
   * A trap with `words` word arguments (`a0`, `a1`, ...): they go on the user stack, where the
   * trap copies them in (through one preallocated buffer, as mach_msg is on every round trip).
   */
  private *trapWithArguments(trap: number, words: number, a0: number, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0): Operation<number> {
    const view = this.argumentView;
    view.setUint32(0, a0 >>> 0, true);
    view.setUint32(4, a1 >>> 0, true);
    view.setUint32(8, a2 >>> 0, true);
    view.setUint32(12, a3 >>> 0, true);
    view.setUint32(16, a4 >>> 0, true);
    view.setUint32(20, a5 >>> 0, true);
    view.setUint32(24, a6 >>> 0, true);
    yield* this.write(this.thread.registers[REG.ESP], this.arguments, 0, 4 * words);
    return yield* this.trap(trap);
  }

  /**
   * mach_msg(msg, option, send_size, rcv_size, rcv_name, timeout, notify): the arguments go on
   * the user stack, the trap copies them in. `timeoutMs` is used with MACH_SEND_TIMEOUT /
   * MACH_RCV_TIMEOUT in `option`.
   */
  *machMsg(message: number, option: number, sendSize: number, receiveSize: number, receiveName: number, timeoutMs = 0, notify = 0): Operation<number> {
    return yield* this.trapWithArguments(MACH_TRAP.msg, 7, message, option, sendSize, receiveSize, receiveName, timeoutMs, notify);
  }

  /** mach_reply_port(): a new receive right. */
  *machReplyPort(): Operation<number> {
    return yield* this.trap(MACH_TRAP.replyPort);
  }

  /** mach_task_self(): a send right to this task's kernel port. */
  *machTaskSelf(): Operation<number> {
    return yield* this.trap(MACH_TRAP.taskSelf);
  }

  /** mach_thread_self(): a send right to this thread's kernel port (Liedtke's "get_self_thread"). */
  *machThreadSelf(): Operation<number> {
    return yield* this.trap(MACH_TRAP.threadSelf);
  }

  /** thread_switch(thread_name, option, option_time) (OSF MK trap -61): the arguments go on the user stack. */
  *threadSwitch(threadName: number, option: number, timeMs: number): Operation<number> {
    return yield* this.trapWithArguments(MACH_TRAP.threadSwitch, 3, threadName, option, timeMs);
  }

  /**
   * clock_sleep(clock, sleep_type, sleep_time, &wakeup_time) (OSF MK trap -62): sleeps until the
   * clock reaches `seconds` + `nanoseconds` (TIME_ABSOLUTE) or that long from now
   * (TIME_RELATIVE). Returns the KERN_* result; the clock's time at the wakeup (seconds,
   * nanoseconds) is stored at `wakeupTime` unless the clock name was bad (KERN_INVALID_ARGUMENT).
   */
  *clockSleep(clockName: number, type: number, seconds: number, nanoseconds: number, wakeupTime: number): Operation<number> {
    return yield* this.trapWithArguments(MACH_TRAP.clockSleep, 5, clockName, type, seconds, nanoseconds, wakeupTime);
  }

  /** thread_depress_abort(thread) in its trap form (OSF MK syscall_thread_depress_abort, -76). */
  *threadDepressAbort(threadName: number): Operation<number> {
    return yield* this.trapWithArguments(MACH_TRAP.threadDepressAbort, 1, threadName);
  }

  /** swtch(): yield the processor. */
  *swtch(): Operation<number> {
    return yield* this.trap(MACH_TRAP.swtch);
  }

  /** `int $0x80` with EAX = `number` and EBX, ECX, EDX = args: a Unix system call (redirected). */
  *unixSyscall(number: number, ebx = 0, ecx = 0, edx = 0): Operation<number> {
    const registers = this.thread.registers;
    registers[REG.EAX] = number >>> 0;
    registers[REG.EBX] = ebx >>> 0;
    registers[REG.ECX] = ecx >>> 0;
    registers[REG.EDX] = edx >>> 0;
    yield* this.cpu.idt[0x80]!(0x80, null);
    return registers[REG.EAX];
  }

  // ---- raw messages -------------------------------------------------------------------------

  /**
   * Builds a message in the message buffer: header then typed items (as {@link marshal}), and
   * returns its size. `values` feed the items in order.
   */
  *buildMessage(id: number, remote: number, remoteDisposition: number, local: number, localDisposition: number, args: readonly MigArgument[], values: ArrayLike<number>, address = this.messageBuffer): Operation<number> {
    const size = marshal(this.view, id, remote, remoteDisposition, local, localDisposition, args, values);
    yield* this.write(address, this.scratch, 0, size);
    return size;
  }

  /** Parses the header of the message at `address` (after a receive) and reads its items into {@link out}. */
  *readMessage(args: readonly MigArgument[], address = this.messageBuffer): Operation<ReceivedMessage & { readonly values: number }> {
    yield* this.read(address, this.scratch, 0, MSG_HEADER_BYTES);
    const size = this.view.getUint32(HDR_SIZE, true);
    const bytes = Math.min(size, MESSAGE_SCRATCH);
    if (bytes > MSG_HEADER_BYTES) yield* this.read(address + MSG_HEADER_BYTES, this.scratch, MSG_HEADER_BYTES, bytes - MSG_HEADER_BYTES);
    const values = unmarshal(this.view, bytes, args, this.out);
    const bits = this.view.getUint32(0, true);
    return {
      id: this.view.getInt32(HDR_ID, true),
      size,
      replyPort: this.view.getUint32(HDR_REMOTE, true),
      replyType: bits & 0xff,
      localPort: this.view.getUint32(HDR_LOCAL, true),
      values,
    };
  }

  // ---- MIG ------------------------------------------------------------------------------------

  /** mig_get_reply_port: this thread's MIG reply port, allocated on first use. */
  *migReplyPort(): Operation<number> {
    if (this.thread.migReplyName === 0) this.thread.migReplyName = yield* this.machReplyPort();
    return this.thread.migReplyName;
  }

  /**
   * A MIG client stub: sends `routine`'s request to `destination` (a send right, COPY_SEND) with
   * a send-once right to the reply port, waits for the reply, checks its id and returns its
   * RetCode, with the out arguments in {@link out}. A simpleroutine returns the send result.
   * Transport errors come back as the mach_msg return code.
   */
  *call(routine: MigRoutine, destination: number, values: ArrayLike<number>): Operation<number> {
    const k = this.kernel;
    const argumentCount = routine.request.length + routine.reply.length;
    yield* this.runStub(stubOffset(routine.id), k.p.migStub + argumentCount * k.p.migStubArgument);
    const buffer = this.migBuffer;
    if (routine.oneWay === true) {
      const size = marshal(this.view, routine.id, destination, MSG_TYPE.COPY_SEND, 0, 0, routine.request, values);
      yield* this.write(buffer, this.scratch, 0, size);
      return yield* this.machMsg(buffer, MACH_SEND_MSG, size, 0, 0);
    }
    const reply = yield* this.migReplyPort();
    const size = marshal(this.view, routine.id, destination, MSG_TYPE.COPY_SEND, reply, MSG_TYPE.MAKE_SEND_ONCE, routine.request, values);
    yield* this.write(buffer, this.scratch, 0, size);
    const replySize = MSG_HEADER_BYTES + 8 + argumentBytes(routine.reply);
    const result = yield* this.machMsg(buffer, MACH_SEND_MSG | MACH_RCV_MSG, size, Math.max(replySize, 64), reply);
    if (result !== MACH_MSG.SUCCESS) return result;
    yield* this.read(buffer, this.scratch, 0, replySize);
    if (this.view.getInt32(HDR_ID, true) !== routine.id + MIG_REPLY_OFFSET) return MIG.REPLY_MISMATCH;
    const retCode = this.view.getInt32(MSG_HEADER_BYTES + 4, true);
    if (retCode !== KERN.SUCCESS || routine.reply.length === 0) return retCode;
    // skip the RetCode item: unmarshal the out arguments after it
    const values2 = unmarshal(this.afterRetCode, replySize - 8, routine.reply, this.out);
    return values2 < 0 ? values2 : KERN.SUCCESS;
  }

  /**
   * One step of a MIG server loop (mach_msg_server): replies to the previous request, if
   * `replySize` > 0, and receives the next request on `port` in the same mach_msg. Returns the
   * mach_msg result; the request is then in the message buffer.
   */
  *serverReplyAndReceive(port: number, replySize: number, timeoutMs = 0, option = 0): Operation<number> {
    const buffer = this.messageBuffer;
    const send = replySize > 0 ? MACH_SEND_MSG : 0;
    return yield* this.machMsg(buffer, send | MACH_RCV_MSG | option, replySize, MESSAGE_SCRATCH, port, timeoutMs);
  }

  /**
   * Builds the reply to the request in the message buffer (id + 100, on its reply right, with
   * RetCode and `args`) in place; returns its size. The server charges its MIG stub cost here.
   */
  *buildReply(retCode: number, args: readonly MigArgument[] = [], values: ArrayLike<number> = []): Operation<number> {
    const k = this.kernel;
    const buffer = this.messageBuffer;
    yield* this.read(buffer, this.scratch, 0, MSG_HEADER_BYTES);
    yield* this.runStub(stubOffset(this.view.getInt32(HDR_ID, true)) + SERVER_STUB_OFFSET, k.p.migStub + (1 + args.length) * k.p.migStubArgument);
    yield* this.read(buffer, this.scratch, 0, MSG_HEADER_BYTES);
    const id = this.view.getInt32(HDR_ID, true);
    const replyPort = this.view.getUint32(HDR_REMOTE, true);
    const replyType = this.view.getUint32(0, true) & 0xff;
    const v = this.values;
    v[0] = retCode;
    for (let i = 0; i < values.length; i++) v[i + 1] = values[i];
    const size = marshal(this.view, id + MIG_REPLY_OFFSET, replyPort, replyType === MSG_TYPE.MOVE_SEND_ONCE ? MSG_TYPE.MOVE_SEND_ONCE : MSG_TYPE.MOVE_SEND, 0, 0, withRetCode(args), v);
    yield* this.write(buffer, this.scratch, 0, size);
    return size;
  }

  /**
   * mach_msg_server: serves `handlers` on receive right `port` until a receive fails (returned)
   * or `maxRequests` requests were answered (MACH_MSG_SUCCESS). Each reply goes out in the same
   * mach_msg as the next receive. Unknown ids are answered with MIG_BAD_ID.
   */
  *runMigServer(port: number, handlers: readonly MigHandler[], maxRequests = Number.POSITIVE_INFINITY): Operation<number> {
    const request = new Int32Array(16);
    const reply = new Int32Array(16);
    let replySize = 0;
    for (let served = 0; ; served++) {
      if (served >= maxRequests) {
        if (replySize > 0) return yield* this.machMsg(this.messageBuffer, MACH_SEND_MSG, replySize, 0, 0);
        return MACH_MSG.SUCCESS;
      }
      const received = yield* this.serverReplyAndReceive(port, replySize);
      if (received !== MACH_MSG.SUCCESS) return received;
      yield* this.read(this.messageBuffer, this.scratch, 0, MSG_HEADER_BYTES);
      const id = this.view.getInt32(HDR_ID, true);
      const handler = handlers.find((h) => h.routine.id === id);
      if (handler === undefined) {
        replySize = yield* this.buildReply(MIG.BAD_ID);
        continue;
      }
      const message = yield* this.readMessage(handler.routine.request);
      if (message.values < 0) {
        replySize = yield* this.buildReply(MIG.TYPE_ERROR);
        continue;
      }
      request.set(this.out.subarray(0, message.values));
      reply.fill(0);
      const retCode = yield* handler.handle(this, request, reply);
      if (handler.routine.oneWay === true || message.replyPort === 0) {
        replySize = 0;
        continue;
      }
      const count = valueCount(handler.routine.reply);
      replySize = yield* this.buildReply(retCode, retCode === KERN.SUCCESS ? handler.routine.reply : [], retCode === KERN.SUCCESS ? reply.subarray(0, count) : []);
    }
  }

  // ---- the kernel's interfaces (MIG RPCs to kernel ports) -------------------------------------

  /** mach_port_allocate(task, right): the new name in out[0]. MACH_PORT_RIGHT_RECEIVE or MACH_PORT_RIGHT_PORT_SET. */
  *machPortAllocate(task: number, right: number = MACH_PORT_RIGHT.RECEIVE): Operation<number> {
    this.values[0] = right;
    return yield* this.call(MACH_ROUTINES.machPortAllocate, task, this.values);
  }

  /** mach_port_deallocate(task, name). */
  *machPortDeallocate(task: number, name: number): Operation<number> {
    this.values[0] = name;
    return yield* this.call(MACH_ROUTINES.machPortDeallocate, task, this.values);
  }

  /** mach_port_move_member(task, member, after): puts receive right `member` into set `after` (0: out of its set). */
  *machPortMoveMember(task: number, member: number, after: number): Operation<number> {
    this.values[0] = member;
    this.values[1] = after;
    return yield* this.call(MACH_ROUTINES.machPortMoveMember, task, this.values);
  }

  /**
   * mach_port_request_notification(task, name, MACH_NOTIFY_DEAD_NAME, 1, notify): a dead-name
   * notification (id 0110, carrying `name`) will arrive on our receive right `notify` when the
   * port `name` denotes dies; a port-deleted notification (id 0101) if we deallocate `name` first.
   * The send-once right of a request it replaces comes back in {@link out} (0: none).
   */
  *machPortRequestDeadName(task: number, name: number, notify: number): Operation<number> {
    const v = this.values;
    v[0] = name;
    v[1] = 0o110;
    v[2] = 1;
    v[3] = notify;
    return yield* this.call(MACH_ROUTINES.machPortRequestNotification, task, v);
  }

  /** Alias of {@link machPortDeallocate} under the name the C library also exports. */
  *portDeallocate(task: number, name: number): Operation<number> {
    return yield* this.machPortDeallocate(task, name);
  }

  /** mach_port_destroy(task, name). */
  *machPortDestroy(task: number, name: number): Operation<number> {
    this.values[0] = name;
    return yield* this.call(MACH_ROUTINES.machPortDestroy, task, this.values);
  }

  /**
   * mach_port_insert_right(task, name, right, disposition): gives `task` a right under `name`,
   * made from our receive right `right` (makeSend, makeSendOnce) or copied from our send right
   * (copySend). The classic idiom inserts a send right under the receive right's own name.
   */
  *machPortInsertRight(task: number, name: number, right: number, disposition: 'makeSend' | 'copySend' | 'makeSendOnce'): Operation<number> {
    this.values[0] = name;
    this.values[1] = right;
    const routine = disposition === 'makeSend' ? MACH_ROUTINES.machPortInsertSend : disposition === 'copySend' ? MACH_ROUTINES.machPortInsertCopySend : MACH_ROUTINES.machPortInsertSendOnce;
    return yield* this.call(routine, task, this.values);
  }

  /** vm_allocate(task, &address, size, anywhere): the address in out[0]. */
  *vmAllocate(task: number, address: number, size: number, anywhere: boolean): Operation<number> {
    this.values[0] = address;
    this.values[1] = size;
    this.values[2] = anywhere ? 1 : 0;
    return yield* this.call(MACH_ROUTINES.vmAllocate, task, this.values);
  }

  /** vm_deallocate(task, address, size). */
  *vmDeallocate(task: number, address: number, size: number): Operation<number> {
    this.values[0] = address;
    this.values[1] = size;
    return yield* this.call(MACH_ROUTINES.vmDeallocate, task, this.values);
  }

  /** vm_protect(task, address, size, set_maximum, protection). */
  *vmProtect(task: number, address: number, size: number, setMaximum: boolean, protection: number): Operation<number> {
    this.values[0] = address;
    this.values[1] = size;
    this.values[2] = setMaximum ? 1 : 0;
    this.values[3] = protection;
    return yield* this.call(MACH_ROUTINES.vmProtect, task, this.values);
  }

  /** vm_read(task, address, size): a virtual copy of another task's memory; address in out[0], size in out[1]. */
  *vmRead(task: number, address: number, size: number): Operation<number> {
    this.values[0] = address;
    this.values[1] = size;
    return yield* this.call(MACH_ROUTINES.vmRead, task, this.values);
  }

  /** vm_write(task, address, data, size): writes our `size` bytes at `data` into page-aligned `address` of `task`. */
  *vmWrite(task: number, address: number, data: number, size: number): Operation<number> {
    const v = this.values;
    v[0] = address;
    v[1] = data;
    v[2] = size;
    return yield* this.call(MACH_ROUTINES.vmWrite, task, v);
  }

  /** vm_inherit(task, address, size, inheritance): VM_INHERIT_SHARE, _COPY or _NONE for task_create. */
  *vmInherit(task: number, address: number, size: number, inheritance: number): Operation<number> {
    this.values[0] = address;
    this.values[1] = size;
    this.values[2] = inheritance;
    return yield* this.call(MACH_ROUTINES.vmInherit, task, this.values);
  }

  /**
   * vm_map(task, &address, size, anywhere, memory_object, offset, copy, protection,
   * max_protection): maps a memory object (a send right to a pager's port); address in out[0].
   */
  *vmMap(task: number, address: number, size: number, anywhere: boolean, memoryObject: number, offset: number, copy: boolean, protection: number, maxProtection: number): Operation<number> {
    const v = this.values;
    v[0] = address;
    v[1] = size;
    v[2] = anywhere ? 1 : 0;
    v[3] = memoryObject;
    v[4] = offset;
    v[5] = copy ? 1 : 0;
    v[6] = protection;
    v[7] = maxProtection;
    return yield* this.call(MACH_ROUTINES.vmMap, task, v);
  }

  /**
   * vm_remap(target, &address, size, anywhere, source_task, source_address, copy, &cur_protection,
   * &max_protection, inheritance): maps a range of another task's memory into `task`, shared
   * (copy false) or copied; address, current and maximum protection in out[0..2].
   */
  *vmRemap(task: number, address: number, size: number, anywhere: boolean, sourceTask: number, sourceAddress: number, copy: boolean, inheritance: number): Operation<number> {
    return yield* this.call(MACH_ROUTINES.vmRemap, task, [address, size, anywhere ? 1 : 0, sourceTask, sourceAddress, copy ? 1 : 0, inheritance]);
  }

  /**
   * task_create(parent, inherit_memory): the child's task port (a send right) in out[0]. With
   * `inheritMemory` the child's address space is built from the parent's by each region's
   * inheritance (copy-on-write by default, see {@link vmInherit}).
   */
  *taskCreate(parent: number, inheritMemory = false): Operation<number> {
    this.values[0] = inheritMemory ? 1 : 0;
    return yield* this.call(MACH_ROUTINES.taskCreate, parent, this.values);
  }

  /** task_terminate(task): a task terminating itself does not return. */
  *taskTerminate(task: number): Operation<number> {
    return yield* this.call(MACH_ROUTINES.taskTerminate, task, this.values);
  }

  /**
   * thread_create + thread_set_state(eip = entry): a suspended thread of `task` that will run the
   * entry point registered with the kernel under `entry`, with `argument`; its port in out[0].
   */
  *threadCreate(task: number, entry: number, argument = 0): Operation<number> {
    this.values[0] = entry;
    this.values[1] = argument;
    return yield* this.call(MACH_ROUTINES.threadCreate, task, this.values);
  }

  /** thread_resume(thread). */
  *threadResume(thread: number): Operation<number> {
    return yield* this.call(MACH_ROUTINES.threadResume, thread, this.values);
  }

  /** thread_get_state(thread, flavor): the state's THREAD_STATE_WORDS words in out[0..]. */
  *threadGetState(thread: number, flavor: number): Operation<number> {
    this.values[0] = flavor;
    return yield* this.call(MACH_ROUTINES.threadGetState, thread, this.values);
  }

  /** thread_suspend(thread): a thread suspending itself stops when it leaves the kernel. */
  *threadSuspend(thread: number): Operation<number> {
    return yield* this.call(MACH_ROUTINES.threadSuspend, thread, this.values);
  }

  /** thread_abort(thread): interrupts its mach_msg wait (MACH_RCV_INTERRUPTED / MACH_SEND_INTERRUPTED). */
  *threadAbort(thread: number): Operation<number> {
    return yield* this.call(MACH_ROUTINES.threadAbort, thread, this.values);
  }

  /** thread_terminate(thread): a thread terminating itself does not return. */
  *threadTerminate(thread: number): Operation<number> {
    return yield* this.call(MACH_ROUTINES.threadTerminate, thread, this.values);
  }

  /** task_set_exception_port(task, port): `port` names a receive right (made into a send right) or a send right (copied). */
  *taskSetExceptionPort(task: number, port: number, disposition: 'makeSend' | 'copySend' = 'makeSend'): Operation<number> {
    this.values[0] = port;
    return yield* this.call(disposition === 'makeSend' ? MACH_ROUTINES.taskSetExceptionPort : MACH_ROUTINES.taskSetExceptionPortCopy, task, this.values);
  }

  /** thread_set_exception_port(thread, port). */
  *threadSetExceptionPort(thread: number, port: number): Operation<number> {
    this.values[0] = port;
    return yield* this.call(MACH_ROUTINES.threadSetExceptionPort, thread, this.values);
  }

  /** device_open(master, mode, device): `device` is a code of DEVICE (console 0, disk 1); the device port in out[0]. */
  *deviceOpen(master: number, device: number, mode = 0): Operation<number> {
    this.values[0] = mode;
    this.values[1] = device;
    return yield* this.call(MACH_ROUTINES.deviceOpen, master, this.values);
  }

  /** device_write(device, mode, recnum, data, size): bytes written in out[0]. */
  *deviceWrite(device: number, data: number, size: number, record = 0): Operation<number> {
    const v = this.values;
    v[0] = 0;
    v[1] = record;
    v[2] = data;
    v[3] = size;
    return yield* this.call(MACH_ROUTINES.deviceWrite, device, v);
  }

  /**
   * device_read(device, mode, recnum, bytes): blocks until the disk interrupt has completed the
   * read; the data arrive out of line: address in out[0], size in out[1].
   */
  *deviceRead(device: number, record: number, bytes: number): Operation<number> {
    const v = this.values;
    v[0] = 0;
    v[1] = record;
    v[2] = bytes;
    return yield* this.call(MACH_ROUTINES.deviceRead, device, v);
  }

  /** memory_object_data_provided(control, offset, data, size, lock): a pager's answer (one-way). */
  *memoryObjectDataProvided(control: number, offset: number, data: number, size: number, lockValue = 0): Operation<number> {
    const v = this.values;
    v[0] = offset;
    v[1] = data;
    v[2] = size;
    v[3] = lockValue;
    return yield* this.call(MACH_ROUTINES.memoryObjectDataProvided, control, v);
  }

  /** memory_object_data_error(control, offset, size, error). */
  *memoryObjectDataError(control: number, offset: number, size: number, error: number): Operation<number> {
    const v = this.values;
    v[0] = offset;
    v[1] = size;
    v[2] = error;
    return yield* this.call(MACH_ROUTINES.memoryObjectDataError, control, v);
  }
}

const INT_ONLY: readonly MigArgument[] = ['int'];

/**
 * Layout of libmach's text in this model: one 192-byte slot per MIG routine (client stubs in the
 * first half of the text, server stubs in the second), chosen by the routine id. An estimate of
 * a library whose ~40 stubs are each ≈ 150-250 bytes of i386 code.
 */
const STUB_SLOT = 192;
const SERVER_STUB_OFFSET = LIBMACH_BYTES / 2;
function stubOffset(id: number): number {
  return ((id % 40) + 40) % 40 * STUB_SLOT;
}
const replyLayouts = new WeakMap<readonly MigArgument[], readonly MigArgument[]>();

/** The reply items of a routine: RetCode, then its out arguments (cached per routine). */
function withRetCode(args: readonly MigArgument[]): readonly MigArgument[] {
  if (args.length === 0) return INT_ONLY;
  let layout = replyLayouts.get(args);
  if (layout === undefined) {
    layout = ['int', ...args];
    replyLayouts.set(args, layout);
  }
  return layout;
}
