import assert from 'node:assert/strict';
import { runCustomServer } from '../../../engine/api/customServer';
import { IPC_ERROR, NIL_ID, TIMEOUT_POLL, type L4Api } from '../../../engine/l4/guestApi';
import { checkL4Invariants } from '../../../engine/l4/invariants';
import { SIGMA0_ANY_PAGE } from '../../../engine/l4/sigma0';
import { receiveWindow } from '../../../engine/l4/guestApi';
import { L4Test } from '../../guest/l4/harness';

/** A worker that must finish its computation however hostile its neighbours are. */
function* worker(l4: L4Api, done: { value: boolean }) {
  for (let i = 0; i < 50; i++) yield* l4.compute(10_000);
  done.value = true;
}

describe('hostile L4 guests', () => {
  it('a thread that throws without a handler: its task is killed and reported, the others go on', () => {
    const t = new L4Test({ timer: true });
    const done = { value: false };
    t.task(5, function* () {
      throw new Error('boom');
    });
    t.task(6, (l4) => worker(l4, done));
    t.run(() => done.value);
    assert.equal(done.value, true);
    assert.match(t.kernel.reports.join('\n'), /task 5: killed, thread 5\.0 threw "boom" without an exception handler/);
    assert.deepEqual(checkL4Invariants(t.kernel), []);
  });

  it('a thread that throws with a handler: the handler runs, then the thread stops', () => {
    const t = new L4Test({ timer: true });
    const seen: string[] = [];
    t.task(5, function* (l4) {
      yield* l4.setExceptionHandler(function* (frame) {
        seen.push(frame.message ?? '');
      });
      throw new Error('handled boom');
    });
    t.run(() => seen.length > 0);
    assert.deepEqual(seen, ['handled boom']);
    assert.match(t.kernel.reports.join('\n'), /handler ran, thread stopped/);
  });

  it('a thread that loops forever is preempted (equal priority) and stopped by the simulated-cycle watchdog', () => {
    const t = new L4Test({ timer: true });
    const done = { value: false };
    t.task(5, function* (l4) {
      for (;;) yield* l4.compute(1_000_000);
    });
    t.task(6, (l4) => worker(l4, done));
    assert.equal(t.run(() => done.value), 'stopped');
    assert.equal(t.run(() => false, 133e6 / 10), 'limit', 'the watchdog ends the run');
    assert.deepEqual(checkL4Invariants(t.kernel), []);
  });

  it('a thread flooding IPC at a deaf server gets send timeouts; the system and its neighbours go on', () => {
    const t = new L4Test({ timer: true });
    const done = { value: false };
    const errors = new Set<number>();
    const deaf = t.task(7, function* (l4) {
      for (;;) yield* l4.compute(1_000_000);
    });
    t.task(5, function* (l4) {
      for (let i = 0; i < 5000; i++) errors.add((yield* l4.ipcSend(deaf, i, i, TIMEOUT_POLL)).error);
    });
    t.task(6, (l4) => worker(l4, done));
    t.run(() => done.value);
    assert.equal(done.value, true);
    assert.deepEqual([...errors], [IPC_ERROR.sendTimeout]);
    assert.deepEqual(checkL4Invariants(t.kernel), []);
  });

  it('allocating without bound: sigma0 answers without a page once memory is gone (no fpage, no crash)', () => {
    const t = new L4Test({}, 12);
    let mapped = 0;
    let refusedAt = -1;
    t.task(5, function* (l4) {
      for (let i = 0; i < 2000 && refusedAt < 0; i++) {
        const r = yield* l4.ipcCall(l4.sigma0, SIGMA0_ANY_PAGE, 0, 0, { receive: receiveWindow(0x40000000 + (i << 12), 12) });
        if (r.error === 0 && (r.dope & 2) !== 0) mapped++;
        else refusedAt = i;
      }
    });
    t.run(() => refusedAt >= 0);
    assert.equal(mapped, (12 - 8) * 256, 'every frame of sigma0 (8-12 MB), then a refusal');
    assert.deepEqual(checkL4Invariants(t.kernel, { deep: true }), []);
  });

  it('a custom server that throws: a clear error with its message; the engine runs the next one', () => {
    const throwing = {
      *server() {
        throw new Error('server exploded');
      },
      *client(l4: L4Api) {
        yield* l4.ipcCall(NIL_ID, 0, 0);
      },
    };
    assert.throws(() => runCustomServer(throwing, { action: 'run', fileName: 'bad.ts', console: () => {} }), /server exploded/);
    const fine = {
      *server(l4: L4Api) {
        for (;;) {
          const r = yield* l4.ipcWait();
          yield* l4.ipcSend({ low: r.sourceLow, high: r.sourceHigh }, 0, 0);
        }
      },
      *client(l4: L4Api, server: { low: number; high: number }, lab: { begin(): void; end(n: number): void }) {
        lab.begin();
        for (let i = 0; i < 10; i++) yield* l4.ipcCall(server, 0, 0);
        lab.end(10);
      },
    };
    assert.doesNotThrow(() => runCustomServer(fine, { action: 'run', fileName: 'good.ts', console: () => {} }));
  });

  it('a custom server that never answers: the run ends with the watchdog\'s clear message', () => {
    const stuck = {
      *server(l4: L4Api) {
        for (;;) yield* l4.compute(10_000_000);
      },
      *client(l4: L4Api, server: { low: number; high: number }, lab: { begin(): void }) {
        lab.begin();
        yield* l4.ipcCall(server, 0, 0);
      },
    };
    assert.throws(() => runCustomServer(stuck, { action: 'run', fileName: 'stuck.ts', console: () => {} }), /benchmark did not finish \(limit\)/);
  });

  it('a custom server asking to compute NaN or negative cycles gets a clear error, not a silent no-op', () => {
    for (const cycles of [Number.NaN, -5]) {
      const module = {
        *server(l4: L4Api) {
          yield* l4.compute(cycles);
        },
        *client(l4: L4Api, server: { low: number; high: number }) {
          yield* l4.ipcCall(server, 0, 0);
        },
      };
      assert.throws(() => runCustomServer(module, { action: 'run', fileName: 'nan.ts', console: () => {} }), /compute\((NaN|-5)\): the number of cycles must be 0 or more/);
    }
  });

  it('a run that finishes although a thread died on the way says so beside its figures', () => {
    const dying = {
      *server(l4: L4Api) {
        yield* l4.write(0xf0000000, new Uint8Array(4)); // kernel space: #GP, no handler
      },
      *client(l4: L4Api, server: { low: number; high: number }, lab: { begin(): void; end(n: number): void }) {
        lab.begin();
        yield* l4.ipcCall(server, 0, 0, TIMEOUT_POLL);
        lab.end(1);
      },
    };
    let output = '';
    runCustomServer(dying, { action: 'run', fileName: 'dying.ts', console: (text) => (output += text) });
    assert.match(output, /\[L4 kernel\] \[\d+\] thread 5\.0 stopped: unhandled exception 13/);
  });
});
