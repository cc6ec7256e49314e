// npm run test:labs: runs every bundled lab (labs/*.l4lab) headless through `l4lab lab run`, as CI
// does; fails when a cell of any lab fails. Outputs go to a scratch directory (the bundled files are
// never rewritten).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const labs = fs.readdirSync(path.join(root, 'labs')).filter((name) => name.endsWith('.l4lab')).sort();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'l4lab-labs-'));
let failed = 0;
for (const name of labs) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'engine/host/node/cli.ts'), 'lab', 'run', path.join(root, 'labs', name), '--out', path.join(scratch, name)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const ok = result.status === 0;
  if (!ok) failed++;
  process.stdout.write(`${ok ? 'ok    ' : 'FAILED'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n${ok ? '' : result.stdout}`);
}
fs.rmSync(scratch, { recursive: true, force: true });
process.stdout.write(`${labs.length - failed}/${labs.length} labs passed\n`);
process.exitCode = failed === 0 ? 0 : 1;
