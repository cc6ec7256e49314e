import type { Operation } from '../../machine/executionContext';
import { KernelMessageReader, KernelMessageWriter } from '../../mach/ipcKobject';
import type { Kmsg } from '../../mach/kmsg';
import { KERN, MIG_REPLY_OFFSET, MSG_HEADER_BYTES, MSG_ID } from '../../mach/machConstants';
import type { KernelObject } from '../../mach/port';
import type { Task } from '../core/task';
import type { MkLinux } from './mklinux';
import type { MkLinuxProcess } from './mklinuxProcess';

/**
 * The co-located server's request ports as kernel objects: a process's linux_syscall RPC is
 * served in the process's own thread inside the kernel (MkLinux's short-circuited MIG call).
 * The request is unmarshalled and destroyed before the handler runs, and the reply built after
 * it, so a handler that sleeps holds no shared reader or writer state.
 */
export class ColocatedRequests {
  private readonly reader: KernelMessageReader;
  private readonly writer: KernelMessageWriter;
  private readonly args = new Int32Array(6);

  constructor(private readonly linux: MkLinux) {
    this.reader = new KernelMessageReader(linux.mach);
    this.writer = new KernelMessageWriter(linux.mach);
  }

  objectFor(task: Task): KernelObject {
    return {
      kind: 'colocated',
      serve: (request: Kmsg): Operation<Kmsg | null> => this.serve(task.substrateData as MkLinuxProcess, request),
    };
  }

  private *serve(process: MkLinuxProcess, request: Kmsg): Operation<Kmsg | null> {
    const k = this.linux.mach;
    const reader = this.reader;
    reader.begin(request);
    const replyPort = request.reply;
    const replyType = request.replyType;
    const id = request.id;
    request.reply = null;
    if (id === MSG_ID.exceptionRaise) return yield* this.serveException(process, request, replyPort, replyType);
    const a = this.args;
    for (let i = 0; i < 6; i++) a[i] = reader.int();
    const ok = reader.ok;
    k.msg.destroy(request);
    const result = ok ? yield* this.linux.serveSystemCall(process, a[0], a[1], a[2], a[3], a[4], a[5]) : 0;
    if (replyPort === null) return null;
    const writer = this.writer;
    if (writer.begin(replyPort, replyType, id + MIG_REPLY_OFFSET, MSG_HEADER_BYTES + 16) === null) return null;
    writer.int(ok ? KERN.SUCCESS : -300);
    writer.int(result);
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
export class ColocatedPager {
  private readonly reader: KernelMessageReader;

  constructor(private readonly linux: MkLinux) {
    this.reader = new KernelMessageReader(linux.mach);
  }

  objectFor(task: Task): KernelObject {
    return {
      kind: 'colocated',
      serve: (request: Kmsg): Operation<Kmsg | null> => this.serve(task.substrateData as MkLinuxProcess, request),
    };
  }

  private *serve(process: MkLinuxProcess, request: Kmsg): Operation<Kmsg | null> {
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
