// npm run test:vscode: run test/extension/**/*.test.ts inside a real VS Code extension host.
// 1. npm run build; 2. bundle the tests and their mocha entry (test/extension/index.ts) into
// out/test/extension/; 3. @vscode/test-electron runTests on a scratch copy of test/fixtures/workspace.
// VSCODE_EXECUTABLE, when set, is the VS Code to run (offline: the rig's code-shim.sh, see
// ../shared/vscode-rig/README.md); unset, test-electron downloads VS Code as usual.
// --bundle-only stops after step 2 (the "Extension Tests" launch configuration uses it).
// 4. With the offline rig, test/extension/untrusted/ runs in a second VS Code whose workspace is
// untrusted (Restricted Mode; scripts/vscodeRestricted.mjs). --only=trusted / --only=restricted runs one pass.
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRestrictedTests } from './vscodeRestricted.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'out', 'test', 'extension');
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

/** @param {string} dir @returns {string[]} the *.test.ts files under dir */
function findTests(dir) {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(file => file.endsWith('.test.ts'))
    .map(file => path.join(dir, file));
}

if (!process.argv.includes('--bundle-only')) {
  const build = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

fs.rmSync(outdir, { recursive: true, force: true });
const testDir = path.join(root, 'test', 'extension');
await esbuild.build({
  entryPoints: [path.join(testDir, 'index.ts'), path.join(testDir, 'untrusted', 'index.ts'), ...findTests(testDir)],
  outdir,
  outbase: testDir,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external: ['vscode', 'mocha'], // mocha resolves from the repository's node_modules at run time
  logLevel: 'warning',
});
console.log(`[test:vscode] tests bundled into ${path.relative(root, outdir)} (${seconds()})`);
if (process.argv.includes('--bundle-only')) process.exit(0);

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'l4lab-workspace-'));
fs.cpSync(path.join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
let exitCode = 0;
const only = process.argv.find(argument => argument.startsWith('--only='))?.slice('--only='.length);
try {
  if (only !== 'restricted') {
    await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(outdir, 'index.js'),
      launchArgs: [workspace, '--disable-extensions'],
      // the rig's launcher stops waiting after VSCODE_TEST_TIMEOUT_MS (default 300 s): too short for
      // the whole suite on a loaded machine now that every system runs
      extensionTestsEnv: { VSCODE_TEST_TIMEOUT_MS: process.env.VSCODE_TEST_TIMEOUT_MS ?? '900000' },
    });
    console.log(`[test:vscode] passed (${seconds()})`);
  }
} catch (error) {
  console.error(`[test:vscode] FAILED: ${error instanceof Error ? error.message : String(error)} (${seconds()})`);
  exitCode = 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}

if (only !== 'trusted') {
  // Restricted Mode needs a VS Code started without --disable-workspace-trust, which runTests always passes.
  const rigDirectory = process.env.VSCODE_EXECUTABLE ? path.dirname(process.env.VSCODE_EXECUTABLE) : '';
  if (rigDirectory && fs.existsSync(path.join(rigDirectory, 'cs-harness.mjs'))) {
    const untrusted = fs.mkdtempSync(path.join(os.tmpdir(), 'l4lab-untrusted-'));
    fs.cpSync(path.join(root, 'test', 'fixtures', 'workspace'), untrusted, { recursive: true });
    try {
      const code = await runRestrictedTests({ rigDirectory, extensionDevelopmentPath: root, extensionTestsPath: path.join(outdir, 'untrusted', 'index.js'), folder: untrusted });
      console.log(`[test:vscode] restricted mode ${code === 0 ? 'passed' : 'FAILED'} (${seconds()})`);
      if (code !== 0) exitCode = 1;
    } catch (error) {
      console.error(`[test:vscode] restricted mode FAILED: ${error instanceof Error ? error.message : String(error)}`);
      exitCode = 1;
    } finally {
      fs.rmSync(untrusted, { recursive: true, force: true });
    }
  } else {
    console.log('[test:vscode] restricted-mode tests skipped: they need the offline rig (VSCODE_EXECUTABLE=.../code-shim.sh), which can start VS Code with workspace trust on');
  }
}
process.exit(exitCode);
