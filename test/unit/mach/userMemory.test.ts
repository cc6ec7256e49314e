import * as assert from 'node:assert/strict';
import type { CodePath, Cpu } from '../../../engine/machine/cpu';
import type { MachGuest } from '../../../engine/mach/guestApi';
import { KERN, VM_PROT } from '../../../engine/mach/machConstants';
import { UserMemoryCache } from '../../../engine/linux/mach/userMemory';
import type { Operation } from '../../../engine/machine/executionContext';

/** A guest whose vm_remap places ranges one after the other and records the RPCs. */
function fakeGuest(protection: number = VM_PROT.ALL) {
  const calls: string[] = [];
  let next = 0x100000;
  const out = new Int32Array(4);
  const guest = {
    out,
    *machTaskSelf(): Operation<number> {
      calls.push('task_self');
      return 1;
    },
    *vmRemap(_task: number, _address: number, size: number, _anywhere: boolean, _source: number, sourceAddress: number): Operation<number> {
      calls.push(`remap ${sourceAddress.toString(16)} ${size}`);
      out[0] = next;
      out[1] = protection;
      next += size;
      return KERN.SUCCESS;
    },
    *vmDeallocate(_task: number, address: number, size: number): Operation<number> {
      calls.push(`deallocate ${address.toString(16)} ${size}`);
      return KERN.SUCCESS;
    },
  };
  return { guest: guest as unknown as MachGuest, calls };
}

function run<T>(operation: Operation<T>): T {
  for (;;) {
    const step = operation.next();
    if (step.done === true) return step.value;
  }
}

const path = { name: 'p', cycles: 1, category: 'linuxServer', address: 0, bytes: 0, source: '' } as unknown as CodePath;
const cpu = { execute() {}, charge() {} } as unknown as Cpu;

describe('MkLinux user-memory share cache (osfmach3 user_memory.c)', () => {
  it('remaps on a miss, then finds the range through a hint; a longer copy remaps the region bigger', () => {
    const cache = new UserMemoryCache(cpu, { hint: path, slow: path, chainStep: 1, insert: path });
    const { guest, calls } = fakeGuest();
    const owner = cache.owner(7, 42);
    const first = run(cache.lookup(guest, owner, 0x8050010, 100, false));
    assert.equal(first, 0x100010);
    assert.equal(run(cache.lookup(guest, owner, 0x8050200, 100, true)), 0x100200);
    assert.equal(run(cache.lookup(guest, owner, 0x8050010, 8000, false)), 0x101010);
    assert.deepEqual(calls, ['task_self', 'remap 8050000 4096', 'remap 8050000 8192', 'deallocate 100000 4096']);
  });

  it('refuses a write through a read-only remapping, and forgets an exited process\'s regions until drained', () => {
    const cache = new UserMemoryCache(cpu, { hint: path, slow: path, chainStep: 1, insert: path });
    const { guest, calls } = fakeGuest(VM_PROT.READ);
    const owner = cache.owner(3, 9);
    assert.equal(run(cache.lookup(guest, owner, 0x9000, 4, true)), -1);
    assert.ok(run(cache.lookup(guest, owner, 0xa000, 4, false)) > 0);
    cache.forget(owner);
    assert.equal(owner.regions.size, 0);
    run(cache.drain(guest));
    assert.equal(calls.filter((c) => c.startsWith('deallocate')).length, 2);
  });
});
