import type { Scheduler } from '../base/scheduler';
import type { Counter, StatRegistry } from '../base/stats';
import type { PhysicalMemory } from './physicalMemory';
import type { Pic } from './pic';
import { DiskGeometry, SECTOR_SIZE, type DiskMechanics } from './diskGeometry';

export { SECTOR_SIZE };

export interface DiskRequest {
  readonly sector: number;
  readonly count: number;
  readonly write: boolean;
  /** Physical address of the buffer (the controller transfers by bus-master DMA). */
  readonly physical: number;
  /** Scatter-gather list (the DMA controller's PRD table), if the data are not all at `physical`. */
  readonly segments?: ReadonlyArray<{ readonly physical: number; readonly bytes: number }>;
  readonly done?: (request: DiskRequest) => void;
}

/**
 * An IDE disk on IRQ 14: one command at a time, in the order given (the kernel's request queue
 * decides the order; the controller only holds what it was handed). Service time = seek from the
 * arm's cylinder to the request's (by distance, {@link DiskGeometry}) + the wait until the first
 * sector comes round + transfer. A request that starts exactly where the previous one ended needs
 * no positioning: the drive's look-ahead buffer (reads) and write cache (writes) carry it on. The
 * data move when the request completes, then the IRQ is raised. Contents live in a host buffer that a
 * file-system image can be written into at boot (the disk is the only persistent device).
 */
export class Disk {
  readonly image: Uint8Array;
  private readonly queue: DiskRequest[] = [];
  private busy = false;
  private nextSequentialSector = -1;
  private armCylinder = 0;
  readonly geometry: DiskGeometry;
  readonly reads: Counter;
  readonly writes: Counter;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly pic: Pic,
    private readonly memory: PhysicalMemory,
    readonly sectors: number,
    mechanics: DiskMechanics,
    stats: StatRegistry,
    readonly irq = 14,
  ) {
    this.geometry = new DiskGeometry(mechanics);
    this.image = new Uint8Array(sectors * SECTOR_SIZE);
    this.reads = stats.counter('machine.disk.reads', 'requests', 'disk read requests');
    this.writes = stats.counter('machine.disk.writes', 'requests', 'disk write requests');
  }

  /** Cycles the request would take if started now (seek + rotational wait + transfer). */
  serviceCycles(request: Pick<DiskRequest, 'sector' | 'count'>): number {
    const geometry = this.geometry;
    const transfer = geometry.transferCycles(request.count);
    if (request.sector === this.nextSequentialSector) return Math.round(transfer);
    const seek = geometry.seekCycles(this.armCylinder, geometry.cylinder(request.sector));
    const rotation = geometry.rotationalWait(this.scheduler.now + seek, request.sector);
    return Math.round(seek + rotation + transfer);
  }

  submit(request: DiskRequest): void {
    if (request.count <= 0 || request.sector < 0 || request.sector + request.count > this.sectors) {
      throw new RangeError(`disk request beyond the disk: sectors ${request.sector}+${request.count}`);
    }
    const segments = segmentsOf(request);
    if (segments.reduce((sum, segment) => sum + segment.bytes, 0) !== request.count * SECTOR_SIZE) throw new RangeError('disk DMA list does not match the sector count');
    if (segments.some((segment) => !this.memory.contains(segment.physical, segment.bytes))) throw new RangeError('disk DMA buffer outside memory');
    this.queue.push(request);
    if (!this.busy) this.startNext();
  }

  get pending(): number {
    return this.queue.length + (this.busy ? 1 : 0);
  }

  private startNext(): void {
    const request = this.queue.shift();
    if (request === undefined) {
      this.busy = false;
      return;
    }
    this.busy = true;
    this.scheduler.after(this.serviceCycles(request), 'disk.complete', () => {
      let offset = request.sector * SECTOR_SIZE;
      for (const { physical, bytes } of segmentsOf(request)) {
        if (request.write) this.image.set(this.memory.bytes.subarray(physical, physical + bytes), offset);
        else this.memory.bytes.set(this.image.subarray(offset, offset + bytes), physical);
        offset += bytes;
      }
      if (request.write) this.writes.value++;
      else this.reads.value++;
      this.nextSequentialSector = request.sector + request.count;
      this.armCylinder = this.geometry.cylinder(request.sector + request.count - 1);
      this.pic.raise(this.irq);
      request.done?.(request);
      this.startNext();
    });
  }
}

/** The DMA list of `request`: its segments, or all its sectors at `physical`. */
function segmentsOf(request: DiskRequest): ReadonlyArray<{ readonly physical: number; readonly bytes: number }> {
  return request.segments ?? [{ physical: request.physical, bytes: request.count * SECTOR_SIZE }];
}
