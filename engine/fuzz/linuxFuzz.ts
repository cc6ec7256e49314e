/**
 * `l4lab fuzz linux --system S`: a guest program that issues random Linux 2.0 system calls with
 * hostile arguments (closed and impossible descriptors, kernel and unmapped pointers, huge
 * lengths, negative values, unknown call numbers) through the C library's gate, so each call
 * takes the system's real path (int 0x80 on native Linux, the emulation library and IPC on
 * L4Linux, Mach messages on MkLinux). Where the errno of Linux 2.0 is decidable from the
 * arguments alone, a different result is a violation; an exception out of the engine is an
 * engine exception. Forked children also misbehave on purpose (a wild store, memory exhaustion)
 * and must be killed by SIGSEGV or get ENOMEM, never take the system down.
 */
import { SeededRandom } from '../base/random';
import { encodeUtf8 } from '../base/text';
import * as E from '../linux/core/errno';
import { TASK_SIZE } from '../linux/core/mm';
import { MAP_ANONYMOUS, MAP_PRIVATE, NR, O_CREAT, O_RDWR, PROT_READ, PROT_WRITE, SIG } from '../linux/core/syscalls';
import { bootLinuxSystem } from '../linux/systems';
import type { Operation } from '../machine/executionContext';
import type { Libc } from '../userland/libc';
import type { GuestProgram } from '../userland/runtime';
import { count, sortedCounts, withShortestFailingPrefix, type FuzzReport, type FuzzViolation } from './fuzzReport';

/** Options of {@link runLinuxFuzz}. */
export interface LinuxFuzzOptions {
  /** A registered Linux system (engine/linux/systems.ts). */
  readonly system: string;
  readonly ops: number;
  readonly seed: number;
  /** Look for the shortest failing prefix after a failure (default true). */
  readonly shrink?: boolean;
  /** Fork the misbehaving children now and then (default true). */
  readonly hostileChildren?: boolean;
}

/** What a call should return: an errno, any success, or anything (not decidable). */
type Expectation = number | 'ok' | 'any';

/** One system call to issue: number, arguments, and the expected result. */
interface Call {
  readonly name: string;
  readonly nr: number;
  readonly args: readonly number[];
  readonly expect: Expectation;
}

/** A descriptor no process has open: beyond NR_OPEN (256 in Linux 2.0), negative, or just closed. */
const BAD_FDS = [-1, 256, 1000, 0x7fffffff, 0x80000000];
/** Pointers no user buffer can be at: the kernel's half and the top of the space. */
const KERNEL_POINTERS = [TASK_SIZE, 0xc0100000, 0xfffff000, 0xffffffff];

const PROGRAM = 'linuxfuzz';
/** Simulated-time watchdog: cycles allowed per operation (10 ms at 133 MHz). */
const CYCLES_PER_OPERATION_LIMIT = 1_330_000;

/** The state the guest program shares with the host driver (the harness side, like a marker). */
interface FuzzState {
  readonly rng: SeededRandom;
  readonly requested: number;
  readonly hostileChildren: boolean;
  issued: number;
  readonly kinds: Record<string, number>;
  readonly outcomes: Record<string, number>;
  readonly violations: FuzzViolation[];
  readonly engineExceptions: string[];
  done: boolean;
  /** The call in progress (for the watchdog's message). */
  current: string;
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

/**
 * The next random call. `fd` is a descriptor open on a regular file, `closed` one that was
 * closed, `pipeRead` the read end of a pipe; `buffer` a valid 4 KB user buffer, `path` a
 * NUL-terminated existing path and `missing` a path that does not exist.
 */
function nextCall(rng: SeededRandom, live: { fd: number; closed: number; pipeRead: number; buffer: number; path: number; missing: number; empty: number }): Call {
  const badFd = () => (rng.below(3) === 0 ? live.closed : rng.pick(BAD_FDS));
  const kernelPointer = () => rng.pick(KERNEL_POINTERS);
  const length = () => rng.pick([1, 16, 4096, 0x10000, 0x7fffffff, 0xffffffff]);
  switch (rng.below(27)) {
    case 0: return { name: 'read(bad fd)', nr: NR.read, args: [badFd(), live.buffer, length()], expect: E.EBADF };
    case 1: return { name: 'write(bad fd)', nr: NR.write, args: [badFd(), live.buffer, length()], expect: E.EBADF };
    case 2: return { name: 'read(kernel pointer)', nr: NR.read, args: [live.fd, kernelPointer(), 1 + rng.below(4096)], expect: E.EFAULT };
    case 3: return { name: 'write(kernel pointer)', nr: NR.write, args: [live.fd, kernelPointer(), 1 + rng.below(4096)], expect: E.EFAULT };
    case 4: return { name: 'close(bad fd)', nr: NR.close, args: [badFd()], expect: E.EBADF };
    case 5: return { name: 'dup(bad fd)', nr: NR.dup, args: [badFd()], expect: E.EBADF };
    case 6: return { name: 'lseek(bad whence)', nr: NR.lseek, args: [live.fd, rng.nextU32(), 3 + rng.below(100)], expect: E.EINVAL };
    case 7: return { name: 'lseek(pipe)', nr: NR.lseek, args: [live.pipeRead, 0, 0], expect: E.ESPIPE };
    case 8: return { name: 'lseek(bad fd)', nr: NR.lseek, args: [badFd(), 0, 0], expect: E.EBADF };
    case 9: return { name: 'open(kernel pointer)', nr: NR.open, args: [kernelPointer(), 0, 0], expect: E.EFAULT };
    case 10: return { name: 'open(missing)', nr: NR.open, args: [live.missing, 0, 0], expect: E.ENOENT };
    case 11: return { name: 'open(empty path)', nr: NR.open, args: [live.empty, 0, 0], expect: E.ENOENT };
    case 12: return { name: 'kill(no such pid)', nr: NR.kill, args: [30000 + rng.below(1000), 0], expect: E.ESRCH };
    // signal 32 is valid in Linux 2.0 (send_sig: sig > 32 is EINVAL)
    case 13: return { name: 'kill(bad signal)', nr: NR.kill, args: [0, 33 + rng.below(1000)], expect: E.EINVAL };
    case 14: return { name: 'pipe(kernel pointer)', nr: NR.pipe, args: [kernelPointer()], expect: E.EFAULT };
    case 15: return { name: 'stat(kernel pointer)', nr: NR.stat, args: [kernelPointer(), live.buffer], expect: E.EFAULT };
    case 16: return { name: 'stat(into kernel)', nr: NR.stat, args: [live.path, kernelPointer()], expect: E.EFAULT };
    case 17: return { name: 'fstat(bad fd)', nr: NR.fstat, args: [badFd(), live.buffer], expect: E.EBADF };
    case 18: return { name: 'unknown system call', nr: rng.pick([0, 200, 255, 256, 1000, 0xffffffff]), args: [rng.nextU32(), rng.nextU32(), rng.nextU32()], expect: E.ENOSYS };
    case 19: return { name: 'wait4(no child)', nr: NR.wait4, args: [rng.pick([0xffffffff, 30000]), live.buffer, 1, 0], expect: E.ECHILD };
    case 20: return { name: 'munmap(unaligned)', nr: NR.munmap, args: [live.buffer + 1 + rng.below(4095), 4096], expect: E.EINVAL };
    // sys_times verify_area's a non-NULL buffer; sys_getrusage checks `who` before the buffer (not among
    // the random calls below: a random pointer would let them overwrite the fuzzer's path strings)
    case 21: return { name: 'times(kernel pointer)', nr: NR.times, args: [kernelPointer()], expect: E.EFAULT };
    case 22: return { name: 'getrusage(bad who)', nr: NR.getrusage, args: [rng.pick([1, 2, 0xfffffffe, 0x80000000, ((rng.nextU32() | 2) & ~1) >>> 0]), rng.pick([live.buffer, kernelPointer()])], expect: E.EINVAL };
    case 23: return { name: 'getrusage(kernel pointer)', nr: NR.getrusage, args: [rng.pick([0, 0xffffffff]), kernelPointer()], expect: E.EFAULT };
    case 24: return { name: 'gettimeofday(kernel pointer)', nr: NR.gettimeofday, args: [kernelPointer(), rng.pick([0, live.buffer])], expect: E.EFAULT };
    case 25: return { name: 'gettimeofday(timezone into kernel)', nr: NR.gettimeofday, args: [rng.pick([0, live.buffer]), kernelPointer()], expect: E.EFAULT };
    default: {
      // random number, random arguments: any result, but the engine must not throw
      // (no brk, nanosleep, alarm, unlink: they would free the fuzzer's buffer, sleep for random hours, kill the fuzzer or remove its paths)
      const nr = rng.pick([NR.getpid, NR.ioctl, NR.sigprocmask, NR.sigaction, NR.getdents, NR.dup2, NR.setpgid, NR.time, NR.chdir, NR.mkdir, NR.socketcall]);
      const word = () => rng.pick([rng.nextU32(), 0, 0xffffffff, live.buffer, live.fd, kernelPointer(), live.path]);
      return { name: `random ${nr}`, nr, args: [word(), word(), word(), word(), word()], expect: 'any' };
    }
  }
}

/** A child that stores to a kernel address: Linux kills it with SIGSEGV. */
function* wildStoreChild(libc: Libc, state: FuzzState): Operation<void> {
  const child = yield* libc.fork(function* (c: Libc) {
    yield* c.store(TASK_SIZE + 0x1000, Uint8Array.of(1));
    return 0;
  });
  if (child < 0) return;
  const [, status] = yield* libc.waitpid(child);
  count(state.outcomes, 'child.wildStore');
  if ((status & 0x7f) !== SIG.SIGSEGV) state.violations.push({ op: state.issued - 1, operation: 'child stores to a kernel address', message: `wait status ${hex(status)}, expected death by SIGSEGV` });
}

/** A child that allocates without bound: brk and mmap must fail with an error, not crash anything. */
function* exhaustingChild(libc: Libc, state: FuzzState): Operation<void> {
  const child = yield* libc.fork(function* (c: Libc) {
    for (let i = 0; i < 4096; i++) {
      const address = yield* c.mmap(0, 0x400000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (address < 0 && address > -4096) return address === -E.ENOMEM ? 0 : 2;
    }
    return 1;
  });
  if (child < 0) return;
  const [, status] = yield* libc.waitpid(child);
  count(state.outcomes, 'child.exhaust');
  if (status !== 0) state.violations.push({ op: state.issued - 1, operation: 'child maps memory without bound', message: `wait status ${hex(status)}, expected exit 0 after ENOMEM` });
}

function fuzzProgram(state: FuzzState): GuestProgram {
  return {
    name: PROGRAM,
    textBytes: 16384,
    dataBytes: 4096,
    bssBytes: 8192,
    *main(libc: Libc): Operation<number> {
      const buffer = yield* libc.malloc(3 * 4096);
      const path = buffer + 4096;
      const missing = path + 64;
      const empty = path + 128;
      // the strings again before every call: random calls may have written over them
      const strings = encodeUtf8('/etc/motd\0'.padEnd(64, '\0') + '/no/such/file\0'.padEnd(64, '\0') + '\0');
      const fd = yield* libc.open('/tmp/fuzz', O_CREAT | O_RDWR);
      const [pipeRead] = yield* libc.pipe();
      // a closed descriptor far above the lowest free one, so no later call reuses it
      const closed = yield* libc.dup2(fd, 200);
      yield* libc.close(closed);
      const live = { fd, closed, pipeRead, buffer, path, missing, empty };
      while (state.issued < state.requested) {
        const op = state.issued++;
        const roll = state.rng.below(1000) + (state.hostileChildren ? 0 : 2);
        if (roll === 0) {
          state.current = `op ${op} a child stores to a kernel address`;
          yield* wildStoreChild(libc, state);
          continue;
        }
        if (roll === 1) {
          state.current = `op ${op} a child maps memory without bound`;
          yield* exhaustingChild(libc, state);
          continue;
        }
        yield* libc.store(path, strings);
        const call = nextCall(state.rng, live);
        count(state.kinds, call.name.split('(')[0].replace(/ \d+$/, ''));
        let result: number;
        state.current = `op ${op} ${call.name} nr ${call.nr} [${call.args.map(hex).join(', ')}]`;
        try {
          result = (yield* libc.syscall(call.nr, ...call.args)) | 0;
        } catch (error) {
          state.engineExceptions.push(`op ${op} ${call.name} [${call.args.map(hex).join(', ')}]: ${error instanceof Error ? error.message : String(error)}`);
          throw error;
        }
        const ok = call.expect === 'any' || (call.expect === 'ok' ? result >= 0 : result === -call.expect);
        count(state.outcomes, result < 0 && result > -4096 ? (E.ERRNO_NAME[-result] ?? `errno ${-result}`) : 'success');
        if (!ok) {
          const expected = typeof call.expect === 'number' ? (E.ERRNO_NAME[call.expect] ?? call.expect) : call.expect;
          const got = result < 0 && result > -4096 ? (E.ERRNO_NAME[-result] ?? `errno ${-result}`) : String(result);
          state.violations.push({ op, operation: `${call.name} nr ${call.nr} [${call.args.map(hex).join(', ')}]`, message: `returned ${got}, Linux 2.0 returns ${expected}` });
        }
      }
      state.done = true;
      return 0;
    },
  };
}

/**
 * Boots `options.system`, runs the fuzzing program as the only command and reports, with the
 * shortest failing prefix when something failed (unless `shrink` is false). A system that is not
 * registered is a RangeError (from {@link bootLinuxSystem}).
 */
export function runLinuxFuzz(options: LinuxFuzzOptions): FuzzReport {
  const report = fuzzOnce(options);
  return options.shrink === false ? report : withShortestFailingPrefix(report, (ops) => fuzzOnce({ ...options, ops }));
}

function fuzzOnce(options: LinuxFuzzOptions): FuzzReport {
  const state: FuzzState = {
    rng: new SeededRandom(options.seed),
    requested: Math.max(0, Math.floor(options.ops)),
    hostileChildren: options.hostileChildren ?? true,
    issued: 0,
    kinds: {},
    outcomes: {},
    violations: [],
    engineExceptions: [],
    done: false,
    current: 'boot',
  };
  const linux = bootLinuxSystem(options.system, { programs: [fuzzProgram(state)], initArgs: ['sh', '-c', PROGRAM], seed: options.seed });
  let outcome: string;
  try {
    // a watchdog on simulated time: 10 ms per operation is far more than any call needs
    outcome = linux.run(CYCLES_PER_OPERATION_LIMIT * (state.requested + 100), () => state.done);
  } catch (error) {
    outcome = 'failed';
    linux.failure = error;
  }
  if (outcome === 'failed' && state.engineExceptions.length === 0) state.engineExceptions.push(`system: ${linux.failure instanceof Error ? linux.failure.message : String(linux.failure)}`);
  else if (!state.done && outcome !== 'failed') state.engineExceptions.push(`the fuzzing program stopped after ${state.issued} operations (${outcome === 'limit' ? 'simulated-time watchdog' : outcome}) in ${state.current}: ${linux.machine.console.output().slice(-400)}`);
  return {
    fuzzer: 'linux',
    system: options.system,
    seed: options.seed,
    ops: state.issued,
    requestedOps: state.requested,
    violations: state.violations,
    engineExceptions: state.engineExceptions,
    kinds: sortedCounts(state.kinds),
    outcomes: sortedCounts(state.outcomes),
    simulatedCycles: linux.machine.scheduler.now,
  };
}
