import assert from 'node:assert/strict';
import { KERN, TIME_ABSOLUTE, TIME_RELATIVE } from '../../../engine/mach/machConstants';
import type { MachGuest } from '../../../engine/mach/guestApi';
import { bootMach } from './fixtures';

const TICK_NS = 10_000_000;
const CYCLES_PER_MS = 133_000;

/** Reads the tvalspec clock_sleep stored at `address` as nanoseconds. */
function* wakeupTime(g: MachGuest, address: number): Generator<void, number, void> {
  return (yield* g.read32(address)) * 1e9 + (yield* g.read32(address + 4));
}

describe('mach realtime clock: clock_sleep (OSF MK kern/clock.c)', () => {
  it('rejects a name that is no clock (KERN_INVALID_ARGUMENT) and a bad sleep (KERN_INVALID_VALUE) before sleeping', () => {
    const { kernel } = bootMach();
    const results: number[] = [];
    let stored = -1;
    const task = kernel.createTask('t', false);
    const thread = kernel.createThread(task, 'sleeper', function* (g) {
      const out = g.messageBuffer;
      yield* g.write32(out, 0x5a5a5a5a);
      results.push(yield* g.clockSleep(0x7777, TIME_RELATIVE, 0, 1000, out));
      results.push(yield* g.clockSleep(threadName, TIME_RELATIVE, 0, 1000, out));
      stored = yield* g.read32(out);
      results.push(yield* g.clockSleep(clock, 2, 0, 1000, out));
      results.push(yield* g.clockSleep(clock, TIME_RELATIVE, 0, 1_000_000_000, out));
      // CheckTime tests the sleep type and tv_nsec only: a time in the past is no error
      results.push(yield* g.clockSleep(clock, TIME_RELATIVE, -1, 0, out));
    });
    const threadName = kernel.grantKernelPort(task, thread.selfPort);
    const clock = kernel.grantKernelPort(task, kernel.clock.port);
    kernel.resume(thread);
    kernel.run(() => results.length === 5, 100_000_000);
    assert.deepEqual(results, [KERN.INVALID_ARGUMENT, KERN.INVALID_ARGUMENT, KERN.INVALID_VALUE, KERN.INVALID_VALUE, KERN.SUCCESS]);
    assert.equal(stored, 0x5a5a5a5a, 'nothing is copied out for a bad clock name');
    assert.equal(kernel.clock.sleeping(thread), false);
  });

  it('a zero relative sleep returns at once with the clock\'s time; absolute sleeps wake at the first tick at or after each mark', () => {
    const { kernel } = bootMach();
    kernel.startClock();
    const wakeups: number[] = [];
    const results: number[] = [];
    const cycles: number[] = [];
    const task = kernel.createTask('t', false);
    const sleeper = kernel.createThread(task, 'sleeper', function* (g) {
      const out = g.messageBuffer;
      results.push(yield* g.clockSleep(clock, TIME_RELATIVE, 0, 0, out));
      let mark = yield* wakeupTime(g, out);
      wakeups.push(mark);
      for (let i = 0; i < 5; i++) {
        mark += TICK_NS;
        results.push(yield* g.clockSleep(clock, TIME_ABSOLUTE, Math.floor(mark / 1e9), mark % 1e9, out));
        wakeups.push(yield* wakeupTime(g, out));
        cycles.push(kernel.cpu.now);
        // the sleeper runs late every time: 3 ms of work after each wakeup
        yield* g.compute(3 * CYCLES_PER_MS);
      }
    });
    const clock = kernel.grantKernelPort(task, kernel.clock.port);
    // a thread computing in user mode all along, at a lower priority than the sleeper
    const other = kernel.createThread(kernel.createTask('busy', false), 'busy', function* (g) {
      for (;;) yield* g.compute(CYCLES_PER_MS);
    });
    kernel.scheduler.setPriority(other, sleeper.priority + 4);
    kernel.resume(sleeper);
    kernel.resume(other);
    kernel.run(() => results.length === 6, 133_000_000);
    assert.deepEqual(results, new Array(6).fill(KERN.SUCCESS));
    assert.equal(wakeups[0] % TICK_NS, 0, 'the clock keeps tick time');
    for (let i = 1; i < 6; i++) assert.equal(wakeups[i], wakeups[0] + i * TICK_NS, `wakeup ${i} at its mark`);
    for (let i = 1; i < 5; i++) {
      const ms = (cycles[i] - cycles[i - 1]) / CYCLES_PER_MS;
      assert.ok(ms > 9 && ms < 11, `one mark per 10 ms although the sleeper ran 3 ms late (${ms.toFixed(2)} ms)`);
    }
  });

  it('thread_abort ends a clock sleep with KERN_ABORTED; a terminated sleeper leaves no alarm', () => {
    const { kernel } = bootMach();
    kernel.startClock();
    const results: number[] = [];
    const task = kernel.createTask('t', false);
    const sleeper = kernel.createThread(task, 'sleeper', function* (g) {
      results.push(yield* g.clockSleep(clock, TIME_RELATIVE, 10, 0, g.messageBuffer));
    });
    const clock = kernel.grantKernelPort(task, kernel.clock.port);
    const name = kernel.grantKernelPort(task, sleeper.selfPort);
    const aborter = kernel.createThread(task, 'aborter', function* (g) {
      yield* g.compute(2 * CYCLES_PER_MS);
      results.push(yield* g.threadAbort(name));
    });
    kernel.resume(sleeper);
    kernel.resume(aborter);
    kernel.run(() => results.length === 2, 133_000_000);
    assert.deepEqual(results.sort(), [KERN.SUCCESS, KERN.ABORTED].sort());
    assert.equal(kernel.clock.sleeping(sleeper), false);

    const doomedTask = kernel.createTask('doomed', false);
    const doomedClock = kernel.grantKernelPort(doomedTask, kernel.clock.port);
    const doomed = kernel.createThread(doomedTask, 'doomed', function* (g) {
      yield* g.clockSleep(doomedClock, TIME_RELATIVE, 10, 0, g.messageBuffer);
    });
    kernel.resume(doomed);
    kernel.run(() => kernel.clock.sleeping(doomed), 133_000_000);
    assert.equal(kernel.clock.sleeping(doomed), true);
    kernel.terminateTask(doomedTask);
    assert.equal(kernel.clock.sleeping(doomed), false);
  });
});
