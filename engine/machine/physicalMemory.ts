/**
 * Physical memory: one byte buffer with aligned 32-bit views. This is the functional path only;
 * timing lives in the {@link MemorySystem}. Little-endian like the Pentium.
 */
export class PhysicalMemory {
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;

  constructor(readonly size: number) {
    if (size % 4096 !== 0) throw new RangeError('memory size must be a multiple of 4 KB');
    this.bytes = new Uint8Array(size);
    this.words = new Uint32Array(this.bytes.buffer);
  }

  contains(physical: number, length = 1): boolean {
    return physical >= 0 && length >= 0 && physical + length <= this.size;
  }

  read32(physical: number): number {
    if ((physical & 3) === 0) return this.words[physical >>> 2];
    const b = this.bytes;
    return (b[physical] | (b[physical + 1] << 8) | (b[physical + 2] << 16) | (b[physical + 3] << 24)) >>> 0;
  }

  write32(physical: number, value: number): void {
    if ((physical & 3) === 0) {
      this.words[physical >>> 2] = value;
      return;
    }
    const b = this.bytes;
    b[physical] = value & 0xff;
    b[physical + 1] = (value >>> 8) & 0xff;
    b[physical + 2] = (value >>> 16) & 0xff;
    b[physical + 3] = (value >>> 24) & 0xff;
  }

  read8(physical: number): number {
    return this.bytes[physical];
  }

  write8(physical: number, value: number): void {
    this.bytes[physical] = value;
  }

  fill(physical: number, length: number, value = 0): void {
    this.bytes.fill(value, physical, physical + length);
  }

  copy(fromPhysical: number, toPhysical: number, length: number): void {
    this.bytes.copyWithin(toPhysical, fromPhysical, fromPhysical + length);
  }
}
