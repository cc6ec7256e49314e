import type { Operation } from '../../machine/executionContext';
import { KernelMessageReader, KernelMessageWriter } from '../../mach/ipcKobject';
import type { Kmsg } from '../../mach/kmsg';
import { I386_SAVED_STATE, KERN, MIG, MIG_REPLY_OFFSET, MSG_HEADER_BYTES, MSG_ID } from '../../mach/machConstants';
import { THREAD_STATE_WORDS } from '../../mach/mig';
import type { KernelObject } from '../../mach/port';
import type { Task } from '../core/task';
import type { MkLinux } from './mklinux';
import type { MkLinuxProcess } from './mklinuxProcess';

/**
 * A port of the co-located server as a kernel object: a message to it is served by a call in the
 * sending thread, decoded with one reader per server.
 */
abstract class ColocatedService {
  protected readonly reader: KernelMessageReader;

  constructor(protected readonly linux: MkLinux) {
    this.reader = new KernelMessageReader(linux.mach);
  }

  objectFor(task: Task): KernelObject {
    return {
      kind: 'colocated',
      serve: (request: Kmsg): Operation<Kmsg | null> => this.serve(task.substrateData as MkLinuxProcess, request),
    };
  }

  protected abstract serve(process: MkLinuxProcess, request: Kmsg): Operation<Kmsg | null>;
}

/**
 * The co-located server's trap ports as kernel objects. With activations (MkLinux's in-kernel
 * server: serv_init.c sets use_activations when in_kernel and registers the exc subsystem on its
 * trap ports) a process's exception_raise_state, its system call (EXC_SYSCALL), is short-circuited
 * by OSF MK into a call of catch_exception_raise_state in the process's own thread on its saved
 * state (`raiseState`): no kmsg, no MIG, no state copy, no queue, no thread switch and no
 * address-space switch. Without them (`useActivations` 0, the -A 0 what-if), and always for
 * exception_raise (EXCEPTION_DEFAULT behavior: a bad access, which has no fast path), the
 * exception is a message served in the faulting thread, with its kmsgs, reply right and the state
 * in the message (Mach's IPC bookkeeping). The request is unmarshalled and destroyed before the
 * handler runs and the reply built after it, so a handler that sleeps holds no shared reader or
 * writer state.
 */
export class ColocatedRequests extends ColocatedService {
  private readonly writer: KernelMessageWriter;

  constructor(linux: MkLinux, private readonly activations: boolean) {
    super(linux);
    this.writer = new KernelMessageWriter(linux.mach);
  }

  override objectFor(task: Task): KernelObject {
    const object = super.objectFor(task);
    if (!this.activations) return object;
    return { ...object, serverTask: this.linux.serverTask, raiseState: (_thread, exception, _code, state) => this.linux.serveTrap(task.substrateData as MkLinuxProcess, exception, state) };
  }

  protected *serve(process: MkLinuxProcess, request: Kmsg): Operation<Kmsg | null> {
    const reader = this.reader;
    reader.begin(request);
    const replyPort = request.reply;
    const replyType = request.replyType;
    const id = request.id;
    request.reply = null;
    if (replyPort !== null) process.pendingReply = { port: replyPort, type: replyType };
    if (id === MSG_ID.exceptionRaise) return yield* this.serveException(process, request, replyPort, replyType);
    if (id !== MSG_ID.exceptionRaiseState) {
      request.reply = replyPort;
      process.pendingReply = null;
      this.linux.mach.msg.destroy(request);
      return null;
    }
    const exception = reader.int();
    reader.int();
    reader.int();
    reader.int();
    const state = process.trapState;
    reader.words(state, THREAD_STATE_WORDS);
    const ok = reader.ok;
    this.linux.mach.msg.destroy(request);
    const retCode = ok ? yield* this.linux.serveTrap(process, exception, state) : MIG.TYPE_ERROR;
    process.pendingReply = null;
    const writer = this.writer;
    if (replyPort === null || writer.begin(replyPort, replyType, id + MIG_REPLY_OFFSET, MSG_HEADER_BYTES + 16 + 4 + 4 * THREAD_STATE_WORDS) === null) return null;
    writer.int(retCode);
    writer.int(I386_SAVED_STATE);
    writer.words(state);
    return writer.finish();
  }

  /** exception_raise (thread, task, exception, code, subcode) in the faulting thread: SIGSEGV, then the reply's RetCode. */
  private *serveException(process: MkLinuxProcess, request: Kmsg, replyPort: Kmsg['reply'], replyType: number): Operation<Kmsg | null> {
    const k = this.linux.mach;
    k.msg.destroy(request);
    yield* this.linux.serveException(process);
    process.pendingReply = null;
    if (replyPort === null || this.writer.begin(replyPort, replyType, MSG_ID.exceptionRaise + MIG_REPLY_OFFSET, MSG_HEADER_BYTES + 8) === null) return null;
    this.writer.int(KERN.SUCCESS);
    return this.writer.finish();
  }
}

/**
 * The co-located server as the pager of its processes' memory objects: the kernel's
 * memory_object_data_request/_unlock is a call in the faulting thread (see PagerInterface.request).
 */
export class ColocatedPager extends ColocatedService {
  protected *serve(process: MkLinuxProcess, request: Kmsg): Operation<Kmsg | null> {
    const reader = this.reader;
    reader.begin(request);
    const id = request.id;
    reader.port();
    const offset = reader.int() >>> 0;
    reader.int();
    const access = reader.int();
    const ok = reader.ok;
    this.linux.mach.msg.destroy(request);
    if (ok && (id === MSG_ID.memoryObjectDataRequest || id === MSG_ID.memoryObjectDataUnlock)) {
      yield* this.linux.servePage(process, offset, id === MSG_ID.memoryObjectDataUnlock || (access & 2) !== 0);
    }
    return null;
  }
}
