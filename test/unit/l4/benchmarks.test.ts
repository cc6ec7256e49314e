import * as assert from 'node:assert/strict';
import { measureShortIpc } from '../../../engine/bench/l4/ipcSuite';
import '../../../engine/bench/l4/l4Suites';
import { runSuite } from '../../../engine/bench/suiteRegistry';

describe('L4 benchmarks (bare L4)', () => {
  it('one-way short IPC between small spaces composes to HotOS\'97\'s 121 cycles; large spaces pay CR3 and TLB refills', () => {
    const small = measureShortIpc(true, { mode: 'quick' });
    const large = measureShortIpc(false, { mode: 'quick' });
    assert.ok(Math.abs(small.value - 121) <= 121 * 0.1, `small: ${small.value}`);
    assert.equal(small.breakdown.addressSpaceSwitch, 15);
    assert.equal(small.breakdown.tlbRefill, undefined);
    assert.ok(large.value > small.value + 40, `large: ${large.value}`);
    assert.ok((large.breakdown.tlbRefill ?? 0) > 0);
  });

  it('suite pipe on l4 reports the nine Table 4 records with paper values and breakdowns', function () {
    this.timeout(30000);
    const report = runSuite('pipe', ['l4'], { mode: 'quick' });
    const ids = report.results.map((r) => r.benchmark);
    assert.deepEqual(ids, ['pipe.latency', 'pipe.bandwidth.best', 'pipe.bandwidth.worst', 'rpc.latency', 'rpc.bandwidth.best', 'rpc.bandwidth.worst', 'map-rpc.latency', 'map-rpc.bandwidth.best', 'map-rpc.bandwidth.worst']);
    for (const r of report.results) {
      assert.ok(r.value > 0 && Number.isFinite(r.value), `${r.benchmark} = ${r.value}`);
      assert.ok(r.paper !== null, r.benchmark);
      assert.ok(Object.keys(r.breakdown).length > 0, r.benchmark);
    }
    const value = (id: string) => report.results.find((r) => r.benchmark === id)!.value;
    assert.ok(value('rpc.bandwidth.best') > value('rpc.bandwidth.worst'), 'L2 conflicts cost bandwidth');
    assert.ok(value('map-rpc.bandwidth.best') > 10 * value('rpc.bandwidth.best'), 'mapping beats copying');
    // the pipe copies twice, but its one-page buffer stays in L1 between the copy in and the copy
    // out: better than two L2-to-L2 copies (at most half of one RPC copy's bandwidth)
    assert.ok(value('pipe.bandwidth.best') > value('rpc.bandwidth.best') / 2, 'the pipe buffer stays in L1');
    // determinism: a second run gives the same records, bit for bit
    assert.deepEqual(runSuite('pipe', ['l4'], { mode: 'quick' }).results, report.results);
  });
});
