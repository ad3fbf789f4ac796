/**
 * CST → AST. Only called on an error-free CST, so required children are present;
 * literal decoding (string escapes, numbers) can still fail and is reported here.
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../source.js';
import type * as ast from './ast.js';

type Children = Record<string, CstElement[] | undefined>;

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

function tokens(c: Children, label: string): IToken[] {
  return (c[label] ?? []).filter(isToken);
}
function nodes(c: Children, label: string): CstNode[] {
  return (c[label] ?? []).filter((e): e is CstNode => !isToken(e));
}
function token(c: Children, label: string): IToken {
  const t = tokens(c, label)[0];
  if (!t) throw new Error(`internal: CST has no token ${label}`);
  return t;
}
function node(c: Children, label: string): CstNode {
  const n = nodes(c, label)[0];
  if (!n) throw new Error(`internal: CST has no node ${label}`);
  return n;
}

function tokenSpan(t: IToken): Span {
  return { start: t.startOffset, end: t.endOffset! + 1 };
}

/** Span of a CST node from its first to its last token (Chevrotain's `location`). */
function nodeSpan(n: CstNode): Span {
  const loc = n.location;
  if (loc && !Number.isNaN(loc.startOffset)) return { start: loc.startOffset, end: (loc.endOffset ?? loc.startOffset) + 1 };
  return { start: 0, end: 0 };
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

class Builder {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly file: SourceFile) {}

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
    try {
      const value = JSON.parse(t.image) as string;
      // JSON allows `\uD800` alone; Kubernetes (UTF-8) and Go's YAML reader cannot carry it.
      if (/\p{Cs}/u.test(value)) {
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
    return dedent(t.image.slice(3, -3).replace(/\r\n?/g, '\n')).trim();
  }

  document(cst: CstNode): ast.Document {
    const c = cst.children as Children;
    const imports: ast.ImportDecl[] = [];
    const components: ast.ComponentDecl[] = [];
    const pipelines: ast.PipelineDecl[] = [];
    for (const n of nodes(c, 'importDecl')) imports.push(this.importDecl(n));
    for (const n of nodes(c, 'componentDecl')) components.push(this.componentDecl(n));
    for (const n of nodes(c, 'pipelineDecl')) pipelines.push(this.pipelineDecl(n));
    return { kind: 'Document', file: this.file, span: { start: 0, end: this.file.text.length }, imports, components, pipelines };
  }

  importDecl(n: CstNode): ast.ImportDecl {
    const c = n.children as Children;
    const p = token(c, 'path');
    const name = tokens(c, 'name')[0];
    return { kind: 'ImportDecl', span: nodeSpan(n), path: this.stringValue(p), pathSpan: tokenSpan(p), ...(name ? { name: this.ident(name) } : {}) };
  }

  params(n: CstNode | undefined): ast.ParamDecl[] {
    if (!n) return [];
    return nodes(n.children as Children, 'param').map((p) => {
      const c = p.children as Children;
      const def = nodes(c, 'default')[0];
      const out: ast.ParamDecl = {
        kind: 'ParamDecl',
        span: nodeSpan(p),
        name: this.ident(token(c, 'name')),
        type: this.ident(token(c, 'type')),
        ...(def ? { default: this.expr(def) } : {}),
      };
      return out;
    });
  }

  componentDecl(n: CstNode): ast.ComponentDecl {
    const c = n.children as Children;
    const settings: ast.Setting[] = [];
    let description: ast.ComponentDecl['description'];
    let code: ast.ComponentDecl['code'];
    for (const item of nodes(c, 'componentItem')) {
      const ic = item.children as Children;
      const d = tokens(ic, 'description')[0];
      const f = tokens(ic, 'code')[0];
      const s = nodes(ic, 'setting')[0];
      if (d) {
        if (description) this.diagnostics.push(diag('DuplicateComponentPart', 'component has more than one description', { file: this.file, span: tokenSpan(d), related: [{ file: this.file, span: description.span, message: 'first description here' }] }));
        else description = { text: this.tripleString(d), span: tokenSpan(d) };
      } else if (f) {
        const lang = /^```([A-Za-z0-9_+-]*)/.exec(f.image)![1] || 'python';
        const body = f.image.replace(/\r\n?/g, '\n');
        const inner = body.slice(body.indexOf('\n') + 1, body.lastIndexOf('\n') + 1);
        if (code) this.diagnostics.push(diag('DuplicateComponentPart', 'component has more than one code block', { file: this.file, span: { start: f.startOffset, end: f.startOffset + 3 }, related: [{ file: this.file, span: { start: code.span.start, end: code.span.start + 3 }, message: 'first code block here' }] }));
        else code = { language: lang, text: dedent(inner), span: tokenSpan(f) };
      } else if (s) settings.push(this.setting(s));
    }
    const outSpec = nodes(c, 'outputSpec')[0];
    let returns: ast.ComponentDecl['returns'];
    if (outSpec) {
      const oc = outSpec.children as Children;
      const single = tokens(oc, 'type')[0];
      if (single) {
        const type = this.ident(single);
        returns = { single: true, span: nodeSpan(outSpec), outputs: [{ kind: 'ParamDecl', span: type.span, name: { kind: 'Identifier', name: 'Output', span: type.span }, type }] };
      } else {
        returns = { single: false, span: nodeSpan(outSpec), outputs: this.params(nodes(oc, 'paramList')[0]) };
      }
    }
    return {
      kind: 'ComponentDecl',
      span: nodeSpan(n),
      name: this.ident(token(c, 'name')),
      params: this.params(nodes(c, 'paramList')[0]),
      ...(returns ? { returns } : {}),
      ...(description ? { description } : {}),
      ...(code ? { code } : {}),
      settings,
    };
  }

  setting(n: CstNode): ast.Setting {
    const c = n.children as Children;
    const upper = nodes(c, 'upper')[0];
    return {
      kind: 'Setting',
      span: nodeSpan(n),
      name: this.ident(token(c, 'name')),
      value: this.expr(node(c, 'value')),
      ...(upper ? { upper: this.expr(upper) } : {}),
    };
  }

  pipelineDecl(n: CstNode): ast.PipelineDecl {
    const c = n.children as Children;
    const nameTok = token(c, 'name');
    const blk = this.block(node(c, 'block'));
    return {
      kind: 'PipelineDecl',
      span: nodeSpan(n),
      name: this.stringValue(nameTok),
      nameSpan: tokenSpan(nameTok),
      params: this.params(nodes(c, 'paramList')[0]),
      ...(blk.description ? { description: blk.description } : {}),
      body: blk.body,
    };
  }

  block(n: CstNode): { body: ast.Statement[]; description?: { text: string; span: Span } } {
    const c = n.children as Children;
    const d = tokens(c, 'description')[0];
    return {
      body: nodes(c, 'statement').map((s) => this.statement(s)),
      ...(d ? { description: { text: this.tripleString(d), span: tokenSpan(d) } } : {}),
    };
  }

  body(n: CstNode): ast.Statement[] {
    const b = this.block(n);
    if (b.description) {
      this.diagnostics.push(diag('MisplacedDescription', 'a description belongs at the start of the pipeline', { file: this.file, span: b.description.span, hint: 'use a # comment inside blocks' }));
    }
    return b.body;
  }

  statement(n: CstNode): ast.Statement {
    const c = n.children as Children;
    const [kind, inner] = Object.entries(c)[0]! as [string, CstNode[]];
    const sub = inner[0]!;
    switch (kind) {
      case 'ifStmt':
        return this.ifStmt(sub);
      case 'forStmt':
        return this.forStmt(sub);
      case 'finallyStmt':
        return { kind: 'FinallyStmt', span: nodeSpan(sub), body: this.body(node(sub.children as Children, 'block')) };
      case 'setting':
        return this.setting(sub);
      default:
        return this.taskStmt(sub);
    }
  }

  taskStmt(n: CstNode): ast.TaskStmt {
    const c = n.children as Children;
    const call = node(c, 'call');
    const cc = call.children as Children;
    const name = tokens(c, 'name')[0];
    const settingsBlock = nodes(c, 'settingsBlock')[0];
    return {
      kind: 'TaskStmt',
      span: nodeSpan(n),
      ...(name ? { name: this.ident(name) } : {}),
      ...this.callee(tokens(cc, 'qualifier')[0], token(cc, 'callee')),
      args: this.args(nodes(cc, 'argList')[0]),
      after: tokens(c, 'after').map((t) => this.ident(t)),
      settings: settingsBlock ? nodes(settingsBlock.children as Children, 'setting').map((s) => this.setting(s)) : [],
    };
  }

  args(n: CstNode | undefined): ast.Argument[] {
    if (!n) return [];
    return nodes(n.children as Children, 'arg').map((a) => {
      const c = a.children as Children;
      const name = tokens(c, 'name')[0];
      return { kind: 'Argument', span: nodeSpan(a), ...(name ? { name: this.ident(name) } : {}), value: this.expr(node(c, 'value')) };
    });
  }

  ifStmt(n: CstNode): ast.IfStmt {
    const c = n.children as Children;
    const conds = nodes(c, 'cond');
    const thens = nodes(c, 'then');
    const branches = conds.map((cond, i) => {
      const thenNode = thens[i]!;
      return { cond: this.expr(cond), body: this.body(thenNode), span: { start: nodeSpan(cond).start, end: nodeSpan(thenNode).end } };
    });
    const elseNode = nodes(c, 'else')[0];
    const elseTok = tokens(c, 'Else')[0];
    return {
      kind: 'IfStmt',
      span: nodeSpan(n),
      branches,
      ...(elseNode ? { elseBody: this.body(elseNode), elseSpan: elseTok ? tokenSpan(elseTok) : nodeSpan(elseNode) } : {}),
    };
  }

  forStmt(n: CstNode): ast.ForStmt {
    const c = n.children as Children;
    const word = tokens(c, 'parallelismWord')[0];
    const par = tokens(c, 'parallelism')[0];
    if (word && word.image !== 'parallelism') {
      this.diagnostics.push(diag('SyntaxError', `expected \`parallelism\` or \`{\`, found \`${word.image}\``, { file: this.file, span: tokenSpan(word), hint: 'e.g. `for item in items parallelism 4 { … }`' }));
    }
    return {
      kind: 'ForStmt',
      span: nodeSpan(n),
      variable: this.ident(token(c, 'var')),
      items: this.expr(node(c, 'items')),
      ...(par ? { parallelism: { value: Number(par.image), span: { start: word!.startOffset, end: par.endOffset! + 1 } } } : {}),
      body: this.body(node(c, 'block')),
    };
  }

  expr(n: CstNode): ast.Expr {
    const c = n.children as Children;
    switch (n.name) {
      case 'expr':
      case 'andExpr': {
        const operands = nodes(c, 'operands').map((o) => this.expr(o));
        if (operands.length === 1) return operands[0]!;
        return { kind: 'BoolExpr', span: nodeSpan(n), op: n.name === 'expr' ? 'or' : 'and', operands };
      }
      case 'notExpr': {
        const operand = nodes(c, 'operand')[0];
        if (operand) return { kind: 'NotExpr', span: nodeSpan(n), operand: this.expr(operand) };
        return this.expr(node(c, 'compareExpr'));
      }
      case 'compareExpr': {
        const left = this.expr(node(c, 'left'));
        const opTok = tokens(c, 'op')[0];
        if (!opTok) return left;
        return { kind: 'CompareExpr', span: nodeSpan(n), op: opTok.image as ast.CompareOp, opSpan: tokenSpan(opTok), left, right: this.expr(node(c, 'right')) };
      }
      case 'primary':
        return this.primary(n);
      default:
        throw new Error(`internal: unexpected CST node ${n.name}`);
    }
  }

  primary(n: CstNode): ast.Expr {
    const c = n.children as Children;
    const lit = tokens(c, 'literal')[0];
    if (lit) return this.literal(lit);
    const inner = nodes(c, 'inner')[0];
    if (inner) return this.expr(inner);
    const list = nodes(c, 'list')[0];
    if (list) return { kind: 'ListExpr', span: nodeSpan(list), items: nodes(list.children as Children, 'items').map((i) => this.expr(i)) };
    const dict = nodes(c, 'dict')[0];
    if (dict) {
      const entries = nodes(dict.children as Children, 'dictEntry').map((e) => {
        const ec = e.children as Children;
        const k = token(ec, 'key');
        return { key: k.tokenType.name === 'StringLiteral' ? this.stringValue(k) : k.image, keySpan: tokenSpan(k), value: this.expr(node(ec, 'value')) };
      });
      return { kind: 'DictExpr', span: nodeSpan(dict), entries };
    }
    const ref = node(c, 'reference');
    const rc = ref.children as Children;
    const parts = tokens(rc, 'parts').map((t) => this.ident(t));
    if (tokens(rc, 'call').length > 0) {
      if (parts.length > 2) {
        this.diagnostics.push(diag('SyntaxError', 'only built-in functions and components can be called inside an expression', { file: this.file, span: nodeSpan(ref), hint: 'e.g. `secret("db-creds", "password")` or `lib.train(x)`' }));
      }
      // `lib.add(a, b)` inside an argument: a component of a module imported `as lib`.
      const callee = parts.length === 2 ? this.callee(tokens(rc, 'parts')[0], tokens(rc, 'parts')[1]!) : { callee: parts[0]! };
      return { kind: 'CallExpr', span: nodeSpan(ref), ...callee, args: this.args(nodes(rc, 'argList')[0]) };
    }
    return { kind: 'RefExpr', span: nodeSpan(ref), parts };
  }

  literal(t: IToken): ast.Literal {
    const sp = tokenSpan(t);
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

export function cstToAst(file: SourceFile, cst: CstNode): { document: ast.Document; diagnostics: Diagnostic[] } {
  const b = new Builder(file);
  const document = b.document(cst);
  return { document, diagnostics: b.diagnostics };
}
