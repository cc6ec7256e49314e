import { defineParameters, ParameterTable, type ParameterOverrides } from '../../base/parameters';

/**
 * The MkLinux substrate's own paths: the Linux server's
 * request demultiplexing (ux_server_loop-style), the server's master lock (a cthreads mutex; only
 * one server thread runs Linux code at a time, as in MkLinux's uniprocessor server), the software
 * translation used by copy_from_user/copy_to_user, and the pager and interrupt threads. Each row is
 * an instruction count or a code footprint; the Mach messages, thread switches and faults they
 * cause are the Mach model's own paths (engine/mach/machParameters.ts), and the Linux handlers are
 * the personality's (engine/linux/core/linuxParameters.ts).
 *
 * Sources: MkLinux (Barbou des Places, Stephen, Reynolds, "Linux on the OSF Mach3 microkernel",
 * 1996) describes the structure, not instruction counts; the counts are estimates ('I') from the
 * shape of the code each row names.
 */
export const MKLINUX_PARAMETERS = defineParameters({
  machMemoryMB: { value: 16, unit: 'MB', provenance: 'I', source: 'OSF MK on a 64 MB machine: kernel, zones, page tables and the default pager pool; the Linux server wires the rest for its page frames at boot (estimate)', description: 'physical memory left to the Mach kernel; the rest is the Linux server\'s' },
  serverDemuxSimple: { value: 120, unit: 'instructions', provenance: 'I', source: 'Linux server request loop: check msgh_id, look up the server thread\'s task (current), copy the 6 request words into the register frame, range-check and index the system-call table, marshal the result and the reply header; after the call: need_resched, bottom halves and pending-signal checks', description: 'server syscall dispatch around the handler: simple instructions' },
  serverDemuxMemoryOps: { value: 24, unit: 'instructions', provenance: 'I', source: 'server dispatch: request and reply words, task struct fields (flags, signal, blocked), need_resched, intr_count/bh_active', description: 'server syscall dispatch: memory-operand instructions' },
  serverCodeBytes: { value: 1024, unit: 'B', provenance: 'I', source: 'server request loop, syscall glue and the uaccess layer (~340 instructions × ~3 B)', description: 'I-cache footprint of the server dispatch paths' },
  mutexSimple: { value: 14, unit: 'instructions', provenance: 'I', source: 'cthreads mutex_lock/mutex_unlock fast path (spin_try_lock xchg + checks, unlock + waiter check)', description: 'master lock acquire + release: simple instructions' },
  mutexLocked: { value: 2, unit: 'instructions', provenance: 'R', source: 'xchg with a memory operand is implicitly locked (Intel SDM), one per acquire and one per release', description: 'master lock: locked read-modify-write instructions' },
  copyCallSimple: { value: 30, unit: 'instructions', provenance: 'I', source: 'copy_from_user/copy_to_user in the server: range check against TASK_SIZE, loop per page, call of the translation, memcpy setup', description: 'uaccess call overhead: simple instructions' },
  softWalkSimple: { value: 9, unit: 'instructions', provenance: 'I', source: 'per-page translation of a user address through Linux\'s page tables in software (split, index PDE, test present, index PTE, test present/user/rw, add offset); the two table reads go through the cache model', description: 'software page-table walk per page: simple instructions' },
  userMemoryHintSimple: { value: 26, unit: 'instructions', provenance: 'I', source: 'MkLinux osfmach3/server/user_copy.c + user_memory.c: copyin/copyout test in_kernel and map_user_mem_to_copy, user_memory_lookup compares the range with the task\'s two hints (two bounds each), checks the protection, computes the server address, ref_count++; user_memory_unlock after the memcpy (ref_count--, mach_aware test)', description: 'user-memory share cache: lookup through a hint and unlock, per copy' },
  userMemorySlowSimple: { value: 30, unit: 'instructions', provenance: 'I', source: 'user_memory_slow_lookup: page number and offset, the bucket, the chain loop\'s setup, the size check, MRU reordering of a stale region, hint update in user_memory_lookup', description: 'share cache: hash lookup fixed part (simple instructions, besides the DIV)' },
  divideCycles: { value: 46, unit: 'cycles', provenance: 'C', source: 'Pentium DIV r32: 46 clocks (Intel Pentium Processor Family Developer\'s Manual Vol. 3, instruction timings, recalled); USER_MEMORY_HASH takes % USER_HASH_SIZE (997)', description: 'one unsigned 32-bit divide (the share-cache hash)' },
  userMemoryChainStep: { value: 5, unit: 'instructions', provenance: 'I', source: 'user_memory_slow_lookup\'s bucket loop: load region, compare task and user_page, follow next_inchain', description: 'share cache: per region compared in a hash chain' },
  userMemoryInsertSimple: { value: 110, unit: 'instructions', provenance: 'I', source: 'map_region + user_memory_insert around vm_remap: align the range, kmalloc the descriptor (Linux 2.0 kmalloc fast path ≈ 60), fill it, link it into the hash bucket, the task list and the MRU list (insert_mru with the fresh-region bookkeeping)', description: 'share cache: a new region\'s bookkeeping (besides the vm_remap RPC)' },
  serverBlockingSimple: { value: 12, unit: 'instructions', provenance: 'I', source: 'server_thread_blocking(TRUE)/server_thread_unblocking(TRUE) around the memcpy of copyin/copyout (the copy may fault to the server\'s own pager): release and retake the master lock (its mutex charged separately), cthread state bookkeeping', description: 'uniproc lock release/retake around a user copy: simple instructions' },
  pagerSimple: { value: 90, unit: 'instructions', provenance: 'I', source: 'server pager: decode memory_object_data_request/unlock (control, offset, length, access), find the task of the memory object, call the Linux fault handler, read the PTE, build memory_object_data_supply', description: 'server pager request handling: simple instructions' },
  interruptSimple: { value: 60, unit: 'instructions', provenance: 'I', source: 'server interrupt/clock thread: decode the notification or timeout, take the master lock, call the Linux handler (do_timer, tty, ide), run bottom halves, release the lock', description: 'server interrupt thread path: simple instructions' },
  wakeupSimple: { value: 20, unit: 'instructions', provenance: 'I', source: 'condition_signal/cproc_ready for a server thread (queue manipulation) before the wake-up message or thread_wakeup', description: 'server thread wake-up: simple instructions' },
});

export type MkLinuxParameterSpecs = typeof MKLINUX_PARAMETERS;
export type MkLinuxParameters = ParameterTable<MkLinuxParameterSpecs>['values'];
export type MkLinuxOverrides = ParameterOverrides<MkLinuxParameterSpecs>;

/** The MkLinux cost table with what-if overrides applied. */
export function mklinuxParameters(overrides: MkLinuxOverrides = {}): ParameterTable<MkLinuxParameterSpecs> {
  return new ParameterTable('mklinux', MKLINUX_PARAMETERS, overrides);
}
