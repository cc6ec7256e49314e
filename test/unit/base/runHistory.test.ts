import * as assert from 'node:assert/strict';
import { RunHistory, userModeAt } from '../../../engine/base/runHistory';

describe('RunHistory: what was running when a sampled event became due', () => {
  it('gives the value recorded last at or before a cycle, the initial one before any record', () => {
    const history = new RunHistory<string | null>(null, 4);
    assert.equal(history.valueAt(100), null);
    history.record(10, 'a');
    history.record(20, 'b');
    history.record(30, null);
    assert.equal(history.valueAt(5), null);
    assert.equal(history.valueAt(10), 'a');
    assert.equal(history.valueAt(25), 'b');
    assert.equal(history.valueAt(35), null);
  });

  it('keeps only its last records: an older cycle gets the oldest kept', () => {
    const history = new RunHistory<number>(0, 3);
    for (let i = 1; i <= 5; i++) history.record(i * 10, i);
    assert.equal(history.valueAt(50), 5);
    assert.equal(history.valueAt(45), 4);
    assert.equal(history.valueAt(1), 3);
  });

  it('userModeAt: user before a later kernel entry, or after a return no later than the cycle; kernel in between', () => {
    assert.equal(userModeAt({ kernelEnteredAt: 100, kernelLeftAt: 50 }, 80), true); // entered after
    assert.equal(userModeAt({ kernelEnteredAt: 100, kernelLeftAt: 50 }, 120), false); // still in the kernel
    assert.equal(userModeAt({ kernelEnteredAt: 100, kernelLeftAt: 150 }, 120), false); // left after the cycle
    assert.equal(userModeAt({ kernelEnteredAt: 100, kernelLeftAt: 150 }, 160), true); // back in user mode
  });
});
