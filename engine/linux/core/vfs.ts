import type { Operation } from '../../machine/executionContext';
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
  /** Page frames holding the file's data (page cache), index = offset / 4096; -1 = hole, 0 = on disk, not read yet. */
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

  constructor(readonly ino: number, readonly kind: InodeKind, public mode: number) {
    this.entries = kind === 'dir' ? new Map() : null;
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

/** Allocates inode numbers and holds the root. */
export class RamFileSystem {
  private nextIno = 1;
  readonly root: Inode;

  constructor() {
    this.root = this.newInode('dir', 0o755);
    this.root.parent = this.root;
  }

  newInode(kind: InodeKind, mode: number): Inode {
    return new Inode(this.nextIno++, kind, mode);
  }

  /** Links `inode` as `name` in `dir`. */
  link(dir: Inode, name: string, inode: Inode): void {
    dir.entries!.set(name, inode);
    if (inode.kind === 'dir') inode.parent = dir;
  }
}

/** Splits a path into its components (empty components and '.' removed). */
export function pathComponents(path: string): string[] {
  return path.split('/').filter((c) => c.length > 0 && c !== '.');
}
