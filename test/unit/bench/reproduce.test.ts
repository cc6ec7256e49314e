import * as assert from 'node:assert/strict';
import type { ResultRecord } from '../../../engine/bench/records';
import { assembleReproduction, formatReproduction, markdownReproduction, normalizedSlowdown, REPRODUCTION_SUITES, reproductionPlan, whereCyclesWent, type Reproduction } from '../../../engine/bench/reproduce';
import { cycleNarrative } from '../../../engine/bench/cycleNarrative';
import '../../../engine/bench/suites';
import { paperValue } from '../../../engine/bench/reference';

function record(partial: Partial<ResultRecord> & Pick<ResultRecord, 'suite' | 'system' | 'benchmark' | 'unit' | 'value'>): ResultRecord {
  return { paper: paperValue(partial.system, partial.benchmark), breakdown: {}, ...partial };
}

// Synthetic records: these tests check the report layout, not any simulated figure.
const records: ResultRecord[] = [
  record({ suite: 'getpid', system: 'linux', benchmark: 'getpid.cycles', unit: 'cycles', value: 200, breakdown: { kernelEntry: 80, kernel: 120 } }),
  record({ suite: 'getpid', system: 'l4linux', benchmark: 'getpid.cycles', unit: 'cycles', value: 500, breakdown: { kernelEntry: 160, ipc: 140, linuxServer: 200 } }),
  record({ suite: 'lmbench', system: 'linux', benchmark: 'bw.pipe', unit: 'MB/s', value: 40, breakdown: { copy: 100 } }),
  record({ suite: 'lmbench', system: 'l4linux', benchmark: 'bw.pipe', unit: 'MB/s', value: 20, breakdown: { copy: 100, ipc: 100 } }),
  record({ suite: 'lmbench', system: 'linux', benchmark: 'lat.pipe', unit: 'us', value: 30, breakdown: { kernel: 100 } }),
  record({ suite: 'lmbench', system: 'l4linux', benchmark: 'lat.pipe', unit: 'us', value: 45, breakdown: { kernel: 100, ipc: 50 } }),
  record({ suite: 'pipe', system: 'l4', benchmark: 'rpc.bandwidth.best', unit: 'MB/s', value: 100 }),
  record({ suite: 'pipe', system: 'l4', benchmark: 'rpc.bandwidth.worst', unit: 'MB/s', value: 60 }),
];
const reproduction: Reproduction = { machine: 'test machine', mode: 'quick', records, missing: ['aim'] };

describe('reproduce report', () => {
  it('normalizes latencies as system/linux and bandwidths as linux/system', () => {
    assert.equal(normalizedSlowdown(records, 'l4linux', 'lat.pipe'), 1.5);
    assert.equal(normalizedSlowdown(records, 'l4linux', 'bw.pipe'), 2);
    assert.equal(normalizedSlowdown(records, 'mklinux-user', 'bw.pipe'), null);
  });

  it('prints the paper tables with published values beside simulated ones', () => {
    const text = formatReproduction(reproduction);
    assert.match(text, /Table 2: getpid system-call cost/);
    assert.match(text, /L4Linux .* 500 .* 526 .* -5%/);
    assert.match(text, /Figure 6: lmbench/);
    assert.match(text, /\(3\) synchronous L4 RPC .* 60.0–100 .* 65.0–105/);
    assert.match(text, /Not available in this build yet: aim/);
  });

  it('puts the abstract\'s AIM throughput beside the simulated Linux/system ratio', () => {
    const aim = (system: ResultRecord['system'], value: number): ResultRecord[] => [
      record({ suite: 'aim', system, benchmark: 'aim.jobs-per-minute', unit: 'jobs/min', value, load: 8 }),
      record({ suite: 'aim', system, benchmark: 'aim.real-time', unit: 's', value: 1, load: 8 }),
      record({ suite: 'aim', system, benchmark: 'aim.max-jobs-per-minute', unit: 'jobs/min', value, load: 8 }),
    ];
    const text = formatReproduction({ ...reproduction, records: [...aim('linux', 100), ...aim('mklinux-user', 50)], missing: [] });
    // simulated 100/50 = 2.00; the abstract: 35 % lower throughput, 1/0.65 = 1.54
    assert.match(text, /MkLinux \(user\) .* 2\.00 +1\.54/);
    assert.equal(paperValue('l4linux', 'aim.max-throughput-relative'), 0.95);
    // results.json carries the same comparison as records, derived once however often assembled
    const assembled = assembleReproduction({}, [...aim('linux', 100), ...aim('l4linux', 90)], []);
    const again = assembleReproduction({}, assembled.records, []);
    const relative = again.records.filter((r) => r.benchmark === 'aim.max-throughput-relative');
    assert.deepEqual(relative.map((r) => [r.system, r.value, r.paper, r.unit]), [['linux', 1, 1, 'ratio'], ['l4linux', 0.9, 0.95, 'ratio']]);
  });

  it('explains the extra cycles against native Linux by category', () => {
    const table = whereCyclesWent(records);
    assert.ok(table);
    const row = table.rows.find((r) => r[0] === 'L4Linux');
    assert.ok(row);
    assert.match(row[2], /^IPC path/);
  });

  it('writes Markdown tables', () => {
    const md = markdownReproduction(reproduction);
    assert.match(md, /^# L4 Lab reproduction/);
    assert.match(md, /\| System \| µs \| paper µs \|/);
  });
});

describe('reproduce driver and narrative', () => {
  it('lists (suite, system) jobs in the paper order, restricted to the systems asked for', () => {
    const { jobs } = reproductionPlan({ systems: ['l4'] });
    assert.ok(jobs.every((j) => j.system === 'l4'));
    const order = jobs.map((j) => REPRODUCTION_SUITES.indexOf(j.suite as (typeof REPRODUCTION_SUITES)[number]));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.ok(jobs.some((j) => j.suite === 'vm') && jobs.some((j) => j.suite === 'cache-partitioning'));
  });

  it('writes "where the cycles went" from the breakdowns, ranking systems by extra cycles', () => {
    const compile = (system: ResultRecord['system'], value: number, breakdown: ResultRecord['breakdown']) =>
      record({ suite: 'compile', system, benchmark: 'compile.seconds', unit: 's', value, breakdown });
    const all = [...records, compile('linux', 10, { user: 900, kernel: 100 }), compile('l4linux', 10.5, { user: 900, kernel: 100, ipc: 50 }), compile('mklinux-user', 14, { user: 900, kernel: 100, machIpc: 400 }),
      record({ suite: 'getpid', system: 'mklinux-user', benchmark: 'getpid.cycles', unit: 'cycles', value: 14000, breakdown: { kernelEntry: 80, machIpc: 10000, linuxServer: 3920 } })];
    const text = cycleNarrative(all, ['getpid', 'pipe', 'lmbench', 'compile'], (s) => s).join('\n');
    assert.match(text, /## Where the cycles went/);
    assert.match(text, /user code is 90% of native Linux's cycles, so l4linux's \+5% of cycles becomes a slowdown of 1\.050×/);
    assert.match(text, /Ranked by mean extra cycles: l4linux .*, mklinux-user /);
    assert.match(text, /mklinux-user is farther from native Linux than l4linux mainly by Mach IPC/);
  });
});
