import * as assert from 'node:assert/strict';
import { Scheduler } from '../../../engine/base/scheduler';

describe('Scheduler', () => {
  it('fires events in time order, same-cycle events first-in first-out', () => {
    const scheduler = new Scheduler();
    const fired: string[] = [];
    scheduler.at(30, 'c', () => fired.push('c'));
    scheduler.at(10, 'a', () => fired.push('a'));
    scheduler.at(10, 'b', () => fired.push('b'));
    scheduler.advance(10);
    assert.equal(scheduler.fireDue(), 2);
    assert.deepEqual(fired, ['a', 'b']);
    assert.equal(scheduler.checkpoint, 30);
    scheduler.advance(25);
    scheduler.fireDue();
    assert.deepEqual(fired, ['a', 'b', 'c']);
    assert.equal(scheduler.checkpoint, Number.POSITIVE_INFINITY);
  });

  it('lets events schedule events and skips cancelled ones', () => {
    const scheduler = new Scheduler();
    const fired: number[] = [];
    const cancelled = scheduler.after(5, 'x', () => fired.push(-1));
    scheduler.after(5, 'y', (s) => {
      fired.push(s.now);
      s.after(5, 'z', (t) => fired.push(t.now));
    });
    scheduler.cancel(cancelled);
    scheduler.advance(5);
    scheduler.fireDue();
    scheduler.advance(5);
    scheduler.fireDue();
    assert.deepEqual(fired, [5, 10]);
    assert.equal(scheduler.pendingEvents, 0);
  });

  it('sets the checkpoint to the host deadline when that comes first', () => {
    const scheduler = new Scheduler();
    scheduler.at(1000, 'late', () => undefined);
    scheduler.requestCheckAt(100);
    assert.equal(scheduler.checkpoint, 100);
    scheduler.advance(100);
    assert.ok(scheduler.hostCheckDue);
    scheduler.clearHostCheck();
    assert.equal(scheduler.checkpoint, 1000);
  });
});
