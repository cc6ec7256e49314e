import * as assert from 'node:assert/strict';
import { layoutMachPaths, machParameters, pathCycles } from '../../../engine/mach/machParameters';

describe('mach kernel text: path costs and link map', () => {
  const p = machParameters().values;
  const { paths } = layoutMachPaths(p, 0xc0100000);
  const placed = Object.values(paths).filter((path) => path.bytes > 0);

  it('divides counted kernel paths by structuralCoverage, but not REP STOSD, spl or user MIG stubs', () => {
    assert.equal(pathCycles(p, 'vmFault'), Math.round(p.vmFault / p.structuralCoverage));
    assert.equal(paths.vmFault.cycles, pathCycles(p, 'vmFault'));
    assert.equal(pathCycles(p, 'pageZero'), p.pageZero);
    assert.equal(pathCycles(p, 'splTransition'), p.splTransition);
    assert.equal(pathCycles(p, 'migStub'), p.migStub);
    const uncovered = machParameters({ structuralCoverage: 1 }).values;
    assert.equal(pathCycles(uncovered, 'vmFault'), uncovered.vmFault);
  });

  it('charges the complete counts from the source as they are: nothing is missing from them for structuralCoverage to add', () => {
    const complete = [
      'threadBlock', 'threadSetrun', 'remRunq', 'switchContext', 'idleDispatch', 'idleThreadRun', 'fastException', 'switchActIn', 'switchActOut', 'machineSwitchAct', 'exceptionReturnWrapper', 'threadDepress', 'threadDepressAbort', 'threadDepressSelfAbort',
      'trapEntry', 'trapArguments', 'trapArgumentWord', 'trapExit', 'syscallEntry', 'exceptionEntry', 'interruptEntry', 'exceptionRaise', 'kmsgGetFromKernel', 'rpcFromKernel', 'threadGetState', 'threadSetState', 'threadSelfTrap', 'pmapActivate', 'splTransition', 'kobjectServer', 'migServerArgument',
      'machMsgTrap', 'fastSendReceive', 'copyinHeader', 'rightCopyout', 'mqueueReceiveWait',
    ] as const;
    for (const name of complete) {
      assert.equal(pathCycles(p, name), p[name], name);
      assert.equal(paths[name].cycles, p[name], name);
    }
    // the structural counts still are divided: the VM, out-of-line and pager paths
    for (const name of ['vmFault', 'oolCopyin', 'pagerRequest'] as const) assert.equal(pathCycles(p, name), Math.round(p[name] / p.structuralCoverage), name);
  });

  it('lays every run of code out without overlap and without a common alignment (their L1 sets spread)', () => {
    const runs = placed.flatMap((path) => [path, ...path.pieces]);
    const sorted = [...runs].sort((a, b) => a.address - b.address);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].address >= sorted[i - 1].address + sorted[i - 1].bytes, `${sorted[i].name} overlaps`);
    const sets = new Set(runs.map((run) => (run.address >>> 5) & 127));
    assert.ok(sets.size > Math.min(128, runs.length) * 0.6, `${sets.size} distinct L1 sets for ${runs.length} runs`);
    assert.deepEqual(layoutMachPaths(p, 0xc0100000).paths, paths, 'the same link map every time');
  });

  it('splits a C path into near-equal runs of whole lines averaging hotRunBytes that carry its instructions × codeLineBytesPerInstruction, the cycles on the first', () => {
    const path = paths.exceptionRaise;
    const bytes = Math.ceil((pathCycles(p, 'exceptionRaise') * p.codeLineBytesPerInstruction) / 32) * 32;
    const runs = [path, ...path.pieces];
    assert.equal(runs.reduce((sum, run) => sum + run.bytes, 0), bytes);
    assert.equal(runs.length, Math.round(bytes / p.hotRunBytes));
    for (const run of runs) assert.ok(run.bytes % 32 === 0 && run.address % 32 === 0 && Math.abs(run.bytes - p.hotRunBytes) < 64, `${run.bytes} B run at ${run.address}`);
    assert.ok(path.pieces.every((piece) => piece.cycles === 0));
    const addresses = runs.map((run) => run.address).sort((a, b) => a - b);
    assert.ok(addresses.some((address, i) => i > 0 && address > addresses[i - 1] + p.hotRunBytes), 'the runs lie apart');
  });

  it('keeps hand-written assembly one contiguous block at codeBytesPerCycle: locore.s, spl.S, and bzero for pageZero', () => {
    for (const name of ['trapEntry', 'syscallEntry', 'splTransition'] as const) {
      assert.equal(paths[name].pieces.length, 0, name);
      assert.equal(paths[name].bytes, Math.ceil((p[name] * p.codeBytesPerCycle) / 32) * 32, name);
    }
    assert.equal(paths.pageZero.bytes, 64, "bzero's 13 instructions, not the 1,024 dwords it stores");
    assert.equal(paths.pageZero.pieces.length, 0);
    assert.equal(paths.pageZero.cycles, p.pageZero);
  });

  it('follows a what-if of the measured line bytes and run size', () => {
    const q = machParameters({ codeLineBytesPerInstruction: 3, hotRunBytes: 96 }).values;
    const path = layoutMachPaths(q, 0xc0100000).paths.exceptionRaise;
    const bytes = Math.ceil((pathCycles(q, 'exceptionRaise') * 3) / 32) * 32;
    assert.equal([path, ...path.pieces].reduce((sum, run) => sum + run.bytes, 0), bytes);
    assert.equal(path.pieces.length + 1, Math.round(bytes / 96));
  });

  it('re-lays only the module whose paths change: the others keep their code in place', () => {
    const grown = layoutMachPaths(machParameters({ threadBlock: p.threadBlock + 64 }).values, 0xc0100000).paths;
    assert.notDeepEqual([grown.threadBlock.address, ...grown.threadBlock.pieces.map((piece) => piece.address)], [paths.threadBlock.address, ...paths.threadBlock.pieces.map((piece) => piece.address)]);
    for (const name of ['trapEntry', 'switchContext', 'entryLookup', 'fastException'] as const) {
      assert.equal(grown[name].address, paths[name].address, `${name} moved`);
    }
  });

  it('draws another link map from another seed', () => {
    const other = layoutMachPaths(p, 0xc0100000, 7).paths;
    assert.notEqual(other.exceptionRaise.address, paths.exceptionRaise.address);
    assert.equal(other.exceptionRaise.cycles, paths.exceptionRaise.cycles);
  });
});
