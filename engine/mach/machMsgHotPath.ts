import type { Operation } from '../machine/executionContext';
import { checkDead, takeRight } from './ipcRight';
import { TYPE_PORT_SET, TYPE_RECEIVE, TYPE_SEND, TYPE_SEND_ONCE, type IpcSpace } from './ipcSpace';
import type { Kmsg } from './kmsg';
import {
  HDR_BITS,
  HDR_ID,
  HDR_LOCAL,
  HDR_REMOTE,
  MACH_MSG,
  MACH_PORT_NULL,
  MSG_HEADER_BYTES,
  MSG_TYPE,
  MSG_TYPE_PORT_SEND,
  MSG_TYPE_PORT_SEND_ONCE,
  msghBits,
} from './machConstants';
import type { MachKernel } from './machKernel';
import type { Caller, MachMsg } from './machMsg';
import type { MessageQueue, Port } from './port';

/** MAX_TRAILER_SIZE (OSF MK mach/message.h): sizeof(mach_msg_security_trailer_t), kept free after a message in its kmsg. */
const MAX_TRAILER_BYTES = 20;

/** Where the hot path's copyin leaves the message: a kernel port, the slow send, or the queue the caller receives on next. */
type Route = 'kernel' | 'slowSend' | MessageQueue;

/**
 * mach_msg_overwrite_trap's hot path (OSF MK ipc/mach_msg.c, compiled in when NCPUS == 1 and
 * !MACH_RT, as in MkLinux's PRODUCTION kernel) for a user's MACH_SEND_MSG|MACH_RCV_MSG, in its
 * sections:
 *
 *   fast_get           the kmsg from the cache and the copy in (ipc_kmsg_get in line)
 *   fast_copyin        two header shapes in line: a request (COPY_SEND, MAKE_SEND_ONCE) whose
 *                      reply port is the receive name, and a reply (MOVE_SEND_ONCE, 0); with
 *                      the receive name's lookup (a port or a port set); any other header
 *                      goes through ipc_kmsg_copyin (slow_copyin)
 *   kernel_send        a request to a kernel port: ipc_kobject_server, and its reply taken
 *                      directly when nothing else waits on the reply port
 *   fast_send_receive  when a thread waits on the destination and nothing is queued on the
 *                      receive side: the message is handed to it, the caller queues itself
 *                      as a receiver and switch_context runs the receiver at once (no
 *                      thread_setrun, thread_block or thread_select); otherwise slow_send and
 *                      slow_receive (ipc_mqueue_send, ipc_mqueue_copyin, ipc_mqueue_receive)
 *   fast_copyout       a request with a send-once reply right, or a reply, in line
 *   fast_put           the copy out and the kmsg back to the cache.
 *
 * The checks OSF MK makes before a handoff that the model has no state for (the receiver's
 * buffer size, MACH_RCV_NOTIFY, scatter lists, swapped-out threads) are taken to pass.
 */
export class MachMsgHotPath {
  constructor(
    private readonly k: MachKernel,
    private readonly msg: MachMsg,
  ) {}

  /** The trap's combined send and receive on `receiveName`; the mach_msg return code. */
  *run(caller: Caller, message: number, sendSize: number, receiveSize: number, receiveName: number): Operation<number> {
    const k = this.k;
    const msg = this.msg;
    k.execute(k.paths.fastEntry);
    const fits = sendSize <= k.p.kmsgZoneElementBytes - k.p.kmsgOverheadBytes - MAX_TRAILER_BYTES;
    const got = yield* msg.getMessage(caller, message, sendSize, fits ? k.paths.fastGet : k.paths.kmsgGet);
    if (typeof got === 'number') return got;
    const route = this.copyin(caller, got, receiveName);
    if (typeof route === 'number') {
      msg.freeKmsg(got);
      return route;
    }
    msg.traceSend(caller.thread, got);
    const received = yield* this.sendReceive(caller, got, route, receiveName);
    if (typeof received === 'number') return received;
    if (received.size > receiveSize) {
      msg.destroy(received);
      return MACH_MSG.RCV_TOO_LARGE;
    }
    return yield* msg.copyoutMessage(caller, received, message, true);
  }

  /**
   * fast_copyin, or slow_copyin and its attempt to get back on the fast path: where the message
   * goes next, or the copyin error (nothing changed then).
   */
  private copyin(caller: Caller, kmsg: Kmsg, receiveName: number): Route | number {
    const k = this.k;
    const space = caller.space;
    const header = kmsg.header;
    k.memory.touch(header, MSG_HEADER_BYTES);
    const bits = k.memory.read32(header + HDR_BITS);
    const remote = k.memory.read32(header + HDR_REMOTE);
    const local = k.memory.read32(header + HDR_LOCAL);
    if (bits === msghBits(MSG_TYPE.COPY_SEND, MSG_TYPE.MAKE_SEND_ONCE) && local === receiveName) {
      const reply = this.entryPort(space, local, TYPE_RECEIVE);
      const destination = this.entryPort(space, remote, TYPE_SEND);
      if (reply !== null && destination !== null && destination.active) {
        k.execute(k.paths.fastCopyinRequest);
        this.take(space, kmsg, remote, MSG_TYPE.COPY_SEND, local, MSG_TYPE.MAKE_SEND_ONCE);
        if (destination.kobject !== null) return 'kernel';
        return destination.full || reply.portSet !== null ? 'slowSend' : reply;
      }
    } else if (bits === msghBits(MSG_TYPE.MOVE_SEND_ONCE, 0) && local === MACH_PORT_NULL) {
      const destination = this.entryPort(space, remote, TYPE_SEND_ONCE);
      if (destination !== null && destination.active) {
        k.execute(k.paths.fastCopyinReply);
        this.take(space, kmsg, remote, MSG_TYPE.MOVE_SEND_ONCE, MACH_PORT_NULL, 0);
        const queue = this.receiveQueueInline(space, receiveName);
        return queue ?? 'slowSend';
      }
    }
    const result = this.msg.copyinMessage(caller, kmsg);
    if (result !== MACH_MSG.SUCCESS) return result;
    const destination = kmsg.destination!;
    if (destination.kobject !== null) return 'kernel';
    const reply = kmsg.reply;
    const room = !destination.full || kmsg.destinationType === MSG_TYPE_PORT_SEND_ONCE;
    if (destination.active && room && reply !== null && reply.portSet === null && this.entryPort(space, receiveName, TYPE_RECEIVE) === reply) return reply;
    return 'slowSend';
  }

  /** The in-line ipc_entry_lookup: the live port `name` holds a `type` right to, or null. */
  private entryPort(space: IpcSpace, name: number, type: number): Port | null {
    const index = space.lookup(name);
    if (index < 0 || (space.typeOf(index) & type) === 0) return null;
    if (type !== TYPE_RECEIVE && checkDead(space, index)) return null;
    return space.objectOf(index) ?? null;
  }

  /** The in-line copyin of the header's rights (names were checked): the ports go into the kmsg. */
  private take(space: IpcSpace, kmsg: Kmsg, remote: number, remoteDisposition: number, local: number, localDisposition: number): void {
    const k = this.k;
    kmsg.destination = takeRight(k, space, remote, remoteDisposition);
    kmsg.destinationType = remoteDisposition === MSG_TYPE.MOVE_SEND_ONCE ? MSG_TYPE_PORT_SEND_ONCE : MSG_TYPE_PORT_SEND;
    if (local !== MACH_PORT_NULL) {
      kmsg.reply = takeRight(k, space, local, localDisposition);
      kmsg.replyType = MSG_TYPE_PORT_SEND_ONCE;
    }
    kmsg.id = k.memory.read32(kmsg.header + HDR_ID) | 0;
    kmsg.complex = false;
  }

  /** The in-line lookup of the receive name after a reply's copyin: a port set, or a receive right in none. */
  private receiveQueueInline(space: IpcSpace, name: number): MessageQueue | null {
    const index = space.lookup(name);
    if (index < 0) return null;
    const type = space.typeOf(index);
    if ((type & TYPE_PORT_SET) !== 0) return space.setOf(index) ?? null;
    if ((type & TYPE_RECEIVE) === 0) return null;
    const port = space.objectOf(index)!;
    return port.portSet === null ? port : null;
  }

  /**
   * kernel_send, fast_send_receive or slow_send/slow_receive: the message the caller receives,
   * or the mach_msg error.
   */
  private *sendReceive(caller: Caller, kmsg: Kmsg, route: Route, receiveName: number): Operation<Kmsg | number> {
    const k = this.k;
    const msg = this.msg;
    const thread = caller.thread;
    const destination = kmsg.destination!;
    if (route === 'kernel') {
      k.execute(k.paths.fastKernelSend);
      const reply = yield* msg.callKernelObject(thread, destination, kmsg);
      if (reply !== null && this.takesReplyDirectly(caller.space, reply, receiveName)) return reply;
      if (reply !== null) msg.deliver(reply);
      return yield* this.slowReceive(caller, receiveName);
    }
    const receiver = route === 'slowSend' ? undefined : destination.queue.receivers[0];
    if (route === 'slowSend' || receiver === undefined || route.messages.length > 0) {
      const sent = yield* msg.enqueue(caller, kmsg, 0, 0);
      if (sent !== MACH_MSG.SUCCESS) return sent;
      return yield* this.slowReceive(caller, receiveName);
    }
    k.execute(k.paths.fastSendReceive);
    // THREAD_SWAPPER's check of the receiver runs under its own splsched/splx
    k.scheduler.splPair();
    k.memory.touchUpdate(destination.address, k.p.portBytes);
    k.memory.touchUpdate(route.address, k.p.portBytes);
    destination.queue.receivers.shift();
    msg.giveTo(receiver, kmsg);
    thread.handoffTo = receiver;
    thread.waitResult = MACH_MSG.RCV_TIMED_OUT;
    thread.receivedKmsg = null;
    route.receivers.push(thread);
    const result = yield* msg.wait(thread, route, -1);
    if (result !== MACH_MSG.SUCCESS) return result;
    k.execute(k.paths.fastReceiveResume);
    const received = thread.receivedKmsg!;
    thread.receivedKmsg = null;
    return received;
  }

  /** kernel_send's test whether the caller can take the kernel's reply without queueing it. */
  private takesReplyDirectly(space: IpcSpace, reply: Kmsg, receiveName: number): boolean {
    const port = reply.destination;
    if (port === null || !port.active || port.portSet !== null || port.receivers.length > 0 || port.messages.length > 0) return false;
    return this.entryPort(space, receiveName, TYPE_RECEIVE) === port;
  }

  /** slow_get_rcv_port and slow_receive: ipc_mqueue_copyin and ipc_mqueue_receive without a timeout. */
  private *slowReceive(caller: Caller, receiveName: number): Operation<Kmsg | number> {
    const k = this.k;
    k.execute(k.paths.fastSlowPath);
    const queue = this.msg.receiveQueue(caller.space, receiveName);
    if (typeof queue === 'number') return queue;
    return yield* this.msg.takeMessage(caller.thread, queue, -1);
  }
}
