import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../../../engine/host/node/cli.ts');

function l4lab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', CLI, ...args], { encoding: 'utf8', timeout: 60000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('l4lab fuzz', function () {
  this.timeout(60000);

  it('fuzz l4 --json prints one JSON document with ops, seed, violations and engineExceptions; byte-identical on a rerun', () => {
    const first = l4lab('fuzz', 'l4', '--ops', '300', '--seed', '3', '--json');
    assert.equal(first.status, 0, first.stderr);
    const report = JSON.parse(first.stdout) as { ops: number; seed: number; violations: unknown[]; engineExceptions: unknown[] };
    assert.equal(report.ops, 300);
    assert.equal(report.seed, 3);
    assert.deepEqual(report.violations, []);
    assert.deepEqual(report.engineExceptions, []);
    assert.equal(l4lab('fuzz', 'l4', '--ops', '300', '--seed', '3', '--json').stdout, first.stdout);
  });

  it('fuzz linux needs a known system; --skip-missing says why and exits 0; bad numbers are usage errors', () => {
    assert.equal(l4lab('fuzz', 'linux', '--ops', '10').status, 2);
    const missing = l4lab('fuzz', 'linux', '--system', 'no-such', '--skip-missing');
    assert.equal(missing.status, 0);
    assert.match(missing.stderr, /skipped: 'no-such' is not a bootable system/);
    const bad = l4lab('fuzz', 'l4', '--ops', '-5');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--ops expects a whole number/);
    const ok = l4lab('fuzz', 'linux', '--system', 'linux', '--ops', '200', '--seed', '2');
    assert.equal(ok.status, 0, ok.stdout);
    assert.match(ok.stdout, /violations: 0, engine exceptions: 0/);
  });
});
