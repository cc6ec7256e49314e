import assert from 'node:assert/strict';
import { toTerminalText, withoutEscapeSequences } from '../../../extension/terminalText';

describe('terminal text', () => {
  it('turns guest newlines into terminal newlines', () => {
    assert.equal(toTerminalText('a\nb\r\nc'), 'a\r\nb\r\nc');
  });

  it('drops cursor and function keys but keeps typing, Enter, backspace and Ctrl-C', () => {
    assert.equal(withoutEscapeSequences('ls\x1b[A\x1b[D -l\x1bOP\x1b[15~\x7f\r\x03'), 'ls -l\x7f\r\x03');
    assert.equal(withoutEscapeSequences('\x1b'), '');
  });
});
