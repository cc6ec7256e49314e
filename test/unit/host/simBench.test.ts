import * as assert from 'node:assert/strict';
import { bootableLinuxSystems } from '../../../engine/api';
import { listSimWorkloads } from '../../../engine/bench/simWorkloadSet';
import { formatSimBench, runSimBench } from '../../../engine/host/node/simBench';

describe('bench sim (the simulator benchmark)', function () {
  this.timeout(60000);

  it('has the IPC ping-pongs and a getpid loop on every bootable Linux system', () => {
    const ids = listSimWorkloads().map((w) => w.id);
    for (const id of ['machine.cache-lines', 'l4.ipc.large', 'l4.ipc.small']) assert.ok(ids.includes(id), id);
    for (const system of bootableLinuxSystems()) assert.ok(ids.includes(`${system}.getpid`), `${system}.getpid`);
  });

  it('reports throughput, real-time factors and a digest that does not depend on host speed', async () => {
    const options = { runs: 1, scale: 0.02, only: ['l4.ipc.small', 'linux.getpid'], reproductions: [] };
    const first = await runSimBench(options);
    const second = await runSimBench(options);
    assert.deepEqual(first.figures.map((f) => f.id), ['l4.ipc.small', 'linux.getpid']);
    for (const f of first.figures) {
      assert.ok(f.operationsPerHostSecond > 0 && f.realTimeFactor > 0 && f.simulatedSeconds > 0, f.id);
    }
    assert.match(first.digest, /^[0-9a-f]{8}$/);
    assert.equal(first.digest, second.digest);
    assert.ok(first.peakMemoryMB > 0);
    assert.match(formatSimBench(first), /realTimeFactor|real-time factor/);
  });

  it('gives the same digest when each workload is measured elsewhere (the CLI: its own process)', async () => {
    const options = { runs: 1, scale: 0.02, only: ['l4.ipc.small', 'linux.getpid'], reproductions: [] };
    const together = await runSimBench(options);
    const isolated: string[] = [];
    const apart = await runSimBench({
      ...options,
      isolate: async (id) => {
        isolated.push(id);
        const alone = await runSimBench({ ...options, only: [id] });
        return { figure: alone.figures[0], fingerprint: alone.fingerprints[0], peakMemoryMB: alone.peakMemoryMB };
      },
    });
    assert.deepEqual(isolated, ['l4.ipc.small', 'linux.getpid']);
    assert.deepEqual(apart.figures.map((f) => f.id), isolated);
    assert.equal(apart.digest, together.digest);
    assert.deepEqual(apart.fingerprints, together.fingerprints);
  });
});
