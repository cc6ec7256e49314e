import type { Cpu } from '../../machine/cpu';
import type { BranchSites } from '../../machine/btb';
import { wholeLineBytes } from '../../base/codeLayout';
import { LINUX_PARAMETERS, type LinuxParameters } from './linuxParameters';

export type LinuxPath = keyof typeof LINUX_PARAMETERS;

/**
 * Where each path's code lives: the Linux 2.0 object files in vmlinux link order (head/entry,
 * arch/i386/kernel, arch/i386/mm, kernel, mm, fs, drivers, net) with estimated text sizes of a
 * typical 1996 2.0.x kernel (~400 KB of text; tag I). Objects are laid end to end, so they start
 * at unaligned offsets as in a real link: what matters to the model is that paths of different
 * files sit on different pages (I-TLB entries after every CR3 reload) and on realistic I-cache sets.
 */
const KERNEL_OBJECTS: ReadonlyArray<readonly [string, number]> = [
  ['head.S + init/main.c', 0x1000],
  ['arch/i386/kernel/entry.S', 0x940],
  ['arch/i386/kernel/signal.c', 0x8c0],
  ['arch/i386/kernel (traps, irq, process, ...)', 0x35a4],
  ['arch/i386/mm/fault.c', 0x6e8],
  ['arch/i386/mm/init.c', 0x9d4],
  ['kernel/sched.c', 0x2a34],
  ['kernel/fork.c', 0xb18],
  ['kernel/exit.c', 0x1244],
  ['kernel/sys.c', 0x1ad0],
  ['kernel (signal, time, printk, ...)', 0x2f60],
  ['mm/memory.c', 0x2b8c],
  ['mm/mmap.c', 0x1a9c],
  ['mm/page_alloc.c', 0xe48],
  ['mm/filemap.c', 0x2654],
  ['mm (swap, vmalloc, kmalloc, ...)', 0x1f10],
  ['fs/read_write.c', 0x9a4],
  ['fs/open.c', 0x1468],
  ['fs/namei.c', 0x1b0c],
  ['fs/buffer.c', 0x3a64],
  ['fs/pipe.c', 0xa28],
  ['fs/exec.c', 0x1c5c],
  ['fs/stat.c', 0x6f0],
  ['fs/readdir.c', 0x3c8],
  ['fs/fcntl.c', 0x5d8],
  ['fs (inode, super, ext2, proc, ...)', 0x9000],
  ['drivers/char/mem.c', 0xa10],
  ['drivers/char/tty_io.c', 0x2ff4],
  ['drivers/char (n_tty, console, keyboard, ...)', 0x8000],
  ['drivers/block/ide.c', 0x4f30],
  ['drivers (ll_rw_blk, floppy, net, ...)', 0x6000],
  ['net/socket.c', 0x1d88],
  ['net/ipv4/udp.c', 0x1330],
  ['net/ipv4/tcp.c', 0x9a48],
];

/** Offset of each object in the kernel text (from the start of the image at 1 MB). */
export const KERNEL_TEXT_LAYOUT: Readonly<Record<string, number>> = (() => {
  const layout: Record<string, number> = {};
  let at = 0;
  for (const [name, size] of KERNEL_OBJECTS) {
    layout[name] = at;
    at += size;
  }
  return layout;
})();

/** The source file of each personality path. */
const PATH_FILE: Partial<Record<LinuxPath, string>> = {
  sysGetpid: 'kernel/sched.c', syscallBody: 'kernel/sys.c', fget: 'fs/read_write.c', rwVerify: 'fs/read_write.c', sysReadFrame: 'fs/read_write.c', sysWriteFrame: 'fs/read_write.c', writeSemaphore: 'fs/read_write.c', verifyArea: 'mm/memory.c', findVma: 'mm/mmap.c', findVmaPerNode: 'mm/mmap.c',
  writeNull: 'drivers/char/mem.c', pipeReadOp: 'fs/pipe.c', pipeWriteOp: 'fs/pipe.c', pipeChunk: 'fs/pipe.c', pipeRetest: 'fs/pipe.c', wakeUp: 'kernel/sched.c',
  wakeUpPerWaiter: 'kernel/sched.c', sleepOn: 'kernel/sched.c', sleepOnWake: 'kernel/sched.c', scheduleBase: 'kernel/sched.c', goodnessPerTask: 'kernel/sched.c',
  recalculatePerTask: 'kernel/sched.c', switchTo: 'kernel/sched.c', timerTick: 'kernel/sched.c', pageFault: 'arch/i386/mm/fault.c', faultWpPage: 'mm/memory.c', faultAnonPage: 'mm/memory.c', faultZeroPage: 'mm/memory.c', faultFilePage: 'mm/filemap.c', faultFileCopy: 'mm/filemap.c',
  zeroPagePerDword: 'mm/memory.c', getFreePage: 'mm/page_alloc.c', freePage: 'mm/page_alloc.c', freePageToZero: 'mm/page_alloc.c', exitPerVma: 'mm/mmap.c', freePageTablesPerPde: 'mm/memory.c', copyPte: 'mm/memory.c',
  copyPteNone: 'mm/memory.c', zapPte: 'mm/memory.c', zapPteNone: 'mm/memory.c', forkBase: 'kernel/fork.c', forkPerVma: 'kernel/fork.c', findEmptyProcessPerSlot: 'kernel/fork.c', findEmptyProcessPerTask: 'kernel/fork.c', exitBase: 'kernel/exit.c',
  waitBase: 'kernel/exit.c', execBase: 'fs/exec.c', execPerArgByte: 'fs/exec.c', pathComponent: 'fs/namei.c', openBase: 'fs/open.c',
  closeBase: 'fs/open.c', fileReadBase: 'mm/filemap.c', fileReadCall: 'mm/filemap.c', statBase: 'fs/stat.c', fstatBase: 'fs/stat.c', getdentsPerEntry: 'fs/readdir.c', mmapBase: 'mm/mmap.c',
  munmapBase: 'mm/mmap.c', brkBase: 'mm/mmap.c', brkGrow: 'mm/mmap.c', brkShrink: 'mm/mmap.c', signalSend: 'kernel/exit.c', signalFrame: 'arch/i386/kernel/signal.c',
  sigreturn: 'arch/i386/kernel/signal.c', dupBase: 'fs/fcntl.c', ttyWritePerChar: 'drivers/char/tty_io.c',
  bread: 'fs/buffer.c', selectBase: 'fs (inode, super, ext2, proc, ...)', selectPerFd: 'fs (inode, super, ext2, proc, ...)',
  selectPerSet: 'fs (inode, super, ext2, proc, ...)', selectTimeout: 'fs (inode, super, ext2, proc, ...)', selectCheck: 'fs (inode, super, ext2, proc, ...)',
  selectWait: 'fs (inode, super, ext2, proc, ...)', sockSelect: 'net/socket.c', syncBase: 'fs/buffer.c', writeBlock: 'fs/buffer.c', ideRequest: 'drivers/block/ide.c', makeRequest: 'drivers (ll_rw_blk, floppy, net, ...)', makeRequestWrite: 'drivers (ll_rw_blk, floppy, net, ...)', mergeScan: 'drivers (ll_rw_blk, floppy, net, ...)', addRequest: 'drivers (ll_rw_blk, floppy, net, ...)', elevatorScan: 'drivers (ll_rw_blk, floppy, net, ...)', ideInterrupt: 'drivers/block/ide.c', endBuffer: 'drivers/block/ide.c',
  socketCall: 'net/socket.c', socketSetup: 'net/socket.c', udpSend: 'net/ipv4/udp.c', udpReceive: 'net/ipv4/udp.c',
  udpRecvmsg: 'net/ipv4/udp.c', udpRecvWait: 'net/ipv4/udp.c', netBottomHalf: 'drivers (ll_rw_blk, floppy, net, ...)',
  tcpSendCall: 'net/ipv4/tcp.c', tcpSend: 'net/ipv4/tcp.c', tcpReceive: 'net/ipv4/tcp.c', tcpAckedSkb: 'net/ipv4/tcp.c', tcpRecvCall: 'net/ipv4/tcp.c',
  tcpRecvWait: 'net/ipv4/tcp.c', tcpRecvSkb: 'net/ipv4/tcp.c', tcpAck: 'net/ipv4/tcp.c', checksumPerDword: 'net/ipv4/tcp.c',
  mprotectBase: 'mm (swap, vmalloc, kmalloc, ...)', changePte: 'mm (swap, vmalloc, kmalloc, ...)',
  shrinkMmapPerPage: 'mm/filemap.c', shrinkMmapFree: 'mm/filemap.c', bdflushWakeup: 'fs/buffer.c',
};

/** Paths that are hand-written assembly (inline asm of include/asm-i386, the rep stosl clear, csum_partial_copy's loop): compact code at `codeBytesPerInstruction`. */
const ASSEMBLY_PATHS: ReadonlySet<LinuxPath> = new Set<LinuxPath>(['switchTo', 'zeroPagePerDword', 'checksumPerDword']);

/**
 * The largest footprint of one path (a quarter of the 8 KB L1-I). The counts of the largest paths
 * (forkBase, exitBase, execBase, tcpAck) include their loops' iterations, which fetch no new code,
 * so their count × `codeLineBytesPerInstruction` overstates their code (forkBase: 3,480 × 4.63 B =
 * 16 KB, where a traced sys_fork touches 125 lines = 4 KB); the cap understates the largest ones
 * instead (a traced sys_execve touches 396 lines = 12.7 KB).
 */
const MAX_PATH_BYTES = 2048;

/** Flag instructions (pushf/popf/cli/sti) of a path, charged at the machine's cliSti each. */
const FLAG_OPS: Partial<Record<LinuxPath, LinuxPath>> = {
  scheduleBase: 'scheduleFlagOps', sleepOn: 'sleepOnFlagOps', sleepOnWake: 'sleepOnWakeFlagOps', wakeUpPerWaiter: 'wakeUpFlagOps',
  getFreePage: 'getFreePageFlagOps', freePageToZero: 'freePageToZeroFlagOps', forkBase: 'forkFlagOps', forkPerVma: 'forkPerVmaFlagOps',
  exitBase: 'exitFlagOps', exitPerVma: 'exitPerVmaFlagOps', waitBase: 'waitFlagOps', execBase: 'execFlagOps', openBase: 'openFlagOps',
  statBase: 'statFlagOps', mmapBase: 'mmapFlagOps', munmapBase: 'munmapFlagOps', brkGrow: 'brkFlagOps', brkShrink: 'brkFlagOps',
  udpSend: 'udpSendFlagOps', udpReceive: 'udpReceiveFlagOps', netBottomHalf: 'netBottomHalfFlagOps', udpRecvmsg: 'udpRecvmsgFlagOps',
  udpRecvWait: 'udpRecvWaitFlagOps', tcpSendCall: 'tcpSendCallFlagOps', tcpSend: 'tcpSendFlagOps', tcpReceive: 'tcpReceiveFlagOps',
  tcpAckedSkb: 'tcpAckedSkbFlagOps', tcpRecvCall: 'tcpRecvCallFlagOps', tcpRecvWait: 'tcpRecvWaitFlagOps', tcpRecvSkb: 'tcpRecvSkbFlagOps',
  tcpAck: 'tcpAckFlagOps', selectWait: 'selectWaitFlagOps', makeRequest: 'makeRequestFlagOps', makeRequestWrite: 'makeRequestFlagOps', addRequest: 'addRequestFlagOps',
};

/**
 * Read-modify-write memory instructions among a path's instructions (incl/decl/orl on memory,
 * xchgl): each costs the machine's aluRegMem on top of its one instruction cycle (3 cycles on the
 * P5, as entry.S's andl to EFLAGS(%esp) is charged).
 */
const RMW_OPS: Partial<Record<LinuxPath, LinuxPath>> = {
  writeSemaphore: 'writeSemaphoreRmwOps', pipeReadOp: 'pipeOpRmwOps', pipeWriteOp: 'pipeOpRmwOps', pipeChunk: 'pipeChunkRmwOps',
  wakeUpPerWaiter: 'wakeUpRmwOps', scheduleBase: 'scheduleRmwOps', faultWpPage: 'faultWpRmwOps', faultAnonPage: 'faultAnonRmwOps',
  faultFilePage: 'faultFileRmwOps', faultFileCopy: 'faultFileRmwOps', getFreePage: 'getFreePageRmwOps',
  freePage: 'freePageRmwOps', freePageToZero: 'freePageToZeroRmwOps', copyPte: 'copyPteRmwOps', zapPte: 'zapPteRmwOps',
  forkBase: 'forkRmwOps', forkPerVma: 'forkPerVmaRmwOps', exitBase: 'exitRmwOps', exitPerVma: 'exitPerVmaRmwOps', waitBase: 'waitRmwOps',
  execBase: 'execRmwOps', pathComponent: 'pathComponentRmwOps', openBase: 'openRmwOps', closeBase: 'closeRmwOps', fileReadBase: 'fileReadRmwOps',
  statBase: 'statRmwOps', mmapBase: 'mmapRmwOps', munmapBase: 'munmapRmwOps', brkGrow: 'brkRmwOps', brkShrink: 'brkRmwOps',
  signalSend: 'signalSendRmwOps', signalFrame: 'signalFrameRmwOps', sigreturn: 'sigreturnRmwOps',
  udpSend: 'udpSendRmwOps', udpReceive: 'udpReceiveRmwOps', netBottomHalf: 'netBottomHalfRmwOps', udpRecvmsg: 'udpRecvmsgRmwOps',
  tcpSend: 'tcpSendRmwOps', tcpReceive: 'tcpReceiveRmwOps', tcpAckedSkb: 'tcpAckedSkbRmwOps', tcpRecvSkb: 'tcpRecvSkbRmwOps', tcpAck: 'tcpAckRmwOps',
  makeRequest: 'makeRequestRmwOps', makeRequestWrite: 'makeRequestRmwOps', addRequest: 'addRequestRmwOps',
};

/**
 * The personality's code paths as code in memory: each path of {@link LINUX_PARAMETERS} gets an
 * address inside its source file's region of the kernel text and a size of its instruction count
 * × `codeLineBytesPerInstruction` in whole lines (compiled C: the lines it touches also hold the arms
 * it skips; assembly paths × `codeBytesPerInstruction`), so running it fetches its code through the I-TLB and the 8 KB
 * I-cache: a path costs more when other code evicted it. Instruction cycles go to the
 * substrate's kernel category.
 */
export class KernelCode {
  /** Per path: instruction cycles (with its flag and read-modify-write instructions), code address and bytes, branch sites; looked up by name once. */
  private readonly paths = new Map<string, { cycles: number; address: number; bytes: number; sites: BranchSites | null }>();

  constructor(private readonly cpu: Cpu, p: LinuxParameters, textBase: number, private readonly category: number) {
    const next = new Map<string, number>();
    for (const name of Object.keys(LINUX_PARAMETERS) as LinuxPath[]) {
      if (LINUX_PARAMETERS[name].unit !== 'instructions') continue;
      const file = PATH_FILE[name] ?? 'kernel/sys.c';
      const at = next.get(file) ?? textBase + KERNEL_TEXT_LAYOUT[file];
      const bytesPerInstruction = ASSEMBLY_PATHS.has(name) ? p.codeBytesPerInstruction : p.codeLineBytesPerInstruction;
      const size = Math.min(MAX_PATH_BYTES, wholeLineBytes(p[name] * bytesPerInstruction, 32));
      next.set(file, at + size);
      const flags = FLAG_OPS[name];
      const rmw = RMW_OPS[name];
      const flagOps = flags !== undefined ? p[flags] : 0;
      const cycles = p[name] * cpu.p.instruction + flagOps * cpu.p.cliSti + (rmw !== undefined ? p[rmw] * cpu.p.aluRegMem : 0);
      const path = { cycles, address: at, bytes: size, sites: null as BranchSites | null };
      // taken branches are a share of instructions, not of cycles: a 7-cycle CLI or a 3-cycle RMW is one instruction
      path.sites = cpu.branchSitesOf(path, p[name] + flagOps);
      this.paths.set(name, path);
    }
  }

  /** Runs path `name` `count` times (a loop: its code is fetched, and its branches first met, once per call). */
  run(name: LinuxPath, count = 1): void {
    const path = this.paths.get(name);
    if (path === undefined) throw new Error(`${name} is not a code path`);
    this.cpu.charge(path.cycles * count, this.category);
    if (path.bytes > 0 && count > 0) this.cpu.runCode(path.address, path.bytes, path.sites);
  }
}
