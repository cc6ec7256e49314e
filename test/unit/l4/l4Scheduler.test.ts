import * as assert from 'node:assert/strict';
import { L4Scheduler } from '../../../engine/l4/l4Scheduler';
import { Task } from '../../../engine/l4/task';
import { Thread, THREAD_STATE } from '../../../engine/l4/thread';
import { PhysicalMemory } from '../../../engine/machine/physicalMemory';

function thread(n: number, priority: number): Thread {
  const task = new Task(n, 1, 0, 0, new PhysicalMemory(4096));
  const t = new Thread(task, 0, 0, 0, n, 0, priority, 1);
  t.state = THREAD_STATE.ready;
  return t;
}

describe('L4 scheduler', () => {
  it('picks the highest priority, round robin within a priority', () => {
    const s = new L4Scheduler();
    const [a, b, c] = [thread(1, 100), thread(2, 100), thread(3, 50)];
    s.enqueue(c);
    s.enqueue(a);
    s.enqueue(b);
    assert.equal(s.pick(), a);
    s.rotate(a);
    assert.equal(s.pick(), b);
    assert.equal(s.pick(a), b);
    s.setPriority(c, 200);
    assert.equal(s.pick(), c);
  });

  it('drops blocked threads lazily when a scan meets them', () => {
    const s = new L4Scheduler();
    const [a, b] = [thread(1, 100), thread(2, 100)];
    s.enqueue(a);
    s.enqueue(b);
    a.state = THREAD_STATE.receiving; // blocked in IPC: still queued
    assert.equal(a.inReadyQueue, true);
    assert.equal(s.pick(), b);
    assert.equal(a.inReadyQueue, false);
    b.state = THREAD_STATE.sending;
    assert.equal(s.pick(), null);
    assert.deepEqual(s.readyThreads(), []);
  });
});
