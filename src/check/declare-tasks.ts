/**
 * Rule: declaration. Every task (and every call written inside another call's arguments)
 * is declared before any reference is resolved, so order in the file does not matter:
 * unknown components, duplicate names, task names too long for a cluster, and the neutral
 * ids of tasks and loops.
 */
import { allOf, didYouMean } from '../diagnostics/suggest.js';
import { NameAllocator, taskName } from '../names.js';
import type * as ast from '../syntax/ast.js';
import { resourceOutputs } from './check-resource.js';
import { ARGO_NAME_MAX } from './name-limits.js';
import type { PipelineState, TaskInfo } from './pipeline-state.js';

export function loopId(ps: PipelineState, s: ast.ForStmt): string {
  let id = ps.loopIdOf.get(s);
  if (id === undefined) {
    id = ps.loopIds.unique(s.variable.name);
    ps.loopIdOf.set(s, id);
  }
  return id;
}

/**
 * Bound tasks are known by their binding; the others by their callee's name, made unique
 * with `-2`, `-3`… (a `-` no binding can spell), in source order.
 */
export function assignTaskIds(ps: PipelineState): void {
  const ids = new NameAllocator();
  for (const t of ps.tasks.values()) if (t.binding !== undefined) ids.reserve(t.binding);
  for (const t of ps.tasks.values()) t.id = t.binding ?? ids.unique(unqualified(t.stmt.callee.name));
}

/** First pass: every task is declared before any reference is resolved, so order in the file does not matter. */
export function declare(ps: PipelineState, stmts: readonly ast.Statement[], loops: string[], inExit: boolean): void {
  for (const s of stmts) {
    switch (s.kind) {
      case 'TaskStmt':
        declareTask(ps, s, loops, inExit);
        break;
      case 'IfStmt':
        for (const b of s.branches) declare(ps, b.body, loops, inExit);
        if (s.elseBody) declare(ps, s.elseBody, loops, inExit);
        break;
      case 'ForStmt':
        declare(ps, s.body, [...loops, loopId(ps, s)], inExit);
        break;
      case 'FinallyStmt':
        if (loops.length > 0 || inExit) ps.ctx.report('MisplacedFinally', '`finally` belongs at the top level of a pipeline', s.keywordSpan);
        declare(ps, s.body, loops, true);
        break;
      case 'Setting':
        break;
    }
  }
}

export function declareTask(ps: PipelineState, s: ast.TaskStmt, loops: string[], inExit: boolean): void {
  const component = ps.components.get(s.callee.name);
  const isVolume = !component && s.callee.name === 'volume';
  const isResource = !component && s.callee.name === 'resource';
  if (!component && !isVolume && !isResource) {
    ps.ctx.report('UnknownComponent', `unknown component \`${s.callee.name}\``, s.callee.span, {
      label: 'not defined or imported in this file',
      hint: componentSuggestion(ps, s.callee.name),
    });
  }
  const binding = s.name?.name;
  // The task name Kubernetes targets derive (before `-2` suffixes): too long for Argo, a located error now.
  // `lib.train(...)` names its task `train`, as the same call to an inline component would.
  const name = taskName(binding ?? unqualified(s.callee.name));
  if (name.length > ARGO_NAME_MAX) {
    ps.ctx.report('NameTooLong', `task name \`${name.slice(0, 40)}…\` is ${name.length} characters; Argo accepts at most ${ARGO_NAME_MAX}`, (s.name ?? s.callee).span, { hint: 'use a shorter name' });
  }
  // Two literals rather than a conditional spread, which costs microseconds per task until V8 optimises it.
  const info: TaskInfo = isResource
    ? { stmt: s, binding, id: '', component, isVolume, resourceOutputs: resourceOutputs(s), loops, inExit }
    : { stmt: s, binding, id: '', component, isVolume, loops, inExit };
  ps.tasks.set(s, info);
  // As in kfp (`multiply_op(add_op(a, b).output)`), a component call inside the arguments is a task of its own.
  const inline: ast.TaskStmt[] = [];
  for (const a of s.args) {
    const v = a.value;
    if (v.kind === 'CallExpr' && ps.components.has(v.callee.name)) {
      const stmt: ast.TaskStmt = { kind: 'TaskStmt', span: v.span, callee: v.callee, args: v.args, after: [], settings: [] };
      ps.inlineTasks.set(v, stmt);
      inline.push(stmt);
      declareTask(ps, stmt, loops, inExit);
    }
  }
  if (inline.length > 0) ps.inlineOf.set(s, inline);
  if (s.name) {
    const prev = ps.scope.get(s.name.name);
    if (prev) {
      ps.ctx.report('DuplicateName', `\`${s.name.name}\` is already defined`, s.name.span, {
        label: 'defined again here',
        related: [ps.ctx.related(prev.span, prev.kind === 'param' ? 'a pipeline parameter of that name' : 'first defined here')],
      });
    } else ps.scope.set(s.name.name, { kind: 'task', task: info, span: s.name.span });
  }
}

export function componentSuggestion(ps: PipelineState, name: string): string | undefined {
  if (!ps.suggestions.has(name)) ps.suggestions.set(name, didYouMean(name, allOf(ps.components.keys(), ['volume', 'resource']), ps.ctx.suggestions));
  return ps.suggestions.get(name);
}


/** `lib.train` → `train`: a call through a module alias is named like a call of the component itself. */
function unqualified(callee: string): string {
  return callee.slice(callee.lastIndexOf('.') + 1);
}
