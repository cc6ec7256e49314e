import assert from 'node:assert/strict';
import type { MachineDescription } from '../../../engine/api';
import type { EngineClient } from '../../../extension/engineClient';
import { formatMachineDescription, showMachine } from '../../../extension/showMachine';

const description: MachineDescription = {
  clockMHz: 133,
  memoryMB: 64,
  summary: 'Pentium (P54C) 133 MHz',
  parameters: [
    { table: 'machine', name: 'clockMHz', value: 133, defaultValue: 133, unit: 'MHz', source: 'SOSP97 §5.1', provenance: 'R', description: 'core clock' },
    { table: 'machine', name: 'l1Ways', value: 4, defaultValue: 2, unit: '', source: '', provenance: 'R', description: 'L1 associativity' },
  ],
};

describe('showMachine', () => {
  it('formats one aligned line per parameter with unit and source', () => {
    assert.deepEqual(formatMachineDescription(description), [
      'Pentium (P54C) 133 MHz',
      '',
      'clockMHz  133 MHz  core clock [SOSP97 §5.1]',
      'l1Ways    4        L1 associativity (default 2)',
    ]);
  });

  it('asks the engine, prints to the output and returns the description', async () => {
    const requests: unknown[] = [];
    const engine = {
      request: async (body: unknown) => (requests.push(body), description),
    } as Pick<EngineClient, 'request'>;
    const lines: string[] = [];
    let shown = false;
    const output = { clear: () => (lines.length = 0), appendLine: (line: string) => lines.push(line), show: () => (shown = true) };
    assert.equal(await showMachine(engine, output), description);
    assert.deepEqual(requests, [{ type: 'machine.describe' }]);
    assert.equal(lines.length, 4);
    assert.equal(shown, true);
  });
});
