/**
 * A bitmap allocator of 4 KB page frames within a physical range. Not hardware: kernels and
 * sigma0 use it to manage the memory they own. Allocation is next-fit from a cursor that
 * wraps around (deterministic, and cheap when most frames are free).
 */
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export class FrameAllocator {
  private readonly used: Uint8Array;
  private cursor = 0;
  private free: number;

  /** Manages frames [firstFrame, firstFrame + frameCount). */
  constructor(readonly firstFrame: number, readonly frameCount: number) {
    this.used = new Uint8Array(frameCount);
    this.free = frameCount;
  }

  get freeFrames(): number {
    return this.free;
  }

  /** Physical address of a newly allocated frame, or -1 when memory is exhausted. */
  allocate(): number {
    if (this.free === 0) return -1;
    for (let scanned = 0; scanned < this.frameCount; scanned++) {
      const index = this.cursor;
      this.cursor = (this.cursor + 1) % this.frameCount;
      if (this.used[index] === 0) {
        this.used[index] = 1;
        this.free--;
        return (this.firstFrame + index) * PAGE_SIZE;
      }
    }
    return -1;
  }

  /** Allocates `count` physically contiguous frames aligned to `alignFrames`; -1 if impossible. */
  allocateContiguous(count: number, alignFrames = 1): number {
    for (let start = 0; start + count <= this.frameCount; start++) {
      if ((this.firstFrame + start) % alignFrames !== 0) continue;
      let fits = true;
      for (let i = 0; i < count; i++) {
        if (this.used[start + i] !== 0) {
          fits = false;
          start += i;
          break;
        }
      }
      if (!fits) continue;
      for (let i = 0; i < count; i++) this.used[start + i] = 1;
      this.free -= count;
      return (this.firstFrame + start) * PAGE_SIZE;
    }
    return -1;
  }

  /** Marks a specific frame used (for memory reserved at boot). Returns false if it already was. */
  reserve(physical: number): boolean {
    const index = this.indexOf(physical);
    if (this.used[index] !== 0) return false;
    this.used[index] = 1;
    this.free--;
    return true;
  }

  release(physical: number): void {
    const index = this.indexOf(physical);
    if (this.used[index] === 0) throw new Error(`frame 0x${physical.toString(16)} released twice`);
    this.used[index] = 0;
    this.free++;
  }

  isAllocated(physical: number): boolean {
    return this.used[this.indexOf(physical)] !== 0;
  }

  contains(physical: number): boolean {
    const frame = Math.floor(physical / PAGE_SIZE);
    return frame >= this.firstFrame && frame < this.firstFrame + this.frameCount;
  }

  private indexOf(physical: number): number {
    if (physical % PAGE_SIZE !== 0 || !this.contains(physical)) throw new RangeError(`0x${physical.toString(16)} is not a managed frame`);
    return physical / PAGE_SIZE - this.firstFrame;
  }
}
