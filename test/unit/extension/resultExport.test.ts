import assert from 'node:assert/strict';
import { differencePercent, recordsToCsv, recordsToMarkdown } from '../../../extension/resultExport';
import type { PanelRecord } from '../../../webview/panelProtocol';

const records: PanelRecord[] = [
  { suite: 'getpid', system: 'linux', benchmark: 'getpid', unit: 'us', value: 1.68, paper: 1.68, breakdown: { kernelEntry: 82, kernel: 141 } },
  { suite: 'getpid', system: 'l4linux', benchmark: 'getpid', unit: 'cycles', value: 330, paper: 300, breakdown: { ipc: 200 } },
  { suite: 'lmbench', system: 'l4', benchmark: 'name, with "quotes" | bar', unit: 'MB/s', value: 40, paper: null, breakdown: {} },
];

describe('result export', () => {
  it('computes the difference to the paper in percent', () => {
    assert.equal(differencePercent({ value: 330, paper: 300 }), 10);
    assert.equal(differencePercent({ value: 1, paper: null }), null);
    assert.equal(differencePercent({ value: 1, paper: 0 }), null);
  });

  it('writes RFC 4180 CSV with one column per cycle category', () => {
    const lines = recordsToCsv(records).split('\r\n');
    assert.equal(lines[0], 'suite,system,benchmark,unit,simulated,paper,difference_percent,cycles_kernelEntry,cycles_kernel,cycles_ipc');
    assert.equal(lines[1], 'getpid,linux,getpid,us,1.68,1.68,0,82,141,');
    assert.equal(lines[2], 'getpid,l4linux,getpid,cycles,330,300,10,,,200');
    assert.equal(lines[3], 'lmbench,l4,"name, with ""quotes"" | bar",MB/s,40,,,,,');
    assert.equal(lines[4], '');
  });

  it('writes one Markdown table per suite, escaping pipes', () => {
    const markdown = recordsToMarkdown(records, 'Pentium 133 MHz');
    assert.match(markdown, /^# L4 Lab results\n\nMachine: Pentium 133 MHz\n/);
    assert.match(markdown, /## getpid\n\n\| benchmark \| system \| unit \| simulated \| paper \| difference \|/);
    assert.match(markdown, /\| getpid \| l4linux \| cycles \| 330 \| 300 \| \+10\.0 % \|/);
    assert.match(markdown, /\| name, with "quotes" \\\| bar \| l4 \| MB\/s \| 40 \| – \| – \|/);
    assert.match(recordsToMarkdown([]), /No results yet/);
  });
});
