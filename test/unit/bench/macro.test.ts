import * as assert from 'node:assert/strict';
import { decodeUtf8 } from '../../../engine/base/text';
import { compileTree, compileTreeSources } from '../../../engine/bench/macro/compileTree';
import { runSuite } from '../../../engine/bench/suites';
import { includedHeaders, parseMakefile } from '../../../engine/userland/compilePrograms';

describe('macro benchmarks', () => {
  it('generates the same program tree for a seed, sized by the scale', () => {
    const a = compileTree(0.05, 7);
    const b = compileTree(0.05, 7);
    assert.deepEqual(Object.keys(a), Object.keys(b));
    assert.deepEqual(a['/src/f0.c'], b['/src/f0.c']);
    assert.equal(compileTreeSources(0.05), 6);
    assert.equal(Object.keys(a).filter((p) => p.endsWith('.c')).length, 6);
    const rules = parseMakefile(decodeUtf8(a['/src/Makefile']));
    assert.equal(rules[0].target, 'image');
    assert.equal(rules[0].prerequisites.length, 6);
    assert.deepEqual(rules[1].command, ['cc', '-c', 'f0.c', '-o', 'f0.o', '-I', 'include']);
    assert.equal(includedHeaders(decodeUtf8(a['/src/f0.c'])).length, 6);
  });

  it('compile: make rebuilds the tree on native Linux and reports its real time with the scale', () => {
    const report = runSuite('compile', ['linux'], { scale: 0.02 });
    assert.equal(report.results.length, 1);
    const [record] = report.results;
    assert.equal(record.benchmark, 'compile.seconds');
    assert.equal(record.scale, 0.02);
    assert.equal(record.paper, null);
    assert.ok(record.value > 0.1 && record.value < 60, `compile took ${record.value} s`);
    assert.ok((record.breakdown.user ?? 0) > (record.breakdown.kernel ?? 0), 'a compile is mostly user computation');
  });

  it('compile: rejects a scale out of range', () => {
    assert.throws(() => runSuite('compile', ['linux'], { scale: 0 }), RangeError);
  });

  it('aim: jobs per minute and real time per load, and the maximum', () => {
    const report = runSuite('aim', ['linux'], { scale: 0.1 });
    const ids = report.results.map((r) => `${r.benchmark}@${r.load}`);
    // quick loads 1, 8, 16 scaled by 0.1: 1 and 2 users
    assert.deepEqual(ids.slice(0, 4), ['aim.jobs-per-minute@1', 'aim.real-time@1', 'aim.jobs-per-minute@2', 'aim.real-time@2']);
    const [rate, time, rate2] = report.results;
    assert.ok(Math.abs(rate.value - (5 / time.value) * 60) / rate.value < 0.01);
    const best = report.results[4];
    assert.equal(best.benchmark, 'aim.max-jobs-per-minute');
    assert.equal(best.value, Math.max(rate.value, rate2.value));
  });
});
