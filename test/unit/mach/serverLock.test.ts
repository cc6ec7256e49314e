import * as assert from 'node:assert/strict';
import type { Activity } from '../../../engine/machine/executionContext';
import type { Thread } from '../../../engine/mach/thread';
import { ServerLock, type Parking, type ServerActor } from '../../../engine/linux/mach/serverLock';

/** Runs an activity that must finish without parking. */
function runNow(activity: Activity): void {
  assert.equal(activity.next().done, true, 'the activity parked');
}

describe('MkLinux master lock (uniproc_mutex)', () => {
  it('schedule() of a runnable task is osfmach3_yield: the lock is freed, its waiter woken, the CPU yielded, the lock retaken', () => {
    const events: string[] = [];
    const actor = (name: string): ServerActor => ({ thread: { name } as Thread, task: null });
    const parking: Parking = {
      *park(a) {
        events.push(`park ${a.thread.name}`);
        yield; // the parked thread stays suspended in this test
      },
      *unpark(from, to) {
        events.push(`unpark ${to.thread.name} by ${from.thread.name}`);
      },
      *yieldCpu(a) {
        events.push(`yield ${a.thread.name}`);
      },
    };
    const lock = new ServerLock(parking, () => {});
    const a = actor('a');
    runNow(lock.acquire(a));
    runNow(lock.yieldLock(a));
    assert.deepEqual(events, ['yield a'], 'no waiter: still the depressed thread_switch');
    assert.equal(lock.holder, a);
    events.length = 0;
    const b = actor('b');
    const waiting = lock.acquire(b);
    waiting.next(); // b finds the lock held and parks
    runNow(lock.yieldLock(a));
    assert.deepEqual(events, ['park b', 'unpark b by a', 'yield a']);
    assert.equal(lock.holder, a, 'the lock is not handed over: b takes it only if it runs first');
  });
});
