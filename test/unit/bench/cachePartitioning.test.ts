import * as assert from 'node:assert/strict';
import { colouredFrameIndex, MATRIX_COLOURS } from '../../../engine/bench/l4/cachePartitioning';
import { L4BenchSystem } from '../../../engine/bench/l4/l4System';
import { interruptId, type L4Api } from '../../../engine/l4/guestApi';

const COLOURS = 64;

describe('cache-partitioning experiment', () => {
  it('gives the matrix task enough colours of its own for its 96 KB, and the load only the others', () => {
    assert.equal(MATRIX_COLOURS, 24);
    const matrix = Array.from({ length: MATRIX_COLOURS }, (_, n) => colouredFrameIndex(true, n) % COLOURS);
    assert.equal(new Set(matrix).size, MATRIX_COLOURS, 'each matrix page has a colour of its own');
    const load = Array.from({ length: 4 * COLOURS }, (_, n) => colouredFrameIndex(false, n) % COLOURS);
    assert.ok(load.every((colour) => colour >= MATRIX_COLOURS), 'the load never gets a matrix colour');
    assert.equal(new Set([...Array.from({ length: 100 }, (_, n) => colouredFrameIndex(true, n)), ...load.map((_, n) => colouredFrameIndex(false, n))]).size, 100 + load.length, 'no frame is handed out twice');
  });

  it('lets a higher-priority thread attached to a 10 kHz PIT preempt a computing thread every 100 µs', () => {
    const system = new L4BenchSystem({ hz: 10_000 });
    let rounds = 0;
    system.kernel.createBootTask(30, function* (l4: L4Api) {
      for (;;) {
        const interrupt = yield* l4.ipcReceive(interruptId(0));
        if (interrupt.error === 0) rounds++;
      }
    }, { priority: system.kernel.p.defaultPriority + 10 });
    system.kernel.createBootTask(20, function* (l4: L4Api) {
      const start = l4.now();
      system.begin();
      while (l4.now() - start < system.machine.microsecondsToCycles(5_000)) yield* l4.compute(200);
      system.end(1);
    });
    system.run();
    // 5 ms at 99.7 µs per tick: 50 interrupts; the load sees (almost) every one while the other computes
    assert.ok(rounds >= 48 && rounds <= 51, `${rounds} interrupt IPCs in 5 ms`);
  });
});
