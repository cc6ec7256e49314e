// EngineClient against small fake workers (inline scripts), without VS Code and without the engine.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { EngineClient, type EngineError } from '../../../extension/engineClient';

/** A worker whose message handler is `onMessage(request, post)`, in plain JavaScript. */
function fakeWorker(onMessage: string): () => Worker {
  const source = `
    const { parentPort } = require('node:worker_threads');
    const post = message => parentPort.postMessage(message);
    parentPort.on('message', request => (${onMessage})(request, post));
  `;
  return () => new Worker(source, { eval: true });
}

const describeMachine = { type: 'machine.describe' } as const;

describe('EngineClient', () => {
  let client: EngineClient | undefined;
  afterEach(() => client?.dispose());

  it('starts the worker lazily and matches replies to requests by id', async () => {
    let started = 0;
    const create = fakeWorker(`(request, post) => setTimeout(() => post({ id: request.id, type: 'result', value: { clockMHz: request.id, parameters: [] } }), 30 - request.id * 10)`);
    client = new EngineClient(() => (started++, create()));
    assert.equal(client.isRunning, false);
    // Replies arrive in reverse order; each promise still gets its own.
    const [first, second] = await Promise.all([client.request(describeMachine), client.request(describeMachine)]);
    assert.deepEqual([first.clockMHz, second.clockMHz], [1, 2]);
    assert.equal(started, 1);
    assert.equal(client.isRunning, true);
  });

  it('reports progress before the result', async () => {
    client = new EngineClient(fakeWorker(`(request, post) => {
      post({ id: request.id, type: 'progress', message: 'half', fraction: 0.5 });
      post({ id: request.id, type: 'result', value: { clockMHz: 133, parameters: [] } });
    }`));
    const progress: number[] = [];
    const result = await client.request(describeMachine, { onProgress: p => progress.push(p.fraction ?? -1) });
    assert.deepEqual(progress, [0.5]);
    assert.equal(result.clockMHz, 133);
  });

  it('rejects with the error the worker replies', async () => {
    client = new EngineClient(fakeWorker(`(request, post) => post({ id: request.id, type: 'error', message: 'no such machine', stack: 'Error: no such machine\\n    at worker' })`));
    await assert.rejects(client.request(describeMachine), (error: Error) => {
      assert.equal(error.message, 'no such machine');
      assert.match(error.stack ?? '', /at worker/);
      return true;
    });
  });

  it('rejects pending requests when the worker crashes, and restarts it on the next request', async () => {
    let started = 0;
    const crashing = fakeWorker(`() => { throw new Error('boom'); }`);
    const healthy = fakeWorker(`(request, post) => post({ id: request.id, type: 'result', value: { clockMHz: 133, parameters: [] } })`);
    client = new EngineClient(() => (started++ === 0 ? crashing() : healthy()));
    await assert.rejects(client.request(describeMachine), /crashed: boom/);
    assert.equal(client.isRunning, false);
    assert.equal((await client.request(describeMachine)).clockMHz, 133);
    assert.equal(started, 2);
  });

  it('rejects pending requests when the worker exits', async () => {
    client = new EngineClient(fakeWorker(`() => process.exit(3)`));
    await assert.rejects(client.request(describeMachine), /exited \(code 3\)/);
  });

  it('rejects requests in flight and later ones once disposed', async () => {
    client = new EngineClient(fakeWorker(`() => {}`));
    const pending = client.request(describeMachine);
    client.dispose();
    await assert.rejects(pending, /disposed/);
    await assert.rejects(client.request(describeMachine), /disposed/);
  });

  it('cancels a run that does not stop by itself by terminating the worker, then restarts', async () => {
    let started = 0;
    const busy = fakeWorker(`(request, post) => { if (request.type === 'cancel') return; post({ id: request.id, type: 'progress', message: 'spinning' }); for (;;) {} }`);
    const healthy = fakeWorker(`(request, post) => post({ id: request.id, type: 'result', value: { clockMHz: 133, parameters: [] } })`);
    client = new EngineClient(() => (started++ === 0 ? busy() : healthy()), { cancelGraceMs: 50 });
    const abort = new AbortController();
    const running = client.request({ type: 'suite.run', suite: 'lmbench' }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await assert.rejects(running, (error: EngineError) => error.code === 'cancelled');
    assert.equal(client.isRunning, false);
    assert.equal((await client.request(describeMachine)).clockMHz, 133);
  });

  it('lets a cooperative worker end a cancelled request itself', async () => {
    client = new EngineClient(fakeWorker(`(request, post) => {
      if (request.type === 'cancel') post({ id: request.target, type: 'error', message: 'stopped', code: 'cancelled' });
    }`), { cancelGraceMs: 5000 });
    const abort = new AbortController();
    const running = client.request({ type: 'suite.run', suite: 'pipe' }, { signal: abort.signal });
    abort.abort();
    await assert.rejects(running, (error: EngineError) => error.code === 'cancelled' && error.message === 'stopped');
    assert.equal(client.isRunning, true);
  });

  it('treats a request without progress as a hung worker (watchdog)', async () => {
    client = new EngineClient(fakeWorker(`() => { for (;;) {} }`));
    await assert.rejects(client.request({ type: 'suite.run', suite: 'lmbench' }, { idleTimeoutMs: 200 }), (error: EngineError) => {
      assert.equal(error.code, 'hung');
      assert.match(error.message, /stopped responding/);
      return true;
    });
    assert.equal(client.isRunning, false);
  });

  it('passes output events to the request and counts busy requests', async () => {
    client = new EngineClient(fakeWorker(`(request, post) => { post({ id: request.id, type: 'output', text: 'hi\\n' }); post({ id: request.id, type: 'result', value: null }); }`));
    const busy: number[] = [];
    client.onDidChangeBusy(count => busy.push(count));
    const output: string[] = [];
    await client.request({ type: 'boot.start', system: 'l4linux' }, { onOutput: text => output.push(text) });
    assert.deepEqual(output, ['hi\n']);
    assert.deepEqual(busy, [1, 0]);
  });

  it('stopAll terminates the worker and rejects what is running', async () => {
    client = new EngineClient(fakeWorker(`() => {}`));
    const running = client.request({ type: 'suite.run', suite: 'lmbench' });
    await new Promise(resolve => setTimeout(resolve, 50));
    assert.equal(client.stopAll(), 1);
    await assert.rejects(running, (error: EngineError) => error.code === 'cancelled');
  });
});
