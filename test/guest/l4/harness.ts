import { L4Kernel, type L4KernelOptions } from '../../../engine/l4/kernel';
import type { GuestEntry } from '../../../engine/l4/guestApi';
import type { ThreadId } from '../../../engine/l4/threadId';
import { Machine } from '../../../engine/machine/machine';

/** A booted bare L4 system on a 16 MB machine, for l4test-style conformance programs. */
export class L4Test {
  readonly machine: Machine;
  readonly kernel: L4Kernel;
  readonly log: string[] = [];

  constructor(options: L4KernelOptions = {}, memoryMB = 16) {
    this.machine = new Machine({ parameters: { memoryMB } });
    this.kernel = new L4Kernel(this.machine, { timer: false, ...options });
  }

  /** Starts boot-module task `number` with `entry` (pager sigma0 unless given). */
  task(number: number, entry: GuestEntry, options: { priority?: number; small?: number; pager?: ThreadId } = {}): ThreadId {
    const pager = options.pager ? this.kernel.threadById(options.pager.low, options.pager.high) ?? undefined : undefined;
    const thread = this.kernel.createBootTask(number, entry, { ...options, pager });
    return { low: thread.idLow, high: thread.idHigh };
  }

  /** Runs until `stop()` or until nothing can run; returns the kernel's outcome. */
  run(stop: () => boolean = () => false, maxCycles = 133e6 * 5): string {
    return this.kernel.run(stop, maxCycles);
  }
}

/** An address in sigma0's memory (virtual = physical) for test data. */
export const DATA = 0x00900000;
