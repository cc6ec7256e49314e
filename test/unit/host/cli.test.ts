import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../../../engine/host/node/cli.ts');

function l4lab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', CLI, ...args], { encoding: 'utf8', timeout: 60000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `body` with a boot script (`echo hi`) in a temporary directory, removed afterwards. */
function withBootScript(body: (script: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l4lab-script-'));
  try {
    const script = path.join(dir, 'script.sh');
    fs.writeFileSync(script, 'echo hi\n');
    body(script);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('l4lab command line', function () {
  this.timeout(60000);

  it('machine --json prints one JSON document listing every parameter with unit and source', () => {
    const { status, stdout } = l4lab('machine', '--json');
    assert.equal(status, 0);
    const description = JSON.parse(stdout) as { clockMHz: number; parameters: Array<{ name: string; unit: string; source: string }> };
    assert.equal(description.clockMHz, 133);
    assert.ok(description.parameters.length > 20);
    for (const p of description.parameters) assert.ok(p.unit && p.source, `${p.name} has a unit and a source`);
  });

  it('applies what-if overrides and rejects unknown ones with exit status 2', () => {
    const ok = l4lab('machine', '--json', '--set', 'clockMHz=200', '--set', 'taggedTlb=true');
    assert.equal(JSON.parse(ok.stdout).clockMHz, 200);
    const bad = l4lab('machine', '--set', 'noSuchThing=1');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown parameter/);
  });

  it('--help lists the commands; an unknown command is a usage error', () => {
    const help = l4lab('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /l4lab bench SUITE/);
    assert.match(help.stdout, /l4lab reproduce/);
    const unknown = l4lab('frobnicate');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command/);
  });

  it('--small-spaces off boots L4Linux with a large server space; a bad value is a usage error', () => {
    withBootScript((script) => {
      const off = l4lab('boot', 'l4linux', '--script', script, '--small-spaces', 'off');
      assert.equal(off.status, 0);
      assert.match(off.stdout + off.stderr, /small address spaces: off/);
      assert.match(off.stdout + off.stderr, /Linux server: task 4 \(pager sigma0\), large space/);
      const on = l4lab('boot', 'l4linux', '--script', script);
      assert.match(on.stdout + on.stderr, /Linux server: task 4 \(pager sigma0\), small space/);
      const bench = l4lab('bench', 'getpid', '--system', 'l4linux', '--json', '--small-spaces', 'off');
      assert.equal(bench.status, 0, bench.stderr);
      const report = JSON.parse(bench.stdout) as { machine: string; results: Array<{ benchmark: string; value: number }> };
      assert.match(report.machine, /small spaces off/);
      assert.ok(report.results.find((r) => r.benchmark === 'getpid.cycles')!.value > 600, 'getpid pays the TLB flushes');
      const bad = l4lab('boot', 'l4linux', '--script', script, '--small-spaces', 'maybe');
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--small-spaces expects on or off/);
    });
  });

  it('reproduce writes results.json and report.md to --out', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'l4lab-reproduce-'));
    try {
      const { status, stdout } = l4lab('reproduce', '--json', '--out', out, '--system', 'linux');
      assert.equal(status, 0);
      const document = JSON.parse(stdout) as { records: unknown[]; missing: string[] };
      assert.ok(Array.isArray(document.records));
      assert.ok(fs.existsSync(path.join(out, 'results.json')));
      assert.match(fs.readFileSync(path.join(out, 'report.md'), 'utf8'), /^# L4 Lab reproduction/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('l4lab what-ifs of kernel parameters and too-small machines', function () {
  this.timeout(60000);

  it('parameters --table l4 --json lists the table with the override marked', () => {
    const { status, stdout } = l4lab('parameters', '--table', 'l4', '--json', '--set', 'l4.ipcShortPathCycles=40');
    assert.equal(status, 0);
    const listing = JSON.parse(stdout) as { overrides: Record<string, number>; parameters: Array<{ table: string; qualifiedName: string; value: number; overridden: boolean; unit: string; source: string; provenance: string }> };
    assert.deepEqual(listing.overrides, { 'l4.ipcShortPathCycles': 40 });
    assert.ok(listing.parameters.length > 20 && listing.parameters.every((row) => row.table === 'l4' && row.unit && row.source && row.provenance));
    assert.deepEqual(listing.parameters.filter((row) => row.overridden).map((row) => [row.qualifiedName, row.value]), [['l4.ipcShortPathCycles', 40]]);
  });

  it('bench with --set TABLE.NAME=VALUE records the what-if and says so', () => {
    type Report = { machine: string; overrides?: Record<string, number>; results: Array<{ benchmark: string; value: number }> };
    const small = (report: Report) => report.results.find((r) => r.benchmark === 'ipc.short.small')!.value;
    const json = l4lab('bench', 'ipc', '--json', '--set', 'l4.ipcShortPathCycles=40');
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout) as Report;
    assert.deepEqual(report.overrides, { 'l4.ipcShortPathCycles': 40 });
    const published = JSON.parse(l4lab('bench', 'ipc', '--json').stdout) as Report;
    assert.equal(published.overrides, undefined);
    assert.equal(small(report) - small(published), 20, 'the short IPC path runs 20 more cycles each way');
    const text = l4lab('bench', 'ipc', '--set', 'l4.ipcShortPathCycles=40');
    assert.match(text.stdout, /WHAT-IF RUN, not the paper's configuration: l4\.ipcShortPathCycles=40/);
  });

  it('a bad name or value is a usage error naming the valid choices', () => {
    const typo = l4lab('bench', 'ipc', '--set', 'l4.ipcShortPathCycle=40');
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /did you mean 'l4\.ipcShortPathCycles'\?/);
    const range = l4lab('parameters', '--set', 'l4.ipcShortPathCycles=0');
    assert.equal(range.status, 2);
    assert.match(range.stderr, /allowed: 1 ≤ l4\.ipcShortPathCycles ≤ 1000 cycles/);
    const machineOnly = l4lab('machine', '--set', 'l4.ipcShortPathCycles=40');
    assert.equal(machineOnly.status, 2);
    assert.match(machineOnly.stderr, /concerns the machine alone/);
  });

  it('boot on a machine too small for MkLinux says how much it needs', () => {
    withBootScript((script) => {
      const small = l4lab('boot', 'mklinux-user', '--script', script, '--set', 'memoryMB=12');
      assert.equal(small.status, 2);
      assert.match(small.stderr, /^l4lab: MkLinux \(user-mode server\) needs at least 17 MB of memory, and this machine has 12 MB/);
      assert.doesNotMatch(small.stderr, /\n\s+at /, 'no stack trace');
    });
  });
});

describe('l4lab on a usage mistake or a closed pipe', function () {
  this.timeout(60000);

  it('bench sim refuses an unknown workload and names the ones there are', () => {
    const unknown = l4lab('bench', 'sim', '--only', 'no.such.workload', '--no-reproduce');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown workload no\.such\.workload; the workloads are .*l4\.ipc\.large/);
  });

  it('ends quietly when the reader of its output goes away (l4lab boot | head)', () => {
    withBootScript((script) => {
      const command = `"${process.execPath}" --require tsx/cjs "${CLI}" boot l4linux --script "${script}" | head -1`;
      const piped = spawnSync('sh', ['-c', command], { encoding: 'utf8', timeout: 60000 });
      assert.equal(piped.stdout.split('\n').filter(Boolean).length, 1);
      assert.doesNotMatch(piped.stderr, /EPIPE|\n\s+at /, 'no stack trace');
    });
  });
});
