import assert from 'node:assert/strict';
import { DiskGeometry } from '../../../engine/machine/diskGeometry';
import { pentiumParameters } from '../../../engine/machine/pentiumParameters';

const p = pentiumParameters().values;
const geometry = new DiskGeometry({ clockMHz: p.clockMHz, seekMs: p.diskSeekMs, seekTrackMs: p.diskSeekTrackMs, seekFullMs: p.diskSeekFullMs, rpm: p.diskRpm, mbPerSecond: p.diskMBps, heads: p.diskHeads, cylinders: p.diskCylinders });
const ms = (cycles: number): number => cycles / (p.clockMHz * 1000);

describe('disk geometry (seek by distance, rotational position)', () => {
  it('gives the data sheet its track-to-track, average and full-stroke seeks', () => {
    assert.equal(geometry.seekCycles(7, 7), 0);
    assert.ok(Math.abs(ms(geometry.seekCycles(7, 8)) - p.diskSeekTrackMs) < 1e-9);
    assert.ok(Math.abs(ms(geometry.seekCycles(0, p.diskCylinders - 1)) - p.diskSeekFullMs) < 1e-6);
    let weight = 0;
    let sum = 0;
    for (let d = 1; d < p.diskCylinders; d++) {
      weight += p.diskCylinders - d;
      sum += (p.diskCylinders - d) * ms(geometry.seekCycles(0, d));
    }
    assert.ok(Math.abs(sum / weight - p.diskSeekMs) < 1e-6);
  });

  it('grows with distance, steeply for short seeks', () => {
    const times = [1, 2, 10, 100, 1000, p.diskCylinders - 1].map((d) => geometry.seekCycles(0, d));
    times.slice(1).forEach((time, i) => assert.ok(time > times[i]));
    assert.ok(geometry.seekCycles(0, 10) - geometry.seekCycles(0, 1) > (geometry.seekCycles(0, 1000) - geometry.seekCycles(0, 991)) * 5);
  });

  it('waits for the sector to come round: less than a turn, nothing when it is under the head', () => {
    const spt = geometry.sectorsPerTrack;
    assert.equal(geometry.rotationalWait(0, 0), 0);
    assert.equal(geometry.rotationalWait(0, spt), 0, 'sector 0 of the next track is at the same angle');
    const quarter = geometry.rotationCycles / 4;
    assert.ok(Math.abs(geometry.rotationalWait(quarter, 0) - 3 * quarter) < 1e-6);
    for (let sector = 0; sector < spt; sector += 7) assert.ok(geometry.rotationalWait(12345, sector) < geometry.rotationCycles);
    assert.equal(geometry.cylinder(spt * p.diskHeads - 1), 0);
    assert.equal(geometry.cylinder(spt * p.diskHeads), 1);
  });
});
