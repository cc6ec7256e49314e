import * as assert from 'node:assert/strict';
import { MappingDatabase, type MappingHost } from '../../../engine/l4/mappingDatabase';
import { Task } from '../../../engine/l4/task';
import { PhysicalMemory } from '../../../engine/machine/physicalMemory';

/** A fake page-table side: records PTEs as "task:va" → frame/rights. */
function setup() {
  const ptes = new Map<string, { frame: number; writable: boolean }>();
  const removed: string[] = [];
  const host: MappingHost = {
    install: (task, va, frame, writable) => {
      ptes.set(`${task.number}:${va.toString(16)}`, { frame, writable });
      return true;
    },
    remove: (task, va) => {
      ptes.delete(`${task.number}:${va.toString(16)}`);
      removed.push(`${task.number}:${va.toString(16)}`);
    },
    downgrade: (task, va) => {
      const pte = ptes.get(`${task.number}:${va.toString(16)}`);
      if (pte) pte.writable = false;
    },
    touchNode: () => undefined,
  };
  const memory = new PhysicalMemory(4096 * 16);
  const task = (n: number) => new Task(n, 1, 0, 0x1000 * n, memory);
  const db = new MappingDatabase(host, 0x140000, 16, 1024);
  return { db, ptes, removed, task };
}

describe('L4 mapping database', () => {
  it('A grants to B, B maps to C, A unmaps: C loses it', () => {
    const { db, ptes, task } = setup();
    const [sigma0, a, b, c] = [task(2), task(5), task(6), task(7)];
    const root = db.root(sigma0, 0x900000, 0x900000, true)!;
    assert.equal(db.map(root, a, 0x10000, true, false), 'mapped');
    const nodeA = db.lookup(a, 0x10000)!;
    assert.equal(db.map(nodeA, b, 0x20000, true, true), 'mapped', 'grant');
    assert.equal(db.lookup(a, 0x10000), undefined, 'A lost the page by granting it');
    assert.equal(ptes.has('5:10000'), false);
    const nodeB = db.lookup(b, 0x20000)!;
    assert.equal(nodeB.parent, root, 'B took A\'s place in the tree');
    assert.equal(db.map(nodeB, c, 0x30000, false, false), 'mapped');
    assert.deepEqual(ptes.get('7:30000'), { frame: 0x900000, writable: false });
    // sigma0 (A's origin) unmaps: everything derived goes
    db.unmap(root, true, false);
    assert.equal(ptes.has('6:20000'), false);
    assert.equal(ptes.has('7:30000'), false, 'C lost it');
    assert.equal(db.lookup(c, 0x30000), undefined);
    assert.ok(db.lookup(sigma0, 0x900000), 'the root stays');
  });

  it('unmaps recursively from the middle, and remaps read-only without removing', () => {
    const { db, ptes, task } = setup();
    const [sigma0, a, b, c] = [task(2), task(5), task(6), task(7)];
    const root = db.root(sigma0, 0x900000, 0x900000, true)!;
    db.map(root, a, 0x1000, true, false);
    db.map(db.lookup(a, 0x1000)!, b, 0x2000, true, false);
    db.map(db.lookup(b, 0x2000)!, c, 0x3000, true, false);
    db.unmap(db.lookup(a, 0x1000)!, false, false);
    assert.deepEqual(ptes.get('5:1000'), { frame: 0x900000, writable: true }, 'the unmapper keeps its rights');
    assert.equal(ptes.get('6:2000')!.writable, false);
    assert.equal(ptes.get('7:3000')!.writable, false);
    db.unmap(db.lookup(b, 0x2000)!, true, false);
    assert.ok(ptes.has('6:2000'));
    assert.ok(!ptes.has('7:3000'));
    db.unmap(db.lookup(a, 0x1000)!, true, true);
    assert.ok(!ptes.has('5:1000') && !ptes.has('6:2000'));
    assert.equal(db.nodes, 1);
  });

  it('never grants more rights than the mapper has, refuses cycles, and overmaps by flushing', () => {
    const { db, ptes, task } = setup();
    const [sigma0, a, b] = [task(2), task(5), task(6)];
    const root = db.root(sigma0, 0x900000, 0x900000, true)!;
    const rootB = db.root(sigma0, 0x901000, 0x901000, true)!;
    db.map(root, a, 0x1000, false, false);
    db.map(db.lookup(a, 0x1000)!, b, 0x2000, true, false);
    assert.equal(ptes.get('6:2000')!.writable, false);
    assert.equal(db.map(db.lookup(b, 0x2000)!, a, 0x1000, true, false), 'refused', 'B cannot map over its own origin');
    // mapping another frame over B's page flushes the old mapping first
    assert.equal(db.map(rootB, b, 0x2000, true, false), 'mapped');
    assert.deepEqual(ptes.get('6:2000'), { frame: 0x901000, writable: true });
    assert.equal(db.subtree(root).length, 2);
    // the same mapping again only upgrades rights
    db.map(rootB, b, 0x2000, false, false);
    assert.equal(db.map(rootB, b, 0x2000, true, false), 'unchanged');
  });

  it('removes all of a task\'s mappings and what was derived from them', () => {
    const { db, ptes, task } = setup();
    const [sigma0, a, b] = [task(2), task(5), task(6)];
    for (let i = 0; i < 4; i++) {
      const root = db.root(sigma0, 0x900000 + i * 4096, 0x900000 + i * 4096, true)!;
      db.map(root, a, i * 4096, true, false);
      db.map(db.lookup(a, i * 4096)!, b, 0x100000 + i * 4096, true, false);
    }
    db.removeTask(a);
    assert.equal([...ptes.keys()].filter((k) => k.startsWith('5:') || k.startsWith('6:')).length, 0);
    assert.equal(db.nodes, 4);
  });

  it('reads every node before it writes it, including the parent and sibling links it updates', () => {
    const touches: string[] = [];
    const host: MappingHost = {
      install: () => true,
      remove: () => undefined,
      downgrade: () => undefined,
      touchNode: (node, write) => touches.push(`${write ? 'w' : 'r'}${node.address.toString(16)}`),
    };
    const memory = new PhysicalMemory(4096 * 16);
    const task = (n: number) => new Task(n, 1, 0, 0x1000 * n, memory);
    const db = new MappingDatabase(host, 0x140000, 16, 1024);
    const [sigma0, a, b, c] = [task(2), task(5), task(6), task(7)];
    const root = db.root(sigma0, 0x900000, 0x900000, true)!;
    db.map(root, a, 0x10000, true, false);
    const nodeA = db.lookup(a, 0x10000)!;
    db.map(nodeA, b, 0x20000, true, false);
    db.map(nodeA, c, 0x30000, true, false);
    db.unmap(nodeA, true, false);
    assert.ok(touches.length > 0);
    const read = new Set<string>();
    for (const t of touches) {
      if (t.startsWith('r')) read.add(t.slice(1));
      else assert.ok(read.has(t.slice(1)), `node ${t.slice(1)} written before it was read`);
    }
    // linking C in front of B updates B's back link, and A's first-child pointer
    assert.ok(touches.includes(`w${db.subtree(root)[1].address.toString(16)}`), 'A was updated');
  });
});
