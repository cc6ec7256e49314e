/**
 * What was running when: the last few changes of a value (the thread on the CPU, the process a
 * server serves), each with the cycle it took effect. A sampled event such as a clock tick is
 * charged to what ran when it became due, although the model takes an interrupt only at its next
 * interrupt window (a kernel exit, a compute step): by then the CPU may have switched. Host-side
 * bookkeeping only: recording and looking up cost no simulated time.
 */
export class RunHistory<T> {
  private readonly cycles: number[];
  private readonly values: T[];
  /** Slot of the latest record. */
  private latest = 0;
  private recorded = 1;

  constructor(initial: T, private readonly size = 16) {
    this.cycles = new Array<number>(size).fill(0);
    this.values = new Array<T>(size).fill(initial);
  }

  record(cycle: number, value: T): void {
    this.latest = (this.latest + 1) % this.size;
    this.cycles[this.latest] = cycle;
    this.values[this.latest] = value;
    if (this.recorded < this.size) this.recorded++;
  }

  /** The value in effect at `cycle`: the latest recorded at or before it (the oldest kept, if all are later). */
  valueAt(cycle: number): T {
    let slot = this.latest;
    for (let i = 1; i < this.recorded && this.cycles[slot] > cycle; i++) slot = (slot - 1 + this.size) % this.size;
    return this.values[slot];
  }
}

/** A thread's last kernel entry from user mode and last return to it (cycles). */
export interface KernelCrossings {
  kernelEnteredAt: number;
  kernelLeftAt: number;
}

/**
 * Whether a thread that ran at `cycle` was in user mode then, from its last kernel entry and
 * exit: it entered the kernel after `cycle` (so it was in user mode before), or its last exit
 * came after its last entry and no later than `cycle`. (An exit between `cycle` and now would
 * have let the interrupt in then.)
 */
export function userModeAt(thread: KernelCrossings, cycle: number): boolean {
  return thread.kernelEnteredAt > cycle || (thread.kernelLeftAt > thread.kernelEnteredAt && thread.kernelLeftAt <= cycle);
}
