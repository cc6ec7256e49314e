import { PAGE_SIZE } from '../../base/frameAllocator';
import { CAT, type CodePath, type Cpu } from '../../machine/cpu';
import type { Operation } from '../../machine/executionContext';
import type { MachGuest } from '../../mach/guestApi';
import { KERN, VM_INHERIT, VM_PROT } from '../../mach/machConstants';

/** USER_HASH_SIZE of MkLinux's osfmach3/server/user_memory.c (a prime). */
const HASH_BUCKETS = 997;
/** USER_MEMORY_SIZE: at most four regions per bucket before the least recently used is flushed. */
const CAPACITY = HASH_BUCKETS * 4;

/** A range of a process's memory remapped into the server (MkLinux's `struct user_memory`). */
interface Region {
  readonly owner: UserMemoryOwner;
  /** First user page of the range (its address). */
  readonly userStart: number;
  serverAddress: number;
  size: number;
  protection: number;
}

/** What the cache keeps per process (the osfmach3 task's user_memory list and its two hints). */
export interface UserMemoryOwner {
  /** Hash key part: the Linux pid. */
  readonly pid: number;
  /** The server's send right to the process's Mach task port (vm_remap's source). */
  readonly taskName: number;
  readonly regions: Set<Region>;
  hints: [Region | null, Region | null];
}

/** The cache's instruction paths (engine/linux/mach/mklinuxParameters.ts). */
export interface UserMemoryPaths {
  /** user_memory_lookup through a hint, and the unlock after the copy. */
  readonly hint: CodePath;
  /** user_memory_slow_lookup: the hash (one DIV) and the bucket scan's fixed part. */
  readonly slow: CodePath;
  /** Per region compared in a hash chain. */
  readonly chainStep: number;
  /** map_region's bookkeeping around vm_remap: kmalloc the descriptor, link it in the hash, task and MRU lists. */
  readonly insert: CodePath;
}

/**
 * The Linux server's share cache of user memory (MkLinux osfmach3/server/user_memory.c): the
 * user-mode server reaches a process's memory by vm_remap'ing the range into its own address
 * space (shared, not copied), keeps the mapping in a hash of at most 3988 regions with an MRU
 * list, and finds it next time through one of two per-task hints or the hash. A miss costs a
 * vm_remap RPC to the kernel (and the server's first touch of each page a page fault resolved
 * by vm_fault on the shared object); a region too small is remapped bigger and the old mapping
 * deallocated; the least recently used region is vm_deallocate'd when the cache is full, and a
 * process's regions when it exits.
 */
export class UserMemoryCache {
  private readonly buckets = new Map<number, Region[]>();
  /** Regions from least to most recently used (insertion order of a Map). */
  private readonly recent = new Map<Region, true>();
  /** Server ranges to vm_deallocate at the next opportunity (regions of exited processes). */
  private readonly doomed: Array<{ address: number; size: number }> = [];
  /** The server's name for its own task port (libmach caches mach_task_self_ at startup). */
  private self = 0;

  constructor(private readonly cpu: Cpu, private readonly paths: UserMemoryPaths) {}

  /** A new process's (empty) share-cache state. */
  owner(pid: number, taskName: number): UserMemoryOwner {
    return { pid, taskName, regions: new Set(), hints: [null, null] };
  }

  /**
   * user_memory_lookup: the server address of user [address, address + size) of `owner` with
   * `write` access, remapping it on a miss; -1 when Mach refuses (no such memory, or not writable).
   */
  *lookup(guest: MachGuest, owner: UserMemoryOwner, address: number, size: number, write: boolean): Operation<number> {
    this.cpu.execute(this.paths.hint);
    const needed = write ? VM_PROT.WRITE : VM_PROT.READ;
    let region = owner.hints.find((r) => r !== null && address >= r.userStart && address + size < r.userStart + r.size) ?? null;
    if (region === null) {
      region = yield* this.slowLookup(guest, owner, address, size, write);
      if (region === null) return -1;
      if (owner.hints[0] === null) owner.hints[0] = region;
      else if (owner.hints[1] === null) owner.hints[1] = region;
      else owner.hints = [owner.hints[1], region];
    }
    if ((region.protection & needed) !== needed) return -1;
    return region.serverAddress + address - region.userStart;
  }

  /** user_memory_slow_lookup: the hash chain, else map_region; extends a region found too small. */
  private *slowLookup(guest: MachGuest, owner: UserMemoryOwner, address: number, size: number, write: boolean): Operation<Region | null> {
    const cpu = this.cpu;
    cpu.execute(this.paths.slow);
    const page = Math.floor(address / PAGE_SIZE);
    const start = page * PAGE_SIZE;
    const bucket = this.bucketOf(owner, page);
    let steps = 0;
    const found = bucket.find((r) => {
      steps++;
      return r.owner === owner && r.userStart === start;
    });
    cpu.charge(steps * this.paths.chainStep, CAT.linuxServer);
    const wanted = Math.ceil((address + size) / PAGE_SIZE) * PAGE_SIZE - start;
    if (found === undefined) {
      while (this.recent.size >= CAPACITY) yield* this.flushOldest(guest);
      const mapped = yield* this.remap(guest, owner, start, wanted, write);
      if (mapped === null) return null;
      cpu.execute(this.paths.insert);
      const region: Region = { owner, userStart: start, ...mapped };
      bucket.push(region);
      owner.regions.add(region);
      this.recent.set(region, true);
      return region;
    }
    if (found.size < wanted) {
      // map_region_bigger: a new mapping of the longer range, then the old one goes
      const mapped = yield* this.remap(guest, owner, start, wanted, write);
      if (mapped === null) return null;
      yield* guest.vmDeallocate(yield* this.taskSelf(guest), found.serverAddress, found.size);
      Object.assign(found, mapped);
    }
    this.recent.delete(found);
    this.recent.set(found, true);
    return found;
  }

  /** vm_remap of user [start, start + size) into the server, anywhere, shared, not inherited. */
  private *remap(guest: MachGuest, owner: UserMemoryOwner, start: number, size: number, write: boolean): Operation<{ serverAddress: number; size: number; protection: number } | null> {
    const self = yield* this.taskSelf(guest);
    const result = yield* guest.vmRemap(self, 0, size, true, owner.taskName, start, false, VM_INHERIT.NONE);
    if (result !== KERN.SUCCESS) return null;
    const protection = guest.out[1];
    if (write && (protection & VM_PROT.WRITE) === 0) {
      yield* guest.vmDeallocate(self, guest.out[0] >>> 0, size);
      return null;
    }
    return { serverAddress: guest.out[0] >>> 0, size, protection };
  }

  /** user_memory_flush_lru: unlinks and deallocates the least recently used region. */
  private *flushOldest(guest: MachGuest): Operation<void> {
    const oldest = this.recent.keys().next().value as Region;
    this.unlink(oldest);
    yield* guest.vmDeallocate(yield* this.taskSelf(guest), oldest.serverAddress, oldest.size);
  }

  /** user_memory_flush_task: the regions of an exiting process leave the cache; their mappings are deallocated by {@link drain}. */
  forget(owner: UserMemoryOwner): void {
    for (const region of [...owner.regions]) {
      this.unlink(region);
      this.doomed.push({ address: region.serverAddress, size: region.size });
    }
  }

  /** vm_deallocate of the mappings of exited processes' regions, by a server thread. */
  *drain(guest: MachGuest): Operation<void> {
    while (this.doomed.length > 0) {
      const range = this.doomed.shift()!;
      yield* guest.vmDeallocate(yield* this.taskSelf(guest), range.address, range.size);
    }
  }

  private unlink(region: Region): void {
    const owner = region.owner;
    const bucket = this.bucketOf(owner, region.userStart / PAGE_SIZE);
    bucket.splice(bucket.indexOf(region), 1);
    owner.regions.delete(region);
    this.recent.delete(region);
    owner.hints = owner.hints[0] === region ? [owner.hints[1] === region ? null : owner.hints[1], null] : [owner.hints[0], owner.hints[1] === region ? null : owner.hints[1]];
  }

  private *taskSelf(guest: MachGuest): Operation<number> {
    if (this.self === 0) this.self = yield* guest.machTaskSelf();
    return this.self;
  }

  /** USER_MEMORY_HASH(task, page): ((page << 15) ^ pid) % USER_HASH_SIZE. */
  private bucketOf(owner: UserMemoryOwner, page: number): Region[] {
    const index = (((page << 15) ^ owner.pid) >>> 0) % HASH_BUCKETS;
    let bucket = this.buckets.get(index);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(index, bucket);
    }
    return bucket;
  }
}
