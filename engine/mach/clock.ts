import type { Operation } from '../machine/executionContext';
import { KernelObjectServer } from './ipcKobject';
import { KERN, TIME_ABSOLUTE, TIME_RELATIVE } from './machConstants';
import type { MachKernel } from './machKernel';
import type { Port } from './port';
import type { Thread } from './thread';

/** Nanoseconds per second (a tvalspec's tv_nsec is below it). */
const NSEC_PER_SEC = 1_000_000_000;
/** Bytes of an alarm (kern/clock.h struct alarm: next, prev, status, clock, type, port, port type, time). */
const ALARM_BYTES = 36;

/** A clock_sleep alarm on the clock's list (ALARM_SLEEP): the sleeping thread and its due time. */
interface SleepAlarm {
  readonly thread: Thread;
  /** Due time in nanoseconds of the clock. */
  readonly time: number;
  /** Kernel address of the alarm structure (zalloc(alarm_zone), kept on the free list). */
  readonly address: number;
}

/**
 * The realtime clock of OSF MK (kern/clock.c with i386/rtclock.c): a kernel object port
 * (IKOT_CLOCK) whose time advances by one tick period in each clock interrupt, and a list of
 * clock_sleep alarms in due order. clock_sleep (the trap) posts an alarm and blocks the thread;
 * clock_alarm_intr, called from the clock interrupt, wakes every thread whose alarm is due. A
 * sleep to an absolute time therefore keeps its marks however late the sleeper ran before (MkLinux's
 * jiffies_thread sleeps to the next 10 ms mark), where a relative timeout would drift by that
 * lateness each time.
 */
export class RealtimeClock {
  readonly port: Port;
  /** Clock interrupts handled since boot: the clock's time is this many tick periods. */
  private ticks = 0;
  private readonly alarms: SleepAlarm[] = [];
  /** Alarm structures freed by earlier sleeps (alrmfree). */
  private readonly free: number[] = [];
  private readonly tickNanoseconds: number;

  constructor(private readonly k: MachKernel) {
    this.port = k.newPort();
    this.port.kobject = new KernelObjectServer(k, 'clock', null, new Map());
    this.tickNanoseconds = NSEC_PER_SEC / k.machine.parameters.hz;
  }

  /** The clock's time in nanoseconds (rtclock_gettime: the time kept by the tick handler). */
  get now(): number {
    return this.ticks * this.tickNanoseconds;
  }

  /** Whether `thread` sleeps on the clock. */
  sleeping(thread: Thread): boolean {
    return this.alarms.some((alarm) => alarm.thread === thread);
  }

  /**
   * clock_sleep_trap / clock_sleep: validates the sleep (CheckTime: KERN_INVALID_VALUE for a bad
   * sleep type or a tv_nsec outside [0, 1 s)), returns at once when the time has come (a time in
   * the past, or a zero relative sleep), else posts an alarm
   * and blocks until clock_alarm_intr wakes the thread (KERN_SUCCESS) or thread_abort ends the
   * sleep (KERN_ABORTED). Returns the result and the wakeup time in nanoseconds.
   */
  *sleep(thread: Thread, type: number, seconds: number, nanoseconds: number): Operation<[number, number]> {
    const k = this.k;
    k.execute(k.paths.clockSleep);
    if ((type & ~TIME_RELATIVE) !== 0 || nanoseconds < 0 || nanoseconds >= NSEC_PER_SEC) return [KERN.INVALID_VALUE, this.now];
    const time = seconds * NSEC_PER_SEC + nanoseconds + (type === TIME_ABSOLUTE ? 0 : this.now);
    if (time <= this.now) return [KERN.SUCCESS, this.now];
    // LOCK_CLOCK (splclock) around the alarm's allocation and PostAlarm
    k.scheduler.splPair();
    const address = this.free.pop() ?? k.kalloc.allocate(ALARM_BYTES);
    if (address < 0) return [KERN.RESOURCE_SHORTAGE, this.now];
    const alarm: SleepAlarm = { thread, time, address };
    let at = 0;
    while (at < this.alarms.length && this.alarms[at].time <= time) k.memory.touch(this.alarms[at++].address, ALARM_BYTES);
    this.alarms.splice(at, 0, alarm);
    k.memory.touchWrite(address, ALARM_BYTES);
    thread.state = 'waiting';
    thread.waitResult = KERN.SUCCESS;
    yield* k.scheduler.block(thread);
    k.scheduler.splPair();
    this.free.push(address);
    return [thread.waitResult === KERN.ABORTED ? KERN.ABORTED : KERN.SUCCESS, this.now];
  }

  /**
   * The tick (rtclock_intr): the time advances one period, and clock_alarm_intr wakes the threads
   * whose alarms are due, in due order.
   */
  tick(): void {
    const k = this.k;
    this.ticks++;
    while (this.alarms.length > 0 && this.alarms[0].time <= this.now) {
      const alarm = this.alarms.shift()!;
      k.execute(k.paths.clockAlarmWakeup);
      k.memory.touchUpdate(alarm.address, ALARM_BYTES);
      k.scheduler.setrun(alarm.thread);
    }
  }

  /**
   * Ends the sleep of `thread` early: thread_abort (KERN_ABORTED, the thread runs again) or the
   * thread's termination (`wake` false). False if it was not sleeping on the clock.
   */
  cancel(thread: Thread, wake: boolean): boolean {
    const index = this.alarms.findIndex((alarm) => alarm.thread === thread);
    if (index < 0) return false;
    const [alarm] = this.alarms.splice(index, 1);
    if (!wake) {
      this.free.push(alarm.address);
      return true;
    }
    thread.waitResult = KERN.ABORTED;
    this.k.scheduler.setrun(thread);
    return true;
  }
}
