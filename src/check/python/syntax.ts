/**
 * KFP6001: the first syntax error Python would report in the program. The parser recovers
 * and goes on, but what follows the first error is often its echo, and Python itself
 * reports one. Pyright's errors are completed by two rules of Python's own that it applies
 * differently: tabs in indentation (tabs.ts) and f-strings before 3.12 (fstrings.ts).
 */
import { fstringError } from './fstrings.js';
import type { PyParse, PySyntaxError } from './pyright.js';
import { tabError } from './tabs.js';

export function firstSyntaxError(program: string, parse: PyParse, minor: number): PySyntaxError | undefined {
  const own = [tabError(program, parse.logicalLineStarts), parse.errors.length === 0 ? fstringError(parse.nodes, minor) : undefined];
  const first = [...parse.errors, ...own.filter((e) => e !== undefined)].sort((a, b) => a.start - b.start)[0];
  if (!first) return undefined;
  // A fence of comments only: Python points at the first comment, as the body it expected.
  const bodyStart = program.indexOf('\n') + 1;
  if (/^Expected indented block/.test(first.message) && program.slice(bodyStart).split('\n').every((l) => /^\s*(#.*)?$/.test(l))) {
    const at = bodyStart + /^\s*/.exec(program.slice(bodyStart))![0].length;
    return { message: 'the code holds only comments, and a function body needs a statement', start: at, end: at + 1 };
  }
  // An indentation error's range is the indentation: point at the code it indents.
  if (/[ \t\f]/.test(program[first.start] ?? '')) {
    let i = first.start;
    while (/[ \t\f]/.test(program[i] ?? '')) i++;
    if (program[i] !== '\n' && i < program.length) return { ...first, start: i, end: i + 1 };
  }
  return first;
}

export function syntaxHint(message: string): string {
  if (/only comments/.test(message)) return 'add `pass` (or the code)';
  if (/indent/i.test(message)) {
    return 'the fence is dedented as a whole: indent each block one level deeper than its header, and the top-level code not at all';
  }
  if (/^Expected ":"/.test(message)) return 'a block header (`if`, `for`, `while`, `def`, `with`, `try`, …) ends with `:`';
  if (/was not closed/.test(message)) return 'close it; a bracket left open makes Python read the lines after it as one expression';
  if (/unterminated/i.test(message)) return 'close the string with the same quote it starts with (`"""` for a string over several lines)';
  if (/requires Python|Python 3\.\d+ or newer|prior to Python/i.test(message)) {
    return 'the component\'s image decides the Python version: use newer syntax only with an image such as `python:3.12`';
  }
  return 'the fence is the body of a Python function and must be valid Python 3';
}
