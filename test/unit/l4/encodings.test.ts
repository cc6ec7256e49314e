import * as assert from 'node:assert/strict';
import { FPAGE, fpage, fpageBase, fpageSize, fpageValid, fpageWritable, ioFpage, isIoFpage } from '../../../engine/l4/fpage';
import { dopeDwords, dopeStrings, IPC_ERROR, ipcError, ipcErrorName, MESSAGE_DOPE, messageDope } from '../../../engine/l4/messageDope';
import { SmallSpaces } from '../../../engine/l4/smallSpaces';
import { chiefOf, interruptId, irqOfId, lthreadOf, taskOf, threadId, THREAD_ID_LOW, versionOf } from '../../../engine/l4/threadId';
import { encodeTimeout, pageFaultTimeoutMicroseconds, receiveTimeout, sendTimeout, TIMEOUT, timeoutMicroseconds, timeoutWord, TIMEOUT_NEVER, TIMEOUT_POLL } from '../../../engine/l4/timeout';

describe('L4 encodings', () => {
  it('packs thread ids as L4/x86 v2 does (version_low:10 lthread:7 task:11 version_high:4; site:17 chief:11 nest:4)', () => {
    const id = threadId(0x123, 0x45, 0x2abc, 0x7ff, 3);
    assert.equal(taskOf(id.low), 0x123);
    assert.equal(lthreadOf(id.low), 0x45);
    assert.equal(versionOf(id.low), 0x2abc);
    assert.equal(chiefOf(id.high), 0x7ff);
    assert.equal(id.high >>> 28, 3);
    assert.equal(THREAD_ID_LOW.get(id.low, 'versionLow'), 0x2bc);
    assert.equal(THREAD_ID_LOW.get(id.low, 'versionHigh'), 0xa);
    assert.deepEqual(interruptId(5), { low: 6, high: 0 });
    assert.equal(irqOfId(6, 0), 5);
    assert.equal(irqOfId(id.low, id.high), -1);
  });

  it('decodes timeouts m·4^(15−e) µs with e = 0 infinite and m = 0 zero', () => {
    assert.equal(timeoutMicroseconds(1, 15), 1);
    assert.equal(timeoutMicroseconds(5, 14), 20);
    assert.equal(timeoutMicroseconds(255, 1), 255 * 4 ** 14);
    assert.equal(timeoutMicroseconds(7, 0), Infinity);
    assert.equal(timeoutMicroseconds(0, 9), 0);
    assert.equal(sendTimeout(TIMEOUT_NEVER), Infinity);
    assert.equal(receiveTimeout(TIMEOUT_NEVER), Infinity);
    assert.equal(sendTimeout(TIMEOUT_POLL), 0);
    assert.equal(receiveTimeout(TIMEOUT_POLL), 0);
    const word = timeoutWord(1000, 50);
    assert.ok(sendTimeout(word) >= 1000 && sendTimeout(word) < 1000 * 1.02);
    assert.equal(receiveTimeout(word), 50);
    assert.deepEqual(encodeTimeout(1000), { mantissa: 250, exponent: 14 });
    assert.equal(TIMEOUT.get(timeoutWord(0, Infinity, 3, 4), 'sendPageFault'), 3);
    assert.equal(pageFaultTimeoutMicroseconds(0), Infinity);
    assert.equal(pageFaultTimeoutMicroseconds(15), 0);
    assert.equal(pageFaultTimeoutMicroseconds(13), 16);
  });

  it('builds fpages (grant:1 write:1 size:6 page:20) aligned to their size, and I/O fpages', () => {
    const word = fpage(0x00812345, 16, true);
    assert.equal(fpageBase(word), 0x00810000);
    assert.equal(fpageSize(word), 16);
    assert.ok(fpageWritable(word));
    assert.equal(FPAGE.get(word, 'grant'), 0);
    assert.equal(FPAGE.get(fpage(0x1000, 12, false, true), 'grant'), 1);
    assert.equal(fpageBase(fpage(0x12345678, 32)), 0);
    assert.ok(fpageValid(word));
    assert.ok(!fpageValid(fpage(0, 11)));
    assert.ok(isIoFpage(ioFpage(0x3f8, 3)));
    assert.ok(!isIoFpage(word));
  });

  it('packs message dopes and names the error codes of the result dope', () => {
    const dope = messageDope(19, 3);
    assert.equal(dopeDwords(dope), 19);
    assert.equal(dopeStrings(dope), 3);
    assert.equal(MESSAGE_DOPE.get(IPC_ERROR.sendTimeout, 'sendError'), 1);
    assert.equal(MESSAGE_DOPE.get(IPC_ERROR.sendTimeout, 'errorCode'), 1);
    assert.equal(ipcError(dope | IPC_ERROR.receiveMessageCut), IPC_ERROR.receiveMessageCut);
    assert.equal(ipcErrorName(IPC_ERROR.notExistent), 'notExistent');
  });

  it('decodes small-space numbers as buddy slots of the 512 MB area', () => {
    assert.deepEqual(SmallSpaces.decode(1), { base: 0xc0000000, bytes: 4 << 20, number: 1 });
    assert.deepEqual(SmallSpaces.decode(3), { base: 0xc0400000, bytes: 4 << 20, number: 3 });
    assert.deepEqual(SmallSpaces.decode(SmallSpaces.encode(1, 2)), { base: 0xc1000000, bytes: 16 << 20, number: 12 });
    assert.deepEqual(SmallSpaces.decode(0x80), { base: 0xc0000000, bytes: 512 << 20, number: 0x80 });
    assert.equal(SmallSpaces.decode(0), null);
    const spaces = new SmallSpaces();
    assert.ok(spaces.claim(SmallSpaces.decode(2)!, 7));
    assert.ok(!spaces.claim(SmallSpaces.decode(1)!, 8), 'overlaps the 8 MB slot of task 7');
  });
});
