import type { Scheduler } from '../base/scheduler';
import type { Counter, StatRegistry } from '../base/stats';
import type { PhysicalMemory } from './physicalMemory';
import type { Pic } from './pic';

export const SECTOR_SIZE = 512;

export interface DiskRequest {
  readonly sector: number;
  readonly count: number;
  readonly write: boolean;
  /** Physical address of the buffer (the controller transfers by bus-master DMA). */
  readonly physical: number;
  readonly done?: (request: DiskRequest) => void;
}

/**
 * An IDE disk on IRQ 14: one request at a time in FIFO order. Service time = seek (average, 0 for
 * a sequential request) + rotational latency (half a turn, 0 for sequential) + transfer. The data
 * move when the request completes, then the IRQ is raised. Contents live in a host buffer that a
 * file-system image can be written into at boot (the disk is the only persistent device).
 */
export class Disk {
  readonly image: Uint8Array;
  private readonly queue: DiskRequest[] = [];
  private busy = false;
  private nextSequentialSector = -1;
  readonly reads: Counter;
  readonly writes: Counter;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly pic: Pic,
    private readonly memory: PhysicalMemory,
    readonly sectors: number,
    private readonly timing: { clockMHz: number; seekMs: number; rpm: number; mbPerSecond: number },
    stats: StatRegistry,
    readonly irq = 14,
  ) {
    this.image = new Uint8Array(sectors * SECTOR_SIZE);
    this.reads = stats.counter('machine.disk.reads', 'requests', 'disk read requests');
    this.writes = stats.counter('machine.disk.writes', 'requests', 'disk write requests');
  }

  /** Cycles the request would take if started now (seek + rotation + transfer). */
  serviceCycles(request: Pick<DiskRequest, 'sector' | 'count'>): number {
    const { clockMHz, seekMs, rpm, mbPerSecond } = this.timing;
    const sequential = request.sector === this.nextSequentialSector;
    const seek = sequential ? 0 : seekMs * 1000 * clockMHz;
    const rotation = sequential ? 0 : (60_000_000 / rpm / 2) * clockMHz;
    const transfer = ((request.count * SECTOR_SIZE) / (mbPerSecond * 1_000_000)) * 1_000_000 * clockMHz;
    return Math.round(seek + rotation + transfer);
  }

  submit(request: DiskRequest): void {
    if (request.count <= 0 || request.sector < 0 || request.sector + request.count > this.sectors) {
      throw new RangeError(`disk request beyond the disk: sectors ${request.sector}+${request.count}`);
    }
    if (!this.memory.contains(request.physical, request.count * SECTOR_SIZE)) throw new RangeError('disk DMA buffer outside memory');
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
      const bytes = request.count * SECTOR_SIZE;
      const offset = request.sector * SECTOR_SIZE;
      if (request.write) {
        this.image.set(this.memory.bytes.subarray(request.physical, request.physical + bytes), offset);
        this.writes.value++;
      } else {
        this.memory.bytes.set(this.image.subarray(offset, offset + bytes), request.physical);
        this.reads.value++;
      }
      this.nextSequentialSector = request.sector + request.count;
      this.pic.raise(this.irq);
      request.done?.(request);
      this.startNext();
    });
  }
}
