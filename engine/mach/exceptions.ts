import type { Operation } from '../machine/executionContext';
import { KernelMessageWriter } from './ipcKobject';
import { KERN, MSG_HEADER_BYTES, MSG_ID, MSG_TYPE_PORT_SEND, MSG_TYPE_PORT_SEND_ONCE } from './machConstants';
import type { MachKernel } from './machKernel';
import type { Thread } from './thread';

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
  raised = 0;

  constructor(private readonly k: MachKernel) {
    this.writer = new KernelMessageWriter(k);
  }

  /** Raises `exception` for `thread`; true if a handler answered KERN_SUCCESS. */
  *raise(thread: Thread, exception: number, code: number, subcode: number): Operation<boolean> {
    const k = this.k;
    k.cpu.execute(k.paths.exceptionRaise);
    this.raised++;
    const point = k.tracePoints.exception;
    if (point.enabled) point.emit(k.cpu.now, { thread: thread.name, exception, code, subcode });
    const port = thread.exceptionPort ?? thread.task.exceptionPort;
    if (port === null || !port.active) return false;
    port.sendRights++;
    thread.replyPort.sendOnceRights++;
    const kmsg = this.writer.begin(port, MSG_TYPE_PORT_SEND, MSG_ID.exceptionRaise, MSG_HEADER_BYTES + 5 * 8, thread.replyPort, MSG_TYPE_PORT_SEND_ONCE);
    if (kmsg === null) return false;
    thread.selfPort.sendRights++;
    this.writer.port(thread.selfPort, MSG_TYPE_PORT_SEND);
    thread.task.selfPort.sendRights++;
    this.writer.port(thread.task.selfPort, MSG_TYPE_PORT_SEND);
    this.writer.int(exception);
    this.writer.int(code);
    this.writer.int(subcode);
    const message = this.writer.finish();
    // a co-located server's port (MkLinux in the kernel): served in the faulting thread, as ipc_kobject_server
    if (port.kobject !== null) yield* k.msg.serveKernelObject(thread, port, message);
    else k.msg.deliver(message);
    const reply = yield* k.msg.kernelReceive(thread, thread.replyPort);
    if (reply === null) return false;
    const retCode = reply.size >= MSG_HEADER_BYTES + 8 ? k.memory.read32(reply.header + MSG_HEADER_BYTES + 4) | 0 : KERN.FAILURE;
    k.msg.destroy(reply);
    return retCode === KERN.SUCCESS;
  }
}
