import * as assert from 'node:assert/strict';
import { CODE_LINE_BYTES_PER_INSTRUCTION, splitIntoRuns, wholeLineBytes } from '../../../engine/base/codeLayout';

describe('compiled code layout: lines touched per instruction and runs of lines', () => {
  it('rounds a block of code up to whole 32-byte lines', () => {
    assert.equal(wholeLineBytes(0, 32), 0);
    assert.equal(wholeLineBytes(1, 32), 32);
    assert.equal(wholeLineBytes(32, 32), 32);
    assert.equal(wholeLineBytes(100 * CODE_LINE_BYTES_PER_INSTRUCTION.value, 32), 480, '100 instructions touch 15 lines');
  });

  it('splits whole lines into round(bytes / runBytes) near-equal runs of whole lines, larger first, adding up', () => {
    assert.deepEqual(splitIntoRuns(0, 185, 32), []);
    assert.deepEqual(splitIntoRuns(32, 185, 32), [32], 'a one-line path is one run');
    assert.deepEqual(splitIntoRuns(96, 185, 32), [96], 'shorter than half a run: one run');
    assert.deepEqual(splitIntoRuns(480, 185, 32), [160, 160, 160]);
    assert.deepEqual(splitIntoRuns(544, 185, 32), [192, 192, 160]);
    for (const bytes of [64, 224, 1152, 4096]) {
      const runs = splitIntoRuns(bytes, 185, 32);
      assert.equal(runs.reduce((a, b) => a + b, 0), bytes, `${bytes} B`);
      assert.equal(runs.length, Math.max(1, Math.round(bytes / 185)));
      assert.ok(runs.every((run) => run % 32 === 0 && run > 0));
      assert.ok(Math.max(...runs) - Math.min(...runs) <= 32, 'as equal as whole lines allow');
      assert.deepEqual(splitIntoRuns(bytes, 185, 32), runs, 'deterministic');
    }
  });
});
