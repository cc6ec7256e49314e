/**
 * Declared bit layouts (STYLE.md §7, after seL4's structures.bf): a layout names each field with
 * its least significant bit and width, once; encoders, decoders and the masks that hot paths use
 * are derived from that one declaration. Words are unsigned 32-bit.
 */
export interface FieldSpec {
  readonly shift: number;
  readonly width: number;
}

export type LayoutSpec = Readonly<Record<string, FieldSpec>>;

export class BitLayout<S extends LayoutSpec> {
  /** `mask[f]` is the in-place mask of field f (already shifted). */
  readonly mask: { readonly [K in keyof S]: number };

  constructor(readonly name: string, readonly fields: S) {
    const mask: Record<string, number> = {};
    let used = 0;
    for (const [field, { shift, width }] of Object.entries(fields)) {
      if (shift < 0 || width <= 0 || shift + width > 32) throw new Error(`${name}.${field}: bad field ${shift}+${width}`);
      const m = (width === 32 ? 0xffffffff : ((1 << width) - 1) << shift) >>> 0;
      if ((used & m) !== 0) throw new Error(`${name}.${field} overlaps another field`);
      used = (used | m) >>> 0;
      mask[field] = m;
    }
    this.mask = mask as { [K in keyof S]: number };
  }

  get(word: number, field: keyof S): number {
    const { shift } = this.fields[field];
    return ((word & this.mask[field]) >>> shift) >>> 0;
  }

  set(word: number, field: keyof S, value: number): number {
    const { shift, width } = this.fields[field];
    const max = width === 32 ? 0xffffffff : (1 << width) - 1;
    if (value < 0 || value > max || !Number.isInteger(value)) {
      throw new RangeError(`${this.name}.${String(field)} = ${value} does not fit in ${width} bits`);
    }
    return ((word & ~this.mask[field]) | (value << shift)) >>> 0;
  }

  encode(values: Partial<Record<keyof S, number>>): number {
    let word = 0;
    for (const field of Object.keys(values) as Array<keyof S>) {
      const value = values[field];
      if (value !== undefined) word = this.set(word, field, value);
    }
    return word;
  }

  decode(word: number): Record<keyof S, number> {
    const out = {} as Record<keyof S, number>;
    for (const field of Object.keys(this.fields) as Array<keyof S>) out[field] = this.get(word, field);
    return out;
  }
}
