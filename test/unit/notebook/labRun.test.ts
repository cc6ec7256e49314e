import * as assert from 'node:assert/strict';
import { LabUnavailableError } from '../../../engine/api/lab';
import type { LabCellOutput, LabNotebook } from '../../../engine/api/labFormat';
import { LabSession, runLabNotebook } from '../../../engine/host/node/workerLab';

const code = (source: string) => ({ kind: 'code' as const, language: 'typescript', source, outputs: [] });

describe('lab notebook runs', () => {
  it('lab.require passes for what this build has and names everything it lacks', () => {
    const session = new LabSession();
    const bootable = session.lab.systems();
    assert.ok(bootable.includes('linux'));
    session.lab.require({ boot: ['linux'], suites: { ipc: ['l4'] } });
    assert.throws(
      () => session.lab.require({ boot: ['no-such-system'], suites: { 'no-such-suite': [], ipc: ['linux'] } }),
      (error: Error) => error instanceof LabUnavailableError && /booting 'no-such-system', the 'no-such-suite' suite, the 'ipc' suite on 'linux'/.test(error.message),
    );
  });

  it('skips the rest of a lab whose lab.require fails, instead of failing it', () => {
    const notebook: LabNotebook = {
      version: 1,
      metadata: {},
      cells: [code("lab.print('before')"), code("lab.require({ boot: ['no-such-system'] })"), code("lab.print('after')")],
    };
    const seen: number[] = [];
    const { notebook: done, ok, skipped } = runLabNotebook(notebook, 'skip.l4lab', 'quick', (index) => seen.push(index));
    assert.equal(ok, true);
    assert.match(skipped ?? '', /booting 'no-such-system'/);
    assert.deepEqual(seen, [0, 1], 'the cells after the unavailable one are not run');
    assert.equal(done.cells[2]!.outputs.length, 0);
    assert.equal(done.cells[2]!.executionOrder, undefined);
  });

  it('a failing cell still fails the lab', () => {
    const { ok, skipped } = runLabNotebook({ version: 1, metadata: {}, cells: [code("throw new Error('boom')")] }, 'fail.l4lab');
    assert.equal(ok, false);
    assert.equal(skipped, undefined);
  });

  it('streams each output as the cell shows it, and the progress of suite runs', () => {
    const session = new LabSession();
    const streamed: LabCellOutput[] = [];
    const progress: string[] = [];
    const result = session.run("lab.print('one'); lab.runSuite('ipc', ['l4']); lab.print('two');", 'stream.ts', (output) => streamed.push(output), (message) => progress.push(message));
    assert.equal(result.success, true);
    assert.equal(streamed.length, 3);
    assert.deepEqual(streamed, result.outputs, 'the streamed outputs are the outputs of the result, in order');
    assert.ok(progress.length > 0 && progress.every((message) => message.startsWith('ipc: ')), progress.join('; '));
  });
});
