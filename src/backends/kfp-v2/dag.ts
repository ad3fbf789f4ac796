/**
 * A pipeline's body as KFP v2 DAGs. The root DAG holds the top-level tasks; each `if` arm
 * and each `for` becomes a DAG component of its own (`comp-condition-N`,
 * `comp-for-loop-N`), run by a task of its parent DAG, as KFP v2's compiler lays them out:
 * an `if` with `elif`/`else` arms is a `condition-branches-N` DAG whose tasks are the arms,
 * each with a `triggerPolicy.condition` (CEL) that also negates the arms before it; a loop
 * is a task with a `parameterIterator`. A sub-DAG reads what it needs from outside (a
 * pipeline parameter, an output of a task outside, an enclosing loop's item) through
 * inputs named `pipelinechannel--…`, which its parent passes in (from its own inputs, or
 * from its tasks' outputs, on which the sub-DAG's task then depends); a file comes in as an
 * input artifact the same way. A call of another pipeline is a task whose component is that
 * pipeline's own DAG (assembled and named in assemble.ts); the pipeline's declared outputs are
 * its DAG's outputs (`dag.outputs`).
 *
 * What has no v2 form here yet is reported through `refuse` (the caller turns it into a
 * located KFP5020–5039 error) and nothing is written.
 */
import { KFP_V2_RUN_VALUES, runValueName } from '../../check/argo-placeholders.js';
import type { IrBranch, IrCall, IrComponent, IrCondExpr, IrLoop, IrMount, IrNode, IrNodeId, IrPipeline, IrSpan, IrTask, IrType, IrValue, IrVolume } from '../../ir/ir.js';
import { INT32_MAX } from '../../check/settings.js';
import { pyJsonDumps } from '../../lower/serialize.js';
import { NameAllocator, taskName } from '../../names.js';
import type { JsonObject } from './executors.js';
import { pipelineOutputs } from './outputs.js';
import { v2PipelineSettings, v2TaskSettings } from './task-settings.js';
import { artifactType, parameterType, v2PortName, type ParameterType } from './types.js';

/** `integer`: a value past a proto field's integer type (KFP5006); `detail` is then the whole message, `hint` what fits. */
export type Refusal = { readonly what: RefusalKind; readonly detail: string; readonly span: IrSpan; readonly hint?: string };
export type RefusalKind = 'setting' | 'node' | 'exit' | 'value' | 'pipeline-setting' | 'type' | 'integer' | 'too-large';

/**
 * A value the checker bounded by Argo's field (an int64) that lands in an int32 field of
 * KFP v2's protos (pipeline_spec.proto: `IteratorPolicy.parallelism_limit`,
 * `PipelineConfig.active_deadline_seconds`): refused where it is written, never written to
 * overflow when KFP's backend decodes it.
 */
export function int32Refusal(value: number, field: string, span: IrSpan, unit = ''): Refusal | undefined {
  if (value <= INT32_MAX) return undefined;
  return {
    what: 'integer',
    detail: `${value}${unit} is too large for KFP v2's ${field} (int32: at most ${INT32_MAX}${unit})`,
    span,
    hint: `write at most ${INT32_MAX}${unit}, or build with \`--target kfp-v1\`, whose Argo field is an int64`,
  };
}

/**
 * What a DAG's task needs a component for, in the order KFP's compiler adds them: a sub-DAG
 * (`if`, `for`, `finally`), a task with its executor (its component, what its container needs,
 * merged into the executor, and its Kubernetes settings for the platform spec), or a call of a
 * pipeline. `ref` is the task's `componentRef`, whose name assemble.ts fills in once it has
 * named every component (`comp-train-2`, as KFP numbers them).
 */
export type Entry =
  | { readonly kind: 'group'; readonly scope: Scope; readonly ref: JsonObject }
  | { readonly kind: 'task'; readonly task: string; readonly component: IrComponent | 'createpvc' | 'deletepvc'; readonly container?: JsonObject; readonly kubernetes?: JsonObject; readonly ref: JsonObject }
  | { readonly kind: 'call'; readonly task: string; readonly pipeline: string; readonly ref: JsonObject; readonly span: IrSpan };

/** An input the parent passes into a sub-DAG: a parameter (`type`), or a file (an artifact, `type` absent). */
interface Channel {
  readonly value: IrValue;
  readonly type: ParameterType | undefined;
  readonly irType: IrType;
}

export class Scope {
  readonly tasks: JsonObject = {};
  /** What this DAG's tasks need components for, in the order they were lowered. */
  readonly entries: Entry[] = [];
  /** Neutral ids of the tasks that run in this DAG (not in a sub-DAG of it). */
  readonly local = new Set<IrNodeId>();
  /** Inputs the parent passes in, by name. */
  readonly channels = new Map<string, Channel>();
  /** Tasks outside this DAG that some task inside waits for (`after`). */
  readonly afterOutside = new Set<IrNodeId>();
  /** For a condition DAG: the values its condition reads, which every task inside makes each DAG between pass in (as KFP does). */
  conditionValues: IrValue[] = [];
  /** Once lowered: this DAG's key in its parent (`for-loop-3`) and its component, which fan-in adds outputs to later. */
  key?: string;
  component?: JsonObject;
  constructor(
    readonly parent: Scope | undefined,
    readonly loop?: { id: IrNodeId; itemChannel: string; itemType: ParameterType },
  ) {}
}

export interface Resolved {
  readonly spec: JsonObject;
  readonly deps: string[];
  readonly artifact?: boolean;
}

export interface LoweredPipeline {
  /** The root component: its DAG, and the pipeline's outputs (`outputDefinitions`, `dag.outputs`). */
  readonly root: JsonObject;
  /** The root DAG's scope, whose entries (and theirs) name the components. */
  readonly scope: Scope;
  /** Exit tasks, whose components KFP's compiler adds after all the others. */
  readonly late: Entry[];
}

/** Kubernetes settings merged: the pipeline's for every executor, then the task's (its node selector labels win). */
function mergeKubernetes(...parts: (JsonObject | undefined)[]): JsonObject | undefined {
  const out: JsonObject = {};
  for (const part of parts) {
    for (const [k, v] of Object.entries(part ?? {})) {
      if (k === 'nodeSelector' && out.nodeSelector) out.nodeSelector = { labels: { ...(out.nodeSelector as { labels: object }).labels, ...(v as { labels: object }).labels } };
      else out[k] = v;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** The values a condition reads (its non-constant operands). */
function operands(e: IrCondExpr): IrValue[] {
  if ('not' in e) return operands(e.not);
  if ('and' in e) return e.and.flatMap(operands);
  if ('or' in e) return e.or.flatMap(operands);
  if ('truthy' in e) return 'const' in e.truthy ? [] : [e.truthy];
  return [e.left, e.right].filter((v) => !('const' in v));
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
  private readonly callsById = new Map<IrNodeId, IrCall>();
  private readonly late: Entry[] = [];
  private counter = 0;

  /**
   * `callable`: the pipelines a call may name; `calling`: the call names of the pipelines whose
   * lowering led here (this one's included), a call of which would recurse; `settingsOf`: the
   * pipeline whose settings every executor takes (a called pipeline's tasks take the
   * caller's, as on the kfp-v1 target).
   */
  constructor(
    private readonly pipeline: IrPipeline,
    components: readonly IrComponent[],
    private readonly refuse: (r: Refusal) => void,
    private readonly callable: ReadonlyMap<string, IrPipeline> = new Map(),
    private readonly calling: readonly string[] = [],
    settingsOf: IrPipeline = pipeline,
  ) {
    this.components = new Map(components.map((c) => [c.name, c]));
    const ps = v2PipelineSettings(settingsOf.settings as { [key: string]: unknown });
    if (settingsOf === pipeline) {
      // Where the setting's value is written (a pipeline from before settingOrigins: the pipeline).
      const at = (setting: string): IrSpan => pipeline.settingOrigins?.[setting] ?? pipeline.origin;
      for (const r of ps.refused) refuse({ what: 'pipeline-setting', detail: `the pipeline setting \`${r.setting}\`${r.why}`, span: at(r.setting) });
      const timeout = pipeline.settings.timeoutSeconds;
      const tooLong = timeout !== undefined ? int32Refusal(timeout, 'PipelineConfig.active_deadline_seconds', at('timeout'), 's') : undefined;
      if (tooLong) refuse(tooLong);
    }
    this.everyExecutor = ps.everyExecutor;
    this.pipelineConfig = ps.pipelineConfig;
  }

  /** Kubernetes settings every executor gets (the pipeline's pull secrets, pull policy, node selector). */
  private readonly everyExecutor: JsonObject;
  /** `platforms.kubernetes.pipelineConfig` (the run's deadline and TTL). */
  readonly pipelineConfig: JsonObject;
  /** Volumes (`volume(...)` tasks) by id, and those deleted when the run ends. */
  private readonly volumes = new Map<IrNodeId, IrVolume>();

  lower(): LoweredPipeline {
    const p = this.pipeline;
    this.allocateNames(p.body);
    if (p.exit) this.allocateNames(p.exit);
    const root = new Scope(undefined);
    const deleted = [...this.volumes.values()].filter((v) => v.deleteAtExit);
    if (!p.exit?.length && !deleted.length) {
      this.lowerBody(p.body, root);
      return this.result(root);
    }
    // `finally`, as KFP's dsl.ExitHandler: the body runs in `exit-handler-1`; each exit task
    // waits for it with ALL_UPSTREAM_TASKS_COMPLETED, so it runs whether the body failed or not.
    const key = `exit-handler-${++this.counter}`;
    // The body's top-level volumes are created before the exit handler, in the root DAG, so
    // that an exit task can delete them even when the body failed.
    const volumes = p.body.filter((n): n is IrVolume => n.kind === 'volume');
    for (const v of volumes) this.lowerVolume(v, root);
    const body = new Scope(root);
    this.lowerBody(p.body.filter((n) => n.kind !== 'volume'), body);
    root.tasks[key] = this.subDagTask(body, root, key, p.origin, {});
    for (const n of p.exit ?? []) {
      if (n.kind === 'call') {
        this.lowerCall(n, root, [key]);
        continue;
      }
      if (n.kind !== 'task') {
        this.refuse({ what: 'exit', detail: `${n.kind === 'branch' ? 'an `if`' : n.kind === 'loop' ? 'a `for`' : 'a volume or resource task'} inside \`finally\` (KFP v2 exit tasks are single tasks)`, span: n.kind === 'branch' ? n.arms[0]!.origin : n.origin });
        continue;
      }
      this.lowerTask(n, root, [key]);
    }
    // A volume made with `delete: true` is deleted by an exit task of its own (kfp-kubernetes' DeletePVC).
    for (const v of deleted) {
      const name = this.names.unique('deletepvc');
      if (this.scopeOf.get(v.id) !== root) {
        this.refuse({ what: 'node', detail: 'a volume with `delete: true` inside an `if` or `for` block (KFP v2 deletes it from an exit task, outside them)', span: v.origin });
        continue;
      }
      const producer = this.taskNames.get(v.id)!;
      root.tasks[name] = {
        cachingOptions: { enableCache: true },
        componentRef: this.executorRef(this.late, name, 'deletepvc'),
        dependentTasks: [producer, key].sort(),
        inputs: { parameters: { pvc_name: { taskOutputParameter: { outputParameterKey: 'name', producerTask: producer } } } },
        taskInfo: { name },
        triggerPolicy: { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' },
      };
    }
    return this.result(root);
  }

  /** The root component: the DAG, with the pipeline's declared outputs. */
  private result(root: Scope): LoweredPipeline {
    const dag: JsonObject = { tasks: root.tasks };
    const outputs = pipelineOutputs(this.pipeline, root.local, (v, type) => this.resolve(v, type, root, this.pipeline.nameOrigin), this.refuse);
    if (outputs) dag.outputs = outputs.dag;
    return { root: { dag, ...(outputs ? { outputDefinitions: outputs.definitions } : {}) }, scope: root, late: this.late };
  }

  /** A task's componentRef, its component named later (assemble.ts) in the order KFP's compiler adds them. */
  private executorRef(entries: Entry[], task: string, component: IrComponent | 'createpvc' | 'deletepvc', container?: JsonObject, kubernetes?: JsonObject): JsonObject {
    const ref: JsonObject = { name: '' };
    entries.push({ kind: 'task', task, component, ...(container ? { container } : {}), ...(kubernetes ? { kubernetes } : {}), ref });
    return ref;
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
      } else if (n.kind === 'volume') {
        this.taskNames.set(n.id, this.names.unique('createpvc'));
        this.volumes.set(n.id, n);
      } else if (n.kind === 'call') {
        // KFP names a pipeline's task after the pipeline's name (its display name here).
        const callee = this.callable.get(n.pipeline);
        this.taskNames.set(n.id, this.names.unique(taskName(callee?.displayName ?? n.pipeline)));
        this.callsById.set(n.id, n);
      }
    }
  }

  private lowerBody(nodes: readonly IrNode[], scope: Scope): void {
    for (const n of nodes) {
      if (n.kind === 'task') this.lowerTask(n, scope);
      else if (n.kind === 'branch') this.lowerBranch(n, scope);
      else if (n.kind === 'loop') this.lowerLoop(n, scope);
      else if (n.kind === 'volume') this.lowerVolume(n, scope);
      else if (n.kind === 'call') this.lowerCall(n, scope);
      else this.refuse({ what: 'node', detail: 'a `resource(...)` task (a Kubernetes object; KFP v2 has no ResourceOp)', span: n.origin });
    }
  }

  /** `volume(...)`, as kfp-kubernetes' CreatePVC: a `createpvc` task whose `name` output the mounts read. */
  private lowerVolume(v: IrVolume, scope: Scope): void {
    const name = this.taskNames.get(v.id)!;
    scope.local.add(v.id);
    this.scopeOf.set(v.id, scope);
    const parameters: JsonObject = {
      access_modes: { runtimeValue: { constant: [...v.modes] } },
      // The claim is named after the run, as the v1 target names it (`{{workflow.name}}-name`).
      pvc_name_suffix: { runtimeValue: { constant: `-${v.claimName ?? name}` } },
    };
    const deps = new Set<string>();
    if (typeof v.size === 'string' || typeof v.size === 'number') parameters.size = { runtimeValue: { constant: String(v.size) } };
    else {
      const r = this.resolve(v.size as IrValue, 'str', scope, v.origin);
      if (r) {
        parameters.size = r.spec;
        r.deps.forEach((d) => deps.add(d));
      }
    }
    if (v.storageClass !== undefined) parameters.storage_class_name = { runtimeValue: { constant: v.storageClass } };
    for (const a of v.after) this.after(a, scope, deps, v.origin);
    scope.tasks[name] = {
      cachingOptions: { enableCache: true },
      componentRef: this.executorRef(scope.entries, name, 'createpvc'),
      ...(deps.size ? { dependentTasks: [...deps].sort() } : {}),
      inputs: { parameters },
      taskInfo: { name },
    };
  }

  /** A mount as kfp-kubernetes' `mount_pvc` writes it: the claim's name as a parameter, and (deprecated) beside it. */
  private pvcMount(m: IrMount, scope: Scope, deps: Set<string>, span: IrSpan): JsonObject | undefined {
    if (m.readOnly) {
      this.refuse({ what: 'setting', detail: `a read-only mount at \`${m.path}\` (KFP v2's PvcMount has no read-only flag)`, span });
      return undefined;
    }
    if (m.claim !== undefined) return { constant: m.claim, mountPath: m.path, pvcNameParameter: { runtimeValue: { constant: m.claim } } };
    const r = this.resolve({ output: { task: m.volumeTask!, name: 'name' } }, 'str', scope, span);
    if (!r) return undefined;
    r.deps.forEach((d) => deps.add(d));
    const spec = r.spec;
    if ('taskOutputParameter' in spec) return { mountPath: m.path, pvcNameParameter: spec, taskOutputParameter: spec.taskOutputParameter };
    return { componentInputParameter: spec.componentInputParameter, mountPath: m.path, pvcNameParameter: spec };
  }

  private lowerTask(t: IrTask, scope: Scope, exitOf?: string[]): void {
    const name = this.taskNames.get(t.id)!;
    scope.local.add(t.id);
    this.scopeOf.set(t.id, scope);
    const c = this.components.get(t.component)!;
    const { cache, displayName } = t.settings;
    const deps = new Set<string>(exitOf ?? []);
    // Resources known at run time: task inputs `pipelinechannel--…` and `cpu_limit`… holding their placeholder, as KFP writes them.
    const runtimeInputs: JsonObject = {};
    const settings = v2TaskSettings(t.settings, (value, input) => {
      const r = this.resolve(value as IrValue, 'str', scope, t.origin);
      if (!r) return undefined;
      r.deps.forEach((d) => deps.add(d));
      let channel = r.spec.componentInputParameter as string | undefined;
      if (channel === undefined || !channel.startsWith('pipelinechannel--') || r.spec.parameterExpressionSelector !== undefined) {
        if ('param' in value) channel = `pipelinechannel--${value.param}`;
        else if ('output' in value) channel = `pipelinechannel--${this.taskNames.get(value.output.task)!}-${this.outputKey(value.output.task, value.output.name)}`;
        else channel = `${r.spec.componentInputParameter as string}${value.item.field !== undefined ? `-subvar-${value.item.field}` : ''}`;
      }
      const placeholder = `{{$.inputs.parameters['${channel}']}}`;
      runtimeInputs[channel] = r.spec;
      runtimeInputs[input] = { runtimeValue: { constant: placeholder } };
      return placeholder;
    });
    for (const key of settings.refused) this.refuse({ what: 'setting', detail: `the task setting ${key}`, span: t.origin });
    const mounts = (t.settings.mounts ?? []).map((m) => this.pvcMount(m, scope, deps, t.origin)).filter((m): m is JsonObject => m !== undefined);
    const kubernetes = mergeKubernetes(this.everyExecutor, settings.kubernetes, mounts.length ? { pvcMount: mounts } : undefined);
    const componentRef = this.executorRef(exitOf ? this.late : scope.entries, name, c, settings.container, kubernetes);
    const parameters: JsonObject = { ...runtimeInputs };
    const artifacts: JsonObject = {};
    for (const [input, value] of Object.entries(t.args)) {
      const port = c.inputs.find((i) => i.name === input);
      if (!port) continue;
      const r = this.resolve(value, port.type, scope, t.origin);
      if (!r) continue;
      r.deps.forEach((d) => deps.add(d));
      (r.artifact ? artifacts : parameters)[v2PortName(c, input)] = r.spec;
    }
    for (const a of t.after) this.after(a, scope, deps, t.origin);
    this.conditionChannels(scope, t.origin);
    const inputs: JsonObject = {};
    if (Object.keys(artifacts).length) inputs.artifacts = artifacts;
    if (Object.keys(parameters).length) inputs.parameters = parameters;
    scope.tasks[name] = {
      // Protobuf JSON leaves out a false bool: KFP writes a disabled cache as `{}`.
      cachingOptions: cache === false ? {} : { enableCache: true },
      componentRef,
      ...(deps.size ? { dependentTasks: [...deps].sort() } : {}),
      ...(Object.keys(inputs).length ? { inputs } : {}),
      ...settings.task,
      taskInfo: { name: displayName ?? name },
      ...(exitOf ? { triggerPolicy: { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' } } : {}),
    };
  }

  /**
   * A call of another pipeline, as KFP v2 lays out a pipeline used as a component: a task whose
   * component is the called pipeline's DAG, its parameters the task's inputs (a parameter left
   * out takes its default there), its outputs the DAG's. KFP copies the called pipeline into the
   * caller's spec, so a recursive call cannot be expressed.
   */
  private lowerCall(n: IrCall, scope: Scope, exitOf?: string[]): void {
    const name = this.taskNames.get(n.id)!;
    scope.local.add(n.id);
    this.scopeOf.set(n.id, scope);
    const callee = this.callable.get(n.pipeline);
    if (!callee) return;
    if (this.calling.includes(n.pipeline)) {
      this.refuse({ what: 'node', detail: `a recursive call of pipeline \`${n.pipeline}\` (KFP v2 copies a called pipeline into its caller's spec, so a pipeline cannot call itself, directly or through others)`, span: n.origin });
      return;
    }
    const deps = new Set<string>(exitOf ?? []);
    const parameters: JsonObject = {};
    const artifacts: JsonObject = {};
    for (const q of callee.params) {
      const value = n.args[q.name];
      if (value === undefined) continue;
      const r = this.resolve(value, q.type, scope, n.origin);
      if (!r) continue;
      r.deps.forEach((d) => deps.add(d));
      (r.artifact ? artifacts : parameters)[q.name] = r.spec;
    }
    for (const a of n.after) this.after(a, scope, deps, n.origin);
    this.conditionChannels(scope, n.origin);
    const ref: JsonObject = { name: '' };
    (exitOf ? this.late : scope.entries).push({ kind: 'call', task: name, pipeline: n.pipeline, ref, span: n.origin });
    const inputs: JsonObject = {};
    if (Object.keys(artifacts).length) inputs.artifacts = artifacts;
    if (Object.keys(parameters).length) inputs.parameters = parameters;
    scope.tasks[name] = {
      cachingOptions: { enableCache: true },
      componentRef: ref,
      ...(deps.size ? { dependentTasks: [...deps].sort() } : {}),
      ...(Object.keys(inputs).length ? { inputs } : {}),
      taskInfo: { name },
      ...(exitOf ? { triggerPolicy: { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' } } : {}),
    };
  }

  /**
   * KFP passes what an enclosing condition reads into every DAG between it and each task
   * inside it (its compiler counts a condition's channels among each inner task's): resolved
   * from the task's DAG, each makes the channels on the way up.
   */
  private conditionChannels(scope: Scope, span: IrSpan): void {
    for (let a: Scope | undefined = scope; a; a = a.parent) {
      for (const v of a.conditionValues) this.resolve(v, 'str', scope, span);
    }
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

  /** An output's key in the spec: its name, sanitised for an imported component (`v2PortName`). */
  private outputKey(task: IrNodeId, name: string): string {
    const t = this.tasksById.get(task);
    const c = t && this.components.get(t.component);
    return c ? v2PortName(c, name) : name;
  }

  private typeOf(value: IrValue, wanted: IrType): IrType {
    if ('param' in value) return this.pipeline.params.find((p) => p.name === value.param)?.type ?? wanted;
    if ('output' in value && this.volumes.has(value.output.task)) return 'str';
    if ('output' in value && this.callsById.has(value.output.task)) {
      const callee = this.callable.get(this.callsById.get(value.output.task)!.pipeline);
      return callee?.outputs?.find((o) => o.name === value.output.name)?.type ?? wanted;
    }
    if ('output' in value) {
      const t = this.tasksById.get(value.output.task);
      const c = t && this.components.get(t.component);
      return c?.outputs.find((o) => o.name === value.output.name)?.type ?? wanted;
    }
    return wanted;
  }

  /** Where a value comes from, seen from `scope`: a constant, an input of this DAG, or an output of one of its tasks. */
  private resolve(value: IrValue, wanted: IrType, scope: Scope, span: IrSpan): Resolved | undefined {
    if ('const' in value) {
      if (typeof value.const !== 'string' || !KFP_V2_RUN_VALUES.has(value.const)) return { spec: { runtimeValue: { constant: value.const } }, deps: [] };
      // `run.id` compiles to Argo's `{{workflow.uid}}`; KFP v2 spells it `{{$.pipeline_job_uuid}}`.
      const v2 = KFP_V2_RUN_VALUES.get(value.const);
      if (v2 === null || v2 === undefined) {
        this.refuse({ what: 'value', detail: `${runValueName(value.const)} (KFP v2 has no placeholder for it)`, span });
        return undefined;
      }
      return { spec: { runtimeValue: { constant: v2 } }, deps: [] };
    }
    if ('collect' in value) return this.collect(value.collect, scope, span);
    const type = this.typeOf(value, wanted);
    const ptype = parameterType(type);
    if ('param' in value) {
      if (!scope.parent) return ptype === undefined ? { spec: { componentInputArtifact: value.param }, deps: [], artifact: true } : { spec: { componentInputParameter: value.param }, deps: [] };
      return this.channel(scope, `pipelinechannel--${value.param}`, value, ptype, type);
    }
    if ('output' in value) {
      const producer = this.taskNames.get(value.output.task)!;
      const key = this.outputKey(value.output.task, value.output.name);
      if (scope.local.has(value.output.task)) {
        if (ptype === undefined) return { spec: { taskOutputArtifact: { outputArtifactKey: key, producerTask: producer } }, deps: [producer], artifact: true };
        return { spec: { taskOutputParameter: { outputParameterKey: key, producerTask: producer } }, deps: [producer] };
      }
      if (!this.inAncestor(value.output.task, scope)) {
        this.refuse({ what: 'value', detail: 'an output of a task inside an `if` or `for` block used outside it', span });
        return undefined;
      }
      return this.channel(scope, `pipelinechannel--${producer}-${key}`, value, ptype, type);
    }
    const loop = this.loops.get(value.item.loop)!;
    const field = value.item.field;
    if (scope.loop?.id === value.item.loop) {
      const spec: JsonObject = { componentInputParameter: loop.loop!.itemChannel };
      if (field !== undefined) spec.parameterExpressionSelector = `parseJson(string_value)[${JSON.stringify(field)}]`;
      return { spec, deps: [] };
    }
    // From a sub-DAG the whole item comes in, and the field is selected where it is used, as KFP does.
    const r = this.channel(scope, loop.loop!.itemChannel, { item: { loop: value.item.loop } }, loop.loop!.itemType, 'str');
    if (field !== undefined) r.spec.parameterExpressionSelector = `parseJson(string_value)[${JSON.stringify(field)}]`;
    return r;
  }

  /** A field of an enclosing loop's item as a condition's operand: its own input (`…-loop-item-subvar-a`), selected by the parent. */
  private subvar(value: { item: { loop: IrNodeId; field?: string } }, wanted: IrType, scope: Scope): Resolved {
    const loop = this.loops.get(value.item.loop)!;
    return this.channel(scope, `${loop.loop!.itemChannel}-subvar-${value.item.field!}`, value, parameterType(wanted) ?? 'STRING', wanted);
  }

  /**
   * Fan-in, as KFP v2's `dsl.Collected`: each DAG between the producer and the consumer (a
   * loop, or a condition inside one) declares a LIST output `pipelinechannel--<task>-<output>`
   * (the innermost from the task's output, the others from the DAG inside), and the consumer
   * reads it from the outermost one's task; a consumer in another sub-DAG gets it through an
   * input named after that task, `pipelinechannel--for-loop-2-pipelinechannel--<task>-<output>`.
   */
  private collect(c: { task: IrNodeId; name: string }, scope: Scope, span: IrSpan): Resolved | undefined {
    const producer = this.taskNames.get(c.task)!;
    const key = this.outputKey(c.task, c.name);
    const ch = `pipelinechannel--${producer}-${key}`;
    const ancestors = new Set<Scope>();
    for (let s: Scope | undefined = scope; s; s = s.parent) ancestors.add(s);
    let inner = this.scopeOf.get(c.task);
    let from: JsonObject = { outputParameterKey: key, producerSubtask: producer };
    let last: Scope | undefined;
    let crossedLoop = false;
    while (inner && !ancestors.has(inner)) {
      if (!inner.component || !inner.key) break;
      crossedLoop ||= inner.loop !== undefined;
      const dag = inner.component.dag as JsonObject;
      const outputs = ((dag.outputs as JsonObject | undefined) ?? (dag.outputs = {})) as JsonObject;
      ((outputs.parameters ??= {}) as JsonObject)[ch] = { valueFromParameter: from };
      const defs = (inner.component.outputDefinitions ??= {}) as JsonObject;
      ((defs.parameters ??= {}) as JsonObject)[ch] = { parameterType: 'LIST' };
      from = { outputParameterKey: ch, producerSubtask: inner.key };
      last = inner;
      inner = inner.parent;
    }
    if (!crossedLoop || !last || !inner || !ancestors.has(inner)) {
      this.refuse({ what: 'value', detail: 'fan-in of a task that is not inside a loop', span });
      return undefined;
    }
    if (inner === scope) return { spec: { taskOutputParameter: { outputParameterKey: ch, producerTask: last.key! } }, deps: [last.key!] };
    // The loop ends in an enclosing DAG: this one reads the list through an input.
    return this.channel(scope, `pipelinechannel--${last.key!}-${ch}`, { collect: c }, 'LIST', 'list');
  }

  /** An input of the sub-DAG `scope` that its parent passes in: a parameter, or (`type` absent) a file. */
  private channel(scope: Scope, name: string, value: IrValue, type: ParameterType | undefined, irType: IrType): Resolved {
    if (!scope.channels.has(name)) scope.channels.set(name, { value, type, irType });
    if (type === undefined) return { spec: { componentInputArtifact: name }, deps: [], artifact: true };
    return { spec: { componentInputParameter: name }, deps: [] };
  }

  /** The task in `parent` that runs the sub-DAG `child` (its inputs: the child's channels). */
  private subDagTask(child: Scope, parent: Scope, key: string, span: IrSpan, extra: JsonObject, extraInputs: JsonObject = {}, extraDefs: JsonObject = {}): JsonObject {
    const parameters: JsonObject = { ...extraInputs };
    const artifacts: JsonObject = {};
    const defs: JsonObject = { ...extraDefs };
    const artifactDefs: JsonObject = {};
    const deps = new Set<string>();
    for (const [name, ch] of [...child.channels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (ch.type === undefined) artifactDefs[name] = { artifactType: artifactType(ch.irType) };
      else defs[name] = { parameterType: ch.type };
      const r = this.resolve(ch.value, ch.type === undefined ? ch.irType : ch.type === 'NUMBER_INTEGER' ? 'int' : 'str', parent, span);
      if (!r) continue;
      (r.artifact ? artifacts : parameters)[name] = r.spec;
      r.deps.forEach((d) => deps.add(d));
    }
    for (const a of child.afterOutside) this.after(a, parent, deps, span);
    child.key = key;
    const inputDefinitions: JsonObject = {};
    if (Object.keys(artifactDefs).length) inputDefinitions.artifacts = artifactDefs;
    if (Object.keys(defs).length) inputDefinitions.parameters = defs;
    child.component = {
      dag: { tasks: child.tasks },
      ...(Object.keys(inputDefinitions).length ? { inputDefinitions } : {}),
    };
    const ref: JsonObject = { name: `comp-${key}` };
    parent.entries.push({ kind: 'group', scope: child, ref });
    const inputs: JsonObject = {};
    if (Object.keys(artifacts).length) inputs.artifacts = artifacts;
    if (Object.keys(parameters).length) inputs.parameters = parameters;
    return {
      componentRef: ref,
      ...(deps.size ? { dependentTasks: [...deps].sort() } : {}),
      ...(Object.keys(inputs).length ? { inputs } : {}),
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
      for (const c of [...arm.before, ...(arm.when ? [arm.when] : [])]) child.conditionValues.push(...operands(c));
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
    // `if run.name == "x"` would compare the text `{{workflow.name}}`: KFP v2 fills no placeholder in a condition.
    if ('const' in v && typeof v.const === 'string' && KFP_V2_RUN_VALUES.has(v.const)) this.refuse({ what: 'value', detail: `${runValueName(v.const)} in an \`if\` condition (KFP v2 fills run values in task arguments only)`, span });
    if ('const' in v) return typeof v.const === 'string' ? `'${v.const.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(v.const);
    const r = 'item' in v && v.item.field !== undefined && child.loop?.id !== v.item.loop ? this.subvar(v, type, child) : this.resolve(v, type, child, span);
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
      // A loop over (a field of) an enclosing loop's item, as KFP lays out `ParallelFor(item.p_a)`:
      // the list is the item channel with a parseJson selector (`…-loop-item-subvar-p_a`), and
      // the item channel itself is passed in beside it.
      const outer = this.loops.get(items.item.loop)!.loop!.itemChannel;
      const listChannel = items.item.field !== undefined ? `${outer}-subvar-${items.item.field}` : outer;
      itemChannel = `${listChannel}-loop-item`;
      const r = this.resolve(items, 'str', scope, l.origin);
      if (!r) return;
      const whole = this.resolve({ item: { loop: items.item.loop } }, 'str', scope, l.origin);
      if (whole && listChannel !== outer) {
        extraInputs[outer] = whole.spec;
        extraDefs[outer] = { parameterType: 'STRING' };
      }
      extraInputs[listChannel] = r.spec;
      extraDefs[listChannel] = { parameterType: 'STRING' };
      itemsSpec = { inputParameter: listChannel };
      itemType = this.itemTypeFromUse(l);
    } else {
      const base = 'param' in items ? items.param : `${this.taskNames.get(items.output.task)!}-${this.outputKey(items.output.task, items.output.name)}`;
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
    const tooMany = l.parallelism !== undefined ? int32Refusal(l.parallelism, 'IteratorPolicy.parallelism_limit', l.parallelismOrigin ?? l.origin) : undefined;
    if (tooMany) this.refuse(tooMany);
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
        } else if (n.kind === 'call') {
          const callee = this.callable.get(n.pipeline);
          for (const [param, v] of Object.entries(n.args)) {
            if ('item' in v && v.item.loop === l.id && v.item.field === undefined) {
              const t = parameterType(callee?.params.find((q) => q.name === param)?.type ?? 'str');
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
