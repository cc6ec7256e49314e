// The extension host's side of the engine worker protocol (engine/host/node/workerProtocol.ts).
// The worker starts lazily on the first request; a crash or exit rejects every request in
// flight, and the next request starts a fresh worker. Cancelling a request sends `cancel` and,
// if the request has not ended after a grace period, terminates the worker (engine runs are
// synchronous in the worker, so termination is what reliably stops them). A watchdog treats a
// request that sends nothing (no progress, output or result) for too long as a hung worker.
// The client knows nothing of vscode, so it is unit-tested in plain Node with an injected worker.

import { Worker } from 'node:worker_threads';
import type {
  ErrorReply,
  WorkerReply,
  WorkerRequest,
  WorkerRequestBody,
  WorkerRequestType,
  WorkerResults,
} from '../engine/host/node/workerProtocol';
import type { LabCellOutput } from '../engine/api/labFormat';

export interface EngineProgress {
  message: string;
  /** Fraction done in [0, 1], when the worker knows it. */
  fraction?: number;
}

/** Why a request failed: the worker said so (`failed`, `unavailable`, `cancelled`), or the worker died (`crashed`, `hung`). */
export type EngineErrorCode = NonNullable<ErrorReply['code']> | 'crashed' | 'hung' | 'disposed';

export class EngineError extends Error {
  override name = 'EngineError';
  constructor(message: string, readonly code: EngineErrorCode, stack?: string) {
    super(message);
    if (stack) this.stack = stack;
  }
}

export interface EngineRequestOptions {
  onProgress?: (progress: EngineProgress) => void;
  /** Console text of a boot session or a custom server. */
  onOutput?: (text: string) => void;
  /** Each output of a running notebook cell (`lab.cell`), as the cell displays it. */
  onCellOutput?: (output: LabCellOutput) => void;
  /** Aborting cancels the request (see the file comment). */
  signal?: AbortSignal;
  /** Called with the id the request was given (to address a boot session). */
  onId?: (id: number) => void;
  /** Watchdog: milliseconds without any reply before the worker counts as hung; 0 = none. */
  idleTimeoutMs?: number;
}

export interface EngineClientOptions {
  /** How long a cancelled request may take to end by itself before the worker is terminated. */
  cancelGraceMs?: number;
  /** Default watchdog for every request; 0 = none. */
  idleTimeoutMs?: number;
}

interface PendingRequest {
  type: WorkerRequestType;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  options: EngineRequestOptions;
  lastHeard: number;
  idleTimeoutMs: number;
  cleanup: () => void;
}

export class EngineClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private disposed = false;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly cancelGraceMs: number;
  private readonly idleTimeoutMs: number;
  private readonly runListeners = new Set<(running: number) => void>();

  /** @param createWorker starts a worker that speaks the worker protocol (called lazily, again after a crash). */
  constructor(private readonly createWorker: () => Worker, options: EngineClientOptions = {}) {
    this.cancelGraceMs = options.cancelGraceMs ?? 500;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
  }

  /** A client for the bundled worker script (dist/worker.js). */
  static forScript(workerScriptPath: string, options: EngineClientOptions = {}): EngineClient {
    return new EngineClient(() => new Worker(workerScriptPath, { name: 'l4lab-engine' }), options);
  }

  /** Whether a worker is running now (it starts on the first request). */
  get isRunning(): boolean {
    return this.worker !== undefined;
  }

  /** Requests in flight, not counting quick control messages (cancel, console input). */
  get busy(): number {
    return [...this.pending.values()].filter(request => !CONTROL.has(request.type)).length;
  }

  /** Fires with {@link busy} whenever a request starts or ends. */
  onDidChangeBusy(listener: (running: number) => void): { dispose(): void } {
    this.runListeners.add(listener);
    return { dispose: () => this.runListeners.delete(listener) };
  }

  request<T extends WorkerRequestType>(
    body: Extract<WorkerRequestBody, { type: T }>,
    options: EngineRequestOptions = {},
  ): Promise<WorkerResults[T]> {
    if (this.disposed) {
      return Promise.reject(new EngineError('the L4 Lab engine client is disposed', 'disposed'));
    }
    if (options.signal?.aborted) {
      return Promise.reject(new EngineError('cancelled', 'cancelled'));
    }
    return new Promise<WorkerResults[T]>((resolve, reject) => {
      const worker = this.ensureWorker();
      const id = this.nextId++;
      const request = { ...body, id } as WorkerRequest;
      const onAbort = () => this.cancel(id);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        type: body.type,
        resolve: resolve as (value: unknown) => void,
        reject,
        options,
        lastHeard: Date.now(),
        idleTimeoutMs: options.idleTimeoutMs ?? this.idleTimeoutMs,
        cleanup: () => options.signal?.removeEventListener('abort', onAbort),
      });
      options.onId?.(id);
      worker.ref();
      this.startWatchdog();
      this.fireBusy();
      try {
        worker.postMessage(request);
      } catch (error) {
        this.settle(id)?.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /**
   * Cancels request `id`: asks the worker to stop it, and terminates the worker if the request
   * is still running after the grace period. The request rejects with code `cancelled`.
   */
  cancel(id: number): void {
    const pending = this.pending.get(id);
    const worker = this.worker;
    if (!pending || !worker) {
      return;
    }
    try {
      worker.postMessage({ id: this.nextId++, type: 'cancel', target: id } satisfies WorkerRequest);
    } catch {
      // the worker is going away anyway
    }
    setTimeout(() => {
      if (this.pending.has(id) && this.worker === worker) {
        this.terminate(worker, new EngineError('cancelled: the engine worker was stopped', 'cancelled'));
      }
    }, this.cancelGraceMs).unref();
  }

  /** Stops everything the worker is doing now ("Stop the running simulation"); returns how many requests were stopped. */
  stopAll(): number {
    const count = this.busy;
    if (this.worker) {
      this.terminate(this.worker, new EngineError('cancelled: the simulation was stopped', 'cancelled'));
    }
    return count;
  }

  /** Stops the worker and rejects every request in flight. */
  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.rejectAll(new EngineError('the L4 Lab engine client was disposed', 'disposed'));
    void worker?.terminate();
    this.runListeners.clear();
  }

  private ensureWorker(): Worker {
    if (this.worker) {
      return this.worker;
    }
    const worker = this.createWorker();
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    // 'error' is an uncaught exception in the worker; 'exit' follows it. The first one wins.
    worker.on('error', (error: Error) => this.onWorkerGone(worker, new EngineError(`the L4 Lab engine worker crashed: ${error.message}`, 'crashed')));
    worker.on('exit', (code: number) => this.onWorkerGone(worker, new EngineError(`the L4 Lab engine worker exited (code ${code})`, 'crashed')));
    worker.on('messageerror', (error: Error) => this.onWorkerGone(worker, new EngineError(`unreadable message from the L4 Lab engine worker: ${error.message}`, 'crashed')));
    this.worker = worker;
    return worker;
  }

  private onReply(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) {
      return; // a late reply to a request that was already rejected, or to a cancel
    }
    pending.lastHeard = Date.now();
    switch (reply.type) {
      case 'progress':
        pending.options.onProgress?.({ message: reply.message, fraction: reply.fraction });
        return;
      case 'output':
        pending.options.onOutput?.(reply.text);
        return;
      case 'cellOutput':
        pending.options.onCellOutput?.(reply.output);
        return;
      case 'result':
        this.settle(reply.id)?.resolve(reply.value);
        return;
      case 'error':
        this.settle(reply.id)?.reject(new EngineError(reply.message, reply.code ?? 'failed', reply.stack));
        return;
    }
  }

  private onWorkerGone(worker: Worker, error: Error): void {
    if (this.worker !== worker) {
      return; // already replaced or disposed
    }
    this.terminate(worker, error);
  }

  private terminate(worker: Worker, error: Error): void {
    if (this.worker === worker) {
      this.worker = undefined;
    }
    void worker.terminate();
    this.rejectAll(error);
  }

  /** Every second: a request silent for longer than its idle timeout means the worker hangs. */
  private startWatchdog(): void {
    if (this.watchdog) {
      return;
    }
    this.watchdog = setInterval(() => {
      const now = Date.now();
      for (const request of this.pending.values()) {
        if (request.idleTimeoutMs > 0 && now - request.lastHeard > request.idleTimeoutMs && this.worker) {
          const seconds = Math.round(request.idleTimeoutMs / 1000);
          this.terminate(this.worker, new EngineError(`the L4 Lab engine worker stopped responding (no progress for ${seconds} s during ${request.type}); it was restarted`, 'hung'));
          return;
        }
      }
    }, 1000);
    this.watchdog.unref();
  }

  /** Forgets a finished request; an idle worker must not keep the host process alive. */
  private settle(id: number): PendingRequest | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    pending?.cleanup();
    if (this.pending.size === 0) {
      this.worker?.unref();
      clearInterval(this.watchdog);
      this.watchdog = undefined;
    }
    if (pending && !CONTROL.has(pending.type)) this.fireBusy();
    return pending;
  }

  private rejectAll(error: Error): void {
    const pending = [...this.pending.keys()];
    for (const id of pending) {
      this.settle(id)?.reject(error);
    }
  }

  private fireBusy(): void {
    const busy = this.busy;
    for (const listener of this.runListeners) listener(busy);
  }
}

const CONTROL: ReadonlySet<WorkerRequestType> = new Set(['cancel', 'boot.input', 'boot.interrupt', 'boot.stop']);
