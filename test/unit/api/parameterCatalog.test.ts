import * as assert from 'node:assert/strict';
import { listParameters, parseParameterAssignment, PARAMETER_TABLES, ParameterError, PUBLISHED, resolveParameters } from '../../../engine/api/parameterCatalog';
import { qualifiedOverrides } from '../../../engine/linux/kernelOverrides';

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
