import assert from 'node:assert/strict';
import { ACCESS_READ, ACCESS_WRITE, type Cpu } from '../../../engine/machine/cpu';
import { WaitFootprint } from '../../../engine/linux/core/waitFootprint';
import { Task } from '../../../engine/linux/core/task';
import { Inode } from '../../../engine/linux/core/vfs';

const PAGE_OFFSET = 0xc0000000;

function recorder(): { cpu: Cpu; accesses: Array<[number, number, number]> } {
  const accesses: Array<[number, number, number]> = [];
  const cpu = { access: (linear: number, length: number, kind: number) => (accesses.push([linear, length, kind]), length) } as unknown as Cpu;
  return { cpu, accesses };
}

function task(pid: number, struct: number, stack: number): Task {
  const t = new Task(pid, null, new Inode(1, 'dir', 0o755), 20, `t${pid}`);
  t.structPhysical = struct;
  t.kernelStackPhysical = stack;
  return t;
}

describe('wait-queue and run-queue memory traffic (kernel/sched.c)', () => {
  const schedData = PAGE_OFFSET + 0x300000;
  const linear = (physical: number): number => PAGE_OFFSET + physical;

  it('a sleeper links a wait entry on its own kernel stack; wake_up reads it there', () => {
    const { cpu, accesses } = recorder();
    const waits = new WaitFootprint(cpu, linear, schedData);
    const sleeper = task(3, 0x21b818, 0x246000);
    waits.sleep(sleeper);
    const entry = accesses.find(([address]) => address >= linear(0x246000) && address < linear(0x247000));
    assert.ok(entry !== undefined && entry[2] === ACCESS_WRITE, 'entry written on the sleeper stack page');
    accesses.length = 0;
    waits.visit(sleeper);
    assert.deepEqual(accesses[0], [entry[0], 8, ACCESS_READ], 'the waker reads the same entry');
    assert.deepEqual(accesses[1], [linear(0x21b818), 4, ACCESS_READ], 'and the sleeper state');
  });

  it('wake_up_process links the task behind init_task; schedule unlinks the sleeper and counts the switch', () => {
    const { cpu, accesses } = recorder();
    const waits = new WaitFootprint(cpu, linear, schedData);
    const woken = task(4, 0x25b018, 0x25d000);
    waits.enqueue(woken);
    assert.deepEqual(accesses.map(([address, , kind]) => [address - PAGE_OFFSET, kind]), [
      [0x25b018, ACCESS_WRITE], [0x25b018 + 76, ACCESS_WRITE], [schedData + 76 - PAGE_OFFSET, ACCESS_WRITE],
    ]);
    accesses.length = 0;
    waits.schedule(woken, true, true);
    assert.equal(accesses.length, 3);
    waits.schedule(woken, false, false);
    assert.equal(accesses.length, 4, 'a schedule() that keeps running the task only reads init_task.next_run');
  });
});
