/** Bytes per sector. */
export const SECTOR_SIZE = 512;

/** The mechanical parameters of the drive (engine/machine/pentiumParameters.ts disk rows). */
export interface DiskMechanics {
  readonly clockMHz: number;
  /** Average seek over all pairs of distinct cylinders (the data-sheet definition), ms. */
  readonly seekMs: number;
  /** Single-cylinder (track-to-track) seek, ms. */
  readonly seekTrackMs: number;
  /** Full-stroke seek, ms. */
  readonly seekFullMs: number;
  readonly rpm: number;
  /** Media transfer rate, MB/s (10^6 bytes). */
  readonly mbPerSecond: number;
  /** Recording surfaces (heads). */
  readonly heads: number;
  /** Cylinders of the whole drive (the simulated disk is its first part). */
  readonly cylinders: number;
}

/**
 * Where a sector is and how long the arm and the platter take to get there. The seek time for a
 * distance of d ≥ 1 cylinders is c + a·√(d−1) + b·(d−1) (Lee & Katz, SIGMETRICS 1993; the shape
 * Ruemmler & Wilkes, IEEE Computer 1994, measured: square-root for short seeks, which are
 * dominated by acceleration and settling, near-linear for long ones): c is the track-to-track seek
 * and a, b are solved so that the full-stroke seek and the average over all pairs of distinct
 * cylinders (weights D−d for distance d) come out as the data sheet gives them. Sectors are laid
 * out track by track, `sectorsPerTrack` (from the media rate and the spindle speed) to a track and
 * `heads` tracks to a cylinder; a sector's angle is its place on its track.
 */
export class DiskGeometry {
  readonly sectorsPerTrack: number;
  readonly rotationCycles: number;
  private readonly a: number;
  private readonly b: number;

  constructor(readonly mechanics: DiskMechanics) {
    const { rpm, mbPerSecond, cylinders, seekMs, seekTrackMs, seekFullMs, clockMHz } = mechanics;
    this.rotationCycles = (60_000_000 / rpm) * clockMHz;
    this.sectorsPerTrack = Math.max(1, Math.round((mbPerSecond * 1_000_000) / SECTOR_SIZE / (rpm / 60)));
    // the averages of √(d−1) and (d−1) over distinct-cylinder pairs, weighted by D−d
    let weight = 0;
    let root = 0;
    let linear = 0;
    for (let d = 1; d < cylinders; d++) {
      const w = cylinders - d;
      weight += w;
      root += w * Math.sqrt(d - 1);
      linear += w * (d - 1);
    }
    const far = Math.max(0, cylinders - 2);
    const [meanRoot, meanLinear] = weight > 0 ? [root / weight, linear / weight] : [0, 0];
    // solve  a·meanRoot + b·meanLinear = avg − c  and  a·√far + b·far = full − c
    const determinant = meanRoot * far - meanLinear * Math.sqrt(far);
    const averageRise = seekMs - seekTrackMs;
    const fullRise = seekFullMs - seekTrackMs;
    this.a = determinant !== 0 ? (averageRise * far - meanLinear * fullRise) / determinant : 0;
    this.b = determinant !== 0 ? (meanRoot * fullRise - Math.sqrt(far) * averageRise) / determinant : 0;
  }

  /** Cylinder of `sector`. */
  cylinder(sector: number): number {
    return Math.floor(sector / (this.sectorsPerTrack * this.mechanics.heads));
  }

  /** Seek time in cycles from cylinder `from` to cylinder `to` (0 when they are the same). */
  seekCycles(from: number, to: number): number {
    const d = Math.abs(to - from);
    if (d === 0) return 0;
    const ms = this.mechanics.seekTrackMs + this.a * Math.sqrt(d - 1) + this.b * (d - 1);
    return ms * 1000 * this.mechanics.clockMHz;
  }

  /** Cycles from time `now` until the start of `sector` passes under the head. */
  rotationalWait(now: number, sector: number): number {
    const head = (now % this.rotationCycles) / this.rotationCycles;
    const target = (sector % this.sectorsPerTrack) / this.sectorsPerTrack;
    const turn = target - head;
    return (turn < 0 ? turn + 1 : turn) * this.rotationCycles;
  }

  /** Cycles to transfer `sectors` sectors at the media rate. */
  transferCycles(sectors: number): number {
    return ((sectors * SECTOR_SIZE) / this.mechanics.mbPerSecond) * this.mechanics.clockMHz;
  }
}
