// The real engine worker (engine/host/node/worker.ts, run through tsx) behind EngineClient, in
// plain Node: the protocol end to end, without VS Code.
import assert from 'node:assert/strict';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngineClient, type EngineError } from '../../../extension/engineClient';

const workerScript = path.join(__dirname, '..', '..', '..', 'engine', 'host', 'node', 'worker.ts');
const until = async (probe: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!probe() && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50));
  return probe();
};

describe('engine worker', function () {
  this.timeout(60000);
  let client: EngineClient;
  before(() => {
    client = new EngineClient(() => new Worker(workerScript, { execArgv: ['--require', 'tsx/cjs'] }), { cancelGraceMs: 200 });
  });
  after(() => client.dispose());

  it('describes what the engine can do', async () => {
    const info = await client.request({ type: 'engine.info' });
    assert.ok(info.systems.includes('l4linux'));
    assert.ok(info.bootable.includes('linux'), 'the terminal offers the systems the engine registers as bootable');
    assert.ok(info.bootable.every(system => info.systems.includes(system as never)));
    assert.equal(info.categoryLabels.tlbRefill, 'TLB refill');
    for (const suite of info.suites) assert.ok(suite.systems.length > 0, suite.id);
  });

  it('says a suite that is not built is unavailable, naming the ones that are', async () => {
    await assert.rejects(client.request({ type: 'suite.run', suite: 'no-such-suite' }), (error: EngineError) => {
      assert.equal(error.code, 'unavailable');
      assert.match(error.message, /the suite 'no-such-suite' is not built yet \(available: /);
      return true;
    });
  });

  it('runs a built suite with progress, or skips when none is built', async function () {
    const info = await client.request({ type: 'engine.info' });
    const suite = info.suites.find(entry => entry.id === 'getpid') ?? info.suites[0];
    if (!suite) this.skip();
    const progress: string[] = [];
    const report = await client.request({ type: 'suite.run', suite: suite.id, systems: [suite.systems[0]], mode: 'quick' }, { onProgress: p => progress.push(p.message) });
    assert.ok(report.results.length > 0);
    assert.ok(progress.length > 0, 'no progress events');
  });

  it('passes the small-spaces what-if through to the L4Linux suites', async () => {
    const run = (smallSpaces: boolean | undefined) => client.request({ type: 'suite.run', suite: 'getpid', systems: ['l4linux'], mode: 'quick', smallSpaces });
    const [paper, off] = [await run(undefined), await run(false)];
    assert.doesNotMatch(paper.machine, /small spaces off/);
    assert.match(off.machine, /L4 small spaces off \(what-if\)/);
    const cycles = (report: typeof paper) => report.results.find(record => record.benchmark === 'getpid.cycles')!.value;
    assert.ok(cycles(off) > cycles(paper) * 1.2, `getpid without small spaces ${cycles(off)} vs ${cycles(paper)} cycles`);
  });

  it('boots a system, runs `echo hi` at its shell and shuts it down; an unbootable one is unavailable', async function () {
    let output = '';
    let session = 0;
    const done = client.request({ type: 'boot.start', system: 'linux' }, { onId: id => (session = id), onOutput: text => (output += text) });
    done.catch(() => undefined);
    if (!(await until(() => /# $/.test(output), 20000))) {
      const failure = await done.then(() => null, (error: EngineError) => error);
      if (failure?.code === 'unavailable') this.skip();
      assert.fail(`no shell prompt: ${JSON.stringify(output)}`);
    }
    await client.request({ type: 'boot.input', session, data: 'echo hi\r' });
    assert.ok(await until(() => /echo hi\n(.*\n)*hi\n/.test(output), 20000), JSON.stringify(output));
    await client.request({ type: 'boot.stop', session });
    const { exitCode } = await done;
    assert.equal(typeof exitCode, 'number');
    const info = await client.request({ type: 'engine.info' });
    const unbootable = info.systems.find(system => !info.bootable.includes(system)) ?? 'l4'; // bare L4 has no Linux to boot
    await assert.rejects(client.request({ type: 'boot.start', system: unbootable }), (error: EngineError) => error.code === 'unavailable' && /not available yet/.test(error.message));
  });

  it('loads a custom server and reports where it threw', async () => {
    const source = 'export function* server() {}\nexport function* client() {}\n\nthrow new RangeError("out of range");\n';
    await assert.rejects(client.request({ type: 'custom.run', fileName: '/work/broken.ts', source, action: 'run' }), (error: EngineError) => {
      assert.equal(error.code, 'failed');
      assert.equal(error.message, 'out of range');
      assert.match(error.stack ?? '', /\/work\/broken\.ts:4:\d+/);
      return true;
    });
  });

  it('stops a runaway custom server when cancelled, and serves the next request', async () => {
    const abort = new AbortController();
    const running = client.request({ type: 'custom.run', fileName: '/work/spin.ts', source: 'for (;;) {}\n', action: 'run' }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 300);
    await assert.rejects(running, (error: EngineError) => error.code === 'cancelled');
    assert.equal((await client.request({ type: 'machine.describe', machine: { clockMHz: 200 } })).clockMHz, 200);
  });
});
