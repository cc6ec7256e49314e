import { SIGMA0_MEMORY_PHYSICAL } from '../../l4/kernelLayout';
import { ENTRY_OBJECT, kernelObjectOffset } from '../core/kernelCode';
import type { LinuxParameters } from '../core/linuxParameters';

/**
 * The object of the 2.0 link whose place the server glue takes. The server image is the Linux
 * kernel linked for L4: arch/l4 replaces arch/i386 (arch/$(ARCH)/kernel and mm come right after
 * head.o and init/ in the link), and its system-call entry, the receive loop that takes a
 * request by IPC, dispatches it through sys_call_table and answers it, replaces
 * arch/i386/kernel/entry.S, whose int $0x80 entry, SAVE_ALL/RESTORE_ALL and ret_from_sys_call
 * the server does not run. No personality path is placed in entry.S (kernelCode.ts runs the
 * entry.S work only in the native substrate), so the glue has the object's place to itself; the
 * other arch objects (signal.c, traps, mm/fault.c) keep theirs, as the personality's paths there
 * are the ones the server runs.
 */
export const GLUE_OBJECT = ENTRY_OBJECT;

/**
 * The server's glue: its receive loop, sender → task, the coroutine switch, with the entry.S work
 * it kept, in {@link GLUE_OBJECT}'s place of the text the personality's parameters `linux` lay out
 * (the build the server was booted with; its size: glueCode.ts).
 */
export function serverGlueAddress(linux: LinuxParameters): number {
  return SERVER_IMAGE.text + kernelObjectOffset(linux, GLUE_OBJECT);
}

/**
 * Where L4Linux keeps things. The server's space maps the memory sigma0 gives it one to one
 * (server virtual = physical, SOSP'97 §4); the server image (the Linux text with the server's own
 * glue in it: {@link serverGlueAddress}; the emulation-library page it maps into processes, its
 * data) sits at the start of that memory, and Linux allocates its pages after it.
 */
export const SERVER_IMAGE = {
  /** The Linux personality's text (kernelTextLayout offsets are relative to it). */
  text: SIGMA0_MEMORY_PHYSICAL,
  /** The emulation library and signal-thread code (one page after the text, mapped read-only into processes). */
  emulation: SIGMA0_MEMORY_PHYSICAL + 0x78000,
  /** sys_call_table and the server's globals. */
  data: SIGMA0_MEMORY_PHYSICAL + 0x79000,
  /** First byte Linux may allocate pages from. */
  end: SIGMA0_MEMORY_PHYSICAL + 0x80000,
} as const;

/**
 * L4Linux's TASK_SIZE: Linux's user space ends 4 MB below i386's 3 GB, and the server keeps that
 * top region of every process's space for itself: SOSP'97 §4 maps the emulation library and the
 * signal-thread code "into an otherwise unused high part of each user space", which Linux's mmap,
 * brk and stack must then never be given. How 1997's L4Linux bounded it was not found; its
 * successors define TASK_SIZE as L4LX_USER_END_ADDRESS, 0xBFC00000 ("must be 4mb aligned",
 * arch/l4 asm/api-l4env/config.h, read in osfree-project/l4linux-l4env), and so does the model.
 * Until session 17 the library sat at 0xB0000000, inside Linux's user space: a process that
 * mapped memory there with MAP_FIXED replaced its own library and hung in its next system call.
 */
export const L4LINUX_TASK_SIZE = 0xbfc00000;

/**
 * The emulation library's place in every user space: the otherwise unused high region above
 * {@link L4LINUX_TASK_SIZE} (SOSP'97 §4), one page (the server's {@link SERVER_IMAGE}.emulation,
 * mapped read-only). Its stub, trampoline and signal-thread code lie one after another from
 * `code` (glueCode.ts); the signal thread's stack pointer starts at the page's end (it only
 * waits, and never pushes).
 */
export const EMULATION_LIBRARY = {
  code: L4LINUX_TASK_SIZE,
  bytes: 0x1000,
  /**
   * The page after the code: the data structure the process shares with the server (a page of
   * the server's own memory per process, mapped writable on its first fault). A system call's
   * registers go there, not into the message: the library "saves all state in the shared data
   * structure and sends an IPC to the Linux server. The Linux server can then extract the
   * register values from the shared data structure. After replying to the IPC the emulation code
   * restores the (new) state" (A. Lackorzynski on l4-hackers, 7 June 2005, of L4Linux 2.2 and
   * 2.4-v2, the same group's L4Linux on the version 2 API; 1997's own protocol was not found).
   * The structure's offset in the page is not known: at 0 it would share L1 set 0 with the hot
   * lines of the TCBs (1 KB-aligned slots), and a warm getpid would miss there each call, which
   * SOSP'97's footprint (45 lines, 9 % of L1) speaks against; most offsets share no set with the
   * path's lines, 0x100 among them (README, Figure 5).
   */
  state: L4LINUX_TASK_SIZE + 0x1100,
} as const;

/**
 * The registers of a system call in the shared page ({@link EMULATION_LIBRARY}.state), one word
 * each: EAX (the number; the server writes the result there), then EBX, ECX, EDX, ESI and EDI
 * (the arguments, in Linux/i386's order).
 */
export const STATE_WORDS = 6;

/** L4 threads of the server task (lthread numbers). */
export const SERVER_THREAD = { server: 0, timer: 1, console: 2, disk: 3, bottomHalf: 4 } as const;
/** L4 threads of a user task: the main thread and the signal thread (SOSP'97 §4). */
export const USER_THREAD = { main: 0, signal: 1 } as const;

/**
 * Words of the messages between processes and the server. A system call is a short IPC whose
 * first word is {@link MESSAGE.systemCall} (bit 0 set: a page-fault message from L4 never has
 * it, as it carries a 4-byte aligned address with the write bit in bit 1); its registers are in
 * the shared page ({@link STATE_WORDS}).
 */
export const MESSAGE = {
  systemCall: 1,
  isSystemCall(w0: number): boolean {
    return (w0 & 1) !== 0;
  },
  /** Not a Linux system call: the main thread enters Linux for signal delivery (signal thread). */
  signalEntry: 0xfff0,
  /**
   * Not a Linux system call: the main thread's exception handler reports an exception L4
   * reflected to it (the vector in the first argument); Linux answers with SIGSEGV (force_sig).
   */
  exception: 0xfff1,
  /** Server → signal thread: a signal is pending. Bottom half → server: work to do. */
  wakeUp: 0x5,
} as const;

/** Reply flag (second word): caught signals have frames to run before the call returns. */
export const REPLY_HANDLERS = 1;

/** Server → signal-thread flag (second word): the main thread waits in a page-fault RPC the server left unanswered. */
export const SIGNAL_IN_FAULT = 1;
