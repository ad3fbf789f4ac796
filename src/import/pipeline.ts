/**
 * A kfp v1 compiled pipeline (Argo Workflow) → a `.kfp` pipeline and its components.
 *
 * Inverts kfp v1's lowering (see kfp-v1-lowering.md): each container template is a component
 * (from its `component_spec` annotation, or from the template itself for a ContainerOp), each
 * DAG task a task, `condition-N` DAGs with `when` become `if`, `for-loop-N` DAGs with
 * `withItems`/`withParam` become `for`, `exit-handler-N` is inlined and `spec.onExit` becomes
 * `finally`. Argo names come back from the bindings (`flip = flip()` is task `flip`).
 */
import YAML from 'yaml';
import { importComponent, valueType, type ImportedComponent } from './component.js';
import { descriptionItem, identifier, literal, NameTable, notTranslated, str } from './kfp-text.js';
import { isDnsSubdomain } from '../check/settings.js';
import { isRecord, Warnings, type ComponentSpec } from './types.js';
import { volumePassingAsArtifacts } from './volume-passing.js';

type Rec = Record<string, unknown>;

interface Task {
  name: string;
  template: string;
  when?: string;
  dependencies?: string[];
  withItems?: unknown[];
  withParam?: string;
  arguments?: { parameters?: { name: string; value?: unknown }[]; artifacts?: { name: string; from?: string; raw?: { data?: string } }[] };
}

interface Scope {
  /** The DAG template's input name → the `.kfp` expression it holds. */
  inputs: Map<string, string>;
  /** Task name → task, in this DAG. */
  tasks: Map<string, Task>;
  templatePath: string;
  loopVar?: string;
  /** Loop variable → the type of its items (and of their fields), where the items are literals. */
  loopTypes?: Map<string, ItemType>;
}

/** What is known of a loop item's type; undefined: unknown (a parameter's or an output's items). */
interface ItemType {
  type?: string;
  fields?: Map<string, string | undefined>;
}

/** A ContainerOp component as called with one set of argument types (kfp lets one op take an int here, a str there). */
interface Variant {
  name: string;
  types: Map<string, string | undefined>;
}

interface Comp {
  imported: ImportedComponent;
  /** For a component_spec template: spec input name → the template parameter / artifact it reaches. */
  specArgs?: Map<string, { param?: string; artifact?: string; literal?: string }>;
  /** Argo output parameter / artifact name → `.kfp` output name. */
  outputs: Map<string, string>;
  single: boolean;
  /** ContainerOp: template input parameter name → `.kfp` input name. */
  opInputs?: Map<string, string>;
  /** ContainerOp: template input artifact name → `.kfp` `file` input name (its path is in the command). */
  opFiles?: Map<string, string>;
  /** ContainerOp: one component per distinct set of argument types, the first keeping the name. */
  variants?: Variant[];
  /** ContainerOp: `.kfp` output name → its type (`str`, or `list` where a loop runs over it). */
  outTypes?: Map<string, string>;
  /** Spec component: `.kfp` output name → its type. */
  specOutTypes?: Map<string, string>;
  /** Spec component: untyped outputs made `str` (read as values too); a loop over one makes it a `list`. */
  retyped?: Set<string>;
}

const HANDLED_TEMPLATE_KEYS = new Set(['name', 'container', 'inputs', 'outputs', 'metadata', 'dag']);

function asTasks(t: Rec): Task[] {
  const dag = t['dag'];
  return isRecord(dag) && Array.isArray(dag['tasks']) ? (dag['tasks'] as Task[]) : [];
}

export function importWorkflow(original: Rec, warnings: Warnings): string {
  const { wf, comment: volumePassing } = volumePassingAsArtifacts(original, warnings);
  const spec = wf['spec'] as Rec;
  const meta = isRecord(wf['metadata']) ? wf['metadata'] : {};
  const annotations = isRecord(meta['annotations']) ? meta['annotations'] : {};
  let pipelineSpec: Rec = {};
  try {
    const raw = annotations['pipelines.kubeflow.org/pipeline_spec'];
    if (typeof raw === 'string') pipelineSpec = JSON.parse(raw) as Rec;
  } catch {
    warnings.add('metadata.annotations', 'the pipeline_spec annotation is not JSON');
  }
  const templates = new Map<string, Rec>();
  const templatePaths = new Map<string, string>();
  (Array.isArray(spec['templates']) ? (spec['templates'] as Rec[]) : []).forEach((t, i) => {
    templates.set(String(t['name']), t);
    templatePaths.set(String(t['name']), `spec.templates[${i}]`);
  });
  const out: string[] = [];
  const componentNames = new NameTable(['volume', 'pvc', 'resource', 'concat', 'if_present', 'secret', 'config_map']);
  const comps = new Map<string, Comp>();
  // `workflow` is reserved: a task of that name would shadow `workflow.uid` (see refWith).
  const bindings = new NameTable(['workflow']);
  /** Pipeline parameter name (as `.kfp`) → its type, to type a ContainerOp's inputs. */
  const paramTypes = new Map<string, string>();
  /** DAG templates being emitted: a graph component that calls itself (recursion) is not expanded again. */
  const emitting = new Set<string>();
  const recursive = recursiveDags(templates);
  /** Recursive graph components, each a `.kfp` pipeline of its own that calls itself: template → its text, once emitted. */
  const graphPipelines = new Map<string, string | undefined>();
  /** Their parameters' types (from the first call). */
  const graphTypes = new Map<string, Map<string, string>>();
  const graphName = (template: string): string => componentNames.name(`graph:${template}`, identifier(template.replace(/^graph-/, '')));
  /** Tasks that are VolumeOps (`volume(…)` in .kfp): a mount of their claim is `mount: { path: task }`. */
  const volumeTasks = new Map<string, string>();
  /** A task output expression (`produce.out`) → the component and output it reads. */
  const outputOf = new Map<string, { comp: Comp; output: string }>();
  const taskBinding = (task: string): string => bindings.name(task, identifier(task));

  const component = (name: string): Comp | undefined => {
    const known = comps.get(name);
    if (known) return known;
    const t = templates.get(name);
    if (!t || !isRecord(t['container'])) return undefined;
    const at = templatePaths.get(name)!;
    const c = isRecord(t['metadata']) && isRecord(t['metadata']['annotations']) ? t['metadata']['annotations'] : {};
    let compSpec: ComponentSpec | undefined;
    try {
      if (typeof c['pipelines.kubeflow.org/component_spec'] === 'string') compSpec = JSON.parse(c['pipelines.kubeflow.org/component_spec']) as ComponentSpec;
    } catch {
      compSpec = undefined;
    }
    const compName = componentNames.name(name, identifier(compSpec?.name ?? name));
    const comp = compSpec ? specComponent(t, at, compSpec, compName, c, warnings) : opComponent(t, at, compName, warnings);
    comps.set(name, comp);
    return comp;
  };

  /** A `{{…}}` reference (or a literal) as a `.kfp` expression in a scope. */
  const ref = (value: unknown, scope: Scope, at: string): string => refWith(value, scope, at, warnings);
  /** ref(), reporting what it cannot resolve to `sink` (a throwaway one to look without reporting). */
  const refWith = (value: unknown, scope: Scope, at: string, sink: Warnings): string => {
    if (typeof value !== 'string') return literal(value);
    const whole = /^\{\{([^{}]+)\}\}$/.exec(value);
    if (!whole) {
      if (/\{\{/.test(value)) return `concat(${splitRefs(value).map((p) => (p.ref ? refWith(`{{${p.ref}}}`, scope, at, sink) : str(p.text))).join(', ')})`;
      return str(value);
    }
    const r = whole[1]!.trim();
    let m: RegExpExecArray | null;
    if ((m = /^inputs\.parameters\.(.+)$/.exec(r))) return scope.inputs.get(m[1]!) ?? unresolved();
    if ((m = /^inputs\.artifacts\.(.+)$/.exec(r))) return scope.inputs.get(`artifact:${m[1]!}`) ?? unresolved();
    if ((m = /^workflow\.parameters\.(.+)$/.exec(r))) return identifier(m[1]!);
    // kfp's dsl.RUN_ID_PLACEHOLDER and friends: the language's own values, which compile back to
    // these tags (and to KFP v2's on --target kfp-v2) and are not warned about as a string would be.
    if (/^workflow\.(uid|name|namespace)$/.test(r) && !paramTypes.has('workflow')) return r;
    if (r === 'item') return scope.loopVar ?? unresolved();
    if ((m = /^item\.(.+)$/.exec(r))) return scope.loopVar ? `${scope.loopVar}.${m[1]}` : unresolved();
    if ((m = /^tasks\.([^.]+)\.outputs\.(parameters|artifacts)\.(.+)$/.exec(r))) return taskOutput(m[1]!, m[3]!, scope) ?? unresolved();
    return unresolved();
    function unresolved(): string {
      sink.add(at, `the reference \`${value as string}\``);
      return str(value as string);
    }
  };

  const taskOutput = (task: string, output: string, scope: Scope): string | undefined => {
    const t = scope.tasks.get(task);
    if (!t) return undefined;
    const tpl = templates.get(t.template);
    if (!tpl) return undefined;
    if (isRecord(tpl['dag'])) {
      const outs = isRecord(tpl['outputs']) ? [tpl['outputs']['parameters'], tpl['outputs']['artifacts']].flatMap((l) => (Array.isArray(l) ? (l as Rec[]) : [])) : [];
      const o = outs.find((p) => p['name'] === output);
      // A DAG's output parameter is `valueFrom.parameter`, its output artifact `from`.
      const from = o ? (isRecord(o['valueFrom']) ? o['valueFrom']['parameter'] : o['from']) : undefined;
      if (typeof from !== 'string') return undefined;
      return ref(from, { inputs: new Map(), tasks: new Map(asTasks(tpl).map((x) => [x.name, x])), templatePath: templatePaths.get(t.template)! }, templatePaths.get(t.template)!);
    }
    const claim = volumeTasks.get(task);
    // A volume's name is known before it runs (`{{workflow.name}}-claim`); .kfp gives a volume no outputs.
    if (claim !== undefined) return output === `${t.template}-name` ? str(`{{workflow.name}}-${claim}`) : undefined;
    if (isRecord(tpl['resource'])) {
      const short = output.startsWith(`${t.template}-`) ? output.slice(t.template.length + 1) : output;
      return `${taskBinding(task)}.${identifier(short)}`;
    }
    const comp = component(t.template);
    const o = comp?.outputs.get(output);
    if (!comp || !o) return undefined;
    const e = comp.single ? taskBinding(task) : `${taskBinding(task)}.${o}`;
    outputOf.set(e, { comp, output: o });
    return e;
  };

  /** Components some task has called already: their form (spec or ContainerOp) is settled. */
  const used = new Set<Comp>();

  /**
   * Whether a task gives its component_spec component arguments the spec's types do not take,
   * which kfp does not check and .kfp refuses (KFP3001): text built around references
   * (`big {{…}}`), an `int` or a record loop item, a list, given to a `str` input. The compiled
   * template has them right already (each reference is an input of its own, the text is in the
   * command), so such a component is imported from its template, as a ContainerOp is.
   */
  const misfits = (task: Task, scope: Scope, at: string): boolean => {
    const comp = component(task.template);
    if (!comp?.specArgs || used.has(comp)) return false;
    const params = new Map((task.arguments?.parameters ?? []).map((p) => [p.name, p.value]));
    const probe = new Warnings();
    for (const [input, src] of comp.specArgs) {
      const declared = comp.imported.inputTypes?.get(comp.imported.inputs.get(input)!);
      const text = src.literal !== undefined ? src.literal.replace(/\{\{inputs\.parameters\.([^}]+)\}\}/g, (_, p: string) => String(params.get(p) ?? '')) : src.param !== undefined ? params.get(src.param) : undefined;
      if (typeof text !== 'string' || !text.includes('{{')) continue;
      if (src.literal !== undefined && !/^\{\{[^{}]+\}\}$/.test(text)) return true;
      const got = exprType(refWith(text, scope, at, probe), scope);
      if (declared === undefined || declared === 'file' || got === undefined) continue;
      if (got !== declared && !(got === 'int' && declared === 'float')) return true;
    }
    return false;
  };

  /** A component_spec template imported as a ContainerOp, under the name the spec would have had. */
  const asContainerOp = (template: string): Comp => {
    const spec = comps.get(template)!;
    const at = templatePaths.get(template)!;
    // A template input that carries one spec input whole keeps that input's name (`s`, not `loop_item_param_1`).
    const names = new Map<string, string>();
    for (const [input, src] of spec.specArgs ?? []) {
      const whole = src.literal !== undefined ? /^\{\{inputs\.parameters\.([^{}]+)\}\}$/.exec(src.literal)?.[1] : src.param;
      if (whole !== undefined && !names.has(whole)) names.set(whole, spec.imported.inputs.get(input)!);
    }
    // kfp's names for loop items (`loop-item-param-5-subvar-b`) read better as `b`, `item`.
    for (const p of isRecord(templates.get(template)!['inputs']) ? ((templates.get(template)!['inputs'] as Rec)['parameters'] as Rec[] | undefined) ?? [] : []) {
      const m = /loop-item(?:-param-\d+)?(?:-subvar-(.+))?$/.exec(String(p['name']));
      if (m && !names.has(String(p['name']))) names.set(String(p['name']), identifier(m[1] ?? 'item'));
    }
    const comp = opComponent(templates.get(template)!, at, spec.imported.name, warnings, 'kfp passed it arguments its declared input types do not take (kfp does not check them)', names);
    comps.set(template, comp);
    return comp;
  };

  /** The `.kfp` type of an argument expression as the checker will see it; undefined where it is unknown (and fits anything). */
  const exprType = (e: string, scope: Scope): string | undefined => {
    if (/^-?\d+$/.test(e)) return 'int';
    if (/^-?\d+\.\d*([eE][-+]?\d+)?$/.test(e)) return 'float';
    if (e === 'true' || e === 'false') return 'bool';
    if (e.startsWith('"') || e.startsWith('concat(')) return 'str';
    if (e.startsWith('[')) return 'list';
    if (e.startsWith('{')) return 'dict';
    const loop = scope.loopTypes?.get(e.split('.')[0]!);
    if (loop) return e.includes('.') ? loop.fields?.get(e.slice(e.indexOf('.') + 1)) : loop.type;
    const out = outputOf.get(e);
    if (out) return out.comp.outTypes?.get(out.output) ?? out.comp.specOutTypes?.get(out.output);
    return paramTypes.get(e);
  };

  /** The bindings of the container tasks a dependency stands for (a DAG task: every task inside it). */
  const leafTasks = (task: string, scope: Scope, seen = new Set<string>()): string[] => {
    const t = scope.tasks.get(task);
    const tpl = t ? templates.get(t.template) : undefined;
    if (!t || !tpl || seen.has(t.template)) return [];
    if (!isRecord(tpl['dag']) || recursive.has(t.template)) return [taskBinding(task)];
    seen.add(t.template);
    const inner: Scope = { inputs: new Map(), tasks: new Map(asTasks(tpl).map((x) => [x.name, x])), templatePath: '' };
    return asTasks(tpl).flatMap((x) => leafTasks(x.name, inner, seen));
  };

  /** The `.kfp` condition of an Argo `when`: `"{{x}}" == "heads"`. */
  const condition = (when: string, scope: Scope, at: string): string => {
    const m = /^\s*(.+?)\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$/.exec(when);
    if (!m) return `${str(when)} == "true"`;
    const side = (s: string): string => {
      const q = /^"(.*)"$/.exec(s) ?? /^'(.*)'$/.exec(s);
      const inner = q ? q[1]! : s;
      if (/^\{\{[^{}]+\}\}$/.test(inner)) return ref(inner, scope, at);
      if (!q && /^-?\d+(\.\d+)?$/.test(inner)) return inner;
      return str(inner);
    };
    let [l, r] = [side(m[1]!), side(m[3]!)];
    // kfp compares text (`"{{x}}" == "7"`); .kfp compares a number with a number: `x == 7`.
    // A ContainerOp's output is untyped text; one compared by order with a number is a number
    // (govaluate compares numbers there), typed as the number is.
    if (['<', '>', '<=', '>='].includes(m[2]!)) {
      for (const [e, other] of [[l, r], [r, l]] as const) {
        const out = outputOf.get(e);
        if (out?.comp.outTypes && !out.comp.outTypes.has(out.output) && /^-?\d+(\.\d+)?$/.test(other)) out.comp.outTypes.set(out.output, other.includes('.') ? 'float' : 'int');
      }
    }
    const numeric = (e: string): boolean => ['int', 'float'].includes(exprType(e, scope) ?? '');
    const unquote = (e: string): string => (/^"-?\d+(\.\d+)?"$/.test(e) ? e.slice(1, -1) : e);
    if (numeric(l)) r = unquote(r);
    if (numeric(r)) l = unquote(l);
    return `${l} ${m[2]} ${r}`;
  };

  const emitCall = (task: Task, scope: Scope, at: string, indent: string, lines: string[]): void => {
    const tpl = templates.get(task.template)!;
    const params = new Map((task.arguments?.parameters ?? []).map((p) => [p.name, p.value]));
    const comp = misfits(task, scope, at) ? asContainerOp(task.template) : component(task.template)!;
    const firstUse = !used.has(comp);
    used.add(comp);
    /** File inputs given a value a Python component returned (kfp passes the file it wrote): input → the value's type. */
    const valueToFile = new Map<string, string>();
    const artifacts = new Map((task.arguments?.artifacts ?? []).map((a) => [a.name, a]));
    const args: string[] = [];
    let callee = comp.imported.name;
    const deps = new Set<string>();
    const note = (v: string): string => {
      for (const m of v.matchAll(/\{\{tasks\.([^.]+)\./g)) if (!volumeTasks.has(m[1]!)) deps.add(m[1]!);
      return v;
    };
    for (const v of params.values()) if (typeof v === 'string') note(v);
    for (const a of artifacts.values()) if (a.from) note(a.from);
    if (comp.specArgs) {
      for (const [input, src] of comp.specArgs) {
        const name = comp.imported.inputs.get(input)!;
        if (src.literal !== undefined) {
          const e = ref(src.literal.replace(/\{\{inputs\.parameters\.([^}]+)\}\}/g, (_, p: string) => String(params.get(p) ?? '')), scope, at);
          args.push(`${name}: ${typedLiteral(e, comp.imported.inputTypes?.get(name))}`);
        }
        else if (src.param !== undefined) args.push(`${name}: ${ref(params.get(src.param), scope, at)}`);
        else if (src.artifact !== undefined) {
          // A constant (kfp's InputArgumentPath of a literal) is a raw artifact on the template itself.
          const own = isRecord(tpl['inputs']) && Array.isArray(tpl['inputs']['artifacts']) ? (tpl['inputs']['artifacts'] as Rec[]).find((x) => x['name'] === src.artifact) : undefined;
          const a = artifacts.get(src.artifact) ?? (own as { raw?: { data?: string } } | undefined);
          if (a?.raw?.data !== undefined) args.push(`${name}: ${str(a.raw.data)}`);
          else if (a && 'from' in a && typeof a.from === 'string') {
            const e = ref(a.from, scope, at);
            const producer = outputOf.get(e)?.comp;
            const t = exprType(e, scope);
            if (t && t !== 'file' && producer?.specOutTypes && PYTHON_FENCE.test(producer.imported.text) && comp.imported.inputTypes?.get(name) === 'file') valueToFile.set(name, t);
            args.push(`${name}: ${e}`);
          }
        }
      }
      if (valueToFile.size && firstUse && PYTHON_FENCE.test(comp.imported.text)) comp.imported.text = valueAsFile(comp.imported.text, valueToFile);
    } else if (comp.opInputs) {
      const types = new Map<string, string | undefined>();
      for (const [param, name] of comp.opInputs) {
        const e = ref(params.get(param), scope, at);
        types.set(name, exprType(e, scope));
        args.push(`${name}: ${e}`);
      }
      for (const [artifact, name] of comp.opFiles ?? []) {
        const a = artifacts.get(artifact);
        if (a?.raw?.data !== undefined) args.push(`${name}: ${str(a.raw.data)}`);
        else if (a?.from !== undefined) args.push(`${name}: ${ref(a.from, scope, at)}`);
      }
      callee = variant(comp, task.template, types);
    }
    const settings = taskSettings(tpl, templatePaths.get(task.template)!, warnings);
    const mounts = pvcMounts(tpl);
    // A mounted volume is waited for already (the mount implies it).
    const mounted = new Set((mounts ?? []).map((m) => (m.param ? /^\{\{tasks\.([^.]+)\./.exec(String(params.get(m.param) ?? ''))?.[1] : undefined)));
    const after = [...new Set((task.dependencies ?? []).filter((d) => !deps.has(d) && !mounted.has(d)).flatMap((d) => leafTasks(d, scope)))];
    if (mounts) {
      const entries = mounts.map((m) => {
        if (m.claim !== undefined) return `${str(m.path)}: pvc(${str(m.claim)})`;
        const v = params.get(m.param!);
        const vt = typeof v === 'string' ? /^\{\{tasks\.([^.]+)\.outputs\.parameters\.[^{}]+\}\}$/.exec(v) : null;
        if (vt && volumeTasks.has(vt[1]!)) return `${str(m.path)}: ${taskBinding(vt[1]!)}`;
        if (typeof v === 'string' && v !== '' && !v.includes('{{')) return `${str(m.path)}: pvc(${str(v)})`;
        settings.comments.push(notTranslated('', warnings.add(`${templatePaths.get(task.template)!}.volumes`, `the mount at \`${m.path}\` of a claim named by \`${String(v)}\``)));
        return undefined;
      });
      if (entries.every((e) => e !== undefined)) settings.items.push(`mount: { ${entries.join(', ')} }`);
    }
    const head = `${indent}${taskBinding(task.name)} = ${callee}(${args.join(', ')})${after.length ? ` after ${after.join(', ')}` : ''}`;
    lines.push(...settings.comments.map((c) => indent + c));
    lines.push(settings.items.length ? `${head} {\n${settings.items.map((s) => `${indent}  ${s}`).join('\n')}\n${indent}}` : head);
  };

  /**
   * A resource template: kfp's VolumeOp (a PersistentVolumeClaim named `{{workflow.name}}-x`)
   * as `volume(…)`, any other ResourceOp as `resource(…)`; what neither holds stays a comment.
   */
  const emitResource = (task: Task, child: Rec, scope: Scope, at: string, ind: string, lines: string[]): void => {
    const tplAt = templatePaths.get(task.template)!;
    const res = child['resource'] as Rec;
    const params = new Map((task.arguments?.parameters ?? []).map((p) => [p.name, p.value]));
    const keep = (why: string): void => void lines.push(notTranslated(ind, warnings.add(`${tplAt}.resource`, `the resource template \`${task.template}\` (${why})`)));
    if (typeof res['manifest'] !== 'string' || typeof res['action'] !== 'string') return keep('no manifest or action');
    // Template inputs in the manifest are the task's arguments (kfp passes each reference in).
    const text = res['manifest'].replace(/\{\{inputs\.parameters\.([^{}]+)\}\}/g, (w, n: string) => (typeof params.get(n) === 'string' ? (params.get(n) as string) : w));
    let manifest: unknown;
    try {
      manifest = YAML.parse(text, { maxAliasCount: 50 });
    } catch {
      return keep('its manifest is not YAML');
    }
    if (!isRecord(manifest)) return keep('its manifest is not a mapping');
    const value = (v: unknown): string => {
      if (typeof v === 'string' && /^\{\{[^{}]+\}\}$/.test(v) && !/^\{\{workflow\.(name|uid|namespace)\}\}$/.test(v)) return ref(v, scope, at);
      if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
      if (isRecord(v)) return `{ ${Object.entries(v).map(([k, x]) => `${recordKey(k)}: ${value(x)}`).join(', ')} }`;
      return literal(v);
    };
    const binding = taskBinding(task.name);
    const referenced = new Set([...JSON.stringify(task.arguments ?? {}).matchAll(/\{\{tasks\.([^.]+)\./g)].map((m) => m[1]!).filter((t) => !volumeTasks.has(t)));
    const afterList = [...new Set((task.dependencies ?? []).filter((d) => !referenced.has(d)).flatMap((d) => leafTasks(d, scope)))];
    const after = afterList.length ? ` after ${afterList.join(', ')}` : '';
    const md = isRecord(manifest['metadata']) ? manifest['metadata'] : {};
    const sp = isRecord(manifest['spec']) ? manifest['spec'] : {};
    const claim = typeof md['name'] === 'string' ? /^\{\{workflow\.name\}\}-(.+)$/.exec(md['name']) : null;
    const storage = isRecord(sp['resources']) && isRecord(sp['resources']['requests']) ? sp['resources']['requests']['storage'] : undefined;
    const modes = Array.isArray(sp['accessModes']) ? sp['accessModes'] : [];
    const pvcShape = Object.keys(manifest).every((k) => ['apiVersion', 'kind', 'metadata', 'spec'].includes(k)) && Object.keys(md).every((k) => k === 'name') && Object.keys(sp).every((k) => ['accessModes', 'resources', 'storageClassName'].includes(k));
    if (manifest['kind'] === 'PersistentVolumeClaim' && res['action'] === 'create' && claim && storage !== undefined && modes.length > 0 && pvcShape) {
      volumeTasks.set(task.name, claim[1]!);
      const sc = typeof sp['storageClassName'] === 'string' ? `, storage_class: ${str(sp['storageClassName'])}` : '';
      lines.push(`${ind}${binding} = volume(${str(claim[1]!)}, size: ${value(storage)}, mode: ${modes.length === 1 ? str(String(modes[0])) : literal(modes)}${sc})${after}`);
      return;
    }
    const args = [`action: ${str(res['action'])}`, `manifest: ${value(manifest)}`];
    if (typeof res['successCondition'] === 'string') args.push(`success: ${str(res['successCondition'])}`);
    if (typeof res['failureCondition'] === 'string') args.push(`failure: ${str(res['failureCondition'])}`);
    const outs = isRecord(child['outputs']) && Array.isArray(child['outputs']['parameters']) ? (child['outputs']['parameters'] as Rec[]) : [];
    const named = outs
      .map((o) => ({ name: String(o['name']).replace(`${task.template}-`, ''), path: isRecord(o['valueFrom']) ? o['valueFrom']['jsonPath'] : undefined }))
      .filter((o) => o.name !== 'name' && o.name !== 'manifest' && typeof o.path === 'string');
    if (named.length) args.push(`outputs: { ${named.map((o) => `${recordKey(identifier(o.name))}: ${str(String(o.path))}`).join(', ')} }`);
    const extra = Object.keys(res).filter((k) => !['action', 'manifest', 'successCondition', 'failureCondition'].includes(k));
    if (extra.length) lines.push(notTranslated(ind, warnings.add(`${tplAt}.resource`, `resource fields ${extra.join(', ')}`)));
    lines.push(`${ind}${binding} = resource(${args.join(', ')})${after}`);
  };

  /** The variant of a ContainerOp component whose input types fit these arguments, made when none does. */
  const variant = (comp: Comp, template: string, types: Map<string, string | undefined>): string => {
    const fits = (v: Variant): boolean => [...types].every(([n, t]) => t === undefined || v.types.get(n) === undefined || v.types.get(n) === t);
    let v = comp.variants!.find(fits);
    if (!v) {
      v = { name: comp.variants!.length === 0 ? comp.imported.name : componentNames.name(`${template}#${comp.variants!.length}`, comp.imported.name), types: new Map() };
      comp.variants!.push(v);
    }
    for (const [n, t] of types) if (t !== undefined && v.types.get(n) === undefined) v.types.set(n, t);
    return v.name;
  };

  /** The types of a literal loop's items and of their fields, where all items agree. */
  const itemType = (items: unknown[]): ItemType => {
    const kind = (x: unknown): string | undefined => (typeof x === 'number' ? (Number.isInteger(x) ? 'int' : 'float') : typeof x === 'string' ? 'str' : typeof x === 'boolean' ? 'bool' : Array.isArray(x) ? 'list' : isRecord(x) ? 'dict' : undefined);
    const one = (xs: unknown[]): string | undefined => {
      const ks = new Set(xs.map(kind));
      if (ks.size === 1) return [...ks][0];
      return ks.size === 2 && ks.has('int') && ks.has('float') ? 'float' : undefined;
    };
    const type = one(items);
    if (type !== 'dict') return { type };
    const keys = new Set(items.flatMap((x) => Object.keys(x as Rec)));
    return { type, fields: new Map([...keys].map((k) => [k, one(items.map((x) => (x as Rec)[k]))])) };
  };

  /**
   * A call of a recursive graph component (kfp's @dsl.graph_component calling itself under a
   * condition): `.kfp` writes it as a pipeline that calls itself, emitted once, here called
   * with the task's arguments.
   */
  const emitGraphCall = (task: Task, scope: Scope, at: string, ind: string, lines: string[]): void => {
    const args = (task.arguments?.parameters ?? []).map((p) => ({ name: identifier(p.name), value: ref(p.value, scope, at) }));
    if (!graphPipelines.has(task.template)) {
      const types = new Map(args.map((a) => [a.name, exprType(a.value, scope) ?? 'str']));
      graphTypes.set(task.template, types);
      graphPipelines.set(task.template, undefined);
      graphPipelines.set(task.template, graphPipeline(task.template, types));
    } else {
      // A later call (the recursive one) passes a ContainerOp's untyped output: it has the parameter's type.
      for (const a of args) {
        const out = outputOf.get(a.value);
        const want = graphTypes.get(task.template)?.get(a.name);
        if (out?.comp.outTypes && !out.comp.outTypes.has(out.output) && want !== undefined) out.comp.outTypes.set(out.output, want);
      }
    }
    // A dependency whose output is an argument is implied by it.
    const passed = JSON.stringify(task.arguments ?? {});
    const after = [...new Set((task.dependencies ?? []).filter((d) => !passed.includes(`{{tasks.${d}.`)).flatMap((d) => leafTasks(d, scope)))];
    lines.push(`${ind}${taskBinding(task.name)} = ${graphName(task.template)}(${args.map((a) => `${a.name}: ${a.value}`).join(', ')})${after.length ? ` after ${after.join(', ')}` : ''}`);
  };

  /** The pipeline text of a recursive graph component; its parameters typed by the first call's arguments. */
  const graphPipeline = (template: string, types: Map<string, string>): string => {
    const tpl = templates.get(template)!;
    const at = templatePaths.get(template)!;
    const inputs = isRecord(tpl['inputs']) && Array.isArray(tpl['inputs']['parameters']) ? (tpl['inputs']['parameters'] as Rec[]).map((p) => String(p['name'])) : [];
    const body: string[] = [];
    if (isRecord(tpl['inputs']) && tpl['inputs']['artifacts'] !== undefined) body.push(notTranslated('  ', warnings.add(`${at}.inputs.artifacts`, 'the files a recursive graph component takes')));
    if (isRecord(tpl['outputs'])) body.push(notTranslated('  ', warnings.add(`${at}.outputs`, 'the outputs of a recursive graph component')));
    const scope: Scope = { inputs: new Map(inputs.map((n) => [n, identifier(n)])), tasks: new Map(asTasks(tpl).map((x) => [x.name, x])), templatePath: at };
    // The parameters' types, for the conditions and arguments inside (kfp's are text).
    const saved = new Map(inputs.map((n) => [identifier(n), paramTypes.get(identifier(n))]));
    for (const n of inputs) paramTypes.set(identifier(n), types.get(identifier(n)) ?? 'str');
    emitDag(template, scope, '  ', body);
    for (const [n, t] of saved) (t === undefined ? paramTypes.delete(n) : paramTypes.set(n, t));
    const params = inputs.map((n) => `${identifier(n)}: ${types.get(identifier(n)) ?? 'str'}`).join(', ');
    return `# kfp's recursive graph component \`${template}\`.\npipeline ${graphName(template)} ${str(template)} (${params}) {\n${body.join('\n')}\n}\n`;
  };

  const emitDag = (tplName: string, scope: Scope, indent: string, lines: string[]): void => {
    const tpl = templates.get(tplName)!;
    if (emitting.has(tplName)) {
      lines.push(notTranslated(indent, warnings.add(templatePaths.get(tplName)!, `the DAG template \`${tplName}\`, which calls itself but is no graph component (only a graph component comes back as a pipeline that calls itself)`)));
      return;
    }
    emitting.add(tplName);
    const tasks = order(asTasks(tpl));
    const atOf = (task: Task): string => `${scope.templatePath}.dag.tasks[${asTasks(tpl).indexOf(task)}]`;
    /** A task without its `when`: a loop, a DAG inlined, or a call. */
    const emitBody = (task: Task, ind: string, lines: string[]): void => {
      const at = atOf(task);
      const child = templates.get(task.template);
      if (!child) {
        lines.push(notTranslated(ind, warnings.add(at, `the task \`${task.name}\` names no template`)));
        return;
      }
      const inner = (loopVar?: string, loopTypes?: Map<string, ItemType>): Scope => {
        const inputs = new Map<string, string>();
        for (const p of task.arguments?.parameters ?? []) inputs.set(p.name, ref(p.value, { ...scope, loopVar, loopTypes }, at));
        // Files a DAG takes (kfp passes a task's file output, or a loop item as a raw file, into a condition or loop).
        for (const a of task.arguments?.artifacts ?? []) {
          const e = a.from !== undefined ? ref(a.from, scope, at) : a.raw?.data !== undefined ? ref(a.raw.data, { ...scope, loopVar, loopTypes }, at) : undefined;
          if (e !== undefined) inputs.set(`artifact:${a.name}`, e);
        }
        return { inputs, tasks: new Map(asTasks(child).map((x) => [x.name, x])), templatePath: templatePaths.get(task.template)!, loopVar, loopTypes };
      };
      if (task.withItems || task.withParam) {
        const v = scope.loopVar === undefined ? 'item' : `${scope.loopVar.replace(/_\d+$/, '')}_${(Number(/_(\d+)$/.exec(scope.loopVar)?.[1] ?? 1) + 1)}`;
        const over = task.withItems ? literal(task.withItems) : ref(task.withParam, scope, `${at}.withParam`);
        // Items that name a task's output or a DAG input: .kfp loops over literal lists, which hold no references.
        if (task.withItems && /\{\{(tasks|inputs)\./.test(JSON.stringify(task.withItems))) lines.push(notTranslated(ind, warnings.add(`${at}.withItems`, 'loop items that hold task outputs or DAG inputs (kept as text: a .kfp literal list holds no references)')));
        // A ContainerOp's output is text; one a loop runs over holds a JSON list (kfp does not check it).
        const source = outputOf.get(over);
        if (source?.comp.outTypes) source.comp.outTypes.set(source.output, 'list');
        if (source?.comp.retyped?.has(source.output) && source.comp.specOutTypes?.get(source.output) === 'str') {
          source.comp.specOutTypes.set(source.output, 'list');
          source.comp.imported.text = source.comp.imported.text.replace(new RegExp(`^(component [^\\n]*->[^\\n]*\\b${source.output}: )str\\b`, 'm'), '$1list');
        }
        const loopTypes = new Map(scope.loopTypes ?? []);
        loopTypes.set(v, task.withItems ? itemType(task.withItems) : {});
        const par = typeof child['parallelism'] === 'number' && child['parallelism'] > 0 ? ` parallelism ${child['parallelism']}` : '';
        lines.push(`${ind}for ${v} in ${over}${par} {`);
        if (isRecord(child['dag'])) emitDag(task.template, inner(v, loopTypes), `${ind}  `, lines);
        else emitCall(task, { ...scope, loopVar: v, loopTypes }, at, `${ind}  `, lines);
        lines.push(`${ind}}`);
      } else if (isRecord(child['dag']) && recursive.has(task.template)) emitGraphCall(task, scope, at, ind, lines);
      else if (isRecord(child['dag'])) emitDag(task.template, inner(scope.loopVar, scope.loopTypes), ind, lines);
      else if (isRecord(child['container'])) emitCall(task, scope, at, ind, lines);
      else if (isRecord(child['resource'])) emitResource(task, child, scope, at, ind, lines);
      else lines.push(notTranslated(ind, warnings.add(templatePaths.get(task.template)!, `the template \`${task.template}\` (neither a container nor a DAG: ${Object.keys(child).filter((k) => !['name', 'metadata', 'inputs', 'outputs'].includes(k)).join(', ')})`)));
    };
    const emitted = new Set<string>();
    tasks.forEach((task) => {
      if (emitted.has(task.name)) return;
      emitted.add(task.name);
      if (!task.when) return emitBody(task, indent, lines);
      lines.push(`${indent}if ${condition(task.when, scope, `${atOf(task)}.when`)} {`);
      emitBody(task, `${indent}  `, lines);
      // kfp v1 has no else: users wrote dsl.Condition(x == 1) and dsl.Condition(x != 1). A later
      // sibling with the complementary condition, whose inputs are all ready here, is the else.
      const partner = tasks.find((o) => !emitted.has(o.name) && o.when !== undefined && complementary(task.when!, o.when) && taskRefs(o).every((d) => emitted.has(d) || !scope.tasks.has(d)));
      if (partner) {
        emitted.add(partner.name);
        const body: string[] = [];
        emitBody(partner, `${indent}  `, body);
        lines.push(...elseOrElif(body, indent));
      }
      lines.push(`${indent}}`);
    });
    emitting.delete(tplName);
  };

  const name = typeof pipelineSpec['name'] === 'string' ? pipelineSpec['name'] : String(meta['generateName'] ?? 'pipeline').replace(/-$/, '');
  const argDefaults = new Map<string, unknown>();
  const wfArgs = isRecord(spec['arguments']) && Array.isArray(spec['arguments']['parameters']) ? (spec['arguments']['parameters'] as Rec[]) : [];
  for (const p of wfArgs) argDefaults.set(String(p['name']), p['value']);
  const specInputs = Array.isArray(pipelineSpec['inputs']) ? (pipelineSpec['inputs'] as Rec[]) : wfArgs.map((p): Rec => ({ name: p['name'] }));
  const params = specInputs.map((io) => {
    const n = String(io['name']);
    let t = ({ Integer: 'int', Float: 'float', String: 'str', Boolean: 'bool', JsonArray: 'list', JsonObject: 'dict' } as Record<string, string>)[String(io['type'])] ?? 'str';
    const d = io['default'] ?? argDefaults.get(n);
    let value = d === undefined ? '' : ` = ${str(String(d))}`;
    if (d !== undefined && (t === 'list' || t === 'dict' || t === 'str')) {
      try {
        const j: unknown = JSON.parse(String(d));
        if (t !== 'str' && Array.isArray(j)) t = 'list';
        else if (t !== 'str' && isRecord(j)) t = 'dict';
      } catch {
        /* text */
      }
    }
    if (d !== undefined && t === 'int' && /^-?\d+$/.test(String(d))) value = ` = ${String(d)}`;
    if (d !== undefined && t === 'float' && Number.isFinite(Number(d))) value = ` = ${String(d).includes('.') ? String(d) : `${String(d)}.0`}`;
    if (d !== undefined && t === 'bool') value = ` = ${/^true$/i.test(String(d)) ? 'true' : 'false'}`;
    if (d !== undefined && (t === 'list' || t === 'dict')) {
      try {
        value = ` = ${literal(JSON.parse(String(d)))}`;
      } catch {
        /* kept as text */
      }
    }
    paramTypes.set(identifier(n), t);
    return `${identifier(n)}: ${t}${value}`;
  });
  // Required parameters first, as .kfp (and Python) want; Argo passes them by name anyway.
  params.sort((a, b) => Number(a.includes(' = ')) - Number(b.includes(' = ')));
  const body: string[] = [];
  const desc = descriptionItem('  ', pipelineSpec['description'], (what) => warnings.add('metadata.annotations', `the pipeline_spec annotation's description: ${what}`));
  if (desc) body.push(desc);
  if (volumePassing) body.push(notTranslated('  ', volumePassing));
  body.push(...pipelineSettings(spec, warnings));
  const entry = String(spec['entrypoint']);
  if (!templates.has(entry) || !isRecord(templates.get(entry)!['dag'])) {
    body.push(notTranslated('  ', warnings.add('spec.entrypoint', 'an entrypoint that is not a DAG template')));
  } else {
    // kfp's entrypoint DAG takes the pipeline parameters as its inputs too.
    const rootInputs = new Map(specInputs.map((io) => [String(io['name']), identifier(String(io['name']))]));
    // A pipeline parameter given to a file input: kfp passes it as a workflow artifact, its text the parameter's.
    const wfArtifacts = isRecord(spec['arguments']) && Array.isArray(spec['arguments']['artifacts']) ? (spec['arguments']['artifacts'] as Rec[]) : [];
    for (const a of wfArtifacts) {
      const raw = isRecord(a['raw']) ? a['raw']['data'] : undefined;
      const param = typeof raw === 'string' ? /^\{\{workflow\.parameters\.([^{}]+)\}\}$/.exec(raw) : null;
      if (param) rootInputs.set(`artifact:${String(a['name'])}`, identifier(param[1]!));
    }
    const scope: Scope = { inputs: rootInputs, tasks: new Map(asTasks(templates.get(entry)!).map((x) => [x.name, x])), templatePath: templatePaths.get(entry)! };
    emitDag(entry, scope, '  ', body);
  }
  if (typeof spec['onExit'] === 'string') {
    const exit = spec['onExit'];
    const t = templates.get(exit);
    if (t && isRecord(t['container'])) {
      body.push('  finally {');
      emitCall({ name: exit, template: exit, arguments: undefined }, { inputs: new Map(), tasks: new Map(), templatePath: 'spec' }, 'spec.onExit', '    ', body);
      body.push('  }');
    } else body.push(notTranslated('  ', warnings.add('spec.onExit', 'an exit handler that is not a container template')));
  }
  out.push(`pipeline ${str(name)} (${params.join(', ')}) {\n${body.join('\n')}\n}\n`);
  for (const text of graphPipelines.values()) if (text !== undefined) out.push(text);
  for (const c of comps.values()) {
    if (!c.variants) {
      out.push(c.imported.text);
      continue;
    }
    const withOutputs = c.imported.text.replace(/__OTYPE_([A-Za-z0-9_]+)__/g, (_, n: string) => c.outTypes?.get(n) ?? 'str');
    // A ContainerOp no task calls (an exit handler's, say) still gets its component.
    for (const v of c.variants.length ? c.variants : [{ name: c.imported.name, types: new Map() }]) {
      out.push(withOutputs.replace(/^component [A-Za-z0-9_]+\(/m, `component ${v.name}(`).replace(/__TYPE_([A-Za-z0-9_]+)__/g, (_, n: string) => v.types.get(n) ?? 'str'));
    }
  }
  return out.join('\n');
}

const PYTHON_FENCE = /^\s*```python$/m;

/**
 * A Python component whose `file` inputs are given values another Python component returned:
 * kfp passes the file the value was written to, .kfp refuses a returned value for a `file`
 * (KFP3001). The inputs take the value instead, and the fence's first lines write it to a file
 * as kfp's serializers do (`str`, JSON for lists and records), so the body reads a path as before.
 */
function valueAsFile(text: string, inputs: Map<string, string>): string {
  let out = text;
  for (const [name, type] of inputs) out = out.replace(new RegExp(`^(component [^\\n]*?\\(.*?\\b${name}: )file\\b`, 'm'), `$1${type}`);
  return out.replace(/^(\s*)```python\n/m, (fence, ind: string) =>
    [
      fence.trimEnd(),
      `${ind}# kfp passed ${[...inputs.keys()].map((n) => `\`${n}\``).join(', ')} as a file: the value is written to one, so the code below reads a path.`,
      `${ind}import json as _json, tempfile as _tempfile`,
      ...[...inputs.keys()].flatMap((n) => [
        `${ind}with _tempfile.NamedTemporaryFile("w", delete=False) as _f:`,
        `${ind}    _f.write(_json.dumps(${n}) if isinstance(${n}, (list, dict)) else str(${n}))`,
        `${ind}${n} = _f.name`,
      ]),
      '',
    ].join('\n'),
  );
}

/** DAG templates that reach themselves through their tasks' templates: kfp's recursive graph components. */
function recursiveDags(templates: Map<string, Rec>): Set<string> {
  const calls = (name: string): string[] => {
    const t = templates.get(name);
    return t ? asTasks(t).map((x) => x.template).filter((x) => isRecord(templates.get(x)?.['dag'])) : [];
  };
  const out = new Set<string>();
  for (const start of templates.keys()) {
    const seen = new Set<string>();
    const stack = calls(start);
    while (stack.length) {
      const n = stack.pop()!;
      if (n === start) {
        out.add(start);
        break;
      }
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...calls(n));
    }
  }
  // Only the graph components themselves: the `condition-N` DAGs on the cycle are inlined in them.
  return new Set([...out].filter((n) => n.startsWith('graph-')));
}

/** A string literal `"2"` given to an `int`/`float`/`bool`/`list`/`dict` input as a literal of that type (kfp passes text). */
function typedLiteral(e: string, type: string | undefined): string {
  if (!/^"/.test(e) || type === undefined || type === 'str' || type === 'file') return e;
  const text = JSON.parse(e) as string;
  if (type === 'int' && /^-?\d+$/.test(text)) return text;
  if (type === 'float' && text.trim() !== '' && Number.isFinite(Number(text))) return /[.eE]/.test(text) ? text : `${text}.0`;
  if (type === 'bool' && /^(true|false)$/i.test(text)) return text.toLowerCase();
  if (type === 'list' || type === 'dict') {
    try {
      return literal(JSON.parse(text));
    } catch {
      return e;
    }
  }
  return e;
}

function splitRefs(s: string): { text: string; ref?: string }[] {
  const parts: { text: string; ref?: string }[] = [];
  let last = 0;
  for (const m of s.matchAll(/\{\{([^{}]+)\}\}/g)) {
    if (m.index > last) parts.push({ text: s.slice(last, m.index) });
    parts.push({ text: m[0], ref: m[1]!.trim() });
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push({ text: s.slice(last) });
  return parts;
}

interface PvcMount {
  path: string;
  /** An existing claim's name (`pvc("claim")`). */
  claim?: string;
  /** The template input that carries the claim name of a VolumeOp's volume. */
  param?: string;
}

/**
 * The template's mounts when each is a PersistentVolumeClaim mounted whole (kfp's `pvolumes`):
 * they become the task's `mount` setting. Undefined when there are none or one has no `.kfp`
 * form (a secret or config map volume, a subPath, read-only): those stay comments.
 */
function pvcMounts(t: Rec): PvcMount[] | undefined {
  const c = isRecord(t['container']) ? t['container'] : {};
  const mounts = Array.isArray(c['volumeMounts']) ? (c['volumeMounts'] as Rec[]) : [];
  const volumes = Array.isArray(t['volumes']) ? (t['volumes'] as Rec[]) : [];
  if (mounts.length === 0 || mounts.length !== volumes.length) return undefined;
  const out: PvcMount[] = [];
  for (const m of mounts) {
    const v = volumes.find((x) => x['name'] === m['name']);
    const pvc = v && isRecord(v['persistentVolumeClaim']) ? v['persistentVolumeClaim'] : undefined;
    if (!pvc || Object.keys(v!).length !== 2 || Object.keys(pvc).length !== 1 || Object.keys(m).some((k) => k !== 'name' && k !== 'mountPath') || typeof m['mountPath'] !== 'string' || typeof pvc['claimName'] !== 'string') return undefined;
    const param = /^\{\{inputs\.parameters\.([^{}]+)\}\}$/.exec(pvc['claimName']);
    if (param) out.push({ path: m['mountPath'], param: param[1]! });
    else if (!pvc['claimName'].includes('{{')) out.push({ path: m['mountPath'], claim: pvc['claimName'] });
    else return undefined;
  }
  return out;
}

/**
 * kfp's sidecars / init containers as `.kfp` records, when each has only fields the setting
 * holds (name, image, command, args, plain env, mirrorVolumeMounts) and no Argo reference.
 */
function containerRecords(v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || /\{\{/.test(JSON.stringify(v))) return undefined;
  const out: string[] = [];
  for (const c of v as unknown[]) {
    if (!isRecord(c) || typeof c['name'] !== 'string' || typeof c['image'] !== 'string') return undefined;
    if (Object.keys(c).some((k) => !['name', 'image', 'command', 'args', 'env', 'mirrorVolumeMounts'].includes(k))) return undefined;
    const fields = [`name: ${str(c['name'])}`, `image: ${str(c['image'])}`];
    for (const k of ['command', 'args'] as const) {
      if (c[k] === undefined) continue;
      if (!Array.isArray(c[k]) || !(c[k] as unknown[]).every((x) => typeof x === 'string')) return undefined;
      fields.push(`${k}: ${literal(c[k])}`);
    }
    if (c['env'] !== undefined) {
      const env = Array.isArray(c['env']) ? (c['env'] as unknown[]) : [];
      if (!env.every((e) => isRecord(e) && typeof e['name'] === 'string' && typeof e['value'] === 'string' && Object.keys(e).length === 2)) return undefined;
      fields.push(`env: { ${(env as Rec[]).map((e) => `${recordKey(String(e['name']))}: ${str(String(e['value']))}`).join(', ')} }`);
    }
    if (c['mirrorVolumeMounts'] !== undefined) {
      if (typeof c['mirrorVolumeMounts'] !== 'boolean') return undefined;
      fields.push(`mirror_volume_mounts: ${String(c['mirrorVolumeMounts'])}`);
    }
    out.push(`{ ${fields.join(', ')} }`);
  }
  return out;
}

/** A record key as `.kfp` writes it: bare when it is a plain name. */
function recordKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !['if', 'elif', 'else', 'for', 'in', 'and', 'or', 'not', 'true', 'false', 'null', 'after', 'as', 'import', 'component', 'pipeline', 'finally', 'parallelism'].includes(k) ? k : str(k);
}

/** The sibling tasks a task waits for: its dependencies and the tasks whose outputs it reads. */
function taskRefs(t: Task): string[] {
  const refs = new Set(t.dependencies ?? []);
  for (const m of JSON.stringify(t).matchAll(/tasks\.([^.]+)\.outputs/g)) refs.add(m[1]!);
  return [...refs];
}

const NEGATION: Record<string, string> = { '==': '!=', '!=': '==', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };

/** Whether two Argo `when`s are each other's negation (`"{{x}}" == "a"` and `"{{x}}" != "a"`). */
function complementary(a: string, b: string): boolean {
  const re = /^\s*(.+?)\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$/;
  const x = re.exec(a);
  const y = re.exec(b);
  return !!x && !!y && x[1] === y[1] && x[3] === y[3] && NEGATION[x[2]!] === y[2];
}

/**
 * The lines of an else branch: `} else {` and the body, or, when the body is one `if` chain
 * and nothing else (kfp's way of writing elif: a condition nested in the complement), `} elif`.
 */
function elseOrElif(body: string[], indent: string): string[] {
  const inner = `${indent}  `;
  const top = body.filter((l) => l.startsWith(inner) && !l.startsWith(`${inner} `));
  const chain = top.length >= 2 && top[0]!.startsWith(`${inner}if `) && body[0] === top[0] && body[body.length - 1] === `${inner}}` && top.slice(1, -1).every((l) => /^\} (elif .* |else )\{$/.test(l.slice(inner.length))) && top[top.length - 1] === `${inner}}`;
  if (!chain) return [`${indent}} else {`, ...body];
  const out = body.slice(0, -1).map((l) => l.slice(2));
  out[0] = `${indent}} el${out[0]!.slice(indent.length)}`;
  return out;
}

/** Tasks in dependency order (kfp writes them sorted by name), ties kept in file order. */
function order(tasks: Task[]): Task[] {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: Task[] = [];
  const visit = (t: Task, depth: number): void => {
    if (done.has(t.name) || depth > tasks.length) return;
    done.add(t.name);
    const refs = new Set(t.dependencies ?? []);
    for (const m of JSON.stringify(t).matchAll(/tasks\.([^.]+)\.outputs/g)) refs.add(m[1]!);
    for (const d of refs) {
      const dt = byName.get(d);
      if (dt) visit(dt, depth + 1);
    }
    out.push(t);
  };
  for (const t of tasks) visit(t, 0);
  return out;
}

function specComponent(t: Rec, at: string, compSpec: ComponentSpec, compName: string, annotations: Rec, warnings: Warnings): Comp {
  const imported = importComponent(compSpec, `${at}.metadata.annotations.component_spec`, warnings, compName);
  const specArgs = new Map<string, { param?: string; artifact?: string; literal?: string }>();
  let argAnn: Rec = {};
  try {
    if (typeof annotations['pipelines.kubeflow.org/arguments.parameters'] === 'string') argAnn = JSON.parse(annotations['pipelines.kubeflow.org/arguments.parameters']) as Rec;
  } catch {
    /* handled below */
  }
  const inArtifacts = isRecord(t['inputs']) && Array.isArray(t['inputs']['artifacts']) ? (t['inputs']['artifacts'] as Rec[]) : [];
  for (const io of compSpec.inputs ?? []) {
    const a = argAnn[io.name];
    if (typeof a === 'string') {
      const m = /^\{\{inputs\.parameters\.([^}]+)\}\}$/.exec(a);
      specArgs.set(io.name, m ? { param: m[1]! } : { literal: a });
      continue;
    }
    const art = inArtifacts.find((x) => typeof x['path'] === 'string' && x['path'].split('/').slice(-2, -1)[0] === identifierish(io.name));
    if (art) specArgs.set(io.name, { artifact: String(art['name']) });
  }
  const outputs = new Map<string, string>();
  const outArts = isRecord(t['outputs']) && Array.isArray(t['outputs']['artifacts']) ? (t['outputs']['artifacts'] as Rec[]) : [];
  const outParams = isRecord(t['outputs']) && Array.isArray(t['outputs']['parameters']) ? (t['outputs']['parameters'] as Rec[]) : [];
  for (const o of compSpec.outputs ?? []) {
    const kfpName = imported.outputs.get(o.name)!;
    for (const x of [...outArts, ...outParams.map((p) => ({ name: p['name'], path: isRecord(p['valueFrom']) ? p['valueFrom']['path'] : undefined }))]) {
      if (typeof x['path'] === 'string' && x['path'].split('/').slice(-2, -1)[0] === identifierish(o.name)) outputs.set(String(x['name']), kfpName);
    }
  }
  // An untyped output of a container component that the workflow also reads as a parameter was
  // passed on as a value too (kfp reads the file's text): `str`, which in .kfp is a file the
  // command writes that fits value and file inputs alike (an untyped `file` would fit no value input).
  const retyped = new Set<string>();
  if (!/^\s*```python/m.test(imported.text)) {
    for (const o of compSpec.outputs ?? []) {
      const name = imported.outputs.get(o.name)!;
      const asParameter = outParams.some((p) => isRecord(p['valueFrom']) && typeof p['valueFrom']['path'] === 'string' && p['valueFrom']['path'].split('/').slice(-2, -1)[0] === identifierish(o.name));
      if (!imported.fileOutputs.has(o.name) || o.type !== undefined || !asParameter) continue;
      const header = new RegExp(`^(component [^\\n]*->[^\\n]*\\b${name}: )file\\b`, 'm');
      if (!header.test(imported.text)) continue;
      imported.text = imported.text.replace(header, '$1str');
      imported.fileOutputs.delete(o.name);
      retyped.add(name);
    }
  }
  const specOutTypes = new Map((compSpec.outputs ?? []).map((o) => [imported.outputs.get(o.name)!, imported.fileOutputs.has(o.name) ? 'file' : valueType(o.type)]));
  return { imported, specArgs, outputs, specOutTypes, retyped, single: (compSpec.outputs ?? []).filter((o) => !['mlpipeline_metrics', 'mlpipeline_ui_metadata', 'MLPipeline UI metadata', 'MLPipeline Metrics'].includes(o.name)).length === 1 };
}

/** kfp's `_sanitize_python_function_name`-like path segment: `Output 1` → `Output_1`. */
function identifierish(name: string): string {
  return name.replace(/[^A-Za-z0-9_]+/g, '_');
}

/** A ContainerOp's template as a container component: inputs are its parameters, fixed output paths are copied out. */
function opComponent(t: Rec, at: string, compName: string, warnings: Warnings, why?: string, inputNames?: Map<string, string>): Comp {
  const c = t['container'] as Rec;
  const inParams = isRecord(t['inputs']) && Array.isArray(t['inputs']['parameters']) ? (t['inputs']['parameters'] as Rec[]) : [];
  const names = new NameTable();
  const opInputs = new Map<string, string>();
  const mounts = pvcMounts(t);
  // An input that only carries a claim name for a mount is the task's `mount` setting, not an input.
  const carriers = new Set((mounts ?? []).map((m) => m.param));
  const used = JSON.stringify(c);
  for (const p of inParams) if (!carriers.has(String(p['name'])) || used.includes(`{{inputs.parameters.${String(p['name'])}}}`)) opInputs.set(String(p['name']), names.name(`in:${p['name']}`, inputNames?.get(String(p['name'])) ?? identifier(String(p['name']))));
  // A file input whose path the command names (kfp's InputArgumentPath) is a `file` input there.
  const argvText = [...(Array.isArray(c['command']) ? c['command'] : []), ...(Array.isArray(c['args']) ? c['args'] : [])].map(String);
  const opFiles = new Map<string, string>();
  const filePaths = new Map<string, string>(); // path → .kfp input name
  for (const a of isRecord(t['inputs']) && Array.isArray(t['inputs']['artifacts']) ? (t['inputs']['artifacts'] as Rec[]) : []) {
    const path = a['path'];
    if (typeof path !== 'string' || !argvText.includes(path) || a['raw'] !== undefined) continue;
    const n = names.name(`in:${String(a['name'])}`, inputNames?.get(String(a['name'])) ?? identifier(String(a['name'])));
    opFiles.set(String(a['name']), n);
    filePaths.set(path, n);
  }
  const outs = isRecord(t['outputs']) ? t['outputs'] : {};
  const outPaths = new Map<string, string>(); // path → .kfp output name
  const outputs = new Map<string, string>();
  const prefix = `${String(t['name'])}-`;
  for (const p of [...(Array.isArray(outs['parameters']) ? (outs['parameters'] as Rec[]) : []), ...(Array.isArray(outs['artifacts']) ? (outs['artifacts'] as Rec[]) : [])]) {
    const path = isRecord(p['valueFrom']) ? p['valueFrom']['path'] : p['path'];
    const argoName = String(p['name']);
    if (typeof path !== 'string' || ['mlpipeline-ui-metadata', 'mlpipeline-metrics'].includes(argoName)) continue;
    const short = argoName.startsWith(prefix) ? argoName.slice(prefix.length) : argoName;
    const n = outPaths.get(path) ?? names.name(`out:${path}`, identifier(short));
    outPaths.set(path, n);
    outputs.set(argoName, n);
  }
  const sub = (v: unknown): string => {
    if (typeof v !== 'string') return str(String(v));
    if (filePaths.has(v)) return filePaths.get(v)!;
    const parts = splitRefs(v).map((p) => {
      const m = p.ref ? /^inputs\.parameters\.(.+)$/.exec(p.ref) : null;
      return m && opInputs.has(m[1]!) ? opInputs.get(m[1]!)! : str(p.text);
    });
    return parts.length === 1 ? parts[0]! : parts.length === 0 ? '""' : `concat(${parts.join(', ')})`;
  };
  const argv = [...(Array.isArray(c['command']) ? c['command'] : []), ...(Array.isArray(c['args']) ? c['args'] : [])];
  const items: string[] = [];
  if (why) items.push(`  # The compiled template, not its component_spec: ${why}.`);
  items.push(`  image: ${str(String(c['image'] ?? ''))}`);
  const outList = [...new Set(outPaths.values())];
  if (outList.length === 0) {
    if (Array.isArray(c['command']) && c['command'].length) items.push(`  command: [${c['command'].map(sub).join(', ')}]`);
    if (Array.isArray(c['args']) && c['args'].length) items.push(`  args: [${c['args'].map(sub).join(', ')}]`);
  } else {
    // kfp's ContainerOp writes its outputs at fixed paths (file_outputs); a .kfp output is a
    // path given to the program. Run the original command, then copy each fixed path there.
    const paths = [...outPaths.keys()];
    const script = [`${paths.map((_, i) => `o${i}="$${i}"`).join('; ')}; shift ${paths.length - 1}`, '"$@"', ...paths.map((p, i) => `mkdir -p "$(dirname "$o${i}")"; cp ${shellQuote(p)} "$o${i}"`)].join('\n');
    items.push(`  # The original command is run unchanged; its fixed output files are then copied to the outputs' paths.`);
    items.push(`  command: ["sh", "-ec", ${str(script)}, ${paths.map((p) => outPaths.get(p)!).join(', ')}, ${argv.map(sub).join(', ')}]`);
    if (argv.length === 0) items.push(notTranslated('  ', warnings.add(`${at}.container`, 'a container with outputs and no command (the image entrypoint)')));
  }
  const extra = Object.keys(c).filter((k) => !['image', 'command', 'args', 'resources', 'env', 'imagePullPolicy'].includes(k) && !(k === 'volumeMounts' && mounts));
  if (extra.length) items.push(notTranslated('  ', warnings.add(`${at}.container`, `container fields ${extra.join(', ')}`)));
  const header = `component ${compName}(${[...[...opInputs.values()].map((n) => `${n}: __TYPE_${n}__`), ...[...opFiles.values()].map((n) => `${n}: file`)].join(', ')})${outList.length ? ` -> (${outList.map((o) => `${o}: __OTYPE_${o}__`).join(', ')})` : ''}`;
  const imported: ImportedComponent = { name: compName, text: `${header} {\n${items.join('\n')}\n}\n`, inputs: new Map(), outputs: new Map(), fileOutputs: new Set() };
  return { imported, outputs, single: outList.length === 1, opInputs, opFiles, variants: [], outTypes: new Map() };
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Task settings from a container template: those with a `.kfp` form, and comments for the rest. */
function taskSettings(t: Rec, at: string, warnings: Warnings): { items: string[]; comments: string[] } {
  const items: string[] = [];
  const comments: string[] = [];
  const c = isRecord(t['container']) ? t['container'] : {};
  const res = isRecord(c['resources']) ? c['resources'] : {};
  const req = isRecord(res['requests']) ? res['requests'] : {};
  const lim = isRecord(res['limits']) ? { ...res['limits'] } : {};
  for (const [k, key] of [['cpu', 'cpu'], ['memory', 'memory'], ['ephemeral-storage', 'ephemeral_storage']] as const) {
    const r = req[k];
    const l = lim[k];
    delete lim[k];
    if (r !== undefined && l !== undefined) items.push(r === l ? `${key}: ${literal(r)}` : `${key}: ${literal(r)} .. ${literal(l)}`);
    else if (r !== undefined) items.push(`${key}_request: ${literal(r)}`);
    else if (l !== undefined) items.push(`${key}_limit: ${literal(l)}`);
  }
  for (const [k, v] of Object.entries(lim)) {
    if (k === 'nvidia.com/gpu') items.push(`gpu: ${literal(Number(v))}`);
    else if (k === 'amd.com/gpu') items.push(`gpu: ${literal(Number(v))}`, 'gpu_vendor: "amd"');
    else comments.push(notTranslated('', warnings.add(`${at}.container.resources.limits`, `the resource limit \`${k}\``)));
  }
  if (typeof c['imagePullPolicy'] === 'string') items.push(`image_pull_policy: ${str(c['imagePullPolicy'])}`);
  if (Array.isArray(c['env'])) {
    const env: string[] = [];
    for (const e of c['env'] as Rec[]) {
      const vf = isRecord(e['valueFrom']) ? e['valueFrom'] : undefined;
      const sk = vf && isRecord(vf['secretKeyRef']) ? vf['secretKeyRef'] : undefined;
      const ck = vf && isRecord(vf['configMapKeyRef']) ? vf['configMapKeyRef'] : undefined;
      if (typeof e['value'] === 'string' && !e['value'].includes('{{')) env.push(`${literalKey(String(e['name']))}: ${str(e['value'])}`);
      else if (sk) env.push(`${literalKey(String(e['name']))}: secret(${str(String(sk['name']))}, ${str(String(sk['key']))})`);
      else if (ck) env.push(`${literalKey(String(e['name']))}: config_map(${str(String(ck['name']))}, ${str(String(ck['key']))})`);
      else comments.push(notTranslated('', warnings.add(`${at}.container.env`, `the environment variable \`${String(e['name'])}\``)));
    }
    if (env.length) items.push(`env: { ${env.join(', ')} }`);
  }
  const rs = t['retryStrategy'];
  if (isRecord(rs)) {
    if (rs['limit'] !== undefined) items.push(`retry: ${literal(Number(rs['limit']))}`);
    if (typeof rs['retryPolicy'] === 'string') items.push(`retry_policy: ${str(rs['retryPolicy'])}`);
    const b = isRecord(rs['backoff']) ? rs['backoff'] : {};
    if (b['duration'] !== undefined) items.push(`backoff: ${literal(b['duration'])}`);
    if (b['factor'] !== undefined) items.push(`backoff_factor: ${literal(b['factor'])}`);
    if (b['maxDuration'] !== undefined) items.push(`backoff_max: ${literal(b['maxDuration'])}`);
  }
  if (t['activeDeadlineSeconds'] !== undefined) items.push(`timeout: ${literal(Number(t['activeDeadlineSeconds']))}`);
  if (isRecord(t['nodeSelector'])) items.push(`node_selector: ${literal(t['nodeSelector'])}`);
  if (Array.isArray(t['tolerations'])) items.push(`tolerations: ${literal(t['tolerations'])}`);
  if (isRecord(t['affinity'])) items.push(`affinity: ${literal(t['affinity'])}`);
  const md = isRecord(t['metadata']) ? t['metadata'] : {};
  const labels = isRecord(md['labels']) ? md['labels'] : {};
  if (labels['pipelines.kubeflow.org/enable_caching'] === 'false') items.push('cache: false');
  const ann = isRecord(md['annotations']) ? md['annotations'] : {};
  if (typeof ann['pipelines.kubeflow.org/max_cache_staleness'] === 'string') items.push(`max_cache_staleness: ${str(ann['pipelines.kubeflow.org/max_cache_staleness'])}`);
  if (typeof ann['pipelines.kubeflow.org/task_display_name'] === 'string') items.push(`display_name: ${str(ann['pipelines.kubeflow.org/task_display_name'])}`);
  for (const [k, setting] of [['sidecars', 'sidecars'], ['initContainers', 'init_containers']] as const) {
    const list = containerRecords(t[k]);
    if (list !== undefined) items.push(`${setting}: [${list.join(', ')}]`);
  }
  for (const k of Object.keys(t)) {
    if (k === 'volumes' && pvcMounts(t)) continue;
    if ((k === 'sidecars' || k === 'initContainers') && containerRecords(t[k]) !== undefined) continue;
    if (HANDLED_TEMPLATE_KEYS.has(k) || ['retryStrategy', 'activeDeadlineSeconds', 'nodeSelector', 'tolerations', 'affinity'].includes(k)) continue;
    comments.push(notTranslated('', warnings.add(`${at}.${k}`, `the template field \`${k}\``)));
  }
  return { items, comments };
}

function literalKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : str(k);
}

function pipelineSettings(spec: Rec, warnings: Warnings): string[] {
  const out: string[] = [];
  const handled = new Set(['entrypoint', 'templates', 'arguments', 'serviceAccountName', 'onExit']);
  if (typeof spec['serviceAccountName'] === 'string' && spec['serviceAccountName'] !== 'pipeline-runner') out.push(`  service_account: ${str(spec['serviceAccountName'])}`);
  if (spec['activeDeadlineSeconds'] !== undefined) out.push(`  timeout: ${literal(Number(spec['activeDeadlineSeconds']))}`), handled.add('activeDeadlineSeconds');
  if (spec['parallelism'] !== undefined) out.push(`  parallelism: ${literal(Number(spec['parallelism']))}`), handled.add('parallelism');
  if (isRecord(spec['ttlStrategy']) && spec['ttlStrategy']['secondsAfterCompletion'] !== undefined) out.push(`  ttl: ${literal(Number(spec['ttlStrategy']['secondsAfterCompletion']))}`), handled.add('ttlStrategy');
  if (Array.isArray(spec['imagePullSecrets'])) {
    handled.add('imagePullSecrets');
    const names = (spec['imagePullSecrets'] as Rec[]).map((s) => (isRecord(s) ? s['name'] : undefined));
    // No Kubernetes secret can be named `secretA`, so such an entry names nothing: the kubelet
    // pulls without it. kfp passes it through; .kfp refuses it (KFP4027), so it stays a comment.
    const bad = names.filter((n) => typeof n !== 'string' || !isDnsSubdomain(n));
    bad.forEach((n) => out.push(notTranslated('  ', warnings.add('spec.imagePullSecrets', `the image pull secret ${typeof n === 'string' ? `\`${n}\`` : 'without a name'}: not a valid Kubernetes name, so no secret can have it and the pull goes without it`, 'rename the secret in the cluster (e.g. `secret-a`) and list that name in `image_pull_secrets`'))));
    const good = names.filter((n) => typeof n === 'string' && isDnsSubdomain(n));
    if (good.length) out.push(`  image_pull_secrets: ${literal(good)}`);
  }
  if (isRecord(spec['nodeSelector'])) out.push(`  node_selector: ${literal(spec['nodeSelector'])}`), handled.add('nodeSelector');
  const pdb = spec['podDisruptionBudget'];
  if (isRecord(pdb) && pdb['minAvailable'] !== undefined && Object.keys(pdb).length === 1) out.push(`  pod_disruption_budget: ${literal(pdb['minAvailable'])}`), handled.add('podDisruptionBudget');
  for (const k of Object.keys(spec)) if (!handled.has(k)) out.push(notTranslated('  ', warnings.add(`spec.${k}`, `the workflow field \`${k}\``)));
  return out;
}
