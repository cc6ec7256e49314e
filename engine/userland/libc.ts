import { guestCycles } from '../base/result';
import { decodeUtf8, encodeUtf8 } from '../base/text';
import { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE, CAT, type Cpu } from '../machine/cpu';
import type { Activity, Operation } from '../machine/executionContext';
import type { SystemCallGate } from '../linux/core/substrate';
import type { HotWorkingSet } from './hotWorkingSet';
import { USER_COSTS } from './userParameters';
import { AF_INET, NR, SYS_ACCEPT, SYS_BIND, SYS_CONNECT, SYS_LISTEN, SYS_RECVFROM, SYS_SENDTO, SYS_SOCKET, TIOCGPGRP, TIOCSPGRP } from '../linux/core/syscalls';

/** Thrown by {@link Libc.execve} after a successful exec: unwinds the old image to crt0. */
export class ExecTransfer extends Error {
  constructor() {
    super('execve');
  }
}

/** A guest function run in a child after fork (the child's "return 0" path). */
/** Offset in the C library's scratch buffer of the struct tms, rusage or timeval of times, getrusage and gettimeofday (72 bytes). */
const TIME_BLOCK = 3700;

export type ChildBody = (libc: Libc) => Operation<number>;
/** A guest signal handler. */
export type SignalHandler = (libc: Libc, signal: number) => Activity;

/** struct tms (include/linux/times.h): CPU time in clock ticks (HZ = 100). */
export interface ProcessTimes {
  readonly utime: number;
  readonly stime: number;
  /** Of the children already waited for (and theirs). */
  readonly cutime: number;
  readonly cstime: number;
}

/** The fields of struct rusage (include/linux/resource.h) Linux 2.0 fills; times in microseconds. */
export interface ResourceUsage {
  readonly utimeUs: number;
  readonly stimeUs: number;
  readonly minorFaults: number;
  readonly majorFaults: number;
  readonly swaps: number;
}

/** What the parent's C library hands to its forked child (copied address-space state). */
export interface ForkedEntry {
  readonly body: ChildBody;
  readonly state: LibcState;
}

/** User-level state of the C library that lives in the process's memory (copied by fork). */
export interface LibcState {
  readonly textBase: number;
  /** The program's data segment, whose first words are its GOT (`.got.plt`). */
  readonly dataBase: number;
  readonly bssBase: number;
  readonly handlers: SignalHandler[];
  readonly scratch: number;
  /** A user stack address below the initial stack pointer, where call frames of stubs go. */
  readonly stack: number;
  /** Where ld.so mapped libc.so.5's text, in a dynamically linked image (none in a static one). */
  readonly sharedText?: number;
  /** System calls whose PLT slot the dynamic linker has bound (the GOT is copied by fork). */
  readonly bound?: ReadonlySet<number>;
  /** The lines the program's computation keeps re-referencing (none: compute makes no memory references). */
  readonly workingSet?: HotWorkingSet;
}


const SCRATCH_BYTES = 4096;
export const SIGNAL_HANDLER_BASE = 0x800;
/** The executable's PLT, after its .init (each entry {@link USER_COSTS.pltEntryBytes}). */
const PLT_OFFSET = 0x200;
/** GOT[0..2] are the dynamic section, the link map and the resolver; PLT slots follow. */
const GOT_RESERVED_BYTES = 12;

/**
 * The guest C library: system-call stubs over a pluggable {@link SystemCallGate} (int 0x80 on
 * native Linux; the L4Linux emulation library or trampoline elsewhere), user-memory access from
 * user mode through the MMU (faults are raised through the IDT and handled by the kernel), a
 * brk-based malloc, and small string helpers. Stubs return the kernel's value: a result ≥ 0 or
 * -errno.
 */
export class Libc {
  private readonly stubCycles: number;
  private readonly pltCycles: number;
  private readonly staticStubAddress: number;
  private sharedText: number | undefined;
  private readonly bound: Set<number>;
  constructor(
    readonly gate: SystemCallGate,
    readonly cpu: Cpu,
    readonly state: LibcState,
    /** A zero-cost marker for the harness (like gem5's m5 ops) that timestamps a benchmark. */
    private readonly marker: (label: string, value: number) => void = () => {},
  ) {
    this.stubCycles = USER_COSTS.syscallStub * cpu.p.instruction;
    this.pltCycles = USER_COSTS.pltStub * cpu.p.instruction;
    this.staticStubAddress = state.textBase + 0x400;
    this.sharedText = state.sharedText;
    this.bound = new Set(state.bound);
  }

  /**
   * Called by the dynamic linker once libc.so.5's text is mapped at `text`: from now on every
   * system call goes through the program's PLT and GOT to its wrapper in the shared library.
   */
  linkShared(text: number): void {
    this.sharedText = text;
    this.bound.clear();
  }

  /** The user-level copy of the C library's state, as fork duplicates it. */
  private snapshot(): LibcState {
    return { ...this.state, handlers: [...this.state.handlers], sharedText: this.sharedText, bound: new Set(this.bound) };
  }

  // ---- user-mode execution ----------------------------------------------------------------

  /**
   * User computation of `cycles` cycles (interrupts may arrive), re-referencing the program's
   * hot working set, if it declares one, whenever other code ran before or during it.
   */
  *compute(cycles: number): Activity {
    guestCycles(cycles);
    const workingSet = this.state.workingSet;
    if (workingSet === undefined) yield* this.cpu.compute(cycles, CAT.user);
    else yield* workingSet.compute(this.cpu, cycles);
  }

  /** User instructions that cannot be interrupted at a finer grain than a system call (loop overhead). */
  spend(cycles: number): void {
    this.cpu.charge(cycles, CAT.user);
  }

  /** Executes `bytes` of the program's text at `offset` (I-TLB, I-cache, demand paging) and `cycles` of work. */
  *run(offset: number, bytes: number, cycles = 0): Activity {
    yield* this.touch(this.state.textBase + offset, bytes, ACCESS_FETCH);
    if (cycles > 0) yield* this.cpu.compute(cycles, CAT.user);
  }

  /** Touches user memory as `kind` (timing, A/D bits, faults). */
  *touch(address: number, length: number, kind: number = ACCESS_READ): Activity {
    const cpu = this.cpu;
    let done = 0;
    while (done < length) {
      const linear = cpu.userLinear(address + done, length - done, kind as 0 | 1 | 2);
      if (linear < 0) {
        yield* cpu.raise(cpu.fault);
        continue;
      }
      done += cpu.access(linear, length - done, kind as 0 | 1 | 2, true);
      if (done < length) yield* cpu.raise(cpu.fault);
    }
  }

  /** Stores `bytes` at user address `address`. */
  *store(address: number, bytes: Uint8Array): Activity {
    const cpu = this.cpu;
    let done = 0;
    while (done < bytes.length) {
      const linear = cpu.userLinear(address + done, bytes.length - done, ACCESS_WRITE);
      if (linear < 0) {
        yield* cpu.raise(cpu.fault);
        continue;
      }
      done += cpu.write(linear, bytes, done, bytes.length - done, true);
      if (done < bytes.length) yield* cpu.raise(cpu.fault);
    }
  }

  /** Loads `length` bytes from user address `address`. */
  *load(address: number, length: number): Operation<Uint8Array> {
    const cpu = this.cpu;
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const linear = cpu.userLinear(address + done, length - done, ACCESS_READ);
      if (linear < 0) {
        yield* cpu.raise(cpu.fault);
        continue;
      }
      done += cpu.read(linear, out, done, length - done, true);
      if (done < length) yield* cpu.raise(cpu.fault);
    }
    return out;
  }

  *loadWord(address: number): Operation<number> {
    const bytes = yield* this.load(address, 4);
    return (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
  }

  *storeWords(address: number, words: readonly number[]): Activity {
    const bytes = new Uint8Array(words.length * 4);
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
    yield* this.store(address, bytes);
  }

  /** Reads a NUL-terminated string. */
  *loadString(address: number, max = 4096): Operation<string> {
    const collected: number[] = [];
    while (collected.length < max) {
      const bytes = yield* this.load(address + collected.length, 1);
      if (bytes[0] === 0) break;
      collected.push(bytes[0]);
    }
    return decodeUtf8(Uint8Array.from(collected));
  }

  /** A scratch buffer of the C library in bss (4 KB), for stdio-like helpers. */
  get scratch(): number {
    return this.state.scratch;
  }

  // ---- memory allocation ----------------------------------------------------------------------

  /** malloc via brk (never freed): returns the address, or 0. */
  *malloc(size: number): Operation<number> {
    const current = yield* this.syscall(NR.brk, 0);
    const start = (current + 15) & ~15;
    const end = yield* this.syscall(NR.brk, start + size);
    return end >= start + size ? start : 0;
  }

  /** Copies `text` (NUL-terminated) into newly malloc'd user memory. */
  *cstring(text: string): Operation<number> {
    const bytes = encodeUtf8(`${text}\0`);
    const address = yield* this.malloc(bytes.length);
    yield* this.store(address, bytes);
    return address;
  }

  // ---- system calls ---------------------------------------------------------------------------

  /**
   * The raw stub: charges the call's user instructions, fetches its code, traps, returns EAX.
   * Statically linked, the `_syscall` stub is in the program's text. Dynamically linked, the call
   * jumps through the program's PLT entry and GOT slot to the wrapper in libc.so.5's text — unless
   * the gate is itself that wrapper (L4Linux's emulation library is the modified libc.so). Not a
   * generator itself (the path stays one generator deep when everything is resident and bound).
   */
  syscall(nr: number, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): Operation<number> {
    const cpu = this.cpu;
    const shared = this.sharedText !== undefined;
    const wrapper = !shared || this.gate.libraryEntry !== true;
    if (shared && !this.bound.has(nr)) return this.faultingStub(nr, a1, a2, a3, a4, a5);
    if (wrapper) cpu.charge(this.stubCycles, CAT.user);
    if (shared) cpu.charge(this.pltCycles, CAT.user);
    // call + push %ebx (writes), argument loads + pop + ret (reads): the stub's frame on the user stack
    const frame = USER_COSTS.stubFrameBytes;
    const plt = USER_COSTS.pltEntryBytes;
    if (
      cpu.access(this.state.stack, frame, ACCESS_WRITE, true) === frame &&
      cpu.access(this.state.stack, frame, ACCESS_READ, true) === frame &&
      (!shared || (cpu.access(this.pltEntry(nr), plt, ACCESS_FETCH, true) === plt && cpu.access(this.gotSlot(nr), 4, ACCESS_READ, true) === 4)) &&
      (!wrapper || cpu.access(this.wrapperAddress(nr), USER_COSTS.stubBytes, ACCESS_FETCH, true) === USER_COSTS.stubBytes)
    ) {
      return this.gate.call(nr, a1, a2, a3, a4, a5);
    }
    return this.faultingStub(nr, a1, a2, a3, a4, a5, true);
  }

  /** The same path through {@link touch} (faults, lazy binding); `charged` when the fast path already charged the instructions. */
  private *faultingStub(nr: number, a1: number, a2: number, a3: number, a4: number, a5: number, charged = false): Operation<number> {
    const shared = this.sharedText !== undefined;
    const wrapper = !shared || this.gate.libraryEntry !== true;
    if (!charged) this.cpu.charge((wrapper ? this.stubCycles : 0) + (shared ? this.pltCycles : 0), CAT.user);
    yield* this.touch(this.state.stack, USER_COSTS.stubFrameBytes, ACCESS_WRITE);
    yield* this.touch(this.state.stack, USER_COSTS.stubFrameBytes, ACCESS_READ);
    if (shared) {
      yield* this.touch(this.pltEntry(nr), USER_COSTS.pltEntryBytes, ACCESS_FETCH);
      yield* this.touch(this.gotSlot(nr), 4, ACCESS_READ);
      if (!this.bound.has(nr)) {
        this.cpu.charge(USER_COSTS.lazyBinding * this.cpu.p.instruction, CAT.user);
        yield* this.touch(this.gotSlot(nr), 4, ACCESS_WRITE);
        this.bound.add(nr);
      }
    }
    if (wrapper) yield* this.touch(this.wrapperAddress(nr), USER_COSTS.stubBytes, ACCESS_FETCH);
    return yield* this.gate.call(nr, a1, a2, a3, a4, a5);
  }

  /** The executable's PLT entry for system call `nr`'s wrapper. */
  private pltEntry(nr: number): number {
    return this.state.textBase + PLT_OFFSET + nr * USER_COSTS.pltEntryBytes;
  }

  /** The GOT slot (in the program's data) its PLT entry jumps through. */
  private gotSlot(nr: number): number {
    return this.state.dataBase + GOT_RESERVED_BYTES + nr * 4;
  }

  /** The wrapper's code: in libc.so.5's text when dynamically linked, else in the program's text. */
  private wrapperAddress(nr: number): number {
    if (this.sharedText === undefined) return this.staticStubAddress;
    return this.sharedText + USER_COSTS.libcWrapperOffset + nr * USER_COSTS.libcWrapperStride;
  }

  getpid(): Operation<number> {
    return this.syscall(NR.getpid);
  }

  getppid(): Operation<number> {
    return this.syscall(NR.getppid);
  }

  /**
   * time(2): seconds since the epoch (the model's clock starts at 0 at boot), also stored at
   * `tloc` when it is not 0, or -errno (-EFAULT for a `tloc` outside the process's memory).
   */
  time(tloc = 0): Operation<number> {
    return this.syscall(NR.time, tloc);
  }

  /** times(2): [clock ticks since boot, or -errno; the process's and its children's times]. */
  *times(): Operation<[number, ProcessTimes]> {
    const buffer = this.state.scratch + TIME_BLOCK;
    const result = yield* this.syscall(NR.times, buffer);
    if (result < 0 && result > -4096) return [result, { utime: 0, stime: 0, cutime: 0, cstime: 0 }];
    const bytes = yield* this.load(buffer, 16);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    return [result, { utime: view.getInt32(0, true), stime: view.getInt32(4, true), cutime: view.getInt32(8, true), cstime: view.getInt32(12, true) }];
  }

  /** getrusage(2) of RUSAGE_SELF (0) or RUSAGE_CHILDREN (-1): [0 or -errno, the usage]. */
  *getrusage(who: number): Operation<[number, ResourceUsage]> {
    const buffer = this.state.scratch + TIME_BLOCK;
    const result = yield* this.syscall(NR.getrusage, who >>> 0, buffer);
    if (result < 0) return [result, { utimeUs: 0, stimeUs: 0, minorFaults: 0, majorFaults: 0, swaps: 0 }];
    const bytes = yield* this.load(buffer, 72);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const word = (index: number): number => view.getInt32(index * 4, true);
    return [result, { utimeUs: word(0) * 1_000_000 + word(1), stimeUs: word(2) * 1_000_000 + word(3), minorFaults: word(8), majorFaults: word(9), swaps: word(10) }];
  }

  /** gettimeofday(2): [0 or -errno, seconds, microseconds] (no timezone asked for). */
  *gettimeofday(): Operation<[number, number, number]> {
    const buffer = this.state.scratch + TIME_BLOCK;
    const result = yield* this.syscall(NR.gettimeofday, buffer, 0);
    if (result < 0) return [result, 0, 0];
    const bytes = yield* this.load(buffer, 8);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    return [result, view.getInt32(0, true), view.getInt32(4, true)];
  }

  /** sync(2): every dirty block to the disk, waiting for it. */
  sync(): Operation<number> {
    return this.syscall(NR.sync);
  }

  /** fsync(2): one file's dirty blocks and inode to the disk. */
  fsync(fd: number): Operation<number> {
    return this.syscall(NR.fsync, fd);
  }

  getpgrp(): Operation<number> {
    return this.syscall(NR.getpgrp);
  }

  *exit(status: number): Operation<never> {
    yield* this.syscall(NR.exit, status);
    throw new Error('exit returned');
  }

  /** fork(): in the parent returns the child's pid (or -errno); the child runs `child` and exits with its value. */
  *fork(child: ChildBody): Operation<number> {
    const entry: ForkedEntry = { body: child, state: this.snapshot() };
    this.gate.setChildEntry(entry);
    return yield* this.syscall(NR.fork);
  }

  read(fd: number, buffer: number, count: number): Operation<number> {
    return this.syscall(NR.read, fd, buffer, count);
  }

  write(fd: number, buffer: number, count: number): Operation<number> {
    return this.syscall(NR.write, fd, buffer, count);
  }

  *open(path: string, flags: number, mode = 0o644): Operation<number> {
    const address = yield* this.putScratchString(path);
    return yield* this.syscall(NR.open, address, flags, mode);
  }

  *creat(path: string, mode = 0o644): Operation<number> {
    const address = yield* this.putScratchString(path);
    return yield* this.syscall(NR.creat, address, mode);
  }

  close(fd: number): Operation<number> {
    return this.syscall(NR.close, fd);
  }

  *unlink(path: string): Operation<number> {
    const address = yield* this.putScratchString(path);
    return yield* this.syscall(NR.unlink, address);
  }

  *mkdir(path: string, mode = 0o755): Operation<number> {
    const address = yield* this.putScratchString(path);
    return yield* this.syscall(NR.mkdir, address, mode);
  }

  *chdir(path: string): Operation<number> {
    const address = yield* this.putScratchString(path);
    return yield* this.syscall(NR.chdir, address);
  }

  lseek(fd: number, offset: number, whence: number): Operation<number> {
    return this.syscall(NR.lseek, fd, offset, whence);
  }

  dup(fd: number): Operation<number> {
    return this.syscall(NR.dup, fd);
  }

  dup2(fd: number, target: number): Operation<number> {
    return this.syscall(NR.dup2, fd, target);
  }

  kill(pid: number, signal: number): Operation<number> {
    return this.syscall(NR.kill, pid >>> 0, signal);
  }

  setpgid(pid: number, pgid: number): Operation<number> {
    return this.syscall(NR.setpgid, pid, pgid);
  }

  /** tcgetpgrp(fd): the terminal's foreground process group, or -errno. */
  *tcgetpgrp(fd: number): Operation<number> {
    const address = this.state.scratch + 3888;
    const result = yield* this.syscall(NR.ioctl, fd, TIOCGPGRP, address);
    return result < 0 ? result : yield* this.loadWord(address);
  }

  /** tcsetpgrp(fd, pgrp): makes `pgrp` the terminal's foreground process group. */
  *tcsetpgrp(fd: number, pgrp: number): Operation<number> {
    const address = this.state.scratch + 3888;
    yield* this.storeWords(address, [pgrp]);
    return yield* this.syscall(NR.ioctl, fd, TIOCSPGRP, address);
  }

  /** waitpid: [pid or -errno, status]. */
  *waitpid(pid: number, options = 0): Operation<[number, number]> {
    const statusAddress = this.state.scratch + 4000;
    const result = yield* this.syscall(NR.wait4, pid >>> 0, statusAddress, options, 0);
    if (result <= 0) return [result, 0];
    const status = yield* this.loadWord(statusAddress);
    return [result, status];
  }

  /** pipe(): [readFd, writeFd] or a negative errno in the first slot. */
  *pipe(): Operation<[number, number]> {
    const address = this.state.scratch + 4008;
    const result = yield* this.syscall(NR.pipe, address);
    if (result < 0) return [result, -1];
    const bytes = yield* this.load(address, 8);
    const view = new DataView(bytes.buffer);
    return [view.getUint32(0, true), view.getUint32(4, true)];
  }

  /** execve: returns -errno on failure; on success the old image is gone (throws ExecTransfer). */
  *execve(path: string, argv: readonly string[]): Operation<number> {
    const pathAddress = yield* this.cstring(path);
    const pointers: number[] = [];
    for (const arg of argv) pointers.push(yield* this.cstring(arg));
    pointers.push(0);
    const vector = yield* this.malloc(pointers.length * 4);
    yield* this.storeWords(vector, pointers);
    const result = yield* this.syscall(NR.execve, pathAddress, vector, 0);
    if (result < 0) return result;
    throw new ExecTransfer();
  }

  /** sigaction with a guest handler function (or SIG_DFL = 0 / SIG_IGN = 1). */
  *signal(signal: number, handler: SignalHandler | 0 | 1): Operation<number> {
    let address: number = typeof handler === 'number' ? handler : 0;
    if (typeof handler === 'function') {
      let index = this.state.handlers.indexOf(handler);
      if (index < 0) index = this.state.handlers.push(handler) - 1;
      address = this.state.textBase + SIGNAL_HANDLER_BASE + index * 16;
    }
    const action = this.state.scratch + 3968;
    yield* this.storeWords(action, [address, 0, 0, 0]);
    return yield* this.syscall(NR.sigaction, signal, action, 0);
  }

  /** The handler registered at `address`, for the runtime. */
  handlerAt(address: number): SignalHandler | undefined {
    return this.state.handlers[(address - this.state.textBase - SIGNAL_HANDLER_BASE) / 16];
  }

  pause(): Operation<number> {
    return this.syscall(NR.pause);
  }

  alarm(seconds: number): Operation<number> {
    return this.syscall(NR.alarm, seconds);
  }

  brk(address: number): Operation<number> {
    return this.syscall(NR.brk, address);
  }

  /** old_mmap: the six arguments in a user block. */
  *mmap(address: number, length: number, prot: number, flags: number, fd: number, offset: number): Operation<number> {
    const block = this.state.scratch + 3900;
    yield* this.storeWords(block, [address, length, prot, flags, fd >>> 0, offset]);
    const result = yield* this.syscall(NR.mmap, block);
    return result | 0;
  }

  munmap(address: number, length: number): Operation<number> {
    return this.syscall(NR.munmap, address, length);
  }

  /** mprotect(2): PROT_READ/WRITE/EXEC of the pages of [address, address+length). */
  mprotect(address: number, length: number, prot: number): Operation<number> {
    return this.syscall(NR.mprotect, address, length, prot);
  }

  /**
   * select(2) (the `_newselect` call) over descriptors below 256: `sets` are the read, write and
   * exception descriptor lists; `timeoutUs` null waits for ever. Returns [count or -errno, the
   * ready descriptors of each set].
   */
  *select(sets: readonly [readonly number[], readonly number[], readonly number[]], timeoutUs: number | null): Operation<[number, number[][]]> {
    const base = this.state.scratch + 3776;
    const n = Math.max(0, ...sets.flat().map((fd) => fd + 1));
    const words = Math.ceil(n / 32);
    for (let index = 0; index < 3; index++) {
      const bits = new Array<number>(words).fill(0);
      for (const fd of sets[index]) bits[fd >> 5] |= 1 << (fd & 31);
      yield* this.storeWords(base + index * 32, bits.map((b) => b >>> 0));
    }
    const timeval = base + 96;
    if (timeoutUs !== null) yield* this.storeWords(timeval, [Math.floor(timeoutUs / 1_000_000), timeoutUs % 1_000_000]);
    const result = yield* this.syscall(NR._newselect, n, base, base + 32, base + 64, timeoutUs === null ? 0 : timeval);
    const ready: number[][] = [[], [], []];
    if (result < 0) return [result, ready];
    for (let index = 0; index < 3; index++) {
      for (let word = 0; word < words; word++) {
        const bits = yield* this.loadWord(base + index * 32 + word * 4);
        for (let bit = 0; bit < 32; bit++) if ((bits >>> bit) & 1) ready[index].push(word * 32 + bit);
      }
    }
    return [result, ready];
  }

  *sleep(seconds: number, nanoseconds = 0): Operation<number> {
    const block = this.state.scratch + 3940;
    yield* this.storeWords(block, [seconds, nanoseconds]);
    return yield* this.syscall(NR.nanosleep, block, 0);
  }

  /** stat(): [result, size, mode]. */
  *stat(path: string): Operation<[number, number, number]> {
    const address = yield* this.putScratchString(path);
    const buffer = this.state.scratch + 3800;
    const result = yield* this.syscall(NR.stat, address, buffer);
    if (result < 0) return [result, 0, 0];
    const bytes = yield* this.load(buffer, 64);
    const view = new DataView(bytes.buffer);
    return [0, view.getUint32(20, true), view.getUint16(8, true)];
  }

  /** Directory entries' names of `path` (via open + getdents). */
  *listDirectory(path: string): Operation<string[] | number> {
    const fd = yield* this.open(path, 0);
    if (fd < 0) return fd;
    const names: string[] = [];
    const buffer = yield* this.malloc(1024);
    for (;;) {
      const n = yield* this.syscall(NR.getdents, fd, buffer, 1024);
      if (n <= 0) break;
      const bytes = yield* this.load(buffer, n);
      const view = new DataView(bytes.buffer);
      for (let at = 0; at < n; ) {
        const reclen = view.getUint16(at + 8, true);
        const end = bytes.indexOf(0, at + 10);
        names.push(decodeUtf8(bytes.subarray(at + 10, end)));
        at += reclen;
      }
    }
    yield* this.close(fd);
    return names;
  }

  // ---- sockets (socketcall) ------------------------------------------------------------------

  private *socketcall(call: number, args: readonly number[]): Operation<number> {
    const block = this.state.scratch + 3700;
    yield* this.storeWords(block, args);
    return yield* this.syscall(NR.socketcall, call, block);
  }

  private *sockaddr(port: number): Operation<number> {
    const address = this.state.scratch + 3744;
    yield* this.store(address, Uint8Array.of(AF_INET, 0, port >> 8, port & 0xff, 127, 0, 0, 1));
    return address;
  }

  /** socket(AF_INET, type, 0). */
  socket(type: number): Operation<number> {
    return this.socketcall(SYS_SOCKET, [AF_INET, type, 0]);
  }

  *bind(fd: number, port: number): Operation<number> {
    return yield* this.socketcall(SYS_BIND, [fd, yield* this.sockaddr(port), 16]);
  }

  *connect(fd: number, port: number): Operation<number> {
    return yield* this.socketcall(SYS_CONNECT, [fd, yield* this.sockaddr(port), 16]);
  }

  listen(fd: number, backlog = 5): Operation<number> {
    return this.socketcall(SYS_LISTEN, [fd, backlog, 0]);
  }

  accept(fd: number): Operation<number> {
    return this.socketcall(SYS_ACCEPT, [fd, 0, 0]);
  }

  *sendto(fd: number, buffer: number, count: number, port: number): Operation<number> {
    return yield* this.socketcall(SYS_SENDTO, [fd, buffer, count, 0, yield* this.sockaddr(port), 16]);
  }

  /** recvfrom: [bytes or -errno, the sender's port]. */
  *recvfrom(fd: number, buffer: number, count: number): Operation<[number, number]> {
    const from = this.state.scratch + 3760;
    const n = yield* this.socketcall(SYS_RECVFROM, [fd, buffer, count, 0, from, this.state.scratch + 3776]);
    if (n < 0) return [n, 0];
    const address = yield* this.load(from, 4);
    return [n, (address[2] << 8) | address[3]];
  }

  // ---- stdio-like helpers ------------------------------------------------------------------

  private *putScratchString(text: string): Operation<number> {
    const bytes = encodeUtf8(`${text}\0`);
    if (bytes.length > 2048) return yield* this.cstring(text);
    yield* this.store(this.state.scratch + 1024, bytes);
    return this.state.scratch + 1024;
  }

  /** write(fd) of a whole string through the libc buffer. */
  *print(fd: number, text: string): Operation<number> {
    const bytes = encodeUtf8(text);
    let done = 0;
    while (done < bytes.length) {
      const chunk = bytes.subarray(done, Math.min(bytes.length, done + 1024));
      yield* this.store(this.state.scratch, chunk);
      const written = yield* this.write(fd, this.state.scratch, chunk.length);
      if (written <= 0) return written;
      done += written;
    }
    return done;
  }

  /** Reads up to `max` bytes from `fd` as text ('' at end of file, null on error). */
  *readText(fd: number, max = 1024): Operation<string | null> {
    const n = yield* this.read(fd, this.state.scratch, Math.min(max, 1024));
    if (n < 0) return null;
    if (n === 0) return '';
    return decodeUtf8(yield* this.load(this.state.scratch, n));
  }

  /** Zero-cost marker for the benchmark harness (gem5 m5-op style); not a system call. */
  mark(label: string, value = 0): void {
    this.marker(label, value);
  }
}

export { SCRATCH_BYTES };
