import type { Scheduler, ScheduledEvent } from '../base/scheduler';
import type { Pic } from './pic';

/**
 * The Intel 8253 channel 0 in mode 2 (rate generator), wired to IRQ 0: a tick every
 * round(input / HZ) input clocks. Tick times are computed from the tick number, so rounding never
 * accumulates: tick k fires at cycle round(k × period).
 */
export class Pit {
  readonly reload: number;
  /** Exact period in CPU cycles (not rounded). */
  readonly periodCycles: number;
  ticks = 0;
  private startCycle = 0;
  private event: ScheduledEvent | null = null;

  constructor(private readonly scheduler: Scheduler, private readonly pic: Pic, clockHz: number, inputHz: number, hz: number) {
    this.reload = Math.round(inputHz / hz);
    this.periodCycles = (clockHz * this.reload) / inputHz;
  }

  /** Cycle of the last tick fired (the start of the current period): what a tick's handler samples. */
  get lastTickAt(): number {
    return this.startCycle + Math.round(this.ticks * this.periodCycles);
  }

  get running(): boolean {
    return this.event !== null;
  }

  start(): void {
    if (this.event !== null) return;
    this.startCycle = this.scheduler.now;
    this.ticks = 0;
    this.scheduleNext();
  }

  stop(): void {
    if (this.event !== null) this.scheduler.cancel(this.event);
    this.event = null;
  }

  private scheduleNext(): void {
    const time = this.startCycle + Math.round((this.ticks + 1) * this.periodCycles);
    this.event = this.scheduler.at(time, 'pit.tick', () => {
      this.ticks++;
      this.pic.raise(0);
      this.scheduleNext();
    });
  }
}
