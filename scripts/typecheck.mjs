// npm run typecheck: `tsc --noEmit` on each project in parallel. The projects enforce the layering
// with the type system: the engine sees neither DOM nor Node types, the webviews see no Node types.
// A project with no source files yet (TS18003) is skipped with a note.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const projects = ['tsconfig.engine.json', 'tsconfig.json', 'tsconfig.webview.json'];

/** @param {string} project @returns {Promise<{ project: string, code: number, output: string, ms: number }>} */
function check(project) {
  const started = performance.now();
  return new Promise(resolve => {
    const child = spawn(process.execPath, [tsc, '--noEmit', '--pretty', String(Boolean(process.stdout.isTTY)), '-p', project], { cwd: root });
    let output = '';
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    child.on('close', code => resolve({ project, code: code ?? 1, output, ms: performance.now() - started }));
  });
}

let failed = false;
for (const result of await Promise.all(projects.map(check))) {
  const plain = result.output.replace(/\x1b\[[0-9;]*m/g, '');
  const errors = [...plain.matchAll(/error TS(\d+)/g)].map(match => match[1]);
  if (result.code !== 0 && errors.length > 0 && errors.every(code => code === '18003')) {
    console.log(`[typecheck] ${result.project}: skipped, no source files yet`);
  } else if (result.code !== 0) {
    failed = true;
    console.log(`[typecheck] ${result.project}: FAILED`);
    process.stdout.write(result.output);
  } else {
    console.log(`[typecheck] ${result.project}: ok (${(result.ms / 1000).toFixed(1)} s)`);
  }
}
process.exitCode = failed ? 1 : 0;
