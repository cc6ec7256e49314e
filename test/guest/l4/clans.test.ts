import * as assert from 'node:assert/strict';
import { DOPE_DECEITED, DOPE_REDIRECTED, DOPE_SOURCE_INSIDE, type IpcResult, type L4Api, type ThreadId } from '../../../engine/l4/guestApi';
import { DATA, L4Test } from './harness';

/** An echo server: replies w0 + 1 to whoever the message says it came from. */
function* echo(l4: L4Api) {
  let r = yield* l4.ipcWait();
  for (;;) r = r.error !== 0 ? yield* l4.ipcWait() : yield* l4.ipcReplyAndWait({ low: r.sourceLow, high: r.sourceHigh }, r.w0 + 1, r.w1);
}

/** What a receiver saw (IPC results are overwritten by the next IPC: copy them). */
interface Seen {
  flags: number;
  source: number;
  destination: number;
  w0: number;
}

function seen(r: IpcResult): Seen {
  return { flags: r.dope & (DOPE_DECEITED | DOPE_REDIRECTED | DOPE_SOURCE_INSIDE), source: (r.sourceLow >>> 17) & 0x7ff, destination: (r.destinationLow >>> 17) & 0x7ff, w0: r.w0 };
}

/** A chief needs a user stack for deceiting sends: its binding pushes the virtual sender. */
function* withStack(l4: L4Api) {
  yield* l4.userImage(DATA + 0x10100 + 0x1000 * l4.taskNumber, DATA + 0x60000 + 0x1000 * l4.taskNumber);
}

describe('L4 guest: clans, chiefs and deceiting', () => {
  it('a chief sees where a redirected message was going and whether it comes from inside its clan', () => {
    const t = new L4Test();
    const log: Seen[] = [];
    const outsider = t.task(7, function* (l4) {
      const go = yield* l4.ipcWait(); // the chief tells the child's id
      yield* l4.ipcSend({ low: go.w0, high: go.w1 }, 3, 0); // into the clan: through the chief
    });
    t.task(4, function* (chief) {
      const child: ThreadId = (yield* chief.taskNew(9, function* (l4: L4Api) {
        yield* l4.ipcSend(outsider, 1, 0); // out of the clan: through the chief
      }, chief.sigma0, DATA + 0x2000))!;
      log.push(seen(yield* chief.ipcWait()));
      yield* chief.ipcSend(outsider, child.low, child.high);
      log.push(seen(yield* chief.ipcWait()));
    });
    t.run(() => log.length === 2);
    const out = log.find((s) => s.w0 === 1)!;
    const into = log.find((s) => s.w0 === 3)!;
    assert.deepEqual(out, { flags: DOPE_REDIRECTED | DOPE_SOURCE_INSIDE, source: 9, destination: 7, w0: 1 });
    assert.deepEqual(into, { flags: DOPE_REDIRECTED, source: 7, destination: 9, w0: 3 });
  });

  it('a chief forwards both ways deceiting: each side sees the other as the sender (transparent chief)', () => {
    const t = new L4Test();
    const log: Record<string, Seen> = {};
    const outsider = t.task(7, function* (l4) {
      const r = yield* l4.ipcWait();
      log.outsider = seen(r);
      yield* l4.ipcSend({ low: r.sourceLow, high: r.sourceHigh }, r.w0 + 1, 0);
    });
    t.task(4, function* (chief) {
      yield* withStack(chief);
      const child = (yield* chief.taskNew(9, function* (l4: L4Api) {
        log.child = seen(yield* l4.ipcCall(outsider, 10, 0));
      }, chief.sigma0, DATA + 0x2000))!;
      const request = yield* chief.ipcWait();
      log.request = seen(request);
      const intended = { low: request.destinationLow, high: request.destinationHigh };
      yield* chief.ipcSend(intended, request.w0, request.w1, undefined, { virtualSender: child });
      const reply = yield* chief.ipcWait();
      log.reply = seen(reply);
      yield* chief.ipcSend(child, reply.w0, reply.w1, undefined, { virtualSender: outsider });
    });
    t.run(() => log.child !== undefined);
    assert.deepEqual(log.request, { flags: DOPE_REDIRECTED | DOPE_SOURCE_INSIDE, source: 9, destination: 7, w0: 10 });
    assert.deepEqual(log.outsider, { flags: DOPE_DECEITED, source: 9, destination: 0, w0: 10 });
    assert.deepEqual(log.reply, { flags: DOPE_REDIRECTED, source: 7, destination: 9, w0: 11 });
    assert.deepEqual(log.child, { flags: DOPE_DECEITED, source: 7, destination: 0, w0: 11 });
  });

  it('a deceit that does not preserve the direction is ignored: the receiver sees the true sender', () => {
    const t = new L4Test();
    const log: Record<string, Seen> = {};
    const five = t.task(5, function* (l4) {
      log.sibling = seen(yield* l4.ipcWait());
    });
    const six = t.task(6, echo);
    t.task(7, function* (l4) {
      yield* withStack(l4);
      // 7 is not on the way from 6 to 5: it cannot speak for 6
      yield* l4.ipcSend(five, 1, 0, undefined, { virtualSender: six });
    });
    t.task(4, function* (chief) {
      yield* withStack(chief);
      const first = (yield* chief.taskNew(9, function* (l4: L4Api) {
        log.inside = seen(yield* l4.ipcWait());
        log.nobody = seen(yield* l4.ipcWait());
      }, chief.sigma0, DATA + 0x2000))!;
      const second = (yield* chief.taskNew(10, function* (l4: L4Api) {
        yield* l4.ipcWait();
      }, chief.sigma0, DATA + 0x3000))!;
      // a chief cannot speak for one clan member to another: their messages do not pass through it
      yield* chief.ipcSend(first, 2, 0, undefined, { virtualSender: second });
      // nor for a task that does not exist
      yield* chief.ipcSend(first, 3, 0, undefined, { virtualSender: { low: (300 << 17) | 1, high: 0 } });
    });
    t.run(() => log.nobody !== undefined && log.sibling !== undefined);
    assert.deepEqual(log.sibling, { flags: 0, source: 7, destination: 0, w0: 1 });
    assert.deepEqual(log.inside, { flags: 0, source: 4, destination: 0, w0: 2 });
    assert.deepEqual(log.nobody, { flags: 0, source: 4, destination: 0, w0: 3 });
  });

  it('a deceiting send without a user stack is a guest error, not an engine crash', () => {
    const t = new L4Test();
    const target = t.task(5, echo);
    t.task(6, function* (l4) {
      yield* l4.ipcSend(target, 1, 0, undefined, { virtualSender: target });
    });
    assert.doesNotThrow(() => t.run());
    assert.ok(t.kernel.reports.some((line) => /deceiting send needs a user stack/.test(line)), t.kernel.reports.join('\n'));
  });
});
