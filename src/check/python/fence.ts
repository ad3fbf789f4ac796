/**
 * A ```python fence as the generated program sees it, and the way back to the `.kfp` file.
 *
 * The fence is stored dedented; the program puts it under `def f(…):`, indented by four
 * spaces on every non-blank line (src/lower/python-component.ts, `indentBody`). The checks
 * parse exactly that text, so what they find is what Python would find, and map each
 * position back: program line k is fence line k-1, four columns to the left on a non-blank
 * line, and the fence line sits in the `.kfp` file after its ``` line, shifted right by the
 * indentation the dedent removed (counted in characters, so tabs map exactly).
 */
import type { SourceFile, Span } from '../../source.js';

/** Where the fence body starts in the program: after the `def` line. */
const HEADER_LINES = 1;
const INDENT = 4;

export interface Fence {
  /** The fence's lines, dedented, as stored. */
  readonly lines: readonly string[];
  /** The `.kfp` offset of a program position (0-based line and column), clamped into the fence. */
  offsetOf(line: number, column: number): number;
}

/** The function header the fence is parsed under; the name is one no user code can mean. */
export function wrapBody(body: string): string {
  const lines = body.split('\n');
  const indented = lines.map((l) => (l.trim() === '' ? l : ' '.repeat(INDENT) + l));
  return `def __kfpdsl_fence__():\n${lines.some((l) => l.trim() !== '') ? indented.join('\n') : '    pass'}\n`;
}

export function fenceOf(file: SourceFile, code: { readonly text: string; readonly span: Span }): Fence {
  const lines = code.text.replace(/\r\n/g, '\n').split('\n');
  // Where each fence line is in the .kfp text, found by Python's line breaks (LF, CR LF, CR), not
  // by the file's lines: a U+2028 in a Python string or comment ends a .kfp line but no Python
  // line, and counting it put every later finding on the wrong line.
  const text = file.text;
  const fenceEnd = code.span.end;
  const breaks = /\r\n?|\n/g;
  const starts: number[] = [];
  const ends: number[] = [];
  breaks.lastIndex = code.span.start;
  let m = breaks.exec(text);
  let pos = m ? m.index + m[0].length : fenceEnd;
  for (let i = 0; i < lines.length; i++) {
    breaks.lastIndex = pos;
    m = breaks.exec(text);
    const end = m && m.index < fenceEnd ? m.index : fenceEnd;
    starts.push(Math.min(pos, fenceEnd));
    ends.push(Math.max(end, Math.min(pos, fenceEnd)));
    pos = m ? m.index + m[0].length : fenceEnd;
  }
  let commonCut = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '') {
      commonCut = ends[i]! - starts[i]! - lines[i]!.length;
      break;
    }
  }
  return {
    lines,
    offsetOf(line: number, column: number): number {
      const i = Math.min(Math.max(line - HEADER_LINES, 0), lines.length - 1);
      const t = lines[i]!;
      const col = Math.min(Math.max(t.trim() === '' ? column : column - INDENT, 0), t.length);
      const srcLength = ends[i]! - starts[i]!;
      const cut = t === '' ? Math.min(commonCut, srcLength) : srcLength - t.length;
      return Math.min(starts[i]! + cut + col, fenceEnd);
    },
  };
}
