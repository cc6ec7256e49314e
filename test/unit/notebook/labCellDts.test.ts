import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { hoverMarkdown, receiverInterface } from '../../../extension/notebook/labApiIndex';

const ROOT = path.resolve(__dirname, '../../..');

describe('lab cell declarations and help', function () {
  this.timeout(120000);

  it('labs/templates/l4lab-cell.d.ts is what scripts/genLabCellDts.mjs generates from engine/api/lab.ts, and declares every public member of Lab', async () => {
    const { generateLabCellDts, CELL_DTS_FILE } = (await import(path.join(ROOT, 'scripts/genLabCellDts.mjs'))) as { generateLabCellDts(): { dts: string; index: Record<string, Array<{ name: string }>> }; CELL_DTS_FILE: string };
    const { dts, index } = generateLabCellDts();
    assert.equal(fs.readFileSync(CELL_DTS_FILE, 'utf8'), dts, 'out of date: run node scripts/genLabCellDts.mjs');
    const names = index.Lab!.map((member) => member.name);
    for (const name of ['print', 'table', 'chart', 'boot', 'l4', 'runSuite', 'require', 'systems', 'setMachine', 'customServer']) assert.ok(names.includes(name), name);
    assert.match(dts, /declare const lab: LabApi\.Lab;/);
    assert.match(dts, /task\(number: number, body: \(l4: L4\.Api, abi: LabAbi\) => L4\.Activity\): L4\.ThreadId;/);
  });

  it('finds the interface of a receiver: lab, or a variable assigned from a lab call in any cell', () => {
    const cells = "const linux = lab.boot('linux');\nlet k: LabApi.LabL4 = lab.l4();\nconst report = lab.runSuite('ipc');\nconst other = 3;";
    assert.equal(receiverInterface('lab', ''), 'Lab');
    assert.equal(receiverInterface('linux', cells), 'LabSystem');
    assert.equal(receiverInterface('k', cells), 'LabL4');
    assert.equal(receiverInterface('report', cells), 'SuiteReport');
    assert.equal(receiverInterface('other', cells), undefined);
    assert.equal(receiverInterface('missing', cells), undefined);
  });

  it('shows a member as its TypeScript signature, then its documentation', () => {
    assert.equal(hoverMarkdown('Lab', { name: 'systems', signature: 'systems(): string[]', doc: 'The systems.' }), '```typescript\n(method) Lab.systems(): string[]\n```\n\nThe systems.');
    assert.equal(hoverMarkdown('LabSystem', { name: 'cycles', signature: 'readonly cycles: number', doc: 'Cycles.' }), '```typescript\n(property) LabSystem.cycles: number\n```\n\nCycles.');
  });
});
