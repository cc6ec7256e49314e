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
 * How a server thread waits and is woken: as OSF MK cthreads' wired threads do, a depressed
 * thread_switch(SWITCH_OPTION_IDLE) until the waker's thread_depress_abort (Mach traps in the
 * user-mode server, kernel calls in the co-located one; see MkLinux.parking).
 */
export interface Parking {
  /** Blocks `actor`'s thread until {@link unpark} is called for it. */
  park(actor: ServerActor): Activity;
  /** Wakes the parked `to`, from `from`'s thread. */
  unpark(from: ServerActor, to: ServerActor): Activity;
  /** Lets the other runnable threads run first (server_thread_yield's depressed thread_switch). */
  yieldCpu(actor: ServerActor): Activity;
}

/**
 * MkLinux's master lock (osfmach3/server/uniproc.c: uniproc_mutex, a cthreads mutex): the Linux
 * server is a multithreaded Mach task but Linux 2.0 code is not reentrant, so exactly one server
 * thread runs it at a time (Linux's `current` is the holder's task). As OSF MK cthreads' mutex
 * (mach_services/lib/libcthreads/cthreads.c), it is not handed over: mutex_unlock_solid releases
 * it and wakes the first waiter, which takes it when it runs if nobody took it meanwhile
 * (mutex_lock_real retries; else it queues and blocks again). A Linux sleep is condition_wait on
 * the task's wait channel: the lock is released and the thread parks; wake_up_process's
 * condition_signal moves it onto the lock's queue, which it leaves like any waiter.
 */
/** A cthreads condition used with the master lock (see {@link ServerLock.wait}). */
export class Condition {
  readonly waiters: ServerActor[] = [];
}

export class ServerLock {
  holder: ServerActor | null = null;
  private readonly waiting: ServerActor[] = [];
  private readonly sleeping: ServerActor[] = [];

  constructor(private readonly parking: Parking, private readonly charge: () => void) {}

  /** mutex_lock: returns holding the lock, after parking as long as another thread holds it. */
  *acquire(actor: ServerActor): Activity {
    this.charge();
    while (this.holder !== null) {
      this.waiting.push(actor);
      yield* this.parking.park(actor);
    }
    this.holder = actor;
  }

  /** mutex_unlock: frees the lock and wakes its first waiter (tasks woken since join the queue first). */
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
    yield* this.parking.unpark(actor, next);
  }

  /**
   * schedule() of a task that is not runnable: releases the lock, parks until the task was woken
   * and retakes the lock. A zombie never comes back.
   */
  *sleep(actor: ServerActor): Activity {
    yield* this.release(actor);
    if (actor.task?.state !== 'running') {
      this.sleeping.push(actor);
      yield* this.parking.park(actor);
    }
    yield* this.acquire(actor);
  }

  /**
   * schedule() of a runnable task (need_resched; MkLinux kernel/sched.c calls osfmach3_yield):
   * uniproc_exit, server_thread_yield(10) (a depressed thread_switch: the threads waiting for the
   * lock and the other runnable threads run first), uniproc_enter.
   */
  *yieldLock(actor: ServerActor): Activity {
    yield* this.release(actor);
    yield* this.parking.yieldCpu(actor);
    yield* this.acquire(actor);
  }

  /**
   * condition_wait(condition, &uniproc_mutex) of a thread that is no Linux task (MkLinux's idle
   * task on osfmach3_idle_condition): releases the lock, parks until {@link signal}, retakes it.
   */
  *wait(actor: ServerActor, condition: Condition): Activity {
    yield* this.release(actor);
    condition.waiters.push(actor);
    yield* this.parking.park(actor);
    yield* this.acquire(actor);
  }

  /**
   * condition_signal(condition) under the lock: its first waiter joins the lock's queue, and the
   * holder's release wakes it (cthread_wakeup). False if nobody waited.
   */
  signal(condition: Condition): boolean {
    const waiter = condition.waiters.shift();
    if (waiter === undefined) return false;
    this.waiting.push(waiter);
    return true;
  }

  /** The actor is gone (its task was reaped): it waits for nothing any more. */
  forget(actor: ServerActor): void {
    for (const list of [this.waiting, this.sleeping]) {
      const index = list.indexOf(actor);
      if (index >= 0) list.splice(index, 1);
    }
  }
}
