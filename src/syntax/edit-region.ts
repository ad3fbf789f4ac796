/**
 * Where an edit lands in a list of sibling declarations or statements, for the incremental
 * reparse (incremental.ts): the siblings it touches and the whole lines they stand on. The
 * lines are chosen so that lexing them alone gives the tokens the whole file's lexing gives
 * there: they start at a line start with only indentation before the first sibling, and end
 * after a `\n` with only blanks and a comment after the last one, so no token of another
 * sibling is on them and no token crosses their ends (a multi-line string or fence left open
 * inside them is a lexing error of theirs, and the reparse gives up).
 */
import type { Span } from '../source.js';

/** One change between two texts: [start, oldEnd) of the old text became [start, newEnd) of the new. */
export interface TextEdit {
  readonly start: number;
  readonly oldEnd: number;
  readonly newEnd: number;
}

/**
 * The edit between `before` and `after` (their common start and end left out); undefined when
 * they are equal. An editor's keystroke, or a whole-text change that alters one place, is one
 * such edit; several changes at once become one edit spanning them all. Where text repeats
 * around the change, the edit could be placed in several ways: `leftmost` takes the common end
 * first, which places it as early as it can go (a line typed after the last statement of a
 * block is then an edit of that statement's line, not of the line of the block's `}`).
 */
export function textEdit(before: string, after: string, leftmost = false): TextEdit | undefined {
  if (before === after) return undefined;
  const max = Math.min(before.length, after.length);
  let start = 0;
  let tail = 0;
  const head = (limit: number) => {
    while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  };
  const end = (limit: number) => {
    while (tail < limit && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  };
  if (leftmost) {
    end(max);
    head(max - tail);
  } else {
    head(max);
    end(max - start);
  }
  return { start, oldEnd: before.length - tail, newEnd: after.length - tail };
}

/** The start of the line of `offset` when only spaces and tabs precede it there; undefined otherwise. */
function lineStartBefore(text: string, offset: number): number | undefined {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10) return i + 1;
    if (c !== 32 && c !== 9) return undefined;
  }
  return 0;
}

/**
 * Past the `\n` ending the line of `offset` (or the text's end) when only spaces, tabs, a CR
 * LF's CR and a `#` comment follow it there; undefined otherwise. Only `\n` counts: a string
 * may hold U+2028, and a lone CR or U+2028 ends a comment with more of the line after it.
 */
function lineEndAfter(text: string, offset: number): number | undefined {
  for (let i = offset; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return i + 1;
    if (c === 32 || c === 9 || (c === 13 && text.charCodeAt(i + 1) === 10)) continue;
    if (c !== 35) return undefined;
    // A comment: to the first character that ends it, which must then be the line's `\n` (or CR LF).
    while (i + 1 < text.length && !isCommentEnd(text.charCodeAt(i + 1))) i++;
  }
  return text.length;
}

function isCommentEnd(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/** Siblings `lo`..`hi` (inclusive) of a list, and the lines [start, end) of the old text that hold them and the edit. */
export interface Region {
  readonly lo: number;
  readonly hi: number;
  readonly start: number;
  readonly end: number;
}

/**
 * The siblings of `list` (in text order, not overlapping) an edit of the old text `text`
 * touches, on whole lines holding nothing else; more siblings are taken while a line is
 * shared. `outer`: how far the lines may reach past the first and last siblings (the whole file
 * for top-level declarations); without it (a block's statements, between its braces) an edit
 * before the first or after the last sibling gives undefined, as does an empty list.
 */
export function regionOf(text: string, list: readonly { readonly span: Span }[], edit: TextEdit, outer?: Span): Region | undefined {
  const n = list.length;
  if (n === 0) return undefined;
  // a: the last sibling starting at or before the edit; b: the first ending at or after it.
  let lo = -1;
  for (let l = 0, h = n - 1; l <= h; ) {
    const m = (l + h) >> 1;
    if (list[m]!.span.start <= edit.start) (lo = m), (l = m + 1);
    else h = m - 1;
  }
  let hi = n;
  for (let l = 0, h = n - 1; l <= h; ) {
    const m = (l + h) >> 1;
    if (list[m]!.span.end >= edit.oldEnd) (hi = m), (h = m - 1);
    else l = m + 1;
  }
  if (lo >= 0 && hi < n && hi < lo) lo = hi;
  let start: number | undefined;
  for (; start === undefined; lo--) {
    if (lo < 0) {
      if (!outer) return undefined;
      start = outer.start;
    } else start = lineStartBefore(text, list[lo]!.span.start);
  }
  lo = Math.max(lo + 1, 0);
  let end: number | undefined;
  for (; end === undefined; hi++) {
    if (hi >= n) {
      if (!outer) return undefined;
      end = outer.end;
      break;
    }
    const e = lineEndAfter(text, list[hi]!.span.end);
    // The line's own `\n` must survive the edit: deleting it joins the next sibling's line.
    if (e !== undefined && (e === text.length && text.charCodeAt(e - 1) !== 10 ? e >= edit.oldEnd : e - 1 >= edit.oldEnd)) {
      end = e;
      break;
    }
  }
  hi = Math.min(hi, n - 1);
  if (start > edit.start || end < edit.oldEnd || lo > hi) return undefined;
  return { lo, hi, start, end };
}
