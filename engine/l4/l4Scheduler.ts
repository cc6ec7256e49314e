import { THREAD_STATE, type Thread } from './thread';

/**
 * L4's scheduler: 256 hard priorities, round robin within a priority, time slices charged at
 * PIT ticks, and lazy scheduling (Liedtke, SOSP'93/95): a thread that blocks in IPC stays in its
 * ready queue; the queue is cleaned when a scan meets it, so the IPC path never touches the queues.
 */
export class L4Scheduler {
  private readonly heads: Array<Thread | null> = new Array(256).fill(null);
  private readonly tails: Array<Thread | null> = new Array(256).fill(null);
  /** Highest priority that may have a queued thread (an upper bound). */
  private highest = -1;

  /** Makes `thread` ready (appends it to its priority's queue if it is not queued). */
  enqueue(thread: Thread): void {
    if (thread.inReadyQueue) return;
    const priority = thread.priority;
    thread.inReadyQueue = true;
    thread.readyNext = null;
    thread.readyPrevious = this.tails[priority];
    if (this.tails[priority] !== null) this.tails[priority]!.readyNext = thread;
    else this.heads[priority] = thread;
    this.tails[priority] = thread;
    if (priority > this.highest) this.highest = priority;
  }

  remove(thread: Thread): void {
    if (!thread.inReadyQueue) return;
    const priority = thread.priority;
    if (thread.readyPrevious !== null) thread.readyPrevious.readyNext = thread.readyNext;
    else this.heads[priority] = thread.readyNext;
    if (thread.readyNext !== null) thread.readyNext.readyPrevious = thread.readyPrevious;
    else this.tails[priority] = thread.readyPrevious;
    thread.inReadyQueue = false;
    thread.readyNext = null;
    thread.readyPrevious = null;
  }

  /** Moves `thread` to the end of its queue (time slice used up). */
  rotate(thread: Thread): void {
    this.remove(thread);
    if (thread.state === THREAD_STATE.ready) this.enqueue(thread);
  }

  /** Changes the priority of a thread, keeping its queue membership consistent. */
  setPriority(thread: Thread, priority: number): void {
    const queued = thread.inReadyQueue;
    this.remove(thread);
    thread.priority = priority;
    if (queued) this.enqueue(thread);
  }

  /**
   * The first ready thread of the highest priority (other than `except` if another exists at the
   * same or a higher level), dropping blocked threads met on the way. Returns threads scanned in
   * `scanned.count` for costing.
   */
  pick(except: Thread | null = null): Thread | null {
    for (let priority = this.highest; priority >= 0; priority--) {
      let thread = this.heads[priority];
      while (thread !== null) {
        const next = thread.readyNext;
        if (thread.state !== THREAD_STATE.ready) this.remove(thread);
        else if (thread !== except) return thread;
        thread = next;
      }
      if (this.heads[priority] === null && priority === this.highest) this.highest = priority - 1;
    }
    return except !== null && except.state === THREAD_STATE.ready ? except : null;
  }

  /** Priority of the best ready thread, or -1. */
  highestReady(): number {
    const best = this.pick();
    return best === null ? -1 : best.priority;
  }

  /** Ready threads in queue order (for the inspector and tests). */
  readyThreads(): Thread[] {
    const out: Thread[] = [];
    for (let priority = 255; priority >= 0; priority--) {
      for (let thread = this.heads[priority]; thread !== null; thread = thread.readyNext) if (thread.state === THREAD_STATE.ready) out.push(thread);
    }
    return out;
  }
}
