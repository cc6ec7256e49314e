import { CycleAccounting } from '../base/cycleAccounting';
import type { ParameterRow } from '../base/parameters';
import { SeededRandom } from '../base/random';
import { Scheduler } from '../base/scheduler';
import { StatRegistry } from '../base/stats';
import { TraceBuffer } from '../base/trace';
import { Console } from './console';
import { Cpu } from './cpu';
import { Disk } from './disk';
import { Inspector } from './inspector';
import { MemorySystem } from './memorySystem';
import { pentiumParameters, type PentiumOverrides, type PentiumParameters } from './pentiumParameters';
import { PhysicalMemory } from './physicalMemory';
import { Pic } from './pic';
import { Pit } from './pit';

export interface MachineOptions {
  /** What-if overrides of the Pentium parameter table (clock, TLB and cache sizes, tagged TLB...). */
  readonly parameters?: PentiumOverrides;
  /** Seed of the machine's random generator (the only randomness of a run). */
  readonly seed?: number;
  /** Keep console output in memory (default true). */
  readonly keepConsoleTranscript?: boolean;
}

/** The machine's configuration as data: what `l4lab machine` prints and panels show. */
export interface MachineDescription {
  readonly clockMHz: number;
  readonly memoryMB: number;
  readonly summary: string;
  readonly parameters: ParameterRow[];
}

/**
 * The simulated PC of SOSP'97 §5.1: a P54C Pentium with its caches and TLBs, physical memory,
 * two 8259 PICs, the 8253 PIT, an IDE disk and a console, all sharing one {@link Scheduler}.
 */
export class Machine {
  readonly parameters: PentiumParameters;
  readonly parameterRows: ParameterRow[];
  readonly scheduler = new Scheduler();
  readonly stats = new StatRegistry();
  readonly trace = new TraceBuffer();
  readonly accounting = new CycleAccounting();
  readonly random: SeededRandom;
  readonly memory: PhysicalMemory;
  readonly caches: MemorySystem;
  readonly cpu: Cpu;
  readonly pic = new Pic();
  readonly pit: Pit;
  readonly disk: Disk;
  readonly console: Console;
  readonly inspector: Inspector;

  constructor(options: MachineOptions = {}) {
    const table = pentiumParameters(options.parameters);
    this.parameters = table.values;
    this.parameterRows = table.rows();
    const p = this.parameters;
    this.random = new SeededRandom(options.seed ?? 1);
    this.memory = new PhysicalMemory(p.memoryMB * 1024 * 1024);
    this.caches = new MemorySystem(p, this.stats, this.scheduler);
    this.cpu = new Cpu(this.scheduler, this.accounting, this.memory, this.caches, p, this.stats, this.pic);
    this.pit = new Pit(this.scheduler, this.pic, p.clockMHz * 1_000_000, p.pitInputHz, p.hz);
    this.disk = new Disk(this.scheduler, this.pic, this.memory, p.diskSectors, { clockMHz: p.clockMHz, seekMs: p.diskSeekMs, seekTrackMs: p.diskSeekTrackMs, seekFullMs: p.diskSeekFullMs, rpm: p.diskRpm, mbPerSecond: p.diskMBps, heads: p.diskHeads, cylinders: p.diskCylinders }, this.stats);
    this.console = new Console(this.pic, { keepTranscript: options.keepConsoleTranscript });
    this.inspector = new Inspector(this.cpu, this.memory, this.caches);
    this.stats.formula('machine.cpu.cycles', 'cycles', 'simulated cycles since reset', () => this.scheduler.now);
  }

  get now(): number {
    return this.scheduler.now;
  }

  cyclesToMicroseconds(cycles: number): number {
    return cycles / this.parameters.clockMHz;
  }

  microsecondsToCycles(microseconds: number): number {
    return Math.round(microseconds * this.parameters.clockMHz);
  }

  describe(): MachineDescription {
    return describeParameters(this.parameters, this.parameterRows);
  }
}

/** The description of a machine with `overrides`, without building one (no 64 MB allocation). */
export function describeMachineParameters(overrides: PentiumOverrides = {}): MachineDescription {
  const table = pentiumParameters(overrides);
  return describeParameters(table.values, table.rows());
}

function describeParameters(p: PentiumParameters, rows: ParameterRow[]): MachineDescription {
  {
    return {
      clockMHz: p.clockMHz,
      memoryMB: p.memoryMB,
      summary:
        `Pentium (P54C) ${p.clockMHz} MHz, ${p.memoryMB} MB DRAM, L1 ${p.l1CodeKB}+${p.l1DataKB} KB ${p.l1Ways}-way, ` +
        `L2 ${p.l2KB} KB ${p.l2Ways === 1 ? 'direct-mapped' : `${p.l2Ways}-way`}, DTLB ${p.dtlbEntries}+${p.dtlbLargeEntries}, ITLB ${p.itlbEntries}, ` +
        `${p.taggedTlb ? 'tagged' : 'untagged'} TLB, HZ=${p.hz}`,
      parameters: rows,
    };
  }
}
