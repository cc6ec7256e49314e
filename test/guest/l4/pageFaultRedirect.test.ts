import * as assert from 'node:assert/strict';
import { fpage, SEND_SHORT_MAP, type L4Api } from '../../../engine/l4/guestApi';
import { DATA, L4Test } from './harness';

describe('L4 guest: lthread_ex_regs on a thread in its page-fault RPC', () => {
  it('aborts the RPC; the thread runs the new entry, then retries the access (L4Linux signal entry)', () => {
    const t = new L4Test();
    const events: string[] = [];
    const faultAt = 0x20000000;
    const pager = t.task(6, function* (l4) {
      yield* l4.touch(DATA, 4, true);
      const first = yield* l4.ipcWait();
      events.push(`fault ${(first.w0 & ~3).toString(16)}`);
      yield* l4.ipcSend(l4.idOf(5, 1)!, 0, 0); // leave the fault unanswered, tell the faulter's other thread
      const second = yield* l4.ipcWait();
      events.push(`fault ${(second.w0 & ~3).toString(16)}`);
      yield* l4.ipcSend({ low: second.sourceLow, high: second.sourceHigh }, faultAt, fpage(DATA, 12, true), 0, { send: SEND_SHORT_MAP });
    });
    const redirected = function* () {
      events.push('redirected');
    };
    const signalThread = function* (l4: L4Api) {
      yield* l4.ipcReceive(pager);
      yield* l4.lthreadExRegs(0, redirected);
      for (;;) yield* l4.ipcReceive(pager);
    };
    t.task(5, function* (l4) {
      yield* l4.lthreadExRegs(1, signalThread, 0x7000);
      yield* l4.touch(faultAt, 4, true);
      events.push('done');
    }, { pager });
    t.run(() => events.includes('done'));
    assert.deepEqual(events, ['fault 20000000', 'redirected', 'fault 20000000', 'done']);
    assert.deepEqual(t.kernel.reports.filter((line) => line.includes('stopped')), []);
  });
});
