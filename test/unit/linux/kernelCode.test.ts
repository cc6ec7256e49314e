import * as assert from 'node:assert/strict';
import { CAT } from '../../../engine/machine/cpu';
import { bareMetalMachine } from '../../../engine/bench/bareMetal';
import { KernelCode, KERNEL_TEXT_LAYOUT } from '../../../engine/linux/core/kernelCode';
import { linuxParameters, type LinuxOverrides } from '../../../engine/linux/core/linuxParameters';

/** The (address, bytes) each path fetches when run, from a KernelCode over a bare-metal machine. */
function fetched(overrides: LinuxOverrides = {}): (name: Parameters<KernelCode['run']>[0]) => { address: number; bytes: number } {
  const machine = bareMetalMachine({ mappedMB: 8 });
  const code = new KernelCode(machine.cpu, linuxParameters(overrides).values, 0x100000, CAT.kernel);
  let last = { address: 0, bytes: 0 };
  machine.cpu.runCode = (address: number, bytes: number) => { last = { address, bytes }; };
  return (name) => { code.run(name); return last; };
}

describe('Linux personality code layout (KernelCode)', () => {
  const p = linuxParameters().values;
  const run = fetched();

  it('sizes a compiled C path as its instructions × codeLineBytesPerInstruction, in whole lines', () => {
    for (const name of ['pipeReadOp', 'scheduleBase', 'verifyArea', 'sysGetpid'] as const) {
      assert.equal(run(name).bytes, Math.ceil((p[name] * p.codeLineBytesPerInstruction) / 32) * 32, name);
    }
    assert.equal(run('pipeWriteOp').bytes, 256, '55 instructions touch 8 lines');
  });

  it('keeps hand-written assembly compact, at codeBytesPerInstruction', () => {
    assert.equal(run('switchTo').bytes, Math.ceil((p.switchTo * p.codeBytesPerInstruction) / 32) * 32);
    assert.equal(run('zeroPagePerDword').bytes, 32);
  });

  it('caps a path at 2 KB and lays paths of one file end to end in its region, the same every time', () => {
    assert.equal(run('forkBase').bytes, 2048);
    const pipe = KERNEL_TEXT_LAYOUT['fs/pipe.c'] + 0x100000;
    assert.equal(run('pipeReadOp').address, pipe, 'the first path of fs/pipe.c starts its region');
    assert.equal(run('pipeWriteOp').address, pipe + run('pipeReadOp').bytes);
    const again = fetched();
    for (const name of ['pipeWriteOp', 'forkBase', 'switchTo'] as const) assert.deepEqual(again(name), run(name), name);
  });

  it('follows a what-if of the measured line bytes', () => {
    assert.equal(fetched({ codeLineBytesPerInstruction: 3 })('pipeWriteOp').bytes, 192);
  });
});
