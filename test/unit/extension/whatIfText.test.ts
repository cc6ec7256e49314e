import assert from 'node:assert/strict';
import { inWhatIfObject, quotedStringAt } from '../../../extension/whatIfText';

describe('whatIfText', () => {
  it('finds the quoted string under a column, closed or still being typed', () => {
    const line = "lab.setParameters({ 'l4.ipcShortPathCycles': 60, \"mach.";
    assert.deepEqual(quotedStringAt(line, 25), { text: 'l4.ipcShortPathCycles', start: 21, end: 42 });
    assert.deepEqual(quotedStringAt(line, 42), { text: 'l4.ipcShortPathCycles', start: 21, end: 42 }, 'a cursor just before the closing quote');
    assert.equal(quotedStringAt(line, 45), undefined, 'between strings');
    assert.deepEqual(quotedStringAt(line, line.length), { text: 'mach.', start: 50, end: 55 });
    assert.equal(quotedStringAt("x // 'l4.a'", 8), undefined, 'in a comment');
    assert.deepEqual(quotedStringAt("'it\\'s' 'l4'", 10), { text: 'l4', start: 9, end: 11 }, 'an escaped quote does not end a string');
  });

  it('knows the argument of setParameters and the l4lab.parameters setting from other objects', () => {
    assert.equal(inWhatIfObject("lab.setParameters({ 'l4.a': 1, "), true);
    assert.equal(inWhatIfObject('lab.setParameters({'), true);
    assert.equal(inWhatIfObject("lab.setParameters({ 'l4.a': 1 });\nconst o = { "), false, 'a later object');
    assert.equal(inWhatIfObject("lab.setParameters({ note: { "), false, 'an object nested in it');
    assert.equal(inWhatIfObject('{\n  "editor.tabSize": 2,\n  "l4lab.parameters": {\n    "l4.a": 1,\n    '), true);
    assert.equal(inWhatIfObject('{\n  "l4lab.parameters": { "l4.a": 1 },\n  '), false, 'after the setting closed');
    assert.equal(inWhatIfObject('{ "x": "l4lab.parameters: {", '), false, 'braces and names in strings do not count');
    assert.equal(inWhatIfObject('{ /* "l4lab.parameters": { */ "l4lab.parameters": {\n // }\n '), true, 'comments are skipped');
  });
});
