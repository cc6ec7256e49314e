import { SMALL_SPACE_AREA, SMALL_SPACE_AREA_BYTES, SMALL_SPACE_UNIT } from './kernelLayout';
import type { SmallSpaceSlot } from './task';

/**
 * The small-space area (SOSP'95 §4.1.2, SOSP'97 §3): 512 MB above the 3 GB user limit, split in
 * buddy slots of 4 MB to 512 MB. The 8-bit small-space number of thread_schedule encodes a slot
 * the way a buddy index does: the lowest set bit k gives the size 4 MB·2^k, the bits above it
 * the slot index (number = (2·index + 1)·2^k). Switching to or from a small space reloads the
 * segment registers only (15 cycles), no CR3 write and no TLB flush.
 */
export class SmallSpaces {
  private readonly owner = new Map<number, number>();

  /** Decodes a small-space number; null for 0 or a slot outside the area. */
  static decode(number: number): SmallSpaceSlot | null {
    if (number <= 0 || number > 0xff) return null;
    let k = 0;
    while (((number >>> k) & 1) === 0) k++;
    const bytes = SMALL_SPACE_UNIT * 2 ** k;
    const index = number >>> (k + 1);
    const offset = index * bytes;
    if (offset + bytes > SMALL_SPACE_AREA_BYTES) return null;
    return { base: (SMALL_SPACE_AREA + offset) >>> 0, bytes, number };
  }

  /** The number of slot `index` of size 4 MB·2^k. */
  static encode(index: number, k: number): number {
    return ((2 * index + 1) << k) >>> 0;
  }

  /** Claims `slot` for task `task`; false if it overlaps a slot of another task. */
  claim(slot: SmallSpaceSlot, task: number): boolean {
    const first = (slot.base - SMALL_SPACE_AREA) / SMALL_SPACE_UNIT;
    const count = slot.bytes / SMALL_SPACE_UNIT;
    for (let i = first; i < first + count; i++) {
      const holder = this.owner.get(i);
      if (holder !== undefined && holder !== task) return false;
    }
    for (let i = first; i < first + count; i++) this.owner.set(i, task);
    return true;
  }

  release(slot: SmallSpaceSlot): void {
    const first = (slot.base - SMALL_SPACE_AREA) / SMALL_SPACE_UNIT;
    for (let i = first; i < first + slot.bytes / SMALL_SPACE_UNIT; i++) this.owner.delete(i);
  }
}
