import { PAGE_SIZE } from '../base/frameAllocator';
import { CAT } from '../machine/cpu';
import type { Operation } from '../machine/executionContext';
import { kernelLinear } from './kernelMemory';
import { KERN, VM_INHERIT, VM_PROT } from './machConstants';
import type { MachKernel } from './machKernel';
import type { Pmap } from './pmap';
import type { Thread } from './thread';
import { VmObject } from './vmObject';

/** A contiguous range of a map backed by one object (vm/vm_map.h vm_map_entry). */
export interface VmMapEntry {
  /** Kernel address of the entry structure (from the map-entry zone). */
  readonly address: number;
  start: number;
  end: number;
  object: VmObject | null;
  /** Byte offset of `start` within the object. */
  offset: number;
  protection: number;
  maxProtection: number;
  inheritance: number;
  /** Copy-on-write pending: the object is shared with a copy; a write must shadow it first. */
  needsCopy: boolean;
}

/** One piece of a vm_map_copy: `size` bytes of `object` from `offset`. */
export interface VmMapCopyPiece {
  object: VmObject;
  offset: number;
  size: number;
}

/**
 * Out-of-line data in transit (vm/vm_map.h vm_map_copy, entry-list form): the object pieces of
 * the copied range, page-rounded, and the offset of the data in the first page.
 */
export interface VmMapCopy {
  readonly address: number;
  readonly pieces: VmMapCopyPiece[];
  /** Bytes of data. */
  readonly size: number;
  /** Offset of the data within its first page. */
  readonly pageOffset: number;
}

const round = (value: number) => Math.ceil(value / PAGE_SIZE) * PAGE_SIZE;
const trunc = (value: number) => Math.floor(value / PAGE_SIZE) * PAGE_SIZE;

/**
 * A task's address map (vm/vm_map.c): sorted entries over [min, max) and the pmap that caches
 * their translations. Operations validate the whole range before changing anything.
 */
export class VmMap {
  readonly entries: VmMapEntry[] = [];

  constructor(private readonly k: MachKernel, readonly pmap: Pmap, readonly min: number, readonly max: number) {}

  /** vm_map_lookup_entry: the entry containing `address`, touching the entries it scans. */
  lookup(address: number): VmMapEntry | null {
    const entries = this.entries;
    let low = 0;
    let high = entries.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const entry = entries[middle];
      this.k.memory.touch(entry.address, 16);
      if (address < entry.start) high = middle - 1;
      else if (address >= entry.end) low = middle + 1;
      else return entry;
    }
    return null;
  }

  /** Is [start, end) entirely mapped without holes? */
  private covered(start: number, end: number): boolean {
    let cursor = start;
    for (const entry of this.entries) {
      if (entry.end <= cursor) continue;
      if (entry.start > cursor) return false;
      cursor = entry.end;
      if (cursor >= end) return true;
    }
    return cursor >= end;
  }

  private overlaps(start: number, end: number): boolean {
    return this.entries.some((e) => e.start < end && e.end > start);
  }

  /** First fit for `size` bytes at or above `hint`; -1 if none. */
  findSpace(size: number, hint = this.min): number {
    let candidate = Math.max(this.min, trunc(hint));
    for (const entry of this.entries) {
      this.k.memory.touch(entry.address, 16);
      if (entry.end <= candidate) continue;
      if (entry.start >= candidate + size) break;
      candidate = entry.end;
    }
    return candidate + size <= this.max ? candidate : -1;
  }

  private newEntry(start: number, end: number, object: VmObject | null, offset: number, protection: number, maxProtection: number, needsCopy: boolean): VmMapEntry {
    const address = this.k.mapEntryZone.allocate();
    if (address < 0) throw new Error('out of kernel memory for map entries');
    this.k.memory.touchWrite(address, this.k.p.mapEntryBytes);
    return { address, start, end, object, offset, protection, maxProtection, inheritance: VM_INHERIT.COPY, needsCopy };
  }

  private insert(entry: VmMapEntry): void {
    let index = 0;
    while (index < this.entries.length && this.entries[index].start < entry.start) index++;
    this.entries.splice(index, 0, entry);
  }

  /** Splits entries so that `address` is an entry boundary (vm_map_clip_start/end). */
  private clip(address: number): void {
    const index = this.entries.findIndex((e) => e.start < address && e.end > address);
    if (index < 0) return;
    const entry = this.entries[index];
    const tail = this.newEntry(address, entry.end, entry.object, entry.offset + (address - entry.start), entry.protection, entry.maxProtection, entry.needsCopy);
    tail.inheritance = entry.inheritance;
    if (entry.object !== null) entry.object.references++;
    entry.end = address;
    this.entries.splice(index + 1, 0, tail);
  }

  private entriesIn(start: number, end: number): VmMapEntry[] {
    return this.entries.filter((e) => e.start < end && e.end > start);
  }

  /** Would {@link enter} succeed? Changes nothing. */
  canEnter(address: number, size: number, anywhere: boolean): boolean {
    if (size <= 0) return false;
    const bytes = round(size);
    if (anywhere) return this.findSpace(bytes, address === 0 ? this.min : address) >= 0;
    const start = trunc(address);
    return start >= this.min && start + bytes <= this.max && !this.overlaps(start, start + bytes);
  }

  /**
   * vm_map_enter: maps `size` bytes at `address` (or anywhere) to `object` at `offset` (null: an
   * anonymous object created on first fault). Returns the address or a KERN_* error as a negative.
   */
  enter(address: number, size: number, anywhere: boolean, object: VmObject | null, offset: number, protection: number, maxProtection: number, needsCopy: boolean): { result: number; address: number } {
    if (size <= 0) return { result: KERN.INVALID_ARGUMENT, address: 0 };
    const bytes = round(size);
    let start = trunc(address);
    if (anywhere) {
      start = this.findSpace(bytes, address === 0 ? this.min : address);
      if (start < 0) return { result: KERN.NO_SPACE, address: 0 };
    } else if (start < this.min || start + bytes > this.max || this.overlaps(start, start + bytes)) {
      return { result: KERN.NO_SPACE, address: 0 };
    }
    this.insert(this.newEntry(start, start + bytes, object, offset, protection, maxProtection, needsCopy));
    return { result: KERN.SUCCESS, address: start };
  }

  /**
   * vm_map_remap without copy: maps [sourceAddress, sourceAddress + size) of `source` at `address`
   * (or anywhere) in this map, the new entries sharing the source entries' objects (a lazy object
   * is created, a needs-copy entry gets its shadow first, so both maps see the same pages). The
   * protections are the intersection over the source entries; a hole in the source range is
   * KERN_INVALID_ADDRESS.
   */
  remap(source: VmMap, sourceAddress: number, size: number, address: number, anywhere: boolean): { result: number; address: number; protection: number; maxProtection: number } {
    const start = trunc(sourceAddress);
    const end = round(sourceAddress + size);
    const failed = (result: number) => ({ result, address: 0, protection: 0, maxProtection: 0 });
    if (size <= 0 || end <= start) return failed(KERN.INVALID_ARGUMENT);
    if (start < source.min || end > source.max || !source.covered(start, end)) return failed(KERN.INVALID_ADDRESS);
    const bytes = end - start;
    let target = trunc(address);
    if (anywhere) target = this.findSpace(bytes, address === 0 ? this.min : address);
    if (target < 0 || target < this.min || target + bytes > this.max || this.overlaps(target, target + bytes)) return failed(KERN.NO_SPACE);
    let protection: number = VM_PROT.ALL;
    let maxProtection: number = VM_PROT.ALL;
    for (const entry of source.entriesIn(start, end)) {
      const k = this.k;
      if (entry.object === null) entry.object = k.createObject(entry.end - entry.start + entry.offset);
      if (entry.needsCopy) {
        entry.object = k.createObject(entry.end - entry.start, entry.object, entry.offset);
        entry.offset = 0;
        entry.needsCopy = false;
      }
      const from = Math.max(start, entry.start);
      const to = Math.min(end, entry.end);
      entry.object.references++;
      this.insert(this.newEntry(target + from - start, target + to - start, entry.object, entry.offset + from - entry.start, entry.protection, entry.maxProtection, false));
      protection &= entry.protection;
      maxProtection &= entry.maxProtection;
    }
    return { result: KERN.SUCCESS, address: target, protection, maxProtection };
  }

  /** vm_map_delete over [address, address + size): all-or-nothing only in the sense that holes are allowed. */
  remove(address: number, size: number): number {
    if (size <= 0) return KERN.SUCCESS;
    const start = trunc(address);
    const end = round(address + size);
    if (start < this.min || end > this.max || end <= start) return KERN.INVALID_ADDRESS;
    this.clip(start);
    this.clip(end);
    for (const entry of this.entriesIn(start, end)) {
      // pmap_remove's work is per valid PTE (it skips absent page tables), not per virtual page
      this.k.cpu.charge(this.k.paths.vmPageWork.cycles * this.pmap.remove(entry.start, entry.end), CAT.kernel);
      if (entry.object !== null) this.k.deallocateObject(entry.object);
      this.entries.splice(this.entries.indexOf(entry), 1);
      this.k.mapEntryZone.release(entry.address);
    }
    return KERN.SUCCESS;
  }

  /** vm_map_protect: validates the range and the maximum protections first. */
  protect(address: number, size: number, setMaximum: boolean, protection: number): number {
    const start = trunc(address);
    const end = round(address + size);
    if (size <= 0 || (protection & ~VM_PROT.ALL) !== 0) return KERN.INVALID_ARGUMENT;
    if (!this.covered(start, end)) return KERN.INVALID_ADDRESS;
    if (!setMaximum && this.entriesIn(start, end).some((e) => (protection & ~e.maxProtection) !== 0)) return KERN.PROTECTION_FAILURE;
    this.clip(start);
    this.clip(end);
    for (const entry of this.entriesIn(start, end)) {
      if (setMaximum) {
        entry.maxProtection = protection;
        entry.protection &= protection;
      } else {
        entry.protection = protection;
      }
      this.k.memory.touchWrite(entry.address, 16);
      this.k.cpu.charge(this.k.paths.vmPageWork.cycles * this.pmap.protect(entry.start, entry.end, (entry.protection & VM_PROT.WRITE) !== 0 && !entry.needsCopy, (entry.protection & VM_PROT.READ) !== 0), CAT.kernel);
    }
    return KERN.SUCCESS;
  }

  /**
   * vm_map_fork: fills the empty map `child` from this one by each entry's inheritance: SHARE
   * (the same object; a needs-copy entry is shadowed first), COPY (copy-on-write, as a virtual
   * copy), NONE (left out).
   */
  fork(child: VmMap): void {
    const k = this.k;
    for (const entry of this.entries) {
      k.memory.touch(entry.address, 16);
      if (entry.inheritance === VM_INHERIT.NONE || child.overlaps(entry.start, entry.end)) continue;
      if (entry.object === null) entry.object = k.createObject(entry.end - entry.start + entry.offset);
      let needsCopy = false;
      let object = entry.object;
      let offset = entry.offset;
      if (entry.inheritance === VM_INHERIT.SHARE) {
        if (entry.needsCopy) {
          entry.object = k.createObject(entry.end - entry.start, entry.object, entry.offset);
          entry.offset = 0;
          entry.needsCopy = false;
          object = entry.object;
          offset = 0;
        }
        object.references++;
      } else if (object.references > 1 && !entry.needsCopy) {
        object = k.physicalCopy(this, entry);
        offset = 0;
      } else {
        object.references++;
        entry.needsCopy = true;
        needsCopy = true;
        this.pmap.protect(entry.start, entry.end, false, true);
      }
      k.cpu.charge(k.paths.vmPageWork.cycles * ((entry.end - entry.start) / PAGE_SIZE), CAT.kernel);
      const copy = child.newEntry(entry.start, entry.end, object, offset, entry.protection, entry.maxProtection, needsCopy);
      copy.inheritance = entry.inheritance;
      child.insert(copy);
    }
  }

  /** vm_inherit over [address, address + size). */
  inherit(address: number, size: number, inheritance: number): number {
    const start = trunc(address);
    const end = round(address + size);
    if (size <= 0 || inheritance < VM_INHERIT.SHARE || inheritance > VM_INHERIT.NONE) return KERN.INVALID_ARGUMENT;
    if (!this.covered(start, end)) return KERN.INVALID_ADDRESS;
    this.clip(start);
    this.clip(end);
    for (const entry of this.entriesIn(start, end)) entry.inheritance = inheritance;
    return KERN.SUCCESS;
  }

  /** Is [address, address + size) mapped without holes and writable? Changes nothing. */
  canWrite(address: number, size: number): boolean {
    const start = trunc(address);
    const end = round(address + size);
    if (size <= 0 || start < this.min || end > this.max || !this.covered(start, end)) return false;
    return this.entriesIn(start, end).every((e) => (e.protection & VM_PROT.WRITE) !== 0);
  }

  /** Could [address, address + size) be copied in (mapped without holes, readable)? Changes nothing. */
  canCopyin(address: number, size: number): boolean {
    const start = trunc(address);
    const end = round(address + size);
    if (size <= 0 || start < this.min || end > this.max || !this.covered(start, end)) return false;
    return this.entriesIn(start, end).every((e) => (e.protection & VM_PROT.READ) !== 0);
  }

  /**
   * vm_map_copyin: a virtual copy of [address, address + size). The source entries are clipped
   * and marked needs_copy and their PTEs write-protected; the copy references the same objects.
   * An object already shared writably (a mapped memory object) is copied physically instead,
   * which is what Mach's copy strategies amount to for such objects. With `deallocate` the range
   * moves (no copy-on-write). Null if the range is not entirely mapped readable.
   */
  copyin(address: number, size: number, deallocate: boolean): VmMapCopy | null {
    const k = this.k;
    const start = trunc(address);
    const end = round(address + size);
    if (!this.canCopyin(address, size)) return null;
    k.execute(k.paths.oolCopyin);
    this.clip(start);
    this.clip(end);
    const pieces: VmMapCopyPiece[] = [];
    for (const entry of this.entriesIn(start, end)) {
      k.memory.touchWrite(entry.address, 16);
      const pages = (entry.end - entry.start) / PAGE_SIZE;
      for (let i = 0; i < pages; i++) k.execute(k.paths.oolCopyinPage);
      if (entry.object === null) entry.object = k.createObject(entry.end - entry.start + entry.offset);
      let object = entry.object;
      let offset = entry.offset;
      if (!deallocate && object.references > 1 && !entry.needsCopy) {
        object = k.physicalCopy(this, entry);
        offset = 0;
      } else if (!deallocate) {
        object.references++;
        entry.needsCopy = true;
        this.pmap.protect(entry.start, entry.end, false, true);
      } else {
        object.references++;
      }
      pieces.push({ object, offset, size: entry.end - entry.start });
    }
    if (deallocate) this.remove(start, end - start);
    const copyAddress = k.copyZone.allocate();
    k.memory.touchWrite(copyAddress, 32);
    return { address: copyAddress, pieces, size, pageOffset: address - start };
  }

  /**
   * vm_map_copyout: enters the pieces of `copy` anywhere in this map with needs_copy set, so the
   * receiver shares the pages until either side writes. Returns the address of the data, or -1.
   */
  copyout(copy: VmMapCopy): number {
    const k = this.k;
    k.execute(k.paths.oolCopyout);
    const total = copy.pieces.reduce((sum, piece) => sum + piece.size, 0);
    const start = this.findSpace(total);
    if (start < 0) return -1;
    let cursor = start;
    for (const piece of copy.pieces) {
      for (let i = 0; i < piece.size / PAGE_SIZE; i++) k.execute(k.paths.oolCopyoutPage);
      this.insert(this.newEntry(cursor, cursor + piece.size, piece.object, piece.offset, VM_PROT.DEFAULT, VM_PROT.ALL, true));
      cursor += piece.size;
    }
    k.copyZone.release(copy.address);
    return start + copy.pageOffset;
  }

  /**
   * vm_fault: resolves a fault at `address` for a `write` (or read) access. Walks the object
   * chain from the entry's object; a page found below the top is mapped read-only, or copied
   * into the top object on a write (copy-on-write); a page missing everywhere is zero-filled,
   * or requested from the external pager of the bottom object (the faulting thread waits for
   * memory_object_data_provided). A fault of a VM-privileged task that finds no frame (for the
   * page, a copy or a page table) waits for free frames (VM_PAGE_WAIT) and tries again; any other
   * fault cannot take the reserve and, with no pageout daemon to free frames, fails with
   * KERN_RESOURCE_SHORTAGE rather than waiting for ever. Returns a KERN_* code.
   */
  *fault(thread: Thread, address: number, write: boolean): Operation<number> {
    const k = this.k;
    k.execute(k.paths.vmFault);
    const page = trunc(address);
    for (;;) {
      const entry = this.lookup(address);
      if (entry === null) return KERN.INVALID_ADDRESS;
      const needed = write ? VM_PROT.WRITE : VM_PROT.READ;
      if ((entry.protection & needed) === 0) return KERN.PROTECTION_FAILURE;
      if (entry.object === null) entry.object = k.createObject(entry.end - entry.start + entry.offset);
      if (write && entry.needsCopy) {
        // shadow the shared object: this entry's writes go to a new object from now on
        entry.object = k.createObject(entry.end - entry.start, entry.object, entry.offset);
        entry.offset = 0;
        entry.needsCopy = false;
      }
      const top = entry.object;
      k.memory.touch(top.address, k.p.objectBytes);
      let object: VmObject | null = top;
      let index = (page - entry.start + entry.offset) / PAGE_SIZE;
      let frame = -1;
      let waited = false;
      while (object !== null) {
        k.memory.touch(object.address, 16);
        const found = object.pages.get(index);
        if (found !== undefined && write && object === top && object.writeLocked.has(index)) {
          // the pager refused the unlock (memory_object_data_error): the write fails
          if (object.errors.delete(index)) return KERN.MEMORY_ERROR;
          yield* k.pagers.request(thread, object, index, write, true);
          waited = true;
          break;
        }
        if (found !== undefined) {
          frame = found;
          break;
        }
        // an error page fails the fault that finds it and goes (vm_fault_page frees it): the next
        // fault asks the pager again
        if (object.errors.delete(index)) return KERN.MEMORY_ERROR;
        if (object.pager !== null) {
          yield* k.pagers.request(thread, object, index, write);
          waited = true;
          break;
        }
        if (object.shadow === null) break;
        index += object.shadowOffset / PAGE_SIZE;
        object = object.shadow;
      }
      if (waited) continue; // the map may have changed while we slept: look again
      let writable = (entry.protection & VM_PROT.WRITE) !== 0 && !entry.needsCopy && !(object === top && top.writeLocked.has(index));
      const privileged = thread.task.vmPrivileged;
      if (frame < 0) {
        // zero fill into the top object
        frame = k.memory.allocateFrame(privileged);
        if (frame < 0) {
          if (!privileged) return KERN.RESOURCE_SHORTAGE;
          yield* k.pageWait(thread);
          continue;
        }
        k.execute(k.paths.pageZero);
        k.memory.touchWrite(kernelLinear(frame), PAGE_SIZE);
        top.pages.set((page - entry.start + entry.offset) / PAGE_SIZE, frame);
      } else if (object !== top) {
        if (write) {
          const copy = k.memory.allocateFrame(privileged);
          if (copy < 0) {
            if (!privileged) return KERN.RESOURCE_SHORTAGE;
            yield* k.pageWait(thread);
            continue;
          }
          k.cpu.copy(kernelLinear(frame), kernelLinear(copy), PAGE_SIZE, false, false);
          top.pages.set((page - entry.start + entry.offset) / PAGE_SIZE, copy);
          frame = copy;
        } else {
          writable = false;
        }
      }
      if (!this.pmap.enter(page, frame, writable, privileged)) {
        // no page table: the page stays in the object for the next try
        if (!privileged) return KERN.RESOURCE_SHORTAGE;
        yield* k.pageWait(thread);
        continue;
      }
      return KERN.SUCCESS;
    }
  }
}
