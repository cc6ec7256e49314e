// The custom-server templates compile and load; guest exceptions point into the user's file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCustomServer } from '../../../engine/api';
import { loadCustomServer, transpileCustomServer } from '../../../engine/host/node/customServerLoader';
import { L4Api } from '../../../engine/l4/guestApi';

const templates = path.join(__dirname, '..', '..', '..', 'labs', 'templates');
const silent = { log: () => undefined };

describe('custom server loader', () => {
  for (const file of ['rpcEcho.ts', 'pipeServer.ts', 'pager.ts']) {
    it(`loads the ${file} template: it exports server() and client()`, () => {
      const source = fs.readFileSync(path.join(templates, file), 'utf8');
      assert.match(source, /^\/\/\/ <reference path="\.\/l4lab\.d\.ts" \/>/);
      const exports = loadCustomServer(source, `/work/${file}`, silent);
      assert.equal(typeof exports.server, 'function');
      assert.equal(typeof exports.client, 'function');
    });
  }

  it('keeps line numbers, so a guest exception names the line in the user file', () => {
    const source = 'interface Shape { w: number }\nconst shape: Shape = { w: 1 };\n\n\nthrow new Error(`broken ${shape.w}`);\n';
    assert.equal(transpileCustomServer(source, '/x.ts').split('\n').length >= 5, true);
    assert.throws(() => loadCustomServer(source, '/home/user/broken.ts', silent), (error: Error) => {
      assert.equal(error.message, 'broken 1');
      assert.match(error.stack ?? '', /\/home\/user\/broken\.ts:5:\d+/);
      return true;
    });
  });

  it('reports a syntax error with its position', () => {
    assert.throws(() => loadCustomServer('const x = ;\n', '/x.ts', silent), /\(1:\d+\)/);
  });

  it('refuses imports and passes console.log through', () => {
    assert.throws(() => loadCustomServer("import fs from 'node:fs';\nexport const x = fs;\n", '/x.ts', silent), /cannot import modules \('node:fs'\)/);
    const logged: unknown[] = [];
    loadCustomServer("console.log('hello', 42);\n", '/x.ts', { log: (...values) => logged.push(...values) });
    assert.deepEqual(logged, ['hello', 42]);
  });
});

describe('custom server templates on the simulated L4', () => {
  for (const file of ['rpcEcho.ts', 'pipeServer.ts', 'pager.ts']) {
    it(`benchmarks the ${file} template`, () => {
      const output: string[] = [];
      const module = loadCustomServer(fs.readFileSync(path.join(templates, file), 'utf8'), `/work/${file}`, silent);
      const { results } = runCustomServer(module, { action: 'benchmark', fileName: `/work/${file}`, console: text => output.push(text), mode: 'quick' });
      const name = file.replace('.ts', '');
      assert.ok(results.some(record => record.benchmark === `${name}.latency` && record.unit === 'cycles' && record.value > 100 && record.value < 5000), JSON.stringify(results));
      for (const record of results) {
        assert.equal(record.suite, 'custom');
        assert.equal(record.system, 'l4');
        assert.ok((record.breakdown.kernelEntry ?? 0) > 0, 'no kernel entries in the breakdown');
      }
      assert.match(output.join(''), new RegExp(`${name}\\.latency: [0-9.]+ cycles`));
    });
  }

  it('reports an exception thrown in a guest thread with its stack in the user file', () => {
    const source = [
      'export function* server(l4: L4.Api): L4.Activity {',
      '  for (;;) { const r = yield* l4.ipcWait(); yield* l4.ipcSend({ low: r.sourceLow, high: r.sourceHigh }, 0, 0); }',
      '}',
      'export function* client(l4: L4.Api, server: L4.ThreadId): L4.Activity {',
      '  yield* l4.ipcCall(server, 1, 2);',
      "  throw new Error('the client gave up');",
      '}',
    ].join('\n');
    const module = loadCustomServer(source, '/home/user/gaveUp.ts', silent);
    assert.throws(() => runCustomServer(module, { action: 'run', fileName: '/home/user/gaveUp.ts', console: () => undefined }), (error: Error) => {
      assert.equal(error.message, 'the client gave up');
      assert.match(error.stack ?? '', /\/home\/user\/gaveUp\.ts:6:\d+/);
      return true;
    });
  });

  it('declares in l4lab.d.ts only members that the engine\'s L4Api has', () => {
    const declarations = fs.readFileSync(path.join(templates, 'l4lab.d.ts'), 'utf8');
    const api = /interface Api \{([\s\S]*?)\n {2}\}/.exec(declarations)?.[1] ?? '';
    const members = [...api.matchAll(/^ {4}(?:readonly )?([a-zA-Z0-9]+)[(:?]/gm)].map(match => match[1]);
    assert.ok(members.length >= 15, `only ${members.length} members found`);
    const prototype = L4Api.prototype as unknown as Record<string, unknown>;
    const missing = members.filter(member => !(member in prototype));
    assert.deepEqual(missing, [], 'declared in l4lab.d.ts but not in engine/l4/guestApi.ts');
  });
});
