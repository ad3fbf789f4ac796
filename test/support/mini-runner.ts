// A tiny local executor for compiled Argo Workflows, for tests only: DAG templates (nested
// allowed), container templates run with the real `sh`/`python3` found on PATH, input and output
// parameters, and output artifacts passed between tasks, loops (`withItems`, `withParam`,
// `{{item}}`, `{{item.field}}`, aggregated loop outputs), `when` (comparisons of quoted text or
// numbers joined by `&&`, `||`, `!` and parentheses: a task whose `when` is false is skipped, its
// outputs absent), and DAG templates that call themselves (kfp v1's recursive graph components,
// up to MAX_NESTING), and the workflow's exit handler (`spec.onExit`, run after the entrypoint
// whether or not it failed). No retries, lifecycle hooks, images or pods: any such field makes it
// throw rather than guess.
//
// Tasks run one at a time, but the runner schedules a DAG's children the way Argo does and
// records it: a DAG template's `parallelism` caps how many of the DAG's child nodes are active at
// once, where the iterations of an expanded task are children of the DAG that holds the task
// (Argo's boundary: countActiveChildren). `dags` reports, per DAG invocation, the most children
// that Argo would have had active together: the independent check of where a limit lands.
//
// Container paths (declared `inputs.artifacts[].path`, `outputs.*[].path`) are remapped to a
// per-task directory under `workDir`, and every argv element has those paths rewritten.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HANG_CAP_MS } from './caps.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string') throw new Error(`mini-runner: ${what} is not a string`);
  return v;
};

export interface TaskRun {
  /** Path of the task in the DAG, e.g. `sum` or `condition-1/echo`. */
  readonly path: string;
  readonly template: string;
  /** The component's `name` from the template's component_spec annotation, if any. */
  readonly component: string | undefined;
  /** The argv that was executed (after substitution and path remapping). */
  readonly argv: readonly string[];
  readonly stdout: string;
  /** Output parameter name → value. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Output artifact name → local file path. */
  readonly artifacts: Readonly<Record<string, string>>;
}

export interface DagRun {
  /** Path of the DAG node, `''` for the entrypoint. */
  readonly path: string;
  readonly template: string;
  /** The most child nodes (tasks, loop iterations) active at once under the template's `parallelism`. */
  readonly maxActive: number;
  /** How many child nodes it ran. */
  readonly children: number;
}

export interface RunResult {
  /** Tasks in the order they ran. */
  readonly tasks: TaskRun[];
  readonly dags: DagRun[];
}

type Outputs = { parameters: Record<string, string>; artifacts: Record<string, string> };

/** Argo's aggregated output of an expanded task: a JSON list, values that are JSON objects or lists kept as JSON. */
function aggregate(values: readonly string[]): string {
  return JSON.stringify(values.map((v) => {
    try {
      const parsed: unknown = JSON.parse(v);
      return typeof parsed === 'object' && parsed !== null ? parsed : v;
    } catch {
      return v;
    }
  }));
}

interface Inputs {
  readonly parameters: Record<string, string>;
  readonly artifacts: Record<string, string>;
}

const UNSUPPORTED_TASK_KEYS = ['withSequence', 'depends', 'continueOn', 'onExit', 'hooks'];

/** DAGs inside DAGs, recursive ones included: deeper than this, the runner throws. */
const MAX_NESTING = 100;

/**
 * Evaluates an Argo `when` after substitution, as govaluate would for what the compilers write:
 * `"a" == "b"` compares text, `3 > 2.5` numbers; `&&`, `||`, `!` and parentheses combine them.
 */
export function evaluateWhen(expr: string): boolean {
  const tokens = expr.match(/"(?:[^"\\]|\\.)*"|&&|\|\||==|!=|<=|>=|<|>|!|\(|\)|[^\s()!<>=&|"]+/g) ?? [];
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const next = (): string => {
    const t = tokens[at++];
    if (t === undefined) throw new Error(`mini-runner: when '${expr}' ends too early`);
    return t;
  };
  const operand = (): string | number => {
    const t = next();
    if (t.startsWith('"')) return JSON.parse(t) as string;
    const n = Number(t);
    if (Number.isNaN(n)) throw new Error(`mini-runner: when '${expr}': ${t} is neither quoted nor a number`);
    return n;
  };
  const primary = (): boolean => {
    if (peek() === '!') {
      next();
      return !primary();
    }
    if (peek() === '(') {
      next();
      const v = or();
      if (next() !== ')') throw new Error(`mini-runner: when '${expr}': unbalanced parentheses`);
      return v;
    }
    const left = operand();
    const op = next();
    const right = operand();
    switch (op) {
      case '==': return left === right;
      case '!=': return left !== right;
      case '<': return left < right;
      case '<=': return left <= right;
      case '>': return left > right;
      case '>=': return left >= right;
      default: throw new Error(`mini-runner: when '${expr}': unknown operator ${op}`);
    }
  };
  const and = (): boolean => {
    let v = primary();
    while (peek() === '&&') {
      next();
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek() === '||') {
      next();
      v = or() || v;
    }
    return v;
  };
  const v = or();
  if (at !== tokens.length) throw new Error(`mini-runner: when '${expr}': unexpected ${tokens[at]}`);
  return v;
}

export class MiniRunner {
  private readonly templates = new Map<string, Obj>();
  private readonly workflowParams: Record<string, string> = {};
  private readonly runs: TaskRun[] = [];
  private readonly dags: DagRun[] = [];
  private counter = 0;

  constructor(
    private readonly workflow: unknown,
    private readonly workDir: string,
    overrides: Record<string, string> = {},
  ) {
    const spec = obj(obj(workflow)['spec']);
    for (const t of arr(spec['templates'])) this.templates.set(str(t['name'], 'template name'), t);
    for (const p of arr(obj(spec['arguments'])['parameters'])) {
      const name = str(p['name'], 'workflow parameter name');
      const value = overrides[name] ?? p['value'];
      if (value !== undefined) this.workflowParams[name] = String(value);
    }
    for (const [k, v] of Object.entries(overrides)) this.workflowParams[k] ??= v;
  }

  /** Run the entrypoint; its inputs come from the workflow parameters, as in Argo. */
  run(): RunResult {
    const spec = obj(obj(this.workflow)['spec']);
    const entry = str(spec['entrypoint'], 'spec.entrypoint');
    let failure: unknown;
    try {
      this.runTemplate(entry, '', { parameters: { ...this.workflowParams }, artifacts: {} });
    } catch (e) {
      failure = e;
    }
    // The exit handler runs after the entrypoint, whether it succeeded or not, as in Argo; it
    // takes no arguments (kfp's exit op reads only workflow parameters).
    if (spec['onExit'] !== undefined) this.runTemplate(str(spec['onExit'], 'spec.onExit'), str(spec['onExit'], 'spec.onExit'), { parameters: {}, artifacts: {} });
    if (failure !== undefined) throw failure;
    return { tasks: [...this.runs], dags: [...this.dags] };
  }

  private template(name: string): Obj {
    const t = this.templates.get(name);
    if (!t) throw new Error(`mini-runner: no template ${name}`);
    return t;
  }

  /** Bind a template's declared inputs from the caller's values (or the template's defaults). */
  private bindInputs(t: Obj, given: Inputs): Inputs {
    const inputs = obj(t['inputs']);
    const parameters: Record<string, string> = {};
    for (const p of arr(inputs['parameters'])) {
      const name = str(p['name'], 'input parameter name');
      const v = given.parameters[name] ?? (p['value'] === undefined ? undefined : String(p['value']));
      if (v === undefined) throw new Error(`mini-runner: template ${String(t['name'])}: no value for input parameter ${name}`);
      parameters[name] = v;
    }
    const artifacts: Record<string, string> = {};
    for (const a of arr(inputs['artifacts'])) {
      const name = str(a['name'], 'input artifact name');
      const v = given.artifacts[name];
      if (v === undefined) throw new Error(`mini-runner: template ${String(t['name'])}: no input artifact ${name}`);
      artifacts[name] = v;
    }
    return { parameters, artifacts };
  }

  /** Runs a template; returns its output parameters and artifacts (artifact → local file). */
  private runTemplate(name: string, path: string, given: Inputs): { parameters: Record<string, string>; artifacts: Record<string, string> } {
    if (path.split('/').length > MAX_NESTING) throw new Error(`mini-runner: DAGs nested deeper than ${MAX_NESTING} at ${path}`);
    const t = this.template(name);
    const inputs = this.bindInputs(t, given);
    if (isObj(t['dag'])) return this.runDag(t, path, inputs);
    if (isObj(t['container'])) return this.runContainer(t, path, inputs);
    throw new Error(`mini-runner: template ${name} is neither a dag nor a container template`);
  }

  private runDag(t: Obj, path: string, inputs: Inputs): { parameters: Record<string, string>; artifacts: Record<string, string> } {
    const tasks = arr(obj(t['dag'])['tasks']);
    const done = new Map<string, { parameters: Record<string, string>; artifacts: Record<string, string> }>();
    const subst = (text: string): string =>
      text.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (whole, ref: string) => {
        let m: RegExpExecArray | null;
        if ((m = /^inputs\.parameters\.(.+)$/.exec(ref))) return need(inputs.parameters[m[1]!], whole);
        if ((m = /^workflow\.parameters\.(.+)$/.exec(ref))) return need(this.workflowParams[m[1]!], whole);
        if ((m = /^tasks\.([^.]+)\.outputs\.parameters\.(.+)$/.exec(ref))) return need(done.get(m[1]!)?.parameters[m[2]!], whole);
        throw new Error(`mini-runner: unsupported placeholder ${whole} in DAG ${String(t['name'])}`);
      });
    const artifactFrom = (from: string): string => {
      let m: RegExpExecArray | null;
      if ((m = /^\{\{inputs\.artifacts\.(.+)\}\}$/.exec(from))) return need(inputs.artifacts[m[1]!], from);
      if ((m = /^\{\{tasks\.([^.]+)\.outputs\.artifacts\.(.+)\}\}$/.exec(from))) return need(done.get(m[1]!)?.artifacts[m[2]!], from);
      throw new Error(`mini-runner: unsupported artifact source ${from}`);
    };
    const capacity = typeof t['parallelism'] === 'number' && t['parallelism'] > 0 ? t['parallelism'] : Infinity;
    let maxActive = 0;
    let children = 0;
    const pending = [...tasks];
    while (pending.length > 0) {
      // Every task whose dependencies are done is ready; each contributes one child node, or one per item.
      const ready = pending.filter((task) => ((task['dependencies'] as string[] | undefined) ?? []).every((d) => done.has(d)));
      if (ready.length === 0) throw new Error(`mini-runner: DAG ${String(t['name'])} has unsatisfiable dependencies`);
      const wave: { task: Obj; item?: { value: unknown } }[] = [];
      const skipped = new Set<string>();
      for (const task of ready) {
        pending.splice(pending.indexOf(task), 1);
        const taskName = str(task['name'], 'task name');
        for (const k of UNSUPPORTED_TASK_KEYS) if (task[k] !== undefined) throw new Error(`mini-runner: task ${taskName}: ${k} is not supported`);
        if (task['when'] !== undefined && !evaluateWhen(subst(str(task['when'], 'when')))) {
          // Skipped, as Argo does: it counts as done for its dependents and has no outputs.
          skipped.add(taskName);
          continue;
        }
        if (task['withItems'] !== undefined || task['withParam'] !== undefined) {
          const items = task['withItems'] !== undefined ? task['withItems'] : (JSON.parse(subst(str(task['withParam'], 'withParam'))) as unknown);
          if (!Array.isArray(items)) throw new Error(`mini-runner: task ${taskName}: the items are not a list`);
          for (const value of items) wave.push({ task, item: { value } });
        } else wave.push({ task });
      }
      for (const name of skipped) done.set(name, { parameters: {}, artifacts: {} });
      const results = new Map<string, Outputs[]>();
      // Argo starts at most `parallelism` of the DAG's children at a time; the others wait for a slot.
      for (let at = 0; at < wave.length; at += capacity) {
        const batch = wave.slice(at, at + capacity);
        maxActive = Math.max(maxActive, batch.length);
        for (const { task, item } of batch) {
          const taskName = str(task['name'], 'task name');
          const index = results.get(taskName)?.length ?? 0;
          const out = this.runTask(task, (text) => subst(item ? substItem(text, item.value) : text), artifactFrom, item ? `${path ? `${path}/` : ''}${taskName}(${index})` : path ? `${path}/${taskName}` : taskName);
          results.set(taskName, [...(results.get(taskName) ?? []), out]);
          children++;
        }
      }
      for (const task of ready) {
        const name = str(task['name'], 'task name');
        if (skipped.has(name)) continue;
        const outs = results.get(name) ?? [];
        if (task['withItems'] === undefined && task['withParam'] === undefined) done.set(name, outs[0]!);
        else {
          const names = new Set(outs.flatMap((o) => Object.keys(o.parameters)));
          done.set(name, { parameters: Object.fromEntries([...names].map((n) => [n, aggregate(outs.map((o) => o.parameters[n] ?? ''))])), artifacts: {} });
        }
      }
    }
    this.dags.push({ path, template: str(t['name'], 'template name'), maxActive, children });
    // DAG outputs (for nested DAGs).
    const outputs = obj(t['outputs']);
    const parameters: Record<string, string> = {};
    for (const p of arr(outputs['parameters'])) parameters[str(p['name'], 'output name')] = subst(str(obj(p['valueFrom'])['parameter'], 'valueFrom.parameter'));
    const artifacts: Record<string, string> = {};
    for (const a of arr(outputs['artifacts'])) artifacts[str(a['name'], 'output name')] = artifactFrom(str(a['from'], 'artifact from'));
    return { parameters, artifacts };
  }

  /** One child node of a DAG: a task, or one iteration of an expanded task. */
  private runTask(task: Obj, subst: (text: string) => string, artifactFrom: (from: string) => string, path: string): Outputs {
    const taskName = str(task['name'], 'task name');
    const args = obj(task['arguments']);
    const parameters: Record<string, string> = {};
    for (const p of arr(args['parameters'])) parameters[str(p['name'], 'argument name')] = subst(String(p['value'] ?? ''));
    const artifacts: Record<string, string> = {};
    for (const a of arr(args['artifacts'])) {
      const an = str(a['name'], 'artifact argument name');
      if (typeof a['from'] === 'string') artifacts[an] = artifactFrom(a['from']);
      else if (isObj(a['raw'])) artifacts[an] = this.rawFile(subst(String(a['raw']['data'] ?? '')));
      else throw new Error(`mini-runner: task ${taskName}: unsupported artifact argument ${an}`);
    }
    return this.runTemplate(str(task['template'], 'task template'), path, { parameters, artifacts });
  }

  private rawFile(data: string): string {
    const p = join(this.workDir, 'raw', String(this.counter++));
    writeFile(p, data);
    return p;
  }

  private runContainer(t: Obj, path: string, inputs: Inputs): { parameters: Record<string, string>; artifacts: Record<string, string> } {
    const name = str(t['name'], 'template name');
    const c = obj(t['container']);
    const root = join(this.workDir, 'tasks', path.replace(/\//g, '__') || name);
    const remap = new Map<string, string>();
    const local = (p: string): string => {
      const l = join(root, p);
      remap.set(p, l);
      return l;
    };
    // Input artifacts are copied to where the container expects them.
    for (const a of arr(obj(t['inputs'])['artifacts'])) {
      const an = str(a['name'], 'input artifact name');
      const target = local(str(a['path'], `input artifact ${an} path`));
      mkdirSync(dirname(target), { recursive: true });
      const source = inputs.artifacts[an];
      if (source !== undefined) copyFileSync(source, target);
      else if (isObj(a['raw'])) writeFile(target, String(a['raw']['data'] ?? ''));
    }
    const outputs = obj(t['outputs']);
    for (const p of arr(outputs['parameters'])) local(str(obj(p['valueFrom'])['path'], 'output parameter valueFrom.path'));
    for (const a of arr(outputs['artifacts'])) local(str(a['path'], 'output artifact path'));

    const paths = [...remap.keys()].sort((a, b) => b.length - a.length);
    const expand = (s: string): string => {
      let out = s.replace(/\{\{\s*inputs\.parameters\.([^{}]+?)\s*\}\}/g, (whole, n: string) => need(inputs.parameters[n], whole));
      for (const p of paths) out = out.split(p).join(remap.get(p)!);
      if (/\{\{[^}]*\}\}/.test(out)) throw new Error(`mini-runner: template ${name}: unresolved placeholder in ${JSON.stringify(out.slice(0, 80))}`);
      return out;
    };
    const argv = [...((c['command'] as unknown[] | undefined) ?? []), ...((c['args'] as unknown[] | undefined) ?? [])].map((x) => expand(String(x)));
    if (argv.length === 0) throw new Error(`mini-runner: template ${name} has no command`);
    // TMPDIR inside the work dir: kfp's `sh -ec` wrapper mktemp's the program file and never deletes it.
    const tmp = join(root, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: HANG_CAP_MS, env: { ...process.env, TMPDIR: tmp } });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`mini-runner: task ${path} (template ${name}) exited with ${r.status}:\n${r.stderr}`);

    const parameters: Record<string, string> = {};
    for (const p of arr(outputs['parameters'])) {
      const file = remap.get(str(obj(p['valueFrom'])['path'], 'path'))!;
      if (!existsSync(file)) throw new Error(`mini-runner: task ${path}: output file ${file} was not written`);
      // Argo trims one trailing newline "for user convenience" (`echo x > out` gives `x`).
      parameters[str(p['name'], 'output parameter name')] = readFileSync(file, 'utf8').replace(/\n$/, '');
    }
    const artifacts: Record<string, string> = {};
    for (const a of arr(outputs['artifacts'])) {
      const file = remap.get(str(a['path'], 'path'))!;
      if (!existsSync(file)) throw new Error(`mini-runner: task ${path}: output artifact ${file} was not written`);
      artifacts[str(a['name'], 'output artifact name')] = file;
    }
    this.runs.push({ path, template: name, component: componentName(t), argv, stdout: r.stdout, parameters, artifacts });
    return { parameters, artifacts };
  }
}

/** `{{item}}` (JSON for maps and lists) and `{{item.field}}` of one loop item. */
function substItem(text: string, item: unknown): string {
  const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  return text.replace(/\{\{item(?:\.([^{}]+))?\}\}/g, (whole, field: string | undefined) => {
    if (field === undefined) return asText(item);
    if (typeof item !== 'object' || item === null || !Object.hasOwn(item, field)) throw new Error(`mini-runner: cannot resolve ${whole}`);
    return asText((item as Record<string, unknown>)[field]);
  });
}

function need(v: string | undefined, what: string): string {
  if (v === undefined) throw new Error(`mini-runner: cannot resolve ${what}`);
  return v;
}

function writeFile(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/** The component name recorded in a template's `pipelines.kubeflow.org/component_spec` annotation. */
export function componentName(template: unknown): string | undefined {
  const ann = obj(obj(obj(template)['metadata'])['annotations'])['pipelines.kubeflow.org/component_spec'];
  if (typeof ann !== 'string') return undefined;
  const n = obj(JSON.parse(ann) as unknown)['name'];
  return typeof n === 'string' ? n : undefined;
}

/** Run a workflow in `workDir` with the given workflow-parameter values. */
export function runWorkflow(workflow: unknown, workDir: string, parameters: Record<string, string> = {}): RunResult {
  return new MiniRunner(workflow, workDir, parameters).run();
}
