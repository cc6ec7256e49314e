/**
 * The Linux/i386 2.0 system-call numbers and argument counts (include/asm-i386/unistd.h and
 * arch/i386/kernel/entry.S `sys_call_table` of Linux 2.0), declared once (STYLE.md §7). The
 * kernel's dispatch table and the C library's stubs are both built from this table. Arguments go
 * in EBX, ECX, EDX, ESI, EDI; the result (or -errno) comes back in EAX.
 */
export interface SyscallSpec {
  readonly nr: number;
  readonly name: string;
  readonly args: number;
}

const TABLE = [
  [1, 'exit', 1], [2, 'fork', 0], [3, 'read', 3], [4, 'write', 3], [5, 'open', 3], [6, 'close', 1],
  [7, 'waitpid', 3], [8, 'creat', 2], [10, 'unlink', 1], [11, 'execve', 3], [12, 'chdir', 1],
  [13, 'time', 1], [19, 'lseek', 3], [20, 'getpid', 0], [27, 'alarm', 1], [29, 'pause', 0],
  [37, 'kill', 2], [39, 'mkdir', 2], [40, 'rmdir', 1], [41, 'dup', 1], [42, 'pipe', 1],
  [45, 'brk', 1], [48, 'signal', 2], [54, 'ioctl', 3], [57, 'setpgid', 2], [63, 'dup2', 2],
  [64, 'getppid', 0], [65, 'getpgrp', 0], [67, 'sigaction', 3], [90, 'mmap', 1], [91, 'munmap', 2],
  [106, 'stat', 2], [108, 'fstat', 2], [114, 'wait4', 4], [119, 'sigreturn', 1], [126, 'sigprocmask', 3],
  [102, 'socketcall', 2], [141, 'getdents', 3], [142, '_newselect', 5], [162, 'nanosleep', 2], [36, 'sync', 0], [118, 'fsync', 1],
  [125, 'mprotect', 3], [43, 'times', 1], [77, 'getrusage', 2], [78, 'gettimeofday', 2],
] as const;

export const SYSCALLS: readonly SyscallSpec[] = TABLE.map(([nr, name, args]) => ({ nr, name, args }));

/** NR_syscalls of Linux 2.0 (entries in `sys_call_table`). */
export const NR_SYSCALLS = 256;

export type SyscallName = (typeof TABLE)[number][1];

/** Number of each system call by name: `NR.getpid === 20`. */
export const NR = Object.fromEntries(TABLE.map(([nr, name]) => [name, nr])) as { readonly [K in SyscallName]: number };

export function syscallName(nr: number): string {
  return SYSCALLS.find((s) => s.nr === nr)?.name ?? `syscall${nr}`;
}

/** MAX_ARG_PAGES of Linux 2.0 (include/linux/binfmts.h): the pages execve copies the argument strings into. */
export const MAX_ARG_PAGES = 32;

/** Clock ticks per second (include/asm-i386/param.h of 2.0): jiffies, clock_t and timeouts. */
export const HZ = 100;

/** Signal numbers of Linux/i386 (include/asm-i386/signal.h). */
export const SIG = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGCHLD: 17, SIGCONT: 18,
  SIGSTOP: 19, SIGTSTP: 20, SIGWINCH: 28,
} as const;
export const NSIG = 32;
export const SIG_DFL = 0;
export const SIG_IGN = 1;

/** open(2) flags (include/asm-i386/fcntl.h). */
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;

/** mmap(2) (include/asm-i386/mman.h). */
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const MAP_SHARED = 1;
export const MAP_PRIVATE = 2;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;

/** socketcall(2) call numbers (include/linux/net.h) and socket constants. */
export const SYS_SOCKET = 1;
export const SYS_BIND = 2;
export const SYS_CONNECT = 3;
export const SYS_LISTEN = 4;
export const SYS_ACCEPT = 5;
export const SYS_SEND = 9;
export const SYS_RECV = 10;
export const SYS_SENDTO = 11;
export const SYS_RECVFROM = 12;
export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;

/** tty ioctls (include/asm-i386/ioctls.h): argument is a pid_t pointer. */
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;

/** getrusage(2) `who` (include/linux/resource.h); RUSAGE_BOTH is the kernel's own, for wait4. */
export const RUSAGE_SELF = 0;
export const RUSAGE_CHILDREN = -1;
export const RUSAGE_BOTH = -2;

/** wait4 options. */
export const WNOHANG = 1;

/** st_mode file types. */
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_IFSOCK = 0o140000;
