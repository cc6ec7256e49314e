import type { Counter, StatRegistry } from '../base/stats';
import { ACCESS_READ, ACCESS_WRITE, CAT } from '../machine/cpu';
import type { Activity } from '../machine/executionContext';
import { PG_PRESENT } from '../machine/paging';
import { fpageBase, fpageGrant, fpageSize, fpageValid, fpageWritable, isIoFpage } from './fpage';
import type { L4Kernel } from './kernel';
import { kernelLinear, USER_LIMIT, WINDOW_LINEAR } from './kernelLayout';
import { DOPE_DECEITED, DOPE_FPAGE_RECEIVED, DOPE_REDIRECTED, DOPE_SOURCE_INSIDE, IPC_ERROR, MESSAGE_BUFFER, SEND_DECEIT, stringDopeOffset } from './messageDope';
import type { Task } from './task';
import { THREAD_STATE, WAKE, type Thread } from './thread';
import { interruptId, irqOfId, taskOf } from './threadId';
import { INFINITE, receivePageFaultTimeout, receiveTimeout, sendPageFaultTimeout, sendTimeout } from './timeout';

const NONE = 0xffffffff;
/** transfer(): the receiver must fault a page in first. */
const RECEIVER_FAULT = -1;
const SIGMA0_TASK = 2;
/** firstMissingSendPage(): part of the message lies outside the user address space. */
const OUTSIDE_USER = -2;

/** What {@link Ipc.shortIpc} and {@link Ipc.resumeShort} tell their caller. */
export const IPC_STEP = {
  /** The call is complete, kernel exit included. */
  done: 0,
  /** The CPU went to another thread: yield once, then call {@link Ipc.resumeShort}. */
  switched: 1,
  /** Nothing was done: run the general trap ({@link Ipc.ipc} with `trap`) instead. */
  general: 2,
  /** Run the generator {@link Ipc.rest} for the rest of the call. */
  rest: 3,
} as const;

/** `Thread.ipcRest`: what a short IPC still has to do when its thread runs again. */
const IPC_REST = { none: 0, exit: 1, receive: 2, poll: 3 } as const;

/** receiveStep(): the receive ended with an error, the CPU went elsewhere, or this thread kept it. */
const RECEIVE_ENDED = 0;
const RECEIVE_SWITCHED = 1;
const RECEIVE_KEPT = 2;

/** Whether [va, va + bytes) lies inside the user address space (no wrap-around). */
function inUserSpace(va: number, bytes: number): boolean {
  return va >= 0 && bytes >= 0 && va + Math.max(bytes, 1) - 1 <= USER_LIMIT;
}

/**
 * The IPC system call (L4/x86 v2 `int 0x30`): send, receive, call and reply-and-wait in one
 * operation; short messages in EDX/EBX, long messages from a buffer in user memory (dwords and
 * strings) copied once through the communication window, map and grant items installed through
 * the mapping database into the receiver's window. Decoding and validation (destination, clan
 * redirection, the sender's buffer) happen before anything changes; errors are result dopes.
 *
 * The copy runs in the sender's context: when the receiver arrives second, it wakes the waiting
 * sender and switches to it, as L4 does, so the sender's address space is the current one.
 */
export class Ipc {
  /** Linear pages of the communication window that may be in the TLB, per slot. */
  private readonly windowPages: number[][] = [[], []];

  private readonly messages: Counter;
  private readonly longMessages: Counter;
  private readonly mappedPages: Counter;

  constructor(private readonly k: L4Kernel, stats: StatRegistry) {
    this.messages = stats.counter('l4.ipc.messages', 'messages', 'messages transferred');
    this.longMessages = stats.counter('l4.ipc.longMessages', 'messages', 'messages with a memory part (dwords or strings)');
    this.mappedPages = stats.counter('l4.ipc.mappedPages', 'pages', '4 KB pages mapped or granted by map items');
  }

  // ---- the system call ----------------------------------------------------------------------

  /**
   * The IPC of thread `t` (its registers hold the arguments; the results go there too). With
   * `trap`, this is the whole `int 0x30` system call: kernel entry before, kernel exit after, in
   * this one host generator (one frame less on every context switch than a wrapper would cost).
   */
  *ipc(t: Thread, trap = false): Activity {
    if (trap) this.k.enterIpcTrap(t);
    call: {
      const k = this.k;
      this.enter(t);
      const sendDescriptor = t.eax >>> 0;
      const receiveDescriptor = t.ebp >>> 0;
      const timeouts = t.ecx >>> 0;
      const idLow = t.esi >>> 0;
      const idHigh = t.edi >>> 0;
      let delivered: Thread | null = null;

      if (sendDescriptor !== NONE) {
        // decode: destination (with clan redirection) and the sender's own buffer
        let destination = irqOfId(idLow, idHigh) >= 0 ? null : k.threadById(idLow, idHigh);
        if (destination === null || !destination.active) {
          this.finish(t, IPC_ERROR.notExistent);
          break call;
        }
        const intended = destination;
        let redirected = false;
        const via = k.nearest(t.task, destination.task);
        if (via !== destination.task) {
          const chief = via.threads[0];
          if (!chief || !chief.active) {
            this.finish(t, IPC_ERROR.notExistent);
            break call;
          }
          destination = chief;
          redirected = true;
        }
        t.deceiting = (sendDescriptor & SEND_DECEIT) !== 0 && this.deceitAllowed(t, destination);
        const buffer = (sendDescriptor & ~3) >>> 0;
        if (buffer !== 0) {
          const ready = yield* this.prepareSendBuffer(t, buffer);
          if (!ready) {
            this.finish(t, IPC_ERROR.sendAborted);
            break call;
          }
        }
        if (!this.accepts(destination, t)) {
          const timeout = sendTimeout(timeouts);
          if (timeout === 0) {
            this.finish(t, IPC_ERROR.sendTimeout);
            break call;
          }
          t.state = THREAD_STATE.sending;
          t.partner = destination;
          this.enqueueSender(destination, t);
          if (timeout !== INFINITE) k.armTimeout(t, timeout);
          const why = yield* k.block(t);
          if (why === WAKE.timeout) {
            this.finish(t, IPC_ERROR.sendTimeout);
            break call;
          }
          if (why === WAKE.cancelled) {
            this.finish(t, IPC_ERROR.sendCancelled);
            break call;
          }
          if (!destination.active || !this.accepts(destination, t)) {
            this.finish(t, IPC_ERROR.notExistent);
            break call;
          }
        }
        let sendError = this.transfer(t, destination, sendDescriptor, timeouts, redirected, intended);
        while (sendError === RECEIVER_FAULT) {
          // the receiver's buffer is not mapped: it asks its pager, then takes us again (SOSP'95 §2.1)
          destination.faultSender = t;
          t.state = THREAD_STATE.sending;
          t.partner = destination;
          this.enqueueSender(destination, t, true);
          k.wakeUp(destination, WAKE.pageFault);
          k.handOver(destination);
          yield;
          while ((t.state as number) !== THREAD_STATE.ready) yield* k.dispatch();
          const why = t.wake;
          if (why === WAKE.aborted) {
            this.finish(t, IPC_ERROR.sendAborted);
            break call;
          }
          if (why === WAKE.cancelled) {
            this.finish(t, IPC_ERROR.sendCancelled);
            break call;
          }
          if (why === WAKE.timeout) {
            this.finish(t, IPC_ERROR.sendTimeout);
            break call;
          }
          if (!destination.active || !this.accepts(destination, t)) {
            this.finish(t, IPC_ERROR.notExistent);
            break call;
          }
          sendError = this.transfer(t, destination, sendDescriptor, timeouts, redirected, intended);
        }
        k.wakeUp(destination, WAKE.done);
        delivered = destination;
        if (sendError !== 0 || receiveDescriptor === NONE) {
          this.finish(t, sendError);
          if (destination.priority >= t.priority) {
            k.handOver(destination);
            yield;
          }
          break call;
        }
      }
      if (receiveDescriptor === NONE) {
        this.finish(t, 0);
        break call;
      }

      // receive phase
      const open = (receiveDescriptor & 1) !== 0;
      let from: Thread | null = null;
      let irq = -1;
      if (!open) {
        irq = irqOfId(idLow, idHigh);
        if (irq >= 0) {
          if (!k.interrupts.attach(irq, t)) {
            this.finishReceive(t, IPC_ERROR.notExistent, delivered);
            break call;
          }
          if (k.interrupts.takePending(irq)) {
            this.setInterruptResult(t, irq);
            if (delivered !== null) k.scheduler.enqueue(delivered);
            break call;
          }
        } else {
          from = k.threadById(idLow, idHigh);
          if (from === null) {
            this.finishReceive(t, IPC_ERROR.notExistent, delivered);
            break call;
          }
          // a closed receive from outside the clan receives from the chief the message comes through
          const via = k.nearest(t.task, from.task);
          if (via !== from.task) {
            from = via.threads[0];
            if (from === null || !from.active) {
              this.finishReceive(t, IPC_ERROR.notExistent, delivered);
              break call;
            }
          }
        }
      }
      yield* this.receiveLoop(t, receiveDescriptor, timeouts, open, from, irq, delivered, false);
    }
    if (trap) {
      this.k.exitKernel(t);
      // IRET re-enables interrupts: due events and interrupts arrive here, so that threads that
      // only do IPC (never compute) still see timeouts, time slices and devices (checked here
      // first: poll() would return at once, but only after creating its generator)
      const scheduler = this.k.cpu.scheduler;
      if (scheduler.now >= scheduler.checkpoint) yield* this.k.cpu.poll();
    }
  }

  /** The kernel's IPC path: its code, and a read-modify-write of the TCB's hot line (a read first: the P5 does not allocate on writes). */
  private enter(t: Thread): void {
    const k = this.k;
    const cpu = k.cpu;
    cpu.execute(k.paths.ipc);
    const tcb = t.tcbLinear;
    cpu.access(tcb, k.p.tcbHotBytes, ACCESS_READ, false);
    cpu.access(tcb, k.p.tcbHotBytes, ACCESS_WRITE, false);
  }

  /**
   * The receive phase: wait for a message (from `from`, or from anyone when `open`) until one
   * arrived, the timeout passed or the wait was cancelled; the result is set at the end. With
   * `waited`, the first wait already happened (the short path's switch).
   */
  private *receiveLoop(t: Thread, receiveDescriptor: number, timeouts: number, open: boolean, from: Thread | null, irq: number, delivered: Thread | null, waited: boolean): Activity {
    const k = this.k;
    for (let first = true; ; first = false) {
      if (!first || !waited) {
        const step = this.receiveStep(t, receiveDescriptor, timeouts, open, from, irq, delivered);
        if (step === RECEIVE_ENDED) return;
        if (step === RECEIVE_SWITCHED) yield;
        delivered = null;
      }
      while ((t.state as number) !== THREAD_STATE.ready) yield* k.dispatch();
      if (t.wake !== WAKE.pageFault) break;
      // a sender found our buffer unmapped: fault the page in through our pager, then take it again
      const waiting = t.faultSender;
      t.faultSender = null;
      const resolved = yield* k.pagerCall(t, t.faultAddress, t.eip);
      if (!resolved) {
        if (waiting !== null && waiting.queuedAt === t) {
          this.dequeueSender(waiting);
          k.wakeUp(waiting, WAKE.aborted);
        }
        this.finish(t, IPC_ERROR.receiveAborted);
        return;
      }
    }
    this.complete(t);
  }

  /**
   * One wait of the receive phase up to its switch: a polling sender runs first (it copies in
   * its own space); else the thread blocks (a zero timeout ends the receive) and the CPU goes to
   * the partner just delivered to, or to whoever the scheduler picks.
   */
  private receiveStep(t: Thread, receiveDescriptor: number, timeouts: number, open: boolean, from: Thread | null, irq: number, delivered: Thread | null): number {
    const k = this.k;
    t.receiveDescriptor = receiveDescriptor;
    t.timeouts = timeouts;
    const sender = open ? t.sendersHead : from !== null && from.queuedAt === t ? from : null;
    t.state = THREAD_STATE.receiving;
    t.partner = from;
    t.waitIrq = irq;
    t.wake = WAKE.none;
    if (sender !== null) {
      this.dequeueSender(sender);
      k.wakeUp(sender, WAKE.partner);
      k.handOver(sender);
      return RECEIVE_SWITCHED;
    }
    const timeout = receiveTimeout(timeouts);
    if (timeout === 0) {
      t.state = THREAD_STATE.ready;
      this.finishReceive(t, IPC_ERROR.receiveTimeout, delivered);
      return RECEIVE_ENDED;
    }
    if (timeout !== INFINITE) k.armTimeout(t, timeout);
    if (delivered !== null) {
      k.handOver(delivered);
      return RECEIVE_SWITCHED;
    }
    return k.reschedule() ? RECEIVE_SWITCHED : RECEIVE_KEPT;
  }

  /** The end of a receive the thread was woken from: its result. */
  private complete(t: Thread): void {
    if (t.wake === WAKE.timeout) this.finish(t, IPC_ERROR.receiveTimeout);
    else if (t.wake === WAKE.cancelled) this.finish(t, IPC_ERROR.receiveCancelled);
    else this.publish(t);
  }

  // ---- the short path ------------------------------------------------------------------------

  /**
   * The IPC trap of `t` without a host generator, for the common call that waits for nothing but
   * a switch to its partner: a short send (map items allowed, no deceit) to a thread of its clan
   * that waits for it, and/or a receive (open, or from a thread of its clan). Any other call
   * gets IPC_STEP.general before anything changed. The simulated work is {@link ipc}'s, in the
   * same order; after `switched`, the caller yields once and calls {@link resumeShort}.
   */
  shortIpc(t: Thread): number {
    const k = this.k;
    const sendDescriptor = t.eax >>> 0;
    const receiveDescriptor = t.ebp >>> 0;
    const open = (receiveDescriptor & 1) !== 0;
    // what the call will meet (checks only: nothing changes before the trap)
    let destination: Thread | null = null;
    if (sendDescriptor !== NONE) {
      if ((sendDescriptor & ~2) !== 0) return IPC_STEP.general;
      destination = this.partnerInClan(t);
      if (destination === null || !destination.active || !this.accepts(destination, t)) return IPC_STEP.general;
    }
    let from: Thread | null = null;
    if (receiveDescriptor !== NONE && !open) {
      // a call receives from the thread it sends to (the same ESI:EDI)
      from = sendDescriptor !== NONE ? destination : this.partnerInClan(t);
      if (from === null) return IPC_STEP.general;
    }
    k.enterIpcTrap(t);
    this.enter(t);
    let delivered: Thread | null = null;
    if (destination !== null) {
      t.deceiting = false;
      const sendError = this.transfer(t, destination, sendDescriptor, t.ecx >>> 0, false, destination);
      k.wakeUp(destination, WAKE.done);
      if (sendError !== 0 || receiveDescriptor === NONE) {
        this.finish(t, sendError);
        if (destination.priority < t.priority) return this.leave(t);
        k.handOver(destination);
        t.ipcRest = IPC_REST.exit;
        return IPC_STEP.switched;
      }
      delivered = destination;
    } else if (receiveDescriptor === NONE) {
      this.finish(t, 0);
      return this.leave(t);
    }
    const step = this.receiveStep(t, receiveDescriptor, t.ecx >>> 0, open, from, -1, delivered);
    if (step === RECEIVE_ENDED) return this.leave(t);
    t.ipcRest = IPC_REST.receive;
    return step === RECEIVE_SWITCHED ? IPC_STEP.switched : this.resumeShort(t);
  }

  /** A switched short IPC's thread runs again: IPC_STEP.done, or IPC_STEP.rest (a wait that goes on, a page fault, a due poll). */
  resumeShort(t: Thread): number {
    if (t.ipcRest === IPC_REST.receive) {
      if ((t.state as number) !== THREAD_STATE.ready || t.wake === WAKE.pageFault) return IPC_STEP.rest;
      this.complete(t);
    }
    return this.leave(t);
  }

  /** The rest of a short IPC that got IPC_STEP.rest, as {@link ipc} would have run it. */
  *rest(t: Thread): Activity {
    const rest = t.ipcRest;
    t.ipcRest = IPC_REST.none;
    if (rest === IPC_REST.receive) {
      const receiveDescriptor = t.receiveDescriptor;
      yield* this.receiveLoop(t, receiveDescriptor, t.timeouts, (receiveDescriptor & 1) !== 0, t.partner, -1, null, true);
      this.k.exitKernel(t);
    }
    yield* this.k.cpu.poll();
  }

  /** Kernel exit of a short IPC: IPC_STEP.done, or IPC_STEP.rest when events are due (the poll of {@link ipc}'s exit). */
  private leave(t: Thread): number {
    const k = this.k;
    k.exitKernel(t);
    const scheduler = k.cpu.scheduler;
    if (scheduler.now >= scheduler.checkpoint) {
      t.ipcRest = IPC_REST.poll;
      return IPC_STEP.rest;
    }
    t.ipcRest = IPC_REST.none;
    return IPC_STEP.done;
  }

  /** The thread named by ESI:EDI if it exists and lies in the caller's clan (no redirection); else null. */
  private partnerInClan(t: Thread): Thread | null {
    const idLow = t.esi >>> 0;
    const idHigh = t.edi >>> 0;
    if (irqOfId(idLow, idHigh) >= 0) return null;
    const partner = this.k.threadById(idLow, idHigh);
    return partner !== null && this.k.nearest(t.task, partner.task) === partner.task ? partner : null;
  }

  /** Does `receiver` wait for a message from `sender` now? */
  private accepts(receiver: Thread, sender: Thread): boolean {
    return receiver.state === THREAD_STATE.receiving && receiver.waitIrq < 0 && (receiver.partner === null || receiver.partner === sender);
  }

  /** Writes a result without a message (error or plain send) into the thread's registers. */
  private finish(t: Thread, error: number): void {
    t.resultDope = error;
    t.eax = error;
    if (t.state !== THREAD_STATE.ready) {
      t.state = THREAD_STATE.ready;
      this.k.scheduler.enqueue(t);
    }
  }

  private finishReceive(t: Thread, error: number, delivered: Thread | null): void {
    this.finish(t, error);
    if (delivered !== null) this.k.scheduler.enqueue(delivered);
  }

  /** Copies a received message's result words into the ABI registers. */
  private publish(t: Thread): void {
    t.eax = t.resultDope;
    t.edx = t.resultW0;
    t.ebx = t.resultW1;
    t.esi = t.resultSourceLow;
    t.edi = t.resultSourceHigh;
    if ((t.resultDope & DOPE_REDIRECTED) !== 0) {
      // a chief learns where a redirected message was going (L4ENV chief bindings: ECX:EBP)
      t.ecx = t.resultDestinationLow;
      t.ebp = t.resultDestinationHigh;
    }
  }

  /**
   * Deceiting (send descriptor bit 0, L4ENV `L4_IPC_DECEIT`): the sender pushed a virtual
   * sender id on its user stack ([ESP] low, [ESP+4] high, as the L4ENV chief bindings do) for
   * the receiver to see instead of its own. Only direction-preserving deceits are honoured:
   * seen from the receiver, the virtual sender must lie in the same direction as the true one
   * (a chief may speak for the threads whose messages pass through it anyway). Otherwise the
   * message goes out undeceited (lab convention; see README). Sets the sender's virtual id.
   */
  private deceitAllowed(s: Thread, r: Thread): boolean {
    const k = this.k;
    k.cpu.charge(k.p.deceitCheckCycles, CAT.ipc);
    const low = this.readSender(s, s.esp);
    const high = this.readSender(s, s.esp + 4);
    const task = k.tasks[taskOf(low)];
    if (!task || k.nearest(r.task, task) !== k.nearest(r.task, s.task)) return false;
    s.virtualSenderLow = low;
    s.virtualSenderHigh = high;
    return true;
  }

  private setInterruptResult(t: Thread, irq: number): void {
    const id = interruptId(irq);
    t.resultDope = 0;
    t.resultW0 = 0;
    t.resultW1 = 0;
    t.resultSourceLow = id.low;
    t.resultSourceHigh = id.high;
    t.state = THREAD_STATE.ready;
    this.publish(t);
  }

  /** IRQ `irq` arrived for its attached thread, which is waiting for it. */
  deliverInterrupt(t: Thread, irq: number): void {
    const id = interruptId(irq);
    t.resultDope = 0;
    t.resultW0 = 0;
    t.resultW1 = 0;
    t.resultSourceLow = id.low;
    t.resultSourceHigh = id.high;
    this.k.wakeUp(t, WAKE.done);
  }

  // ---- sender queues -----------------------------------------------------------------------

  private enqueueSender(receiver: Thread, sender: Thread, front = false): void {
    sender.queuedAt = receiver;
    if (front && receiver.sendersHead !== null) {
      sender.previousSender = null;
      sender.nextSender = receiver.sendersHead;
      receiver.sendersHead.previousSender = sender;
      receiver.sendersHead = sender;
      return;
    }
    sender.nextSender = null;
    sender.previousSender = receiver.sendersTail;
    if (receiver.sendersTail !== null) receiver.sendersTail.nextSender = sender;
    else receiver.sendersHead = sender;
    receiver.sendersTail = sender;
  }

  /** Removes `sender` from the queue it waits in, if any. */
  dequeueSender(sender: Thread): void {
    const receiver = sender.queuedAt;
    if (receiver === null) return;
    if (sender.previousSender !== null) sender.previousSender.nextSender = sender.nextSender;
    else receiver.sendersHead = sender.nextSender;
    if (sender.nextSender !== null) sender.nextSender.previousSender = sender.previousSender;
    else receiver.sendersTail = sender.previousSender;
    sender.queuedAt = null;
    sender.nextSender = null;
    sender.previousSender = null;
  }

  /** A thread goes away: leave queues; senders waiting for it are cancelled. */
  cancelAll(t: Thread): void {
    this.dequeueSender(t);
    for (let s = t.sendersHead; s !== null; ) {
      const next = s.nextSender;
      this.dequeueSender(s);
      this.k.wakeUp(s, WAKE.cancelled);
      s = next;
    }
    if (t.timeoutEvent !== null) {
      this.k.machine.scheduler.cancel(t.timeoutEvent);
      t.timeoutEvent = null;
    }
  }

  // ---- the sender's buffer ------------------------------------------------------------------

  /**
   * Makes sure every page of the sender's message (header, dwords, strings) is mapped, sending
   * page faults to the sender's pager before anything changes. False if the pager fails.
   */
  private *prepareSendBuffer(t: Thread, buffer: number): Generator<void, boolean, void> {
    for (let attempt = 0; attempt < 256; attempt++) {
      const missing = this.firstMissingSendPage(t.task, buffer);
      if (missing === OUTSIDE_USER) return false;
      if (missing < 0) return true;
      const ok = yield* this.k.pagerCall(t, missing & ~3, t.eip);
      if (!ok) return false;
    }
    return false;
  }

  private firstMissingSendPage(task: Task, buffer: number): number {
    const k = this.k;
    if (!inUserSpace(buffer, 12)) return OUTSIDE_USER;
    if (!k.probe(task, buffer, false)) return buffer;
    if (!k.probe(task, buffer + 11, false)) return buffer + 11;
    const sizeDope = this.peek(task, buffer + MESSAGE_BUFFER.sizeDope);
    const sendDope = this.peek(task, buffer + MESSAGE_BUFFER.sendDope);
    const dwords = sendDope >>> 13;
    const strings = (sendDope >>> 8) & 0x1f;
    const capacity = sizeDope >>> 13;
    const end = buffer + MESSAGE_BUFFER.dwords + 4 * Math.max(dwords, capacity) + 16 * strings;
    if (!inUserSpace(buffer, end - buffer)) return OUTSIDE_USER;
    for (let va = (buffer & ~0xfff) >>> 0; va < end; va += 4096) if (!k.probe(task, va, false)) return Math.max(va, buffer);
    for (let i = 0; i < strings; i++) {
      const dope = buffer + stringDopeOffset(capacity, i);
      const size = this.peek(task, dope);
      const address = this.peek(task, dope + 4);
      if (!inUserSpace(address, size)) return OUTSIDE_USER;
      for (let va = (address & ~0xfff) >>> 0; va < address + size; va += 4096) if (!k.probe(task, va, false)) return Math.max(va, address);
    }
    return -1;
  }

  /** Functional read of a user word of `task` (no timing): for decoding checks only. */
  private peek(task: Task, va: number): number {
    const pte = task.readPte(va);
    if ((pte & PG_PRESENT) === 0) return 0;
    return this.k.machine.memory.read32(((pte & 0xfffff000) | (va & 0xfff)) >>> 0);
  }

  // ---- the transfer ----------------------------------------------------------------------------

  /**
   * Moves the message of `s` (current, its space loaded) into `r` (waiting to receive). Returns
   * the sender's error (0 = none); sets the receiver's result.
   */
  private transfer(s: Thread, r: Thread, sendDescriptor: number, senderTimeouts: number, redirected: boolean, intended: Thread): number {
    const k = this.k;
    const cpu = k.cpu;
    this.messages.value++;
    const tcb = r.tcbLinear;
    cpu.access(tcb, k.p.tcbHotBytes, ACCESS_READ, false);
    cpu.access(tcb, k.p.tcbHotBytes, ACCESS_WRITE, false);
    let flags = redirected ? (k.insideClan(s.task, r.task) ? DOPE_REDIRECTED | DOPE_SOURCE_INSIDE : DOPE_REDIRECTED) : 0;
    r.resultW0 = s.edx >>> 0;
    r.resultW1 = s.ebx >>> 0;
    if (s.deceiting) {
      flags |= DOPE_DECEITED;
      r.resultSourceLow = s.virtualSenderLow;
      r.resultSourceHigh = s.virtualSenderHigh;
    } else {
      r.resultSourceLow = s.idLow;
      r.resultSourceHigh = s.idHigh;
    }
    r.resultDestinationLow = intended.idLow;
    r.resultDestinationHigh = intended.idHigh;
    if ((sendDescriptor & ~SEND_DECEIT) !== 0) return this.transferMemory(s, r, sendDescriptor, senderTimeouts, flags);
    r.resultDope = flags;
    this.publish(r);
    return 0;
  }

  /**
   * The part of {@link transfer} beyond the register words (kept out of the short message's
   * host code): the memory part (dwords and strings) and the map items. `flags` are the dope
   * flags so far.
   */
  private transferMemory(s: Thread, r: Thread, sendDescriptor: number, senderTimeouts: number, flags: number): number {
    const k = this.k;
    const cpu = k.cpu;
    let senderError = 0;
    let receiverError = 0;
    const receiveDescriptor = r.receiveDescriptor;
    const receiveBuffer = (receiveDescriptor & 2) === 0 ? (receiveDescriptor & ~3) >>> 0 : 0;
    let window = (receiveDescriptor & 2) !== 0 ? (receiveDescriptor & ~3) >>> 0 : 0;
    const buffer = (sendDescriptor & ~3) >>> 0;
    let dwordsReceived = 0;
    let stringsReceived = 0;
    let sendDwords = 2;

    if (buffer !== 0) {
      this.longMessages.value++;
      cpu.execute(k.paths.ipcLong);
      const sizeDope = this.readSender(s, buffer + MESSAGE_BUFFER.sizeDope);
      const sendDope = this.readSender(s, buffer + MESSAGE_BUFFER.sendDope);
      sendDwords = Math.max(2, sendDope >>> 13);
      const sendStrings = (sendDope >>> 8) & 0x1f;
      let capacityDwords = 2;
      let capacityStrings = 0;
      if (receiveBuffer !== 0) {
        if (!this.receiverRangeMapped(r.task, receiveBuffer, MESSAGE_BUFFER.dwords)) return this.receiverFault(r, this.missing, false, senderTimeouts);
        window = this.readReceiver(r.task, receiveBuffer + MESSAGE_BUFFER.receiveFpage);
        const receiveSize = this.readReceiver(r.task, receiveBuffer + MESSAGE_BUFFER.sizeDope);
        capacityDwords = Math.max(2, receiveSize >>> 13);
        capacityStrings = (receiveSize >>> 8) & 0x1f;
      }
      // dwords beyond the two register words
      const dwords = Math.min(sendDwords, capacityDwords);
      if (dwords > 2) {
        const from = buffer + MESSAGE_BUFFER.dwords + 8;
        const to = receiveBuffer + MESSAGE_BUFFER.dwords + 8;
        if (!this.receiverRangeMapped(r.task, to, 4 * (dwords - 2), true)) return this.receiverFault(r, this.missing, true, senderTimeouts);
        if (!this.copyToReceiver(r.task, from, to, 4 * (dwords - 2))) return this.senderFault(r);
      }
      dwordsReceived = dwords;
      if (sendDwords > capacityDwords) {
        senderError = IPC_ERROR.sendMessageCut;
        receiverError = IPC_ERROR.receiveMessageCut;
      }
      // indirect strings
      const senderCapacity = sizeDope >>> 13;
      for (let i = 0; i < sendStrings; i++) {
        cpu.charge(k.p.ipcStringCycles, CAT.ipc);
        const dope = buffer + stringDopeOffset(senderCapacity, i);
        const size = this.readSender(s, dope);
        const address = this.readSender(s, dope + 4);
        if (i >= capacityStrings) {
          senderError = IPC_ERROR.sendMessageCut;
          receiverError = IPC_ERROR.receiveMessageCut;
          break;
        }
        const receiverDope = receiveBuffer + stringDopeOffset(capacityDwords, i);
        if (!this.receiverRangeMapped(r.task, receiverDope, 16, true)) return this.receiverFault(r, this.missing, true, senderTimeouts);
        const room = this.readReceiver(r.task, receiverDope + 8);
        const target = this.readReceiver(r.task, receiverDope + 12);
        const length = Math.min(size, room);
        if (length > 0) {
          if (!this.receiverRangeMapped(r.task, target, length, true)) return this.receiverFault(r, this.missing, true, senderTimeouts);
          if (!this.copyToReceiver(r.task, address, target, length)) return this.senderFault(r);
        }
        this.writeReceiver(r.task, receiverDope, length);
        stringsReceived++;
        if (size > room) {
          senderError = IPC_ERROR.sendMessageCut;
          receiverError = IPC_ERROR.receiveMessageCut;
        }
      }
    }

    // map and grant items: (send base, fpage) pairs from dword 0
    if ((sendDescriptor & 2) !== 0) {
      for (let i = 0; i + 1 < sendDwords; i += 2) {
        const sendBase = i === 0 ? s.edx >>> 0 : this.readSender(s, buffer + MESSAGE_BUFFER.dwords + 4 * i);
        const item = i === 0 ? s.ebx >>> 0 : this.readSender(s, buffer + MESSAGE_BUFFER.dwords + 4 * i + 4);
        if (isIoFpage(item)) {
          // I/O ports (SOSP'97 §2): the receiver agrees by a whole-space or I/O receive window
          this.k.cpu.execute(this.k.paths.map);
          if (!fpageValid(window) && !isIoFpage(window)) {
            senderError = IPC_ERROR.sendMapFailed;
            receiverError = IPC_ERROR.receiveMapFailed;
            break;
          }
          if (!this.k.io.mapItem(s.task, r.task, item, window)) {
            senderError = IPC_ERROR.sendMapFailed;
            receiverError = IPC_ERROR.receiveMapFailed;
            break;
          }
          flags |= DOPE_FPAGE_RECEIVED;
          continue;
        }
        if (!fpageValid(item)) break;
        if (!fpageValid(window)) {
          senderError = IPC_ERROR.sendMapFailed;
          receiverError = IPC_ERROR.receiveMapFailed;
          break;
        }
        if (!this.mapItem(s.task, r.task, sendBase, item, window)) {
          senderError = IPC_ERROR.sendMapFailed;
          receiverError = IPC_ERROR.receiveMapFailed;
          break;
        }
        flags |= DOPE_FPAGE_RECEIVED;
      }
    }
    r.resultDope = (flags | receiverError | (buffer !== 0 ? (dwordsReceived << 13) | (stringsReceived << 8) : 0)) >>> 0;
    this.publish(r);
    return senderError;
  }

  /**
   * The receiver's buffer is not mapped at `va`. With a zero page-fault timeout on either side
   * the IPC fails with a page-fault timeout; otherwise the sender asks the receiver to fault
   * the page in (RECEIVER_FAULT) and retries.
   */
  private receiverFault(r: Thread, va: number, write: boolean, senderTimeouts: number): number {
    // outside the user space no pager can help: as with a zero page-fault timeout
    if (va > USER_LIMIT || sendPageFaultTimeout(senderTimeouts) === 0 || receivePageFaultTimeout(r.timeouts) === 0) {
      r.resultDope = IPC_ERROR.receiveSendPageFaultTimeout;
      this.publish(r);
      return IPC_ERROR.sendReceivePageFaultTimeout;
    }
    r.faultAddress = ((va & ~3) | (write ? 2 : 0)) >>> 0;
    return RECEIVER_FAULT;
  }

  /**
   * One map/grant item: the part of the sender's fpage that fits the receive window (SOSP'95
   * §2.1: the larger of the two is cut to the smaller, around the send base). False if the
   * mapping database ran out of memory.
   */
  private mapItem(from: Task, to: Task, sendBase: number, item: number, window: number): boolean {
    const k = this.k;
    const cpu = k.cpu;
    cpu.execute(k.paths.map);
    const itemSize = fpageSize(item);
    const windowSize = fpageSize(window);
    const itemBase = fpageBase(item);
    const windowBase = fpageBase(window);
    let source: number;
    let target: number;
    let bytes: number;
    if (itemSize >= windowSize) {
      bytes = 2 ** windowSize;
      source = itemBase + Math.floor((sendBase % 2 ** itemSize) / bytes) * bytes;
      target = windowBase;
    } else {
      bytes = 2 ** itemSize;
      source = itemBase;
      target = windowBase + Math.floor((sendBase % 2 ** windowSize) / bytes) * bytes;
    }
    const writable = fpageWritable(item);
    const grant = fpageGrant(item);
    const mapOne = (va: number, offset: number): boolean => {
      if ((target + offset) >>> 0 > USER_LIMIT) return true; // the window's part beyond user space receives nothing
      let node = k.mappings.lookup(from, va);
      // the sender's page-table walk: its PDE, then (if it has a table there) its PTE
      cpu.access(kernelLinear(from.pageDirectory + 4 * (va >>> 22)), 4, ACCESS_READ, false);
      const pteAddress = from.pteAddress(va, null);
      const pte = pteAddress >= 0 ? k.machine.memory.read32(pteAddress) : 0;
      if (pteAddress >= 0) cpu.access(kernelLinear(pteAddress), 4, ACCESS_READ, false);
      if (node === undefined) {
        if (from.number !== SIGMA0_TASK || (pte & PG_PRESENT) === 0) return true; // nothing mapped there: skipped
        node = k.mappings.root(from, va, pte & 0xfffff000, true) ?? undefined;
        if (node === undefined) return false;
      }
      cpu.charge(k.p.mapPageCycles, CAT.ipc);
      this.mappedPages.value++;
      const outcome = k.mappings.map(node, to, (target + offset) >>> 0, writable, grant);
      return outcome !== 'noMemory';
    };
    if (bytes > 0x400000) {
      // large fpages: visit the sender's mappings instead of every page
      const pages = [...from.mappings.keys()].filter((vpn) => vpn * 4096 >= source && vpn * 4096 < source + bytes);
      if (from.number === SIGMA0_TASK) for (let va = Math.max(source, 0); va < source + bytes && va < k.memoryEnd; va += 4096) if (!from.mappings.has(va >>> 12)) pages.push(va >>> 12);
      for (const vpn of pages) if (!mapOne(vpn * 4096, vpn * 4096 - source)) return false;
      return true;
    }
    for (let offset = 0; offset < bytes; offset += 4096) if (!mapOne((source + offset) >>> 0, offset)) return false;
    return true;
  }

  // ---- memory of the two partners ----------------------------------------------------------------

  private readSender(s: Thread, va: number): number {
    const cpu = this.k.cpu;
    const linear = cpu.userLinear(va, 4, ACCESS_READ);
    const value = linear < 0 ? undefined : cpu.read32(linear, true);
    return value ?? 0;
  }

  /** First unmapped address found by {@link receiverRangeMapped}. */
  private missing = 0;

  private receiverRangeMapped(task: Task, va: number, bytes: number, write = false): boolean {
    if (!inUserSpace(va, bytes)) {
      this.missing = va > USER_LIMIT ? va : USER_LIMIT + 1;
      return false;
    }
    for (let page = (va & ~0xfff) >>> 0; page < va + bytes; page += 4096) {
      if (!this.k.probe(task, page, write)) {
        this.missing = Math.max(page, va) >>> 0;
        return false;
      }
    }
    return true;
  }

  /** The linear address through which the kernel reaches `va` of `task` now (window if needed). */
  private receiverLinear(task: Task, va: number): number {
    const k = this.k;
    const visible = k.visibleLinear(task, va);
    if (visible >= 0) return visible;
    const cpu = k.cpu;
    const memory = k.machine.memory;
    const slot = (va >>> 22) & 1;
    const pde = memory.read32(task.pageDirectory + 4 * (va >>> 22));
    const windowPde = cpu.cr3 + 4 * ((WINDOW_LINEAR >>> 22) + slot);
    if (memory.read32(windowPde) !== pde) {
      cpu.charge(k.p.windowSetupCycles, CAT.ipc);
      memory.write32(windowPde, pde);
      cpu.access(kernelLinear(windowPde), 4, ACCESS_WRITE, false);
      const stale = this.windowPages[slot];
      for (const page of stale) cpu.invalidatePage(page, CAT.ipc);
      stale.length = 0;
    }
    const linear = (WINDOW_LINEAR + (slot << 22) + (va & 0x3fffff)) >>> 0;
    const page = linear & 0xfffff000;
    const used = this.windowPages[slot];
    if (used.length === 0 || used[used.length - 1] !== page) if (!used.includes(page)) used.push(page);
    return linear;
  }

  /** CR3 was loaded: the TLB holds no window entries any more. */
  windowFlushed(): void {
    // (setting length on an empty array still costs a runtime call: skip it)
    if (this.windowPages[0].length !== 0) this.windowPages[0].length = 0;
    if (this.windowPages[1].length !== 0) this.windowPages[1].length = 0;
  }

  private readReceiver(task: Task, va: number): number {
    return this.k.cpu.read32(this.receiverLinear(task, va), false) ?? 0;
  }

  private writeReceiver(task: Task, va: number, value: number): void {
    this.k.cpu.write32(this.receiverLinear(task, va), value, false);
  }

  /**
   * Copies `bytes` from the sender's `from` to the receiver's `to`, once, with the destination
   * pre-read (SOSP'97 §6.1), in pieces that stay within one page of each side. False if a
   * page of the sender faulted on the way.
   */
  private copyToReceiver(task: Task, from: number, to: number, bytes: number): boolean {
    const cpu = this.k.cpu;
    let done = 0;
    while (done < bytes) {
      const chunk = Math.min(bytes - done, 4096 - ((to + done) & 0xfff));
      const source = cpu.userLinear(from + done, chunk, ACCESS_READ);
      const target = this.receiverLinear(task, to + done);
      if (source < 0) break;
      const copied = cpu.copy(source, target, chunk, true, false, true, CAT.copy);
      if (copied < chunk) break;
      done += chunk;
    }
    return done === bytes;
  }

  /**
   * The sender's own buffer vanished between the check and the copy (another thread unmapped
   * it while the sender waited): the receiver sees a send-side page-fault timeout.
   */
  private senderFault(r: Thread): number {
    r.resultDope = IPC_ERROR.receiveSendPageFaultTimeout;
    this.publish(r);
    return IPC_ERROR.sendAborted;
  }
}
