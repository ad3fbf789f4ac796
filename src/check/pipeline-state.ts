/**
 * What the rules of a pipeline check share: the names in scope, every task declared, the
 * loops' ids, the dependency edges and which names are used. The coordinator
 * (check-pipeline.ts) makes one per pipeline and runs the rules over it in order:
 * declaration (declare-tasks.ts), IR building (build-ir.ts) with resolution
 * (resolve-refs.ts) and argument typing (type-arguments.ts), then cycles (task-graph.ts)
 * and unused names (unused.ts).
 */
import type { IrComponent, IrParam } from '../ir/ir.js';
import { NameAllocator } from '../names.js';
import type { Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import type { CheckContext } from './context.js';
import type { ValueType } from './types.js';

export interface TaskInfo {
  readonly stmt: ast.TaskStmt;
  readonly binding: string | undefined;
  /** The neutral id (see IrTask): given once every binding is known, before the IR is built. */
  id: string;
  readonly component: IrComponent | undefined;
  readonly isVolume: boolean;
  /** For `resource(...)` tasks: their outputs (`name`, `manifest` and the ones the call names). */
  readonly resourceOutputs?: readonly string[];
  /** Ids of the loops around the task, outermost first. */
  readonly loops: readonly string[];
  readonly inExit: boolean;
}

export interface LoopFrame {
  readonly variable: string;
  /** The loop's neutral id (see IrLoop). */
  readonly id: string;
  /** Field names when the items are literal records; undefined when unknown. */
  readonly fields: readonly string[] | undefined;
  readonly itemType: ValueType;
  readonly span: Span;
}

export type Symbol = { kind: 'param'; param: IrParam; span: Span } | { kind: 'task'; task: TaskInfo; span: Span };

export class PipelineState {
  readonly scope = new Map<string, Symbol>();
  readonly tasks = new Map<ast.TaskStmt, TaskInfo>();
  /** Loop ids, made in source order: the variable, `-2`, `-3`… when a later loop reuses it. */
  readonly loopIds = new NameAllocator();
  readonly loopIdOf = new Map<ast.ForStmt, string>();
  /** Edges for the cycle check: task id → ids it depends on, with the span that made the edge. */
  readonly edges = new Map<string, { to: string; span: Span }[]>();
  /** Calls written inside another call's arguments (`show(read(w.out))`): each is a task of its own. */
  readonly inlineTasks = new Map<ast.CallExpr, ast.TaskStmt>();
  readonly inlineOf = new Map<ast.TaskStmt, ast.TaskStmt[]>();
  /** Names in scope that something refers to, for the unused-name warnings. */
  readonly used = new Set<string>();
  /** "did you mean" for an unknown component, once per name: 100,000 calls of one typo compare the names once. */
  readonly suggestions = new Map<string, string | undefined>();

  constructor(
    readonly ctx: CheckContext,
    readonly components: ReadonlyMap<string, IrComponent>,
  ) {}
}
