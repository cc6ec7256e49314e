// Benchmark runs from the command palette's commands, the panel receiving them, CSV export and
// cancellation. The tests adapt to the engine of the day: a suite that is not built yet must be
// reported as missing (never faked); one that is built must return real records.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PanelState } from '../../webview/panelProtocol';

interface RunOutcome {
  results: Array<{ suite: string; system: string; benchmark: string; value: number; unit: string }>;
  missing: string[];
  cancelled: boolean;
  errors: string[];
}

const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const panelStatus = () => vscode.commands.executeCommand<{ open: boolean; updates: number; renderedRecords: number; state: PanelState }>('l4lab.panelStatus');

/**
 * A suite not built yet must be reported missing with no results; a built one must return real
 * records. A part of a suite that fails inside the engine (work in progress there) must be
 * reported as an error naming the suite and system, never dropped silently or faked.
 */
function checkOutcome(outcome: RunOutcome, suite: string): void {
  assert.equal(outcome.cancelled, false);
  if (outcome.missing.includes(suite)) {
    assert.equal(outcome.results.length, 0, 'a missing suite must not produce results');
    assert.deepEqual(outcome.errors, []);
    console.log(`      (${suite} is not built yet: reported as missing)`);
    return;
  }
  for (const error of outcome.errors) {
    assert.match(error, new RegExp(`^${suite} on [a-z0-9-]+ failed: .+`));
    console.log(`      (engine error, reported to the user: ${error.slice(0, 140)})`);
  }
  assert.ok(outcome.results.length > 0 || outcome.errors.length > 0, `${suite} ran but returned neither results nor errors`);
  for (const record of outcome.results) assert.ok(Number.isFinite(record.value) && record.value > 0, `${record.benchmark} on ${record.system}: ${record.value}`);
  console.log(`      (${outcome.results.length} ${suite} results from ${[...new Set(outcome.results.map(record => record.system))].join(', ') || 'no system'})`);
}

describe('benchmark runs', function () {
  this.timeout(300000);

  it('runs getpid from its command, or says it is not built yet', async () => {
    const outcome = await vscode.commands.executeCommand<RunOutcome>('l4lab.runGetpid');
    checkOutcome(outcome, 'getpid');
    if (outcome.missing.length > 0) {
      const state = (await panelStatus()).state;
      assert.match(state.notes.join('\n'), /getpid \(needs the Linux personality, which is not built yet\)/);
    }
  });

  it('applies the small-spaces setting to L4Linux runs (off is the what-if)', async () => {
    const config = vscode.workspace.getConfiguration('l4lab');
    assert.equal(config.inspect('l4.smallSpaces')?.defaultValue, 'paper');
    const getpid = async () => {
      const outcome = await vscode.commands.executeCommand<RunOutcome>('l4lab.runGetpid', { systems: ['l4linux'] });
      checkOutcome(outcome, 'getpid');
      return outcome.results.find(record => record.benchmark === 'getpid.cycles')?.value ?? Number.NaN;
    };
    const published = await getpid();
    await config.update('l4.smallSpaces', 'off', vscode.ConfigurationTarget.Global);
    try {
      const large = await getpid();
      assert.ok(large > published * 1.2, `getpid with the server in a large space ${large} vs ${published} cycles`);
    } finally {
      await config.update('l4.smallSpaces', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('applies kernel-parameter what-ifs from the l4lab.parameters setting, and refuses a misspelt name', async () => {
    const config = vscode.workspace.getConfiguration('l4lab');
    assert.deepEqual(config.inspect('parameters')?.defaultValue, {});
    const getpid = async () => vscode.commands.executeCommand<RunOutcome>('l4lab.runGetpid', { systems: ['l4linux'] });
    const cycles = (outcome: RunOutcome) => outcome.results.find(record => record.benchmark === 'getpid.cycles')?.value ?? Number.NaN;
    const published = await getpid();
    checkOutcome(published, 'getpid');
    try {
      // two IPCs per system call, each 40 cycles slower on its kernel path
      await config.update('parameters', { 'l4.ipcShortPathCycles': 60 }, vscode.ConfigurationTarget.Global);
      const slower = await getpid();
      checkOutcome(slower, 'getpid');
      assert.ok(cycles(slower) > cycles(published) + 60, `getpid with a 40-cycle slower IPC path: ${cycles(slower)} vs ${cycles(published)} cycles`);
      await config.update('parameters', { 'l4.ipcShortPath': 60 }, vscode.ConfigurationTarget.Global);
      const refused = await getpid();
      assert.equal(refused.results.length, 0, 'a misspelt parameter must not run');
      assert.match(refused.errors.join('\n'), /ipcShortPath.*did you mean 'l4\.ipcShortPathCycles'/);
    } finally {
      await config.update('parameters', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('runs the pipe suite from its command, or says it is not built yet', async () => {
    const outcome = await vscode.commands.executeCommand<RunOutcome>('l4lab.runPipe', { systems: ['linux', 'l4'] });
    checkOutcome(outcome, 'pipe');
  });

  it('runs lmbench on chosen systems, or says it is not built yet', async () => {
    const outcome = await vscode.commands.executeCommand<RunOutcome>('l4lab.runLmbench', { systems: ['linux', 'l4linux'] });
    checkOutcome(outcome, 'lmbench');
  });

  it('reproduces the paper: every built suite runs, the others are listed as missing', async () => {
    const outcome = await vscode.commands.executeCommand<RunOutcome>('l4lab.reproduce');
    assert.equal(outcome.cancelled, false);
    const suites = new Set(outcome.results.map(record => record.suite));
    for (const suite of outcome.missing) assert.ok(!suites.has(suite), `${suite} is both missing and present`);
    console.log(`      (suites run: ${[...suites].join(', ') || 'none'}; not built yet: ${outcome.missing.join(', ') || 'none'}; ${outcome.errors.length} engine errors)`);
    const state = (await panelStatus()).state;
    assert.ok(state.machineFigures.length > 0, 'the machine report is part of the reproduction');
  });

  it('opens one benchmark panel that receives results and exports CSV and Markdown', async () => {
    const first = await vscode.commands.executeCommand<{ open: boolean }>('l4lab.openPanel');
    assert.equal(first.open, true);
    await vscode.commands.executeCommand('l4lab.openPanel');
    const before = (await panelStatus()).updates;
    await vscode.commands.executeCommand('l4lab.runMachineBenchmark');
    const status = await panelStatus();
    assert.equal(status.open, true);
    assert.ok(status.updates > before, 'the panel received no updates during the run');
    assert.ok(status.state.machineFigures.length > 0, 'no machine figures in the panel');
    assert.ok(status.state.machine && status.state.machine.parameters.length > 0, 'no machine configuration in the panel');
    assert.equal(vscode.window.tabGroups.all.flatMap(group => group.tabs).filter(tab => tab.label === 'L4 Lab Benchmarks').length, 1, 'exactly one panel');
    // The webview itself drew every record (it reports what it rendered).
    const deadline = Date.now() + 20000;
    while ((await panelStatus()).renderedRecords !== status.state.records.length && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100));
    assert.equal((await panelStatus()).renderedRecords, status.state.records.length, 'the webview did not render the results');

    const csv = path.join(workspace(), 'out', 'results.csv');
    const written = await vscode.commands.executeCommand<string>('l4lab.exportResults', { format: 'csv', target: csv });
    assert.equal(written, csv);
    const text = fs.readFileSync(csv, 'utf8');
    assert.match(text, /^suite,system,benchmark,unit,simulated,paper,difference_percent/);
    assert.equal(text.trim().split('\r\n').length, status.state.records.length + 1);
    const markdown = path.join(workspace(), 'out', 'results.md');
    await vscode.commands.executeCommand('l4lab.exportResults', { format: 'markdown', target: markdown });
    assert.match(fs.readFileSync(markdown, 'utf8'), /^# L4 Lab results/);
    assert.deepEqual(fs.readdirSync(path.dirname(csv)).filter(name => name.endsWith('.tmp')), [], 'temporary files left behind');
  });

  it('stops a whole reproduction when asked; the panel keeps what finished', async () => {
    const started = Date.now();
    const running = vscode.commands.executeCommand<RunOutcome>('l4lab.reproduce');
    await new Promise(resolve => setTimeout(resolve, 1200));
    await vscode.commands.executeCommand('l4lab.stop');
    const outcome = await running;
    const seconds = (Date.now() - started) / 1000;
    console.log(`      (stopped after ${seconds.toFixed(1)} s with ${outcome.results.length} results)`);
    assert.equal(outcome.cancelled, true);
    assert.ok(seconds < 8, `the reproduction took ${seconds} s to stop`);
    const state = (await panelStatus()).state;
    assert.equal(state.running, null);
    assert.match(state.notes.join('\n'), /reproduce the paper was cancelled/);
  });

  it('stops a custom server run that is still being prepared: it never starts', async () => {
    // Stop pressed while the command still opens and checks the file (before the engine has the
    // run) used to find nothing running, and the run then started and spun on.
    const file = path.join(workspace(), 'spin-early.ts');
    fs.writeFileSync(file, 'let spins = 0;\nfor (;;) {\n  spins++;\n}\n');
    const running = vscode.commands.executeCommand<{ status: string }>('l4lab.runCustomServer', vscode.Uri.file(file));
    const stopped = await vscode.commands.executeCommand<number>('l4lab.stop');
    assert.equal(stopped, 1);
    const outcome = await running;
    assert.equal(outcome.status, 'cancelled');
    const description = await vscode.commands.executeCommand<{ clockMHz: number }>('l4lab.showMachine');
    assert.equal(description.clockMHz, 133);
  });

  it('stops a long run when asked, and the engine answers again afterwards', async () => {
    // A custom server that never returns: the longest run there is. Stop must end it.
    const file = path.join(workspace(), 'spin.ts');
    fs.writeFileSync(file, 'let spins = 0;\nfor (;;) {\n  spins++;\n}\n');
    const started = Date.now();
    const running = vscode.commands.executeCommand<{ status: string }>('l4lab.runCustomServer', vscode.Uri.file(file));
    await new Promise(resolve => setTimeout(resolve, 1500));
    const stopped = await vscode.commands.executeCommand<number>('l4lab.stop');
    assert.equal(stopped, 1);
    const outcome = await running;
    assert.equal(outcome.status, 'cancelled');
    assert.ok(Date.now() - started < 10000, 'the run did not stop promptly');
    const description = await vscode.commands.executeCommand<{ clockMHz: number }>('l4lab.showMachine');
    assert.equal(description.clockMHz, 133);
  });
});
