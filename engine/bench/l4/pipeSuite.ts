import type { ResultRecord } from '../records';
import { paperValue } from '../reference';
import { registerSuitePart, type SuiteOptions } from '../suiteRegistry';
import { fpage, messageDope, MESSAGE_BUFFER, receiveWindow, SEND_SHORT_MAP, sendBuffer, stringDopeOffset, UNMAP_FLUSH, type L4Api, type ThreadId } from '../../l4/guestApi';
import { breakdownPerOperation, cyclesPerOperation, L4BenchSystem, type Measurement } from './l4System';

/*
 * SOSP'97 Table 4, rows (2)-(4), on bare L4, measured the way lmbench does: latency is a
 * 1-byte round trip, bandwidth about 50 MB in 64 KB blocks. Buffers are virtual = physical
 * (sigma0 maps idempotently), so their L2 colours are chosen by address: "best" puts source
 * and destination in different halves of the 256 KB direct-mapped L2, "worst" on the same
 * lines (SOSP'97 §6.1).
 */
const BLOCK = 64 * 1024;
/**
 * The pipe server's buffer: one page, as Linux's pipe has (PIPE_BUF = 4096: a POSIX pipe must
 * take a 4 KB write atomically). It fits one way of the 2-way L1, so between the copy in (from
 * the writer) and the copy out (to the reader) it stays in L1: L4's pre-read of each destination
 * line refreshes it before the other buffer's fill picks a victim. A 64 KB buffer would save 15
 * of the 16 server round trips per lmbench block but make both copies L2-to-L2.
 */
const PIPE_BUFFER = 4096;
const L2_BYTES = 256 * 1024;
/** Buffer areas (virtual = physical, all above sigma0's 8 MB base). */
const SOURCE = 0x01000000;
const MESSAGE_AREA = 0x01800000;
const CODE = 0x00c00000;

/**
 * Each task's binding code (and stacks in the pages above it): a page per task, as sigma0 gives a
 * page to one task only; the code sits inside the page at a per-task offset, not at offset 0
 * where every task would share I-cache set 0 with the kernel's trap entry by construction.
 */
function codeOf(l4: L4Api): number {
  return CODE + l4.taskNumber * 0x10000 + 0x500 + 0x80 * (l4.taskNumber % 8);
}

/**
 * Top of the stack of lthread `lthread` of a task: in page `page` above the task's code page, at
 * the code's in-page offset plus a line per lthread. Stacks at page boundaries would put every
 * thread's binding stack slot (the return address at top − 8) into the same L1 set by
 * construction, and six threads thrash a 2-way set; real thread stacks are arrays or heap blocks
 * at unrelated offsets.
 */
function stackOf(l4: L4Api, page: number, lthread = 0): number {
  return (codeOf(l4) & ~0xfff) + page * 0x1000 + (codeOf(l4) & 0xfff) + 0x20 * lthread;
}

/** Destination for the best and worst cases. */
function destination(base: number, worst: boolean, slot: number): number {
  return base + (worst ? 0 : (slot * BLOCK) % L2_BYTES);
}

interface Pipe {
  /** Writer → pipe server thread (receives data). */
  readonly writerSide: ThreadId;
  /** Reader → buffering thread (hands data out). */
  readonly readerSide: ThreadId;
}

/** Writes a message buffer header with one string dope at `buffer` (in the caller's space). */
function* messageBuffer(l4: L4Api, buffer: number, sendStrings: number, size: number, address: number, receiveSize: number, receiveAddress: number): Generator<void, void, void> {
  yield* l4.write32(buffer + MESSAGE_BUFFER.receiveFpage, 0);
  yield* l4.write32(buffer + MESSAGE_BUFFER.sizeDope, messageDope(2, 1));
  yield* l4.write32(buffer + MESSAGE_BUFFER.sendDope, messageDope(2, sendStrings));
  const dope = buffer + stringDopeOffset(2, 0);
  yield* l4.write32(dope, size);
  yield* l4.write32(dope + 4, address);
  yield* l4.write32(dope + 8, receiveSize);
  yield* l4.write32(dope + 12, receiveAddress);
}

/**
 * The L4 pipe server (row 2): lthread 0 receives writes into the pipe buffer and hands each
 * filled buffer to lthread 1, the buffering thread, by a call; the buffering thread delivers it
 * to the next reader (L4 IPC is synchronous, so a separate thread does the cross-space transfer
 * to the reader) and answers the call when the buffer is free again. Each thread combines its
 * reply with its next receive (call, reply-and-wait). Writes of ≤ 8 bytes travel in the two
 * register words.
 */
function pipeServer(pipeBuffer: number, messageBase: number) {
  return function* (l4: L4Api) {
    const me = l4.myself;
    yield* l4.userImage(codeOf(l4), stackOf(l4, 6));
    const receiveBuffer = messageBase;
    const sendBuffer_ = messageBase + 0x100;
    const buffering = function* (b: L4Api) {
      yield* b.userImage(codeOf(b), stackOf(b, 7, 1));
      yield* messageBuffer(b, sendBuffer_, 1, 0, pipeBuffer, 0, 0);
      let filled = yield* b.ipcReceive(me);
      for (;;) {
        const length = filled.w0;
        const short = filled.w1;
        const request = yield* b.ipcWait();
        const reader = { low: request.sourceLow, high: request.sourceHigh };
        if (length <= 8) {
          yield* b.ipcSend(reader, length, short);
        } else {
          yield* b.write32(sendBuffer_ + stringDopeOffset(2, 0), length);
          yield* b.ipcSend(reader, length, 0, 0, { send: sendBuffer(sendBuffer_) });
        }
        // the buffer is free: answer the server thread and wait for the next one
        filled = yield* b.ipcCall(me, 0, 0);
      }
    };
    yield* l4.lthreadExRegs(1, buffering, stackOf(l4, 7, 1));
    const bufferingId = l4.idOf(l4.taskNumber, 1)!;
    yield* messageBuffer(l4, receiveBuffer, 0, 0, 0, PIPE_BUFFER, pipeBuffer);
    yield* l4.touch(pipeBuffer, PIPE_BUFFER, true);
    let write = yield* l4.ipcWait(0, { receive: receiveBuffer });
    for (;;) {
      const writer = { low: write.sourceLow, high: write.sourceHigh };
      const strings = (write.dope >>> 8) & 0x1f;
      const length = strings > 0 ? yield* l4.read32(receiveBuffer + stringDopeOffset(2, 0)) : write.w0;
      // hand the buffer to the buffering thread, then acknowledge the writer and wait
      yield* l4.ipcCall(bufferingId, length, write.w1);
      write = yield* l4.ipcReplyAndWait(writer, length, 0, 0, { receive: receiveBuffer });
    }
  };
}

/** pipe write: short for ≤ 8 bytes, else one string from `data`. */
function* pipeWrite(l4: L4Api, pipe: Pipe, buffer: number, length: number, byte: number): Generator<void, void, void> {
  if (length <= 8) {
    yield* l4.ipcCall(pipe.writerSide, length, byte);
    return;
  }
  yield* l4.ipcCall(pipe.writerSide, length, 0, 0, { send: sendBuffer(buffer) });
}

/** pipe read: returns the first word (the byte of a short message). */
function* pipeRead(l4: L4Api, pipe: Pipe, buffer: number, long: boolean): Generator<void, number, void> {
  const r = yield* l4.ipcCall(pipe.readerSide, 0, 0, 0, long ? { receive: buffer } : {});
  return r.w1;
}

function record(benchmark: string, unit: 'us' | 'MB/s', value: number, m: Measurement): ResultRecord {
  return { suite: 'pipe', system: 'l4', benchmark, unit, value: Math.round(value * 100) / 100, paper: paperValue('l4', benchmark), breakdown: breakdownPerOperation(m), iterations: m.operations };
}

function microseconds(system: L4BenchSystem, cycles: number): number {
  return system.machine.cyclesToMicroseconds(cycles);
}

function megabytesPerSecond(system: L4BenchSystem, bytesPerOperation: number, cycles: number): number {
  return bytesPerOperation / microseconds(system, cycles);
}

/** Row (2), latency: lat_pipe between two tasks through two L4 pipe servers. */
function pipeLatency(options: SuiteOptions): ResultRecord {
  const system = new L4BenchSystem(options.machine, { parameters: options.kernels?.l4 });
  const rounds = options.mode === 'full' ? 10000 : 300;
  const p1 = system.task(10, pipeServer(0x02000000, MESSAGE_AREA));
  const p2 = system.task(11, pipeServer(0x02100000, MESSAGE_AREA + 0x1000));
  const pipe1: Pipe = { writerSide: p1, readerSide: { low: p1.low | (1 << 10), high: p1.high } };
  const pipe2: Pipe = { writerSide: p2, readerSide: { low: p2.low | (1 << 10), high: p2.high } };
  system.task(20, function* (l4) {
    yield* l4.userImage(codeOf(l4), stackOf(l4, 2));
    for (;;) {
      const byte = yield* pipeRead(l4, pipe1, 0, false);
      yield* pipeWrite(l4, pipe2, 0, 1, byte);
    }
  });
  system.task(21, function* (l4) {
    yield* l4.userImage(codeOf(l4), stackOf(l4, 2));
    for (let i = 0; i < rounds + 20; i++) {
      if (i === 20) system.begin();
      yield* pipeWrite(l4, pipe1, 0, 1, i & 0xff);
      yield* pipeRead(l4, pipe2, 0, false);
    }
    system.end(rounds);
  });
  const m = system.run();
  return record('pipe.latency', 'us', microseconds(system, cyclesPerOperation(m)), m);
}

/**
 * Row (2), bandwidth: lmbench writes 64 KB blocks; the pipe library moves them through the
 * server in chunks of the pipe buffer, {@link PIPE_BUFFER} bytes, and the reader reads them in
 * the same chunks.
 */
function pipeBandwidth(options: SuiteOptions, worst: boolean): ResultRecord {
  const system = new L4BenchSystem(options.machine, { parameters: options.kernels?.l4 });
  const blocks = options.mode === 'full' ? 800 : 16;
  const source = SOURCE;
  // the server's own buffer lies apart from both user buffers in either case: the worst case
  // is the writer's source conflicting with the reader's destination (SOSP'97 §6.1), which the
  // pipe server neither knows nor changes
  const pipeBuffer = 0x02000000 + BLOCK;
  const target = destination(0x03000000, worst, 2);
  const pipe1 = system.task(10, pipeServer(pipeBuffer, MESSAGE_AREA));
  const pipe: Pipe = { writerSide: pipe1, readerSide: { low: pipe1.low | (1 << 10), high: pipe1.high } };
  system.task(20, function* (l4) {
    yield* l4.userImage(codeOf(l4), stackOf(l4, 2));
    const buffer = MESSAGE_AREA + 0x4000;
    yield* messageBuffer(l4, buffer, 0, 0, 0, PIPE_BUFFER, target);
    yield* l4.touch(target, BLOCK, true);
    for (;;) {
      for (let offset = 0; offset < BLOCK; offset += PIPE_BUFFER) {
        yield* l4.write32(buffer + stringDopeOffset(2, 0) + 12, target + offset);
        yield* pipeRead(l4, pipe, buffer, true);
      }
    }
  });
  system.task(21, function* (l4) {
    yield* l4.userImage(codeOf(l4), stackOf(l4, 2));
    const buffer = MESSAGE_AREA + 0x8000;
    yield* messageBuffer(l4, buffer, 1, PIPE_BUFFER, source, 0, 0);
    yield* l4.touch(source, BLOCK, true);
    for (let i = 0; i < blocks + 2; i++) {
      if (i === 2) system.begin();
      for (let offset = 0; offset < BLOCK; offset += PIPE_BUFFER) {
        yield* l4.write32(buffer + stringDopeOffset(2, 0) + 4, source + offset);
        yield* pipeWrite(l4, pipe, buffer, PIPE_BUFFER, 0);
      }
    }
    // the last chunk is in the pipe: a 1-byte write returns once the reader has taken it
    yield* pipeWrite(l4, pipe, buffer, 1, 0);
    system.end(blocks);
  });
  const m = system.run();
  return record(worst ? 'pipe.bandwidth.worst' : 'pipe.bandwidth.best', 'MB/s', megabytesPerSecond(system, BLOCK, cyclesPerOperation(m)), m);
}

/** Row (3): synchronous RPC, short for latency, a 64 KB string per call for bandwidth. */
function rpc(options: SuiteOptions, bytes: number, worst: boolean): ResultRecord {
  const system = new L4BenchSystem(options.machine, { parameters: options.kernels?.l4 });
  const long = bytes > 8;
  const operations = long ? (options.mode === 'full' ? 800 : 24) : options.mode === 'full' ? 10000 : 500;
  const target = destination(0x02000000, worst, 2);
  const server = system.task(10, function* (l4) {
    yield* l4.userImage(codeOf(l4), stackOf(l4, 2));
    const buffer = MESSAGE_AREA;
    if (long) {
      yield* messageBuffer(l4, buffer, 0, 0, 0, BLOCK, target);
      yield* l4.touch(target, BLOCK, true);
    }
    let request = yield* l4.ipcWait(0, long ? { receive: buffer } : {});
    for (;;) request = yield* l4.ipcReplyAndWait({ low: request.sourceLow, high: request.sourceHigh }, request.w0, 0, 0, long ? { receive: buffer } : {});
  });
  system.task(20, function* (l4) {
    yield* l4.userImage(codeOf(l4), stackOf(l4, 2));
    const buffer = MESSAGE_AREA + 0x1000;
    if (long) {
      yield* messageBuffer(l4, buffer, 1, bytes, SOURCE, 0, 0);
      yield* l4.touch(SOURCE, bytes, true);
    }
    for (let i = 0; i < operations + 4; i++) {
      if (i === 4) system.begin();
      yield* l4.ipcCall(server, i, 0, 0, long ? { send: sendBuffer(buffer) } : {});
    }
    system.end(operations);
  });
  const m = system.run();
  if (!long) return record('rpc.latency', 'us', microseconds(system, cyclesPerOperation(m)), m);
  return record(worst ? 'rpc.bandwidth.worst' : 'rpc.bandwidth.best', 'MB/s', megabytesPerSecond(system, bytes, cyclesPerOperation(m)), m);
}

/**
 * Row (4): the client maps `bytes` (one page, or an aligned 64 KB region) into the server's
 * receive window by a call, the server replies, and the client unmaps the region again.
 */
function mapRpc(options: SuiteOptions, bytes: number, worst: boolean): ResultRecord {
  const system = new L4BenchSystem(options.machine, { parameters: options.kernels?.l4 });
  const operations = options.mode === 'full' ? (bytes > 4096 ? 800 : 10000) : bytes > 4096 ? 100 : 300;
  const size = Math.log2(bytes);
  const source = destination(SOURCE, worst, 0);
  const window = destination(0x02000000, worst, 1);
  const server = system.task(10, function* (l4) {
    yield* l4.userImage(codeOf(l4), stackOf(l4, 2));
    const receive = receiveWindow(window, size);
    let request = yield* l4.ipcWait(0, { receive });
    for (;;) request = yield* l4.ipcReplyAndWait({ low: request.sourceLow, high: request.sourceHigh }, request.w0, 0, 0, { receive });
  });
  system.task(20, function* (l4) {
    yield* l4.userImage(codeOf(l4), stackOf(l4, 2));
    yield* l4.touch(source, bytes, true);
    const item = fpage(source, size, true);
    for (let i = 0; i < operations + 4; i++) {
      if (i === 4) system.begin();
      yield* l4.ipcCall(server, source, item, 0, { send: SEND_SHORT_MAP });
      yield* l4.fpageUnmap(item, UNMAP_FLUSH);
    }
    system.end(operations);
  });
  const m = system.run();
  if (bytes <= 4096) return record('map-rpc.latency', 'us', microseconds(system, cyclesPerOperation(m)), m);
  return record(worst ? 'map-rpc.bandwidth.worst' : 'map-rpc.bandwidth.best', 'MB/s', megabytesPerSecond(system, bytes, cyclesPerOperation(m)), m);
}

registerSuitePart({
  suite: 'pipe',
  title: 'Pipe and RPC performance (SOSP\'97 Table 4)',
  systems: ['l4'],
  run(_system, options) {
    const steps: Array<[string, () => ResultRecord]> = [
      ['pipe latency', () => pipeLatency(options)],
      ['pipe bandwidth (best)', () => pipeBandwidth(options, false)],
      ['pipe bandwidth (worst)', () => pipeBandwidth(options, true)],
      ['rpc latency', () => rpc(options, 1, false)],
      ['rpc bandwidth (best)', () => rpc(options, BLOCK, false)],
      ['rpc bandwidth (worst)', () => rpc(options, BLOCK, true)],
      ['map-rpc latency', () => mapRpc(options, 4096, false)],
      ['map-rpc bandwidth (best)', () => mapRpc(options, BLOCK, false)],
      ['map-rpc bandwidth (worst)', () => mapRpc(options, BLOCK, true)],
    ];
    const results: ResultRecord[] = [];
    steps.forEach(([label, run], index) => {
      if (options.cancelled?.()) return;
      options.progress?.(index / steps.length, label);
      results.push(run());
    });
    return results;
  },
});
