/**
 * The parse of an edited file from the parse of its previous text, for the language server: a
 * keystroke in a large file reparses the lines it touched, not the file. Only the innermost list
 * the edit falls in is reparsed (statements of a pipeline, `if`, `for` or `finally` block, or
 * the top-level declarations) and only the siblings on the edited lines (edit-region.ts); the
 * trees of the others are kept, those after the edit moved by its length (shift.ts).
 *
 * The result is always the one parseSource gives the new text (test/incremental-parse.test.ts
 * compares them after many random edits): whenever the shortcut could differ, the whole file is
 * parsed. That is when the previous parse had any diagnostic, when the reparsed lines hold a
 * lexing error, a syntax error, a diagnostic or nesting too deep, or when the edit is not within
 * whole lines of siblings (then the enclosing list is tried, up to the top level).
 */
import type { IToken, TokenType } from 'chevrotain';
import * as T from '../../grammar/tokens.js';
import type { SourceFile } from '../source.js';
import type * as ast from './ast.js';
import { AstInStages } from './cst-to-ast.js';
import { regionOf, textEdit, type TextEdit } from './edit-region.js';
import { fastCst } from './fast-cst.js';
import { lexFile, lexPart, MAX_SOURCE_BYTES, parseSource, tooDeep, type ParseOptions, type ParseResult } from './parse.js';
import { shifted, withList } from './shift.js';

/** What reparsing did since the process started, for tests that count work instead of timing it. */
export const reparseWork = { incremental: 0, full: 0, tokens: 0, broken: 0 };

/**
 * Reparsed lines that fail on a token they hold, well before their end, after starting as a
 * statement or declaration starts: the same tokens fail the same way in any enclosing parse
 * (see brokenWithin), so the file has a syntax error and only the recovering parser can say
 * what it is.
 */
const BROKEN = Symbol('broken');
type Broken = typeof BROKEN;

/** The parse of `file`, an edit of the text `previous` was parsed from. */
export function reparse(previous: ParseResult, file: SourceFile, options: ParseOptions = {}): ParseResult {
  const quick = options.maxErrors === undefined ? tryReparse(previous, file) : undefined;
  if (quick && quick !== BROKEN) {
    reparseWork.incremental++;
    return quick;
  }
  reparseWork.full++;
  if (quick === BROKEN) reparseWork.broken++;
  return parseSource(file, quick === BROKEN ? { ...options, knownBroken: true } : options);
}

type Decl = ast.ImportDecl | ast.ComponentDecl | ast.PipelineDecl;

interface Context {
  readonly before: string;
  readonly file: SourceFile;
  readonly edit: TextEdit;
  readonly delta: number;
}

function tryReparse(previous: ParseResult, file: SourceFile): ParseResult | Broken | undefined {
  const doc = previous.document;
  if (previous.recovery || previous.diagnostics.length > 0 || file.text.length > MAX_SOURCE_BYTES) return undefined;
  const before = doc.file.text;
  const edit = textEdit(before, file.text);
  if (!edit) return result({ ...doc, file }, file);
  const delta = file.text.length - before.length;
  // Where text repeats around the change, the edit has two extreme places (see textEdit). One
  // in a line's indentation (a line added after a block's last statement, found on the line of
  // its `}`) is better placed early, at the end of the line before; otherwise as found.
  const leftmost = textEdit(before, file.text, true)!;
  const places = leftmost.start === edit.start ? [edit] : inIndentation(before, edit.start) ? [leftmost, edit] : [edit, leftmost];
  for (const place of places) {
    const quick = attempt(doc, { before, file, edit: place, delta });
    if (quick) return quick;
  }
  return undefined;
}

/** Whether only spaces and tabs precede `offset` on its line. */
function inIndentation(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0 && text.charCodeAt(i) !== 10; i--) if (text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) return false;
  return true;
}

function attempt(doc: ast.Document, cx: Context): ParseResult | Broken | undefined {
  const { before, file, edit } = cx;
  const decls: Decl[] = [...doc.imports, ...doc.components, ...doc.pipelines].sort((a, b) => a.span.start - b.span.start);
  const region = regionOf(before, decls, edit, { start: 0, end: before.length });
  if (!region) return undefined;
  let replaced: readonly Decl[] | undefined;
  const only = decls[region.lo]!;
  if (region.lo === region.hi && only.kind === 'PipelineDecl') {
    // Within one pipeline: its statements, when the edit is among them.
    const body = statements(cx, only.body, 1);
    if (body === BROKEN) return BROKEN;
    if (body) replaced = [withList(only, ['body'], body, edit.oldEnd, cx.delta)];
  }
  if (!replaced) {
    const tokens = relex(cx, region, 0);
    if (!tokens) return undefined;
    const stages = new AstInStages(file);
    const failure = { at: 0 };
    const fast = fastCst(tokens, (n) => stages.settle(n), stages, 'program', failure);
    if (!fast) return brokenWithin(tokens, failure.at, DECLARATION_STARTS) ? BROKEN : undefined;
    const built = stages.finish(fast.cst);
    if (built.diagnostics.length > 0) return undefined;
    const d = built.document;
    replaced = [...d.imports, ...d.components, ...d.pipelines].sort((a, b) => a.span.start - b.span.start);
  }
  const all = [...decls.slice(0, region.lo), ...replaced, ...decls.slice(region.hi + 1).map((x) => shifted(x, edit.oldEnd, cx.delta))];
  const of = <K extends Decl['kind']>(kind: K) => all.filter((x): x is Extract<Decl, { kind: K }> => x.kind === kind);
  return result({ kind: 'Document', file, span: { start: 0, end: file.text.length }, imports: of('ImportDecl'), components: of('ComponentDecl'), pipelines: of('PipelineDecl') }, file);
}

/**
 * The statements of a block after the edit, when it falls among them (undefined otherwise):
 * the innermost block's statements reparsed, the enclosing statements rebuilt around them.
 * `depth`: the brackets open around the block (the nesting limit counts them).
 */
function statements(cx: Context, list: readonly ast.Statement[], depth: number): ast.Statement[] | Broken | undefined {
  const region = regionOf(cx.before, list, cx.edit);
  if (!region) return undefined;
  const { edit, delta } = cx;
  const keep = (replaced: readonly ast.Statement[]) => [...list.slice(0, region.lo), ...replaced, ...list.slice(region.hi + 1).map((s) => shifted(s, edit.oldEnd, delta))];
  const only = list[region.lo]!;
  if (region.lo === region.hi) {
    for (const path of blocks(only)) {
      const inner = path.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], only) as ast.Statement[];
      const body = statements(cx, inner, depth + 1);
      if (body === BROKEN) return BROKEN;
      if (body) return keep([withList(only, path, body, edit.oldEnd, delta)]);
    }
  }
  const tokens = relex(cx, region, depth);
  if (!tokens) return undefined;
  const stages = new AstInStages(cx.file);
  const failure = { at: 0 };
  const fast = fastCst(tokens, (n) => stages.settle(n), stages, 'statementList', failure);
  if (!fast) return brokenWithin(tokens, failure.at, STATEMENT_STARTS) ? BROKEN : undefined;
  const built = stages.finishStatements(fast.cst);
  if (built.diagnostics.length > 0) return undefined;
  return keep(built.statements);
}

const STATEMENT_STARTS: ReadonlySet<TokenType> = new Set([T.If, T.For, T.Finally, T.Identifier]);
const DECLARATION_STARTS: ReadonlySet<TokenType> = new Set([T.Import, T.Component, T.Pipeline]);

/**
 * Whether lines that the fast descent gave up on at token `at` make the whole file fail: when
 * they start as a statement (or declaration) starts, the sibling before them cannot take their
 * first token (no statement or declaration goes on with one), so any enclosing parse enters them
 * as the descent did; it looks two tokens ahead at most, so when a token follows the one it
 * failed on, nothing after the lines took part, and any enclosing parse fails on that token too.
 * Otherwise the text around may mend them (`s =` is completed by a call on the next line).
 */
function brokenWithin(tokens: readonly IToken[], at: number, starts: ReadonlySet<TokenType>): boolean {
  return tokens.length > 0 && starts.has(tokens[0]!.tokenType) && at + 1 < tokens.length;
}

/** Where a statement holds statements: the paths of its blocks' lists. */
function blocks(s: ast.Statement): (string | number)[][] {
  switch (s.kind) {
    case 'IfStmt':
      return [...s.branches.map((_, i) => ['branches', i, 'body']), ...(s.elseBody ? [['elseBody']] : [])];
    case 'ForStmt':
    case 'FinallyStmt':
      return [['body']];
    default:
      return [];
  }
}

/** The tokens of the region's lines in the new text; undefined on a lexing error or nesting too deep. */
function relex(cx: Context, region: { start: number; end: number }, depth: number): IToken[] | undefined {
  const tokens = lexPart(cx.file.text.slice(region.start, region.end + cx.delta), region.start);
  if (!tokens || tooDeep(tokens, depth)) return undefined;
  reparseWork.tokens += tokens.length;
  return tokens;
}

/** A clean parse (no diagnostics); its tokens and comments are lexed again if asked for (only the formatter reads them). */
function result(document: ast.Document, file: SourceFile): ParseResult {
  let lexed: { tokens: IToken[]; comments: IToken[] } | undefined;
  return {
    document,
    diagnostics: [],
    get tokens() {
      return (lexed ??= lexFile(file)).tokens;
    },
    get comments() {
      return (lexed ??= lexFile(file)).comments;
    },
  };
}
