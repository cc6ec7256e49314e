// Smoke test in a real VS Code: the extension activates (cheaply: the time is measured and
// printed), every command it contributes is registered, and l4lab.showMachine answers from the
// engine worker.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MachineDescription } from '../../engine/api';

const extensionId = 'l4lab.l4lab';

describe('L4 Lab extension', () => {
  it('activates quickly, without starting the engine', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not installed in the test instance`);
    const wasActive = extension.isActive;
    const started = performance.now();
    await extension.activate();
    const milliseconds = performance.now() - started;
    assert.equal(extension.isActive, true);
    const api = extension.exports as { activationMs: number };
    console.log(`      activation: ${milliseconds.toFixed(1)} ms from activate() call to resolved${wasActive ? ' (already active before the test)' : ''}; activate() itself ${api.activationMs.toFixed(1)} ms`);
    assert.ok(api.activationMs < 100, `activate() took ${api.activationMs.toFixed(0)} ms`);
    assert.ok(milliseconds < 1000, `activation took ${milliseconds.toFixed(0)} ms`);
  });

  it('registers every command contributed in package.json, all in the "L4 Lab" category', async () => {
    const extension = vscode.extensions.getExtension(extensionId)!;
    await extension.activate();
    const commands: Array<{ command: string; category: string }> = extension.packageJSON.contributes.commands;
    assert.ok(commands.length >= 12, `only ${commands.length} commands`);
    assert.deepEqual(commands.filter(command => command.category !== 'L4 Lab'), []);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(commands.map(command => command.command).filter(command => !registered.has(command)), [], 'contributed but not registered');
  });

  it('l4lab.showMachine returns the machine description from the engine worker', async () => {
    const description = await vscode.commands.executeCommand<MachineDescription>('l4lab.showMachine');
    assert.equal(description.clockMHz, 133);
    assert.ok(Array.isArray(description.parameters) && description.parameters.length > 0, 'no parameters');
    for (const parameter of description.parameters) {
      assert.equal(typeof parameter.name, 'string');
      assert.equal(typeof parameter.unit, 'string');
    }
  });

  it('applies the machine settings to runs', async () => {
    const config = vscode.workspace.getConfiguration('l4lab');
    await config.update('machine.clockMHz', 200, vscode.ConfigurationTarget.Global);
    try {
      const description = await vscode.commands.executeCommand<MachineDescription>('l4lab.showMachine');
      assert.equal(description.clockMHz, 200);
    } finally {
      await config.update('machine.clockMHz', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
