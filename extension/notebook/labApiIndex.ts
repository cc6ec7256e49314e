// The lab API index of notebook cells (dist/labCellApi.json, written by scripts/genLabCellDts.mjs)
// and the pure lookups behind hover help and completion (extension/notebook/labCellHelp.ts). No
// vscode import, so it is unit-tested in plain Node.

/** One member of an interface of the lab API. */
export interface LabApiMember {
  name: string;
  signature: string;
  doc: string;
}

/** Interface name → its members (plus `globals`: the `lab` object itself). */
export type LabApiIndex = Record<string, LabApiMember[]>;

/** The interface a call on `lab` returns, for the calls whose results cells usually keep. */
const RETURNED: Record<string, string> = { boot: 'LabSystem', l4: 'LabL4', runSuite: 'SuiteReport', machine: 'MachineDescription' };

/**
 * The interface of the value named `receiver` in `source` (the notebook's cells): `Lab` for `lab`,
 * else what the lab call assigned to it (`const k = lab.l4()` → `LabL4`), or undefined.
 */
export function receiverInterface(receiver: string, source: string): string | undefined {
  if (receiver === 'lab') return 'Lab';
  const escaped = receiver.replace(/[$]/g, '\\$');
  const assigned = new RegExp(`\\b(?:const|let|var)\\s+${escaped}\\s*(?::[^=]+)?=\\s*lab\\.(\\w+)\\(`).exec(source);
  return assigned ? RETURNED[assigned[1]!] : undefined;
}

/** Hover text of a member: its signature as TypeScript, then its documentation. */
export function hoverMarkdown(owner: string, member: LabApiMember): string {
  const method = /^\w+\(/.test(member.signature);
  const signature = owner === 'globals' ? member.signature : `(${method ? 'method' : 'property'}) ${owner}.${member.signature.replace(/^readonly\s+/, '')}`;
  return `\`\`\`typescript\n${signature}\n\`\`\`\n\n${member.doc}`;
}
