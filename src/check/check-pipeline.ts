/**
 * Checks a pipeline and turns it into an IrPipeline: every call names a known
 * component, arguments match inputs (count, names, types), references name
 * parameters, tasks, outputs and loop variables that exist, conditions compare
 * compatible types, loops run over lists, settings are valid, and the task graph
 * has no cycle.
 */
import type {
  IrComponent, IrCondExpr, IrLoop, IrNode, IrParam, IrPipeline, IrPipelineSettings, IrPort, IrTask, IrValue,
} from '../ir/ir.js';
import { keyedObject } from '../ir/ir.js';
import { NameAllocator, sanitizeK8sName, taskName } from '../names.js';
import type { Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { checkParams } from './check-component.js';
import { ARGO_NAME_MAX, GENERATE_NAME_MAX } from './limits.js';

import { checkCondition } from './check-condition.js';
import { checkResource, resourceOutputs } from './check-resource.js';
import { checkVolume } from './check-volume.js';
import { CheckContext, constType, constValue } from './context.js';
import { findCycles } from './cycles.js';
import { WORKFLOW_VALUES } from './argo-placeholders.js';
import { isUiOutput, type Resolved } from './resolved.js';
import { checkPipelineSetting, checkTaskSettings, fitsField, isDnsSubdomain, type SettingResolver } from './settings.js';
import { assignable, describeType, isUntypedImportedPort, PARAM_TYPES, type ValueType } from './types.js';

/** More `elif`s than this make the workflow grow too fast (each negates all the earlier conditions). */
export const MAX_ELIF = 64;

interface TaskInfo {
  readonly stmt: ast.TaskStmt;
  readonly binding: string | undefined;
  readonly name: string; // the final Argo task name
  readonly component: IrComponent | undefined;
  readonly isVolume: boolean;
  /** For `resource(...)` tasks: their outputs (`name`, `manifest` and the ones the call names). */
  readonly resourceOutputs?: readonly string[];
  /** Names of the loops around the task, outermost first. */
  readonly loops: readonly string[];
  readonly inExit: boolean;
}

interface LoopFrame {
  readonly variable: string;
  readonly name: string;
  /** Field names when the items are literal records; undefined when unknown. */
  readonly fields: readonly string[] | undefined;
  readonly itemType: ValueType;
  readonly span: Span;
}

type Symbol = { kind: 'param'; param: IrParam; span: Span } | { kind: 'task'; task: TaskInfo; span: Span };

class PipelineChecker {
  private readonly scope = new Map<string, Symbol>();
  private readonly tasks = new Map<ast.TaskStmt, TaskInfo>();
  private readonly taskNames = new NameAllocator();
  private groupCounter = 0;
  private readonly groupNames = new Map<object, string>();
  /** Edges for the cycle check: task name → names it depends on, with the span that made the edge. */
  private readonly edges = new Map<string, { to: string; span: Span }[]>();
  /** Calls written inside another call's arguments (`show(read(w.out))`): each is a task of its own. */
  private readonly inlineTasks = new Map<ast.CallExpr, ast.TaskStmt>();
  private readonly inlineOf = new Map<ast.TaskStmt, ast.TaskStmt[]>();
  /** Names in scope that something refers to, for the unused-name warnings. */
  private readonly used = new Set<string>();

  constructor(
    private readonly ctx: CheckContext,
    private readonly components: ReadonlyMap<string, IrComponent>,
  ) {}

  check(p: ast.PipelineDecl): IrPipeline {
    const params: IrParam[] = checkParams(this.ctx, p.params, PARAM_TYPES, 'pipeline parameter').map((port) => ({
      name: port.name,
      type: port.type,
      ...(port.default ? { default: port.default } : {}),
    }));
    for (const decl of p.params) {
      const param = params.find((x) => x.name === decl.name.name);
      if (param && !this.scope.has(param.name)) this.scope.set(param.name, { kind: 'param', param, span: decl.name.span });
    }
    this.declare(p.body, [], false);
    const settings: IrPipelineSettings = {};
    const seenSettings = new Map<string, ast.Setting>();
    let exit: IrNode[] | undefined;
    let finallySpan: Span | undefined;
    const mainBody: ast.Statement[] = [];
    for (const s of p.body) {
      if (s.kind === 'Setting') checkPipelineSetting(this.ctx, s, settings, seenSettings);
      else if (s.kind === 'FinallyStmt') {
        if (finallySpan) {
          this.ctx.report('MisplacedFinally', 'a pipeline has at most one `finally` block', { start: s.span.start, end: s.span.start + 7 }, { related: [this.ctx.related(finallySpan, 'the first one')] });
          continue;
        }
        finallySpan = { start: s.span.start, end: s.span.start + 7 };
        exit = this.nonEmpty(this.statements(s.body, [], true), finallySpan, '`finally` block');
      } else mainBody.push(s);
    }
    const body = this.nonEmpty(this.statements(mainBody, [], false), p.nameSpan, 'pipeline');
    this.checkCycles();
    this.checkUnused();
    const name = sanitizeK8sName(p.name) || 'pipeline';
    if (name.length + 1 > GENERATE_NAME_MAX) {
      this.ctx.report('NameTooLong', `the workflow name \`${name.slice(0, 40)}…-\` is ${name.length + 1} characters; Kubernetes keeps at most ${GENERATE_NAME_MAX}`, p.nameSpan, {
        hint: "shorten the pipeline name (it becomes the Workflow's generateName)",
      });
    }
    if (p.name.trim() === '') this.ctx.report('EmptyPipelineName', 'a pipeline needs a name', p.nameSpan, { hint: 'e.g. pipeline "train model" () { … }' });
    return {
      displayName: p.name,
      name,
      ...(p.description ? { description: p.description.text } : {}),
      params,
      body,
      ...(exit ? { exit } : {}),
      settings,
      origin: { start: p.span.start, end: p.span.end },
    };
  }

  private groupName(node: object, prefix: string): string {
    let n = this.groupNames.get(node);
    if (!n) {
      // Groups are tasks in their parent's DAG too: they share the task names' namespace.
      n = this.taskNames.unique(`${prefix}-${++this.groupCounter}`);
      this.groupNames.set(node, n);
    }
    return n;
  }

  /** First pass: every task and group gets its name before any reference is resolved, so order in the file does not matter. */
  private declare(stmts: readonly ast.Statement[], loops: string[], inExit: boolean): void {
    for (const s of stmts) {
      switch (s.kind) {
        case 'TaskStmt':
          this.declareTask(s, loops, inExit);
          break;
        case 'IfStmt':
          for (const b of s.branches) {
            this.groupName(b, 'condition');
            this.declare(b.body, loops, inExit);
          }
          if (s.elseBody) {
            this.groupName(s, 'condition');
            this.declare(s.elseBody, loops, inExit);
          }
          break;
        case 'ForStmt':
          this.declare(s.body, [...loops, this.groupName(s, 'for-loop')], inExit);
          break;
        case 'FinallyStmt':
          if (loops.length > 0 || inExit) this.ctx.report('MisplacedFinally', '`finally` belongs at the top level of a pipeline', { start: s.span.start, end: s.span.start + 7 });
          this.declare(s.body, loops, true);
          break;
        case 'Setting':
          break;
      }
    }
  }

  private declareTask(s: ast.TaskStmt, loops: string[], inExit: boolean): void {
    const component = this.components.get(s.callee.name);
    const isVolume = !component && s.callee.name === 'volume';
    const isResource = !component && s.callee.name === 'resource';
    if (!component && !isVolume && !isResource) {
      this.ctx.report('UnknownComponent', `unknown component \`${s.callee.name}\``, s.callee.span, {
        label: 'not defined or imported in this file',
        hint: this.componentSuggestion(s.callee.name),
      });
    }
    const binding = s.name?.name;
    // `lib.train(...)` names its task `train`, as the same call to an inline component would.
    const name = this.taskNames.unique(taskName(binding ?? s.callee.name.slice(s.callee.name.lastIndexOf('.') + 1)));
    if (name.length > ARGO_NAME_MAX) {
      this.ctx.report('NameTooLong', `task name \`${name.slice(0, 40)}…\` is ${name.length} characters; Argo accepts at most ${ARGO_NAME_MAX}`, (s.name ?? s.callee).span, { hint: 'use a shorter name' });
    }
    const info: TaskInfo = { stmt: s, binding, name, component, isVolume, ...(isResource ? { resourceOutputs: resourceOutputs(s) } : {}), loops, inExit };
    this.tasks.set(s, info);
    // As in kfp (`multiply_op(add_op(a, b).output)`), a component call inside the arguments is a task of its own.
    const inline: ast.TaskStmt[] = [];
    for (const a of s.args) {
      const v = a.value;
      if (v.kind === 'CallExpr' && this.components.has(v.callee.name)) {
        const stmt: ast.TaskStmt = { kind: 'TaskStmt', span: v.span, callee: v.callee, args: v.args, after: [], settings: [] };
        this.inlineTasks.set(v, stmt);
        inline.push(stmt);
        this.declareTask(stmt, loops, inExit);
      }
    }
    if (inline.length > 0) this.inlineOf.set(s, inline);
    if (s.name) {
      const prev = this.scope.get(s.name.name);
      if (prev) {
        this.ctx.report('DuplicateName', `\`${s.name.name}\` is already defined`, s.name.span, {
          label: 'defined again here',
          related: [this.ctx.related(prev.span, prev.kind === 'param' ? 'a pipeline parameter of that name' : 'first defined here')],
        });
      } else this.scope.set(s.name.name, { kind: 'task', task: info, span: s.name.span });
    }
  }

  private statements(stmts: readonly ast.Statement[], frames: readonly LoopFrame[], inExit: boolean): IrNode[] {
    const out: IrNode[] = [];
    for (const s of stmts) {
      switch (s.kind) {
        case 'TaskStmt':
          out.push(...this.taskWithInlineCalls(s, frames));
          break;
        case 'IfStmt':
          out.push(...this.ifStmt(s, frames, inExit));
          break;
        case 'ForStmt': {
          const loop = this.forStmt(s, frames, inExit);
          if (loop) out.push(loop);
          break;
        }
        case 'FinallyStmt':
          break; // reported in declare()
        case 'Setting':
          this.ctx.report('MisplacedPipelineSetting', `pipeline settings such as \`${s.name.name}\` belong at the top level of the pipeline`, s.name.span, {
            hint: 'task settings go in braces after the call: `t = train(x) { cpu: 2 }`',
          });
          break;
      }
    }
    return out;
  }

  /** A task and, first, the tasks of the calls written in its arguments. */
  private taskWithInlineCalls(s: ast.TaskStmt, frames: readonly LoopFrame[]): IrNode[] {
    const out: IrNode[] = [];
    for (const inner of this.inlineOf.get(s) ?? []) out.push(...this.taskWithInlineCalls(inner, frames));
    const info = this.tasks.get(s)!;
    const ref = (e: ast.RefExpr) => this.reference(e, frames, info.inExit);
    const after = () => this.afterList(info);
    const node = info.isVolume
      ? checkVolume(this.ctx, s, info, ref, after)
      : info.resourceOutputs
        ? checkResource(this.ctx, s, info.name, (e) => this.resourceRef(e, info, frames), after)
        : this.task(info, frames);
    if (node) out.push(node);
    return out;
  }

  private ifStmt(s: ast.IfStmt, frames: readonly LoopFrame[], inExit: boolean): IrNode[] {
    const out: IrNode[] = [];
    if (s.branches.length > MAX_ELIF) {
      // Each branch's `when` negates every earlier condition: the workflow grows with the square of the branches.
      this.ctx.report('TooDeep', `an \`if\` with ${s.branches.length} branches; at most ${MAX_ELIF} are accepted`, s.branches[MAX_ELIF]!.span, {
        hint: 'loop over the cases instead, or split the decision into nested conditions',
      });
      return out;
    }
    const previous: IrCondExpr[] = [];
    for (const b of s.branches) {
      const cond = checkCondition(this.ctx, b.cond, (e) => this.reference(e, frames, inExit));
      if (!cond) continue;
      // `elif` and `else` hold when every earlier condition is false: complementary `when`s, since kfp v1 has no else.
      const when: IrCondExpr = previous.length === 0 ? cond : { and: [...previous.map((p) => ({ not: p })), cond] };
      previous.push(cond);
      out.push({ kind: 'condition', name: this.groupName(b, 'condition'), when, body: this.nonEmpty(this.statements(b.body, frames, inExit), b.span, '`if` block') });
    }
    if (s.elseBody && previous.length === s.branches.length) {
      const when: IrCondExpr = previous.length === 1 ? { not: previous[0]! } : { and: previous.map((p) => ({ not: p })) };
      out.push({ kind: 'condition', name: this.groupName(s, 'condition'), when, body: this.nonEmpty(this.statements(s.elseBody, frames, inExit), s.elseSpan ?? s.span, '`else` block') });
    }
    return out;
  }

  /** Argo runs no DAG without tasks: an empty block is an error here rather than a rejected workflow. */
  private nonEmpty(body: IrNode[], span: Span, what: string): IrNode[] {
    if (body.length === 0 && !this.ctx.diagnostics.some((d) => d.severity === 'error')) {
      this.ctx.report('EmptyBlock', `this ${what} has no tasks`, span, { hint: 'add a task, or remove the block' });
    }
    return body;
  }

  private forStmt(s: ast.ForStmt, frames: readonly LoopFrame[], inExit: boolean): IrLoop | undefined {
    const name = this.groupName(s, 'for-loop');
    const clash = this.scope.get(s.variable.name) ?? frames.find((f) => f.variable === s.variable.name);
    if (clash) {
      this.ctx.report('DuplicateName', `loop variable \`${s.variable.name}\` hides another name`, s.variable.span, { hint: 'give the loop variable its own name' });
    }
    let items: IrLoop['items'] | undefined;
    let fields: string[] | undefined;
    let itemType: ValueType = 'any';
    const c = constValue(s.items);
    if (c) {
      const v = c.const;
      if (!Array.isArray(v) || v.length === 0) {
        this.ctx.report('InvalidLoopItems', Array.isArray(v) ? 'a loop needs at least one item' : `cannot loop over a \`${describeType(constType(c))}\``, s.items.span, { hint: 'loop over a list: `for x in [1, 2, 3] { … }`' });
      } else {
        const kinds = new Set(v.map((x) => (x === null ? 'null' : Array.isArray(x) ? 'list' : typeof x)));
        if (kinds.size > 1 || kinds.has('null') || kinds.has('list')) {
          this.ctx.report('InvalidLoopItems', 'loop items must all be numbers, all strings, all booleans or all records', s.items.span);
        } else if (kinds.has('object')) {
          const keys = Object.keys(v[0] as object).sort();
          const same = v.every((x) => JSON.stringify(Object.keys(x as object).sort()) === JSON.stringify(keys));
          const badKey = keys.find((k) => !/^[a-zA-Z_][0-9a-zA-Z_]*$/.test(k));
          if (!same) this.ctx.report('InvalidLoopItems', 'loop records must all have the same fields', s.items.span, { hint: `the first has ${keys.map((k) => `\`${k}\``).join(', ')}` });
          else if (badKey !== undefined) this.ctx.report('InvalidLoopItems', `record field \`${badKey}\` is not an identifier`, s.items.span, { hint: 'fields are used as `row.field`' });
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
      const r = this.reference(s.items, frames, inExit);
      if (r) {
        if (r.type !== 'list' && r.type !== 'any' && r.type !== 'file') {
          this.ctx.report('InvalidLoopItems', `cannot loop over a \`${describeType(r.type)}\``, s.items.span, { label: 'not a list', hint: 'loop over a `list` parameter, a `list` output or a literal list' });
        } else if ('collect' in r.value) {
          this.ctx.report('InvalidLoopItems', 'cannot loop over outputs collected from another loop', s.items.span, { hint: 'nest the loops instead' });
        } else {
          items = r.value as IrLoop['items'];
        }
      }
    } else {
      this.ctx.report('InvalidLoopItems', 'a loop runs over a literal list, a list parameter or a list output', s.items.span);
    }
    const parallelismFits = !s.parallelism || fitsField(this.ctx, s.parallelism.value, 'parallelism', s.parallelism.span);
    if (s.parallelism && s.parallelism.value < 1) {
      this.ctx.report('InvalidParallelism', '`parallelism` must be at least 1', s.parallelism.span, { hint: 'leave it out for no limit (Argo 4 rejects 0)' });
    }
    const frame: LoopFrame = { variable: s.variable.name, name, fields, itemType, span: s.variable.span };
    const body = this.nonEmpty(this.statements(s.body, [...frames, frame], inExit), { start: s.span.start, end: s.span.start + 3 }, 'loop');
    if (!items) return undefined;
    return {
      kind: 'loop',
      name,
      items,
      fields: fields ?? [],
      ...(s.parallelism && s.parallelism.value >= 1 && parallelismFits ? { parallelism: s.parallelism.value } : {}),
      body,
    };
  }

  private afterList(info: TaskInfo): string[] {
    const after: string[] = [];
    for (const a of info.stmt.after) {
      const sym = this.scope.get(a.name);
      if (!sym || sym.kind !== 'task') {
        this.ctx.report('UnknownTask', `no task named \`${a.name}\``, a.span, {
          hint: didYouMean(a.name, [...this.scope.entries()].filter(([, v]) => v.kind === 'task').map(([k]) => k)) ?? 'only tasks bound to a name (`t = component(…)`) can be named in `after`',
        });
        continue;
      }
      this.used.add(a.name);
      if (sym.task.inExit !== info.inExit) {
        this.ctx.report('FinallyDependency', info.inExit ? '`finally` tasks run after the pipeline and cannot wait for its tasks' : 'a pipeline task cannot wait for a `finally` task', a.span);
        continue;
      }
      if (!after.includes(sym.task.name)) after.push(sym.task.name);
      this.edge(info.name, sym.task.name, a.span);
    }
    return after;
  }

  /** "did you mean" for an unknown component, once per name: 100,000 calls of one typo compare the names once. */
  private readonly suggestions = new Map<string, string | undefined>();
  private componentSuggestion(name: string): string | undefined {
    if (!this.suggestions.has(name)) this.suggestions.set(name, didYouMean(name, [...this.components.keys(), 'volume', 'resource']));
    return this.suggestions.get(name);
  }

  private task(info: TaskInfo, frames: readonly LoopFrame[]): IrTask | undefined {
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
        input = comp.inputs.find((i) => (i.argName ?? i.name) === a.name!.name);
        if (!input) {
          this.ctx.report('UnknownArgument', `\`${comp.name}\` has no input \`${a.name.name}\``, a.name.span, {
            label: 'unknown input',
            hint: didYouMean(a.name.name, comp.inputs.map((i) => i.argName ?? i.name)) ?? `its inputs are ${comp.inputs.map((i) => `\`${i.argName ?? i.name}\``).join(', ') || 'none'}`,
          });
          this.argument(a.value, undefined, info, frames);
          unknownNamed = true;
          continue;
        }
      } else {
        if (sawNamed) {
          this.ctx.report('SyntaxError', 'a positional argument cannot follow a named one', a.span, { hint: 'put positional arguments first, or name this one too' });
          continue;
        }
        if (!comp) continue;
        input = comp.inputs[positional++];
        if (!input) {
          // One error per call, at the first argument too many: 100,000 extra arguments are one mistake.
          if (positional === comp.inputs.length + 1) {
            const given = s.args.filter((x) => !x.name).length;
            this.ctx.report('TooManyArguments', `\`${comp.name}\` takes ${comp.inputs.length} argument${comp.inputs.length === 1 ? '' : 's'} but ${given} were given`, a.span, {
              label: 'no input left for this argument',
            });
          }
          continue;
        }
      }
      const prev = given.get(input.name);
      if (prev) {
        this.ctx.report('DuplicateArgument', `input \`${input.name}\` is given twice`, a.span, { related: [this.ctx.related(prev, 'first given here')] });
        continue;
      }
      given.set(input.name, a.span);
      // kfp lets anything into an untyped input of a loaded component.yaml; kfpdsl does too.
      const expected: ValueType = comp && isUntypedImportedPort(comp, 'inputs', input.name) ? 'any' : input.type;
      const v = this.argument(a.value, expected, info, frames, input.argName ?? input.name, comp?.impl.kind !== 'imported');
      if (v) args[input.name] = v;
    }
    if (comp && !unknownNamed) {
      // After a misspelt name the missing input is usually that same argument: one error is enough.
      const missing = comp.inputs.filter((i) => !i.optional && !given.has(i.name));
      if (missing.length > 0) {
        const names = missing.map((m) => `\`${m.argName ?? m.name}\``).join(', ');
        this.ctx.report('MissingArgument', `missing argument${missing.length > 1 ? 's' : ''} for ${names} of \`${comp.name}\``, s.callee.span, {
          label: `${missing.length > 1 ? 'these inputs are' : 'this input is'} required`,
          hint: `e.g. ${comp.name}(${missing.map((m) => `${m.argName ?? m.name}: …`).join(', ')})`,
        });
      }
    }
    const after = this.afterList(info);
    const resolver: SettingResolver = {
      value: (e) => this.argument(e, undefined, info, frames),
      volume: (e) => this.mountTarget(e, info, frames),
    };
    const settings = checkTaskSettings(this.ctx, s.settings, resolver);
    if (!comp) return undefined;
    if (comp.impl.kind === 'imported' && comp.impl.graphRefs) {
      // kfp loads a graph's child components from their URLs; kfpdsl compiles offline and will not fetch them.
      this.ctx.report('GraphComponent', `\`${comp.name}\` is a graph component; its ${comp.impl.graphRefs.length} tasks refer to other components by URL, which kfpdsl does not download`, s.callee.span, {
        hint: `import the component.yaml files it uses (${comp.impl.graphRefs[0]}, …) and call them from the pipeline instead`,
      });
      return undefined;
    }
    return { kind: 'task', name: info.name, component: comp.name, args, after, settings, origin: { start: s.span.start, end: s.span.end } };
  }

  private mountTarget(e: ast.Expr, info: TaskInfo, frames: readonly LoopFrame[]): { volumeTask: string } | { claim: string } | undefined {
    if (e.kind === 'CallExpr' && e.callee.name === 'pvc') {
      const a = e.args[0];
      if (e.args.length === 1 && a && !a.name && a.value.kind === 'Literal' && typeof a.value.value === 'string' && isDnsSubdomain(a.value.value)) return { claim: a.value.value };
      this.ctx.report('InvalidMount', '`pvc` takes the name of an existing PersistentVolumeClaim', e.span, { hint: 'a Kubernetes name: lower-case letters, digits, `-` and `.`, e.g. pvc("shared-data")' });
      return undefined;
    }
    if (e.kind === 'RefExpr' && e.parts.length === 1) {
      const sym = this.scope.get(e.parts[0]!.name);
      if (sym?.kind === 'task' && sym.task.isVolume) {
        this.used.add(e.parts[0]!.name);
        if (!frames.every((f) => sym.task.loops.includes(f.name)) || sym.task.loops.length > frames.length) {
          this.ctx.report('UsedOutsideLoop', 'a volume created inside a loop can only be mounted in that loop', e.span);
          return undefined;
        }
        this.edge(info.name, sym.task.name, e.span);
        return { volumeTask: sym.task.name };
      }
    }
    this.ctx.report('InvalidMount', 'only volumes can be mounted', e.span, {
      label: 'not a volume',
      hint: 'mount a `v = volume("name", size: "1Gi")` task or an existing claim with `pvc("name")`',
    });
    return undefined;
  }

  private edge(from: string, to: string, span: Span): void {
    const list = this.edges.get(from) ?? [];
    list.push({ to, span });
    this.edges.set(from, list);
  }

  /** Resolves an argument expression and checks its type against the input's. */
  /**
   * `declaredHere`: the input belongs to a component written in .kfp, whose `file` inputs take
   * only files from other tasks (see outputFitsFileInput); imported ones follow kfp's looser rules.
   */
  private argument(e: ast.Expr, expected: ValueType | undefined, task: TaskInfo, frames: readonly LoopFrame[], inputName?: string, declaredHere = false): IrValue | undefined {
    const c = constValue(e);
    if (c) {
      this.checkAssignable(constType(c), expected, e.span, inputName);
      if (c.const === null) {
        this.ctx.report('TypeMismatch', '`null` cannot be passed as an argument', e.span, { hint: "leave the argument out to use the input's default" });
        return undefined;
      }
      return c;
    }
    const inline = e.kind === 'CallExpr' ? this.inlineTasks.get(e) : undefined;
    if (e.kind !== 'RefExpr' && !inline) {
      this.ctx.report('TypeMismatch', 'an argument must be a literal, a pipeline parameter, a task output, a loop item or a component call', e.span, {
        hint: e.kind === 'CompareExpr' || e.kind === 'BoolExpr' || e.kind === 'NotExpr' ? 'comparisons belong in `if` conditions' : undefined,
      });
      return undefined;
    }
    const resolved = inline ? this.inlineOutput(this.tasks.get(inline)!, e.span) : this.reference(e as ast.RefExpr, frames, task.inExit);
    if (!resolved) return undefined;
    if (resolved.producer) this.edge(task.name, resolved.producer, e.span);
    if (expected === 'file' && declaredHere && resolved.returned) {
      this.returnedValueToFile(resolved.type, e.span, inputName);
      return resolved.value;
    }
    this.checkAssignable(resolved.type, expected, e.span, inputName);
    return resolved.value;
  }

  /** The value of a call written as an argument: its task's single output. */
  private inlineOutput(producer: TaskInfo, span: Span): Resolved | undefined {
    const comp = producer.component;
    if (!comp) return undefined;
    const passable = comp.outputs.filter((o) => !isUiOutput(o.type));
    if (passable.length !== 1) {
      this.ctx.report('AmbiguousOutput', passable.length === 0 ? `\`${comp.name}\` has no output to pass` : `\`${comp.name}\` has ${passable.length} outputs`, span, {
        hint: passable.length === 0 ? 'call it on its own line' : `bind it (\`r = ${comp.name}(…)\`) and pass one of ${passable.map((o) => `\`r.${o.argName ?? o.name}\``).join(', ')}`,
      });
      return undefined;
    }
    const o = passable[0]!;
    return { value: { output: { task: producer.name, name: o.name } }, type: outputType(comp, o), producer: producer.name, returned: isReturned(comp, o) };
  }

  /** A reference inside a resource's manifest: resolved as an argument is, with the dependency it implies. */
  private resourceRef(e: ast.RefExpr, info: TaskInfo, frames: readonly LoopFrame[]): Resolved | undefined {
    const r = this.reference(e, frames, info.inExit);
    if (r?.producer) this.edge(info.name, r.producer, e.span);
    return r;
  }

  /** `secret.name`, `job.manifest` or an output the resource call named. */
  private resourceOutput(producer: TaskInfo, field: ast.Identifier | undefined, e: ast.RefExpr, frames: readonly LoopFrame[]): Resolved | undefined {
    const outputs = producer.resourceOutputs!;
    if (!field) {
      this.ctx.report('AmbiguousOutput', `resource \`${e.parts[0]!.name}\` has ${outputs.length} outputs`, e.span, { hint: `name one: ${outputs.map((o) => `\`${e.parts[0]!.name}.${o}\``).join(', ')}` });
      return undefined;
    }
    if (!outputs.includes(field.name)) {
      this.ctx.report('UnknownOutput', `resource \`${e.parts[0]!.name}\` has no output \`${field.name}\``, field.span, { hint: didYouMean(field.name, outputs) ?? `its outputs are ${outputs.map((o) => `\`${o}\``).join(', ')}` });
      return undefined;
    }
    if (!frames.every((f) => producer.loops.includes(f.name)) || producer.loops.length > frames.length) {
      this.ctx.report('UsedOutsideLoop', 'a resource created inside a loop can only be used in that loop', e.span);
      return undefined;
    }
    return { value: { output: { task: producer.name, name: field.name } }, type: 'str', producer: producer.name };
  }

  /**
   * A value a Python component returned (`-> int`) passed to a `file` input of a component
   * written in .kfp: the two declarations disagree about what travels. (kfp would pass the file
   * the value was serialized to; a container's typed output, a file its command wrote, may go
   * to a `file` input, as kfp's own probe_data_passing does.)
   */
  private returnedValueToFile(from: ValueType, span: Span, inputName?: string): void {
    const article = /^[aeio]/.test(describeType(from)) ? 'an' : 'a';
    this.ctx.report('TypeMismatch', `expected \`file\`, found ${article} \`${describeType(from)}\` output`, span, {
      label: `this output is ${article} ${describeType(from)} value, not a file`,
      hint: `declare the input \`${inputName ?? 'it'}: ${describeType(from)}\` to receive the value, or give the producer a \`file\` output and write the value into it`,
    });
  }

  private checkAssignable(from: ValueType, to: ValueType | undefined, span: Span, inputName?: string): void {
    if (!to || to === 'any' || to === 'null' || from === 'null') return;
    if (from === 'file' && !assignable(from, to)) {
      this.ctx.report('TypeMismatch', `expected \`${to}\`, found \`file\``, span, {
        label: 'this is a file output: the task would get its contents as text',
        hint: `declare the input \`${inputName ?? 'it'}: file\` and read the file in the component, or give the producer ${/^[aeio]/.test(to) ? 'an' : 'a'} \`${to}\` output and return the value`,
      });
      return;
    }
    if (!assignable(from, to)) {
      this.ctx.report('TypeMismatch', `expected \`${to}\`, found \`${describeType(from)}\``, span, {
        label: `this is ${describeType(from)}`,
        hint: inputName ? `input \`${inputName}\` is declared \`${inputName}: ${to}\`` : undefined,
      });
    }
  }

  private reference(e: ast.RefExpr, frames: readonly LoopFrame[], inExit: boolean): Resolved | undefined {
    const [head, field, ...rest] = e.parts;
    if (rest.length > 0) {
      this.ctx.report('UnknownOutput', 'a reference has at most one `.`', { start: rest[0]!.span.start - 1, end: e.span.end }, { hint: 'write `task.output` or `item.field`' });
      return undefined;
    }
    const frame = [...frames].reverse().find((f) => f.variable === head!.name);
    if (frame) {
      if (!field) return { value: { item: { loop: frame.name } }, type: frame.itemType };
      if (frame.fields && !frame.fields.includes(field.name)) {
        this.ctx.report('UnknownOutput', `loop items have no field \`${field.name}\``, field.span, { hint: didYouMean(field.name, frame.fields) ?? `their fields are ${frame.fields.map((f) => `\`${f}\``).join(', ')}` });
        return undefined;
      }
      if (!frame.fields && frame.itemType !== 'any' && frame.itemType !== 'dict') {
        this.ctx.report('UnknownOutput', `loop items are \`${frame.itemType}\`, which has no fields`, field.span);
        return undefined;
      }
      return { value: { item: { loop: frame.name, field: field.name } }, type: 'any' };
    }
    const sym = this.scope.get(head!.name);
    if (sym) this.used.add(head!.name);
    // `workflow.uid`, `run.id`, …: the language's spelling of Argo's placeholders (a parameter or task of that name shadows them).
    const builtin = sym ? undefined : WORKFLOW_VALUES[head!.name];
    if (builtin) {
      const tag = field ? builtin[field.name] : undefined;
      if (tag !== undefined) return { value: { const: tag }, type: 'str' };
      const fields = Object.keys(builtin);
      this.ctx.report('UnknownOutput', field ? `\`${head!.name}\` has no value \`${field.name}\`` : `\`${head!.name}\` is not a value by itself`, (field ?? head!).span, {
        hint: (field && didYouMean(field.name, fields)) ?? `write one of ${fields.map((f) => `\`${head!.name}.${f}\``).join(', ')}`,
      });
      return undefined;
    }
    if (!sym) {
      this.ctx.report('UnknownName', `unknown name \`${head!.name}\``, head!.span, {
        label: 'not a parameter, task or loop variable',
        hint: didYouMean(head!.name, [...this.scope.keys(), ...frames.map((f) => f.variable)]),
      });
      return undefined;
    }
    if (sym.kind === 'param') {
      if (field) {
        this.ctx.report('UnknownOutput', `pipeline parameter \`${head!.name}\` has no fields`, field.span, { hint: `use \`${head!.name}\`` });
        return undefined;
      }
      return { value: { param: sym.param.name }, type: sym.param.type };
    }
    const producer = sym.task;
    if (producer.isVolume) {
      this.ctx.report('TypeMismatch', `\`${head!.name}\` is a volume: mount it instead`, e.span, { hint: `e.g. t = step() { mount: { "/data": ${head!.name} } }` });
      return undefined;
    }
    if (producer.inExit !== inExit) {
      this.ctx.report('FinallyDependency', inExit ? '`finally` tasks run after the pipeline and cannot use its outputs' : 'a pipeline task cannot use the outputs of a `finally` task', e.span);
      return undefined;
    }
    if (producer.resourceOutputs) return this.resourceOutput(producer, field, e, frames);
    const comp = producer.component;
    if (!comp) return undefined;
    const passable = comp.outputs.filter((o) => !isUiOutput(o.type));
    let out;
    if (!field) {
      if (passable.length !== 1) {
        this.ctx.report('AmbiguousOutput', passable.length === 0 ? `task \`${head!.name}\` has no output to pass` : `task \`${head!.name}\` has ${passable.length} outputs`, e.span, {
          hint: passable.length === 0 ? undefined : `name one: ${passable.map((o) => `\`${head!.name}.${o.argName ?? o.name}\``).join(', ')}`,
        });
        return undefined;
      }
      out = passable[0]!;
    } else {
      out = comp.outputs.find((o) => (o.argName ?? o.name) === field.name);
      if (!out) {
        this.ctx.report('UnknownOutput', `\`${comp.name}\` has no output \`${field.name}\``, field.span, {
          hint: didYouMean(field.name, comp.outputs.map((o) => o.argName ?? o.name)) ?? (comp.outputs.length ? `its outputs are ${comp.outputs.map((o) => `\`${o.argName ?? o.name}\``).join(', ')}` : 'it has no outputs'),
        });
        return undefined;
      }
      if (isUiOutput(out.type)) {
        this.ctx.report('UiOutputAsValue', `\`${field.name}\` is a ${out.type} output: it goes to the KFP UI, not to other tasks`, field.span, { hint: 'return the values you need as ordinary outputs too' });
        return undefined;
      }
    }
    const current = frames.map((f) => f.name);
    const outer = producer.loops.filter((l) => !current.includes(l));
    if (outer.length === 0) return { value: { output: { task: producer.name, name: out.name } }, type: outputType(comp, out), producer: producer.name, returned: isReturned(comp, out) };
    // The producer runs once per iteration of a loop that does not enclose us: fan-in, one list of all its values.
    if (outer.length > 1 || !current.every((l) => producer.loops.includes(l))) {
      this.ctx.report('InvalidCollect', 'outputs can be collected from one loop level at a time', e.span, { hint: 'collect inside the outer loop, then again outside it' });
      return undefined;
    }
    if (out.type === 'file') {
      this.ctx.report('InvalidCollect', 'file outputs cannot be collected from a loop', e.span, { hint: 'return a value instead (str, int, list…)' });
      return undefined;
    }
    return { value: { collect: { task: producer.name, name: out.name } }, type: 'list', producer: producer.name };
  }

  private checkUnused(): void {
    // Unused names are worth a warning only in a pipeline that otherwise checks: after an error they are noise.
    if (this.ctx.diagnostics.some((d) => d.severity === 'error')) return;
    for (const [name, sym] of this.scope) {
      if (this.used.has(name)) continue;
      if (sym.kind === 'param') {
        this.ctx.report('UnusedParameter', `pipeline parameter \`${name}\` is never used`, sym.span, { hint: 'remove it, or pass it to a task' });
      } else if (sym.task.isVolume || (sym.task.component?.outputs.some((o) => !isUiOutput(o.type)) ?? false)) {
        // A bound task without outputs is only named for `after`; unused, it is harmless.
        this.ctx.report('UnusedTask', sym.task.isVolume ? `volume \`${name}\` is never mounted` : `the outputs of \`${name}\` are never used`, sym.span, {
          hint: sym.task.isVolume ? `mount it: { mount: { "/data": ${name} } }` : `drop \`${name} =\` if the task is run only for its effects`,
        });
      }
    }
  }

  private checkCycles(): void {
    findCycles([...this.tasks.values()].map((t) => t.name), this.edges, (cycle, span) =>
      this.ctx.report('DependencyCycle', `tasks depend on each other in a cycle: ${cycle.map((c) => this.displayName(c)).join(' → ')}`, span, {
        label: 'this dependency closes the cycle',
        hint: 'a pipeline is a DAG; remove one of these dependencies',
      }),
    );
  }

  private displayName(name: string): string {
    for (const t of this.tasks.values()) if (t.name === name) return t.binding ?? name;
    return name;
  }
}

export function checkPipeline(ctx: CheckContext, p: ast.PipelineDecl, components: ReadonlyMap<string, IrComponent>): IrPipeline {
  return new PipelineChecker(ctx, components).check(p);
}

/** An output's type as the checks see it: an untyped output of a loaded component.yaml fits anything, as in kfp. */
function outputType(c: IrComponent, o: IrPort): ValueType {
  return isUntypedImportedPort(c, 'outputs', o.name) ? 'any' : o.type;
}

/** A value the component's Python function returns (not a `file` it writes). */
function isReturned(c: IrComponent, o: IrPort): boolean {
  return c.impl.kind === 'python' && o.type !== 'file';
}
