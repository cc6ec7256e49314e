/**
 * The operations of the L4 fuzzer: every system call of the L4/x86 v2 API with random, often
 * invalid arguments (ids of live, dead, stale and impossible threads, interrupt ids, random
 * timeouts, map and grant items of random fpages into random windows, long messages with
 * strings, deceiting sends with random virtual senders), exceptions, a guest that throws, device
 * interrupts, and raw system calls with garbage registers. Each runs in a fuzzing thread, through
 * the same bindings and IDT gates as any guest; the driver ({@link runL4Fuzz}) checks the
 * kernel's invariants after each.
 */
import type { SeededRandom } from '../base/random';
import { GuestError } from '../base/result';
import {
  DOPE_DECEITED,
  DOPE_REDIRECTED,
  fpage,
  interruptId,
  ioFpage,
  messageDope,
  MESSAGE_BUFFER,
  NIL_ID,
  RECEIVE_NONE,
  RECEIVE_SHORT,
  receiveWindow,
  SEND_SHORT,
  SEND_SHORT_MAP,
  sendBuffer,
  stringDopeOffset,
  TIMEOUT_NEVER,
  TIMEOUT_POLL,
  timeoutWord,
  UNMAP_ALL_SPACES,
  UNMAP_FLUSH,
  type GuestEntry,
  type L4Api,
  type ThreadId,
} from '../l4/guestApi';
import { SYSCALL, type L4Kernel } from '../l4/kernel';
import { SIGMA0_MEMORY_PHYSICAL } from '../l4/kernelLayout';
import { SIGMA0_ANY_PAGE } from '../l4/sigma0';
import type { Thread } from '../l4/thread';
import { threadId } from '../l4/threadId';
import { PG_PRESENT, PG_WRITABLE } from '../machine/paging';

/** Boot tasks that run fuzzing threads. */
export const FUZZ_TASKS = [5, 6, 7, 8] as const;
/** Task numbers the fuzzing tasks create with task_new (their clans). */
export const SUBTASKS = [16, 17, 18, 19, 20, 21] as const;
/** Lthreads a fuzzing task may start. */
const LTHREADS = 4;
/** Each fuzzing space's own 4 MB region (one page table): receive windows and message buffers. */
export const REGION = 0x10000000;
const REGION_BYTES = 0x400000;
/** The message buffer page of lthread n: REGION + n·4 KB (send part at 0, receive part at 2 KB). */
const messagePage = (lthread: number) => REGION + lthread * 0x1000;

/** Thrown by the `throw` operation: a guest's own exception, not the engine's. */
export class FuzzThrow extends GuestError {}

/** What an operation gets: the thread's API and TCB, the kernel, the shared generator, a log. */
export interface FuzzContext {
  readonly l4: L4Api;
  readonly thread: Thread;
  readonly kernel: L4Kernel;
  readonly rng: SeededRandom;
  /** The fuzzing threads' entry (for lthread_ex_regs and task_new). */
  readonly worker: GuestEntry;
  /** Counts an outcome. */
  outcome(name: string): void;
  /** Reports a violation found by the operation itself (e.g. a page still reachable after unmap). */
  violation(message: string): void;
}

/** One kind of operation: a weight and a body that returns a description of what it did. */
export interface FuzzOperation {
  readonly name: string;
  readonly weight: number;
  run(context: FuzzContext): Generator<void, string, void>;
}

const hex = (value: number) => `0x${(value >>> 0).toString(16)}`;

function chance(rng: SeededRandom, probability: number): boolean {
  return rng.next() < probability;
}

/** A destination or source id: live threads mostly, then sigma0, nil, interrupts, stale and garbage ids. */
function randomId(c: FuzzContext): ThreadId {
  const rng = c.rng;
  const roll = rng.below(100);
  if (roll < 45) {
    const task = rng.pick([...FUZZ_TASKS, ...SUBTASKS, c.thread.task.number]);
    return c.kernel.idOf(task, rng.below(LTHREADS)) ?? threadId(task, rng.below(LTHREADS));
  }
  if (roll < 55) return c.l4.sigma0;
  if (roll < 62) return NIL_ID;
  if (roll < 72) return interruptId(rng.below(16));
  if (roll < 80) return threadId(rng.pick(FUZZ_TASKS), rng.below(LTHREADS), 2 + rng.below(100));
  if (roll < 90) return c.l4.myself;
  return { low: rng.nextU32(), high: rng.nextU32() };
}

/** A timeout word: polling, never, finite (with page-fault timeouts), or random bits. */
function randomTimeouts(rng: SeededRandom): number {
  const roll = rng.below(10);
  if (roll < 3) return TIMEOUT_POLL;
  if (roll < 4) return TIMEOUT_NEVER;
  if (roll < 9) return timeoutWord(1 + rng.below(2000), 1 + rng.below(2000), rng.below(16), rng.below(16));
  return rng.nextU32();
}

/** An address in the thread's region, aligned to 2^size. */
function regionAddress(rng: SeededRandom, size = 12): number {
  const bytes = 2 ** Math.min(size, 22);
  return REGION + rng.below(REGION_BYTES / bytes) * bytes;
}

/** A page this space has mapped (from its mapping nodes), or a region page. */
function ownPage(c: FuzzContext): number {
  const keys = [...c.thread.task.mappings.keys()];
  return keys.length > 0 && chance(c.rng, 0.8) ? c.rng.pick(keys) * 4096 : regionAddress(c.rng);
}

/** A receive descriptor: short, a map window, the whole space, a long buffer, or garbage. */
function* randomReceive(c: FuzzContext): Generator<void, number, void> {
  const rng = c.rng;
  const roll = rng.below(10);
  if (roll < 3) return RECEIVE_SHORT;
  if (roll < 7) {
    const size = rng.pick([12, 12, 13, 14, 16, 22]);
    return receiveWindow(regionAddress(rng, size), size);
  }
  if (roll < 8) return receiveWindow(0, 32);
  if (roll < 9 && messageMapped(c)) {
    const buffer = messagePage(c.thread.lthread) + 0x800;
    const size = rng.pick([12, 13, 16]);
    yield* c.l4.write32(buffer + MESSAGE_BUFFER.receiveFpage, receiveWindow(regionAddress(rng, size), size));
    yield* c.l4.write32(buffer + MESSAGE_BUFFER.sizeDope, messageDope(2 + rng.below(8), rng.below(3)));
    for (let i = 0; i < 2; i++) {
      yield* c.l4.write32(buffer + stringDopeOffset(10, i) + 8, rng.below(0x3000));
      yield* c.l4.write32(buffer + stringDopeOffset(10, i) + 12, rng.pick([regionAddress(rng), regionAddress(rng) + 0x123, rng.nextU32()]));
    }
    return buffer;
  }
  return rng.nextU32() & ~1;
}

/** Whether this thread's message page is mapped writable (else long messages fault in through a pager that refuses). */
function messageMapped(c: FuzzContext): boolean {
  const pte = c.thread.task.readPte(messagePage(c.thread.lthread));
  return (pte & PG_PRESENT) !== 0 && (pte & PG_WRITABLE) !== 0;
}

/** A map item (send base, fpage) of this space, with random write and grant bits; sometimes an I/O fpage. */
function randomItem(c: FuzzContext): [number, number] {
  const rng = c.rng;
  if (chance(rng, 0.1)) return [0, ioFpage(rng.below(0x10000), rng.below(17), chance(rng, 0.5))];
  const size = rng.pick([12, 12, 12, 13, 14, 16]);
  return [regionAddress(rng), fpage(ownPage(c), size, chance(rng, 0.7), chance(rng, 0.15))];
}

/**
 * A virtual sender for a deceiting send while the thread has a mapped stack for the binding's
 * pushes: the top of its message page's send half (ESP is moved there, as the thread's own code
 * would use its stack; lthread_ex_regs may have left it anywhere). Half of them name a thread of
 * the sender's own task, which every receiver sees in the true sender's direction, so the kernel
 * honours them; the rest are any id, mostly refused.
 */
function deceitOf(c: FuzzContext): ThreadId | undefined {
  if (!chance(c.rng, 0.2) || !messageMapped(c)) return undefined;
  c.thread.esp = messagePage(c.thread.lthread) + 0x7f0;
  if (!chance(c.rng, 0.5)) return randomId(c);
  const task = c.thread.task.number;
  const lthread = c.rng.below(LTHREADS);
  return c.kernel.idOf(task, lthread) ?? threadId(task, lthread);
}

/** Counts what a received message says about its way: redirected to a chief, deceited. */
function countReceipt(c: FuzzContext, dope: number): void {
  if ((dope & DOPE_REDIRECTED) !== 0) c.outcome('ipc.received.redirected');
  if ((dope & DOPE_DECEITED) !== 0) c.outcome('ipc.received.deceited');
}

function* ipcOp(c: FuzzContext, send: boolean, receive: 'none' | 'closed' | 'open'): Generator<void, string, void> {
  const rng = c.rng;
  const map = send && chance(rng, 0.4);
  const [w0, w1] = map ? randomItem(c) : [rng.nextU32(), rng.nextU32()];
  const target = randomId(c);
  const descriptor = receive === 'none' ? RECEIVE_NONE : (yield* randomReceive(c)) | (receive === 'open' ? 1 : 0);
  const timeouts = randomTimeouts(rng);
  const virtualSender = send ? deceitOf(c) : undefined;
  const r = yield* c.l4.ipc(send ? (map ? SEND_SHORT_MAP : SEND_SHORT) : 0xffffffff, target, w0, w1, descriptor, timeouts, virtualSender);
  c.outcome(`ipc.error.${hex(r.error)}`);
  if (virtualSender !== undefined) c.outcome('ipc.deceit.sent');
  if (receive !== 'none' && r.error === 0) countReceipt(c, r.dope);
  const deceit = virtualSender === undefined ? '' : ` as ${hex(virtualSender.low)}:${hex(virtualSender.high)}`;
  return `ipc send=${send}${map ? ' map' : ''}${deceit} receive=${receive} id=${hex(target.low)}:${hex(target.high)} rcv=${hex(descriptor)} to=${hex(timeouts)} → ${hex(r.dope)}`;
}

/** A long message from this thread's message page: dwords, map items and strings. */
function* longSend(c: FuzzContext): Generator<void, string, void> {
  if (!messageMapped(c)) return yield* sigma0Page(c);
  const rng = c.rng;
  const l4 = c.l4;
  const buffer = messagePage(c.thread.lthread);
  const dwords = 2 + rng.below(8);
  const strings = rng.below(3);
  const map = chance(rng, 0.3);
  yield* l4.write32(buffer + MESSAGE_BUFFER.sizeDope, messageDope(dwords, strings));
  yield* l4.write32(buffer + MESSAGE_BUFFER.sendDope, messageDope(dwords, strings));
  for (let i = 2; i < dwords; i += 2) {
    const [base, item] = map ? randomItem(c) : [rng.nextU32(), rng.nextU32()];
    yield* l4.write32(buffer + MESSAGE_BUFFER.dwords + 4 * i, base);
    if (i + 1 < dwords) yield* l4.write32(buffer + MESSAGE_BUFFER.dwords + 4 * i + 4, item);
  }
  for (let i = 0; i < strings; i++) {
    yield* l4.write32(buffer + stringDopeOffset(dwords, i), rng.below(0x2000));
    yield* l4.write32(buffer + stringDopeOffset(dwords, i) + 4, chance(rng, 0.9) ? ownPage(c) + rng.below(0x800) : rng.nextU32());
  }
  const [w0, w1] = map ? randomItem(c) : [rng.nextU32(), rng.nextU32()];
  const target = randomId(c);
  const timeouts = randomTimeouts(rng);
  const descriptor = chance(rng, 0.5) ? RECEIVE_NONE : yield* randomReceive(c);
  const r = yield* l4.ipc(sendBuffer(buffer, map), target, w0, w1, descriptor, timeouts);
  c.outcome(`ipc.error.${hex(r.error)}`);
  return `long ipc dwords=${dwords} strings=${strings}${map ? ' map' : ''} id=${hex(target.low)} to=${hex(timeouts)} → ${hex(r.dope)}`;
}

/** Asks sigma0 for a page (any free one, or a given address) into a window of the region. */
function* sigma0Page(c: FuzzContext): Generator<void, string, void> {
  const rng = c.rng;
  const window = rng.below(4) === 0 ? messagePage(c.thread.lthread) : regionAddress(rng);
  const request = chance(rng, 0.7) ? SIGMA0_ANY_PAGE : SIGMA0_MEMORY_PHYSICAL + rng.below((c.kernel.memoryEnd - SIGMA0_MEMORY_PHYSICAL) / 4096) * 4096;
  const r = yield* c.l4.ipcCall(c.l4.sigma0, request, 0, timeoutWord(1000, 1000), { receive: receiveWindow(window, 12) });
  c.outcome(r.error === 0 && (r.dope & 2) !== 0 ? 'sigma0.mapped' : 'sigma0.refused');
  return `sigma0 ${hex(request)} → window ${hex(window)}: ${hex(r.dope)}`;
}

/** fpage_unmap, then: nothing derived from the unmapped pages is still reachable (or writable). */
function* unmap(c: FuzzContext): Generator<void, string, void> {
  const rng = c.rng;
  const mask = rng.pick([0, UNMAP_FLUSH, UNMAP_ALL_SPACES, UNMAP_FLUSH | UNMAP_ALL_SPACES]);
  if (chance(rng, 0.1)) {
    const ports = ioFpage(rng.below(0x10000), rng.below(17));
    yield* c.l4.fpageUnmap(ports, mask);
    return `fpage_unmap I/O ${hex(ports)} mask ${hex(mask)}`;
  }
  const size = rng.pick([12, 12, 13, 14, 16, 22, 32]);
  const page = fpage(ownPage(c), size);
  const flush = (mask & UNMAP_FLUSH) !== 0;
  const task = c.thread.task;
  const base = size >= 32 ? 0 : page & 0xfffff000;
  const derived: Array<{ task: typeof task; va: number; frame: number }> = [];
  for (const node of task.mappings.values()) {
    if (node.va < base || node.va >= base + 2 ** size) continue;
    const subtree = c.kernel.mappings.subtree(node);
    for (const d of (mask & UNMAP_ALL_SPACES) !== 0 ? subtree : subtree.slice(1)) derived.push({ task: d.task, va: d.va, frame: d.frame });
  }
  yield* c.l4.fpageUnmap(page, mask);
  for (const d of derived) {
    if (!d.task.alive) continue;
    const pte = d.task.readPte(d.va);
    if ((pte & PG_PRESENT) === 0 || (pte & 0xfffff000) >>> 0 !== d.frame) continue;
    if (flush) c.violation(`frame ${hex(d.frame)} is still mapped in task ${d.task.number} at ${hex(d.va)} after task ${task.number} flushed it`);
    else if ((pte & PG_WRITABLE) !== 0) c.violation(`frame ${hex(d.frame)} is still writable in task ${d.task.number} at ${hex(d.va)} after task ${task.number} remapped it read-only`);
  }
  c.outcome(`unmap.pages.${Math.min(derived.length, 8)}`);
  return `fpage_unmap ${hex(page)} mask ${hex(mask)} (${derived.length} derived pages)`;
}

/** Reads or writes a mapped page (sometimes an unmapped one: a fault for the pager). */
function* touch(c: FuzzContext): Generator<void, string, void> {
  const rng = c.rng;
  const mapped = [...c.thread.task.mappings.values()];
  const unmapped = mapped.length === 0 || chance(rng, 0.03);
  const address = unmapped ? (chance(rng, 0.5) ? regionAddress(rng) : SIGMA0_MEMORY_PHYSICAL + rng.below(c.kernel.memoryEnd - SIGMA0_MEMORY_PHYSICAL)) & ~3 : rng.pick(mapped).va + (rng.below(1024) << 2);
  const write = chance(rng, 0.5);
  if (write) yield* c.l4.write32(address, rng.nextU32());
  else yield* c.l4.read32(address);
  return `${write ? 'write' : 'read'} ${hex(address)}${unmapped ? ' (unmapped)' : ''}`;
}

function* exRegs(c: FuzzContext): Generator<void, string, void> {
  const rng = c.rng;
  const lthread = rng.below(LTHREADS);
  const entry = chance(rng, 0.6) ? c.worker : null;
  const pager = rng.pick([undefined, undefined, undefined, c.l4.sigma0, randomId(c)]);
  const r = yield* c.l4.lthreadExRegs(lthread, entry, chance(rng, 0.5) ? undefined : rng.nextU32(), pager);
  c.outcome(`exRegs.${r.ok ? 'ok' : 'refused'}`);
  return `lthread_ex_regs ${lthread} entry=${entry !== null} pager=${pager === undefined ? '-' : hex(pager.low)}`;
}

function* taskNew(c: FuzzContext): Generator<void, string, void> {
  const rng = c.rng;
  const number = chance(rng, 0.9) ? rng.pick(SUBTASKS) : rng.below(2048);
  const entry = chance(rng, 0.7) ? c.worker : null;
  const pager = chance(rng, 0.8) ? c.l4.sigma0 : randomId(c);
  const id = yield* c.l4.taskNew(number, entry, pager, rng.nextU32(), 1 + rng.below(4));
  c.outcome(`taskNew.${id === null ? 'refused' : 'created'}`);
  return `task_new ${number} entry=${entry !== null} pager=${hex(pager.low)} → ${id === null ? 'nil' : hex(id.low)}`;
}

function* exception(c: FuzzContext): Generator<void, string, void> {
  const vector = c.rng.pick([0, 1, 3, 6, 0x80]);
  c.outcome(c.thread.exceptionHandler === null ? 'exception.unhandled' : 'exception.handled');
  yield* c.l4.trap(vector);
  return `int ${hex(vector)}`;
}

function* setHandler(c: FuzzContext): Generator<void, string, void> {
  const l4 = c.l4;
  const install = chance(c.rng, 0.7);
  yield* l4.setExceptionHandler(install ? function* () { yield* l4.compute(40); } : null);
  return `exception handler ${install ? 'set' : 'cleared'}`;
}

function* interrupt(c: FuzzContext): Generator<void, string, void> {
  const irq = c.rng.pick([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  c.kernel.machine.pic.raise(irq);
  yield* c.l4.compute(200);
  return `device raises IRQ ${irq}`;
}

/** A system call with garbage in every register, through its IDT gate as a binding would trap. */
function* raw(c: FuzzContext): Generator<void, string, void> {
  const rng = c.rng;
  const t = c.thread;
  const vector = SYSCALL.ipc + rng.below(7);
  const word = () => (chance(rng, 0.5) ? rng.nextU32() : rng.pick([0, 0xffffffff, 1, 2, 0x7f, REGION, fpage(REGION, 12), TIMEOUT_POLL]));
  t.eax = word();
  t.ecx = vector === SYSCALL.ipc && chance(rng, 0.8) ? TIMEOUT_POLL : word();
  t.edx = word();
  t.ebx = word();
  t.ebp = word();
  const id = randomId(c);
  t.esi = chance(rng, 0.7) ? id.low : word();
  t.edi = chance(rng, 0.7) ? id.high : word();
  const registers = `eax=${hex(t.eax)} ecx=${hex(t.ecx)} edx=${hex(t.edx)} ebx=${hex(t.ebx)} ebp=${hex(t.ebp)} esi=${hex(t.esi)} edi=${hex(t.edi)}`;
  yield* c.kernel.cpu.idt[vector]!(vector, null);
  return `raw int ${hex(vector)} ${registers}`;
}

/** The operation table (weights are relative frequencies). */
export const L4_FUZZ_OPERATIONS: readonly FuzzOperation[] = [
  { name: 'send', weight: 10, run: (c) => ipcOp(c, true, 'none') },
  { name: 'call', weight: 10, run: (c) => ipcOp(c, true, 'closed') },
  { name: 'receive', weight: 6, run: (c) => ipcOp(c, false, 'closed') },
  { name: 'wait', weight: 8, run: (c) => ipcOp(c, false, 'open') },
  { name: 'replyAndWait', weight: 6, run: (c) => ipcOp(c, true, 'open') },
  { name: 'longIpc', weight: 6, run: longSend },
  { name: 'sigma0', weight: 8, run: sigma0Page },
  { name: 'unmap', weight: 8, run: unmap },
  { name: 'touch', weight: 10, run: touch },
  {
    name: 'threadSwitch',
    weight: 3,
    *run(c) {
      const id = chance(c.rng, 0.5) ? NIL_ID : randomId(c);
      yield* c.l4.threadSwitch(id);
      return `thread_switch ${hex(id.low)}`;
    },
  },
  {
    name: 'threadSchedule',
    weight: 3,
    *run(c) {
      const rng = c.rng;
      const id = randomId(c);
      const word = rng.pick([0xffffffff, 1 + rng.below(200), ((1 + rng.below(200)) | (rng.below(256) << 8)) >>> 0, rng.nextU32()]);
      const old = yield* c.l4.threadSchedule(id, word);
      return `thread_schedule ${hex(id.low)} ${hex(word)} → ${hex(old)}`;
    },
  },
  { name: 'exRegs', weight: 3, run: exRegs },
  { name: 'taskNew', weight: 2, run: taskNew },
  {
    name: 'idNearest',
    weight: 2,
    *run(c) {
      const id = randomId(c);
      const r = yield* c.l4.idNearest(id);
      return `id_nearest ${hex(id.low)} → ${hex(r.id.low)}`;
    },
  },
  { name: 'exception', weight: 2, run: exception },
  { name: 'setHandler', weight: 2, run: setHandler },
  { name: 'interrupt', weight: 3, run: interrupt },
  { name: 'raw', weight: 6, run: raw },
  {
    name: 'compute',
    weight: 2,
    *run(c) {
      const cycles = 1 + c.rng.below(20000);
      yield* c.l4.compute(cycles);
      return `compute ${cycles}`;
    },
  },
  {
    name: 'throw',
    weight: 0.3,
    *run(c) {
      c.outcome('throw');
      throw new FuzzThrow(`fuzz: thread ${c.thread.name} throws on purpose`);
    },
  },
];

/** Picks an operation by weight. */
export function pickOperation(rng: SeededRandom): FuzzOperation {
  let total = 0;
  for (const op of L4_FUZZ_OPERATIONS) total += op.weight;
  let roll = rng.next() * total;
  for (const op of L4_FUZZ_OPERATIONS) {
    roll -= op.weight;
    if (roll < 0) return op;
  }
  return L4_FUZZ_OPERATIONS[0];
}

/** Writes the start of the message page (so long IPC finds a mapped buffer), as crt0 would. */
export function* prepareMessagePage(l4: L4Api): Generator<void, void, void> {
  const page = messagePage(l4.lthread);
  yield* l4.ipcCall(l4.sigma0, SIGMA0_ANY_PAGE, 0, timeoutWord(1000, 1000), { receive: receiveWindow(page, 12) });
}
