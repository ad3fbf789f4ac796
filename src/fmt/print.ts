/**
 * The printer of `kfpdsl fmt`: walks the parser's syntax tree (src/syntax/ast.ts) and
 * writes each node in canonical layout. The structure (which construct, where an
 * expression ends, what an operand is) comes from the tree alone; the tokens are only
 * read for what the tree does not keep: the spelling of literals (`1.0`, `"\u00e9"`),
 * grouping parentheses, and the source position of every keyword and bracket, which is
 * what places the comments (writer.ts prints each comment before the first token that
 * follows it, or at the end of the line it trails) and the blank lines.
 *
 * The printer keeps a cursor on the token stream and checks that each token it prints is
 * the one the tree says comes next, so a tree and a text that disagree stop the printer
 * (an internal error) instead of losing code. Tokens the tree drops on purpose (redundant
 * commas) are skipped; a second description or code block, which the tree reports and
 * drops, is printed as written where it stands.
 */
import type { IToken } from 'chevrotain';
import type * as ast from '../syntax/ast.js';
import { LayoutFacts } from './layout-facts.js';
import { Writer, type BreakMode } from './writer.js';

const COMPARISONS = new Set(['EqEq', 'NotEq', 'Lt', 'LtEq', 'Gt', 'GtEq']);
const LITERALS = new Set(['StringLiteral', 'TripleString', 'IntLiteral', 'FloatLiteral', 'True', 'False', 'Null']);
/** Block items the tree may drop after reporting them (a second description, say): printed verbatim. */
const VERBATIM_ITEMS = new Set(['TripleString', 'Fence']);

/** One item of a block, printed by `print` when the cursor reaches `start`. */
interface BlockItem {
  readonly start: number;
  readonly print: () => void;
}

type Decl = ast.ImportDecl | ast.ComponentDecl | ast.PipelineDecl;

export function printDocument(text: string, doc: ast.Document, toks: readonly IToken[], comments: readonly IToken[]): string {
  return new Printer(text, toks, new LayoutFacts(text, toks, comments)).document(doc);
}

class Printer {
  /** Index of the next token to print. */
  private pos = 0;
  private readonly w: Writer;

  constructor(
    private readonly text: string,
    private readonly toks: readonly IToken[],
    private readonly facts: LayoutFacts,
  ) {
    this.w = new Writer(facts.comments, (i) => facts.blankBefore[i] ?? false);
  }

  // ---------------------------------------------------------------------------------
  // The token cursor

  private fail(what: string): never {
    const t = this.toks[this.pos];
    throw new Error(`formatter: ${what} at offset ${t ? t.startOffset : this.text.length}`);
  }

  private peek(): string | undefined {
    return this.toks[this.pos]?.tokenType.name;
  }

  private is(name: string): boolean {
    return this.peek() === name;
  }

  /** Writes the next token, which must be of type `name` (or one of `names`). */
  private take(name: string | ReadonlySet<string>, space: boolean, opts: { sameIndent?: boolean } = {}): void {
    const t = this.toks[this.pos];
    const ok = t !== undefined && (typeof name === 'string' ? t.tokenType.name === name : name.has(t.tokenType.name));
    if (!ok) this.fail(`the syntax tree expects ${typeof name === 'string' ? name : [...name].join(' or ')}, the text has ${t ? t.tokenType.name : 'the end'}`);
    this.w.token(t, this.pos, space, opts);
    this.pos++;
  }

  /** Drops redundant commas (`f(a,, b)`); comments among them are still printed. */
  private skipCommas(): void {
    while (this.is('Comma')) this.pos++;
  }

  // ---------------------------------------------------------------------------------
  // Layout of brackets

  /**
   * A bracketed, comma-separated sequence: `(…)`, `[…]` or a dict `{…}`. On one line if
   * written on one line (without a comment inside), else one item per line, each with a
   * comma. `padded` puts a space inside the brackets of a one-line sequence (dicts).
   */
  private sequence<T>(items: readonly T[], close: string, space: boolean, padded: boolean, item: (it: T, space: boolean) => void): void {
    const open = this.pos;
    const partner = this.facts.partner(open);
    if (partner < 0) this.fail('unmatched bracket');
    this.take(this.peek()!, space);
    const hasComments = this.facts.hasComments(this.toks[open]!.startOffset, this.toks[partner]!.startOffset);
    if (items.length === 0 && this.is(close) && !hasComments) {
      this.take(close, false);
      return;
    }
    if (!this.facts.isBroken(open) && !hasComments) {
      items.forEach((it, i) => {
        this.skipCommas();
        // One comma between items, however many were written; none after the last.
        if (i > 0) this.w.text(',');
        item(it, i === 0 ? padded : true);
      });
      this.skipCommas();
      this.take(close, padded);
      return;
    }
    this.w.open();
    items.forEach((it, i) => {
      this.skipCommas();
      this.w.nl(i === 0 ? 'start' : 'keep');
      item(it, false);
      if (this.is('Comma')) this.take('Comma', false);
      else this.w.text(',');
    });
    this.skipCommas();
    this.w.nl(items.length === 0 ? 'start' : 'keep');
    this.w.flushComments(this.toks[this.pos]?.startOffset ?? this.text.length);
    this.w.close();
    this.take(close, false);
  }

  /**
   * A block `{ … }`: one item per line, indented one level; `{}` when empty. The items
   * come from the tree, in source order; a description or code block the tree dropped
   * (a duplicate, reported by the checker) is kept as written at its place.
   */
  private block(items: BlockItem[], opts: { sameIndent?: boolean } = {}): void {
    const open = this.pos;
    const partner = this.facts.partner(open);
    if (partner < 0) this.fail('unmatched brace');
    this.take('LBrace', true, opts);
    if (items.length === 0 && this.is('RBrace') && !this.facts.hasComments(this.toks[open]!.startOffset, this.toks[partner]!.startOffset)) {
      this.take('RBrace', false);
      return;
    }
    items.sort((a, b) => a.start - b.start);
    this.w.open();
    let mode: BreakMode = 'start';
    let next = 0;
    for (;;) {
      // Settings blocks may separate their settings with commas: canonically one per line, so they go.
      this.skipCommas();
      const t = this.toks[this.pos];
      if (!t) this.fail('unterminated block');
      if (next === items.length && t.tokenType.name === 'RBrace') break;
      this.w.nl(mode);
      mode = 'keep';
      if (next < items.length && t.startOffset === items[next]!.start) items[next++]!.print();
      else if (VERBATIM_ITEMS.has(t.tokenType.name)) this.take(t.tokenType.name, false);
      else this.fail(`${t.tokenType.name} is not part of the syntax tree`);
    }
    this.w.nl(mode);
    this.w.flushComments(this.toks[this.pos]!.startOffset);
    this.w.close();
    this.take('RBrace', false);
  }

  // ---------------------------------------------------------------------------------
  // Declarations

  document(doc: ast.Document): string {
    const decls: Decl[] = [...doc.imports, ...doc.components, ...doc.pipelines].sort((a, b) => a.span.start - b.span.start);
    let prev: Decl['kind'] | undefined;
    for (const d of decls) {
      this.w.nl(prev === undefined ? 'start' : prev === 'ImportDecl' && d.kind === 'ImportDecl' ? 'keep' : 'force');
      if (d.kind === 'ImportDecl') this.importDecl(d);
      else if (d.kind === 'ComponentDecl') this.componentDecl(d);
      else this.pipelineDecl(d);
      prev = d.kind;
    }
    if (this.pos !== this.toks.length) this.fail('code after the last declaration of the syntax tree');
    this.w.nl(prev === undefined ? 'start' : 'keep');
    return this.w.finish();
  }

  /** import "path" (as name)? */
  private importDecl(d: ast.ImportDecl): void {
    this.take('Import', false);
    this.take('StringLiteral', true);
    // A .kfp module may be imported without a name (`import "lib/common.kfp"`).
    if (d.name) {
      this.take('As', true);
      this.take('Identifier', true);
    }
  }

  /** component name(params) -> outputs { description, code, settings } */
  private componentDecl(c: ast.ComponentDecl): void {
    this.take('Component', false);
    this.take('Identifier', true);
    this.params(c.params, false);
    if (c.returns) {
      this.take('Arrow', true);
      if (c.returns.single) this.take('Identifier', true);
      else this.params(c.returns.outputs, true);
    }
    const items: BlockItem[] = c.settings.map((s) => ({ start: s.span.start, print: () => this.setting(s) }));
    if (c.description) items.push({ start: c.description.span.start, print: () => this.take('TripleString', false) });
    if (c.code) items.push({ start: c.code.span.start, print: () => this.take('Fence', false) });
    this.block(items, { sameIndent: true });
  }

  private params(params: readonly ast.ParamDecl[], space: boolean): void {
    this.sequence(params, 'RParen', space, false, (p, sp) => this.param(p, sp));
  }

  /** name: type = default */
  private param(p: ast.ParamDecl, space: boolean): void {
    this.take('Identifier', space);
    this.take('Colon', false);
    this.take('Identifier', true);
    if (p.default) {
      this.take('Equals', true);
      this.expr(p.default, true);
    }
  }

  /** name: value (.. upper) */
  private setting(s: ast.Setting): void {
    this.take('Identifier', false);
    this.take('Colon', false);
    this.expr(s.value, true);
    if (s.upper) {
      this.take('DotDot', true);
      this.expr(s.upper, true);
    }
  }

  /** pipeline callName? "name" (params) (-> outputs)? { description, statements } */
  private pipelineDecl(p: ast.PipelineDecl): void {
    this.take('Pipeline', false);
    if (p.callName) this.take('Identifier', true);
    this.take('StringLiteral', true);
    this.params(p.params, true);
    if (p.returns) {
      this.take('Arrow', true);
      if (p.returns.single) this.take('Identifier', true);
      else this.params(p.returns.outputs, true);
    }
    this.statementBlock(p.body, p.description);
  }

  // ---------------------------------------------------------------------------------
  // Statements

  private statementBlock(body: readonly ast.Statement[], description?: { readonly span: { readonly start: number } }): void {
    const items: BlockItem[] = body.map((s) => ({ start: s.span.start, print: () => this.statement(s) }));
    if (description) items.push({ start: description.span.start, print: () => this.take('TripleString', false) });
    this.block(items, { sameIndent: true });
  }

  private statement(s: ast.Statement): void {
    switch (s.kind) {
      case 'TaskStmt':
        return this.taskStmt(s);
      case 'IfStmt':
        return this.ifStmt(s);
      case 'ForStmt':
        return this.forStmt(s);
      case 'FinallyStmt':
        this.take('Finally', false);
        return this.statementBlock(s.body);
      case 'Setting':
        return this.setting(s);
      default:
        return unreachable(s);
    }
  }

  /** name = callee(args) after a, b { settings } */
  private taskStmt(t: ast.TaskStmt): void {
    let space = false;
    if (t.name) {
      this.take('Identifier', false);
      this.take('Equals', true);
      space = true;
    }
    this.callee(t, space);
    this.args(t.args, false);
    if (t.after.length > 0) {
      this.take('After', true);
      t.after.forEach((_a, i) => {
        if (i > 0) this.take('Comma', false);
        this.take('Identifier', true);
      });
    }
    // `{}` after a task has no node in the tree, but it is part of the statement.
    const open = this.toks[this.pos];
    if (t.settings.length > 0 || (open?.tokenType.name === 'LBrace' && open.startOffset < t.span.end)) {
      this.block(t.settings.map((s) => ({ start: s.span.start, print: () => this.setting(s) })), { sameIndent: true });
    }
  }

  /** `train`, or `lib.train` for a component of a module imported `as lib`. */
  private callee(call: ast.TaskStmt | ast.CallExpr, space: boolean): void {
    if (call.qualifier) {
      this.take('Identifier', space);
      this.take('Dot', false);
      this.take('Identifier', false);
    } else this.take('Identifier', space);
  }

  private args(args: readonly ast.Argument[], space: boolean): void {
    this.sequence(args, 'RParen', space, false, (a, sp) => {
      if (a.name) {
        this.take('Identifier', sp);
        this.take('Colon', false);
        this.expr(a.value, true);
      } else this.expr(a.value, sp);
    });
  }

  /** if cond { … } elif cond { … } else { … } */
  private ifStmt(s: ast.IfStmt): void {
    s.branches.forEach((b, i) => {
      if (i === 0) this.take('If', false);
      else this.take('Elif', true, { sameIndent: true });
      this.expr(b.cond, true);
      this.statementBlock(b.body);
    });
    if (s.elseBody) {
      this.take('Else', true, { sameIndent: true });
      this.statementBlock(s.elseBody);
    }
  }

  /** for var in items parallelism N { … } */
  private forStmt(s: ast.ForStmt): void {
    this.take('For', false);
    this.take('Identifier', true);
    this.take('In', true);
    this.expr(s.items, true);
    if (s.parallelism) {
      this.take('Identifier', true);
      this.take('IntLiteral', true);
    }
    this.statementBlock(s.body);
  }

  // ---------------------------------------------------------------------------------
  // Expressions

  /**
   * An expression, inside the parentheses it was written in. The tree has no node for
   * grouping parentheses (their effect is its shape), so they are read from the tokens:
   * any `(` before the node's own first token wraps it. They are all kept, as written.
   */
  private expr(e: ast.Expr, space: boolean): void {
    let groups = 0;
    while (this.is('LParen') && this.toks[this.pos]!.startOffset < e.span.start) {
      this.take('LParen', groups === 0 ? space : false);
      groups++;
    }
    this.bareExpr(e, groups === 0 ? space : false);
    for (let i = 0; i < groups; i++) this.take('RParen', false);
  }

  private bareExpr(e: ast.Expr, space: boolean): void {
    switch (e.kind) {
      case 'Literal':
        // Written as spelled: `1.0` stays `1.0`, escapes stay escapes.
        return this.take(LITERALS, space);
      case 'ListExpr':
        return this.sequence(e.items, 'RBracket', space, false, (item, sp) => this.expr(item, sp));
      case 'DictExpr':
        return this.sequence(e.entries, 'RBrace', space, true, (entry, sp) => {
          this.take(this.is('StringLiteral') ? 'StringLiteral' : 'Identifier', sp);
          this.take('Colon', false);
          this.expr(entry.value, true);
        });
      case 'RefExpr':
        e.parts.forEach((_p, i) => {
          if (i > 0) this.take('Dot', false);
          this.take('Identifier', i === 0 ? space : false);
        });
        return;
      case 'CallExpr':
        this.callee(e, space);
        return this.args(e.args, false);
      case 'CompareExpr':
        this.expr(e.left, space);
        this.take(COMPARISONS, true);
        return this.expr(e.right, true);
      case 'BoolExpr':
        e.operands.forEach((operand, i) => {
          if (i > 0) this.take(e.op === 'or' ? 'Or' : 'And', true);
          this.expr(operand, i === 0 ? space : true);
        });
        return;
      case 'NotExpr':
        this.take('Not', space);
        return this.expr(e.operand, true);
      default:
        return unreachable(e);
    }
  }
}

/** A node kind the printer does not know: a compile error here when the tree gains one. */
function unreachable(node: never): never {
  throw new Error(`formatter: no layout for ${(node as { kind?: string }).kind ?? 'a node'}`);
}
