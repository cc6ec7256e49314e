import assert from 'node:assert/strict';
import { LinuxScheduler } from '../../../engine/linux/core/sched';
import { Task } from '../../../engine/linux/core/task';
import { Inode } from '../../../engine/linux/core/vfs';
import { NR, SYSCALLS } from '../../../engine/linux/core/syscalls';

function task(pid: number, counter: number): Task {
  const t = new Task(pid, null, new Inode(1, 'dir', 0o755), 20, `t${pid}`);
  t.counter = counter;
  return t;
}

describe('Linux scheduler policy (kernel/sched.c)', () => {
  it('picks the runnable task of highest goodness, the previous one winning ties', () => {
    const s = new LinuxScheduler();
    const [a, b, c] = [task(1, 5), task(2, 9), task(3, 9)];
    [a, b, c].forEach((t) => s.add(t));
    assert.equal(s.pickNext(a), b);
    assert.equal(s.pickNext(c), c);
    c.state = 'interruptible';
    assert.equal(s.pickNext(c), b);
    assert.equal(s.lastScanned, 2);
  });

  it('recalculates counter = counter/2 + priority when every runnable slice is used', () => {
    const s = new LinuxScheduler();
    const [a, b] = [task(1, 0), task(2, 0)];
    b.state = 'interruptible';
    b.counter = 10;
    [a, b].forEach((t) => s.add(t));
    assert.equal(s.pickNext(null), a);
    assert.equal(a.counter, 20);
    assert.equal(b.counter, 25);
    assert.equal(s.lastRecalculated, 2);
  });

  it('runs the slice down one tick at a time and asks for a reschedule at zero', () => {
    const s = new LinuxScheduler();
    const a = task(1, 2);
    s.add(a);
    assert.equal(s.tick(a), false);
    assert.equal(s.tick(a), true);
    assert.equal(a.counter, 0);
  });

  it('declares the Linux/i386 2.0 system-call numbers once', () => {
    assert.equal(NR.exit, 1);
    assert.equal(NR.fork, 2);
    assert.equal(NR.getpid, 20);
    assert.equal(NR.execve, 11);
    assert.equal(NR.wait4, 114);
    assert.equal(new Set(SYSCALLS.map((s) => s.nr)).size, SYSCALLS.length);
  });
});
