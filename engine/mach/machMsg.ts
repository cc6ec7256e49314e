import { PAGE_FAULT_WRITE, VECTOR } from '../base/result';
import type { Counter } from '../base/stats';
import type { Operation } from '../machine/executionContext';
import { checkCopyin, copyin, copyout, placeRight, releaseRight, transitType } from './ipcRight';
import { TYPE_PORT_SET, TYPE_RECEIVE, type IpcSpace } from './ipcSpace';
import type { Kmsg } from './kmsg';
import {
  HDR_BITS,
  HDR_ID,
  HDR_LOCAL,
  HDR_REMOTE,
  HDR_SEQNO,
  HDR_SIZE,
  isPortType,
  KERN,
  MACH_MSG,
  MACH_MSGH_BITS_COMPLEX,
  MACH_NOTIFY,
  MACH_PORT_DEAD,
  MACH_PORT_NULL,
  MACH_RCV_LARGE,
  MACH_RCV_MSG,
  MACH_RCV_TIMEOUT,
  MACH_SEND_MSG,
  MACH_SEND_TIMEOUT,
  MSG_HEADER_BYTES,
  MSG_TYPE,
  MSG_TYPE_PORT_SEND,
  MSG_TYPE_PORT_SEND_ONCE,
  msghBits,
  typeDescriptor,
} from './machConstants';
import type { MachKernel } from './machKernel';
import { MachMsgHotPath } from './machMsgHotPath';
import type { MachPath } from './machParameters';
import type { MessageQueue, Port } from './port';
import type { Thread } from './thread';

/** Who runs mach_msg: its thread, the space its names are in, and whether its buffer is user memory. */
export interface Caller {
  readonly thread: Thread;
  readonly space: IpcSpace;
  readonly user: boolean;
}

/** A parsed mach_msg_type_t (short or long form). */
interface TypeInfo {
  name: number;
  sizeBits: number;
  number: number;
  inline: boolean;
  deallocate: boolean;
  /** Bytes of the descriptor itself (4 or 12). */
  descriptorBytes: number;
  /** Bytes of data after the descriptor (inline data rounded to 4, or a 4-byte pointer). */
  dataBytes: number;
}

/**
 * The mach_msg path (ipc/mach_msg.c, ipc/ipc_kmsg.c, ipc/ipc_mqueue.c), in the order the real
 * kernel runs it:
 *
 *   send:    ipc_kmsg_get (a kmsg from the cache, first copy: user → kernel)
 *            ipc_kmsg_copyin_header / _body (translate names in the sender's space, check and
 *            take rights, virtual-copy out-of-line regions); every check before any change
 *            ipc_mqueue_send (a kernel object serves it in place; a waiting receiver gets the
 *            kmsg and is made runnable by thread_go; otherwise it is queued)
 *   receive: ipc_mqueue_copyin and ipc_mqueue_receive on a port or a port set (dequeue, or
 *            block with a timeout), ipc_kmsg_copyout_header / _body (rights into the
 *            receiver's space, regions into its map), ipc_kmsg_put (second copy: kernel →
 *            user, the kmsg back to the cache).
 *
 * A user's MACH_SEND_MSG|MACH_RCV_MSG takes mach_msg_overwrite_trap's hot path instead
 * (MachMsgHotPath), which hands the message to a waiting receiver and switches to it.
 *
 * Errors are mach_msg_return_t values. Of the notifications only MACH_NOTIFY_SEND_ONCE is
 * generated; the `notify` argument (MACH_SEND_NOTIFY, MACH_RCV_NOTIFY) is ignored.
 */
export class MachMsg {
  private readonly info: TypeInfo = { name: 0, sizeBits: 0, number: 0, inline: true, deallocate: false, descriptorBytes: 4, dataBytes: 0 };

  private readonly dropPort: (port: Port) => void;
  /** Called for a send-once right destroyed unused: see {@link sendOnceDestroyed}. */
  readonly notifySendOnce: (port: Port) => void;
  /** Messages sent through mach_msg (user sends), handed directly to a waiting receiver, queued. */
  readonly sent: Counter;
  readonly handedOff: Counter;
  readonly queued: Counter;
  private readonly hotPath: MachMsgHotPath;

  constructor(private readonly k: MachKernel) {
    this.hotPath = new MachMsgHotPath(k, this);
    this.dropPort = (port) => k.destroyPort(port);
    this.notifySendOnce = (port) => this.sendOnceDestroyed(port);
    this.sent = k.machine.stats.counter('mach.ipc.sends', 'messages', 'messages sent with mach_msg');
    this.handedOff = k.machine.stats.counter('mach.ipc.directHandoffs', 'messages', 'messages given straight to a waiting receiver');
    this.queued = k.machine.stats.counter('mach.ipc.queued', 'messages', 'messages queued on a port');
  }

  /** mach_msg_trap. `timeoutMs` applies to whichever of MACH_SEND_TIMEOUT/MACH_RCV_TIMEOUT is set. */
  trap(thread: Thread, message: number, option: number, sendSize: number, receiveSize: number, receiveName: number, timeoutMs: number): Operation<number> {
    return this.run({ thread, space: thread.task.space, user: true }, message, option, sendSize, receiveSize, receiveName, timeoutMs);
  }

  /**
   * mach_msg called as a function by code co-located in the kernel (OSF MK co-location: a
   * co-located server's own mach_msg calls are calls, not traps): the same path as the trap, with
   * the names of `space` (the server's, not the calling thread's task's) and the message buffer
   * in kernel memory (copied without user-mode checks or faults).
   */
  call(thread: Thread, space: IpcSpace, message: number, option: number, sendSize: number, receiveSize: number, receiveName: number, timeoutMs = 0): Operation<number> {
    return this.run({ thread, space, user: false }, message, option, sendSize, receiveSize, receiveName, timeoutMs);
  }

  private *run(caller: Caller, message: number, option: number, sendSize: number, receiveSize: number, receiveName: number, timeoutMs: number): Operation<number> {
    const k = this.k;
    // mach_msg_overwrite_trap's hot path takes exactly MACH_SEND_MSG|MACH_RCV_MSG (OSF MK, NCPUS 1)
    if (caller.user && option === (MACH_SEND_MSG | MACH_RCV_MSG)) return yield* this.hotPath.run(caller, message, sendSize, receiveSize, receiveName);
    k.execute(k.paths.machMsgTrap);
    let result: number = MACH_MSG.SUCCESS;
    if ((option & MACH_SEND_MSG) !== 0) {
      k.execute(k.paths.machMsgSend);
      result = yield* this.send(caller, message, sendSize, option, timeoutMs);
    }
    if (result === MACH_MSG.SUCCESS && (option & MACH_RCV_MSG) !== 0) {
      k.execute(k.paths.machMsgReceive);
      result = yield* this.receive(caller, message, receiveSize, receiveName, option, timeoutMs);
    }
    return result;
  }

  // ---- send ---------------------------------------------------------------------------------

  private *send(caller: Caller, message: number, size: number, option: number, timeoutMs: number): Operation<number> {
    const got = yield* this.getMessage(caller, message, size, this.k.paths.kmsgGet);
    if (typeof got === 'number') return got;
    const result = this.copyinMessage(caller, got);
    if (result !== MACH_MSG.SUCCESS) {
      this.freeKmsg(got);
      return result;
    }
    this.traceSend(caller.thread, got);
    return yield* this.enqueue(caller, got, option, timeoutMs);
  }

  /**
   * ipc_kmsg_get (or the hot path's fast_get, `path`): a kmsg holding the caller's message, or
   * the mach_msg error.
   */
  *getMessage(caller: Caller, message: number, size: number, path: MachPath): Operation<Kmsg | number> {
    const k = this.k;
    if (size < MSG_HEADER_BYTES) return MACH_MSG.SEND_MSG_TOO_SMALL;
    if ((size & 3) !== 0) return MACH_MSG.SEND_INVALID_DATA;
    k.execute(path);
    const kmsg = k.kmsgs.allocate(size);
    if (kmsg === null) return MACH_MSG.SEND_NO_BUFFER;
    if (!(yield* this.copyCaller(caller, message, kmsg.header, size, true))) {
      this.freeKmsg(kmsg);
      return MACH_MSG.SEND_INVALID_DATA;
    }
    k.memory.write32(kmsg.header + HDR_SIZE, size);
    this.sent.value++;
    return kmsg;
  }

  /** The send trace point of a message that was copied in. */
  traceSend(thread: Thread, kmsg: Kmsg): void {
    const point = this.k.tracePoints.send;
    if (point.enabled) point.emit(this.k.cpu.now, { task: thread.task.name, port: kmsg.destination!.id, id: kmsg.id, size: kmsg.size });
  }

  /**
   * ipc_kmsg_copyin: header, then body; validates everything, then takes the rights. A reply
   * right adds its part of ipc_kmsg_copyin_header, a complex message ipc_kmsg_copyin_body.
   */
  copyinMessage(caller: Caller, kmsg: Kmsg): number {
    const k = this.k;
    const space = caller.space;
    k.execute(k.paths.copyinHeader);
    const header = kmsg.header;
    // ipc_kmsg_copyin_header reads msgh_bits, msgh_remote_port, msgh_local_port from the kmsg it just filled
    k.memory.touch(header, MSG_HEADER_BYTES);
    const bits = k.memory.read32(header + HDR_BITS);
    const remote = k.memory.read32(header + HDR_REMOTE);
    const local = k.memory.read32(header + HDR_LOCAL);
    const remoteDisposition = bits & 0xff;
    const localDisposition = (bits >>> 8) & 0xff;
    const complex = (bits & MACH_MSGH_BITS_COMPLEX) !== 0;
    if (transitType(remoteDisposition) < 0 || remoteDisposition === MSG_TYPE.MOVE_RECEIVE) return MACH_MSG.SEND_INVALID_HEADER;
    if (local !== MACH_PORT_NULL && (transitType(localDisposition) < 0 || localDisposition === MSG_TYPE.MOVE_RECEIVE)) return MACH_MSG.SEND_INVALID_HEADER;
    if (remote === MACH_PORT_NULL || remote === MACH_PORT_DEAD) return MACH_MSG.SEND_INVALID_DEST;
    if (checkCopyin(k, space, remote, remoteDisposition) !== 'ok') return MACH_MSG.SEND_INVALID_DEST;
    if (local !== MACH_PORT_NULL && local !== MACH_PORT_DEAD) {
      k.execute(k.paths.copyinHeaderReply);
      if (checkCopyin(k, space, local, localDisposition) !== 'ok') return MACH_MSG.SEND_INVALID_REPLY;
    }
    if (complex) {
      k.execute(k.paths.copyinBody);
      const bodyCheck = this.walkBody(caller, kmsg, false);
      if (bodyCheck !== MACH_MSG.SUCCESS) return bodyCheck;
    }
    // -- nothing has changed so far; from here on nothing can fail --
    kmsg.destination = copyin(k, space, remote, remoteDisposition);
    kmsg.destinationType = transitType(remoteDisposition);
    if (local !== MACH_PORT_NULL && local !== MACH_PORT_DEAD) {
      kmsg.reply = copyin(k, space, local, localDisposition);
      kmsg.replyType = transitType(localDisposition);
    }
    kmsg.id = k.memory.read32(header + HDR_ID) | 0;
    kmsg.complex = complex;
    if (complex) this.walkBody(caller, kmsg, true);
    return MACH_MSG.SUCCESS;
  }

  /** Decodes the descriptor at `offset` into `this.info`; false if it runs past `size`. */
  private decode(header: number, offset: number, size: number): boolean {
    const k = this.k;
    const info = this.info;
    if (offset + 4 > size) return false;
    const word = k.memory.read32(header + offset);
    info.inline = (word & (1 << 28)) !== 0;
    info.deallocate = (word & (1 << 30)) !== 0;
    if ((word & (1 << 29)) !== 0) {
      if (offset + 12 > size) return false;
      const second = k.memory.read32(header + offset + 4);
      info.name = second & 0xffff;
      info.sizeBits = second >>> 16;
      info.number = k.memory.read32(header + offset + 8);
      info.descriptorBytes = 12;
    } else {
      info.name = word & 0xff;
      info.sizeBits = (word >>> 8) & 0xff;
      info.number = (word >>> 16) & 0xfff;
      info.descriptorBytes = 4;
    }
    const bytes = Math.ceil((info.number * info.sizeBits) / 8);
    info.dataBytes = info.inline ? (bytes + 3) & ~3 : 4;
    return offset + info.descriptorBytes + info.dataBytes <= size;
  }

  /**
   * ipc_kmsg_copyin_body. With `perform` false it only checks (rights exist, regions are mapped
   * readable, types are supported); with `perform` true it takes the rights and copies the regions,
   * replacing names by port addresses and descriptor names by the in-transit right types.
   */
  private walkBody(caller: Caller, kmsg: Kmsg, perform: boolean): number {
    const k = this.k;
    const space = caller.space;
    const thread = caller.thread;
    const header = kmsg.header;
    const size = kmsg.size;
    const info = this.info;
    let offset = MSG_HEADER_BYTES;
    while (offset < size) {
      if (!this.decode(header, offset, size)) return MACH_MSG.SEND_MSG_TOO_SMALL;
      // OSF MK's body holds descriptors for rights and out-of-line regions only: inline data costs nothing
      if (!perform && (isPortType(info.name) || !info.inline)) k.execute(k.paths.copyinBodyItem);
      const data = offset + info.descriptorBytes;
      if (isPortType(info.name)) {
        if (!info.inline || info.sizeBits !== 32) return MACH_MSG.SEND_INVALID_TYPE;
        for (let i = 0; i < info.number; i++) {
          const at = data + 4 * i;
          const name = k.memory.read32(header + at);
          if (name === MACH_PORT_NULL || name === MACH_PORT_DEAD) continue;
          if (!perform) {
            if (checkCopyin(k, space, name, info.name) !== 'ok') return MACH_MSG.SEND_INVALID_RIGHT;
          } else {
            const port = copyin(k, space, name, info.name);
            k.memory.write32(header + at, port.address);
            kmsg.rights.push({ port, transit: transitType(info.name), offset: at });
          }
        }
        if (perform) {
          const word = k.memory.read32(header + offset);
          if (info.descriptorBytes === 4) k.memory.write32(header + offset, ((word & ~0xff) | transitType(info.name)) >>> 0);
          else k.memory.write32(header + offset + 4, ((k.memory.read32(header + offset + 4) & ~0xffff) | transitType(info.name)) >>> 0);
        }
      } else if (!info.inline) {
        const address = k.memory.read32(header + data);
        const bytes = Math.ceil((info.number * info.sizeBits) / 8);
        if (bytes > 0) {
          if (!perform) {
            if (!thread.task.map.canCopyin(address, bytes)) return MACH_MSG.SEND_INVALID_MEMORY;
          } else {
            const copy = thread.task.map.copyin(address, bytes, info.deallocate)!;
            k.memory.write32(header + data, copy.address);
            kmsg.regions.push({ copy, offset: data });
          }
        }
      }
      offset = data + info.dataBytes;
    }
    return MACH_MSG.SUCCESS;
  }

  /** ipc_mqueue_send for a user send: kernel objects, waiting receivers, the queue, full queues. */
  *enqueue(caller: Caller, kmsg: Kmsg, option: number, timeoutMs: number): Operation<number> {
    const k = this.k;
    const thread = caller.thread;
    const port = kmsg.destination!;
    for (;;) {
      k.execute(k.paths.mqueueSend);
      k.memory.touchUpdate(port.address, k.p.portBytes);
      if (!port.active) {
        this.destroy(kmsg);
        return MACH_MSG.SEND_INVALID_DEST;
      }
      if (port.kobject !== null) {
        yield* this.serveKernelObject(thread, port, kmsg);
        return MACH_MSG.SUCCESS;
      }
      if (port.queue.receivers.length > 0 || !port.full || kmsg.destinationType === MSG_TYPE.MOVE_SEND_ONCE) {
        this.handToPort(port, kmsg);
        return MACH_MSG.SUCCESS;
      }
      // the queue is full: wait for room, or time out
      if ((option & MACH_SEND_TIMEOUT) !== 0 && timeoutMs === 0) {
        this.undoCopyin(caller.space, kmsg);
        return MACH_MSG.SEND_TIMED_OUT;
      }
      thread.waitResult = MACH_MSG.SEND_TIMED_OUT;
      port.blockedSenders.push(thread);
      const woken = yield* this.wait(thread, port, (option & MACH_SEND_TIMEOUT) !== 0 ? timeoutMs : -1);
      if (woken !== MACH_MSG.SUCCESS) {
        this.undoCopyin(caller.space, kmsg);
        return woken;
      }
    }
  }

  /**
   * Kernel-object send (ipc_kobject_server): the request is served in the sender's context; the
   * reply, if any, goes to the request's reply port like any message.
   */
  *serveKernelObject(thread: Thread, port: Port, kmsg: Kmsg): Operation<void> {
    const reply = yield* this.callKernelObject(thread, port, kmsg);
    if (reply !== null) this.deliver(reply);
  }

  /** ipc_kobject_server: serves the request in `thread` and returns the reply, or null. */
  *callKernelObject(thread: Thread, port: Port, kmsg: Kmsg): Operation<Kmsg | null> {
    this.k.execute(this.k.paths.kobjectServer);
    return yield* port.kobject!.serve(kmsg, thread);
  }

  /**
   * Gives a message to a port from the kernel (replies, notifications, exception and pager
   * messages): never blocks, ignores the queue limit (MACH_SEND_ALWAYS).
   */
  deliver(kmsg: Kmsg): void {
    const port = kmsg.destination;
    if (port === null || !port.active) {
      this.destroy(kmsg);
      return;
    }
    this.k.execute(this.k.paths.mqueueSend);
    this.k.memory.touchUpdate(port.address, this.k.p.portBytes);
    this.handToPort(port, kmsg);
  }

  /**
   * ipc_mqueue_deliver: the message goes to the first thread waiting on the port (or its set),
   * which thread_go makes runnable, or onto the queue. Only the mach_msg hot path switches to
   * the receiver directly (see MachMsgHotPath).
   */
  private handToPort(port: Port, kmsg: Kmsg): void {
    const k = this.k;
    const queue = port.queue;
    const receiver = queue.receivers.shift();
    if (receiver !== undefined) {
      k.execute(k.paths.mqueueWakeReceiver);
      this.giveTo(receiver, kmsg);
      k.scheduler.setrun(receiver);
      return;
    }
    k.execute(k.paths.kmsgEnqueue);
    k.memory.write32(kmsg.header + HDR_SEQNO, port.seqno++);
    this.queued.value++;
    queue.messages.push(kmsg);
  }

  /** A receiver taken off its queue gets the message and leaves its wait (the caller runs it). */
  giveTo(receiver: Thread, kmsg: Kmsg): void {
    this.handedOff.value++;
    receiver.receivedKmsg = kmsg;
    this.endWait(receiver, MACH_MSG.SUCCESS);
  }

  /** Ends a thread's wait (the caller makes it runnable or hands off to it). */
  private endWait(thread: Thread, result: number): void {
    thread.waitResult = result;
    thread.waitPort = null;
    if (thread.waitTimer !== null) {
      this.k.cpu.scheduler.cancel(thread.waitTimer);
      thread.waitTimer = null;
    }
  }

  /** Blocks `thread` on `port` (already queued there) for `timeoutMs` (-1: forever). */
  *wait(thread: Thread, port: MessageQueue, timeoutMs: number): Operation<number> {
    const k = this.k;
    thread.state = 'waiting';
    thread.waitPort = port;
    if (timeoutMs >= 0) {
      thread.waitTimer = k.cpu.scheduler.after(Math.max(1, Math.round(timeoutMs * 1000 * k.machine.parameters.clockMHz)), 'mach.timeout', () => this.timeout(thread));
    }
    yield* k.scheduler.block(thread);
    return thread.waitResult;
  }

  private timeout(thread: Thread): void {
    thread.waitTimer = null;
    const port = thread.waitPort;
    if (thread.state !== 'waiting' || port === null) return;
    const r = port.receivers.indexOf(thread);
    if (r >= 0) port.receivers.splice(r, 1);
    const s = port.blockedSenders.indexOf(thread);
    if (s >= 0) port.blockedSenders.splice(s, 1);
    thread.waitPort = null;
    this.k.scheduler.setrun(thread);
  }

  // ---- receive ------------------------------------------------------------------------------

  private *receive(caller: Caller, message: number, size: number, name: number, option: number, timeoutMs: number): Operation<number> {
    const k = this.k;
    const queue = this.receiveQueue(caller.space, name);
    if (typeof queue === 'number') return queue;
    const got = yield* this.takeMessage(caller.thread, queue, (option & MACH_RCV_TIMEOUT) !== 0 ? timeoutMs : -1);
    if (typeof got === 'number') return got;
    if (got.size > size) {
      if ((option & MACH_RCV_LARGE) !== 0) {
        queue.messages.unshift(got);
        const sizeWord = new Uint8Array(4);
        new DataView(sizeWord.buffer).setUint32(0, got.size, true);
        if (size >= 8) k.cpu.write(message + HDR_SIZE, sizeWord, 0, 4, true);
        return MACH_MSG.RCV_TOO_LARGE;
      }
      this.destroy(got);
      return MACH_MSG.RCV_TOO_LARGE;
    }
    return yield* this.copyoutMessage(caller, got, message, false);
  }

  /**
   * ipc_mqueue_copyin: the message queue a receive right or port set named `name` receives on,
   * or the mach_msg error.
   */
  receiveQueue(space: IpcSpace, name: number): MessageQueue | number {
    const k = this.k;
    k.execute(k.paths.entryLookup);
    k.execute(k.paths.mqueueCopyin);
    const index = space.lookup(name);
    if (index < 0) return MACH_MSG.RCV_INVALID_NAME;
    const type = space.typeOf(index);
    if ((type & TYPE_PORT_SET) !== 0) return space.setOf(index)!;
    if ((type & TYPE_RECEIVE) === 0) return MACH_MSG.RCV_INVALID_NAME;
    const port = space.objectOf(index)!;
    return port.portSet !== null ? MACH_MSG.RCV_IN_SET : port;
  }

  /**
   * ipc_mqueue_receive: the first queued message, or the one handed to `thread` after it waited
   * (thread_will_wait, thread_block) for at most `timeoutMs` (-1: forever; 0: only a queued one);
   * else the mach_msg error.
   */
  *takeMessage(thread: Thread, queue: MessageQueue, timeoutMs: number): Operation<Kmsg | number> {
    const k = this.k;
    k.memory.touchUpdate(queue.address, k.p.portBytes);
    const queued = queue.messages.shift();
    if (queued !== undefined) {
      k.execute(k.paths.mqueueReceive);
      this.wakeSender(queued.destination!);
      return queued;
    }
    if (timeoutMs === 0) {
      k.execute(k.paths.mqueueReceive);
      return MACH_MSG.RCV_TIMED_OUT;
    }
    k.execute(k.paths.mqueueReceiveWait);
    k.scheduler.splPair();
    thread.waitResult = MACH_MSG.RCV_TIMED_OUT;
    thread.receivedKmsg = null;
    queue.receivers.push(thread);
    const result = yield* this.wait(thread, queue, timeoutMs);
    if (result !== MACH_MSG.SUCCESS) return result;
    const kmsg = thread.receivedKmsg!;
    thread.receivedKmsg = null;
    return kmsg;
  }

  private wakeSender(port: Port): void {
    const sender = port.blockedSenders.shift();
    if (sender === undefined) return;
    this.endWait(sender, MACH_MSG.SUCCESS);
    this.k.scheduler.setrun(sender);
  }

  /**
   * ipc_kmsg_copyout + ipc_kmsg_put: rights and regions into the receiver, then the second copy;
   * the kmsg goes back to the cache. `hot`: the mach_msg hot path's fast_copyout and fast_put,
   * which handle a simple request with a send-once reply right and a reply in line and fall
   * back to ipc_kmsg_copyout for any other message.
   */
  *copyoutMessage(caller: Caller, kmsg: Kmsg, message: number, hot: boolean): Operation<number> {
    const k = this.k;
    const thread = caller.thread;
    const space = caller.space;
    const header = kmsg.header;
    const port = kmsg.destination!;
    const reply = kmsg.reply;
    const inline = hot ? this.fastCopyoutPath(kmsg) : null;
    if (inline !== null) k.execute(inline);
    else {
      k.execute(k.paths.copyoutHeader);
      if (reply !== null) k.execute(k.paths.copyoutHeaderReply);
    }
    if (kmsg.complex) k.execute(k.paths.copyoutBody);
    // ipc_kmsg_copyout_header reads the in-transit header (bits, port pointers) before rewriting it
    k.memory.touch(header, MSG_HEADER_BYTES);
    // the destination right is consumed by delivery; the receiver names the port by its receive right
    releaseRight(port, kmsg.destinationType);
    const localName = space.nameOf(space.reverseLookup(port));
    let remoteName = MACH_PORT_NULL;
    if (reply !== null) {
      // a send-once reply right is copied out within the header's paths; a send right is ipc_object_copyout
      remoteName = kmsg.replyType === MSG_TYPE_PORT_SEND_ONCE ? placeRight(k, space, reply, kmsg.replyType) : copyout(k, space, reply, kmsg.replyType);
      if (remoteName < 0) remoteName = MACH_PORT_NULL;
    }
    k.memory.write32(header + HDR_BITS, (msghBits(reply !== null ? kmsg.replyType : 0, kmsg.destinationType) | (kmsg.complex ? MACH_MSGH_BITS_COMPLEX : 0)) >>> 0);
    k.memory.write32(header + HDR_REMOTE, remoteName);
    k.memory.write32(header + HDR_LOCAL, localName);
    for (const right of kmsg.rights) {
      k.execute(k.paths.copyoutBodyItem);
      const name = copyout(k, space, right.port, right.transit);
      k.memory.write32(header + right.offset, name < 0 ? MACH_PORT_NULL : name);
    }
    for (const region of kmsg.regions) {
      k.execute(k.paths.copyoutBodyItem);
      const address = thread.task.map.copyout(region.copy);
      if (address < 0) k.deallocateCopy(region.copy);
      k.memory.write32(header + region.offset, address < 0 ? 0 : address);
    }
    kmsg.rights.length = 0;
    kmsg.regions.length = 0;
    kmsg.reply = null;
    kmsg.destination = null;
    k.execute(hot ? k.paths.fastPut : k.paths.kmsgPut);
    const copied = yield* this.copyCaller(caller, message, header, kmsg.size, false);
    k.kmsgs.release(kmsg);
    return copied ? MACH_MSG.SUCCESS : MACH_MSG.RCV_INVALID_DATA;
  }

  /**
   * The hot path's fast_copyout arm for `kmsg`: a simple request carrying a live send-once reply
   * right, or a reply (simple or complex); null for any other message (slow_copyout).
   */
  private fastCopyoutPath(kmsg: Kmsg): MachPath | null {
    const paths = this.k.paths;
    const reply = kmsg.reply;
    if (kmsg.destinationType === MSG_TYPE_PORT_SEND && !kmsg.complex && reply !== null && reply.active && kmsg.replyType === MSG_TYPE_PORT_SEND_ONCE) return paths.fastCopyoutRequest;
    if (kmsg.destinationType === MSG_TYPE_PORT_SEND_ONCE && reply === null) return paths.fastCopyoutReply;
    return null;
  }

  /** The message copy of `caller`: from or to user memory (copyUser), or kernel to kernel for a co-located caller. */
  private *copyCaller(caller: Caller, buffer: number, kernel: number, length: number, toKernel: boolean): Operation<boolean> {
    if (caller.user) return yield* this.copyUser(caller.thread, buffer, kernel, length, toKernel);
    const cpu = this.k.cpu;
    const done = toKernel ? cpu.copy(buffer, kernel, length, false, false) : cpu.copy(kernel, buffer, length, false, false);
    return done === length;
  }

  /**
   * Moves `length` bytes between user `user` and kernel `kernel` (copyin when `toKernel`),
   * resolving user page faults with vm_fault as the kernel's copyin/copyout fault recovery does.
   * False if a fault cannot be resolved.
   */
  *copyUser(thread: Thread, user: number, kernel: number, length: number, toKernel: boolean): Operation<boolean> {
    const k = this.k;
    const cpu = k.cpu;
    let done = 0;
    while (done < length) {
      done += toKernel ? cpu.copy(user + done, kernel + done, length - done, true, false) : cpu.copy(kernel + done, user + done, length - done, false, true);
      if (done >= length) break;
      const fault = cpu.fault;
      if (fault.vector !== VECTOR.pageFault || fault.address >= 0xc0000000) return false;
      const result = yield* thread.task.map.fault(thread, fault.address, (fault.errorCode & PAGE_FAULT_WRITE) !== 0);
      if (result !== KERN.SUCCESS) return false;
    }
    return true;
  }

  // ---- destruction --------------------------------------------------------------------------

  /** Returns the rights of a message that was copied in but not sent (a send that failed late). */
  private undoCopyin(space: IpcSpace, kmsg: Kmsg): void {
    // Mach 3 returns the message to the sender's space (ipc_kmsg_copyout_pseudo); this model
    // releases the carried rights back by copying them out to the sender.
    const k = this.k;
    if (kmsg.destination !== null) copyout(k, space, kmsg.destination, kmsg.destinationType);
    if (kmsg.reply !== null) copyout(k, space, kmsg.reply, kmsg.replyType);
    for (const right of kmsg.rights) copyout(k, space, right.port, right.transit);
    for (const region of kmsg.regions) k.deallocateCopy(region.copy);
    kmsg.destination = null;
    kmsg.reply = null;
    kmsg.rights.length = 0;
    kmsg.regions.length = 0;
    this.freeKmsg(kmsg);
  }

  /** ipc_kmsg_destroy: releases every right and region of the message, then frees it. */
  destroy(kmsg: Kmsg): void {
    const k = this.k;
    const drop = this.dropPort;
    const notify = this.notifySendOnce;
    if (kmsg.destination !== null) releaseRight(kmsg.destination, kmsg.destinationType, drop, notify);
    if (kmsg.reply !== null) releaseRight(kmsg.reply, kmsg.replyType, drop, notify);
    for (const right of kmsg.rights) releaseRight(right.port, right.transit, drop, notify);
    for (const region of kmsg.regions) k.deallocateCopy(region.copy);
    kmsg.destination = null;
    kmsg.reply = null;
    this.freeKmsg(kmsg);
  }

  /**
   * ipc_object_destroy of one right held outside any space (a kernel server's reply right it
   * never answered): counts drop, a receive right destroys its port, a send-once right sends its
   * send-once notification.
   */
  destroyRight(port: Port, transit: number): void {
    releaseRight(port, transit, this.dropPort, this.notifySendOnce);
  }

  /**
   * Disposes of a message taken by {@link kernelReceive}: delivery consumed its destination right
   * (as ipc_kmsg_copyout_header does for a user receive, so a send-once reply right sends no
   * notification); the rights and regions it carries are destroyed with it.
   */
  consumeReceived(kmsg: Kmsg): void {
    if (kmsg.destination !== null) releaseRight(kmsg.destination, kmsg.destinationType);
    kmsg.destination = null;
    this.destroy(kmsg);
  }

  /**
   * A send-once right was destroyed without being used (ipc_notify_send_once): the kernel uses it
   * to send a MACH_NOTIFY_SEND_ONCE message to its port, so that whoever waits for the reply
   * learns that none will come. The notification consumes the right.
   */
  sendOnceDestroyed(port: Port): void {
    if (!port.active) {
      port.sendOnceRights--;
      return;
    }
    const kmsg = this.k.kmsgs.allocate(MSG_HEADER_BYTES);
    if (kmsg === null) {
      port.sendOnceRights--;
      return;
    }
    kmsg.destination = port;
    kmsg.destinationType = MSG_TYPE_PORT_SEND_ONCE;
    kmsg.id = MACH_NOTIFY.SEND_ONCE;
    const k = this.k;
    k.memory.write32(kmsg.header + HDR_BITS, msghBits(MSG_TYPE_PORT_SEND_ONCE, 0));
    k.memory.write32(kmsg.header + HDR_SIZE, MSG_HEADER_BYTES);
    k.memory.write32(kmsg.header + HDR_REMOTE, port.address);
    k.memory.write32(kmsg.header + HDR_LOCAL, 0);
    k.memory.write32(kmsg.header + HDR_ID, MACH_NOTIFY.SEND_ONCE);
    this.deliver(kmsg);
  }

  /**
   * Sends a notification carrying `name` (dead-name, port-deleted) through the send-once right
   * `notify` (mach/notify.h mach_dead_name_notification_t: header + one INTEGER_32).
   */
  notify(notify: Port, id: number, name: number): void {
    const k = this.k;
    const kmsg = k.kmsgs.allocate(MSG_HEADER_BYTES + 8);
    if (kmsg === null) {
      notify.sendOnceRights--;
      return;
    }
    kmsg.destination = notify;
    kmsg.destinationType = MSG_TYPE_PORT_SEND_ONCE;
    kmsg.id = id;
    const header = kmsg.header;
    k.memory.write32(header + HDR_BITS, msghBits(MSG_TYPE_PORT_SEND_ONCE, 0));
    k.memory.write32(header + HDR_SIZE, MSG_HEADER_BYTES + 8);
    k.memory.write32(header + HDR_REMOTE, notify.address);
    k.memory.write32(header + HDR_LOCAL, 0);
    k.memory.write32(header + HDR_ID, id);
    k.memory.write32(header + MSG_HEADER_BYTES, typeDescriptor(MSG_TYPE.PORT_NAME, 32, 1));
    k.memory.write32(header + MSG_HEADER_BYTES + 4, name);
    this.deliver(kmsg);
  }

  freeKmsg(kmsg: Kmsg): void {
    this.k.execute(this.k.paths.kmsgFree);
    this.k.kmsgs.release(kmsg);
  }

  /**
   * A kernel-internal receive (exception and pager replies): blocks `thread` on `port` until a
   * message arrives and returns the kmsg without copying it out, or null on timeout/port death.
   */
  *kernelReceive(thread: Thread, port: Port): Operation<Kmsg | null> {
    const got = yield* this.takeMessage(thread, port, -1);
    return typeof got === 'number' ? null : got;
  }

  /** Wakes the receivers of a dying port or set with MACH_RCV_PORT_DIED and its senders with SEND_INVALID_DEST. */
  portDied(port: MessageQueue): void {
    for (const receiver of port.receivers.splice(0)) {
      this.endWait(receiver, MACH_MSG.RCV_PORT_DIED);
      this.k.scheduler.setrun(receiver);
    }
    for (const sender of port.blockedSenders.splice(0)) {
      this.endWait(sender, MACH_MSG.SEND_INVALID_DEST);
      this.k.scheduler.setrun(sender);
    }
    for (const kmsg of port.messages.splice(0)) this.destroy(kmsg);
  }
}
