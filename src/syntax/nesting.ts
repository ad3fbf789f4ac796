/**
 * How deep brackets nest, counted over tokens before any parser sees them: deeper nesting is
 * rejected up front so that no recursive descent (ours, Chevrotain's, the AST builder's) can
 * overflow the stack.
 */
import type { IToken } from 'chevrotain';
import * as T from '../../grammar/tokens.js';

/** Deeper nesting is rejected before parsing so that recursion can never overflow the stack. */
export const MAX_NESTING = 64;

/** Counts open brackets, and a run of `not` (which recurses in the parser like brackets do), token by token. */
export class NestingCounter {
  private nots = 0;
  constructor(private depth = 0) {}

  /** Counts `tok` in; true when it goes deeper than MAX_NESTING. */
  tooDeep(tok: IToken): boolean {
    const n = tok.tokenType;
    this.nots = n === T.Not ? this.nots + 1 : 0;
    if (n === T.LParen || n === T.LBrace || n === T.LBracket || this.nots > 0) {
      if (this.nots === 0) this.depth++;
      return this.depth + this.nots > MAX_NESTING;
    }
    if (n === T.RParen || n === T.RBrace || n === T.RBracket) this.depth = Math.max(0, this.depth - 1);
    return false;
  }
}

/** The first token nested deeper than MAX_NESTING, counting from `depth` open brackets (undefined: none). */
export function tooDeep(tokens: readonly IToken[], depth = 0): IToken | undefined {
  const counter = new NestingCounter(depth);
  return tokens.find((tok) => counter.tooDeep(tok));
}
