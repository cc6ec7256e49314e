import { strict as assert } from 'node:assert';
import { StatRegistry } from '../../../engine/base/stats';
import { BranchTargetBuffer } from '../../../engine/machine/btb';
import { CAT, type CodePath } from '../../../engine/machine/cpu';
import { PG_WRITABLE } from '../../../engine/machine/paging';
import { map4m, smallMachine } from './fixtures';

/** A small machine with kernel code at 0xc0000000 (one 4 MB page). */
function kernelMachine(parameters = {}): ReturnType<typeof smallMachine> {
  const machine = smallMachine({ parameters });
  map4m(machine, 0xc0000000, 0, PG_WRITABLE);
  return machine;
}

/** A kernel code path at `address` of `instructions` 1-cycle instructions, 3 bytes each. */
function codePath(address: number, instructions: number): CodePath {
  return { name: `path@${address.toString(16)}`, cycles: instructions, category: 'kernel', address, bytes: instructions * 3, source: 'test' };
}

describe('Branch target buffer', () => {
  it('predicts the taken branches it holds; first in, first out', () => {
    const btb = new BranchTargetBuffer(8, new StatRegistry());
    const a = btb.sites({}, 5);
    const b = btb.sites({}, 3);
    assert.equal(btb.run(a), 5, 'cold: all five mispredicted and entered');
    assert.equal(btb.run(a), 0, 'resident: all predicted');
    assert.equal(btb.run(b), 3, 'b fills the buffer');
    assert.equal(btb.run(a) + btb.run(b), 0, 'a loop of 8 taken branches fits 8 entries');
    const c = btb.sites({}, 1);
    assert.equal(btb.run(c), 1, "c pushes a's first site out");
    assert.equal(btb.run(a), 5, "a's first site missed and pushed its second out, and so on (FIFO)");
    assert.equal(btb.misses.value, 14);
    assert.equal(btb.lookups.value, 27);
  });

  it('a path with more taken branches than entries misses on all of them every time', () => {
    const btb = new BranchTargetBuffer(8, new StatRegistry());
    const big = btb.sites({}, 12);
    assert.equal(btb.run(big), 12);
    assert.equal(btb.run(big), 12, 'its own later sites pushed its earlier ones out');
  });

  it('keeps the sites of one code object across lookups', () => {
    const btb = new BranchTargetBuffer(256, new StatRegistry());
    const code = {};
    assert.equal(btb.sites(code, 3), btb.sites(code, 3));
  });

  it('costs nothing once a loop of small paths fits; a loop of paths with more taken branches than entries misses every time', () => {
    const machine = kernelMachine();
    const cpu = machine.cpu;
    const density = cpu.p.takenBranchDensity;
    const run = (paths: CodePath[]): number => {
      const before = machine.accounting.byCategory[CAT.branchMiss];
      for (const path of paths) cpu.execute(path);
      return machine.accounting.byCategory[CAT.branchMiss] - before;
    };
    const small = [codePath(0xc0100000, 100), codePath(0xc0101000, 100)];
    const first = run(small);
    assert.equal(first, 2 * Math.round(100 * density) * cpu.p.btbMissPenalty, 'cold: every taken branch mispredicted');
    assert.equal(run(small), 0, 'warm: all predicted');

    // 40 paths of 100 instructions: 40 × 13 = 520 taken branches > 256 entries
    const large = Array.from({ length: 40 }, (_, k) => codePath(0xc0200000 + k * 0x400, 100));
    run(large);
    const sites = 40 * Math.round(100 * density);
    assert.equal(run(large), sites * cpu.p.btbMissPenalty, 'FIFO over a cyclic trace larger than the buffer: all miss');
  });

  it('with btbEntries 0 predicts every branch', () => {
    const machine = kernelMachine({ btbEntries: 0 });
    assert.equal(machine.cpu.btb, null);
    machine.cpu.execute(codePath(0xc0100000, 100));
    assert.equal(machine.accounting.byCategory[CAT.branchMiss], 0);
  });
});
