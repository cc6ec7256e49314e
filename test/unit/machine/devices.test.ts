import * as assert from 'node:assert/strict';
import { CAT, type InterruptHandler } from '../../../engine/machine/cpu';
import { ExecutionContext } from '../../../engine/machine/executionContext';
import { Machine } from '../../../engine/machine/machine';
import { runMachineBenchmark, within } from '../../../engine/bench/machineBench';
import { SECTOR_SIZE } from '../../../engine/machine/disk';

describe('Devices and interrupts', () => {
  it('delivers PIT interrupts every 10 ms of simulated time through the PIC and the IDT', () => {
    const machine = new Machine({ parameters: { memoryMB: 4 } });
    const ticks: number[] = [];
    const handler: InterruptHandler = function* (vector) {
      ticks.push(machine.now);
      machine.pic.endOfInterrupt(machine.pic.irqOfVector(vector));
    };
    machine.cpu.idt[0x20] = handler;
    machine.pit.start();
    const cpu = machine.cpu;
    cpu.current = new ExecutionContext('idle', function* () {
      for (;;) yield* cpu.halt();
    });
    cpu.run(() => machine.now >= 10 * machine.pit.periodCycles - 1);
    assert.equal(ticks.length, 10);
    // LATCH = round(1193182 / HZ) = 11932 input clocks: 10.00015 ms, as on a real PC
    const period = machine.pit.periodCycles;
    assert.ok(Math.abs(period - 1_330_020) < 1);
    ticks.forEach((t, i) => assert.ok(Math.abs(t - (i + 1) * period) <= 1, `tick ${i} at ${t}`));
    assert.ok(machine.accounting.get('idle') >= ticks[9] - 1);
  });

  it('splits computation at interrupts and resumes it', () => {
    const machine = new Machine({ parameters: { memoryMB: 4 } });
    let interruptedAt = -1;
    machine.cpu.idt[0x20] = function* () {
      interruptedAt = machine.now;
      machine.pic.endOfInterrupt(0);
    };
    machine.pit.start();
    const cpu = machine.cpu;
    cpu.interruptsEnabled = true;
    let done = false;
    cpu.current = new ExecutionContext('worker', function* () {
      yield* cpu.compute(2_000_000, CAT.user);
      done = true;
    });
    assert.equal(cpu.run(() => done), 'finished');
    assert.equal(interruptedAt, Math.round(machine.pit.periodCycles));
    assert.equal(machine.now, 2_000_000);
  });

  it('masks IRQs and orders them by priority', () => {
    const machine = new Machine({ parameters: { memoryMB: 4 } });
    const pic = machine.pic;
    pic.raise(4);
    pic.raise(1);
    pic.mask(1);
    assert.equal(pic.acknowledge(), 0x24);
    assert.equal(pic.hasPending(), false, 'IRQ 1 is masked, IRQ 4 in service');
    pic.unmask(1);
    assert.equal(pic.hasPending(), true, 'IRQ 1 outranks the in-service IRQ 4');
    assert.equal(pic.acknowledge(), 0x21);
  });

  it('completes disk requests after seek, rotation and transfer, then raises IRQ 14', () => {
    const machine = new Machine({ parameters: { memoryMB: 4 } });
    machine.disk.image.set([0xde, 0xad], 5 * SECTOR_SIZE);
    let completed = -1;
    const request = { sector: 5, count: 8, write: false, physical: 0x10000, done: () => (completed = machine.now) };
    const expected = machine.disk.serviceCycles(request);
    machine.disk.submit(request);
    machine.scheduler.advance(expected);
    machine.scheduler.fireDue();
    assert.equal(completed, expected);
    assert.deepEqual([...machine.memory.bytes.subarray(0x10000, 0x10002)], [0xde, 0xad]);
    assert.equal(machine.pic.acknowledge(), 0x28 + 6);
    // the next sector in sequence has no seek or rotational delay, only the transfer
    assert.equal(machine.disk.serviceCycles({ sector: 13, count: 8 }), Math.round(machine.disk.geometry.transferCycles(8)));
  });

  it('carries console output to listeners and input to the guest with IRQ 1', () => {
    const machine = new Machine({ parameters: { memoryMB: 4 } });
    const seen: string[] = [];
    machine.console.onOutput((text) => seen.push(text));
    machine.console.write('boot\n');
    assert.deepEqual(seen, ['boot\n']);
    machine.console.type('ls\n');
    assert.equal(machine.pic.acknowledge(), 0x21);
    assert.equal(new TextDecoder().decode(machine.console.takeInput(10)), 'ls\n');
  });
});

describe('Determinism and the machine report', () => {
  it('gives identical statistics for the same run twice', () => {
    const run = () => {
      const report = runMachineBenchmark({ memoryMB: 32 });
      return JSON.stringify(report);
    };
    assert.equal(run(), run());
  });

  it('puts memory-bound copy bandwidth in the lmbench i586 range and a TLB miss near 25 cycles', () => {
    const report = runMachineBenchmark();
    const byId = Object.fromEntries(report.figures.map((f) => [f.id, f]));
    // the report's own check: the range ±10 % (the i586 rows' clock rates are not stated)
    assert.ok(within(byId['bw.bcopy-memory']!), `bcopy ${byId['bw.bcopy-memory']!.value}`);
    assert.ok(Math.abs(byId['tlb.miss']!.value - 25) <= 2, `TLB miss ${byId['tlb.miss']!.value}`);
  });
});
