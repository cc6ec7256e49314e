/**
 * The one owner of simulated time (DESIGN.md §2). Time is an integer count of CPU cycles since
 * reset, kept in a double (exact up to 2^53 cycles, about 2 years at 133 MHz). Nothing in the
 * engine reads the host clock: devices post cycle-stamped events here and the CPU fires them when
 * time reaches them.
 */
export interface ScheduledEvent {
  readonly time: number;
  readonly label: string;
  /** Runs when simulated time reaches `time`; may schedule further events. */
  readonly fire: (scheduler: Scheduler) => void;
  /** Insertion order, so that events at the same cycle fire first-in first-out (determinism). */
  readonly sequence: number;
  cancelled: boolean;
}

export class Scheduler {
  /** Current simulated time in cycles. Advanced only through {@link advance}. */
  now = 0;
  /**
   * The earliest cycle at which someone must look at the queue or the host budget: the first
   * pending event, or a host-yield deadline set by {@link requestCheckAt}. Hot paths compare
   * `now >= checkpoint` and do nothing else.
   */
  checkpoint = Number.POSITIVE_INFINITY;

  private readonly heap: ScheduledEvent[] = [];
  private sequence = 0;
  private hostCheck = Number.POSITIVE_INFINITY;

  /** Advances simulated time by a non-negative integer number of cycles. */
  advance(cycles: number): void {
    this.now += cycles;
  }

  /** Schedules `fire` at absolute cycle `time` (clamped to now). */
  at(time: number, label: string, fire: (scheduler: Scheduler) => void): ScheduledEvent {
    const event: ScheduledEvent = { time: Math.max(Math.ceil(time), this.now), label, fire, sequence: this.sequence++, cancelled: false };
    this.push(event);
    this.updateCheckpoint();
    return event;
  }

  /** Schedules `fire` `delay` cycles from now. */
  after(delay: number, label: string, fire: (scheduler: Scheduler) => void): ScheduledEvent {
    return this.at(this.now + delay, label, fire);
  }

  cancel(event: ScheduledEvent): void {
    event.cancelled = true;
  }

  /** Time of the earliest pending (not cancelled) event, or +Infinity. */
  get nextEventTime(): number {
    this.dropCancelled();
    return this.heap.length > 0 ? this.heap[0].time : Number.POSITIVE_INFINITY;
  }

  get pendingEvents(): number {
    this.dropCancelled();
    return this.heap.length;
  }

  /** Fires, in time then insertion order, every event due at or before now. Returns how many fired. */
  fireDue(): number {
    let fired = 0;
    for (;;) {
      this.dropCancelled();
      const head = this.heap[0];
      if (head === undefined || head.time > this.now) break;
      this.pop();
      fired++;
      head.fire(this);
    }
    this.updateCheckpoint();
    return fired;
  }

  /** Asks hot paths to stop at cycle `time` so the run loop can hand control back to the host. */
  requestCheckAt(time: number): void {
    this.hostCheck = time;
    this.updateCheckpoint();
  }

  clearHostCheck(): void {
    this.hostCheck = Number.POSITIVE_INFINITY;
    this.updateCheckpoint();
  }

  get hostCheckDue(): boolean {
    return this.now >= this.hostCheck;
  }

  private updateCheckpoint(): void {
    this.checkpoint = Math.min(this.nextEventTime, this.hostCheck);
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
  }

  private before(a: ScheduledEvent, b: ScheduledEvent): boolean {
    return a.time < b.time || (a.time === b.time && a.sequence < b.sequence);
  }

  private push(event: ScheduledEvent): void {
    const heap = this.heap;
    heap.push(event);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(heap[index], heap[parent])) break;
      [heap[index], heap[parent]] = [heap[parent], heap[index]];
      index = parent;
    }
  }

  private pop(): ScheduledEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && this.before(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && this.before(heap[right], heap[smallest])) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest], heap[index]];
        index = smallest;
      }
    }
    return top;
  }
}
