import * as assert from 'node:assert/strict';
import { interruptId, TIMEOUT_NEVER, TIMEOUT_POLL, type L4Api } from '../../../engine/l4/guestApi';
import { SmallSpaces } from '../../../engine/l4/smallSpaces';
import { DATA, L4Test } from './harness';

describe('L4 guest: threads, exceptions, interrupts, small spaces', () => {
  it('int 0x80 is reflected to the thread\'s user-level exception handler, which returns to the thread', () => {
    const t = new L4Test();
    const events: string[] = [];
    t.task(5, function* (l4) {
      yield* l4.setExceptionHandler(function* (frame) {
        events.push(`handler ${frame.vector.toString(16)}`);
      });
      yield* l4.trap(0x80);
      events.push('after');
    });
    t.run(() => events.length === 2);
    assert.deepEqual(events, ['handler 80', 'after']);
  });

  it('an exception without a handler stops the thread and reports it; a guest that throws kills its task, not the engine', () => {
    const t = new L4Test();
    let survivor = false;
    t.task(5, function* (l4) {
      yield* l4.trap(3);
    });
    t.task(6, function* () {
      throw new Error('guest bug');
    });
    t.task(7, function* (l4) {
      yield* l4.compute(10000);
      survivor = true;
    });
    t.run(() => survivor);
    assert.ok(survivor);
    assert.ok(t.kernel.reports.some((line) => line.includes('5.0 stopped') && line.includes('unhandled exception 3')), t.kernel.reports.join('\n'));
    assert.ok(t.kernel.reports.some((line) => line.includes('task 6: killed') && line.includes('guest bug')), t.kernel.reports.join('\n'));
    assert.equal(t.kernel.tasks[6]!.threads[0]!.state, 5);
  });

  it('hardware interrupts arrive as IPC from the interrupt pseudo-thread; early ones stay pending', () => {
    const t = new L4Test({ timer: true });
    const sources: number[] = [];
    t.task(5, function* (l4) {
      const irq0 = interruptId(0);
      for (let i = 0; i < 2; i++) sources.push((yield* l4.ipcReceive(irq0, TIMEOUT_NEVER)).sourceLow);
      yield* l4.compute(3 * 1_330_000); // several ticks while not receiving
      sources.push((yield* l4.ipcReceive(irq0, TIMEOUT_NEVER)).sourceLow);
      sources.push(l4.now());
    });
    t.run(() => sources.length === 4);
    assert.deepEqual(sources.slice(0, 3), [1, 1, 1]);
    // the third one was pending: received at once, long before the next tick
    assert.ok(sources[3] < 6 * 1_330_000, `received at ${sources[3]}`);
  });

  it('time slices: two compute-bound threads of one priority share the CPU round robin at PIT ticks; a higher priority wins', () => {
    const t = new L4Test({ timer: true });
    const progress = [0, 0, 0];
    const worker = (index: number) =>
      function* (l4: L4Api) {
        for (;;) {
          yield* l4.compute(100_000);
          progress[index]++;
        }
      };
    t.task(5, worker(0), { priority: 100 });
    t.task(6, worker(1), { priority: 100 });
    t.task(7, worker(2), { priority: 50 });
    t.run(() => false, 133e6 / 10); // 100 ms: 10 ticks
    assert.ok(progress[0] > 20 && progress[1] > 20, `round robin: ${progress}`);
    assert.ok(Math.abs(progress[0] - progress[1]) <= 14, `fair: ${progress}`);
    assert.equal(progress[2], 0, 'the lower priority never runs');
    assert.ok(t.kernel.bootLog.some((line) => line.startsWith('sigma0:')));
  });

  it('the disk\'s completion interrupt (IRQ 14) reaches a user-level driver thread as IPC', () => {
    const t = new L4Test();
    const seen: Record<string, number> = {};
    t.task(5, function* (l4) {
      const irq14 = interruptId(14);
      yield* l4.ipcReceive(irq14, TIMEOUT_POLL); // associate
      const start = l4.now();
      // (the driver's port I/O is not modelled: the request goes to the controller directly)
      t.machine.disk.submit({ sector: 100, count: 8, write: false, physical: DATA });
      const r = yield* l4.ipcReceive(irq14);
      seen.source = r.sourceLow;
      seen.waitedMs = (l4.now() - start) / 133_000;
    });
    t.run(() => seen.source !== undefined);
    assert.equal(seen.source, 15);
    assert.ok(seen.waitedMs > 1 && seen.waitedMs < 50, `disk latency ${seen.waitedMs} ms`);
  });

  it('thread_schedule reads and sets priorities; thread_switch donates the CPU', () => {
    const t = new L4Test();
    const seen: Record<string, number> = {};
    const other = t.task(6, function* () {
      seen.otherRan = 1;
    }, { priority: 10 });
    t.task(5, function* (l4) {
      seen.old = (yield* l4.threadSchedule(other, 0xffffffff)) & 0xff;
      yield* l4.threadSchedule(other, 50);
      seen.now = (yield* l4.threadSchedule(other, 0xffffffff)) & 0xff;
      yield* l4.threadSwitch(other);
      seen.back = seen.otherRan ?? 0;
    }, { priority: 100 });
    t.run(() => seen.back !== undefined);
    assert.equal(seen.old, 10);
    assert.equal(seen.now, 50);
    assert.equal(seen.back, 1);
  });

  it('task_new creates a task whose first thread runs; an existing task of another chief is refused', () => {
    const t = new L4Test();
    const seen: Record<string, number> = {};
    t.task(4, function* (l4) {
      const id = yield* l4.taskNew(12, function* (child: L4Api) {
        seen.childTask = child.taskNumber;
      }, l4.sigma0, DATA);
      seen.created = id === null ? 0 : 1;
      yield* l4.threadSwitch();
      seen.again = (yield* l4.taskNew(5, null, l4.sigma0)) === null ? 0 : 1;
    });
    t.task(5, function* (l4) {
      yield* l4.compute(100);
    });
    t.run(() => seen.again !== undefined);
    assert.equal(seen.created, 1);
    assert.equal(seen.childTask, 12);
    assert.equal(seen.again, 0);
  });

  it('small spaces: IPC between them loads no CR3; touching beyond the slot returns the task to a large space', () => {
    const t = new L4Test({}, 32);
    const seen: Record<string, number> = {};
    const server = t.task(5, function* (l4) {
      let r = yield* l4.ipcWait();
      for (;;) r = yield* l4.ipcReplyAndWait({ low: r.sourceLow, high: r.sourceHigh }, r.w0, 0);
    }, { small: SmallSpaces.encode(1, 2) });
    t.task(6, function* (l4) {
      yield* l4.ipcCall(server, 0, 0);
      const loads = t.machine.stats.get('machine.cpu.cr3Loads')!;
      for (let i = 0; i < 20; i++) yield* l4.ipcCall(server, i, 0);
      seen.cr3Loads = t.machine.stats.get('machine.cpu.cr3Loads')! - loads;
      yield* l4.write32(DATA, 5); // inside the 16 MB slot
      seen.smallAfterInside = t.kernel.tasks[6]!.small ? 1 : 0;
      yield* l4.write32(0x01800000, 6); // beyond it: back to 3 GB (then faulted in from sigma0)
      seen.smallAfterOutside = t.kernel.tasks[6]!.small ? 1 : 0;
      seen.value = yield* l4.read32(DATA);
    }, { small: SmallSpaces.encode(2, 2) });
    t.run(() => seen.value !== undefined);
    assert.equal(seen.cr3Loads, 0);
    assert.equal(seen.smallAfterInside, 1);
    assert.equal(seen.smallAfterOutside, 0);
    assert.equal(seen.value, 5);
  });
});
