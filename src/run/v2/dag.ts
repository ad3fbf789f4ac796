/**
 * A v2 DAG, run as KFP v2 runs it: each task starts once the tasks it depends on
 * (`dependentTasks`, and the producers of its inputs) have finished, and runs when they all
 * succeeded (or were skipped by their condition), or with `triggerPolicy.strategy:
 * ALL_UPSTREAM_TASKS_COMPLETED` (an exit task) whatever their outcome; a task after a failed
 * one is Omitted, and tasks that do not depend on it go on. A task's inputs are resolved in
 * its DAG, its `triggerPolicy.condition` (CEL) is evaluated over them, and then it runs its
 * component: an executor (launch.ts), or a DAG of its own (a condition, a loop's body, an
 * exit handler, a called pipeline) with the inputs passed in and the outputs read back
 * through `dag.outputs`. A `parameterIterator` runs the component once per item, at most
 * `iteratorPolicy.parallelismLimit` at a time, and its outputs are the lists of every
 * iteration's (KFP's collected outputs).
 *
 * Node ids follow the local Argo run's (`<pipeline>.<task>`, `…for-loop-2(0).<task>`), so that
 * the progress, the summary, run.json and report.html read both kinds of run alike.
 */
import { randomUUID } from 'node:crypto';
import type { NodeInit, RunContext } from '../context.js';
import { AbortError, Limiter } from '../limiter.js';
import { arr, isObj, obj, str, type Obj } from '../spec.js';
import { failedOrError, type ArtifactValue, type NodePhase, type NodeRecord, type NodeType } from '../types.js';
import { CelError, evalCel, parseCel } from './cel.js';
import { runExecutorTask } from './launch.js';
import { componentOf, type V2Spec } from './spec.js';
import { claimsOf, resolveInputs, withDefaults } from './inputs.js';
import { itemsOf, type ParamValue } from './values.js';

export interface V2Run {
  readonly ctx: RunContext;
  readonly spec: V2Spec;
  /** Ids of exit tasks' nodes (ALL_UPSTREAM_TASKS_COMPLETED), for the summary's `(finally)`. */
  readonly exitIds: string[];
}

/** Where a DAG runs: its node's id and name, and its inputs. */
export interface Scope {
  readonly id: string;
  readonly name: string;
  readonly parameters: ReadonlyMap<string, ParamValue>;
  readonly artifacts: ReadonlyMap<string, ArtifactValue>;
  /** Inside an exit task: runs on after the run is stopped. */
  readonly onExit: boolean;
}

export interface Outcome {
  readonly phase: NodePhase;
  readonly message?: string;
  readonly parameters: Map<string, ParamValue>;
  readonly artifacts: Map<string, ArtifactValue>;
}

const empty = (phase: NodePhase, message?: string): Outcome => ({ phase, ...(message !== undefined ? { message } : {}), parameters: new Map(), artifacts: new Map() });

/** Runs a DAG component's tasks; its outcome holds `dag.outputs`. */
export async function runDag(run: V2Run, dag: Obj, scope: Scope, children: string[]): Promise<Outcome> {
  const tasks = obj(dag['tasks']);
  const results = new Map<string, Promise<Outcome>>();
  const start = (name: string): Promise<Outcome> => {
    let p = results.get(name);
    if (!p) {
      p = runTask(run, name, obj(tasks[name]), scope, start, children);
      results.set(name, p);
    }
    return p;
  };
  const names = Object.keys(tasks).sort();
  const outcomes = new Map<string, Outcome>();
  await Promise.all(names.map(async (n) => outcomes.set(n, await start(n))));

  const failed = names.find((n) => failedOrError(outcomes.get(n)!.phase));
  // As Argo's DAGs (the v1 run): a task that could not run (Error) makes its DAG an Error too,
  // and the DAG's message names the child (the progress shows the child's own failure).
  if (failed !== undefined) {
    const phase = outcomes.get(failed)!.phase === 'Error' ? 'Error' : 'Failed';
    return empty(phase, `child '${scope.name}.${failed}' ${phase === 'Error' ? 'errored' : 'failed'}`);
  }
  const omitted = names.find((n) => outcomes.get(n)!.phase === 'Omitted');
  if (omitted !== undefined && run.ctx.deadline.signal.aborted && !scope.onExit) return empty('Omitted', run.ctx.stopMessage);
  return dagOutputs(dag, outcomes);
}

/** `dag.outputs`: each output from the subtask that produced it (the first that did, for `valueFromOneof`). */
function dagOutputs(dag: Obj, outcomes: ReadonlyMap<string, Outcome>): Outcome {
  const out = empty('Succeeded');
  const outputs = obj(dag['outputs']);
  for (const [name, spec] of Object.entries(obj(outputs['parameters']))) {
    const s = obj(spec);
    const selectors = isObj(s['valueFromParameter']) ? [s['valueFromParameter']] : arr(obj(s['valueFromOneof'])['parameterSelectors']);
    for (const sel of selectors) {
      const v = outcomes.get(str(obj(sel)['producerSubtask']) ?? '')?.parameters.get(str(obj(sel)['outputParameterKey']) ?? '');
      if (v !== undefined) {
        out.parameters.set(name, v);
        break;
      }
    }
  }
  for (const [name, spec] of Object.entries(obj(outputs['artifacts']))) {
    for (const sel of arr(obj(spec)['artifactSelectors'])) {
      const v = outcomes.get(str(obj(sel)['producerSubtask']) ?? '')?.artifacts.get(str(obj(sel)['outputArtifactKey']) ?? '');
      if (v !== undefined) {
        out.artifacts.set(name, v);
        break;
      }
    }
  }
  return out;
}

/** What a task waits for: its `dependentTasks` and the producers of its inputs. */
function upstreamOf(task: Obj): string[] {
  const inputs = obj(task['inputs']);
  const data = [
    ...Object.values(obj(inputs['parameters'])).map((v) => str(obj(obj(v)['taskOutputParameter'])['producerTask']) ?? str(obj(obj(v)['taskFinalStatus'])['producerTask'])),
    ...Object.values(obj(inputs['artifacts'])).map((v) => str(obj(obj(v)['taskOutputArtifact'])['producerTask'])),
  ];
  return [...new Set([...arr(task['dependentTasks']), ...data].filter((d): d is string => typeof d === 'string'))].sort();
}

async function runTask(run: V2Run, name: string, task: Obj, scope: Scope, start: (name: string) => Promise<Outcome>, children: string[]): Promise<Outcome> {
  const { ctx, spec } = run;
  const upstream = upstreamOf(task);
  const done = new Map<string, Outcome>();
  for (const u of upstream) done.set(u, await start(u));

  const ref = str(obj(task['componentRef'])['name']) ?? '';
  const component = componentOf(spec, ref) ?? {};
  const isDag = isObj(component['dag']);
  const looped = isObj(task['parameterIterator']);
  const exitTask = str(obj(task['triggerPolicy'])['strategy']) === 'ALL_UPSTREAM_TASKS_COMPLETED';
  const onExit = scope.onExit || exitTask;
  const id = `${scope.id}.${name}`;
  const displayName = str(obj(task['taskInfo'])['name']) ?? name;
  const init = (type: NodeType, suffix = ''): NodeInit => ({ id: `${id}${suffix}`, name: `${scope.name}.${name}${suffix}`, displayName, template: ref, type });
  const ownType: NodeType = looped ? 'TaskGroup' : isDag ? 'DAG' : 'Pod';
  children.push(id);
  if (exitTask) run.exitIds.push(id);
  const settled = (phase: NodePhase, message: string): Outcome => {
    ctx.settledNode(init(ownType), phase, message);
    return empty(phase, message);
  };

  if (!exitTask) {
    const blocker = upstream.find((u) => done.get(u)!.phase !== 'Succeeded' && done.get(u)!.phase !== 'Skipped');
    if (blocker !== undefined) return settled('Omitted', `omitted: upstream task "${blocker}" ${done.get(blocker)!.phase.toLowerCase()}`);
  }
  if (ctx.signal(onExit)?.aborted) return settled('Omitted', ctx.stopMessage);

  const inputs = resolveInputs(run, task, scope, done);
  if ('error' in inputs) return settled('Error', inputs.error);

  const condition = str(obj(task['triggerPolicy'])['condition']);
  if (condition !== undefined) {
    const parsed = parseCel(condition);
    if ('error' in parsed) return settled('Error', `condition \`${condition}\`: ${parsed.error}`);
    let value: ParamValue;
    try {
      value = evalCel(parsed.expr, inputs.parameters);
    } catch (e) {
      if (e instanceof CelError) return settled('Error', `condition \`${condition}\`: ${e.message}`);
      throw e;
    }
    if (value !== true) return settled('Skipped', `condition \`${condition}\` is false`);
  }

  const claims = isDag ? new Map<string, string>() : claimsOf(run, component, scope, done);
  if ('error' in claims) return settled('Error', claims.error);

  if (!looped) {
    const bound = withDefaults(component, inputs.parameters, inputs.artifacts);
    if ('error' in bound) return settled('Error', bound.error);
    return runComponent(run, { task, component, ref, init: init(ownType), parameters: bound.parameters, artifacts: bound.artifacts, onExit, taskName: name, claims });
  }

  // A loop: one run of the component per item.
  const iterator = obj(task['parameterIterator']);
  const itemInput = str(iterator['itemInput']) ?? '';
  const source = obj(iterator['items']);
  const raw = str(source['raw']);
  let items: ParamValue[] | { error: string };
  if (raw !== undefined) {
    try {
      items = itemsOf(JSON.parse(raw) as ParamValue);
    } catch {
      items = { error: `the loop's raw items are not JSON: ${raw}` };
    }
  } else {
    const from = str(source['inputParameter']) ?? '';
    const v = inputs.parameters.get(from);
    items = v === undefined ? { error: `the loop's items input "${from}" has no value` } : itemsOf(v);
  }
  if ('error' in items) return settled('Error', items.error);

  const group = ctx.createNode(init('TaskGroup'));
  group.children = [];
  const limit = Number(obj(task['iteratorPolicy'])['parallelismLimit'] ?? 0);
  const limiter = new Limiter(Number.isFinite(limit) && limit > 0 ? limit : 0);
  const iterations = await Promise.all(
    items.map(async (item, k) => {
      const suffix = `(${k})`;
      group.children!.push(`${id}${suffix}`);
      let release: () => void;
      try {
        release = await limiter.acquire(ctx.signal(onExit));
      } catch (e) {
        if (!(e instanceof AbortError)) throw e;
        ctx.settledNode({ ...init('DAG', suffix), displayName: `${displayName}${suffix}` }, 'Omitted', ctx.stopMessage);
        return empty('Omitted', ctx.stopMessage);
      }
      try {
        const parameters = new Map(inputs.parameters);
        parameters.set(itemInput, item);
        const bound = withDefaults(component, parameters, inputs.artifacts);
        const iterInit = { ...init(isDag ? 'DAG' : 'Pod', suffix), displayName: isDag ? `${displayName}${suffix}` : displayName };
        if ('error' in bound) return { ...empty('Error', bound.error), node: ctx.settledNode(iterInit, 'Error', bound.error) };
        return await runComponent(run, { task, component, ref, init: iterInit, parameters: bound.parameters, artifacts: bound.artifacts, onExit, taskName: name, claims });
      } finally {
        release();
      }
    }),
  );
  const failedAt = iterations.findIndex((o) => failedOrError(o.phase));
  const phase: NodePhase = failedAt >= 0 ? (iterations[failedAt]!.phase === 'Error' ? 'Error' : 'Failed') : iterations.some((o) => o.phase === 'Omitted') && ctx.deadline.signal.aborted ? 'Omitted' : 'Succeeded';
  const message = failedAt >= 0 ? `child '${scope.name}.${name}(${failedAt})' ${phase === 'Error' ? 'errored' : 'failed'}` : phase === 'Omitted' ? ctx.stopMessage : undefined;
  ctx.settle(group, phase, message);
  // Collected outputs: each output as the list of every iteration's value (KFP's dsl.Collected).
  const collected = empty(phase, message);
  const keys = new Set(iterations.flatMap((o) => [...o.parameters.keys()]));
  for (const key of keys) collected.parameters.set(key, iterations.flatMap((o) => (o.parameters.has(key) ? [o.parameters.get(key)!] : [])));
  return collected;
}

interface ComponentRun {
  readonly task: Obj;
  readonly component: Obj;
  readonly ref: string;
  readonly init: NodeInit;
  readonly parameters: Map<string, ParamValue>;
  readonly artifacts: Map<string, ArtifactValue>;
  readonly onExit: boolean;
  readonly taskName: string;
  readonly claims: ReadonlyMap<string, string>;
}

/** The component of a task (one iteration of it, for a loop): its executor, or its DAG. */
async function runComponent(run: V2Run, c: ComponentRun): Promise<Outcome> {
  const { ctx, spec } = run;
  const dag = c.component['dag'];
  if (isObj(dag)) {
    const node = ctx.createNode({ ...c.init, type: 'DAG' });
    node.children = [];
    const outcome = await runDag(run, dag, { id: c.init.id, name: c.init.name, parameters: c.parameters, artifacts: c.artifacts, onExit: c.onExit }, node.children);
    ctx.settle(node, outcome.phase, outcome.message);
    return outcome;
  }
  const label = str(c.component['executorLabel']) ?? '';
  const k8s = obj(spec.kubernetes[label]);
  const { node, parameters } = await runExecutorTask(ctx, {
    id: c.init.id,
    name: c.init.name,
    displayName: c.init.displayName,
    ref: c.ref,
    label,
    executor: obj(spec.executors[label]),
    kubernetes: k8s,
    component: c.component,
    fill: { parameters: c.parameters, artifacts: new Set(c.artifacts.keys()), job: { name: ctx.wf.name, uuid: ctx.wf.uid }, task: { name: c.taskName, uuid: randomUUID() } },
    artifacts: c.artifacts,
    claims: c.claims,
    retry: isObj(c.task['retryPolicy']) ? c.task['retryPolicy'] : undefined,
    onExit: c.onExit,
  });
  return outcomeOf(node, parameters);
}

function outcomeOf(node: NodeRecord, parameters: Map<string, ParamValue>): Outcome {
  const phase: NodePhase = node.phase === 'Running' ? 'Error' : node.phase;
  const artifacts = new Map<string, ArtifactValue>(Object.entries(node.outputs.artifacts).map(([k, path]) => [k, { path }]));
  return { phase, ...(node.message !== undefined ? { message: node.message } : {}), parameters, artifacts };
}
