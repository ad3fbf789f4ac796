/**
 * The output side of the formatter: lines built token by token, with line breaks that the
 * layout requests lazily (so that a comment found before the next token can still go
 * where it belongs), indentation per broken construct, and the placement of comments.
 *
 * A comment is either trailing (code before it on its source line) or on its own line.
 * A trailing comment ends the output line it lands on, two spaces after the code. A
 * comment on its own line is printed at the indentation of the line that follows it.
 * When a comment sits where the layout has no line break (inside an expression, say),
 * the line breaks there anyway and the code continues on a continuation line, indented
 * one level more; the result is stable because the comment is then in the same place.
 */
import type { IToken } from 'chevrotain';
import { formatFence, formatTripleString } from './verbatim.js';

export const INDENT = 2;

/**
 * How a requested line break treats blank lines: `none` never prints one, `keep` prints
 * one where the source had at least one, `start` prints none before the first element
 * (the start of a block or file) but keeps them after a leading comment, and `force`
 * prints exactly one before the first element (between top-level declarations).
 */
export type BreakMode = 'none' | 'keep' | 'start' | 'force';

interface PendingBreak {
  mode: BreakMode;
  indent: number;
}

export interface CommentInfo {
  readonly text: string;
  readonly start: number;
  /** Code precedes it on its source line. */
  readonly trailing: boolean;
  /** One or more blank lines separate it from what precedes it. */
  readonly blankBefore: boolean;
}

export class Writer {
  private readonly lines: string[] = [];
  /** The line being built (with its indentation), or undefined between lines. */
  private cur: string | undefined;
  /** Indentation of the current line (of its first line, for a line that a multi-line token continued). */
  private curIndent = 0;
  /** The current line is a continuation line forced by a comment. */
  private curContinues = false;
  /** A trailing comment waiting for the end of the current line. */
  private trailing: string | undefined;
  /** The next token must start a continuation line at this indentation (a comment forced it). */
  private forced: number | undefined;
  private pending: PendingBreak | undefined;
  /** Inner and outer indentation of each open broken construct. */
  private readonly stack: { inner: number; outer: number }[] = [];
  private ci = 0;

  constructor(
    private readonly comments: readonly CommentInfo[],
    private readonly blankBefore: (tokenIndex: number) => boolean,
  ) {}

  /** Indentation of lines directly inside the innermost open construct. */
  private base(): number {
    return this.stack[this.stack.length - 1]?.inner ?? 0;
  }

  /** Requests a line break before the next token, at the current construct's indentation. */
  nl(mode: BreakMode): void {
    this.pending = { mode, indent: this.base() };
  }

  /** Opens a broken construct: its lines are indented one level more than the line it opens on. */
  open(): void {
    this.stack.push({ inner: this.curIndent + INDENT, outer: this.curIndent });
  }

  /** Closes the innermost broken construct: the closing token starts a line at the opener's indentation. */
  close(): void {
    const top = this.stack.pop();
    this.pending = { mode: 'none', indent: top?.outer ?? 0 };
  }

  /** Prints the comments that precede source offset `limit`, as the pending break places them. */
  flushComments(limit: number, sameIndent = false): void {
    while (this.ci < this.comments.length && this.comments[this.ci]!.start < limit) {
      const c = this.comments[this.ci++]!;
      if (c.trailing && this.cur !== undefined) {
        if (this.trailing === undefined) {
          this.trailing = c.text;
          continue;
        }
        // A second trailing comment for the same output line goes on a line of its own.
      }
      const p = this.pending;
      if (p) {
        this.startLine(p.indent, p.mode === 'force' || (p.mode === 'keep' && c.blankBefore));
        this.cur += c.text;
        this.endLine();
        if (p.mode !== 'none') p.mode = 'keep';
      } else {
        const indent = this.forced ?? this.continuationIndent(sameIndent);
        this.startLine(indent, false);
        this.cur += c.text;
        this.endLine();
        this.forced = indent;
      }
    }
  }

  /** Writes a token: after its comments, on a new line if one was requested or forced, else after a space if `space`. */
  token(tok: IToken, tokenIndex: number, space: boolean, opts: { sameIndent?: boolean } = {}): void {
    this.flushComments(tok.startOffset, opts.sameIndent);
    const comma = tok.tokenType.name === 'Comma';
    if (this.pending) {
      const p = this.pending;
      const blank = p.mode === 'force' || (p.mode === 'keep' && this.blankBefore(tokenIndex));
      this.startLine(p.indent, blank);
    } else if (this.forced !== undefined) {
      this.startLine(this.forced, false, true);
    } else if (this.trailing !== undefined && !comma) {
      this.startLine(this.continuationIndent(opts.sameIndent ?? false), false, true);
    } else if (this.cur === undefined) {
      this.startLine(this.base(), false);
    } else if (space) {
      this.cur += ' ';
    }
    this.pending = undefined;
    this.forced = undefined;
    this.emit(tok);
  }

  /** Appends text that has no token (a comma the layout adds) to the current line. */
  text(s: string): void {
    if (this.cur === undefined) this.startLine(this.base(), false);
    this.cur += s;
  }

  /** Ends the output: the remaining comments, then the text with one final newline (none for an empty file). */
  finish(): string {
    this.flushComments(Number.POSITIVE_INFINITY);
    this.endLine();
    while (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
    return this.lines.length === 0 ? '' : this.lines.join('\n') + '\n';
  }

  private emit(tok: IToken): void {
    const name = tok.tokenType.name;
    if (name !== 'Fence' && name !== 'TripleString') {
      this.cur += tok.image;
      return;
    }
    const indent = ' '.repeat(this.curIndent);
    const out = name === 'Fence' ? formatFence(tok.image, indent) : formatTripleString(tok.image, indent);
    let line = (this.cur ?? '') + out[0]!;
    for (let i = 1; i < out.length; i++) {
      this.lines.push(line);
      line = out[i]!;
    }
    this.cur = line;
  }

  private continuationIndent(sameIndent: boolean): number {
    if (sameIndent || this.curContinues) return this.curIndent;
    return this.curIndent + INDENT;
  }

  private startLine(indent: number, blank: boolean, continues = false): void {
    this.endLine();
    if (blank && this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.lines.push('');
    this.cur = ' '.repeat(indent);
    this.curIndent = indent;
    this.curContinues = continues;
  }

  private endLine(): void {
    if (this.cur === undefined) return;
    if (this.trailing !== undefined) this.cur += (this.cur.trim() === '' ? '' : '  ') + this.trailing;
    this.trailing = undefined;
    this.lines.push(this.cur);
    this.cur = undefined;
  }
}
