import * as assert from 'node:assert/strict';
import { runReproductionJob, type ReproductionJob } from '../../../engine/api';
import { runReproductionJobs } from '../../../engine/host/node/parallelReproduce';

describe('parallel reproduction', function () {
  this.timeout(60000);

  it('gives the records of a sequential run, in job order, whatever worker ran each job', async () => {
    const jobs: ReproductionJob[] = [
      { suite: 'pipe', system: 'l4' },
      { suite: 'getpid', system: 'linux' },
      { suite: 'ipc', system: 'l4' },
    ];
    const settings = { mode: 'quick' as const };
    const labels: string[] = [];
    const parallel = await runReproductionJobs(jobs, settings, 2, { progress: (suite) => labels.push(suite) });
    const sequential = jobs.map((job) => runReproductionJob(job, settings));
    assert.equal(JSON.stringify(parallel), JSON.stringify(sequential));
    assert.ok(labels.includes('getpid'), 'progress comes back from the workers');
  });

  it('reports a job that fails with its suite and system', async () => {
    await assert.rejects(runReproductionJobs([{ suite: 'no-such-suite', system: 'l4' }], { mode: 'quick' }, 1, {}), /no-such-suite on l4: unknown suite/);
  });
});
