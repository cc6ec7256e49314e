import { strict as assert } from 'node:assert';
import { Machine } from '../../../engine/machine/machine';
import { makePde, makePte, PG_USER, PG_WRITABLE } from '../../../engine/machine/paging';
import { l4linuxParameters } from '../../../engine/linux/l4/l4linuxParameters';
import { softwareTranslate } from '../../../engine/linux/l4/softwareWalk';

const PGD = 0x100000;
const PT = 0x101000;
const FRAME = 0x200000;
const LINEAR = 0x08049123;

function setUp(): Machine {
  const machine = new Machine();
  machine.memory.write32(PGD + ((LINEAR >>> 22) << 2), makePde(PT, PG_USER | PG_WRITABLE));
  machine.memory.write32(PT + (((LINEAR >>> 12) & 0x3ff) << 2), makePte(FRAME, PG_USER));
  return machine;
}

function walkCycles(machine: Machine, write = false): { cycles: number; result: ReturnType<typeof softwareTranslate> } {
  const before = machine.now;
  const result = softwareTranslate(machine, l4linuxParameters().values, PGD, LINEAR, write);
  return { cycles: machine.now - before, result };
}

describe('L4Linux software page-table walk (SOSP97 §4.3)', () => {
  it('translates through the logical tables and reports protection faults as values', () => {
    const machine = setUp();
    assert.deepEqual(walkCycles(machine).result, { ok: true, physical: (FRAME | (LINEAR & 0xfff)) >>> 0 });
    assert.deepEqual(walkCycles(machine, true).result, { ok: false, reason: 'protection' });
    assert.deepEqual(softwareTranslate(machine, l4linuxParameters().values, PGD, 0x40000000, false), { ok: false, reason: 'notPresent' });
  });

  it('costs 11 cycles with both entries in L1 and more as they miss (cache model, not a constant)', () => {
    const machine = setUp();
    const cold = walkCycles(machine).cycles;
    const warm = walkCycles(machine).cycles;
    assert.equal(warm, 11);
    assert.ok(cold > warm, `cold ${cold} > warm ${warm}`);
    machine.caches.writeBackAndInvalidate(); // wbinvd: both table lines now come from DRAM again
    const again = walkCycles(machine).cycles; // from the DRAM page the cold walk left open
    assert.ok(again > warm && again <= cold, `warm ${warm} < again ${again} <= cold ${cold}`);
    assert.ok(machine.accounting !== undefined);
  });
});
