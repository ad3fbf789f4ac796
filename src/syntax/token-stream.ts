/**
 * A file's tokens lexed as the fast descent asks for them, and let go once it has passed them.
 * A file's tokens all alive at once (1.4 million for 100,000 components) were a third of what
 * the garbage collector had to copy and mark during a large check: tokens that die young cost
 * the scavenger nothing. The stream gives up on the first thing that only the full parse can
 * report (a character that starts no token, an unterminated string, fence or description,
 * nesting deeper than MAX_NESTING): it then says it `failed`, gives no more tokens, and the
 * caller lexes the whole file and parses it with recovery (parse.ts).
 */
import type { IToken } from 'chevrotain';
import * as T from '../../grammar/tokens.js';
import { isSpace, tokenAt } from './lexer.js';
import { NestingCounter } from './nesting.js';

/** What the fast descent reads tokens from: an array, or a stream. */
export interface TokenSource {
  /** The token at index `i`; undefined past the last. */
  at(i: number): IToken | undefined;
  /** The tokens before index `i` will not be asked for again. */
  release?(i: number): void;
}

const SHIFT = 10;
const CHUNK = 1 << SHIFT;
const UNTERMINATED: ReadonlySet<unknown> = new Set([T.UnterminatedString, T.UnterminatedFence, T.UnterminatedTripleString]);

export class TokenStream implements TokenSource {
  readonly comments: IToken[] = [];
  /** Lexing stopped at something the full parse must report (see above). */
  failed = false;
  private readonly chunks: (IToken[] | undefined)[] = [];
  private count = 0;
  private offset = 0;
  private done = false;
  /** Chunks before this one are let go. */
  private releasedChunks = 0;
  private readonly nesting = new NestingCounter();

  constructor(private readonly text: string) {}

  at(i: number): IToken | undefined {
    while (i >= this.count && !this.done) this.next();
    if (i >= this.count) return undefined;
    const chunk = this.chunks[i >> SHIFT];
    // A token asked for after it was let go: the descent broke its promise (our bug, loudly).
    if (chunk === undefined) throw new Error(`token ${i} was asked for after it was released`);
    return chunk[i & (CHUNK - 1)];
  }

  release(i: number): void {
    const below = i >> SHIFT;
    for (let c = this.releasedChunks; c < below; c++) this.chunks[c] = undefined;
    if (below > this.releasedChunks) this.releasedChunks = below;
  }

  /** Lexes the next token (after any spaces and comments), or ends the stream. */
  private next(): void {
    const text = this.text;
    for (;;) {
      while (this.offset < text.length && isSpace(text.charCodeAt(this.offset))) this.offset++;
      if (this.offset >= text.length) {
        this.done = true;
        return;
      }
      const tok = tokenAt(text, this.offset);
      if (tok === undefined || UNTERMINATED.has(tok.tokenType) || this.nesting.tooDeep(tok)) {
        this.failed = this.done = true;
        return;
      }
      this.offset = tok.endOffset! + 1;
      if (tok.tokenType === T.Comment) {
        this.comments.push(tok);
        continue;
      }
      const c = this.count >> SHIFT;
      (this.chunks[c] ??= []).push(tok);
      this.count++;
      return;
    }
  }
}
