import * as assert from 'node:assert/strict';
import { FUNCTION_OFFSETS, SOURCE_HEADER_CHARS } from '../../../engine/mach/kernelTextLayout';
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
    // the what-if parameter linkMapSeed is the draw's seed: another build of the same kernel
    const other = machParameters({ linkMapSeed: 3 }).values;
    assert.deepEqual(layoutMachPaths(other, 0xc0100000).paths, layoutMachPaths(p, 0xc0100000, 3).paths, 'linkMapSeed seeds the draw');
    assert.notDeepEqual(layoutMachPaths(other, 0xc0100000).paths, paths, 'another seed, another build');
  });

  it('splits a C path into near-equal runs of whole lines averaging hotRunBytes that carry its instructions × codeLineBytesPerInstruction, the cycles on the first', () => {
    const path = paths.copyinHeader;
    const bytes = Math.ceil((pathCycles(p, 'copyinHeader') * p.codeLineBytesPerInstruction) / 32) * 32;
    const runs = [path, ...path.pieces];
    assert.equal(runs.reduce((sum, run) => sum + run.bytes, 0), bytes);
    assert.equal(runs.length, Math.round(bytes / p.hotRunBytes));
    for (const run of runs) assert.ok(run.bytes % 32 === 0 && run.address % 32 === 0 && Math.abs(run.bytes - p.hotRunBytes) < 64, `${run.bytes} B run at ${run.address}`);
    assert.ok(path.pieces.every((piece) => piece.cycles === 0));
  });

  it('divides a path between the functions its row names, in proportion to the instructions the row gives each, in their files', () => {
    // rightCopyout: ipc_object.c 39, ipc_right.c 23 + 27, ipc_hash.c 25 + 37 instructions
    const path = paths.rightCopyout;
    const lines = Math.ceil((pathCycles(p, 'rightCopyout') * p.codeLineBytesPerInstruction) / 32);
    const runs = [path, ...path.pieces];
    assert.equal(runs.reduce((sum, run) => sum + run.bytes, 0), lines * 32);
    assert.ok(runs.length >= 5, `${runs.length} runs`);
    const start = (file: string) => fileStarts(p).get(file)!;
    const within = (file: string) => runs.filter((run) => run.address >= start(file) && run.address < nextStart(p, file)).reduce((sum, run) => sum + run.bytes, 0);
    assert.equal(within('ipc/ipc_hash.c') / 32, Math.round((lines * 62) / 151), 'ipc_hash.c gets 62/151 of the lines');
    assert.ok(within('ipc/ipc_object.c') > 0 && within('ipc/ipc_right.c') > 0);
  });

  it('places a run at its function: the text bytes of the source before the function in its file', () => {
    const start = fileStarts(p).get('kern/sched_prim.c')!;
    const expected = Math.floor(((FUNCTION_OFFSETS['kern/sched_prim.c'].thread_setrun - SOURCE_HEADER_CHARS) * p.textBytesPerSourceChar) / 32) * 32;
    assert.equal(paths.threadSetrun.address - start, expected);
    // the sections of the mach_msg hot path follow each other from mach_msg_overwrite_trap's place
    assert.ok(paths.fastGet.address > paths.fastEntry.address && paths.fastSendReceive.address > paths.fastGet.address);
  });

  it('links the object files in the order of conf/files and conf/AT386/files, locore.o first, each as large as its source gives', () => {
    const starts = fileStarts(p);
    const order = ['i386/locore.s', 'ipc/ipc_entry.c', 'ipc/ipc_kmsg.c', 'ipc/mach_msg.c', 'kern/thread_act.c', 'kern/exception.c', 'kern/sched_prim.c', 'vm/vm_fault.c', 'device/ds_routines.c', 'i386/pcb.c', 'i386/spl.S', 'i386/trap.c'];
    for (let i = 1; i < order.length; i++) assert.ok(starts.get(order[i])! > starts.get(order[i - 1])!, `${order[i]} after ${order[i - 1]}`);
    assert.equal(paths.trapEntry.address >= 0xc0100000 && paths.trapEntry.address < starts.get('ipc/ipc_entry.c')!, true, 'locore.o is linked first');
    // ipc_hash.c and ipc_init.c lie between ipc_entry.c and ipc_kmsg.c: the gap is their source's text
    const between = [17499, 8353].reduce((sum, chars) => sum + (chars - SOURCE_HEADER_CHARS) * p.textBytesPerSourceChar, 0);
    const entry = (24852 - SOURCE_HEADER_CHARS) * p.textBytesPerSourceChar;
    assert.ok(Math.abs(starts.get('ipc/ipc_kmsg.c')! - starts.get('ipc/ipc_entry.c')! - entry - between) < 64);
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
    const path = layoutMachPaths(q, 0xc0100000).paths.copyinHeader;
    const bytes = Math.ceil((pathCycles(q, 'copyinHeader') * 3) / 32) * 32;
    assert.equal([path, ...path.pieces].reduce((sum, run) => sum + run.bytes, 0), bytes);
    assert.equal(path.pieces.length + 1, Math.round(bytes / 96));
  });

  it('re-lays only the file whose paths change: the others keep their code in place', () => {
    const grown = layoutMachPaths(machParameters({ threadBlock: p.threadBlock + 64 }).values, 0xc0100000).paths;
    const size = (path: typeof paths.threadBlock) => [path, ...path.pieces].reduce((sum, run) => sum + run.bytes, 0);
    assert.ok(size(grown.threadBlock) > size(paths.threadBlock));
    for (const name of ['trapEntry', 'switchContext', 'entryLookup', 'fastException', 'kmsgGet'] as const) {
      assert.equal(grown[name].address, paths[name].address, `${name} moved`);
    }
  });

  it('follows a what-if of the text bytes per source character: the files after locore.o move', () => {
    const q = machParameters({ textBytesPerSourceChar: 0.1 }).values;
    assert.ok(fileStarts(q).get('kern/sched_prim.c')! < fileStarts(p).get('kern/sched_prim.c')!);
  });

  it('draws what the sources do not give from another seed: the places of unread functions, the sizes of generated files', () => {
    const other = layoutMachPaths(p, 0xc0100000, 7).paths;
    assert.notEqual(other.threadSelfTrap.address, paths.threadSelfTrap.address, 'ipc_tt.c was not read: drawn');
    assert.equal(other.threadSetrun.address - fileStarts(p, 7).get('kern/sched_prim.c')!, paths.threadSetrun.address - fileStarts(p).get('kern/sched_prim.c')!, 'read: in place');
    assert.equal(other.exceptionRaise.cycles, paths.exceptionRaise.cycles);
  });
});

/** Where each object file of the link starts. */
function fileStarts(q: ReturnType<typeof machParameters>['values'], seed?: number): Map<string, number> {
  return new Map(layoutMachPaths(q, 0xc0100000, seed).objects.map((object) => [object.file, object.address]));
}

/** Where the object file after `file` starts. */
function nextStart(q: ReturnType<typeof machParameters>['values'], file: string): number {
  const objects = layoutMachPaths(q, 0xc0100000).objects;
  const object = objects.find((o) => o.file === file)!;
  return object.address + object.bytes;
}
