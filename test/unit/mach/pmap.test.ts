import * as assert from 'node:assert/strict';
import { Machine } from '../../../engine/machine/machine';
import { MachKernel } from '../../../engine/mach/machKernel';

describe('mach pmap', () => {
  it('removes mappings above 2 GB when clearing a whole address space', () => {
    const kernel = new MachKernel(new Machine({ parameters: { memoryMB: 16 } }));
    const task = kernel.createTask('t', false);
    const frame = kernel.memory.allocateFrame();
    assert.ok(task.map.pmap.enter(0xbfff0000, frame, true));
    assert.notEqual(task.map.pmap.lookup(0xbfff0000) & 1, 0);
    task.map.pmap.remove(0x1000, 0xc0000000);
    assert.equal(task.map.pmap.lookup(0xbfff0000) & 1, 0);
  });

  it('withholds reserved memory from the page allocator', () => {
    const machine = new Machine({ parameters: { memoryMB: 16 } });
    const kernel = new MachKernel(machine, { reservedBytes: 8 << 20 });
    assert.equal(kernel.reservedStart, 8 << 20);
    for (let frame = kernel.memory.allocateFrame(); frame >= 0; frame = kernel.memory.allocateFrame()) assert.ok(frame < 8 << 20);
  });
});
