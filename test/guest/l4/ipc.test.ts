import * as assert from 'node:assert/strict';
import { IPC_ERROR, messageDope, MESSAGE_BUFFER, sendBuffer, stringDopeOffset, timeoutWord, TIMEOUT_POLL, type L4Api, type ThreadId } from '../../../engine/l4/guestApi';
import { DOPE_REDIRECTED, dopeStrings } from '../../../engine/l4/messageDope';
import { encodeUtf8, decodeUtf8 } from '../../../engine/base/text';
import { DATA, L4Test } from './harness';

/** An echo server: replies w0 + 1 and w1 to whoever calls. */
function* echo(l4: L4Api) {
  let r = yield* l4.ipcWait();
  for (;;) r = r.error !== 0 ? yield* l4.ipcWait() : yield* l4.ipcReplyAndWait({ low: r.sourceLow, high: r.sourceHigh }, r.w0 + 1, r.w1);
}

function* header(l4: L4Api, buffer: number, sizeDwords: number, sizeStrings: number, sendDwords: number, sendStrings: number) {
  yield* l4.write32(buffer + MESSAGE_BUFFER.receiveFpage, 0);
  yield* l4.write32(buffer + MESSAGE_BUFFER.sizeDope, messageDope(sizeDwords, sizeStrings));
  yield* l4.write32(buffer + MESSAGE_BUFFER.sendDope, messageDope(sendDwords, sendStrings));
}

function* stringDope(l4: L4Api, buffer: number, dwords: number, index: number, sendSize: number, sendAddress: number, receiveSize: number, receiveAddress: number) {
  const at = buffer + stringDopeOffset(dwords, index);
  yield* l4.write32(at, sendSize);
  yield* l4.write32(at + 4, sendAddress);
  yield* l4.write32(at + 8, receiveSize);
  yield* l4.write32(at + 12, receiveAddress);
}

describe('L4 guest: ipc', () => {
  it('call and reply-and-wait carry two words and the source id', () => {
    const t = new L4Test();
    const server = t.task(5, echo);
    let result: { w0: number; w1: number; source: number; error: number } | null = null;
    const client = t.task(6, function* (l4) {
      const r = yield* l4.ipcCall(server, 41, 0xdead);
      result = { w0: r.w0, w1: r.w1, source: r.sourceLow, error: r.error };
    });
    t.run(() => result !== null);
    assert.deepEqual(result, { w0: 42, w1: 0xdead, source: server.low, error: 0 });
    assert.ok(client.low !== server.low);
  });

  it('a send to a non-existing thread fails with notExistent, before anything changes', () => {
    const t = new L4Test();
    let error = -1;
    t.task(6, function* (l4) {
      error = (yield* l4.ipcCall({ low: (77 << 17) | 1, high: 0 }, 1, 2)).error;
    });
    t.run(() => error >= 0);
    assert.equal(error, IPC_ERROR.notExistent);
  });

  it('timeouts: zero send and receive timeouts fail at once, a finite one after its time, infinite waits', () => {
    const t = new L4Test();
    const results: Record<string, number> = {};
    const sleeper = t.task(5, function* (l4) {
      // never receives: blocks forever in a receive from nobody in particular
      yield* l4.ipcReceive(l4.sigma0);
    });
    t.task(6, function* (l4) {
      results.sendZero = (yield* l4.ipcSend(sleeper, 0, 0, TIMEOUT_POLL)).error;
      results.receiveZero = (yield* l4.ipcReceive(sleeper, TIMEOUT_POLL)).error;
      const before = l4.now();
      results.receiveFinite = (yield* l4.ipcReceive(sleeper, timeoutWord(Infinity, 1000))).error;
      results.waited = (l4.now() - before) / 133;
      results.sendFinite = (yield* l4.ipcSend(sleeper, 0, 0, timeoutWord(200, Infinity))).error;
      results.done = 1;
    });
    t.run(() => results.done === 1);
    assert.equal(results.sendZero, IPC_ERROR.sendTimeout);
    assert.equal(results.receiveZero, IPC_ERROR.receiveTimeout);
    assert.equal(results.receiveFinite, IPC_ERROR.receiveTimeout);
    assert.ok(results.waited >= 1000 && results.waited < 1010, `waited ${results.waited} µs`);
    assert.equal(results.sendFinite, IPC_ERROR.sendTimeout);
    // the infinite receive of the sleeper is still pending
    assert.equal(t.kernel.tasks[5]!.threads[0]!.state, 3);
  });

  it('a sender that arrives first waits until the receiver is ready (polling), then delivers', () => {
    const t = new L4Test();
    let got = -1;
    const receiver = t.task(5, function* (l4) {
      yield* l4.compute(5000); // not yet receiving
      got = (yield* l4.ipcWait()).w0;
    }, { priority: 100 });
    t.task(6, function* (l4) {
      yield* l4.ipcSend(receiver, 7, 0);
    }, { priority: 200 });
    t.run(() => got >= 0);
    assert.equal(got, 7);
  });

  it('lthread_ex_regs cancels an IPC in progress (receiveCancelled)', () => {
    const t = new L4Test();
    let error = -1;
    t.task(5, function* (l4) {
      yield* l4.lthreadExRegs(1, function* (other: L4Api) {
        error = (yield* other.ipcReceive(other.sigma0)).error;
      }, DATA + 0x1000);
      yield* l4.threadSwitch(); // let lthread 1 block
      yield* l4.lthreadExRegs(1, null);
      yield* l4.threadSwitch();
    });
    t.run(() => error >= 0);
    assert.equal(error, IPC_ERROR.receiveCancelled);
  });

  it('long messages copy dwords and indirect strings once, and report the received sizes', () => {
    const t = new L4Test();
    const text = 'The Performance of µ-Kernel-Based Systems';
    let received = '';
    let dope = 0;
    let words: number[] = [];
    const server = t.task(5, function* (l4) {
      const buffer = DATA + 0x10000;
      yield* header(l4, buffer, 6, 1, 0, 0);
      yield* stringDope(l4, buffer, 6, 0, 0, 0, 256, DATA + 0x20000);
      const r = yield* l4.ipcWait(0, { receive: buffer });
      dope = r.dope;
      words = [r.w0, r.w1, yield* l4.read32(buffer + MESSAGE_BUFFER.dwords + 8), yield* l4.read32(buffer + MESSAGE_BUFFER.dwords + 12)];
      const length = yield* l4.read32(buffer + stringDopeOffset(6, 0));
      received = decodeUtf8(yield* l4.read(DATA + 0x20000, length));
      yield* l4.ipcSend({ low: r.sourceLow, high: r.sourceHigh }, 0, 0);
    });
    t.task(6, function* (l4) {
      const buffer = DATA + 0x30000;
      const bytes = encodeUtf8(text);
      yield* l4.write(DATA + 0x40000, bytes);
      yield* header(l4, buffer, 4, 1, 4, 1);
      yield* l4.write32(buffer + MESSAGE_BUFFER.dwords + 8, 0x1111);
      yield* l4.write32(buffer + MESSAGE_BUFFER.dwords + 12, 0x2222);
      yield* stringDope(l4, buffer, 4, 0, bytes.length, DATA + 0x40000, 0, 0);
      yield* l4.ipcCall(server, 0xa, 0xb, 0, { send: sendBuffer(buffer) });
    });
    t.run(() => received !== '');
    assert.equal(received, text);
    assert.deepEqual(words, [0xa, 0xb, 0x1111, 0x2222]);
    assert.equal(dope >>> 13, 4);
    assert.equal(dopeStrings(dope), 1);
  });

  it('a message longer than the receive buffer is cut, with messageCut on both sides', () => {
    const t = new L4Test();
    const errors: number[] = [];
    const server = t.task(5, function* (l4) {
      const buffer = DATA + 0x10000;
      yield* header(l4, buffer, 2, 1, 0, 0);
      yield* stringDope(l4, buffer, 2, 0, 0, 0, 16, DATA + 0x20000);
      const r = yield* l4.ipcWait(0, { receive: buffer });
      errors.push(r.error, yield* l4.read32(buffer + stringDopeOffset(2, 0)));
    });
    t.task(6, function* (l4) {
      const buffer = DATA + 0x30000;
      yield* l4.touch(DATA + 0x40000, 100, true);
      yield* header(l4, buffer, 2, 1, 2, 1);
      yield* stringDope(l4, buffer, 2, 0, 100, DATA + 0x40000, 0, 0);
      errors.push((yield* l4.ipcSend(server, 0, 0, 0, { send: sendBuffer(buffer) })).error);
    });
    t.run(() => errors.length === 3);
    assert.deepEqual(errors.sort(), [16, IPC_ERROR.receiveMessageCut, IPC_ERROR.sendMessageCut].sort());
  });

  it('an unmapped receive buffer is faulted in through the receiver\'s pager; with a zero page-fault timeout the IPC fails instead', () => {
    const t = new L4Test();
    const errors: number[] = [];
    const server = t.task(5, function* (l4) {
      const buffer = DATA + 0x10000;
      yield* header(l4, buffer, 2, 1, 0, 0);
      yield* stringDope(l4, buffer, 2, 0, 0, 0, 4096, DATA + 0x50000); // never touched
      errors.push((yield* l4.ipcWait(0, { receive: buffer })).error);
    });
    t.task(6, function* (l4) {
      const buffer = DATA + 0x30000;
      yield* l4.touch(DATA + 0x40000, 64, true);
      yield* header(l4, buffer, 2, 1, 2, 1);
      yield* stringDope(l4, buffer, 2, 0, 64, DATA + 0x40000, 0, 0);
      errors.push((yield* l4.ipcSend(server, 0, 0, timeoutWord(Infinity, Infinity, 15, 0), { send: sendBuffer(buffer) })).error);
    });
    t.run(() => errors.length === 2);
    assert.deepEqual(errors.sort(), [IPC_ERROR.receiveSendPageFaultTimeout, IPC_ERROR.sendReceivePageFaultTimeout].sort());
  });

  it('with page-fault timeouts left infinite, the receiver\'s pager maps the buffer and the copy completes', () => {
    const t = new L4Test();
    let value = 0;
    const server = t.task(5, function* (l4) {
      const buffer = DATA + 0x10000;
      yield* header(l4, buffer, 2, 1, 0, 0);
      yield* stringDope(l4, buffer, 2, 0, 0, 0, 4096, DATA + 0x50000); // not yet mapped
      yield* l4.ipcWait(0, { receive: buffer });
      value = yield* l4.read32(DATA + 0x50000 + 60);
    });
    t.task(6, function* (l4) {
      const buffer = DATA + 0x30000;
      yield* l4.write32(DATA + 0x40000 + 60, 0xabcd);
      yield* header(l4, buffer, 2, 1, 2, 1);
      yield* stringDope(l4, buffer, 2, 0, 64, DATA + 0x40000, 0, 0);
      yield* l4.ipcSend(server, 0, 0, 0, { send: sendBuffer(buffer) });
    });
    t.run(() => value !== 0);
    assert.equal(value, 0xabcd);
  });

  it('a receiver whose pager cannot resolve its buffer aborts the IPC (aborted on both sides)', () => {
    const t = new L4Test();
    const errors: number[] = [];
    const server = t.task(5, function* (l4) {
      const buffer = DATA + 0x10000;
      yield* header(l4, buffer, 2, 1, 0, 0);
      yield* stringDope(l4, buffer, 2, 0, 0, 0, 4096, DATA + 0x50000);
      yield* l4.lthreadExRegs(0, null, undefined, { low: 0, high: 0 }); // no pager any more
      errors.push((yield* l4.ipcWait(0, { receive: buffer })).error);
    });
    t.task(6, function* (l4) {
      const buffer = DATA + 0x30000;
      yield* l4.touch(DATA + 0x40000, 64, true);
      yield* header(l4, buffer, 2, 1, 2, 1);
      yield* stringDope(l4, buffer, 2, 0, 64, DATA + 0x40000, 0, 0);
      errors.push((yield* l4.ipcSend(server, 0, 0, 0, { send: sendBuffer(buffer) })).error);
    });
    t.run(() => errors.length === 2);
    assert.deepEqual(errors.sort(), [IPC_ERROR.receiveAborted, IPC_ERROR.sendAborted].sort());
  });

  it('clans and chiefs: a message leaving a clan is redirected to the chief; id_nearest says so', () => {
    const t = new L4Test();
    const outsider = t.task(7, echo);
    const seen: Record<string, number> = {};
    t.task(4, function* (chief) {
      const child = yield* chief.taskNew(9, function* (l4: L4Api) {
        const nearest = yield* l4.idNearest(outsider);
        seen.redirected = nearest.redirected ? 1 : 0;
        seen.nearestTask = (nearest.id.low >>> 17) & 0x7ff;
        const r = yield* l4.ipcCall(outsider, 5, 0);
        seen.reply = r.w0;
      }, chief.sigma0, DATA + 0x2000);
      assert.ok(child);
      // the chief receives the child's message, redirected, and forwards it
      // (results are one object per thread: copy what the next IPC would overwrite)
      const m = yield* chief.ipcWait();
      const source = { low: m.sourceLow, high: m.sourceHigh };
      seen.flags = m.dope & DOPE_REDIRECTED;
      seen.from = (m.sourceLow >>> 17) & 0x7ff;
      const forwarded = yield* chief.ipcCall(outsider, m.w0, m.w1);
      yield* chief.ipcSend(source, forwarded.w0, 0);
    });
    t.run(() => seen.reply !== undefined);
    assert.equal(seen.redirected, 1);
    assert.equal(seen.nearestTask, 4);
    assert.equal(seen.flags, DOPE_REDIRECTED);
    assert.equal(seen.from, 9);
    assert.equal(seen.reply, 6);
  });

  it('is deterministic: the same programs end at the same cycle', () => {
    const once = () => {
      const t = new L4Test({ timer: true });
      const server = t.task(5, echo);
      let done = false;
      t.task(6, function* (l4) {
        for (let i = 0; i < 50; i++) yield* l4.ipcCall(server, i, 0);
        yield* l4.touch(DATA, 8192, true);
        done = true;
      });
      t.run(() => done);
      return [t.machine.now, JSON.stringify(t.machine.accounting.breakdown())];
    };
    assert.deepEqual(once(), once());
  });
});

export type { ThreadId };
