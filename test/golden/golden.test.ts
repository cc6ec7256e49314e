/**
 * Golden results: a small set of simulated results per system, kept in results.json. Any change
 * of a simulated figure fails this test until it is explained and accepted with
 * `npm run golden:update` (the commit that changes the file says why the figures moved).
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { benchmarkMachine, listSuites, runSuite } from '../../engine/api';

const GOLDEN = path.join(__dirname, 'results.json');
/** Suites in the golden set; each runs in quick mode on every system it supports. */
const GOLDEN_SUITES = ['getpid', 'pipe', 'ipc'];

function current(): Record<string, unknown> {
  const out: Record<string, unknown> = { machine: benchmarkMachine().figures.map((f) => ({ id: f.id, value: f.value })) };
  const available = new Set(listSuites().map((s) => s.id));
  for (const suite of GOLDEN_SUITES) {
    if (!available.has(suite)) continue;
    out[suite] = runSuite(suite, undefined, { mode: 'quick', seed: 1 }).results.map((r) => ({ system: r.system, benchmark: r.benchmark, unit: r.unit, value: r.value }));
  }
  return out;
}

describe('golden results', function () {
  this.timeout(120000);

  it('match the accepted simulated figures', () => {
    const now = current();
    if (process.env.UPDATE_GOLDEN === '1') {
      fs.writeFileSync(GOLDEN, `${JSON.stringify(now, null, 2)}\n`);
      return;
    }
    assert.ok(fs.existsSync(GOLDEN), 'test/golden/results.json is missing: run npm run golden:update');
    const accepted = JSON.parse(fs.readFileSync(GOLDEN, 'utf8')) as Record<string, unknown>;
    for (const key of Object.keys(now)) {
      assert.ok(key in accepted, `suite ${key} has no accepted golden results: run npm run golden:update and commit them`);
      assert.deepEqual(now[key], accepted[key], `simulated ${key} results changed: explain the change, then npm run golden:update`);
    }
  });

  it('are byte-identical across two runs of the same configuration', () => {
    assert.equal(JSON.stringify(current()), JSON.stringify(current()));
  });
});
