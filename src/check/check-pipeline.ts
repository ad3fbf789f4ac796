/**
 * Checks a pipeline and turns it into an IrPipeline: every call names a known
 * component, arguments match inputs (count, names, types), references name
 * parameters, tasks and outputs that exist, and the task graph has no cycle.
 */
import type { IrComponent, IrConst, IrNode, IrParam, IrPipeline, IrTask, IrValue } from '../ir/ir.js';
import { NameAllocator, sanitizeK8sName, taskName } from '../names.js';
import type { Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { checkParams } from './check-component.js';
import { CheckContext, constType, constValue } from './context.js';
import { assignable, describeType, PARAM_TYPES, type ValueType } from './types.js';

interface TaskInfo {
  readonly stmt: ast.TaskStmt;
  readonly binding: string | undefined;
  readonly name: string; // the final Argo task name
  readonly component: IrComponent | undefined;
}

/** What a name in pipeline scope refers to. */
type Symbol = { kind: 'param'; param: IrParam; span: Span } | { kind: 'task'; task: TaskInfo; span: Span };

/** Outputs that go to the KFP UI rather than to other tasks (kfp removes them from task.outputs). */
function isUiOutput(type: string): boolean {
  return type === 'metrics' || type === 'ui_metadata';
}

class PipelineChecker {
  private readonly scope = new Map<string, Symbol>();
  private readonly tasks: TaskInfo[] = [];
  private readonly taskNames = new NameAllocator();
  /** Edges for the cycle check: task name → names it depends on, with the span that made the edge. */
  private readonly edges = new Map<string, { to: string; span: Span }[]>();

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
    this.declareTasks(p.body);
    const body = this.statements(p.body);
    this.checkCycles();
    const name = sanitizeK8sName(p.name) || 'pipeline';
    if (p.name.trim() === '') this.ctx.report('InvalidSetting', 'a pipeline needs a name', p.nameSpan, { hint: 'e.g. pipeline "train model" () { … }' });
    return {
      displayName: p.name,
      name,
      ...(p.description ? { description: p.description.text } : {}),
      params,
      body,
      origin: { start: p.span.start, end: p.span.end },
    };
  }

  /** First pass: every task gets its name before any reference is resolved, so order in the file does not matter. */
  private declareTasks(stmts: readonly ast.Statement[]): void {
    for (const s of stmts) {
      if (s.kind !== 'TaskStmt') continue;
      const component = this.components.get(s.callee.name);
      if (!component) {
        this.ctx.report('UnknownComponent', `unknown component \`${s.callee.name}\``, s.callee.span, {
          label: 'not defined or imported in this file',
          hint: didYouMean(s.callee.name, this.components.keys()),
        });
      }
      const binding = s.name?.name;
      const name = this.taskNames.unique(taskName(binding ?? s.callee.name));
      const info: TaskInfo = { stmt: s, binding, name, component };
      this.tasks.push(info);
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
  }

  private statements(stmts: readonly ast.Statement[]): IrNode[] {
    const out: IrNode[] = [];
    for (const s of stmts) {
      if (s.kind === 'TaskStmt') {
        const t = this.task(s);
        if (t) out.push(t);
      } else {
        this.ctx.report('UnknownSetting', `\`${s.kind === 'Setting' ? s.name.name : s.kind}\` is not supported yet`, s.span);
      }
    }
    return out;
  }

  private task(s: ast.TaskStmt): IrTask | undefined {
    const info = this.tasks.find((t) => t.stmt === s)!;
    const comp = info.component;
    const args: { [input: string]: IrValue } = {};
    const given = new Map<string, Span>();
    let positional = 0;
    let sawNamed = false;
    let unknownNamed = false;
    for (const a of s.args) {
      let input;
      if (a.name) {
        sawNamed = true;
        if (!comp) continue;
        input = comp.inputs.find((i) => i.name === a.name!.name);
        if (!input) {
          this.ctx.report('UnknownArgument', `\`${comp.name}\` has no input \`${a.name.name}\``, a.name.span, {
            label: 'unknown input',
            hint: didYouMean(a.name.name, comp.inputs.map((i) => i.name)) ?? `its inputs are ${comp.inputs.map((i) => `\`${i.name}\``).join(', ') || 'none'}`,
          });
          this.value(a.value, undefined, info);
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
          this.ctx.report('TooManyArguments', `\`${comp.name}\` takes ${comp.inputs.length} argument${comp.inputs.length === 1 ? '' : 's'} but more were given`, a.span, {
            label: 'no input left for this argument',
          });
          continue;
        }
      }
      const prev = given.get(input.name);
      if (prev) {
        this.ctx.report('DuplicateArgument', `input \`${input.name}\` is given twice`, a.span, { related: [this.ctx.related(prev, 'first given here')] });
        continue;
      }
      given.set(input.name, a.span);
      const v = this.value(a.value, input.type, info, input.name);
      if (v) args[input.name] = v;
    }
    if (comp && !unknownNamed) {
      // After a misspelt name the missing input is usually that same argument: one error is enough.
      const missing = comp.inputs.filter((i) => !i.optional && !given.has(i.name));
      if (missing.length > 0) {
        const names = missing.map((m) => `\`${m.name}\``).join(', ');
        this.ctx.report('MissingArgument', `missing argument${missing.length > 1 ? 's' : ''} for ${names} of \`${comp.name}\``, s.callee.span, {
          label: `${missing.length > 1 ? 'these inputs are' : 'this input is'} required`,
          hint: `e.g. ${comp.name}(${missing.map((m) => `${m.name}: …`).join(', ')})`,
        });
      }
    }
    const after: string[] = [];
    for (const a of s.after) {
      const sym = this.scope.get(a.name);
      if (!sym || sym.kind !== 'task') {
        this.ctx.report('UnknownTask', `no task named \`${a.name}\``, a.span, {
          hint: didYouMean(a.name, [...this.scope.entries()].filter(([, v]) => v.kind === 'task').map(([k]) => k)) ?? 'only tasks bound to a name (`t = component(…)`) can be named in `after`',
        });
        continue;
      }
      if (!after.includes(sym.task.name)) after.push(sym.task.name);
      this.edge(info.name, sym.task.name, a.span);
    }
    if (!comp) return undefined;
    return { kind: 'task', name: info.name, component: comp.name, args, after, origin: { start: s.span.start, end: s.span.end } };
  }

  private edge(from: string, to: string, span: Span): void {
    const list = this.edges.get(from) ?? [];
    list.push({ to, span });
    this.edges.set(from, list);
  }

  /** Resolves an argument expression and checks its type against the input's. */
  private value(e: ast.Expr, expected: ValueType | undefined, task: TaskInfo, inputName?: string): IrValue | undefined {
    const c = constValue(e);
    if (c) {
      this.checkAssignable(constType(c), expected, e.span, inputName);
      if (c.const === null) {
        this.ctx.report('TypeMismatch', '`null` cannot be passed as an argument', e.span, { hint: 'leave the argument out to use the input\'s default' });
        return undefined;
      }
      return c;
    }
    if (e.kind !== 'RefExpr') {
      this.ctx.report('TypeMismatch', 'an argument must be a literal, a pipeline parameter or a task output', e.span, {
        hint: e.kind === 'CompareExpr' || e.kind === 'BoolExpr' || e.kind === 'NotExpr' ? 'comparisons belong in `if` conditions' : undefined,
      });
      return undefined;
    }
    const resolved = this.reference(e);
    if (!resolved) return undefined;
    if (resolved.producer) this.edge(task.name, resolved.producer, e.span);
    this.checkAssignable(resolved.type, expected, e.span, inputName);
    return resolved.value;
  }

  private checkAssignable(from: ValueType, to: ValueType | undefined, span: Span, inputName?: string): void {
    if (!to || to === 'any' || to === 'null' || from === 'null') return;
    if (!assignable(from, to)) {
      this.ctx.report('TypeMismatch', `expected \`${to}\`, found \`${describeType(from)}\``, span, {
        label: `this is ${describeType(from)}`,
        hint: inputName ? `input \`${inputName}\` is declared \`${inputName}: ${to}\`` : undefined,
      });
    }
  }

  private reference(e: ast.RefExpr): { value: IrValue; type: ValueType; producer?: string } | undefined {
    const [head, field, ...rest] = e.parts;
    const sym = this.scope.get(head!.name);
    if (!sym) {
      this.ctx.report('UnknownName', `unknown name \`${head!.name}\``, head!.span, {
        label: 'not a parameter or task',
        hint: didYouMean(head!.name, this.scope.keys()),
      });
      return undefined;
    }
    if (rest.length > 0) {
      this.ctx.report('UnknownOutput', 'a reference has at most one `.`', { start: rest[0]!.span.start - 1, end: e.span.end }, { hint: 'write `task.output`' });
      return undefined;
    }
    if (sym.kind === 'param') {
      if (field) {
        this.ctx.report('UnknownOutput', `pipeline parameter \`${head!.name}\` has no fields`, field.span, { hint: `use \`${head!.name}\`` });
        return undefined;
      }
      return { value: { param: sym.param.name }, type: sym.param.type };
    }
    const comp = sym.task.component;
    if (!comp) return undefined;
    const passable = comp.outputs.filter((o) => !isUiOutput(o.type));
    if (!field) {
      if (passable.length !== 1) {
        this.ctx.report('AmbiguousOutput', passable.length === 0 ? `task \`${head!.name}\` has no output to pass` : `task \`${head!.name}\` has ${passable.length} outputs`, e.span, {
          hint: passable.length === 0 ? undefined : `name one: ${passable.map((o) => `\`${head!.name}.${o.name}\``).join(', ')}`,
        });
        return undefined;
      }
      const o = passable[0]!;
      return { value: { output: { task: sym.task.name, name: o.name } }, type: o.type, producer: sym.task.name };
    }
    const out = comp.outputs.find((o) => o.name === field.name);
    if (!out) {
      this.ctx.report('UnknownOutput', `\`${comp.name}\` has no output \`${field.name}\``, field.span, {
        hint: didYouMean(field.name, comp.outputs.map((o) => o.name)) ?? (comp.outputs.length ? `its outputs are ${comp.outputs.map((o) => `\`${o.name}\``).join(', ')}` : 'it has no outputs'),
      });
      return undefined;
    }
    if (isUiOutput(out.type)) {
      this.ctx.report('UnknownOutput', `\`${field.name}\` is a ${out.type} output: it goes to the KFP UI, not to other tasks`, field.span, { hint: 'return the values you need as ordinary outputs too' });
      return undefined;
    }
    return { value: { output: { task: sym.task.name, name: out.name } }, type: out.type, producer: sym.task.name };
  }

  private checkCycles(): void {
    const state = new Map<string, 1 | 2>();
    const stack: { name: string; span?: Span }[] = [];
    const reported = new Set<string>();
    const visit = (n: string, via?: Span): void => {
      state.set(n, 1);
      stack.push({ name: n, ...(via ? { span: via } : {}) });
      for (const e of this.edges.get(n) ?? []) {
        const st = state.get(e.to);
        if (st === 1) {
          const from = stack.findIndex((x) => x.name === e.to);
          const cycle = [...stack.slice(from).map((x) => x.name), e.to];
          const key = [...cycle].sort().join(',');
          if (!reported.has(key)) {
            reported.add(key);
            const display = cycle.map((c) => this.displayName(c));
            this.ctx.report('DependencyCycle', `tasks depend on each other in a cycle: ${display.join(' → ')}`, e.span, {
              label: 'this dependency closes the cycle',
              hint: 'a pipeline is a DAG; remove one of these dependencies',
            });
          }
        } else if (st === undefined) visit(e.to, e.span);
      }
      stack.pop();
      state.set(n, 2);
    };
    for (const t of this.tasks) if (!state.has(t.name)) visit(t.name);
  }

  private displayName(taskNameValue: string): string {
    const t = this.tasks.find((x) => x.name === taskNameValue);
    return t?.binding ?? taskNameValue;
  }
}

export function checkPipeline(ctx: CheckContext, p: ast.PipelineDecl, components: ReadonlyMap<string, IrComponent>): IrPipeline {
  return new PipelineChecker(ctx, components).check(p);
}

export type { IrConst };
