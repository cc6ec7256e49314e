// Smoke test in a real VS Code: the extension activates, every command it contributes is
// registered, and l4lab.showMachine answers from the engine worker.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MachineDescription } from '../../engine/api';

const extensionId = 'l4lab.l4lab';

describe('L4 Lab extension', () => {
  it('activates', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not installed in the test instance`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers every command contributed in package.json', async () => {
    const extension = vscode.extensions.getExtension(extensionId)!;
    await extension.activate();
    const contributed: string[] = extension.packageJSON.contributes.commands.map((command: { command: string }) => command.command);
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter(command => !registered.has(command)), [], 'contributed but not registered');
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
});
