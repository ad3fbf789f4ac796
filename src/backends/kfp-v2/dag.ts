/**
 * A pipeline's body as KFP v2 DAGs. The root DAG holds the top-level tasks; each `if` arm
 * and each `for` becomes a DAG component of its own (`comp-condition-N`,
 * `comp-for-loop-N`), run by a task of its parent DAG, as KFP v2's compiler lays them out:
 * an `if` with `elif`/`else` arms is a `condition-branches-N` DAG whose tasks are the arms,
 * each with a `triggerPolicy.condition` (CEL) that also negates the arms before it; a loop
 * is a task with a `parameterIterator`. A sub-DAG reads what it needs from outside (a
 * pipeline parameter, an output of a task outside, an enclosing loop's item) through
 * inputs named `pipelinechannel--…`, which its parent passes in (from its own inputs, or
 * from its tasks' outputs, on which the sub-DAG's task then depends).
 *
 * What has no v2 form here yet is reported through `refuse` (the caller turns it into a
 * located KFP5020–5039 error) and nothing is written.
 */
import type { IrBranch, IrComponent, IrCondExpr, IrLoop, IrNode, IrNodeId, IrPipeline, IrSpan, IrTask, IrType, IrValue } from '../../ir/ir.js';
import { pyJsonDumps } from '../../lower/serialize.js';
import { NameAllocator, taskName } from '../../names.js';
import { componentKey, type JsonObject } from './executors.js';
import { kfpSettingName, v2TaskSettings } from './task-settings.js';
import { parameterType, type ParameterType } from './types.js';

export type Refusal = { readonly what: RefusalKind; readonly detail: string; readonly span: IrSpan };
export type RefusalKind = 'setting' | 'node' | 'exit' | 'value' | 'pipeline-setting' | 'type';

interface Channel {
  readonly value: IrValue;
  readonly type: ParameterType;
}

class Scope {
  readonly tasks: JsonObject = {};
  /** Neutral ids of the tasks that run in this DAG (not in a sub-DAG of it). */
  readonly local = new Set<IrNodeId>();
  /** Inputs the parent passes in, by name. */
  readonly channels = new Map<string, Channel>();
  /** Tasks outside this DAG that some task inside waits for (`after`). */
  readonly afterOutside = new Set<IrNodeId>();
  /** Once lowered: this DAG's key in its parent (`for-loop-3`) and its component, which fan-in adds outputs to later. */
  key?: string;
  component?: JsonObject;
  constructor(
    readonly parent: Scope | undefined,
    readonly loop?: { id: IrNodeId; itemChannel: string; itemType: ParameterType },
  ) {}
}

interface Resolved {
  readonly spec: JsonObject;
  readonly deps: string[];
  readonly artifact?: boolean;
}

export interface LoweredPipeline {
  readonly root: JsonObject;
  /** The sub-DAG components, by key (`comp-condition-2`…). */
  readonly dagComponents: Map<string, JsonObject>;
}

export class DagLowering {
  private readonly names = new NameAllocator();
  /** Neutral id → the v2 task name (unique in the pipeline, as KFP makes them). */
  private readonly taskNames = new Map<IrNodeId, string>();
  private readonly tasksById = new Map<IrNodeId, IrTask>();
  private readonly loops = new Map<IrNodeId, Scope>();
  /** The DAG each task runs in. */
  private readonly scopeOf = new Map<IrNodeId, Scope>();
  private readonly components: Map<string, IrComponent>;
  private readonly dagComponents = new Map<string, JsonObject>();
  private counter = 0;

  constructor(
    private readonly pipeline: IrPipeline,
    components: readonly IrComponent[],
    private readonly refuse: (r: Refusal) => void,
    /** A copy of a component whose executor's container has `patch` merged in: its `comp-…` key. */
    private readonly variant: (c: IrComponent, patch: JsonObject) => string,
  ) {
    this.components = new Map(components.map((c) => [c.name, c]));
  }

  lower(): LoweredPipeline {
    const p = this.pipeline;
    if (p.exit?.length) this.refuse({ what: 'exit', detail: '`finally` (an exit task)', span: p.origin });
    for (const [key, value] of Object.entries(p.settings)) {
      if (value !== undefined) this.refuse({ what: 'pipeline-setting', detail: `the pipeline setting \`${kfpSettingName(key)}\``, span: p.origin });
    }
    this.allocateNames(p.body);
    const root = new Scope(undefined);
    this.lowerBody(p.body, root);
    return { root: { dag: { tasks: root.tasks } }, dagComponents: this.dagComponents };
  }

  private allocateNames(nodes: readonly IrNode[]): void {
    for (const n of nodes) {
      if (n.kind === 'task') {
        this.taskNames.set(n.id, this.names.unique(taskName(n.component)));
        this.tasksById.set(n.id, n);
      } else if (n.kind === 'branch') {
        for (const arm of n.arms) this.allocateNames(arm.body);
        if (n.else) this.allocateNames(n.else.body);
      } else if (n.kind === 'loop') {
        this.allocateNames(n.body);
      }
    }
  }

  private lowerBody(nodes: readonly IrNode[], scope: Scope): void {
    for (const n of nodes) {
      if (n.kind === 'task') this.lowerTask(n, scope);
      else if (n.kind === 'branch') this.lowerBranch(n, scope);
      else if (n.kind === 'loop') this.lowerLoop(n, scope);
      else this.refuse({ what: 'node', detail: n.kind === 'volume' ? 'a `volume(...)` task (a PersistentVolumeClaim)' : n.kind === 'call' ? `a call of pipeline \`${n.pipeline}\` (a sub-DAG component)` : 'a `resource(...)` task (a Kubernetes object)', span: n.origin });
    }
  }

  private lowerTask(t: IrTask, scope: Scope): void {
    const name = this.taskNames.get(t.id)!;
    scope.local.add(t.id);
    this.scopeOf.set(t.id, scope);
    const c = this.components.get(t.component)!;
    const { cache, displayName } = t.settings;
    const settings = v2TaskSettings(t.settings);
    for (const key of settings.refused) this.refuse({ what: 'setting', detail: `the task setting ${key.includes('`') ? key : `\`${key}\``}`, span: t.origin });
    const componentRef = settings.container ? this.variant(c, settings.container) : `comp-${componentKey(c.name)}`;
    const parameters: JsonObject = {};
    const artifacts: JsonObject = {};
    const deps = new Set<string>();
    for (const [input, value] of Object.entries(t.args)) {
      const port = c.inputs.find((i) => i.name === input);
      if (!port) continue;
      const r = this.resolve(value, port.type, scope, t.origin);
      if (!r) continue;
      r.deps.forEach((d) => deps.add(d));
      (r.artifact ? artifacts : parameters)[input] = r.spec;
    }
    for (const a of t.after) this.after(a, scope, deps, t.origin);
    const inputs: JsonObject = {};
    if (Object.keys(artifacts).length) inputs.artifacts = artifacts;
    if (Object.keys(parameters).length) inputs.parameters = parameters;
    scope.tasks[name] = {
      cachingOptions: { enableCache: cache ?? true },
      componentRef: { name: componentRef },
      ...(deps.size ? { dependentTasks: [...deps].sort() } : {}),
      ...(Object.keys(inputs).length ? { inputs } : {}),
      ...settings.task,
      taskInfo: { name: displayName ?? name },
    };
  }

  /** `after x`: a dependency on a task of this DAG, or (through the sub-DAG's task) of an enclosing one. */
  private after(id: IrNodeId, scope: Scope, deps: Set<string>, span: IrSpan): void {
    if (scope.local.has(id)) deps.add(this.taskNames.get(id)!);
    else if (this.inAncestor(id, scope)) scope.afterOutside.add(id);
    else this.refuse({ what: 'value', detail: 'waiting for a task inside an `if` or `for` block from outside it', span });
  }

  private inAncestor(id: IrNodeId, scope: Scope): boolean {
    for (let s = scope.parent; s; s = s.parent) if (s.local.has(id)) return true;
    return false;
  }

  private typeOf(value: IrValue, wanted: IrType): IrType {
    if ('param' in value) return this.pipeline.params.find((p) => p.name === value.param)?.type ?? wanted;
    if ('output' in value) {
      const t = this.tasksById.get(value.output.task);
      const c = t && this.components.get(t.component);
      return c?.outputs.find((o) => o.name === value.output.name)?.type ?? wanted;
    }
    return wanted;
  }

  /** Where a value comes from, seen from `scope`: a constant, an input of this DAG, or an output of one of its tasks. */
  private resolve(value: IrValue, wanted: IrType, scope: Scope, span: IrSpan): Resolved | undefined {
    if ('const' in value) return { spec: { runtimeValue: { constant: value.const } }, deps: [] };
    if ('collect' in value) return this.collect(value.collect, scope, span);
    const type = this.typeOf(value, wanted);
    const ptype = parameterType(type);
    if ('param' in value) {
      if (!scope.parent) return { spec: { componentInputParameter: value.param }, deps: [] };
      return this.channel(scope, `pipelinechannel--${value.param}`, value, ptype ?? 'STRING');
    }
    if ('output' in value) {
      const producer = this.taskNames.get(value.output.task)!;
      if (scope.local.has(value.output.task)) {
        if (ptype === undefined) return { spec: { taskOutputArtifact: { outputArtifactKey: value.output.name, producerTask: producer } }, deps: [producer], artifact: true };
        return { spec: { taskOutputParameter: { outputParameterKey: value.output.name, producerTask: producer } }, deps: [producer] };
      }
      if (!this.inAncestor(value.output.task, scope)) {
        this.refuse({ what: 'value', detail: 'an output of a task inside an `if` or `for` block used outside it', span });
        return undefined;
      }
      if (ptype === undefined) {
        this.refuse({ what: 'value', detail: 'a file passed into an `if` or `for` block', span });
        return undefined;
      }
      return this.channel(scope, `pipelinechannel--${producer}-${value.output.name}`, value, ptype);
    }
    const loop = this.loops.get(value.item.loop)!;
    const field = value.item.field;
    if (scope.loop?.id === value.item.loop) {
      const spec: JsonObject = { componentInputParameter: loop.loop!.itemChannel };
      if (field !== undefined) spec.parameterExpressionSelector = `parseJson(string_value)[${JSON.stringify(field)}]`;
      return { spec, deps: [] };
    }
    const name = `${loop.loop!.itemChannel}${field !== undefined ? `-subvar-${field}` : ''}`;
    return this.channel(scope, name, value, field !== undefined ? (parameterType(wanted) ?? 'STRING') : loop.loop!.itemType);
  }

  /**
   * Fan-in, as KFP v2's `dsl.Collected`: each loop DAG between the producer and the consumer
   * declares a LIST output `pipelinechannel--<task>-<output>` (the innermost from the task's
   * output, the others from the loop inside), and the consumer reads it from the outermost
   * loop's task.
   */
  private collect(c: { task: IrNodeId; name: string }, scope: Scope, span: IrSpan): Resolved | undefined {
    const producer = this.taskNames.get(c.task)!;
    const ch = `pipelinechannel--${producer}-${c.name}`;
    const ancestors = new Set<Scope>();
    for (let s: Scope | undefined = scope; s; s = s.parent) ancestors.add(s);
    let inner = this.scopeOf.get(c.task);
    let from: JsonObject = { outputParameterKey: c.name, producerSubtask: producer };
    while (inner && !ancestors.has(inner)) {
      if (!inner.loop || !inner.component || !inner.key) {
        this.refuse({ what: 'value', detail: 'fan-in from inside an `if` block', span });
        return undefined;
      }
      const dag = inner.component.dag as JsonObject;
      const outputs = ((dag.outputs as JsonObject | undefined) ?? (dag.outputs = {})) as JsonObject;
      ((outputs.parameters ??= {}) as JsonObject)[ch] = { valueFromParameter: from };
      const defs = ((inner.component.outputDefinitions ??= {}) as JsonObject);
      ((defs.parameters ??= {}) as JsonObject)[ch] = { parameterType: 'LIST' };
      from = { outputParameterKey: ch, producerSubtask: inner.key };
      if (inner.parent === scope) return { spec: { taskOutputParameter: { outputParameterKey: ch, producerTask: inner.key } }, deps: [inner.key] };
      inner = inner.parent;
    }
    if (!inner || inner === scope) {
      this.refuse({ what: 'value', detail: 'fan-in of a task that is not inside a loop', span });
      return undefined;
    }
    // The loop ends in an enclosing DAG: this one reads the list through an input.
    return this.channel(scope, ch, { collect: c }, 'LIST');
  }

  private channel(scope: Scope, name: string, value: IrValue, type: ParameterType): Resolved {
    if (!scope.channels.has(name)) scope.channels.set(name, { value, type });
    return { spec: { componentInputParameter: name }, deps: [] };
  }

  /** The task in `parent` that runs the sub-DAG `child` (its inputs: the child's channels). */
  private subDagTask(child: Scope, parent: Scope, key: string, span: IrSpan, extra: JsonObject, extraInputs: JsonObject = {}, extraDefs: JsonObject = {}): JsonObject {
    const parameters: JsonObject = { ...extraInputs };
    const defs: JsonObject = { ...extraDefs };
    const deps = new Set<string>();
    for (const [name, ch] of [...child.channels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      defs[name] = { parameterType: ch.type };
      const r = this.resolve(ch.value, ch.type === 'NUMBER_INTEGER' ? 'int' : 'str', parent, span);
      if (!r) continue;
      parameters[name] = r.spec;
      r.deps.forEach((d) => deps.add(d));
    }
    for (const a of child.afterOutside) this.after(a, parent, deps, span);
    child.key = key;
    child.component = {
      dag: { tasks: child.tasks },
      ...(Object.keys(defs).length ? { inputDefinitions: { parameters: defs } } : {}),
    };
    this.dagComponents.set(`comp-${key}`, child.component);
    return {
      componentRef: { name: `comp-${key}` },
      ...(deps.size ? { dependentTasks: [...deps].sort() } : {}),
      ...(Object.keys(parameters).length ? { inputs: { parameters } } : {}),
      ...extra,
      taskInfo: { name: key },
    };
  }

  private lowerBranch(b: IrBranch, scope: Scope): void {
    const arms: { when?: IrCondExpr; before: IrCondExpr[]; body: IrNode[]; origin: IrSpan }[] = [];
    b.arms.forEach((arm, i) => arms.push({ when: arm.when, before: b.arms.slice(0, i).map((a) => a.when), body: arm.body, origin: arm.origin }));
    if (b.else) arms.push({ before: b.arms.map((a) => a.when), body: b.else.body, origin: b.else.origin });
    // A lone `if` is one condition DAG; with `elif`/`else`, KFP wraps the arms in `condition-branches-N`.
    const wrapped = arms.length > 1;
    const host = wrapped ? new Scope(scope) : scope;
    const branchesKey = wrapped ? `condition-branches-${++this.counter}` : '';
    for (const arm of arms) {
      const key = `condition-${++this.counter}`;
      const child = new Scope(host);
      const terms = arm.before.map((c) => `!(${this.cel(c, child, arm.origin)})`);
      if (arm.when) terms.push(this.cel(arm.when, child, arm.origin));
      this.lowerBody(arm.body, child);
      host.tasks[key] = this.subDagTask(child, host, key, arm.origin, { triggerPolicy: { condition: terms.join(' && ') } });
    }
    if (wrapped) scope.tasks[branchesKey] = this.subDagTask(host, scope, branchesKey, b.arms[0]!.origin, {});
  }

  /** A condition as the CEL KFP v2 emits: operands are the condition DAG's inputs. */
  private cel(e: IrCondExpr, child: Scope, span: IrSpan): string {
    if ('not' in e) return `!(${this.cel(e.not, child, span)})`;
    if ('and' in e) return e.and.map((x) => `(${this.cel(x, child, span)})`).join(' && ');
    if ('or' in e) return e.or.map((x) => `(${this.cel(x, child, span)})`).join(' || ');
    if ('truthy' in e) return `${this.operand(e.truthy, 'bool', child, span)} == true`;
    const type: IrType = e.numeric ? (this.isFloat(e.left) || this.isFloat(e.right) ? 'float' : 'int') : 'str';
    return `${this.operand(e.left, type, child, span)} ${e.compare} ${this.operand(e.right, type, child, span)}`;
  }

  private isFloat(v: IrValue): boolean {
    if ('const' in v) return v.isFloat === true || (typeof v.const === 'number' && !Number.isInteger(v.const));
    return this.typeOf(v, 'int') === 'float';
  }

  private operand(v: IrValue, type: IrType, child: Scope, span: IrSpan): string {
    if ('const' in v) return typeof v.const === 'string' ? `'${v.const.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(v.const);
    const r = this.resolve(v, type, child, span);
    const name = r?.spec.componentInputParameter as string | undefined;
    const ref = `inputs.parameter_values['${name ?? '?'}']`;
    if (type === 'int') return `int(${ref})`;
    if (type === 'float') return `double(${ref})`;
    return ref;
  }

  private lowerLoop(l: IrLoop, scope: Scope): void {
    const items = l.items;
    let itemChannel: string;
    let itemsSpec: JsonObject;
    const extraInputs: JsonObject = {};
    const extraDefs: JsonObject = {};
    let deps: string[] = [];
    let itemType: ParameterType = 'STRING';
    if ('const' in items) {
      itemChannel = `pipelinechannel--loop-item-param-${++this.counter}`;
      itemsSpec = { raw: pyJsonDumps(items.const, false) };
      const first = Array.isArray(items.const) ? items.const[0] : undefined;
      itemType = typeof first === 'number' ? (Number.isInteger(first) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE') : typeof first === 'boolean' ? 'BOOLEAN' : first !== null && typeof first === 'object' ? (Array.isArray(first) ? 'LIST' : 'STRUCT') : 'STRING';
    } else if ('item' in items) {
      this.refuse({ what: 'value', detail: 'a loop over an enclosing loop\'s item', span: l.origin });
      return;
    } else {
      const base = 'param' in items ? items.param : `${this.taskNames.get(items.output.task)!}-${items.output.name}`;
      const listChannel = `pipelinechannel--${base}`;
      itemChannel = `${listChannel}-loop-item`;
      const r = this.resolve(items, 'list', scope, l.origin);
      if (!r) return;
      extraInputs[listChannel] = r.spec;
      extraDefs[listChannel] = { parameterType: 'LIST' };
      deps = r.deps;
      itemsSpec = { inputParameter: listChannel };
      itemType = this.itemTypeFromUse(l);
    }
    const key = `for-loop-${++this.counter}`;
    const child = new Scope(scope, { id: l.id, itemChannel, itemType });
    this.loops.set(l.id, child);
    this.lowerBody(l.body, child);
    extraDefs[itemChannel] = { parameterType: itemType };
    const task = this.subDagTask(child, scope, key, l.origin, {
      ...(l.parallelism !== undefined ? { iteratorPolicy: { parallelismLimit: l.parallelism } } : {}),
      parameterIterator: { itemInput: itemChannel, items: itemsSpec },
    }, extraInputs, extraDefs);
    if (deps.length) task.dependentTasks = [...new Set([...((task.dependentTasks as string[] | undefined) ?? []), ...deps])].sort();
    scope.tasks[key] = task;
  }

  /** The item type of a loop over a list value: the type of the first input the item is passed to, else STRING. */
  private itemTypeFromUse(l: IrLoop): ParameterType {
    const visit = (nodes: readonly IrNode[]): ParameterType | undefined => {
      for (const n of nodes) {
        if (n.kind === 'task') {
          const c = this.components.get(n.component)!;
          for (const [input, v] of Object.entries(n.args)) {
            if ('item' in v && v.item.loop === l.id && v.item.field === undefined) {
              const t = parameterType(c.inputs.find((i) => i.name === input)?.type ?? 'str');
              if (t) return t;
            }
          }
        } else if (n.kind === 'branch') {
          const t = [...n.arms.map((a) => a.body), n.else?.body ?? []].map(visit).find((x) => x);
          if (t) return t;
        } else if (n.kind === 'loop') {
          const t = visit(n.body);
          if (t) return t;
        }
      }
      return undefined;
    };
    return visit(l.body) ?? 'STRING';
  }
}
