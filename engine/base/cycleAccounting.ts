import { CYCLE_CATEGORIES, type CycleBreakdown, type CycleCategory } from './cycleCategory';

/** A phase's cycles so far; `ended` once it has ended at least once. */
interface PhaseTotal {
  readonly name: string;
  cycles: number;
  ended: boolean;
  /** The phase started after this one the last time: phases repeat in cycles (see setPhase). */
  next: PhaseTotal | null;
}

/**
 * Cycles charged per category since the last reset, and optionally per "phase": a label that a
 * benchmark or kernel sets to split a path the way a paper's figure does (the five rows of
 * SOSP'97 Figure 5, for instance). Dense arrays, because charging is the hottest path there is.
 */
export class CycleAccounting {
  readonly byCategory = new Float64Array(CYCLE_CATEGORIES.length);
  /** Every phase ever started, by name (its running total is a field: ending a phase needs no lookup). */
  private readonly phases = new Map<string, PhaseTotal>();
  /** The phases that have ended at least once, in the order they first ended (the order of {@link phaseTotals}). */
  private readonly ended: PhaseTotal[] = [];
  private current: PhaseTotal | null = null;
  /** The phase started the last time no phase was current (as PhaseTotal.next). */
  private afterNone: PhaseTotal | null = null;
  /** The phase that cycles are charged to as well, or null. Set through {@link setPhase}. */
  phase: string | null = null;
  phaseStart = 0;

  reset(): void {
    this.byCategory.fill(0);
    this.phases.clear();
    this.ended.length = 0;
    this.current = null;
    this.afterNone = null;
    this.phase = null;
  }

  /** Ends the current phase at time `now` and starts `phase` (null: none). */
  setPhase(phase: string | null, now: number): void {
    const current = this.current;
    if (current !== null) {
      if (!current.ended) {
        current.ended = true;
        this.ended.push(current);
      }
      current.cycles += now - this.phaseStart;
    }
    let total: PhaseTotal | null = null;
    if (phase !== null) {
      // a system call path sets the same phases in the same order every time: the phase that
      // followed this one last time is nearly always the next one, found without the Map lookup
      // (issue 10; phases are set several times per simulated system call)
      const guess = current !== null ? current.next : this.afterNone;
      total = guess !== null && guess.name === phase ? guess : this.phaseTotal(phase);
      if (current !== null) current.next = total;
      else this.afterNone = total;
    }
    this.current = total;
    this.phase = phase;
    this.phaseStart = now;
  }

  private phaseTotal(phase: string): PhaseTotal {
    let total = this.phases.get(phase);
    if (total === undefined) {
      total = { name: phase, cycles: 0, ended: false, next: null };
      this.phases.set(phase, total);
    }
    return total;
  }

  total(): number {
    let sum = 0;
    for (const value of this.byCategory) sum += value;
    return sum;
  }

  breakdown(): CycleBreakdown {
    const out: CycleBreakdown = {};
    CYCLE_CATEGORIES.forEach((name, index) => {
      if (this.byCategory[index] !== 0) out[name] = this.byCategory[index];
    });
    return out;
  }

  /** Cycles per phase that has ended at least once, in the order they first ended. */
  phaseTotals(): Record<string, number> {
    return Object.fromEntries(this.ended.map((total) => [total.name, total.cycles]));
  }

  get(category: CycleCategory): number {
    return this.byCategory[CYCLE_CATEGORIES.indexOf(category)];
  }
}

/** Divides every entry of a breakdown (e.g. by an iteration count), dropping zeroes. */
export function scaleBreakdown(breakdown: CycleBreakdown, divisor: number): CycleBreakdown {
  const out: CycleBreakdown = {};
  for (const [name, value] of Object.entries(breakdown) as Array<[CycleCategory, number]>) {
    if (value !== 0) out[name] = value / divisor;
  }
  return out;
}

/** a - b per category. */
export function subtractBreakdown(a: CycleBreakdown, b: CycleBreakdown): CycleBreakdown {
  const out: CycleBreakdown = { ...a };
  for (const [name, value] of Object.entries(b) as Array<[CycleCategory, number]>) out[name] = (out[name] ?? 0) - value;
  return out;
}
