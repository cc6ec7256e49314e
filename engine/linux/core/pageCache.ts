import type { Inode } from './vfs';

const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
/** try_to_free_page's priorities, from the gentlest scan (6) to the full one (0) (mm/vmscan.c of 2.0). */
const FIRST_PRIORITY = 6;

/** What the page cache needs of the memory manager: mem_map[].count, the frame range and free_page. */
export interface PageCacheMemory {
  readonly count: Uint16Array;
  /** First and one-past-last frame number of the managed memory. */
  readonly firstFrame: number;
  readonly endFrame: number;
  put(frame: number): void;
  /** Charges `count` runs of a shrink_mmap path. */
  charge(path: 'shrinkMmapPerPage' | 'shrinkMmapFree', count: number): void;
}

/**
 * The page-cache side of mem_map (mm/filemap.c of Linux 2.0): for each frame the inode and page
 * index it caches (page->inode, page->offset) and the PG_referenced bit, and shrink_mmap, the
 * clock that gives clean page-cache pages back when memory runs low.
 *
 * shrink_mmap(priority) walks mem_map from where the last call stopped. A page with one
 * reference (only the cache holds it) that was referenced since the hand last passed loses its
 * PG_referenced bit and stays (a second chance); one that was not is removed from the cache and
 * freed, and the call returns. A page with more references (mapped by a process, or held by a
 * read or write in progress) is marked referenced and stays. The walk gives up after
 * (frames·2) >> (priority/2) pages, or after (frames·2) >> priority page-cache pages;
 * try_to_free_page calls it with priorities 6 down to 0. Only pages whose data are on the disk
 * may go ({@link dropable}: not dirty, not being written); the file then reads the page back
 * from the disk on the next access (`inode.pages[index] = 0`). Not modelled: the buffer cache
 * (metadata buffers stay) and shm_swap/swap_out (anonymous memory is never reclaimed: no swap).
 */
export class PageCache {
  /** page->inode per frame number (null: not a page-cache page). */
  private readonly owners: Array<Inode | null>;
  /** page->offset / PAGE_SIZE per frame number. */
  private readonly indexes: Int32Array;
  /** PG_referenced per frame number. */
  private readonly referenced: Uint8Array;
  /** shrink_mmap's static `clock`: the next frame number to look at. */
  private clock: number;
  /** Whether page `index` of `inode` may be dropped now (its data are on the disk). */
  dropable: (inode: Inode, index: number) => boolean = () => false;

  constructor(private readonly memory: PageCacheMemory) {
    this.owners = new Array<Inode | null>(memory.endFrame).fill(null);
    this.indexes = new Int32Array(memory.endFrame);
    this.referenced = new Uint8Array(memory.endFrame);
    this.clock = memory.firstFrame;
  }

  /** add_to_page_cache: `frame` now holds page `index` of `inode` (marked referenced). */
  add(inode: Inode, index: number, frame: number): void {
    while (inode.pages.length <= index) inode.pages.push(-1);
    inode.pages[index] = frame;
    const number = frame >>> PAGE_SHIFT;
    this.owners[number] = inode;
    this.indexes[number] = index;
    this.referenced[number] = 1;
  }

  /** find_page's set_bit(PG_referenced): the page was used (its instructions are in the caller's path). */
  touch(frame: number): void {
    this.referenced[frame >>> PAGE_SHIFT] = 1;
  }

  /**
   * page->count++ of a reader or writer copying to or from the page (generic_file_read's hold
   * across the copy, whose instructions are in the caller's path): shrink_mmap leaves it alone.
   */
  hold(frame: number): void {
    this.memory.count[frame >>> PAGE_SHIFT]++;
  }

  /** The matching page->count-- of {@link hold} (the cache still holds the page). */
  unhold(frame: number): void {
    this.memory.count[frame >>> PAGE_SHIFT]--;
  }

  /** The file page `frame` caches, or null if it is not (or no longer) in the page cache. */
  lookup(frame: number): { inode: Inode; index: number } | null {
    const number = frame >>> PAGE_SHIFT;
    const inode = this.owners[number];
    if (inode === null || inode.pages[this.indexes[number]] !== frame) return null;
    return { inode, index: this.indexes[number] };
  }

  /** The frame went back to the free lists: it caches nothing any more. */
  forget(frame: number): void {
    this.owners[frame >>> PAGE_SHIFT] = null;
  }

  /** try_to_free_page without swap: shrink_mmap at priorities 6 down to 0. True if a page was freed. */
  tryToFreePage(): boolean {
    for (let priority = FIRST_PRIORITY; priority >= 0; priority--) if (this.shrinkMmap(priority)) return true;
    return false;
  }

  /** shrink_mmap(priority): frees one clean, unshared, unreferenced page-cache page (see the class comment). */
  private shrinkMmap(priority: number): boolean {
    const { count, firstFrame, endFrame } = this.memory;
    const frames = endFrame - firstFrame;
    let countMax = (frames << 1) >> (priority >> 1);
    let countMin = (frames << 1) >> priority;
    let scanned = 0;
    let freed = false;
    do {
      const number = this.clock;
      this.clock = number + 1 >= endFrame ? firstFrame : number + 1;
      scanned++;
      countMax--;
      const inode = this.owners[number];
      if (inode === null) continue;
      countMin--;
      const index = this.indexes[number];
      if (inode.pages[index] !== number * PAGE_SIZE) {
        this.owners[number] = null; // truncated while mapped: no longer in the cache
        continue;
      }
      if (count[number] !== 1) {
        this.referenced[number] = 1;
        continue;
      }
      if (this.referenced[number] !== 0) {
        this.referenced[number] = 0;
        continue;
      }
      if (!this.dropable(inode, index)) continue;
      inode.pages[index] = 0; // remove_page_from_inode_queue: the data are on the disk
      this.memory.charge('shrinkMmapFree', 1);
      this.memory.put(number * PAGE_SIZE);
      freed = true;
    } while (!freed && countMax > 0 && countMin > 0);
    this.memory.charge('shrinkMmapPerPage', scanned);
    return freed;
  }
}
