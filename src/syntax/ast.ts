/** The abstract syntax tree. Every node carries the span of source it came from. */
import type { SourceFile, Span } from '../source.js';

interface Node<K extends string> {
  readonly kind: K;
  readonly span: Span;
  /**
   * Set on a node built from input with a syntax error in it (Chevrotain recovered: a
   * token was missing, inserted or skipped). Its missing parts are placeholders (an
   * Identifier with an empty name, a `null` Literal) located where they should be; later
   * phases may check it, and the compile gate drops what they say about it (src/syntax/recovery.ts).
   */
  readonly recovered?: true;
}

export interface Identifier extends Node<'Identifier'> {
  readonly name: string;
}

export interface Document extends Node<'Document'> {
  readonly file: SourceFile;
  readonly imports: readonly ImportDecl[];
  readonly components: readonly ComponentDecl[];
  readonly pipelines: readonly PipelineDecl[];
}

/**
 * `import "train.component.yaml" as train` (a component), `import "lib/common.kfp"` (a module's
 * components, unqualified) or `import "lib/common.kfp" as lib` (called as `lib.train(...)`).
 */
export interface ImportDecl extends Node<'ImportDecl'> {
  readonly path: string;
  readonly pathSpan: Span;
  /** Absent for `import "x.kfp"` without `as`. */
  readonly name?: Identifier;
}

export interface ParamDecl extends Node<'ParamDecl'> {
  readonly name: Identifier;
  readonly type: Identifier;
  readonly default?: Expr;
}

export interface ComponentDecl extends Node<'ComponentDecl'> {
  readonly name: Identifier;
  readonly params: readonly ParamDecl[];
  /** `-> int` gives one output named `Output` (as kfp names a single return); `-> (a: int)` names them. */
  readonly returns?: { readonly single: boolean; readonly outputs: readonly ParamDecl[]; readonly span: Span };
  readonly description?: { readonly text: string; readonly span: Span };
  readonly code?: { readonly language: string; readonly text: string; readonly span: Span };
  readonly settings: readonly Setting[];
}

export interface Setting extends Node<'Setting'> {
  readonly name: Identifier;
  readonly value: Expr;
  /** `cpu: 2 .. 4`: request .. limit. */
  readonly upper?: Expr;
}

export interface PipelineDecl extends Node<'PipelineDecl'> {
  readonly name: string;
  readonly nameSpan: Span;
  /** `pipeline train "Train a model" (…)`: the name other pipelines call it by (`m = train(…)`). */
  readonly callName?: Identifier;
  readonly params: readonly ParamDecl[];
  /**
   * `-> (model: file = fit.model, score: float = evaluate)`: the outputs a caller gets, each bound
   * (as a parameter's default is written) to a task output of the body. `single` for `-> float`,
   * which has no binding and is reported.
   */
  readonly returns?: { readonly single: boolean; readonly outputs: readonly ParamDecl[]; readonly span: Span };
  readonly description?: { readonly text: string; readonly span: Span };
  readonly body: readonly Statement[];
}

export type Statement = TaskStmt | IfStmt | ForStmt | FinallyStmt | Setting;

export interface Argument extends Node<'Argument'> {
  readonly name?: Identifier;
  readonly value: Expr;
}

export interface TaskStmt extends Node<'TaskStmt'> {
  readonly name?: Identifier;
  /** The name called: `train`, or `lib.train` (one identifier spanning both parts) for a module imported `as lib`. */
  readonly callee: Identifier;
  /** `lib` in `lib.train(...)`. */
  readonly qualifier?: Identifier;
  readonly args: readonly Argument[];
  readonly after: readonly Identifier[];
  readonly settings: readonly Setting[];
}

export interface IfStmt extends Node<'IfStmt'> {
  /** `if` and each `elif`, in order; `keywordSpan` is the `if` or `elif` token. */
  readonly branches: readonly { readonly cond: Expr; readonly body: readonly Statement[]; readonly span: Span; readonly keywordSpan: Span }[];
  readonly elseBody?: readonly Statement[];
  readonly elseSpan?: Span;
}

export interface ForStmt extends Node<'ForStmt'> {
  /** The `for` token. */
  readonly keywordSpan: Span;
  readonly variable: Identifier;
  readonly items: Expr;
  readonly parallelism?: { readonly value: number; readonly span: Span };
  readonly body: readonly Statement[];
}

export interface FinallyStmt extends Node<'FinallyStmt'> {
  /** The `finally` token. */
  readonly keywordSpan: Span;
  readonly body: readonly Statement[];
}

export type Expr = Literal | ListExpr | DictExpr | RefExpr | CallExpr | CompareExpr | BoolExpr | NotExpr;

export interface Literal extends Node<'Literal'> {
  readonly value: string | number | boolean | null;
  /** Distinguishes `1` from `1.0`, which kfp serializes differently. */
  readonly isFloat: boolean;
}

export interface ListExpr extends Node<'ListExpr'> {
  readonly items: readonly Expr[];
}

export interface DictExpr extends Node<'DictExpr'> {
  readonly entries: readonly { readonly key: string; readonly keySpan: Span; readonly value: Expr }[];
}

/** `name`, `task.output`, `row.field`. */
export interface RefExpr extends Node<'RefExpr'> {
  readonly parts: readonly Identifier[];
}

/** `secret("name", "key")`, `volume(...)`: built-in functions used as values. */
export interface CallExpr extends Node<'CallExpr'> {
  /** As in TaskStmt: `lib.train` is one identifier spanning both parts. */
  readonly callee: Identifier;
  readonly qualifier?: Identifier;
  readonly args: readonly Argument[];
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface CompareExpr extends Node<'CompareExpr'> {
  readonly op: CompareOp;
  readonly opSpan: Span;
  readonly left: Expr;
  readonly right: Expr;
}

export interface BoolExpr extends Node<'BoolExpr'> {
  readonly op: 'and' | 'or';
  readonly operands: readonly Expr[];
}

export interface NotExpr extends Node<'NotExpr'> {
  readonly operand: Expr;
}
