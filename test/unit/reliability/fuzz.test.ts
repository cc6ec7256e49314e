import assert from 'node:assert/strict';
import { formatFuzzReport, withShortestFailingPrefix, type FuzzReport } from '../../../engine/fuzz/fuzzReport';
import { runL4Fuzz } from '../../../engine/fuzz/l4Fuzz';
import { runLinuxFuzz } from '../../../engine/fuzz/linuxFuzz';
import { bootableLinuxSystems } from '../../../engine/linux/systems';
import { KNOWN_GAPS } from './knownGaps';


describe('fuzzing (quick tier)', function () {
  this.timeout(180_000);

  it('l4: 10,000 random system calls keep every kernel invariant, and the engine never throws', () => {
    const report = runL4Fuzz({ ops: 10_000, seed: 1 });
    assert.equal(report.ops, 10_000);
    assert.deepEqual(report.violations, [], formatFuzzReport(report));
    assert.deepEqual(report.engineExceptions, [], formatFuzzReport(report));
    for (const kind of ['send', 'call', 'wait', 'longIpc', 'unmap', 'taskNew', 'exRegs', 'exception', 'interrupt', 'raw']) assert.ok((report.kinds[kind] ?? 0) > 0, `no ${kind} operations`);
    // clans and chiefs, and deceiting sends, are part of the mix
    for (const outcome of ['ipc.deceit.sent', 'ipc.received.deceited', 'ipc.received.redirected']) assert.ok((report.outcomes[outcome] ?? 0) > 0, `never saw ${outcome}`);
  });

  it('l4: the same seed gives a byte-identical report; another seed a different run', () => {
    const a = JSON.stringify(runL4Fuzz({ ops: 1500, seed: 42 }));
    assert.equal(JSON.stringify(runL4Fuzz({ ops: 1500, seed: 42 })), a);
    assert.notEqual(JSON.stringify(runL4Fuzz({ ops: 1500, seed: 43 })), a);
  });

  it('linux: 10,000 hostile system calls on native Linux return Linux 2.0\'s errno, and the engine never throws', () => {
    const report = runLinuxFuzz({ system: 'linux', ops: 10_000, seed: 1 });
    assert.equal(report.ops, 10_000);
    assert.deepEqual(report.violations, [], formatFuzzReport(report));
    assert.deepEqual(report.engineExceptions, [], formatFuzzReport(report));
    for (const errno of ['EBADF', 'EFAULT', 'EINVAL', 'ENOENT', 'ENOSYS', 'ESPIPE', 'ESRCH', 'ECHILD']) assert.ok((report.outcomes[errno] ?? 0) > 0, `never saw ${errno}`);
  });

  it('linux: the same seed gives a byte-identical report', () => {
    const a = JSON.stringify(runLinuxFuzz({ system: 'linux', ops: 1000, seed: 7 }));
    assert.equal(JSON.stringify(runLinuxFuzz({ system: 'linux', ops: 1000, seed: 7 })), a);
  });

  for (const system of bootableLinuxSystems().filter((name) => name !== 'linux')) {
    // a system with a known gap runs without the misbehaving children (tested apart, see knownGaps.ts)
    it(`linux: 10,000 hostile system calls on ${system}${KNOWN_GAPS[system] !== undefined ? ' (no wild children: known gap)' : ''}`, () => {
      const report = runLinuxFuzz({ system, ops: 10_000, seed: 1, hostileChildren: KNOWN_GAPS[system] === undefined, shrink: false });
      assert.deepEqual(report.engineExceptions, [], formatFuzzReport(report));
      assert.deepEqual(report.violations, [], formatFuzzReport(report));
    });
  }

  it('a failure is shrunk to the shortest prefix of the same seed that still fails, and printed for replay', () => {
    const run = (ops: number): FuzzReport => ({ fuzzer: 'l4', system: 'l4', seed: 9, ops, requestedOps: ops, violations: ops >= 1234 ? [{ op: 1233, operation: 'x', message: 'broken' }] : [], engineExceptions: [], kinds: {}, outcomes: {}, simulatedCycles: 0 });
    const shrunk = withShortestFailingPrefix(run(5000), run);
    assert.equal(shrunk.shortestFailingPrefix, 1234);
    assert.match(formatFuzzReport(shrunk), /replay: --seed 9 --ops 1234 \(shortest failing prefix\)/);
    assert.equal(withShortestFailingPrefix(run(100), run).shortestFailingPrefix, undefined);
  });

  it('linux: an unknown system is a clear RangeError', () => {
    assert.throws(() => runLinuxFuzz({ system: 'no-such-linux', ops: 1, seed: 1 }), /cannot boot 'no-such-linux' \(available: linux/);
  });
});
