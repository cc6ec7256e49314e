// The restricted-mode pass of `npm run test:vscode`: runs test/extension/untrusted/ in a real VS Code
// (code-server from the offline rig, ../shared/vscode-rig/) with workspace trust ENABLED and the
// test folder untrusted, so that VS Code's Restricted Mode applies. The rig's own launcher always
// passes --disable-workspace-trust (every folder trusted), so this starts code-server itself and
// reuses the rig's browser and test-run helpers (cs-harness.mjs beside the rig's code-shim.sh).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Settings of the restricted-mode user profile: trust on, no prompt (the folder stays untrusted). */
const SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.startupEditor': 'none',
  'git.enabled': false,
};

/** @returns {Promise<number>} a free loopback port */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Runs the tests at `extensionTestsPath` on `folder` in an untrusted workspace.
 * @param {{ rigDirectory: string, extensionDevelopmentPath: string, extensionTestsPath: string, folder: string }} options
 * @returns {Promise<number>} VS Code's test exit code (1 on a timeout or start failure)
 */
export async function runRestrictedTests({ rigDirectory, extensionDevelopmentPath, extensionTestsPath, folder }) {
  const { launchBrowser, workbenchUrl, runExtensionTests } = await import(pathToFileURL(path.join(rigDirectory, 'cs-harness.mjs')).href);
  const entry = process.env.CODE_SERVER_ENTRY;
  const node = process.env.NODE24;
  if (!entry || !node) throw new Error('set CODE_SERVER_ENTRY and NODE24 (source the rig\'s env.sh)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l4lab-restricted-'));
  const userData = path.join(dir, 'user-data');
  for (const sub of ['user-data/User', 'extensions', 'tmp', 'xdg-config', 'xdg-data', 'xdg-cache']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  fs.writeFileSync(path.join(dir, 'code-server.yaml'), 'auth: none\ncert: false\n');
  const port = await freePort();
  const logFile = path.join(dir, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    node,
    [entry, '--config', path.join(dir, 'code-server.yaml'), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--user-data-dir', userData, '--extensions-dir', path.join(dir, 'extensions'),
      '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--reconnection-grace-time', '5', '--vscode-option', 'enable-smoke-test-driver'],
    {
      detached: true, // its own process group, ended by its id below
      stdio: ['ignore', log, log],
      env: { ...process.env, TMPDIR: path.join(dir, 'tmp'), XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data'), XDG_CACHE_HOME: path.join(dir, 'xdg-cache'), PATH: `${path.dirname(node)}:${process.env.PATH}` },
    },
  );
  let exited = false;
  child.on('exit', () => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  let browser;
  try {
    const deadline = Date.now() + 60000;
    for (;;) {
      if (exited) throw new Error(`code-server exited early:\n${fs.readFileSync(logFile, 'utf8')}`);
      if (await fetch(`${base}/healthz`).then(response => response.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error('code-server did not start in 60 s');
      await new Promise(resolve => setTimeout(resolve, 200));
    }
    const launched = await launchBrowser();
    browser = launched.browser;
    const url = workbenchUrl(base, { folder, extensionDevelopmentPath: [extensionDevelopmentPath], extensionTestsPath });
    const result = await runExtensionTests(launched.page, url, { timeoutMs: 300000, serverLog: logFile });
    if (result === 'timeout') console.error('[test:vscode] restricted mode: timed out waiting for the tests');
    return result === 'timeout' ? 1 : result;
  } finally {
    await browser?.close().catch(() => undefined);
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      for (let i = 0; i < 50 && !exited; i++) await new Promise(resolve => setTimeout(resolve, 100));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
