// npm run test:renderer: renders the outputs of a bundled lab (run headless with `l4lab lab run`)
// through the notebook renderer bundle (dist/webview/renderer.js) in Debian's Chromium, driven by
// Playwright from the VS Code rig (../shared/vscode-rig), and saves screenshots of the mapping tree
// and the other rich outputs to ui-screenshots/ (git-ignored). Needs: source RIG_DIR/env.sh.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.env.CODE_SERVER_ENTRY;
if (!entry) {
  console.error('[renderer] source the VS Code rig first: source ~/.cache/l4lab-vscode-rig/env.sh');
  process.exit(2);
}
const driver = process.env.VSCODE_EXECUTABLE ? path.dirname(process.env.VSCODE_EXECUTABLE) : path.resolve(entry, '../../../../../../driver');
const { launchBrowser } = await import(pathToFileURL(path.join(driver, 'cs-harness.mjs')).href);

const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(1);
const outDir = path.join(root, 'ui-screenshots');
fs.mkdirSync(outDir, { recursive: true });

/** @type {Array<{ lab: string, items: Array<{ mime: string, data: unknown }> }>} */
const shots = [];
for (const lab of ['02-address-spaces', '03-page-faults', '06-pipes-rpc']) {
  const out = path.join(os.tmpdir(), `l4lab-shot-${lab}.l4lab`);
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'engine/host/node/cli.ts'), 'lab', 'run', path.join(root, 'labs', `${lab}.l4lab`), '--out', out], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`lab run ${lab} failed: ${run.stderr}`);
  /** @type {{ cells: Array<{ outputs: Array<{ items: Array<{ mime: string, data: unknown }> }> }> }} */
  const notebook = JSON.parse(fs.readFileSync(out, 'utf8'));
  const items = notebook.cells.flatMap((cell) => cell.outputs.map((output) => output.items[0])).filter((item) => item !== undefined && item.mime.startsWith('application/vnd.l4lab'));
  shots.push({ lab, items });
}

const server = http.createServer((request, response) => {
  if (request.url === '/renderer.js') {
    response.writeHead(200, { 'content-type': 'text/javascript' });
    response.end(fs.readFileSync(path.join(root, 'dist/webview/renderer.js')));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/html' });
  response.end('<!doctype html><html><body style="background:#1e1e1e;color:#ccc;font-family:sans-serif;--vscode-foreground:#cccccc"><div id="out"></div></body></html>');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
const address = /** @type {import('node:net').AddressInfo} */ (server.address());
const base = `http://127.0.0.1:${address.port}`;
const { browser, page } = await launchBrowser();
let failed = false;
try {
  await page.setViewportSize({ width: 1000, height: 900 });
  for (const shot of shots) {
    await page.goto(`${base}/`);
    // A string, evaluated in the page (this file is type-checked without the DOM library).
    await page.evaluate(`(async () => {
      const { activate } = await import(${JSON.stringify(`${base}/renderer.js`)});
      const renderer = activate();
      for (const item of ${JSON.stringify(shot.items)}) {
        const host = document.createElement('div');
        host.style.margin = '12px 0';
        document.getElementById('out').append(host);
        renderer.renderOutputItem({ mime: item.mime, json: () => item.data }, host);
      }
    })()`);
    await page.waitForTimeout(300);
    const file = path.join(outDir, `renderer-${shot.lab}.png`);
    await page.screenshot({ path: file, fullPage: true });
    /** @type {{ trees: number, removed: number, tables: number, charts: number, sequences: number }} */
    const counts = await page.evaluate(`({ trees: document.querySelectorAll('ul.tree.root').length, removed: document.querySelectorAll('.node.removed').length, tables: document.querySelectorAll('table').length, charts: document.querySelectorAll('canvas').length, sequences: document.querySelectorAll('svg[role=img]').length })`);
    console.log(`[renderer] ${path.relative(root, file)}: ${JSON.stringify(counts)}`);
    if (shot.lab === '02-address-spaces' && (counts.trees < 3 || counts.removed < 4)) failed = true;
    if (shot.lab === '03-page-faults' && counts.sequences < 2) failed = true;
  }
} finally {
  await browser.close();
  server.close();
}
process.exitCode = failed ? 1 : 0;
