import { FrameAllocator } from '../../base/frameAllocator';
import { ACCESS_READ, ACCESS_WRITE, type Cpu } from '../../machine/cpu';
import { FRAME_MASK, makePde, makePte, PG_DIRTY, PG_PRESENT, PG_USER, PG_WRITABLE } from '../../machine/paging';
import type { KernelCode, LinuxPath } from './kernelCode';
import type { LinuxParameters } from './linuxParameters';
import type { Substrate } from './substrate';
import type { Inode } from './vfs';
import { KmallocClass } from './kmalloc';
import { PageCache } from './pageCache';
import { EACCES, EINVAL, ENOMEM } from './errno';

export const PAGE_SIZE = 4096;
/**
 * i386's TASK_SIZE = PAGE_OFFSET: user space is the low 3 GB (include/asm-i386/processor.h).
 * It is an architecture's constant, so each substrate says its own ({@link Substrate.taskSize}):
 * native Linux and MkLinux use this one, L4Linux keeps the top of it for itself.
 */
export const TASK_SIZE = 0xc0000000;
/**
 * TASK_UNMAPPED_BASE = TASK_SIZE / 3 (include/asm-i386/processor.h), where mmap starts looking
 * for room when given no address; get_unmapped_area (mm/mmap.c) page-aligns it.
 */
export function taskUnmappedBase(taskSize: number): number {
  return Math.ceil(taskSize / 3 / PAGE_SIZE) * PAGE_SIZE;
}
/** The ELF text base of i386 executables. */
export const TEXT_BASE = 0x08048000;
/** Stack rlimit: how far the stack area may grow down (8 MB). */
export const STACK_LIMIT = 8 << 20;
const INITIAL_STACK = 128 * 1024;
const KMALLOC_128 = 128;
/**
 * min_free_pages of 2.0 (mm/page_alloc.c free_area_init): memory >> (PAGE_SHIFT + 7), at least
 * 16 pages, "the nr of pages we try to keep free for important stuff".
 */
const MIN_FREE_SHIFT = 7;
export const MIN_FREE_PAGES = 16;

export const VM_READ = 1;
export const VM_WRITE = 2;
export const VM_EXEC = 4;
export const VM_SHARED = 8;
/** What mprotect may turn on (VM_MAYREAD/WRITE/EXEC: VM_READ/WRITE/EXEC << 4). */
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAY = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
export const VM_GROWSDOWN = 0x100;
const VM_PROT = VM_READ | VM_WRITE | VM_EXEC;

/** A vm area (`struct vm_area_struct`): [start, end), page aligned. */
export interface VmArea {
  start: number;
  end: number;
  flags: number;
  /** Backing file (page cache pages of a RAM inode), or null for anonymous memory. */
  inode: Inode | null;
  /** File offset of `start`. */
  offset: number;
  readonly name: string;
}

/** An address space (`struct mm_struct`): Linux's own page directory and the vm areas. */
export class MemoryMap {
  readonly areas: VmArea[] = [];
  startBrk = 0;
  brk = 0;
  startStack = 0;
  /** Substrate-private state (L4Linux: the L4 task). */
  substrateData: unknown = undefined;
  /** Pages mapped (rss), for ps. */
  rss = 0;
  /** Physical address of the kmalloc'd `struct mm_struct` (cache footprint of find_vma), or 0. */
  structPhysical = 0;
  /**
   * The task whose fault counts this space's faults go to (2.0 counts `tsk->min_flt`/`maj_flt` of
   * the faulting task; here one task per space): set when the space becomes the task's, so the
   * argument pages exec writes before (put_dirty_page, no fault in 2.0) are not counted.
   */
  faultCounter: FaultCounter | null = null;

  constructor(readonly pgd: number) {}

  find(address: number): VmArea | undefined {
    for (const area of this.areas) if (address < area.end) return address >= area.start ? area : undefined;
    return undefined;
  }

  /** First area ending above `address` (find_vma). */
  findAbove(address: number): VmArea | undefined {
    for (const area of this.areas) if (address < area.end) return area;
    return undefined;
  }

  insert(area: VmArea): void {
    let index = 0;
    while (index < this.areas.length && this.areas[index].start < area.start) index++;
    this.areas.splice(index, 0, area);
  }
}

/** A guest binary's image (the header of the file; see userland/binaryFormat). */
export interface ImageLayout {
  readonly program: string;
  readonly textBytes: number;
  readonly dataBytes: number;
  readonly bssBytes: number;
}

/**
 * The memory manager of the personality (mm/ of Linux 2.0): the page allocator with per-frame
 * reference counts (`mem_map[].count`), Linux's two-level page tables in simulated memory, vm
 * areas, demand paging (file pages from the page cache, anonymous zero-fill with the shared zero
 * page), copy-on-write, and the fork/exec/exit/brk/mmap operations on address spaces.
 *
 * Page tables are real IA-32 entries. On native Linux they are the hardware tables; on L4Linux
 * they are the server's logical tables and the substrate mirrors changes into L4 (see
 * {@link Substrate.pageChanged}).
 */
export class MemoryManager {
  /** The page a fault returning 'io' needs read into the page cache. */
  pendingRead: { inode: Inode; index: number } | null = null;
  readonly frames: FrameAllocator;
  /** mem_map[].count per physical frame. */
  readonly count: Uint16Array;
  readonly zeroPage: number;
  /** mem_map's page-cache fields and shrink_mmap. */
  readonly pageCache: PageCache;
  /** Below this many free pages, an allocation first reclaims a page-cache page (try_to_free_page). */
  readonly minFreePages: number;
  private readonly cpu: Cpu;
  private readonly category: number;
  /** The substrate's TASK_SIZE: user addresses are below it. */
  private readonly taskSize: number;
  /** kmalloc's 128-byte class: mm_structs and vm_area_structs (~60 bytes + the 8-byte block header). */
  private readonly kmalloc128: KmallocClass;
  /** The vm_area_struct of each area reached by find_vma. */
  private readonly vmaStructs = new WeakMap<VmArea, number>();
  /** Called when a write through a shared file mapping dirties page `index` of `inode` (write-back). */
  sharedPageDirtied: (inode: Inode, index: number) => void = () => undefined;

  constructor(private readonly substrate: Substrate, private readonly p: LinuxParameters, private readonly code: KernelCode) {
    this.cpu = substrate.cpu;
    this.category = substrate.kernelCategory;
    this.taskSize = substrate.taskSize;
    const first = Math.ceil(substrate.memoryStart / PAGE_SIZE);
    const last = Math.floor(substrate.memoryEnd / PAGE_SIZE);
    this.frames = new FrameAllocator(first, last - first);
    this.count = new Uint16Array(last + 1);
    this.minFreePages = Math.max(MIN_FREE_PAGES, (last - first) >> MIN_FREE_SHIFT);
    this.pageCache = new PageCache({
      count: this.count,
      firstFrame: first,
      endFrame: last,
      put: (frame) => this.put(frame),
      charge: (path, count) => this.run(path, count),
    });
    this.zeroPage = this.allocate(false);
    // kernel/fork.c and mm/mmap.c of 2.0: mm_structs and vm_area_structs are kmalloc'd
    this.kmalloc128 = new KmallocClass(KMALLOC_128, () => this.allocate(false), (page) => this.put(page));
    this.count[this.zeroPage >>> 12] = 0xffff >>> 1;
  }

  private run(name: LinuxPath, count = 1): void {
    this.code.run(name, count);
  }

  get freePages(): number {
    return this.frames.freeFrames;
  }

  // ---- pages --------------------------------------------------------------------------------

  /**
   * __get_free_page: a frame with count 1 (zeroed if `zero`), or -1 when memory is exhausted. At
   * or below {@link minFreePages} free pages it first frees a clean page-cache page
   * (try_to_free_page); unlike 2.0 it then still hands out the reserve rather than fail.
   */
  allocate(zero: boolean): number {
    if (this.frames.freeFrames <= this.minFreePages) this.pageCache.tryToFreePage();
    const frame = this.frames.allocate();
    if (frame < 0) return -1;
    this.run('getFreePage');
    this.count[frame >>> 12] = 1;
    if (zero) this.clear(frame);
    return frame;
  }

  /** Clears a page with `rep stosl` through the caches. */
  clear(frame: number): void {
    this.cpu.memory.bytes.fill(0, frame, frame + PAGE_SIZE);
    this.run('zeroPagePerDword', PAGE_SIZE / 4);
    this.cpu.access(this.substrate.kernelLinear(frame), PAGE_SIZE, ACCESS_WRITE, false);
  }

  /** Copies a page (COW break, page-in) with `rep movsl` through the caches. */
  copyPage(from: number, to: number): void {
    this.cpu.copy(this.substrate.kernelLinear(from), this.substrate.kernelLinear(to), PAGE_SIZE, false, false, false, this.category);
  }

  get(frame: number): void {
    this.count[frame >>> 12]++;
  }

  /** free_page: drops a reference; the frame returns to the allocator at zero. */
  put(frame: number): void {
    const index = frame >>> 12;
    if (frame === this.zeroPage) return;
    if (this.count[index] === 0) throw new Error(`page 0x${frame.toString(16)} freed twice`);
    this.run('freePage');
    if (--this.count[index] === 0) {
      this.run('freePageToZero');
      this.pageCache.forget(frame);
      this.frames.release(frame);
    }
  }

  // ---- page tables --------------------------------------------------------------------------

  private readEntry(physical: number): number {
    this.cpu.access(this.substrate.kernelLinear(physical), 4, ACCESS_READ, false);
    return this.cpu.memory.read32(physical);
  }

  private writeEntry(physical: number, value: number): void {
    this.cpu.access(this.substrate.kernelLinear(physical), 4, ACCESS_WRITE, false);
    this.cpu.memory.write32(physical, value >>> 0);
  }

  /**
   * The memory traffic of find_vma (mm/mmap.c of 2.0): mm->mmap_avl in the mm_struct, then the
   * AVL tree of kmalloc'd vm_area_structs from the root down to the area (a balanced search over
   * the sorted areas), one line per node visited (vm_end, vm_start, the child pointers); and
   * its instructions, in mm/mmap.c.
   */
  private findVmaFootprint(mm: MemoryMap, address: number): void {
    this.run('findVma');
    if (mm.structPhysical <= 0) return;
    const cpu = this.cpu;
    cpu.access(this.substrate.kernelLinear(mm.structPhysical), 16, ACCESS_READ, false);
    let low = 0;
    let high = mm.areas.length - 1;
    let visited = 0;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const area = mm.areas[middle];
      const node = this.vmaAddress(area);
      visited++;
      if (node > 0) cpu.access(this.substrate.kernelLinear(node), 32, ACCESS_READ, false);
      if (address < area.end) {
        if (address >= area.start) break;
        high = middle - 1;
      } else low = middle + 1;
    }
    if (visited > 0) this.run('findVmaPerNode', visited);
  }

  /** The vm_area_struct of `area` (kmalloc'd when first reached), or -1 without memory. */
  private vmaAddress(area: VmArea): number {
    let address = this.vmaStructs.get(area);
    if (address === undefined) {
      address = this.kmalloc128.allocate();
      if (address < 0) return -1;
      this.vmaStructs.set(area, address);
    }
    return address;
  }

  /** kfree of an area's vm_area_struct when the area goes away. */
  private freeVma(area: VmArea): void {
    const address = this.vmaStructs.get(area);
    if (address === undefined) return;
    this.vmaStructs.delete(area);
    this.kmalloc128.release(address);
  }

  /** A new page directory (pgd_alloc), or -1. */
  newAddressSpace(): MemoryMap | null {
    const pgd = this.allocate(true);
    if (pgd < 0) return null;
    this.substrate.initPageDirectory(pgd);
    const mm = new MemoryMap(pgd);
    mm.structPhysical = Math.max(0, this.kmalloc128.allocate());
    return mm;
  }

  /** Physical address of the PTE for `address`, allocating the page table if `create`; -1 if none. */
  pteAddress(mm: MemoryMap, address: number, create: boolean): number {
    const pdeAddress = mm.pgd + (address >>> 22) * 4;
    let pde = this.readEntry(pdeAddress);
    if ((pde & PG_PRESENT) === 0) {
      if (!create) return -1;
      const table = this.allocate(true);
      if (table < 0) return -1;
      pde = makePde(table, PG_WRITABLE | PG_USER);
      this.writeEntry(pdeAddress, pde);
    }
    return (pde & FRAME_MASK) + ((address >>> 12) & 0x3ff) * 4;
  }

  /** The PTE mapping `address` (0 if none). Side-effect free apart from cache timing. */
  pte(mm: MemoryMap, address: number): number {
    const at = this.pteAddress(mm, address, false);
    return at < 0 ? 0 : this.readEntry(at);
  }

  private setPte(mm: MemoryMap, address: number, frame: number, writable: boolean): boolean {
    const at = this.pteAddress(mm, address, true);
    if (at < 0) return false;
    const old = this.readEntry(at);
    this.writeEntry(at, makePte(frame, PG_USER | (writable ? PG_WRITABLE : 0)));
    if ((old & PG_PRESENT) !== 0) this.pageChanged(mm, address);
    else mm.rss++;
    this.substrate.pageMapped(mm, address, writable);
    return true;
  }

  // ---- faults -------------------------------------------------------------------------------

  /**
   * do_page_fault for a user address: demand paging, stack growth, copy-on-write. Returns 0 when
   * the access can be retried, or a signal number (SIGSEGV = 11, SIGBUS) / -ENOMEM otherwise.
   */
  handleFault(mm: MemoryMap, address: number, write: boolean): FaultResult {
    this.run('pageFault');
    if (address >= this.taskSize) return 'segv';
    this.findVmaFootprint(mm, address);
    const area = mm.findAbove(address);
    if (area === undefined) return 'segv';
    if (address < area.start) {
      if ((area.flags & VM_GROWSDOWN) === 0 || area.end - ((address & ~0xfff) >>> 0) > STACK_LIMIT) return 'segv';
      area.start = (address & ~0xfff) >>> 0; // expand_stack
    }
    if (write ? (area.flags & VM_WRITE) === 0 : (area.flags & (VM_READ | VM_EXEC)) === 0) return 'segv';
    const page = (address & ~0xfff) >>> 0;
    const at = this.pteAddress(mm, page, true);
    if (at < 0) return 'oom';
    const pte = this.readEntry(at);
    if ((pte & PG_PRESENT) === 0) {
      if (area.inode !== null) {
        const index = (area.offset + (page - area.start)) / PAGE_SIZE;
        if (area.inode.pages[index] === 0) {
          // not in the page cache yet: the caller reads it from disk (may sleep) and retries
          this.pendingRead = { inode: area.inode, index };
          return 'io';
        }
      }
      return this.noPage(mm, area, page, write) ? 'ok' : 'oom';
    }
    // handle_pte_fault: pte_mkyoung, then pte_mkdirty for a write to a writable page, each
    // followed by flush_tlb_page
    this.substrate.flushTlbPage(mm, page);
    if (!write) return 'ok'; // spurious (another path mapped it)
    if ((pte & PG_WRITABLE) !== 0) {
      this.substrate.flushTlbPage(mm, page);
      return 'ok';
    }
    return this.wpPage(mm, area, page, at, pte) ? 'ok' : 'oom';
  }

  /** do_no_page: file page from the page cache, or the zero page / a fresh zeroed page. */
  private noPage(mm: MemoryMap, area: VmArea, page: number, write: boolean): boolean {
    if (area.inode !== null) {
      const index = (area.offset + (page - area.start)) / PAGE_SIZE;
      // do_no_page: ++tsk->maj_flt for every page vm_ops->nopage gives, in the page cache or not
      if (mm.faultCounter !== null) mm.faultCounter.majFlt++;
      if ((area.flags & VM_SHARED) !== 0) {
        this.run('faultFilePage');
        return this.sharedNoPage(mm, area.inode, index, page, write);
      }
      const cached = index < area.inode.pages.length ? area.inode.pages[index] : -1;
      if (cached > 0) this.pageCache.touch(cached);
      this.run(cached > 0 && !write ? 'faultFilePage' : 'faultFileCopy');
      if (cached > 0 && !write) {
        this.get(cached);
        return this.setPte(mm, page, cached, false);
      }
      if (cached > 0) this.pageCache.hold(cached); // not reclaimed by the allocation of its copy
      const frame = this.allocate(cached <= 0);
      if (cached > 0) this.pageCache.unhold(cached);
      if (frame < 0) return false;
      if (cached > 0) this.copyPage(cached, frame);
      return this.setPte(mm, page, frame, true);
    }
    if (!write) {
      this.run('faultZeroPage');
      this.get(this.zeroPage);
      return this.setPte(mm, page, this.zeroPage, false);
    }
    this.run('faultAnonPage');
    const frame = this.allocate(true);
    if (frame < 0) return false;
    if (mm.faultCounter !== null) mm.faultCounter.minFlt++; // do_no_page's anonymous_page: tsk->min_flt++
    return this.setPte(mm, page, frame, true);
  }

  /**
   * do_no_page of a MAP_SHARED file mapping: the page-cache page itself is mapped (a hole gets a
   * new zeroed page-cache page). A write fault maps it writable and dirties the page for
   * write-back; a read fault maps it read-only, so that the first write faults and dirties it.
   */
  private sharedNoPage(mm: MemoryMap, inode: Inode, index: number, page: number, write: boolean): boolean {
    let frame = index < inode.pages.length ? inode.pages[index] : -1;
    if (frame <= 0) {
      frame = this.allocate(true);
      if (frame < 0) return false;
      this.pageCache.add(inode, index, frame);
    }
    this.get(frame);
    if (write) this.sharedPageDirtied(inode, index);
    return this.setPte(mm, page, frame, write);
  }

  /**
   * do_wp_page: copy-on-write break (or just re-enable writing when the page is not shared; in a
   * MAP_SHARED file mapping, writing is re-enabled on the page-cache page, which becomes dirty).
   */
  private wpPage(mm: MemoryMap, area: VmArea, page: number, at: number, pte: number): boolean {
    this.run('faultWpPage');
    if (mm.faultCounter !== null) mm.faultCounter.minFlt++; // do_wp_page: tsk->min_flt++ before the copy test
    const old = (pte & FRAME_MASK) >>> 0;
    const sharedFile = (area.flags & VM_SHARED) !== 0 && area.inode !== null;
    if (sharedFile || (old !== this.zeroPage && this.count[old >>> 12] === 1 && !this.isPageCache(area, old))) {
      this.writeEntry(at, (pte | PG_WRITABLE | PG_DIRTY) >>> 0);
      this.pageChanged(mm, page);
      this.substrate.pageMapped(mm, page, true);
      if (sharedFile) this.sharedPageDirtied(area.inode!, (area.offset + (page - area.start)) / PAGE_SIZE);
      return true;
    }
    const frame = this.allocate(old === this.zeroPage);
    if (frame < 0) return false;
    if (old !== this.zeroPage) this.copyPage(old, frame);
    this.writeEntry(at, makePte(frame, PG_USER | PG_WRITABLE | PG_DIRTY));
    this.put(old);
    this.pageChanged(mm, page);
    this.substrate.pageMapped(mm, page, true);
    return true;
  }

  private isPageCache(area: VmArea, frame: number): boolean {
    return area.inode !== null && area.inode.pages.includes(frame);
  }

  /** A fault handler changed the present PTE of `page`: the substrate's mirror, then flush_tlb_page. */
  private pageChanged(mm: MemoryMap, page: number): void {
    this.substrate.pageChanged(mm, page);
    this.substrate.flushTlbPage(mm, page);
  }

  /** True if [address, address+length) lies in areas allowing the access (verify_area). */
  verify(mm: MemoryMap, address: number, length: number, write: boolean): boolean {
    if (length === 0) return true;
    this.run('verifyArea');
    if (address < 0 || address + length > this.taskSize || address + length < address) return false;
    this.findVmaFootprint(mm, address);
    let at = address;
    const end = address + length;
    while (at < end) {
      const area = mm.findAbove(at);
      if (area === undefined) return false;
      if (at < area.start) {
        if ((area.flags & VM_GROWSDOWN) === 0 || area.end - ((at & ~0xfff) >>> 0) > STACK_LIMIT) return false;
      }
      if (write ? (area.flags & VM_WRITE) === 0 : (area.flags & VM_READ) === 0) return false;
      at = area.end;
    }
    return true;
  }

  // ---- fork, exit, exec ---------------------------------------------------------------------

  /**
   * copy_mm/dup_mmap/copy_page_range: a new address space with the same areas, its page tables
   * copied PTE by PTE; private writable pages are write-protected in both for copy-on-write and
   * their reference counts raised. As copy_page_range, each area ends with flush_tlb_range of the
   * parent and of the child (on native Linux a CR3 reload per area, the parent being live).
   * Returns null when memory runs out.
   */
  fork(parent: MemoryMap): MemoryMap | null {
    const child = this.newAddressSpace();
    if (child === null) return null;
    child.startBrk = parent.startBrk;
    child.brk = parent.brk;
    child.startStack = parent.startStack;
    for (const area of parent.areas) {
      this.run('forkPerVma');
      child.insert({ ...area });
      const cow = (area.flags & (VM_SHARED | VM_WRITE)) === VM_WRITE;
      for (let address = area.start; address < area.end; ) {
        const pdeAddress = parent.pgd + (address >>> 22) * 4;
        const pde = this.readEntry(pdeAddress);
        const tableEnd = Math.min(area.end, ((address >>> 22) + 1) * 0x400000);
        if ((pde & PG_PRESENT) === 0) {
          address = tableEnd;
          continue;
        }
        for (; address < tableEnd; address += PAGE_SIZE) {
          const from = (pde & FRAME_MASK) + ((address >>> 12) & 0x3ff) * 4;
          const pte = this.readEntry(from);
          if ((pte & PG_PRESENT) === 0) {
            this.run('copyPteNone');
            continue;
          }
          this.run('copyPte');
          let value = pte;
          if (cow && (pte & PG_WRITABLE) !== 0) {
            value = (pte & ~PG_WRITABLE) >>> 0;
            this.writeEntry(from, value);
          }
          const to = this.pteAddress(child, address, true);
          if (to < 0) {
            this.copiedRange(parent, child, area);
            this.substrate.addressSpaceChanged(parent);
            this.release(child);
            return null;
          }
          this.writeEntry(to, (value & ~PG_DIRTY) >>> 0);
          this.get((pte & FRAME_MASK) >>> 0);
          child.rss++;
        }
      }
      this.copiedRange(parent, child, area);
    }
    this.substrate.addressSpaceChanged(parent);
    return child;
  }

  /** The end of copy_page_range: "the src ptes get c-o-w treatment, so they change too". */
  private copiedRange(parent: MemoryMap, child: MemoryMap, area: VmArea): void {
    this.substrate.flushTlbRange(parent, area.start, area.end);
    this.substrate.flushTlbRange(child, area.start, area.end);
  }

  /**
   * Unmaps [start, end) of `mm`: zap_page_range (pages put, PTEs cleared, then flush_tlb_range).
   * `eachPage`: report each cleared PTE with {@link Substrate.pageChanged} (false when the caller
   * reports the whole space with addressSpaceChanged).
   */
  unmapRange(mm: MemoryMap, start: number, end: number, eachPage: boolean): void {
    for (let address = start; address < end; ) {
      const pde = this.readEntry(mm.pgd + (address >>> 22) * 4);
      const tableEnd = Math.min(end, ((address >>> 22) + 1) * 0x400000);
      if ((pde & PG_PRESENT) === 0) {
        address = tableEnd;
        continue;
      }
      let empty = 0;
      for (; address < tableEnd; address += PAGE_SIZE) {
        const at = (pde & FRAME_MASK) + ((address >>> 12) & 0x3ff) * 4;
        const pte = this.readEntry(at);
        if ((pte & PG_PRESENT) === 0) {
          empty++;
          continue;
        }
        this.run('zapPte');
        this.writeEntry(at, 0);
        // filemap_unmap's sync of a shared page: a writable PTE of a page-cache page is a shared
        // file mapping that was written; the page stays dirty so that reclaim cannot lose it
        const cached = (pte & PG_WRITABLE) !== 0 ? this.pageCache.lookup((pte & FRAME_MASK) >>> 0) : null;
        if (cached !== null) this.sharedPageDirtied(cached.inode, cached.index);
        this.put((pte & FRAME_MASK) >>> 0);
        mm.rss--;
        if (eachPage) this.substrate.pageChanged(mm, address);
      }
      // zap_pte_range walks every slot of a present table in the range
      if (empty > 0) this.run('zapPteNone', empty);
    }
    this.substrate.flushTlbRange(mm, start, end);
  }

  /**
   * [start, end) of `area` goes as do_munmap and exit_mmap take it: first the area's unmap
   * operation, which for a writable MAP_SHARED file area (generic_file_mmap's file_shared_mmap:
   * VM_SHARED and VM_MAYWRITE) is filemap_unmap's filemap_sync(MS_ASYNC): each written page
   * cleaned (pte_mkclean, then flush_tlb_page) and a flush_tlb_range at its end; then
   * zap_page_range ({@link unmapRange}). The sync's page-table walk is not charged, and the
   * written pages go to write-back (see unmapRange) where 2.0 writes them at once.
   */
  private unmapArea(mm: MemoryMap, area: VmArea, start: number, end: number, eachPage: boolean): void {
    if ((area.flags & (VM_SHARED | VM_MAYWRITE)) === (VM_SHARED | VM_MAYWRITE) && area.inode !== null) {
      const memory = this.cpu.memory;
      for (let address = start; address < end; address += PAGE_SIZE) {
        const pde = memory.read32(mm.pgd + (address >>> 22) * 4);
        if ((pde & PG_PRESENT) === 0) continue;
        const pte = memory.read32(((pde & FRAME_MASK) >>> 0) + ((address >>> 12) & 0x3ff) * 4);
        if ((pte & (PG_PRESENT | PG_WRITABLE)) === (PG_PRESENT | PG_WRITABLE)) this.substrate.flushTlbPage(mm, address);
      }
      this.substrate.flushTlbRange(mm, start, end);
    }
    this.unmapRange(mm, start, end, eachPage);
  }

  /**
   * exit_mmap + free_page_tables: releases every user page, page table and the directory. Each
   * area's zap_page_range ends in flush_tlb_range, which flushes only while `mm` is live: at exec
   * (exec_mmap), not at exit (exit_mm has switched to swapper_pg_dir first).
   */
  release(mm: MemoryMap): void {
    this.run('exitPerVma', mm.areas.length);
    for (const area of mm.areas) this.unmapArea(mm, area, area.start, area.end, false);
    for (const area of mm.areas) this.freeVma(area);
    mm.areas.length = 0;
    this.substrate.addressSpaceChanged(mm);
    this.run('freePageTablesPerPde', this.taskSize >>> 22);
    for (let index = 0; index < this.taskSize >>> 22; index++) {
      const pde = this.cpu.memory.read32(mm.pgd + index * 4);
      if ((pde & PG_PRESENT) !== 0) {
        this.cpu.memory.write32(mm.pgd + index * 4, 0);
        this.put((pde & FRAME_MASK) >>> 0);
      }
    }
    this.put(mm.pgd);
    if (mm.structPhysical > 0) this.kmalloc128.release(mm.structPhysical);
    mm.structPhysical = 0;
  }

  /**
   * The image of a guest binary (binfmt): text mapped read-only from the file, data private from
   * the file, bss and heap anonymous, a stack area below the substrate's TASK_SIZE. Nothing is paged in yet.
   */
  mapImage(mm: MemoryMap, inode: Inode, layout: ImageLayout): void {
    const textEnd = TEXT_BASE + roundUp(layout.textBytes);
    mm.insert({ start: TEXT_BASE, end: textEnd, flags: VM_MAY | VM_READ | VM_EXEC, inode, offset: 0, name: 'text' });
    const dataEnd = textEnd + roundUp(layout.dataBytes);
    if (layout.dataBytes > 0) mm.insert({ start: textEnd, end: dataEnd, flags: VM_MAY | VM_READ | VM_WRITE, inode, offset: roundUp(layout.textBytes), name: 'data' });
    const bssEnd = dataEnd + roundUp(layout.bssBytes);
    if (layout.bssBytes > 0) mm.insert({ start: dataEnd, end: bssEnd, flags: VM_MAY | VM_READ | VM_WRITE, inode: null, offset: 0, name: 'bss' });
    mm.startBrk = bssEnd;
    mm.brk = bssEnd;
    mm.insert({ start: this.taskSize - INITIAL_STACK, end: this.taskSize, flags: VM_MAY | VM_READ | VM_WRITE | VM_GROWSDOWN, inode: null, offset: 0, name: 'stack' });
    mm.startStack = this.taskSize;
  }

  /**
   * Writes `bytes` at user address `address` of `mm` from the kernel, paging in as needed
   * (setup of the argument pages at exec). Returns false when memory runs out.
   */
  poke(mm: MemoryMap, address: number, bytes: Uint8Array): boolean {
    let done = 0;
    while (done < bytes.length) {
      const at = address + done;
      const page = (at & ~0xfff) >>> 0;
      let pte = this.pte(mm, page);
      if ((pte & PG_PRESENT) === 0 || (pte & PG_WRITABLE) === 0) {
        if (this.handleFault(mm, at, true) !== 'ok') return false;
        pte = this.pte(mm, page);
      }
      const chunk = Math.min(PAGE_SIZE - (at & 0xfff), bytes.length - done);
      const physical = ((pte & FRAME_MASK) >>> 0) + (at & 0xfff);
      this.cpu.memory.bytes.set(bytes.subarray(done, done + chunk), physical);
      this.cpu.access(this.substrate.kernelLinear(physical), chunk, ACCESS_WRITE, false);
      done += chunk;
    }
    return true;
  }

  // ---- brk, mmap ----------------------------------------------------------------------------

  /** sys_brk: moves the break; returns the new (or unchanged) break. */
  setBrk(mm: MemoryMap, requested: number): number {
    this.run('brkBase');
    if (requested < mm.startBrk) return mm.brk;
    const oldEnd = roundUp(mm.brk);
    const newEnd = roundUp(requested);
    if (newEnd < oldEnd) {
      this.run('brkShrink');
      this.unmapRange(mm, newEnd, oldEnd, true);
      this.shrinkHeap(mm, newEnd);
      mm.brk = requested;
      return mm.brk;
    }
    if (newEnd > oldEnd) {
      const next = mm.findAbove(oldEnd);
      if (next !== undefined && next.start < newEnd + PAGE_SIZE && next.name !== 'heap') return mm.brk;
      if (newEnd - oldEnd > this.freePages * PAGE_SIZE) return mm.brk;
      this.run('brkGrow');
      const heap = mm.areas.find((a) => a.name === 'heap');
      if (heap !== undefined) heap.end = newEnd;
      else mm.insert({ start: oldEnd, end: newEnd, flags: VM_MAY | VM_READ | VM_WRITE, inode: null, offset: 0, name: 'heap' });
    }
    mm.brk = requested;
    return mm.brk;
  }

  private shrinkHeap(mm: MemoryMap, end: number): void {
    const heap = mm.areas.find((a) => a.name === 'heap');
    if (heap === undefined) return;
    if (end <= heap.start) {
      mm.areas.splice(mm.areas.indexOf(heap), 1);
      this.freeVma(heap);
    } else heap.end = end;
  }

  /** do_mmap: returns the address, or -errno (EINVAL, ENOMEM). */
  mmap(mm: MemoryMap, address: number, length: number, flags: number, shared: boolean, fixed: boolean, inode: Inode | null, offset: number): number {
    this.run('mmapBase');
    if (length <= 0 || (offset & 0xfff) !== 0) return -22;
    const size = roundUp(length);
    let start = (address & ~0xfff) >>> 0;
    if (fixed) {
      if ((address & 0xfff) !== 0 || start + size > this.taskSize) return -22;
      this.munmap(mm, start, size);
    } else {
      start = this.unmappedArea(mm, size);
      if (start < 0) return -12;
    }
    mm.insert({ start, end: start + size, flags: flags | (shared ? VM_SHARED : 0), inode, offset, name: inode === null ? 'anon' : 'file' });
    return start;
  }

  private unmappedArea(mm: MemoryMap, size: number): number {
    let candidate = taskUnmappedBase(this.taskSize);
    for (const area of mm.areas) {
      if (area.end <= candidate) continue;
      if (area.start >= candidate + size) break;
      candidate = area.end;
    }
    return candidate + size <= this.taskSize - STACK_LIMIT ? candidate : -1;
  }

  /**
   * sys_mprotect (mm/mprotect.c): gives [start, start+length) the protection `prot`. The areas
   * are split at the ends of the range and take the new VM_READ/WRITE/EXEC (mprotect_fixup);
   * their present PTEs are rewritten and flushed (change_protection): write-protected (writing
   * comes back through the write fault, as for a private page), and supervisor-only when the area
   * becomes inaccessible; then areas that agree again are merged (merge_segments). Returns 0,
   * -EINVAL (unaligned start, bad prot, wrap), -ENOMEM (a hole in the range) or -EACCES (a right
   * the area may not have: a write to a shared mapping of a file opened read-only).
   */
  mprotect(mm: MemoryMap, start: number, length: number, prot: number): number {
    this.run('mprotectBase');
    const end = start + roundUp(length >>> 0);
    if ((start & 0xfff) !== 0 || end > 2 ** 32 || (prot & ~VM_PROT) !== 0) return -EINVAL;
    if (end === start) return 0;
    let covered = start;
    for (const area of mm.areas) {
      if (area.end <= covered || area.start >= end) continue;
      if (area.start > covered) return -ENOMEM;
      const flags = (area.flags & ~VM_PROT) | prot;
      if ((flags & ~(flags >> 4) & VM_PROT) !== 0) return -EACCES;
      covered = area.end;
    }
    if (covered < end) return -ENOMEM;
    const areas = this.splitAreas(mm, start, end, (area, from, to) => {
      this.changeProtection(mm, from, to, prot !== 0);
      return { ...area, start: from, end: to, offset: area.offset + (from - area.start), flags: (area.flags & ~VM_PROT) | prot };
    });
    for (const area of this.mergeAreas(areas, start, end)) mm.insert(area);
    return 0;
  }

  /**
   * change_protection: each present PTE of [start, end) loses write access, keeps user access iff
   * `user`; then one flush_tlb_range.
   */
  private changeProtection(mm: MemoryMap, start: number, end: number, user: boolean): void {
    for (let address = start; address < end; address += PAGE_SIZE) {
      const at = this.pteAddress(mm, address, false);
      if (at < 0) continue;
      const pte = this.readEntry(at);
      if ((pte & PG_PRESENT) === 0) continue;
      this.run('changePte');
      this.writeEntry(at, ((pte & ~(PG_WRITABLE | PG_USER)) | (user ? PG_USER : 0)) >>> 0);
      this.substrate.pageChanged(mm, address);
    }
    this.substrate.flushTlbRange(mm, start, end);
  }

  /**
   * merge_segments(start, end): joins areas (sorted by start) that meet inside [start, end] and
   * agree in flags and backing (the file offsets continuing).
   */
  private mergeAreas(areas: readonly VmArea[], start: number, end: number): VmArea[] {
    const merged: VmArea[] = [];
    for (const area of areas) {
      const last = merged[merged.length - 1];
      const joins = last !== undefined && last.end === area.start && area.start >= start && area.start <= end && last.flags === area.flags &&
        last.inode === area.inode && last.name === area.name && (area.inode === null || last.offset + (last.end - last.start) === area.offset);
      if (joins) {
        last.end = area.end;
        this.freeVma(area);
      } else merged.push(area);
    }
    return merged;
  }

  /** do_munmap: splits or removes the areas overlapping [start, start+length). */
  munmap(mm: MemoryMap, start: number, length: number): number {
    this.run('munmapBase');
    if ((start & 0xfff) !== 0 || length <= 0 || start + length > this.taskSize) return -22;
    const end = start + roundUp(length);
    const keep = this.splitAreas(mm, start, end, (area, from, to) => {
      this.unmapArea(mm, area, from, to, true);
      return null;
    });
    for (const area of keep) mm.insert(area);
    return 0;
  }

  /**
   * Takes the areas of `mm` out, split at `start` and `end` (unmap_fixup, mprotect_fixup): returns,
   * sorted, the pieces outside [start, end) and what `inside` makes of each area's piece
   * [from, to) inside (a new area, or null to drop it). The caller inserts the result.
   */
  private splitAreas(mm: MemoryMap, start: number, end: number, inside: (area: VmArea, from: number, to: number) => VmArea | null): VmArea[] {
    const areas: VmArea[] = [];
    for (const area of mm.areas) {
      if (area.end <= start || area.start >= end) {
        areas.push(area);
        continue;
      }
      if (area.start < start) areas.push({ ...area, end: start });
      const piece = inside(area, Math.max(area.start, start), Math.min(area.end, end));
      if (piece !== null) areas.push(piece);
      if (area.end > end) areas.push({ ...area, start: end, offset: area.offset + (end - area.start) });
      this.freeVma(area);
    }
    mm.areas.length = 0;
    return areas;
  }
}

/** Outcome of a page fault: resolved, a SIGSEGV, out of memory, or a page-cache read needed first. */
export type FaultResult = 'ok' | 'segv' | 'oom' | 'io';

/** Where a space's page faults are counted (a task's min_flt and maj_flt). */
export interface FaultCounter {
  minFlt: number;
  majFlt: number;
}

export function roundUp(bytes: number): number {
  return Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE;
}
