import assert from 'node:assert/strict';
import type { PanelRecord } from '../../../webview/panelProtocol';
import { bySystem, difference, figure6, format, slowdown, tabOf, table4Order, table4Row } from '../../../webview/panel/panelModel';

const record = (system: string, benchmark: string, unit: string, value: number, paper: number | null = null): PanelRecord => ({ suite: 'lmbench', system, benchmark, unit, value, paper, breakdown: {} });

describe('panel model', () => {
  it('puts each suite on its tab', () => {
    assert.deepEqual(['lmbench', 'pipe', 'ipc', 'getpid', 'custom', 'hbench', 'aim'].map(tabOf), ['lmbench', 'pipe', 'pipe', 'getpid', 'custom', 'macro', 'macro']);
  });

  it('normalizes to native Linux as Figure 6 does: times for latencies, inverse for bandwidths', () => {
    assert.equal(slowdown(record('l4linux', 'lat', 'us', 3), record('linux', 'lat', 'us', 2)), 1.5);
    assert.equal(slowdown(record('l4linux', 'bw', 'MB/s', 20), record('linux', 'bw', 'MB/s', 40)), 2);
    assert.equal(slowdown(record('l4linux', 'bw', 'MB/s', 20), undefined), null);
  });

  it('builds one Figure 6 series per non-Linux system, in the paper\'s order, each in its own colour', () => {
    const records = [record('mklinux-user', 'lat', 'us', 8), record('linux', 'lat', 'us', 2), record('l4linux', 'lat', 'us', 3), record('linux', 'bw', 'MB/s', 40), record('l4linux', 'bw', 'MB/s', 20)];
    const { benchmarks, series } = figure6(records);
    assert.deepEqual(benchmarks, ['lat', 'bw']);
    assert.deepEqual(series, [
      { label: 'L4Linux', colourIndex: 0, values: [1.5, 2] },
      { label: 'MkLinux (user)', colourIndex: 3, values: [4, null] },
    ]);
    assert.deepEqual(figure6([record('l4linux', 'lat', 'us', 3)]).series, []);
  });

  it('formats values and differences to the paper', () => {
    assert.deepEqual([format(1234.5), format(12.34), format(1.234)], ['1235', '12.3', '1.23']);
    assert.equal(difference(record('l4', 'x', 'us', 5.5, 5)), '+10.0 %');
    assert.equal(difference(record('l4', 'x', 'us', 4.5, 5)), '-10.0 %');
    assert.equal(difference(record('l4', 'x', 'us', 4.5, null)), '–');
    assert.ok(bySystem('linux', 'l4') < 0 && bySystem('l4', 'unknown') < 0);
  });

  it('orders the pipe/RPC tab as the paper\'s Table 4: rows (1), (1a)-(1d), (2)-(4), latency before bandwidth', () => {
    const pipe = (system: string, benchmark: string) => ({ ...record(system, benchmark, benchmark.includes('latency') ? 'us' : 'MB/s', 1), suite: benchmark.startsWith('ipc') ? 'ipc' : 'pipe' });
    const shuffled = [
      pipe('l4', 'map-rpc.bandwidth.best'),
      pipe('l4', 'ipc.short.small'),
      pipe('l4', 'rpc.latency'),
      pipe('mklinux-kernel', 'pipe.latency'),
      pipe('l4', 'pipe.bandwidth.best'),
      pipe('linux', 'pipe.bandwidth'),
      pipe('l4', 'map-rpc.latency'),
      pipe('l4', 'pipe.bandwidth.worst'),
      pipe('l4linux', 'pipe.latency'),
      pipe('linux', 'pipe.latency'),
      pipe('mklinux-user', 'pipe.latency'),
      pipe('l4linux-trampoline', 'pipe.latency'),
      pipe('l4', 'pipe.latency'),
    ];
    const ordered = table4Order(shuffled).map(r => `${table4Row(r) ?? '-'} ${r.system} ${r.benchmark}`);
    assert.deepEqual(ordered, [
      '(1) linux pipe.latency',
      '(1) linux pipe.bandwidth',
      '(1a) l4linux pipe.latency',
      '(1b) l4linux-trampoline pipe.latency',
      '(1c) mklinux-user pipe.latency',
      '(1d) mklinux-kernel pipe.latency',
      '(2) l4 pipe.latency',
      '(2) l4 pipe.bandwidth.worst',
      '(2) l4 pipe.bandwidth.best',
      '(3) l4 rpc.latency',
      '(4) l4 map-rpc.latency',
      '(4) l4 map-rpc.bandwidth.best',
      '- l4 ipc.short.small',
    ]);
  });
});
