import { Kalloc, Zone, type KernelMemory } from './kernelMemory';
import { MSG_HEADER_BYTES } from './machConstants';
import type { MachParameters } from './machParameters';
import type { Port } from './port';
import type { VmMapCopy } from './vmMap';

/** A right carried in a message body: the port, the type the receiver gets, where its name goes. */
export interface CarriedRight {
  port: Port;
  transit: number;
  /** Byte offset of the name word within the message. */
  offset: number;
}

/** An out-of-line region carried in a message: its vm_map_copy and where its address goes. */
export interface CarriedRegion {
  copy: VmMapCopy;
  /** Byte offset of the address word within the message. */
  offset: number;
}

/**
 * A kernel message (ipc/ipc_kmsg.h): the message as copied in, in kernel memory at `address`
 * (after `overhead` bytes of ikm_* bookkeeping), plus the host-side record of what the kernel
 * put into it during copyin: the destination and reply ports with their in-transit types, the
 * rights and out-of-line regions of the body. Port names in the header and body are meaningless
 * while the message is in transit, as in Mach, where they are replaced by port pointers.
 */
export class Kmsg {
  /** Kernel address of the ipc_kmsg (bookkeeping, then the message header). */
  address = 0;
  capacity = 0;
  fromZone = false;
  /** Message size in bytes (msgh_size). */
  size = 0;
  destination: Port | null = null;
  destinationType = 0;
  reply: Port | null = null;
  replyType = 0;
  id = 0;
  complex = false;
  readonly rights: CarriedRight[] = [];
  readonly regions: CarriedRegion[] = [];

  constructor(readonly overhead: number) {}

  /** Kernel address of the message header. */
  get header(): number {
    return this.address + this.overhead;
  }

  reset(): void {
    this.destination = null;
    this.reply = null;
    this.destinationType = 0;
    this.replyType = 0;
    this.size = 0;
    this.id = 0;
    this.complex = false;
    this.rights.length = 0;
    this.regions.length = 0;
  }
}

/**
 * ikm allocation: small messages come from the kmsg zone (IKM_SAVED_KMSG_SIZE), larger ones from
 * kalloc. Host-side Kmsg records are pooled so that steady-state messaging allocates nothing.
 */
export class KmsgAllocator {
  /** The kmsg zone (ikm_cache). */
  readonly zone: Zone;
  private readonly pool: Kmsg[] = [];
  live = 0;

  constructor(private readonly kernel: KernelMemory, private readonly kalloc: Kalloc, private readonly p: MachParameters) {
    this.zone = new Zone('ipc.kmsg', p.kmsgZoneElementBytes, kernel);
  }

  /** A kmsg able to hold a `size`-byte message, or null when kernel memory is exhausted. */
  allocate(size: number): Kmsg | null {
    const overhead = this.p.kmsgOverheadBytes;
    const total = Math.max(size, MSG_HEADER_BYTES) + overhead;
    const fromZone = total <= this.p.kmsgZoneElementBytes;
    const address = fromZone ? this.zone.allocate() : this.kalloc.allocate(total);
    if (address < 0) return null;
    const kmsg = this.pool.pop() ?? new Kmsg(overhead);
    kmsg.reset();
    kmsg.address = address;
    kmsg.fromZone = fromZone;
    kmsg.capacity = fromZone ? this.p.kmsgZoneElementBytes : Kalloc.roundedSize(total);
    kmsg.size = size;
    this.kernel.touchWrite(address, overhead);
    this.live++;
    return kmsg;
  }

  release(kmsg: Kmsg): void {
    if (kmsg.fromZone) this.zone.release(kmsg.address);
    else this.kalloc.release(kmsg.address, kmsg.capacity);
    kmsg.reset();
    this.live--;
    this.pool.push(kmsg);
  }
}
