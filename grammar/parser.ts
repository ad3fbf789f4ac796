/**
 * The .kfp grammar as a Chevrotain CST parser with error recovery. Each rule's doc
 * comment is its production; together they are the language's reference grammar
 * (also written out in README.md). Newlines are ordinary white space: every
 * statement ends in a token that cannot continue it (`)`, `}`, a literal).
 */
import { CstParser, type CstNode, type IOrAlt, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.js';

/** Thrown when a file has more syntax errors than are worth reporting; recovery past that is quadratic. */
export class TooManySyntaxErrors extends Error {}

/** How many syntax errors one parse records before it gives up. */
export const MAX_SYNTAX_ERRORS = 50;

export class KfpParser extends CstParser {
  /** Recognition errors recorded in the current parse (see SAVE_ERROR below). */
  savedErrors = 0;

  /**
   * Each OR's alternatives, made once: a literal `[{ ALT: … }, …]` would allocate an array,
   * an object and a closure per alternative on every call (eleven of each per `primary`),
   * which was most of the garbage of a large parse (Chevrotain's documented remedy).
   */
  private readonly alts: Record<string, IOrAlt<unknown>[]> = {};

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, skipValidations: true, nodeLocationTracking: 'onlyOffset' });
    this.performSelfAnalysis();
  }

  override set input(tokens: IToken[]) {
    this.savedErrors = 0;
    super.input = tokens;
  }

  override get input(): IToken[] {
    return super.input;
  }

  /** program : (importDecl | componentDecl | pipelineDecl)* */
  program = this.RULE('program', () => {
    this.MANY(() => {
      this.OR((this.alts['program'] ??= [
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.componentDecl) },
        { ALT: () => this.SUBRULE(this.pipelineDecl) },
      ]));
    });
  });

  /** importDecl : "import" String ("as" Identifier)?   (a .kfp module may be imported without a name) */
  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral, { LABEL: 'path' });
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Identifier, { LABEL: 'name' });
    });
  });

  /** componentDecl : "component" Identifier "(" paramList? ")" ("->" outputSpec)? "{" componentItem* "}" */
  componentDecl = this.RULE('componentDecl', () => {
    this.CONSUME(T.Component);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.paramList));
    this.CONSUME(T.RParen);
    this.OPTION2(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.outputSpec);
    });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.componentItem));
    this.CONSUME(T.RBrace);
  });

  /** paramList : param ("," param)* ","? */
  paramList = this.RULE('paramList', () => {
    this.SUBRULE(this.param);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OPTION(() => this.SUBRULE2(this.param));
    });
  });

  /** param : Identifier ":" Identifier ("=" expr)? */
  param = this.RULE('param', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.CONSUME2(T.Identifier, { LABEL: 'type' });
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr, { LABEL: 'default' });
    });
  });

  /** outputSpec : Identifier | "(" (param ("," param)* ","?)? ")"   (a single type, or named outputs) */
  outputSpec = this.RULE('outputSpec', () => {
    this.OR((this.alts['outputSpec'] ??= [
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'type' }) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.OPTION(() => this.SUBRULE(this.paramList));
          this.CONSUME(T.RParen);
        },
      },
    ]));
  });

  /** componentItem : TripleString | Fence | setting */
  componentItem = this.RULE('componentItem', () => {
    this.OR((this.alts['componentItem'] ??= [
      { ALT: () => this.CONSUME(T.TripleString, { LABEL: 'description' }) },
      { ALT: () => this.CONSUME(T.Fence, { LABEL: 'code' }) },
      { ALT: () => this.SUBRULE(this.setting) },
    ]));
  });

  /** setting : Identifier ":" expr (".." expr)? */
  setting = this.RULE('setting', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expr, { LABEL: 'value' });
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      this.SUBRULE2(this.expr, { LABEL: 'upper' });
    });
  });

  /**
   * pipelineDecl : "pipeline" Identifier? String "(" paramList? ")" ("->" outputSpec)? "{" TripleString? statement* "}"
   * (the Identifier is the name other pipelines call it by; outputs are bound as `name: type = task.output`)
   */
  pipelineDecl = this.RULE('pipelineDecl', () => {
    this.CONSUME(T.Pipeline);
    this.OPTION2(() => this.CONSUME(T.Identifier, { LABEL: 'callName' }));
    this.CONSUME(T.StringLiteral, { LABEL: 'name' });
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.paramList));
    this.CONSUME(T.RParen);
    this.OPTION3(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.outputSpec);
    });
    this.SUBRULE(this.block);
  });

  /** block : "{" TripleString? statement* "}" */
  block = this.RULE('block', () => {
    this.CONSUME(T.LBrace);
    this.OPTION(() => this.CONSUME(T.TripleString, { LABEL: 'description' }));
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  /** statement : ifStmt | forStmt | finallyStmt | taskStmt | setting */
  statement = this.RULE('statement', () => {
    this.OR((this.alts['statement'] ??= [
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.forStmt) },
      { ALT: () => this.SUBRULE(this.finallyStmt) },
      { GATE: () => this.LA(2).tokenType === T.Colon, ALT: () => this.SUBRULE(this.setting) },
      { ALT: () => this.SUBRULE(this.taskStmt) },
    ]));
  });

  /** taskStmt : (Identifier "=")? call ("after" Identifier ("," Identifier)*)? settingsBlock? */
  taskStmt = this.RULE('taskStmt', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Equals,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'name' });
        this.CONSUME(T.Equals);
      },
    });
    this.SUBRULE(this.call);
    this.OPTION2(() => {
      this.CONSUME(T.After);
      this.CONSUME2(T.Identifier, { LABEL: 'after' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.CONSUME3(T.Identifier, { LABEL: 'after' });
      });
    });
    this.OPTION3(() => this.SUBRULE(this.settingsBlock));
  });

  /** settingsBlock : "{" (setting ","?)* "}"   (one per line, or separated by commas on one line) */
  settingsBlock = this.RULE('settingsBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.setting);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBrace);
  });

  /** call : (Identifier ".")? Identifier "(" argList? ")"   (`lib.train(...)`: a component of a module imported `as lib`) */
  call = this.RULE('call', () => {
    this.OPTION2({
      GATE: () => this.LA(2).tokenType === T.Dot,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'qualifier' });
        this.CONSUME(T.Dot);
      },
    });
    this.CONSUME2(T.Identifier, { LABEL: 'callee' });
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.argList));
    this.CONSUME(T.RParen);
  });

  /** argList : arg ("," arg)* ","? */
  argList = this.RULE('argList', () => {
    this.SUBRULE(this.arg);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OPTION(() => this.SUBRULE2(this.arg));
    });
  });

  /** arg : (Identifier ":")? expr */
  arg = this.RULE('arg', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'name' });
        this.CONSUME(T.Colon);
      },
    });
    this.SUBRULE(this.expr, { LABEL: 'value' });
  });

  /** ifStmt : "if" expr block ("elif" expr block)* ("else" block)? */
  ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr, { LABEL: 'cond' });
    this.SUBRULE(this.block, { LABEL: 'then' });
    this.MANY(() => {
      this.CONSUME(T.Elif);
      this.SUBRULE2(this.expr, { LABEL: 'cond' });
      this.SUBRULE2(this.block, { LABEL: 'then' });
    });
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.SUBRULE3(this.block, { LABEL: 'else' });
    });
  });

  /** forStmt : "for" Identifier "in" expr ("parallelism" IntLiteral)? block */
  forStmt = this.RULE('forStmt', () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier, { LABEL: 'var' });
    this.CONSUME(T.In);
    this.SUBRULE(this.expr, { LABEL: 'items' });
    this.OPTION(() => {
      this.CONSUME2(T.Identifier, { LABEL: 'parallelismWord' });
      this.CONSUME(T.IntLiteral, { LABEL: 'parallelism' });
    });
    this.SUBRULE(this.block);
  });

  /** finallyStmt : "finally" block */
  finallyStmt = this.RULE('finallyStmt', () => {
    this.CONSUME(T.Finally);
    this.SUBRULE(this.block);
  });

  /**
   * expr : notExpr (("or" | "and") notExpr)*
   * `and` binds tighter than `or`; the AST step groups the operands (cst-to-ast.ts). One
   * flat rule instead of one per level: a literal argument costs three rule calls, not
   * five, which is most of the parse of a long argument list or many components.
   */
  expr = this.RULE('expr', () => {
    this.SUBRULE(this.notExpr, { LABEL: 'operands' });
    this.MANY(() => {
      this.OR((this.alts['exprOp'] ??= [{ ALT: () => this.CONSUME(T.Or) }, { ALT: () => this.CONSUME(T.And) }]));
      this.SUBRULE2(this.notExpr, { LABEL: 'operands' });
    });
  });

  /** notExpr : "not" notExpr | primary (("==" | "!=" | "<" | "<=" | ">" | ">=") primary)? */
  notExpr = this.RULE('notExpr', () => {
    this.OR((this.alts['notExpr'] ??= [
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.notExpr, { LABEL: 'operand' });
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.primary, { LABEL: 'left' });
          this.OPTION(() => {
            this.OR2((this.alts['comparison'] ??= [
              { ALT: () => this.CONSUME(T.EqEq, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.NotEq, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.LtEq, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.GtEq, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.Lt, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.Gt, { LABEL: 'op' }) },
            ]));
            this.SUBRULE2(this.primary, { LABEL: 'right' });
          });
        },
      },
    ]));
  });

  /**
   * primary : String | TripleString | Int | Float | "true" | "false" | "null"
   *         | list | dict | Identifier ("." Identifier)* ("(" argList? ")")? | "(" expr ")"
   */
  primary = this.RULE('primary', () => {
    this.OR((this.alts['primary'] ??= [
      { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.TripleString, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.IntLiteral, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.FloatLiteral, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.True, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.False, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.Null, { LABEL: 'literal' }) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.dict) },
      { ALT: () => this.SUBRULE(this.reference) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr, { LABEL: 'inner' });
          this.CONSUME(T.RParen);
        },
      },
    ]));
  });

  /** reference : Identifier ("." Identifier)* ("(" argList? ")")? */
  reference = this.RULE('reference', () => {
    this.CONSUME(T.Identifier, { LABEL: 'parts' });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier, { LABEL: 'parts' });
    });
    this.OPTION(() => {
      this.CONSUME(T.LParen, { LABEL: 'call' });
      this.OPTION2(() => this.SUBRULE(this.argList));
      this.CONSUME(T.RParen);
    });
  });

  /** list : "[" (expr ("," expr)* ","?)? "]" */
  list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expr, { LABEL: 'items' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.OPTION2(() => this.SUBRULE2(this.expr, { LABEL: 'items' }));
      });
    });
    this.CONSUME(T.RBracket);
  });

  /** dict : "{" (dictEntry ("," dictEntry)* ","?)? "}" */
  dict = this.RULE('dict', () => {
    this.CONSUME(T.LBrace);
    this.OPTION(() => {
      this.SUBRULE(this.dictEntry);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.OPTION2(() => this.SUBRULE2(this.dictEntry));
      });
    });
    this.CONSUME(T.RBrace);
  });

  /** dictEntry : (Identifier | String) ":" expr */
  dictEntry = this.RULE('dictEntry', () => {
    this.OR((this.alts['dictEntry'] ??= [
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'key' }) },
      { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'key' }) },
    ]));
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expr, { LABEL: 'value' });
  });
}

export type { CstNode, IToken, TokenType };

/**
 * Chevrotain records every recognition error through SAVE_ERROR (not in its public
 * types); past MAX_SYNTAX_ERRORS we stop, since recovering through thousands of errors
 * costs quadratic time and reports nothing a user can act on.
 */
type WithSaveError = { SAVE_ERROR(error: unknown): unknown };
const baseSaveError = (CstParser.prototype as unknown as WithSaveError).SAVE_ERROR;
(KfpParser.prototype as unknown as WithSaveError).SAVE_ERROR = function (this: KfpParser, error: unknown) {
  const saved = baseSaveError.call(this, error);
  if (++this.savedErrors >= MAX_SYNTAX_ERRORS) throw new TooManySyntaxErrors();
  return saved;
};
