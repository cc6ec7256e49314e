import assert from 'node:assert/strict';
import type { Disk, DiskRequest } from '../../../engine/machine/disk';
import type { LinuxKernel } from '../../../engine/linux/core/kernel';
import { NR_REQUEST, RequestQueue } from '../../../engine/linux/core/requestQueue';

/** A queue over a recording disk and a kernel that only counts the paths run. */
function queue(): { requests: RequestQueue; started: DiskRequest[]; paths: Map<string, number> } {
  const started: DiskRequest[] = [];
  const paths = new Map<string, number>();
  const kernel = {
    run: (name: string, count = 1) => paths.set(name, (paths.get(name) ?? 0) + count),
    cpu: { charge: () => undefined, p: { isaIoAccess: 1 } },
    p: { ideRequestIo: 7 },
    deviceCategory: 0,
  } as unknown as LinuxKernel;
  const disk = { submit: (request: DiskRequest) => started.push(request) } as unknown as Disk;
  return { requests: new RequestQueue(kernel, disk), started, paths };
}

/** A 1 KB buffer at disk block `block` (its DMA address 0x1000 per block). */
const buffer = (block: number, done = (): void => undefined) => ({ sector: block * 2, sectors: 2, physical: 0x100000 + block * 0x1000, done });

/** Completes the executing request and takes its interrupt. */
function complete(started: DiskRequest[], requests: RequestQueue): void {
  started[started.length - 1].done?.(started[started.length - 1]);
  requests.interrupt();
}

describe('the disk request queue (ll_rw_blk.c of Linux 2.0)', () => {
  it('plugs an empty queue, merges contiguous buffers and starts when unplugged', () => {
    const { requests, started, paths } = queue();
    for (const block of [10, 11, 9, 12]) requests.submit(false, buffer(block));
    assert.equal(started.length, 0, 'plugged until run_task_queue(&tq_disk)');
    requests.unplug();
    assert.equal(started.length, 1);
    assert.deepEqual([started[0].sector, started[0].count], [18, 8], 'blocks 9-12 in one request (front and back merges)');
    assert.deepEqual(started[0].segments?.map((s) => s.physical), [9, 10, 11, 12].map((b) => 0x100000 + b * 0x1000));
    assert.equal(paths.get('makeRequest'), 4);
    assert.equal(paths.get('addRequest'), 1);
  });

  it('inserts by IN_ORDER after the executing request (never merged into), reads ahead of the writes behind the sweep\'s turn', () => {
    const { requests, started } = queue();
    requests.submit(true, buffer(50));
    requests.unplug();
    for (const [write, block] of [[true, 51], [true, 20], [false, 70], [false, 30], [true, 90]] as const) requests.submit(write, buffer(block));
    const order: number[] = [started[0].sector / 2];
    while (requests.length > 1) {
      complete(started, requests);
      order.push(started[started.length - 1].sector / 2);
    }
    // 51 is not merged into the executing 50 and sorts right after it; the reads go in where the
    // ascending writes turn (51 → 20), in sector order; 90 goes after the last write below it
    assert.deepEqual(order, [50, 51, 30, 70, 20, 90]);
  });

  it('keeps the last third of the request slots for reads; a writer waits for a free slot', () => {
    const { requests, started } = queue();
    const writes = Math.floor((NR_REQUEST * 2) / 3);
    for (let i = 0; i < writes + 5; i++) requests.submit(true, buffer(i * 10));
    requests.submit(false, buffer(5000));
    assert.equal(requests.length, writes + 6);
    requests.unplug();
    assert.equal(started[0].write, false, 'the read got a slot and sorts first');
    let done = 0;
    while (started.length > done) {
      done = started.length;
      complete(started, requests);
    }
    assert.equal(started.length, writes + 6);
    assert.equal(requests.length, 0);
  });

  it('runs every buffer\'s completion when its request is done', () => {
    const { requests, started } = queue();
    const finished: number[] = [];
    for (const block of [1, 2, 3]) requests.submit(false, buffer(block, () => finished.push(block)));
    requests.unplug();
    complete(started, requests);
    assert.deepEqual(finished, [1, 2, 3]);
    assert.equal(requests.length, 0);
  });
});
