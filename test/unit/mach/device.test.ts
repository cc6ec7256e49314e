import * as assert from 'node:assert/strict';
import { DEVICE } from '../../../engine/mach/device';
import { KERN } from '../../../engine/mach/machConstants';
import { bootMach, runToIdle } from './fixtures';

describe('mach devices: requests and replies as messages, interrupts in the kernel', () => {
  it('reads the disk asynchronously: the reply arrives from the disk interrupt with the data out of line', () => {
    const { kernel, machine } = bootMach();
    const pattern = new Uint8Array(8192);
    for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 13 + 5) & 0xff;
    machine.disk.image.set(pattern, 100 * 512);
    const task = kernel.createTask('server', false);
    const master = kernel.grantKernelPort(task, kernel.devices.masterPort);
    const log: number[] = [];
    let data: Uint8Array | null = null;
    let waited = 0;
    kernel.resume(kernel.createThread(task, 'server', function* (g) {
      log.push(yield* g.deviceOpen(master, 7));
      log.push(yield* g.deviceOpen(master, DEVICE.disk));
      const disk = g.out[0];
      const before = machine.now;
      log.push(yield* g.deviceRead(disk, 100, 6000));
      waited = machine.now - before;
      const [address, size] = [g.out[0], g.out[1]];
      log.push(size);
      data = new Uint8Array(size);
      yield* g.read(address, data);
    }));
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.INVALID_ARGUMENT, KERN.SUCCESS, KERN.SUCCESS, 6000]);
    assert.deepEqual(data, pattern.subarray(0, 6000));
    assert.equal(kernel.devices.interrupts, 1);
    assert.ok(waited > 133_000, 'the thread waited for the disk (milliseconds)');
    assert.ok((machine.accounting.breakdown().idle ?? 0) > 0, 'the CPU idled during the transfer');
  });

  it('writes to the console with device_write', () => {
    const { kernel, machine } = bootMach();
    const task = kernel.createTask('server', false);
    const master = kernel.grantKernelPort(task, kernel.devices.masterPort);
    const log: number[] = [];
    kernel.resume(kernel.createThread(task, 'server', function* (g) {
      yield* g.deviceOpen(master, DEVICE.console);
      const console = g.out[0];
      const self = yield* g.machTaskSelf();
      yield* g.vmAllocate(self, 0, 8192, true);
      const text = new TextEncoder().encode('hello from a Mach task\n');
      yield* g.write(g.out[0] + 4090, text); // straddles a page boundary
      log.push(yield* g.deviceWrite(console, g.out[0] + 4090, text.length), g.out[0]);
    }));
    runToIdle(kernel);
    assert.deepEqual(log, [KERN.SUCCESS, 23]);
    assert.equal(machine.console.output(), 'hello from a Mach task\n');
  });
});

describe('mach devices: interrupt-driven preemption', () => {
  it('a high-priority driver thread waiting for the disk preempts a compute-bound thread when the interrupt arrives', () => {
    const { kernel, machine } = bootMach();
    const task = kernel.createTask('server', false);
    const master = kernel.grantKernelPort(task, kernel.devices.masterPort);
    const events: string[] = [];
    kernel.resume(kernel.createThread(task, 'driver', function* (g) {
      yield* g.deviceOpen(master, DEVICE.disk);
      const disk = g.out[0];
      yield* g.deviceRead(disk, 0, 512);
      events.push('read done');
    }, 4));
    kernel.resume(kernel.createThread(task, 'worker', function* (g) {
      for (let i = 0; i < 10; i++) {
        yield* g.compute(machine.microsecondsToCycles(5_000));
        events.push(`slice ${i}`);
      }
    }, 20));
    runToIdle(kernel);
    const done = events.indexOf('read done');
    assert.ok(done > 0 && done < events.length - 1, events.join(', '));
  });
});
