import { strict as assert } from 'node:assert';
import { makePte, PG_USER, PG_WRITABLE } from '../../../engine/machine/paging';
import { UnmapQueue, UserSpaceMappings } from '../../../engine/linux/l4/hardwareMappings';

describe('L4Linux hardware mappings beside the logical page tables', () => {
  it('keeps a mapping that still agrees, remaps read-only on write protection, flushes on a new frame or none', () => {
    const space = new UserSpaceMappings();
    space.record(0x1000, 0x900000, true);
    space.record(0x2000, 0x901000, true);
    space.record(0x3000, 0x902000, false);
    assert.equal(space.reconcile(0x1000, makePte(0x900000, PG_USER | PG_WRITABLE)), null);
    assert.deepEqual(space.reconcile(0x1000, makePte(0x900000, PG_USER)), { frame: 0x900000, flush: false });
    assert.equal(space.reconcile(0x1000, makePte(0x900000, PG_USER)), null, 'already read-only');
    assert.deepEqual(space.reconcile(0x2000, makePte(0x905000, PG_USER | PG_WRITABLE)), { frame: 0x901000, flush: true });
    assert.deepEqual(space.reconcile(0x3000, 0), { frame: 0x902000, flush: true });
    assert.equal(space.reconcile(0x4000, 0), null, 'never mapped');
    assert.equal(space.size, 1);
  });

  it('queues one unmap per frame, a flush winning over a remap', () => {
    const queue = new UnmapQueue();
    queue.add({ frame: 0x900000, flush: false });
    queue.add({ frame: 0x900000, flush: true });
    queue.add({ frame: 0x901000, flush: false });
    queue.add(null);
    assert.deepEqual(queue.take(), [{ frame: 0x900000, flush: true }, { frame: 0x901000, flush: false }]);
    assert.equal(queue.length, 0);
  });
});
