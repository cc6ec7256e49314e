import * as assert from 'node:assert/strict';
import { fpage, IPC_ERROR, receiveWindow, SEND_SHORT_MAP, UNMAP_FLUSH } from '../../../engine/l4/guestApi';
import { DOPE_FPAGE_RECEIVED } from '../../../engine/l4/messageDope';
import { SIGMA0_ANY_PAGE } from '../../../engine/l4/sigma0';
import { DATA, L4Test } from './harness';

const taskOfId = (low: number) => (low >>> 17) & 0x7ff;

describe('L4 guest: page faults, mapping, sigma0', () => {
  it('a page fault becomes an IPC to a user-level pager, whose map reply resolves it and restarts the access', () => {
    const t = new L4Test();
    const faults: Array<{ address: number; write: boolean; eip: number }> = [];
    let pagerView = 0;
    let clientRead = 0;
    const pager = t.task(5, function* (l4) {
      yield* l4.touch(DATA, 4096, true); // the pager's own page, from sigma0
      let r = yield* l4.ipcWait();
      while (r.w0 !== 0) {
        faults.push({ address: r.w0 & ~3, write: (r.w0 & 2) !== 0, eip: r.w1 });
        r = yield* l4.ipcReplyAndWait({ low: r.sourceLow, high: r.sourceHigh }, r.w0, fpage(DATA, 12, true), 0, { send: SEND_SHORT_MAP });
      }
      pagerView = yield* l4.read32(DATA + 0x10);
    });
    t.task(6, function* (l4) {
      yield* l4.write32(0x40000010, 0xfeed);
      clientRead = yield* l4.read32(0x40000010);
      yield* l4.ipcSend(pager, 0, 0); // let the pager look at the shared page
    }, { pager });
    t.run(() => pagerView !== 0);
    assert.equal(faults.length, 1);
    assert.equal(faults[0].address, 0x40000010);
    assert.equal(faults[0].write, true);
    assert.ok(faults[0].eip >= 0x1000, 'the EIP of the faulting thread');
    assert.equal(clientRead, 0xfeed);
    assert.equal(pagerView, 0xfeed, 'the client writes into the pager\'s frame');
  });

  it('A grants to B, B maps to C; the space A got it from unmaps: B and C lose it', () => {
    const t = new L4Test();
    const done: Record<string, number> = {};
    const x = t.task(5, function* (l4) {
      yield* l4.write32(DATA, 0x1234);
      let r = yield* l4.ipcWait();
      for (;;) {
        const client = { low: r.sourceLow, high: r.sourceHigh };
        if (taskOfId(r.sourceLow) === 6) {
          r = yield* l4.ipcReplyAndWait(client, r.w0, fpage(DATA, 12, true), 0, { send: SEND_SHORT_MAP });
        } else {
          yield* l4.fpageUnmap(fpage(DATA, 12), UNMAP_FLUSH);
          r = yield* l4.ipcReplyAndWait(client, 0, 0);
        }
      }
    });
    const b = t.task(7, function* (l4) {
      const got = yield* l4.ipcWait(0, { receive: receiveWindow(0x30000000, 12) });
      done.bFlags = got.dope & DOPE_FPAGE_RECEIVED;
      const a = { low: got.sourceLow, high: got.sourceHigh };
      yield* l4.ipcSend(a, 0, 0);
      done.bRead = yield* l4.read32(0x30000000);
      yield* l4.ipcCall(l4.idOf(8)!, 0x30000000, fpage(0x30000000, 12, false), 0, { send: SEND_SHORT_MAP });
    });
    t.task(8, function* (l4) {
      const got = yield* l4.ipcWait(0, { receive: receiveWindow(0x40000000, 12) });
      const from = { low: got.sourceLow, high: got.sourceHigh };
      done.cRead = yield* l4.read32(0x40000000);
      yield* l4.ipcSend(from, 0, 0);
      yield* l4.ipcCall(x, 0, 0); // ask X to unmap
      done.finished = 1;
    });
    t.task(6, function* (l4) {
      yield* l4.read32(0x20000000); // fault: X maps its page
      yield* l4.ipcCall(b, 0x20000000, fpage(0x20000000, 12, true, true), 0, { send: SEND_SHORT_MAP });
      done.aStillHas = t.kernel.tasks[6]!.isMapped(0x20000000) ? 1 : 0;
    }, { pager: x });
    t.run(() => done.finished === 1);
    assert.equal(done.bFlags, DOPE_FPAGE_RECEIVED);
    assert.equal(done.bRead, 0x1234);
    assert.equal(done.cRead, 0x1234);
    assert.equal(done.aStillHas, 0, 'a grant moves the page');
    assert.equal(t.kernel.tasks[7]!.isMapped(0x30000000), false);
    assert.equal(t.kernel.tasks[8]!.isMapped(0x40000000), false, 'C lost it');
    assert.equal(t.kernel.tasks[5]!.isMapped(DATA), true, 'the unmapper keeps its own page');
  });

  it('sigma0 maps pages idempotently, hands out free pages, and refuses pages another task owns', () => {
    const t = new L4Test();
    const seen: Record<string, number> = {};
    t.task(5, function* (l4) {
      yield* l4.touch(DATA, 4, true);
      seen.first = 1;
    });
    t.task(6, function* (l4) {
      while (seen.first !== 1) yield* l4.threadSwitch();
      const any = yield* l4.ipcCall(l4.sigma0, SIGMA0_ANY_PAGE, 0, 0, { receive: receiveWindow(0, 32) });
      seen.anyFlags = any.dope & DOPE_FPAGE_RECEIVED;
      seen.anyAddress = any.w0;
      const refused = yield* l4.ipcCall(l4.sigma0, DATA, 0, 0, { receive: receiveWindow(0, 32) });
      seen.refusedFlags = refused.dope & DOPE_FPAGE_RECEIVED;
      seen.done = 1;
    });
    t.run(() => seen.done === 1);
    assert.equal(seen.anyFlags, DOPE_FPAGE_RECEIVED);
    assert.equal(t.kernel.tasks[6]!.readPte(seen.anyAddress) >>> 12, seen.anyAddress >>> 12, 'virtual = physical');
    assert.equal(seen.refusedFlags, 0, 'DATA belongs to task 5');
    assert.equal(t.kernel.tasks[5]!.readPte(DATA) >>> 12, DATA >>> 12);
  });

  it('a page table the kernel allocates for a mapping is cleared, and the clear is charged', () => {
    const firstFault = (pageTableClearCycles?: number): number => {
      const t = new L4Test(pageTableClearCycles === undefined ? {} : { parameters: { pageTableClearCycles } });
      let cycles = -1;
      t.task(5, function* (l4) {
        const before = t.machine.now;
        yield* l4.touch(0x00c00000, 4, true); // a 4 MB region the task has no table for yet
        cycles = t.machine.now - before;
      });
      t.run(() => cycles >= 0);
      assert.equal(t.kernel.tasks[5]!.readPte(0x00c01000), 0, 'the new table holds nothing else');
      return cycles;
    };
    // the one table's REP STOSD over 1024 entries (the rest of the fault shifts by a few cycles of DRAM timing)
    assert.ok(Math.abs(firstFault() - firstFault(0) - 1024) < 32);
  });

  it('fpage_unmap with a zero-sized (invalid) fpage changes nothing', () => {
    const t = new L4Test();
    let ok = false;
    t.task(5, function* (l4) {
      yield* l4.touch(DATA, 4, true);
      yield* l4.fpageUnmap(fpage(DATA, 4), UNMAP_FLUSH);
      ok = t.kernel.tasks[5]!.isMapped(DATA);
    });
    t.run(() => ok);
    assert.ok(ok);
  });

  it('a map item without a receive window fails with mapFailed on both sides', () => {
    const t = new L4Test();
    const errors: number[] = [];
    const server = t.task(5, function* (l4) {
      const r = yield* l4.ipcWait();
      errors.push(r.error);
    });
    t.task(6, function* (l4) {
      yield* l4.touch(DATA, 4, true);
      errors.push((yield* l4.ipcSend(server, DATA, fpage(DATA, 12), 0, { send: SEND_SHORT_MAP })).error);
    });
    t.run(() => errors.length === 2);
    assert.deepEqual(errors.sort(), [IPC_ERROR.receiveMapFailed, IPC_ERROR.sendMapFailed].sort());
  });
});
