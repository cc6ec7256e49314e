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
