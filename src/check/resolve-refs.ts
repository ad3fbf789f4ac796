/**
 * Rule: resolution. A reference (`x`, `t.out`, `row.a`, `workflow.uid`) names a pipeline
 * parameter, a task output, a loop item or a run placeholder that exists and may be used
 * here (not across `finally`, loops collected one level at a time); `after` names bound
 * tasks; `mount` names volumes.
 */
import type { IrComponent, IrPort } from '../ir/ir.js';
import type { Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { listNames } from '../diagnostics/name-list.js';
import { allOf, didYouMean } from '../diagnostics/suggest.js';
import { WORKFLOW_VALUES } from './argo-placeholders.js';
import { portIndex, writtenNames } from './ports.js';
import { isUiOutput, type Resolved } from './resolved.js';
import { isDnsSubdomain } from './settings.js';
import type { LoopFrame, PipelineState, TaskInfo } from './pipeline-state.js';
import { edge } from './task-graph.js';
import { isUntypedImportedPort, type ValueType } from './types.js';

export function reference(ps: PipelineState, e: ast.RefExpr, frames: readonly LoopFrame[], inExit: boolean): Resolved | undefined {
  const [head, field, ...rest] = e.parts;
  if (rest.length > 0) {
    ps.ctx.report('UnknownOutput', 'a reference has at most one `.`', { start: rest[0]!.span.start - 1, end: e.span.end }, { hint: 'write `task.output` or `item.field`' });
    return undefined;
  }
  const frame = [...frames].reverse().find((f) => f.variable === head!.name);
  if (frame) {
    if (!field) return { value: { item: { loop: frame.id } }, type: frame.itemType };
    if (frame.fields && !frame.fields.includes(field.name)) {
      ps.ctx.report('UnknownOutput', `loop items have no field \`${field.name}\``, field.span, { hint: didYouMean(field.name, frame.fields, ps.ctx.suggestions) ?? `their fields are ${listNames(frame.fields)}` });
      return undefined;
    }
    if (!frame.fields && frame.itemType !== 'any' && frame.itemType !== 'dict') {
      ps.ctx.report('UnknownOutput', `loop items are \`${frame.itemType}\`, which has no fields`, field.span);
      return undefined;
    }
    return { value: { item: { loop: frame.id, field: field.name } }, type: 'any' };
  }
  const sym = ps.scope.get(head!.name);
  if (sym) ps.used.add(head!.name);
  // `workflow.uid`, `run.id`, …: the language's spelling of Argo's placeholders (a parameter or task of that name shadows them).
  const builtin = sym ? undefined : WORKFLOW_VALUES[head!.name];
  if (builtin) {
    const tag = field ? builtin[field.name] : undefined;
    if (tag !== undefined) return { value: { const: tag }, type: 'str' };
    const fields = Object.keys(builtin);
    ps.ctx.report('UnknownOutput', field ? `\`${head!.name}\` has no value \`${field.name}\`` : `\`${head!.name}\` is not a value by itself`, (field ?? head!).span, {
      hint: (field && didYouMean(field.name, fields)) ?? `write one of ${fields.map((f) => `\`${head!.name}.${f}\``).join(', ')}`,
    });
    return undefined;
  }
  if (!sym) {
    ps.ctx.report('UnknownName', `unknown name \`${head!.name}\``, head!.span, {
      label: 'not a parameter, task or loop variable',
      hint: didYouMean(head!.name, allOf(ps.scope.keys(), loopVariables(frames)), ps.ctx.suggestions),
    });
    return undefined;
  }
  if (sym.kind === 'param') {
    if (field) {
      ps.ctx.report('UnknownOutput', `pipeline parameter \`${head!.name}\` has no fields`, field.span, { hint: `use \`${head!.name}\`` });
      return undefined;
    }
    return { value: { param: sym.param.name }, type: sym.param.type };
  }
  const producer = sym.task;
  if (producer.isVolume) {
    ps.ctx.report('TypeMismatch', `\`${head!.name}\` is a volume: mount it instead`, e.span, { hint: `e.g. t = step() { mount: { "/data": ${head!.name} } }` });
    return undefined;
  }
  if (producer.inExit !== inExit) {
    ps.ctx.report('FinallyDependency', inExit ? '`finally` tasks run after the pipeline and cannot use its outputs' : 'a pipeline task cannot use the outputs of a `finally` task', e.span);
    return undefined;
  }
  if (producer.resourceOutputs) return resourceOutput(ps, producer, field, e, frames);
  const comp = producer.component;
  if (!comp) return undefined;
  const { passable, outputs } = portIndex(comp);
  let out;
  if (!field) {
    if (passable.length !== 1) {
      ps.ctx.report('AmbiguousOutput', passable.length === 0 ? `task \`${head!.name}\` has no output to pass` : `task \`${head!.name}\` has ${passable.length} outputs`, e.span, {
        hint: passable.length === 0 ? undefined : `name one: ${listNames(passable, (o) => `\`${head!.name}.${o.argName ?? o.name}\``)}`,
      });
      return undefined;
    }
    out = passable[0]!;
  } else {
    out = outputs.get(field.name);
    if (!out) {
      ps.ctx.report('UnknownOutput', `\`${comp.name}\` has no output \`${field.name}\``, field.span, {
        hint: didYouMean(field.name, writtenNames(comp.outputs), ps.ctx.suggestions) ?? (comp.outputs.length ? `its outputs are ${listNames(comp.outputs, (o) => `\`${o.argName ?? o.name}\``)}` : 'it has no outputs'),
      });
      return undefined;
    }
    if (isUiOutput(out.type)) {
      ps.ctx.report('UiOutputAsValue', `\`${field.name}\` is a ${out.type} output: it goes to the KFP UI, not to other tasks`, field.span, { hint: 'return the values you need as ordinary outputs too' });
      return undefined;
    }
  }
  const current = frames.map((f) => f.id);
  const outer = producer.loops.filter((l) => !current.includes(l));
  if (outer.length === 0) return { value: { output: { task: producer.id, name: out.name } }, type: outputType(comp, out), producer: producer.id, returned: isReturned(comp, out) };
  // The producer runs once per iteration of a loop that does not enclose us: fan-in, one list of all its values.
  if (outer.length > 1 || !current.every((l) => producer.loops.includes(l))) {
    ps.ctx.report('InvalidCollect', 'outputs can be collected from one loop level at a time', e.span, { hint: 'collect inside the outer loop, then again outside it' });
    return undefined;
  }
  if (out.type === 'file') {
    ps.ctx.report('InvalidCollect', 'file outputs cannot be collected from a loop', e.span, { hint: 'return a value instead (str, int, list…)' });
    return undefined;
  }
  return { value: { collect: { task: producer.id, name: out.name } }, type: 'list', producer: producer.id };
}

/** `secret.name`, `job.manifest` or an output the resource call named. */
export function resourceOutput(ps: PipelineState, producer: TaskInfo, field: ast.Identifier | undefined, e: ast.RefExpr, frames: readonly LoopFrame[]): Resolved | undefined {
  const outputs = producer.resourceOutputs!;
  if (!field) {
    ps.ctx.report('AmbiguousOutput', `resource \`${e.parts[0]!.name}\` has ${outputs.length} outputs`, e.span, { hint: `name one: ${listNames(outputs, (o) => `\`${e.parts[0]!.name}.${o}\``)}` });
    return undefined;
  }
  if (!outputs.includes(field.name)) {
    ps.ctx.report('UnknownOutput', `resource \`${e.parts[0]!.name}\` has no output \`${field.name}\``, field.span, { hint: didYouMean(field.name, outputs, ps.ctx.suggestions) ?? `its outputs are ${listNames(outputs)}` });
    return undefined;
  }
  if (!frames.every((f) => producer.loops.includes(f.id)) || producer.loops.length > frames.length) {
    ps.ctx.report('UsedOutsideLoop', 'a resource created inside a loop can only be used in that loop', e.span);
    return undefined;
  }
  return { value: { output: { task: producer.id, name: field.name } }, type: 'str', producer: producer.id };
}

/** The value of a call written as an argument: its task's single output. */
export function inlineOutput(ps: PipelineState, producer: TaskInfo, span: Span): Resolved | undefined {
  const comp = producer.component;
  if (!comp) return undefined;
  const { passable } = portIndex(comp);
  if (passable.length !== 1) {
    ps.ctx.report('AmbiguousOutput', passable.length === 0 ? `\`${comp.name}\` has no output to pass` : `\`${comp.name}\` has ${passable.length} outputs`, span, {
      hint: passable.length === 0 ? 'call it on its own line' : `bind it (\`r = ${comp.name}(…)\`) and pass one of ${listNames(passable, (o) => `\`r.${o.argName ?? o.name}\``)}`,
    });
    return undefined;
  }
  const o = passable[0]!;
  return { value: { output: { task: producer.id, name: o.name } }, type: outputType(comp, o), producer: producer.id, returned: isReturned(comp, o) };
}

/** A reference inside a resource's manifest: resolved as an argument is, with the dependency it implies. */
export function resourceRef(ps: PipelineState, e: ast.RefExpr, info: TaskInfo, frames: readonly LoopFrame[]): Resolved | undefined {
  const r = reference(ps, e, frames, info.inExit);
  if (r?.producer) edge(ps, info.id, r.producer, e.span);
  return r;
}

/** The loops' variables, innermost last, read only as far as a suggestion's budget goes. */
function* loopVariables(frames: readonly LoopFrame[]): Iterable<string> {
  for (const f of frames) yield f.variable;
}

/** The names bound to tasks, read only as far as a suggestion's budget goes. */
function* taskNames(ps: PipelineState): Iterable<string> {
  for (const [k, v] of ps.scope) if (v.kind === 'task') yield k;
}

export function afterList(ps: PipelineState, info: TaskInfo): string[] {
  const after: string[] = [];
  // A set beside the list: `after.includes` made 100,000 names after one task quadratic.
  const seen = new Set<string>();
  for (const a of info.stmt.after) {
    const sym = ps.scope.get(a.name);
    if (!sym || sym.kind !== 'task') {
      ps.ctx.report('UnknownTask', `no task named \`${a.name}\``, a.span, {
        hint: didYouMean(a.name, taskNames(ps), ps.ctx.suggestions) ?? 'only tasks bound to a name (`t = component(…)`) can be named in `after`',
      });
      continue;
    }
    ps.used.add(a.name);
    if (sym.task.inExit !== info.inExit) {
      ps.ctx.report('FinallyDependency', info.inExit ? '`finally` tasks run after the pipeline and cannot wait for its tasks' : 'a pipeline task cannot wait for a `finally` task', a.span);
      continue;
    }
    if (!seen.has(sym.task.id)) {
      seen.add(sym.task.id);
      after.push(sym.task.id);
    }
    edge(ps, info.id, sym.task.id, a.span);
  }
  return after;
}

export function mountTarget(ps: PipelineState, e: ast.Expr, info: TaskInfo, frames: readonly LoopFrame[]): { volumeTask: string } | { claim: string } | undefined {
  if (e.kind === 'CallExpr' && e.callee.name === 'pvc') {
    const a = e.args[0];
    if (e.args.length === 1 && a && !a.name && a.value.kind === 'Literal' && typeof a.value.value === 'string' && isDnsSubdomain(a.value.value)) return { claim: a.value.value };
    ps.ctx.report('InvalidMount', '`pvc` takes the name of an existing PersistentVolumeClaim', e.span, { hint: 'a Kubernetes name: lower-case letters, digits, `-` and `.`, e.g. pvc("shared-data")' });
    return undefined;
  }
  if (e.kind === 'RefExpr' && e.parts.length === 1) {
    const sym = ps.scope.get(e.parts[0]!.name);
    if (sym?.kind === 'task' && sym.task.isVolume) {
      ps.used.add(e.parts[0]!.name);
      if (!frames.every((f) => sym.task.loops.includes(f.id)) || sym.task.loops.length > frames.length) {
        ps.ctx.report('UsedOutsideLoop', 'a volume created inside a loop can only be mounted in that loop', e.span);
        return undefined;
      }
      edge(ps, info.id, sym.task.id, e.span);
      return { volumeTask: sym.task.id };
    }
  }
  ps.ctx.report('InvalidMount', 'only volumes can be mounted', e.span, {
    label: 'not a volume',
    hint: 'mount a `v = volume("name", size: "1Gi")` task or an existing claim with `pvc("name")`',
  });
  return undefined;
}

/** An output's type as the checks see it: an untyped output of a loaded component.yaml fits anything, as in kfp. */
function outputType(c: IrComponent, o: IrPort): ValueType {
  return isUntypedImportedPort(c, 'outputs', o.name) ? 'any' : o.type;
}

/** A value the component's Python function returns (not a `file` it writes). */
function isReturned(c: IrComponent, o: IrPort): boolean {
  return c.impl.kind === 'python' && o.type !== 'file';
}
