import { pathFunction as f, type LinkedObject, type PathFunction } from '../../base/textLayout';

/**
 * Linux 2.0's kernel text as its sources lay it out: the object files of vmlinux in link order,
 * the length of each one's source, and the functions each personality path runs in. Read by
 * `layoutLinuxText` (kernelCode.ts), which turns source characters into text bytes with
 * `textBytesPerSourceChar` / `assemblyTextBytesPerSourceChar` (the steps it shares with the OSF MK
 * layout are engine/base/textLayout.ts).
 *
 * Where the numbers come from (read through the project's search index):
 * - **Link order**: the top Makefile of 2.0 links `$(HEAD) init/main.o init/version.o $(ARCHIVES)
 *   $(FILESYSTEMS) $(DRIVERS) $(LIBS)` (slp/osfmk-mklinux mklinux/src/Makefile, MkLinux's 2.0.33
 *   tree; liexusong/linux-2.0.0 holds no Makefile); arch/i386/Makefile sets HEAD to
 *   arch/i386/kernel/head.o, puts arch/i386/kernel/kernel.o and arch/i386/mm/mm.o before the
 *   ARCHIVES and arch/i386/lib/lib.a before the LIBS; Rules.make links an O_TARGET from
 *   `$(OX_OBJS) $(O_OBJS)` and archives an L_TARGET in list order. The order of the objects in
 *   each directory is that of a complete 2.0.40 build log posted to linux-kernel (the `ld -r` and
 *   `ar rcs` lines of kernel/, mm/, fs/, fs/ext2, fs/proc, net/core, net/ipv4, net/, drivers/block,
 *   drivers/char, drivers/net, ipc/, lib/), checked against MkLinux's fs/Makefile,
 *   net/ipv4/Makefile and drivers/char/Makefile; arch/i386/kernel's O_OBJS (process signal entry
 *   traps irq vm86 bios32 ptrace ioport ldt setup time sys_i386) from the log and a 2.2 Makefile
 *   diff of the same list. Members of an archive are taken in archive order.
 * - **Configuration assumed** (a typical 1996 PC with 2.0): i386, no loadable modules (no
 *   ksyms.o), SysV IPC, ELF and a.out binaries, ext2 and /proc only, an IDE disk (no floppy, no
 *   IDE CD-ROM, no SCSI), the VGA console and keyboard (no serial driver, no PCI), INET over the
 *   loopback device only, no firewall, multicast or IP aliasing. fs/nls.o and fs/bad_inode.o of
 *   later 2.0.x are left out, as is 2.0.40's apm.o.
 * - **Source size**: `chars` is each file's length in characters (the index's total_chars): the
 *   2.0.0 file of liexusong/linux-2.0.0 where it holds one, else MkLinux's 2.0.33 file
 *   (slp/osfmk-mklinux mklinux/src; its CONFIG_OSFMACH3 additions counted too: kernel/sched.c is
 *   47,437 characters there against 2.0.0's 33,356), else a 2.0-era copy found by a function of
 *   the file (net/core/datagram.c 5,313, mm/kmalloc.c 10,134). The 2.0 copies found by a function
 *   replace four files whose liexusong or MkLinux copies differ by more than a few per cent:
 *   net/socket.c 32,074 (the sys_socketcall with the nargs[] table the socketCall row counts),
 *   mm/memory.c 25,824 (MkLinux's has 27,388 with its CONFIG_OSFMACH3 code), net/ipv4/tcp.c
 *   54,358, tcp_input.c 54,659 and tcp_output.c 28,557 (liexusong's, 64,905, 64,911 and 33,561, hold
 *   more than any 2.0 copy in the index: annotations, it seems). A file
 *   `estimated` is in none of these: its length is recalled from 2.0 sources, ±50 %. head.S's
 *   page-table and zero pages (`.org 0x1000` to `0x6000`) are data the model keeps elsewhere
 *   (nativeLinux.ts SWAPPER_PG_DIR) and not counted; a whole-page shift moves no I-cache set.
 * - **Functions**: `PATH_FUNCTIONS` divides each row between the functions its source string names,
 *   with the instructions it gives each: one pass of the path, as its code holds it (a loop's
 *   function weighed by one pass of the loop and a function called several times by one call, as
 *   `codeLineBytesPerInstruction` counts each executed instruction once: copy_files' 2,560 over 256
 *   slots is 10, fork's five kmallocs one; for the rows that count loops or repeats these add up to
 *   their one-pass rows, `forkCodeInstructions` and the like, within what the row leaves unnamed);
 *   where a row gives one count for several functions, the split is a reading of the source
 *   (estimate). The rows that name one function run the same code there and share its place
 *   (kmalloc for fork, mmap and a UDP send); a row that is a section of its own (the goodness loop
 *   of schedule(), a chunk of pipe_read) names it `function#section`, a place behind the
 *   function's others. A part with no `fn` is code whose place in its file was not read.
 * - **Function offsets**: `FUNCTION_OFFSETS` is the character offset of a function's definition in
 *   the file sized above (the index's match_at of its definition line). Parts whose function has
 *   no offset lie from the start of their file, in the order of the rows.
 */

/** Characters at the head of a Linux 2.0 source file that compile to nothing: its banner comment and #include block (fs/read_write.c: 290 of 7,313). */
export const LINUX_SOURCE_HEADER_CHARS = 400;

/** An object of the link whose source length was recalled, not read (see the header). */
export interface EstimatedObject extends LinkedObject {
  readonly estimated: true;
}

const c = (file: string, ...chars: number[]): LinkedObject => ({ file, chars });
const e = (file: string, ...chars: number[]): EstimatedObject => ({ file, chars, estimated: true });
const s = (file: string, ...chars: number[]): LinkedObject => ({ file, chars, assembly: true });

/** vmlinux of the configuration in the header, object after object in link order. */
export const LINUX_LINK_ORDER: readonly LinkedObject[] = [
  // HEAD, init/
  s('arch/i386/kernel/head.S', 9893), c('init/main.c', 23284), e('init/version.c', 1000),
  // ARCHIVES: arch/i386/kernel/kernel.o, arch/i386/mm/mm.o
  c('arch/i386/kernel/process.c', 9455), c('arch/i386/kernel/signal.c', 9430), s('arch/i386/kernel/entry.S', 17099),
  c('arch/i386/kernel/traps.c', 12446), c('arch/i386/kernel/irq.c', 14334), c('arch/i386/kernel/vm86.c', 15543),
  c('arch/i386/kernel/bios32.c', 24400), c('arch/i386/kernel/ptrace.c', 18547), e('arch/i386/kernel/ioport.c', 2500),
  c('arch/i386/kernel/ldt.c', 3576), c('arch/i386/kernel/setup.c', 10231), c('arch/i386/kernel/time.c', 15254),
  e('arch/i386/kernel/sys_i386.c', 5000),
  c('arch/i386/mm/init.c', 8003), c('arch/i386/mm/fault.c', 4431),
  // kernel/kernel.o
  c('kernel/sched.c', 33356), c('kernel/dma.c', 2556), c('kernel/fork.c', 12940), e('kernel/exec_domain.c', 3000),
  c('kernel/panic.c', 1970), c('kernel/printk.c', 8173), c('kernel/sys.c', 22553), c('kernel/module.c', 20605),
  c('kernel/exit.c', 19028), e('kernel/signal.c', 5500), e('kernel/itimer.c', 3500), c('kernel/info.c', 960),
  c('kernel/time.c', 11607), e('kernel/softirq.c', 1500), c('kernel/resource.c', 2663), c('kernel/sysctl.c', 20277),
  // mm/mm.o
  c('mm/memory.c', 25824), c('mm/mmap.c', 31702), c('mm/filemap.c', 32262), c('mm/mprotect.c', 6544), c('mm/mlock.c', 7401),
  c('mm/mremap.c', 5985), c('mm/kmalloc.c', 10134), c('mm/vmalloc.c', 8092), e('mm/swap.c', 4500), c('mm/vmscan.c', 14212),
  c('mm/page_io.c', 5664), c('mm/page_alloc.c', 8498), c('mm/swap_state.c', 2865), c('mm/swapfile.c', 15210),
  // fs/fs.o
  c('fs/open.c', 14684), c('fs/read_write.c', 7313), c('fs/inode.c', 16136), c('fs/devices.c', 8359), e('fs/file_table.c', 3500),
  c('fs/buffer.c', 56592), c('fs/super.c', 26135), c('fs/block_dev.c', 7733), c('fs/stat.c', 5580), c('fs/exec.c', 15615),
  c('fs/pipe.c', 10281), c('fs/namei.c', 19835), c('fs/fcntl.c', 4052), e('fs/ioctl.c', 2800), e('fs/readdir.c', 3000),
  c('fs/select.c', 7975), e('fs/fifo.c', 4500), c('fs/locks.c', 31784), c('fs/filesystems.c', 1726), e('fs/dcache.c', 6000),
  c('fs/binfmt_elf.c', 37581), c('fs/binfmt_aout.c', 14801), e('fs/binfmt_script.c', 2500), e('fs/noquot.c', 1500),
  // ipc/ipc.o (util, msg, sem, shm: no modelled path)
  e('ipc (util, msg, sem, shm)', 7000, 20000, 18000, 19000),
  // net/network.a: net/, core/, ethernet/, unix/, 802/, ipv4/
  c('net/socket.c', 32074), e('net/protocols.c', 1000), e('net/sysctl_net.c', 1000),
  c('net/core/sock.c', 13708), c('net/core/skbuff.c', 18818), e('net/core/iovec.c', 2000), c('net/core/datagram.c', 5313),
  e('net/core/sysctl_net_core.c', 500), c('net/core/dev.c', 32206), e('net/core/dev_mcast.c', 4000),
  c('net/ethernet/eth.c', 7844), e('net/ethernet/sysctl_net_ether.c', 500),
  c('net/unix (af_unix, garbage, sysctl_net_unix)', 28753, 6374, 500), e('net/802 (p8023, sysctl_net_802)', 1000, 500),
  e('net/ipv4/utils.c', 2500), c('net/ipv4/route.c', 42246), c('net/ipv4/proc.c', 9629), c('net/ipv4/timer.c', 3715),
  c('net/ipv4/protocol.c', 5000), c('net/ipv4/packet.c', 11609), c('net/ipv4/ip_input.c', 23578), c('net/ipv4/ip_fragment.c', 16633),
  c('net/ipv4/ip_forward.c', 12212), c('net/ipv4/ip_options.c', 9587), c('net/ipv4/ip_output.c', 24530), c('net/ipv4/ip_sockglue.c', 12597),
  c('net/ipv4/tcp.c', 54358), c('net/ipv4/tcp_input.c', 54659), c('net/ipv4/tcp_output.c', 28557), c('net/ipv4/tcp_timer.c', 7610),
  c('net/ipv4/raw.c', 12083), c('net/ipv4/udp.c', 22279), c('net/ipv4/arp.c', 61637), c('net/ipv4/icmp.c', 38567),
  c('net/ipv4/devinet.c', 5514), c('net/ipv4/af_inet.c', 38015), c('net/ipv4/igmp.c', 15715), c('net/ipv4/ip_fw.c', 30964),
  c('net/ipv4/sysctl_net_ipv4.c', 2304),
  // FILESYSTEMS: fs/filesystems.a (no modelled path: ext2's and /proc's costs are in the fs/ rows)
  c('fs/ext2 (acl, balloc, bitmap, dir, file, fsync, ialloc, inode, ioctl, namei, super, symlink, truncate)',
    1500, 21667, 2000, 6227, 5068, 6047, 16481, 19620, 2358, 28684, 22991, 2890, 9000),
  c('fs/proc (inode, root, base, mem, link, fd, array, kmsg, net, scsi)', 6136, 14630, 4431, 9213, 3368, 3753, 33404, 1500, 2500, 5000),
  // DRIVERS: block.a, char.a, net.a
  c('drivers/block/ll_rw_blk.c', 16281), c('drivers/block/genhd.c', 21305), c('drivers/block/ide.c', 116708),
  c('drivers/char/tty_io.c', 53133), c('drivers/char/n_tty.c', 24820), c('drivers/char/console.c', 60271), c('drivers/char/tty_ioctl.c', 15016),
  c('drivers/char/pty.c', 8778), c('drivers/char/vt.c', 29907), c('drivers/char/mem.c', 9151), e('drivers/char/vc_screen.c', 5000),
  c('drivers/char/random.c', 49097), e('drivers/char/consolemap.c', 8000), c('drivers/char/selection.c', 7803),
  c('drivers/char/keyboard.c', 37754), e('drivers/char/defkeymap.c', 1500), c('drivers/char/vga.c', 17518), e('drivers/char/vesa_blank.c', 5000),
  c('drivers/net/auto_irq.c', 4102), c('drivers/net/Space.c', 15037), c('drivers/net/net_init.c', 9800), c('drivers/net/loopback.c', 4265),
  // LIBS: arch/i386/lib/lib.a, lib/lib.a
  c('arch/i386/lib/checksum.c', 6164), s('arch/i386/lib/semaphore.S', 642),
  e('lib (errno, ctype, string, vsprintf)', 300, 1500, 7000, 7000),
];

const SCHED = 'kernel/sched.c';
const FORK = 'kernel/fork.c';
const EXIT = 'kernel/exit.c';
const RW = 'fs/read_write.c';
const PIPE = 'fs/pipe.c';
const MEM = 'mm/memory.c';
const MMAP = 'mm/mmap.c';
const FILEMAP = 'mm/filemap.c';
const ALLOC = 'mm/page_alloc.c';
const KMALLOC = 'mm/kmalloc.c';
const OPEN = 'fs/open.c';
const NAMEI = 'fs/namei.c';
const INODE = 'fs/inode.c';
const STAT = 'fs/stat.c';
const EXEC = 'fs/exec.c';
const SELECT = 'fs/select.c';
const EXT2 = 'fs/ext2 (acl, balloc, bitmap, dir, file, fsync, ialloc, inode, ioctl, namei, super, symlink, truncate)';
const SIGNAL = 'arch/i386/kernel/signal.c';
const PROCESS = 'arch/i386/kernel/process.c';
const SOCKET = 'net/socket.c';
const SOCK = 'net/core/sock.c';
const SKBUFF = 'net/core/skbuff.c';
const DATAGRAM = 'net/core/datagram.c';
const DEV = 'net/core/dev.c';
const ETH = 'net/ethernet/eth.c';
const IP_IN = 'net/ipv4/ip_input.c';
const IP_OUT = 'net/ipv4/ip_output.c';
const TCP = 'net/ipv4/tcp.c';
const TCP_IN = 'net/ipv4/tcp_input.c';
const TCP_OUT = 'net/ipv4/tcp_output.c';
const UDP = 'net/ipv4/udp.c';
const AF_INET = 'net/ipv4/af_inet.c';
const LOOPBACK = 'drivers/net/loopback.c';
const LL_RW = 'drivers/block/ll_rw_blk.c';
const IDE = 'drivers/block/ide.c';
const CHECKSUM = 'arch/i386/lib/checksum.c';
const BUFFER = 'fs/buffer.c';

/**
 * The functions of each personality path (a row of LINUX_PARAMETERS), with the instructions its
 * source string gives each part (see the header). Every row whose unit is instructions is listed.
 */
export const PATH_FUNCTIONS: Readonly<Record<string, readonly PathFunction[]>> = {
  sysGetpid: [f(SCHED, 'sys_getpid')],
  syscallBody: [f('kernel/sys.c', undefined)],
  fget: [f(RW, 'sys_read')],
  rwVerify: [f(RW, 'sys_read#checks')],
  sysReadFrame: [f(RW, 'sys_read#frame')],
  sysWriteFrame: [f(RW, 'sys_write')],
  writeSemaphore: [f(RW, 'sys_write#semaphore')],
  verifyArea: [f(MEM, 'verify_area')],
  // find_vma of 2.0 is an inline of include/linux/mm.h: its code is in verify_area, its caller here
  findVma: [f(MEM, 'verify_area#find_vma')],
  findVmaPerNode: [f(MEM, 'verify_area#find_vma_node')],
  writeNull: [f('drivers/char/mem.c', 'write_null')],
  pipeReadOp: [f(PIPE, 'pipe_read')],
  pipeWriteOp: [f(PIPE, 'pipe_write')],
  pipeChunk: [f(PIPE, 'pipe_read#chunk')],
  pipeRetest: [f(PIPE, 'pipe_read#sleep')],
  wakeUp: [f(SCHED, 'wake_up_interruptible')],
  wakeUpPerWaiter: [f(SCHED, 'wake_up_interruptible#waiter')],
  sleepOn: [f(SCHED, '__sleep_on')],
  sleepOnWake: [f(SCHED, '__sleep_on#after_schedule')],
  scheduleBase: [f(SCHED, 'schedule')],
  goodnessPerTask: [f(SCHED, 'schedule#goodness')],
  recalculatePerTask: [f(SCHED, 'schedule#recalculate')],
  switchTo: [f(SCHED, 'schedule#switch_to')],
  timerTick: [f(SCHED, 'do_timer')],
  sysTimes: [f('kernel/sys.c', 'sys_times')],
  sysGetrusage: [f('kernel/sys.c', 'sys_getrusage')],
  getrusage: [f('kernel/sys.c', 'getrusage')],
  sysGettimeofday: [f('kernel/time.c', 'sys_gettimeofday')],
  doGettimeofday: [f('arch/i386/kernel/time.c', 'do_gettimeofday', 15), f('arch/i386/kernel/time.c', 'do_fast_gettimeoffset', 14)],
  pageFault: [f('arch/i386/mm/fault.c', 'do_page_fault', 20), f(MEM, 'handle_mm_fault', 48)],
  faultWpPage: [f(MEM, 'handle_mm_fault#present', 14), f(MEM, 'do_wp_page', 84)],
  faultAnonPage: [f(MEM, 'do_no_page')],
  faultZeroPage: [f(MEM, 'do_no_page')],
  faultFilePage: [f(MEM, 'do_no_page', 97), f(FILEMAP, 'filemap_nopage', 72)],
  faultFileCopy: [f(MEM, 'do_no_page', 97), f(FILEMAP, 'filemap_nopage', 72)],
  zeroPagePerDword: [f(MEM, 'do_no_page#clear')],
  getFreePage: [f(ALLOC, '__get_free_pages')],
  freePage: [f(ALLOC, 'free_pages')],
  freePageToZero: [f(ALLOC, 'free_pages_ok')],
  copyPte: [f(MEM, 'copy_page_range#pte')],
  copyPteNone: [f(MEM, 'copy_page_range#none')],
  zapPte: [f(MEM, 'zap_page_range#pte')],
  zapPteNone: [f(MEM, 'zap_page_range#none')],
  freePageTablesPerPde: [f(MEM, 'free_page_tables')],
  forkBase: [
    f(FORK, 'copy_files', 10), f(KMALLOC, 'kmalloc', 76), f(PROCESS, 'copy_thread', 83), f(FORK, 'do_fork', 205),
    f(FORK, 'copy_mm', 92), f(FORK, 'get_pid', 14), f(PROCESS, 'sys_fork', 8),
  ],
  forkPerVma: [f(KMALLOC, 'kmalloc', 60), f(FORK, 'dup_mmap', 43), f(MEM, 'copy_page_range', 115), f(MMAP, 'build_mmap_avl', 142)],
  findEmptyProcessPerSlot: [f(FORK, 'find_empty_process')],
  findEmptyProcessPerTask: [f(FORK, 'get_pid#task')],
  exitBase: [
    f(EXIT, 'do_exit', 153), f(EXIT, '__exit_files', 6), f(KMALLOC, 'kfree', 53), f(EXIT, 'exit_notify', 47),
    f(INODE, 'iput', 17), f(MMAP, 'exit_mmap', 16),
  ],
  exitPerVma: [
    f(MMAP, 'exit_mmap#area', 28), f(MEM, 'zap_page_range', 56), f(MMAP, 'remove_shared_vm_struct', 12), f(INODE, 'iput', 9),
    f(KMALLOC, 'kfree', 50), f(MEM, 'free_page_tables', 11),
  ],
  waitBase: [f(EXIT, 'sys_wait4', 105), f(EXIT, 'release', 50), f(KMALLOC, 'kfree', 56)],
  // one pass of each (execCodeInstructions): do_mmap as mmapBase's functions of a fixed mapping (no get_unmapped_area),
  // read_exec's file read as generic_file_read's call and page (fileReadCall, fileReadBase), so they share those places;
  // the 456 the row's string leaves unnamed (7,800 against its parts' 7,338, less one pass) in the ELF loader (estimate)
  execBase: [
    f(EXEC, 'flush_old_exec', 140), f(MMAP, 'do_mmap', 168), f(MMAP, 'merge_segments', 99), f(MMAP, 'do_munmap', 90),
    f(MMAP, 'avl_insert', 68), f(MMAP, 'avl_rebalance', 73), f(FILEMAP, 'generic_file_mmap', 38), f(EXEC, 'read_exec', 56),
    f(FILEMAP, 'generic_file_read', 65), f(FILEMAP, 'generic_file_read#page', 98), f('fs/binfmt_elf.c', 'do_load_elf_binary', 404),
    f(EXEC, 'copy_strings', 107), f(KMALLOC, 'kmalloc', 60), f(KMALLOC, 'kfree', 50), f(EXEC, 'setup_arg_pages', 198),
    f(ALLOC, '__get_free_pages', 71), f(ALLOC, 'free_pages', 77), f(EXEC, 'do_execve', 100), f(OPEN, undefined, 215),
    f('fs/binfmt_elf.c', undefined, 456),
  ],
  execPerArgByte: [f(EXEC, 'copy_strings#byte', 3), f('fs/binfmt_elf.c', 'create_elf_tables#byte', 3)],
  pathComponent: [
    f('fs/dcache.c', 'dcache_lookup', 102), f(INODE, '__iget', 56), f(INODE, 'iput', 60), f(EXT2, undefined, 49),
    f(NAMEI, 'lookup', 41), f(NAMEI, 'permission', 36), f(NAMEI, 'follow_link', 21), f(NAMEI, 'dir_namei', 24),
  ],
  openBase: [
    f(ALLOC, '__get_free_pages', 71), f(ALLOC, 'free_pages', 77), f(OPEN, 'do_open', 95), f(NAMEI, 'open_namei', 99),
    f('fs/file_table.c', 'get_empty_filp', 69), f(NAMEI, 'getname', 65), f(OPEN, 'sys_open', 26), f(NAMEI, 'dir_namei', 23), f(NAMEI, 'putname', 7),
  ],
  closeBase: [f(OPEN, 'close_fp', 42), f(INODE, 'iput', 64), f(OPEN, 'sys_close', 18), f('fs/locks.c', 'locks_remove_locks', 14), f(EXT2, undefined, 4)],
  fileReadBase: [f(FILEMAP, 'generic_file_read#page')],
  fileReadCall: [f(FILEMAP, 'generic_file_read')],
  statBase: [
    f(STAT, 'sys_newstat', 33), f(NAMEI, 'namei', 82), f(ALLOC, '__get_free_pages', 148), f(NAMEI, 'getname', 72),
    f(STAT, 'cp_new_stat', 50), f(INODE, 'iput', 64), f(NAMEI, 'dir_namei', 23),
  ],
  fstatBase: [f(STAT, 'sys_newfstat', 26), f(STAT, 'cp_new_stat', 50)],
  getdentsPerEntry: [f('fs/readdir.c', 'filldir')],
  mmapBase: [
    f(MMAP, 'do_mmap', 168), f(MMAP, 'merge_segments', 99), f(MMAP, 'do_munmap', 90), f(MMAP, 'avl_insert', 68), f(MMAP, 'avl_rebalance', 73),
    f(MMAP, 'get_unmapped_area', 67), f(KMALLOC, 'kmalloc', 60), f(FILEMAP, 'generic_file_mmap', 38), f('arch/i386/kernel/sys_i386.c', 'old_mmap', 35),
  ],
  munmapBase: [
    f(MMAP, 'do_munmap', 163), f(MMAP, 'avl_remove', 67), f(MMAP, 'avl_rebalance', 63), f(MEM, 'zap_page_range', 49), f(MMAP, 'unmap_fixup', 53),
    f(KMALLOC, 'kfree', 50), f(INODE, 'iput', 17), f(MMAP, 'remove_shared_vm_struct', 14),
  ],
  brkBase: [f(MMAP, 'sys_brk')],
  brkGrow: [
    f(MMAP, 'sys_brk', 83), f(MMAP, 'do_mmap', 123), f(MMAP, 'do_munmap', 98), f(KMALLOC, 'kmalloc', 60), f(MMAP, 'avl_insert', 67),
    f(MMAP, 'avl_rebalance', 124), f(MMAP, 'merge_segments', 151), f(MMAP, 'avl_remove', 67), f(KMALLOC, 'kfree', 50),
  ],
  // "through do_munmap": munmapBase's functions behind sys_brk (estimate, as brkGrow's sys_brk)
  brkShrink: [
    f(MMAP, 'sys_brk', 87), f(MMAP, 'do_munmap', 163), f(MMAP, 'avl_remove', 67), f(MMAP, 'avl_rebalance', 63), f(MEM, 'zap_page_range', 49),
    f(MMAP, 'unmap_fixup', 53), f(KMALLOC, 'kfree', 50), f(INODE, 'iput', 17), f(MMAP, 'remove_shared_vm_struct', 14),
  ],
  signalSend: [f(EXIT, 'send_sig')],
  signalFrame: [f(SIGNAL, 'do_signal', 47), f(SIGNAL, 'handle_signal', 36), f(SIGNAL, 'setup_frame', 86)],
  sigreturn: [f(SIGNAL, 'sys_sigreturn')],
  dupBase: [f('fs/fcntl.c', 'dupfd')],
  socketCall: [f(SOCKET, 'sys_socketcall')],
  socketSetup: [f(SOCKET, undefined)],
  udpSend: [
    f(SOCKET, 'sys_sendto', 83), f(AF_INET, 'inet_sendmsg', 23), f(UDP, 'udp_sendmsg', 16), f(UDP, 'udp_sendto', 92), f(UDP, 'udp_send', 47),
    f(IP_OUT, 'ip_build_xmit', 200), f(SOCK, 'sock_alloc_send_skb', 43), f(SKBUFF, 'alloc_skb', 54), f(KMALLOC, 'kmalloc', 60),
    f(UDP, 'udp_getfrag', 78), f(CHECKSUM, 'csum_partial_copy_fromuser', 30), f(DEV, 'dev_queue_xmit', 61),
    f(LOOPBACK, 'loopback_xmit', 90), f(ETH, 'eth_type_trans', 30), f(DEV, 'netif_rx', 43),
  ],
  udpReceive: [f(DEV, 'net_bh', 49), f(IP_IN, 'ip_rcv', 115), f(UDP, 'udp_rcv', 158)],
  netBottomHalf: [f('kernel/softirq.c', 'do_bottom_half', 76), f(DEV, 'net_bh#pass', 55)],
  udpRecvmsg: [
    f(SOCKET, 'sys_recvfrom', 108), f(AF_INET, 'inet_recvmsg', 24), f(UDP, 'udp_recvmsg', 89), f(DATAGRAM, 'skb_recv_datagram', 44),
    f(DATAGRAM, 'skb_free_datagram', 43), f(SKBUFF, 'kfree_skb', 60), f(KMALLOC, 'kfree', 50),
  ],
  udpRecvWait: [f(DATAGRAM, 'skb_recv_datagram#wait')],
  sockSelect: [f(SOCKET, 'sock_select', 13), f(AF_INET, 'inet_select', 12), f(DATAGRAM, 'datagram_select', 22)],
  tcpSendCall: [f(SOCKET, 'sock_write', 42), f(AF_INET, 'inet_sendmsg', 23), f(TCP, 'tcp_sendmsg', 46), f(TCP, 'do_tcp_sendmsg', 25)],
  tcpSend: [
    f(TCP, 'do_tcp_sendmsg#segment', 264), f(SKBUFF, 'alloc_skb', 54), f(KMALLOC, 'kmalloc', 60), f(IP_OUT, 'ip_build_header', 137),
    f(TCP_OUT, 'tcp_send_skb', 259), f(IP_OUT, 'ip_queue_xmit', 84), f(DEV, 'dev_queue_xmit', 61),
    // loopback_xmit's 281 with the functions it calls in their own files: udpSend's 163 (loopback_xmit, eth_type_trans, netif_rx)
    // and 118 for skb_clone of the 160-byte struct and dev_kfree_skb of the original (a reading of the source, estimate)
    f(LOOPBACK, 'loopback_xmit', 90), f(ETH, 'eth_type_trans', 30), f(DEV, 'netif_rx', 43), f(SKBUFF, 'skb_clone', 70), f(DEV, 'dev_kfree_skb', 48),
  ],
  tcpReceive: [f(DEV, 'net_bh', 49), f(IP_IN, 'ip_rcv', 115), f(TCP_IN, 'tcp_rcv', 183), f(TCP_IN, 'tcp_ack', 125), f(TCP_IN, 'tcp_data', 52), f(TCP_IN, 'tcp_queue', 142)],
  tcpAckedSkb: [f(TCP_IN, 'tcp_ack#acked', 66), f(SKBUFF, 'kfree_skb', 139), f(KMALLOC, 'kfree', 50)],
  tcpRecvCall: [f(SOCKET, 'sock_read', 43), f(AF_INET, 'inet_recvmsg', 24), f(TCP, 'tcp_recvmsg', 152)],
  tcpRecvWait: [f(TCP, 'tcp_recvmsg#wait')],
  tcpRecvSkb: [f(TCP, 'tcp_recvmsg#skb', 83), f(SKBUFF, 'kfree_skb', 81), f(KMALLOC, 'kfree', 50)],
  // tcp_send_ack's 370 with the ip_build_header it calls at its place in ip_output.c (137, as tcpSend counts it)
  tcpAck: [
    f(TCP_OUT, 'tcp_send_ack', 233), f(IP_OUT, 'ip_build_header', 137), f(SKBUFF, 'alloc_skb', 54), f(KMALLOC, 'kmalloc', 60), f(IP_OUT, 'ip_queue_xmit', 72),
    f(DEV, 'dev_queue_xmit', 61), f(LOOPBACK, 'loopback_xmit', 90), f(ETH, 'eth_type_trans', 30), f(DEV, 'netif_rx', 43), f(DEV, 'net_bh', 49), f(IP_IN, 'ip_rcv', 115),
    f(TCP_IN, 'tcp_rcv', 183), f(TCP_IN, 'tcp_ack', 125), f(TCP_IN, 'tcp_data', 145),
  ],
  checksumPerDword: [f(CHECKSUM, 'csum_partial_copy_fromuser#loop')],
  selectBase: [f(SELECT, 'sys_select', 78), f(SELECT, 'do_select', 89)],
  selectPerSet: [f(SELECT, 'sys_select#fd_set')],
  selectTimeout: [f(SELECT, 'sys_select#timeout')],
  selectPerFd: [f(SELECT, 'do_select#fd')],
  selectCheck: [f(SELECT, 'check')],
  // select_wait is an inline of include/linux/sched.h: its code is in the f_op->select functions
  selectWait: [f(PIPE, 'pipe_select', 1), f(DATAGRAM, 'datagram_select', 1)],
  syncBase: [f(BUFFER, 'sync_buffers')],
  writeBlock: [f(BUFFER, 'sync_buffers#buffer')],
  bread: [f(BUFFER, 'bread')],
  bdflushWakeup: [f(BUFFER, 'wakeup_bdflush')],
  makeRequest: [f(LL_RW, 'll_rw_block', 64), f(LL_RW, 'make_request', 85)],
  makeRequestWrite: [f(LL_RW, 'll_rw_block', 75), f(LL_RW, 'make_request', 87)],
  mergeScan: [f(LL_RW, 'make_request#scan')],
  addRequest: [f(LL_RW, 'make_request#new', 17), f(LL_RW, 'add_request', 52)],
  elevatorScan: [f(LL_RW, 'add_request#scan')],
  ideRequest: [f(IDE, 'do_rw_disk')],
  ideInterrupt: [f(IDE, 'ide_intr')],
  endBuffer: [f(IDE, 'ide_end_request')],
  ttyWritePerChar: [f('drivers/char/tty_io.c', 'tty_write', 1), f('drivers/char/n_tty.c', 'opost', 1)],
  mprotectBase: [f('mm/mprotect.c', 'sys_mprotect')],
  changePte: [f('mm/mprotect.c', 'change_protection#pte')],
  shrinkMmapPerPage: [f(FILEMAP, 'shrink_mmap')],
  shrinkMmapFree: [f(FILEMAP, 'shrink_mmap#free')],
};

/**
 * Character offset of a function's definition in the source file sized in `LINUX_LINK_ORDER`
 * (see the header); functions not listed lie from the start of their file.
 */
/**
 * Objects that hold paths but keep the start the link gives them, not moved up to a line as the
 * other objects holding paths are (layoutLinuxText). That alignment is the model's, not the
 * link's (ld aligns every object alike, whether the model runs code in it or not), so giving a
 * path to an object that had none would shift every object behind it by up to a line, and with
 * them the cache sets of most kernel paths: adding times/getrusage/gettimeofday moved 67 of the
 * 80 quick lmbench figures by up to 5 % (lat.mmap on l4linux-trampoline) although no benchmark
 * calls them. These objects' runs are placed as usual, each at a whole number of lines from the
 * object's start, so a run may straddle one more line than it would aligned. (Aligning every
 * object, as a link does, would end the exception, and re-base every figure at once.)
 */
export const UNALIGNED_OBJECTS: ReadonlySet<string> = new Set(['arch/i386/kernel/time.c', 'kernel/time.c']);

export const FUNCTION_OFFSETS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  // a 2.0.x copy of 33,399 characters (the sized 2.0.0 file has 33,356): sys_getpid, do_timer, wake_up_interruptible
  // and schedule (its body's first line at 7,588, the definition 130 before) by match_at; __sleep_on read on the page, ±300
  [SCHED]: { schedule: 7460, wake_up_interruptible: 11098, __sleep_on: 12150, do_timer: 24163, sys_getpid: 25377 },
  // read on the page of the 2.0.0 file, ±200
  [RW]: { sys_read: 2550, sys_write: 3100 },
  // read on the page of MkLinux's file, ±200
  [PIPE]: { pipe_read: 880, pipe_write: 2200, pipe_select: 4400 },
  // a 2.0 copy of 22,179 characters (the sized file has 22,279): udp_sendto by match_at, the others read on its pages, ±300
  [UDP]: { udp_getfrag: 7100, udp_send: 8950, udp_sendto: 10419, udp_sendmsg: 12550, udp_recvmsg: 14600, udp_rcv: 18480 },
  // kmalloc by match_at in the copy sized; kfree behind it, estimated from the file's length, ±1,000
  [KMALLOC]: { kmalloc: 5414, kfree: 8100 },
  // the copy sized: verify_area by match_at, the others read on its pages (±300; do_no_page and handle_mm_fault, past the page read, ±1,000)
  [MEM]: { free_page_tables: 4000, copy_page_range: 8250, zap_page_range: 10300, do_wp_page: 14250, verify_area: 16944, do_no_page: 21000, handle_mm_fault: 24700 },
  // the copy sized: sys_sendto and sys_socketcall by match_at, sock_read, sock_write and sock_select read on its page (±300), sys_recvfrom estimated behind sys_recv (±800)
  [SOCKET]: { sock_read: 8200, sock_write: 9150, sock_select: 10300, sys_sendto: 20555, sys_recvfrom: 22800, sys_socketcall: 27689 },
  // a 2.0 copy of 38,277 characters (the sized file has 38,015): inet_sendmsg by match_at, the others read on its page (±300)
  [AF_INET]: { inet_recvmsg: 24780, inet_sendmsg: 25220, inet_select: 26670, get_sock: 30300 },
  // a 2.0 copy of 24,343 characters (the sized file has 24,530), by match_at
  [IP_OUT]: { ip_build_header: 3872, ip_queue_xmit: 7112, ip_build_xmit: 11711 },
  // a 2.0 copy of 32,183 characters (the sized file has 32,206): dev_queue_xmit and netif_rx by match_at; net_bh estimated behind netif_rx and dev_transmit (±1,000)
  [DEV]: { dev_queue_xmit: 6158, netif_rx: 9552, net_bh: 11800 },
  // a 2.0 copy of 18,804 characters (the sized file has 18,818), by match_at
  [SKBUFF]: { kfree_skb: 12328, alloc_skb: 13546 },
  // skb_recv_datagram by match_at in the copy sized; the others behind it in the file's order, estimated (±800)
  [DATAGRAM]: { skb_recv_datagram: 1870, skb_free_datagram: 3400, datagram_select: 4300 },
  // the copies sized: do_tcp_sendmsg, tcp_recvmsg, tcp_ack, tcp_data, tcp_rcv and tcp_send_skb by match_at; tcp_sendmsg behind
  // do_tcp_sendmsg, tcp_queue before tcp_data and tcp_send_ack in tcp_output.c's order, estimated (±1,500; tcp_send_ack ±3,000)
  [TCP]: { do_tcp_sendmsg: 28232, tcp_sendmsg: 34500, tcp_recvmsg: 38529 },
  [TCP_IN]: { tcp_ack: 16267, tcp_queue: 35500, tcp_data: 38312, tcp_rcv: 43922 },
  [TCP_OUT]: { tcp_send_skb: 3244, tcp_send_ack: 20000 },
  // read on MkLinux's page (its CONFIG_OSFMACH3 branches included), ±300
  [FORK]: { find_empty_process: 1000, get_pid: 2350, dup_mmap: 3100, copy_mm: 4700, copy_files: 7300, do_fork: 9100 },
  // MkLinux's file: sys_brk to avl_insert read on its first page (±300); the rest, past it, in 2.0's order of the file, estimated (±2,000)
  [MMAP]: {
    sys_brk: 2050, do_mmap: 4300, get_unmapped_area: 8900, avl_rebalance: 11500, avl_insert: 15200, avl_remove: 17000, unmap_fixup: 20000,
    do_munmap: 23000, build_mmap_avl: 25500, exit_mmap: 26000, remove_shared_vm_struct: 28800, merge_segments: 29300,
  },
  // a 2.0 copy of 14,887 characters (the sized file has 14,684): sys_open by match_at; do_open before it and close_fp and
  // sys_close behind it in 2.0's order of the file, estimated (±400)
  [OPEN]: { do_open: 11700, sys_open: 13210, close_fp: 13900, sys_close: 14400 },
  // __get_free_pages at the half of the file as in the 2.0 copies of 9,051 and 9,432 characters (4,463, 4,818), the frees before it; estimates, ±800
  [ALLOC]: { free_pages_ok: 2000, free_pages: 3000, __get_free_pages: 4200 },
  // MkLinux's file (the one sized): sys_times at 12,600 in a 2.0 copy of 21,712 characters, moved by MkLinux's
  // CONFIG_OSFMACH3 lines before it; getrusage and sys_getrusage read near the end of its last page; estimates, ±500
  'kernel/sys.c': { sys_times: 13300, getrusage: 20400, sys_getrusage: 22150 },
  // sys_gettimeofday at 5,354 and 3,645 in 2.0-era copies of 12,522 and 8,951 characters, scaled to the file sized; estimate, ±800
  'kernel/time.c': { sys_gettimeofday: 5000 },
  // 2.0's order of the file: do_fast_gettimeoffset, do_slow_gettimeoffset, then do_gettimeofday; recalled, not read, ±1,500
  'arch/i386/kernel/time.c': { do_fast_gettimeoffset: 1200, do_gettimeofday: 5000 },
};
