/**
 * The boundary between a parallel reproduction (parallelReproduce.ts) and its worker threads
 * (reproduceWorker.ts): the host sends one job at a time; the worker answers with progress and
 * then the job's records or an error.
 */
import type { ReproductionJob, ResultRecord } from '../../api';
import type { KernelOverrides, MachineOverrides } from '../../api';

/** What every job of one reproduction shares. */
export interface JobSettings {
  readonly mode: 'quick' | 'full';
  readonly machine?: MachineOverrides;
  readonly kernels?: KernelOverrides;
}

export interface RunJobRequest {
  readonly type: 'run';
  readonly id: number;
  readonly job: ReproductionJob;
  readonly settings: JobSettings;
}

export type ReproduceRequest = RunJobRequest;

export interface JobProgressReply {
  readonly type: 'progress';
  readonly id: number;
  readonly fraction: number;
  readonly label: string;
}

export interface JobRecordsReply {
  readonly type: 'records';
  readonly id: number;
  readonly records: ResultRecord[];
}

export interface JobErrorReply {
  readonly type: 'error';
  readonly id: number;
  readonly message: string;
  readonly stack?: string;
  /** The job's configuration was refused (a RangeError: a machine too small for the system), not a failed run. */
  readonly configuration?: boolean;
}

export type ReproduceReply = JobProgressReply | JobRecordsReply | JobErrorReply;
