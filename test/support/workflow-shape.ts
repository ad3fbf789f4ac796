/**
 * Reduces an Argo Workflow (as kfp v1 or kfpdsl writes it) to a shape that does not depend on
 * names, so that two workflows can be compared construct by construct:
 *
 * - the tree of groups: the pipeline, conditions (`when`), loops (`withItems` literal or
 *   `withParam` source), exit handlers (`spec.onExit`) and plain sub-DAGs;
 * - under each group its container and resource tasks, identified by their component (the
 *   `pipelines.kubeflow.org/component_spec` annotation's `name`, or `image + command` for raw
 *   ContainerOps), each with its dependencies, its effective argv, its artifacts and its settings;
 * - every value (`when` operands, argv, env, artifact sources, loop sources, manifests) resolved
 *   through the DAG arguments to its ultimate source: a pipeline parameter (`param:x`), a task
 *   output (`out:<task>.<output>`), a loop item (`item[<loop source>]`, `.field`) or a constant.
 *
 * So kfp's one-template-per-task with baked constants and threaded `{{inputs.parameters.x}}`
 * compare equal to kfpdsl's shared templates with constants as task arguments and
 * `{{workflow.parameters.x}}`. Tasks are named by their component; where several tasks of one
 * component differ, by `<component>#<n>`, numbered in the order of a name-free signature (argv,
 * inputs, enclosing groups, dependencies), refined until stable.
 */
import YAML from 'yaml';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : []);

export interface ShapeOptions {
  /**
   * How container tasks are identified. `component` (default): the component_spec `name`, else
   * the container. `container`: always `<image> <command>` (placeholders as `*`), to compare raw
   * ContainerOps with container components.
   */
  readonly identity?: 'component' | 'container';
}

export interface TaskShape {
  /** The component, made unique with `#n` where tasks of one component differ. */
  label: string;
  component: string;
  type: 'container' | 'resource';
  /** Labels of the sibling tasks and groups this task waits for. */
  dependencies: string[];
  /** command + args, placeholders replaced by their sources (constants inline), output paths by `<out:name>`, a kfp Python program by `<program>`. */
  argv?: string[];
  /** The Python program of a lightweight component. */
  program?: string;
  /** `<container path> <- <source>`. */
  inputArtifacts?: string[];
  /** `<output name> = <path>` (or `jsonPath`). */
  outputParameters?: string[];
  outputArtifacts?: string[];
  settings: Obj;
}

export interface GroupShape {
  kind: 'pipeline' | 'condition' | 'loop' | 'exit-handler' | 'dag';
  /** A condition's `when`, placeholders replaced by `<source>` (constants inline). */
  when?: string;
  /** A loop's items: `withItems` (placeholders resolved) or the source of `withParam`. */
  withItems?: unknown[];
  withParam?: string;
  parallelism?: number;
  dependencies?: string[];
  tasks: TaskShape[];
  groups: GroupShape[];
  /** For an exit handler: what runs on exit. */
  onExit?: GroupShape;
}

export interface WorkflowShape {
  /** metadata.generateName / name. */
  name?: string;
  /** The parsed `pipelines.kubeflow.org/pipeline_spec` annotation. */
  pipelineSpec?: unknown;
  /** spec.arguments: parameter name -> default (null: none); artifacts name -> source. */
  parameters: Record<string, string | null>;
  artifacts?: Record<string, string>;
  /** Every other spec field (serviceAccountName, parallelism, activeDeadlineSeconds, ttlStrategy, imagePullSecrets, …). */
  spec: Obj;
  root: GroupShape;
}

// ---------------------------------------------------------------------------------------------
// Sources

type Src =
  | { k: 'param'; name: string }
  | { k: 'out'; task: TaskNode; name: string }
  | { k: 'item'; loop: TaskNode; field?: string }
  | { k: 'const'; value: string }
  | { k: 'mixed'; parts: (string | Src)[] }
  | { k: 'global'; expr: string }
  | { k: 'collect'; loop: TaskNode; inner: Src }
  | { k: 'unresolved'; text: string };

/** One DAG template invocation: its inputs and its tasks. */
interface DagCtx {
  template: Obj;
  params: Map<string, Src>;
  artifacts: Map<string, Src>;
  tasks: Map<string, TaskNode>;
}

interface TaskNode {
  name: string;
  task: Obj;
  template: Obj;
  type: 'container' | 'resource' | 'dag' | 'other';
  /** The DAG the task is in. */
  parent: DagCtx;
  /** Enclosing group tasks, outermost first. */
  ancestors: TaskNode[];
  params: Map<string, Src>;
  artifacts: Map<string, Src>;
  child?: DagCtx;
  identity?: string;
}

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;
const OUTPUT_PATH = /^\/tmp\/outputs\/([^/]+)\/data$/;
const KFP_PREFIX = 'pipelines.kubeflow.org/';

function parseSrc(text: string, resolve: (ref: string) => Src): Src {
  const parts: (string | Src)[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(resolve(m[1]!));
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (parts.length === 0) return { k: 'const', value: '' };
  if (parts.length === 1 && typeof parts[0] !== 'string') return parts[0]!;
  if (parts.every((p) => typeof p === 'string')) return { k: 'const', value: text };
  return { k: 'mixed', parts };
}

/** The component a container template implements. */
export function componentIdentity(template: unknown, options: ShapeOptions = {}): string {
  const t = obj(template);
  if (isObj(t['resource'])) {
    const r = t['resource'];
    let kind = '?';
    try {
      kind = String(obj(YAML.parse(str(r['manifest']) ?? '') as unknown)['kind'] ?? '?');
    } catch {
      /* keep '?' */
    }
    return `resource ${str(r['action']) ?? 'create'} ${kind}`;
  }
  if (options.identity !== 'container') {
    const ann = obj(obj(t['metadata'])['annotations'])[`${KFP_PREFIX}component_spec`];
    if (typeof ann === 'string') {
      const name = obj(JSON.parse(ann) as unknown)['name'];
      if (typeof name === 'string') return name;
    }
  }
  const c = obj(t['container']);
  const command = strings(c['command']).map((s) => (s.includes('\n') ? `${s.split('\n')[0]}…` : s.replace(PLACEHOLDER, '*')));
  return [str(c['image']) ?? '?', ...command].join(' ');
}

/** An output's name: from kfp's `/tmp/outputs/<name>/data`, else the parameter/artifact name minus `<template>-`. */
export function outputName(template: Obj, name: string, path: string | undefined): string {
  const m = path ? OUTPUT_PATH.exec(path) : null;
  if (m) return m[1]!;
  const prefix = `${String(template['name'])}-`;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

class Normaliser {
  readonly templates: Map<string, Obj>;
  readonly nodes: TaskNode[] = [];
  labels = new Map<TaskNode, string>();

  constructor(
    readonly wf: Obj,
    readonly options: ShapeOptions,
  ) {
    this.templates = new Map(objs(obj(wf['spec'])['templates']).map((t) => [String(t['name']), t]));
  }

  get spec(): Obj {
    return obj(this.wf['spec']);
  }

  // --- building the tree of DAG invocations ----------------------------------------------------

  dag(template: Obj, params: Map<string, Src>, artifacts: Map<string, Src>, ancestors: TaskNode[]): DagCtx {
    const ctx: DagCtx = { template, params, artifacts, tasks: new Map() };
    const tasks = topological(objs(obj(template['dag'])['tasks']));
    const nodes = tasks.map((task) => {
      const t = this.templates.get(String(task['template'])) ?? {};
      const type = isObj(t['container']) || isObj(t['script']) ? 'container' : isObj(t['resource']) ? 'resource' : isObj(t['dag']) ? 'dag' : 'other';
      const node: TaskNode = { name: String(task['name']), task, template: t, type, parent: ctx, ancestors, params: new Map(), artifacts: new Map() };
      ctx.tasks.set(node.name, node);
      return node;
    });
    // Arguments refer to sibling tasks, so every sibling exists before any argument is resolved.
    for (const node of nodes) {
      const args = obj(node.task['arguments']);
      for (const p of objs(args['parameters'])) node.params.set(String(p['name']), this.resolve(ctx, String(p['value'] ?? ''), node));
      for (const a of objs(args['artifacts'])) {
        const from = str(a['from']);
        const raw = str(obj(a['raw'])['data']);
        node.artifacts.set(String(a['name']), from !== undefined ? this.resolve(ctx, from, node) : raw !== undefined ? this.resolve(ctx, raw, node) : { k: 'unresolved', text: JSON.stringify(a) });
      }
      const inputs = obj(node.template['inputs']);
      for (const p of objs(inputs['parameters'])) {
        if (!node.params.has(String(p['name'])) && str(p['value']) !== undefined) node.params.set(String(p['name']), { k: 'const', value: String(p['value']) });
      }
      if (node.type === 'container' || node.type === 'resource') {
        node.identity = componentIdentity(node.template, this.options);
        this.nodes.push(node);
      }
      if (node.type === 'dag') node.child = this.dag(node.template, node.params, node.artifacts, [...ancestors, node]);
    }
    return ctx;
  }

  /** A string in DAG `ctx` (an argument of `task`, whose `{{item}}` is its loop's). */
  resolve(ctx: DagCtx, text: string, task?: TaskNode): Src {
    return parseSrc(text, (ref) => this.ref(ctx, ref, task));
  }

  ref(ctx: DagCtx, ref: string, task?: TaskNode): Src {
    let m: RegExpExecArray | null;
    if ((m = /^inputs\.parameters\.(.+)$/.exec(ref))) return ctx.params.get(m[1]!) ?? { k: 'unresolved', text: ref };
    if ((m = /^inputs\.artifacts\.(.+)$/.exec(ref))) return ctx.artifacts.get(m[1]!) ?? { k: 'unresolved', text: ref };
    if ((m = /^workflow\.parameters\.(.+)$/.exec(ref))) return { k: 'param', name: m[1]! };
    if ((m = /^tasks\.([^.]+)\.outputs\.(parameters|artifacts)\.(.+)$/.exec(ref))) {
      const producer = ctx.tasks.get(m[1]!);
      return producer ? this.taskOutput(producer, m[2] as 'parameters' | 'artifacts', m[3]!) : { k: 'unresolved', text: ref };
    }
    if ((m = /^item(?:\.(.+))?$/.exec(ref)) && task) return { k: 'item', loop: task, ...(m[1] !== undefined ? { field: m[1] } : {}) };
    return { k: 'global', expr: ref };
  }

  taskOutput(producer: TaskNode, kind: 'parameters' | 'artifacts', name: string): Src {
    const outputs = objs(obj(producer.template['outputs'])[kind]);
    const decl = outputs.find((o) => o['name'] === name);
    if (producer.type === 'dag' && producer.child) {
      const from = kind === 'parameters' ? str(obj(decl?.['valueFrom'])['parameter']) : str(decl?.['from']);
      if (from === undefined) return { k: 'unresolved', text: `${producer.name}.${name}` };
      const inner = this.resolve(producer.child, from);
      return isLoop(producer.task) ? { k: 'collect', loop: producer, inner } : inner;
    }
    const path = str(decl?.['path']) ?? str(obj(decl?.['valueFrom'])['path']);
    return { k: 'out', task: producer, name: outputName(producer.template, name, path) };
  }

  /** `{{inputs.parameters.x}}` etc. inside a container or resource template of `node`. */
  resolveInTemplate(node: TaskNode, text: string): Src {
    return parseSrc(text, (ref) => {
      let m: RegExpExecArray | null;
      if ((m = /^inputs\.parameters\.(.+)$/.exec(ref))) return node.params.get(m[1]!) ?? { k: 'unresolved', text: ref };
      if ((m = /^inputs\.artifacts\.(.+)$/.exec(ref))) return this.inputArtifact(node, m[1]!);
      if ((m = /^workflow\.parameters\.(.+)$/.exec(ref))) return { k: 'param', name: m[1]! };
      return { k: 'global', expr: ref };
    });
  }

  inputArtifact(node: TaskNode, name: string): Src {
    const fromTask = node.artifacts.get(name);
    if (fromTask) return fromTask;
    const decl = objs(obj(node.template['inputs'])['artifacts']).find((a) => a['name'] === name);
    const raw = str(obj(decl?.['raw'])['data']);
    return raw !== undefined ? this.resolveInTemplate(node, raw) : { k: 'unresolved', text: `artifact ${name}` };
  }

  // --- rendering --------------------------------------------------------------------------------

  /** A source on its own: `param:x`, `out:<task>.<output>`, `item[…]`, `const:…`. */
  show(s: Src): string {
    switch (s.k) {
      case 'param':
        return `param:${s.name}`;
      case 'out':
        return `out:${this.labels.get(s.task) ?? s.task.identity ?? s.task.name}.${s.name}`;
      case 'item':
        return `item[${this.loopSource(s.loop)}]${s.field !== undefined ? `.${s.field}` : ''}`;
      case 'const':
        return `const:${s.value}`;
      case 'mixed':
        return this.inline(s);
      case 'global':
        return `{{${s.expr}}}`;
      case 'collect':
        return `collect[${this.loopSource(s.loop)}](${this.show(s.inner)})`;
      case 'unresolved':
        return `unresolved:${s.text}`;
    }
  }

  /** A source inside text: constants as they are, everything else as `<source>`. */
  inline(s: Src): string {
    if (s.k === 'const') return s.value;
    if (s.k === 'global') return `{{${s.expr}}}`;
    if (s.k === 'mixed') return s.parts.map((p) => (typeof p === 'string' ? p : this.inline(p))).join('');
    return `<${this.show(s)}>`;
  }

  loopSource(loop: TaskNode): string {
    const items = loop.task['withItems'];
    if (items !== undefined) return JSON.stringify(this.resolveDeep(items, (t) => this.resolve(loop.parent, t, loop)));
    const param = str(loop.task['withParam']);
    return param !== undefined ? this.show(this.resolve(loop.parent, param, loop)) : '?';
  }

  resolveDeep(v: unknown, resolve: (text: string) => Src): unknown {
    if (typeof v === 'string') return v.includes('{{') ? this.inline(resolve(v)) : v;
    if (Array.isArray(v)) return v.map((x) => this.resolveDeep(x, resolve));
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.resolveDeep(x, resolve)]));
    return v;
  }

  groupLabel(node: TaskNode): string {
    const kind = this.groupKind(node);
    if (kind === 'condition') return `condition(${this.inline(this.resolve(node.parent, String(node.task['when']), node))})`;
    if (kind === 'loop') return `loop(${this.loopSource(node)})`;
    return kind;
  }

  groupKind(node: TaskNode): GroupShape['kind'] {
    if (isLoop(node.task)) return 'loop';
    if (str(node.task['when']) !== undefined) return 'condition';
    if (str(this.spec['onExit']) !== undefined && node.ancestors.length === 0 && this.exitBody === node) return 'exit-handler';
    return 'dag';
  }

  /** kfp's `exit-handler-N`: with spec.onExit, the root DAG's only plain sub-DAG task. */
  exitBody?: TaskNode;

  siblingLabel(ctx: DagCtx, name: string): string {
    const t = ctx.tasks.get(name);
    if (!t) return `?${name}`;
    if (t.type === 'dag') return this.groupLabel(t);
    return this.labels.get(t) ?? t.identity ?? t.name;
  }

  dependencies(node: TaskNode): string[] {
    const deps = strings(node.task['dependencies']);
    const depends = str(node.task['depends']);
    if (depends !== undefined) deps.push(...depends.split(/&&|\|\||[()!]/).map((d) => d.trim().replace(/\.\w+$/, '')).filter(Boolean));
    return [...new Set(deps.map((d) => this.siblingLabel(node.parent, d)))].sort();
  }

  argv(node: TaskNode): { argv: string[]; program?: string } {
    const c = obj(node.template['container']);
    const command = strings(c['command']);
    const raw = [...command, ...strings(c['args'])];
    const outPaths = new Map<string, string>();
    const outs = obj(node.template['outputs']);
    for (const o of [...objs(outs['artifacts']), ...objs(outs['parameters'])]) {
      const path = str(o['path']) ?? str(obj(o['valueFrom'])['path']);
      if (path !== undefined) outPaths.set(path, outputName(node.template, String(o['name']), path));
    }
    const paths = [...outPaths.keys()].sort((a, b) => b.length - a.length);
    const isKfpPython = command[0] === 'sh' && command[1] === '-ec' && (command[2] ?? '').includes('program_path=$(mktemp)');
    let program: string | undefined;
    const argv = raw.map((s, i) => {
      if (isKfpPython && i === 3) {
        program = s;
        return '<program>';
      }
      let text = this.inline(this.resolveInTemplate(node, s));
      for (const p of paths) text = text.split(p).join(`<out:${outPaths.get(p)!}>`);
      return text;
    });
    return { argv, ...(program !== undefined ? { program } : {}) };
  }

  inputArtifacts(node: TaskNode): string[] {
    return objs(obj(node.template['inputs'])['artifacts'])
      .map((a) => `${str(a['path']) ?? '?'} <- ${this.show(this.inputArtifact(node, String(a['name'])))}`)
      .sort();
  }

  /** Signature of a task for telling apart tasks of one component: everything but its settings. */
  signature(node: TaskNode): string {
    const { argv } = node.type === 'container' ? this.argv(node) : { argv: [] };
    return JSON.stringify([
      argv,
      node.type === 'resource' ? this.resourceSettings(node) : this.inputArtifacts(node),
      node.ancestors.map((a) => this.groupLabel(a)),
      this.dependencies(node),
    ]);
  }

  assignLabels(): void {
    this.labels = new Map(this.nodes.map((n) => [n, n.identity!]));
    for (let round = 0; round < 10; round++) {
      const sigs = new Map(this.nodes.map((n) => [n, this.signature(n)]));
      const byIdentity = new Map<string, string[]>();
      for (const n of this.nodes) byIdentity.set(n.identity!, [...(byIdentity.get(n.identity!) ?? []), sigs.get(n)!]);
      const next = new Map<TaskNode, string>();
      for (const n of this.nodes) {
        const distinct = [...new Set(byIdentity.get(n.identity!))].sort();
        next.set(n, distinct.length === 1 ? n.identity! : `${n.identity!}#${distinct.indexOf(sigs.get(n)!) + 1}`);
      }
      const same = this.nodes.every((n) => next.get(n) === this.labels.get(n));
      this.labels = next;
      if (same) break;
    }
  }

  // --- settings ---------------------------------------------------------------------------------

  containerSettings(node: TaskNode): Obj {
    const t = node.template;
    const c = { ...obj(t['container']) };
    const meta = obj(t['metadata']);
    const labels = obj(meta['labels']);
    const annotations = obj(meta['annotations']);
    const userLabels = Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith(KFP_PREFIX)));
    const userAnnotations = Object.fromEntries(Object.entries(annotations).filter(([k]) => !k.startsWith(KFP_PREFIX)));
    const resolveText = (s: string): string => this.inline(this.resolveInTemplate(node, s));
    const volumes = new Map(objs(t['volumes']).map((v) => [String(v['name']), this.volumeKind(node, v)]));
    const out: Obj = {
      image: c['image'],
      imagePullPolicy: c['imagePullPolicy'],
      resources: quantities(this.resolveDeep(c['resources'], (s) => this.resolveInTemplate(node, s))),
      env: objs(c['env']).map((e) => (e['value'] !== undefined ? { name: e['name'], value: resolveText(String(e['value'])) } : this.resolveDeep(e, (s) => this.resolveInTemplate(node, s)))),
      envFrom: c['envFrom'],
      mounts: objs(c['volumeMounts'])
        .map((m) => `${String(m['mountPath'])} <- ${volumes.get(String(m['name'])) ?? `?${String(m['name'])}`}${m['subPath'] !== undefined ? ` subPath ${String(m['subPath'])}` : ''}${m['readOnly'] === true ? ' (ro)' : ''}`)
        .sort(),
      workingDir: c['workingDir'],
      retryStrategy: t['retryStrategy'],
      activeDeadlineSeconds: t['activeDeadlineSeconds'] === undefined ? undefined : Number(t['activeDeadlineSeconds']),
      nodeSelector: t['nodeSelector'],
      tolerations: t['tolerations'],
      affinity: t['affinity'],
      podSpecPatch: str(t['podSpecPatch']) === undefined ? undefined : resolveText(String(t['podSpecPatch'])),
      initContainers: t['initContainers'],
      sidecars: t['sidecars'],
      caching: labels[`${KFP_PREFIX}enable_caching`],
      maxCacheStaleness: annotations[`${KFP_PREFIX}max_cache_staleness`],
      displayName: annotations[`${KFP_PREFIX}task_display_name`],
      labels: userLabels,
      annotations: userAnnotations,
    };
    // Anything else a template or container may carry is compared as it is.
    const known = new Set(['name', 'container', 'inputs', 'outputs', 'metadata', 'retryStrategy', 'activeDeadlineSeconds', 'nodeSelector', 'tolerations', 'affinity', 'podSpecPatch', 'initContainers', 'sidecars', 'volumes']);
    for (const [k, v] of Object.entries(t)) if (!known.has(k)) out[`template.${k}`] = v;
    const knownC = new Set(['image', 'imagePullPolicy', 'resources', 'env', 'envFrom', 'volumeMounts', 'workingDir', 'command', 'args']);
    for (const [k, v] of Object.entries(c)) if (!knownC.has(k)) out[`container.${k}`] = v;
    return prune(out);
  }

  volumeKind(node: TaskNode, v: Obj): string {
    const pvc = obj(v['persistentVolumeClaim']);
    if (str(pvc['claimName']) !== undefined) return `pvc(${this.show(this.resolveInTemplate(node, String(pvc['claimName'])))})`;
    const { name: _name, ...rest } = v;
    return JSON.stringify(rest);
  }

  resourceSettings(node: TaskNode): Obj {
    const r = obj(node.template['resource']);
    let manifest: unknown = r['manifest'];
    try {
      manifest = YAML.parse(str(r['manifest']) ?? '');
    } catch {
      /* compare the text */
    }
    const { manifest: _m, ...rest } = r;
    return prune({ ...rest, manifest: this.resolveDeep(manifest, (s) => this.resolveInTemplate(node, s)) });
  }

  outputs(node: TaskNode): { outputParameters: string[]; outputArtifacts: string[] } {
    const outs = obj(node.template['outputs']);
    const show = (o: Obj): string => {
      const vf = obj(o['valueFrom']);
      const path = str(o['path']) ?? str(vf['path']);
      const where = path ?? (str(vf['jsonPath']) !== undefined ? `jsonPath ${String(vf['jsonPath'])}` : JSON.stringify(vf));
      return `${outputName(node.template, String(o['name']), path)} = ${where}`;
    };
    return { outputParameters: objs(outs['parameters']).map(show).sort(), outputArtifacts: objs(outs['artifacts']).map(show).sort() };
  }

  // --- shapes -------------------------------------------------------------------------------------

  taskShape(node: TaskNode): TaskShape {
    const base: TaskShape = {
      label: this.labels.get(node) ?? node.identity ?? node.name,
      component: node.identity ?? '?',
      type: node.type === 'resource' ? 'resource' : 'container',
      dependencies: this.dependencies(node),
      settings: {},
    };
    const outputs = this.outputs(node);
    if (outputs.outputParameters.length > 0) base.outputParameters = outputs.outputParameters;
    if (node.type === 'resource') {
      base.settings = this.resourceSettings(node);
      return base;
    }
    const { argv, program } = this.argv(node);
    base.argv = argv;
    if (program !== undefined) base.program = program;
    const inputs = this.inputArtifacts(node);
    if (inputs.length > 0) base.inputArtifacts = inputs;
    if (outputs.outputArtifacts.length > 0) base.outputArtifacts = outputs.outputArtifacts;
    base.settings = this.containerSettings(node);
    return base;
  }

  groupShape(kind: GroupShape['kind'], ctx: DagCtx, node?: TaskNode): GroupShape {
    const g: GroupShape = { kind, tasks: [], groups: [] };
    if (node) {
      if (kind === 'condition') g.when = this.inline(this.resolve(node.parent, String(node.task['when']), node));
      else if (str(node.task['when']) !== undefined) g.when = this.inline(this.resolve(node.parent, String(node.task['when']), node));
      if (node.task['withItems'] !== undefined) g.withItems = this.resolveDeep(node.task['withItems'], (t) => this.resolve(node.parent, t, node)) as unknown[];
      if (str(node.task['withParam']) !== undefined) g.withParam = this.show(this.resolve(node.parent, String(node.task['withParam']), node));
      if (node.template['parallelism'] !== undefined) g.parallelism = Number(node.template['parallelism']);
      const deps = this.dependencies(node);
      if (deps.length > 0) g.dependencies = deps;
    }
    for (const t of ctx.tasks.values()) {
      if (t.type === 'dag' && t.child) g.groups.push(this.groupShape(this.groupKind(t), t.child, t));
      else if (t.type === 'container' || t.type === 'resource') g.tasks.push(this.taskShape(t));
    }
    g.tasks.sort((a, b) => cmp(a.label, b.label) || cmp(JSON.stringify(a), JSON.stringify(b)));
    g.groups.sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b)));
    return g;
  }

  shape(): WorkflowShape {
    const spec = this.spec;
    const entry = this.templates.get(String(spec['entrypoint']));
    if (!entry) throw new Error(`entrypoint template ${String(spec['entrypoint'])} not found`);
    const args = obj(spec['arguments']);
    const rootParams = new Map<string, Src>(objs(args['parameters']).map((p) => [String(p['name']), { k: 'param', name: String(p['name']) }]));
    const artifactSources = new Map<string, Src>(
      objs(args['artifacts']).map((a) => [String(a['name']), str(obj(a['raw'])['data']) !== undefined ? parseSrc(String(obj(a['raw'])['data']), (r) => this.ref({ template: {}, params: rootParams, artifacts: new Map(), tasks: new Map() }, r)) : { k: 'unresolved', text: JSON.stringify(a) }]),
    );
    const rootCtx = this.dag(entry, rootParams, artifactSources, []);

    const onExitName = str(spec['onExit']);
    let exitCtx: DagCtx | undefined;
    let exitNode: TaskNode | undefined;
    if (onExitName !== undefined) {
      const exitTemplate = this.templates.get(onExitName) ?? {};
      if (isObj(exitTemplate['dag'])) exitCtx = this.dag(exitTemplate, rootParams, artifactSources, []);
      else {
        // kfp: the exit op is a container template run on its own: a one-task DAG here.
        const wrapper: Obj = { name: `${onExitName}-onexit`, dag: { tasks: [{ name: onExitName, template: onExitName }] } };
        exitCtx = this.dag(wrapper, rootParams, artifactSources, []);
      }
      const plain = [...rootCtx.tasks.values()].filter((t) => t.type === 'dag' && !isLoop(t.task) && str(t.task['when']) === undefined);
      if (plain.length === 1 && rootCtx.tasks.size === 1) exitNode = this.exitBody = plain[0];
    }
    this.assignLabels();

    let root: GroupShape;
    if (exitCtx) {
      const onExit = this.groupShape('dag', exitCtx);
      const body = exitNode?.child ? this.groupShape('exit-handler', exitNode.child, exitNode) : { ...this.groupShape('exit-handler', rootCtx) };
      body.onExit = onExit;
      root = { kind: 'pipeline', tasks: [], groups: [body] };
    } else {
      root = this.groupShape('pipeline', rootCtx);
    }

    const meta = obj(this.wf['metadata']);
    const specAnn = str(obj(meta['annotations'])[`${KFP_PREFIX}pipeline_spec`]);
    const rest: Obj = {};
    for (const [k, v] of Object.entries(spec)) if (!['templates', 'entrypoint', 'arguments', 'onExit'].includes(k)) rest[k] = v;
    const shape: WorkflowShape = {
      ...(str(meta['generateName'] ?? meta['name']) !== undefined ? { name: String(meta['generateName'] ?? meta['name']) } : {}),
      ...(specAnn !== undefined ? { pipelineSpec: JSON.parse(specAnn) as unknown } : {}),
      parameters: Object.fromEntries(objs(args['parameters']).map((p) => [String(p['name']), p['value'] === undefined ? null : String(p['value'])])),
      spec: rest,
      root,
    };
    if (artifactSources.size > 0) shape.artifacts = Object.fromEntries([...artifactSources].map(([k, v]) => [k, this.show(v)]));
    return shape;
  }
}

/** Tasks ordered so that every task comes after the siblings it names (dependencies or references). */
function topological(tasks: Obj[]): Obj[] {
  const names = new Set(tasks.map((t) => String(t['name'])));
  const byName = new Map(tasks.map((t) => [String(t['name']), t]));
  const out: Obj[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: Obj): void => {
    const name = String(t['name']);
    if (state.get(name) !== undefined) return;
    state.set(name, 'visiting');
    const text = JSON.stringify([t['arguments'], t['withParam'], t['withItems'], t['when']]);
    const refs = new Set([...strings(t['dependencies']), ...[...text.matchAll(/tasks\.([^.]+)\./g)].map((m) => m[1]!)]);
    for (const r of refs) if (names.has(r) && r !== name) visit(byName.get(r)!);
    state.set(name, 'done');
    out.push(t);
  };
  tasks.forEach(visit);
  return out;
}

function isLoop(task: Obj): boolean {
  return task['withItems'] !== undefined || task['withParam'] !== undefined || task['withSequence'] !== undefined;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Quantities as strings (`2` and `'2'` are the same quantity to Kubernetes). */
function quantities(resources: unknown): unknown {
  if (!isObj(resources)) return resources;
  return Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, isObj(v) ? Object.fromEntries(Object.entries(v).map(([q, x]) => [q, String(x)])) : v]));
}

/** Drops undefined values, empty lists and empty maps. */
function prune(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isObj(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

/** The name-free shape of a parsed Argo Workflow. */
export function workflowShape(workflow: unknown, options: ShapeOptions = {}): WorkflowShape {
  return new Normaliser(obj(workflow), options).shape();
}

/** Every task of a shape, depth first, with the path of group kinds above it. */
export function allTasks(shape: WorkflowShape | GroupShape): TaskShape[] {
  const g = 'root' in shape ? shape.root : shape;
  return [...g.tasks, ...g.groups.flatMap((c) => [...allTasks(c), ...(c.onExit ? allTasks(c.onExit) : [])])];
}

/** Every group of a shape, depth first. */
export function allGroups(shape: WorkflowShape | GroupShape): GroupShape[] {
  const g = 'root' in shape ? shape.root : shape;
  return [g, ...g.groups.flatMap((c) => allGroups(c)), ...(g.onExit ? allGroups(g.onExit) : [])];
}
