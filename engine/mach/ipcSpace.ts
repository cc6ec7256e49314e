import {
  MACH_PORT_TYPE_DEAD_NAME,
  MACH_PORT_TYPE_PORT_SET,
  MACH_PORT_TYPE_RECEIVE,
  MACH_PORT_TYPE_SEND,
  MACH_PORT_TYPE_SEND_ONCE,
  PORT_NAME_GENERATION_BITS,
} from './machConstants';
import type { Kalloc, KernelMemory } from './kernelMemory';
import type { MachParameters } from './machParameters';
import type { Port, PortSet } from './port';

/**
 * IPC entry layout (struct ipc_entry of Mach 3.0, 16 bytes, in kernel memory):
 *   +0 ie_object  kernel address of the port (0 for a free entry or a dead name)
 *   +4 ie_bits    urefs in bits 0-15, type bits 16-20 (MACH_PORT_TYPE_*), generation in 24-31
 *   +8 ie_next    next free index (free entries) / request index
 *   +12 ie_index  reverse-hash chain
 */
export const IE_OBJECT = 0;
export const IE_BITS = 4;
export const IE_NEXT = 8;
export const IE_UREFS_MASK = 0xffff;
export const IE_TYPE_MASK = 0x001f0000;
export const IE_GEN_SHIFT = 24;
export const UREFS_MAX = 0xffff;

/**
 * A task's port name space (ipc/ipc_space.c, ipc_entry.c): a table of entries in kernel memory,
 * indexed by the index part of a port name and checked against its generation, plus the reverse
 * translation port → name (Mach's ipc_hash), so that a task holding send rights to a port has one
 * name for them. Every translation touches the space header and the entry in simulated memory.
 *
 * Only this class writes entries. Callers translate with {@link lookup}, then read the fields
 * with {@link typeOf}, {@link urefsOf}, {@link objectOf}.
 */
export class IpcSpace {
  /** Kernel address of the entry table (kalloc'd) and of the space header. */
  table: number;
  capacity: number;
  active = true;
  private freeHead = 0;
  private readonly reverse = new Map<number, number>(); // port address → index
  private readonly hashTable: number;
  private static readonly HASH_BUCKETS = 64;

  constructor(
    readonly header: number,
    private readonly kernel: KernelMemory,
    private readonly kalloc: Kalloc,
    private readonly p: MachParameters,
    private readonly portAt: (address: number) => Port | undefined,
    private readonly setAt: (address: number) => PortSet | undefined,
    readonly owner: string,
  ) {
    this.capacity = p.initialSpaceEntries;
    this.table = this.allocateTable(this.capacity);
    this.hashTable = kalloc.allocate(IpcSpace.HASH_BUCKETS * 4);
    this.threadFreeList(1, this.capacity);
  }

  private allocateTable(entries: number): number {
    const address = this.kalloc.allocate(entries * this.p.entryBytes);
    if (address < 0) throw new Error('out of kernel memory for an IPC space');
    return address;
  }

  private threadFreeList(from: number, to: number): void {
    const stride = this.p.entryBytes;
    for (let index = from; index < to; index++) {
      const entry = this.table + index * stride;
      this.kernel.write32(entry + IE_NEXT, index + 1 < to ? index + 1 : 0);
    }
    this.freeHead = from;
  }

  entryAddress(index: number): number {
    return this.table + index * this.p.entryBytes;
  }

  /**
   * ipc_entry_lookup: the index of the entry named `name`, or -1 if the name is not valid in
   * this space (free entry, wrong generation, out of range). Timing: space header and entry.
   */
  lookup(name: number): number {
    this.kernel.touch(this.header, this.p.spaceBytes);
    const index = name >>> PORT_NAME_GENERATION_BITS;
    if (!this.active || name === 0 || index === 0 || index >= this.capacity) return -1;
    const entry = this.entryAddress(index);
    this.kernel.touch(entry, this.p.entryBytes);
    const bits = this.kernel.read32(entry + IE_BITS);
    if ((bits & IE_TYPE_MASK) === 0) return -1;
    if (bits >>> IE_GEN_SHIFT !== (name & 0xff)) return -1;
    return index;
  }

  typeOf(index: number): number {
    return this.kernel.read32(this.entryAddress(index) + IE_BITS) & IE_TYPE_MASK;
  }

  urefsOf(index: number): number {
    return this.kernel.read32(this.entryAddress(index) + IE_BITS) & IE_UREFS_MASK;
  }

  objectOf(index: number): Port | undefined {
    const address = this.kernel.read32(this.entryAddress(index) + IE_OBJECT);
    return address === 0 || (this.typeOf(index) & MACH_PORT_TYPE_PORT_SET) !== 0 ? undefined : this.portAt(address);
  }

  /** The port set named by a PORT_SET entry. */
  setOf(index: number): PortSet | undefined {
    const address = this.kernel.read32(this.entryAddress(index) + IE_OBJECT);
    return address === 0 || (this.typeOf(index) & MACH_PORT_TYPE_PORT_SET) === 0 ? undefined : this.setAt(address);
  }

  /** A new PORT_SET entry for `set`; its index or -1. */
  allocateSet(set: PortSet): number {
    const index = this.allocate(null, MACH_PORT_TYPE_PORT_SET, 0);
    if (index >= 0) this.kernel.write32(this.entryAddress(index) + IE_OBJECT, set.address);
    return index;
  }

  nameOf(index: number): number {
    const bits = this.kernel.read32(this.entryAddress(index) + IE_BITS);
    return ((index << PORT_NAME_GENERATION_BITS) | (bits >>> IE_GEN_SHIFT)) >>> 0;
  }

  /** ipc_hash lookup: the index of this space's entry for `port` (send/receive), or -1. */
  reverseLookup(port: Port): number {
    this.kernel.touch(this.hashTable + ((port.address >>> 4) & (IpcSpace.HASH_BUCKETS - 1)) * 4, 4);
    const index = this.reverse.get(port.address);
    if (index === undefined) return -1;
    this.kernel.touch(this.entryAddress(index), this.p.entryBytes);
    return index;
  }

  /** Sets type and urefs of an entry (keeping its generation and object). */
  setBits(index: number, type: number, urefs: number): void {
    const entry = this.entryAddress(index);
    const old = this.kernel.read32(entry + IE_BITS);
    this.kernel.write32(entry + IE_BITS, ((old & 0xff000000) | (type & IE_TYPE_MASK) | (urefs & IE_UREFS_MASK)) >>> 0);
    this.kernel.touchWrite(entry + IE_BITS, 4);
    const object = this.kernel.read32(entry + IE_OBJECT);
    if ((type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE)) === 0 && object !== 0 && this.reverse.get(object) === index) this.reverse.delete(object);
  }

  /** Turns an entry into a dead name with `urefs` references (the port pointer is dropped). */
  makeDeadName(index: number, urefs: number): void {
    const entry = this.entryAddress(index);
    const object = this.kernel.read32(entry + IE_OBJECT);
    if (object !== 0 && this.reverse.get(object) === index) this.reverse.delete(object);
    this.kernel.write32(entry + IE_OBJECT, 0);
    this.setBits(index, MACH_PORT_TYPE_DEAD_NAME, urefs);
  }

  /**
   * ipc_entry_alloc + initialisation: a new entry for `port` with `type` and `urefs`; returns
   * its index, or -1 when the table cannot grow. The generation advances on every reuse.
   */
  allocate(port: Port | null, type: number, urefs: number): number {
    if (!this.active || (this.freeHead === 0 && !this.grow())) return -1;
    const index = this.freeHead;
    const entry = this.entryAddress(index);
    this.kernel.touch(entry, this.p.entryBytes);
    this.freeHead = this.kernel.read32(entry + IE_NEXT);
    const oldBits = this.kernel.read32(entry + IE_BITS);
    const generation = ((oldBits >>> IE_GEN_SHIFT) + 1) & 0xff || 1;
    this.kernel.write32(entry + IE_OBJECT, port === null ? 0 : port.address);
    this.kernel.write32(entry + IE_BITS, ((generation << IE_GEN_SHIFT) | (type & IE_TYPE_MASK) | (urefs & IE_UREFS_MASK)) >>> 0);
    this.kernel.write32(entry + IE_NEXT, 0);
    this.kernel.touchWrite(entry, this.p.entryBytes);
    if (port !== null && (type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE)) !== 0) this.reverse.set(port.address, index);
    return index;
  }

  /**
   * An entry under a caller-chosen `name` (mach_port_insert_right, mach_port_allocate_name):
   * the index must be free; the table grows to hold it. Returns the index or -1.
   */
  allocateNamed(name: number, port: Port, type: number, urefs: number): number {
    const index = name >>> PORT_NAME_GENERATION_BITS;
    const generation = name & 0xff;
    if (!this.active || index === 0 || generation === 0 || index >= 1 << 16) return -1;
    while (index >= this.capacity) {
      const had = this.freeHead;
      this.freeHead = 0;
      if (!this.grow()) {
        this.freeHead = had;
        return -1;
      }
      // splice the grown part's free list after the old one
      if (had !== 0) {
        let last = had;
        for (let next = this.kernel.read32(this.entryAddress(last) + IE_NEXT); next !== 0; next = this.kernel.read32(this.entryAddress(last) + IE_NEXT)) last = next;
        this.kernel.write32(this.entryAddress(last) + IE_NEXT, this.freeHead);
        this.freeHead = had;
      }
    }
    if (this.typeOf(index) !== 0) return -1;
    // unlink `index` from the free list (a walk over the entries in memory)
    let previous = 0;
    let cursor = this.freeHead;
    while (cursor !== 0 && cursor !== index) {
      previous = cursor;
      cursor = this.kernel.read32(this.entryAddress(cursor) + IE_NEXT);
    }
    if (cursor === 0) return -1;
    const next = this.kernel.read32(this.entryAddress(index) + IE_NEXT);
    if (previous === 0) this.freeHead = next;
    else this.kernel.write32(this.entryAddress(previous) + IE_NEXT, next);
    const entry = this.entryAddress(index);
    this.kernel.write32(entry + IE_OBJECT, port.address);
    this.kernel.write32(entry + IE_BITS, ((generation << IE_GEN_SHIFT) | (type & IE_TYPE_MASK) | (urefs & IE_UREFS_MASK)) >>> 0);
    this.kernel.write32(entry + IE_NEXT, 0);
    this.kernel.touchWrite(entry, this.p.entryBytes);
    if ((type & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE)) !== 0) this.reverse.set(port.address, index);
    return index;
  }

  /** Records the reverse translation after a send right is added to a receive entry or vice versa. */
  noteReverse(port: Port, index: number): void {
    this.reverse.set(port.address, index);
  }

  /** ipc_entry_dealloc: frees an entry (its generation is kept for the next use). */
  free(index: number): void {
    const entry = this.entryAddress(index);
    const object = this.kernel.read32(entry + IE_OBJECT);
    if (object !== 0 && this.reverse.get(object) === index) this.reverse.delete(object);
    const bits = this.kernel.read32(entry + IE_BITS);
    this.kernel.write32(entry + IE_OBJECT, 0);
    this.kernel.write32(entry + IE_BITS, bits & 0xff000000);
    this.kernel.write32(entry + IE_NEXT, this.freeHead);
    this.kernel.touchWrite(entry, this.p.entryBytes);
    this.freeHead = index;
  }

  /** Grows the table to twice its size (ipc_entry_grow_table): kalloc, copy, free the old one. */
  private grow(): boolean {
    const newCapacity = this.capacity * 2;
    const bytes = newCapacity * this.p.entryBytes;
    const table = this.kalloc.allocate(bytes);
    if (table < 0) return false;
    const oldBytes = this.capacity * this.p.entryBytes;
    this.kernel.cpu.copy(this.table, table, oldBytes, false, false);
    this.kalloc.release(this.table, oldBytes);
    const from = this.capacity;
    this.table = table;
    this.capacity = newCapacity;
    this.threadFreeList(from, newCapacity);
    return true;
  }

  /**
   * The end of ipc_space_destroy, once every right has been released: the entry table and the
   * reverse hash go back to kalloc; the space names nothing from now on and allocates no entry.
   */
  destroy(): void {
    this.active = false;
    this.kalloc.release(this.table, this.capacity * this.p.entryBytes);
    this.kalloc.release(this.hashTable, IpcSpace.HASH_BUCKETS * 4);
    this.capacity = 0;
    this.freeHead = 0;
    this.reverse.clear();
  }

  /** Every valid name with its type bits (for mach_port_names and tests; no timing). */
  names(): Array<{ name: number; type: number; urefs: number; port: Port | undefined }> {
    const out: Array<{ name: number; type: number; urefs: number; port: Port | undefined }> = [];
    for (let index = 1; index < this.capacity; index++) {
      const type = this.typeOf(index);
      if (type !== 0) out.push({ name: this.nameOf(index), type, urefs: this.urefsOf(index), port: this.objectOf(index) });
    }
    return out;
  }
}

export const TYPE_SEND = MACH_PORT_TYPE_SEND;
export const TYPE_RECEIVE = MACH_PORT_TYPE_RECEIVE;
export const TYPE_SEND_ONCE = MACH_PORT_TYPE_SEND_ONCE;
export const TYPE_DEAD_NAME = MACH_PORT_TYPE_DEAD_NAME;
export const TYPE_PORT_SET = MACH_PORT_TYPE_PORT_SET;
