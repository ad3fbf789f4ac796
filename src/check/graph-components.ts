/**
 * Imported graph components (kfp v1's `implementation.graph`) made callable. A graph is a
 * pipeline written in YAML: its tasks name their components (inline `spec`, or `url`, `digest`,
 * `name`), their arguments come from the graph's inputs, other tasks' outputs or constants, and
 * `outputValues` binds its outputs. A called one becomes a pipeline of the program (in
 * IrProgram.graphs, lowered where it is called, as a .kfp module's pipeline is) and its calls
 * IrCalls. kfpdsl compiles offline, so a task's component must be inline or one of the
 * component.yaml files the same .kfp imports: matched by digest, else by url (the import's
 * path), else by name. Every problem is reported at its line of the YAML.
 */
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { diag, type CodeName } from '../diagnostics/catalog.js';
import type { IrCall, IrComponent, IrNode, IrParam, IrPipeline, IrPipelineOutput, IrPort, IrSpan, IrTask, IrValue, Json } from '../ir/ir.js';
import type { ComponentSpec } from '../kfp/component-spec.js';
import { componentPorts, identifierFor, importedSource, type ImportedSource, type ImportOptions } from './check-import.js';
import type { CheckContext } from './context.js';
import type { Scope } from './scope.js';
import { componentSchemaErrorsDetailed } from '../schema/validators.js';
import { constantFits, taskSettings, topological, typesFit, type GraphTaskOptions, type Path } from './graph-rules.js';
import { jsonPointer, yamlSpan } from './yaml-locate.js';

type Obj = { [key: string]: Json };

interface TaskRef { taskOutput: { taskId: string; outputName: string } }
interface GraphTask extends GraphTaskOptions {
  componentRef: { name?: string; digest?: string; url?: string; spec?: Obj };
  arguments?: { [input: string]: string | number | boolean | { graphInput: { inputName: string } } | TaskRef };
  isEnabled?: Json;
}
interface GraphSpec { tasks: { [id: string]: GraphTask }; outputValues?: { [output: string]: TaskRef } }

const TYPE_HINT = 'kfp checks the declared types of a graph: make them agree, or leave one of them undeclared';

/** The signatures that stand for imported graph components: a call of one is an IrCall. */
const signatures = new WeakSet<IrComponent>();

export function isGraphSignature(c: IrComponent | undefined): boolean {
  return c !== undefined && signatures.has(c);
}

/** A graph's port as a pipeline's: named by the identifier a .kfp caller writes. */
const portName = (p: IrPort): string => p.argName ?? p.name;

/**
 * What callers of a graph component are checked against: its ports named as the call writes
 * them (`output_model`, not `Output model`), since they become the pipeline's parameters and outputs.
 */
function graphSignature(c: IrComponent): IrComponent {
  if (c.impl.kind !== 'imported') return c;
  const rename = (ports: IrPort[]): IrPort[] => ports.map(({ argName, ...p }) => ({ ...p, name: argName ?? p.name }));
  // A DAG template's input needs a value: an optional graph input without a default must be passed
  // (kfp would drop the arguments it feeds, which a template parameter cannot express).
  const inputs = rename(c.inputs).map((p) => (p.optional && p.default === undefined ? { ...p, optional: false } : p));
  const renamed = (side: 'inputs' | 'outputs', ports: IrPort[]): Json[] | undefined => {
    const list = c.impl.kind === 'imported' ? c.impl.spec[side] : undefined;
    return Array.isArray(list) ? list.map((x, i) => ({ ...(x as Obj), name: portName(ports[i]!) })) : undefined;
  };
  // The spec's port names follow the ports', so the untyped-port rule (types.ts) still finds them.
  const spec: Obj = { ...c.impl.spec };
  for (const side of ['inputs', 'outputs'] as const) {
    const list = renamed(side, c[side]);
    if (list) spec[side] = list;
  }
  const sig: IrComponent = { ...c, inputs, outputs: rename(c.outputs), impl: { ...c.impl, spec } };
  signatures.add(sig);
  return sig;
}

const isGraph = (spec: Obj | ComponentSpec): boolean => {
  const impl = (spec as Obj)['implementation'];
  return typeof impl === 'object' && impl !== null && !Array.isArray(impl) && impl['graph'] !== undefined;
};

/** A component a graph's task runs: a container one (a template) or a graph (a nested DAG). */
type Child = { kind: 'component'; comp: IrComponent; spec: ComponentSpec } | { kind: 'graph'; pipeline: IrPipeline; spec: ComponentSpec; ports: { inputs: IrPort[]; outputs: IrPort[] } };

/**
 * Replaces each imported graph component in `byCallee` by its signature, and builds the
 * pipelines of those the program calls (`called`), with the components their tasks need
 * (inline ones added to `list`). Returns the pipelines, for IrProgram.graphs.
 */
export function graphComponents(ctx: CheckContext, scope: Scope, list: IrComponent[], byCallee: Map<string, IrComponent>, called: ReadonlySet<string>, options: ImportOptions): IrPipeline[] {
  // The imports and the names taken are made when a graph needs them: a file of 100,000
  // components and no graph would pay for a list and a set of 100,000 for nothing.
  let importList: IrComponent[] | undefined;
  const importsOf = (): IrComponent[] => (importList ??= [...scope.entries.values()].filter((e) => !e.via && e.comp.impl.kind === 'imported').map((e) => e.comp));
  const graphs: IrPipeline[] = [];
  let takenSet: Set<string> | undefined;
  const built = new Map<IrComponent, IrPipeline | undefined>();
  const building: IrComponent[] = [];
  const unique = (base: string): string => {
    const taken = (takenSet ??= new Set(list.map((c) => c.name.toLowerCase())));
    let n = base;
    for (let k = 2; taken.has(n.toLowerCase()); k++) n = `${base}_${k}`;
    taken.add(n.toLowerCase());
    return n;
  };

  /** Builds the graph of an imported component once (a graph used by several graphs is one pipeline). */
  const importedGraph = (c: IrComponent, name: string): IrPipeline | undefined => {
    if (built.has(c)) return built.get(c);
    const src = importedSource(c)!;
    building.push(c);
    const ports = { inputs: c.inputs, outputs: c.outputs };
    const p = buildGraph(src, [], specOf(c), ports, name);
    building.pop();
    built.set(c, p);
    return p;
  };

  const buildGraph = (src: ImportedSource, base: Path, spec: ComponentSpec, ports: { inputs: IrPort[]; outputs: IrPort[] }, name: string): IrPipeline | undefined => {
    const before = ctx.diagnostics.length;
    const span: IrSpan = { start: src.imp.span.start, end: src.imp.span.end, file: ctx.file.path };
    const graph = (spec.implementation as unknown as { graph: GraphSpec }).graph;
    const gpath = [...base, 'implementation', 'graph'];
    const report = (code: CodeName, message: string, path: Path, hint?: string, key?: string): void => {
      ctx.diagnostics.push(diag(code, message, { file: src.file, span: yamlSpan(src.doc, src.file.text, path, key), hint, related: [ctx.related(src.imp.pathSpan, 'imported here')] }));
    };
    const specInputs = spec.inputs ?? [];
    const tasks = Object.entries(graph.tasks ?? {});
    const ids = new Map<string, string>();
    const usedIds = new Set<string>();
    for (const [key] of tasks) {
      const baseId = identifierFor(key);
      let id = baseId;
      for (let k = 2; usedIds.has(id); k++) id = `${baseId}-${k}`;
      usedIds.add(id);
      ids.set(key, id);
    }

    // Each task's component: inline, or one of the imports.
    const children = new Map<string, Child>();
    for (const [key, t] of tasks) {
      const at = [...gpath, 'tasks', key, 'componentRef'];
      const child = resolveChild(src, key, t.componentRef, at, name, report);
      if (child) children.set(key, child);
    }

    // Arguments, type-checked as kfp does: declared types must agree (kfp's primitive aliases being one type).
    const edges = new Map<string, { to: string; path: Path }[]>();
    const nodes = new Map<string, IrNode>();
    for (const [key, t] of tasks) {
      const child = children.get(key);
      const tpath = [...gpath, 'tasks', key];
      if (t.isEnabled !== undefined) report('GraphComponent', `task \`${key}\` has \`isEnabled\`, which kfpdsl does not support`, tpath, 'run the task under an `if` in a .kfp pipeline instead', 'isEnabled');
      if (!child) continue;
      const childInputs = child.spec.inputs ?? [];
      const childPorts = child.kind === 'component' ? child.comp.inputs : child.ports.inputs;
      const args: { [name: string]: IrValue } = {};
      const apath = [...tpath, 'arguments'];
      for (const [argName, v] of Object.entries(t.arguments ?? {})) {
        const k = childInputs.findIndex((i) => i.name === argName);
        if (k < 0) {
          report('UnknownArgument', `task \`${key}\`: \`${child.spec.name ?? 'its component'}\` has no input \`${argName}\``, apath, childInputs.length ? `its inputs are ${childInputs.map((i) => `\`${i.name}\``).join(', ')}` : 'it has no inputs', argName);
          continue;
        }
        const to = childInputs[k]!.type;
        const vpath = [...apath, argName];
        const argKey = child.kind === 'component' ? argName : portName(childPorts[k]!);
        if (typeof v !== 'object' || v === null) {
          const text = String(v);
          if (!constantFits(text, to)) report('TypeMismatch', `task \`${key}\`: \`${text}\` is not a valid \`${String(to)}\` for input \`${argName}\``, vpath, TYPE_HINT);
          args[argKey] = { const: text };
        } else if ('graphInput' in v) {
          const gi = specInputs.findIndex((i) => i.name === v.graphInput.inputName);
          if (gi < 0) {
            report('UnknownName', `task \`${key}\`: the graph has no input \`${v.graphInput.inputName}\``, [...vpath, 'graphInput', 'inputName'], specInputs.length ? `its inputs are ${specInputs.map((i) => `\`${i.name}\``).join(', ')}` : 'it has no inputs');
            continue;
          }
          if (!typesFit(specInputs[gi]!.type, to)) report('TypeMismatch', `task \`${key}\`: graph input \`${v.graphInput.inputName}\` is \`${String(specInputs[gi]!.type)}\`, input \`${argName}\` takes \`${String(to)}\``, vpath, TYPE_HINT);
          args[argKey] = { param: portName(ports.inputs[gi]!) };
        } else if ('taskOutput' in v) {
          const out = taskOutput(v, [...vpath, 'taskOutput'], `task \`${key}\``, 'UnknownTask', 'UnknownOutput');
          if (!out) continue;
          if (!typesFit(out.type, to)) report('TypeMismatch', `task \`${key}\`: output \`${v.taskOutput.outputName}\` of \`${v.taskOutput.taskId}\` is \`${String(out.type)}\`, input \`${argName}\` takes \`${String(to)}\``, vpath, TYPE_HINT);
          args[argKey] = out.value;
          const list = edges.get(key) ?? [];
          list.push({ to: v.taskOutput.taskId, path: [...vpath, 'taskOutput', 'taskId'] });
          edges.set(key, list);
        }
      }
      childInputs.forEach((input) => {
        const given = t.arguments !== undefined && Object.prototype.hasOwnProperty.call(t.arguments, input.name);
        if (!given && input.optional !== true && input.default === undefined) {
          report('MissingArgument', `task \`${key}\`: no argument for the required input \`${input.name}\` of \`${child.spec.name ?? 'its component'}\``, [...gpath, 'tasks'], `add it under \`arguments:\``, key);
        }
      });
      const id = ids.get(key)!;
      if (child.kind === 'component') {
        const node: IrTask = { kind: 'task', id, after: [], origin: span, component: child.comp.name, args, settings: taskSettings(t) };
        nodes.set(key, node);
      } else {
        const node: IrCall = { kind: 'call', id, after: [], origin: span, pipeline: child.pipeline.name!, args };
        nodes.set(key, node);
      }
    }

    // A task that waits, through outputs, for itself could never start.
    const order = topological(tasks.map(([k]) => k), edges, (cycle, path) =>
      report('DependencyCycle', `the graph's tasks depend on each other in a cycle: ${cycle.map((c) => `\`${c}\``).join(' → ')}`, path, 'a graph is a DAG; remove one of these taskOutput arguments'),
    );

    // outputValues: one task output per declared output of the graph.
    const outputs: IrPipelineOutput[] = [];
    const values = graph.outputValues ?? {};
    (spec.outputs ?? []).forEach((o, i) => {
      const v = Object.prototype.hasOwnProperty.call(values, o.name) ? values[o.name] : undefined;
      if (!v) {
        report('InvalidPipelineOutput', `graph output \`${o.name}\` is not bound in \`outputValues\``, [...base, 'outputs', i], `add \`${o.name}: {taskOutput: {taskId: …, outputName: …}}\` under implementation.graph.outputValues`);
        return;
      }
      const vpath = [...gpath, 'outputValues', o.name];
      if (typeof v !== 'object' || v === null || !('taskOutput' in v)) {
        report('InvalidPipelineOutput', `graph output \`${o.name}\` must be bound to a task output`, vpath, 'write `{taskOutput: {taskId: …, outputName: …}}`');
        return;
      }
      const out = taskOutput(v, [...vpath, 'taskOutput'], `graph output \`${o.name}\``, 'InvalidPipelineOutput', 'InvalidPipelineOutput');
      if (!out) return;
      if (!typesFit(out.type, o.type)) report('TypeMismatch', `graph output \`${o.name}\` is \`${String(o.type)}\`, but output \`${v.taskOutput.outputName}\` of \`${v.taskOutput.taskId}\` is \`${String(out.type)}\``, vpath, TYPE_HINT);
      outputs.push({ name: portName(ports.outputs[i]!), type: ports.outputs[i]!.type, value: out.value });
    });
    for (const key of Object.keys(values)) {
      if (!(spec.outputs ?? []).some((o) => o.name === key)) {
        report('InvalidPipelineOutput', `\`outputValues\` binds \`${key}\`, which is not an output of the graph`, [...gpath, 'outputValues'], (spec.outputs ?? []).length ? `its outputs are ${(spec.outputs ?? []).map((o) => `\`${o.name}\``).join(', ')}` : 'declare it under `outputs:`', key);
      }
    }
    if (tasks.length === 0) report('GraphComponent', 'this graph has no tasks', [...gpath, 'tasks']);
    if (ctx.diagnostics.slice(before).some((d) => d.severity === 'error')) return undefined;

    const params: IrParam[] = ports.inputs.map((p) => ({ name: portName(p), type: p.type, ...(p.default ? { default: p.default } : {}) }));
    const pipeline: IrPipeline = {
      displayName: spec.name ?? name,
      name,
      ...(outputs.length ? { outputs } : {}),
      nameOrigin: span,
      ...(spec.description ? { description: spec.description } : {}),
      params,
      body: order.flatMap((k) => (nodes.has(k) ? [nodes.get(k)!] : [])),
      settings: {},
      origin: span,
    };
    graphs.push(pipeline);
    return pipeline;

    /** A `{taskOutput: …}` argument: the task and its output must exist. */
    function taskOutput(v: TaskRef, path: Path, what: string, unknownTask: CodeName, unknownOutput: CodeName): { value: IrValue; type: unknown } | undefined {
      const { taskId, outputName } = v.taskOutput;
      const producer = children.get(taskId);
      if (!tasks.some(([k]) => k === taskId)) {
        report(unknownTask, `${what}: the graph has no task \`${taskId}\``, [...path, 'taskId'], `its tasks are ${tasks.map(([k]) => `\`${k}\``).join(', ')}`);
        return undefined;
      }
      if (!producer) return undefined; // its component was not found: reported there
      const outs = producer.spec.outputs ?? [];
      const k = outs.findIndex((o) => o.name === outputName);
      if (k < 0) {
        report(unknownOutput, `${what}: task \`${taskId}\` has no output \`${outputName}\``, [...path, 'outputName'], outs.length ? `its outputs are ${outs.map((o) => `\`${o.name}\``).join(', ')}` : 'its component has no outputs');
        return undefined;
      }
      const name = producer.kind === 'component' ? outputName : portName(producer.ports.outputs[k]!);
      return { value: { output: { task: ids.get(taskId)!, name } }, type: outs[k]!.type };
    }
  };

  const resolveChild = (src: ImportedSource, key: string, ref: GraphTask['componentRef'], at: Path, graphName: string, report: (code: CodeName, message: string, path: Path, hint?: string, key?: string) => void): Child | undefined => {
    if (ref.spec !== undefined) {
      // The schema takes an inline spec as any object: it is validated here, as a file is when imported.
      const errors = componentSchemaErrorsDetailed(ref.spec);
      if (errors.length > 0) {
        const e = errors.find((x) => x.key !== undefined) ?? errors[0]!;
        report('InvalidImport', `task \`${key}\`: its inline component is not a kfp v1 component: ${e.path || '/'} ${e.message}`, [...at, 'spec', ...jsonPointer(e.path)], undefined, e.key);
        return undefined;
      }
      const spec = ref.spec as unknown as ComponentSpec;
      const ports = componentPorts(spec);
      if ('error' in ports) {
        report('InvalidImport', `task \`${key}\`: ${ports.error}`, [...at, 'spec', ...jsonPointer(ports.path)]);
        return undefined;
      }
      const name = unique(`${graphName}_${identifierFor(key)}`);
      if (isGraph(ref.spec)) {
        const pipeline = buildGraph(src, [...at, 'spec'], spec, ports, name);
        return pipeline ? { kind: 'graph', pipeline, spec, ports } : undefined;
      }
      const comp: IrComponent = {
        name,
        ...(spec.description ? { description: spec.description } : {}),
        inputs: ports.inputs,
        outputs: ports.outputs,
        impl: { kind: 'imported', spec: ref.spec, url: src.imp.path, digest: createHash('sha256').update(YAML.stringify(ref.spec)).digest('hex') },
        origin: { start: src.imp.span.start, end: src.imp.span.end, file: ctx.file.path },
      };
      list.push(comp);
      return { kind: 'component', comp, spec };
    }
    const found = findImport(src, ref);
    if (!found) {
      const what = ref.digest ? `digest ${ref.digest.slice(0, 12)}…` : ref.url ? `url \`${ref.url}\`` : ref.name ? `name \`${ref.name}\`` : 'nothing';
      report('GraphComponent', `task \`${key}\`: its component (${what}) is not one of the component.yaml files this .kfp imports`, at,
        `kfpdsl does not download components: import the file beside the graph (\`import "….component.yaml" as …\`); a task's componentRef is matched to the imports by digest, else url (the import's path), else name`);
      return undefined;
    }
    const fspec = specOf(found);
    if (isGraph(fspec)) {
      if (building.includes(found)) {
        report('DependencyCycle', `task \`${key}\`: graph \`${found.name}\` includes itself`, at, 'a graph component cannot run itself; kfp v1 needs a recursive @graph_component for that, which .kfp writes as a pipeline that calls itself under an `if`');
        return undefined;
      }
      const pipeline = importedGraph(found, found.name);
      return pipeline ? { kind: 'graph', pipeline, spec: fspec, ports: { inputs: found.inputs, outputs: found.outputs } } : undefined;
    }
    return { kind: 'component', comp: found, spec: fspec };
  };

  const findImport = (src: ImportedSource, ref: GraphTask['componentRef']): IrComponent | undefined => {
    const info = importsOf().map((c) => ({ c, s: importedSource(c)! })).filter((x) => x.s !== undefined);
    if (ref.digest) return info.find((x) => x.c.impl.kind === 'imported' && x.c.impl.digest === ref.digest)?.c;
    if (ref.url) {
      const local = options.host.resolveImport(src.requested, ref.url);
      const byUrl = info.find((x) => x.s.imp.path === ref.url || x.s.requested === local);
      if (byUrl) return byUrl.c;
    }
    if (ref.name) return info.find((x) => specOf(x.c).name === ref.name)?.c;
    return undefined;
  };

  for (const [key, e] of scope.entries) {
    if (e.via || e.comp.impl.kind !== 'imported' || !e.comp.impl.graphRefs) continue;
    byCallee.set(key, graphSignature(e.comp));
    if (called.has(key)) importedGraph(e.comp, e.comp.name);
  }
  return graphs;
}

const specOf = (c: IrComponent): ComponentSpec => (c.impl.kind === 'imported' ? c.impl.spec : {}) as unknown as ComponentSpec;
