import type { Activity } from '../../machine/executionContext';
import type { Thread } from '../../mach/thread';
import type { Task } from '../core/task';

/**
 * A Mach thread that runs Linux code in the server: the server thread of a Linux task (its
 * "kernel stack"; on the co-located server, the process's own thread inside the kernel), or the
 * clock or interrupt thread (`task` null).
 */
export interface ServerActor {
  readonly thread: Thread;
  readonly task: Task | null;
}

/**
 * How a server thread waits and is woken: the user-mode server blocks in mach_msg on a per-thread
 * wait port and is woken by a message to it (cthreads' cproc_block/cproc_ready over Mach
 * messages); the co-located server uses the kernel's assert_wait/thread_block and thread_wakeup.
 */
export interface Parking {
  /** Blocks `actor`'s thread until {@link unpark} is called for it. */
  park(actor: ServerActor): Activity;
  /** Wakes the parked `to`, from `from`'s thread. */
  unpark(from: ServerActor, to: ServerActor): Activity;
}

/**
 * MkLinux's master lock: the Linux server is a multithreaded Mach task but Linux 2.0 code is not
 * reentrant, so exactly one server thread runs it at a time (Linux's `current` is the holder's
 * task). A Linux sleep releases the lock and parks the thread until a wake-up made the task
 * runnable again and the lock is handed to it; the lock goes to waiters in FIFO order.
 */
export class ServerLock {
  holder: ServerActor | null = null;
  private readonly waiting: ServerActor[] = [];
  private readonly sleeping: ServerActor[] = [];

  constructor(private readonly parking: Parking, private readonly charge: () => void) {}

  /** mutex_lock: returns holding the lock, after parking if another thread holds it. */
  *acquire(actor: ServerActor): Activity {
    this.charge();
    if (this.holder === null) {
      this.holder = actor;
      return;
    }
    this.waiting.push(actor);
    yield* this.parking.park(actor);
  }

  /** mutex_unlock: hands the lock to the first waiter (tasks woken since are queued first). */
  *release(actor: ServerActor): Activity {
    this.charge();
    this.holder = null;
    for (let i = 0; i < this.sleeping.length; i++) {
      const sleeper = this.sleeping[i];
      if (sleeper.task?.state !== 'running') continue;
      this.sleeping.splice(i--, 1);
      this.waiting.push(sleeper);
    }
    const next = this.waiting.shift();
    if (next === undefined) return;
    this.holder = next;
    yield* this.parking.unpark(actor, next);
  }

  /**
   * schedule() of a task that is not runnable: releases the lock and parks until the task was
   * woken and the lock handed back. A zombie never comes back.
   */
  *sleep(actor: ServerActor): Activity {
    yield* this.release(actor);
    if (actor.task?.state === 'running') {
      yield* this.acquire(actor);
      return;
    }
    this.sleeping.push(actor);
    yield* this.parking.park(actor);
  }

  /** schedule() of a runnable task (need_resched): lets the threads waiting for the lock run first. */
  *yieldLock(actor: ServerActor): Activity {
    const runnable = this.sleeping.some((s) => s.task?.state === 'running');
    if (this.waiting.length === 0 && !runnable) return;
    yield* this.release(actor);
    yield* this.acquire(actor);
  }

  /** The actor is gone (its task was reaped): it waits for nothing any more. */
  forget(actor: ServerActor): void {
    for (const list of [this.waiting, this.sleeping]) {
      const index = list.indexOf(actor);
      if (index >= 0) list.splice(index, 1);
    }
  }
}
