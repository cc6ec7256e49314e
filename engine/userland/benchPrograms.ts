import { ACCESS_READ, ACCESS_WRITE, CAT } from '../machine/cpu';
import type { Operation } from '../machine/executionContext';
import { MAP_SHARED, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, PROT_READ, SIG, SOCK_DGRAM, SOCK_STREAM } from '../linux/core/syscalls';
import type { Libc } from './libc';
import { USER_COSTS } from './userParameters';
import type { GuestProgram } from './runtime';
import { NULLPROC, RPC_SERVER_BUFFER, RpcClient, serveOne } from './sunrpc';
import { AIM_PROGRAMS } from './aimPrograms';
import { COMPILE_PROGRAMS } from './compilePrograms';
import { VM_PROGRAMS } from './vmPrograms';
import { dynamicallyLinked } from './dynamicLinking';

const KB = 1024;

/**
 * The lmbench programs (McVoy & Staelin, USENIX'96) as guest programs, written the way lmbench
 * writes them: a body run N times after a warm-up, between two harness marks ('start'/'stop').
 * Loop overhead is user code (2 instructions: increment, compare-and-branch). Arguments are
 * strings as on a command line. They are dynamically linked against libc.so.5, as lmbench was
 * built on a libc-5 ELF system: ld.so maps the library before the body, and every C library
 * call goes through the PLT.
 */
function bench(name: string, body: GuestProgram['main']): GuestProgram {
  return { name, textBytes: 32 * KB, dataBytes: 4 * KB, bssBytes: 8 * KB, startup: { textPages: 4, dataPages: 1, bssPages: 1 }, ...dynamicallyLinked(body) };
}

const LOOP = USER_COSTS.loopOverhead;

function* fail(libc: Libc, what: string, result: number): Operation<number> {
  yield* libc.print(2, `${what} failed: ${result}\n`);
  return 1;
}

/**
 * lmbench's killem(): the partners of lat_pipe, lat_ctx and the lat_udp/lat_tcp/lat_rpc servers
 * loop, and the bw_pipe and bw_tcp writers wait, until they are killed; the parent kills them
 * (SIGTERM) and waits only after its stop mark, so no partner's exit, wait or teardown falls inside
 * the timed window, whatever the loop length and however the scheduler orders the last messages.
 */
function* killPartners(libc: Libc, pids: readonly number[]): Operation<void> {
  for (const pid of pids) yield* libc.kill(pid, SIG.SIGTERM);
  for (const pid of pids) yield* libc.waitpid(pid);
}

/** lat_syscall getpid|write N WARM: a null system call (getpid) or a 1-byte write to /dev/null. */
const latSyscall = bench('lat_syscall', function* (libc: Libc, argv: string[]): Operation<number> {
  const mode = argv[1];
  const n = Number(argv[2] ?? '1000');
  const warm = Number(argv[3] ?? '100');
  let fd = -1;
  const byte = yield* libc.malloc(16);
  yield* libc.touch(byte, 1, ACCESS_WRITE);
  if (mode === 'write') {
    fd = yield* libc.open('/dev/null', O_WRONLY);
    if (fd < 0) return yield* fail(libc, 'open /dev/null', fd);
  }
  const once = mode === 'write' ? () => libc.write(fd, byte, 1) : () => libc.getpid();
  for (let i = 0; i < warm; i++) yield* once();
  libc.mark('start');
  for (let i = 0; i < n; i++) {
    yield* once();
    libc.spend(LOOP * libc.cpu.p.instruction);
  }
  libc.mark('stop', n);
  return 0;
});

/** lat_pipe N WARM: one byte back and forth between two processes through two pipes; the child echoes until killed. */
const latPipe = bench('lat_pipe', function* (libc: Libc, argv: string[]): Operation<number> {
  const n = Number(argv[1] ?? '1000');
  const warm = Number(argv[2] ?? '100');
  const [toChildRead, toChildWrite] = yield* libc.pipe();
  const [toParentRead, toParentWrite] = yield* libc.pipe();
  if (toChildRead < 0 || toParentRead < 0) return yield* fail(libc, 'pipe', Math.min(toChildRead, toParentRead));
  const byte = yield* libc.malloc(16);
  yield* libc.touch(byte, 4, ACCESS_WRITE);
  const child = yield* libc.fork(function* (c: Libc): Operation<number> {
    for (;;) {
      if ((yield* c.read(toChildRead, byte, 1)) !== 1) return 1;
      if ((yield* c.write(toParentWrite, byte, 1)) !== 1) return 1;
      c.spend(LOOP * c.cpu.p.instruction);
    }
  });
  if (child < 0) return yield* fail(libc, 'fork', child);
  const round = function* (): Operation<boolean> {
    if ((yield* libc.write(toChildWrite, byte, 1)) !== 1) return false;
    return (yield* libc.read(toParentRead, byte, 1)) === 1;
  };
  for (let i = 0; i < warm; i++) if (!(yield* round())) return 1;
  libc.mark('start');
  for (let i = 0; i < n; i++) {
    if (!(yield* round())) return 1;
    libc.spend(LOOP * libc.cpu.p.instruction);
  }
  libc.mark('stop', n);
  yield* killPartners(libc, [child]);
  return 0;
});

/** lmbench's touch(): writes one byte per page so the buffer is mapped before timing. */
function* touchPages(libc: Libc, buffer: number, length: number): Operation<void> {
  for (let offset = 0; offset < length; offset += 4096) yield* libc.touch(buffer + offset, 1, ACCESS_WRITE);
}

/**
 * bw_pipe TOTAL CHUNK: the child writes TOTAL bytes in CHUNK writes from the buffer it shares
 * copy-on-write with the parent (it only reads it); the parent reads them into the same buffer,
 * so its first read breaks COW, as in lmbench's bw_pipe. The writer then waits to be killed after
 * the stop mark, as lmbench's later writer does (1.x's writer exited, which could be timed).
 */
const bwPipe = bench('bw_pipe', function* (libc: Libc, argv: string[]): Operation<number> {
  const total = Number(argv[1] ?? String(1 << 20));
  const chunk = Number(argv[2] ?? String(64 * KB));
  const [r, w] = yield* libc.pipe();
  if (r < 0) return yield* fail(libc, 'pipe', r);
  const buffer = yield* libc.malloc(chunk);
  yield* touchPages(libc, buffer, chunk);
  const child = yield* libc.fork(function* (c: Libc): Operation<number> {
    yield* c.close(r);
    for (let sent = 0; sent < total; ) {
      const n = yield* c.write(w, buffer, Math.min(chunk, total - sent));
      if (n <= 0) return 1;
      sent += n;
    }
    yield* c.pause();
    return 0;
  });
  if (child < 0) return yield* fail(libc, 'fork', child);
  yield* libc.close(w);
  // warm-up: the first 64 KB
  let received = 0;
  while (received < Math.min(chunk, total)) {
    const n = yield* libc.read(r, buffer, chunk - received);
    if (n <= 0) return 1;
    received += n;
  }
  libc.mark('start');
  const measuredFrom = received;
  while (received < total) {
    const n = yield* libc.read(r, buffer, chunk);
    if (n <= 0) return 1;
    received += n;
  }
  libc.mark('stop', received - measuredFrom);
  yield* killPartners(libc, [child]);
  return 0;
});

/** lat_proc null|simple|sh N WARM: fork+exit, fork+exec hello, fork+exec sh -c hello; the parent waits. */
const latProc = bench('lat_proc', function* (libc: Libc, argv: string[]): Operation<number> {
  const mode = argv[1];
  const n = Number(argv[2] ?? '20');
  const warm = Number(argv[3] ?? '2');
  const devNull = yield* libc.open('/dev/null', O_WRONLY);
  const once = function* (): Operation<boolean> {
    const pid = yield* libc.fork(function* (c: Libc): Operation<number> {
      if (mode === 'null') return 0;
      yield* c.dup2(devNull, 1);
      const result = mode === 'sh' ? yield* c.execve('/bin/sh', ['sh', '-c', 'hello']) : yield* c.execve('/bin/hello', ['hello']);
      return result < 0 ? 1 : 0;
    });
    if (pid < 0) return false;
    const [done, status] = yield* libc.waitpid(pid);
    return done === pid && status === 0;
  };
  for (let i = 0; i < warm; i++) if (!(yield* once())) return 1;
  libc.mark('start');
  for (let i = 0; i < n; i++) if (!(yield* once())) return 1;
  libc.mark('stop', n);
  return 0;
});

/**
 * lat_ctx PROCS N WARM: a token passed around a ring of PROCS processes through pipes, 0 KB of
 * data per process. Like lmbench, the harness subtracts the cost of the pipe read+write
 * measured in one process (marks 'overhead-start'/'overhead-stop'). The ring members pass the
 * token on until killed after the stop mark (lmbench's doit() and killem()).
 */
const latCtx = bench('lat_ctx', function* (libc: Libc, argv: string[]): Operation<number> {
  const procs = Number(argv[1] ?? '2');
  const n = Number(argv[2] ?? '200');
  const warm = Number(argv[3] ?? '20');
  // int msg: a local of lmbench's doit(), in the caller's frame just above the stubs' frames
  const token = libc.state.stack + 64;
  const size = 4; // sizeof(msg)
  yield* libc.touch(token, size, ACCESS_WRITE);
  // overhead: write + read through one pipe in this process
  const [or, ow] = yield* libc.pipe();
  for (let i = 0; i < warm; i++) {
    yield* libc.write(ow, token, size);
    yield* libc.read(or, token, size);
  }
  libc.mark('overhead-start');
  for (let i = 0; i < n; i++) {
    yield* libc.write(ow, token, size);
    yield* libc.read(or, token, size);
    libc.spend(LOOP * libc.cpu.p.instruction);
  }
  libc.mark('overhead-stop', n);
  yield* libc.close(or);
  yield* libc.close(ow);
  const pipes: Array<[number, number]> = [];
  for (let i = 0; i < procs; i++) pipes.push(yield* libc.pipe());
  const children: number[] = [];
  for (let index = 1; index < procs; index++) {
    const [readEnd] = pipes[index - 1];
    const [, writeEnd] = pipes[index];
    const pid = yield* libc.fork(function* (c: Libc): Operation<number> {
      for (;;) {
        if ((yield* c.read(readEnd, token, size)) !== size) return 1;
        if ((yield* c.write(writeEnd, token, size)) !== size) return 1;
        c.spend(LOOP * c.cpu.p.instruction);
      }
    });
    children.push(pid);
  }
  const [, firstWrite] = pipes[0];
  const [lastRead] = pipes[procs - 1];
  for (let i = 0; i < n + warm; i++) {
    if (i === warm) libc.mark('start');
    if ((yield* libc.write(firstWrite, token, size)) !== size) return 1;
    if ((yield* libc.read(lastRead, token, size)) !== size) return 1;
    libc.spend(LOOP * libc.cpu.p.instruction);
  }
  libc.mark('stop', n * procs);
  yield* killPartners(libc, children);
  return 0;
});

/** mkfile PATH BYTES: writes a file in 64 KB chunks. */
const mkfile = bench('mkfile', function* (libc: Libc, argv: string[]): Operation<number> {
  const size = Number(argv[2]);
  const fd = yield* libc.open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  if (fd < 0) return yield* fail(libc, 'open', fd);
  const chunk = 64 * KB;
  const buffer = yield* libc.malloc(chunk);
  for (let done = 0; done < size; ) {
    const n = yield* libc.write(fd, buffer, Math.min(chunk, size - done));
    if (n <= 0) return 1;
    done += n;
  }
  yield* libc.close(fd);
  return 0;
});

/** bw_file_rd PATH ROUNDS: re-reads a cached file with 64 KB reads (lmbench 1 reads only, no summing). */
const bwFileRead = bench('bw_file_rd', function* (libc: Libc, argv: string[]): Operation<number> {
  const rounds = Number(argv[2] ?? '2');
  const chunk = 64 * KB;
  const buffer = yield* libc.malloc(chunk);
  yield* touchPages(libc, buffer, chunk);
  let total = 0;
  for (let round = 0; round <= rounds; round++) {
    if (round === 1) libc.mark('start');
    const fd = yield* libc.open(argv[1], O_RDONLY);
    if (fd < 0) return yield* fail(libc, 'open', fd);
    for (;;) {
      const n = yield* libc.read(fd, buffer, chunk);
      if (n <= 0) break;
      if (round > 0) total += n;
    }
    yield* libc.close(fd);
  }
  libc.mark('stop', total);
  return 0;
});

/** bw_mmap_rd PATH SIZE ROUNDS: maps the file and reads every word (one `add` per word). */
const bwMmapRead = bench('bw_mmap_rd', function* (libc: Libc, argv: string[]): Operation<number> {
  const size = Number(argv[2]);
  const rounds = Number(argv[3] ?? '2');
  const fd = yield* libc.open(argv[1], O_RDONLY);
  if (fd < 0) return yield* fail(libc, 'open', fd);
  let total = 0;
  for (let round = 0; round <= rounds; round++) {
    if (round === 1) libc.mark('start');
    const address = yield* libc.mmap(0, size, PROT_READ, MAP_SHARED, fd, 0);
    if (address < 0) return yield* fail(libc, 'mmap', address);
    yield* libc.touch(address, size, ACCESS_READ);
    libc.cpu.charge((size / 4) * libc.cpu.p.aluRegMem, CAT.user);
    yield* libc.munmap(address, size);
    if (round > 0) total += size;
  }
  libc.mark('stop', total);
  return 0;
});

/** lat_mmap PATH SIZE N: mmap SIZE bytes of the file, touch one word per 16 KB, munmap (lmbench 2 style). */
const latMmap = bench('lat_mmap', function* (libc: Libc, argv: string[]): Operation<number> {
  const size = Number(argv[2]);
  const n = Number(argv[3] ?? '10');
  const fd = yield* libc.open(argv[1], O_RDONLY);
  if (fd < 0) return yield* fail(libc, 'open', fd);
  for (let i = 0; i <= n; i++) {
    if (i === 1) libc.mark('start');
    const address = yield* libc.mmap(0, size, PROT_READ, MAP_SHARED, fd, 0);
    if (address < 0) return yield* fail(libc, 'mmap', address);
    for (let offset = 0; offset < size; offset += 16 * KB) yield* libc.touch(address + offset, 4, ACCESS_READ);
    yield* libc.munmap(address, size);
  }
  libc.mark('stop', n);
  return 0;
});


const UDP_PORT = 7000;
const TCP_PORT = 7001;

/** lmbench lat_rpc's program and version numbers (XACT_PROG, XACT_VERS of lat_rpc.c). */
const XACT_PROG = 0x3ffffff0;
const XACT_VERS = 1;

/**
 * lat_udp|lat_tcp|lat_rpc: request/response over loopback (mode: udp, tcp, rpc-udp, rpc-tcp).
 * udp/tcp send a 4-byte word each way; rpc-* make null Sun RPC calls (sunrpc.ts: XDR-encoded
 * call and reply, the client and svc_run select()ing before each receive). The server answers
 * until killed after the stop mark, as lmbench's servers run until told to go away.
 */
function* roundTrips(libc: Libc, mode: string, n: number, warm: number): Operation<number> {
  const rpc = mode.startsWith('rpc');
  const stream = mode.endsWith('tcp');
  const request = 4;
  const reply = 4;
  const buffer = yield* libc.malloc(RPC_SERVER_BUFFER);
  yield* libc.touch(buffer, RPC_SERVER_BUFFER, ACCESS_WRITE);
  const server = yield* libc.socket(stream ? SOCK_STREAM : SOCK_DGRAM);
  if (server < 0) return yield* fail(libc, 'socket', server);
  const port = stream ? TCP_PORT : UDP_PORT;
  const bound = yield* libc.bind(server, port);
  if (bound < 0) return yield* fail(libc, 'bind', bound);
  if (stream) yield* libc.listen(server);
  const child = yield* libc.fork(function* (c: Libc): Operation<number> {
    const fd = stream ? yield* c.accept(server) : server;
    if (fd < 0) return 1;
    const transport = { fd, stream, port: 0 };
    for (;;) {
      if (rpc) {
        if ((yield* serveOne(c, transport, buffer, XACT_PROG, XACT_VERS)) < 0) return 2;
      } else if (stream) {
        if ((yield* c.read(fd, buffer, request)) <= 0) return 2;
        if ((yield* c.write(fd, buffer, reply)) !== reply) return 3;
      } else {
        const [got, from] = yield* c.recvfrom(fd, buffer, 256);
        if (got <= 0) return 2;
        if ((yield* c.sendto(fd, buffer, reply, from)) !== reply) return 3;
      }
    }
  });
  if (child < 0) return yield* fail(libc, 'fork', child);
  const client = yield* libc.socket(stream ? SOCK_STREAM : SOCK_DGRAM);
  if (stream) {
    const connected = yield* libc.connect(client, port);
    if (connected < 0) return yield* fail(libc, 'connect', connected);
  } else {
    yield* libc.bind(client, 0);
  }
  const handle = rpc ? yield* RpcClient.create(libc, { fd: client, stream, port }, XACT_PROG, XACT_VERS) : null;
  if (typeof handle === 'number') return yield* fail(libc, 'clnt_create', handle);
  for (let i = 0; i < n + warm; i++) {
    if (i === warm) libc.mark('start');
    if (handle !== null) {
      const status = yield* handle.call(NULLPROC);
      if (status !== 0) return yield* fail(libc, 'clnt_call', status);
    } else if (stream) {
      if ((yield* libc.write(client, buffer, request)) !== request) return 4;
      if ((yield* libc.read(client, buffer, 256)) <= 0) return 5;
    } else {
      if ((yield* libc.sendto(client, buffer, request, port)) !== request) return 4;
      const [got] = yield* libc.recvfrom(client, buffer, 256);
      if (got <= 0) return 5;
    }
    libc.spend(LOOP * libc.cpu.p.instruction);
  }
  libc.mark('stop', n);
  yield* killPartners(libc, [child]);
  return 0;
}

/** lat_net udp|tcp|rpc-udp|rpc-tcp N WARM. */
const latNet = bench('lat_net', function* (libc: Libc, argv: string[]): Operation<number> {
  return yield* roundTrips(libc, argv[1], Number(argv[2] ?? '200'), Number(argv[3] ?? '20'));
});

/**
 * bw_tcp TOTAL CHUNK: the client writes TOTAL bytes over loopback TCP; the server reads them and
 * stops its clock at the last byte (lmbench 1.x's absorb(): `while (nbytes > 0 && read ...)`),
 * not at the end of file, while the writer waits to be killed, so its close and exit are not timed.
 */
const bwTcp = bench('bw_tcp', function* (libc: Libc, argv: string[]): Operation<number> {
  const total = Number(argv[1] ?? String(1 << 20));
  const chunk = Number(argv[2] ?? String(64 * KB));
  const server = yield* libc.socket(SOCK_STREAM);
  yield* libc.bind(server, TCP_PORT);
  yield* libc.listen(server);
  const buffer = yield* libc.malloc(chunk);
  yield* touchPages(libc, buffer, chunk);
  const child = yield* libc.fork(function* (c: Libc): Operation<number> {
    const fd = yield* c.socket(SOCK_STREAM);
    if ((yield* c.connect(fd, TCP_PORT)) < 0) return 1;
    for (let sent = 0; sent < total; ) {
      const n = yield* c.write(fd, buffer, Math.min(chunk, total - sent));
      if (n <= 0) return 2;
      sent += n;
    }
    yield* c.pause();
    return 0;
  });
  if (child < 0) return yield* fail(libc, 'fork', child);
  const fd = yield* libc.accept(server);
  if (fd < 0) return yield* fail(libc, 'accept', fd);
  let received = 0;
  while (received < Math.min(chunk, total)) {
    const n = yield* libc.read(fd, buffer, chunk - received);
    if (n <= 0) return 1;
    received += n;
  }
  libc.mark('start');
  const from = received;
  while (received < total) {
    const n = yield* libc.read(fd, buffer, chunk);
    if (n <= 0) return 1;
    received += n;
  }
  libc.mark('stop', received - from);
  yield* killPartners(libc, [child]);
  return 0;
});

export const BENCH_PROGRAMS: readonly GuestProgram[] = [latSyscall, latPipe, bwPipe, latProc, latCtx, mkfile, bwFileRead, bwMmapRead, latMmap, latNet, bwTcp, ...COMPILE_PROGRAMS, ...AIM_PROGRAMS, ...VM_PROGRAMS];
