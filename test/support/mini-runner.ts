// A tiny local executor for compiled Argo Workflows, for tests only: DAG templates (nested
// allowed), container templates run with the real `sh`/`python3` found on PATH, input and output
// parameters, and output artifacts passed between tasks. No conditions, loops, retries, exit
// handlers, images or pods: any such field makes it throw rather than guess.
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

export interface RunResult {
  /** Tasks in the order they ran. */
  readonly tasks: TaskRun[];
}

interface Inputs {
  readonly parameters: Record<string, string>;
  readonly artifacts: Record<string, string>;
}

const UNSUPPORTED_TASK_KEYS = ['when', 'withItems', 'withParam', 'withSequence', 'depends', 'continueOn', 'onExit', 'hooks'];

export class MiniRunner {
  private readonly templates = new Map<string, Obj>();
  private readonly workflowParams: Record<string, string> = {};
  private readonly runs: TaskRun[] = [];
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
    if (spec['onExit'] !== undefined) throw new Error('mini-runner: onExit is not supported');
  }

  /** Run the entrypoint; its inputs come from the workflow parameters, as in Argo. */
  run(): RunResult {
    const spec = obj(obj(this.workflow)['spec']);
    const entry = str(spec['entrypoint'], 'spec.entrypoint');
    this.runTemplate(entry, '', { parameters: { ...this.workflowParams }, artifacts: {} });
    return { tasks: [...this.runs] };
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
    const pending = [...tasks];
    while (pending.length > 0) {
      const i = pending.findIndex((task) => ((task['dependencies'] as string[] | undefined) ?? []).every((d) => done.has(d)));
      if (i < 0) throw new Error(`mini-runner: DAG ${String(t['name'])} has unsatisfiable dependencies`);
      const task = pending.splice(i, 1)[0]!;
      const taskName = str(task['name'], 'task name');
      for (const k of UNSUPPORTED_TASK_KEYS) if (task[k] !== undefined) throw new Error(`mini-runner: task ${taskName}: ${k} is not supported`);
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
      const out = this.runTemplate(str(task['template'], 'task template'), path ? `${path}/${taskName}` : taskName, { parameters, artifacts });
      done.set(taskName, out);
    }
    // DAG outputs (for nested DAGs).
    const outputs = obj(t['outputs']);
    const parameters: Record<string, string> = {};
    for (const p of arr(outputs['parameters'])) parameters[str(p['name'], 'output name')] = subst(str(obj(p['valueFrom'])['parameter'], 'valueFrom.parameter'));
    const artifacts: Record<string, string> = {};
    for (const a of arr(outputs['artifacts'])) artifacts[str(a['name'], 'output name')] = artifactFrom(str(a['from'], 'artifact from'));
    return { parameters, artifacts };
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
      parameters[str(p['name'], 'output parameter name')] = readFileSync(file, 'utf8');
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
