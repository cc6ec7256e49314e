// Text between a pseudoterminal and a guest console: pure functions, unit-tested in plain Node.

/** Guest output uses \n; a terminal needs \r\n. */
export function toTerminalText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** Removes terminal escape sequences (cursor keys, function keys) from keyboard input. */
export function withoutEscapeSequences(data: string): string {
  return data.replace(/\x1b(\[[0-9;?]*[ -/]*[@-~]|O[@-~]|.)?/g, '');
}
