/**
 * The .kfp lexer: a scan over character codes that gives exactly the tokens, comments and
 * errors that Chevrotain's lexer gives for the token definitions of grammar/tokens.ts. Those
 * definitions stay the specification (the parser is built from them, and
 * test/lexer-agreement.test.ts compares the two lexers on every example, fixture and
 * thousands of random texts); this scan is what runs, because Chevrotain's lexer tries a
 * regular expression per candidate token and allocates each image, which was a third of the
 * parse of a large file (100,000 components: 1.4 million tokens).
 *
 * Chevrotain's rules, as this scan follows them: at each offset the first definition that
 * matches wins (not the longest), except that a keyword gives way to a longer identifier
 * (`longer_alt`); characters where no definition matches form one error per run, which ends
 * where some definition matches again.
 */
import type { IToken, TokenType } from 'chevrotain';
import * as T from '../../grammar/tokens.js';

export interface LexError {
  readonly offset: number;
  readonly length: number;
}

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly errors: LexError[];
}

const keywordTypes = new Map<string, TokenType>(T.keywords.map((t) => [String((t.PATTERN as RegExp).source), t]));

/** One object shape for every token (the parser's hot paths see a single hidden class). */
function token(image: string, startOffset: number, tokenType: TokenType): IToken {
  return { image, startOffset, endOffset: startOffset + image.length - 1, tokenTypeIdx: tokenType.tokenTypeIdx!, tokenType } as IToken;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
/** grammar/tokens.ts WhiteSpace: space, \t \n \v \f \r, U+00A0, U+FEFF, U+2028, U+2029. */
export const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;
/** What ends a comment and a string's line (a string may hold U+2028, a comment may not). */
const isCommentEnd = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/** Single-character punctuation, by character code: the images are shared constants. */
const single = new Map<number, [string, TokenType]>([
  [40, ['(', T.LParen]], [41, [')', T.RParen]], [123, ['{', T.LBrace]], [125, ['}', T.RBrace]],
  [91, ['[', T.LBracket]], [93, [']', T.RBracket]], [44, [',', T.Comma]], [58, [':', T.Colon]],
]);

/** The end of `-?\d+` and of FloatLiteral's pattern from `i` (after the optional `-`), and which it is; undefined: no digit. */
function number(text: string, i: number): { end: number; float: boolean } | undefined {
  let j = i;
  while (isDigit(text.charCodeAt(j))) j++;
  if (j === i) return undefined;
  // \d+\.\d+([eE][+-]?\d+)?
  if (text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1))) {
    let k = j + 1;
    while (isDigit(text.charCodeAt(k))) k++;
    return { end: exponent(text, k) ?? k, float: true };
  }
  // \d+[eE][+-]?\d+
  const e = exponent(text, j);
  return e === undefined ? { end: j, float: false } : { end: e, float: true };
}

/** The end of `[eE][+-]?\d+` at `i`, or undefined. */
function exponent(text: string, i: number): number | undefined {
  const c = text.charCodeAt(i);
  if (c !== 101 && c !== 69) return undefined;
  let k = i + 1;
  const s = text.charCodeAt(k);
  if (s === 43 || s === 45) k++;
  const digits = k;
  while (isDigit(text.charCodeAt(k))) k++;
  return k > digits ? k : undefined;
}

/** StringLiteral's body from the opening quote at `i`: the offset after the closing quote, or -(the end of the unterminated string) - 1. */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const c = text.charCodeAt(j);
    if (c === 34) return j + 1;
    if (Number.isNaN(c) || c === 10 || c === 13) return -j - 1;
    if (c === 92) {
      const n = text.charCodeAt(j + 1);
      if (Number.isNaN(n) || n === 10 || n === 13) return -j - 1;
      j += 2;
      continue;
    }
    j++;
  }
}

/**
 * The token at `i` (a comment included), or undefined where no definition matches. `i` is not
 * on whitespace.
 */
export function tokenAt(text: string, i: number): IToken | undefined {
  const c = text.charCodeAt(i);
  if (isIdentStart(c)) {
    let j = i + 1;
    while (isIdentPart(text.charCodeAt(j))) j++;
    const word = text.slice(i, j);
    return token(word, i, keywordTypes.get(word) ?? T.Identifier);
  }
  const one = single.get(c);
  if (one) return token(one[0], i, one[1]);
  const next = text.charCodeAt(i + 1);
  switch (c) {
    case 34: {
      // " — a """description""" (or one never closed: the rest of the file), else a string.
      if (next === 34 && text.charCodeAt(i + 2) === 34) {
        const close = text.indexOf('"""', i + 3);
        return close < 0 ? token(text.slice(i), i, T.UnterminatedTripleString) : token(text.slice(i, close + 3), i, T.TripleString);
      }
      const end = stringEnd(text, i);
      return end > 0 ? token(text.slice(i, end), i, T.StringLiteral) : token(text.slice(i, -end - 1), i, T.UnterminatedString);
    }
    case 35: {
      let j = i + 1;
      while (j < text.length && !isCommentEnd(text.charCodeAt(j))) j++;
      return token(text.slice(i, j), i, T.Comment);
    }
    case 96: {
      if (next !== 96 || text.charCodeAt(i + 2) !== 96) return undefined;
      const fence = T.matchFence(text, i, [], {});
      return fence ? token(fence[0], i, T.Fence) : token(text.slice(i), i, T.UnterminatedFence);
    }
    case 45: {
      const n = number(text, i + 1);
      if (n) return token(text.slice(i, n.end), i, n.float ? T.FloatLiteral : T.IntLiteral);
      return next === 62 ? token('->', i, T.Arrow) : undefined;
    }
    case 46:
      return next === 46 ? token('..', i, T.DotDot) : token('.', i, T.Dot);
    case 61:
      return next === 61 ? token('==', i, T.EqEq) : token('=', i, T.Equals);
    case 33:
      return next === 61 ? token('!=', i, T.NotEq) : undefined;
    case 60:
      return next === 61 ? token('<=', i, T.LtEq) : token('<', i, T.Lt);
    case 62:
      return next === 61 ? token('>=', i, T.GtEq) : token('>', i, T.Gt);
  }
  const n = number(text, i);
  if (n) return token(text.slice(i, n.end), i, n.float ? T.FloatLiteral : T.IntLiteral);
  return undefined;
}

/** Whether some definition matches at `i` (where an error's run of characters ends). */
const startsToken = (text: string, i: number): boolean => isSpace(text.charCodeAt(i)) || tokenAt(text, i) !== undefined;

export function tokenize(text: string): LexResult {
  const tokens: IToken[] = [];
  const comments: IToken[] = [];
  const errors: LexError[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    if (isSpace(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const tok = tokenAt(text, i);
    if (tok === undefined) {
      const start = i;
      do i++;
      while (i < length && !startsToken(text, i));
      errors.push({ offset: start, length: i - start });
      continue;
    }
    (tok.tokenType === T.Comment ? comments : tokens).push(tok);
    i = tok.endOffset! + 1;
  }
  return { tokens, comments, errors };
}
