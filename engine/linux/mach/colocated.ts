import type { Operation } from '../../machine/executionContext';
import { KernelMessageReader, KernelMessageWriter } from '../../mach/ipcKobject';
import type { Kmsg } from '../../mach/kmsg';
import { I386_THREAD_STATE, KERN, MIG, MIG_REPLY_OFFSET, MSG_HEADER_BYTES, MSG_ID } from '../../mach/machConstants';
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
 * The co-located server's trap ports as kernel objects: a process's exception_raise_state (its
 * system call, EXC_SYSCALL) is served in the process's own thread inside the kernel: the kmsgs,
 * the reply right and the state in the message stay (Mach's IPC bookkeeping), the queue, the
 * thread switch and the address-space switch go. The request is unmarshalled and destroyed
 * before the handler runs, and the reply (RetCode, flavor, new state) built after it, so a
 * handler that sleeps holds no shared reader or writer state.
 */
export class ColocatedRequests extends ColocatedService {
  private readonly writer: KernelMessageWriter;

  constructor(linux: MkLinux) {
    super(linux);
    this.writer = new KernelMessageWriter(linux.mach);
  }

  protected *serve(process: MkLinuxProcess, request: Kmsg): Operation<Kmsg | null> {
    const reader = this.reader;
    reader.begin(request);
    const replyPort = request.reply;
    const replyType = request.replyType;
    const id = request.id;
    request.reply = null;
    if (id === MSG_ID.exceptionRaise) return yield* this.serveException(process, request, replyPort, replyType);
    if (id !== MSG_ID.exceptionRaiseState) {
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
    const writer = this.writer;
    if (replyPort === null || writer.begin(replyPort, replyType, id + MIG_REPLY_OFFSET, MSG_HEADER_BYTES + 16 + 4 + 4 * THREAD_STATE_WORDS) === null) return null;
    writer.int(retCode);
    writer.int(I386_THREAD_STATE);
    writer.words(state);
    return writer.finish();
  }

  /** exception_raise (thread, task, exception, code, subcode) in the faulting thread: SIGSEGV, then the reply's RetCode. */
  private *serveException(process: MkLinuxProcess, request: Kmsg, replyPort: Kmsg['reply'], replyType: number): Operation<Kmsg | null> {
    const k = this.linux.mach;
    k.msg.destroy(request);
    yield* this.linux.serveException(process);
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
