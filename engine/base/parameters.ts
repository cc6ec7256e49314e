/**
 * Parameter tables (STYLE.md §7): every cost in the engine is a named parameter with a value, a
 * unit and a source, declared once per component. Tables can be overridden for what-if runs; the
 * overrides are part of a run's recorded configuration.
 */
export type ParameterValue = number | boolean;

/** Provenance tags as in `pentium-parameters.md`: read, read from a secondary source, recalled, inferred. */
export type Provenance = 'R' | 'R2' | 'C' | 'I';

export interface ParameterSpec<V extends ParameterValue = ParameterValue> {
  readonly value: V;
  readonly unit: string;
  readonly description: string;
  /** Citation: manual, paper, measurement; for an inferred value, the formula. */
  readonly source: string;
  readonly provenance: Provenance;
  /** Values a what-if override may take (inclusive range for numbers). */
  readonly min?: number;
  readonly max?: number;
  /** Whole numbers only (a seed, a count): a what-if override with a fraction is refused. */
  readonly integer?: boolean;
}

export type ParameterSpecs = Readonly<Record<string, ParameterSpec>>;

export type ParameterValues<S extends ParameterSpecs> = { readonly [K in keyof S]: S[K]['value'] extends boolean ? boolean : number };

export type ParameterOverrides<S extends ParameterSpecs> = Partial<{ [K in keyof S]: S[K]['value'] extends boolean ? boolean : number }>;

export interface ParameterRow {
  readonly table: string;
  readonly name: string;
  readonly value: ParameterValue;
  readonly defaultValue: ParameterValue;
  readonly unit: string;
  readonly description: string;
  readonly source: string;
  readonly provenance: Provenance;
}

/** The largest magnitude V8 keeps as a small integer (31-bit Smi with pointer compression). */
const SMALL_INTEGER_LIMIT = 2 ** 30;

/**
 * The same value, as a small integer when it is one. The specs' `value` fields hold fractions
 * too (15.6 µs, 0.25 cycles), so V8 stores them all as doubles and hands out even 64 or 4 as heap
 * numbers; the components copy such values into their own fields (a TLB's ways, a cache's line
 * size), which would then be doubles on every hot-path read. `| 0` gives V8 a small integer.
 */
function hostValue(value: ParameterValue): ParameterValue {
  return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < SMALL_INTEGER_LIMIT ? value | 0 : value;
}

export class ParameterTable<S extends ParameterSpecs> {
  readonly values: ParameterValues<S>;

  constructor(readonly table: string, readonly specs: S, overrides: ParameterOverrides<S> = {}) {
    const values: Record<string, ParameterValue> = {};
    for (const [name, spec] of Object.entries(specs)) values[name] = hostValue(spec.value);
    for (const [name, value] of Object.entries(overrides)) {
      const spec = specs[name];
      if (spec === undefined) throw new RangeError(`unknown parameter ${table}.${name}`);
      if (typeof value !== typeof spec.value) throw new TypeError(`${table}.${name} must be a ${typeof spec.value}`);
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new RangeError(`${table}.${name} must be finite`);
        if (spec.min !== undefined && value < spec.min) throw new RangeError(`${table}.${name} = ${value} is below ${spec.min}`);
        if (spec.max !== undefined && value > spec.max) throw new RangeError(`${table}.${name} = ${value} is above ${spec.max}`);
        if (spec.integer === true && !Number.isInteger(value)) throw new RangeError(`${table}.${name} = ${value} must be a whole number`);
      }
      values[name] = hostValue(value as ParameterValue);
    }
    // a fresh literal copy: the object filled key by key above is in V8's slow dictionary mode,
    // and hot paths read these values on every simulated access
    this.values = { ...values } as ParameterValues<S>;
  }

  rows(): ParameterRow[] {
    return Object.entries(this.specs).map(([name, spec]) => ({
      table: this.table,
      name,
      value: (this.values as Record<string, ParameterValue>)[name],
      defaultValue: spec.value,
      unit: spec.unit,
      description: spec.description,
      source: spec.source,
      provenance: spec.provenance,
    }));
  }
}

/** Identity helper that keeps the literal types of a spec table. */
export function defineParameters<S extends ParameterSpecs>(specs: S): S {
  return specs;
}
