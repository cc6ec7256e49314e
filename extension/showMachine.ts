// Command l4lab.showMachine: ask the engine worker for the machine description, print it to the
// "L4 Lab" output channel and return it (so tests and other extensions can read it).

import type { MachineDescription, MachineOverrides } from '../engine/api';
import type { EngineClient } from './engineClient';

/** The part of vscode.OutputChannel this command uses (kept structural so it is testable without vscode). */
export interface TextOutput {
  clear(): void;
  appendLine(line: string): void;
  show(preserveFocus?: boolean): void;
}

export async function showMachine(engine: Pick<EngineClient, 'request'>, output: TextOutput, machine?: MachineOverrides): Promise<MachineDescription> {
  const description = await engine.request(machine ? { type: 'machine.describe', machine } : { type: 'machine.describe' });
  output.clear();
  for (const line of formatMachineDescription(description)) {
    output.appendLine(line);
  }
  output.show(true);
  return description;
}

/** The summary, then one line per parameter: name, value with unit, description and source, in aligned columns. */
export function formatMachineDescription(description: MachineDescription): string[] {
  const rows = description.parameters.map(parameter => ({
    name: parameter.name,
    value: parameter.unit ? `${String(parameter.value)} ${parameter.unit}` : String(parameter.value),
    changed: parameter.value !== parameter.defaultValue ? ` (default ${String(parameter.defaultValue)})` : '',
    about: parameter.source ? `${parameter.description} [${parameter.source}]` : parameter.description,
  }));
  const nameWidth = Math.max(0, ...rows.map(row => row.name.length));
  const valueWidth = Math.max(0, ...rows.map(row => row.value.length));
  return [
    description.summary,
    '',
    ...rows.map(row => `${row.name.padEnd(nameWidth)}  ${row.value.padEnd(valueWidth)}  ${row.about}${row.changed}`.trimEnd()),
  ];
}
