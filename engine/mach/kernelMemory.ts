import { FrameAllocator, PAGE_SIZE } from '../base/frameAllocator';
import { ACCESS_READ, ACCESS_WRITE, type Cpu } from '../machine/cpu';
import type { PhysicalMemory } from '../machine/physicalMemory';

/**
 * Where the Mach kernel keeps its data: all of physical memory is mapped 1:1 at KERNEL_BASE
 * (supervisor-only 4 KB pages whose page tables every task's page directory shares, as on
 * OSF MK i386 where VM_MIN_KERNEL_ADDRESS is 0xC0000000). Kernel objects (ports, IPC entry
 * tables, kmsgs, threads, tasks, map entries) are carved out of frames by zones, so that every
 * touch of a kernel structure goes through the D-TLB and the caches like the real kernel's.
 */
export const KERNEL_BASE = 0xc0000000;

export function kernelLinear(physical: number): number {
  return (KERNEL_BASE + physical) >>> 0;
}

export function physicalOf(kernelAddress: number): number {
  return (kernelAddress - KERNEL_BASE) >>> 0;
}

/**
 * vm_page_free_reserved (Mach 3 vm/vm_pageout.c, VM_PAGE_FREE_RESERVED): free frames only
 * VM-privileged threads and the kernel itself may take, so that the memory managers and the
 * paths that free memory can go on when user faults and task or thread creation cannot.
 */
export const FREE_RESERVED_FRAMES = 15;

/**
 * Kernel memory: the frame allocator for everything above the kernel image, plus functional
 * word access and timed touches of kernel linear addresses.
 */
export class KernelMemory {
  /**
   * Free frames promised to VM-privileged threads beyond the reserve (a memory manager's server
   * threads, whose stack pages are touched later): neither unprivileged faults nor task and thread
   * creation may take them.
   */
  committed = 0;

  constructor(readonly cpu: Cpu, readonly memory: PhysicalMemory, readonly frames: FrameAllocator) {}

  /** Free frames unprivileged allocations must leave: the reserve and the commitments. */
  get withheld(): number {
    return FREE_RESERVED_FRAMES + this.committed;
  }

  /**
   * vm_page_grab: a zeroed frame's physical address, or -1. Only `privileged` callers (the
   * kernel's own structures, VM-privileged threads) take the last {@link withheld} frames.
   */
  allocateFrame(privileged = true): number {
    if (!privileged && this.frames.freeFrames <= this.withheld) return -1;
    const frame = this.frames.allocate();
    if (frame >= 0) this.memory.fill(frame, PAGE_SIZE, 0);
    return frame;
  }

  read32(kernelAddress: number): number {
    return this.memory.read32(physicalOf(kernelAddress));
  }

  write32(kernelAddress: number, value: number): void {
    this.memory.write32(physicalOf(kernelAddress), value >>> 0);
  }

  /** Timing of a kernel read of `length` bytes at `kernelAddress` (D-TLB, caches). */
  touch(kernelAddress: number, length: number): void {
    this.cpu.access(kernelAddress, length, ACCESS_READ, false);
  }

  /** Timing of a kernel write. */
  touchWrite(kernelAddress: number, length: number): void {
    this.cpu.access(kernelAddress, length, ACCESS_WRITE, false);
  }

  /**
   * Timing of a read-modify-write of a structure (lock, test its fields, update them): the reads
   * bring its lines into the L1 D-cache, so the writes hit (the P5 does not allocate on a write miss).
   */
  touchUpdate(kernelAddress: number, length: number): void {
    this.cpu.access(kernelAddress, length, ACCESS_READ, false);
    this.cpu.access(kernelAddress, length, ACCESS_WRITE, false);
  }
}

/**
 * A zone (kern/zalloc.c): fixed-size elements carved from whole frames, kept on a LIFO free list
 * so that a freed element is the next one handed out (hot in the cache, as in Mach). The free
 * list is host-side; allocation reads the element's first word (the link) and release writes it,
 * as zalloc and zfree do.
 */
export class Zone {
  private readonly free: number[] = [];
  allocated = 0;

  constructor(readonly name: string, readonly elementBytes: number, private readonly kernel: KernelMemory) {
    if (elementBytes <= 0 || elementBytes > PAGE_SIZE) throw new RangeError(`zone ${name}: element size ${elementBytes}`);
  }

  /** Kernel linear address of a zeroed element, or -1 when memory is exhausted. */
  allocate(): number {
    if (this.free.length === 0 && !this.grow()) return -1;
    const element = this.free.pop()!;
    this.allocated++;
    this.kernel.memory.fill(physicalOf(element), this.elementBytes, 0);
    // REMOVE_FROM_ZONE: the next free element is read from the element's first word
    this.kernel.touch(element, 4);
    return element;
  }

  release(element: number): void {
    this.allocated--;
    this.kernel.touchWrite(element, 4);
    this.free.push(element);
  }

  private grow(): boolean {
    const frame = this.kernel.allocateFrame();
    if (frame < 0) return false;
    const count = Math.floor(PAGE_SIZE / this.elementBytes);
    // push in reverse so that elements are handed out in ascending address order
    for (let i = count - 1; i >= 0; i--) this.free.push(kernelLinear(frame + i * this.elementBytes));
    return true;
  }
}

/**
 * kalloc (kern/kalloc.c): power-of-two zones from 16 bytes to a page; larger requests take
 * physically contiguous frames.
 */
export class Kalloc {
  /** Its power-of-two zones, smallest first. */
  readonly zones: Zone[] = [];

  constructor(private readonly kernel: KernelMemory) {
    for (let size = 16; size <= PAGE_SIZE; size *= 2) this.zones.push(new Zone(`kalloc.${size}`, size, kernel));
  }

  /** Rounded size of an allocation of `bytes`. */
  static roundedSize(bytes: number): number {
    if (bytes > PAGE_SIZE) return Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE;
    let size = 16;
    while (size < bytes) size *= 2;
    return size;
  }

  allocate(bytes: number): number {
    if (bytes > PAGE_SIZE) {
      const pages = Math.ceil(bytes / PAGE_SIZE);
      const physical = this.kernel.frames.allocateContiguous(pages);
      if (physical < 0) return -1;
      this.kernel.memory.fill(physical, pages * PAGE_SIZE, 0);
      return kernelLinear(physical);
    }
    return this.zoneFor(bytes).allocate();
  }

  release(address: number, bytes: number): void {
    if (bytes > PAGE_SIZE) {
      const pages = Math.ceil(bytes / PAGE_SIZE);
      for (let i = 0; i < pages; i++) this.kernel.frames.release(physicalOf(address) + i * PAGE_SIZE);
      return;
    }
    this.zoneFor(bytes).release(address);
  }

  private zoneFor(bytes: number): Zone {
    let index = 0;
    let size = 16;
    while (size < bytes) {
      size *= 2;
      index++;
    }
    return this.zones[index];
  }
}
