import type { Operation } from '../../machine/executionContext';
import { ACCESS_WRITE } from '../../machine/cpu';
import { BLOCK_SIZE, direntBytes, encodeInodeInto, type DiskFileSystem } from './diskFs';
import type { LinuxKernel } from './kernel';
import { PAGE_SIZE } from './mm';
import { HZ } from './syscalls';
import type { Task } from './task';
import type { Inode } from './vfs';

/** bdflush parameters of 2.0 (fs/buffer.c bdf_prm): data age 30 s, metadata age 5 s. */
const AGE_BUFFER = 30 * HZ;
const AGE_SUPER = 5 * HZ;
const BLOCKS_PER_PAGE = PAGE_SIZE / BLOCK_SIZE;
/** bdf_prm.ndirty of 2.0: the most dirty blocks bdflush writes per activation. */
const NDIRTY = 500;

/**
 * Write-back of the disk file system (fs/buffer.c of Linux 2.0): a write marks the file's page
 * dirty (mark_buffer_dirty on its blocks) and its inode dirty; nothing reaches the disk until
 *  - sync(2) or the shutdown's sync: every dirty page, inode-table entry and directory block is
 *    written (ll_rw_block(WRITE), DMA from the page or buffer) and the caller sleeps until the
 *    disk has them (sync_buffers with wait);
 *  - fsync(2): the same for one file;
 *  - bdflush/update: every 5 s (age_super), data dirty for 30 s (age_buffer) and all dirty
 *    metadata are written without waiting. Linux 2.0 ran this in the bdflush kernel thread woken
 *    by the update daemon; here it is run from the timer tick, charged as kernel work;
 *  - memory pressure: a writer needing a page while free memory is at min_free_pages and no
 *    clean page-cache page can be reclaimed wakes bdflush and waits for it (wakeup_bdflush(1),
 *    as 2.0's refill_freelist does when it cannot grow the buffer cache): up to ndirty blocks are
 *    written, after which those pages are clean and shrink_mmap may drop them ({@link dropable}).
 * Blocks are allocated when a write first reaches them (ext2_getblk → ext2_new_block, ENOSPC
 * when the disk is full), and freed on truncate or unlink.
 */
export class WriteBack {
  /** Dirty pages per inode: page index → jiffies when it became dirty. */
  private readonly dirtyPages = new Map<Inode, Map<number, number>>();
  /** Inodes whose inode-table entry (size, links, blocks) or directory entries changed. */
  private readonly dirtyInodes = new Set<Inode>();
  /** Writes submitted and not yet done: a running number → the inode whose data or entry it carries. */
  private readonly inFlight = new Map<number, Inode>();
  private nextWrite = 0;
  /** Page frames with writes in flight (locked pages: DMA reads them until the disk is done). */
  private readonly writing = new Map<number, number>();

  constructor(private readonly kernel: LinuxKernel, private readonly disk: DiskFileSystem) {}

  /** True for inodes that live on the disk file system (regular files and directories outside /proc). */
  private persistent(inode: Inode): boolean {
    return (inode.kind === 'file' || inode.kind === 'dir') && inode.device === null && inode.onDisk;
  }

  /** A write changed page `index` of `inode`. */
  pageDirtied(inode: Inode, index: number): void {
    if (!this.persistent(inode)) return;
    let pages = this.dirtyPages.get(inode);
    if (pages === undefined) this.dirtyPages.set(inode, (pages = new Map()));
    if (!pages.has(index)) pages.set(index, this.kernel.jiffies);
    this.dirtyInodes.add(inode);
  }

  /** The inode's entry (or, for a directory, its entries) changed. */
  inodeDirtied(inode: Inode): void {
    if (this.persistent(inode)) this.dirtyInodes.add(inode);
  }

  /** The file was truncated or deleted: its dirty pages are gone and its blocks are free. */
  truncated(inode: Inode): void {
    this.dirtyPages.delete(inode);
    this.disk.releaseBlocks(inode);
    this.inodeDirtied(inode);
  }

  /**
   * ext2_getblk(create) for a write reaching byte `end` of `inode`: allocates the missing disk
   * blocks (ext2_new_block) and returns how far the file's blocks now reach, at most `end` (less
   * when the disk is full). Files without a disk copy need none.
   */
  reserveBlocks(inode: Inode, end: number): number {
    if (!this.persistent(inode) || this.disk.ensureBlocks(inode, end)) return end;
    return Math.min(end, inode.blocks.length * BLOCK_SIZE);
  }

  /** Whether shrink_mmap may drop page `index` of `inode`: its data are on the disk (clean, not being written). */
  dropable(inode: Inode, index: number): boolean {
    if (!this.persistent(inode) || this.dirtyPages.get(inode)?.has(index) === true) return false;
    const frame = inode.pages[index];
    return !this.writing.has(frame) && inode.blocks.length * BLOCK_SIZE >= Math.min(inode.size, (index + 1) * PAGE_SIZE);
  }

  /**
   * A new zeroed page for the page cache, for `task` writing a file. While free memory is at
   * min_free_pages and shrink_mmap finds no clean page, dirty pages are what fills memory: the
   * writer wakes bdflush and sleeps until ndirty blocks are on the disk (fs/buffer.c
   * wakeup_bdflush(1)). Returns -1 when memory is exhausted.
   */
  *allocatePage(task: Task): Operation<number> {
    const mm = this.kernel.mm;
    while (mm.freePages <= mm.minFreePages && this.dirtyPages.size > 0 && !mm.pageCache.tryToFreePage()) {
      this.kernel.run('bdflushWakeup');
      this.flush(null, null, NDIRTY);
      yield* this.waitFor(task, null);
    }
    return mm.allocate(true);
  }

  /** Number of dirty pages and inodes (ps-style statistics, tests). */
  get dirty(): { pages: number; inodes: number } {
    let pages = 0;
    for (const map of this.dirtyPages.values()) pages += map.size;
    return { pages, inodes: this.dirtyInodes.size };
  }

  /**
   * sync(2) (or fsync(2) of `only`): writes everything dirty and waits until the disk has it.
   * sync waits for every write in flight once it has submitted its own (sync_buffers' passes wait
   * on each locked buffer they find); fsync only for those of the file (ext2_sync_file waits on the
   * file's buffers and its inode's).
   */
  *sync(task: Task, only: Inode | null = null): Operation<number> {
    this.kernel.run('syncBase');
    const result = this.flush(only, null);
    yield* this.waitFor(task, only);
    return result;
  }

  /** Sleeps until the writes in flight now (of `only`, or all) are on the disk. */
  private *waitFor(task: Task, only: Inode | null): Operation<void> {
    const writes = [...this.inFlight].filter(([, inode]) => only === null || inode === only).map(([id]) => id);
    while (writes.some((id) => this.inFlight.has(id))) yield* this.disk.sleep(task);
  }

  /** The periodic bdflush work, from the timer tick: aged data and all metadata, no waiting. */
  tick(): void {
    if (this.kernel.jiffies % AGE_SUPER !== 0 || (this.dirtyPages.size === 0 && this.dirtyInodes.size === 0)) return;
    this.kernel.run('syncBase');
    this.flush(null, this.kernel.jiffies - AGE_BUFFER);
    this.disk.requests.unplug(); // bdflush: run_task_queue(&tq_disk)
  }

  /**
   * Submits writes of dirty pages (dirtied at or before `olderThan`, all if null; at most
   * `blocks` blocks' worth of pages) and dirty inodes.
   */
  private flush(only: Inode | null, olderThan: number | null, blocks = Infinity): number {
    let result = 0;
    let budget = blocks;
    for (const [inode, pages] of [...this.dirtyPages]) {
      if (only !== null && inode !== only) continue;
      for (const [index, since] of [...pages]) {
        if (olderThan !== null && since > olderThan) continue;
        if (budget <= 0) break;
        budget -= BLOCKS_PER_PAGE;
        if (!this.writePage(inode, index)) result = -28; // ENOSPC
        pages.delete(index);
      }
      if (pages.size === 0) this.dirtyPages.delete(inode);
    }
    for (const inode of [...this.dirtyInodes]) {
      if (only !== null && inode !== only) continue;
      if (this.dirtyPages.has(inode)) continue; // its data are not all written yet
      if (!this.writeInode(inode)) result = -28;
      this.dirtyInodes.delete(inode);
    }
    return result;
  }

  /** A write for `inode` is submitted (from page-cache frame `frame`, or from a buffer if -1); the result runs when it is done. */
  private started(inode: Inode, frame = -1): () => void {
    const id = this.nextWrite++;
    this.inFlight.set(id, inode);
    if (frame >= 0) this.writing.set(frame, (this.writing.get(frame) ?? 0) + 1);
    return () => {
      this.inFlight.delete(id);
      if (frame < 0) return;
      const left = this.writing.get(frame)! - 1;
      if (left === 0) this.writing.delete(frame);
      else this.writing.set(frame, left);
    };
  }

  /** Writes the blocks of one page-cache page (the part below the file size): ll_rw_block(WRITE) of each buffer. */
  private writePage(inode: Inode, index: number): boolean {
    const frame = inode.pages[index];
    const bytes = Math.min(PAGE_SIZE, inode.size - index * PAGE_SIZE);
    if (frame === undefined || frame <= 0 || bytes <= 0) return true;
    if (!this.disk.ensureBlocks(inode, index * PAGE_SIZE + bytes)) return false;
    const first = index * BLOCKS_PER_PAGE;
    for (let i = 0; i < Math.ceil(bytes / BLOCK_SIZE); i++) {
      this.kernel.run('writeBlock');
      this.disk.writeBlock(inode.blocks[first + i], frame + i * BLOCK_SIZE, this.started(inode, frame));
    }
    return true;
  }

  /** Writes a directory's entry blocks, then the inode-table block holding the inode's entry. */
  private writeInode(inode: Inode): boolean {
    const kernel = this.kernel;
    const memory = kernel.cpu.memory.bytes;
    if (inode.kind === 'dir') {
      const entries = direntBytes(inode);
      if (!this.disk.ensureBlocks(inode, entries.length)) return false;
      for (let i = 0; i * BLOCK_SIZE < entries.length; i++) {
        const buffer = this.disk.getblk(inode.blocks[i]);
        if (buffer === null) return false;
        const chunk = entries.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE);
        memory.fill(0, buffer[1], buffer[1] + BLOCK_SIZE);
        memory.set(chunk, buffer[1]);
        kernel.cpu.access(buffer[0], chunk.length, ACCESS_WRITE, false);
        kernel.run('writeBlock');
        this.disk.writeBlock(inode.blocks[i], buffer[1], this.started(inode));
      }
    }
    const block = this.disk.inodeBlock(inode);
    if (block < 0) return true;
    // iget/ext2_new_inode read the inode-table block into the buffer cache (bread), where it stays
    const physical = this.disk.bufferAddress(block);
    if (physical < 0) return true;
    encodeInodeInto(inode, memory, physical + this.disk.inodeOffset(inode));
    kernel.cpu.access(kernel.substrate.kernelLinear(physical + this.disk.inodeOffset(inode)), 128, ACCESS_WRITE, false);
    kernel.run('writeBlock');
    this.disk.writeBlock(block, physical, this.started(inode));
    return true;
  }
}
