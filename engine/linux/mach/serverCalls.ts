import type { Operation } from '../../machine/executionContext';
import type { MachGuest } from '../../mach/guestApi';
import { KernelMessageWriter } from '../../mach/ipcKobject';
import { MSG_HEADER_BYTES, MSG_ID, MSG_TYPE_PORT_SEND } from '../../mach/machConstants';
import type { MachKernel } from '../../mach/machKernel';
import { defineRoutine, type MigRoutine } from '../../mach/mig';
import type { Port } from '../../mach/port';
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
  private readonly values = new Int32Array(8);

  constructor(private readonly k: MachKernel, private readonly colocated: boolean) {
    this.writer = new KernelMessageWriter(k);
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
