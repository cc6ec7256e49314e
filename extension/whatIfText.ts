// Where a what-if parameter name is written: a quoted string on one line of a notebook cell or a
// settings.json, and whether it is a key of a what-if object (the argument of
// `lab.setParameters({ ... })` or the value of `"l4lab.parameters": { ... }`). A textual check,
// not a parser: strings and comments are skipped so that a brace inside them does not count.

/** A quoted string on one line: its text and the columns of its content (after the opening quote, before the closing one). */
export interface QuotedString {
  readonly text: string;
  readonly start: number;
  /** Column of the closing quote, or the line's length when the string is still open (being typed). */
  readonly end: number;
}

/** The text before an object's `{` that makes it a what-if object. */
const WHAT_IF_OPENER = /(?:\bsetParameters\s*\(|["']l4lab\.parameters["']\s*:)\s*$/;

/** Index of the quote that closes the string opened at `open` (a `'` or `"` string ends at the line's end), or -1. */
function closingQuote(text: string, open: number): number {
  const quote = text[open];
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === quote) return i;
    else if (c === '\n' && quote !== '`') return -1;
  }
  return -1;
}

/** The quoted string of `line` whose content holds column `character` (the closing quote's column counts, for a cursor just before it). */
export function quotedStringAt(line: string, character: number): QuotedString | undefined {
  for (let i = 0; i < line.length && i < character; i++) {
    const c = line[i];
    if (c === '/' && line[i + 1] === '/') return undefined;
    if (c !== '"' && c !== "'" && c !== '`') continue;
    const close = closingQuote(line, i);
    const end = close < 0 ? line.length : close;
    if (character <= end) return { text: line.slice(i + 1, end), start: i + 1, end };
    i = end;
  }
  return undefined;
}

/** Whether the innermost object open at the end of `textBefore` is a what-if object. */
export function inWhatIfObject(textBefore: string): boolean {
  const open: boolean[] = [];
  for (let i = 0; i < textBefore.length; i++) {
    const c = textBefore[i];
    if (c === '"' || c === "'" || c === '`') {
      const close = closingQuote(textBefore, i);
      if (close < 0) return false; // the position is inside an unterminated string before the one asked about
      i = close;
    } else if (c === '/' && textBefore[i + 1] === '/') {
      const lineEnd = textBefore.indexOf('\n', i);
      if (lineEnd < 0) break;
      i = lineEnd;
    } else if (c === '/' && textBefore[i + 1] === '*') {
      const commentEnd = textBefore.indexOf('*/', i + 2);
      if (commentEnd < 0) break;
      i = commentEnd + 1;
    } else if (c === '{') {
      open.push(WHAT_IF_OPENER.test(textBefore.slice(Math.max(0, i - 64), i)));
    } else if (c === '}') {
      open.pop();
    }
  }
  return open.at(-1) === true;
}
