import type { FrameAllocator } from '../base/frameAllocator';
import { makePde, PG_PRESENT, PG_USER, PG_WRITABLE } from '../machine/paging';
import type { PhysicalMemory } from '../machine/physicalMemory';
import type { MappingNode } from './mappingDatabase';
import type { Thread } from './thread';

/** A small space: a slot of the 512 MB small-space area, reached through the user segment. */
export interface SmallSpaceSlot {
  /** Linear base of the slot (segment base). */
  readonly base: number;
  /** Size in bytes (segment limit + 1), a multiple of 4 MB. */
  readonly bytes: number;
  /** The 8-bit small-space number of thread_schedule. */
  readonly number: number;
}

/**
 * A task: an address space plus its threads (L4 v2: 128 lthreads per task). The page directory
 * and page tables are real IA-32 structures in simulated physical memory, allocated from the
 * kernel's page-table pool. The kernel area is mapped in every directory. A small task keeps its
 * page tables in its own directory at their user addresses and, in addition, every directory's
 * small-space PDEs point at the same tables, so PTE updates show in both views.
 */
export class Task {
  readonly threads: Array<Thread | null> = new Array(128).fill(null);
  /** Mapping-database nodes of this space by virtual page number. */
  readonly mappings = new Map<number, MappingNode>();
  /** I/O mapping-database nodes of this space by port number (see ioSpace.ts). */
  readonly ioMappings = new Map<number, MappingNode>();
  /** Physical frames of the I/O permission bitmap (ports 0-32767, 32768-65535); empty = no port. */
  readonly ioBitmap: number[] = [];
  small: SmallSpaceSlot | null = null;
  alive = true;
  /**
   * Maximum controlled priority (L4 v2 mcp): thread_schedule by this task's threads may change
   * only threads whose priority is at most this, and to at most this. Boot tasks (sigma0, the
   * root task, boot modules) have 255; task_new gives min(requested, creator's mcp).
   */
  mcp = 255;
  /** Physical address of each page table by PDE index (0 = none). */
  private readonly tables = new Int32Array(1024);

  constructor(
    readonly number: number,
    public version: number,
    /** Task number of the chief (the creator). */
    public chief: number,
    /** Physical address of the page directory. */
    readonly pageDirectory: number,
    private readonly memory: PhysicalMemory,
  ) {}

  /** Physical address of the page table for PDE index `index`, or 0. */
  pageTable(index: number): number {
    return this.tables[index];
  }

  /**
   * Physical address of the PTE for `va`; with `pool`, creates the page table if missing
   * (returns -1 when the pool is exhausted or no table exists). `onNewTable` lets the kernel
   * propagate a new small-space table into the other directories.
   */
  pteAddress(va: number, pool: FrameAllocator | null, onNewTable?: (index: number, table: number) => void): number {
    const index = va >>> 22;
    let table = this.tables[index];
    if (table === 0) {
      if (pool === null) return -1;
      table = pool.allocate();
      if (table < 0) return -1;
      this.memory.bytes.fill(0, table, table + 4096);
      this.tables[index] = table;
      this.memory.write32(this.pageDirectory + 4 * index, makePde(table, PG_WRITABLE | PG_USER));
      onNewTable?.(index, table);
    }
    return table + 4 * ((va >>> 12) & 0x3ff);
  }

  /** The PTE for `va` (0 if no table). Functional read, no timing. */
  readPte(va: number): number {
    const address = this.pteAddress(va, null);
    return address < 0 ? 0 : this.memory.read32(address);
  }

  isMapped(va: number): boolean {
    return (this.readPte(va) & PG_PRESENT) !== 0;
  }

  /** Page tables in use, as [PDE index, table physical address]. */
  pageTables(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    this.tables.forEach((table, index) => {
      if (table !== 0) out.push([index, table]);
    });
    return out;
  }

  /** Frees every page table (the task is being deleted). */
  releaseTables(pool: FrameAllocator): void {
    this.tables.forEach((table, index) => {
      if (table !== 0) {
        pool.release(table);
        this.memory.write32(this.pageDirectory + 4 * index, 0);
        this.tables[index] = 0;
      }
    });
  }
}
