import * as assert from 'node:assert/strict';
import { runSuite } from '../../../engine/bench/suites';

describe('vm suite', () => {
  it('measures the four operations on L4 under a specialized pager', () => {
    const report = runSuite('vm', ['l4'], {});
    assert.deepEqual(report.results.map((r) => r.benchmark), ['vm.fault', 'vm.trap', 'vm.appel1', 'vm.appel2']);
    const value = Object.fromEntries(report.results.map((r) => [r.benchmark, r.value]));
    // a trap is part of every fault round trip; appel1 adds a protection to a fault
    assert.ok(value['vm.trap'] < value['vm.fault']);
    assert.ok(value['vm.appel1'] > value['vm.trap']);
    for (const r of report.results) assert.ok((r.breakdown.ipc ?? 0) > 0, `${r.benchmark} goes through IPC`);
  });

  it('measures vm.trap and, with mprotect, vm.appel1/2 on native Linux through a SIGSEGV handler', () => {
    const [record, appel1, appel2] = runSuite('vm', ['linux'], {}).results;
    assert.equal(record.benchmark, 'vm.trap');
    assert.ok(record.value > 1 && record.value < 100, `${record.value} µs`);
    assert.ok((record.breakdown.kernelEntry ?? 0) > 0);
    assert.deepEqual([appel1.benchmark, appel2.benchmark], ['vm.appel1', 'vm.appel2']);
    // appel1 adds a second mprotect to each trap; appel2 shares one mprotect over 100 faults
    assert.ok(appel1.value > appel2.value && appel2.value > record.value, `${record.value} ${appel1.value} ${appel2.value}`);
  });
});
