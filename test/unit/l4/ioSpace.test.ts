import * as assert from 'node:assert/strict';
import { fpage, ioFpage, isIoFpage } from '../../../engine/l4/fpage';
import { ioFpageRange } from '../../../engine/l4/ioSpace';

describe('L4 I/O fpages', () => {
  it('name 2^size ports from the aligned base port, and are told apart from memory fpages', () => {
    assert.deepEqual(ioFpageRange(ioFpage(0x3f8, 3)), { port: 0x3f8, count: 8 });
    assert.deepEqual(ioFpageRange(ioFpage(0x3fb, 3)), { port: 0x3f8, count: 8 }, 'rounded down to the fpage size');
    assert.deepEqual(ioFpageRange(ioFpage(0, 16)), { port: 0, count: 0x10000 });
    assert.equal(isIoFpage(ioFpage(0x60, 0)), true);
    assert.equal(isIoFpage(fpage(0x00400000, 12)), false);
    assert.equal(isIoFpage(fpage(0, 32)), false);
  });
});
