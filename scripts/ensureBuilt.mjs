// Runs `npm run build` when dist/cli.js is missing or older than any source it may bundle.
// Used by `npm start` and `npm run bench:machine`; run directly, it exits non-zero if the build fails.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = ['engine', 'extension', 'webview', 'labs', 'package.json', 'package-lock.json', 'scripts/build.mjs'];

/** @param {string} file @returns {number} newest modification time under file (0 if absent) */
function newestMtime(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of fs.readdirSync(file)) newest = Math.max(newest, newestMtime(path.join(file, name)));
  return newest;
}

/** Builds if needed; returns true when dist/cli.js exists afterwards. */
export function ensureBuilt() {
  const cli = path.join(root, 'dist', 'cli.js');
  const built = fs.existsSync(cli) ? fs.statSync(cli).mtimeMs : 0;
  const newest = Math.max(...sources.map(source => newestMtime(path.join(root, source))));
  if (built === 0 || built < newest) {
    console.error(built === 0 ? '[l4lab] building (dist/cli.js is missing)' : '[l4lab] building (sources changed)');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (result.status !== 0) {
      console.error('[l4lab] build failed');
      process.exit(result.status ?? 1);
    }
  }
  if (!fs.existsSync(cli)) {
    console.error('[l4lab] dist/cli.js was not built: engine/host/node/cli.ts does not exist yet');
    return false;
  }
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!ensureBuilt()) process.exit(1);
}
