/**
 * What the printer needs to know about how the source was laid out, read once from the
 * parser's tokens and comments: where each comment sits relative to the code (trailing or
 * on its own line, after a blank line or not), which tokens follow a blank line, which
 * bracket closes which, and whether a bracketed sequence was written over several lines or
 * holds a comment. Everything is computed in one pass over the tokens (plus a binary
 * search per bracket), so it stays linear on large files.
 */
import type { IToken } from 'chevrotain';
import { lineBreakLength } from '../source.js';
import type { CommentInfo } from './writer.js';

const OPENERS = new Set(['LParen', 'LBracket', 'LBrace']);
const CLOSERS = new Set(['RParen', 'RBracket', 'RBrace']);

/** Offset one past the last character of a token. */
export function tokenEnd(t: IToken): number {
  return t.endOffset! + 1;
}

/** Line breaks as the lexer sees them: LF, CR LF (one), CR, U+2028, U+2029. */
function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const len = lineBreakLength(s, i);
    if (len === 0) continue;
    i += len - 1;
    n++;
  }
  return n;
}

export class LayoutFacts {
  /** The comments in source order, each placed relative to the code around it. */
  readonly comments: CommentInfo[] = [];
  /** Per token: one or more blank lines separate it from what precedes it (code or comment). */
  readonly blankBefore: boolean[];
  /** Per bracket token: the index of its partner, -1 when unmatched or not a bracket. */
  private readonly match: number[];
  /** Per opening bracket: the source breaks a line between it and its partner, outside nested brackets. */
  private readonly broken: boolean[];

  constructor(text: string, toks: readonly IToken[], comments: readonly IToken[]) {
    const n = toks.length;
    this.blankBefore = new Array<boolean>(n).fill(false);
    this.match = new Array<number>(n).fill(-1);
    this.broken = new Array<boolean>(n).fill(false);

    // Tokens and comments are each in source order: merge them to classify every gap.
    let ci = 0;
    let prevEnd = -1;
    let prevIsComment = false;
    const gapNewlines = (start: number): number => countNewlines(text, Math.max(prevEnd, 0), start);
    const takeComment = (): void => {
      const c = comments[ci++]!;
      const newlines = gapNewlines(c.startOffset);
      this.comments.push({
        text: c.image.trimEnd(),
        start: c.startOffset,
        trailing: prevEnd >= 0 && !prevIsComment && newlines === 0,
        blankBefore: prevEnd >= 0 && newlines >= 2,
      });
      prevEnd = tokenEnd(c);
      prevIsComment = true;
    };
    const stack: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = toks[i]!;
      while (ci < comments.length && comments[ci]!.startOffset < t.startOffset) takeComment();
      this.blankBefore[i] = prevEnd >= 0 && gapNewlines(t.startOffset) >= 2;
      prevEnd = tokenEnd(t);
      prevIsComment = false;

      const name = t.tokenType.name;
      if (OPENERS.has(name)) stack.push(i);
      else if (CLOSERS.has(name)) {
        const o = stack.pop();
        if (o !== undefined) {
          this.match[o] = i;
          this.match[i] = o;
        }
      }
      // A line break after this token, before the next, belongs to the innermost open bracket.
      const top = stack[stack.length - 1];
      const next = toks[i + 1];
      if (top !== undefined && next && !this.broken[top] && countNewlines(text, prevEnd, next.startOffset) > 0) this.broken[top] = true;
    }
    while (ci < comments.length) takeComment();
  }

  isBroken(open: number): boolean {
    return this.broken[open] === true;
  }

  /** Whether a comment lies between the bracket token `open` (at `from`) and its partner (at `to`). */
  hasComments(from: number, to: number): boolean {
    // The first comment after `from`, by binary search over the sorted starts.
    let lo = 0;
    let hi = this.comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.comments[mid]!.start <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.comments.length && this.comments[lo]!.start < to;
  }

  partner(bracket: number): number {
    return this.match[bracket]!;
  }
}
