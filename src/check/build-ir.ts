/**
 * Rule: building the IR. Statements become IR nodes in source order: tasks (with the calls
 * written in their arguments first), volumes, resources, an `if` as one branch node with its
 * arms as written, loops with their items' type and fields. Empty blocks are errors here,
 * since no backend can run a group without tasks.
 */
import type { IrArm, IrBranch, IrLoop, IrNode } from '../ir/ir.js';
import type { Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { checkCondition } from './check-condition.js';
import { checkResource } from './check-resource.js';
import { checkVolume } from './check-volume.js';
import { constType, constValue } from './context.js';
import { loopId } from './declare-tasks.js';
import type { LoopFrame, PipelineState } from './pipeline-state.js';
import { afterList, reference, resourceRef } from './resolve-refs.js';
import { fitsField } from './settings.js';
import { task } from './type-arguments.js';
import { describeType, type ValueType } from './types.js';

/** More `elif`s than this make the workflow grow too fast (each negates all the earlier conditions). */
export const MAX_ELIF = 64;

export function statements(ps: PipelineState, stmts: readonly ast.Statement[], frames: readonly LoopFrame[], inExit: boolean): IrNode[] {
  const out: IrNode[] = [];
  for (const s of stmts) {
    switch (s.kind) {
      case 'TaskStmt':
        out.push(...taskWithInlineCalls(ps, s, frames));
        break;
      case 'IfStmt':
        out.push(...ifStmt(ps, s, frames, inExit));
        break;
      case 'ForStmt': {
        const loop = forStmt(ps, s, frames, inExit);
        if (loop) out.push(loop);
        break;
      }
      case 'FinallyStmt':
        break; // reported in declare()
      case 'Setting':
        ps.ctx.report('MisplacedPipelineSetting', `pipeline settings such as \`${s.name.name}\` belong at the top level of the pipeline`, s.name.span, {
          hint: 'task settings go in braces after the call: `t = train(x) { cpu: 2 }`',
        });
        break;
    }
  }
  return out;
}

/** A task and, first, the tasks of the calls written in its arguments. */
export function taskWithInlineCalls(ps: PipelineState, s: ast.TaskStmt, frames: readonly LoopFrame[]): IrNode[] {
  const out: IrNode[] = [];
  for (const inner of ps.inlineOf.get(s) ?? []) out.push(...taskWithInlineCalls(ps, inner, frames));
  const info = ps.tasks.get(s)!;
  const ref = (e: ast.RefExpr) => reference(ps, e, frames, info.inExit);
  const after = () => afterList(ps, info);
  const node = info.isVolume
    ? checkVolume(ps.ctx, s, info, ref, after)
    : info.resourceOutputs
      ? checkResource(ps.ctx, s, info, (e) => resourceRef(ps, e, info, frames), after)
      : task(ps, info, frames);
  if (node) out.push(node);
  return out;
}

export function ifStmt(ps: PipelineState, s: ast.IfStmt, frames: readonly LoopFrame[], inExit: boolean): IrNode[] {
  if (s.branches.length > MAX_ELIF) {
    // A backend without `else` (KFP v1) negates every earlier condition: the workflow grows with the square of the branches.
    ps.ctx.report('TooDeep', `an \`if\` with ${s.branches.length} branches; at most ${MAX_ELIF} are accepted`, s.branches[MAX_ELIF]!.span, {
      hint: 'loop over the cases instead, or split the decision into nested conditions',
    });
    return [];
  }
  const arms: IrArm[] = [];
  for (const b of s.branches) {
    const when = checkCondition(ps.ctx, b.cond, (e) => reference(ps, e, frames, inExit));
    if (!when) continue;
    arms.push({ when, body: nonEmpty(ps, statements(ps, b.body, frames, inExit), b.span, '`if` block'), origin: { start: b.span.start, end: b.span.end } });
  }
  if (arms.length === 0) return [];
  const branch: IrBranch = { kind: 'branch', arms };
  if (s.elseBody && arms.length === s.branches.length) {
    const span = s.elseSpan ?? s.span;
    branch.else = { body: nonEmpty(ps, statements(ps, s.elseBody, frames, inExit), span, '`else` block'), origin: { start: span.start, end: span.end } };
  }
  return [branch];
}

/** Argo runs no DAG without tasks: an empty block is an error here rather than a rejected workflow. */
export function nonEmpty(ps: PipelineState, body: IrNode[], span: Span, what: string): IrNode[] {
  if (body.length === 0 && !ps.ctx.diagnostics.some((d) => d.severity === 'error')) {
    ps.ctx.report('EmptyBlock', `this ${what} has no tasks`, span, { hint: 'add a task, or remove the block' });
  }
  return body;
}

export function forStmt(ps: PipelineState, s: ast.ForStmt, frames: readonly LoopFrame[], inExit: boolean): IrLoop | undefined {
  const id = loopId(ps, s);
  const clash = ps.scope.get(s.variable.name) ?? frames.find((f) => f.variable === s.variable.name);
  if (clash) {
    ps.ctx.report('DuplicateName', `loop variable \`${s.variable.name}\` hides another name`, s.variable.span, { hint: 'give the loop variable its own name' });
  }
  let items: IrLoop['items'] | undefined;
  let fields: string[] | undefined;
  let itemType: ValueType = 'any';
  const c = constValue(s.items);
  if (c) {
    const v = c.const;
    if (!Array.isArray(v) || v.length === 0) {
      ps.ctx.report('InvalidLoopItems', Array.isArray(v) ? 'a loop needs at least one item' : `cannot loop over a \`${describeType(constType(c))}\``, s.items.span, { hint: 'loop over a list: `for x in [1, 2, 3] { … }`' });
    } else {
      const kinds = new Set(v.map((x) => (x === null ? 'null' : Array.isArray(x) ? 'list' : typeof x)));
      if (kinds.size > 1 || kinds.has('null') || kinds.has('list')) {
        ps.ctx.report('InvalidLoopItems', 'loop items must all be numbers, all strings, all booleans or all records', s.items.span);
      } else if (kinds.has('object')) {
        const keys = Object.keys(v[0] as object).sort();
        const same = v.every((x) => JSON.stringify(Object.keys(x as object).sort()) === JSON.stringify(keys));
        const badKey = keys.find((k) => !/^[a-zA-Z_][0-9a-zA-Z_]*$/.test(k));
        if (!same) ps.ctx.report('InvalidLoopItems', 'loop records must all have the same fields', s.items.span, { hint: `the first has ${keys.map((k) => `\`${k}\``).join(', ')}` });
        else if (badKey !== undefined) ps.ctx.report('InvalidLoopItems', `record field \`${badKey}\` is not an identifier`, s.items.span, { hint: 'fields are used as `row.field`' });
        else {
          fields = keys;
          itemType = 'dict';
          items = c;
        }
      } else {
        const types = new Set(v.map((x) => constType({ const: x })));
        itemType = types.size === 1 ? [...types][0]! : types.has('float') && types.has('int') && types.size === 2 ? 'float' : 'any';
        items = c;
      }
    }
  } else if (s.items.kind === 'RefExpr') {
    const r = reference(ps, s.items, frames, inExit);
    if (r) {
      if (r.type !== 'list' && r.type !== 'any' && r.type !== 'file') {
        ps.ctx.report('InvalidLoopItems', `cannot loop over a \`${describeType(r.type)}\``, s.items.span, { label: 'not a list', hint: 'loop over a `list` parameter, a `list` output or a literal list' });
      } else if ('collect' in r.value) {
        ps.ctx.report('InvalidLoopItems', 'cannot loop over outputs collected from another loop', s.items.span, { hint: 'nest the loops instead' });
      } else {
        items = r.value as IrLoop['items'];
      }
    }
  } else {
    ps.ctx.report('InvalidLoopItems', 'a loop runs over a literal list, a list parameter or a list output', s.items.span);
  }
  const parallelismFits = !s.parallelism || fitsField(ps.ctx, s.parallelism.value, 'parallelism', s.parallelism.span);
  if (s.parallelism && s.parallelism.value < 1) {
    ps.ctx.report('InvalidParallelism', '`parallelism` must be at least 1', s.parallelism.span, { hint: 'leave it out for no limit (Argo 4 rejects 0)' });
  }
  const frame: LoopFrame = { variable: s.variable.name, id, fields, itemType, span: s.variable.span };
  const body = nonEmpty(ps, statements(ps, s.body, [...frames, frame], inExit), s.keywordSpan, 'loop');
  if (!items) return undefined;
  return {
    kind: 'loop',
    id,
    variable: s.variable.name,
    items,
    fields: fields ?? [],
    ...(s.parallelism && s.parallelism.value >= 1 && parallelismFits ? { parallelism: s.parallelism.value, parallelismOrigin: { start: s.parallelism.span.start, end: s.parallelism.span.end } } : {}),
    body,
    origin: { start: s.span.start, end: s.span.end },
  };
}

