// npm run test:ui: a UI check in a real VS Code (code-server) shown in Debian's Chromium, driven by
// Playwright through the rig of ../shared/vscode-rig (see its README). It runs "Run the Pipe/RPC
// Benchmarks" and "Run the Machine Benchmark" from the command palette, opens the benchmark
// panel, checks its content, selects a result for "where the cycles went", and saves screenshots
// in the dark, light and high-contrast themes to ui-screenshots/ (git-ignored).
// Needs the rig's environment: source RIG_DIR/env.sh (CODE_SERVER_ENTRY, NODE24, CHROMIUM).
// Not part of `npm test`: it takes about half a minute and needs the rig.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'ui-screenshots');
const entry = process.env.CODE_SERVER_ENTRY;
if (!entry || !process.env.NODE24) {
  console.error('[test:ui] source the VS Code rig first: source ~/.cache/l4lab-vscode-rig/env.sh (see ../shared/vscode-rig/README.md)');
  process.exit(2);
}
// The rig keeps its harness (and playwright-core) beside code-shim.sh, i.e. in the folder of VSCODE_EXECUTABLE.
const driver = process.env.VSCODE_EXECUTABLE ? path.dirname(process.env.VSCODE_EXECUTABLE) : path.resolve(entry, '../../../../../../driver');
const { startCodeServer, launchBrowser, workbenchUrl } = await import(pathToFileURL(path.join(driver, 'cs-harness.mjs')).href);

const build = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

fs.mkdirSync(outDir, { recursive: true });
const started = Date.now();
const log = (/** @type {unknown[]} */ ...parts) => console.log(`[test:ui ${((Date.now() - started) / 1000).toFixed(1)}s]`, ...parts);
/** @type {string[]} */
const problems = [];
/** One pass: a fresh VS Code in `theme`, the runs, the panel and its screenshots. Returns whether it passed. */
/** @param {{ name: string, setting: string, workbenchClass: string }} theme */
async function check(theme) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l4lab-ui-'));
  const workspace = path.join(dir, 'workspace');
  fs.cpSync(path.join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });

  const userDataDir = path.join(dir, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.colorTheme': theme.setting, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'chat.disableAIFeatures': true, 'git.enabled': false,
    'security.workspace.trust.enabled': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden',
  }, null, 2));
  const server = await startCodeServer({ dir, userDataDir });
  log('code-server up on', server.base);

  let ok = false;
  let browser;
  try {
    const launched = await launchBrowser();
    browser = launched.browser;
    const page = launched.page;
    page.on('pageerror', (/** @type {Error} */ error) => log('pageerror:', error.message));
    await page.goto(workbenchUrl(server.base, { folder: workspace, extensionDevelopmentPath: root }));
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    log('workbench loaded');

    /** Runs a command from the palette by its title (retrying until the extension's contributions appear). */
    const palette = async (/** @type {string} */ title) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        await page.keyboard.press('F1');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
        await page.keyboard.type(title);
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
        try {
          await row.waitFor({ timeout: 1500 });
          await page.keyboard.press('Enter');
          return;
        } catch {
          await page.keyboard.press('Escape');
          await page.waitForTimeout(500);
        }
      }
      throw new Error(`command "${title}" not found in the palette`);
    };

    /** The panel's content frame (VS Code nests it in two iframes). */
    const panelFrame = async () => {
      for (let attempt = 0; attempt < 150; attempt++) {
        for (const frame of page.frames()) {
          try {
            if (await frame.$('#app header')) return frame;
          } catch {
            // frames come and go while the workbench loads
          }
        }
        await page.waitForTimeout(200);
      }
      throw new Error('the benchmark panel never rendered');
    };

    await palette('L4 Lab: Run the Pipe/RPC Benchmarks');
    let frame = await panelFrame();
    log('panel open after the pipe run');
    await page.waitForTimeout(1000);
    const pipeText = await frame.textContent('#view-pipe');
    log('pipe tab:', JSON.stringify(pipeText?.trim().slice(0, 160)));
    // The pipe tab lists Table 4's rows in the paper's order: (1), (1a)-(1d), (2), (3), (4), then rows the table lacks.
    /** @type {string[]} */
    const rowLabels = await frame.$$eval('#view-pipe table.results tbody tr td:first-child', (/** @type {Array<{ textContent: string | null }>} */ nodes) => nodes.map(node => node.textContent?.trim() ?? ''));
    log('Table 4 rows in the pipe tab:', rowLabels.join(' '));
    const paperOrder = ['(1)', '(1a)', '(1b)', '(1c)', '(1d)', '(2)', '(3)', '(4)', ''];
    const ranks = rowLabels.map(label => paperOrder.indexOf(label));
    if (rowLabels.length === 0 || ranks.some((rank, i) => rank < 0 || (i > 0 && rank < (ranks[i - 1] ?? 0)))) problems.push(`the pipe tab is not in Table 4's row order: ${rowLabels.join(' ')}`);

    // "Boot a System in a Terminal" offers the systems the engine registers as bootable.
    await palette('L4 Lab: Boot a System in a Terminal');
    const bootRows = page.locator('.quick-input-list .monaco-list-row .label-name');
    /** @type {string[]} */
    let bootable = [];
    for (let attempt = 0; attempt < 150; attempt++) {
      // the command palette's own row shows until the engine has answered and the system pick opens
      bootable = (/** @type {string[]} */ (await bootRows.allTextContents())).map(text => text.trim());
      if (bootable.length > 0 && !bootable.some(label => label.startsWith('L4 Lab:'))) break;
      await page.waitForTimeout(200);
    }
    log('bootable systems offered:', bootable.join(', '));
    if (!bootable.includes('linux')) problems.push(`"Boot a System" does not offer linux: ${bootable.join(', ')}`);
    await page.keyboard.press('Escape');

    const notes = await frame.$$eval('.note', (/** @type {Array<{ textContent: string | null }>} */ nodes) => nodes.map(node => node.textContent?.trim()));
    log('notes:', JSON.stringify(notes));

    await palette('L4 Lab: Run the Machine Benchmark');
    frame = await panelFrame();
    // the run takes a few seconds alone, several times that on a loaded machine: wait up to 90 s
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
      if ((await frame.$$('#view-machine table.results tbody tr')).length > 0) break;
      await page.waitForTimeout(200);
    }
    const figures = (await frame.$$('#view-machine table.results tbody tr')).length;
    log('machine figures in the panel:', figures);
    if (figures === 0) problems.push('no machine figures in the panel');

    // Show the pipe tab if it has results, else the machine tab; select the first result row with the keyboard.
    const hasPipe = (await frame.$$('#view-pipe table.results tbody tr')).length > 0;
    await frame.click(hasPipe ? '#tab-pipe' : '#tab-machine');
    await page.waitForTimeout(300);
    const firstRow = frame.locator(`${hasPipe ? '#view-pipe' : '#view-machine'} table.results tbody tr`).first();
    await firstRow.focus();
    await page.keyboard.press('Enter');
    await frame.waitForSelector('.cycles canvas', { timeout: 10000 });
    await page.waitForTimeout(800);
    const cycles = await frame.textContent('.cycles p');
    log('where the cycles went:', JSON.stringify(cycles?.trim()));
    const csp = await frame.$eval('meta[http-equiv="Content-Security-Policy"]', (/** @type {{ getAttribute(name: string): string | null }} */ node) => node.getAttribute('content'));
    log('CSP:', csp);
    if (!/script-src 'nonce-/.test(csp ?? '')) problems.push('no nonce in the CSP');

    const shoot = async (/** @type {string} */ name) => {
      await page.screenshot({ path: path.join(outDir, `workbench-${name}.png`) });
      await page.locator('iframe.webview').first().screenshot({ path: path.join(outDir, `panel-${name}.png`) });
      await frame.locator('.cycles').scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      await page.locator('iframe.webview').first().screenshot({ path: path.join(outDir, `cycles-${name}.png`) });
      await frame.locator('header').scrollIntoViewIfNeeded();
      log('screenshots:', ['workbench', 'panel', 'cycles'].map(kind => path.join(outDir, `${kind}-${name}.png`)).join(' '));
    };
    const themeClass = await page.evaluate("document.querySelector('.monaco-workbench')?.className ?? ''");
    log(`workbench theme classes: ${String(themeClass).split(' ').filter((/** @type {string} */ name) => /^(vs|vs-dark|hc-black|hc-light)$/.test(name)).join(' ')}`);
    if (!String(themeClass).split(' ').includes(theme.workbenchClass)) problems.push(`the ${theme.name} theme did not apply`);
    await shoot(theme.name);

    // A window reload restores the panel (webview panel serializer) with its results.
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    frame = await panelFrame();
    let restoredRows = 0;
    for (let attempt = 0; attempt < 100 && restoredRows === 0; attempt++) {
      restoredRows = (await frame.$$('table.results tbody tr')).length;
      if (restoredRows === 0) await page.waitForTimeout(200);
    }
    log('rows in the panel after a window reload:', restoredRows);
    if (restoredRows === 0) problems.push('the panel was not restored with its results after a reload');
    ok = problems.length === 0;
  } catch (error) {
    console.error(error);
    await browser?.contexts()[0]?.pages()[0]?.screenshot({ path: path.join(outDir, 'failure.png') }).catch(() => {});
  } finally {
    await browser?.close().catch(() => {});
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return ok;
}

let ok = true;
for (const theme of [
  { name: 'dark', setting: 'Default Dark Modern', workbenchClass: 'vs-dark' },
  { name: 'light', setting: 'Default Light Modern', workbenchClass: 'vs' },
  { name: 'high-contrast', setting: 'Default High Contrast', workbenchClass: 'hc-black' },
]) {
  ok = (await check(theme)) && ok;
}
for (const problem of problems) console.error(`[test:ui] ${problem}`);
log(ok ? 'UI check passed' : 'UI check FAILED');
process.exit(ok ? 0 : 1);
