/**
 * What f-strings may hold before Python 3.12 (PEP 701 lifted both limits): no string in an
 * f-string's expression may use the f-string's own quotes, and none may contain a
 * backslash. Pyright's parser reads every f-string with the 3.12 rules (its type checker
 * reports these, not its parser), so this check applies the older rules when the
 * component's image runs an older Python.
 */
import { children, N, type PyNode, type PySyntaxError } from './pyright.js';

const QUOTE_MASK = 1 | 2 | 4; // StringTokenFlags.SingleQuote | DoubleQuote | Triplicate

interface StringToken {
  readonly flags: number;
  readonly escapedValue?: string;
}

export function fstringError(module: PyNode, minor: number): PySyntaxError | undefined {
  if (minor >= 12) return undefined;
  let found: PySyntaxError | undefined;
  const visit = (node: PyNode, containers: readonly number[]): void => {
    if (found) return;
    const isString = node.nodeType === N.String || node.nodeType === N.FormatString;
    if (isString && containers.length > 0) {
      const token = node.d['token'] as StringToken;
      if (containers.includes(token.flags & QUOTE_MASK)) {
        found = { message: 'a string inside an f-string uses the f-string\'s own quotes, which needs Python 3.12 or newer', start: node.start, end: node.start + 1 };
        return;
      }
      if (node.nodeType === N.String && (token.escapedValue ?? '').includes('\\')) {
        found = { message: 'a backslash inside an f-string\'s expression needs Python 3.12 or newer', start: node.start, end: node.start + node.length };
        return;
      }
    }
    const inner = node.nodeType === N.FormatString ? [...containers, (node.d['token'] as StringToken).flags & QUOTE_MASK] : containers;
    for (const c of children(node)) visit(c, inner);
  };
  visit(module, []);
  return found;
}
