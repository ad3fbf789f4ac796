/**
 * Lowers a checked IrPipeline to an Argo Workflow for Kubeflow Pipelines v1, following
 * kfp 1.8's compiler (../shared/reference/kfp-v1-lowering.md): one DAG template per
 * group (the pipeline, each condition, each loop, the exit handler), values crossing
 * group boundaries passed as DAG inputs and bubbled out as DAG outputs, output
 * parameters only where a value is consumed, artifacts always. Differences, listed in
 * the README: one template per component wherever the tasks' templates agree
 * (arguments travel as task arguments), pipeline parameters read as
 * `{{workflow.parameters.x}}` instead of being threaded through every DAG, no compile
 * timestamp, no `parallelism: 0`.
 */
import { keyedObject } from '../ir/ir.js';
import type { IrComponent, IrSpan, IrType, IrValue, Json } from '../ir/ir.js';
import type {
  ShapedCall, ShapedLoop as IrLoop, ShapedNode as IrNode, ShapedPipeline as IrPipeline, ShapedResource as IrResource, ShapedTask as IrTask, ShapedVolume as IrVolume,
} from './shape.js';
import { NameAllocator, sanitizeK8sName, taskName } from '../names.js';
import type { ArgoArtifact, ArgoDagTask, ArgoParameter, ArgoTemplate, ArgoWorkflow } from './argo-types.js';
import type { ComponentSpec } from '../kfp/component-spec.js';
import { componentRef, componentSpec } from './components.js';
import { whenExpression } from './conditions.js';
import { resolveCommandLine } from './placeholders.js';
import { kfpTypeName } from './python-component.js';
import { pyJsonDumps, serializeConst } from './serialize.js';
import { toYaml } from '../emit/yaml.js';
import { applyTaskSettings, volumeDeleteTemplate, volumeTemplate } from './task-settings.js';

export const SERVICE_ACCOUNT = 'pipeline-runner';
const KFP_PREFIX = 'pipelines.kubeflow.org/';

/**
 * Which Argo the workflow is for: `kfp` (Kubeflow Pipelines v1: kfp's annotations and labels,
 * the UI's `mlpipeline-*` artifacts, the `pipeline-runner` service account) or `argo` (plain
 * Argo Workflows: none of those; metrics are artifacts named like any other output).
 */
export type WorkflowFlavour = 'kfp' | 'argo';
const SPEC_ANNOTATION = 'pipelines.kubeflow.org/component_spec';
const REF_ANNOTATION = 'pipelines.kubeflow.org/component_ref';

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

interface LoweredComponent {
  readonly ir: IrComponent;
  readonly spec: ComponentSpec;
  /** The template name every task of this component shares when their templates agree. */
  readonly base: string;
  /** kfp's component_spec and component_ref annotations, made once per component, not per task. */
  readonly specAnnotation: string;
  readonly refAnnotation: string;
}

/**
 * The spec and the annotations are made at a component's first task: made for every component
 * up front, a file of 100,000 components (one of them called) spent a fifth of its `check` on
 * the annotations, and a tenth on the specs.
 */
class LazyComponent implements LoweredComponent {
  private built?: ComponentSpec;
  private spec_?: string;
  private ref_?: string;
  constructor(readonly ir: IrComponent, private readonly specOf: (c: IrComponent) => ComponentSpec, readonly base: string) {}
  get spec(): ComponentSpec {
    return (this.built ??= this.specOf(this.ir));
  }
  get specAnnotation(): string {
    return (this.spec_ ??= pyJsonDumps(this.spec));
  }
  get refAnnotation(): string {
    return (this.ref_ ??= pyJsonDumps(componentRef(this.ir)));
  }
}

type Kind = 'parameter' | 'artifact';

interface GroupInput {
  readonly kind: Kind;
  readonly value: IrValue;
}

/**
 * A loop with `parallelism N`. Argo applies a DAG template's `parallelism` to the child
 * nodes of that DAG, and the iterations of a `withItems`/`withParam` task are children of
 * the DAG that holds the task, not of the loop body. So the limit goes on a DAG template of
 * its own holding just the expanded loop task (kfp v1 put it on the body, where it limits
 * nothing: kubeflow/pipelines#6588). Values the loop task took from its parent's scope
 * come in as the limiter's inputs; what the loop exports goes out as its outputs.
 */
interface Limiter {
  readonly name: string;
  readonly parallelism: number;
  readonly loop: Group;
  readonly task: ArgoDagTask;
  readonly params: string[];
  readonly artifacts: string[];
}

/** One DAG template: the pipeline itself, a condition, a loop or the exit handler. */
interface Group {
  /** Its task name in the parent DAG (the IR node's name; for the pipeline and exit handler, their template's). */
  readonly id: string;
  /** Its DAG template's name: the id, unless a component's template already took it. */
  readonly name: string;
  readonly loop?: IrLoop;
  readonly parent?: Group;
  readonly children: readonly IrNode[];
  readonly inputs: Map<string, GroupInput>;
  /** Values of inner tasks this DAG hands to its caller: name → `{{tasks.…}}` inside it. */
  readonly outputs: Map<string, { kind: Kind; from: string; name?: string }>;
  readonly when?: string;
  template?: ArgoTemplate;
}

function paramRef(name: string): string {
  return `{{inputs.parameters.${name}}}`;
}

/** Name of a value where it crosses DAG boundaries: `<task>-<output>`, unique in the pipeline as kfp names them. */
function dagValueName(task: string, output: string): string {
  return `${task}-${sanitizeK8sName(output, true)}`;
}

function itemName(loop: string, field?: string): string {
  const base = `loop-item-param-${loop.replace(/^for-loop-/, '')}`;
  return field ? `${base}-subvar-${field}` : base;
}

/**
 * What every DAG of one workflow shares: its template names, its templates (a component's is
 * shared by every task that agrees on it, in the pipeline and in the pipelines it calls) and
 * the called pipelines' lowerings, one DAG template each however often they are called.
 */
interface Shared {
  readonly components: Map<string, LoweredComponent>;
  readonly templateNames: NameAllocator;
  readonly templates: ArgoTemplate[];
  readonly sharedTemplates: Map<string, ArgoTemplate>;
  readonly longStrings: Map<string, number>;
  /** The program's callable pipelines, by call name. */
  readonly callable: ReadonlyMap<string, IrPipeline>;
  /** The called pipelines lowered so far, by call name (registered before their body is built, so a recursive call finds its own). */
  readonly graphs: Map<string, WorkflowLowering>;
  /** The settings of the pipeline the workflow is built for: they hold for the pipelines it calls too. */
  readonly settings: IrPipeline['settings'];
}

export class WorkflowLowering {
  private readonly shared: Shared;
  private readonly components: Map<string, LoweredComponent>;
  private readonly templateNames: NameAllocator;
  private readonly templates: ArgoTemplate[];
  /** Lowering a called pipeline: a DAG template whose parameters are its inputs and whose outputs are its declared ones. */
  private readonly isGraph: boolean;
  /** Where each task or group sits: node name → the group whose DAG holds it. */
  private readonly parentOf = new Map<string, Group>();
  private readonly groups = new Map<string, Group>();
  private readonly nodes = new Map<string, IrTask | IrVolume | IrResource | ShapedCall>();
  /** Each container task's (shared) template. */
  private readonly taskTemplates = new Map<string, ArgoTemplate>();
  /** Container task shapes (`shapeKey`) → their template and argument steps; null: built for every task. */
  private readonly taskShapes = new Map<string, TaskShape | null>();
  /** `component\0output` → the output's name on the component's templates (templateOutputName). */
  private readonly outputNames = new Map<string, string>();
  /** `task\0output` pairs some task consumes as a value: they become output parameters. */
  private readonly valueConsumed = new Set<string>();
  /** Template names of the volume and resource tasks (Argo resource templates, one per task). */
  private readonly resourceTemplates = new Map<string, string>();
  private readonly sharedTemplates: Map<string, ArgoTemplate>;
  /** Numbers standing for long strings in the keys of `sharedTemplates` (see share). */
  private readonly longStrings: Map<string, number>;
  private readonly keyOf = (s: string): string | number => {
    if (s.length < 64) return s;
    let id = this.longStrings.get(s);
    if (id === undefined) this.longStrings.set(s, (id = this.longStrings.size));
    return id;
  };
  /** DAG templates that hold one expanded loop task and limit its iterations (`parallelism N`). */
  private readonly limiters: Limiter[] = [];
  private root: Group | undefined;
  /** Where each task came from (node name → its span in the source), for the comment above it in the YAML (src/lower/render.ts). */
  readonly taskOrigins = new Map<string, IrSpan>();
  /** The same for the DAG templates of called pipelines (their tasks' names are their own): template name → task name → span. */
  readonly graphTaskOrigins = new Map<string, ReadonlyMap<string, IrSpan>>();

  constructor(
    private readonly pipeline: IrPipeline,
    components: readonly IrComponent[],
    /** Each component's spec: made already (by name), or made when a task first needs it. */
    specs: ReadonlyMap<string, ComponentSpec> | ((c: IrComponent) => ComponentSpec),
    private readonly flavour: WorkflowFlavour = 'kfp',
    callable: ReadonlyMap<string, IrPipeline> = new Map(),
    caller?: WorkflowLowering,
  ) {
    this.isGraph = caller !== undefined;
    if (caller) this.shared = caller.shared;
    else {
      const lowered = new Map<string, LoweredComponent>();
      const bases = new NameAllocator();
      const specOf = typeof specs === 'function' ? specs : (c: IrComponent): ComponentSpec => specs.get(c.name) ?? componentSpec(c);
      // Every component's template name is reserved, called or not, so that names stay what they were.
      for (const c of components) lowered.set(c.name, new LazyComponent(c, specOf, bases.unique(taskName(c.name))));
      this.shared = {
        components: lowered, templateNames: new NameAllocator(), templates: [], sharedTemplates: new Map(), longStrings: new Map(), callable, graphs: new Map(), settings: pipeline.settings,
      };
    }
    ({ components: this.components, templateNames: this.templateNames, templates: this.templates, sharedTemplates: this.sharedTemplates, longStrings: this.longStrings } = this.shared);
  }

  /**
   * A called pipeline's DAG template (kfp v1's `graph-<name>` of a graph component): its
   * parameters come in as the template's inputs (a `file` one as an artifact), its outputs go
   * out as the template's. Built once; every call, a recursive one too, names the same template.
   */
  private buildGraph(): void {
    const p = this.pipeline;
    const root = this.index(p.body, `graph-${taskName(p.callName ?? p.name)}`);
    this.root = root;
    for (const x of p.params) root.inputs.set(x.name, { kind: x.type === 'file' ? 'artifact' : 'parameter', value: { param: x.name } });
    this.buildGroup(root);
  }

  /** The lowering of the called pipeline `name`, made (and its DAG built) on its first call. */
  private graph(name: string): WorkflowLowering {
    let g = this.shared.graphs.get(name);
    if (!g) {
      g = new WorkflowLowering(this.shared.callable.get(name)!, [], new Map(), this.flavour, this.shared.callable, this);
      this.shared.graphs.set(name, g);
      g.buildGraph();
    }
    return g;
  }

  /** The name of a called pipeline's output on its DAG template, exposed there as a parameter or an artifact. */
  private graphOutput(output: string, kind: Kind): string {
    const root = this.root!;
    const key = `${kind}\u0000${output}`;
    if (!root.outputs.has(key)) {
      const v = this.pipeline.outputs!.find((o) => o.name === output)!.value;
      const from = 'output' in v ? this.outputRef(v.output.task, v.output.name, kind, root, new Set(), false)
        : 'collect' in v ? this.outputRef(v.collect.task, v.collect.name, kind, root, new Set(), true)
        : '';
      root.outputs.set(key, { kind, from, name: output });
    }
    return output;
  }

  /** A call of another pipeline: a task of its DAG template, with an argument for each of its parameters. */
  private callTask(call: ShapedCall, scope: Group, deps: Set<string>): ArgoDagTask {
    const g = this.graph(call.pipeline);
    const params: ArgoParameter[] = [];
    const artifacts: ArgoArtifact[] = [];
    for (const x of g.pipeline.params) {
      const v = call.args[x.name] ?? x.default;
      if (v === undefined) continue;
      if (x.type === 'file') artifacts.push(this.artifactArg(x.name, v, 'file', scope, deps));
      else params.push({ name: x.name, value: this.valueText(v, x.type, scope, deps) });
    }
    const args = {
      ...(params.length ? { parameters: params.sort(byName) } : {}),
      ...(artifacts.length ? { artifacts: artifacts.sort(byName) } : {}),
    };
    return { name: call.name, template: g.root!.name, ...(Object.keys(args).length ? { arguments: args } : {}) };
  }

  /** Output parameters, then the templates of this DAG's groups and loop limiters. */
  private finish(): ArgoTemplate[] {
    this.addOutputParameters();
    return [...[...this.groups.values()].map((g) => this.groupTemplate(g)), ...this.limiters.map((l) => this.limiterTemplate(l))];
  }

  /** A pipeline parameter's value in `scope`: the workflow's parameter, or in a called pipeline the DAG's input, threaded in. */
  private paramText(name: string, scope: Group): string {
    if (!this.isGraph) return `{{workflow.parameters.${name}}}`;
    if (!scope.inputs.has(name)) scope.inputs.set(name, { kind: 'parameter', value: { param: name } });
    return paramRef(name);
  }

  lower(): ArgoWorkflow {
    const p = this.pipeline;
    // Names the workflow will use are reserved up front so that generated ones never collide.
    for (const c of this.components.values()) this.templateNames.reserve(c.base);
    const root = this.index(p.body, p.name);
    this.root = root;
    const deletions = p.body.filter((n): n is IrVolume => n.kind === 'volume' && n.deleteAtExit === true);
    const exit = p.exit || deletions.length > 0 ? this.index(p.exit ?? [], 'exit-handler') : undefined;
    this.buildGroup(root);
    if (exit) {
      this.buildGroup(exit);
      this.addVolumeDeletions(exit, deletions);
    }
    const own = this.finish();
    const graphTemplates = [...this.shared.graphs.values()].flatMap((g) => {
      const made = g.finish();
      for (const t of made) this.graphTaskOrigins.set(t.name, g.taskOrigins);
      return made;
    });
    const templates = [...this.templates, ...own, ...graphTemplates].sort(byName);
    const s = p.settings;
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        // kfp renames the workflow with its entrypoint when a component already took the pipeline's name.
        generateName: `${root.name}-`,
        annotations: this.flavour === 'kfp' ? { 'pipelines.kubeflow.org/pipeline_spec': this.pipelineSpecAnnotation() } : {},
      },
      spec: {
        entrypoint: root.name,
        templates,
        arguments: {
          parameters: p.params.map((x) => ({ name: x.name, ...(x.default ? { value: serializeConst(x.default, x.type) } : {}) })),
        },
        // Plain Argo has no `pipeline-runner`: the namespace's `default` account, unless the pipeline names one.
        serviceAccountName: s.serviceAccount ?? (this.flavour === 'kfp' ? SERVICE_ACCOUNT : 'default'),
        ...(s.parallelism ? { parallelism: s.parallelism } : {}),
        ...(s.ttlSeconds ? { ttlStrategy: { secondsAfterCompletion: s.ttlSeconds } } : {}),
        ...(s.imagePullSecrets ? { imagePullSecrets: s.imagePullSecrets.map((name) => ({ name })) } : {}),
        ...(s.podDisruptionBudget !== undefined ? { podDisruptionBudget: { minAvailable: s.podDisruptionBudget } } : {}),
        ...(s.timeoutSeconds ? { activeDeadlineSeconds: s.timeoutSeconds } : {}),
        ...(exit ? { onExit: exit.name } : {}),
        ...(s.nodeSelector ? { nodeSelector: s.nodeSelector } : {}),
      },
    };
  }

  /** Claims created with `delete: true` are deleted by the exit handler, after everything else there. */
  private addVolumeDeletions(exit: Group, volumes: readonly IrVolume[]): void {
    const tasks = exit.template!.dag!.tasks;
    const others = tasks.map((t) => t.name);
    for (const v of volumes) {
      const template = volumeDeleteTemplate(this.templateNames.unique(`delete-${v.name}`), v);
      this.templates.push(template);
      let name = `delete-${v.name}`;
      for (let i = 2; tasks.some((t) => t.name === name); i++) name = `delete-${v.name}-${i}`;
      tasks.push({ name, template: template.name, ...(others.length ? { dependencies: [...others].sort() } : {}) });
    }
    tasks.sort(byName);
  }

  /** Registers a block's groups and nodes, allocating DAG template names. */
  private index(body: readonly IrNode[], base: string, loop?: IrLoop, parent?: Group, when?: string): Group {
    const name = this.templateNames.unique(base);
    const group: Group = {
      id: parent ? base : name,
      name,
      ...(loop ? { loop } : {}),
      ...(parent ? { parent } : {}),
      ...(when ? { when } : {}),
      children: body,
      inputs: new Map(),
      outputs: new Map(),
    };
    this.groups.set(group.id, group);
    for (const n of body) {
      this.parentOf.set(n.name, group);
      if (n.kind === 'condition') this.index(n.body, n.name, undefined, group);
      else if (n.kind === 'loop') this.index(n.body, n.name, n, group);
      else {
        this.nodes.set(n.name, n);
        if (n.kind === 'volume' || n.kind === 'resource') this.resourceTemplates.set(n.name, this.templateNames.unique(n.name));
      }
    }
    return group;
  }

  /** Whether `scope` lies in the exit handler's DAG rather than the pipeline's. */
  private inExit(scope: Group): boolean {
    let g = scope;
    while (g.parent) g = g.parent;
    return g !== this.root;
  }

  /** The child of `scope` that is `name` or contains it; undefined when `name` lies outside `scope`. */
  private childIn(scope: Group, name: string): string | undefined {
    let g = this.parentOf.get(name);
    let child = name;
    while (g) {
      if (g === scope) return child;
      child = g.id;
      g = g.parent;
    }
    return undefined;
  }

  private groupNamed(name: string): Group | undefined {
    return this.groups.get(name);
  }

  /** The name of an output on the template that produces it. */
  private templateOutputName(task: string, output: string, kind: Kind = 'artifact'): string {
    const node = this.nodes.get(task)!;
    if (node.kind === 'volume' || node.kind === 'resource') return `${this.resourceTemplates.get(task)}-${output}`;
    if (node.kind === 'call') return this.graph(node.pipeline).graphOutput(output, kind);
    // The same for every task of a component: asked once or twice per task, it is worked out once.
    const key = `${node.component}\u0000${output}`;
    let name = this.outputNames.get(key);
    if (name === undefined) this.outputNames.set(key, (name = this.componentOutputName(node.component, output)));
    return name;
  }

  private componentOutputName(component: string, output: string): string {
    const c = this.components.get(component)!;
    const type = c.ir.outputs.find((o) => o.name === output)?.type;
    // The KFP UI looks for these two artifacts by their fixed names (kfp's _is_legacy_output_name).
    if (type === 'metrics' && this.flavour === 'kfp') return 'mlpipeline-metrics';
    if (type === 'ui_metadata' && this.flavour === 'kfp') return 'mlpipeline-ui-metadata';
    return `${c.base}-${sanitizeK8sName(output, true)}`;
  }

  /** `{{tasks.…}}` for a task's output as seen from `scope`, threading or bubbling it across DAGs as needed. */
  private outputRef(task: string, output: string, kind: Kind, scope: Group, deps: Set<string>, collect: boolean): string {
    const child = this.childIn(scope, task);
    if (child === undefined) {
      const name = dagValueName(task, output);
      const value: IrValue = collect ? { collect: { task, name: output } } : { output: { task, name: output } };
      scope.inputs.set(name, { kind, value });
      return kind === 'parameter' ? paramRef(name) : `{{inputs.artifacts.${name}}}`;
    }
    deps.add(child);
    return `{{tasks.${child}.outputs.${kind}s.${this.expose(child, task, output, kind)}}}`;
  }

  /** Makes `task`'s output visible on `node` (the task itself, or a group containing it); returns its name there. */
  private expose(node: string, task: string, output: string, kind: Kind): string {
    if (node === task) {
      if (kind === 'parameter') this.valueConsumed.add(`${task}\u0000${output}`);
      return this.templateOutputName(task, output, kind);
    }
    const group = this.groupNamed(node)!;
    const name = dagValueName(task, output);
    if (!group.outputs.has(name)) {
      const inner = this.childIn(group, task)!;
      const innerName = this.expose(inner, task, output, kind);
      group.outputs.set(name, { kind, from: `{{tasks.${inner}.outputs.${kind}s.${innerName}}}` });
    }
    return name;
  }

  private itemRef(loop: string, field: string | undefined, scope: Group): string {
    const name = itemName(loop, field);
    scope.inputs.set(name, { kind: 'parameter', value: { item: { loop, ...(field ? { field } : {}) } } });
    return paramRef(name);
  }

  /** The text a parameter argument carries in `scope`. */
  private valueText(v: IrValue, type: IrType, scope: Group, deps: Set<string>): string {
    if ('const' in v) return serializeConst(v, type);
    if ('param' in v) return this.paramText(v.param, scope);
    if ('item' in v) return this.itemRef(v.item.loop, v.item.field, scope);
    if ('output' in v) return this.outputRef(v.output.task, v.output.name, 'parameter', scope, deps, false);
    return this.outputRef(v.collect.task, v.collect.name, 'parameter', scope, deps, true);
  }

  /** A task's argument for a file input in `scope`. */
  private artifactArg(name: string, v: IrValue, type: IrType, scope: Group, deps: Set<string>): ArgoArtifact {
    if ('output' in v) return { name, from: this.outputRef(v.output.task, v.output.name, 'artifact', scope, deps, false) };
    if ('param' in v && this.isGraph && this.pipeline.params.find((x) => x.name === v.param)?.type === 'file') {
      // A called pipeline's `file` parameter arrives as an artifact, threaded into inner DAGs like a task's.
      if (!scope.inputs.has(v.param)) scope.inputs.set(v.param, { kind: 'artifact', value: v });
      return { name, from: `{{inputs.artifacts.${v.param}}}` };
    }
    // Anything else becomes a raw artifact holding the value's text, as kfp does for constants and loop items.
    return { name, raw: { data: this.valueText(v, type, scope, deps) } };
  }

  private buildGroup(group: Group): void {
    const tasks: ArgoDagTask[] = [];
    for (const node of group.children) {
      if ('origin' in node) this.taskOrigins.set(node.name, node.origin);
      const deps = new Set<string>();
      let task: ArgoDagTask;
      if (node.kind === 'task') task = this.containerTask(node, group, deps);
      else if (node.kind === 'volume') task = this.volumeTask(node, group, deps);
      else if (node.kind === 'resource') task = this.resourceTask(node, group, deps);
      else if (node.kind === 'call') task = this.callTask(node, group, deps);
      else task = this.groupTask(node, group, deps);
      for (const a of node.kind === 'condition' || node.kind === 'loop' ? this.groupAfter(node) : node.after) {
        const child = this.childIn(group, a);
        if (child !== undefined) deps.add(child);
      }
      deps.delete(node.name);
      if (deps.size > 0) task.dependencies = [...deps].sort();
      tasks.push(task);
    }
    group.template = { name: group.name, dag: { tasks: tasks.map(orderTaskKeys).sort(byName) } };
  }

  /** `after` of tasks inside a group, as seen from outside it. */
  private groupAfter(node: IrNode): string[] {
    if (node.kind !== 'condition' && node.kind !== 'loop') return node.after;
    return node.body.flatMap((n) => this.groupAfter(n));
  }

  /** `node`: the condition or loop, a child of `parent` (passed, not looked up: a search of the siblings made 10,000 loops quadratic). */
  private groupTask(node: IrNode, parent: Group, deps: Set<string>): ArgoDagTask {
    const name = node.name;
    const group = this.groupNamed(name)!;
    this.buildGroup(group);
    const params: ArgoParameter[] = [];
    const artifacts: ArgoArtifact[] = [];
    const loop = group.loop;
    const task: ArgoDagTask = { name, template: group.name };
    if (node.kind === 'condition') {
      task.when = whenExpression(node.when, (v) => this.valueText(v, 'str', parent, deps));
    }
    for (const [inputName, input] of [...group.inputs].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const v = input.value;
      if (loop && 'item' in v && v.item.loop === loop.name) {
        // The loop's own item: Argo substitutes each element (or one field of it) per iteration.
        params.push({ name: inputName, value: v.item.field ? `{{item.${v.item.field}}}` : '{{item}}' });
      } else if (input.kind === 'parameter') {
        params.push({ name: inputName, value: this.valueText(v, 'str', parent, deps) });
      } else {
        artifacts.push(this.artifactArg(inputName, v, 'str', parent, deps));
      }
    }
    if (params.length || artifacts.length) {
      task.arguments = { ...(params.length ? { parameters: params } : {}), ...(artifacts.length ? { artifacts } : {}) };
    }
    if (loop) {
      const items = loop.items;
      if ('const' in items) task.withItems = items.const as unknown[];
      else task.withParam = this.valueText(items, 'list', parent, deps);
      if (loop.parallelism) return this.limitIterations(task, group, loop.parallelism);
    }
    return task;
  }

  /** Moves an expanded loop task into a limiter template (see Limiter); returns the task that calls the limiter. */
  private limitIterations(loopTask: ArgoDagTask, group: Group, parallelism: number): ArgoDagTask {
    const name = this.templateNames.unique(`${group.name}-parallelism`);
    const inner: ArgoDagTask = { name: loopTask.name, template: loopTask.template };
    const outerParams: ArgoParameter[] = [];
    const innerParams: ArgoParameter[] = [];
    for (const p of loopTask.arguments?.parameters ?? []) {
      // The loop's own item is substituted by the expansion inside the limiter; everything else crosses in.
      if (/^\{\{item(\.[^}]*)?\}\}$/.test(p.value ?? '')) innerParams.push(p);
      else {
        outerParams.push(p);
        innerParams.push({ name: p.name, value: paramRef(p.name) });
      }
    }
    if (loopTask.withParam !== undefined) {
      const itemsName = `${loopTask.name}-items`;
      outerParams.push({ name: itemsName, value: loopTask.withParam });
      inner.withParam = paramRef(itemsName);
    }
    if (loopTask.withItems) inner.withItems = loopTask.withItems;
    const outerArtifacts = loopTask.arguments?.artifacts ?? [];
    const innerArtifacts = outerArtifacts.map((a) => ({ name: a.name, from: `{{inputs.artifacts.${a.name}}}` }));
    if (innerParams.length || innerArtifacts.length) {
      inner.arguments = { ...(innerParams.length ? { parameters: innerParams } : {}), ...(innerArtifacts.length ? { artifacts: innerArtifacts } : {}) };
    }
    this.limiters.push({ name, parallelism, loop: group, task: inner, params: outerParams.map((p) => p.name), artifacts: outerArtifacts.map((a) => a.name) });
    const outer: ArgoDagTask = { name: loopTask.name, template: name };
    if (outerParams.length || outerArtifacts.length) {
      outer.arguments = { ...(outerParams.length ? { parameters: outerParams } : {}), ...(outerArtifacts.length ? { artifacts: outerArtifacts } : {}) };
    }
    return outer;
  }

  /** Built last, when the loop's outputs (exposed on demand by its consumers) are all known. */
  private limiterTemplate(l: Limiter): ArgoTemplate {
    const outputs = [...l.loop.outputs].sort(([a], [b]) => (a < b ? -1 : 1));
    const from = (kind: Kind, name: string): string => `{{tasks.${l.task.name}.outputs.${kind}s.${name}}}`;
    const outParams = outputs.filter(([, o]) => o.kind === 'parameter').map(([name]) => ({ name, valueFrom: { parameter: from('parameter', name) } }));
    const outArtifacts = outputs.filter(([, o]) => o.kind === 'artifact').map(([name]) => ({ name, from: from('artifact', name) }));
    const inParams = [...l.params].sort().map((name) => ({ name }));
    const inArtifacts = [...l.artifacts].sort().map((name) => ({ name }));
    return {
      name: l.name,
      parallelism: l.parallelism,
      ...(inParams.length || inArtifacts.length
        ? { inputs: { ...(inParams.length ? { parameters: inParams } : {}), ...(inArtifacts.length ? { artifacts: inArtifacts } : {}) } }
        : {}),
      ...(outParams.length || outArtifacts.length
        ? { outputs: { ...(outParams.length ? { parameters: outParams } : {}), ...(outArtifacts.length ? { artifacts: outArtifacts } : {}) } }
        : {}),
      dag: { tasks: [orderTaskKeys(l.task)] },
    };
  }

  private groupTemplate(g: Group): ArgoTemplate {
    const t = g.template!;
    const inputs = [...g.inputs].sort(([a], [b]) => (a < b ? -1 : 1));
    const inParams = inputs.filter(([, i]) => i.kind === 'parameter').map(([name]) => ({ name }));
    const inArtifacts = inputs.filter(([, i]) => i.kind === 'artifact').map(([name]) => ({ name }));
    const outputs = [...g.outputs].sort(([a], [b]) => (a < b ? -1 : 1));
    const outParams = outputs.filter(([, o]) => o.kind === 'parameter').map(([name, o]) => ({ name: o.name ?? name, valueFrom: { parameter: o.from } }));
    const outArtifacts = outputs.filter(([, o]) => o.kind === 'artifact').map(([name, o]) => ({ name: o.name ?? name, from: o.from }));
    return {
      name: t.name,
      ...(t.parallelism ? { parallelism: t.parallelism } : {}),
      ...(inParams.length || inArtifacts.length
        ? { inputs: { ...(inParams.length ? { parameters: inParams } : {}), ...(inArtifacts.length ? { artifacts: inArtifacts } : {}) } }
        : {}),
      ...(outParams.length || outArtifacts.length
        ? { outputs: { ...(outParams.length ? { parameters: outParams } : {}), ...(outArtifacts.length ? { artifacts: outArtifacts } : {}) } }
        : {}),
      dag: t.dag!,
    };
  }

  /** The pipeline's interface as the KFP UI reads it to build the run form (kfp's pipeline_spec annotation). */
  private pipelineSpecAnnotation(): string {
    const p = this.pipeline;
    // kfp leaves `inputs` out when the pipeline has no parameters.
    return pyJsonDumps({
      ...(p.description ? { description: p.description } : {}),
      ...(p.params.length === 0 ? {} : {
      inputs: p.params.map((x) => ({
        name: x.name,
        type: kfpTypeName(x.type),
        ...(x.default ? { default: serializeConst(x.default, x.type) } : {}),
        ...(x.default ? { optional: true } : {}),
      })),
      }),
      name: p.displayName,
    });
  }

  private volumeTask(v: IrVolume, scope: Group, deps: Set<string>): ArgoDagTask {
    const name = this.resourceTemplates.get(v.name)!;
    const sizeFromParam = typeof v.size === 'object';
    this.templates.push(volumeTemplate(name, v, sizeFromParam ? paramRef('size') : String(v.size)));
    const task: ArgoDagTask = { name: v.name, template: name };
    if (typeof v.size === 'object') task.arguments = { parameters: [{ name: 'size', value: this.valueText(v.size, 'str', scope, deps) }] };
    return task;
  }

  /** kfp's ResourceOp: values known at run time reach the manifest as template inputs. */
  private resourceTask(r: IrResource, scope: Group, deps: Set<string>): ArgoDagTask {
    const name = this.resourceTemplates.get(r.name)!;
    const inputNames = r.refs.map((v, i) =>
      'param' in v ? v.param : 'output' in v ? dagValueName(v.output.task, v.output.name) : 'item' in v ? itemName(v.item.loop, v.item.field) : `value-${i}`,
    );
    const unique = inputNames.map((n, i) => (inputNames.indexOf(n) === i ? n : `${n}-${i}`));
    const substitute = (j: Json): Json => {
      if (Array.isArray(j)) return j.map(substitute);
      if (j !== null && typeof j === 'object') {
        const ref = j['kfpdsl.ref'];
        if (typeof ref === 'number' && Object.keys(j).length === 1) return paramRef(unique[ref]!);
        return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, substitute(v)]));
      }
      return j;
    };
    const deleting = r.action === 'delete';
    const outputs = deleting ? [] : [
      { name: `${name}-manifest`, valueFrom: { jsonPath: '{}' } },
      { name: `${name}-name`, valueFrom: { jsonPath: '{.metadata.name}' } },
      ...Object.entries(r.outputs).map(([k, path]) => ({ name: `${name}-${k}`, valueFrom: { jsonPath: path } })),
    ].sort(byName);
    const inputs = [...new Set(unique)].sort().map((n) => ({ name: n }));
    this.templates.push({
      name,
      resource: {
        action: r.action,
        manifest: toYaml(substitute(r.manifest)),
        ...(r.successCondition && !deleting ? { successCondition: r.successCondition } : {}),
        ...(r.failureCondition && !deleting ? { failureCondition: r.failureCondition } : {}),
        // As kfp: a deletion does not wait for the object to go.
        ...(deleting ? { flags: ['--wait=false'] } : {}),
      },
      ...(inputs.length ? { inputs: { parameters: inputs } } : {}),
      ...(outputs.length ? { outputs: { parameters: outputs } } : {}),
    });
    const args = r.refs.map((v, i) => ({ name: unique[i]!, value: this.valueText(v, 'str', scope, deps) }));
    const seen = new Set<string>();
    const parameters = args.filter((a) => !seen.has(a.name) && seen.add(a.name)).sort(byName);
    return { name: r.name, template: name, ...(parameters.length ? { arguments: { parameters } } : {}) };
  }

  /**
   * A container task's DAG task. Its template depends only on its shape (see `shapeKey`): the
   * first task of a shape builds it (placeholders resolved, settings applied, the sharing key
   * stringified) and records which inputs became arguments, in order; every later task of that
   * shape takes the same shared template and only computes its own arguments. A chain of
   * thousands of tasks of one component builds one template instead of one per task.
   */
  private containerTask(task: IrTask, scope: Group, deps: Set<string>): ArgoDagTask {
    const comp = this.components.get(task.component)!;
    if (!lowerWork.reuseShapes) return this.buildContainerTask(task, comp, scope, deps).dagTask;
    const key = shapeKey(task, comp.ir);
    const known = this.taskShapes.get(key);
    if (known) return this.replayShape(task, comp, known, scope, deps);
    const { dagTask, shape } = this.buildContainerTask(task, comp, scope, deps);
    // A shape whose template holds task-specific values (a constant file input, a setting from a
    // value) is built for every task: `null` says so without trying again.
    if (known === undefined) this.taskShapes.set(key, shape ?? null);
    return dagTask;
  }

  /** A task of an already built shape: the shared template, and its arguments as the first task of the shape made them. */
  private replayShape(task: IrTask, comp: LoweredComponent, shape: TaskShape, scope: Group, deps: Set<string>): ArgoDagTask {
    const args: ArgoParameter[] = [];
    const artifacts: ArgoArtifact[] = [];
    for (const step of shape.steps) {
      const input = comp.ir.inputs[step.input]!;
      const v = task.args[input.name] ?? input.default!;
      if (step.file) artifacts.push(this.artifactArg(step.name, v, input.type, scope, deps));
      else args.push({ name: step.name, value: this.valueText(v, input.type, scope, deps) });
    }
    this.taskTemplates.set(task.name, shape.template);
    return dagTask(task.name, shape.template.name, args, artifacts);
  }

  private buildContainerTask(task: IrTask, comp: LoweredComponent, scope: Group, deps: Set<string>): { dagTask: ArgoDagTask; shape?: TaskShape } {
    lowerWork.templatesBuilt++;
    const inputIndex = (name: string) => comp.ir.inputs.findIndex((i) => i.name === name);
    const inputOf = (name: string) => comp.ir.inputs.find((i) => i.name === name);
    const inputType = (name: string): IrType => inputOf(name)?.type ?? 'str';
    const args: ArgoParameter[] = [];
    const artifacts: ArgoArtifact[] = [];
    const inParams: ArgoParameter[] = [];
    const inArtifacts: ArgoArtifact[] = [];
    const outArtifacts: ArgoArtifact[] = [];
    const argumentsAnnotation = keyedObject<string>();
    /** What `replayShape` repeats for the next tasks of this shape; `replayable` false when the template holds this task's values. */
    const steps: { input: number; name: string; file: boolean }[] = [];
    let replayable = true;

    const hooks = {
      isPresent: (input: string) => task.args[input] !== undefined || inputOf(input)?.default !== undefined,
      inputValue: (input: string) => {
        const name = sanitizeK8sName(input, true);
        if (!inParams.some((p) => p.name === name)) {
          inParams.push({ name });
          const v = task.args[input] ?? inputOf(input)!.default!;
          // kfp passes an optional input's default explicitly when no argument is given.
          args.push({ name, value: this.valueText(v, inputType(input), scope, deps) });
          steps.push({ input: inputIndex(input), name, file: false });
          argumentsAnnotation[input] = paramRef(name);
        }
        return paramRef(name);
      },
      inputPath: (input: string, path: string) => {
        const name = sanitizeK8sName(input, true);
        if (inArtifacts.some((a) => a.name === name)) return;
        const v = task.args[input] ?? inputOf(input)!.default!;
        if ('const' in v) {
          // A constant file input is a raw artifact baked into the template, as kfp does.
          inArtifacts.push({ name, path, raw: { data: serializeConst(v, inputType(input)) } });
          replayable = false;
          return;
        }
        inArtifacts.push({ name, path });
        artifacts.push(this.artifactArg(name, v, inputType(input), scope, deps));
        steps.push({ input: inputIndex(input), name, file: true });
      },
      outputPath: (output: string, path: string) => {
        const name = this.templateOutputName(task.name, output);
        if (!outArtifacts.some((a) => a.name === name)) outArtifacts.push({ name, path });
      },
    };
    const container = comp.spec.implementation.container;
    const command = resolveCommandLine(container.command, hooks);
    const cliArgs = resolveCommandLine(container.args, hooks);
    // kfp puts the UI artifacts first, then the rest sorted by name.
    const ui = outArtifacts.filter((a) => a.name.startsWith('mlpipeline-'));
    const rest = outArtifacts.filter((a) => !a.name.startsWith('mlpipeline-')).sort(byName);
    const template: ArgoTemplate = {
      name: comp.base,
      container: {
        args: cliArgs,
        command,
        ...(container.env ? { env: Object.entries(container.env).map(([name, value]) => ({ name, value })) } : {}),
        image: container.image,
      },
      inputs: { parameters: inParams, artifacts: inArtifacts },
      ...(outArtifacts.length ? { outputs: { artifacts: [...ui, ...rest] } } : {}),
      metadata: {
        annotations: {
          [SPEC_ANNOTATION]: comp.specAnnotation,
          [REF_ANNOTATION]: comp.refAnnotation,
          'pipelines.kubeflow.org/arguments.parameters': pyJsonDumps(argumentsAnnotation),
        },
        labels: {
          'pipelines.kubeflow.org/pipeline-sdk-type': 'kfp',
          'pipelines.kubeflow.org/enable_caching': 'true',
        },
      },
    };
    const settingArgs = applyTaskSettings(
      template,
      task.settings,
      this.shared.settings,
      (v) => {
        // A setting from a value is an argument of this task alone.
        replayable = false;
        return this.valueText(v, 'str', scope, deps);
      },
      (vol) => {
        replayable = false;
        // The exit handler cannot reference the pipeline's tasks, but the claim's name is known: kfp names it after the run.
        return this.inExit(scope) ? `{{workflow.name}}-${(this.nodes.get(vol) as IrVolume).resourceName}` : this.outputRef(vol, 'name', 'parameter', scope, deps, false);
      },
    );
    args.push(...settingArgs);
    if (this.flavour === 'argo') dropKfpMetadata(template, task.settings.annotations ?? {}, task.settings.labels ?? {});
    const io = template.inputs!;
    if (io.parameters!.length === 0) delete io.parameters;
    else io.parameters!.sort(byName);
    if (io.artifacts!.length === 0) delete io.artifacts;
    else io.artifacts!.sort(byName);
    if (!io.parameters && !io.artifacts) delete template.inputs;
    const shared = this.share(template, comp.base);
    this.taskTemplates.set(task.name, shared);
    return { dagTask: dagTask(task.name, shared.name, args, artifacts), ...(replayable ? { shape: { template: shared, steps } } : {}) };
  }

  /**
   * Tasks whose templates come out identical share one template, named after the
   * component; a task whose template differs (a constant file input, other settings)
   * gets its own, `<component>-2` and so on, as kfp names them.
   */
  private share(template: ArgoTemplate, base: string): ArgoTemplate {
    // The spec and ref annotations are the component's own (its name is in the key): leaving
    // them out keeps the key small, which matters for pipelines of thousands of tasks.
    // A shallow copy without them, rather than a replacer function, which JSON.stringify calls for every value (the hot spot of lowering large pipelines).
    // Long command-line strings (a Python program is kilobytes) stand in the key as a number
    // each: stringifying them again for every task was most of the cost of lowering a chain of
    // thousands. A number cannot be mistaken for a string item in the key's JSON.
    // The key is built with for…in loops, not object spreads, which cost ten times as much per
    // task until V8 optimises them (most of a build runs before it does).
    const key = JSON.stringify(keyParts(template, (k, v) => {
      if (k === 'container' && v) return keyParts(v as object, (ck, cv) => (ck === 'command' || ck === 'args' ? (cv as string[] | undefined)?.map(this.keyOf) : cv));
      if (k === 'metadata' && v) return keyParts(v as object, (mk, mv) => (mk === 'annotations' && mv ? keyParts(mv as object, (ak, av) => (ak === SPEC_ANNOTATION || ak === REF_ANNOTATION ? undefined : av)) : mv));
      return v;
    }));
    let shared = this.sharedTemplates.get(key);
    if (!shared) {
      const name = this.templates.some((t) => t.name === base) ? this.templateNames.unique(base) : base;
      shared = { ...template, name };
      this.sharedTemplates.set(key, shared);
      this.templates.push(shared);
    }
    return shared;
  }

  /** An output becomes an Argo output parameter only where some task consumes it as a value (kfp's data-passing rewriter). */
  private addOutputParameters(): void {
    const consumed = new Map<ArgoTemplate, Map<string, string>>();
    for (const key of this.valueConsumed) {
      const [task, output] = key.split('\u0000') as [string, string];
      const node = this.nodes.get(task)!;
      if (node.kind !== 'task') continue; // resource templates declare all their outputs
      const template = this.taskTemplates.get(task)!;
      const name = this.templateOutputName(task, output);
      const path = template.outputs?.artifacts?.find((a) => a.name === name)?.path;
      if (!path) continue;
      const map = consumed.get(template) ?? new Map<string, string>();
      map.set(name, path);
      consumed.set(template, map);
    }
    for (const [t, map] of consumed) {
      // A template shared with a called pipeline's tasks may already have the parameters they consume.
      for (const p of t.outputs?.parameters ?? []) if (!map.has(p.name) && p.valueFrom?.path) map.set(p.name, p.valueFrom.path);
      const parameters = [...map].map(([name, path]) => ({ name, valueFrom: { path } })).sort(byName);
      // Output parameters come before artifacts, as kfp writes them.
      t.outputs = { parameters, ...(t.outputs?.artifacts ? { artifacts: t.outputs.artifacts } : {}) };
    }
  }
}

/**
 * What lowering a pipeline did, counted (test/lower-work.test.ts): container templates built
 * (placeholders resolved, settings applied, a sharing key stringified) grow with the number of
 * task shapes, not of tasks. `reuseShapes: false` builds every task's template, as before task
 * shapes were reused: the test compares both outputs byte for byte.
 */
export const lowerWork = { templatesBuilt: 0, reuseShapes: true };

/** A shape of container task: its shared template, and the inputs that become its DAG task's arguments, in order. */
interface TaskShape {
  readonly template: ArgoTemplate;
  /** `input`: the index in the component's inputs; `name`: the argument's name; `file`: an artifact argument. */
  readonly steps: readonly { input: number; name: string; file: boolean }[];
}

/**
 * What a container task's template is made from, besides the pipeline's own settings: its
 * component, for each input whether the task gives it a constant, another value, only the
 * default, or nothing (that decides the placeholders and which constant file inputs are baked
 * in), and its settings as JSON. Tasks with equal keys have equal templates.
 */
function shapeKey(task: IrTask, comp: IrComponent): string {
  let key = task.component + '\u0000';
  for (const input of comp.inputs) {
    const v = task.args[input.name];
    key += v === undefined ? (input.default === undefined ? '-' : 'd') : 'const' in v ? 'c' : 'v';
  }
  return key + '\u0000' + JSON.stringify(task.settings);
}

/** A DAG task calling `template`, its arguments sorted by name (assignments, not spreads: see orderTaskKeys). */
function dagTask(name: string, template: string, args: ArgoParameter[], artifacts: ArgoArtifact[]): ArgoDagTask {
  if (!args.length && !artifacts.length) return { name, template };
  const dagArgs: NonNullable<ArgoDagTask['arguments']> = {};
  if (args.length) dagArgs.parameters = args.sort(byName);
  if (artifacts.length) dagArgs.artifacts = artifacts.sort(byName);
  return { name, template, arguments: dagArgs };
}

/**
 * `o` as a flat list of its keys and values (values mapped by `f`; a key whose value maps to
 * undefined is left out, as JSON.stringify leaves it out of an object): the template-sharing key.
 */
function keyParts(o: object, f: (key: string, value: unknown) => unknown): unknown[] {
  const out: unknown[] = [];
  for (const k in o) {
    const v = f(k, (o as Record<string, unknown>)[k]);
    if (v !== undefined) out.push(k, v);
  }
  return out;
}

/** Plain Argo: kfp's own annotations and labels go; the ones the pipeline sets itself stay. */
function dropKfpMetadata(t: ArgoTemplate, userAnnotations: { [k: string]: string }, userLabels: { [k: string]: string }): void {
  const md = t.metadata;
  if (!md) return;
  const keep = (m: { [k: string]: string } | undefined, user: { [k: string]: string }) => {
    if (!m) return undefined;
    const kept = Object.entries(m).filter(([k]) => !k.startsWith(KFP_PREFIX) || k in user);
    return kept.length > 0 ? Object.fromEntries(kept) : undefined;
  };
  const annotations = keep(md.annotations, userAnnotations);
  const labels = keep(md.labels, userLabels);
  // The container template writes both maps whenever there is metadata.
  if (annotations || labels) t.metadata = { annotations: annotations ?? {}, labels: labels ?? {} };
  else delete t.metadata;
}

/**
 * kfp's key order inside a DAG task: name, template, when, dependencies, arguments, withItems/withParam.
 * Assignments rather than conditional spreads, which cost microseconds per task until V8
 * optimises them (most of a build runs before it does), and this runs for every task.
 */
function orderTaskKeys(t: ArgoDagTask): ArgoDagTask {
  const out: ArgoDagTask = { name: t.name, template: t.template };
  if (t.when !== undefined) out.when = t.when;
  if (t.dependencies) out.dependencies = t.dependencies;
  if (t.arguments) out.arguments = t.arguments;
  if (t.withItems) out.withItems = t.withItems;
  if (t.withParam !== undefined) out.withParam = t.withParam;
  return out;
}
