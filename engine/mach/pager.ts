import { PAGE_SIZE } from '../base/frameAllocator';
import type { Operation } from '../machine/executionContext';
import { KernelMessageWriter, KernelObjectServer, type KernelRoutine } from './ipcKobject';
import { kernelLinear } from './kernelMemory';
import { KERN, MIG, MSG_ID, MSG_TYPE_PORT_SEND } from './machConstants';
import type { MachKernel } from './machKernel';
import type { Port } from './port';
import type { Task } from './task';
import type { Thread } from './thread';
import type { VmMapCopy } from './vmMap';
import type { VmObject } from './vmObject';

/**
 * The kernel side of the external memory management interface (vm/memory_object.c, Mach 3.0):
 * vm_map of a memory object port creates (once per pager port) a VM object backed by it and a
 * control port served by the kernel, and sends memory_object_init(memory_object, control,
 * page_size). A fault on a missing page sends memory_object_data_request(memory_object,
 * control, offset, length, desired_access) and the faulting thread waits until the pager answers
 * on the control port with memory_object_data_provided(offset, data (out-of-line), lock_value)
 * or memory_object_data_error. All of these are ordinary messages through the mach_msg path.
 */
export class PagerInterface {
  private readonly writer: KernelMessageWriter;
  private readonly byPager = new Map<Port, VmObject>();
  private readonly controlRoutines: Map<number, { replyBytes: number; run: KernelRoutine<VmObject> }>;

  constructor(private readonly k: MachKernel) {
    this.writer = new KernelMessageWriter(k);
    this.controlRoutines = new Map();
    this.controlRoutines.set(MSG_ID.memoryObjectDataProvided, {
      replyBytes: 0,
      run: (object, args) => this.dataProvided(object, args.int() >>> 0, args.region(), args.int(), (copy) => args.takeRegion(copy), args.ok),
    });
    this.controlRoutines.set(MSG_ID.memoryObjectDataError, {
      replyBytes: 0,
      run: (object, args) => this.dataError(object, args.int() >>> 0, args.int() >>> 0, args.ok),
    });
    this.controlRoutines.set(MSG_ID.memoryObjectDataSupply, {
      replyBytes: 0,
      run: (object, args, _reply, sender) => this.dataSupply(object, args.int() >>> 0, args.int() >>> 0, args.int(), sender, args.ok),
    });
    this.controlRoutines.set(MSG_ID.memoryObjectLockRequest, {
      replyBytes: 0,
      run: (object, args) => this.lockRequest(object, args.int() >>> 0, args.int() >>> 0, args.ok),
    });
  }

  /** The object of a pager port, if one was mapped. */
  objectOf(pager: Port): VmObject | undefined {
    return this.byPager.get(pager);
  }

  /**
   * vm_object_terminate's pager side: the object leaves the pager table and its control port,
   * a kernel object, is destroyed (the memory manager's send rights to it become dead names).
   * The memory_object_terminate message to the manager is not modelled.
   */
  forget(object: VmObject): void {
    if (object.pager !== null) this.byPager.delete(object.pager);
    if (object.control !== null) this.k.destroyPort(object.control);
    object.control = null;
  }

  /** vm_map: maps `memoryObject` (null: anonymous memory) into `task`. */
  map(task: Task, address: number, size: number, anywhere: boolean, memoryObject: Port | null, offset: number, copy: boolean, protection: number, maxProtection: number): { result: number; address: number } {
    const k = this.k;
    k.execute(k.paths.vmMap);
    if ((offset & (PAGE_SIZE - 1)) !== 0 || size === 0) return { result: KERN.INVALID_ARGUMENT, address: 0 };
    if (memoryObject !== null && !memoryObject.active) return { result: KERN.INVALID_ARGUMENT, address: 0 };
    if (!task.map.canEnter(address, size, anywhere)) return { result: KERN.NO_SPACE, address: 0 };
    let object: VmObject | null = null;
    let created = false;
    if (memoryObject !== null) {
      object = this.byPager.get(memoryObject) ?? null;
      if (object === null) {
        object = k.createObject(offset + size);
        object.pager = memoryObject;
        memoryObject.sendRights++; // the kernel's own send right to the pager
        const control = k.newPort();
        control.kobject = new KernelObjectServer(k, 'memoryControl', object, this.controlRoutines);
        object.control = control;
        this.byPager.set(memoryObject, object);
        created = true;
      } else {
        object.references++;
      }
    }
    const entered = task.map.enter(address, size, anywhere, object, offset, protection, maxProtection, copy);
    if (entered.result !== KERN.SUCCESS) {
      if (object !== null) k.deallocateObject(object);
      return entered;
    }
    if (created && object !== null) this.sendInit(object);
    return entered;
  }

  private sendInit(object: VmObject): void {
    const k = this.k;
    const pager = object.pager!;
    const control = object.control!;
    if (pager.kobject !== null) {
      // a co-located pager is called, not sent to: it learns of the object on its first request
      object.pagerInitialized = true;
      return;
    }
    pager.sendRights++;
    const kmsg = this.writer.begin(pager, MSG_TYPE_PORT_SEND, MSG_ID.memoryObjectInit, 64);
    if (kmsg === null) return;
    control.sendRights++;
    this.writer.port(control, MSG_TYPE_PORT_SEND);
    this.writer.int(PAGE_SIZE);
    k.msg.deliver(this.writer.finish());
    object.pagerInitialized = true;
  }

  /**
   * The fault half: asks the pager for page `index` of `object` (once; later faulters on the same
   * page just wait) and blocks `thread` until the page is supplied or refused. With `unlock`
   * the page is resident but write-locked: the message is memory_object_data_unlock.
   *
   * A pager port that is a kernel object (a co-located server, {@link MachKernel.colocateServer})
   * is served in the faulting thread, as the MIG call it short-circuits: the thread waits only if
   * the server has not supplied the page when the call returns.
   */
  *request(thread: Thread, object: VmObject, index: number, write: boolean, unlock = false): Operation<void> {
    const k = this.k;
    const waiters = object.pending.get(index);
    if (waiters !== undefined) {
      waiters.push(thread);
    } else {
      k.execute(k.paths.pagerRequest);
      object.pending.set(index, [thread]);
      const pager = object.pager!;
      const control = object.control!;
      pager.sendRights++;
      const kmsg = this.writer.begin(pager, MSG_TYPE_PORT_SEND, unlock ? MSG_ID.memoryObjectDataUnlock : MSG_ID.memoryObjectDataRequest, 64);
      if (kmsg === null) {
        object.pending.delete(index);
        object.errors.add(index);
        return;
      }
      control.sendRights++;
      this.writer.port(control, MSG_TYPE_PORT_SEND);
      this.writer.int(index * PAGE_SIZE);
      this.writer.int(PAGE_SIZE);
      this.writer.int(write ? 3 : 1);
      const message = this.writer.finish();
      if (pager.kobject !== null) {
        k.execute(k.paths.kobjectServer);
        const reply = yield* pager.kobject.serve(message, thread);
        if (reply !== null) k.msg.deliver(reply);
        if (!object.pending.has(index)) return;
      } else {
        k.msg.deliver(message);
      }
    }
    thread.state = 'waiting';
    yield* k.scheduler.block(thread);
  }

  private *dataProvided(object: VmObject, offset: number, copy: VmMapCopy | null, _lock: number, take: (copy: VmMapCopy) => void, ok: boolean): Operation<number> {
    const k = this.k;
    if (!ok || copy === null || (offset & (PAGE_SIZE - 1)) !== 0) return MIG.TYPE_ERROR;
    k.execute(k.paths.pagerSupply);
    take(copy);
    const pages = Math.ceil(copy.size / PAGE_SIZE);
    let piece = 0;
    let pieceOffset = 0;
    for (let i = 0; i < pages; i++) {
      const index = offset / PAGE_SIZE + i;
      while (piece < copy.pieces.length && pieceOffset >= copy.pieces[piece].size) {
        pieceOffset = 0;
        piece++;
      }
      if (piece >= copy.pieces.length) break;
      const source = k.findPage(copy.pieces[piece].object, (copy.pieces[piece].offset + pieceOffset) / PAGE_SIZE);
      pieceOffset += PAGE_SIZE;
      if (object.pages.has(index)) continue; // already resident: the pager's data is discarded
      const frame = k.memory.allocateFrame();
      if (frame < 0) break;
      // Mach 3 steals the pages of the copy object when it can; this model copies them
      if (source >= 0) k.cpu.copy(kernelLinear(source), kernelLinear(frame), PAGE_SIZE, false, false);
      object.pages.set(index, frame);
      object.errors.delete(index);
      this.wake(object, index);
    }
    k.deallocateCopy(copy);
    return KERN.SUCCESS;
  }

  /**
   * memory_object_data_supply by reference (OSF MK's data_supply, here without copy): the page at
   * `address` in the sending pager's own address space becomes page `offset` of `object`, so the
   * pager and the tasks mapping the object share the frame (MkLinux's server keeps its processes'
   * pages as its own memory). `lock` VM_PROT_WRITE supplies it write-locked. A different frame
   * already there is replaced and unmapped everywhere.
   */
  private *dataSupply(object: VmObject, offset: number, address: number, lock: number, sender: Thread, ok: boolean): Operation<number> {
    const k = this.k;
    if (!ok || (offset & (PAGE_SIZE - 1)) !== 0) return MIG.TYPE_ERROR;
    k.execute(k.paths.pagerSupply);
    const pte = sender.task.map.pmap.lookup(address);
    if ((pte & 1) === 0) return KERN.INVALID_ADDRESS;
    const frame = (pte & 0xfffff000) >>> 0;
    const index = offset / PAGE_SIZE;
    const old = object.pages.get(index);
    const locked = (lock & 2) !== 0;
    if (old !== undefined && (old !== frame || object.writeLocked.has(index) !== locked)) this.unmapPages(object, index, 1);
    object.borrowed = true;
    object.pages.set(index, frame);
    object.errors.delete(index);
    if (locked) object.writeLocked.add(index);
    else object.writeLocked.delete(index);
    this.wake(object, index);
    return KERN.SUCCESS;
  }

  /**
   * memory_object_lock_request(control, offset, size, should_flush): the pages of the range leave
   * the object and every pmap that maps them (the next access faults to the pager again).
   */
  private *lockRequest(object: VmObject, offset: number, size: number, ok: boolean): Operation<number> {
    const k = this.k;
    if (!ok) return MIG.TYPE_ERROR;
    k.execute(k.paths.pagerRequest);
    const first = Math.floor(offset / PAGE_SIZE);
    const count = Math.ceil(size / PAGE_SIZE);
    for (const i of [...object.pages.keys()]) {
      if (i < first || i >= first + count) continue;
      k.execute(k.paths.vmPageWork);
      object.pages.delete(i);
      object.writeLocked.delete(i);
    }
    this.unmapPages(object, first, count);
    return KERN.SUCCESS;
  }

  /** pmap_page_protect(NONE) for pages [first, first + count) of `object` in every map entry mapping it. */
  private unmapPages(object: VmObject, first: number, count: number): void {
    for (const task of this.k.tasks) {
      if (!task.active) continue;
      for (const entry of task.map.entries) {
        if (entry.object !== object) continue;
        const start = Math.max(entry.start, entry.start + first * PAGE_SIZE - entry.offset);
        const end = Math.min(entry.end, entry.start + (first + count) * PAGE_SIZE - entry.offset);
        if (start < end) task.map.pmap.remove(start, end);
      }
    }
  }

  private *dataError(object: VmObject, offset: number, size: number, ok: boolean): Operation<number> {
    if (!ok) return MIG.TYPE_ERROR;
    for (let i = 0; i < Math.max(1, Math.ceil(size / PAGE_SIZE)); i++) {
      const index = offset / PAGE_SIZE + i;
      object.errors.add(index);
      this.wake(object, index);
    }
    return KERN.SUCCESS;
  }

  private wake(object: VmObject, index: number): void {
    const waiters = object.pending.get(index);
    if (waiters === undefined) return;
    object.pending.delete(index);
    for (const thread of waiters) if (thread.state === 'waiting') this.k.scheduler.setrun(thread);
  }
}
