/**
 * What of a v2 pipeline spec the local run cannot carry out, found before anything runs: each
 * problem with its path in the spec (`root.dag.tasks.x.triggerPolicy.condition`), which the
 * CLI turns into a located KFP0112. Runtime-only facts (a value that is not a list, an output
 * file that is missing) are the failing task's message instead.
 */
import { arr, isObj, obj, str, type Obj } from '../spec.js';
import { parseCel } from './cel.js';
import { unfillable } from './placeholders.js';
import type { V2Spec } from './spec.js';
import { selectorField } from './values.js';

export interface SpecProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const STRATEGIES = new Set(['ALL_UPSTREAM_TASKS_SUCCEEDED', 'ALL_UPSTREAM_TASKS_COMPLETED', 'TRIGGER_STRATEGY_UNSPECIFIED']);

export function checkV2Spec(spec: V2Spec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const say = (path: readonly (string | number)[], message: string): void => void problems.push({ path, message });
  if (!isObj(spec.root['dag'])) {
    say(['root'], 'the root has no `dag`');
    return problems;
  }
  const checkedExecutors = new Set<string>();
  // Components are checked once, reached from the root; a component that (through its
  // sub-DAGs) runs itself would never end.
  const visiting: string[] = [];
  const done = new Set<string>();
  const visitComponent = (name: string, at: readonly (string | number)[]): void => {
    if (done.has(name)) return;
    if (visiting.includes(name)) {
      say(at, `component "${name}" runs itself (through ${[...visiting.slice(visiting.indexOf(name)), name].join(' → ')})`);
      return;
    }
    const c = spec.components[name];
    if (!isObj(c)) {
      say(at, `component "${name}" is not in \`components\``);
      return;
    }
    visiting.push(name);
    if (isObj(c['dag'])) checkDag(c['dag'], ['components', name, 'dag']);
    else {
      const label = str(c['executorLabel']);
      if (label === undefined) say(['components', name], `component "${name}" has neither a \`dag\` nor an \`executorLabel\``);
      else if (!checkedExecutors.has(label)) {
        checkedExecutors.add(label);
        checkExecutor(label, ['components', name, 'executorLabel']);
      }
    }
    visiting.pop();
    done.add(name);
  };

  const checkExecutor = (label: string, at: readonly (string | number)[]): void => {
    const e = spec.executors[label];
    if (!isObj(e)) return say(at, `executor "${label}" is not in \`deploymentSpec.executors\``);
    const path = ['deploymentSpec', 'executors', label];
    for (const kind of ['importer', 'resolver', 'customJob']) {
      if (e[kind] !== undefined) return say([...path, kind], `the ${kind} executor "${label}" ${kind === 'importer' ? 'imports an artifact from storage' : kind === 'resolver' ? 'queries ML Metadata' : 'runs a custom job'}; only container executors run locally`);
    }
    const container = obj(e['container']);
    if (!isObj(e['container'])) return say(path, `executor "${label}" has no \`container\``);
    const image = str(container['image']) ?? '';
    if (image === 'argostub/createpvc' || image === 'argostub/deletepvc') return;
    const unknown = unfillable(arr(container['command']), arr(container['args']));
    if (unknown.length > 0) say([...path, 'container', arr(container['command']).some((c) => unknown.some((u) => JSON.stringify(c).includes(u.slice(0, 3)))) ? 'command' : 'args'], `executor "${label}" uses ${unknown.map((u) => `\`${u}\``).join(', ')}, which the local run cannot fill (it fills inputs' and outputs' parameters and artifacts, and the pipeline_job/pipeline_task names)`);
    if (arr(container['command']).length === 0 && arr(container['args']).length === 0) say([...path, 'container'], `executor "${label}" has no command: the image's entrypoint cannot be run locally`);
  };

  const checkDag = (dag: Obj, at: (string | number)[]): void => {
    const tasks = obj(dag['tasks']);
    const names = new Set(Object.keys(tasks));
    for (const [name, t0] of Object.entries(tasks)) {
      const t = obj(t0);
      const tp = [...at, 'tasks', name];
      const ref = str(obj(t['componentRef'])['name']);
      if (ref === undefined) say(tp, `task "${name}" has no \`componentRef\``);
      for (const d of arr(t['dependentTasks'])) if (typeof d !== 'string' || !names.has(d)) say([...tp, 'dependentTasks'], `task "${name}" depends on "${String(d)}", which is not a task of its DAG`);
      if (t['artifactIterator'] !== undefined) say([...tp, 'artifactIterator'], `task "${name}" loops over artifacts (\`artifactIterator\`), which the local run cannot do`);
      const it = obj(t['parameterIterator']);
      if (isObj(t['parameterIterator'])) {
        const items = obj(it['items']);
        if (str(it['itemInput']) === undefined) say([...tp, 'parameterIterator'], `the loop of task "${name}" has no \`itemInput\``);
        if (str(items['raw']) === undefined && str(items['inputParameter']) === undefined) say([...tp, 'parameterIterator', 'items'], `the loop of task "${name}" has neither \`raw\` items nor an \`inputParameter\``);
      }
      const policy = obj(t['triggerPolicy']);
      const strategy = str(policy['strategy']);
      if (strategy !== undefined && !STRATEGIES.has(strategy)) say([...tp, 'triggerPolicy', 'strategy'], `task "${name}" has the trigger strategy ${strategy}, which the local run does not know`);
      const condition = str(policy['condition']);
      if (condition !== undefined) {
        const parsed = parseCel(condition);
        if ('error' in parsed) say([...tp, 'triggerPolicy', 'condition'], `the condition of task "${name}" is outside the CEL the local run evaluates: ${parsed.error}`);
      }
      const inputs = obj(t['inputs']);
      for (const [p, v0] of Object.entries(obj(inputs['parameters']))) {
        const v = obj(v0);
        const pp = [...tp, 'inputs', 'parameters', p];
        const kinds = ['runtimeValue', 'componentInputParameter', 'taskOutputParameter', 'taskFinalStatus'].filter((k) => v[k] !== undefined);
        if (kinds.length === 0) say(pp, `input "${p}" of task "${name}" has no value the local run can read`);
        const producer = str(obj(v['taskOutputParameter'])['producerTask']);
        if (producer !== undefined && !names.has(producer)) say([...pp, 'taskOutputParameter'], `input "${p}" of task "${name}" reads task "${producer}", which is not in its DAG`);
        const sel = str(v['parameterExpressionSelector']);
        if (sel !== undefined && selectorField(sel) === undefined) say([...pp, 'parameterExpressionSelector'], `input "${p}" of task "${name}" uses the selector \`${sel}\`; the local run reads \`parseJson(string_value)["field"]\` only`);
      }
      for (const [a, v0] of Object.entries(obj(inputs['artifacts']))) {
        const v = obj(v0);
        const ap = [...tp, 'inputs', 'artifacts', a];
        if (v['taskOutputArtifact'] === undefined && v['componentInputArtifact'] === undefined) say(ap, `input artifact "${a}" of task "${name}" has no source the local run can read (a task's output or the DAG's input)`);
        const producer = str(obj(v['taskOutputArtifact'])['producerTask']);
        if (producer !== undefined && !names.has(producer)) say([...ap, 'taskOutputArtifact'], `input artifact "${a}" of task "${name}" reads task "${producer}", which is not in its DAG`);
      }
      if (ref !== undefined) visitComponent(ref, [...tp, 'componentRef', 'name']);
    }
    const cycle = findCycle(tasks);
    if (cycle) say([...at, 'tasks', cycle[0]!], `tasks wait for each other in a cycle: ${cycle.join(' → ')}`);
    const outputs = obj(dag['outputs']);
    for (const [o, v0] of Object.entries(obj(outputs['parameters']))) {
      const v = obj(v0);
      const from = isObj(v['valueFromParameter']) ? [v['valueFromParameter']] : arr(obj(v['valueFromOneof'])['parameterSelectors']);
      if (from.length === 0) say([...at, 'outputs', 'parameters', o], `the DAG output "${o}" has no \`valueFromParameter\` or \`valueFromOneof\``);
      for (const f of from) {
        const sub = str(obj(f)['producerSubtask']);
        if (sub === undefined || !names.has(sub)) say([...at, 'outputs', 'parameters', o], `the DAG output "${o}" reads task "${String(sub)}", which is not in the DAG`);
      }
    }
    for (const [o, v0] of Object.entries(obj(outputs['artifacts']))) {
      for (const f of arr(obj(v0)['artifactSelectors'])) {
        const sub = str(obj(f)['producerSubtask']);
        if (sub === undefined || !names.has(sub)) say([...at, 'outputs', 'artifacts', o], `the DAG output "${o}" reads task "${String(sub)}", which is not in the DAG`);
      }
    }
  };

  checkDag(spec.root['dag'] as Obj, ['root', 'dag']);
  return problems;
}

/** A cycle of `dependentTasks` (and data dependencies), if the DAG has one. */
function findCycle(tasks: Obj): string[] | undefined {
  const deps = (name: string): string[] => {
    const t = obj(tasks[name]);
    const data = [...Object.values(obj(obj(t['inputs'])['parameters'])).map((v) => str(obj(obj(v)['taskOutputParameter'])['producerTask'])), ...Object.values(obj(obj(t['inputs'])['artifacts'])).map((v) => str(obj(obj(v)['taskOutputArtifact'])['producerTask']))];
    return [...arr(t['dependentTasks']), ...data].filter((d): d is string => typeof d === 'string' && d in tasks);
  };
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const d of deps(n)) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of Object.keys(tasks)) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}
