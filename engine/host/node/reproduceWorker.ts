// Entry of a reproduction worker thread (bundled to dist/reproduceWorker.js): runs the jobs that
// parallelReproduce.ts sends, one at a time, through engine/api, and posts their records back.

import { parentPort } from 'node:worker_threads';
import { runReproductionJob } from '../../api';
import type { ReproduceReply, ReproduceRequest } from './reproduceProtocol';

const port = parentPort;
if (port === null) throw new Error('reproduceWorker.ts must run in a worker thread');

function reply(message: ReproduceReply): void {
  port?.postMessage(message);
}

port.on('message', (request: ReproduceRequest) => {
  const { id, job, settings } = request;
  try {
    const records = runReproductionJob(job, settings, (fraction, label) => reply({ type: 'progress', id, fraction, label }));
    reply({ type: 'records', id, records });
  } catch (error) {
    reply({ type: 'error', id, message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined, configuration: error instanceof RangeError });
  }
});
