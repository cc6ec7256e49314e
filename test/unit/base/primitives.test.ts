import * as assert from 'node:assert/strict';
import { BitLayout } from '../../../engine/base/bitField';
import { CycleAccounting, scaleBreakdown } from '../../../engine/base/cycleAccounting';
import { FrameAllocator } from '../../../engine/base/frameAllocator';
import { defineParameters, ParameterTable } from '../../../engine/base/parameters';
import { SeededRandom } from '../../../engine/base/random';
import { StatRegistry } from '../../../engine/base/stats';
import { decodeUtf8, encodeUtf8 } from '../../../engine/base/text';
import { TraceBuffer } from '../../../engine/base/trace';

describe('BitLayout', () => {
  const layout = new BitLayout('T', { low: { shift: 0, width: 4 }, mid: { shift: 4, width: 8 }, top: { shift: 31, width: 1 } });

  it('encodes and decodes declared fields', () => {
    const word = layout.encode({ low: 9, mid: 0xab, top: 1 });
    assert.equal(word, 0x80000ab9);
    assert.deepEqual(layout.decode(word), { low: 9, mid: 0xab, top: 1 });
    assert.equal(layout.get(layout.set(word, 'mid', 1), 'mid'), 1);
  });

  it('rejects values that do not fit and overlapping declarations', () => {
    assert.throws(() => layout.encode({ low: 16 }), RangeError);
    assert.throws(() => new BitLayout('bad', { a: { shift: 0, width: 4 }, b: { shift: 3, width: 2 } }), /overlaps/);
  });
});

describe('SeededRandom', () => {
  it('repeats exactly for a seed and differs across seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const xs = Array.from({ length: 8 }, () => a.nextU32());
    assert.deepEqual(xs, Array.from({ length: 8 }, () => b.nextU32()));
    assert.notDeepEqual(xs, Array.from({ length: 8 }, () => c.nextU32()));
    for (let i = 0; i < 1000; i++) {
      const v = a.below(10);
      assert.ok(v >= 0 && v < 10 && Number.isInteger(v));
    }
  });
});

describe('StatRegistry and TraceBuffer', () => {
  it('declares counters and formulas with units, resets by prefix', () => {
    const stats = new StatRegistry();
    const hits = stats.counter('machine.x.hits', 'accesses', 'hits');
    stats.formula('machine.x.double', 'accesses', 'twice the hits', () => hits.value * 2);
    hits.value = 5;
    assert.deepEqual(stats.snapshot('machine.x'), { 'machine.x.hits': 5, 'machine.x.double': 10 });
    assert.throws(() => stats.counter('machine.x.hits', 'a', 'b'), /twice/);
    stats.reset('machine.');
    assert.equal(stats.get('machine.x.hits'), 0);
    assert.equal(stats.describe()[0].unit, 'accesses');
  });

  it('records nothing while a point is disabled, and keeps time order', () => {
    const trace = new TraceBuffer(2);
    const point = trace.point('ipc.send', 'an IPC send');
    point.emit(1, { a: 1 });
    assert.equal(trace.drain().length, 0);
    trace.enable('ipc');
    point.emit(2, { a: 2 });
    point.emit(3, { a: 3 });
    point.emit(4, { a: 4 });
    assert.deepEqual(trace.drain().map((r) => r.time), [3, 4]);
  });
});

describe('CycleAccounting', () => {
  it('sums categories and phases', () => {
    const accounting = new CycleAccounting();
    accounting.byCategory[0] += 10;
    accounting.byCategory[1] += 30;
    accounting.setPhase('send', 0);
    accounting.setPhase('reply', 25);
    accounting.setPhase(null, 40);
    assert.equal(accounting.total(), 40);
    assert.deepEqual(accounting.breakdown(), { user: 10, kernelEntry: 30 });
    assert.deepEqual(accounting.phaseTotals(), { send: 25, reply: 15 });
    assert.deepEqual(scaleBreakdown(accounting.breakdown(), 10), { user: 1, kernelEntry: 3 });
  });
});

describe('ParameterTable', () => {
  const specs = defineParameters({
    clock: { value: 133, unit: 'MHz', min: 1, max: 1000, provenance: 'R', source: 'paper', description: 'clock' },
    tagged: { value: false, unit: 'flag', provenance: 'R', source: 'manual', description: 'tags' },
    seed: { value: 7, unit: 'seed', min: 0, integer: true, provenance: 'I', source: 'fixed', description: 'a draw' },
  });

  it('applies valid overrides and reports defaults', () => {
    const table = new ParameterTable('t', specs, { clock: 200, tagged: true });
    assert.equal(table.values.clock, 200);
    assert.equal(table.values.tagged, true);
    assert.equal(table.rows()[0].defaultValue, 133);
  });

  it('rejects unknown names, wrong types and out-of-range values', () => {
    assert.throws(() => new ParameterTable('t', specs, { nope: 1 } as never), /unknown parameter/);
    assert.throws(() => new ParameterTable('t', specs, { clock: true } as never), TypeError);
    assert.throws(() => new ParameterTable('t', specs, { clock: 0 }), /below/);
  });

  it('refuses a fraction for a whole-number parameter, and takes one elsewhere', () => {
    assert.throws(() => new ParameterTable('t', specs, { seed: 1.5 }), /whole number/);
    assert.equal(new ParameterTable('t', specs, { seed: 3 }).values.seed, 3);
    assert.equal(new ParameterTable('t', specs, { clock: 133.5 }).values.clock, 133.5);
  });
});

describe('FrameAllocator', () => {
  it('allocates next-fit, detects double release and exhaustion', () => {
    const frames = new FrameAllocator(16, 4);
    assert.equal(frames.allocate(), 16 * 4096);
    assert.equal(frames.allocateContiguous(2, 2), 18 * 4096);
    assert.equal(frames.freeFrames, 1);
    frames.release(16 * 4096);
    assert.throws(() => frames.release(16 * 4096), /twice/);
    assert.equal(frames.allocate(), 17 * 4096);
    assert.equal(frames.allocate(), 16 * 4096);
    assert.equal(frames.allocate(), -1);
  });
});

describe('UTF-8', () => {
  it('round-trips text including non-ASCII', () => {
    const text = 'µ-kernel → L4 ✓ 𝄞';
    assert.equal(decodeUtf8(encodeUtf8(text)), text);
    assert.deepEqual([...encodeUtf8('µ')], [0xc2, 0xb5]);
    assert.equal(decodeUtf8(Uint8Array.from([0xff, 0x41])), '\ufffdA');
  });
});
