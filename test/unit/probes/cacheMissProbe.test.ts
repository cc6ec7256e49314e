import * as assert from 'node:assert/strict';
import { ACCESS_READ, ACCESS_WRITE } from '../../../engine/machine/cpu';
import { map4k, smallMachine } from '../machine/fixtures';
import { CacheMissProbe } from '../../probes/cacheMissProbe';
import { pipeMissAttribution } from '../../probes/pipeMissAttribution';

/** A fixed sequence of accesses and a copy on a fresh machine; returns the machine. */
function workload(attach: boolean) {
  const m = smallMachine();
  for (let page = 0; page < 4; page++) map4k(m, 0x400000 + page * 0x1000, 0x100000 + page * 0x1000);
  const probe = attach ? new CacheMissProbe(m) : null;
  if (probe !== null) {
    probe.active = true;
    probe.watch(0x101);
  }
  m.cpu.access(0x401000, 64, ACCESS_READ, false); // the watched page: two lines into L1
  m.cpu.access(0x400000, 4, ACCESS_READ, false);
  m.cpu.access(0x400000, 4, ACCESS_READ, false);
  m.cpu.access(0x402000, 32, ACCESS_WRITE, false); // no allocation: a DRAM write
  m.cpu.copy(0x403000, 0x401000, 4096, false, false); // fills take the watched page's L1 ways
  m.cpu.access(0x400000, 4096, ACCESS_READ, false);
  return { m, probe };
}

describe('CacheMissProbe (test/probes)', () => {
  it('changes no simulated time and attributes every stall of the cacheMiss category', () => {
    const plain = workload(false).m;
    const { m, probe } = workload(true);
    assert.equal(m.scheduler.now, plain.scheduler.now);
    assert.deepEqual(m.accounting.byCategory, plain.accounting.byCategory);
    let charged = 0;
    let walks = 0;
    for (const entry of probe!.entries()) {
      if (entry.access === 'walk') walks += entry.cell.charged;
      else charged += entry.cell.charged;
    }
    const category = (name: string) => m.accounting.breakdown()[name as 'cacheMiss'] ?? 0;
    assert.ok(Math.abs(charged - category('cacheMiss')) < 1e-6, `${charged} vs ${category('cacheMiss')}`);
    assert.ok(walks > 0 && walks < category('tlbRefill'));
    const hit = [...probe!.entries()].find((e) => e.page === 0x100 && e.access === 'read' && e.level === 'L1');
    assert.equal(hit?.cell.stall, 0, 'the repeated read hits L1');
    const write = [...probe!.entries()].find((e) => e.page === 0x102 && e.access === 'write');
    assert.equal(write?.level, 'DRAM');
    assert.equal(probe!.copies.get('259>257'), 4096);
    // the copy's source fills and the later reads of page 0x100 evict the watched page's lines
    assert.ok((probe!.evictions.get(0x103) ?? 0) + (probe!.evictions.get(0x100) ?? 0) > 0);
    probe!.detach();
    assert.equal(Object.hasOwn(m.caches, 'readDataLine'), false);
    assert.equal(Object.hasOwn(m.cpu, 'copy'), false);
  });

  it("finds bw_pipe's pipe page and buffers, and accounts for the cacheMiss category", function () {
    this.timeout(60000);
    const result = pipeMissAttribution('linux', 512 * 1024);
    assert.equal(result.placement.pipe.length, 1);
    assert.equal(result.placement.writer.length, 16);
    assert.equal(result.placement.reader.length, 1, 'lmbench reads every 4 KB into the start of its buffer');
    const destination = result.rows.filter((row) => row.region === "reader's buffer (destination)" && row.charged > 0);
    assert.deepEqual(destination.map((row) => `${row.access} ${row.level}`), ['write DRAM']);
    const charged = result.rows.filter((row) => row.access !== 'walk').reduce((sum, row) => sum + row.charged, 0);
    assert.ok(Math.abs(charged - result.cacheMissPerBlock) < 0.02 * result.cacheMissPerBlock, `${charged} vs ${result.cacheMissPerBlock}`);
  });
});
