/**
 * Source text → tokens → CST (Chevrotain) → AST. Lexing and parsing report every
 * problem they find, and parsing always gives a tree: the parser recovers (it inserts
 * or deletes a token, or skips to a token that can follow), and the AST is built from
 * whatever CST came out, with recovered nodes marked (see cst-to-ast.ts). `recovery`
 * says where the errors were, for the compile gate that drops their consequences.
 */
import type { CstNode, IRecognitionException, IToken, TokenType } from 'chevrotain';
import { KfpParser, MAX_SYNTAX_ERRORS, TooManySyntaxErrors } from '../../grammar/parser.js';
import * as T from '../../grammar/tokens.js';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../source.js';
import type * as ast from './ast.js';
import { AstInStages, cstToAst } from './cst-to-ast.js';
import { fastCst } from './fast-cst.js';
import { tokenize } from './lexer.js';
import { MAX_NESTING, tooDeep } from './nesting.js';
import { TokenStream } from './token-stream.js';
import { namesInSkippedTokens, type Recovery } from './recovery.js';

/** Larger inputs are rejected up front: no real pipeline comes near, and it bounds time and memory. */
export const MAX_SOURCE_BYTES = 8 * 1024 * 1024;
export { MAX_NESTING, tooDeep } from './nesting.js';

let parser: KfpParser | undefined;

function getParser(): KfpParser {
  parser ??= new KfpParser();
  return parser;
}

export interface ParseResult {
  /** Always present: after syntax errors, what parsed (recovered nodes are marked). */
  readonly document: ast.Document;
  readonly diagnostics: Diagnostic[];
  readonly comments: IToken[];
  readonly tokens: IToken[];
  /** Present when lexing or parsing found an error: where, and what the broken parts declared. */
  readonly recovery?: Recovery;
}

function emptyDocument(file: SourceFile): ast.Document {
  return { kind: 'Document', file, span: { start: 0, end: file.text.length }, imports: [], components: [], pipelines: [], recovered: true };
}

/** The tokens that stand in for the unterminated ones: the parser sees a whole string, fence or description. */
const standIn: Record<string, TokenType> = { UnterminatedString: T.StringLiteral, UnterminatedFence: T.Fence, UnterminatedTripleString: T.TripleString };

const punctuation: Record<string, string> = {
  LParen: '(', RParen: ')', LBrace: '{', RBrace: '}', LBracket: '[', RBracket: ']', Comma: ',', Colon: ':',
  Equals: '=', Arrow: '->', DotDot: '..', Dot: '.', EqEq: '==', NotEq: '!=', LtEq: '<=', GtEq: '>=', Lt: '<', Gt: '>',
};
const tokenText: Record<string, string> = {
  StringLiteral: 'a string', IntLiteral: 'an integer', FloatLiteral: 'a number', Identifier: 'a name',
  TripleString: 'a """description"""', Fence: 'a ``` code block', EOF: 'the end of the file',
};

export function describeTokenType(name: string): string {
  const p = punctuation[name];
  return p ? `\`${p}\`` : (tokenText[name] ?? `\`${name.toLowerCase()}\``);
}

function describeFound(tok: IToken): string {
  if (tok.tokenType.name === 'EOF') return 'the end of the file';
  const image = tok.image.length > 20 ? tok.image.slice(0, 20) + '…' : tok.image;
  return `\`${image.replace(/\n[^]*/, '…')}\``;
}

/**
 * What parsing did since the process started, for tests that count work instead of timing
 * it: files parsed by the fast descent and by Chevrotain, nodes and tokens put in fast trees.
 */
export const parseWork = { fast: 0, chevrotain: 0, cstElements: 0 };

interface Lexed {
  tokens: IToken[];
  comments: IToken[];
  /** Offsets of lexing errors (a character that starts no token, an unterminated token). */
  errorOffsets: number[];
  /** Unterminated tokens, passed to the parser as the token they meant to be. */
  broken: Set<IToken>;
}

export interface ParseOptions {
  /**
   * `--max-errors N` (N > 0): of each kind of lexing error, only the first N are built as
   * diagnostics and the rest counted (one KFP1105 with `omitted`). Each one counted has N
   * of its kind before it, so it could never be among the N printed; 130,000 stray
   * characters then cost 130,000 offsets, not 130,000 diagnostics sorted and deduplicated.
   */
  readonly maxErrors?: number;
  /**
   * The caller knows the file holds a syntax error (the incremental reparse found one that no
   * context can mend): the fast descent, which would stop at it, is not tried.
   */
  readonly knownBroken?: boolean;
}

/** Counts what is past the cap; the KFP1105 it gives stands for all of them, at the first one's place. */
class Overflow {
  count = 0;
  first = Infinity;
  add(offset: number): void {
    this.count++;
    if (offset < this.first) this.first = offset;
  }
}

function lex(file: SourceFile, diagnostics: Diagnostic[], cap: number): Lexed {
  const result = tokenize(file.text);
  const errorOffsets: number[] = [];
  const broken = new Set<IToken>();
  const messages = new Map<string, string>();
  const overflow = new Overflow();
  let built = 0;
  for (const e of result.errors) {
    errorOffsets.push(e.offset);
    if (built++ >= cap) {
      overflow.add(e.offset);
      continue;
    }
    const ch = file.text.slice(e.offset, e.offset + 1);
    let message = messages.get(ch);
    if (message === undefined) messages.set(ch, (message = `unexpected character \`${ch}\``));
    diagnostics.push(
      diag('UnexpectedCharacter', message, {
        file,
        span: { start: e.offset, end: e.offset + Math.max(1, e.length > 1 ? 1 : e.length) },
        label: 'not part of any token',
        hint: ch === "'" ? 'strings use double quotes: "text"' : undefined,
      }),
    );
  }
  const tokens: IToken[] = [];
  const comments = result.comments;
  let unterminated = 0;
  for (const tok of result.tokens) {
    const name = tok.tokenType.name;
    const sp = { start: tok.startOffset, end: tok.endOffset! + 1 };
    const type = Object.hasOwn(standIn, name) ? standIn[name] : undefined;
    if (type === undefined) {
      tokens.push(tok);
      continue;
    }
    if (unterminated++ >= cap) {
      overflow.add(sp.start);
    } else if (name === 'UnterminatedString') {
      diagnostics.push(diag('UnterminatedString', 'unterminated string', { file, span: { start: sp.start, end: sp.start + 1 }, label: 'this string has no closing `"` on its line', hint: 'strings end on the line they start; use """…""" for text over several lines' }));
    } else if (name === 'UnterminatedFence') {
      diagnostics.push(diag('UnterminatedBlock', 'unterminated ``` code block', { file, span: { start: sp.start, end: sp.start + 3 }, label: 'no line with only ``` closes this block', hint: 'put ``` alone on a line after the code' }));
    } else {
      diagnostics.push(diag('UnterminatedBlock', 'unterminated """ description', { file, span: { start: sp.start, end: sp.start + 3 }, label: 'no closing """', hint: 'end the description with """' }));
    }
    // The parser gets the token the user meant, so that one missing quote is one error, not a cascade.
    const stand: IToken = { ...tok, tokenType: type, tokenTypeIdx: type.tokenTypeIdx! };
    broken.add(stand);
    errorOffsets.push(sp.start);
    tokens.push(stand);
  }
  if (overflow.count > 0) {
    diagnostics.push({
      ...diag('TooManyDiagnostics', `… and ${overflow.count} more lexing errors in this file, not built`, { file, span: { start: overflow.first, end: overflow.first } }),
      omitted: overflow.count,
    });
  }
  return { tokens, comments, errorOffsets, broken };
}

function checkNesting(file: SourceFile, tokens: IToken[], diagnostics: Diagnostic[]): boolean {
  const tok = tooDeep(tokens);
  if (tok === undefined) return true;
  diagnostics.push(diag('TooDeep', `nesting deeper than ${MAX_NESTING} levels`, { file, span: { start: tok.startOffset, end: tok.endOffset! + 1 }, label: 'too deep', hint: 'flatten the structure; no pipeline needs this depth' }));
  return false;
}

/**
 * The tokens of `text`, a part of a file that starts at `offset` (a line start), located in the
 * file; undefined when the part has a lexing error (an unterminated token included), which only
 * the whole file's parse reports. For the incremental reparse (incremental.ts).
 */
export function lexPart(text: string, offset: number): IToken[] | undefined {
  const result = tokenize(text);
  if (result.errors.length > 0) return undefined;
  for (const tok of result.tokens) {
    if (Object.hasOwn(standIn, tok.tokenType.name)) return undefined;
    tok.startOffset += offset;
    tok.endOffset! += offset;
  }
  return result.tokens;
}

/** A file's tokens and comments, as its parse gives them (its lexing errors dropped). */
export function lexFile(file: SourceFile): { tokens: IToken[]; comments: IToken[] } {
  const { tokens, comments } = lex(file, [], Infinity);
  return { tokens, comments };
}

function syntaxHint(e: IRecognitionException): string | undefined {
  const rule = e.context.ruleStack[e.context.ruleStack.length - 1];
  const found = e.token.tokenType;
  if (rule === 'param') return 'a parameter is `name: type`, e.g. `value_1: int` or `n: int = 2`';
  if (rule === 'program') return 'a file holds `import`, `component` and `pipeline` declarations';
  if (found === T.StringLiteral && rule === 'statement') return 'a task is a component call, e.g. `sum = add(1, 2)`';
  if (rule === 'taskStmt' || rule === 'call') return 'a task is a component call, e.g. `sum = add(value_1, 2)`';
  if (rule === 'componentDecl') return 'e.g. `component add(a: int, b: int) -> int { ```python … ``` }`';
  if (rule === 'pipelineDecl') return 'e.g. `pipeline "my pipeline" (n: int = 1) { … }`';
  if (rule === 'setting' || rule === 'componentItem') return 'a setting is `name: value`, e.g. `image: "python:3.11"`';
  return undefined;
}

function syntaxMessage(e: IRecognitionException): { message: string; label: string } {
  const found = describeFound(e.token);
  if (e.name === 'MismatchedTokenException') {
    const m = /Expecting token of type --> (\w+) <--/.exec(e.message);
    const expected = m ? describeTokenType(m[1]!) : 'something else';
    return { message: `expected ${expected}, found ${found}`, label: `expected ${expected}` };
  }
  if (e.name === 'NotAllInputParsedException') return { message: `unexpected ${found} at the top level`, label: 'not a declaration' };
  if (e.name === 'EarlyExitException') return { message: `unexpected ${found}`, label: 'expected at least one item here' };
  return { message: `unexpected ${found}`, label: 'not expected here' };
}

export function parseSource(file: SourceFile, options: ParseOptions = {}): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const cap = options.maxErrors !== undefined && options.maxErrors > 0 ? options.maxErrors : Infinity;
  if (file.text.length > MAX_SOURCE_BYTES) {
    diagnostics.push(diag('TooLarge', `file is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`, { file, span: { start: 0, end: 0 } }));
    return { document: emptyDocument(file), diagnostics, comments: [], tokens: [], recovery: gaveUp() };
  }
  // A file without errors (most files, and every large one that compiles) gets its tree from
  // the plain descent of fast-cst.ts over tokens lexed as it goes (token-stream.ts); Chevrotain,
  // which reports and recovers, parses the rest. Its AST is built statement by statement as it
  // parses (AstInStages); a descent that gives up leaves that half-built AST to the garbage,
  // diagnostics included.
  if (!options.knownBroken) {
    const stream = new TokenStream(file.text);
    const stages = new AstInStages(file);
    const fast = fastCst(stream, (n) => stages.settle(n), stages);
    if (fast && !stream.failed) {
      parseWork.fast++;
      parseWork.cstElements += fast.elements;
      const built = stages.finish(fast.cst);
      return withLazyTokens({ document: built.document, diagnostics: built.diagnostics, comments: stream.comments }, file);
    }
  }
  const { tokens, comments, errorOffsets, broken } = lex(file, diagnostics, cap);
  if (!checkNesting(file, tokens, diagnostics)) return { document: emptyDocument(file), diagnostics, comments, tokens, recovery: gaveUp() };
  parseWork.chevrotain++;
  const p = getParser();
  p.input = tokens;
  let cst: CstNode = { name: 'program', children: {} };
  let complete = true;
  try {
    cst = p.program();
  } catch (e) {
    // Past MAX_SYNTAX_ERRORS the parser stops; the errors recorded so far are reported below.
    complete = false;
    if (!(e instanceof TooManySyntaxErrors)) {
      // Error recovery on pathological input can exhaust the stack; say where parsing gave up instead of crashing.
      if (!(e instanceof RangeError)) throw e;
      const first = p.errors[0]?.token ?? tokens[0];
      const start = first && first.tokenType.name !== 'EOF' ? first.startOffset : 0;
      diagnostics.push(diag('TooDeep', 'the file is too broken or too complex to parse', { file, span: { start, end: start + 1 }, hint: 'fix the first syntax error and try again' }));
      return { document: emptyDocument(file), diagnostics, comments, tokens, recovery: gaveUp() };
    }
  }
  // A syntax error up to the first token after an unterminated one is its consequence: the lexing error says it all.
  const brokenList = [...broken];
  const brokenEnds = brokenList.map((t) => tokens[tokens.indexOf(t) + 1]?.startOffset ?? file.text.length);
  const seen = new Set<number>();
  for (const e of p.errors.slice(0, MAX_SYNTAX_ERRORS)) {
    const tok = e.token;
    const start = tok.tokenType.name === 'EOF' || Number.isNaN(tok.startOffset) ? file.text.length : tok.startOffset;
    if (seen.has(start)) continue;
    seen.add(start);
    if (brokenList.some((b, i) => b.startOffset <= start && start <= brokenEnds[i]!)) continue;
    errorOffsets.push(start);
    const firstLine = tok.image.split('\n')[0]!.length;
    const end = tok.tokenType.name === 'EOF' ? start : start + Math.max(1, firstLine);
    const { message, label } = syntaxMessage(e);
    diagnostics.push(diag('SyntaxError', message, { file, span: { start, end }, label, hint: syntaxHint(e) }));
  }
  if (!complete) return { document: emptyDocument(file), diagnostics, comments, tokens, recovery: gaveUp() };
  errorOffsets.sort((a, b) => a - b);
  const built = cstToAst(file, cst, errorOffsets, broken);
  for (const d of built.diagnostics) diagnostics.push(d);
  if (errorOffsets.length === 0) return { document: built.document, diagnostics, comments, tokens };
  const names = built.recovery.names;
  for (const n of namesInSkippedTokens(cst, tokens)) names.add(n);
  return { document: built.document, diagnostics, comments, tokens, recovery: { regions: built.recovery.regions, names, gaveUp: false } };
}

/** A clean parse, whose tokens are lexed again only if asked for (the formatter reads them; check and build do not keep them). */
function withLazyTokens(parse: Omit<ParseResult, 'tokens'>, file: SourceFile): ParseResult {
  let tokens: IToken[] | undefined;
  return Object.defineProperty(parse, 'tokens', { get: () => (tokens ??= lexFile(file).tokens), enumerable: true }) as ParseResult;
}

function gaveUp(): Recovery {
  return { regions: [], names: new Set(), gaveUp: true };
}
