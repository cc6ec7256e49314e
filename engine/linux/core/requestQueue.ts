import type { Disk } from '../../machine/disk';
import { SECTOR_SIZE } from '../../machine/disk';
import type { LinuxKernel } from './kernel';

/** NR_REQUEST of Linux 2.0 (include/linux/blkdev.h): the request slots shared by all block devices. */
export const NR_REQUEST = 64;
/** make_request: writes may take only the first two thirds of the slots; the last third is for reads. */
const WRITE_REQUESTS = Math.floor((NR_REQUEST * 2) / 3);
/** make_request: a buffer is merged only into a request of fewer sectors than this. */
const MERGE_LIMIT = 244;
/** req->cmd: READ 0, WRITE 1; the plug's cmd is -1, before every real request in IN_ORDER. */
const PLUG_CMD = -1;

/** One buffer to read or write (a buffer_head on a request's b_reqnext chain). */
export interface BlockBuffer {
  readonly sector: number;
  readonly sectors: number;
  readonly physical: number;
  /** Runs when the controller has moved the buffer's data (before the interrupt is taken). */
  readonly done: () => void;
}

/** A request: a run of contiguous sectors in one direction, made of one or more buffers. */
interface Request {
  readonly cmd: number;
  sector: number;
  sectors: number;
  readonly buffers: BlockBuffer[];
}

/**
 * The request queue of the IDE disk, as drivers/block/ll_rw_blk.c of Linux 2.0 keeps it
 * (blk_dev[IDE0_MAJOR].current_request): `list[0]` is the request the drive is executing, or the
 * plug, and the rest wait in IN_ORDER (reads before writes, then by sector; add_request inserts
 * a new request where it keeps a one-way ascending sweep). make_request, per buffer, first tries
 * to add the buffer to the end or the front of a waiting request it is contiguous with (never the
 * first entry, which the drive may be executing); otherwise it takes a free request slot (writes
 * only the first two thirds) or, if there is none, the caller waits for one (__get_request_wait:
 * here the buffer waits in `blocked`, in order, and is queued when an interrupt frees a slot). An
 * empty queue is plugged, so that a batch of buffers is queued and sorted before the drive starts;
 * run_task_queue(&tq_disk) (wait_on_buffer, bdflush) pulls the plug. The driver (ide.c) starts
 * the first request, and each disk interrupt ends it and starts the next.
 */
export class RequestQueue {
  private readonly list: Request[] = [];
  private readonly blocked: Array<{ write: boolean; buffer: BlockBuffer }> = [];
  private slots = 0;
  private executing = false;
  private finished = false;

  constructor(private readonly kernel: LinuxKernel, private readonly disk: Disk) {}

  /** Requests queued or executing (ps-style statistics, tests). */
  get length(): number {
    return this.list.filter((request) => request.cmd !== PLUG_CMD).length + this.blocked.length;
  }

  /** ll_rw_block's make_request for one buffer (charged to the caller). */
  submit(write: boolean, buffer: BlockBuffer): void {
    this.kernel.run(write ? 'makeRequestWrite' : 'makeRequest');
    if (write && this.blocked.length > 0) this.blocked.push({ write, buffer }); // the writer is still waiting for a slot
    else this.enqueue(write, buffer);
  }

  /** run_task_queue(&tq_disk): unplug_device starts the drive on the first queued request. */
  unplug(): void {
    if (this.list[0]?.cmd !== PLUG_CMD) return;
    this.list.shift();
    if (this.list.length > 0) this.start();
  }

  /**
   * The disk interrupt's end of the executing request (end_request for its buffers, whose data
   * have arrived): its slot is free again, a writer waiting for a slot gets it, and the driver
   * starts the next request.
   */
  interrupt(): void {
    if (!this.finished) return;
    this.finished = false;
    this.executing = false;
    this.kernel.run('endBuffer', this.list.shift()!.buffers.length);
    this.slots--;
    while (this.blocked.length > 0 && this.slots < (this.blocked[0].write ? WRITE_REQUESTS : NR_REQUEST)) {
      const { write, buffer } = this.blocked.shift()!;
      this.enqueue(write, buffer);
    }
    if (this.list.length > 0 && this.list[0].cmd !== PLUG_CMD) this.start();
  }

  /** make_request after its checks: merge, or a new request in elevator order, or wait for a slot. */
  private enqueue(write: boolean, buffer: BlockBuffer): void {
    const k = this.kernel;
    const cmd = write ? 1 : 0;
    if (this.list.length === 0) this.list.push({ cmd: PLUG_CMD, sector: 0, sectors: 0, buffers: [] }); // plug_device
    for (let i = 1; i < this.list.length; i++) {
      const request = this.list[i];
      k.run('mergeScan');
      if (request.cmd !== cmd || request.sectors >= MERGE_LIMIT) continue;
      if (request.sector + request.sectors === buffer.sector) request.buffers.push(buffer);
      else if (request.sector - buffer.sectors === buffer.sector) {
        request.buffers.unshift(buffer);
        request.sector = buffer.sector;
      } else continue;
      request.sectors += buffer.sectors;
      return;
    }
    if (this.slots >= (write ? WRITE_REQUESTS : NR_REQUEST)) {
      this.blocked.push({ write, buffer });
      return;
    }
    this.slots++;
    k.run('addRequest');
    const request: Request = { cmd, sector: buffer.sector, sectors: buffer.sectors, buffers: [buffer] };
    let at = 0;
    for (; at + 1 < this.list.length; at++) {
      k.run('elevatorScan');
      const here = this.list[at];
      const next = this.list[at + 1];
      if ((inOrder(here, request) || !inOrder(here, next)) && inOrder(request, next)) break;
    }
    this.list.splice(at + 1, 0, request);
  }

  /** The driver's do_request: program the controller for `list[0]` (bus-master DMA over its buffers). */
  private start(): void {
    const k = this.kernel;
    const request = this.list[0];
    if (this.executing) return;
    this.executing = true;
    k.run('ideRequest');
    k.cpu.charge(k.p.ideRequestIo * k.cpu.p.isaIoAccess, k.deviceCategory);
    this.disk.submit({
      sector: request.sector,
      count: request.sectors,
      write: request.cmd === 1,
      physical: request.buffers[0].physical,
      segments: request.buffers.map((buffer) => ({ physical: buffer.physical, bytes: buffer.sectors * SECTOR_SIZE })),
      done: () => {
        this.finished = true;
        for (const buffer of request.buffers) buffer.done();
      },
    });
  }
}

/** IN_ORDER of include/linux/blk.h (one device): by cmd, then by sector. */
function inOrder(a: Request, b: Request): boolean {
  return a.cmd < b.cmd || (a.cmd === b.cmd && a.sector < b.sector);
}
