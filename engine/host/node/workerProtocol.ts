// The one protocol between the extension host and the engine worker (DESIGN.md §1, STYLE.md 2).
// Every message is a plain, structured-clonable object with a `type` discriminant; a request
// carries an `id` that the worker echoes in every reply (progress, then one result or error).
// Types only: importing this module never loads the engine.

import type { MachineDescription } from '../../api';

/** What each request type answers with, keyed by request `type`. */
export interface WorkerResults {
  'machine.describe': MachineDescription;
}

export type WorkerRequestType = keyof WorkerResults;

/** Describe the simulated machine: clock and every named parameter with unit and source. */
export interface MachineDescribeRequest {
  id: number;
  type: 'machine.describe';
}

/** Extension → worker. */
export type WorkerRequest = MachineDescribeRequest;

/** A request before the client assigns its id. */
export type WorkerRequestBody = WorkerRequest extends unknown ? Omit<WorkerRequest, 'id'> : never;

/** The request completed; `value` is `WorkerResults[request.type]`. */
export interface ResultReply {
  id: number;
  type: 'result';
  value: WorkerResults[WorkerRequestType];
}

/** The request failed inside the worker. */
export interface ErrorReply {
  id: number;
  type: 'error';
  message: string;
  stack?: string;
}

/** Reserved: intermediate progress of a long request (a benchmark run); zero or more before the result. */
export interface ProgressReply {
  id: number;
  type: 'progress';
  message: string;
  /** Fraction done in [0, 1], when known. */
  fraction?: number;
}

/** Worker → extension. */
export type WorkerReply = ResultReply | ErrorReply | ProgressReply;
