import * as assert from 'node:assert/strict';
import { layoutMachPaths, machParameters, pathCycles } from '../../../engine/mach/machParameters';

describe('mach kernel text: path costs and link map', () => {
  const p = machParameters().values;
  const { paths } = layoutMachPaths(p, 0xc0100000);
  const placed = Object.values(paths).filter((path) => path.bytes > 0);

  it('divides counted kernel paths by structuralCoverage, but not REP STOSD, spl or user MIG stubs', () => {
    assert.equal(pathCycles(p, 'copyinHeader'), Math.round(p.copyinHeader / p.structuralCoverage));
    assert.equal(paths.copyinHeader.cycles, pathCycles(p, 'copyinHeader'));
    assert.equal(pathCycles(p, 'pageZero'), p.pageZero);
    assert.equal(pathCycles(p, 'splTransition'), p.splTransition);
    assert.equal(pathCycles(p, 'migStub'), p.migStub);
    const uncovered = machParameters({ structuralCoverage: 1 }).values;
    assert.equal(pathCycles(uncovered, 'copyinHeader'), uncovered.copyinHeader);
  });

  it('lays paths out without overlap and without a common alignment (their L1 sets spread)', () => {
    const sorted = [...placed].sort((a, b) => a.address - b.address);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].address >= sorted[i - 1].address + sorted[i - 1].bytes, `${sorted[i].name} overlaps`);
    const sets = new Set(placed.map((path) => (path.address >>> 5) & 127));
    assert.ok(sets.size > placed.length * 0.7, `${sets.size} distinct L1 sets for ${placed.length} paths`);
    assert.deepEqual(layoutMachPaths(p, 0xc0100000).paths, paths, 'the same link map every time');
  });
});
