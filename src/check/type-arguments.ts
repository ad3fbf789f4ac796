/**
 * Rule: typing of a call. Arguments match the component's inputs (count, names, no
 * duplicates, nothing required missing) and each value's type fits its input's; a task's
 * settings are checked by settings.ts with values resolved here.
 */
import type { IrCall, IrTask, IrValue } from '../ir/ir.js';
import { calledPipeline } from './pipeline-calls.js';
import { isGraphSignature } from './graph-components.js';
import { keyedObject } from '../ir/ir.js';
import type { Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { listNames } from '../diagnostics/name-list.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { constType, constValue } from './context.js';
import { portIndex, writtenNames } from './ports.js';
import type { LoopFrame, PipelineState, TaskInfo } from './pipeline-state.js';
import { afterList, inlineOutput, mountTarget, reference } from './resolve-refs.js';
import { checkTaskSettings, type SettingResolver } from './settings.js';
import { edge } from './task-graph.js';
import { assignable, describeType, isUntypedImportedPort, type ValueType } from './types.js';

export function task(ps: PipelineState, info: TaskInfo, frames: readonly LoopFrame[]): IrTask | IrCall | undefined {
  const s = info.stmt;
  const comp = info.component;
  const args = keyedObject<IrValue>();
  const given = new Map<string, Span>();
  let positional = 0;
  let sawNamed = false;
  let unknownNamed = false;
  for (const a of s.args) {
    let input;
    if (a.name) {
      sawNamed = true;
      if (!comp) continue;
      input = portIndex(comp).inputs.get(a.name.name);
      if (!input) {
        ps.ctx.report('UnknownArgument', `\`${comp.name}\` has no input \`${a.name.name}\``, a.name.span, {
          label: 'unknown input',
          hint: didYouMean(a.name.name, writtenNames(comp.inputs), ps.ctx.suggestions) ?? `its inputs are ${listNames(comp.inputs, (i) => `\`${i.argName ?? i.name}\``) || 'none'}`,
        });
        argument(ps, a.value, undefined, info, frames);
        unknownNamed = true;
        continue;
      }
    } else {
      if (sawNamed) {
        ps.ctx.report('SyntaxError', 'a positional argument cannot follow a named one', a.span, { hint: 'put positional arguments first, or name this one too' });
        continue;
      }
      if (!comp) continue;
      input = comp.inputs[positional++];
      if (!input) {
        // One error per call, at the first argument too many: 100,000 extra arguments are one mistake.
        if (positional === comp.inputs.length + 1) {
          let given = 0;
          for (const x of s.args) if (!x.name) given++;
          ps.ctx.report('TooManyArguments', `\`${comp.name}\` takes ${comp.inputs.length} argument${comp.inputs.length === 1 ? '' : 's'} but ${given} were given`, a.span, {
            label: 'no input left for this argument',
          });
        }
        continue;
      }
    }
    const prev = given.get(input.name);
    if (prev) {
      ps.ctx.report('DuplicateArgument', `input \`${input.name}\` is given twice`, a.span, { related: [ps.ctx.related(prev, 'first given here')] });
      continue;
    }
    given.set(input.name, a.span);
    // kfp lets anything into an untyped input of a loaded component.yaml; kfpdsl does too.
    const expected: ValueType = comp && isUntypedImportedPort(comp, 'inputs', input.name) ? 'any' : input.type;
    const v = argument(ps, a.value, expected, info, frames, input.argName ?? input.name, comp?.impl.kind !== 'imported');
    if (v) args[input.name] = v;
  }
  if (comp && !unknownNamed) {
    // After a misspelt name the missing input is usually that same argument: one error is enough.
    const missing = comp.inputs.filter((i) => !i.optional && !given.has(i.name));
    if (missing.length > 0) {
      const names = listNames(missing, (m) => `\`${m.argName ?? m.name}\``);
      ps.ctx.report('MissingArgument', `missing argument${missing.length > 1 ? 's' : ''} for ${names} of \`${comp.name}\``, s.callee.span, {
        label: `${missing.length > 1 ? 'these inputs are' : 'this input is'} required`,
        hint: `e.g. ${comp.name}(${listNames(missing, (m) => `${m.argName ?? m.name}: …`)})`,
      });
    }
  }
  const after = afterList(ps, info);
  const resolver: SettingResolver = {
    value: (e) => argument(ps, e, undefined, info, frames),
    volume: (e) => mountTarget(ps, e, info, frames),
  };
  const pipeline = calledPipeline(comp) ?? isGraphSignature(comp);
  if (pipeline && s.settings.length > 0) {
    ps.ctx.report('InvalidPipelineCall', `a call of pipeline \`${comp!.name}\` takes no task settings`, s.settings[0]!.name.span, {
      hint: 'settings belong to the tasks inside the called pipeline',
    });
    return undefined;
  }
  const settings = checkTaskSettings(ps.ctx, s.settings, resolver);
  if (!comp) return undefined;
  if (pipeline) {
    return {
      kind: 'call', id: info.id, ...(info.binding !== undefined ? { binding: info.binding } : {}),
      pipeline: comp.name, args, after, origin: { start: s.span.start, end: s.span.end },
    };
  }
  if (comp.impl.kind === 'imported' && comp.impl.graphRefs) {
    // Every check of a file makes its graph imports signatures first (graph-components.ts): a guard, should a new path not.
    ps.ctx.report('GraphComponent', `\`${comp.name}\` is a graph component, which cannot be called here`, s.callee.span, {
      hint: 'import the graph component.yaml (and the components its tasks use) in the file that calls it',
    });
    return undefined;
  }
  // Assignments in the spread's key order: this runs for every task, mostly before V8 optimises spreads.
  const node = { kind: 'task', id: info.id } as IrTask;
  if (info.binding !== undefined) node.binding = info.binding;
  node.component = comp.name;
  node.args = args;
  node.after = after;
  node.settings = settings;
  node.origin = { start: s.span.start, end: s.span.end };
  return node;
}

/** Resolves an argument expression and checks its type against the input's. */
/**
 * `declaredHere`: the input belongs to a component written in .kfp, whose `file` inputs take
 * only files from other tasks (see outputFitsFileInput); imported ones follow kfp's looser rules.
 */
export function argument(ps: PipelineState, e: ast.Expr, expected: ValueType | undefined, task: TaskInfo, frames: readonly LoopFrame[], inputName?: string, declaredHere = false): IrValue | undefined {
  const c = constValue(e);
  if (c) {
    checkAssignable(ps, constType(c), expected, e.span, inputName);
    if (c.const === null) {
      ps.ctx.report('TypeMismatch', '`null` cannot be passed as an argument', e.span, { hint: "leave the argument out to use the input's default" });
      return undefined;
    }
    return c;
  }
  const inline = e.kind === 'CallExpr' ? ps.inlineTasks.get(e) : undefined;
  if (e.kind !== 'RefExpr' && !inline) {
    ps.ctx.report('TypeMismatch', 'an argument must be a literal, a pipeline parameter, a task output, a loop item or a component call', e.span, {
      hint: e.kind === 'CompareExpr' || e.kind === 'BoolExpr' || e.kind === 'NotExpr' ? 'comparisons belong in `if` conditions' : undefined,
    });
    return undefined;
  }
  const resolved = inline ? inlineOutput(ps, ps.tasks.get(inline)!, e.span) : reference(ps, e as ast.RefExpr, frames, task.inExit);
  if (!resolved) return undefined;
  if (resolved.producer) edge(ps, task.id, resolved.producer, e.span);
  if (expected === 'file' && declaredHere && resolved.returned) {
    returnedValueToFile(ps, resolved.type, e.span, inputName);
    return resolved.value;
  }
  checkAssignable(ps, resolved.type, expected, e.span, inputName);
  return resolved.value;
}

/**
 * A value a Python component returned (`-> int`) passed to a `file` input of a component
 * written in .kfp: the two declarations disagree about what travels. (kfp would pass the file
 * the value was serialized to; a container's typed output, a file its command wrote, may go
 * to a `file` input, as kfp's own probe_data_passing does.)
 */
export function returnedValueToFile(ps: PipelineState, from: ValueType, span: Span, inputName?: string): void {
  const article = /^[aeio]/.test(describeType(from)) ? 'an' : 'a';
  ps.ctx.report('TypeMismatch', `expected \`file\`, found ${article} \`${describeType(from)}\` output`, span, {
    label: `this output is ${article} ${describeType(from)} value, not a file`,
    hint: `declare the input \`${inputName ?? 'it'}: ${describeType(from)}\` to receive the value, or give the producer a \`file\` output and write the value into it`,
  });
}

export function checkAssignable(ps: PipelineState, from: ValueType, to: ValueType | undefined, span: Span, inputName?: string): void {
  if (!to || to === 'any' || to === 'null' || from === 'null') return;
  if (from === 'file' && !assignable(from, to)) {
    ps.ctx.report('TypeMismatch', `expected \`${to}\`, found \`file\``, span, {
      label: 'this is a file output: the task would get its contents as text',
      hint: `declare the input \`${inputName ?? 'it'}: file\` and read the file in the component, or give the producer ${/^[aeio]/.test(to) ? 'an' : 'a'} \`${to}\` output and return the value`,
    });
    return;
  }
  if (!assignable(from, to)) {
    ps.ctx.report('TypeMismatch', `expected \`${to}\`, found \`${describeType(from)}\``, span, {
      label: `this is ${describeType(from)}`,
      hint: inputName ? `input \`${inputName}\` is declared \`${inputName}: ${to}\`` : undefined,
    });
  }
}

