import { CAT } from '../machine/cpu';
import type { Operation } from '../machine/executionContext';
import type { Kmsg } from './kmsg';
import {
  HDR_BITS,
  HDR_ID,
  HDR_LOCAL,
  HDR_REMOTE,
  HDR_SIZE,
  I386_SAVED_STATE,
  isPortType,
  KERN,
  MACH_MSGH_BITS_COMPLEX,
  MACH_NOTIFY,
  MACH_PORT_RIGHT,
  MIG,
  MIG_REPLY_OFFSET,
  MSG_HEADER_BYTES,
  MSG_ID,
  MSG_TYPE,
  MSG_TYPE_PORT_SEND,
  MSG_TYPE_PORT_SEND_ONCE,
  msghBits,
  POLICY,
  TASK_BASIC_INFO,
  TASK_BASIC_INFO_COUNT,
  THREAD_BASIC_INFO,
  THREAD_BASIC_INFO_COUNT,
  typeDescriptor,
  USER_CS,
  USER_DS,
} from './machConstants';
import type { MachKernel } from './machKernel';
import type { KernelObject, Port } from './port';
import type { Task } from './task';
import { RUN_QUEUES } from './machScheduler';
import { THREAD_STATE_WORDS, type MigArgument } from './mig';
import { copyout } from './ipcRight';
import type { IpcSpace } from './ipcSpace';
import { getThreadState, setThreadState, timeValueOfTicks, type Thread } from './thread';
import { ACTIVATION_OFFSET } from './threadLayout';
import { kernelLinear } from './kernelMemory';
import { KERNEL_PDE_FIRST } from './pmap';
import type { VmMap, VmMapCopy } from './vmMap';

const isInteger = (name: number) => name === MSG_TYPE.INTEGER_32;
const anyType = () => true;

/**
 * Reads the typed items of a request kmsg in order, as a MIG server stub does. A type mismatch
 * clears `ok` (the routine then answers MIG_TYPE_ERROR). Port items yield the port (the right
 * stays in the kmsg until {@link take} claims it); out-of-line items yield the vm_map_copy.
 */
export class KernelMessageReader {
  ok = true;
  /** The request's reply right (held by the server stub until the reply is sent). */
  replyPort: Port | null = null;
  replyType = 0;
  /** Set by {@link takeReply}: the routine answers later (MIG_NO_REPLY), e.g. from an interrupt. */
  replyTaken = false;
  private header = 0;
  private offset = 0;
  private size = 0;
  private kmsg: Kmsg | null = null;

  constructor(private readonly k: MachKernel) {}

  begin(kmsg: Kmsg): void {
    this.kmsg = kmsg;
    this.replyPort = null;
    this.replyType = 0;
    this.replyTaken = false;
    this.header = kmsg.header;
    this.offset = MSG_HEADER_BYTES;
    this.size = kmsg.size;
    this.ok = true;
  }

  private item(check: (name: number) => boolean, inline: boolean): number {
    const k = this.k;
    k.execute(k.paths.migServerArgument);
    if (!this.ok || this.offset + 8 > this.size) {
      this.ok = false;
      return -1;
    }
    const word = k.memory.read32(this.header + this.offset);
    const isInline = (word & (1 << 28)) !== 0;
    let name = word & 0xff;
    let sizeBits = (word >>> 8) & 0xff;
    let number = (word >>> 16) & 0xfff;
    let descriptorBytes = 4;
    if ((word & (1 << 29)) !== 0) {
      if (this.offset + 16 > this.size) {
        this.ok = false;
        return -1;
      }
      const second = k.memory.read32(this.header + this.offset + 4);
      name = second & 0xffff;
      sizeBits = second >>> 16;
      number = k.memory.read32(this.header + this.offset + 8);
      descriptorBytes = 12;
    }
    if (!check(name) || isInline !== inline) {
      this.ok = false;
      return -1;
    }
    const data = this.offset + descriptorBytes;
    const bytes = inline ? ((Math.ceil((number * sizeBits) / 8) + 3) & ~3) : 4;
    // the MIG server stub reads the type descriptor and the argument from the request kmsg
    k.memory.touch(this.header + this.offset, Math.min(descriptorBytes + bytes, this.size - this.offset));
    this.offset = data + bytes;
    return data;
  }

  int(): number {
    const at = this.item(isInteger, true);
    return at < 0 ? 0 : this.k.memory.read32(this.header + at) | 0;
  }

  /** An inline array of `count` 32-bit words (a thread_state_t) into `out`; false (and `ok` cleared) if it is not one. */
  words(out: Int32Array, count: number): boolean {
    const k = this.k;
    const at = this.item(isInteger, true);
    if (at < 0) return false;
    const descriptor = k.memory.read32(this.header + at - 4);
    if (((descriptor >>> 16) & 0xfff) !== count || this.offset - at !== 4 * count) {
      this.ok = false;
      return false;
    }
    for (let i = 0; i < count; i++) out[i] = k.memory.read32(this.header + at + 4 * i) | 0;
    return true;
  }

  /** A port item: the port, or null for MACH_PORT_NULL/DEAD. */
  port(): Port | null {
    const at = this.item(isPortType, true);
    if (at < 0) return null;
    return this.k.portAt(this.k.memory.read32(this.header + at)) ?? null;
  }

  /** An out-of-line item: the copy in transit, or null. */
  region(): VmMapCopy | null {
    const at = this.item(anyType, false);
    if (at < 0 || this.kmsg === null) return null;
    const region = this.kmsg.regions.find((r) => r.offset === at);
    return region === undefined ? null : region.copy;
  }

  /** Claims the right to `port` carried by the request (the routine now owns it). */
  take(port: Port): number {
    const rights = this.kmsg!.rights;
    const index = rights.findIndex((r) => r.port === port);
    if (index < 0) return -1;
    const transit = rights[index].transit;
    rights.splice(index, 1);
    return transit;
  }

  /** Claims the reply right: the routine will answer asynchronously and must return MIG_NO_REPLY. */
  takeReply(): { port: Port; type: number } | null {
    if (this.replyPort === null) return null;
    this.replyTaken = true;
    return { port: this.replyPort, type: this.replyType };
  }

  /** Claims an out-of-line region of the request. */
  takeRegion(copy: VmMapCopy): void {
    const regions = this.kmsg!.regions;
    const index = regions.findIndex((r) => r.copy === copy);
    if (index >= 0) regions.splice(index, 1);
  }

  /**
   * The next items as the MIG arguments `args` declare them, into `out` from `at`, laid out as
   * mig.ts {@link unmarshal} lays out a user stub's: an int or a right's name one value, an
   * out-of-line region its address and size, a thread state THREAD_STATE_WORDS values. What a
   * receive's ipc_kmsg_copyout_body does for a user stub is done here for a kernel-side receiver:
   * each right is claimed and copied out into `space` (0 if it is null or dead), each region
   * claimed and copied out into `map` (address 0 if there is no room). Returns the number of
   * values, or MIG_TYPE_ERROR if an item does not match.
   */
  values(args: readonly MigArgument[], out: Int32Array, space: IpcSpace, map: VmMap, at = 0): number {
    const k = this.k;
    let o = at;
    for (const argument of args) {
      if (argument === 'int') out[o++] = this.int();
      else if (argument === 'threadState') {
        if (!this.words(out.subarray(o, o + THREAD_STATE_WORDS), THREAD_STATE_WORDS)) return MIG.TYPE_ERROR;
        o += THREAD_STATE_WORDS;
      } else if (argument === 'ool') {
        const copy = this.region();
        if (copy !== null) this.takeRegion(copy);
        const address = copy === null ? -1 : map.copyout(copy);
        if (copy !== null && address < 0) k.deallocateCopy(copy);
        out[o++] = address < 0 ? 0 : address;
        out[o++] = copy === null ? 0 : copy.size;
      } else {
        const right = this.port();
        const transit = right === null ? -1 : this.take(right);
        out[o++] = right === null || transit < 0 ? 0 : copyout(k, space, right, transit);
      }
      if (!this.ok) return MIG.TYPE_ERROR;
    }
    return o - at;
  }
}

/**
 * Builds a message in kernel memory (replies of kernel objects; exception and pager messages):
 * header, then INTEGER_32 and port items. Rights added are already counted in their ports.
 */
export class KernelMessageWriter {
  private kmsg: Kmsg | null = null;
  private offset = 0;

  constructor(private readonly k: MachKernel) {}

  /** Starts a message of at most `maxBytes` to `destination`; null if no kmsg could be had. */
  begin(destination: Port, destinationType: number, id: number, maxBytes: number, reply: Port | null = null, replyType = 0): Kmsg | null {
    const kmsg = this.k.kmsgs.allocate(maxBytes);
    if (kmsg === null) return null;
    kmsg.destination = destination;
    kmsg.destinationType = destinationType;
    kmsg.reply = reply;
    kmsg.replyType = replyType;
    kmsg.id = id;
    this.kmsg = kmsg;
    this.offset = MSG_HEADER_BYTES;
    return kmsg;
  }

  int(value: number): void {
    const kmsg = this.kmsg!;
    this.k.memory.write32(kmsg.header + this.offset, typeDescriptor(MSG_TYPE.INTEGER_32, 32, 1));
    this.k.memory.write32(kmsg.header + this.offset + 4, value >>> 0);
    this.offset += 8;
  }

  /** An inline array of 32-bit words under one descriptor (a thread_state_t). */
  words(values: ArrayLike<number>): void {
    const kmsg = this.kmsg!;
    this.k.memory.write32(kmsg.header + this.offset, typeDescriptor(MSG_TYPE.INTEGER_32, 32, values.length));
    for (let i = 0; i < values.length; i++) this.k.memory.write32(kmsg.header + this.offset + 4 + 4 * i, values[i] >>> 0);
    this.offset += 4 + 4 * values.length;
  }

  /** An out-of-line region (long-form descriptor, 16 bytes): the receiver gets it mapped. */
  region(copy: VmMapCopy): void {
    const kmsg = this.kmsg!;
    const at = kmsg.header + this.offset;
    this.k.memory.write32(at, (1 << 29) >>> 0);
    this.k.memory.write32(at + 4, (MSG_TYPE.BYTE | (8 << 16)) >>> 0);
    this.k.memory.write32(at + 8, copy.size);
    this.k.memory.write32(at + 12, copy.address);
    kmsg.regions.push({ copy, offset: this.offset + 12 });
    kmsg.complex = true;
    this.offset += 16;
  }

  port(port: Port | null, transit: number): void {
    const kmsg = this.kmsg!;
    this.k.memory.write32(kmsg.header + this.offset, typeDescriptor(transit, 32, 1));
    this.k.memory.write32(kmsg.header + this.offset + 4, port === null ? 0 : port.address);
    if (port !== null) kmsg.rights.push({ port, transit, offset: this.offset + 4 });
    kmsg.complex = true;
    this.offset += 8;
  }

  /** Drops the message being built (its kmsg is freed by the caller). */
  abandon(): void {
    this.kmsg = null;
  }

  finish(): Kmsg {
    const k = this.k;
    const kmsg = this.kmsg!;
    this.kmsg = null;
    kmsg.size = this.offset;
    const header = kmsg.header;
    k.memory.write32(header + HDR_BITS, (msghBits(kmsg.destinationType, kmsg.reply !== null ? kmsg.replyType : 0) | (kmsg.complex ? MACH_MSGH_BITS_COMPLEX : 0)) >>> 0);
    k.memory.write32(header + HDR_SIZE, kmsg.size);
    k.memory.write32(header + HDR_REMOTE, kmsg.destination === null ? 0 : kmsg.destination.address);
    k.memory.write32(header + HDR_LOCAL, kmsg.reply === null ? 0 : kmsg.reply.address);
    k.memory.write32(header + HDR_ID, kmsg.id);
    k.memory.touchWrite(header, kmsg.size);
    return kmsg;
  }
}

/** A routine of a kernel-object server: reads its arguments, writes its reply items after RetCode. */
export type KernelRoutine<T> = (target: T, args: KernelMessageReader, reply: KernelMessageWriter, sender: Thread) => Operation<number>;

/**
 * The MIG server side of a kernel object (kern/ipc_kobject.c + the MIG-generated *_server
 * stubs): look up the routine by msgh_id, run it on the target object, answer on the request's
 * reply right with [RetCode, out arguments] under id + 100, destroy the rest of the request.
 */
export class KernelObjectServer<T> implements KernelObject {
  constructor(
    private readonly k: MachKernel,
    readonly kind: KernelObject['kind'],
    private readonly target: T,
    private readonly routines: ReadonlyMap<number, { readonly replyBytes: number; readonly run: KernelRoutine<T> }>,
  ) {}

  *serve(request: Kmsg, sender: Thread): Operation<Kmsg | null> {
    const k = this.k;
    const routine = this.routines.get(request.id);
    const reader = k.reader;
    reader.begin(request);
    const writer = k.writer;
    const replyPort = request.reply;
    const replyType = request.replyType;
    request.reply = null;
    reader.replyPort = replyPort;
    reader.replyType = replyType;
    let reply: Kmsg | null = null;
    if (replyPort !== null) reply = writer.begin(replyPort, replyType, request.id + MIG_REPLY_OFFSET, MSG_HEADER_BYTES + 8 + (routine?.replyBytes ?? 0));
    // RetCode slot first; the routine appends its out arguments after it
    const retCodeAt = reply === null ? 0 : reply.header + MSG_HEADER_BYTES + 4;
    if (reply !== null) writer.int(0);
    let result: number = MIG.BAD_ID;
    if (routine !== undefined) result = yield* routine.run(this.target, reader, writer, sender);
    if (!reader.ok) result = MIG.TYPE_ERROR;
    k.msg.destroy(request);
    if (reply === null) return null;
    if (reader.replyTaken) {
      // the routine keeps the reply right and answers later
      reply.destination = null;
      writer.abandon();
      k.msg.freeKmsg(reply);
      return null;
    }
    k.memory.write32(retCodeAt, result >>> 0);
    return writer.finish();
  }
}

/** The routines served on a task's kernel port (mach.defs, mach_port.defs subsets). */
export function taskRoutines(k: MachKernel): Map<number, { replyBytes: number; run: KernelRoutine<Task> }> {
  const routines = new Map<number, { replyBytes: number; run: KernelRoutine<Task> }>();
  routines.set(MSG_ID.machPortAllocate, {
    replyBytes: 8,
    *run(task, args, reply) {
      const right = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      if (right !== MACH_PORT_RIGHT.RECEIVE && right !== MACH_PORT_RIGHT.PORT_SET) {
        reply.int(0);
        return KERN.INVALID_VALUE;
      }
      const name = right === MACH_PORT_RIGHT.RECEIVE ? k.allocateReceiveRight(task) : k.allocatePortSet(task);
      reply.int(name < 0 ? 0 : name);
      return name < 0 ? KERN.NO_SPACE : KERN.SUCCESS;
    },
  });
  routines.set(MSG_ID.machPortDeallocate, {
    replyBytes: 0,
    *run(task, args) {
      const name = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      k.execute(k.paths.portDeallocate);
      return k.portDeallocate(task, name);
    },
  });
  routines.set(MSG_ID.machPortDestroy, {
    replyBytes: 0,
    *run(task, args) {
      const name = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      k.execute(k.paths.portDestroy);
      return k.portDestroy(task, name);
    },
  });
  routines.set(MSG_ID.machPortMoveMember, {
    replyBytes: 0,
    *run(task, args) {
      const member = args.int();
      const after = args.int();
      return args.ok ? k.movePortMember(task, member, after) : MIG.TYPE_ERROR;
    },
  });
  routines.set(MSG_ID.machPortRequestNotification, {
    replyBytes: 8,
    *run(task, args, reply) {
      const name = args.int();
      const variant = args.int();
      args.int(); // sync: a dead name is notified at once either way here
      const notify = args.port();
      if (!args.ok) return MIG.TYPE_ERROR;
      if (notify !== null) args.take(notify);
      k.execute(k.paths.portRequestNotification);
      if (variant !== MACH_NOTIFY.DEAD_NAME) {
        if (notify !== null) k.msg.sendOnceDestroyed(notify);
        return KERN.INVALID_VALUE;
      }
      const { result, previous } = k.requestDeadName(task, name, notify);
      if (result !== KERN.SUCCESS) {
        if (notify !== null) k.msg.sendOnceDestroyed(notify);
        return result;
      }
      // the replaced request's send-once right goes back to the caller (out previous)
      reply.port(previous, MSG_TYPE_PORT_SEND_ONCE);
      return KERN.SUCCESS;
    },
  });
  routines.set(MSG_ID.machPortInsertRight, {
    replyBytes: 0,
    *run(task, args) {
      const name = args.int() >>> 0;
      const port = args.port();
      if (!args.ok) return MIG.TYPE_ERROR;
      if (port === null) return KERN.INVALID_CAPABILITY;
      const transit = args.take(port);
      return k.insertRight(task, name, port, transit);
    },
  });
  routines.set(MSG_ID.vmAllocate, {
    replyBytes: 8,
    *run(task, args, reply) {
      const address = args.int() >>> 0;
      const size = args.int() >>> 0;
      const anywhere = args.int() !== 0;
      if (!args.ok) return MIG.TYPE_ERROR;
      k.execute(k.paths.vmAllocate);
      const entered = task.map.enter(address, size, anywhere, null, 0, 3, 7, false);
      reply.int(entered.address);
      return entered.result;
    },
  });
  routines.set(MSG_ID.vmDeallocate, {
    replyBytes: 0,
    *run(task, args) {
      const address = args.int() >>> 0;
      const size = args.int() >>> 0;
      if (!args.ok) return MIG.TYPE_ERROR;
      k.execute(k.paths.vmDeallocate);
      return task.map.remove(address, size);
    },
  });
  routines.set(MSG_ID.vmProtect, {
    replyBytes: 0,
    *run(task, args) {
      const address = args.int() >>> 0;
      const size = args.int() >>> 0;
      const setMaximum = args.int() !== 0;
      const protection = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      k.execute(k.paths.vmProtect);
      return task.map.protect(address, size, setMaximum, protection);
    },
  });
  routines.set(MSG_ID.vmInherit, {
    replyBytes: 0,
    *run(task, args) {
      const address = args.int() >>> 0;
      const size = args.int() >>> 0;
      const inheritance = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      k.execute(k.paths.vmProtect);
      return task.map.inherit(address, size, inheritance);
    },
  });
  routines.set(MSG_ID.vmRead, {
    replyBytes: 16,
    *run(task, args, reply) {
      const address = args.int() >>> 0;
      const size = args.int() >>> 0;
      if (!args.ok) return MIG.TYPE_ERROR;
      const copy = task.map.copyin(address, size, false);
      if (copy === null) return KERN.INVALID_ADDRESS;
      reply.region(copy);
      return KERN.SUCCESS;
    },
  });
  routines.set(MSG_ID.vmWrite, {
    replyBytes: 0,
    *run(task, args, _reply, sender) {
      const address = args.int() >>> 0;
      const copy = args.region();
      if (!args.ok || copy === null) return MIG.TYPE_ERROR;
      if ((address & 0xfff) !== 0 || !task.map.canWrite(address, copy.size)) return KERN.INVALID_ADDRESS;
      k.execute(k.paths.vmProtect);
      return yield* k.writeTask(task, address, copy, sender);
    },
  });
  routines.set(MSG_ID.vmMap, {
    replyBytes: 8,
    *run(task, args, reply) {
      const address = args.int() >>> 0;
      const size = args.int() >>> 0;
      const anywhere = args.int() !== 0;
      const memoryObject = args.port();
      const offset = args.int() >>> 0;
      const copy = args.int() !== 0;
      const protection = args.int();
      const maxProtection = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      const result = k.pagers.map(task, address, size, anywhere, memoryObject, offset, copy, protection, maxProtection);
      reply.int(result.address);
      return result.result;
    },
  });
  routines.set(MSG_ID.vmRemap, {
    replyBytes: 24,
    *run(task, args, reply) {
      const [address, size, anywhere] = [args.int() >>> 0, args.int() >>> 0, args.int() !== 0];
      const sourcePort = args.port();
      const [sourceAddress, copy, inheritance] = [args.int() >>> 0, args.int() !== 0, args.int()];
      if (!args.ok) return MIG.TYPE_ERROR;
      const source = sourcePort === null ? undefined : k.taskOf(sourcePort);
      k.execute(k.paths.vmRemap);
      // copy = TRUE (a virtual copy) is not modelled: the Linux server remaps shared
      const result = source === undefined || copy ? { result: source === undefined ? KERN.INVALID_ARGUMENT : KERN.FAILURE, address: 0, protection: 0, maxProtection: 0 } : task.map.remap(source.map, sourceAddress, size, address, anywhere);
      if (result.result === KERN.SUCCESS) task.map.inherit(result.address, size, inheritance);
      for (const out of [result.address, result.protection, result.maxProtection]) reply.int(out);
      return result.result;
    },
  });
  routines.set(MSG_ID.taskCreate, {
    replyBytes: 8,
    *run(_task, args, reply) {
      const inheritMemory = args.int() !== 0;
      if (!args.ok) return MIG.TYPE_ERROR;
      if (!k.canCreate('task')) {
        reply.port(null, MSG_TYPE_PORT_SEND);
        return KERN.RESOURCE_SHORTAGE;
      }
      // the child of a Mach program is one too (the model's libmach: see MachKernel.createTask)
      k.execute(k.paths.taskCreate);
      for (let i = 0; i < TASK_CREATE_PORT_COPIES; i++) k.execute(k.paths.portCopySend);
      const child = k.createTask(`task${k.tasks.length}`, false, k.mapsLibmach(_task));
      // ipc_space_create's entry table (4 entries) and the task port zeroed
      k.memory.touchUpdate(child.space.table, 4 * k.p.entryBytes);
      k.memory.touchUpdate(child.selfPort.address, k.p.portBytes);
      if (inheritMemory) _task.map.fork(child.map);
      child.selfPort.sendRights++;
      reply.port(child.selfPort, MSG_TYPE_PORT_SEND);
      return KERN.SUCCESS;
    },
  });
  routines.set(MSG_ID.taskInfo, {
    replyBytes: 8 * TASK_BASIC_INFO_COUNT,
    *run(task, args, reply) {
      const flavor = args.int();
      const count = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      if (!task.active) return KERN.INVALID_TASK;
      if (flavor !== TASK_BASIC_INFO || count < TASK_BASIC_INFO_COUNT) return KERN.INVALID_ARGUMENT;
      k.execute(k.paths.taskInfo);
      // the times are those of the task's terminated threads, which no model task keeps: 0
      const virtualSize = task.map.entries.reduce((sum, entry) => sum + (entry.end - entry.start), 0);
      for (const word of [0, virtualSize, 0, 0, 0, 0, 0, POLICY.TIMESHARE]) reply.int(word);
      return KERN.SUCCESS;
    },
  });
  routines.set(MSG_ID.taskTerminate, {
    replyBytes: 0,
    *run(task) {
      if (!task.active || task === k.kernelTask) return KERN.INVALID_TASK;
      chargeTaskTerminate(k, task);
      k.terminateTask(task);
      return KERN.SUCCESS;
    },
  });
  routines.set(MSG_ID.threadCreate, {
    replyBytes: 8,
    *run(task, args, reply) {
      const entry = args.int();
      const argument = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      const point = k.entryPoints.get(entry);
      if (point === undefined) {
        reply.port(null, MSG_TYPE_PORT_SEND);
        return KERN.INVALID_ARGUMENT;
      }
      if (!k.canCreate('thread')) {
        reply.port(null, MSG_TYPE_PORT_SEND);
        return KERN.RESOURCE_SHORTAGE;
      }
      k.execute(k.paths.threadCreate);
      for (let pair = 0; pair < 3; pair++) k.scheduler.splPair();
      const thread = k.createThread(task, `${task.name}.t${task.threads.length}`, (guest) => point.body(guest, argument), undefined, point.userStack);
      // thread_create_in copies the template thread (82 words); act_create zeroes the activation
      // (≈ 109 words); ipc_thr_act_init's new port is zeroed
      k.memory.touchUpdate(thread.address, THREAD_TEMPLATE_BYTES);
      k.memory.touchUpdate(thread.address + ACTIVATION_OFFSET, ACTIVATION_ZEROED_BYTES);
      k.memory.touchUpdate(thread.selfPort.address, k.p.portBytes);
      thread.selfPort.sendRights++;
      reply.port(thread.selfPort, MSG_TYPE_PORT_SEND);
      return KERN.SUCCESS;
    },
  });
  routines.set(MSG_ID.taskSetExceptionPort, {
    replyBytes: 0,
    *run(task, args) {
      const port = args.port();
      if (!args.ok) return MIG.TYPE_ERROR;
      if (port !== null) args.take(port);
      k.execute(k.paths.taskSetExceptionPorts);
      if (task.exceptionPort !== null) task.exceptionPort.sendRights--;
      task.exceptionPort = port;
      return KERN.SUCCESS;
    },
  });
  return routines;
}

/** ipc_task_init's copies of the parent's registered, exception and bootstrap ports (3 + 9 + 1). */
const TASK_CREATE_PORT_COPIES = 13;
/** ipc_port_release_send calls of task_terminate and its task_deallocate (the task's ports and rights). */
const TASK_TERMINATE_PORT_RELEASES = 14;
/** The user PDEs pmap_destroy reads: those below the kernel's half. */
const USER_PDE_BYTES = 4 * KERNEL_PDE_FIRST;
/** Bytes thread_create_in copies from the template thread (82 words). */
const THREAD_TEMPLATE_BYTES = 328;
/** Bytes act_create zeroes in a new activation (≈ 109 words). */
const ACTIVATION_ZEROED_BYTES = 436;

/**
 * task_terminate's work besides its counted body (`taskTerminate`): each thread terminated and
 * reaped, each name of the space cleaned, the map destroyed entry by entry, and pmap_destroy's
 * scan of the user page directory (768 PDE reads) and its page tables freed.
 */
function chargeTaskTerminate(k: MachKernel, task: Task): void {
  k.execute(k.paths.taskTerminate);
  for (let i = 0; i < TASK_TERMINATE_PORT_RELEASES; i++) k.execute(k.paths.portReleaseSend);
  for (let i = 0; i < task.threads.length; i++) k.execute(k.paths.taskTerminateThread);
  for (let i = task.space.names().length; i > 0; i--) k.execute(k.paths.taskTerminatePerName);
  if (task.colocated) return; // a kernel-loaded task shares the kernel map and pmap
  k.execute(k.paths.vmMapDestroy);
  for (let i = 0; i < task.map.entries.length; i++) k.execute(k.paths.vmMapDestroyPerEntry);
  k.execute(k.paths.pmapDestroy);
  k.cpu.charge(k.paths.pmapDestroyPerPde.cycles * (KERNEL_PDE_FIRST - 1), CAT.kernel);
  k.memory.touch(kernelLinear(task.map.pmap.directory), USER_PDE_BYTES);
  for (let i = task.map.pmap.tableCount; i > 0; i--) k.execute(k.paths.pmapDestroyPerTable);
}

/** The routines served on a thread's kernel port. */
export function threadRoutines(k: MachKernel): Map<number, { replyBytes: number; run: KernelRoutine<Thread> }> {
  const routines = new Map<number, { replyBytes: number; run: KernelRoutine<Thread> }>();
  routines.set(MSG_ID.threadResume, {
    replyBytes: 0,
    *run(thread) {
      k.execute(k.paths.threadResume);
      k.scheduler.splPair();
      return k.resume(thread) ? KERN.SUCCESS : KERN.FAILURE;
    },
  });
  const state = new Int32Array(THREAD_STATE_WORDS);
  routines.set(MSG_ID.threadSetState, {
    replyBytes: 0,
    *run(thread, args) {
      const flavor = args.int();
      args.words(state, THREAD_STATE_WORDS);
      if (!args.ok) return MIG.TYPE_ERROR;
      if (flavor !== I386_SAVED_STATE) return KERN.INVALID_ARGUMENT;
      // thread_setstatus: the words into the thread's PCB
      k.execute(k.paths.threadSetState);
      k.memory.touchWrite(thread.savedStateAddress, 4 * THREAD_STATE_WORDS);
      setThreadState(thread, state);
      return KERN.SUCCESS;
    },
  });
  const current = new Uint32Array(THREAD_STATE_WORDS);
  routines.set(MSG_ID.threadGetState, {
    replyBytes: 4 + 4 * THREAD_STATE_WORDS,
    *run(thread, args, reply) {
      const flavor = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      if (flavor !== I386_SAVED_STATE) return KERN.INVALID_ARGUMENT;
      // thread_getstatus: the thread's PCB into the reply
      k.execute(k.paths.threadGetState);
      k.memory.touch(thread.savedStateAddress, 4 * THREAD_STATE_WORDS);
      getThreadState(thread, USER_CS, USER_DS, current);
      reply.words(current);
      return KERN.SUCCESS;
    },
  });
  routines.set(MSG_ID.threadSetPolicy, {
    replyBytes: 0,
    *run(thread, args) {
      const pset = args.port();
      const policy = args.int();
      const base = args.int();
      const limit = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      // the stub's convert_port_to_pset: only the default processor set's control port
      if (pset !== k.defaultPset) return KERN.INVALID_ARGUMENT;
      if (policy !== POLICY.TIMESHARE && policy !== POLICY.RR && policy !== POLICY.FIFO) return KERN.INVALID_POLICY;
      if (base < 0 || base >= RUN_QUEUES || limit < 0 || limit >= RUN_QUEUES) return KERN.INVALID_ARGUMENT;
      // kern/thread.c thread_set_policy: thread_max_priority_locked, thread_priority_locked and
      // thread_policy_common, each under its own splsched/splx
      k.execute(k.paths.threadSetPolicy);
      for (let pair = 0; pair < 3; pair++) k.scheduler.splPair();
      k.memory.touchUpdate(thread.address, 16);
      // thread_priority_locked refuses a base above the limit it has just set (0 is the highest)
      if (base < limit) return KERN.FAILURE;
      k.scheduler.setPriority(thread, base);
      return KERN.SUCCESS;
    },
  });
  routines.set(MSG_ID.threadInfo, {
    replyBytes: 8 * THREAD_BASIC_INFO_COUNT,
    *run(thread, args, reply) {
      const flavor = args.int();
      const count = args.int();
      if (!args.ok) return MIG.TYPE_ERROR;
      if (flavor !== THREAD_BASIC_INFO || count < THREAD_BASIC_INFO_COUNT) return KERN.INVALID_ARGUMENT;
      // thread_read_times of the thread's STAT_TIME timers (Thread.userTicks, systemTicks)
      k.execute(k.paths.threadInfo);
      k.scheduler.splPair();
      const hz = k.machine.parameters.hz;
      const runState = thread.state === 'running' || thread.state === 'runnable' ? 1 : 3; // TH_STATE_RUNNING, TH_STATE_WAITING
      for (const word of [...timeValueOfTicks(thread.userTicks, hz), ...timeValueOfTicks(thread.systemTicks, hz), 0, POLICY.TIMESHARE, runState, 0, thread.suspendCount, 0]) reply.int(word);
      return KERN.SUCCESS;
    },
  });
  routines.set(MSG_ID.threadSuspend, {
    replyBytes: 0,
    *run(thread) {
      return k.suspend(thread);
    },
  });
  routines.set(MSG_ID.threadAbort, {
    replyBytes: 0,
    *run(thread) {
      return k.abort(thread);
    },
  });
  routines.set(MSG_ID.threadTerminate, {
    replyBytes: 0,
    *run(thread) {
      return k.terminateThread(thread);
    },
  });
  routines.set(MSG_ID.threadSetExceptionPort, {
    replyBytes: 0,
    *run(thread, args) {
      const port = args.port();
      if (!args.ok) return MIG.TYPE_ERROR;
      if (port !== null) args.take(port);
      if (thread.exceptionPort !== null) thread.exceptionPort.sendRights--;
      thread.exceptionPort = port;
      return KERN.SUCCESS;
    },
  });
  return routines;
}
