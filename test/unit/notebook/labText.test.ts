// The plain-text fallbacks of lab outputs (what `l4lab lab run` and diffs show) and the lab's
// small-spaces what-if.
import assert from 'node:assert/strict';
import { Lab, formatLabChart } from '../../../engine/api/lab';

describe('lab text output', () => {
  it('lines a chart up: one label column, one number format, bars scaled to the largest value', () => {
    const text = formatLabChart({ title: 'cycles', unit: 'cycles', labels: ['getpid (l4linux)', 'getpid (linux)'], series: [{ name: 'kernel', values: [164.1, 82] }, { name: 'tlbRefill', values: [24.1, 0] }] });
    const lines = text.split('\n');
    assert.equal(lines[0], 'cycles');
    const columns = lines.slice(1).map((line) => line.indexOf(' cycles'));
    assert.ok(columns.every((column) => column === columns[0]), `values not aligned:\n${text}`);
    assert.match(lines[1]!, /getpid \(l4linux\) kernel\s+164\.1 cycles  #{30}$/);
    assert.match(lines[2]!, /getpid \(l4linux\) tlbRefill\s+24\.1 cycles  #{4}$/);
    assert.match(lines[3]!, /\s82\.0 cycles  #{15}$/);
  });

  it('takes the small-spaces what-if as true, false or undefined and rejects anything else', () => {
    const lab = new Lab(() => undefined);
    assert.match(lab.setSmallSpaces(false), /off \(what-if\)/);
    assert.match(lab.setSmallSpaces(undefined), /as published/);
    assert.throws(() => lab.setSmallSpaces('off' as never), /setSmallSpaces takes true, false or undefined, not "off"/);
  });
});
