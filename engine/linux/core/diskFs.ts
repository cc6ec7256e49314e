import type { Operation } from '../../machine/executionContext';
import { SECTOR_SIZE, type Disk } from '../../machine/disk';
import { ACCESS_READ } from '../../machine/cpu';
import type { LinuxKernel } from './kernel';
import { PAGE_SIZE } from './mm';
import { WaitQueue, type Task } from './task';
import { NameCache } from './nameCache';
import { RequestQueue } from './requestQueue';
import type { Inode } from './vfs';

/** ext2's default block size for small file systems. */
export const BLOCK_SIZE = 1024;
/** ext2 layout: block 1 superblock, inode table from block 8 (8 inodes of 128 bytes per block). */
const SUPERBLOCK = 1;
const INODE_TABLE = 8;
const INODE_BYTES = 128;
const INODES_PER_BLOCK = BLOCK_SIZE / INODE_BYTES;
/** Inode-table slots (s_inodes_count); slot 0 is unused, so inode numbers run from 1 to 4095. */
export const MAX_INODES = 4096;
/** Blocks before the first data block: boot block, superblock, group descriptors, bitmaps, inode table. */
const FIRST_DATA_BLOCK = INODE_TABLE + MAX_INODES / INODES_PER_BLOCK + 8;

/**
 * A locked page or buffer being read (2.0's PG_locked page / locked buffer_head): `end` is
 * end_request's work (the data become up to date and visible in the cache), run by the disk
 * interrupt, which then wakes every sleeper.
 */
interface PendingRead {
  done: boolean;
  readonly end: () => void;
}

/**
 * File data on the simulated IDE disk, in an ext2-like layout: 1 KB blocks, each inode mapping
 * its file blocks to disk blocks (files are allocated contiguously at image-build time, as a
 * fresh mke2fs + copy would). The page cache is filled on demand the way 2.0's
 * generic_readpage does: bmap each block of the page and read it straight into the page frame by
 * bus-master DMA, the reader sleeping uninterruptibly until the disk interrupt ends the request.
 * Metadata are on the disk too: ext2-style inodes in an inode table and directories as ext2
 * dirent blocks, read through a buffer cache of 1 KB buffers (bread) when a path is looked up; the
 * in-memory inode and directory objects stay authoritative (the disk copy is written at image
 * build time and gives the lookups their I/O and cache timing). Written pages and changed
 * inodes and directories go back to the disk through {@link WriteBack} (sync, fsync, bdflush).
 */
export class DiskFileSystem {
  private nextBlock = FIRST_DATA_BLOCK;
  private readonly pending = new Map<string, PendingRead>();
  readonly wait = new WaitQueue();
  /** Requests whose data have arrived, to be ended by the next disk interrupt. */
  private readonly completed: PendingRead[] = [];

  /** The buffer cache: disk block → kernel linear address of its 1 KB buffer. */
  private readonly buffers = new Map<number, number>();
  private readonly bufferPhysical = new Map<number, number>();
  private readonly reading = new Map<number, PendingRead>();
  private readonly freeBlocks: number[] = [];
  private bufferPage = 0;
  private bufferSlot = 4;

  /** 2.0's directory-name cache, asked before a directory is searched. */
  private readonly names = new NameCache();
  /**
   * Inodes read into the in-core inode table (iget finds them in its hash). Weak, so that the
   * inodes of deleted files do not stay reachable for the rest of a long session.
   */
  private readonly inCore = new WeakSet<Inode>();

  /** The disk's request queue (ll_rw_blk.c): every block read and write goes through it. */
  readonly requests: RequestQueue;

  constructor(private readonly kernel: LinuxKernel, private readonly disk: Disk) {
    this.requests = new RequestQueue(kernel, disk);
  }

  /** Disk block of the inode-table entry of `inode`, or -1 if it has none on disk. */
  inodeBlock(inode: Inode): number {
    return inode.onDisk && inode.ino < MAX_INODES ? INODE_TABLE + Math.floor(inode.ino / INODES_PER_BLOCK) : -1;
  }

  /**
   * Writes the metadata of the tree under `root` into the disk image (image build time): the
   * superblock, an inode per file and directory (mode, size, links, 12 direct block numbers) and
   * each directory's entries as ext2 dirents.
   */
  writeMetadata(root: Inode): void {
    const image = this.disk.image;
    const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    view.setUint32(SUPERBLOCK * BLOCK_SIZE + 4, MAX_INODES, true);
    view.setUint16(SUPERBLOCK * BLOCK_SIZE + 56, 0xef53, true); // s_magic
    const visit = (inode: Inode): void => {
      if (inode.kind === 'dir' && inode.entries !== null) {
        const bytes = direntBytes(inode);
        this.ensureBlocks(inode, bytes.length);
        bytes.forEach((byte, i) => (image[inode.blocks[Math.floor(i / BLOCK_SIZE)] * BLOCK_SIZE + (i % BLOCK_SIZE)] = byte));
      }
      if (inode.ino < MAX_INODES) {
        encodeInode(inode, view, this.inodeBlockOf(inode.ino) * BLOCK_SIZE + (inode.ino % INODES_PER_BLOCK) * INODE_BYTES);
        inode.onDisk = true;
      }
      if (inode.entries !== null) for (const [name, child] of inode.entries) if (name !== 'proc' || inode !== root) visit(child);
    };
    visit(root);
  }

  private inodeBlockOf(ino: number): number {
    return INODE_TABLE + Math.floor(ino / INODES_PER_BLOCK);
  }

  /** Offset of `inode`'s entry in its inode-table block. */
  inodeOffset(inode: Inode): number {
    return (inode.ino % INODES_PER_BLOCK) * INODE_BYTES;
  }

  /**
   * ext2_new_block: gives `inode` disk blocks until it has enough for `bytes` (freed blocks
   * first, then the next never-used one). Returns false when the disk is full.
   */
  ensureBlocks(inode: Inode, bytes: number): boolean {
    const needed = Math.max(1, Math.ceil(bytes / BLOCK_SIZE));
    while (inode.blocks.length < needed) {
      const block = this.freeBlocks.pop() ?? this.nextBlock;
      if (block === this.nextBlock) {
        if ((block + 1) * BLOCK_SIZE > this.disk.image.length) return false;
        this.nextBlock++;
      }
      inode.blocks.push(block);
    }
    return true;
  }

  /** ext2_free_blocks: the blocks of a truncated or deleted file become free. */
  releaseBlocks(inode: Inode): void {
    this.freeBlocks.push(...inode.blocks.reverse());
    inode.blocks.length = 0;
  }

  /**
   * getblk: the buffer of `block` without reading it (the caller overwrites it whole), as
   * [kernel linear address, physical address], or null when no memory is left.
   */
  getblk(block: number): [number, number] | null {
    const cached = this.buffers.get(block);
    if (cached !== undefined) return [cached, this.bufferPhysical.get(block)!];
    const physical = this.newBuffer();
    if (physical < 0) return null;
    const linear = this.kernel.substrate.kernelLinear(physical);
    this.buffers.set(block, linear);
    this.bufferPhysical.set(block, physical);
    return [linear, physical];
  }

  /** Physical address of the cached buffer of `block` (after {@link bread}). */
  bufferAddress(block: number): number {
    return this.bufferPhysical.get(block) ?? -1;
  }

  private newBuffer(): number {
    if (this.bufferSlot === 4) {
      const page = this.kernel.mm.allocate(false);
      if (page < 0) return -1;
      this.bufferPage = page;
      this.bufferSlot = 0;
    }
    return this.bufferPage + this.bufferSlot++ * BLOCK_SIZE;
  }

  /**
   * ll_rw_block(WRITE) of the buffer of disk block `block` at physical `physical` (DMA); `done`
   * runs when the controller has written it, before the next disk interrupt.
   */
  writeBlock(block: number, physical: number, done: () => void): void {
    this.submit(true, block, physical, () => {
      done();
      this.completed.push({ done: false, end: () => undefined });
    });
  }

  /** make_request of the 1 KB buffer of disk block `block` at physical `physical`. */
  private submit(write: boolean, block: number, physical: number, done: () => void): void {
    this.requests.submit(write, { sector: (block * BLOCK_SIZE) / SECTOR_SIZE, sectors: BLOCK_SIZE / SECTOR_SIZE, physical, done });
  }

  /** bread: the buffer of disk block `block` (kernel linear address), read from disk on a miss. */
  *bread(task: Task | null, block: number): Operation<number> {
    const k = this.kernel;
    k.run('bread');
    for (;;) {
      const buffer = this.buffers.get(block);
      if (buffer !== undefined) return buffer;
      const pending = this.reading.get(block);
      if (pending === undefined) break;
      while (!pending.done) yield* this.sleep(task); // wait_on_buffer
    }
    const physical = this.newBuffer();
    if (physical < 0) return -12;
    const linear = k.substrate.kernelLinear(physical);
    const request: PendingRead = {
      done: false,
      end: () => {
        this.reading.delete(block);
        this.buffers.set(block, linear);
        this.bufferPhysical.set(block, physical);
      },
    };
    this.reading.set(block, request);
    this.submit(false, block, physical, () => this.completed.push(request));
    while (!request.done) yield* this.sleep(task);
    return linear;
  }

  /**
   * namei's I/O, as ext2_lookup and iget of 2.0 do it: for each directory on `path` (from
   * `start`), a name the name cache holds costs no search; otherwise the directory's entry
   * blocks are bread and scanned (ext2_find_entry) and a found name is cached. An inode already
   * in core (the inode table keeps inodes after their last iput, and holds far more than the
   * image has) needs no read; otherwise its inode-table block is bread. Timing only: the
   * in-memory tree answers the lookup.
   */
  *lookupIo(task: Task, start: Inode, components: readonly string[]): Operation<void> {
    const k = this.kernel;
    let dir = start;
    for (const name of components) {
      if (dir.kind !== 'dir' || dir.entries === null || !dir.onDisk) return;
      const next = name === '..' ? (dir.parent ?? dir) : dir.entries.get(name);
      if (next === undefined || !this.names.hit(dir, name)) {
        for (const block of dir.blocks) {
          const buffer = yield* this.bread(task, block);
          if (buffer < 0) return;
          k.cpu.access(buffer, BLOCK_SIZE, ACCESS_READ, false);
        }
        if (next !== undefined) this.names.add(dir, name);
      }
      if (next === undefined) return;
      const inodeBlock = this.inCore.has(next) ? -1 : this.inodeBlock(next);
      this.inCore.add(next);
      if (inodeBlock >= 0) {
        const buffer = yield* this.bread(task, inodeBlock);
        if (buffer < 0) return;
        k.cpu.access(buffer + (next.ino % INODES_PER_BLOCK) * INODE_BYTES, INODE_BYTES, ACCESS_READ, false);
      }
      dir = next;
    }
  }

  /** Writes `content` into the disk image as the data of `inode` (image build time, no cost). */
  store(inode: Inode, content: Uint8Array): boolean {
    const blocks = Math.ceil(content.length / BLOCK_SIZE);
    if ((this.nextBlock + blocks) * BLOCK_SIZE > this.disk.image.length) return false;
    inode.blocks.length = 0;
    for (let i = 0; i < blocks; i++) inode.blocks.push(this.nextBlock + i);
    this.disk.image.set(content, this.nextBlock * BLOCK_SIZE);
    this.nextBlock += blocks;
    inode.pages.length = 0;
    for (let i = 0; i < Math.ceil(content.length / PAGE_SIZE); i++) inode.pages.push(0);
    inode.size = content.length;
    return true;
  }

  /** Bytes of `inode` straight from the disk image (boot-time header reads, tests; no cost). */
  peek(inode: Inode, offset: number, length: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, Math.min(length, inode.size - offset)));
    for (let i = 0; i < out.length; i++) {
      const at = offset + i;
      const block = inode.blocks[Math.floor(at / BLOCK_SIZE)];
      out[i] = block === undefined ? 0 : this.disk.image[block * BLOCK_SIZE + (at % BLOCK_SIZE)];
    }
    return out;
  }

  /**
   * The page-cache frame of page `index` of `inode`, reading it from disk if needed (the caller
   * sleeps until the data are in). Returns -ENOMEM if no frame is free.
   */
  *readPage(task: Task | null, inode: Inode, index: number): Operation<number> {
    const k = this.kernel;
    const key = `${inode.ino}:${index}`;
    for (;;) {
      const cached = inode.pages[index];
      if (cached > 0) return cached;
      const pending = this.pending.get(key);
      if (pending === undefined) break;
      while (!pending.done) yield* this.sleep(task); // wait_on_page
    }
    const frame = k.mm.allocate(false);
    if (frame < 0) return -12;
    const first = index * (PAGE_SIZE / BLOCK_SIZE);
    const blocks = inode.blocks.slice(first, first + PAGE_SIZE / BLOCK_SIZE);
    k.cpu.memory.bytes.fill(0, frame, frame + PAGE_SIZE);
    const request: PendingRead = {
      done: false,
      end: () => {
        this.pending.delete(key);
        k.mm.pageCache.add(inode, index, frame);
      },
    };
    this.pending.set(key, request);
    // generic_readpage → brw_page → ll_rw_block(READ): a buffer per block, merged by make_request
    let submitted = blocks.length;
    blocks.forEach((block, i) =>
      this.submit(false, block, frame + i * BLOCK_SIZE, () => {
        submitted--;
        if (submitted === 0) this.completed.push(request);
      }),
    );
    if (submitted === 0) this.finish(request);
    while (!request.done) yield* this.sleep(task);
    return frame;
  }

  /** Ends `request`: its data are up to date and in the cache, its waiters may go on. */
  private finish(request: PendingRead): void {
    request.done = true;
    request.end();
  }

  /**
   * Sleeps uninterruptibly until the next disk interrupt ends a request (wait_on_buffer, which
   * first runs tq_disk: a plugged queue starts).
   */
  *sleep(task: Task | null): Operation<void> {
    if (task === null) throw new Error('disk read outside a task');
    this.requests.unplug();
    task.state = 'uninterruptible';
    this.wait.add(task);
    yield* this.kernel.substrate.schedule(task);
    this.wait.remove(task);
  }

  /**
   * The IDE interrupt (IRQ 14): end_request for every finished request (unlock the page or
   * buffer), then wake_up of all the sleepers (each rechecks its own page or buffer).
   */
  interrupt(): void {
    const k = this.kernel;
    k.run('ideInterrupt');
    k.cpu.charge(k.p.ideInterruptIo * k.cpu.p.isaIoAccess, k.deviceCategory);
    if (this.completed.length > 0) {
      for (const request of this.completed.splice(0)) this.finish(request);
      k.wakeUp(this.wait);
    }
    this.requests.interrupt();
  }
}

/** An ext2-style inode-table entry: mode, size, links, 12 direct block numbers. */
function encodeInode(inode: Inode, view: DataView, at: number): void {
  view.setUint16(at, inode.typeBits | inode.mode, true);
  view.setUint32(at + 4, inode.size, true);
  view.setUint16(at + 26, inode.nlink, true);
  for (let i = 0; i < 12; i++) view.setUint32(at + 40 + i * 4, inode.blocks[i] ?? 0, true);
}

/** The entries of directory `dir` ('.', '..', then its names) as ext2 dirent records. */
export function direntBytes(dir: Inode): Uint8Array {
  const bytes: number[] = [];
  for (const [name, child] of [['.', dir], ['..', dir.parent ?? dir], ...(dir.entries ?? new Map<string, Inode>()).entries()] as Array<[string, Inode]>) {
    const length = (8 + name.length + 3) & ~3;
    const record = new Array<number>(length).fill(0);
    record[0] = child.ino & 0xff;
    record[1] = (child.ino >> 8) & 0xff;
    record[4] = length & 0xff;
    record[5] = length >> 8;
    record[6] = name.length;
    record[7] = child.kind === 'dir' ? 2 : child.kind === 'chr' ? 3 : 1;
    for (let i = 0; i < name.length; i++) record[8 + i] = name.charCodeAt(i) & 0xff;
    bytes.push(...record);
  }
  return Uint8Array.from(bytes);
}

/** Writes `inode`'s inode-table entry into a buffer at kernel `memory` offset `at` (write-back). */
export function encodeInodeInto(inode: Inode, memory: Uint8Array, at: number): void {
  encodeInode(inode, new DataView(memory.buffer, memory.byteOffset, memory.byteLength), at);
}
