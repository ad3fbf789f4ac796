/**
 * The CST of a file without syntax errors, built by a plain recursive descent over the
 * tokens: the same tree, node for node and label for label, that the Chevrotain parser in
 * grammar/parser.ts builds for it, at a fraction of the cost. Chevrotain's per-rule
 * machinery (its rule stack, a try per rule, lookahead functions, closures per MANY and
 * OPTION) was most of the time and garbage of a large file's parse: 100,000 components or
 * task calls, or one call of 100,000 arguments.
 *
 * It gives up (undefined) at the first token the grammar does not allow there, and the
 * caller then parses with Chevrotain, which reports and recovers; so this file decides
 * nothing about errors, and a construct added to the grammar but not here only costs speed.
 * test/fast-cst.test.ts checks that both give the same tree on every example and fixture and
 * on mutations of them. grammar/parser.ts stays the reference grammar.
 */
import type { CstElement, CstNode, IToken, TokenType } from 'chevrotain';
import * as T from '../../grammar/tokens.js';
import type { TokenSource } from './token-stream.js';

/** Builds settled nodes straight from tokens, for the parts of a large file that are most of it (see AstInStages). */
export interface Plain {
  /** The settled node of an argument that is a plain reference: its name token, if named, and the reference's name tokens. */
  plainArg(name: IToken | undefined, parts: readonly IToken[]): CstNode;
  /**
   * The settled node of an expression that is one literal (`toks.at(first)`, first = last) or a
   * list of literals (`[` at first, `]` at last); undefined to have it parsed as usual.
   */
  plainValue(toks: TokenSource, first: number, last: number): CstNode | undefined;
  /** The settled node of a component declaration, from its tokens and the CST of its parts (see `plainComponent`). */
  plainComponent(parts: PlainComponent): CstNode;
}

/** A component declaration as the fast descent gives it to `Plain.plainComponent`: tokens, and CST only for its parts. */
export interface PlainComponent {
  readonly keyword: IToken;
  readonly name: IToken;
  readonly params: CstNode | undefined;
  readonly outputs: CstNode | undefined;
  readonly lbrace: IToken;
  /** In source order: description and code tokens, and `setting` nodes. */
  readonly items: readonly (IToken | CstNode)[];
  readonly rbrace: IToken;
}

/** Thrown to give up; caught once, in fastCst. */
class NotThisWay extends Error {}
const giveUp = new NotThisWay('not parsed by the fast path');

type Children = Record<string, CstElement[]>;

const LITERALS: ReadonlySet<TokenType> = new Set([T.StringLiteral, T.TripleString, T.IntLiteral, T.FloatLiteral, T.True, T.False, T.Null]);
const COMPARISONS: ReadonlySet<TokenType> = new Set([T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt]);

class Descent {
  /** The next token's index (where the descent gave up, when it did). */
  i = 0;
  /** How many nodes and tokens went into the tree (for tests that count work). */
  elements = 0;

  /**
   * @param settle called with each statement and declaration once parsed; what it returns
   *   goes into the tree instead (parse.ts builds its AST there, see AstInStages)
   * @param plain builds the settled nodes of plain arguments and values from their tokens
   */
  constructor(
    private readonly toks: TokenSource,
    private readonly settle: (n: CstNode) => CstNode = (n) => n,
    private readonly plain?: Plain,
  ) {}

  private la(k = 1): TokenType | undefined {
    return this.toks.at(this.i + k - 1)?.tokenType;
  }

  private node(name: string): CstNode {
    this.elements++;
    // Chevrotain's shape, the offsets of the first and last token included; its children have
    // no prototype, which puts them in V8's slow dictionary mode: a plain object is a third
    // of the size, and no label is the name of an Object.prototype member.
    return { name, children: {}, location: { startOffset: NaN, endOffset: NaN } };
  }

  private add(n: CstNode, key: string, e: CstElement): void {
    this.elements++;
    const c = n.children as Children;
    (c[key] ??= []).push(e);
    const from = 'image' in e ? e : e.location!;
    const loc = n.location!;
    if (Number.isNaN(loc.startOffset)) {
      loc.startOffset = from.startOffset;
      loc.endOffset = from.endOffset;
    } else if (loc.endOffset! < from.endOffset!) loc.endOffset = from.endOffset;
  }

  /** Consumes a token of `type` into `n` under `label` (the token type's name by default). */
  private consume(n: CstNode, type: TokenType, label?: string): IToken {
    const t = this.toks.at(this.i);
    if (t === undefined || t.tokenType !== type) throw giveUp;
    this.i++;
    this.add(n, label ?? type.name, t);
    return t;
  }

  private sub(n: CstNode, rule: (this: Descent) => CstNode, label?: string): void {
    const child = rule.call(this);
    this.add(n, label ?? child.name, child);
  }

  /** A statement, declaration or argument: settled as soon as it is parsed. */
  private settled(n: CstNode, rule: (this: Descent) => CstNode): void {
    const child = this.settle(rule.call(this));
    this.add(n, child.name, child);
    // Settled: built from its tokens, which nothing reads again (the descent never steps back).
    this.toks.release?.(this.i);
  }

  /**
   * An expression under `label`. One that is a literal or a list of literals (most values of a
   * large file: `image: "alpine:3.19"`, `command: ["true"]`) goes straight to its settled node
   * when the caller builds them (`plain`): its CST would be three nodes per literal (expr,
   * notExpr, primary), each with its children and location, made only to be read once.
   */
  private value(n: CstNode, label: string): void {
    const last = this.plain ? this.plainEnd() : -1;
    const v = last >= 0 ? this.plain!.plainValue(this.toks, this.i, last) : undefined;
    if (v === undefined) {
      this.sub(n, this.expr, label);
      return;
    }
    this.add(n, label, v);
    this.i = last + 1;
  }

  /** Where the literal, or list of literals, that starts here ends (the index of its last token) when it is a whole expression; -1 if not. */
  private plainEnd(): number {
    const toks = this.toks;
    const first = toks.at(this.i)?.tokenType;
    let end: number;
    if (first !== undefined && LITERALS.has(first)) end = this.i;
    else if (first === T.LBracket) {
      let j = this.i + 1;
      while (toks.at(j)?.tokenType !== T.RBracket) {
        const item = toks.at(j)?.tokenType;
        if (item === undefined || !LITERALS.has(item)) return -1;
        const sep = toks.at(j + 1)?.tokenType;
        if (sep === T.RBracket) j++;
        else if (sep === T.Comma) j += 2;
        else return -1;
      }
      end = j;
    } else return -1;
    // Only `and`, `or` and a comparison carry an expression on past its first operand.
    const next = toks.at(end + 1)?.tokenType;
    return next === T.Or || next === T.And || (next !== undefined && COMPARISONS.has(next)) ? -1 : end;
  }

  program(): CstNode {
    const n = this.node('program');
    for (;;) {
      const t = this.la();
      if (t === T.Import) this.settled(n, this.importDecl);
      else if (t === T.Component) this.settled(n, this.componentDecl);
      else if (t === T.Pipeline) this.settled(n, this.pipelineDecl);
      else break;
    }
    if (this.toks.at(this.i) !== undefined) throw giveUp;
    return n;
  }

  importDecl(): CstNode {
    const n = this.node('importDecl');
    this.consume(n, T.Import);
    this.consume(n, T.StringLiteral, 'path');
    if (this.la() === T.As) {
      this.consume(n, T.As);
      this.consume(n, T.Identifier, 'name');
    }
    return n;
  }

  /** The next token, of `type`, consumed (into no node). */
  private take(type: TokenType): IToken {
    const t = this.toks.at(this.i);
    if (t === undefined || t.tokenType !== type) throw giveUp;
    this.i++;
    return t;
  }

  /**
   * A component declaration, straight to its settled node when the caller builds them
   * (`plain`): its own CST (the componentDecl node, one array per label, a componentItem node
   * per item) would be made only to be read once, 100,000 times in a file of 100,000 components.
   * Its parameters, outputs and settings are still parsed into CST, as `componentDecl` does.
   */
  private plainComponent(plain: Plain): CstNode {
    const keyword = this.take(T.Component);
    const name = this.take(T.Identifier);
    this.take(T.LParen);
    const params = this.la() === T.Identifier ? this.paramList() : undefined;
    this.take(T.RParen);
    let outputs: CstNode | undefined;
    if (this.la() === T.Arrow) {
      this.i++;
      outputs = this.outputSpec();
    }
    const lbrace = this.take(T.LBrace);
    const items: (IToken | CstNode)[] = [];
    for (let t = this.la(); t === T.TripleString || t === T.Fence || t === T.Identifier; t = this.la()) {
      items.push(t === T.Identifier ? this.setting() : this.toks.at(this.i++)!);
    }
    const rbrace = this.take(T.RBrace);
    this.elements++;
    return plain.plainComponent({ keyword, name, params, outputs, lbrace, items, rbrace });
  }

  componentDecl(): CstNode {
    if (this.plain) return this.plainComponent(this.plain);
    const n = this.node('componentDecl');
    this.consume(n, T.Component);
    this.consume(n, T.Identifier, 'name');
    this.consume(n, T.LParen);
    if (this.la() === T.Identifier) this.sub(n, this.paramList);
    this.consume(n, T.RParen);
    if (this.la() === T.Arrow) {
      this.consume(n, T.Arrow);
      this.sub(n, this.outputSpec);
    }
    this.consume(n, T.LBrace);
    for (let t = this.la(); t === T.TripleString || t === T.Fence || t === T.Identifier; t = this.la()) this.sub(n, this.componentItem);
    this.consume(n, T.RBrace);
    return n;
  }

  paramList(): CstNode {
    const n = this.node('paramList');
    this.sub(n, this.param);
    while (this.la() === T.Comma) {
      this.consume(n, T.Comma);
      if (this.la() === T.Identifier) this.sub(n, this.param);
    }
    return n;
  }

  param(): CstNode {
    const n = this.node('param');
    this.consume(n, T.Identifier, 'name');
    this.consume(n, T.Colon);
    this.consume(n, T.Identifier, 'type');
    if (this.la() === T.Equals) {
      this.consume(n, T.Equals);
      this.value(n, 'default');
    }
    return n;
  }

  outputSpec(): CstNode {
    const n = this.node('outputSpec');
    if (this.la() === T.Identifier) this.consume(n, T.Identifier, 'type');
    else {
      this.consume(n, T.LParen);
      if (this.la() === T.Identifier) this.sub(n, this.paramList);
      this.consume(n, T.RParen);
    }
    return n;
  }

  componentItem(): CstNode {
    const n = this.node('componentItem');
    const t = this.la();
    if (t === T.TripleString) this.consume(n, T.TripleString, 'description');
    else if (t === T.Fence) this.consume(n, T.Fence, 'code');
    else this.sub(n, this.setting);
    return n;
  }

  setting(): CstNode {
    const n = this.node('setting');
    this.consume(n, T.Identifier, 'name');
    this.consume(n, T.Colon);
    this.value(n, 'value');
    if (this.la() === T.DotDot) {
      this.consume(n, T.DotDot);
      this.value(n, 'upper');
    }
    return n;
  }

  pipelineDecl(): CstNode {
    const n = this.node('pipelineDecl');
    this.consume(n, T.Pipeline);
    if (this.la() === T.Identifier) this.consume(n, T.Identifier, 'callName');
    this.consume(n, T.StringLiteral, 'name');
    this.consume(n, T.LParen);
    if (this.la() === T.Identifier) this.sub(n, this.paramList);
    this.consume(n, T.RParen);
    if (this.la() === T.Arrow) {
      this.consume(n, T.Arrow);
      this.sub(n, this.outputSpec);
    }
    this.sub(n, this.block);
    return n;
  }

  block(): CstNode {
    const n = this.node('block');
    this.consume(n, T.LBrace);
    if (this.la() === T.TripleString) this.consume(n, T.TripleString, 'description');
    this.statements(n);
    this.consume(n, T.RBrace);
    return n;
  }

  /** The statements of a block, into `n`; `statementList` parses them alone (an incremental reparse of a block's part). */
  statements(n: CstNode): void {
    for (let t = this.la(); t === T.If || t === T.For || t === T.Finally || t === T.Identifier; t = this.la()) this.settled(n, this.statement);
  }

  statementList(): CstNode {
    const n = this.node('block');
    this.statements(n);
    if (this.toks.at(this.i) !== undefined) throw giveUp;
    return n;
  }

  statement(): CstNode {
    const n = this.node('statement');
    const t = this.la();
    if (t === T.If) this.sub(n, this.ifStmt);
    else if (t === T.For) this.sub(n, this.forStmt);
    else if (t === T.Finally) this.sub(n, this.finallyStmt);
    else if (this.la(2) === T.Colon) this.sub(n, this.setting);
    else this.sub(n, this.taskStmt);
    return n;
  }

  taskStmt(): CstNode {
    const n = this.node('taskStmt');
    if (this.la(2) === T.Equals) {
      this.consume(n, T.Identifier, 'name');
      this.consume(n, T.Equals);
    }
    this.sub(n, this.call);
    if (this.la() === T.After) {
      this.consume(n, T.After);
      this.consume(n, T.Identifier, 'after');
      while (this.la() === T.Comma) {
        this.consume(n, T.Comma);
        this.consume(n, T.Identifier, 'after');
      }
    }
    if (this.la() === T.LBrace) this.sub(n, this.settingsBlock);
    return n;
  }

  settingsBlock(): CstNode {
    const n = this.node('settingsBlock');
    this.consume(n, T.LBrace);
    while (this.la() === T.Identifier) {
      this.sub(n, this.setting);
      if (this.la() === T.Comma) this.consume(n, T.Comma);
    }
    this.consume(n, T.RBrace);
    return n;
  }

  call(): CstNode {
    const n = this.node('call');
    if (this.la(2) === T.Dot) {
      this.consume(n, T.Identifier, 'qualifier');
      this.consume(n, T.Dot);
    }
    this.consume(n, T.Identifier, 'callee');
    this.consume(n, T.LParen);
    if (this.la() !== T.RParen) this.sub(n, this.argList);
    this.consume(n, T.RParen);
    return n;
  }

  argList(): CstNode {
    const n = this.node('argList');
    this.argument(n);
    while (this.la() === T.Comma) {
      this.consume(n, T.Comma);
      const t = this.la();
      if (t !== T.RParen && t !== T.Comma) this.argument(n);
    }
    return n;
  }

  /**
   * An argument, settled. One that is a plain reference (`t4`, `t.out`, `n: t4`: a name, dots,
   * then `,` or `)`) goes straight to its settled node when the caller builds them (`plainArg`):
   * its CST would be five nodes (arg, expr, notExpr, primary, reference) made only to be read
   * once and dropped, for most arguments of a large pipeline.
   */
  private argument(n: CstNode): void {
    if (this.plain) {
      const toks = this.toks;
      let j = this.i;
      const named = toks.at(j)?.tokenType === T.Identifier && toks.at(j + 1)?.tokenType === T.Colon;
      if (named) j += 2;
      if (toks.at(j)?.tokenType === T.Identifier) {
        const first = j;
        while (toks.at(j + 1)?.tokenType === T.Dot && toks.at(j + 2)?.tokenType === T.Identifier) j += 2;
        const next = toks.at(j + 1)?.tokenType;
        if (next === T.Comma || next === T.RParen) {
          const parts: IToken[] = [];
          for (let k = first; k <= j; k += 2) parts.push(toks.at(k)!);
          this.add(n, 'arg', this.plain.plainArg(named ? toks.at(this.i) : undefined, parts));
          this.i = j + 1;
          return;
        }
      }
    }
    this.settled(n, this.arg);
  }

  arg(): CstNode {
    const n = this.node('arg');
    if (this.la(2) === T.Colon) {
      this.consume(n, T.Identifier, 'name');
      this.consume(n, T.Colon);
    }
    this.value(n, 'value');
    return n;
  }

  ifStmt(): CstNode {
    const n = this.node('ifStmt');
    this.consume(n, T.If);
    this.value(n, 'cond');
    this.sub(n, this.block, 'then');
    while (this.la() === T.Elif) {
      this.consume(n, T.Elif);
      this.value(n, 'cond');
      this.sub(n, this.block, 'then');
    }
    if (this.la() === T.Else) {
      this.consume(n, T.Else);
      this.sub(n, this.block, 'else');
    }
    return n;
  }

  forStmt(): CstNode {
    const n = this.node('forStmt');
    this.consume(n, T.For);
    this.consume(n, T.Identifier, 'var');
    this.consume(n, T.In);
    this.value(n, 'items');
    if (this.la() === T.Identifier) {
      this.consume(n, T.Identifier, 'parallelismWord');
      this.consume(n, T.IntLiteral, 'parallelism');
    }
    this.sub(n, this.block);
    return n;
  }

  finallyStmt(): CstNode {
    const n = this.node('finallyStmt');
    this.consume(n, T.Finally);
    this.sub(n, this.block);
    return n;
  }

  expr(): CstNode {
    const n = this.node('expr');
    this.sub(n, this.notExpr, 'operands');
    for (let t = this.la(); t === T.Or || t === T.And; t = this.la()) {
      this.consume(n, t);
      this.sub(n, this.notExpr, 'operands');
    }
    return n;
  }

  notExpr(): CstNode {
    const n = this.node('notExpr');
    if (this.la() === T.Not) {
      this.consume(n, T.Not);
      this.sub(n, this.notExpr, 'operand');
      return n;
    }
    this.sub(n, this.primary, 'left');
    const t = this.la();
    if (t !== undefined && COMPARISONS.has(t)) {
      this.consume(n, t, 'op');
      this.sub(n, this.primary, 'right');
    }
    return n;
  }

  primary(): CstNode {
    const n = this.node('primary');
    const t = this.la();
    if (t === undefined) throw giveUp;
    if (LITERALS.has(t)) this.consume(n, t, 'literal');
    else if (t === T.LBracket) this.sub(n, this.list);
    else if (t === T.LBrace) this.sub(n, this.dict);
    else if (t === T.Identifier) this.sub(n, this.reference);
    else {
      this.consume(n, T.LParen);
      this.value(n, 'inner');
      this.consume(n, T.RParen);
    }
    return n;
  }

  reference(): CstNode {
    const n = this.node('reference');
    this.consume(n, T.Identifier, 'parts');
    while (this.la() === T.Dot) {
      this.consume(n, T.Dot);
      this.consume(n, T.Identifier, 'parts');
    }
    if (this.la() === T.LParen) {
      this.consume(n, T.LParen, 'call');
      if (this.la() !== T.RParen) this.sub(n, this.argList);
      this.consume(n, T.RParen);
    }
    return n;
  }

  list(): CstNode {
    const n = this.node('list');
    this.consume(n, T.LBracket);
    if (this.la() !== T.RBracket) {
      this.value(n, 'items');
      while (this.la() === T.Comma) {
        this.consume(n, T.Comma);
        const t = this.la();
        if (t !== T.RBracket && t !== T.Comma) this.value(n, 'items');
      }
    }
    this.consume(n, T.RBracket);
    return n;
  }

  dict(): CstNode {
    const n = this.node('dict');
    this.consume(n, T.LBrace);
    if (this.la() !== T.RBrace) {
      this.sub(n, this.dictEntry);
      while (this.la() === T.Comma) {
        this.consume(n, T.Comma);
        const t = this.la();
        if (t !== T.RBrace && t !== T.Comma) this.sub(n, this.dictEntry);
      }
    }
    this.consume(n, T.RBrace);
    return n;
  }

  dictEntry(): CstNode {
    const n = this.node('dictEntry');
    const t = this.la();
    this.consume(n, t === T.StringLiteral ? T.StringLiteral : T.Identifier, 'key');
    this.consume(n, T.Colon);
    this.value(n, 'value');
    return n;
  }
}

/**
 * The CST of `tokens` (no lexing errors, no EOF token) when they hold no syntax error, with
 * the count of nodes and tokens put in it; undefined at the first syntax error.
 * `statementList`: the tokens are a run of a block's statements (a `block` node without braces).
 * `failure.at`: where it gave up (the index of the token it did not expect, or the count of
 * tokens when they ran out).
 */
export function fastCst(tokens: TokenSource, settle?: (n: CstNode) => CstNode, plain?: Plain, rule: 'program' | 'statementList' = 'program', failure?: { at: number }): { cst: CstNode; elements: number } | undefined {
  const d = new Descent(tokens, settle, plain);
  try {
    const cst = rule === 'program' ? d.program() : d.statementList();
    return { cst, elements: d.elements };
  } catch (e) {
    if (e === giveUp) {
      // The descent looks at most two tokens ahead: it decided nothing on the tokens past at + 1.
      if (failure) failure.at = d.i;
      return undefined;
    }
    throw e;
  }
}
