import type { Task } from './task';

/** One mapping of one 4 KB frame into one space. */
export interface MappingNode {
  task: Task;
  /** Page-aligned virtual address in `task`. */
  va: number;
  readonly frame: number;
  writable: boolean;
  parent: MappingNode | null;
  firstChild: MappingNode | null;
  nextSibling: MappingNode | null;
  previousSibling: MappingNode | null;
  /** Physical address of the node's slot in kernel memory (its cache footprint). */
  readonly address: number;
}

/** What the database asks of the kernel: page-table updates and cost charging. */
export interface MappingHost {
  /** Writes the PTE of `task` at `va` for `frame`. False if no page table could be allocated. */
  install(task: Task, va: number, frame: number, writable: boolean): boolean;
  /** Clears the PTE of `task` at `va` and invalidates its TLB entry where it may be cached. */
  remove(task: Task, va: number): void;
  /** Makes the PTE of `task` at `va` read-only (and invalidates its TLB entry). */
  downgrade(task: Task, va: number): void;
  /**
   * Charges an access to the node's memory: a read, or a write of fields the kernel has just
   * read (the database reads a node before it changes it, see {@link MappingDatabase}).
   */
  touchNode(node: MappingNode, write: boolean): void;
}

/** What a map or grant did. */
export type MapOutcome = 'mapped' | 'unchanged' | 'noMemory' | 'refused';

/*
 * The mapping database (SOSP'95 §2.1 and Appendix A; Pistachio's mapping tree).
 *
 * Every physical frame has a tree of mappings. Its root is sigma0's idempotent mapping, created
 * lazily the first time sigma0 maps the frame. When space A maps a page to space B (map item in
 * an IPC), B's mapping becomes a child of A's node for that frame: B received it from A. A grant
 * moves A's node to B instead: B takes A's place in the tree, with A's children, and A loses the
 * page. Unmapping a page in A (fpage_unmap) walks the subtree below A's node depth first and
 * removes every node (or, for a "remap", clears the write right in every node), clearing each
 * PTE and invalidating TLB entries: everything that was derived from A's page, directly or
 * indirectly, goes away, and nothing else. Rights only shrink along a path: a child is writable
 * only if its parent is. A space holds at most one node per virtual page (found through
 * `task.mappings`); mapping over an existing page first flushes the old one, unless it is the
 * same frame already derived from the mapper, which only has its rights upgraded.
 *
 * Invariants: node.task.mappings.get(va >>> 12) === node for every live node; the PTE of
 * (task, va) is present iff such a node exists; a node's frame equals its parent's.
 *
 * Memory traffic: the kernel reaches a node by following a pointer and reads its fields before
 * it changes them; linking and unlinking also update the parent's child pointer and the
 * neighbouring siblings' links; a free node's slot holds the free list's next pointer, which
 * allocation reads. Each such node access goes through the host's `touchNode` (read, then
 * write), so the P5's non-allocating write misses (SDM Vol.3 §11.3) do not turn every link
 * update into a write to L2.
 */
export class MappingDatabase {
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  nodes = 0;

  constructor(
    private readonly host: MappingHost,
    private readonly slotBase: number,
    private readonly slotBytes: number,
    private readonly slotCount: number,
    /** Which per-task node index this database uses (memory pages; the I/O space has its own). */
    private readonly mappingsOf: (task: Task) => Map<number, MappingNode> = (task) => task.mappings,
  ) {}

  /** The node of `task` at `va`, if any. */
  lookup(task: Task, va: number): MappingNode | undefined {
    return this.mappingsOf(task).get(va >>> 12);
  }

  /** Creates a root node (sigma0's idempotent page); its PTE is written by the caller. */
  root(task: Task, va: number, frame: number, writable: boolean): MappingNode | null {
    const existing = this.lookup(task, va);
    if (existing) return existing;
    const node = this.newNode(task, va, frame, writable, null);
    return node;
  }

  /**
   * Maps (or grants) the page of `from` to `task` at `va` with at most `writable` rights.
   * Returns what happened; 'refused' when the target page is `from` itself or an ancestor.
   */
  map(from: MappingNode, task: Task, va: number, writable: boolean, grant: boolean): MapOutcome {
    va = (va & 0xfffff000) >>> 0;
    const rights = writable && from.writable;
    const existing = this.lookup(task, va);
    if (existing) {
      for (let n: MappingNode | null = from; n !== null; n = n.parent) if (n === existing) return 'refused';
      if (!grant && existing.parent === from && existing.frame === from.frame) {
        if (rights && !existing.writable) {
          existing.writable = true;
          this.update(existing);
          this.host.install(task, va, existing.frame, true);
        }
        return 'unchanged';
      }
      this.flush(existing, true);
    }
    if (grant) {
      this.update(from);
      if (!this.host.install(task, va, from.frame, rights)) return 'noMemory';
      this.host.remove(from.task, from.va);
      this.mappingsOf(from.task).delete(from.va >>> 12);
      from.task = task;
      from.va = va;
      from.writable = rights;
      this.mappingsOf(task).set(va >>> 12, from);
      return 'mapped';
    }
    if (this.nodes >= this.slotCount && this.freeSlots.length === 0) return 'noMemory';
    if (!this.host.install(task, va, from.frame, rights)) return 'noMemory';
    this.newNode(task, va, from.frame, rights, from);
    return 'mapped';
  }

  /**
   * Unmaps everything derived from `node`: with `flush` removes the subtree (and `node` itself if
   * `includeSelf`), otherwise makes it read-only (and `node` too if `includeSelf`). Returns the
   * number of nodes visited.
   */
  unmap(node: MappingNode, flush: boolean, includeSelf: boolean): number {
    let visited = 0;
    this.host.touchNode(node, false);
    let child = node.firstChild;
    while (child !== null) {
      const next = child.nextSibling;
      visited += flush ? this.flush(child, true) : this.downgradeTree(child);
      child = next;
    }
    if (includeSelf) {
      if (flush) visited += this.flush(node, false);
      else if (node.writable) {
        node.writable = false;
        this.update(node);
        this.host.downgrade(node.task, node.va);
        visited++;
      }
    }
    return visited;
  }

  /** Removes every mapping of `task` with everything derived from it (task deletion). */
  removeTask(task: Task): void {
    for (const node of [...this.mappingsOf(task).values()]) if (this.mappingsOf(task).get(node.va >>> 12) === node) this.flush(node, true);
  }

  /** Nodes in the subtree of `node` (including it), depth first: for tests and the inspector. */
  subtree(node: MappingNode): MappingNode[] {
    const out: MappingNode[] = [node];
    for (let child = node.firstChild; child !== null; child = child.nextSibling) out.push(...this.subtree(child));
    return out;
  }

  private downgradeTree(node: MappingNode): number {
    let visited = 1;
    if (node.writable) {
      node.writable = false;
      this.update(node);
      this.host.downgrade(node.task, node.va);
    } else {
      this.host.touchNode(node, false);
    }
    for (let child = node.firstChild; child !== null; child = child.nextSibling) visited += this.downgradeTree(child);
    return visited;
  }

  /** Removes `node` and its subtree; roots keep their node unless `evenRoot`. */
  private flush(node: MappingNode, evenRoot: boolean): number {
    let visited = 0;
    let child = node.firstChild;
    while (child !== null) {
      const next = child.nextSibling;
      visited += this.flush(child, true);
      child = next;
    }
    if (node.parent === null && !evenRoot) return visited;
    this.update(node);
    this.host.remove(node.task, node.va);
    this.mappingsOf(node.task).delete(node.va >>> 12);
    this.unlink(node);
    this.freeSlots.push((node.address - this.slotBase) / this.slotBytes);
    this.nodes--;
    return visited + 1;
  }

  private newNode(task: Task, va: number, frame: number, writable: boolean, parent: MappingNode | null): MappingNode {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.nextSlot++;
    const node: MappingNode = {
      task,
      va: (va & 0xfffff000) >>> 0,
      frame,
      writable,
      parent,
      firstChild: null,
      nextSibling: null,
      previousSibling: null,
      address: this.slotBase + (slot % this.slotCount) * this.slotBytes,
    };
    // the slot's free-list link is read, then the node written
    this.update(node);
    if (parent !== null) {
      node.nextSibling = parent.firstChild;
      if (parent.firstChild !== null) {
        parent.firstChild.previousSibling = node;
        this.update(parent.firstChild);
      }
      parent.firstChild = node;
      this.update(parent);
    }
    this.mappingsOf(task).set(node.va >>> 12, node);
    this.nodes++;
    return node;
  }

  /** A read-modify-write of a node's fields. */
  private update(node: MappingNode): void {
    this.host.touchNode(node, false);
    this.host.touchNode(node, true);
  }

  private unlink(node: MappingNode): void {
    const parent = node.parent;
    if (node.previousSibling !== null) {
      node.previousSibling.nextSibling = node.nextSibling;
      this.update(node.previousSibling);
    } else if (parent !== null) {
      parent.firstChild = node.nextSibling;
      this.update(parent);
    }
    if (node.nextSibling !== null) {
      node.nextSibling.previousSibling = node.previousSibling;
      this.update(node.nextSibling);
    }
    node.parent = null;
    node.nextSibling = null;
    node.previousSibling = null;
  }
}
