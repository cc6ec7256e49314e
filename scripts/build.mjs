// Bundles the extension, the engine worker, the CLI and the panel webview with esbuild.
// An entry whose source does not exist yet is skipped with a note. Usage: node scripts/build.mjs [--watch]
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');

/** @type {Array<{ entry: string, outfile: string, options: import('esbuild').BuildOptions, executable?: boolean }>} */
const targets = [
  {
    entry: 'extension/extension.ts',
    outfile: 'dist/extension.js',
    options: { format: 'cjs', platform: 'node', external: ['vscode'], sourcemap: true },
  },
  {
    entry: 'engine/host/node/worker.ts',
    outfile: 'dist/worker.js',
    options: { format: 'cjs', platform: 'node', sourcemap: true },
  },
  {
    entry: 'engine/host/node/reproduceWorker.ts',
    outfile: 'dist/reproduceWorker.js',
    options: { format: 'cjs', platform: 'node', sourcemap: true },
  },
  {
    entry: 'engine/host/node/cli.ts',
    outfile: 'dist/cli.js',
    options: { format: 'cjs', platform: 'node', sourcemap: true, banner: { js: '#!/usr/bin/env node' } },
    executable: true,
  },
  {
    entry: 'webview/panel/main.ts',
    outfile: 'dist/webview/panel.js',
    options: { format: 'iife', platform: 'browser', sourcemap: true, minify: true },
  },
  {
    entry: 'webview/renderer/index.ts',
    outfile: 'dist/webview/renderer.js',
    options: { format: 'esm', platform: 'browser', sourcemap: true, minify: true },
  },
];

/** @param {boolean} executable @returns {import('esbuild').Plugin} */
function report(executable) {
  return {
    name: 'l4lab-report',
    setup(build) {
      build.onEnd(result => {
        const outfile = /** @type {string} */ (build.initialOptions.outfile);
        if (result.errors.length === 0) {
          if (executable) fs.chmodSync(outfile, 0o755);
          if (watch) console.log(`[build] rebuilt ${path.relative(root, outfile)}`);
        }
      });
    },
  };
}

const started = performance.now();
const contexts = [];
for (const target of targets) {
  const entry = path.join(root, target.entry);
  if (!fs.existsSync(entry)) {
    console.log(`[build] skipped ${target.outfile}: ${target.entry} does not exist yet`);
    continue;
  }
  contexts.push(
    await esbuild.context({
      entryPoints: [entry],
      outfile: path.join(root, target.outfile),
      bundle: true,
      target: target.options.platform === 'node' ? 'node20' : 'es2022',
      logLevel: 'warning',
      ...target.options,
      plugins: [report(target.executable ?? false)],
    }),
  );
}

if (watch) {
  await Promise.all(contexts.map(context => context.watch()));
  console.log('[build] watching for changes');
} else {
  try {
    const results = await Promise.allSettled(contexts.map(context => context.rebuild()));
    const failed = results.filter(result => result.status === 'rejected').length;
    if (failed > 0) {
      console.error(`[build] ${failed} bundle(s) failed`);
      process.exitCode = 1;
    } else {
      console.log(`[build] ${contexts.length} bundle(s) in ${Math.round(performance.now() - started)} ms`);
    }
  } finally {
    await Promise.all(contexts.map(context => context.dispose()));
  }
}
