/**
 * The L4 kernel's invariants, checked from outside (fuzzing, tests, a debugger): a pure function
 * over kernel state that reads page tables through `memory.words` and the host-side objects, so
 * it charges no cycles, touches no cache or TLB and changes nothing.
 *
 * What must hold at every operation boundary:
 * - page tables ↔ mapping database: every present PTE of a user page of a task other than sigma0
 *   has exactly one mapping node (same frame, same write right) and every node has its PTE;
 *   sigma0's nodes are roots of the idempotent memory (virtual = physical);
 * - the trees: a child has its parent's frame and at most its rights, every parent is a live
 *   node, sibling links are consistent, the chain up from every node ends at a sigma0 root, so a
 *   page unmapped from an ancestor is reachable from no task;
 * - frames: user PTEs name frames of sigma0's memory only; every page directory, page table and
 *   I/O bitmap page is an allocated frame of the kernel's pool owned by exactly one owner, and no pool frame is
 *   lost (allocated but owned by nobody);
 * - threads: TCB fields agree with their task and id, states are valid, a sending thread is
 *   queued at its partner, sender queues are well-linked lists of sending threads, a ready
 *   thread is in the ready queue, a dead thread holds no queue, timeout or interrupt.
 */
import { PG_PRESENT, PG_USER, PG_WRITABLE } from '../machine/paging';
import type { L4Kernel } from './kernel';
import { SIGMA0_MEMORY_PHYSICAL, SMALL_SPACE_AREA, WINDOW_LINEAR, WINDOW_SLOTS } from './kernelLayout';
import type { MappingNode } from './mappingDatabase';
import type { Task } from './task';
import { THREAD_STATE, type Thread } from './thread';
import { lthreadOf, taskOf } from './threadId';

// imported constants as module locals: the scans below read them per page-table entry
const PRESENT = PG_PRESENT;
const USER = PG_USER;
const WRITABLE = PG_WRITABLE;
const SIGMA0_MEMORY = SIGMA0_MEMORY_PHYSICAL;
const WINDOW_FIRST_PDE = WINDOW_LINEAR >>> 22;
const WINDOW_PDES = WINDOW_SLOTS;
const SIGMA0_TASK = 2;
const USER_PDES = SMALL_SPACE_AREA >>> 22;
/** PDE bit 7: a 4 MB page (the kernel's mapping of physical memory). */
const PDE_LARGE = 0x80;
const VALID_STATES = new Set<number>(Object.values(THREAD_STATE));

/** Options of {@link checkL4Invariants}. */
export interface InvariantOptions {
  /** Also scan sigma0's whole idempotent space (every PTE virtual = physical); slower. */
  readonly deep?: boolean;
}

/**
 * Checks every invariant of the kernel and returns one line per violation (empty: all hold).
 * Side-effect free.
 */
export function checkL4Invariants(kernel: L4Kernel, options: InvariantOptions = {}): string[] {
  const out: string[] = [];
  const owners = new Owners(kernel, out);
  let nodes = 0;
  for (let number = 0; number < kernel.tasks.length; number++) {
    const task = kernel.tasks[number];
    if (task === null) continue;
    if (task.number !== number || !task.alive) out.push(`task slot ${number} holds task ${task.number} (alive ${task.alive})`);
    nodes += task.mappings.size;
    checkSpace(kernel, task, out, options.deep === true, owners);
    for (const [vpn, node] of task.mappings) checkNode(kernel, task, vpn, node, out);
    checkThreads(kernel, task, out);
  }
  if (nodes !== kernel.mappings.nodes) out.push(`mapping database counts ${kernel.mappings.nodes} nodes, the spaces hold ${nodes}`);
  checkPool(kernel, owners, out);
  checkInterrupts(kernel, out);
  const current = kernel.current;
  if (current !== null && (!current.task.alive || kernel.tasks[current.task.number] !== current.task)) out.push(`current thread ${current.name} belongs to a deleted task`);
  return out;
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

/** Page directory and page tables of `task` against its mapping nodes. */
function checkSpace(kernel: L4Kernel, task: Task, out: string[], deep: boolean, owners: Owners): void {
  const words = kernel.machine.memory.words;
  const sigma0 = task.number === SIGMA0_TASK;
  owners.own(task.pageDirectory, `task ${task.number}'s directory`);
  for (const frame of task.ioBitmap) owners.own(frame, `task ${task.number}'s I/O bitmap`);
  const directory = task.pageDirectory >>> 2;
  for (let index = 0; index < USER_PDES; index++) {
    const pde = words[directory + index];
    const table = task.pageTable(index);
    if (table === 0) {
      if ((pde & PRESENT) !== 0) out.push(`task ${task.number}: PDE ${index} present without a page table of the task`);
      continue;
    }
    owners.own(table, `task ${task.number}'s tables`);
    owners.taskTables.add(table);
    if ((pde & PRESENT) === 0 || (pde & 0xfffff000) >>> 0 !== table) out.push(`task ${task.number}: PDE ${index} does not point at its page table ${hex(table)}`);
    if (sigma0 && !deep) continue;
    for (let entry = 0; entry < 1024; entry++) {
      const pte = words[(table >>> 2) + entry];
      if ((pte & PRESENT) === 0) continue;
      const va = ((index << 22) | (entry << 12)) >>> 0;
      const frame = (pte & 0xfffff000) >>> 0;
      if ((pte & USER) === 0) out.push(`task ${task.number}: PTE at ${hex(va)} is not a user page`);
      if (frame < SIGMA0_MEMORY || frame >= kernel.memoryEnd) out.push(`task ${task.number}: page ${hex(va)} maps frame ${hex(frame)} outside sigma0's memory`);
      if (sigma0) {
        if (frame !== va) out.push(`sigma0: page ${hex(va)} is not idempotent (frame ${hex(frame)})`);
        continue;
      }
      const node = task.mappings.get(va >>> 12);
      if (node === undefined) out.push(`task ${task.number}: present PTE at ${hex(va)} (frame ${hex(frame)}) has no mapping node`);
      else if (node.frame !== frame || node.writable !== ((pte & WRITABLE) !== 0)) out.push(`task ${task.number}: PTE at ${hex(va)} (frame ${hex(frame)}, ${(pte & WRITABLE) !== 0 ? 'rw' : 'ro'}) disagrees with its node (frame ${hex(node.frame)}, ${node.writable ? 'rw' : 'ro'})`);
    }
  }
}

/** One mapping node: its PTE, its place in its tree, its rights. */
function checkNode(kernel: L4Kernel, task: Task, vpn: number, node: MappingNode, out: string[]): void {
  const where = `task ${task.number} node at ${hex(node.va)}`;
  if (node.task !== task || node.va >>> 12 !== vpn) {
    out.push(`${where}: filed under page ${hex(vpn * 4096)} of task ${task.number} but names task ${node.task.number}`);
    return;
  }
  const pte = task.readPte(node.va);
  if ((pte & PRESENT) === 0) out.push(`${where}: its PTE is not present`);
  else if (task.number === SIGMA0_TASK && ((pte & 0xfffff000) >>> 0 !== node.frame || node.writable !== ((pte & WRITABLE) !== 0))) out.push(`${where}: sigma0's PTE disagrees with its root node`);
  const parent = node.parent;
  if (parent === null) {
    if (task.number !== SIGMA0_TASK || node.va !== node.frame) out.push(`${where}: a root that is not sigma0's idempotent page (frame ${hex(node.frame)})`);
  } else {
    if (parent.frame !== node.frame) out.push(`${where}: frame ${hex(node.frame)} differs from its parent's ${hex(parent.frame)}`);
    if (node.writable && !parent.writable) out.push(`${where}: writable below a read-only parent (task ${parent.task.number} at ${hex(parent.va)})`);
    if (!parent.task.alive || kernel.tasks[parent.task.number] !== parent.task || parent.task.mappings.get(parent.va >>> 12) !== parent) out.push(`${where}: its parent (task ${parent.task.number} at ${hex(parent.va)}) is not a live node`);
    if (node.previousSibling === null ? parent.firstChild !== node : node.previousSibling.nextSibling !== node || node.previousSibling.parent !== parent) out.push(`${where}: not linked into its parent's children`);
    let depth = 0;
    let root: MappingNode = node;
    while (root.parent !== null && depth++ < 4096) root = root.parent;
    if (root.parent !== null) out.push(`${where}: its ancestors form a cycle`);
    else if (root.task.number !== SIGMA0_TASK) out.push(`${where}: its tree's root is in task ${root.task.number}, not sigma0`);
  }
  if (node.nextSibling !== null && (node.nextSibling.previousSibling !== node || node.nextSibling.parent !== parent)) out.push(`${where}: broken sibling link`);
  if (node.firstChild !== null && (node.firstChild.parent !== node || node.firstChild.previousSibling !== null)) out.push(`${where}: its first child does not point back`);
}

/** TCBs of `task`: ids, states, the sender queue each heads, the ready queue. */
function checkThreads(kernel: L4Kernel, task: Task, out: string[]): void {
  for (let lthread = 0; lthread < task.threads.length; lthread++) {
    const thread = task.threads[lthread];
    if (thread === null) continue;
    const where = `thread ${thread.name}`;
    if (thread.task !== task || thread.lthread !== lthread || taskOf(thread.idLow) !== task.number || lthreadOf(thread.idLow) !== lthread) out.push(`${where}: TCB does not match its slot (task ${task.number}, lthread ${lthread})`);
    if (!VALID_STATES.has(thread.state)) out.push(`${where}: invalid state ${thread.state}`);
    if (thread.state === THREAD_STATE.sending && (thread.queuedAt === null || thread.queuedAt !== thread.partner)) out.push(`${where}: sending but not queued at its partner`);
    if (thread.queuedAt !== null && thread.state !== THREAD_STATE.sending) out.push(`${where}: queued at ${thread.queuedAt.name} in state ${thread.state}`);
    if (thread.timeoutEvent !== null && thread.state !== THREAD_STATE.sending && thread.state !== THREAD_STATE.receiving) out.push(`${where}: a timeout is armed in state ${thread.state}`);
    if (thread.state === THREAD_STATE.ready && !thread.inReadyQueue) out.push(`${where}: ready but not in the ready queue`);
    if (!thread.active && (thread.queuedAt !== null || thread.sendersHead !== null || thread.timeoutEvent !== null)) out.push(`${where}: ended (state ${thread.state}) but still holds a queue or a timeout`);
    checkSenders(thread, out);
  }
}

/** The queue of threads waiting to send to `receiver`: linked both ways, each member sending to it. */
function checkSenders(receiver: Thread, out: string[]): void {
  let previous: Thread | null = null;
  let count = 0;
  for (let sender = receiver.sendersHead; sender !== null; sender = sender.nextSender) {
    if (++count > 1 << 16) {
      out.push(`thread ${receiver.name}: its sender queue has a cycle`);
      return;
    }
    if (sender.queuedAt !== receiver || sender.previousSender !== previous) out.push(`thread ${receiver.name}: sender ${sender.name} is mislinked in its queue`);
    if (!sender.task.alive) out.push(`thread ${receiver.name}: sender ${sender.name} belongs to a deleted task`);
    previous = sender;
  }
  if (receiver.sendersTail !== previous) out.push(`thread ${receiver.name}: sender queue tail is wrong`);
}

/** Owners of the page-table pool's frames: each frame must have exactly one. */
class Owners {
  readonly owners = new Map<number, string>();
  /** Frames that are some task's page table (the master directory shares small spaces' tables). */
  readonly taskTables = new Set<number>();

  constructor(private readonly kernel: L4Kernel, private readonly out: string[]) {}

  own(frame: number, owner: string): void {
    const pool = this.kernel.pageTablePool;
    const previous = this.owners.get(frame);
    if (previous !== undefined && previous !== owner) this.out.push(`page-table frame ${hex(frame)} is owned by ${previous} and by ${owner}`);
    this.owners.set(frame, owner);
    if (!pool.contains(frame) || !pool.isAllocated(frame)) this.out.push(`${owner} uses frame ${hex(frame)}, which is not an allocated page-table frame`);
  }
}

/** The page-table pool: the kernel's own frames owned once, none lost. */
function checkPool(kernel: L4Kernel, owners: Owners, out: string[]): void {
  const pool = kernel.pageTablePool;
  owners.own(kernel.masterDirectory, 'the master directory');
  const words = kernel.machine.memory.words;
  for (let index = 0; index < 1024; index++) {
    // the communication window's PDEs are a cache of some task's PDE, revalidated on every use
    if (index >= WINDOW_FIRST_PDE && index < WINDOW_FIRST_PDE + WINDOW_PDES) continue;
    const pde = words[(kernel.masterDirectory >>> 2) + index];
    const table = (pde & 0xfffff000) >>> 0;
    if ((pde & PRESENT) !== 0 && (pde & PDE_LARGE) === 0 && !owners.taskTables.has(table)) owners.own(table, 'the kernel');
  }
  const used = pool.frameCount - pool.freeFrames;
  const owned = owners.owners.size;
  if (used !== owned) out.push(`page-table pool: ${used} frames allocated, ${owned} owned (${used > owned ? 'lost frames' : 'frames in use but free'})`);
}

/** Each IRQ is attached to nothing or to a live thread. */
function checkInterrupts(kernel: L4Kernel, out: string[]): void {
  for (let irq = 0; irq < 16; irq++) {
    const holder = kernel.interrupts.attachedTo(irq);
    if (holder !== null && (!holder.active || !holder.task.alive)) out.push(`IRQ ${irq} is attached to ended thread ${holder.name}`);
  }
}
