import * as assert from 'node:assert/strict';
import { PAGE_FAULT_PRESENT, PAGE_FAULT_USER, PAGE_FAULT_WRITE, VECTOR } from '../../../engine/base/result';
import { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE } from '../../../engine/machine/cpu';
import { PG_ACCESSED, PG_DIRTY, PG_USER, PG_WRITABLE } from '../../../engine/machine/paging';
import { map4k, map4m, pde, pte, smallMachine } from './fixtures';

describe('MMU: page walk', () => {
  it('translates through PDE and PTE and sets Accessed, then Dirty on the first write', () => {
    const machine = smallMachine();
    map4k(machine, 0x00400000, 0x00100000);
    assert.equal(pte(machine, 0x00400000) & (PG_ACCESSED | PG_DIRTY), 0);
    assert.equal(machine.cpu.translate(0x00400123, ACCESS_READ, true), 0x00100123);
    assert.equal(pde(machine, 0x00400000) & PG_ACCESSED, PG_ACCESSED);
    assert.equal(pte(machine, 0x00400000) & (PG_ACCESSED | PG_DIRTY), PG_ACCESSED);
    // a write through the now-cached clean entry sets D with a locked update
    assert.equal(machine.cpu.translate(0x00400010, ACCESS_WRITE, true), 0x00100010);
    assert.equal(pte(machine, 0x00400000) & PG_DIRTY, PG_DIRTY);
  });

  it('raises not-present faults with CR2 and the error code', () => {
    const machine = smallMachine();
    const cases: Array<[number, boolean, number]> = [
      [ACCESS_READ, false, 0],
      [ACCESS_READ, true, PAGE_FAULT_USER],
      [ACCESS_WRITE, true, PAGE_FAULT_USER | PAGE_FAULT_WRITE],
    ];
    for (const [kind, user, code] of cases) {
      assert.equal(machine.cpu.translate(0x00800004, kind as 0 | 1, user), -1);
      assert.equal(machine.cpu.fault.vector, VECTOR.pageFault);
      assert.equal(machine.cpu.fault.address, 0x00800004);
      assert.equal(machine.cpu.fault.errorCode, code);
    }
    // a present PDE with a not-present PTE is still "not present"
    map4k(machine, 0x00400000, 0x00100000);
    assert.equal(machine.cpu.translate(0x00401000, ACCESS_READ, true), -1);
    assert.equal(machine.cpu.fault.errorCode, PAGE_FAULT_USER);
  });

  it('raises protection faults for user writes to read-only pages and user access to supervisor pages', () => {
    const machine = smallMachine();
    map4k(machine, 0x00400000, 0x00100000, PG_USER); // read-only user page
    map4k(machine, 0x00401000, 0x00101000, PG_WRITABLE); // supervisor page
    assert.equal(machine.cpu.translate(0x00400000, ACCESS_READ, true), 0x00100000);
    assert.equal(machine.cpu.translate(0x00400000, ACCESS_WRITE, true), -1);
    assert.equal(machine.cpu.fault.errorCode, PAGE_FAULT_PRESENT | PAGE_FAULT_WRITE | PAGE_FAULT_USER);
    assert.equal(machine.cpu.translate(0x00401000, ACCESS_READ, true), -1);
    assert.equal(machine.cpu.fault.errorCode, PAGE_FAULT_PRESENT | PAGE_FAULT_USER);
    // the supervisor may read it, and with CR0.WP set may not write a read-only page
    assert.equal(machine.cpu.translate(0x00401000, ACCESS_READ, false), 0x00101000);
    assert.equal(machine.cpu.translate(0x00400000, ACCESS_WRITE, false), -1);
    assert.equal(machine.cpu.fault.errorCode, PAGE_FAULT_PRESENT | PAGE_FAULT_WRITE);
    machine.cpu.writeProtect = false;
    assert.equal(machine.cpu.translate(0x00400000, ACCESS_WRITE, false), 0x00100000);
  });

  it('maps 4 MB pages through the large D-TLB and the I-TLB in 4 KB pieces', () => {
    const machine = smallMachine();
    map4m(machine, 0x00c00000, 0x00400000);
    assert.equal(machine.cpu.translate(0x00c12345, ACCESS_READ, true), 0x00412345);
    assert.equal(machine.cpu.dtlbLarge.validEntries(), 1);
    assert.equal(machine.cpu.dtlb.validEntries(), 0);
    assert.equal(pde(machine, 0x00c00000) & PG_ACCESSED, PG_ACCESSED);
    machine.cpu.translate(0x00c12345, ACCESS_WRITE, true);
    assert.equal(pde(machine, 0x00c00000) & PG_DIRTY, PG_DIRTY);
    assert.equal(machine.cpu.translate(0x00c23456, ACCESS_FETCH, true), 0x00423456);
    assert.equal(machine.cpu.itlb.inspect()[0].page, 0x00c23);
    machine.cpu.pse = false; // without CR4.PSE the PS bit is ignored: the PDE names a page table
    machine.cpu.loadCr3(machine.cpu.cr3);
    assert.notEqual(machine.cpu.translate(0x00c12345, ACCESS_READ, true), 0x00412345);
  });

  it('leaves inspection free of side effects', () => {
    const machine = smallMachine();
    map4k(machine, 0x00400000, 0x00100000);
    const view = machine.inspector.translate(0x00400abc);
    assert.equal(view.physical, 0x00100abc);
    assert.equal(pte(machine, 0x00400000) & PG_ACCESSED, 0);
    assert.equal(machine.cpu.dtlb.validEntries(), 0);
    assert.equal(machine.inspector.translate(0x00500000).physical, null);
  });
});

describe('MMU: TLB', () => {
  it('hits after a miss, and a TLB miss costs the walk through L2 (about 25 cycles)', () => {
    const machine = smallMachine();
    map4k(machine, 0x00400000, 0x00100000);
    machine.cpu.translate(0x00400000, ACCESS_READ, true); // page tables now in L2 (walker: no L1 fill)
    machine.cpu.loadCr3(machine.cpu.cr3);
    const misses = machine.cpu.dtlb.misses.value;
    const before = machine.accounting.get('tlbRefill');
    machine.cpu.translate(0x00400000, ACCESS_READ, true);
    assert.equal(machine.cpu.dtlb.misses.value, misses + 1);
    assert.equal(machine.accounting.get('tlbRefill') - before, 9 + 8 + 8);
    const hits = machine.cpu.dtlb.hits.value;
    machine.cpu.translate(0x00400004, ACCESS_READ, true);
    assert.equal(machine.cpu.dtlb.hits.value, hits + 1);
    assert.equal(machine.accounting.get('tlbRefill') - before, 25);
  });

  it('evicts by pseudo-LRU when a set overflows', () => {
    const machine = smallMachine();
    const sets = machine.cpu.dtlb.sets; // 16 sets × 4 ways
    const pages = [0, 1, 2, 3, 4].map((i) => 0x00400000 + i * sets * 4096); // all in set 0
    for (const [i, linear] of pages.entries()) map4k(machine, linear, 0x00100000 + i * 4096);
    for (const linear of pages.slice(0, 4)) machine.cpu.translate(linear, ACCESS_READ, true);
    assert.equal(machine.cpu.dtlb.validEntries(), 4);
    machine.cpu.translate(pages[1], ACCESS_READ, true); // touch so page 0 is the victim
    machine.cpu.translate(pages[2], ACCESS_READ, true);
    machine.cpu.translate(pages[3], ACCESS_READ, true);
    machine.cpu.translate(pages[4], ACCESS_READ, true); // evicts one
    const resident = machine.cpu.dtlb.inspect().map((e) => e.page);
    assert.equal(resident.length, 4);
    assert.ok(!resident.includes(pages[0] >>> 12), 'the least recently used page was evicted');
    assert.ok(resident.includes(pages[4] >>> 12));
  });

  it('is flushed by a CR3 load and by INVLPG for one page, but not with the tagged-TLB what-if', () => {
    const machine = smallMachine();
    map4k(machine, 0x00400000, 0x00100000);
    map4k(machine, 0x00401000, 0x00101000);
    machine.cpu.translate(0x00400000, ACCESS_READ, true);
    machine.cpu.translate(0x00401000, ACCESS_READ, true);
    machine.cpu.invalidatePage(0x00400000);
    assert.deepEqual(machine.cpu.dtlb.inspect().map((e) => e.page), [0x00401]);
    machine.cpu.loadCr3(machine.cpu.cr3);
    assert.equal(machine.cpu.dtlb.validEntries(), 0);

    const tagged = smallMachine({ parameters: { taggedTlb: true } });
    map4k(tagged, 0x00400000, 0x00100000);
    tagged.cpu.translate(0x00400000, ACCESS_READ, true);
    tagged.memory.write32(0x8000, tagged.memory.read32(0x1000 + 4)); // a second directory sharing the table
    tagged.cpu.loadCr3(0x8000);
    assert.equal(tagged.cpu.dtlb.validEntries(), 1, 'entries of the other space stay');
    const misses = tagged.cpu.dtlb.misses.value;
    tagged.cpu.translate(0x00400000, ACCESS_READ, true);
    assert.equal(tagged.cpu.dtlb.misses.value, misses + 1, 'but do not match the new tag');
  });

  it('applies the user segment base and limit (small spaces)', () => {
    const machine = smallMachine();
    machine.cpu.loadUserSegment(0x00400000, 0x0000ffff);
    assert.equal(machine.cpu.userLinear(0x10, 4, ACCESS_READ), 0x00400010);
    assert.equal(machine.cpu.userLinear(0xfffc, 4, ACCESS_READ), 0x0040fffc);
    assert.equal(machine.cpu.userLinear(0xfffd, 4, ACCESS_WRITE), -1);
    assert.equal(machine.cpu.fault.vector, VECTOR.generalProtection);
    assert.equal(machine.cpu.fault.access, 'write');
  });
});

describe('Privilege transitions', () => {
  it('charges the measured 82 cycles for entering and leaving kernel mode from user mode', () => {
    const machine = smallMachine();
    machine.cpu.cpl = 3;
    machine.accounting.reset();
    const from = machine.cpu.enterKernel(0x80);
    assert.equal(from, 3);
    assert.equal(machine.cpu.cpl, 0);
    assert.equal(machine.cpu.interruptsEnabled, false);
    machine.cpu.returnFromKernel(from);
    assert.equal(machine.cpu.cpl, 3);
    assert.equal(machine.accounting.get('kernelEntry'), 82, 'SOSP97 §5.2: 82 cycles of bare hardware entry and exit');
  });

  it('reads the gate, the TSS and the segment descriptors through the D-TLB once a kernel has set its tables', () => {
    const machine = smallMachine();
    const cpu = machine.cpu;
    map4k(machine, 0x00500000, 0x00100000, PG_WRITABLE, PG_WRITABLE); // IDT, GDT and TSS in one kernel page
    cpu.descriptorTables = { idt: 0x00500000, gdt: 0x00500800, tss: 0x00500900, kernelCode: 0x10, userCode: 0x23, userStack: 0x2b };
    const entryAndExit = (): void => {
      cpu.cpl = 3;
      machine.accounting.reset();
      cpu.returnFromKernel(cpu.enterKernel(0x80));
    };
    const misses = cpu.dtlb.misses.value;
    entryAndExit();
    assert.equal(cpu.dtlb.misses.value, misses + 1, 'the cold entry misses the D-TLB once for the table page');
    const start = machine.scheduler.now;
    entryAndExit();
    assert.equal(machine.scheduler.now - start, 82, 'with the descriptors in the TLB and cache the entry and exit cost only their instruction timings');
    cpu.loadCr3(cpu.cr3);
    entryAndExit();
    assert.equal(cpu.dtlb.misses.value, misses + 2, 'a CR3 load makes the next entry miss again');
    assert.ok(machine.accounting.get('tlbRefill') > 0);
  });
});
