/**
 * `kfpdsl fmt`: the canonical layout of a .kfp file, printed from its token stream.
 *
 * The tokens are walked by a small recursive descent that mirrors grammar/parser.ts, so
 * the printer knows what every bracket is: a block (always one item per line), or a
 * list, dict, call or parameter list (kept on one line when written on one line, else
 * one item per line with a trailing comma). Comments come from the lexer's `comments`
 * group and are merged in by offset (see writer.ts). Code blocks and descriptions are
 * re-indented as a whole and otherwise left alone (verbatim.ts). Only files that lex and
 * parse cleanly are formatted, and the result is checked to parse to the same syntax
 * tree before it is returned, so a formatter bug can never change a program.
 */
import type { IToken } from 'chevrotain';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { lineBreakLength, SourceFile } from '../source.js';
import { parseSource } from '../syntax/parse.js';
import type * as ast from '../syntax/ast.js';
import { Writer, type BreakMode, type CommentInfo } from './writer.js';

export interface FormatResult {
  /** The formatted text; undefined when the file does not lex and parse cleanly. */
  readonly text?: string;
  /** Why there is no text: the lexing and syntax errors (or an internal error). Empty when `text` is set. */
  readonly diagnostics: Diagnostic[];
}

const OPENERS = new Set(['LParen', 'LBracket', 'LBrace']);
const CLOSERS = new Set(['RParen', 'RBracket', 'RBrace']);
const COMPARISONS = new Set(['EqEq', 'NotEq', 'Lt', 'LtEq', 'Gt', 'GtEq']);
const LITERALS = new Set(['StringLiteral', 'TripleString', 'IntLiteral', 'FloatLiteral', 'True', 'False', 'Null']);

/** Offset one past the last character of a token. */
function tokenEnd(t: IToken): number {
  return t.endOffset! + 1;
}

/** Line breaks as the lexer sees them: LF, CR LF (one), CR, U+2028, U+2029. */
function countNewlines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const len = lineBreakLength(s, i);
    if (len === 0) continue;
    i += len - 1;
    n++;
  }
  return n;
}

class Printer {
  private pos = 0;
  private readonly match: number[];
  private readonly w: Writer;
  private readonly commentStarts: number[];

  constructor(
    private readonly text: string,
    private readonly toks: readonly IToken[],
    comments: readonly IToken[],
  ) {
    this.match = this.matchBrackets();
    // Merge tokens and comments by offset to classify each comment and each token's blank lines.
    type El = { start: number; end: number; comment?: IToken; tokenIndex?: number };
    const els: El[] = [
      ...toks.map((t, i) => ({ start: t.startOffset, end: tokenEnd(t), tokenIndex: i })),
      ...comments.map((c) => ({ start: c.startOffset, end: tokenEnd(c), comment: c })),
    ].sort((a, b) => a.start - b.start);
    const infos: CommentInfo[] = [];
    const blank: boolean[] = new Array<boolean>(toks.length).fill(false);
    let prev: El | undefined;
    for (const el of els) {
      const gap = prev ? text.slice(prev.end, el.start) : text.slice(0, el.start);
      const newlines = countNewlines(gap);
      const blankBefore = prev !== undefined && newlines >= 2;
      if (el.comment) {
        infos.push({
          text: el.comment.image.trimEnd(),
          start: el.start,
          trailing: prev !== undefined && prev.comment === undefined && newlines === 0,
          blankBefore,
        });
      } else blank[el.tokenIndex!] = blankBefore;
      prev = el;
    }
    this.commentStarts = infos.map((c) => c.start);
    this.w = new Writer(infos, (i) => blank[i] ?? false);
  }

  print(): string {
    this.program();
    if (this.pos !== this.toks.length) this.fail('tokens left after the last declaration');
    return this.w.finish();
  }

  // ---------------------------------------------------------------------------------
  // Tokens

  private fail(what: string): never {
    const t = this.toks[this.pos];
    throw new Error(`formatter: ${what} at offset ${t ? t.startOffset : this.text.length}`);
  }

  private peek(k = 0): string | undefined {
    return this.toks[this.pos + k]?.tokenType.name;
  }

  private is(name: string, k = 0): boolean {
    return this.peek(k) === name;
  }

  /** Writes the next token, which must be of type `name`. */
  private take(name: string, space: boolean, opts: { sameIndent?: boolean } = {}): void {
    const t = this.toks[this.pos];
    if (!t || t.tokenType.name !== name) this.fail(`expected ${name}, found ${t ? t.tokenType.name : 'the end'}`);
    this.w.token(t, this.pos, space, opts);
    this.pos++;
  }

  /** Drops the next token (a redundant comma); its comments are still printed. */
  private skip(): void {
    this.pos++;
  }

  private matchBrackets(): number[] {
    const match = new Array<number>(this.toks.length).fill(-1);
    const stack: number[] = [];
    this.toks.forEach((t, i) => {
      const n = t.tokenType.name;
      if (OPENERS.has(n)) stack.push(i);
      else if (CLOSERS.has(n)) {
        const o = stack.pop();
        if (o !== undefined) {
          match[o] = i;
          match[i] = o;
        }
      }
    });
    return match;
  }

  /** Whether the source breaks a line between the bracket at `open` and its partner, outside nested brackets. */
  private isBroken(open: number): boolean {
    const close = this.match[open]!;
    let depth = 0;
    for (let k = open; k < close; k++) {
      const n = this.toks[k]!.tokenType.name;
      if (k > open) {
        if (OPENERS.has(n)) depth++;
        else if (CLOSERS.has(n)) depth--;
      }
      if (depth === 0 && countNewlines(this.text.slice(tokenEnd(this.toks[k]!), this.toks[k + 1]!.startOffset)) > 0) return true;
    }
    return false;
  }

  /** Whether a comment lies between the bracket at `open` and its partner. */
  private hasComments(open: number): boolean {
    const from = this.toks[open]!.startOffset;
    const to = this.toks[this.match[open]!]!.startOffset;
    return this.commentStarts.some((s) => s > from && s < to);
  }

  // ---------------------------------------------------------------------------------
  // Layout of brackets

  /**
   * A bracketed, comma-separated sequence: `(…)`, `[…]` or a dict `{…}`. On one line if
   * written on one line (without a trailing comma), else one item per line, each with a
   * comma. `padded` puts a space inside the brackets of a one-line sequence (dicts).
   */
  private sequence(close: string, space: boolean, padded: boolean, item: (space: boolean) => void): void {
    const open = this.pos;
    const openName = this.peek()!;
    if (this.match[open]! < 0) this.fail('unmatched bracket');
    this.take(openName, space);
    const empty = this.is(close);
    if (empty && !this.hasComments(open)) {
      this.take(close, false);
      return;
    }
    if (!this.isBroken(open) && !this.hasComments(open)) {
      let first = true;
      while (!this.is(close)) {
        if (this.is('Comma')) {
          this.skip();
          continue;
        }
        // One comma between items, however many were written; none after the last.
        if (!first) this.w.text(',');
        item(first ? padded : true);
        first = false;
      }
      this.take(close, padded);
      return;
    }
    this.w.open();
    let first = true;
    while (!this.is(close)) {
      if (this.is('Comma')) {
        this.skip();
        continue;
      }
      this.w.nl(first ? 'start' : 'keep');
      first = false;
      item(false);
      if (this.is('Comma')) this.take('Comma', false);
      else this.w.text(',');
      while (this.is('Comma')) this.skip();
    }
    this.w.nl(first ? 'start' : 'keep');
    this.w.flushComments(this.toks[this.pos]!.startOffset);
    this.w.close();
    this.take(close, false);
  }

  /** A block `{ … }`: one item per line, indented one level; `{}` when empty. `item` prints one item. */
  private block(item: () => void, opts: { sameIndent?: boolean } = {}): void {
    const open = this.pos;
    if (this.match[open]! < 0) this.fail('unmatched brace');
    this.take('LBrace', true, opts);
    if (this.is('RBrace') && !this.hasComments(open)) {
      this.take('RBrace', false);
      return;
    }
    this.w.open();
    let mode: BreakMode = 'start';
    while (!this.is('RBrace')) {
      if (this.pos >= this.toks.length) this.fail('unterminated block');
      this.w.nl(mode);
      mode = 'keep';
      item();
    }
    this.w.nl(mode);
    this.w.flushComments(this.toks[this.pos]!.startOffset);
    this.w.close();
    this.take('RBrace', false);
  }

  // ---------------------------------------------------------------------------------
  // Declarations

  /** program : (importDecl | componentDecl | pipelineDecl)* */
  private program(): void {
    let prev: string | undefined;
    while (this.pos < this.toks.length) {
      const kind = this.peek()!;
      this.w.nl(prev === undefined ? 'start' : prev === 'Import' && kind === 'Import' ? 'keep' : 'force');
      if (kind === 'Import') this.importDecl();
      else if (kind === 'Component') this.componentDecl();
      else if (kind === 'Pipeline') this.pipelineDecl();
      else this.fail(`unexpected ${kind} at the top level`);
      prev = kind;
    }
    this.w.nl(prev === undefined ? 'start' : 'keep');
  }

  /** importDecl : "import" String ("as" Identifier)? */
  private importDecl(): void {
    this.take('Import', false);
    this.take('StringLiteral', true);
    if (!this.is('As')) return;
    this.take('As', true);
    this.take('Identifier', true);
  }

  /** componentDecl : "component" Identifier "(" paramList? ")" ("->" outputSpec)? "{" componentItem* "}" */
  private componentDecl(): void {
    this.take('Component', false);
    this.take('Identifier', true);
    this.params(false);
    if (this.is('Arrow')) {
      this.take('Arrow', true);
      if (this.is('Identifier')) this.take('Identifier', true);
      else this.params(true);
    }
    this.block(() => this.componentItem(), { sameIndent: true });
  }

  /** "(" paramList? ")" with paramList : param ("," param)* ","? */
  private params(space: boolean): void {
    this.sequence('RParen', space, false, (sp) => this.param(sp));
  }

  /** param : Identifier ":" Identifier ("=" expr)? */
  private param(space: boolean): void {
    this.take('Identifier', space);
    this.take('Colon', false);
    this.take('Identifier', true);
    if (this.is('Equals')) {
      this.take('Equals', true);
      this.expr(true);
    }
  }

  /** componentItem : TripleString | Fence | setting */
  private componentItem(): void {
    if (this.is('TripleString')) this.take('TripleString', false);
    else if (this.is('Fence')) this.take('Fence', false);
    else this.setting(false);
  }

  /** setting : Identifier ":" expr (".." expr)? */
  private setting(space: boolean): void {
    this.take('Identifier', space);
    this.take('Colon', false);
    this.expr(true);
    if (this.is('DotDot')) {
      this.take('DotDot', true);
      this.expr(true);
    }
  }

  /** pipelineDecl : "pipeline" String "(" paramList? ")" block */
  private pipelineDecl(): void {
    this.take('Pipeline', false);
    this.take('StringLiteral', true);
    this.params(true);
    this.statementBlock();
  }

  // ---------------------------------------------------------------------------------
  // Statements

  /** block : "{" TripleString? statement* "}" */
  private statementBlock(): void {
    let first = true;
    this.block(
      () => {
        if (first && this.is('TripleString')) this.take('TripleString', false);
        else this.statement();
        first = false;
      },
      { sameIndent: true },
    );
  }

  /** statement : ifStmt | forStmt | finallyStmt | taskStmt | setting */
  private statement(): void {
    const kind = this.peek();
    if (kind === 'If') this.ifStmt();
    else if (kind === 'For') this.forStmt();
    else if (kind === 'Finally') {
      this.take('Finally', false);
      this.statementBlock();
    } else if (kind === 'Identifier' && this.is('Colon', 1)) this.setting(false);
    else if (kind === 'Identifier') this.taskStmt();
    else this.fail(`unexpected ${kind ?? 'end'} in a block`);
  }

  /** taskStmt : (Identifier "=")? call ("after" Identifier ("," Identifier)*)? settingsBlock? */
  private taskStmt(): void {
    let space = false;
    if (this.is('Equals', 1)) {
      this.take('Identifier', false);
      this.take('Equals', true);
      space = true;
    }
    this.take('Identifier', space);
    // `lib.train(...)`: a component of a module imported `as lib`.
    if (this.is('Dot')) {
      this.take('Dot', false);
      this.take('Identifier', false);
    }
    this.args();
    if (this.is('After')) {
      this.take('After', true);
      this.take('Identifier', true);
      while (this.is('Comma')) {
        this.take('Comma', false);
        this.take('Identifier', true);
      }
    }
    if (this.is('LBrace')) {
      // settingsBlock : "{" (setting ","?)* "}": canonically one setting per line, so the commas go.
      this.block(() => {
        this.setting(false);
        while (this.is('Comma')) this.skip();
      }, { sameIndent: true });
    }
  }

  /** "(" argList? ")" with argList : arg ("," arg)* ","? and arg : (Identifier ":")? expr */
  private args(): void {
    this.sequence('RParen', false, false, (space) => {
      if (this.is('Identifier') && this.is('Colon', 1)) {
        this.take('Identifier', space);
        this.take('Colon', false);
        this.expr(true);
      } else this.expr(space);
    });
  }

  /** ifStmt : "if" expr block ("elif" expr block)* ("else" block)? */
  private ifStmt(): void {
    this.take('If', false);
    this.expr(true);
    this.statementBlock();
    while (this.is('Elif')) {
      this.take('Elif', true, { sameIndent: true });
      this.expr(true);
      this.statementBlock();
    }
    if (this.is('Else')) {
      this.take('Else', true, { sameIndent: true });
      this.statementBlock();
    }
  }

  /** forStmt : "for" Identifier "in" expr ("parallelism" IntLiteral)? block */
  private forStmt(): void {
    this.take('For', false);
    this.take('Identifier', true);
    this.take('In', true);
    this.expr(true);
    if (this.is('Identifier')) {
      this.take('Identifier', true);
      this.take('IntLiteral', true);
    }
    this.statementBlock();
  }

  // ---------------------------------------------------------------------------------
  // Expressions

  /** expr : andExpr ("or" andExpr)*   andExpr : notExpr ("and" notExpr)* */
  private expr(space: boolean): void {
    this.notExpr(space);
    while (this.is('Or') || this.is('And')) {
      this.take(this.peek()!, true);
      this.notExpr(true);
    }
  }

  /** notExpr : "not" notExpr | compareExpr   compareExpr : primary (op primary)? */
  private notExpr(space: boolean): void {
    if (this.is('Not')) {
      this.take('Not', space);
      this.notExpr(true);
      return;
    }
    this.primary(space);
    const op = this.peek();
    if (op !== undefined && COMPARISONS.has(op)) {
      this.take(op, true);
      this.primary(true);
    }
  }

  /** primary : literal | list | dict | reference | "(" expr ")" */
  private primary(space: boolean): void {
    const kind = this.peek();
    if (kind === undefined) this.fail('expected an expression');
    if (LITERALS.has(kind)) this.take(kind, space);
    else if (kind === 'LBracket') this.sequence('RBracket', space, false, (sp) => this.expr(sp));
    else if (kind === 'LBrace') {
      this.sequence('RBrace', space, true, (sp) => {
        this.take(this.is('StringLiteral') ? 'StringLiteral' : 'Identifier', sp);
        this.take('Colon', false);
        this.expr(true);
      });
    } else if (kind === 'LParen') {
      this.take('LParen', space);
      this.expr(false);
      this.take('RParen', false);
    } else if (kind === 'Identifier') {
      // reference : Identifier ("." Identifier)* ("(" argList? ")")?
      this.take('Identifier', space);
      while (this.is('Dot')) {
        this.take('Dot', false);
        this.take('Identifier', false);
      }
      if (this.is('LParen')) this.args();
    } else this.fail(`unexpected ${kind} in an expression`);
  }
}

/** Diagnostics of the lexing and syntax phase (KFP1xxx): with any of these the file is not formatted. */
function isSyntaxDiagnostic(d: Diagnostic): boolean {
  return d.severity === 'error' && d.code.startsWith('KFP1');
}

const SPAN_KEYS = new Set(['span', 'nameSpan', 'pathSpan', 'keySpan', 'opSpan', 'elseSpan', 'file']);

/** A syntax tree as JSON without positions, to compare two parses of the same program. */
export function astShape(doc: ast.Document): string {
  return JSON.stringify(doc, (key, value: unknown) => (SPAN_KEYS.has(key) ? undefined : value));
}

export function formatSource(file: SourceFile): FormatResult {
  try {
    return formatUnsafe(file);
  } catch (e) {
    // As in compileSource: no input may ever produce a stack trace.
    const message = e instanceof RangeError ? 'input too complex (stack exhausted)' : e instanceof Error ? e.message : String(e);
    return { diagnostics: [diag('Internal', `internal formatter error: ${message}`, { file })] };
  }
}

function formatUnsafe(file: SourceFile): FormatResult {
  const parsed = parseSource(file);
  const errors = parsed.diagnostics.filter(isSyntaxDiagnostic);
  if (!parsed.document || errors.length > 0) {
    return { diagnostics: errors.length > 0 ? errors : parsed.diagnostics.filter((d) => d.severity === 'error') };
  }
  const text = new Printer(file.text, parsed.tokens, parsed.comments).print();
  // The formatter must never change a program: the output has to parse to the same tree.
  const again = parseSource(new SourceFile(file.path, text));
  if (!again.document || again.diagnostics.some(isSyntaxDiagnostic) || astShape(again.document) !== astShape(parsed.document)) {
    return { diagnostics: [diag('Internal', 'internal formatter error: the formatted text would change the program; the file was left as it is', { file })] };
  }
  if (again.comments.length !== parsed.comments.length) {
    return { diagnostics: [diag('Internal', 'internal formatter error: the formatted text would lose a comment; the file was left as it is', { file })] };
  }
  return { text, diagnostics: [] };
}

/** Whether the file is already in canonical form (false too when it cannot be formatted). */
export function formatCheck(file: SourceFile): boolean {
  const result = formatSource(file);
  return result.text !== undefined && result.text === file.text;
}
