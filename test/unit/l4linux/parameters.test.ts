import { strict as assert } from 'node:assert';
import { L4LINUX_PARAMETERS, l4linuxParameters } from '../../../engine/linux/l4/l4linuxParameters';

describe('L4Linux parameter table', () => {
  it('every row has a unit and a source', () => {
    for (const [name, spec] of Object.entries(L4LINUX_PARAMETERS)) {
      assert.ok(spec.unit.length > 0, `${name}: unit`);
      assert.ok(spec.source.length > 0, `${name}: source`);
    }
  });

  it('accepts what-if overrides', () => {
    const table = l4linuxParameters({ trampolineSimple: 0 });
    assert.equal(table.values.trampolineSimple, 0);
    assert.equal(table.values.emulEnterSimple, L4LINUX_PARAMETERS.emulEnterSimple.value);
  });
});
