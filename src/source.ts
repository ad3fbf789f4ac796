/** Source files and positions. Offsets are UTF-16 code units into `text`; lines and columns are 1-based. */

/** Half-open range [start, end) of offsets into a SourceFile's text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * The length of the line break at `i` in `text` (0 when there is none): LF, CR LF (one break
 * of two), a lone CR, U+2028 and U+2029. The lexer, the formatter and line numbers all use it,
 * so a `#` comment ends, and lines are counted, the same everywhere.
 */
export function lineBreakLength(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 10 || c === 0x2028 || c === 0x2029) return 1;
  if (c === 13) return text.charCodeAt(i + 1) === 10 ? 2 : 1;
  return 0;
}

/** The index of the line holding `offset`, by a binary search of the sorted `lineStarts` (whose first is 0). */
export function lineIndexAt(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export class SourceFile {
  readonly path: string;
  readonly text: string;
  private lineStartsCache: number[] | undefined;

  constructor(path: string, text: string) {
    this.path = path;
    // A UTF-8 byte order mark is not part of the program.
    this.text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /**
   * Offsets where lines start. A line ends at LF, CR LF, a lone CR, U+2028 or U+2029, as in
   * the lexer (a `#` comment ends there too), so that every line break is one line.
   */
  get lineStarts(): readonly number[] {
    if (!this.lineStartsCache) {
      const starts = [0];
      const t = this.text;
      for (let i = 0; i < t.length; i++) {
        const n = lineBreakLength(t, i);
        if (n === 0) continue;
        i += n - 1;
        starts.push(i + 1);
      }
      this.lineStartsCache = starts;
    }
    return this.lineStartsCache;
  }

  positionAt(offset: number): Position {
    const starts = this.lineStarts;
    const line = lineIndexAt(starts, offset);
    return { line: line + 1, column: offset - starts[line]! + 1 };
  }

  /** Offsets [start, end) of a 1-based line, without its line break. */
  lineRange(line: number): Span {
    const starts = this.lineStarts;
    const start = starts[line - 1] ?? this.text.length;
    const next = starts[line];
    if (next === undefined) return { start, end: this.text.length };
    const crlf = next >= 2 && this.text.charCodeAt(next - 2) === 13 && this.text.charCodeAt(next - 1) === 10;
    return { start, end: next - (crlf ? 2 : 1) };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const r = this.lineRange(line);
    return this.text.slice(r.start, r.end);
  }
}

export function span(start: number, end: number): Span {
  return { start, end };
}

export function joinSpans(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
