/**
 * CST → AST, also from a CST that Chevrotain built while recovering from syntax errors:
 * a required child may then be missing, or be a token it inserted (no text, no offset).
 * Such a part becomes a placeholder (an Identifier with an empty name, a `null`
 * Literal) located where it belongs, and the node is marked `recovered`. Each
 * statement-level node (a task, a setting, a parameter, an import, the header of a
 * component, pipeline, `if`, `elif` or `for`) that is recovered or holds a syntax
 * error becomes a recovered region; the names it declares are recorded. The compile gate
 * uses both to drop the check diagnostics that are consequences of the syntax errors
 * (src/syntax/recovery.ts). Literal decoding (string escapes, numbers) can still fail
 * and is reported here.
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../source.js';
import type * as ast from './ast.js';
import type { PlainComponent } from './fast-cst.js';
import type { TokenSource } from './token-stream.js';

type Children = Record<string, CstElement[] | undefined>;

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

const NONE: readonly never[] = Object.freeze([]);

/** A string token whose value is its text between the quotes (see stringValue). */
const PLAIN_STRING = /^"[^\\\x00-\x1f\ud800-\udfff]*"$/;
/**
 * Made once: esbuild writes a `\p{…}` literal as `new RegExp(…)` where it stands, which in a
 * function made a RegExp per call (per string of the file).
 */
const SURROGATE = /\p{Cs}/u;

/**
 * The tokens under `label`. A label holds only tokens or only nodes in this grammar, so the
 * array itself is returned after a look, not a filtered copy: a copy per look-up was a fair
 * part of building a large file's AST. Callers never change what they get.
 */
function tokens(c: Children, label: string): readonly IToken[] {
  const all = c[label];
  if (all === undefined) return NONE;
  for (const e of all) if (!isToken(e)) return all.filter(isToken);
  return all as IToken[];
}
function nodes(c: Children, label: string): readonly CstNode[] {
  const all = c[label];
  if (all === undefined) return NONE;
  for (const e of all) if (isToken(e)) return all.filter((x): x is CstNode => !isToken(x));
  return all as CstNode[];
}
/** A token Chevrotain made up during recovery (single-token insertion): no text, no offset. */
function isInserted(t: IToken): boolean {
  return t.isInsertedInRecovery === true || Number.isNaN(t.startOffset);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function tokenSpan(t: IToken): Span {
  return { start: t.startOffset, end: t.endOffset! + 1 };
}

/** Span of a CST node from its first to its last token (Chevrotain's `location`); undefined when it holds no real token. */
function locSpan(n: CstNode): Span | undefined {
  const loc = n.location;
  // `| 0`: a location's offsets start as NaN, so V8 keeps them as doubles, and reads them as
  // boxed numbers; stored as they are, one would make every span in the program (all share one
  // shape) hold its start and end in two boxes of their own: half the objects of a large AST.
  if (loc && !Number.isNaN(loc.startOffset)) return { start: loc.startOffset | 0, end: ((Number.isNaN(loc.endOffset ?? NaN) ? loc.startOffset : loc.endOffset!) + 1) | 0 };
  return undefined;
}

/** The rules a `statement` can be, each with its builder: a new alternative in the grammar must be added here (test/tolerant-parse.test.ts compares this with the grammar). */
export const STATEMENT_RULES = ['ifStmt', 'forStmt', 'finallyStmt', 'setting', 'taskStmt'] as const;
export type StatementRule = (typeof STATEMENT_RULES)[number];

/** What parsing recovered from, for the compile gate. */
export interface RecoveryInfo {
  /** Statement-level regions holding a syntax error or built from recovered input, in no order. */
  readonly regions: Span[];
  /** Names declared by those statements (task bindings, components, parameters, imports, loop variables). */
  readonly names: Set<string>;
}

/** Removes the common leading white space of all non-blank lines (Python's textwrap.dedent). */
export function dedent(text: string): string {
  const lines = text.split('\n');
  let indent: string | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const lead = /^[ \t]*/.exec(line)![0];
    if (indent === undefined || !lead.startsWith(indent)) {
      let i = 0;
      const cur: string = indent ?? lead;
      while (i < cur.length && i < lead.length && cur[i] === lead[i]) i++;
      indent = indent === undefined ? lead : cur.slice(0, i);
    }
  }
  const cut = indent?.length ?? 0;
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(cut))).join('\n');
}

/** A node the fast descent had built into AST as soon as it was parsed (see AstInStages): that AST. */
interface Settled extends CstNode {
  readonly settled: unknown;
}
function settled(n: CstNode): n is Settled {
  return (n as Settled).settled !== undefined;
}

/** A component's items as they are built: its settings, and its first description and code block. */
interface ComponentBody {
  readonly settings: ast.Setting[];
  description?: ast.ComponentDecl['description'];
  code?: ast.ComponentDecl['code'];
}

/** A component declaration's node, as componentDecl and plainComponent both make it (the same keys in the same order). */
function componentDecl(span: Span, name: ast.Identifier, params: ast.ComponentDecl['params'], returns: ast.ComponentDecl['returns'], body: ComponentBody, settings: ast.Setting[], recovered: boolean): ast.ComponentDecl {
  const { description, code } = body;
  return {
    kind: 'ComponentDecl',
    span,
    name,
    params,
    ...(returns ? { returns } : {}),
    ...(description ? { description } : {}),
    ...(code ? { code } : {}),
    settings,
    ...(recovered ? { recovered: true as const } : {}),
  };
}

class Builder {
  readonly diagnostics: Diagnostic[] = [];
  readonly regions: Span[] = [];
  readonly names = new Set<string>();
  /** Counts the recovered nodes, missing and inserted tokens seen so far: a node is recovered when it grows while the node is built. */
  private damage = 0;
  /** Where the last real token seen ends: placeholders for missing parts go there. */
  private cursor = 0;

  /**
   * @param errorOffsets sorted offsets of the syntax and lexing errors; a statement that holds one is a recovered region
   * @param broken unterminated strings, fences and descriptions, passed to the parser as whole tokens (their error is already reported)
   */
  constructor(
    readonly file: SourceFile,
    private readonly errorOffsets: readonly number[] = [],
    private readonly broken: ReadonlySet<IToken> = new Set(),
  ) {}

  /** The children of a CST node; a node Chevrotain re-synchronised (and so cut short) counts as damage. */
  private kids(n: CstNode): Children {
    if (n.recoveredNode) this.damage++;
    const sp = locSpan(n);
    // Entering a node: its missing parts are placed from its start on (declarations are not built in file order).
    if (sp) this.cursor = sp.start;
    return n.children as Children;
  }

  private span(n: CstNode): Span {
    return locSpan(n) ?? { start: this.cursor, end: this.cursor };
  }

  /** The first real token under `label`; undefined (and damage) when it is missing or was inserted by recovery. */
  private tok(c: Children, label: string): IToken | undefined {
    const t = tokens(c, label)[0];
    if (!t || isInserted(t)) {
      this.damage++;
      return undefined;
    }
    this.cursor = Math.max(this.cursor, t.endOffset! + 1);
    return t;
  }

  /** An optional token: absent is fine, inserted counts as damage. */
  private optTok(c: Children, label: string): IToken | undefined {
    const t = tokens(c, label)[0];
    if (!t) return undefined;
    return this.tok(c, label);
  }

  private sub(c: Children, label: string): CstNode | undefined {
    const n = nodes(c, label)[0];
    if (!n) this.damage++;
    return n;
  }

  private hasErrorIn(sp: Span): boolean {
    // First error offset >= sp.start, by binary search.
    let lo = 0;
    let hi = this.errorOffsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.errorOffsets[mid]! < sp.start) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.errorOffsets.length && this.errorOffsets[lo]! < Math.max(sp.end, sp.start + 1);
  }

  /**
   * Builds a statement-level node: when recovery touched it or a syntax error lies in it,
   * it is marked, its span becomes a region and `declared` names are recorded.
   */
  private leaf<N extends ast.Statement | ast.ParamDecl | ast.ImportDecl>(build: () => N, declared: (n: N) => (ast.Identifier | undefined)[] = () => []): N {
    const before = this.damage;
    const n = build();
    if (this.damage === before && !this.hasErrorIn(n.span)) return n;
    this.markRegion(n.span, declared(n));
    return n.recovered ? n : { ...n, recovered: true };
  }

  private markRegion(sp: Span, declared: (ast.Identifier | undefined)[]): void {
    this.regions.push(sp);
    for (const id of declared) if (id && id.name !== '') this.names.add(id.name);
  }

  /** A placeholder for a missing name, where it should have been. */
  private missingIdent(): ast.Identifier {
    return { kind: 'Identifier', name: '', span: { start: this.cursor, end: this.cursor }, recovered: true };
  }

  /** A placeholder for a missing value. */
  private missingExpr(): ast.Expr {
    return { kind: 'Literal', value: null, isFloat: false, span: { start: this.cursor, end: this.cursor }, recovered: true };
  }

  private identOr(t: IToken | undefined): ast.Identifier {
    return t ? this.ident(t) : this.missingIdent();
  }

  private exprOr(n: CstNode | undefined): ast.Expr {
    return n ? this.expr(n) : this.missingExpr();
  }

  ident(t: IToken): ast.Identifier {
    return { kind: 'Identifier', name: t.image, span: tokenSpan(t) };
  }

  /** `train`, or `lib.train` as one identifier (what scopes are keyed by) plus its qualifier `lib`. */
  callee(qualifier: IToken | undefined, name: IToken): { callee: ast.Identifier; qualifier?: ast.Identifier } {
    if (!qualifier) return { callee: this.ident(name) };
    const q = this.ident(qualifier);
    return { callee: { kind: 'Identifier', name: `${q.name}.${name.image}`, span: { start: q.span.start, end: tokenSpan(name).end } }, qualifier: q };
  }

  stringValue(t: IToken): string {
    if (this.broken.has(t)) {
      // An unterminated string (already reported): its text up to the end of the line, without a second error.
      try {
        return JSON.parse(t.image + '"') as string;
      } catch {
        return t.image.slice(1);
      }
    }
    // No escape, control character, NUL or surrogate: the text between the quotes is the value,
    // which JSON.parse and the two tests below would find at several times the cost.
    if (PLAIN_STRING.test(t.image)) return t.image.slice(1, -1);
    try {
      const value = JSON.parse(t.image) as string;
      // JSON allows `\uD800` alone; Kubernetes (UTF-8) and Go's YAML reader cannot carry it.
      if (SURROGATE.test(value)) {
        this.diagnostics.push(diag('LoneSurrogate', 'this string holds half of a surrogate pair', {
          file: this.file, span: tokenSpan(t), hint: 'write the character itself, or both halves of the pair (`\\uD83D\\uDE80` is 🚀)',
        }));
      }
      // A container's argv and environment are C strings: a NUL cannot reach the process.
      if (value.includes('\0')) {
        this.diagnostics.push(diag('NulCharacter', 'this string holds a NUL character (\\u0000)', {
          file: this.file, span: tokenSpan(t), hint: 'container arguments and environment variables are C strings and end at a NUL; remove it',
        }));
      }
      return value;
    } catch {
      this.diagnostics.push(diag('InvalidLiteral', 'invalid escape in string', { file: this.file, span: tokenSpan(t), hint: 'use JSON escapes: \\" \\\\ \\n \\t \\uXXXX' }));
      return t.image.slice(1, -1);
    }
  }

  tripleString(t: IToken): string {
    const inner = this.broken.has(t) ? t.image.slice(3) : t.image.slice(3, -3);
    return dedent(inner.replace(/\r\n?/g, '\n')).trim();
  }

  document(cst: CstNode): ast.Document {
    const c = this.kids(cst);
    const imports: ast.ImportDecl[] = [];
    const components: ast.ComponentDecl[] = [];
    const pipelines: ast.PipelineDecl[] = [];
    for (const n of nodes(c, 'importDecl')) imports.push(this.importDecl(n));
    for (const n of nodes(c, 'componentDecl')) components.push(this.componentDecl(n));
    for (const n of nodes(c, 'pipelineDecl')) pipelines.push(this.pipelineDecl(n));
    return { kind: 'Document', file: this.file, span: { start: 0, end: this.file.text.length }, imports, components, pipelines, ...(cst.recoveredNode ? { recovered: true as const } : {}) };
  }

  importDecl(n: CstNode): ast.ImportDecl {
    if (settled(n)) return n.settled as ast.ImportDecl;
    return this.leaf(() => {
      const c = this.kids(n);
      const p = this.tok(c, 'path');
      // `as name` is optional (a .kfp module may be imported without a name): only a half-written one is damage.
      const name = tokens(c, 'As').length > 0 ? this.identOr(this.tok(c, 'name')) : undefined;
      return { kind: 'ImportDecl', span: this.span(n), path: p ? this.stringValue(p) : '', pathSpan: p ? tokenSpan(p) : { start: this.cursor, end: this.cursor }, ...(name ? { name } : {}) };
    }, (d) => [d.name]);
  }

  params(n: CstNode | undefined): ast.ParamDecl[] {
    if (!n) return [];
    return nodes(this.kids(n), 'param').map((p) =>
      this.leaf(() => {
        const c = this.kids(p);
        const name = this.identOr(this.tok(c, 'name'));
        const type = this.identOr(this.tok(c, 'type'));
        const def = nodes(c, 'default')[0];
        const out: ast.ParamDecl = { kind: 'ParamDecl', span: this.span(p), name, type, ...(def ? { default: this.expr(def) } : {}) };
        return out;
      }, (d) => [d.name]),
    );
  }

  /** `-> int` (one output named `Output`, as kfp names a single return) or `-> (a: int, …)`. */
  outputSpec(outSpec: CstNode | undefined): ast.ComponentDecl['returns'] {
    if (!outSpec) return undefined;
    const oc = this.kids(outSpec);
    const single = tokens(oc, 'type')[0];
    if (single && !isInserted(single)) {
      const type = this.ident(single);
      return { single: true, span: this.span(outSpec), outputs: [{ kind: 'ParamDecl', span: type.span, name: { kind: 'Identifier', name: 'Output', span: type.span }, type }] };
    }
    if (single) this.damage++;
    return { single: false, span: this.span(outSpec), outputs: this.params(nodes(oc, 'paramList')[0]) };
  }

  componentDecl(n: CstNode): ast.ComponentDecl {
    if (settled(n)) return n.settled as ast.ComponentDecl;
    const before = this.damage;
    const c = this.kids(n);
    // The header: `component name(params) -> outputs {`.
    const nameTok = this.tok(c, 'name');
    const params = this.params(nodes(c, 'paramList')[0]);
    const returns = this.outputSpec(nodes(c, 'outputSpec')[0]);
    this.tok(c, 'LParen');
    this.tok(c, 'RParen');
    const lbrace = this.tok(c, 'LBrace');
    const name = this.identOr(nameTok);
    const whole = this.span(n);
    const headerEnd = lbrace ? lbrace.startOffset + 1 : whole.end;
    const header = { start: whole.start, end: headerEnd };
    const headerBroken = this.damage > before || this.hasErrorIn(header);
    const body: ComponentBody = { settings: [] };
    for (const item of nodes(c, 'componentItem')) {
      const ic = this.kids(item);
      this.componentItem(body, tokens(ic, 'description')[0], tokens(ic, 'code')[0], nodes(ic, 'setting')[0]);
    }
    this.tok(c, 'RBrace');
    const recovered = this.damage > before;
    // A broken header makes the whole component suspect (its body may have been skipped to resynchronise).
    if (headerBroken) this.markRegion(recovered && !lbrace ? whole : header, [name]);
    return componentDecl(whole, name, params, returns, body, body.settings, recovered);
  }

  /** One item of a component's body (a description, a code block or a setting) into `body`; none of them: damage. */
  private componentItem(body: ComponentBody, d: IToken | undefined, f: IToken | undefined, s: CstNode | undefined): void {
    // An unterminated fence or description is one region: the checks of its text would only repeat that it is cut short.
    const item1 = d ?? f;
    if (item1 && this.broken.has(item1)) this.markRegion(tokenSpan(item1), []);
    if (d && !isInserted(d)) {
      if (body.description) this.diagnostics.push(diag('DuplicateComponentPart', 'component has more than one description', { file: this.file, span: tokenSpan(d), related: [{ file: this.file, span: body.description.span, message: 'first description here' }] }));
      else body.description = { text: this.tripleString(d), span: tokenSpan(d) };
    } else if (f && !isInserted(f)) {
      const lang = /^```([A-Za-z0-9_+-]*)/.exec(f.image)?.[1] || 'python';
      const text = f.image.replace(/\r\n?/g, '\n');
      // An unterminated fence (already reported) runs to the end of the file: all of it after the first line is code.
      const inner = this.broken.has(f) ? text.slice(text.indexOf('\n') + 1) : text.slice(text.indexOf('\n') + 1, text.lastIndexOf('\n') + 1);
      const code = body.code;
      if (code) this.diagnostics.push(diag('DuplicateComponentPart', 'component has more than one code block', { file: this.file, span: { start: f.startOffset, end: f.startOffset + 3 }, related: [{ file: this.file, span: { start: code.span.start, end: code.span.start + 3 }, message: 'first code block here' }] }));
      else body.code = { language: lang, text: dedent(inner), span: tokenSpan(f) };
    } else if (s) body.settings.push(this.setting(s));
    else this.damage++;
  }

  /**
   * The AST of a component declaration the fast descent parsed without its own CST
   * (fast-cst.ts, `plainComponent`): what `componentDecl` builds from that CST, which for a
   * declaration without errors is its name, parts and items in source order.
   */
  plainComponent(p: PlainComponent): ast.ComponentDecl {
    const params = this.params(p.params);
    const returns = this.outputSpec(p.outputs);
    const name = this.ident(p.name);
    const body: ComponentBody = { settings: [] };
    for (const item of p.items) {
      if (!('image' in item)) this.componentItem(body, undefined, undefined, item);
      else if (item.tokenType.name === 'TripleString') this.componentItem(body, item, undefined, undefined);
      else this.componentItem(body, undefined, item, undefined);
    }
    // A copy at its size: pushed into, the array's store grew to 17 places at its first setting,
    // kept as long as the AST (a tenth of it for 100,000 components of two settings).
    const settings = body.settings.length > 0 ? body.settings.slice() : body.settings;
    return componentDecl({ start: p.keyword.startOffset, end: p.rbrace.endOffset! + 1 }, name, params, returns, body, settings, false);
  }

  setting(n: CstNode): ast.Setting {
    return this.leaf(() => {
      const c = this.kids(n);
      const name = this.identOr(this.tok(c, 'name'));
      const value = this.exprOr(this.sub(c, 'value'));
      const upper = nodes(c, 'upper')[0];
      if (tokens(c, 'DotDot').length > 0 && !upper) this.damage++;
      return { kind: 'Setting', span: this.span(n), name, value, ...(upper ? { upper: this.expr(upper) } : {}) };
    });
  }

  pipelineDecl(n: CstNode): ast.PipelineDecl {
    if (settled(n)) return n.settled as ast.PipelineDecl;
    const before = this.damage;
    const c = this.kids(n);
    const nameTok = this.tok(c, 'name');
    const nameSpan = nameTok ? tokenSpan(nameTok) : { start: this.cursor, end: this.cursor };
    const callTok = this.optTok(c, 'callName');
    const callName = callTok ? this.ident(callTok) : undefined;
    const params = this.params(nodes(c, 'paramList')[0]);
    const returns = this.outputSpec(nodes(c, 'outputSpec')[0]);
    this.tok(c, 'LParen');
    this.tok(c, 'RParen');
    const whole = this.span(n);
    const blockNode = nodes(c, 'block')[0];
    const headerEnd = blockNode ? (locSpan(blockNode)?.start ?? whole.end) + 1 : whole.end;
    if (this.damage > before || this.hasErrorIn({ start: whole.start, end: headerEnd })) this.markRegion({ start: whole.start, end: headerEnd }, []);
    const blk = blockNode ? this.block(blockNode) : (this.damage++, { body: [] });
    return {
      kind: 'PipelineDecl',
      span: whole,
      name: nameTok ? this.stringValue(nameTok) : '',
      nameSpan,
      ...(callName ? { callName } : {}),
      params,
      ...(returns ? { returns } : {}),
      ...(blk.description ? { description: blk.description } : {}),
      body: blk.body,
      ...(this.damage > before ? { recovered: true as const } : {}),
    };
  }

  block(n: CstNode): { body: ast.Statement[]; description?: { text: string; span: Span } } {
    const c = this.kids(n);
    this.tok(c, 'LBrace');
    const d = tokens(c, 'description')[0];
    const body: ast.Statement[] = [];
    for (const s of nodes(c, 'statement')) {
      const built = this.statement(s);
      if (built) body.push(built);
    }
    this.tok(c, 'RBrace');
    return {
      body,
      ...(d && !isInserted(d) ? { description: { text: this.tripleString(d), span: tokenSpan(d) } } : {}),
    };
  }

  body(n: CstNode | undefined): ast.Statement[] {
    if (!n) {
      this.damage++;
      return [];
    }
    const b = this.block(n);
    if (b.description) {
      this.diagnostics.push(diag('MisplacedDescription', 'a description belongs at the start of the pipeline', { file: this.file, span: b.description.span, hint: 'use a # comment inside blocks' }));
    }
    return b.body;
  }

  /** One builder per statement rule: the table's type makes it exhaustive over STATEMENT_RULES. */
  private readonly statementBuilders: { readonly [K in StatementRule]: (n: CstNode) => ast.Statement } = {
    ifStmt: (n) => this.ifStmt(n),
    forStmt: (n) => this.forStmt(n),
    finallyStmt: (n) => this.finallyStmt(n),
    setting: (n) => this.setting(n),
    taskStmt: (n) => this.taskStmt(n),
  };

  /** A statement, or undefined when recovery left nothing of it (its syntax error is reported). */
  statement(n: CstNode): ast.Statement | undefined {
    if (settled(n)) return n.settled as ast.Statement;
    const c = this.kids(n);
    // The first (only) child's label, without Object.entries' arrays: this runs for every statement.
    let kind: string | undefined;
    for (const k in c) {
      kind = k;
      break;
    }
    if (kind === undefined) {
      this.damage++;
      return undefined;
    }
    const sub = (c[kind] as CstElement[])[0];
    if (!isStatementRule(kind) || !sub || isToken(sub)) {
      // Only a grammar change that forgot this file can get here: say so instead of guessing.
      this.diagnostics.push(diag('Internal', `internal compiler error: no AST for statement rule \`${kind}\``, { file: this.file, span: this.span(n) }));
      return undefined;
    }
    return this.statementBuilders[kind](sub);
  }

  finallyStmt(n: CstNode): ast.FinallyStmt {
    const c = this.kids(n);
    const kw = this.tok(c, 'Finally');
    const span = this.span(n);
    return { kind: 'FinallyStmt', span, keywordSpan: kw ? tokenSpan(kw) : { start: span.start, end: span.start }, body: this.body(nodes(c, 'block')[0]) };
  }

  taskStmt(n: CstNode): ast.TaskStmt {
    return this.leaf(() => {
      const c = this.kids(n);
      const name = this.optTok(c, 'name');
      const call = this.sub(c, 'call');
      const cc = call ? this.kids(call) : {};
      const calleeTok = call ? this.tok(cc, 'callee') : undefined;
      const callee = calleeTok ? this.callee(this.optTok(cc, 'qualifier'), calleeTok) : { callee: this.missingIdent() };
      const args = this.args(nodes(cc, 'argList')[0]);
      if (call) {
        this.tok(cc, 'LParen');
        this.tok(cc, 'RParen');
      }
      const after = tokens(c, 'after').filter((t) => !isInserted(t)).map((t) => this.ident(t));
      if (tokens(c, 'After').length > 0 && after.length === 0) this.damage++;
      const settingsBlock = nodes(c, 'settingsBlock')[0];
      let settings: ast.Setting[] = [];
      if (settingsBlock) {
        const sc = this.kids(settingsBlock);
        settings = nodes(sc, 'setting').map((s) => this.setting(s));
        this.tok(sc, 'RBrace');
      }
      // Assignments in the order the spreads put them (kind, span, name, callee, qualifier, args,
      // after, settings): a spread costs microseconds per statement until V8 optimises it.
      const stmt: Mutable<ast.TaskStmt> = { kind: 'TaskStmt', span: this.span(n) } as Mutable<ast.TaskStmt>;
      if (name) stmt.name = this.ident(name);
      stmt.callee = callee.callee;
      if (callee.qualifier) stmt.qualifier = callee.qualifier;
      stmt.args = args;
      stmt.after = after;
      stmt.settings = settings;
      return stmt;
    }, (t) => [t.name]);
  }

  args(n: CstNode | undefined): ast.Argument[] {
    if (!n) return [];
    return nodes(this.kids(n), 'arg').map((a) => this.arg(a));
  }

  arg(a: CstNode): ast.Argument {
    if (settled(a)) return a.settled as ast.Argument;
    const before = this.damage;
    const c = this.kids(a);
    const name = this.optTok(c, 'name');
    const value = this.exprOr(this.sub(c, 'value'));
    const arg: ast.Argument = { kind: 'Argument', span: this.span(a), ...(name ? { name: this.ident(name) } : {}), value };
    return this.damage > before ? { ...arg, recovered: true } : arg;
  }

  ifStmt(n: CstNode): ast.IfStmt {
    const before = this.damage;
    const c = this.kids(n);
    const conds = nodes(c, 'cond');
    const thens = nodes(c, 'then');
    const keywords = [...tokens(c, 'If'), ...tokens(c, 'Elif')].filter((t) => !isInserted(t)).sort((a, b) => a.startOffset - b.startOffset);
    const span = this.span(n);
    const branches = conds.map((cond, i) => {
      const kw = keywords[i];
      const headStart = kw ? kw.startOffset : (locSpan(cond)?.start ?? this.cursor);
      if (kw) this.cursor = Math.max(this.cursor, kw.endOffset! + 1);
      const headBefore = this.damage;
      const condExpr = this.expr(cond);
      const thenNode = thens[i];
      const headEnd = thenNode ? (locSpan(thenNode)?.start ?? condExpr.span.end) : condExpr.span.end;
      // A broken condition may have swallowed part of the body (`{` opens a dict too): all of the `if` after it is suspect.
      if (this.damage > headBefore || this.hasErrorIn({ start: headStart, end: headEnd })) this.markRegion({ start: headStart, end: Math.max(headEnd, span.end) }, []);
      const body = this.body(thenNode);
      return { cond: condExpr, body, span: { start: locSpan(cond)?.start ?? headStart, end: thenNode ? this.span(thenNode).end : headEnd }, keywordSpan: kw ? tokenSpan(kw) : { start: headStart, end: headStart } };
    });
    if (tokens(c, 'Elif').length + 1 > conds.length || conds.length > thens.length) this.damage++;
    const elseNode = nodes(c, 'else')[0];
    const elseTok = tokens(c, 'Else')[0];
    if (elseTok && !elseNode) this.damage++;
    return {
      kind: 'IfStmt',
      span,
      branches,
      ...(elseNode ? { elseBody: this.body(elseNode), elseSpan: elseTok && !isInserted(elseTok) ? tokenSpan(elseTok) : this.span(elseNode) } : {}),
      ...(this.damage > before ? { recovered: true as const } : {}),
    };
  }

  forStmt(n: CstNode): ast.ForStmt {
    const before = this.damage;
    const c = this.kids(n);
    const kw = this.tok(c, 'For');
    const span = this.span(n);
    const variable = this.identOr(this.tok(c, 'var'));
    this.tok(c, 'In');
    const items = this.exprOr(this.sub(c, 'items'));
    // The loop variable is suspect only when the loop's head up to its items is.
    const variableBroken = this.damage > before || this.hasErrorIn({ start: span.start, end: items.span.end });
    const word = this.optTok(c, 'parallelismWord');
    const par = this.optTok(c, 'parallelism');
    if (word && word.image !== 'parallelism') {
      this.diagnostics.push(diag('SyntaxError', `expected \`parallelism\` or \`{\`, found \`${word.image}\``, { file: this.file, span: tokenSpan(word), hint: 'e.g. `for item in items parallelism 4 { … }`' }));
    }
    const blockNode = nodes(c, 'block')[0];
    const headEnd = blockNode ? (locSpan(blockNode)?.start ?? span.end) : span.end;
    const header = { start: span.start, end: headEnd };
    if (this.damage > before || this.hasErrorIn(header) || (word && word.image !== 'parallelism')) this.markRegion(header, variableBroken ? [variable] : []);
    const body = this.body(blockNode);
    return {
      kind: 'ForStmt',
      span,
      keywordSpan: kw ? tokenSpan(kw) : { start: span.start, end: span.start },
      variable,
      items,
      ...(par && word ? { parallelism: { value: Number(par.image), span: { start: word.startOffset, end: par.endOffset! + 1 } } } : {}),
      body,
      ...(this.damage > before ? { recovered: true as const } : {}),
    };
  }

  expr(n: CstNode): ast.Expr {
    if (settled(n)) return n.settled as ast.Expr;
    const c = this.kids(n);
    switch (n.name) {
      case 'expr': {
        const operandNodes = nodes(c, 'operands');
        const operands = operandNodes.map((o) => this.expr(o));
        if (operands.length === 0) {
          this.damage++;
          return this.missingExpr();
        }
        if (operands.length === 1) return operands[0]!;
        // The flat list `a and b or c`: the operators in source order, `and` binding tighter.
        const ops = [...tokens(c, 'Or'), ...tokens(c, 'And')].sort((x, y) => x.startOffset - y.startOffset);
        const groups: { items: ast.Expr[]; first: CstNode; last: CstNode }[] = [{ items: [operands[0]!], first: operandNodes[0]!, last: operandNodes[0]! }];
        for (let i = 1; i < operands.length; i++) {
          const g = groups[groups.length - 1]!;
          if (ops[i - 1]?.tokenType.name === 'And') {
            g.items.push(operands[i]!);
            g.last = operandNodes[i]!;
          } else groups.push({ items: [operands[i]!], first: operandNodes[i]!, last: operandNodes[i]! });
        }
        const ands: ast.Expr[] = groups.map((g) => {
          if (g.items.length === 1) return g.items[0]!;
          const start = locSpan(g.first)?.start ?? g.items[0]!.span.start;
          const end = locSpan(g.last)?.end ?? g.items[g.items.length - 1]!.span.end;
          return { kind: 'BoolExpr', span: { start, end }, op: 'and', operands: g.items };
        });
        if (ands.length === 1) return ands[0]!;
        return { kind: 'BoolExpr', span: this.span(n), op: 'or', operands: ands };
      }
      case 'notExpr': {
        const operand = nodes(c, 'operand')[0];
        if (operand) return { kind: 'NotExpr', span: this.span(n), operand: this.expr(operand) };
        if (tokens(c, 'Not').length > 0) {
          this.damage++;
          return { kind: 'NotExpr', span: this.span(n), operand: this.missingExpr(), recovered: true };
        }
        const left = this.exprOr(this.sub(c, 'left'));
        const opTok = tokens(c, 'op')[0];
        if (!opTok) return left;
        const right = this.exprOr(this.sub(c, 'right'));
        return { kind: 'CompareExpr', span: this.span(n), op: opTok.image as ast.CompareOp, opSpan: tokenSpan(opTok), left, right };
      }
      case 'primary':
        return this.primary(n);
      default:
        this.diagnostics.push(diag('Internal', `internal compiler error: no AST for expression rule \`${n.name}\``, { file: this.file, span: this.span(n) }));
        return this.missingExpr();
    }
  }

  primary(n: CstNode): ast.Expr {
    const c = this.kids(n);
    const lit = tokens(c, 'literal')[0];
    if (lit) return isInserted(lit) ? (this.damage++, this.missingExpr()) : this.literal(lit);
    const inner = nodes(c, 'inner')[0];
    if (inner) return this.expr(inner);
    if (tokens(c, 'LParen').length > 0) {
      this.damage++;
      return this.missingExpr();
    }
    const list = nodes(c, 'list')[0];
    if (list) {
      const lc = this.kids(list);
      return { kind: 'ListExpr', span: this.span(list), items: nodes(lc, 'items').map((i) => this.expr(i)), ...(list.recoveredNode ? { recovered: true as const } : {}) };
    }
    const dict = nodes(c, 'dict')[0];
    if (dict) {
      const entries: { key: string; keySpan: Span; value: ast.Expr }[] = [];
      for (const e of nodes(this.kids(dict), 'dictEntry')) {
        const ec = this.kids(e);
        const k = this.tok(ec, 'key');
        if (!k) continue;
        entries.push({ key: k.tokenType.name === 'StringLiteral' ? this.stringValue(k) : k.image, keySpan: tokenSpan(k), value: this.exprOr(this.sub(ec, 'value')) });
      }
      return { kind: 'DictExpr', span: this.span(dict), entries, ...(dict.recoveredNode ? { recovered: true as const } : {}) };
    }
    const ref = this.sub(c, 'reference');
    if (!ref) return this.missingExpr();
    const rc = this.kids(ref);
    const parts = tokens(rc, 'parts').filter((t) => !isInserted(t)).map((t) => this.ident(t));
    if (parts.length === 0) {
      this.damage++;
      return this.missingExpr();
    }
    if (parts.length < tokens(rc, 'parts').length) this.damage++;
    if (tokens(rc, 'call').length > 0) {
      if (parts.length > 2) {
        this.diagnostics.push(diag('SyntaxError', 'only built-in functions and components can be called inside an expression', { file: this.file, span: this.span(ref), hint: 'e.g. `secret("db-creds", "password")` or `lib.train(x)`' }));
      }
      // `lib.add(a, b)` inside an argument: a component of a module imported `as lib`.
      const partToks = tokens(rc, 'parts');
      const callee = parts.length === 2 && partToks.length === 2 ? this.callee(partToks[0], partToks[1]!) : { callee: parts[0]! };
      return { kind: 'CallExpr', span: this.span(ref), ...callee, args: this.args(nodes(rc, 'argList')[0]) };
    }
    return { kind: 'RefExpr', span: this.span(ref), parts };
  }

  literal(t: IToken): ast.Literal {
    const sp = tokenSpan(t);
    this.cursor = Math.max(this.cursor, sp.end);
    switch (t.tokenType.name) {
      case 'StringLiteral':
        return { kind: 'Literal', span: sp, value: this.stringValue(t), isFloat: false };
      case 'TripleString':
        return { kind: 'Literal', span: sp, value: this.tripleString(t), isFloat: false };
      case 'True':
        return { kind: 'Literal', span: sp, value: true, isFloat: false };
      case 'False':
        return { kind: 'Literal', span: sp, value: false, isFloat: false };
      case 'Null':
        return { kind: 'Literal', span: sp, value: null, isFloat: false };
      case 'FloatLiteral': {
        // JSON, YAML and Argo have no negative zero: -0.0 is 0.0.
        const v = Number(t.image) + 0;
        if (!Number.isFinite(v)) this.diagnostics.push(diag('InvalidLiteral', `number \`${t.image}\` is out of range`, { file: this.file, span: sp }));
        return { kind: 'Literal', span: sp, value: v, isFloat: true };
      }
      default: {
        const v = Number(t.image) + 0;
        if (!Number.isSafeInteger(v)) this.diagnostics.push(diag('InvalidLiteral', `integer \`${t.image}\` is too large`, { file: this.file, span: sp, hint: `integers must lie within ±${Number.MAX_SAFE_INTEGER}` }));
        return { kind: 'Literal', span: sp, value: v, isFloat: false };
      }
    }
  }
}

function isStatementRule(name: string): name is StatementRule {
  return (STATEMENT_RULES as readonly string[]).includes(name);
}

/**
 * Builds the AST. `errorOffsets` (sorted) and `broken` come from a parse that found
 * errors; `recovery` then says which statements they touched.
 */
export function cstToAst(
  file: SourceFile,
  cst: CstNode,
  errorOffsets: readonly number[] = [],
  broken: ReadonlySet<IToken> = new Set(),
): { document: ast.Document; diagnostics: Diagnostic[]; recovery: RecoveryInfo } {
  const b = new Builder(file, errorOffsets, broken);
  const document = b.document(cst);
  return { document, diagnostics: b.diagnostics, recovery: { regions: b.regions, names: b.names } };
}

/**
 * The AST of an error-free parse, built in stages: each statement and declaration as soon as
 * it is parsed (and each argument: a call may have 100,000), which leaves in its place a node
 * holding only its AST. Its CST is then
 * garbage before the next is parsed, while a whole file's CST, built first, lived through
 * every collection of the young generation: that copying was most of the time of a large
 * file's parse (100,000 tasks or components). Only for input without errors: recovery needs
 * the whole tree (the damage counts, the cursor).
 */
export class AstInStages {
  private readonly b: Builder;
  constructor(readonly file: SourceFile) {
    this.b = new Builder(file);
  }

  /** The AST of a just-parsed `statement`, `arg`, `importDecl`, `componentDecl` or `pipelineDecl`, in a node that stands for it. */
  settle(n: CstNode): CstNode {
    // Built from its tokens already (plainComponent).
    if (settled(n)) return n;
    let built: unknown;
    if (n.name === 'statement') built = this.b.statement(n);
    else if (n.name === 'arg') built = this.b.arg(n);
    else if (n.name === 'importDecl') built = this.b.importDecl(n);
    else if (n.name === 'componentDecl') built = this.b.componentDecl(n);
    else if (n.name === 'pipelineDecl') built = this.b.pipelineDecl(n);
    else return n;
    // A statement that builds nothing (never, without errors) stays a CST node: the builder sees it again.
    if (built === undefined) return n;
    const stub: Settled = { name: n.name, children: {}, location: n.location, settled: built };
    return stub;
  }

  /**
   * The settled node of an argument that is a plain reference, built from its tokens without
   * its CST (fast-cst.ts, `argument`): the same AST `arg` builds from that CST (test/fast-cst.test.ts
   * compares them on every example, fixture and mutation).
   */
  plainArg(name: IToken | undefined, parts: readonly IToken[]): CstNode {
    const first = parts[0]!;
    const last = parts[parts.length - 1]!;
    const value: ast.RefExpr = { kind: 'RefExpr', span: { start: first.startOffset, end: last.endOffset! + 1 }, parts: parts.map((t) => this.b.ident(t)) };
    const start = (name ?? first).startOffset;
    const built: ast.Argument = { kind: 'Argument', span: { start, end: last.endOffset! + 1 }, ...(name ? { name: this.b.ident(name) } : {}), value };
    const stub: Settled = { name: 'arg', children: {}, location: { startOffset: start, endOffset: last.endOffset! }, settled: built };
    return stub;
  }

  /**
   * The settled node of an expression that is one literal (`toks[first]`) or a list of literals
   * (from `[` at `first` to `]` at `last`), built from its tokens without its CST (fast-cst.ts,
   * `value`): the same AST `expr` builds from that CST. Undefined when a literal has something
   * to report (a number out of range, an escape): its diagnostic is then made where the CST's
   * would be, in the same order among the others.
   */
  plainValue(toks: TokenSource, first: number, last: number): CstNode | undefined {
    const before = this.b.diagnostics.length;
    let value: ast.Expr;
    if (first === last) value = this.b.literal(toks.at(first)!);
    else {
      // Made at its size: pushed into, an array's store grows to 17 places at its first item.
      const items: ast.Expr[] = new Array<ast.Expr>((last - first) >> 1);
      for (let k = first + 1, n = 0; k < last; k += 2) items[n++] = this.b.literal(toks.at(k)!);
      value = { kind: 'ListExpr', span: { start: toks.at(first)!.startOffset, end: toks.at(last)!.endOffset! + 1 }, items };
    }
    if (this.b.diagnostics.length !== before) {
      this.b.diagnostics.length = before;
      return undefined;
    }
    const stub: Settled = { name: 'expr', children: {}, location: { startOffset: toks.at(first)!.startOffset, endOffset: toks.at(last)!.endOffset! }, settled: value };
    return stub;
  }

  /** The settled node of a component declaration parsed without its own CST (fast-cst.ts, `plainComponent`). */
  plainComponent(parts: PlainComponent): CstNode {
    const stub: Settled = { name: 'componentDecl', children: {}, location: { startOffset: parts.keyword.startOffset, endOffset: parts.rbrace.endOffset! }, settled: this.b.plainComponent(parts) };
    return stub;
  }

  /** The document, from the program node whose declarations were settled. */
  finish(cst: CstNode): { document: ast.Document; diagnostics: Diagnostic[] } {
    return { document: this.b.document(cst), diagnostics: this.b.diagnostics };
  }

  /** The statements of a brace-less `block` node whose statements were settled (fastCst's `statementList`). */
  finishStatements(cst: CstNode): { statements: ast.Statement[]; diagnostics: Diagnostic[] } {
    const statements: ast.Statement[] = [];
    for (const s of nodes(cst.children as Children, 'statement')) {
      const built = this.b.statement(s);
      if (built) statements.push(built);
    }
    return { statements, diagnostics: this.b.diagnostics };
  }
}
