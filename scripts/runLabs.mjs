// npm run test:labs: runs every bundled lab (labs/*.l4lab) headless through `l4lab lab run`, as CI
// does; fails when a cell of any lab fails. A lab whose `lab.require` names a system or suite this
// engine build does not have yet (`l4lab lab run` exits 69) is reported as skipped, with the reason,
// and does not fail the run. Outputs go to a scratch directory (the bundled files are never rewritten).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `l4lab lab run`'s exit status for a lab that needs something this engine build lacks (EX_UNAVAILABLE). */
const SKIPPED = 69;

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const labs = fs.readdirSync(path.join(root, 'labs')).filter((name) => name.endsWith('.l4lab')).sort();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'l4lab-labs-'));
const counts = { passed: 0, skipped: 0, failed: 0 };
for (const name of labs) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'engine/host/node/cli.ts'), 'lab', 'run', path.join(root, 'labs', name), '--out', path.join(scratch, name)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const seconds = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (result.status === 0) {
    counts.passed++;
    process.stdout.write(`ok      ${name} (${seconds})\n`);
  } else if (result.status === SKIPPED) {
    counts.skipped++;
    const reason = /skipped after [\d.]+ s: (.*)/.exec(result.stdout)?.[1] ?? 'it needs a system or suite this engine build does not have yet';
    process.stdout.write(`skipped ${name} (${seconds}): ${reason}\n`);
  } else {
    counts.failed++;
    process.stdout.write(`FAILED  ${name} (${seconds})\n${result.stdout}`);
  }
}
fs.rmSync(scratch, { recursive: true, force: true });
process.stdout.write(`${counts.passed}/${labs.length} labs passed, ${counts.skipped} skipped (not runnable in this engine build yet), ${counts.failed} failed\n`);
process.exitCode = counts.failed === 0 ? 0 : 1;
