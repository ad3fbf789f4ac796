/**
 * Python's own rule for tabs in indentation (CPython's tokenizer): each logical line's
 * indentation is measured twice, with tabs to the next multiple of 8 and with tabs as one
 * column; the two measures must order the lines the same way, or it is a TabError.
 * Pyright's parser is stricter than that (it rejects indentation Python runs, such as
 * "4 spaces + tab" on consecutive lines, which is what a tab-indented fence becomes under
 * the generated `def`), so its tab errors are dropped and this check stands in for them.
 */
import type { PySyntaxError } from './pyright.js';

export function tabError(text: string, logicalLineStarts: readonly number[]): PySyntaxError | undefined {
  const cols = [0];
  const alts = [0];
  for (const first of logicalLineStarts) {
    let lineStart = first;
    while (lineStart > 0 && text[lineStart - 1] !== '\n' && text[lineStart - 1] !== '\r') lineStart--;
    const lead = text.slice(lineStart, first);
    if (!/^[ \t\f]*$/.test(lead)) continue; // not the first token of its line (after a `;` or a continuation)
    let col = 0;
    let alt = 0;
    for (const ch of lead) {
      if (ch === ' ') {
        col++;
        alt++;
      } else if (ch === '\t') {
        col = (Math.floor(col / 8) + 1) * 8;
        alt++;
      } else {
        col = 0;
        alt = 0;
      }
    }
    const error = { message: 'inconsistent use of tabs and spaces in indentation', start: lineStart, end: first };
    const top = cols.length - 1;
    if (col === cols[top]) {
      if (alt !== alts[top]) return error;
    } else if (col > cols[top]!) {
      if (alt <= alts[top]!) return error;
      cols.push(col);
      alts.push(alt);
    } else {
      while (cols.length > 1 && col < cols[cols.length - 1]!) {
        cols.pop();
        alts.pop();
      }
      // A dedent to no level is Pyright's "unindent does not match"; only the tab disagreement is ours.
      if (col === cols[cols.length - 1] && alt !== alts[alts.length - 1]) return error;
    }
  }
  return undefined;
}
