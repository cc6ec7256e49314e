import * as assert from 'node:assert/strict';
import { fpage, interruptId, IPC_ERROR, messageDope, MESSAGE_BUFFER, receiveWindow, sendBuffer, TIMEOUT_POLL, UNMAP_ALL_SPACES, type L4Api } from '../../../engine/l4/guestApi';
import { DOPE_FPAGE_RECEIVED } from '../../../engine/l4/messageDope';
import { PG_WRITABLE } from '../../../engine/machine/paging';
import { DATA, L4Test } from './harness';

describe('L4 guest: system-call errors and the rest of the ABI', () => {
  it('decode-before-invoke: bad arguments of the non-IPC calls change nothing and say so', () => {
    const t = new L4Test();
    const seen: Record<string, number | boolean> = {};
    t.task(5, function* (l4) {
      const ghost = { low: (99 << 17) | 1, high: 0 };
      seen.nearestExists = (yield* l4.idNearest(ghost)).exists;
      seen.schedule = yield* l4.threadSchedule(ghost, 10);
      seen.sendToIrq = (yield* l4.ipcSend(interruptId(3), 0, 0, TIMEOUT_POLL)).error;
      seen.sigma0Task = (yield* l4.taskNew(2, null, l4.sigma0)) === null;
      seen.done = true;
    });
    t.run(() => seen.done === true);
    assert.equal(seen.nearestExists, false);
    assert.equal(seen.schedule, 0xffffffff);
    assert.equal(seen.sendToIrq, IPC_ERROR.notExistent);
    assert.equal(seen.sigma0Task, true, 'task_new refuses sigma0\'s task number');
  });

  it('an interrupt already attached to another thread cannot be received from', () => {
    const t = new L4Test();
    const errors: number[] = [];
    t.task(5, function* (l4) {
      errors.push((yield* l4.ipcReceive(interruptId(4), TIMEOUT_POLL)).error); // attaches, times out
      yield* l4.ipcReceive(interruptId(4)); // waits forever
    });
    t.task(6, function* (l4) {
      yield* l4.threadSwitch();
      errors.push((yield* l4.ipcReceive(interruptId(4), TIMEOUT_POLL)).error);
    }, { priority: 10 });
    t.run(() => errors.length === 2);
    assert.deepEqual(errors, [IPC_ERROR.receiveTimeout, IPC_ERROR.notExistent]);
  });

  it('fpage_unmap without the flush bit remaps read-only in the receivers; with UNMAP_ALL_SPACES it also unmaps the caller', () => {
    const t = new L4Test();
    const seen: Record<string, number> = {};
    const b = t.task(6, function* (l4) {
      const r = yield* l4.ipcWait(0, { receive: receiveWindow(0x30000000, 12) });
      yield* l4.ipcSend({ low: r.sourceLow, high: r.sourceHigh }, 0, 0);
    });
    t.task(5, function* (l4) {
      yield* l4.write32(DATA, 1);
      yield* l4.ipcCall(b, DATA, fpage(DATA, 12, true), 0, { send: 2 });
      seen.before = t.kernel.tasks[6]!.readPte(0x30000000) & PG_WRITABLE;
      yield* l4.fpageUnmap(fpage(DATA, 12), 0);
      seen.afterRemap = t.kernel.tasks[6]!.readPte(0x30000000) & PG_WRITABLE;
      seen.stillMapped = t.kernel.tasks[6]!.isMapped(0x30000000) ? 1 : 0;
      yield* l4.fpageUnmap(fpage(DATA, 12), 2 | UNMAP_ALL_SPACES);
      seen.selfMapped = t.kernel.tasks[5]!.isMapped(DATA) ? 1 : 0;
      seen.bMapped = t.kernel.tasks[6]!.isMapped(0x30000000) ? 1 : 0;
    });
    t.run(() => seen.bMapped !== undefined);
    assert.equal(seen.before, PG_WRITABLE);
    assert.equal(seen.afterRemap, 0);
    assert.equal(seen.stillMapped, 1);
    assert.equal(seen.selfMapped, 0);
    assert.equal(seen.bMapped, 0);
  });

  it('a long message carries several map items (send base, fpage pairs) into the receive window', () => {
    const t = new L4Test();
    const seen: Record<string, number> = {};
    const server = t.task(6, function* (l4) {
      const buffer = DATA + 0x20000;
      yield* l4.write32(buffer + MESSAGE_BUFFER.receiveFpage, fpage(0x40000000, 16));
      yield* l4.write32(buffer + MESSAGE_BUFFER.sizeDope, messageDope(4, 0));
      const r = yield* l4.ipcWait(0, { receive: buffer });
      seen.flags = r.dope & DOPE_FPAGE_RECEIVED;
      seen.first = yield* l4.read32(0x40000000);
      seen.second = yield* l4.read32(0x40001000);
    });
    t.task(5, function* (l4: L4Api) {
      yield* l4.write32(DATA, 11);
      yield* l4.write32(DATA + 0x1000, 22);
      const buffer = DATA + 0x10000;
      yield* l4.write32(buffer + MESSAGE_BUFFER.sizeDope, messageDope(4, 0));
      yield* l4.write32(buffer + MESSAGE_BUFFER.sendDope, messageDope(4, 0));
      yield* l4.write32(buffer + MESSAGE_BUFFER.dwords + 8, DATA + 0x1000);
      yield* l4.write32(buffer + MESSAGE_BUFFER.dwords + 12, fpage(DATA + 0x1000, 12));
      yield* l4.ipcSend(server, DATA, fpage(DATA, 12), 0, { send: sendBuffer(buffer, true) });
    });
    t.run(() => seen.second !== undefined);
    assert.equal(seen.flags, DOPE_FPAGE_RECEIVED);
    assert.equal(seen.first, 11);
    assert.equal(seen.second, 22);
  });
});
