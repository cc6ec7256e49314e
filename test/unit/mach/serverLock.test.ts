import * as assert from 'node:assert/strict';
import type { Activity } from '../../../engine/machine/executionContext';
import type { Thread } from '../../../engine/mach/thread';
import { Condition, ServerLock, type Parking, type ServerActor } from '../../../engine/linux/mach/serverLock';
import { bootLinuxSystem } from '../../../engine/linux/systems';
import type { GuestProgram } from '../../../engine/userland/runtime';
import type { Libc } from '../../../engine/userland/libc';

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

  it('condition_wait frees the lock and parks; condition_signal queues the waiter, which the holder\'s release wakes', () => {
    const events: string[] = [];
    const actor = (name: string): ServerActor => ({ thread: { name } as Thread, task: null });
    const parking: Parking = {
      *park(a) {
        events.push(`park ${a.thread.name}`);
        yield;
      },
      *unpark(from, to) {
        events.push(`unpark ${to.thread.name} by ${from.thread.name}`);
      },
      *yieldCpu() {},
    };
    const lock = new ServerLock(parking, () => {});
    const condition = new Condition();
    const idle = actor('idle');
    const clock = actor('clock');
    assert.equal(lock.signal(condition), false, 'nobody waits yet');
    runNow(lock.acquire(idle));
    const waiting = lock.wait(idle, condition);
    waiting.next(); // idle frees the lock and parks on the condition
    assert.equal(lock.holder, null);
    runNow(lock.acquire(clock));
    assert.equal(lock.signal(condition), true);
    runNow(lock.release(clock));
    assert.deepEqual(events, ['park idle', 'unpark idle by clock']);
    assert.equal(waiting.next().done, true, 'the woken waiter retakes the free lock');
    assert.equal(lock.holder, idle);
  });
});

describe('MkLinux idle task (cpu_idle under CONFIG_OSFMACH3)', () => {
  const busy: GuestProgram = {
    name: 'busy', textBytes: 16 * 1024, dataBytes: 4096, bssBytes: 8192,
    *main(libc: Libc) {
      yield* libc.compute(133_000 * 100);
      return 0;
    },
  };
  for (const system of ['mklinux-kernel', 'mklinux-user']) {
    it(`is woken for the bottom halves once per clock tick, also while a process computes (${system})`, () => {
      const booted = bootLinuxSystem(system, { programs: [busy], initArgs: ['sh', '-c', 'busy'] });
      const idle = () => booted.machine.stats.get('mklinux.idle.wakeups') ?? 0;
      const jiffies = () => booted.kernel.jiffies;
      assert.equal(booted.run(133_000_000 * 5), 'halted');
      assert.ok(jiffies() >= 10, `${jiffies()} ticks`);
      assert.ok(Math.abs(idle() - jiffies()) <= 2, `${idle()} idle wake-ups for ${jiffies()} ticks`);
    });
  }
});
