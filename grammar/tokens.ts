/**
 * The tokens of the .kfp language. Order matters: Chevrotain tries them in this order,
 * so keywords come before Identifier (with `longer_alt` so that `forward` stays one
 * identifier), and longer punctuation (`..`, `->`, `==`) before its prefixes.
 */
import { createToken, Lexer, type CustomPatternMatcherFunc, type TokenType } from 'chevrotain';
import { lineBreakLength } from '../src/source.js';

/** Line breaks are LF, CR LF, a lone CR, U+2028 and U+2029 (src/source.ts lineBreakLength). */
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff\u2028\u2029]+/, group: Lexer.SKIPPED, line_breaks: true });
/** A comment ends at any line break: with CR-only line ends it must not swallow the rest of the file. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n\r\u2028\u2029]*/, group: 'comments' });

/**
 * A fenced code block: ``` then an optional language tag, a line break, the body, and a
 * line holding only ``` (after indentation). Anything may appear in the body, including
 * braces, quotes, `{{` and backticks inside strings, because only a line that is nothing
 * but the fence closes it.
 */
/**
 * The end of the line that `from` is on (the offset of its break, or the text's length), and
 * where the next starts. Any line break of the language ends a fence line, so that ``` closes
 * on its own line whatever the file's line ends; the body keeps U+2028 as written (Python
 * does not break lines there).
 */
function lineEndAt(text: string, from: number): { end: number; next: number } {
  for (let i = from; i < text.length; i++) {
    const n = lineBreakLength(text, i);
    if (n > 0) return { end: i, next: i + n };
  }
  return { end: text.length, next: text.length + 1 };
}

export const matchFence: CustomPatternMatcherFunc = (text, offset) => {
  if (!text.startsWith('```', offset)) return null;
  const first = lineEndAt(text, offset);
  if (first.end >= text.length) return null;
  if (!/^```[A-Za-z0-9_+-]*[ \t]*$/.test(text.slice(offset, first.end))) return null;
  let lineStart = first.next;
  while (lineStart <= text.length) {
    const { end, next } = lineEndAt(text, lineStart);
    const line = text.slice(lineStart, end);
    if (line.trim() === '```') {
      const close = lineStart + line.indexOf('```') + 3;
      return [text.slice(offset, close)] as unknown as RegExpExecArray;
    }
    if (end >= text.length) return null;
    lineStart = next;
  }
  return null;
};
export const Fence = createToken({ name: 'Fence', pattern: { exec: matchFence }, line_breaks: true, start_chars_hint: ['`'] });
/** A fence that never closes: lexed as one token so that we can say so, instead of a cascade. */
export const UnterminatedFence = createToken({ name: 'UnterminatedFence', pattern: /```[^]*/, line_breaks: true });

export const TripleString = createToken({ name: 'TripleString', pattern: /"""[^]*?"""/, line_breaks: true });
export const UnterminatedTripleString = createToken({ name: 'UnterminatedTripleString', pattern: /"""[^]*/, line_breaks: true });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/ });
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*/ });

export const FloatLiteral = createToken({ name: 'FloatLiteral', pattern: /-?(?:\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)/ });
export const IntLiteral = createToken({ name: 'IntLiteral', pattern: /-?\d+/ });

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

function keyword(name: string, word: string): TokenType {
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier });
}
export const Component = keyword('Component', 'component');
export const Pipeline = keyword('Pipeline', 'pipeline');
export const Import = keyword('Import', 'import');
export const As = keyword('As', 'as');
export const After = keyword('After', 'after');
export const If = keyword('If', 'if');
export const Elif = keyword('Elif', 'elif');
export const Else = keyword('Else', 'else');
export const For = keyword('For', 'for');
export const In = keyword('In', 'in');
export const Finally = keyword('Finally', 'finally');
export const And = keyword('And', 'and');
export const Or = keyword('Or', 'or');
export const Not = keyword('Not', 'not');
export const True = keyword('True', 'true');
export const False = keyword('False', 'false');
export const Null = keyword('Null', 'null');

export const Arrow = createToken({ name: 'Arrow', pattern: /->/ });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/ });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/ });
export const LtEq = createToken({ name: 'LtEq', pattern: /<=/ });
export const GtEq = createToken({ name: 'GtEq', pattern: />=/ });
export const Lt = createToken({ name: 'Lt', pattern: /</ });
export const Gt = createToken({ name: 'Gt', pattern: />/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });

export const keywords: readonly TokenType[] = [
  Component, Pipeline, Import, As, After, If, Elif, Else, For, In, Finally, And, Or, Not, True, False, Null,
];

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Fence,
  UnterminatedFence,
  TripleString,
  UnterminatedTripleString,
  StringLiteral,
  UnterminatedString,
  FloatLiteral,
  IntLiteral,
  ...keywords,
  Identifier,
  Arrow,
  DotDot,
  Dot,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Lt,
  Gt,
  Equals,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  Colon,
];
