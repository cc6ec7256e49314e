import * as assert from 'node:assert/strict';
import { ioFpage, receiveWindow, SEND_SHORT_MAP, UNMAP_FLUSH, type L4Api, type ThreadId } from '../../../engine/l4/guestApi';
import { DOPE_FPAGE_RECEIVED } from '../../../engine/l4/messageDope';
import { SIGMA0_IO_REQUEST } from '../../../engine/l4/sigma0';
import { DATA, L4Test } from './harness';

/** The receive descriptor that accepts any mapping (the whole space, I/O ports included). */
const WHOLE_SPACE = receiveWindow(0, 32);

/** Asks sigma0 for the ports of `word`; returns whether an fpage came back. */
function* requestPorts(l4: L4Api, word: number): Generator<void, boolean, void> {
  const reply = yield* l4.ipcCall(l4.sigma0, word, SIGMA0_IO_REQUEST, 0, { receive: WHOLE_SPACE });
  return reply.error === 0 && (reply.dope & DOPE_FPAGE_RECEIVED) !== 0;
}

/** Records #GP frames in `vectors` (IN/OUT without permission). */
function* recordFaults(l4: L4Api, vectors: number[]): Generator<void, void, void> {
  yield* l4.setExceptionHandler(function* (frame) {
    vectors.push(frame.vector);
  });
}

describe('L4 guest: I/O fpages', () => {
  it('ports from sigma0 become accessible; ports not held raise #GP to the thread\'s handler', () => {
    const t = new L4Test();
    const seen: Record<string, unknown> = {};
    const vectors: number[] = [];
    t.task(5, function* (l4) {
      yield* recordFaults(l4, vectors);
      seen.before = yield* l4.portIn(0x60);
      seen.got = yield* requestPorts(l4, ioFpage(0x60, 3));
      seen.inside = yield* l4.portIn(0x67);
      seen.word = yield* l4.portIn(0x64, 4);
      seen.out = yield* l4.portOut(0x61, 0x12);
      seen.outside = yield* l4.portIn(0x68);
      seen.straddle = yield* l4.portIn(0x66, 4);
    });
    t.run(() => seen.straddle !== undefined);
    assert.equal(seen.before, null);
    assert.equal(seen.got, true);
    assert.equal(seen.inside, 0xff, 'an unpopulated ISA port reads all ones');
    assert.equal(seen.word, 0xffffffff);
    assert.equal(seen.out, true);
    assert.equal(seen.outside, null);
    assert.equal(seen.straddle, null, 'a 4-byte access needs all four ports');
    assert.deepEqual(vectors, [13, 13, 13]);
  });

  it('sigma0 gives a port to one task only', () => {
    const t = new L4Test();
    const seen: Record<string, boolean> = {};
    t.task(5, function* (l4) {
      seen.first = yield* requestPorts(l4, ioFpage(0x3f8, 3));
      yield* l4.ipcSend(l4.idOf(6)!, 0, 0);
    });
    t.task(6, function* (l4) {
      yield* l4.ipcWait();
      seen.other = yield* requestPorts(l4, ioFpage(0x3f8, 0));
      seen.disjoint = yield* requestPorts(l4, ioFpage(0x2f8, 3));
    });
    t.run(() => seen.disjoint !== undefined);
    assert.deepEqual(seen, { first: true, other: false, disjoint: true });
  });

  it('A maps ports to B through an I/O receive window, B maps them to C; A unmaps: B and C lose them', () => {
    const t = new L4Test();
    const seen: Record<string, unknown> = {};
    const vectors: number[] = [];
    const ports = ioFpage(0x300, 4);
    let c: ThreadId = { low: 0, high: 0 };
    const a = t.task(5, function* (l4) {
      yield* requestPorts(l4, ports);
      let r = yield* l4.ipcWait();
      // first request (from B): map the ports; second: unmap them everywhere below A
      r = yield* l4.ipcReplyAndWait({ low: r.sourceLow, high: r.sourceHigh }, 0, ports, 0, { send: SEND_SHORT_MAP });
      yield* l4.fpageUnmap(ports, UNMAP_FLUSH);
      seen.aStill = yield* l4.portIn(0x300);
      yield* l4.ipcReplyAndWait({ low: r.sourceLow, high: r.sourceHigh }, 0, 0);
    });
    const b = t.task(6, function* (l4) {
      yield* recordFaults(l4, vectors);
      const got = yield* l4.ipcCall(a, 0, 0, 0, { receive: (ioFpage(0x300, 8) | 2) >>> 0 });
      seen.bReceived = (got.dope & DOPE_FPAGE_RECEIVED) !== 0;
      seen.bBefore = yield* l4.portIn(0x30f);
      const request = yield* l4.ipcWait();
      yield* l4.ipcReplyAndWait({ low: request.sourceLow, high: request.sourceHigh }, 0, ioFpage(0x300, 2), 0, { send: SEND_SHORT_MAP });
    });
    c = t.task(7, function* (l4) {
      yield* recordFaults(l4, vectors);
      yield* l4.ipcCall(b, 0, 0, 0, { receive: WHOLE_SPACE });
      seen.cBefore = yield* l4.portIn(0x303);
      seen.cBeyond = yield* l4.portIn(0x304);
      yield* l4.ipcCall(a, 0, 0); // A unmaps, then answers
      seen.cAfter = yield* l4.portIn(0x303);
      yield* l4.ipcSend(b, 0, 0);
    });
    t.run(() => seen.cAfter !== undefined);
    assert.ok(c.low !== 0);
    assert.equal(seen.bReceived, true);
    assert.equal(seen.bBefore, 0xff);
    assert.equal(seen.cBefore, 0xff, 'C got ports 0x300-0x303 from B');
    assert.equal(seen.cBeyond, null, 'B mapped only 4 ports');
    assert.equal(seen.aStill, 0xff, 'a flush keeps the unmapper\'s own ports');
    assert.equal(seen.cAfter, null, 'derived indirectly from A: gone');
    assert.deepEqual(vectors, [13, 13]);
  });

  it('a granted port moves: the granter loses it, the receiver has it', () => {
    const t = new L4Test();
    const seen: Record<string, unknown> = {};
    const vectors: number[] = [];
    const a = t.task(5, function* (l4) {
      yield* recordFaults(l4, vectors);
      yield* requestPorts(l4, ioFpage(0x70, 1));
      const r = yield* l4.ipcWait();
      yield* l4.ipcSend({ low: r.sourceLow, high: r.sourceHigh }, 0, (ioFpage(0x70, 1) | 1) >>> 0, 0, { send: SEND_SHORT_MAP });
      seen.granter = yield* l4.portIn(0x70);
    });
    t.task(6, function* (l4) {
      const got = yield* l4.ipcCall(a, 0, 0, 0, { receive: WHOLE_SPACE });
      seen.received = (got.dope & DOPE_FPAGE_RECEIVED) !== 0;
      seen.receiver = yield* l4.portIn(0x71);
    });
    t.run(() => seen.granter !== undefined && seen.receiver !== undefined);
    assert.equal(seen.received, true);
    assert.equal(seen.receiver, 0xff);
    assert.equal(seen.granter, null);
    assert.deepEqual(vectors, [13]);
  });

  it('an I/O map item to a memory-only receive window maps nothing', () => {
    const t = new L4Test();
    const seen: Record<string, unknown> = {};
    const a = t.task(5, function* (l4) {
      yield* requestPorts(l4, ioFpage(0x80, 2));
      const r = yield* l4.ipcWait();
      yield* l4.ipcReplyAndWait({ low: r.sourceLow, high: r.sourceHigh }, 0, ioFpage(0x80, 2), 0, { send: SEND_SHORT_MAP });
    });
    t.task(6, function* (l4) {
      yield* recordFaults(l4, []);
      const r = yield* l4.ipcCall(a, 0, 0, 0, { receive: receiveWindow(DATA, 12) });
      seen.error = r.error;
      seen.port = yield* l4.portIn(0x80);
    });
    t.run(() => seen.port !== undefined);
    assert.equal(seen.error, 0);
    assert.equal(seen.port, null);
  });
});

describe('L4 guest: maximum controlled priority', () => {
  it('thread_schedule needs target priority ≤ the caller\'s mcp and lowers a new priority to it', () => {
    const t = new L4Test();
    const seen: Record<string, number> = {};
    t.task(4, function* (l4) {
      const child = yield* l4.taskNew(12, function* (c: L4Api) {
        seen.ownAt128 = yield* c.threadSchedule(c.myself, 0xffffffff);
        seen.lower = yield* c.threadSchedule(c.myself, 60);
        yield* c.ipcCall(c.idOf(4)!, 0, 0); // the root lowers us to 50
        seen.afterRoot = (yield* c.threadSchedule(c.myself, 0xffffffff)) & 0xff;
        yield* c.threadSchedule(c.myself, 200);
        seen.raised = (yield* c.threadSchedule(c.myself, 0xffffffff)) & 0xff;
        seen.rootFromChild = yield* c.threadSchedule(c.idOf(4)!, 0xffffffff);
      }, l4.sigma0, DATA, 1, 100);
      seen.created = child === null ? 0 : 1;
      const r = yield* l4.ipcWait();
      yield* l4.threadSchedule(child!, 50);
      yield* l4.ipcReplyAndWait({ low: r.sourceLow, high: r.sourceHigh }, 0, 0);
    });
    t.run(() => seen.rootFromChild !== undefined);
    assert.equal(seen.created, 1);
    assert.equal(seen.ownAt128, 0xffffffff, 'priority 128 > mcp 100: not even readable');
    assert.equal(seen.lower, 0xffffffff, 'nor changeable');
    assert.equal(seen.afterRoot, 50);
    assert.equal(seen.raised, 100, 'raised only up to the mcp');
    assert.equal(seen.rootFromChild, 0xffffffff);
  });

  it('task_new gives at most the creator\'s own mcp', () => {
    const t = new L4Test();
    const seen: Record<string, number> = {};
    t.task(4, function* (l4) {
      yield* l4.taskNew(12, function* (c: L4Api) {
        yield* c.taskNew(13, function* (g: L4Api) {
          seen.grandchildOwn = yield* g.threadSchedule(g.myself, 0xffffffff);
        }, c.sigma0, DATA + 0x1000, 1, 255);
      }, l4.sigma0, DATA, 1, 40);
    });
    t.run(() => seen.grandchildOwn !== undefined);
    assert.equal(t.kernel.tasks[12]?.mcp, 40);
    assert.equal(t.kernel.tasks[13]?.mcp, 40, 'asked for 255, got its creator\'s 40');
    assert.equal(seen.grandchildOwn, 0xffffffff, 'its priority 128 is above its mcp');
  });
});
