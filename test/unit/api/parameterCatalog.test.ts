import * as assert from 'node:assert/strict';
import { listParameters, parseParameterAssignment, PARAMETER_TABLES, ParameterError, PUBLISHED, resolveParameters } from '../../../engine/api/parameterCatalog';
import { qualifiedOverrides } from '../../../engine/linux/kernelOverrides';
import { pentiumParameters } from '../../../engine/machine/pentiumParameters';
import { describeMachine } from '../../../engine/api/index';

describe('parameter catalog (what-ifs of every table)', () => {
  it('splits namespaced settings by table; machine names work bare and as machine.NAME', () => {
    const whatIf = resolveParameters({ 'l4.ipcShortPathCycles': 40, clockMHz: 200, 'machine.l2KB': 512, 'linuxNative.saveAllSimple': 20, 'mach.machMsgTrap': 80 });
    assert.deepEqual(whatIf.machine, { clockMHz: 200, l2KB: 512 });
    assert.deepEqual(whatIf.kernels, { l4: { ipcShortPathCycles: 40 }, native: { saveAllSimple: 20 }, mach: { machMsgTrap: 80 } });
    assert.deepEqual(whatIf.overrides, { 'machine.clockMHz': 200, 'machine.l2KB': 512, 'l4.ipcShortPathCycles': 40, 'native.saveAllSimple': 20, 'mach.machMsgTrap': 80 });
    assert.deepEqual(resolveParameters({}), PUBLISHED);
  });

  it('reaches every parameter of every table under its prefix', () => {
    const rows = listParameters();
    assert.equal(rows.length, PARAMETER_TABLES.reduce((sum, table) => sum + Object.keys(table.specs).length, 0));
    assert.deepEqual([...new Set(rows.map((row) => row.table))], ['machine', 'l4', 'linux', 'native', 'l4linux', 'mach', 'mklinux']);
    for (const row of rows) {
      assert.ok(row.unit && row.source && row.provenance, `${row.qualifiedName} has a unit, a source and a provenance`);
      assert.doesNotThrow(() => resolveParameters({ [row.qualifiedName]: row.defaultValue }), row.qualifiedName);
    }
  });

  it('a value equal to the published one is no what-if', () => {
    assert.deepEqual(qualifiedOverrides({ clockMHz: 133, l2KB: 512 }, { l4: { ipcShortPathCycles: 20 } }), { 'machine.l2KB': 512 });
  });

  it('rejects unknown tables and names, suggesting the nearest', () => {
    assert.throws(() => resolveParameters({ 'l4.ipcShortPathCycle': 40 }), { name: 'ParameterError', message: /table 'l4' has no parameter 'ipcShortPathCycle'; did you mean 'l4.ipcShortPathCycles'\?/ });
    assert.throws(() => resolveParameters({ 'l5.ipcShortPathCycles': 40 }), /unknown parameter table 'l5' .*tables: machine, l4, linux, native, l4linux, mach, mklinux.*did you mean 'l4.ipcShortPathCycles'\?/);
    assert.throws(() => resolveParameters({ ipcShortPathCycles: 40 }), /a bare name is a machine parameter.*did you mean l4.ipcShortPathCycles\?/);
    assert.throws(() => resolveParameters({ clockMhz: 200 }), /unknown parameter 'clockMhz'.*did you mean 'clockMHz'\?/);
    assert.throws(() => resolveParameters({ 'mach.ipcShortPathCycles': 40 }), /it is in another table: l4.ipcShortPathCycles/);
    assert.throws(() => resolveParameters({ 'linux.zzzz': 1 }), (error: Error) => error instanceof ParameterError && !/did you mean/.test(error.message));
  });

  it('rejects values of the wrong type or out of range, naming the allowed range', () => {
    assert.throws(() => resolveParameters({ 'l4.ipcShortPathCycles': 0 }), /l4.ipcShortPathCycles = 0 is out of range; allowed: 1 ≤ l4.ipcShortPathCycles ≤ 1000 cycles \(published: 20\)/);
    assert.throws(() => resolveParameters({ 'l4.ipcShortPathCycles': '40' as unknown as number }), /takes a number \(cycles: .*\), not "40"/);
    assert.throws(() => resolveParameters({ taggedTlb: 1 }), /machine.taggedTlb is a switch .*takes true or false, not 1/);
    assert.throws(() => resolveParameters({ 'linux.sysGetpid': -1 }), /allowed: linux.sysGetpid ≥ 0 instructions/);
    assert.throws(() => resolveParameters({ 'linux.sysGetpid': Number.NaN }), /out of range/);
    assert.throws(() => resolveParameters(null as unknown as Record<string, number>), /parameters are an object/);
  });

  it('refuses a cache, TLB or DRAM geometry the model cannot index, naming the parameter and a size that works', () => {
    assert.throws(() => pentiumParameters({ l2KB: 3 }), /machine\.l2KB = 3 KB with machine\.l2Ways = 1 and 32-byte lines gives 96 sets.*\(e\.g\. machine\.l2KB = 4\)/);
    assert.throws(() => pentiumParameters({ l1Ways: 3 }), /machine\.l1CodeKB = 8 KB with machine\.l1Ways = 3 .*gives 85\.33 sets.*machine\.l1CodeKB = 6\)/);
    assert.throws(() => pentiumParameters({ lineBytes: 48 }), /machine\.lineBytes = 48 B: a cache line is a power of two bytes/);
    assert.throws(() => pentiumParameters({ dtlbEntries: 48 }), /machine\.dtlbEntries = 48 with machine\.dtlbWays = 4 gives 12 sets/);
    assert.throws(() => describeMachine({ l1DataKB: 5 }), /machine\.l1DataKB = 5 KB/);
    for (const fine of [{ l2KB: 0 }, { l2KB: 512, l2Ways: 2 }, { l1CodeKB: 6, l1DataKB: 6, l1Ways: 3 }, { lineBytes: 64 }]) assert.doesNotThrow(() => pentiumParameters(fine), JSON.stringify(fine));
  });

  it('lists one table with the overridden parameter marked; an unknown table is an error', () => {
    const rows = listParameters(resolveParameters({ 'l4.ipcShortPathCycles': 40 }), 'l4');
    assert.ok(rows.every((row) => row.table === 'l4'));
    assert.deepEqual(rows.filter((row) => row.overridden).map((row) => [row.qualifiedName, row.value, row.defaultValue]), [['l4.ipcShortPathCycles', 40, 20]]);
    assert.throws(() => listParameters(PUBLISHED, 'kernel'), /unknown parameter table 'kernel'/);
  });

  it('parses command-line assignments', () => {
    assert.deepEqual(parseParameterAssignment('l4.ipcShortPathCycles=40'), ['l4.ipcShortPathCycles', 40]);
    assert.deepEqual(parseParameterAssignment('taggedTlb=true'), ['taggedTlb', true]);
    assert.throws(() => parseParameterAssignment('l4.ipcShortPathCycles'), /expects NAME=VALUE or TABLE.NAME=VALUE/);
    assert.throws(() => parseParameterAssignment('l4.ipcShortPathCycles=fast'), /neither a number nor true\/false/);
  });
});
