// The extension host's side of the engine worker protocol (engine/host/node/workerProtocol.ts).
// The worker starts lazily on the first request; a crash or exit rejects every request in
// flight, and the next request starts a fresh worker. The client knows nothing of vscode,
// so it is unit-tested in plain Node with an injected worker.

import { Worker } from 'node:worker_threads';
import type {
  WorkerReply,
  WorkerRequest,
  WorkerRequestBody,
  WorkerRequestType,
  WorkerResults,
} from '../engine/host/node/workerProtocol';

export interface EngineProgress {
  message: string;
  /** Fraction done in [0, 1], when the worker knows it. */
  fraction?: number;
}

export interface EngineRequestOptions {
  onProgress?: (progress: EngineProgress) => void;
}

interface PendingRequest {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: EngineProgress) => void;
}

export class EngineClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private disposed = false;

  /** @param createWorker starts a worker that speaks the worker protocol (called lazily, again after a crash). */
  constructor(private readonly createWorker: () => Worker) {}

  /** A client for the bundled worker script (dist/worker.js). */
  static forScript(workerScriptPath: string): EngineClient {
    return new EngineClient(() => new Worker(workerScriptPath, { name: 'l4lab-engine' }));
  }

  /** Whether a worker is running now (it starts on the first request). */
  get isRunning(): boolean {
    return this.worker !== undefined;
  }

  request<T extends WorkerRequestType>(
    body: Extract<WorkerRequestBody, { type: T }>,
    options: EngineRequestOptions = {},
  ): Promise<WorkerResults[T]> {
    if (this.disposed) {
      return Promise.reject(new Error('the L4 Lab engine client is disposed'));
    }
    return new Promise<WorkerResults[T]>((resolve, reject) => {
      const worker = this.ensureWorker();
      const id = this.nextId++;
      const request = { ...body, id } as WorkerRequest;
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress: options.onProgress });
      worker.ref();
      try {
        worker.postMessage(request);
      } catch (error) {
        this.settle(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Stops the worker and rejects every request in flight. */
  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.rejectAll(new Error('the L4 Lab engine client was disposed'));
    void worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) {
      return this.worker;
    }
    const worker = this.createWorker();
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    // 'error' is an uncaught exception in the worker; 'exit' follows it. The first one wins.
    worker.on('error', (error: Error) => this.onWorkerGone(worker, new Error(`the L4 Lab engine worker crashed: ${error.message}`)));
    worker.on('exit', (code: number) => this.onWorkerGone(worker, new Error(`the L4 Lab engine worker exited (code ${code})`)));
    worker.on('messageerror', (error: Error) => this.onWorkerGone(worker, new Error(`unreadable message from the L4 Lab engine worker: ${error.message}`)));
    this.worker = worker;
    return worker;
  }

  private onReply(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) {
      return; // a late reply to a request that was already rejected
    }
    switch (reply.type) {
      case 'progress':
        pending.onProgress?.({ message: reply.message, fraction: reply.fraction });
        return;
      case 'result':
        this.settle(reply.id);
        pending.resolve(reply.value);
        return;
      case 'error': {
        this.settle(reply.id);
        const error = new Error(reply.message);
        if (reply.stack) {
          error.stack = reply.stack;
        }
        pending.reject(error);
        return;
      }
    }
  }

  private onWorkerGone(worker: Worker, error: Error): void {
    if (this.worker !== worker) {
      return; // already replaced or disposed
    }
    this.worker = undefined;
    void worker.terminate();
    this.rejectAll(error);
  }

  /** Forgets a finished request; an idle worker must not keep the host process alive. */
  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) {
      this.worker?.unref();
    }
  }

  private rejectAll(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const request of pending) {
      request.reject(error);
    }
  }
}
