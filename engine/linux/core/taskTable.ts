import type { Task } from './task';

/** Size of the task table (include/linux/tasks.h of Linux 2.0). */
export const NR_TASKS = 512;

/**
 * kernel/sched.c's `task[NR_TASKS]`: the fixed table every process of Linux 2.0 has a slot in.
 * Slot 0 is init_task (the idle task, which this model keeps no Task for), so at most
 * NR_TASKS - 1 processes exist at once. A slot is taken by fork and freed when the zombie is
 * reaped (release()).
 */
export class TaskTable {
  private readonly slots: Array<Task | null> = new Array<Task | null>(NR_TASKS).fill(null);
  private count = 0;

  /**
   * find_empty_process (kernel/fork.c of 2.0): the lowest free slot above task 0, or -1 when the
   * table is full (fork then fails with EAGAIN). Every caller is root in
   * this model, so the per-user limits (RLIMIT_NPROC, MAX_TASKS_PER_USER, the
   * MIN_TASKS_LEFT_FOR_ROOT reserve) do not apply. The caller charges the slots scanned.
   */
  findEmpty(): number {
    let free = -1;
    for (let slot = NR_TASKS - 1; slot > 0; slot--) if (this.slots[slot] === null) free = slot;
    return free;
  }

  /** Slots in use (the tasks a scan compares). */
  get occupied(): number {
    return this.count;
  }

  /** Puts `task` in `slot` (from {@link findEmpty}). */
  take(slot: number, task: Task): void {
    this.slots[slot] = task;
    task.slot = slot;
    this.count++;
  }

  /** release(): the reaped task's slot becomes free. */
  release(task: Task): void {
    if (task.slot === 0 || this.slots[task.slot] !== task) return;
    this.slots[task.slot] = null;
    task.slot = 0;
    this.count--;
  }
}
