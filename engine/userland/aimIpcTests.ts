import { ACCESS_READ, ACCESS_WRITE } from '../machine/cpu';
import type { Operation } from '../machine/executionContext';
import { MAP_SHARED, O_CREAT, O_RDWR, O_TRUNC, PROT_READ, PROT_WRITE, SOCK_DGRAM, SOCK_STREAM } from '../linux/core/syscalls';
import type { AimTest } from './aimComputeTests';
import type { AimUser } from './aimUser';
import { MACRO_COSTS } from './macroParameters';

const C = MACRO_COSTS;

/**
 * The transfer sizes of osdl-aim-7 src/pipe_test.c (`sizes[]`: misc. sizes twice, X windows
 * mostly 32, DBMS's mostly 512, 2048), taken in turn by every test of the file.
 */
const TRANSFER_SIZES = [
  1, 3, 5, 7, 16, 32, 64, 512, 1024, 2048, 4096, 1, 3, 5, 7, 16, 32, 64, 512, 1024, 2048, 4096,
  32, 32, 32, 32, 32, 32, 512, 512, 512, 512, 512, 2048, 2048, 2048, 2048,
];

/** Largest transfer (pipe_test.c MAXBLK is the buffer; no size exceeds 4 KB). */
const BUFFER_BYTES = 4096;

/** Loopback ports of the socket tests: one pair per user (the tests bind port 0 and ask getsockname, which our libc lacks). */
const PORT_BASE = 7000;

/**
 * read_write_close: `loops` - 1 transfers, each written whole to `writeFd` and read whole from
 * `readFd` by the same process, then both closed. `send` and `receive` move one transfer.
 */
function* transfers(user: AimUser, loops: number, readFd: number, writeFd: number, send?: (buffer: number, size: number) => Operation<number>, receive?: (buffer: number, size: number) => Operation<number>): Operation<number> {
  const libc = user.libc;
  const buffer = yield* libc.malloc(BUFFER_BYTES);
  const count = user.scaled(loops - 1);
  for (let i = 0; i < count; i++) {
    const size = TRANSFER_SIZES[user.sizeIndex++ % TRANSFER_SIZES.length];
    const sent = send === undefined ? yield* libc.write(writeFd, buffer, size) : yield* send(buffer, size);
    if (sent !== size) return 1;
    for (let got = 0; got < size; ) {
      const n = receive === undefined ? yield* libc.read(readFd, buffer, size - got) : yield* receive(buffer, size - got);
      if (n <= 0) return 1;
      got += n;
    }
  }
  yield* libc.close(readFd);
  yield* libc.close(writeFd);
  return 0;
}

/**
 * pipe_cpy; and stream_pipe and dgram_pipe, whose socketpair(AF_UNIX) our Linux lacks: a pipe
 * stands in for the Unix-domain pair (the same in-kernel copy between two buffers of one host).
 */
function* pipeTest(user: AimUser): Operation<number> {
  const [readFd, writeFd] = yield* user.libc.pipe();
  if (readFd < 0) return 1;
  return yield* transfers(user, C.aimPipeTransfers, readFd, writeFd);
}

/** udp_test: two datagram sockets on loopback, the writer's datagrams addressed to the reader. */
function* udpTest(user: AimUser): Operation<number> {
  const libc = user.libc;
  const port = PORT_BASE + 2 * user.unit;
  const writer = yield* libc.socket(SOCK_DGRAM);
  const reader = yield* libc.socket(SOCK_DGRAM);
  if (writer < 0 || reader < 0) return 1;
  if ((yield* libc.bind(writer, port + 1)) < 0 || (yield* libc.bind(reader, port)) < 0) return 1;
  return yield* transfers(user, C.aimPipeTransfers, reader, writer, (buffer, size) => libc.sendto(writer, buffer, size, port), function* (buffer, size) {
    return (yield* libc.recvfrom(reader, buffer, size))[0];
  });
}

/** tcp_test: a listening socket, a second socket connected to it, the accepted end writing to it. */
function* tcpTest(user: AimUser): Operation<number> {
  const libc = user.libc;
  const port = PORT_BASE + 2 * user.unit;
  const listener = yield* libc.socket(SOCK_STREAM);
  if (listener < 0 || (yield* libc.bind(listener, port)) < 0) return 1;
  yield* libc.listen(listener);
  const reader = yield* libc.socket(SOCK_STREAM);
  if (reader < 0 || (yield* libc.connect(reader, port)) < 0) return 1;
  const writer = yield* libc.accept(listener);
  if (writer < 0) return 1;
  const status = yield* transfers(user, C.aimTcpTransfers, reader, writer);
  yield* libc.close(listener);
  return status;
}

/**
 * shared_memory: a 64 KB segment and a semaphore; 100 times the writer and the reader side each
 * lock, copy a transfer in (out), unlock. Our Linux has no System V IPC: a shared mapping of a
 * file of the segment's size stands in for shmget/shmat, and a kill(self, 0) — a short call that
 * finds a task and checks it, as semop finds the semaphore array and changes one value — for each
 * semop.
 */
function* sharedMemory(user: AimUser): Operation<number> {
  const libc = user.libc;
  const bytes = C.aimSharedBytes;
  const path = user.path('shm');
  const fd = yield* libc.open(path, O_RDWR | O_CREAT | O_TRUNC, 0o666);
  if (fd < 0) return 1;
  yield* libc.lseek(fd, bytes - 1, 0);
  yield* libc.write(fd, yield* libc.malloc(4), 1);
  const segment = yield* libc.mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  yield* libc.close(fd);
  yield* libc.unlink(path);
  if (segment < 0) return 1;
  const buffer = yield* libc.malloc(BUFFER_BYTES);
  const self = yield* libc.getpid();
  const loops = user.scaled(C.aimSharedLoops);
  for (let n = 0; n < loops; n++) {
    const size = TRANSFER_SIZES[user.sizeIndex++ % TRANSFER_SIZES.length];
    for (const [from, to] of [[buffer, segment], [segment, buffer]]) {
      if ((yield* libc.kill(self, 0)) < 0) return 1;
      yield* libc.touch(from, size, ACCESS_READ);
      yield* libc.touch(to, size, ACCESS_WRITE);
      // memcpy: rep movsl, a dword a cycle
      libc.spend(Math.ceil(size / 4) * libc.cpu.p.instruction);
      yield* libc.kill(self, 0);
    }
  }
  yield* libc.munmap(segment, bytes);
  return 0;
}

/** The tests of pipe_test.c, by name. */
export const AIM_IPC_TESTS: ReadonlyMap<string, AimTest> = new Map<string, AimTest>([
  ['pipe_cpy', pipeTest],
  ['stream_pipe', pipeTest],
  ['dgram_pipe', pipeTest],
  ['udp_test', udpTest],
  ['tcp_test', tcpTest],
  ['shared_memory', sharedMemory],
]);
