/**
 * What f-strings may hold before Python 3.12 (PEP 701 lifted both limits): no string in an
 * f-string's expression may use the f-string's own quotes, and none may contain a
 * backslash. Pyright's parser reads every f-string with the 3.12 rules (its type checker
 * reports these, not its parser), so this check applies the older rules when the
 * component's image runs an older Python.
 */
import { N, type PyNode, type PySyntaxError } from './pyright.js';

const QUOTE_MASK = 1 | 2 | 4; // StringTokenFlags.SingleQuote | DoubleQuote | Triplicate

interface StringToken {
  readonly flags: number;
  readonly escapedValue?: string;
}

export function fstringError(nodes: readonly PyNode[], minor: number): PySyntaxError | undefined {
  if (minor >= 12) return undefined;
  for (const node of nodes) {
    if (node.nodeType !== N.String && node.nodeType !== N.FormatString) continue;
    const token = node.d['token'] as StringToken;
    let inFString = false;
    for (let p = node.parent; p; p = p.parent) {
      if (p.nodeType !== N.FormatString) continue;
      inFString = true;
      if (((p.d['token'] as StringToken).flags & QUOTE_MASK) === (token.flags & QUOTE_MASK)) {
        return { message: 'a string inside an f-string uses the f-string\'s own quotes, which needs Python 3.12 or newer', start: node.start, end: node.start + 1 };
      }
    }
    if (inFString && node.nodeType === N.String && (token.escapedValue ?? '').includes('\\')) {
      return { message: 'a backslash inside an f-string\'s expression needs Python 3.12 or newer', start: node.start, end: node.start + node.length };
    }
  }
  return undefined;
}
