import { decodeUtf8, encodeUtf8 } from '../../base/text';
import type { Operation } from '../../machine/executionContext';
import { MAX_INODES } from './diskFs';
import type { LinuxKernel } from './kernel';
import type { Pipe } from './pipe';
import type { SelectStatus, SelectType } from './select';
import { S_IFCHR, S_IFDIR, S_IFIFO, S_IFREG, S_IFSOCK } from './syscalls';
import type { Task } from './task';

/**
 * The VFS of the personality: inodes, open files with their operations, path lookup. The file
 * system is a RAM file system whose file data live in page frames of simulated memory (the page
 * cache is the file system: reads and writes copy through the caches, and mmap maps these very
 * frames). There is no ext2 on the simulated disk and no buffer cache yet.
 */
export type InodeKind = 'file' | 'dir' | 'chr' | 'fifo' | 'sock';

export interface FileOperations {
  read?(kernel: LinuxKernel, task: Task, file: OpenFile, buffer: number, count: number): Operation<number>;
  write?(kernel: LinuxKernel, task: Task, file: OpenFile, buffer: number, count: number): Operation<number>;
  /** select: ready now, the wait queue to sleep on, or null (never); absent = always ready. */
  select?(kernel: LinuxKernel, file: OpenFile, type: SelectType): SelectStatus;
  /** Called when the last reference to the open file goes away. */
  release?(kernel: LinuxKernel, file: OpenFile): void;
}

export class Inode {
  /** The event counter behind {@link version}: only its distinctness matters. */
  private static events = 0;

  /**
   * Page frames holding the file's data (page cache), index = offset / 4096; -1 = hole, 0 = on
   * disk, not read yet (or dropped by shrink_mmap). Pages enter through PageCache.add.
   */
  readonly pages: number[] = [];
  /** Disk blocks of the file's data or the directory's entries (1 KB each), for inodes on the disk. */
  readonly blocks: number[] = [];
  /** True when the inode has an inode-table entry on the disk (written at image build time). */
  onDisk = false;
  size = 0;
  nlink = 1;
  readonly entries: Map<string, Inode> | null;
  parent: Inode | null = null;
  device: FileOperations | null = null;
  pipe: Pipe | null = null;
  mtime = 0;
  /** Kernel linear address of the in-core `struct inode` (its cache and TLB footprint). */
  kernelAddress = 0;
  /** Cleared when ext2_free_inode gives the inode number back ({@link RamFileSystem.freeInode}). */
  allocated = true;
  /**
   * i_version: a fresh event number when the inode is made and whenever a directory's entries
   * change, so that name-cache entries of an older version never match (2.0's `++event`).
   */
  version = ++Inode.events;

  constructor(readonly ino: number, readonly kind: InodeKind, public mode: number) {
    this.entries = kind === 'dir' ? new Map() : null;
  }

  /** A directory's entries changed: its cached names go stale. */
  changed(): void {
    this.version = ++Inode.events;
  }

  get typeBits(): number {
    return this.kind === 'dir' ? S_IFDIR : this.kind === 'chr' ? S_IFCHR : this.kind === 'fifo' ? S_IFIFO : this.kind === 'sock' ? S_IFSOCK : S_IFREG;
  }
}

/** An open file (`struct file`): shared by dup and fork. */
export class OpenFile {
  position = 0;
  references = 1;
  /** Kernel linear address of the `struct file` (its cache and TLB footprint). */
  kernelAddress = 0;
  constructor(readonly inode: Inode, public flags: number, readonly ops: FileOperations) {}
}

/**
 * Allocates inode numbers and holds the root. Inodes of the disk file system come from ext2's
 * inode bitmap (ext2_new_inode, fs/ext2/ialloc.c in Linux 2.0): the file system is one block
 * group (1 KB blocks allow 8192 inodes per group, it has {@link MAX_INODES}), so the group choice
 * (the parent's group for a file, the emptiest for a directory) always picks that group, and the
 * new inode is the group's first free one (find_first_zero_bit). A create/delete loop therefore
 * reuses the same inode and its inode-table block stays in the buffer cache. Simplified: no
 * reserved inodes (the root is inode 1, EXT2_FIRST_INO is not kept free) and the bitmap block is
 * kept in memory (ext2 caches loaded bitmaps) without its buffer's I/O. Pipes, sockets and /proc
 * files are in-core inodes of no disk (get_empty_inode), numbered above the inode table.
 */
export class RamFileSystem {
  /** The inode bitmap: bit `ino` set while inode `ino` is in use (bit 0 is never used). */
  private readonly inodeBitmap = new Uint8Array(MAX_INODES / 8);
  /** Lowest inode number that may be free (every lower one is in use). */
  private firstFreeHint = 1;
  /** get_empty_inode's last_ino for in-core inodes: above every inode-table number. */
  private lastAnonymous = MAX_INODES - 1;
  readonly root: Inode;

  constructor() {
    this.root = this.imageInode('dir', 0o755);
    this.root.parent = this.root;
  }

  /** An in-core inode belonging to no disk (pipe, socket, /proc file). */
  newInode(kind: InodeKind, mode: number): Inode {
    return new Inode(++this.lastAnonymous, kind, mode);
  }

  /** ext2_new_inode: the lowest free inode of the bitmap, or null when all are in use (ENOSPC). */
  allocateInode(kind: InodeKind, mode: number): Inode | null {
    for (let ino = this.firstFreeHint; ino < MAX_INODES; ino++) {
      if ((this.inodeBitmap[ino >> 3] & (1 << (ino & 7))) !== 0) continue;
      this.inodeBitmap[ino >> 3] |= 1 << (ino & 7);
      this.firstFreeHint = ino + 1;
      return new Inode(ino, kind, mode);
    }
    this.firstFreeHint = MAX_INODES;
    return null;
  }

  /** An inode of the disk image being built (boot time): as {@link allocateInode}, but a full table is a configuration error. */
  imageInode(kind: InodeKind, mode: number): Inode {
    const inode = this.allocateInode(kind, mode);
    if (inode === null) throw new RangeError(`the file system image needs more than ${MAX_INODES - 1} inodes`);
    return inode;
  }

  /**
   * ext2_free_inode: the inode's bit is cleared (at the last unlink once the last user is gone).
   * In-core inodes have no bit; freeing an inode twice is a no-op.
   */
  freeInode(inode: Inode): void {
    const ino = inode.ino;
    if (!inode.allocated || ino >= MAX_INODES) return;
    inode.allocated = false;
    this.inodeBitmap[ino >> 3] &= ~(1 << (ino & 7));
    this.firstFreeHint = Math.min(this.firstFreeHint, ino);
  }

  /** Inodes of the disk file system in use (the bitmap's set bits), for statfs-style checks and tests. */
  get inodesInUse(): number {
    let count = 0;
    for (const byte of this.inodeBitmap) for (let bits = byte; bits !== 0; bits &= bits - 1) count++;
    return count;
  }

  /** Links `inode` as `name` in `dir`. */
  link(dir: Inode, name: string, inode: Inode): void {
    dir.entries!.set(name, inode);
    dir.changed();
    if (inode.kind === 'dir') inode.parent = dir;
  }
}

/** EXT2_NAME_LEN: the longest name a directory entry holds. */
export const NAME_MAX = 255;

/**
 * Splits a path into its components (empty components and '.' removed). A component longer
 * than {@link NAME_MAX} bytes is cut to that length, as 2.0's ext2_find_entry and
 * ext2_add_entry do (fs/ext2/namei.c without NO_TRUNCATE): a longer name finds and creates the
 * entry of its first 255 bytes.
 */
export function pathComponents(path: string): string[] {
  return path
    .split('/')
    .filter((c) => c.length > 0 && c !== '.')
    .map((c) => (c.length <= NAME_MAX / 3 ? c : truncateName(c)));
}

function truncateName(name: string): string {
  const bytes = encodeUtf8(name);
  return bytes.length <= NAME_MAX ? name : decodeUtf8(bytes.subarray(0, NAME_MAX));
}
