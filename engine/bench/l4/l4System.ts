import { subtractBreakdown, scaleBreakdown } from '../../base/cycleAccounting';
import type { CycleBreakdown } from '../../base/cycleCategory';
import { L4Kernel, type L4KernelOptions } from '../../l4/kernel';
import type { GuestEntry } from '../../l4/guestApi';
import { Machine } from '../../machine/machine';
import { PENTIUM_PARAMETERS, type PentiumOverrides } from '../../machine/pentiumParameters';
import { bareL4MemoryRequirement, MemoryTooSmallError } from '../../linux/memoryRequirement';
import type { HostWindowProbe } from '../simWorkloads';

/** A measurement window opened and closed by guest code (like lmbench's start()/stop()). */
export interface Measurement {
  start: number;
  end: number;
  startBreakdown: CycleBreakdown;
  endBreakdown: CycleBreakdown;
  operations: number;
}

/**
 * A freshly booted bare-L4 system for a benchmark: the machine, the kernel with sigma0, and
 * boot-module tasks for the programs. Guest code opens and closes the measured region with
 * {@link L4BenchSystem.begin} / {@link L4BenchSystem.end} (host-side probes: they cost nothing
 * in simulated time, as lmbench's timer reads are amortized over the loop).
 */
export class L4BenchSystem {
  readonly machine: Machine;
  readonly kernel: L4Kernel;
  private measurement: Measurement | null = null;
  finished = false;
  /** Told when the measured window opens and closes (the simulator's own benchmark times it). */
  probe: HostWindowProbe | null = null;

  /** @throws MemoryTooSmallError when the machine has no memory above the kernel's for sigma0. */
  constructor(machine: PentiumOverrides = {}, options: L4KernelOptions = {}) {
    this.machine = new Machine({ parameters: machine });
    const requirement = bareL4MemoryRequirement();
    if (this.machine.memory.size < requirement.bytes) throw new MemoryTooSmallError(requirement, this.machine.memory.size);
    this.kernel = new L4Kernel(this.machine, options);
  }

  /** Starts a boot-module task `number` running `entry` (paged by sigma0). */
  task(number: number, entry: GuestEntry, options: { priority?: number; small?: number } = {}): { low: number; high: number } {
    const thread = this.kernel.createBootTask(number, entry, options);
    return { low: thread.idLow, high: thread.idHigh };
  }

  begin(): void {
    this.probe?.begin();
    this.measurement = { start: this.machine.now, end: 0, startBreakdown: this.machine.accounting.breakdown(), endBreakdown: {}, operations: 0 };
  }

  end(operations: number): void {
    if (this.measurement === null) throw new Error('end() without begin()');
    this.measurement.end = this.machine.now;
    this.measurement.endBreakdown = this.machine.accounting.breakdown();
    this.measurement.operations = operations;
    this.finished = true;
    this.probe?.end();
  }

  /** Runs until the measuring program called end(); throws with the kernel's reports if it never does. */
  run(maxCycles = 133e6 * 60): Measurement {
    const outcome = this.kernel.run(() => this.finished, maxCycles);
    if (!this.finished || this.measurement === null) {
      // sigma0 maps idempotently: on a machine smaller than the paper's, a task's address may lie beyond memory
      const small = this.machine.parameters.memoryMB < PENTIUM_PARAMETERS.memoryMB.value && this.kernel.reports.some((report) => report.includes('pager'));
      const hint = small ? ` (sigma0 maps memory idempotently, so tasks can use only addresses below this machine's ${this.machine.parameters.memoryMB} MB: try a larger memoryMB)` : '';
      throw new Error(`benchmark did not finish (${outcome}); kernel reports: ${this.kernel.reports.join('; ') || 'none'}${hint}`);
    }
    return this.measurement;
  }
}

/** Cycles per operation of a measurement. */
export function cyclesPerOperation(m: Measurement): number {
  return (m.end - m.start) / m.operations;
}

/** Breakdown per operation, rounded to 0.1 cycle. */
export function breakdownPerOperation(m: Measurement): CycleBreakdown {
  const per = scaleBreakdown(subtractBreakdown(m.endBreakdown, m.startBreakdown), m.operations);
  const out: CycleBreakdown = {};
  for (const [key, value] of Object.entries(per) as Array<[keyof CycleBreakdown, number]>) {
    const rounded = Math.round(value * 10) / 10;
    if (rounded !== 0) out[key] = rounded;
  }
  return out;
}
