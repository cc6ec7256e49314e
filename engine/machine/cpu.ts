import { CATEGORY_INDEX, type CycleCategory } from '../base/cycleCategory';
import type { CycleAccounting } from '../base/cycleAccounting';
import { PAGE_FAULT_PRESENT, PAGE_FAULT_USER, PAGE_FAULT_WRITE, VECTOR, type MachineFault } from '../base/result';
import type { Scheduler } from '../base/scheduler';
import { BranchTargetBuffer, type BranchSites } from './btb';
import type { Counter, StatRegistry } from '../base/stats';
import { resume, type Activity, type ExecutionContext } from './executionContext';
import type { MemorySystem } from './memorySystem';
import { LARGE_FRAME_MASK, PG_ACCESSED, PG_DIRTY, PG_LARGE, PG_PRESENT, PG_USER, PG_WRITABLE } from './paging';
import type { PentiumParameters } from './pentiumParameters';
import type { PhysicalMemory } from './physicalMemory';
import { Tlb, TLB_DIRTY, TLB_FLAGS, TLB_FRAME, TLB_USER, TLB_WRITABLE } from './tlb';

/** Kinds of memory access. */
export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_FETCH = 2;
export type AccessKind = typeof ACCESS_READ | typeof ACCESS_WRITE | typeof ACCESS_FETCH;

/** Slots of the table in which {@link Cpu.execute} remembers code paths' category indices (a power of two). */
const PATH_SLOTS = 128;

/** A TLB entry through which a write goes without side effects. */
const WRITABLE_DIRTY = TLB_WRITABLE | TLB_DIRTY;

/**
 * Whether a TLB entry with `flags` lets an access of `kind` through without side effects: allowed
 * at the privilege level, and a write finds D already set. (`user !== true` rather than `!user`:
 * V8 has no type feedback for a parameter's truth and tests it against every kind of value; the
 * comparison with `true` is one compare.)
 */
function usualHit(flags: number, kind: AccessKind, user: boolean): boolean {
  return (user !== true || (flags & TLB_USER) !== 0) && (kind !== ACCESS_WRITE || (flags & WRITABLE_DIRTY) === WRITABLE_DIRTY);
}

/** Category indices for {@link Cpu.charge}, so hot paths pass a number. */
export const CAT = CATEGORY_INDEX;

/**
 * A kernel code path as data: the instruction cycles it executes with warm caches, the category
 * they go to, and where its code lives (so its I-cache and I-TLB footprint is simulated).
 */
export interface CodePath {
  readonly name: string;
  /** Instruction cycles with all hits (from instruction counts and the timing tables). */
  readonly cycles: number;
  readonly category: CycleCategory;
  /** Linear address of the path's code. */
  readonly address: number;
  /** Bytes of code it executes (its I-cache footprint). */
  readonly bytes: number;
  /** Where the cycle count comes from. */
  readonly source: string;
}

/** What a handler registered in the IDT receives. */
export type InterruptHandler = (vector: number, fault: MachineFault | null) => Activity;

/**
 * Where a kernel put its descriptor tables (what LIDT, LGDT and LTR loaded), as linear addresses,
 * and the GDT selectors its gates and user mode use. The ring transitions read them through the
 * D-TLB and the data cache (Intel SDM Vol. 3 §6.12.1, §7.2.1).
 */
export interface DescriptorTables {
  /** IDTR.base: 8-byte gate descriptors, by vector. */
  readonly idt: number;
  /** GDTR.base: 8-byte segment descriptors, by selector index. */
  readonly gdt: number;
  /** LDTR's base, for selectors with TI set (absent: the kernel uses no LDT selectors). */
  readonly ldt?: number;
  /** TR's TSS base: SS0:ESP0 at offset 4 (changed by LTR or a task switch). */
  tss: number;
  /** Selector of the code segment the gates name (the kernel CS). */
  readonly kernelCode: number;
  /** Selectors IRET loads for user mode (user CS and SS). */
  readonly userCode: number;
  readonly userStack: number;
}

/**
 * Linear address of `selector`'s descriptor: in the LDT if its TI bit is set, else the GDT. As an
 * int32 (see {@link Cpu.access}): kernel addresses above 2 GB would be heap numbers as uint32.
 */
function descriptorAddress(tables: DescriptorTables, selector: number): number {
  return (((selector & 4) !== 0 ? tables.ldt ?? 0 : tables.gdt) + (selector & ~7)) | 0;
}

/** The 8259 as the CPU sees it. */
export interface InterruptController {
  hasPending(): boolean;
  /** INTA: the vector of the highest-priority pending request (now in service), or -1. */
  acknowledge(): number;
}

/**
 * The Pentium core: privilege level, CR3 and the user segment, the MMU (TLBs and the page walker
 * over real page tables in physical memory), the bridge to the cache timing model, interrupt and
 * exception dispatch through an IDT of kernel-supplied handlers, and the run loop over execution
 * contexts. Functional and timing paths are combined here; {@link Inspector} is the side-effect-
 * free path.
 *
 * Memory operations never throw for guest errors: they return how many bytes completed, and on a
 * fault leave its description in {@link fault} for the caller to raise through the IDT.
 */
export class Cpu {
  /** Current privilege level: 0 (kernel) or 3 (user). */
  cpl: 0 | 3 = 0;
  /** Physical address of the current page directory. Change it with {@link loadCr3}. */
  cr3 = 0;
  /** CR4.PSE: 4 MB pages enabled. */
  pse = true;
  /** CR0.WP: supervisor writes honour read-only pages. */
  writeProtect = true;
  /** EFLAGS.IF. User mode always runs with interrupts enabled. */
  interruptsEnabled = false;
  /** Base and limit (inclusive) of the user code/data segments, as L4's small spaces set them. */
  segmentBase = 0;
  segmentLimit = 0xffffffff;
  /** The context now running; kernels change it to switch threads, then `yield`. */
  current: ExecutionContext | null = null;
  /** True while the CPU idles in {@link halt}. */
  halted = false;
  /** The last fault raised by a memory operation (reused object: copy what you keep). */
  readonly fault: MachineFault = { vector: 0, address: 0, errorCode: 0, access: 'read' };
  /** The kernel's descriptor tables; null (no descriptor reads) until a kernel sets them at boot. */
  descriptorTables: DescriptorTables | null = null;
  /** Handlers by vector: the kernel's IDT. */
  readonly idt: Array<InterruptHandler | undefined> = new Array(256);

  readonly dtlb: Tlb;
  readonly dtlbLarge: Tlb;
  readonly itlb: Tlb;
  /** The branch target buffer, or null when `btbEntries` is 0 (every taken branch predicted). */
  readonly btb: BranchTargetBuffer | null;
  private tlbTag = 0;
  /** Code paths run by {@link execute}, by a hash of their address, with their category indices and branch sites. */
  private readonly pathSlots: Array<CodePath | null> = new Array<CodePath | null>(PATH_SLOTS).fill(null);
  private readonly pathSlotCategories = new Int32Array(PATH_SLOTS);
  private readonly pathSlotSites: Array<BranchSites | null> = new Array<BranchSites | null>(PATH_SLOTS).fill(null);
  private readonly byCategory: Float64Array;
  private readonly pageWalks: Counter;
  private readonly faults: Counter;
  private readonly cr3Loads: Counter;
  private readonly interrupts: Counter;

  constructor(
    readonly scheduler: Scheduler,
    readonly accounting: CycleAccounting,
    readonly memory: PhysicalMemory,
    readonly caches: MemorySystem,
    readonly p: PentiumParameters,
    stats: StatRegistry,
    public interruptController: InterruptController | null = null,
  ) {
    this.byCategory = accounting.byCategory;
    this.dtlb = new Tlb('dtlb', p.dtlbEntries, p.dtlbWays, stats);
    this.dtlbLarge = new Tlb('dtlbLarge', p.dtlbLargeEntries, Math.min(4, p.dtlbLargeEntries), stats);
    this.itlb = new Tlb('itlb', p.itlbEntries, p.itlbWays, stats);
    this.btb = p.btbEntries > 0 ? new BranchTargetBuffer(p.btbEntries, stats) : null;
    this.pageWalks = stats.counter('machine.mmu.pageWalks', 'walks', 'hardware page-table walks');
    this.faults = stats.counter('machine.mmu.faults', 'faults', 'page and segment faults raised');
    this.cr3Loads = stats.counter('machine.cpu.cr3Loads', 'loads', 'CR3 writes');
    this.interrupts = stats.counter('machine.cpu.interrupts', 'interrupts', 'hardware interrupts delivered');
  }

  get now(): number {
    return this.scheduler.now;
  }

  // ---- time -------------------------------------------------------------------------------

  /** Spends `cycles` cycles, attributed to category index `category` (see {@link CAT}). */
  charge(cycles: number, category: number): void {
    this.scheduler.now += cycles;
    this.byCategory[category] += cycles;
  }

  /** Runs a declared kernel code path: its instruction cycles plus its I-cache/I-TLB footprint. */
  execute(path: CodePath): void {
    // CAT[name] with a different name at each call is a megamorphic lookup in V8, and a Map of
    // paths a hash lookup: the kernels' paths are few, long-lived and at distinct code
    // addresses, so a small table by address remembers their category indices and branch sites
    // (a path whose slot another one took is looked up again)
    const address = path.address | 0;
    const slot = ((address >>> 5) ^ (address >>> 12)) & (PATH_SLOTS - 1);
    let category: number;
    if (this.pathSlots[slot] === path) {
      category = this.pathSlotCategories[slot];
    } else {
      category = CAT[path.category];
      this.pathSlots[slot] = path;
      this.pathSlotCategories[slot] = category;
      this.pathSlotSites[slot] = path.bytes > 0 ? this.branchSitesOf(path, path.cycles) : null;
    }
    this.charge(path.cycles, category);
    // (as an int32: see access())
    if (path.bytes > 0) this.runCode(address, path.bytes, this.pathSlotSites[slot]);
  }

  /**
   * The taken branches of kernel code `code` (any object that stands for one path) of
   * `instructions` instructions: `takenBranchDensity` per instruction. Null without a BTB.
   */
  branchSitesOf(code: object, instructions: number): BranchSites | null {
    return this.btb?.sites(code, Math.round(instructions * this.p.takenBranchDensity)) ?? null;
  }

  /**
   * The front end of running kernel code at `address`, `bytes` long: its fetch through the I-TLB
   * and the I-cache, and its taken branches `sites` ({@link branchSitesOf}) through the BTB, each
   * one not predicted costing `btbMissPenalty` (category branchMiss).
   */
  runCode(address: number, bytes: number, sites: BranchSites | null): void {
    this.fetchSupervisor(address, bytes);
    if (sites === null || this.btb === null) return;
    const missed = this.btb.run(sites);
    if (missed > 0) this.charge(missed * this.p.btbMissPenalty, CAT.branchMiss);
  }

  /** Spends `cycles` of computation in `category`, letting due interrupts in between. */
  *compute(cycles: number, category: number = CAT.user): Activity {
    let remaining = cycles;
    const scheduler = this.scheduler;
    while (remaining > 0) {
      const room = scheduler.checkpoint - scheduler.now;
      const step = remaining <= room ? remaining : Math.max(0, room);
      this.charge(step, category);
      remaining -= step;
      if (scheduler.now >= scheduler.checkpoint) yield* this.poll();
    }
  }

  // ---- privilege transitions --------------------------------------------------------------

  /**
   * The hardware part of INT n, an exception or a hardware interrupt through an interrupt gate:
   * to ring 0 from user mode (`intOuter`) or at the same level (`intSame`); IF is cleared.
   * Returns the privilege level it came from, for {@link returnFromKernel}.
   */
  enterKernel(vector: number, category: number = CAT.kernelEntry): 0 | 3 {
    const from = this.cpl;
    if (from === 3) this.gateFromUser(vector, category);
    else this.charge(this.p.intSame, category);
    this.cpl = 0;
    this.interruptsEnabled = false;
    return from;
  }

  /** IRET to privilege level `to` (`iretOuter` to ring 3, `iretSame` within ring 0). */
  returnFromKernel(to: 0 | 3, category: number = CAT.kernelEntry): void {
    if (to === 3) this.iretToUser(category);
    else this.charge(this.p.iretSame, category);
    this.cpl = to;
    if (to === 3) this.interruptsEnabled = true;
  }

  /**
   * The timing of INT `vector` (or an exception or interrupt) through a gate from ring 3: the
   * `intOuter` cycles, which assume its descriptor reads hit, plus those reads through the D-TLB
   * and data cache — the gate in the IDT, the target code segment's descriptor in the GDT, and
   * SS0:ESP0 in the TSS — so only their TLB and cache misses cost extra. Privilege and IF are the
   * caller's (trap and interrupt gates differ).
   */
  gateFromUser(vector: number, category: number = CAT.kernelEntry): void {
    this.charge(this.p.intOuter, category);
    const tables = this.descriptorTables;
    if (tables === null) return;
    this.access((tables.idt + (vector & 0xff) * 8) | 0, 8, ACCESS_READ, false);
    this.access(descriptorAddress(tables, tables.kernelCode), 8, ACCESS_READ, false);
    this.access((tables.tss + 4) | 0, 8, ACCESS_READ, false);
  }

  /**
   * The timing of IRET to ring 3: `iretOuter` (descriptor reads hitting) plus the reads of the
   * user CS and SS descriptors it loads from the GDT. Privilege and IF are the caller's.
   */
  iretToUser(category: number = CAT.kernelEntry): void {
    this.charge(this.p.iretOuter, category);
    const tables = this.descriptorTables;
    if (tables === null) return;
    this.access(descriptorAddress(tables, tables.userCode), 8, ACCESS_READ, false);
    this.access(descriptorAddress(tables, tables.userStack), 8, ACCESS_READ, false);
  }

  // ---- control registers and segments -----------------------------------------------------

  /** MOV CR3: switches page directory; on the untagged Pentium this flushes all TLBs. */
  loadCr3(pageDirectory: number, category: number = CAT.addressSpaceSwitch): void {
    this.charge(this.p.movCr3, category);
    this.cr3 = pageDirectory >>> 0;
    this.cr3Loads.value++;
    if (this.p.taggedTlb) {
      this.tlbTag = pageDirectory >>> 12;
    } else {
      this.dtlb.flush();
      this.dtlbLarge.flush();
      this.itlb.flush();
    }
  }

  /** INVLPG for one linear address. */
  invalidatePage(linear: number, category: number = CAT.kernel): void {
    this.charge(this.p.invlpg, category);
    this.dtlb.invalidate(linear >>> 12);
    this.itlb.invalidate(linear >>> 12);
    this.dtlbLarge.invalidate(linear >>> 22);
  }

  /** Loads the user code and data segments (2 segment loads each for CS/SS and DS/ES). */
  loadUserSegment(base: number, limit: number, loads = 4, category: number = CAT.addressSpaceSwitch): void {
    this.charge(loads * this.p.segmentLoad, category);
    this.segmentBase = base >>> 0;
    this.segmentLimit = limit >>> 0;
  }

  // ---- translation ------------------------------------------------------------------------

  /**
   * Translates `linear` for an access of `kind`, from user mode if `user`. Returns the physical
   * address, or -1 with {@link fault} set to the page fault the hardware would raise. Timing: a
   * TLB miss walks the tables through the cache model and is charged to `tlbRefill`.
   */
  translate(linear: number, kind: AccessKind, user: boolean): number {
    const tlb = kind === ACCESS_FETCH ? this.itlb : this.dtlb;
    const index = tlb.lookup(linear >>> 12, this.tlbTag);
    if (index < 0) {
      // not in the 4 KB TLB: a data access may hit the 4 MB D-TLB (every kernel access does),
      // whose usual hit is kept in line too (a call per kernel access cost more than the
      // lookup); else the page walk
      if (kind !== ACCESS_FETCH) {
        const large = this.dtlbLarge;
        const largeIndex = large.lookup(linear >>> 22, this.tlbTag);
        if (largeIndex >= 0) {
          if (usualHit(large.words[largeIndex + TLB_FLAGS], kind, user)) return ((large.words[largeIndex + TLB_FRAME] << 22) | (linear & 0x3fffff)) >>> 0;
          return this.hitWithSideEffects(large, largeIndex, 22, linear, kind, user);
        }
      }
      return this.walk(linear, kind, user);
    }
    const flags = tlb.words[index + TLB_FLAGS];
    // the usual hit (allowed, and a write finds D already set) stays small enough to be inlined
    // into the memory operations; the rest is hitWithSideEffects
    if (usualHit(flags, kind, user)) return ((tlb.words[index + TLB_FRAME] << 12) | (linear & 0xfff)) >>> 0;
    return this.hitWithSideEffects(tlb, index, 12, linear, kind, user);
  }

  /** A TLB hit (pages of `1 << shift` bytes) that faults or, as the first write through a clean entry, sets D. */
  private hitWithSideEffects(tlb: Tlb, index: number, shift: number, linear: number, kind: AccessKind, user: boolean): number {
    const flags = tlb.words[index + TLB_FLAGS];
    if (!this.permitted(flags, kind, user)) return this.protectionFault(linear, kind, user);
    if (kind === ACCESS_WRITE && (flags & TLB_DIRTY) === 0) {
      this.setDirtyBit(linear);
      tlb.setFlags(index, flags | TLB_DIRTY);
    }
    return ((tlb.words[index + TLB_FRAME] << shift) | (linear & ((1 << shift) - 1))) >>> 0;
  }

  private permitted(flags: number, kind: AccessKind, user: boolean): boolean {
    if (user && (flags & TLB_USER) === 0) return false;
    if (kind === ACCESS_WRITE && (flags & TLB_WRITABLE) === 0 && (user || this.writeProtect)) return false;
    return true;
  }

  /** The hardware page walk (Intel SDM Vol. 3 §4.3): PDE, then PTE unless PS; sets A and D. */
  private walk(linear: number, kind: AccessKind, user: boolean): number {
    this.pageWalks.value++;
    const memory = this.memory;
    const caches = this.caches;
    let stall = this.p.tlbWalkBase;
    const pdeAddress = ((this.cr3 & 0xfffff000) + ((linear >>> 22) << 2)) >>> 0;
    stall += caches.walkerRead(pdeAddress);
    const pde = memory.read32(pdeAddress);
    if ((pde & PG_PRESENT) === 0) {
      this.charge(stall, CAT.tlbRefill);
      return this.raisePageFault(linear, kind, user, false);
    }
    if ((pde & PG_LARGE) !== 0 && this.pse) {
      const flags = ((pde & PG_WRITABLE) !== 0 ? TLB_WRITABLE : 0) | ((pde & PG_USER) !== 0 ? TLB_USER : 0);
      if (!this.permitted(flags, kind, user)) {
        this.charge(stall, CAT.tlbRefill);
        return this.raisePageFault(linear, kind, user, true);
      }
      const updated = pde | PG_ACCESSED | (kind === ACCESS_WRITE ? PG_DIRTY : 0);
      if (updated !== pde) memory.write32(pdeAddress, updated >>> 0);
      const dirty = (updated & PG_DIRTY) !== 0 ? TLB_DIRTY : 0;
      this.charge(stall, CAT.tlbRefill);
      const frame = (pde & LARGE_FRAME_MASK) >>> 0;
      if (kind === ACCESS_FETCH) {
        // the I-TLB caches 4 MB pages as 4 KB pieces
        const physical = (frame | (linear & 0x3ff000)) >>> 0;
        this.itlb.insert(linear >>> 12, physical >>> 12, flags | dirty, this.tlbTag);
      } else {
        this.dtlbLarge.insert(linear >>> 22, frame >>> 22, flags | dirty, this.tlbTag);
      }
      return (frame | (linear & 0x3fffff)) >>> 0;
    }
    const pteAddress = ((pde & 0xfffff000) + (((linear >>> 12) & 0x3ff) << 2)) >>> 0;
    stall += caches.walkerRead(pteAddress);
    const pte = memory.read32(pteAddress);
    if ((pte & PG_PRESENT) === 0) {
      this.charge(stall, CAT.tlbRefill);
      return this.raisePageFault(linear, kind, user, false);
    }
    const flags = ((pde & pte & PG_WRITABLE) !== 0 ? TLB_WRITABLE : 0) | ((pde & pte & PG_USER) !== 0 ? TLB_USER : 0);
    if (!this.permitted(flags, kind, user)) {
      this.charge(stall, CAT.tlbRefill);
      return this.raisePageFault(linear, kind, user, true);
    }
    if ((pde & PG_ACCESSED) === 0) memory.write32(pdeAddress, (pde | PG_ACCESSED) >>> 0);
    const updated = pte | PG_ACCESSED | (kind === ACCESS_WRITE ? PG_DIRTY : 0);
    if (updated !== pte) memory.write32(pteAddress, updated >>> 0);
    this.charge(stall, CAT.tlbRefill);
    const tlb = kind === ACCESS_FETCH ? this.itlb : this.dtlb;
    tlb.insert(linear >>> 12, pte >>> 12, flags | ((updated & PG_DIRTY) !== 0 ? TLB_DIRTY : 0), this.tlbTag);
    return ((pte & 0xfffff000) | (linear & 0xfff)) >>> 0;
  }

  /** First write through a clean TLB entry: the CPU sets D in the PTE with a locked cycle. */
  private setDirtyBit(linear: number): void {
    this.charge(this.p.dirtyBitUpdate, CAT.tlbRefill);
    const pdeAddress = ((this.cr3 & 0xfffff000) + ((linear >>> 22) << 2)) >>> 0;
    const pde = this.memory.read32(pdeAddress);
    if ((pde & PG_PRESENT) === 0) return;
    if ((pde & PG_LARGE) !== 0 && this.pse) {
      this.memory.write32(pdeAddress, (pde | PG_DIRTY | PG_ACCESSED) >>> 0);
      return;
    }
    const pteAddress = ((pde & 0xfffff000) + (((linear >>> 12) & 0x3ff) << 2)) >>> 0;
    const pte = this.memory.read32(pteAddress);
    if ((pte & PG_PRESENT) !== 0) this.memory.write32(pteAddress, (pte | PG_DIRTY | PG_ACCESSED) >>> 0);
  }

  private protectionFault(linear: number, kind: AccessKind, user: boolean): number {
    return this.raisePageFault(linear, kind, user, true);
  }

  private raisePageFault(linear: number, kind: AccessKind, user: boolean, present: boolean): number {
    this.faults.value++;
    const fault = this.fault;
    fault.vector = VECTOR.pageFault;
    fault.address = linear >>> 0;
    fault.errorCode = (present ? PAGE_FAULT_PRESENT : 0) | (kind === ACCESS_WRITE ? PAGE_FAULT_WRITE : 0) | (user ? PAGE_FAULT_USER : 0);
    fault.access = kind === ACCESS_WRITE ? 'write' : kind === ACCESS_FETCH ? 'fetch' : 'read';
    return -1;
  }

  private segmentFault(offset: number, kind: AccessKind): void {
    this.faults.value++;
    const fault = this.fault;
    fault.vector = VECTOR.generalProtection;
    fault.address = offset >>> 0;
    fault.errorCode = 0;
    fault.access = kind === ACCESS_WRITE ? 'write' : kind === ACCESS_FETCH ? 'fetch' : 'read';
  }

  /**
   * Applies the user segment to a user-mode offset: the linear address, or -1 with a #GP in
   * {@link fault} when `offset + length - 1` is beyond the segment limit.
   */
  userLinear(offset: number, length: number, kind: AccessKind): number {
    const last = offset + Math.max(length, 1) - 1;
    if (offset < 0 || last > this.segmentLimit) {
      this.segmentFault(offset, kind);
      return -1;
    }
    return (this.segmentBase + offset) >>> 0;
  }

  /**
   * {@link access} of `length` bytes at user-mode `offset` through the user segment: the bytes
   * completed, 0 with a #GP in {@link fault} when beyond the segment limit. Prefer it to
   * {@link userLinear} + {@link access}: the linear address stays an int32 here, where a small
   * space's (above 2 GB) returned as a uint32 would be a heap number allocated at each call.
   */
  userAccess(offset: number, length: number, kind: AccessKind): number {
    const last = offset + Math.max(length, 1) - 1;
    if (offset < 0 || last > this.segmentLimit) {
      this.segmentFault(offset, kind);
      return 0;
    }
    return this.access((this.segmentBase + offset) | 0, length, kind, true);
  }

  // ---- memory operations (functional + timing) -------------------------------------------

  /**
   * Touches `length` bytes at `linear` as an access of `kind` (timing and A/D bits, no data).
   * Returns the bytes completed: `length`, or fewer with {@link fault} set.
   */
  access(linear: number, length: number, kind: AccessKind, user: boolean): number {
    // linear addresses travel as int32 inside the MMU (translate() only looks at their bits): a
    // uint32 above 2 GB (every kernel address) is not a small integer for V8 and would be
    // allocated as a heap number at each call
    const first = linear | 0;
    if (length > 0 && (first & 0xfff) + length <= 4096) {
      // within one page (nearly every access): the loop below, unrolled once
      const physical = this.translate(first, kind, user);
      if (physical < 0) return 0;
      const stall = this.lineStalls(physical, length, kind);
      if (stall > 0) this.charge(stall, CAT.cacheMiss);
      return length;
    }
    let done = 0;
    let stall = 0;
    while (done < length) {
      const address = (linear + done) | 0;
      const physical = this.translate(address, kind, user);
      if (physical < 0) break;
      const chunk = Math.min(4096 - (address & 0xfff), length - done);
      stall += this.lineStalls(physical, chunk, kind);
      done += chunk;
    }
    if (stall > 0) this.charge(stall, CAT.cacheMiss);
    return done;
  }

  /** Cache stalls of an access to `length` bytes at `physical` (within one page). */
  private lineStalls(physical: number, length: number, kind: AccessKind): number {
    const caches = this.caches;
    const line = physical >>> caches.lineShift;
    if (line === (physical + length - 1) >>> caches.lineShift) {
      // within one line (most accesses): one lookup, no loop
      if (kind === ACCESS_READ) return caches.readDataLine(line);
      return kind === ACCESS_FETCH ? caches.readCodeLine(line) : caches.writeData(physical, length);
    }
    return this.spanStalls(physical, length, kind);
  }

  /** {@link lineStalls} of an access that spans several lines, line by line. */
  private spanStalls(physical: number, length: number, kind: AccessKind): number {
    const caches = this.caches;
    let stall = 0;
    if (kind === ACCESS_WRITE) {
      // writes cost per dword, so each line's piece keeps its length
      const lineBytes = caches.lineBytes;
      let offset = 0;
      while (offset < length) {
        const p = physical + offset;
        const room = lineBytes - (p & (lineBytes - 1));
        const inLine = room < length - offset ? room : length - offset;
        stall += caches.writeData(p, inLine);
        offset += inLine;
      }
      return stall;
    }
    const first = physical >>> caches.lineShift;
    const last = (physical + length - 1) >>> caches.lineShift;
    return kind === ACCESS_FETCH ? caches.readCodeLines(first, last) : caches.readDataLines(first, last);
  }

  /** Instruction fetch of kernel code (supervisor): must not fault. */
  fetchSupervisor(linear: number, length: number): void {
    const first = linear | 0;
    if (length > 0 && (first & 0xfff) + length <= 4096) {
      // a kernel path's code within one page (every path): access() without its layers, as
      // every kernel entry runs several paths; readCodeLines of one line is readCodeLine
      const physical = this.translate(first, ACCESS_FETCH, false);
      if (physical >= 0) {
        const caches = this.caches;
        const stall = caches.readCodeLines(physical >>> caches.lineShift, (physical + length - 1) >>> caches.lineShift);
        if (stall > 0) this.charge(stall, CAT.cacheMiss);
        return;
      }
    } else if (this.access(linear, length, ACCESS_FETCH, false) === length) {
      return;
    }
    throw new Error(`kernel code at 0x${(linear >>> 0).toString(16)} is not mapped (fault at 0x${this.fault.address.toString(16)})`);
  }

  /** Reads `length` bytes at `linear` into `target[targetOffset...]`. Returns bytes completed. */
  read(linear: number, target: Uint8Array, targetOffset: number, length: number, user: boolean): number {
    let done = 0;
    while (done < length) {
      const address = (linear + done) | 0;
      const chunk = Math.min(4096 - (address & 0xfff), length - done);
      const physical = this.translate(address, ACCESS_READ, user);
      if (physical < 0) break;
      const stall = this.lineStalls(physical, chunk, ACCESS_READ);
      if (stall > 0) this.charge(stall, CAT.cacheMiss);
      target.set(this.memory.bytes.subarray(physical, physical + chunk), targetOffset + done);
      done += chunk;
    }
    return done;
  }

  /** Writes `source[sourceOffset...]` to `linear`. Returns bytes completed. */
  write(linear: number, source: Uint8Array, sourceOffset: number, length: number, user: boolean): number {
    let done = 0;
    while (done < length) {
      const address = (linear + done) | 0;
      const chunk = Math.min(4096 - (address & 0xfff), length - done);
      const physical = this.translate(address, ACCESS_WRITE, user);
      if (physical < 0) break;
      const stall = this.lineStalls(physical, chunk, ACCESS_WRITE);
      if (stall > 0) this.charge(stall, CAT.cacheMiss);
      this.memory.bytes.set(source.subarray(sourceOffset + done, sourceOffset + done + chunk), physical);
      done += chunk;
    }
    return done;
  }

  /**
   * REP MOVSD from `source` to `target` (both linear, in the current address space), line by line
   * through the caches. With `preReadTarget` each destination line is read first, which turns the
   * Pentium's non-allocating write misses into hits (what L4 does for long IPC, SOSP'97 §6.1).
   * Without it, write misses drain through the write buffers in parallel with the copy loop, so
   * a line of them stalls for its bus time minus the loop's own cycles for that line.
   * Instruction cycles go to `category`; stalls to cacheMiss and tlbRefill. Returns bytes done.
   */
  copy(
    source: number,
    target: number,
    length: number,
    sourceUser: boolean,
    targetUser: boolean,
    preReadTarget = false,
    category: number = CAT.copy,
  ): number {
    if (length <= 0) return 0;
    // Time: the loop's instruction cycles (the startup, then each destination line's MOVSDs) are
    // told to the memory system as they go (caches.elapse), so that a posted write-back drains
    // while the following lines are copied; each page's instructions and stalls are charged
    // after it, which brings the clock to the DRAM's time before the next page's translations
    // (their page walks are charged at once). Charged at once up front instead, the
    // instructions would already be in the clock while the DRAM counts them again line by line.
    const p = this.p;
    const caches = this.caches;
    const lineBytes = caches.lineBytes;
    const bytes = this.memory.bytes;
    const instructions = p.repMovsStartup + ((length + 3) >>> 2) * p.repMovsPerDword;
    let charged = 0;
    let done = 0;
    while (done < length) {
      const from = (source + done) | 0;
      const to = (target + done) | 0;
      const chunk = Math.min(4096 - (from & 0xfff), 4096 - (to & 0xfff), length - done);
      const fromPhysical = this.translate(from, ACCESS_READ, sourceUser);
      if (fromPhysical < 0) break;
      const toPhysical = this.translate(to, ACCESS_WRITE, targetUser);
      if (toPhysical < 0) break;
      let work = 0;
      if (done === 0) {
        work = p.repMovsStartup;
        caches.elapse(work);
      }
      let stall = 0;
      // timing, in destination-line steps; each step reads the source bytes it needs
      let offset = 0;
      while (offset < chunk) {
        const t = toPhysical + offset;
        const s = fromPhysical + offset;
        const step = Math.min(lineBytes - (t & (lineBytes - 1)), chunk - offset);
        // the pre-read comes before the line's first source read: it is what makes the line's
        // writes hit, and it refreshes a destination line that is already cached before the
        // source's fill could evict it from its 2-way set
        if (preReadTarget) stall += caches.readData(t);
        stall += caches.readData(s);
        if (((s + step - 1) ^ s) >>> caches.lineShift !== 0) stall += caches.readData(s + step - 1);
        // the MOVSDs of the step: the dwords it completes (of the whole copy's ceil(length / 4))
        const at = done + offset;
        const loop = (((at + step + 3) >>> 2) - ((at + 3) >>> 2)) * p.repMovsPerDword;
        work += loop;
        // a write that misses L1 goes out through the P5's write buffers (one per pipe, Pentium
        // Dev. Manual Vol.1 §2.x) while the step's MOVSDs run: only the bus time beyond them
        // stalls. The miss path has moved the DRAM's time by the bus time already, so only the
        // MOVSDs beyond it are left to elapse: the step takes max(bus time, MOVSDs) once.
        const write = caches.writeData(t, step);
        if (write > p.l1HitExtra) {
          stall += write > loop ? write - loop : 0;
          caches.elapse(loop > write ? loop - write : 0);
        } else {
          stall += write;
          caches.elapse(loop);
        }
        offset += step;
      }
      bytes.copyWithin(toPhysical, fromPhysical, fromPhysical + chunk);
      done += chunk;
      this.charge(work, category);
      charged += work;
      if (stall > 0) this.charge(stall, CAT.cacheMiss);
    }
    // a copy stopped by a fault is charged its whole instruction count, as it always was
    if (instructions > charged) this.charge(instructions - charged, category);
    return done;
  }

  /** Convenience: reads one 32-bit word, or returns undefined with {@link fault} set. */
  read32(linear: number, user: boolean): number | undefined {
    const physical = this.translate(linear, ACCESS_READ, user);
    if (physical < 0) return undefined;
    if ((physical & 0xfff) > 0xffc) {
      const scratch = new Uint8Array(4);
      if (this.read(linear, scratch, 0, 4, user) !== 4) return undefined;
      return (scratch[0] | (scratch[1] << 8) | (scratch[2] << 16) | (scratch[3] << 24)) >>> 0;
    }
    const stall = this.caches.readData(physical);
    if (stall > 0) this.charge(stall, CAT.cacheMiss);
    return this.memory.read32(physical);
  }

  /** Convenience: writes one 32-bit word; false with {@link fault} set on a fault. */
  write32(linear: number, value: number, user: boolean): boolean {
    const physical = this.translate(linear, ACCESS_WRITE, user);
    if (physical < 0) return false;
    if ((physical & 0xfff) > 0xffc) {
      const scratch = new Uint8Array([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]);
      return this.write(linear, scratch, 0, 4, user) === 4;
    }
    const stall = this.caches.writeData(physical, 4);
    if (stall > 0) this.charge(stall, CAT.cacheMiss);
    this.memory.write32(physical, value >>> 0);
    return true;
  }

  // ---- interrupts, exceptions and the run loop ------------------------------------------

  /** Raises an exception through the IDT (the handler charges the entry/exit it performs). */
  *raise(fault: MachineFault): Activity {
    const handler = this.idt[fault.vector];
    if (handler === undefined) throw new Error(`no handler for exception vector ${fault.vector} (address 0x${fault.address.toString(16)})`);
    const copy: MachineFault = { ...fault };
    yield* handler(copy.vector, copy);
  }

  /**
   * The interrupt check at an operation boundary: fires due device events, delivers pending
   * hardware interrupts if IF is set, and yields to the host if its budget is due.
   */
  *poll(): Activity {
    const scheduler = this.scheduler;
    if (scheduler.now < scheduler.checkpoint) return;
    scheduler.fireDue();
    const controller = this.interruptController;
    while (controller !== null && this.interruptsEnabled && controller.hasPending()) {
      const vector = controller.acknowledge();
      if (vector < 0) break;
      const handler = this.idt[vector];
      if (handler === undefined) throw new Error(`no handler for interrupt vector ${vector}`);
      this.interrupts.value++;
      yield* handler(vector, null);
      scheduler.fireDue();
    }
    if (scheduler.hostCheckDue) yield;
  }

  /**
   * HLT: idles (category idle) until the next event, then takes interrupts. Always yields once
   * before returning, so the run loop can look at its stop condition on every wake-up.
   */
  *halt(): Activity {
    const scheduler = this.scheduler;
    const next = scheduler.nextEventTime;
    if (next === Number.POSITIVE_INFINITY) {
      // nothing can ever wake the machine: let the host decide (its run loop sees `halted`)
      this.halted = true;
      yield;
      this.halted = false;
      return;
    }
    if (next > scheduler.now) this.charge(next - scheduler.now, CAT.idle);
    this.halted = true;
    const enabled = this.interruptsEnabled;
    this.interruptsEnabled = true;
    yield* this.poll();
    this.interruptsEnabled = enabled;
    this.halted = false;
    yield;
  }

  /**
   * Runs contexts until `stop()` is true, the host budget expires or a context fails. Resumes
   * `current` after every yield. A context that finishes while still current ends the run.
   */
  run(stop: () => boolean, hostBudgetCycles = Number.POSITIVE_INFINITY): RunOutcome {
    const scheduler = this.scheduler;
    if (hostBudgetCycles !== Number.POSITIVE_INFINITY) scheduler.requestCheckAt(scheduler.now + hostBudgetCycles);
    try {
      for (;;) {
        if (stop()) return 'stopped';
        const context = this.current;
        if (context === null) return 'noContext';
        if (scheduler.hostCheckDue) return 'budget';
        let result: IteratorResult<void, void>;
        try {
          result = resume(context.generator, context.native);
        } catch (error) {
          context.finished = true;
          context.failure = error;
          if (this.current === context) this.current = null;
          return 'failed';
        }
        if (result.done === true) {
          context.finished = true;
          if (this.current === context) {
            this.current = null;
            return 'finished';
          }
        }
        if (this.halted && scheduler.nextEventTime === Number.POSITIVE_INFINITY) return 'idle';
      }
    } finally {
      scheduler.clearHostCheck();
    }
  }
}

/** Why {@link Cpu.run} returned. */
export type RunOutcome = 'stopped' | 'budget' | 'finished' | 'failed' | 'idle' | 'noContext';
