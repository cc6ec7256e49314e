/**
 * `l4lab reproduce` over worker threads (issue 10): the jobs of a reproduction (one suite on one
 * system, each on a freshly booted machine) are independent, so they are spread over a pool of
 * workers and their records are put back in job order. The result is identical to the
 * sequential `reproduce()` of the engine (test/unit/host/parallelReproduce.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { assembleReproduction, reproduce, reproductionPlan, type Reproduction, type ReproductionJob, type ReproductionOptions, type ResultRecord } from '../../api';
import type { JobSettings, ReproduceReply, ReproduceRequest } from './reproduceProtocol';

export interface ParallelReproductionOptions extends ReproductionOptions {
  /** Worker threads (default: the host's available parallelism); 1 runs in this thread. */
  readonly workers?: number;
}

/** The worker script: the bundle next to this one, or the TypeScript source under tsx (tests). */
function workerEntry(): { file: string; execArgv: string[] } {
  const bundled = path.join(__dirname, 'reproduceWorker.js');
  if (fs.existsSync(bundled)) return { file: bundled, execArgv: [] };
  return { file: path.join(__dirname, 'reproduceWorker.ts'), execArgv: ['--require', 'tsx/cjs'] };
}

/** Default pool size: one worker per core the host offers. */
export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism());
}

/** Runs a reproduction with its jobs spread over worker threads; see {@link ParallelReproductionOptions}. */
export async function reproduceInParallel(options: ParallelReproductionOptions = {}): Promise<Reproduction> {
  const { jobs, missing } = reproductionPlan(options);
  const workers = Math.min(options.workers ?? defaultWorkerCount(), jobs.length);
  if (workers <= 1) return reproduce(options);
  const settings: JobSettings = { mode: options.mode ?? 'quick', machine: options.machine, kernels: options.kernels };
  const results = await runReproductionJobs(jobs, settings, workers, options);
  return assembleReproduction(options, results.flat(), missing);
}

/** Runs `jobs` on `count` workers; resolves with each job's records, indexed like `jobs`. */
export function runReproductionJobs(jobs: readonly ReproductionJob[], settings: JobSettings, count: number, options: ReproductionOptions): Promise<ResultRecord[][]> {
  const entry = workerEntry();
  const results: ResultRecord[][] = new Array(jobs.length);
  const pool: Worker[] = [];
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const worker of pool) void worker.terminate();
      if (error) reject(error);
      else resolve(results);
    };
    const dispatch = (worker: Worker) => {
      if (options.cancelled?.() === true || next >= jobs.length) {
        if (done === next || options.cancelled?.() === true) finish();
        return;
      }
      const id = next++;
      const request: ReproduceRequest = { type: 'run', id, job: jobs[id], settings };
      worker.postMessage(request);
    };
    for (let i = 0; i < count; i++) {
      const worker = new Worker(entry.file, { execArgv: entry.execArgv });
      pool.push(worker);
      worker.on('message', (reply: ReproduceReply) => {
        const job = jobs[reply.id];
        if (reply.type === 'progress') {
          options.progress?.(job.suite, reply.fraction, reply.label);
        } else if (reply.type === 'records') {
          results[reply.id] = reply.records;
          done++;
          dispatch(worker);
        } else {
          // a refused configuration stays a RangeError, which hosts report as a usage error without a stack
          const error = reply.configuration === true ? new RangeError(`${job.suite} on ${job.system}: ${reply.message}`) : new Error(`${job.suite} on ${job.system}: ${reply.message}`);
          if (reply.stack !== undefined && reply.configuration !== true) error.stack = reply.stack;
          finish(error);
        }
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!settled) finish(new Error(`reproduction worker exited with code ${code}`));
      });
      dispatch(worker);
    }
  });
}
