import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LabFormatError, parseLabNotebook, serializeLabNotebook, type LabNotebook } from '../../../engine/api/labFormat';
import { LAB_SYSTEMS } from '../../../engine/api/lab';
import { LabSession } from '../../../engine/host/node/workerLab';

const LABS = path.resolve(__dirname, '../../../labs');

describe('.l4lab notebook format', () => {
  it('round-trips every bundled lab exactly (parse then serialize gives the same bytes)', () => {
    const files = fs.readdirSync(LABS).filter((name) => name.endsWith('.l4lab'));
    assert.ok(files.length >= 5);
    for (const name of files) {
      const text = fs.readFileSync(path.join(LABS, name), 'utf8');
      assert.equal(serializeLabNotebook(parseLabNotebook(text)), text, name);
    }
  });

  it('round-trips a notebook with outputs, execution orders and multi-line sources', () => {
    const notebook: LabNotebook = {
      version: 1,
      metadata: { title: 'x', zeta: 1, alpha: { b: 2, a: 1 } },
      cells: [
        { kind: 'markdown', language: 'markdown', source: '# Title\n\ntext', outputs: [] },
        { kind: 'code', language: 'typescript', source: 'lab.print(1)\n\n', executionOrder: 3, success: false, outputs: [{ items: [{ mime: 'text/plain', data: 'a\nb' }, { mime: 'application/vnd.l4lab.table+json', data: { rows: [[1, null, 'x']], columns: ['a', 'b', 'c'] } }] }] },
      ],
    };
    const text = serializeLabNotebook(notebook);
    assert.deepEqual(parseLabNotebook(text), notebook);
    assert.equal(serializeLabNotebook(parseLabNotebook(text)), text);
  });

  it('writes stable output: key order does not depend on insertion order, 2-space indentation, final newline', () => {
    const a = serializeLabNotebook({ version: 1, metadata: { b: 1, a: 2 }, cells: [{ outputs: [], source: 's', language: 'typescript', kind: 'code' }] });
    const b = serializeLabNotebook({ cells: [{ kind: 'code', language: 'typescript', source: 's', outputs: [] }], metadata: { a: 2, b: 1 }, version: 1 });
    assert.equal(a, b);
    assert.ok(a.endsWith('\n'));
    assert.match(a, /^\{\n {2}"version": 1,\n {2}"metadata": \{\n {4}"a": 2,/);
  });

  it('rejects malformed input with a clear message naming the place', () => {
    assert.throws(() => parseLabNotebook('{\n  "version": 1,\n  "cells": [\n'), (e: unknown) => e instanceof LabFormatError && /not valid JSON/.test(e.message));
    assert.throws(() => parseLabNotebook('[]'), (e: unknown) => e instanceof LabFormatError && /JSON object/.test(e.message));
    assert.throws(() => parseLabNotebook('{"version": 2, "cells": []}'), (e: unknown) => e instanceof LabFormatError && /version 2/.test(e.message));
    assert.throws(() => parseLabNotebook('{"version": 1, "cells": [{"kind": "code", "source": 3}]}'), (e: unknown) => e instanceof LabFormatError && /cells\[0\]\.source/.test(e.message));
    assert.throws(() => parseLabNotebook('{"version": 1, "cells": [{"kind": "raw", "source": ""}]}'), (e: unknown) => e instanceof LabFormatError && /cells\[0\]\.kind/.test(e.message));
  });

  it('reads an empty file as an empty notebook', () => {
    assert.deepEqual(parseLabNotebook(''), { version: 1, metadata: {}, cells: [] });
  });
});

describe('lab cells (headless)', () => {
  it('runs cells in order with shared declarations and numbered executions', () => {
    const session = new LabSession();
    const first = session.run('const x: number = 20;', 'a.ts');
    const second = session.run('lab.print(x + 1)', 'b.ts');
    assert.deepEqual([first.success, first.executionOrder, second.success, second.executionOrder], [true, 1, true, 2]);
    assert.deepEqual(second.outputs[0]?.items[0], { mime: 'text/plain', data: '21' });
  });

  it('a failing cell gives an error output; a looping cell is stopped by the watchdog', () => {
    const session = new LabSession('quick', 200);
    const failed = session.run('throw new RangeError("boom")', 'c.ts');
    assert.equal(failed.success, false);
    assert.equal(failed.outputs.at(-1)?.items[0]?.mime, 'application/vnd.code.notebook.error');
    const looped = session.run('for (;;) {}', 'd.ts');
    assert.equal(looped.success, false);
    assert.match(String(looped.outputs.at(-1)?.items[1]?.data), /timed out/);
  });

  it('says plainly when a system is not available yet', function () {
    const session = new LabSession();
    const pending = LAB_SYSTEMS.find((system) => !session.lab.systems().includes(system));
    if (pending === undefined) this.skip(); // every system the labs know boots in this build
    const result = session.run(`lab.boot('${pending}')`, 'e.ts');
    assert.equal(result.success, false);
    assert.match(String(result.outputs.at(-1)?.items[1]?.data), /not available yet/);
  });

  it('a shell command that reads the terminal, and a shell that has exited, are said so', () => {
    const session = new LabSession();
    const reading = session.run("const s = lab.boot('linux'); s.sh('cat')", 'f.ts');
    assert.equal(reading.success, true);
    assert.ok(reading.outputs.some((o) => /still running and reads the terminal/.test(String(o.items[0]?.data))), JSON.stringify(reading.outputs));
    const typed = session.run("lab.print(s.sh('typed'), s.sh('\\u0004'))", 'g.ts');
    assert.match(String(typed.outputs.at(-1)?.items[0]?.data), /typed\ntyped\n/);
    const exited = session.run("s.sh('exit 3')", 'h.ts');
    assert.ok(exited.outputs.some((o) => /has shut down: its shell exited with status 3/.test(String(o.items[0]?.data))));
    const after = session.run("s.sh('echo late')", 'i.ts');
    assert.equal(after.success, false);
    assert.match(String(after.outputs.at(-1)?.items[1]?.data ?? after.outputs.at(-1)?.items[0]?.data), /linux has shut down \(its shell exited with status 3\): boot it again/);
  });
});
