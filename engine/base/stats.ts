/**
 * Declared statistics (STYLE.md §5, after gem5's ADD_STAT): every statistic is an object with a
 * dotted path under its owner (`machine.dtlb.misses`), a unit and a description. Components bump
 * `counter.value` on their hot paths; panels and reports only read snapshots.
 */
export interface StatDescription {
  readonly path: string;
  readonly unit: string;
  readonly description: string;
}

export class Counter implements StatDescription {
  value = 0;
  constructor(readonly path: string, readonly unit: string, readonly description: string) {}
}

export class Formula implements StatDescription {
  constructor(
    readonly path: string,
    readonly unit: string,
    readonly description: string,
    readonly compute: () => number,
  ) {}
}

export type StatSnapshot = Record<string, number>;

export class StatRegistry {
  private readonly counters = new Map<string, Counter>();
  private readonly formulas = new Map<string, Formula>();

  counter(path: string, unit: string, description: string): Counter {
    if (this.counters.has(path) || this.formulas.has(path)) throw new Error(`statistic ${path} declared twice`);
    const counter = new Counter(path, unit, description);
    this.counters.set(path, counter);
    return counter;
  }

  formula(path: string, unit: string, description: string, compute: () => number): Formula {
    if (this.counters.has(path) || this.formulas.has(path)) throw new Error(`statistic ${path} declared twice`);
    const formula = new Formula(path, unit, description, compute);
    this.formulas.set(path, formula);
    return formula;
  }

  /** Zeroes every counter: the start of a region of interest. */
  reset(prefix = ''): void {
    for (const counter of this.counters.values()) if (counter.path.startsWith(prefix)) counter.value = 0;
  }

  get(path: string): number | undefined {
    const counter = this.counters.get(path);
    if (counter) return counter.value;
    return this.formulas.get(path)?.compute();
  }

  snapshot(prefix = ''): StatSnapshot {
    const out: StatSnapshot = {};
    for (const counter of this.counters.values()) if (counter.path.startsWith(prefix)) out[counter.path] = counter.value;
    for (const formula of this.formulas.values()) if (formula.path.startsWith(prefix)) out[formula.path] = formula.compute();
    return out;
  }

  describe(): StatDescription[] {
    return [...this.counters.values(), ...this.formulas.values()]
      .map(({ path, unit, description }) => ({ path, unit, description }))
      .sort((a, b) => a.path.localeCompare(b.path));
  }
}
