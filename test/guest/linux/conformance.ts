/**
 * A guest conformance suite in the style of xv6's usertests: each test is a guest program that
 * exits 0 on success and prints what failed otherwise. The programs use only the C library, so
 * they run unchanged on every Linux system (native, L4Linux, MkLinux): a runner boots a system
 * with them installed in /bin and runs each through `sh -c`.
 */
import { decodeUtf8, encodeUtf8 } from '../../../engine/base/text';
import type { Operation } from '../../../engine/machine/executionContext';
import * as E from '../../../engine/linux/core/errno';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, NR, RUSAGE_CHILDREN, RUSAGE_SELF, O_CREAT, O_NONBLOCK, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, PROT_READ, PROT_WRITE, SIG, SOCK_DGRAM, SOCK_STREAM } from '../../../engine/linux/core/syscalls';
import type { Libc } from '../../../engine/userland/libc';
import { NULLPROC, RPC_SERVER_BUFFER, RpcClient, serveOne } from '../../../engine/userland/sunrpc';
import type { GuestProgram } from '../../../engine/userland/runtime';

function program(name: string, main: (libc: Libc) => Operation<number>): GuestProgram {
  return { name, textBytes: 16384, dataBytes: 4096, bssBytes: 8192, main: (libc) => main(libc) };
}

/** Fails with a message unless `ok`. */
function* check(libc: Libc, ok: boolean, what: string): Operation<boolean> {
  if (!ok) yield* libc.print(2, `FAIL: ${what}\n`);
  return ok;
}

/** Checks [what, got, want] rows; returns how many failed (each is printed). */
function* checkCases(libc: Libc, cases: ReadonlyArray<readonly [string, number, number]>, prefix = ''): Operation<number> {
  let failed = 0;
  for (const [what, got, want] of cases) if (!(yield* check(libc, got === want, `${prefix}${what}: got ${got}, want ${want}`))) failed++;
  return failed;
}

const forkExecWait = program('t_forkexec', function* (libc) {
  const me = yield* libc.getpid();
  const child = yield* libc.fork(function* (c) {
    return (yield* c.getppid()) === me ? 7 : 1;
  });
  if (!(yield* check(libc, child > me, `fork returned ${child}`))) return 1;
  const [pid, status] = yield* libc.waitpid(child);
  if (!(yield* check(libc, pid === child && status === 7 << 8, `wait: ${pid} status ${status}`))) return 2;
  const execer = yield* libc.fork(function* (c) {
    yield* c.execve('/bin/true', ['true']);
    return 99;
  });
  const [, trueStatus] = yield* libc.waitpid(execer);
  if (!(yield* check(libc, trueStatus === 0, `exec true: status ${trueStatus}`))) return 3;
  const missing = yield* libc.execve('/bin/no-such-program', ['x']);
  if (!(yield* check(libc, missing === -E.ENOENT, `exec missing: ${missing}`))) return 4;
  const [none] = yield* libc.waitpid(-1);
  if (!(yield* check(libc, none === -E.ECHILD, `wait without children: ${none}`))) return 5;
  return 0;
});

const cow = program('t_cow', function* (libc) {
  const page = yield* libc.malloc(8192);
  yield* libc.store(page, encodeUtf8('parent'));
  const child = yield* libc.fork(function* (c) {
    const before = decodeUtf8(yield* c.load(page, 6));
    yield* c.store(page, encodeUtf8('child!'));
    const after = decodeUtf8(yield* c.load(page, 6));
    return before === 'parent' && after === 'child!' ? 0 : 1;
  });
  const [, status] = yield* libc.waitpid(child);
  if (!(yield* check(libc, status === 0, `child saw wrong data (${status})`))) return 1;
  const mine = decodeUtf8(yield* libc.load(page, 6));
  return (yield* check(libc, mine === 'parent', `parent's page changed to ${mine}`)) ? 0 : 2;
});

const signals = program('t_signals', function* (libc) {
  const flag = yield* libc.malloc(16);
  yield* libc.storeWords(flag, [0]);
  yield* libc.signal(SIG.SIGUSR1, function* (l, signal) {
    yield* l.storeWords(flag, [signal]);
  });
  yield* libc.kill(yield* libc.getpid(), SIG.SIGUSR1);
  if (!(yield* check(libc, (yield* libc.loadWord(flag)) === SIG.SIGUSR1, 'handler did not run'))) return 1;
  const sleeper = yield* libc.fork(function* (c) {
    yield* c.pause();
    return 0;
  });
  yield* libc.kill(sleeper, SIG.SIGTERM);
  const [, status] = yield* libc.waitpid(sleeper);
  if (!(yield* check(libc, (status & 0x7f) === SIG.SIGTERM, `SIGTERM status ${status}`))) return 2;
  const [r, w] = yield* libc.pipe();
  const writer = yield* libc.fork(function* (c) {
    yield* c.close(r);
    yield* c.write(w, flag, 1);
    return 0;
  });
  yield* libc.close(r);
  yield* libc.close(w);
  const [, pipeStatus] = yield* libc.waitpid(writer);
  return (yield* check(libc, (pipeStatus & 0x7f) === SIG.SIGPIPE, `SIGPIPE status ${pipeStatus}`)) ? 0 : 3;
});

const pipes = program('t_pipes', function* (libc) {
  const [r, w] = yield* libc.pipe();
  const size = 10000;
  const buffer = yield* libc.malloc(size);
  const child = yield* libc.fork(function* (c) {
    yield* c.close(r);
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = i & 0xff;
    yield* c.store(buffer, data);
    const written = yield* c.write(w, buffer, size); // blocks: more than the 4 KB buffer
    return written === size ? 0 : 1;
  });
  yield* libc.close(w);
  let got = 0;
  let ok = true;
  for (;;) {
    const n = yield* libc.read(r, buffer, 3000);
    if (n < 0) return 1;
    if (n === 0) break;
    const bytes = yield* libc.load(buffer, n);
    for (let i = 0; i < n; i++) if (bytes[i] !== ((got + i) & 0xff)) ok = false;
    got += n;
  }
  const [, status] = yield* libc.waitpid(child);
  if (!(yield* check(libc, got === size && ok && status === 0, `pipe moved ${got} bytes, ok=${ok}, writer ${status}`))) return 2;
  const [r2, w2] = yield* libc.pipe();
  yield* libc.close(w2);
  const eof = yield* libc.read(r2, buffer, 10);
  if (!(yield* check(libc, eof === 0, `read of a writerless pipe: ${eof}`))) return 3;
  const [r3, w3] = yield* libc.pipe();
  yield* libc.signal(SIG.SIGPIPE, 1);
  yield* libc.close(r3);
  const epipe = yield* libc.write(w3, buffer, 1);
  if (!(yield* check(libc, epipe === -E.EPIPE, `write to a readerless pipe: ${epipe}`))) return 4;
  const [r4] = yield* libc.pipe();
  void O_NONBLOCK;
  yield* libc.close(r4);
  return 0;
});

const files = program('t_files', function* (libc) {
  const fd = yield* libc.open('/tmp/t_files', O_RDWR | O_CREAT | O_TRUNC, 0o644);
  if (!(yield* check(libc, fd >= 3, `open: ${fd}`))) return 1;
  if ((yield* libc.print(fd, 'hello, file')) !== 11) return 2;
  yield* libc.lseek(fd, 7, 0);
  const text = yield* libc.readText(fd, 100);
  if (!(yield* check(libc, text === 'file', `read back '${text}'`))) return 3;
  const [result, size] = yield* libc.stat('/tmp/t_files');
  if (!(yield* check(libc, result === 0 && size === 11, `stat: ${result} size ${size}`))) return 4;
  const copy = yield* libc.dup(fd);
  yield* libc.lseek(copy, 0, 0);
  const again = yield* libc.readText(fd, 5);
  if (!(yield* check(libc, again === 'hello', `dup shares the offset: '${again}'`))) return 5;
  yield* libc.close(fd);
  yield* libc.close(copy);
  const names = yield* libc.listDirectory('/tmp');
  if (!(yield* check(libc, Array.isArray(names) && names.includes('t_files'), 'getdents lists the file'))) return 6;
  if ((yield* libc.unlink('/tmp/t_files')) !== 0) return 7;
  const gone = yield* libc.open('/tmp/t_files', O_RDONLY);
  if (!(yield* check(libc, gone === -E.ENOENT, `open after unlink: ${gone}`))) return 8;
  const out = yield* libc.open('/tmp/t_redirect', O_WRONLY | O_CREAT | O_TRUNC);
  yield* libc.dup2(out, 1);
  yield* libc.print(1, 'via stdout');
  yield* libc.close(out);
  const back = yield* libc.open('/tmp/t_redirect', O_RDONLY);
  const redirected = yield* libc.readText(back, 100);
  return (yield* check(libc, redirected === 'via stdout', `dup2: '${redirected}'`)) ? 0 : 9;
});

const mmap = program('t_mmap', function* (libc) {
  const length = 3 * 4096;
  const area = yield* libc.mmap(0, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (!(yield* check(libc, area > 0, `anonymous mmap: ${area}`))) return 1;
  const zero = yield* libc.loadWord(area + 4096);
  yield* libc.storeWords(area + 8192, [0x12345678]);
  if (!(yield* check(libc, zero === 0 && (yield* libc.loadWord(area + 8192)) === 0x12345678, 'anonymous memory'))) return 2;
  if ((yield* libc.munmap(area, length)) !== 0) return 3;
  const child = yield* libc.fork(function* (c) {
    yield* c.loadWord(area);
    return 0;
  });
  const [, status] = yield* libc.waitpid(child);
  if (!(yield* check(libc, (status & 0x7f) === SIG.SIGSEGV, `access after munmap: status ${status}`))) return 4;
  const fd = yield* libc.open('/etc/motd', O_RDONLY);
  const text = yield* libc.readText(fd, 200);
  const mapped = yield* libc.mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0);
  if (!(yield* check(libc, mapped > 0, `file mmap: ${mapped}`))) return 5;
  const viaMap = decodeUtf8(yield* libc.load(mapped, text?.length ?? 0));
  return (yield* check(libc, viaMap === text, 'file mapping shows the file')) ? 0 : 6;
});

/**
 * MAP_FIXED anywhere in the part of the user space every system leaves to Linux: where the
 * substrates keep their own things just outside it (L4Linux's emulation library above its
 * TASK_SIZE), and where they once kept them inside it (MkLinux's libmach text at 0x7F000000 and
 * its Mach stack region at 0xA0000000-0xB0000000, L4Linux's library at 0xB0000000): the memory
 * is there, zero-filled and private, a fork copies it, and system calls go on working.
 */
const highMaps = program('t_highmap', function* (libc) {
  const places = [0x7f000000, 0xa0000000, 0xafff0000, 0xb0000000, 0xbf000000];
  for (const [k, at] of places.entries()) {
    const mapped = yield* libc.mmap(at, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
    if (!(yield* check(libc, mapped >>> 0 === at, `MAP_FIXED at 0x${at.toString(16)}: ${mapped}`))) return 1;
    const zero = yield* libc.loadWord(at + 4096);
    yield* libc.storeWords(at + 4, [0x600d0000 + k]);
    if (!(yield* check(libc, zero === 0 && (yield* libc.loadWord(at + 4)) === 0x600d0000 + k, `memory at 0x${at.toString(16)}`))) return 2;
  }
  const me = yield* libc.getpid();
  const child = yield* libc.fork(function* (c) {
    for (const [k, at] of places.entries()) if ((yield* c.loadWord(at + 4)) !== 0x600d0000 + k) return 1;
    yield* c.storeWords(places[0] + 4, [0]);
    return (yield* c.getppid()) === me ? 7 : 2;
  });
  const [, status] = yield* libc.waitpid(child);
  if (!(yield* check(libc, status === 7 << 8, `child saw the mappings: status ${status}`))) return 3;
  if (!(yield* check(libc, (yield* libc.loadWord(places[0] + 4)) === 0x600d0000, 'the parent keeps its own copy'))) return 4;
  for (const at of places) if ((yield* libc.munmap(at, 2 * 4096)) !== 0) return 5;
  return 0;
});

/** Exits 0 when its arguments after argv[1] are as argv[1] ("count length") describes them. */
const argCount: GuestProgram = {
  name: 't_argcount', textBytes: 8192, dataBytes: 4096, bssBytes: 4096,
  main: (_libc, argv) => (function* () {
    const [count, length] = (argv[1] ?? '').split(' ').map(Number);
    const rest = argv.slice(2);
    return rest.length === count && rest.reduce((n, a) => n + a.length, 0) === length ? 0 : 1;
  })(),
};

/**
 * execve's arguments as 2.0's copy_strings takes them: any number, any length, until they and
 * their NULs no longer fit MAX_ARG_PAGES (32 pages less a word): then E2BIG.
 */
const execArguments = program('t_execargs', function* (libc) {
  const run = function* (rest: string[]): Operation<number> {
    const argv = ['t_argcount', `${rest.length} ${rest.reduce((n, a) => n + a.length, 0)}`, ...rest];
    const child = yield* libc.fork(function* (c) {
      return -(yield* c.execve('/bin/t_argcount', argv));
    });
    return (yield* libc.waitpid(child))[1] >> 8;
  };
  // the strings with their NULs: "t_argcount", "1 L" (L of six digits) and L bytes
  const fill = 32 * 4096 - 4 - ('t_argcount'.length + 1) - ('1 131047'.length + 1) - 1;
  const cases: Array<[string, number, number]> = [
    ['one argument of 10,000 bytes', yield* run(['a'.repeat(10000)]), 0],
    ['1,000 arguments', yield* run(Array.from({ length: 1000 }, (_, i) => String(i))), 0],
    ['arguments that fill the pages', yield* run(['b'.repeat(fill)]), 0],
    ['one byte more', yield* run(['b'.repeat(fill + 1)]), E.E2BIG],
  ];
  return (yield* checkCases(libc, cases)) === 0 ? 0 : 1;
});

/** A child writes through MAP_SHARED to two pages: `path`'s page 0 is a hole, page 1 is cached. */
function* sharedWrites(libc: Libc, path: string, unlinkFirst: boolean): Operation<number> {
  const fd = yield* libc.open(path, O_RDWR | O_CREAT | O_TRUNC);
  const buffer = yield* libc.malloc(4096);
  yield* libc.store(buffer, encodeUtf8('z'));
  yield* libc.lseek(fd, 8191, 0);
  yield* libc.write(fd, buffer, 1);
  const region = yield* libc.mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (!(yield* check(libc, region > 0, `shared mmap of ${path}: ${region}`))) return 1;
  if (unlinkFirst) yield* libc.unlink(path);
  const child = yield* libc.fork(function* (c) {
    yield* c.storeWords(region, [0x11111111]);
    yield* c.storeWords(region + 4096, [0x22222222]);
    return 0;
  });
  yield* libc.waitpid(child);
  const seen = [yield* libc.loadWord(region), yield* libc.loadWord(region + 4096)];
  if (!(yield* check(libc, seen[0] === 0x11111111 && seen[1] === 0x22222222, `${path}: parent sees ${seen.map((w) => w.toString(16))}`))) return 2;
  if (unlinkFirst) return 0;
  yield* libc.lseek(fd, 0, 0);
  const n = yield* libc.read(fd, buffer, 4096);
  const first = yield* libc.loadWord(buffer);
  yield* libc.read(fd, buffer, 4096);
  const second = yield* libc.loadWord(buffer);
  const last = (yield* libc.load(buffer + 4095, 1))[0];
  yield* libc.close(fd);
  yield* libc.unlink(path);
  return (yield* check(libc, n === 4096 && first === 0x11111111 && second === 0x22222222 && last === 0x7a, `${path}: file has ${first.toString(16)} ${second.toString(16)} ${last}`)) ? 0 : 3;
}

const mapShared = program('t_mapshared', function* (libc) {
  const kept = yield* sharedWrites(libc, '/tmp/t_mapshared', false);
  return kept !== 0 ? kept : yield* sharedWrites(libc, '/tmp/t_mapshared.gone', true);
});

/** mprotect: errors, a read-only page faults on write, PROT_NONE on read, access comes back. */
const mprotect = program('t_mprotect', function* (libc) {
  const area = yield* libc.mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  yield* libc.storeWords(area + 4096, [0x5a5a5a5a]);
  const fd = yield* libc.open('/etc/motd', O_RDONLY);
  const file = yield* libc.mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0);
  yield* libc.munmap(area + 3 * 4096, 4096); // a hole after the area
  const status = function* (body: (c: Libc) => Operation<void>): Operation<number> {
    const child = yield* libc.fork(function* (c) {
      yield* body(c);
      return 0;
    });
    return (yield* libc.waitpid(child))[1] & 0x7f;
  };
  const cases: Array<[string, number, number]> = [
    ['unaligned start', yield* libc.mprotect(area + 1, 4096, PROT_READ), -E.EINVAL],
    ['unknown prot bit', yield* libc.mprotect(area, 4096, 8), -E.EINVAL],
    ['range past the mapping', yield* libc.mprotect(area, 4 * 4096, PROT_READ), -E.ENOMEM],
    ['write to a read-only shared file', yield* libc.mprotect(file, 4096, PROT_READ | PROT_WRITE), -E.EACCES],
    ['shared writable map of a read-only fd', yield* libc.mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), -E.EACCES],
    ['middle page read-only', yield* libc.mprotect(area + 4096, 4096, PROT_READ), 0],
    ['read of the read-only page', yield* libc.loadWord(area + 4096), 0x5a5a5a5a],
    ['write to the read-only page', yield* status((c) => c.storeWords(area + 4096, [1])), SIG.SIGSEGV],
    ['write beside it', yield* status((c) => c.storeWords(area + 8192, [1])), 0],
    ['middle page inaccessible', yield* libc.mprotect(area + 4096, 4096, 0), 0],
    ['read of the inaccessible page', yield* status(function* (c) { yield* c.loadWord(area + 4096); }), SIG.SIGSEGV],
    ['all writable again', yield* libc.mprotect(area, 3 * 4096, PROT_READ | PROT_WRITE), 0],
  ];
  yield* libc.storeWords(area + 4096, [0x6b6b6b6b]);
  cases.push(['write after restoring', yield* libc.loadWord(area + 4096), 0x6b6b6b6b]);
  return (yield* checkCases(libc, cases)) === 0 ? 0 : 1;
});

const errors = program('t_errors', function* (libc) {
  const buffer = yield* libc.malloc(64);
  const cases: Array<[string, number, number]> = [
    ['write to a bad fd', yield* libc.write(42, buffer, 1), -E.EBADF],
    ['read into an unmapped address', yield* libc.read(0, 0x10, 1), -E.EFAULT],
    ['write from kernel space', yield* libc.write(1, 0xc0001000, 4), -E.EFAULT],
    ['open of a missing file', yield* libc.open('/no/such/file', O_RDONLY), -E.ENOENT],
    ['lseek with a bad whence', yield* libc.lseek(1 + 0, 0, 9), 0],
    ['kill of a missing process', yield* libc.kill(30000, SIG.SIGTERM), -E.ESRCH],
    ['mmap of length 0', yield* libc.mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -E.EINVAL],
    ['mmap larger than memory', yield* libc.mmap(0, 0x7ff00000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -E.ENOMEM],
    ['close of a closed fd', yield* libc.close(40), -E.EBADF],
    ['unknown system call', yield* libc.syscall(250), -E.ENOSYS],
  ];
  const file = yield* libc.open('/tmp/t_errors', O_RDWR | O_CREAT);
  cases[4] = ['lseek with a bad whence', yield* libc.lseek(file, 0, 9), -E.EINVAL];
  return (yield* checkCases(libc, cases)) + (yield* limits(libc)) === 0 ? 0 : 1;
});

/**
 * Linux 2.0's limits: NR_OPEN (256) descriptors, names cut to ext2's 255 bytes, paths of up to a
 * page (getname), and an empty path that names nothing.
 */
function* limits(libc: Libc): Operation<number> {
  const opened: number[] = [];
  let refused = 0;
  while (refused === 0) {
    const fd = yield* libc.open('/etc/motd', O_RDONLY);
    if (fd < 0) refused = fd;
    else opened.push(fd);
  }
  const highest = opened[opened.length - 1];
  for (const fd of opened) yield* libc.close(fd);
  const long = '/tmp/' + 'n'.repeat(300);
  const created = yield* libc.open(long, O_WRONLY | O_CREAT);
  yield* libc.close(created);
  const cases: Array<[string, number, number]> = [
    ['the last descriptor open', highest, 255],
    ['open past NR_OPEN', refused, -E.EMFILE],
    ['dup2 to descriptor 255', yield* libc.dup2(1, 255), 255],
    ['dup2 to descriptor 256', yield* libc.dup2(1, 256), -E.EBADF],
    ['a 300-byte name is its first 255 bytes', (yield* libc.open(long.slice(0, 5 + 255), O_RDONLY)) >= 0 ? 0 : -1, 0],
    ['and not its first 254', yield* libc.open(long.slice(0, 5 + 254), O_RDONLY), -E.ENOENT],
    ['open of an empty path', yield* libc.open('', O_RDONLY), -E.ENOENT],
    ['creat of an empty path', yield* libc.creat(''), -E.ENOENT],
    ['mkdir of an empty path', yield* libc.mkdir(''), -E.ENOENT],
    ['a path of 3,000 bytes is looked up', yield* libc.open('/tmp/' + 'd/'.repeat(1500), O_RDONLY), -E.ENOENT],
    ['a path longer than a page', yield* libc.open('/tmp/' + 'd/'.repeat(2100), O_RDONLY), -E.ENAMETOOLONG],
  ];
  yield* libc.close(255);
  yield* libc.unlink(long);
  return yield* checkCases(libc, cases, 'limits: ');
}

const sockets = program('t_sockets', function* (libc) {
  const buffer = yield* libc.malloc(8192);
  const udp = yield* libc.socket(SOCK_DGRAM);
  if (!(yield* check(libc, udp >= 0 && (yield* libc.bind(udp, 9000)) === 0, 'udp socket/bind'))) return 1;
  const echo = yield* libc.fork(function* (c) {
    const [n, from] = yield* c.recvfrom(udp, buffer, 100);
    return n > 0 && (yield* c.sendto(udp, buffer, n, from)) === n ? 0 : 1;
  });
  const client = yield* libc.socket(SOCK_DGRAM);
  yield* libc.bind(client, 0);
  yield* libc.store(buffer, encodeUtf8('ping'));
  yield* libc.sendto(client, buffer, 4, 9000);
  yield* libc.store(buffer, encodeUtf8('xxxx'));
  const [n] = yield* libc.recvfrom(client, buffer, 100);
  const reply = decodeUtf8(yield* libc.load(buffer, 4));
  const [, echoStatus] = yield* libc.waitpid(echo);
  if (!(yield* check(libc, n === 4 && reply === 'ping' && echoStatus === 0, `udp echo: ${n} '${reply}' ${echoStatus}`))) return 2;
  const listener = yield* libc.socket(SOCK_STREAM);
  yield* libc.bind(listener, 9001);
  yield* libc.listen(listener);
  const size = 20000;
  const writer = yield* libc.fork(function* (c) {
    const fd = yield* c.socket(SOCK_STREAM);
    if ((yield* c.connect(fd, 9001)) !== 0) return 1;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 7) & 0xff;
    const source = yield* c.malloc(size);
    yield* c.store(source, data);
    const written = yield* c.write(fd, source, size);
    yield* c.close(fd);
    return written === size ? 0 : 2;
  });
  const fd = yield* libc.accept(listener);
  if (!(yield* check(libc, fd >= 0, `accept: ${fd}`))) return 3;
  let got = 0;
  let ok = true;
  for (;;) {
    const m = yield* libc.read(fd, buffer, 8192);
    if (m <= 0) break;
    const bytes = yield* libc.load(buffer, m);
    for (let i = 0; i < m; i++) if (bytes[i] !== ((got + i) * 7 & 0xff)) ok = false;
    got += m;
  }
  const [, status] = yield* libc.waitpid(writer);
  if (!(yield* check(libc, got === size && ok && status === 0, `tcp stream: ${got} bytes ok=${ok} writer=${status}`))) return 4;
  const refused = yield* libc.connect(yield* libc.socket(SOCK_STREAM), 9999);
  return (yield* check(libc, refused === -111, `connect to a closed port: ${refused}`)) ? 0 : 5;
});

const select = program('t_select', function* (libc) {
  const buffer = yield* libc.malloc(4096);
  const [r, w] = yield* libc.pipe();
  const [idle, idleStatus] = yield* libc.select([[r], [], []], 0);
  if (!(yield* check(libc, idle === 0 && idleStatus[0].length === 0, `empty pipe polled readable: ${idle}`))) return 1;
  const [writable, writeSets] = yield* libc.select([[r], [w], []], null);
  if (!(yield* check(libc, writable === 1 && writeSets[1][0] === w, `pipe not writable: ${writable}`))) return 2;
  // a child writes after a while: select sleeps until the pipe's wake-up
  const writer = yield* libc.fork(function* (c) {
    yield* c.sleep(0, 30_000_000);
    return (yield* c.write(w, buffer, 1)) === 1 ? 0 : 1;
  });
  const [quiet] = yield* libc.pipe();
  const [woken, readSets] = yield* libc.select([[quiet, r], [], []], 2_000_000);
  if (!(yield* check(libc, woken === 1 && readSets[0].length === 1 && readSets[0][0] === r, `select after write: ${woken} [${readSets[0].join(',')}]`))) return 3;
  const [, status] = yield* libc.waitpid(writer);
  yield* libc.read(r, buffer, 1);
  // timeout: nothing ready for 50 ms
  const [timedOut] = yield* libc.select([[r], [], []], 50_000);
  if (!(yield* check(libc, timedOut === 0 && status === 0, `timeout: ${timedOut}`))) return 4;
  // end of file is readable
  yield* libc.close(w);
  const [eof] = yield* libc.select([[r], [], []], null);
  if (!(yield* check(libc, eof === 1, `closed writer not readable: ${eof}`))) return 5;
  // a UDP datagram makes a socket readable
  const udp = yield* libc.socket(SOCK_DGRAM);
  yield* libc.bind(udp, 9100);
  yield* libc.sendto(udp, buffer, 4, 9100);
  const [datagram] = yield* libc.select([[udp], [], []], 0);
  if (!(yield* check(libc, datagram === 1, `datagram not readable: ${datagram}`))) return 6;
  const bad = yield* libc.select([[40], [], []], 0);
  return (yield* check(libc, bad[0] === -E.EBADF, `closed fd: ${bad[0]}`)) ? 0 : 7;
});

const jobs = program('t_jobs', function* (libc) {
  const foreground = yield* libc.tcgetpgrp(0);
  if (!(yield* check(libc, foreground > 0, `tcgetpgrp: ${foreground}`))) return 1;
  const job = yield* libc.fork(function* (c) {
    yield* c.setpgid(0, 0);
    yield* c.pause();
    return 0;
  });
  yield* libc.setpgid(job, job);
  const set = yield* libc.tcsetpgrp(0, job);
  const now = yield* libc.tcgetpgrp(0);
  if (!(yield* check(libc, set === 0 && now === job, `tcsetpgrp to the job: ${set}, foreground ${now}`))) return 2;
  // the group signal (what ^C sends) reaches the job, not this process of another group
  yield* libc.kill(-job, SIG.SIGINT);
  const [, status] = yield* libc.waitpid(job);
  if (!(yield* check(libc, (status & 0x7f) === SIG.SIGINT, `job status ${status}`))) return 3;
  yield* libc.tcsetpgrp(0, foreground);
  const [r] = yield* libc.pipe();
  const cases: Array<[string, number, number]> = [
    ['tcsetpgrp to a group that does not exist', yield* libc.tcsetpgrp(0, 30000), -E.EPERM],
    ['tcsetpgrp on a pipe', yield* libc.tcsetpgrp(r, foreground), -E.ENOTTY],
    ['tcgetpgrp on a closed fd', yield* libc.tcgetpgrp(40), -E.EBADF],
    ['foreground restored', yield* libc.tcgetpgrp(0), foreground],
    ['kill of an empty group', yield* libc.kill(-job, SIG.SIGINT), -E.ESRCH],
  ];
  return (yield* checkCases(libc, cases)) === 0 ? 0 : 4;
});

const sync = program('t_sync', function* (libc) {
  const fd = yield* libc.open('/tmp/t_sync', O_RDWR | O_CREAT | O_TRUNC);
  const buffer = yield* libc.malloc(4096);
  yield* libc.store(buffer, encodeUtf8('durable'));
  yield* libc.write(fd, buffer, 7);
  const [r] = yield* libc.pipe();
  const cases: Array<[string, number, number]> = [
    ['fsync of a file', yield* libc.fsync(fd), 0],
    ['sync', yield* libc.sync(), 0],
    ['fsync of a pipe', yield* libc.fsync(r), -E.EINVAL],
    ['fsync of a closed fd', yield* libc.fsync(40), -E.EBADF],
  ];
  yield* libc.lseek(fd, 0, 0);
  yield* libc.store(buffer, encodeUtf8('xxxxxxx'));
  const n = yield* libc.read(fd, buffer, 7);
  cases.push(['read after fsync', n === 7 && decodeUtf8(yield* libc.load(buffer, 7)) === 'durable' ? 0 : 1, 0]);
  return (yield* checkCases(libc, cases)) === 0 ? 0 : 1;
});

const rpc = program('t_rpc', function* (libc) {
  let failed = 0;
  for (const stream of [false, true]) {
    const port = stream ? 9201 : 9200;
    const server = yield* libc.socket(stream ? SOCK_STREAM : SOCK_DGRAM);
    yield* libc.bind(server, port);
    if (stream) yield* libc.listen(server);
    const child = yield* libc.fork(function* (c) {
      const fd = stream ? yield* c.accept(server) : server;
      const buffer = yield* c.malloc(RPC_SERVER_BUFFER);
      const transport = { fd, stream, port: 0 };
      for (let i = 0; i < 3; i++) if ((yield* serveOne(c, transport, buffer, 0x20000001, 1)) < 0) return 1;
      return 0;
    });
    const fd = yield* libc.socket(stream ? SOCK_STREAM : SOCK_DGRAM);
    if (stream) yield* libc.connect(fd, port);
    else yield* libc.bind(fd, 0);
    const good = yield* RpcClient.create(libc, { fd, stream, port }, 0x20000001, 1);
    const wrong = yield* RpcClient.create(libc, { fd, stream, port }, 0x20000002, 1);
    if (typeof good === 'number' || typeof wrong === 'number') return 1;
    const cases: Array<[string, number, number]> = [
      ['null call', yield* good.call(NULLPROC), 0],
      ['unknown procedure', yield* good.call(7), 3], // PROC_UNAVAIL
      ['unknown program', yield* wrong.call(NULLPROC), 1], // PROG_UNAVAIL
    ];
    const [, status] = yield* libc.waitpid(child);
    cases.push(['server', status, 0]);
    failed += yield* checkCases(libc, cases, stream ? 'tcp ' : 'udp ');
  }
  return failed === 0 ? 0 : 1;
});

/**
 * times, getrusage, gettimeofday: only relations are checked (the ticks themselves differ from
 * system to system): CPU time grows over a busy loop, the children's times arrive at wait,
 * faults are counted, gettimeofday runs forward and agrees with time(), and bad arguments get
 * Linux 2.0's EINVAL and EFAULT.
 */
const times = program('t_times', function* (libc) {
  const busyMs = (ms: number) => libc.compute(ms * 133_000);
  const cases: Array<[string, number, number]> = [];
  const holds = (what: string, ok: boolean) => cases.push([what, ok ? 1 : 0, 1]);
  const [r0, t0] = yield* libc.times();
  const [g0, sec0, usec0] = yield* libc.gettimeofday();
  const now = yield* libc.time();
  holds('gettimeofday succeeds', g0 === 0);
  holds('gettimeofday agrees with time() to a second', Math.abs(sec0 - now) <= 1 && usec0 >= 0 && usec0 < 1_000_000);
  yield* busyMs(100);
  const [r1, t1] = yield* libc.times();
  const [, sec1, usec1] = yield* libc.gettimeofday();
  const elapsedUs = (sec1 - sec0) * 1_000_000 + (usec1 - usec0);
  // ten clock ticks in 100 ms on every system (MkLinux's jiffies_thread sleeps to absolute 10 ms
  // marks, so it keeps the rate while the process computes)
  holds('times() counts the loop\'s ten ticks', r0 >= 0 && r1 - r0 >= 9 && r1 - r0 <= 11);
  holds('a 100 ms busy loop adds CPU time', t1.utime + t1.stime - (t0.utime + t0.stime) >= 5);
  holds('the busy loop is user time', t1.utime - t0.utime >= 5);
  // xtime advances by the clock ticks Linux has taken, and gettimeofday with it
  holds('gettimeofday advances with the clock ticks', elapsedUs > 0 && Math.abs(elapsedUs - (r1 - r0) * 10_000) <= 20_000);
  let previous = sec1 * 1_000_000 + usec1;
  let monotonic = true;
  for (let i = 0; i < 40; i++) {
    yield* busyMs(1);
    const [, s, us] = yield* libc.gettimeofday();
    const at = s * 1_000_000 + us;
    if (at < previous || us < 0 || us >= 1_000_000) monotonic = false;
    previous = at;
  }
  holds('gettimeofday never runs backwards', monotonic);
  // a loop of system calls is mostly system time: the kernel's, the server's serving it, or
  // (MkLinux) the process's thread in Mach's exception RPCs
  const devNull = yield* libc.open('/dev/null', O_WRONLY);
  const block = yield* libc.malloc(4096);
  const [, beforeCalls] = yield* libc.times();
  for (let i = 0; i < 20_000; i++) yield* libc.write(devNull, block, 4096);
  const [, afterCalls] = yield* libc.times();
  holds('a system-call loop adds system time', afterCalls.stime - beforeCalls.stime >= 2);
  // faults: fresh pages written are minor faults; the program's text came from its file (major)
  const [u0, self0] = yield* libc.getrusage(RUSAGE_SELF);
  const pages = yield* libc.malloc(8 * 4096);
  for (let i = 0; i < 8; i++) yield* libc.storeWords(pages + i * 4096, [i]);
  const [, self1] = yield* libc.getrusage(RUSAGE_SELF);
  holds('getrusage(RUSAGE_SELF) succeeds', u0 === 0);
  holds('getrusage: CPU time of the busy loops', self1.utimeUs + self1.stimeUs >= 100_000);
  holds('getrusage: the written pages are minor faults', self1.minorFaults - self0.minorFaults >= 8);
  holds('getrusage: the text pages were major faults', self1.majorFaults > 0);
  // a child's times and faults reach the parent when it is waited for
  const [, before] = yield* libc.getrusage(RUSAGE_CHILDREN);
  const child = yield* libc.fork(function* (c) {
    const area = yield* c.malloc(4 * 4096);
    for (let i = 0; i < 4; i++) yield* c.storeWords(area + i * 4096, [i]);
    yield* c.compute(60 * 133_000);
    return 0;
  });
  const [, childTimesBefore] = yield* libc.times();
  const [waited] = yield* libc.waitpid(child);
  const [, after] = yield* libc.getrusage(RUSAGE_CHILDREN);
  const [, childTimes] = yield* libc.times();
  holds('waitpid reaps the child', waited === child);
  holds('children: no time before the wait', childTimesBefore.cutime + childTimesBefore.cstime === t1.cutime + t1.cstime);
  holds('children: the child\'s CPU time after the wait', childTimes.cutime + childTimes.cstime - (childTimesBefore.cutime + childTimesBefore.cstime) >= 3);
  holds('children: getrusage sees it too', after.utimeUs + after.stimeUs - (before.utimeUs + before.stimeUs) >= 30_000);
  holds('children: its faults', after.minorFaults - before.minorFaults >= 4);
  // wait4 with a struct rusage: the child's own usage
  const usage = yield* libc.malloc(72);
  const second = yield* libc.fork(function* (c) {
    yield* c.compute(40 * 133_000);
    return 0;
  });
  const status = yield* libc.malloc(4);
  const reaped = yield* libc.syscall(NR.wait4, second, status, 0, usage);
  // ru_utime and ru_stime: seconds, microseconds each
  const [utimeSec, utimeUsec, stimeSec, stimeUsec] = [0, 4, 8, 12].map((offset) => offset + usage);
  let waitedUs = 0;
  for (const [sec, usec] of [[utimeSec, utimeUsec], [stimeSec, stimeUsec]]) waitedUs += (yield* libc.loadWord(sec)) * 1_000_000 + (yield* libc.loadWord(usec));
  holds('wait4 fills the child\'s rusage', reaped === second && waitedUs >= 20_000);
  // NULL where 2.0 allows it; EINVAL and EFAULT where it does not
  const kernel = 0xc0001000;
  cases.push(
    ['times(NULL)', (yield* libc.syscall(NR.times, 0)) >= 0 ? 0 : 1, 0],
    ['gettimeofday(NULL, NULL)', yield* libc.syscall(NR.gettimeofday, 0, 0), 0],
    ['gettimeofday with a timezone', yield* libc.syscall(NR.gettimeofday, usage, usage + 8), 0],
    ['the timezone is zero', (yield* libc.loadWord(usage + 8)) + (yield* libc.loadWord(usage + 12)), 0],
    ['getrusage of a bad who', yield* libc.syscall(NR.getrusage, 5, usage), -E.EINVAL],
    ['getrusage of RUSAGE_BOTH (the kernel\'s own)', yield* libc.syscall(NR.getrusage, -2 >>> 0, usage), -E.EINVAL],
    ['getrusage of a bad who into kernel space', yield* libc.syscall(NR.getrusage, 1, kernel), -E.EINVAL],
    ['getrusage into an unmapped address', yield* libc.syscall(NR.getrusage, RUSAGE_SELF, 0x10), -E.EFAULT],
    ['getrusage(NULL)', yield* libc.syscall(NR.getrusage, RUSAGE_CHILDREN >>> 0, 0), -E.EFAULT],
    ['times into kernel space', yield* libc.syscall(NR.times, kernel), -E.EFAULT],
    ['gettimeofday into kernel space', yield* libc.syscall(NR.gettimeofday, kernel, 0), -E.EFAULT],
    ['gettimeofday\'s timezone into an unmapped address', yield* libc.syscall(NR.gettimeofday, usage, 0x10), -E.EFAULT],
    ['wait4 with a bad rusage', yield* libc.syscall(NR.wait4, -1 >>> 0, 0, 0, kernel), -E.EFAULT],
    ['time into kernel space', yield* libc.time(kernel), -E.EFAULT],
  );
  // time(tloc) stores what it returns
  yield* libc.storeWords(usage, [-1]);
  const returned = yield* libc.time(usage);
  holds('time(tloc) stores its result at tloc', returned >= 0 && (yield* libc.loadWord(usage)) === returned);
  return (yield* checkCases(libc, cases)) === 0 ? 0 : 1;
});

/** The conformance programs, by name. */
export const CONFORMANCE_PROGRAMS: readonly GuestProgram[] = [execArguments, forkExecWait, cow, signals, pipes, files, mmap, highMaps, mapShared, mprotect, errors, sockets, select, jobs, sync, rpc, times];

/** A booted system as the runner needs it: install programs, run a command, get status and output. */
export interface SystemUnderTest {
  run(command: string): { status: number | null; output: string };
}

/** What the runners install in /bin: the programs, and those they run. */
export const CONFORMANCE_IMAGES: readonly GuestProgram[] = [...CONFORMANCE_PROGRAMS, argCount];
