import type { Task } from './task';

/**
 * The Linux 2.0 scheduling policy (kernel/sched.c), without the mechanism: `goodness()` over the
 * run queue, counters that run down by one per tick, and the recalculation
 * `counter = counter / 2 + priority` when every runnable task has used its slice. Substrates use
 * it to pick the next task; how the switch happens is theirs (a TSS switch on native Linux, a
 * coroutine switch in the L4Linux server).
 */
export class LinuxScheduler {
  /** All tasks (for the recalculation loop), in creation order. */
  readonly tasks: Task[] = [];
  /** Set when a task with better goodness became runnable or the current slice ran out. */
  needResched = false;
  /** Work done by the last {@link pickNext}, for the caller to charge. */
  lastScanned = 0;
  lastRecalculated = 0;

  add(task: Task): void {
    this.tasks.push(task);
  }

  remove(task: Task): void {
    const index = this.tasks.indexOf(task);
    if (index >= 0) this.tasks.splice(index, 1);
  }

  /** goodness() of 2.0.0: 0 when the slice is used up, else counter (+1 for the task that was running). */
  goodness(task: Task, previous: Task | null): number {
    if (task.counter <= 0) return 0;
    return task.counter + (task === previous ? 1 : 0);
  }

  /**
   * The task schedule() switches to: the runnable task of highest goodness (the previous task
   * wins ties, as it is scanned first in 2.0's run queue), or null to idle.
   */
  pickNext(previous: Task | null): Task | null {
    this.needResched = false;
    this.lastScanned = 0;
    this.lastRecalculated = 0;
    for (;;) {
      let best: Task | null = null;
      let bestWeight = -1;
      if (previous !== null && previous.state === 'running') {
        best = previous;
        bestWeight = this.goodness(previous, previous);
        this.lastScanned++;
      }
      for (const task of this.tasks) {
        if (task.state !== 'running' || task === previous) continue;
        this.lastScanned++;
        const weight = this.goodness(task, previous);
        if (weight > bestWeight) {
          best = task;
          bestWeight = weight;
        }
      }
      if (best === null) return null;
      if (bestWeight > 0) return best;
      // every runnable task has used its slice: recalculate all counters
      for (const task of this.tasks) task.counter = (task.counter >> 1) + task.priority;
      this.lastRecalculated += this.tasks.length;
    }
  }

  /** One timer tick charged to `current` (null: idle). Returns true if a reschedule is due. */
  tick(current: Task | null): boolean {
    if (current === null) {
      if (this.tasks.some((t) => t.state === 'running')) this.needResched = true;
      return this.needResched;
    }
    current.counter--;
    if (current.counter <= 0) {
      current.counter = 0;
      this.needResched = true;
    }
    return this.needResched;
  }
}
