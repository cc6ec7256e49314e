import type { Operation } from '../../machine/executionContext';
import type { MachGuest } from '../../mach/guestApi';
import { KernelMessageReader, KernelMessageWriter } from '../../mach/ipcKobject';
import { KERN, MACH_MSG, MIG, MSG_HEADER_BYTES, MSG_ID, MSG_TYPE_PORT_SEND, MSG_TYPE_PORT_SEND_ONCE } from '../../mach/machConstants';
import type { MachKernel } from '../../mach/machKernel';
import { argumentBytes, defineRoutine, THREAD_STATE_WORDS, valueCount, valuesOf, type MigRoutine } from '../../mach/mig';
import type { Port } from '../../mach/port';
import type { Task as MachTask } from '../../mach/task';
import type { Thread } from '../../mach/thread';

/** memory_object_data_supply(control, offset, address in the pager, lock_value): one-way. */
export const DATA_SUPPLY = defineRoutine({ name: 'memory_object_data_supply', id: MSG_ID.memoryObjectDataSupply, request: ['int', 'int', 'int'], reply: [], oneWay: true });
/** memory_object_data_error(control, offset, size): the pager refuses the page (the fault fails): one-way. */
export const DATA_ERROR = defineRoutine({ name: 'memory_object_data_error', id: MSG_ID.memoryObjectDataError, request: ['int', 'int'], reply: [], oneWay: true });
/** memory_object_lock_request(control, offset, size) with should_flush: one-way. */
export const LOCK_REQUEST = defineRoutine({ name: 'memory_object_lock_request', id: MSG_ID.memoryObjectLockRequest, request: ['int', 'int'], reply: [], oneWay: true });

/**
 * How the Linux server calls the kernel's memory-object interface. The user-mode server sends
 * MIG messages through its send right to the control port (mach_msg trap, name translation,
 * kmsg, the kernel-object dispatch); the co-located server makes the same MIG request as a call:
 * the kmsg is built and dispatched to the kernel object in the calling thread, without a trap or
 * a name lookup (it holds the port itself), as MkLinux's in-kernel server short-circuits its RPCs.
 */
export class KernelCalls {
  private readonly writer: KernelMessageWriter;
  private readonly reader: KernelMessageReader;
  private readonly values = new Int32Array(8 + THREAD_STATE_WORDS);
  /** The out arguments of the last {@link rpc} (a port's name in the server for a port). */
  readonly out = new Int32Array(Math.max(16, 4 + THREAD_STATE_WORDS));

  constructor(private readonly k: MachKernel, private readonly colocated: boolean, private readonly server: MachTask) {
    this.writer = new KernelMessageWriter(k);
    this.reader = new KernelMessageReader(k);
  }

  /**
   * The MIG RPC `routine` to the kernel object the server names `name` (a task or thread port),
   * with `args` ('makeSend' and 'makeSendOnce' arguments are names of the server's receive
   * rights, 'copySend' ones of its send rights; 0 is MACH_PORT_NULL; an 'ool' argument is an
   * address and a size in the server's map), by the server
   * thread `thread`. User-mode: the MIG stub's mach_msg(SEND|RCV) on its reply port. Co-located:
   * the request kmsg, with a send-once right to the thread's reply port, is served in the calling
   * thread and its reply taken back at once (no trap, no queue, no switch), the out rights copied
   * out into the server's name space and regions into its map as the stub's receive would.
   * Returns the RetCode (or a mach_msg error); out arguments in {@link out}, laid out as the
   * user stub's (mig.ts unmarshal).
   */
  *rpc(guest: MachGuest | null, thread: Thread, routine: MigRoutine, name: number, args: ArrayLike<number>): Operation<number> {
    const values = this.values;
    for (let i = 0; i < args.length; i++) values[i] = args[i];
    if (!this.colocated && guest !== null) {
      const result = yield* guest.call(routine, name, values);
      this.out.set(guest.out.subarray(0, valueCount(routine.reply)));
      return result;
    }
    const k = this.k;
    const space = this.server.space;
    const port = space.objectOf(space.lookup(name));
    if (port === undefined || !port.active || port.kobject === null) return KERN.INVALID_ARGUMENT;
    const writer = this.writer;
    // an out-of-line argument must be mapped readable in the server (mach_msg's copyin check)
    let at = 0;
    for (const argument of routine.request) {
      if (argument === 'ool' && !this.server.map.canCopyin(values[at], values[at + 1])) return MACH_MSG.SEND_INVALID_MEMORY;
      at += valuesOf(argument);
    }
    if (writer.begin(port, MSG_TYPE_PORT_SEND, routine.id, MSG_HEADER_BYTES + argumentBytes(routine.request), thread.replyPort, MSG_TYPE_PORT_SEND_ONCE) === null) return KERN.RESOURCE_SHORTAGE;
    port.sendRights++;
    thread.replyPort.sendOnceRights++;
    at = 0;
    for (const argument of routine.request) {
      if (argument === 'int') writer.int(args[at++]);
      else if (argument === 'threadState') {
        writer.words(values.subarray(at, at + THREAD_STATE_WORDS));
        at += THREAD_STATE_WORDS;
      } else if (argument === 'ool') {
        // vm_map_copyin of the server's range (address, size), as a user stub's send does
        writer.region(this.server.map.copyin(values[at], values[at + 1], false)!);
        at += 2;
      } else {
        // MACH_PORT_NULL (name 0) travels as a null port
        const right = space.objectOf(space.lookup(args[at++]));
        const sendOnce = argument === 'makeSendOnce';
        if (right !== undefined && sendOnce) right.sendOnceRights++;
        else if (right !== undefined) right.sendRights++;
        writer.port(right ?? null, sendOnce ? MSG_TYPE_PORT_SEND_ONCE : MSG_TYPE_PORT_SEND);
      }
    }
    k.execute(k.paths.kobjectServer);
    const reply = yield* port.kobject.serve(writer.finish(), thread);
    if (reply === null) return KERN.FAILURE;
    const reader = this.reader;
    reader.begin(reply);
    let retCode = reader.int();
    // the out arguments of every kind, as the user stub's receive and unmarshal would give them
    if (retCode === KERN.SUCCESS && reader.values(routine.reply, this.out, space, this.server.map) < 0) retCode = MIG.TYPE_ERROR;
    k.msg.consumeReceived(reply);
    return retCode;
  }

  /** Calls `routine` on the kernel object `port` (named `name` in the server) with `args`. */
  *call(guest: MachGuest | null, thread: Thread, routine: MigRoutine, port: Port, name: number, args: readonly number[]): Operation<number> {
    const values = this.values;
    for (let i = 0; i < args.length; i++) values[i] = args[i];
    if (!this.colocated && guest !== null) return yield* guest.call(routine, name, values);
    const k = this.k;
    const writer = this.writer;
    const server = port.kobject;
    if (server === null) return -1;
    port.sendRights++;
    if (writer.begin(port, MSG_TYPE_PORT_SEND, routine.id, MSG_HEADER_BYTES + 8 * args.length) === null) return -1;
    for (const value of args) writer.int(value);
    const request = writer.finish();
    k.execute(k.paths.kobjectServer);
    const reply = yield* server.serve(request, thread);
    if (reply !== null) k.msg.deliver(reply);
    return 0;
  }
}

