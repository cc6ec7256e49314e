import type { Operation } from '../machine/executionContext';
import type { IpcSpace } from './ipcSpace';
import type { Kmsg } from './kmsg';
import type { Task } from './task';
import type { Thread } from './thread';

/**
 * A kernel object that receives messages in the kernel (kern/ipc_kobject.c): task and thread
 * ports, memory-object control ports, device ports, the default processor set's control port,
 * the realtime clock, and a co-located server's port. `serve`
 * runs in the sending thread's context, as ipc_kobject_server does, and returns the reply kmsg
 * (already addressed to the request's reply port) or null for a one-way message.
 */
export interface KernelObject {
  readonly kind: 'task' | 'thread' | 'memoryControl' | 'device' | 'colocated' | 'processorSet' | 'clock';
  serve(request: Kmsg, sender: Thread): Operation<Kmsg | null>;
  /**
   * The exception RPC subsystem of a server in a kernel-loaded space (mach_subsystem_create on
   * the port): exception_raise_state short-circuited into a call of its server routine by thread
   * migration, on the thread's saved state in place (OSF MK kern/exception.c,
   * MACHINE_FAST_EXCEPTION: no kmsg, no MIG, no state copies). Returns the routine's KERN code;
   * `state` (i386_SAVED_STATE) is the new state. Absent: exceptions to the port are messages.
   */
  raiseState?(thread: Thread, exception: number, code: number, state: Uint32Array): Operation<number>;
  /** For `raiseState`: the task whose activation serves the call (switch_act assumes its priority). */
  readonly serverTask?: Task;
}

/** What a thread can wait on: a port's or a port set's message queue (ipc/ipc_mqueue.h). */
export interface MessageQueue {
  /** Kernel address of the structure holding the queue. */
  readonly address: number;
  readonly messages: Kmsg[];
  readonly receivers: Thread[];
  readonly blockedSenders: Thread[];
}

/**
 * A port set (ipc/ipc_pset.h): a receive-side grouping of receive rights. While a port is a
 * member, messages sent to it are queued on the set, and receivers wait on the set
 * (Mach 3.0's ipc_mqueue of the set); receiving on the member itself is MACH_RCV_IN_SET.
 */
export class PortSet implements MessageQueue {
  active = true;
  readonly members: Port[] = [];
  readonly messages: Kmsg[] = [];
  readonly receivers: Thread[] = [];
  readonly blockedSenders: Thread[] = [];

  constructor(readonly address: number, readonly id: number) {}
}

/**
 * A port (ipc/ipc_port.h): a kernel-protected message queue. Exactly one receive right exists
 * while the port is active (held in `receiver`'s space, or in transit inside a message, or by the
 * kernel for kernel objects); send and send-once rights are counted in `sendRights` and
 * `sendOnceRights` wherever they are. The structure itself lives at `address` in kernel memory.
 */
export class Port implements MessageQueue {
  active = true;
  /** The set this port's receive right belongs to, if any. */
  portSet: PortSet | null = null;
  /** The space holding the receive right; null while in transit or for kernel objects. */
  receiver: IpcSpace | null = null;
  /** Set for ports whose messages the kernel itself consumes. */
  kobject: KernelObject | null = null;
  /** Queued messages, FIFO (ip_messages). */
  readonly messages: Kmsg[] = [];
  /** Threads blocked in a receive on this port, FIFO. */
  readonly receivers: Thread[] = [];
  /** Threads blocked in a send because the queue is full, FIFO. */
  readonly blockedSenders: Thread[] = [];
  sendRights = 0;
  sendOnceRights = 0;
  /**
   * Dead-name requests (ipc_port_request): who to tell, through a send-once right, when this
   * port dies; the name is the requester's name for its send right.
   */
  readonly deadNameRequests: Array<{ readonly space: IpcSpace; readonly name: number; readonly notify: Port }> = [];
  /** Whether ip_dnrequests has been allocated: ipc_port_dngrow makes it at the first request. */
  hasRequestTable = false;
  makeSendCount = 0;
  seqno = 0;

  constructor(readonly address: number, readonly id: number, public queueLimit: number) {}

  /** The queue messages to this port go to: its own, or its set's. */
  get queue(): MessageQueue {
    return this.portSet ?? this;
  }

  /** Messages queued beyond the limit wait for the queue to drain (kernel senders never do). */
  get full(): boolean {
    let queued = 0;
    for (const kmsg of this.queue.messages) if (kmsg.destination === this) queued++;
    return queued >= this.queueLimit;
  }
}
