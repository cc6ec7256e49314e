import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SeededRandom } from '../../../engine/base/random';
import { runCustomServer } from '../../../engine/api/customServer';
import { LabFormatError, parseLabNotebook } from '../../../engine/api/labFormat';
import { loadCustomServer } from '../../../engine/host/node/customServerLoader';
import { isFromPanelMessage, isToPanelMessage } from '../../../webview/panelProtocol';

const root = path.resolve(__dirname, '../../..');
const silent = { log: () => undefined };

/** `count` mutations of `text`: bytes deleted, duplicated, replaced, truncated. */
function mutations(text: string, count: number, seed: number): string[] {
  const rng = new SeededRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = rng.below(text.length);
    const span = 1 + rng.below(40);
    switch (rng.below(4)) {
      case 0: out.push(text.slice(0, at) + text.slice(at + span)); break;
      case 1: out.push(text.slice(0, at) + text.slice(at, at + span).repeat(3) + text.slice(at)); break;
      case 2: out.push(text.slice(0, at) + rng.pick(['"', '{', ']', ':', ',', 'null', '1e999', '\u0000', '\uffff', '-', '[[[[']) + text.slice(at + 1)); break;
      default: out.push(text.slice(0, at));
    }
  }
  return out;
}

describe('bad input is rejected with a clear error', () => {
  it('malformed .l4lab notebooks: every mutation of a bundled lab parses or fails with a LabFormatError', () => {
    const lab = fs.readFileSync(path.join(root, 'labs/01-ipc.l4lab'), 'utf8');
    let rejected = 0;
    for (const text of [...mutations(lab, 400, 1), '\u0000\u0001', '{"version":1,"cells":{}}', '{"version":1,"cells":[null]}', '{"version":"1","cells":[]}', 'null', '"x"']) {
      try {
        parseLabNotebook(text);
      } catch (error) {
        assert.ok(error instanceof LabFormatError, `not a LabFormatError: ${String(error)}`);
        assert.ok(error.message.length > 10, 'the message says what is wrong');
        rejected++;
      }
    }
    assert.ok(rejected > 100);
  });

  it('custom servers that do not compile, throw while loading, or lack server/client: a clear error each', () => {
    assert.throws(() => loadCustomServer('export function* server( {', '/u/a.ts', silent), SyntaxError);
    assert.throws(() => loadCustomServer('throw new Error("top-level failure")', '/u/b.ts', silent), /top-level failure/);
    const noClient = loadCustomServer('export function* server() {}', '/u/c.ts', silent);
    assert.throws(() => runCustomServer(noClient, { action: 'run', fileName: '/u/c.ts', console: () => {} }), /must export generator functions server\(l4\) and client\(l4, server, lab\)/);
  });

  it('invalid webview messages: random JSON values are never taken for a message', () => {
    const rng = new SeededRandom(5);
    const value = (depth: number): unknown => {
      switch (rng.below(depth > 2 ? 4 : 7)) {
        case 0: return rng.nextU32() - 2 ** 31;
        case 1: return rng.pick(['', 'ready', 'export', 'csv', 'state', '<script>']);
        case 2: return rng.pick([null, true, false, undefined, NaN]);
        case 3: return rng.next();
        case 4: return Array.from({ length: rng.below(4) }, () => value(depth + 1));
        default: return Object.fromEntries(Array.from({ length: rng.below(4) }, () => [rng.pick(['type', 'format', 'records', 'state', 'command', 'x']), value(depth + 1)]));
      }
    };
    for (let i = 0; i < 3000; i++) {
      const message = value(0) as { type?: unknown };
      if (isFromPanelMessage(message)) assert.ok(['ready', 'rendered', 'rerun', 'stop', 'runMachineBenchmark', 'export'].includes(String(message.type)), JSON.stringify(message));
      if (isToPanelMessage(message)) assert.equal(typeof message.type, 'string');
    }
  });

  it('user files are written through a temporary file and a rename (never truncated by an error path)', () => {
    // every write of a user file in the extension and the CLI goes to a `temporary` path that is then renamed
    const known: Record<string, string> = {};
    const files = [...fs.readdirSync(path.join(root, 'extension'), { recursive: true }), ...fs.readdirSync(path.join(root, 'engine/host/node'))].map(String);
    const offenders: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.ts'))) {
      const relative = fs.existsSync(path.join(root, 'extension', file)) ? `extension/${file}` : `engine/host/node/${file}`;
      const source = fs.readFileSync(path.join(root, relative), 'utf8');
      for (const match of source.matchAll(/(?:writeFileSync|fs\.writeFile|workspace\.fs\.writeFile)\(\s*([^,]+),/g)) {
        if (/temporary/.test(match[1]) || known[relative] !== undefined) continue;
        offenders.push(`${relative}: ${match[0]}`);
      }
      if (/temporary/.test(source) && /writeFile/.test(source)) assert.match(source, /rename/, `${relative} writes a temporary file but never renames it`);
    }
    assert.deepEqual(offenders, []);
  });
});
