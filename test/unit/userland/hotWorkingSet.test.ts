import * as assert from 'node:assert/strict';
import { VECTOR } from '../../../engine/base/result';
import { ACCESS_READ, CAT } from '../../../engine/machine/cpu';
import type { Activity } from '../../../engine/machine/executionContext';
import type { Machine, MachineOptions } from '../../../engine/machine/machine';
import { HotWorkingSet, type WorkingSetDeclaration } from '../../../engine/userland/hotWorkingSet';
import { map4k, smallMachine } from '../machine/fixtures';

const PAGE = 4096;
const TEXT = 0x00400000;
const DATA = 0x00410000;
const DATA_PAGES = 4;
/** Kernel memory the "kernel activity" of the tests reads (supervisor, 16 KB: twice the L1). */
const KERNEL = 0x00300000;
const COMPUTE = 100_000;

const DECLARATION: WorkingSetDeclaration = {
  shape: { codeBytes: 2048, codePages: 4, dataBytes: 2048, dataPages: 4, dataWritten: 0.5 },
  textPages: [0, 1, 2, 3, 4, 5, 6, 7].map((page) => page * PAGE),
};

/** A machine with the image's text and data mapped for user mode and kernel memory mapped for the supervisor. */
function setUp(options: MachineOptions = {}): { machine: Machine; workingSet: HotWorkingSet } {
  const machine = smallMachine(options);
  for (let page = 0; page < 8; page++) map4k(machine, TEXT + page * PAGE, 0x100000 + page * PAGE);
  for (let page = 0; page < DATA_PAGES; page++) map4k(machine, DATA + page * PAGE, 0x180000 + page * PAGE);
  for (let page = 0; page < 4; page++) map4k(machine, KERNEL + page * PAGE, 0x200000 + page * PAGE);
  const image = { textBase: TEXT, dataBase: DATA, dataEnd: DATA + DATA_PAGES * PAGE };
  return { machine, workingSet: new HotWorkingSet(DECLARATION, image, machine.caches.lineBytes) };
}

/** Runs an activity to its end (nothing in these tests switches contexts). */
function drain(activity: Activity): void {
  while (activity.next().done !== true);
}

/** Simulated cycles of `compute(cycles)`. */
function computeCost(machine: Machine, workingSet: HotWorkingSet, cycles = COMPUTE): number {
  const before = machine.scheduler.now;
  drain(workingSet.compute(machine.cpu, cycles));
  return machine.scheduler.now - before;
}

/** Kernel activity: reads 16 KB of kernel data (evicting L1 lines) and reloads CR3 (flushing the TLBs). */
function kernelActivity(machine: Machine): void {
  machine.cpu.access(KERNEL, 4 * PAGE, ACCESS_READ, false);
  machine.cpu.loadCr3(machine.cpu.cr3, CAT.kernel);
}

describe('HotWorkingSet', () => {
  it('costs exactly the compute cycles when its lines and pages are still cached', () => {
    const { machine, workingSet } = setUp();
    computeCost(machine, workingSet); // first run: fills L1, L2 and the TLBs
    const user = machine.accounting.byCategory[CAT.user];
    assert.equal(computeCost(machine, workingSet), COMPUTE);
    assert.equal(machine.accounting.byCategory[CAT.user] - user, COMPUTE);
  });

  it('keeps the L1 hits inside the compute when hits cost extra cycles (their instructions are counted)', () => {
    const { machine, workingSet } = setUp({ parameters: { l1HitExtra: 1 } });
    computeCost(machine, workingSet);
    assert.ok(workingSet.dataLineAccesses > 0);
    assert.equal(computeCost(machine, workingSet), COMPUTE);
  });

  it('lays its lines over distinct L1 sets: once loaded, all of them are resident together', () => {
    const { machine, workingSet } = setUp();
    computeCost(machine, workingSet);
    const { codeBytes, dataBytes } = DECLARATION.shape;
    const lines = machine.caches.lineBytes;
    assert.equal(machine.caches.l1i.validLines(), codeBytes / lines);
    assert.equal(machine.caches.l1d.validLines(), dataBytes / lines);
  });

  it('costs more after kernel activity that evicted its lines and flushed the TLBs: the refills', () => {
    const { machine, workingSet } = setUp();
    computeCost(machine, workingSet);
    kernelActivity(machine);
    const stalls = machine.accounting.byCategory[CAT.cacheMiss] + machine.accounting.byCategory[CAT.tlbRefill];
    const cost = computeCost(machine, workingSet);
    assert.ok(cost > COMPUTE, `${cost} > ${COMPUTE}`);
    assert.equal(machine.accounting.byCategory[CAT.cacheMiss] + machine.accounting.byCategory[CAT.tlbRefill] - stalls, cost - COMPUTE);
    // the refilled lines came from L2: the next compute hits again
    assert.equal(computeCost(machine, workingSet), COMPUTE);
  });

  it('re-references its lines after an interruption that ran other code, not after one that ran none', () => {
    const { machine, workingSet } = setUp();
    computeCost(machine, workingSet);
    const start = machine.scheduler.now;
    machine.scheduler.at(start + COMPUTE / 2, 'idle tick', () => {});
    assert.equal(computeCost(machine, workingSet), COMPUTE);
    let handler = 0;
    machine.scheduler.at(machine.scheduler.now + COMPUTE / 2, 'interrupt', () => {
      const entered = machine.scheduler.now;
      machine.cpu.charge(500, CAT.kernel);
      kernelActivity(machine);
      handler = machine.scheduler.now - entered;
    });
    const cost = computeCost(machine, workingSet);
    assert.ok(handler > 500);
    assert.ok(cost > COMPUTE + handler, `${cost} > ${COMPUTE} + ${handler}`);
  });

  it('raises a fault of a hot page not yet mapped through the IDT and retries', () => {
    const { machine, workingSet } = setUp();
    const missing = DATA + PAGE;
    machine.memory.write32(0x3000 + 4 * ((missing >>> 12) & 0x3ff), 0); // page table of 0x400000-0x7fffff
    const faults: number[] = [];
    machine.cpu.idt[VECTOR.pageFault] = function* (_vector, fault): Activity {
      faults.push(fault?.address ?? -1);
      map4k(machine, missing, 0x190000);
    };
    computeCost(machine, workingSet);
    assert.equal(faults.length, 1);
    assert.equal(faults[0] & ~(PAGE - 1), missing);
    assert.equal(computeCost(machine, workingSet), COMPUTE);
  });
});
