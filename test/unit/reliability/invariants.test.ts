import assert from 'node:assert/strict';
import { fpage, receiveWindow, type L4Api } from '../../../engine/l4/guestApi';
import { checkL4Invariants } from '../../../engine/l4/invariants';
import { makePte, PG_USER, PG_WRITABLE } from '../../../engine/machine/paging';
import { DATA, L4Test } from '../../guest/l4/harness';

/** Task 5 maps DATA to task 6 at 0x30000000 (writable); both then wait. */
function mappedPair(): L4Test {
  const t = new L4Test();
  const done = { value: false };
  const b = t.task(6, function* (l4: L4Api) {
    const r = yield* l4.ipcWait(0, { receive: receiveWindow(0x30000000, 12) });
    yield* l4.ipcSend({ low: r.sourceLow, high: r.sourceHigh }, 0, 0);
    yield* l4.ipcWait();
  });
  t.task(5, function* (l4: L4Api) {
    yield* l4.write32(DATA, 1);
    yield* l4.ipcCall(b, DATA, fpage(DATA, 12, true), 0, { send: 2 });
    done.value = true;
    yield* l4.ipcWait();
  });
  t.run(() => done.value);
  return t;
}

describe('L4 invariant checker', () => {
  it('finds nothing wrong in a booted kernel and after map, grant and unmap traffic', () => {
    const t = new L4Test();
    assert.deepEqual(checkL4Invariants(t.kernel, { deep: true }), []);
    assert.deepEqual(checkL4Invariants(mappedPair().kernel, { deep: true }), []);
  });

  it('reports a present PTE without a mapping node', () => {
    const t = mappedPair();
    const task = t.kernel.tasks[6]!;
    t.machine.memory.write32(t.kernel.pteAddress(task, 0x30001000), makePte(0x00a00000, PG_USER));
    assert.match(checkL4Invariants(t.kernel).join('\n'), /task 6: present PTE at 0x30001000 .* has no mapping node/);
  });

  it('reports a child with more rights than its parent and a PTE that disagrees with its node', () => {
    const t = mappedPair();
    const child = t.kernel.mappings.lookup(t.kernel.tasks[6]!, 0x30000000)!;
    child.parent!.writable = false;
    assert.match(checkL4Invariants(t.kernel).join('\n'), /writable below a read-only parent/);
    child.writable = false;
    assert.match(checkL4Invariants(t.kernel).join('\n'), /disagrees with its node/);
  });

  it('reports a frame still mapped after its parent node went away (reachable after unmap)', () => {
    const t = mappedPair();
    const task5 = t.kernel.tasks[5]!;
    task5.mappings.delete(DATA >>> 12); // the parent vanishes without unmapping its subtree
    t.kernel.mappings.nodes--;
    assert.match(checkL4Invariants(t.kernel).join('\n'), /its parent \(task 5 at 0x900000\) is not a live node/);
  });

  it('reports inconsistent TCB and queue state and lost page-table frames', () => {
    const t = mappedPair();
    const thread = t.kernel.tasks[5]!.threads[0]!;
    thread.queuedAt = t.kernel.tasks[6]!.threads[0]!;
    const lost = t.kernel.pageTablePool.allocate();
    const found = checkL4Invariants(t.kernel).join('\n');
    assert.match(found, /thread 5\.0: queued at 6\.0/);
    assert.match(found, /lost frames/);
    t.kernel.pageTablePool.release(lost);
  });

  it('reads state only: checking charges no cycles and changes no PTE', () => {
    const t = mappedPair();
    const now = t.machine.now;
    const before = t.kernel.tasks[6]!.readPte(0x30000000);
    checkL4Invariants(t.kernel, { deep: true });
    assert.equal(t.machine.now, now);
    assert.equal(t.kernel.tasks[6]!.readPte(0x30000000), before);
    assert.equal(before & PG_WRITABLE, PG_WRITABLE);
  });
});
