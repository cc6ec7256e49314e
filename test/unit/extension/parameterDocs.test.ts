import assert from 'node:assert/strict';
import * as catalog from '../../../engine/api/parameterCatalog';
import { ParameterDocs } from '../../../extension/parameterDocs';

describe('ParameterDocs', () => {
  const docs = new ParameterDocs(catalog);

  it('has every parameter of every table under its table.name, and machine ones also bare', () => {
    assert.equal(docs.rows().length, catalog.listParameters().length);
    for (const table of catalog.PARAMETER_TABLES) assert.ok(docs.rows().some(row => row.table === table.prefix), `no ${table.prefix} rows`);
    assert.equal(docs.find('l2KB'), docs.find('machine.l2KB'));
    assert.equal(docs.find('ipcShortPathCycles'), undefined, 'kernel names need their prefix');
    const nativeRow = docs.rows().find(row => row.table === 'native')!;
    assert.equal(docs.find(`linuxNative.${nativeRow.name}`), nativeRow, 'a table alias names the same row, as the catalog resolves it');
  });

  it('describes a parameter with its published value, unit, range, provenance and source', () => {
    const row = docs.find('l4.ipcShortPathCycles')!;
    const text = docs.markdown(row);
    assert.match(text, /\*\*`l4\.ipcShortPathCycles`\*\*/);
    assert.ok(text.includes(`published value: **${String(row.defaultValue)}** ${row.unit}`), text);
    assert.match(text, new RegExp(`allowed: (≥ ${row.min ?? 0} |${row.min} … ${row.max} )${row.unit}`));
    assert.match(text, new RegExp(`provenance: ${row.provenance} \\(`));
    assert.ok(text.replace(/\\(.)/g, '$1').includes(`source: ${row.source}`), text);
    assert.match(text, /engine\/l4\/l4Parameters\.ts/);
    assert.match(docs.markdown(docs.find('taggedTlb')!), /allowed: `true` or `false`/);
  });

  it('says an unknown name is unknown and names the nearest known one', () => {
    assert.match(docs.unknownMarkdown('l4.ipcShortPathCycle'), /Unknown what-if parameter[\s\S]*did you mean 'l4\.ipcShortPathCycles'/);
    assert.match(docs.unknownMarkdown('ipcShortPathCycles'), /did you mean l4\.ipcShortPathCycles/);
    assert.match(docs.unknownMarkdown('l5.ipcShortPathCycles'), /unknown parameter table 'l5'/);
  });
});
