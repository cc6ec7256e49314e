// npm start: build if needed, then reproduce the paper's tables with the command-line interface.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureBuilt, root } from './ensureBuilt.mjs';

if (!ensureBuilt()) process.exit(1);
const result = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'reproduce', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
