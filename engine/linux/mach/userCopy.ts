import { PAGE_SIZE } from '../../base/frameAllocator';
import { CAT, type CodePath, type Cpu } from '../../machine/cpu';
import type { Activity, Operation } from '../../machine/executionContext';
import { PG_PRESENT, PG_WRITABLE } from '../../machine/paging';
import { KERN } from '../../mach/machConstants';
import type { MachKernel } from '../../mach/machKernel';
import type { Task as MachTask } from '../../mach/task';
import { EFAULT } from '../core/errno';
import type { LinuxKernel } from '../core/kernel';
import { TASK_SIZE, type MemoryMap } from '../core/mm';
import type { Task } from '../core/task';
import type { MkActor } from './mklinux';
import type { MkLinuxProcess } from './mklinuxProcess';
import type { UserMemoryCache } from './userMemory';

/** How the pager answered for a page: supplied, or why Linux refused ('io': a failed read). */
export type PageResolution = 'ok' | 'segv' | 'oom' | 'io';

/** What the copy paths need from the MkLinux substrate. */
export interface UserCopyHost {
  readonly cpu: Cpu;
  readonly mach: MachKernel;
  readonly kernel: LinuxKernel;
  readonly serverTask: MachTask;
  /** Where the server reaches physical address `physical`. */
  kernelLinear(physical: number): number;
  /** Sends the pending memory_object_lock_request flushes (before the memory objects are consulted). */
  sendFlushes(by: MkLinuxProcess): Activity;
  /** The pager's work for the page of `address`: Linux's fault handler, then data_supply, by the thread of `by`. */
  resolvePage(process: MkLinuxProcess, address: number, write: boolean, by: MkActor): Operation<PageResolution>;
}

/** The copy paths' costs (engine/linux/mach/mklinuxParameters.ts). */
export interface UserCopyPaths {
  /** copy_from_user/copy_to_user's call overhead. */
  readonly call: CodePath;
  /** One software walk of Linux's page tables. */
  readonly walk: CodePath;
  /** server_thread_blocking/unblocking around the server's memcpy or COPYIN/COPYOUT (cycles). */
  readonly blockingCycles: number;
  /** The co-located server's COPYIN/COPYOUT: klcopyin/klcopyout around the kernel's copyin/copyout. */
  readonly kernelLoadedCopy: CodePath;
}

/** copy_from_user/copy_to_user of the MkLinux server, in its three ways (see {@link copy}). */
export class UserCopy {
  /** `cache` is the user-mode server's share cache; null co-located. */
  constructor(private readonly host: UserCopyHost, private readonly paths: UserCopyPaths, private readonly cache: UserMemoryCache | null) {}

  /**
   * copy_from_user/copy_to_user (MkLinux osfmach3/server/user_copy.c). The user-mode server copies
   * through its share cache of remapped user memory ({@link remappedCopy}); the co-located server
   * (in_kernel: COPYIN/COPYOUT on the task port) copies through the process's own address space,
   * in which its activation runs ({@link kernelCopy}). A copy from another thread than the
   * process's own (co-located) walks Linux's page tables in software and copies through the
   * kernel's mapping of the frame.
   */
  *copy(task: Task, holder: MkActor | null, user: number, server: number, length: number, toUser: boolean): Operation<number> {
    if (length === 0) return 0;
    const mm = task.mm;
    if (user < 0 || user + length > TASK_SIZE || mm === null) return -EFAULT;
    const process = task.substrateData as MkLinuxProcess | undefined;
    if (process !== undefined && holder !== null) {
      if (this.cache !== null && process.userMemory !== null) return yield* this.remappedCopy(process, holder, user, server, length, toUser);
      if (holder.thread === process.userThread && this.host.cpu.cr3 === process.machTask.map.pmap.directory) return yield* this.kernelCopy(process, holder, user, server, length, toUser);
    }
    return yield* this.softwareCopy(task, mm, user, server, length, toUser);
  }

  /** The fallback: per page a software walk of Linux's tables (Linux's fault handler if needed), a copy through the kernel's mapping of the frame. */
  private *softwareCopy(task: Task, mm: MemoryMap, user: number, server: number, length: number, toUser: boolean): Operation<number> {
    const cpu = this.host.cpu;
    const kernel = this.host.kernel;
    cpu.execute(this.paths.call);
    let done = 0;
    while (done < length) {
      const address = user + done;
      cpu.execute(this.paths.walk);
      const pte = kernel.mm.pte(mm, address);
      if ((pte & PG_PRESENT) === 0 || (toUser && (pte & PG_WRITABLE) === 0)) {
        const result = kernel.mm.handleFault(mm, address, toUser);
        if (result === 'io') {
          const pending = kernel.mm.pendingRead!;
          if ((yield* kernel.disk.readPage(task, pending.inode, pending.index)) < 0) return -EFAULT;
          continue;
        }
        if (result !== 'ok') return -EFAULT;
        continue;
      }
      const chunk = Math.min(length - done, PAGE_SIZE - (address & (PAGE_SIZE - 1)));
      const userLinear = this.host.kernelLinear(((pte & 0xfffff000) >>> 0) + (address & (PAGE_SIZE - 1)));
      if (toUser) cpu.copy(server + done, userLinear, chunk, false, false, false, CAT.copy);
      else cpu.copy(userLinear, server + done, chunk, false, false, false, CAT.copy);
      done += chunk;
    }
    return length;
  }

  /**
   * MkLinux's remap_user_copyin/copyout: the process's pages must be in its memory object (when
   * the server's access to a page the kernel does not hold faults, vm_fault asks the server's own
   * pager, which runs Linux's fault handler and supplies it; here the supply is made directly, not
   * through a data_request message to a second server thread); user_memory_lookup finds or
   * vm_remaps the range; the server's first touch of each remapped page faults into vm_fault
   * (the shared object holds the page, so it is just entered in the server's pmap); the memcpy
   * runs with the master lock given up (server_thread_blocking).
   */
  private *remappedCopy(process: MkLinuxProcess, holder: MkActor, user: number, server: number, length: number, toUser: boolean): Operation<number> {
    // the copying thread is the master lock's holder (a process's own server thread, or another's)
    const guest = holder.guest;
    if (guest === null) return -EFAULT;
    const cpu = this.host.cpu;
    cpu.execute(this.paths.call);
    if (!(yield* this.makeResident(process, holder, user, length, toUser))) return -EFAULT;
    const mapped = yield* this.cache!.lookup(guest, process.userMemory!, user, length, toUser);
    if (mapped < 0) return -EFAULT;
    const pmap = this.host.serverTask.map.pmap;
    for (let page = (mapped & ~(PAGE_SIZE - 1)) >>> 0; page < mapped + length; page += PAGE_SIZE) {
      const pte = pmap.lookup(page);
      if ((pte & PG_PRESENT) === 0 || (toUser && (pte & PG_WRITABLE) === 0)) yield* guest.touch(page, 1, toUser);
    }
    cpu.charge(this.paths.blockingCycles, CAT.linuxServer);
    let done = 0;
    for (let attempt = 0; done < length; attempt++) {
      done += toUser ? cpu.copy(server + done, mapped + done, length - done, true, true, false, CAT.copy) : cpu.copy(mapped + done, server + done, length - done, true, true, false, CAT.copy);
      if (done < length) {
        if (attempt > 2 * Math.ceil(length / PAGE_SIZE) + 2) return -EFAULT;
        yield* cpu.raise(cpu.fault);
      }
    }
    return length;
  }

  /**
   * The co-located server's COPYIN/COPYOUT (OSF MK i386/i386_rpc.c klcopyin/klcopyout, with the
   * master lock given up around them as in user_copy.c copyin/copyout): the task port's name is
   * translated to its map (port_name_to_map), which PMAP_SWITCH_USER makes the activation's (no CR3
   * load: the process's pmap is already the real one), and the kernel's copyin/copyout runs on the
   * kernel stack. The copy goes through the user addresses; a page Mach does not map yet faults
   * into vm_fault (the kernel's copyin fault recovery), which finds it in the memory object.
   */
  private *kernelCopy(process: MkLinuxProcess, holder: MkActor, user: number, server: number, length: number, toUser: boolean): Operation<number> {
    const cpu = this.host.cpu;
    cpu.execute(this.paths.call);
    this.host.mach.execute(this.host.mach.paths.entryLookup);
    cpu.execute(this.paths.kernelLoadedCopy);
    cpu.charge(this.paths.blockingCycles, CAT.linuxServer);
    if (!(yield* this.makeResident(process, holder, user, length, toUser))) return -EFAULT;
    const map = process.machTask.map;
    for (let page = (user & ~(PAGE_SIZE - 1)) >>> 0; page < user + length; page += PAGE_SIZE) {
      const pte = map.pmap.lookup(page);
      if ((pte & PG_PRESENT) !== 0 && (!toUser || (pte & PG_WRITABLE) !== 0)) continue;
      this.host.mach.execute(this.host.mach.paths.exceptionEntry);
      if ((yield* map.fault(holder.thread, page, toUser)) !== KERN.SUCCESS) return -EFAULT;
    }
    const done = toUser ? cpu.copy(server, user, length, false, false, false, CAT.copy) : cpu.copy(user, server, length, false, false, false, CAT.copy);
    return done === length ? length : -EFAULT;
  }

  /**
   * The user pages of [user, user + length) must be in the process's memory object (writable for
   * a copy to user) before the server touches them: when its access faults, vm_fault asks the
   * server's own pager, which runs Linux's fault handler and supplies the page. Here the supply is
   * made directly (no data_request message to a second server thread). False if Linux refuses.
   */
  private *makeResident(process: MkLinuxProcess, holder: MkActor, user: number, length: number, write: boolean): Operation<boolean> {
    yield* this.host.sendFlushes(process);
    const object = this.host.mach.pagers.objectOf(process.pagerPort);
    for (let page = (user & ~(PAGE_SIZE - 1)) >>> 0; page < user + length; page += PAGE_SIZE) {
      const index = page / PAGE_SIZE;
      if (object !== undefined && object.pages.has(index) && !(write && object.writeLocked.has(index))) continue;
      // the faulting address itself, not its page: Linux's stack growth checks it against ESP
      if ((yield* this.host.resolvePage(process, Math.max(page, user), write, holder)) !== 'ok' || object?.pages.has(index) !== true) return false;
    }
    return true;
  }
}
