import type { FrameAllocator } from '../base/frameAllocator';
import { ACCESS_READ, ACCESS_WRITE, CAT, type Cpu } from '../machine/cpu';
import type { PhysicalMemory } from '../machine/physicalMemory';
import { fpageGrant, fpageSize, IO_FPAGE, isIoFpage } from './fpage';
import { kernelLinear } from './kernelLayout';
import type { L4Parameters } from './l4Parameters';
import { MappingDatabase, type MappingNode } from './mappingDatabase';
import type { Task } from './task';

/** Ports of the x86 I/O space (IN/OUT with a 16-bit port number). */
export const IO_PORTS = 0x10000;
/** Bytes of a task's I/O permission bitmap: one bit per port, 1 = denied (SDM Vol.1 §18.5.2). */
const BITMAP_BYTES = IO_PORTS / 8;

/** The ports an I/O fpage names: 2^size from its (aligned) base port. */
export function ioFpageRange(word: number): { port: number; count: number } {
  const count = 2 ** Math.min(16, fpageSize(word));
  const port = Math.floor(IO_FPAGE.decode(word).port / count) * count;
  return { port, count };
}

/*
 * I/O ports as part of address spaces (SOSP'97 §2: "I/O ports are part of address spaces and are
 * mapped and unmapped like pages"): a second mapping database whose "pages" are single ports
 * (node.va = port << 12, so the database's page keying is reused unchanged), rooted in sigma0,
 * which owns every port. What a port mapping installs is the task's I/O permission bitmap, the
 * x86 TSS bitmap that IN/OUT consult at CPL 3 (SDM Vol.1 §18.5.2): two 4 KB frames of kernel
 * memory per task, allocated on its first port mapping, all ones (denied) until then. A switch
 * to the task brings its bitmap with its address space (L4/x86 maps it into the TSS area of each
 * space), so no switch cost is added here. I/O space is not translated: a port mapped from port p
 * arrives at port p, if the receiver's window (the whole space or an I/O fpage) covers it.
 */
export class IoSpace {
  /** The ports' mapping trees. */
  readonly database: MappingDatabase;

  constructor(
    private readonly cpu: Cpu,
    private readonly memory: PhysicalMemory,
    private readonly pool: FrameAllocator,
    private readonly p: L4Parameters,
    private readonly sigma0: () => Task | null,
    slotBase: number,
    slotCount: number,
  ) {
    this.database = new MappingDatabase(
      {
        install: (task, va) => this.setBit(task, va >>> 12, false),
        remove: (task, va) => {
          this.cpu.charge(this.p.unmapPageCycles, CAT.kernel);
          this.setBit(task, va >>> 12, true);
        },
        // ports have no read-only form: a remap keeps them
        downgrade: () => undefined,
        touchNode: (node, write) => this.cpu.access(kernelLinear(node.address), this.p.mappingNodeBytes, write ? ACCESS_WRITE : ACCESS_READ, false),
      },
      slotBase,
      this.p.mappingNodeBytes,
      slotCount,
      (task) => task.ioMappings,
    );
  }

  /**
   * One I/O map or grant item from `from` to `to`: every port of the item that `from` holds and
   * the receive `window` covers. False when the mapping database or the bitmap pool ran out.
   */
  mapItem(from: Task, to: Task, item: number, window: number): boolean {
    const { port, count } = ioFpageRange(item);
    let first = port;
    let end = port + count;
    if (isIoFpage(window)) {
      const accepted = ioFpageRange(window);
      first = Math.max(first, accepted.port);
      end = Math.min(end, accepted.port + accepted.count);
    } else if (fpageSize(window) < 32) {
      return true; // a memory window below the whole space receives no ports
    }
    const root = from === this.sigma0();
    for (let current = first; current < end; current++) {
      let node = this.database.lookup(from, current << 12);
      if (node === undefined) {
        if (!root) continue; // nothing held there: skipped, as unmapped pages are
        node = this.database.root(from, current << 12, current << 12, true) ?? undefined;
        if (node === undefined) return false;
      }
      this.cpu.charge(this.p.mapPageCycles, CAT.ipc);
      if (this.database.map(node, to, current << 12, true, fpageGrant(item)) === 'noMemory') return false;
    }
    return true;
  }

  /** fpage_unmap of an I/O fpage: the ports derived from `task`'s (and its own, with `self`). */
  unmap(task: Task, word: number, flush: boolean, self: boolean): void {
    const { port, count } = ioFpageRange(word);
    const nodes: MappingNode[] = [];
    if (count > task.ioMappings.size) {
      for (const node of task.ioMappings.values()) if (node.va >>> 12 >= port && node.va >>> 12 < port + count) nodes.push(node);
    } else {
      for (let current = port; current < port + count; current++) {
        const node = task.ioMappings.get(current);
        if (node) nodes.push(node);
      }
    }
    for (const node of nodes) if (task.ioMappings.get(node.va >>> 12) === node) this.database.unmap(node, flush, self);
  }

  /**
   * Whether `task` may access `width` bytes of ports from `port` (IN/OUT at CPL 3 with IOPL 0:
   * the CPU reads the bitmap bits of every byte, SDM Vol.1 §18.5.2); the bitmap read goes through
   * the caches. Without a bitmap everything is denied.
   */
  allowed(task: Task, port: number, width: number): boolean {
    if (port < 0 || port + width > IO_PORTS || task.ioBitmap.length === 0) return false;
    for (let current = port; current < port + width; current++) {
      const byte = this.bitmapByte(task, current);
      this.cpu.access(kernelLinear(byte), 1, ACCESS_READ, false);
      if ((this.memory.read8(byte) & (1 << (current & 7))) !== 0) return false;
    }
    return true;
  }

  /** Task deletion: its port mappings (and what was derived from them) go, its bitmap is freed. */
  release(task: Task): void {
    this.database.removeTask(task);
    for (const frame of task.ioBitmap) this.pool.release(frame);
    task.ioBitmap.length = 0;
  }

  private bitmapByte(task: Task, port: number): number {
    const byte = port >>> 3;
    return task.ioBitmap[byte >>> 12] + (byte & 0xfff);
  }

  /** Sets (deny) or clears (allow) the bitmap bit of `port`; false when no bitmap could be made. */
  private setBit(task: Task, port: number, deny: boolean): boolean {
    if (task.ioBitmap.length === 0) {
      if (deny) return true;
      if (this.pool.freeFrames < BITMAP_BYTES / 4096) return false;
      for (let frame = 0; frame < BITMAP_BYTES / 4096; frame++) {
        const physical = this.pool.allocate();
        this.memory.bytes.fill(0xff, physical, physical + 4096);
        task.ioBitmap.push(physical);
      }
      this.cpu.access(kernelLinear(task.ioBitmap[0]), 4096, ACCESS_WRITE, false);
      this.cpu.access(kernelLinear(task.ioBitmap[1]), 4096, ACCESS_WRITE, false);
    }
    const byte = this.bitmapByte(task, port);
    const bit = 1 << (port & 7);
    const value = this.memory.read8(byte);
    this.memory.write8(byte, deny ? value | bit : value & ~bit);
    this.cpu.access(kernelLinear(byte), 1, ACCESS_WRITE, false);
    return true;
  }
}
