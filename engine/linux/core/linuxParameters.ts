import { defineParameters, ParameterTable, type ParameterOverrides } from '../../base/parameters';

/**
 * Costs of the Linux 2.0 personality's own code paths (kernel/, mm/, fs/ of Linux 2.0), the same
 * on every substrate. Each value is an instruction count of the C path with warm caches, charged
 * at `machine.instruction` cycles per instruction; memory traffic (task structs, page tables,
 * buffers) is charged separately by the cache model, copies by `cpu.copy`. Counts come from
 * reading the Linux 2.0.x sources (JungerBoyo/linux-2.0.40 and the 1.3/2.0 entry.S indexed by the
 * search tool) and estimating the compiled size of the C paths (gcc 2.7 -O2); they are inferred
 * (I), never fitted to a benchmark result.
 */
export const LINUX_PARAMETERS = defineParameters({
  sysGetpid: { value: 4, unit: 'instructions', provenance: 'I', source: 'kernel/sched.c sys_getpid: movl current,%eax; movl pid(%eax),%eax; ret (2 cycles)', description: 'sys_getpid body' },
  syscallBody: { value: 12, unit: 'instructions', provenance: 'I', source: 'prologue/epilogue of a C sys_* function with 3 arguments (push/pop of callee-saved registers, ret)', description: 'generic C system-call body overhead' },
  fget: { value: 8, unit: 'instructions', provenance: 'I', source: 'fs/read_write.c: fd < NR_OPEN, current->files->fd[fd], f_op check', description: 'file-descriptor lookup' },
  rwVerify: { value: 13, unit: 'instructions', provenance: 'I', source: 'fs/read_write.c sys_read/sys_write: f_mode check, locks_verify_area (mandatory-lock test), the call of verify_area', description: 'read/write argument checks' },
  verifyArea: { value: 12, unit: 'instructions', provenance: 'I', source: 'mm/memory.c verify_area: size and get_fs() tests, find_vma call, vm_start/vm_flags checks (find_vma itself is findVma)', description: 'verify_area on a user buffer' },
  findVma: { value: 6, unit: 'instructions', provenance: 'I', source: 'mm/mmap.c find_vma of 2.0 (a function apart from verify_area\'s mm/memory.c): prologue, mm->mmap test, tree = mm->mmap_avl, return', description: 'find_vma, fixed part' },
  findVmaPerNode: { value: 7, unit: 'instructions', provenance: 'I', source: 'mm/mmap.c find_vma: per AVL node, tree == avl_empty test, vm_end and vm_start compares, load of vm_avl_left/right, loop jump (the node\'s memory traffic is charged by the cache model)', description: 'find_vma per AVL node visited' },
  writeSemaphore: { value: 13, unit: 'instructions', provenance: 'I', source: 'fs/read_write.c sys_write of 2.0 (read in a 2.0-era tree): the suser() && (i_mode & (S_ISUID|S_ISGID)) test (euid test, PF_SUPERUSER flag), down(&inode->i_sem) (lock; decl; js) and up(&inode->i_sem) (lock; incl; jle) around f_op->write, with their argument set-up', description: 'sys_write: setuid test and the inode semaphore' },
  writeNull: { value: 3, unit: 'instructions', provenance: 'I', source: 'drivers/char/mem.c write_null: return count', description: '/dev/null write' },
  pipeOp: { value: 45, unit: 'instructions', provenance: 'I', source: 'fs/pipe.c pipe_read/pipe_write: ppos check, lock, PIPE_FREE/PIPE_LEN loop set-up, inode times', description: 'pipe read or write, fixed part' },
  pipeChunk: { value: 14, unit: 'instructions', provenance: 'I', source: 'fs/pipe.c: per contiguous chunk (PIPE_MAX_RCHUNK/WCHUNK, pointer arithmetic)', description: 'pipe read/write per copied chunk' },
  wakeUp: { value: 10, unit: 'instructions', provenance: 'I', source: 'kernel/sched.c wake_up_interruptible: cli/save flags, walk the circular queue', description: 'wake_up, fixed part' },
  wakeUpPerWaiter: { value: 12, unit: 'instructions', provenance: 'I', source: 'kernel/sched.c wake_up_process: state = TASK_RUNNING, add_to_runqueue, need_resched test', description: 'wake_up per sleeping task' },
  sleepOn: { value: 20, unit: 'instructions', provenance: 'I', source: 'kernel/sched.c __sleep_on up to schedule(): wait = { current, NULL } on the stack, current->state, __add_wait_queue, the call (flag instructions counted apart)', description: 'interruptible_sleep_on before schedule()' },
  sleepOnWake: { value: 10, unit: 'instructions', provenance: 'I', source: 'kernel/sched.c __sleep_on after schedule() returns (run by the woken task, after its switch): __remove_wait_queue, return (flag instructions counted apart)', description: 'interruptible_sleep_on after schedule()' },
  scheduleBase: { value: 60, unit: 'instructions', provenance: 'I', source: 'kernel/sched.c schedule() of 2.0: intr_count and bh_active&bh_mask tests, run_task_queue(&tq_scheduler), need_resched = 0, SCHED_RR test, state switch with timeout test, inline del_from_runqueue, loop set-up, recalculation test, kstat.context_swtch++, switch_to call (cli/sti counted apart)', description: 'schedule(), fixed part' },
  goodnessPerTask: { value: 10, unit: 'instructions', provenance: 'I', source: 'kernel/sched.c goodness(): policy test, weight = counter, +1 if same mm (inlined in the run-queue loop)', description: 'goodness() per runnable task' },
  recalculatePerTask: { value: 6, unit: 'instructions', provenance: 'I', source: 'kernel/sched.c: counter = (counter >> 1) + priority, for_each_task', description: 'counter recalculation per task' },
  switchTo: { value: 10, unit: 'instructions', provenance: 'I', source: 'include/asm-i386/system.h switch_to: compare, last_task_used_math/clts test, ljmp set-up', description: 'switch_to around the task switch' },
  timerTick: { value: 60, unit: 'instructions', provenance: 'I', source: 'kernel/sched.c do_timer + update_process_times (jiffies, counter--, need_resched)', description: 'timer interrupt work' },
  pageFault: { value: 97, unit: 'instructions', provenance: 'I', source: 'arch/i386/mm/fault.c do_page_fault + mm/memory.c handle_mm_fault (pgd/pte walk; find_vma is findVma, ≈ 13 of the 110 estimated for the whole path)', description: 'page fault, fixed part' },
  zeroPagePerDword: { value: 1, unit: 'instructions', provenance: 'I', source: 'rep stosl in get_free_page(GFP_KERNEL) clearing / do_anonymous_page', description: 'clearing a page, per dword' },
  getFreePage: { value: 40, unit: 'instructions', provenance: 'I', source: 'mm/page_alloc.c __get_free_pages: free-area list unlink, mem_map update', description: 'page allocation' },
  freePage: { value: 25, unit: 'instructions', provenance: 'I', source: 'mm/page_alloc.c free_pages: count--, buddy merge', description: 'page release' },
  copyPte: { value: 9, unit: 'instructions', provenance: 'I', source: 'mm/memory.c copy_one_pte: test present, COW write-protect both, mem_map[].count++', description: 'fork: per present PTE' },
  copyPteNone: { value: 3, unit: 'instructions', provenance: 'I', source: 'mm/memory.c copy_pte_range loop on a none PTE', description: 'fork: per empty PTE slot' },
  zapPte: { value: 7, unit: 'instructions', provenance: 'I', source: 'mm/memory.c zap_pte_range: free_pte per present PTE', description: 'unmap: per PTE' },
  forkBase: { value: 700, unit: 'instructions', provenance: 'I', source: 'kernel/fork.c do_fork: alloc task struct + kernel stack, copy_files/fs/sighand, dup_mmap per vma, TSS set-up', description: 'fork, fixed part' },
  forkPerVma: { value: 40, unit: 'instructions', provenance: 'I', source: 'kernel/fork.c dup_mmap: kmalloc vm_area_struct, copy, insert', description: 'fork: per vm area' },
  findEmptyProcessPerSlot: { value: 5, unit: 'instructions', provenance: 'I', source: 'kernel/fork.c find_empty_process of 2.0: the scan of task[NR_TASKS] (while (--i > 0)), per slot: load task[i], test, free_task = i and tasks_free++ when empty, decrement and loop branch', description: 'fork: find_empty_process per task-table slot' },
  findEmptyProcessPerTask: { value: 8, unit: 'instructions', provenance: 'I', source: 'kernel/fork.c find_empty_process of 2.0, per occupied slot beyond the per-slot part: task[i]->uid == current->uid (this_user_tasks++), then pid, pgrp and session compared with last_pid', description: 'fork: find_empty_process per existing task' },
  exitBase: { value: 500, unit: 'instructions', provenance: 'I', source: 'kernel/exit.c do_exit: __exit_files, __exit_mm, exit_notify, forget_original_parent', description: 'exit, fixed part' },
  waitBase: { value: 80, unit: 'instructions', provenance: 'I', source: 'kernel/exit.c sys_wait4: child scan, put_user status, release', description: 'wait4, fixed part' },
  execBase: { value: 2500, unit: 'instructions', provenance: 'I', source: 'fs/exec.c do_execve + binfmt load (exec_mmap, flush_old_exec, setup_arg_pages, create_tables)', description: 'execve, fixed part' },
  execPerArgByte: { value: 2, unit: 'instructions', provenance: 'I', source: 'fs/exec.c copy_strings: get_fs_byte loop per byte', description: 'execve: per argument byte' },
  pathComponent: { value: 90, unit: 'instructions', provenance: 'I', source: 'fs/namei.c lookup + dcache-less directory search per component', description: 'path lookup per component' },
  openBase: { value: 150, unit: 'instructions', provenance: 'I', source: 'fs/open.c do_open: get_empty_filp, open_namei, f_op->open, fd install', description: 'open, fixed part' },
  closeBase: { value: 50, unit: 'instructions', provenance: 'I', source: 'fs/open.c close_fp: locks, f_op->release, fput', description: 'close' },
  fileReadBase: { value: 80, unit: 'instructions', provenance: 'I', source: 'mm/filemap.c generic_file_read: page cache lookup per page', description: 'regular file read/write, per page' },
  statBase: { value: 120, unit: 'instructions', provenance: 'I', source: 'fs/stat.c cp_new_stat', description: 'stat/fstat' },
  getdentsPerEntry: { value: 50, unit: 'instructions', provenance: 'I', source: 'fs/readdir.c filldir per entry', description: 'getdents per entry' },
  mmapBase: { value: 250, unit: 'instructions', provenance: 'I', source: 'mm/mmap.c do_mmap: get_unmapped_area, vm_area_struct, insert_vm_struct, merge', description: 'mmap, fixed part' },
  munmapBase: { value: 200, unit: 'instructions', provenance: 'I', source: 'mm/mmap.c do_munmap: unmap_fixup, zap_page_range set-up', description: 'munmap, fixed part' },
  brkBase: { value: 120, unit: 'instructions', provenance: 'I', source: 'mm/mmap.c sys_brk', description: 'brk' },
  signalSend: { value: 40, unit: 'instructions', provenance: 'I', source: 'kernel/exit.c send_sig / generate', description: 'sending a signal' },
  signalFrame: { value: 120, unit: 'instructions', provenance: 'I', source: 'arch/i386/kernel/signal.c do_signal + setup_frame (writes a 23-dword sigcontext)', description: 'delivering to a handler' },
  sigreturn: { value: 80, unit: 'instructions', provenance: 'I', source: 'arch/i386/kernel/signal.c sys_sigreturn: restore_sigcontext', description: 'sigreturn' },
  dupBase: { value: 20, unit: 'instructions', provenance: 'I', source: 'fs/fcntl.c dupfd', description: 'dup/dup2' },
  scheduleFlagOps: { value: 2, unit: 'flag instructions', provenance: 'R', source: 'kernel/sched.c schedule() of 2.0: cli() before the run-queue update, sti() before the goodness loop', description: 'schedule(): cli/sti (each charged as the machine cliSti)' },
  sleepOnFlagOps: { value: 5, unit: 'flag instructions', provenance: 'R', source: 'kernel/sched.c __sleep_on before schedule(): add_wait_queue (save_flags/pushf, cli, restore_flags/popf), save_flags + sti', description: 'sleep_on before schedule(): pushf/popf/cli/sti (each charged as the machine cliSti)' },
  sleepOnWakeFlagOps: { value: 4, unit: 'flag instructions', provenance: 'R', source: 'kernel/sched.c __sleep_on after schedule(): remove_wait_queue (pushf, cli, popf), restore_flags (popf)', description: 'sleep_on after schedule(): pushf/popf/cli (each charged as the machine cliSti)' },
  wakeUpFlagOps: { value: 3, unit: 'flag instructions', provenance: 'R', source: 'kernel/sched.c wake_up_process: save_flags (pushf), cli, restore_flags (popf)', description: 'wake_up_process: pushf/cli/popf (each charged as the machine cliSti)' },
  socketCall: { value: 60, unit: 'instructions', provenance: 'I', source: 'net/socket.c sys_socketcall: copy the argument block, sockfd_lookup, dispatch', description: 'socketcall entry' },
  udpSend: { value: 700, unit: 'instructions', provenance: 'I', source: 'net/ipv4/udp.c udp_sendmsg + ip_build_xmit (route cache, header build) + dev_queue_xmit + loopback_xmit + netif_rx', description: 'UDP send over loopback, per datagram' },
  udpReceive: { value: 650, unit: 'instructions', provenance: 'I', source: 'net_bh + ip_rcv + udp_rcv (socket lookup, sock_queue_rcv_skb) + udp_recvmsg + kfree_skb', description: 'UDP receive, per datagram' },
  tcpSend: { value: 900, unit: 'instructions', provenance: 'I', source: 'net/ipv4/tcp.c tcp_sendmsg (skb alloc, header) + tcp_send_skb + ip_queue_xmit + loopback_xmit + netif_rx', description: 'TCP send over loopback, per segment' },
  tcpReceive: { value: 850, unit: 'instructions', provenance: 'I', source: 'net_bh + ip_rcv + tcp_rcv (socket lookup, sequence checks, tcp_data, queue) + tcp_recvmsg + cleanup_rbuf', description: 'TCP receive, per segment' },
  tcpAck: { value: 450, unit: 'instructions', provenance: 'I', source: 'tcp_send_ack/tcp_read_wakeup building and looping back an ACK, tcp_ack on the sender', description: 'TCP acknowledgement, per received segment' },
  checksumPerDword: { value: 1, unit: 'instructions', provenance: 'I', source: 'csum_partial_copy (arch/i386/lib/checksum.c): adcl per dword folded into the copy', description: 'Internet checksum per dword of payload' },
  socketSetup: { value: 400, unit: 'instructions', provenance: 'I', source: 'net/socket.c sock_alloc/inet_create, bind/listen/connect/accept bookkeeping', description: 'socket create/bind/connect/accept' },
  selectBase: { value: 90, unit: 'instructions', provenance: 'I', source: 'fs/select.c sys_select: get_fd_set ×3 (verify_area + memcpy_fromfs), timeout conversion, do_select set-up, set_fd_set ×3, zero_fd_set', description: 'select, fixed part' },
  selectPerFd: { value: 20, unit: 'instructions', provenance: 'I', source: 'fs/select.c do_select/check: bit tests, current->files->fd[i], f_op->select call (pipe_select, tty_select, sock_select: a state test and select_wait)', description: 'select, per descriptor and set bit checked' },
  syncBase: { value: 60, unit: 'instructions', provenance: 'I', source: 'fs/buffer.c sync_buffers/fsync_dev set-up: walk the BUF_DIRTY lru list, sync_supers, sync_inodes (per dirty buffer below)', description: 'sync/fsync, fixed part' },
  writeBlock: { value: 40, unit: 'instructions', provenance: 'I', source: 'fs/buffer.c sync_buffers loop body per dirty buffer (b_dirt test, b_count++, ll_rw_block(WRITE) call, refile_buffer) before the request', description: 'write-back, per dirty block' },
  bread: { value: 40, unit: 'instructions', provenance: 'I', source: 'fs/buffer.c bread/getblk: hash lookup of (dev, block), b_count++, uptodate test', description: 'buffer-cache lookup' },
  ideRequest: { value: 180, unit: 'instructions', provenance: 'I', source: 'drivers/block/ll_rw_blk.c make_request + drivers/block/ide.c do_rw_disk (bmap, request set-up)', description: 'disk read request' },
  ideRequestIo: { value: 7, unit: 'I/O cycles', provenance: 'R', source: 'drivers/block/ide.c do_rw_disk: outb of sector count, sector, cylinder low/high, select, command, control', description: 'ISA port writes to start an IDE request' },
  ideInterrupt: { value: 120, unit: 'instructions', provenance: 'I', source: 'drivers/block/ide.c ide_intr + read_intr + end_request, unlock_buffer, wake_up', description: 'disk interrupt' },
  ideInterruptIo: { value: 2, unit: 'I/O cycles', provenance: 'R', source: 'drivers/block/ide.c: inb of the status register (and the error register check)', description: 'ISA port reads per IDE interrupt' },
  codeBytesPerInstruction: { value: 3, unit: 'B/instruction', provenance: 'I', source: 'average i386 instruction length of gcc 2.7 -O2 kernel code (2.5-3.5 bytes)', description: 'code bytes per instruction (I-cache footprint of the paths above)' },
  ttyWritePerChar: { value: 12, unit: 'instructions', provenance: 'I', source: 'drivers/char/tty_io.c + n_tty opost per character', description: 'tty output per character (besides the device I/O)' },
  mprotectBase: { value: 150, unit: 'instructions', provenance: 'I', source: 'mm/mprotect.c sys_mprotect: find_vma, mprotect_fixup (split: kmalloc vm_area_struct, insert), merge_segments', description: 'mprotect, fixed part' },
  changePte: { value: 6, unit: 'instructions', provenance: 'I', source: 'mm/mprotect.c change_pte_range: test present, rewrite the protection bits, per PTE', description: 'mprotect: per present PTE' },
  shrinkMmapPerPage: { value: 14, unit: 'instructions', provenance: 'I', source: 'mm/filemap.c shrink_mmap loop body per mem_map entry: count_max--, page->inode/buffers test, PageLocked test, switch on page->count, clear_bit(PG_referenced), clock++ with wrap', description: 'page reclaim: per page scanned' },
  shrinkMmapFree: { value: 30, unit: 'instructions', provenance: 'I', source: 'mm/filemap.c shrink_mmap freeing a page-cache page: remove_page_from_hash_queue, remove_page_from_inode_queue (free_page is freePage)', description: 'page reclaim: per page-cache page dropped' },
  bdflushWakeup: { value: 30, unit: 'instructions', provenance: 'I', source: 'fs/buffer.c wakeup_bdflush(1): wake_up(&bdflush_wait), sleep_on(&bdflush_done); bdflush loop set-up (per block written: writeBlock)', description: 'a writer waiting for bdflush, fixed part' },
});

export type LinuxParameterSpecs = typeof LINUX_PARAMETERS;
export type LinuxParameters = ParameterTable<LinuxParameterSpecs>['values'];
export type LinuxOverrides = ParameterOverrides<LinuxParameterSpecs>;

export function linuxParameters(overrides: LinuxOverrides = {}): ParameterTable<LinuxParameterSpecs> {
  return new ParameterTable('linux', LINUX_PARAMETERS, overrides);
}
