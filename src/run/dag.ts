/**
 * DAG templates with Argo's `dependencies` semantics. A task starts once all its dependencies
 * are Succeeded or Skipped; any other outcome makes it Omitted. It is then substituted with
 * what its ancestors produced, its `when` decides Skipped, loops expand into children, and the
 * DAG fails (after its running children finish) when a task fails.
 */
import { Boundary } from './boundary.js';
import type { NodeInit, RunContext } from './context.js';
import type { Bound } from './inputs.js';
import { expandItems, expands, itemLookup } from './items.js';
import { itemLabel } from './naming.js';
import { taskScope, type Scope, type TaskState } from './scope.js';
import { arr, intOrString, isObj, nameOf, obj, objs, str, type Obj } from './spec.js';
import { chain, deepSubstitute, fromMap, mapStrings, substitute, unresolvedTags, wholeTag, type Lookup } from './substitute.js';
import type { Invocation } from './template.js';
import { failedOrError, type ArtifactValue, type NodePhase, type NodeRecord } from './types.js';
import { evaluateWhen } from './when.js';

export type Execute = (ctx: RunContext, inv: Invocation) => Promise<NodeRecord>;

export async function runDag(ctx: RunContext, inv: Invocation, bound: Bound, execute: Execute): Promise<NodeRecord> {
  const node = ctx.createNode({ id: inv.id, name: inv.name, displayName: inv.displayName, template: inv.template, type: 'DAG' });
  ctx.emit(node, { kind: 'started' });
  const dag = obj(bound.tmpl['dag']);
  const tasks = objs(dag['tasks']);
  const problem = checkTasks(tasks);
  if (problem) {
    ctx.settle(node, 'Error', problem);
    return node;
  }
  const run = new DagRun(ctx, inv, bound, execute, tasks, new Boundary(intOrString(bound.tmpl['parallelism']), dag['failFast'] !== false));
  await Promise.all(tasks.map((t) => run.task(nameOf(t))));
  node.children = tasks.flatMap((t) => run.states.get(nameOf(t))?.node.id ?? []);

  const states = tasks.flatMap((t) => run.states.get(nameOf(t)) ?? []);
  const failed = states.map((s) => s.node).find((n) => failedOrError(n.phase));
  // Without a failure, an omitted task means the workflow's deadline stopped it from starting.
  const omitted = states.find((s) => s.node.phase === 'Omitted');
  if (failed && failedOrError(failed.phase)) ctx.settle(node, failed.phase, `child '${failed.name}' ${failed.phase === 'Error' ? 'errored' : 'failed'}`);
  else if (omitted && ctx.deadline.signal.aborted && !inv.onExit) ctx.settle(node, 'Failed', omitted.node.message);
  else {
    const outputs = dagOutputs(bound.tmpl, taskScope(run.states, run.states.keys()), ctx.global);
    if ('error' in outputs) ctx.settle(node, 'Error', outputs.error);
    else {
      node.outputs = outputs.outputs;
      ctx.settle(node, 'Succeeded');
    }
  }
  return node;
}

class DagRun {
  readonly states = new Map<string, TaskState>();
  private readonly started = new Map<string, Promise<TaskState>>();
  private readonly byName: Map<string, Obj>;

  constructor(
    private readonly ctx: RunContext,
    private readonly inv: Invocation,
    private readonly bound: Bound,
    private readonly execute: Execute,
    tasks: Obj[],
    private readonly boundary: Boundary,
  ) {
    this.byName = new Map(tasks.map((t) => [nameOf(t), t]));
  }

  /** Each task runs once; dependents await the same promise, which never rejects. */
  task(name: string): Promise<TaskState> {
    let p = this.started.get(name);
    if (!p) {
      p = this.runTask(name)
        .catch((e: unknown) => {
          const message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
          const init = { id: `${this.inv.id}.${name}`, name: `${this.inv.name}.${name}`, displayName: name, template: '', type: 'Skipped' as const };
          return { node: this.ctx.settledNode(init, 'Error', message) };
        })
        .then((state) => (this.states.set(name, state), state));
      this.started.set(name, p);
    }
    return p;
  }

  private async runTask(name: string): Promise<TaskState> {
    const task = this.byName.get(name) ?? {};
    const deps = await Promise.all(dependencies(task).map((d) => this.task(d)));
    const init: NodeInit = { id: `${this.inv.id}.${name}`, name: `${this.inv.name}.${name}`, displayName: name, template: str(task['template']) ?? '', type: 'Skipped' };
    const settled = (phase: NodePhase, message: string): TaskState => ({ node: this.ctx.settledNode(init, phase, message) });
    if (deps.some((d) => d.node.phase !== 'Succeeded' && d.node.phase !== 'Skipped')) return settled('Omitted', 'omitted: depends condition not met');

    const scope = taskScope(this.states, this.ancestors(name));
    const resolved = deepSubstitute(task, chain(this.ctx.global, fromMap(scope.params)));
    const loop = expands(resolved);
    const when = str(resolved['when']);
    // Argo checks `when` before expanding; an error there may come from `{{item}}`, checked per child.
    const verdict = when === undefined ? undefined : evaluateWhen(when);
    if (verdict && !verdict.ok && !loop) return settled('Error', verdict.message);
    if (!loop) {
      if (verdict?.ok && !verdict.value) return settled('Skipped', `when '${when}' evaluated false`);
      return { node: await this.start(init, resolved, scope) };
    }

    const expansion = expandItems(resolved);
    if ('error' in expansion) return settled('Error', expansion.error);
    if (expansion.items.length === 0) return settled('Skipped', 'Skipped, empty params');
    const group = this.ctx.createNode({ ...init, type: 'TaskGroup' });
    this.ctx.emit(group, { kind: 'started' });
    const body = Object.fromEntries(Object.entries(resolved).filter(([k]) => k !== 'withItems' && k !== 'withParam' && k !== 'withSequence'));
    const children = await Promise.all(expansion.items.map((item, i) => this.startItem(init, body, item, i, scope)));
    group.children = children.map((c) => c.id);
    const bad = children.find((c) => failedOrError(c.phase));
    if (bad && failedOrError(bad.phase)) this.ctx.settle(group, bad.phase, `child '${bad.name}' failed`);
    else this.ctx.settle(group, 'Succeeded');
    return { node: group, children };
  }

  /** One loop child: `{{item}}` substituted (anything still unresolved is an error, as in Argo), then its own `when`. */
  private startItem(group: NodeInit, body: Obj, item: unknown, index: number, scope: Scope): Promise<NodeRecord> {
    const label = itemLabel(item);
    const init: NodeInit = { ...group, id: `${group.id}(${index})`, name: `${group.name}(${index}:${label})`, displayName: `${group.displayName}(${index}:${label})` };
    const lookup = itemLookup(item);
    let unresolved: string | undefined;
    const task = mapStrings(body, (s) => {
      const out = substitute(s, lookup);
      // Artifact references (`from:`) are resolved when the child starts, from the scope or the DAG's inputs.
      unresolved ??= unresolvedTags(out, (key) => (ARTIFACT_REF.test(key) ? '' : undefined))[0];
      return out;
    }) as Obj;
    if (unresolved !== undefined) return Promise.resolve(this.ctx.settledNode(init, 'Error', `failed to resolve {{${unresolved}}}`));
    const when = str(task['when']);
    if (when !== undefined) {
      const verdict = evaluateWhen(when);
      if (!verdict.ok) return Promise.resolve(this.ctx.settledNode(init, 'Error', verdict.message));
      if (!verdict.value) return Promise.resolve(this.ctx.settledNode(init, 'Skipped', `when '${when}' evaluated false`));
    }
    return this.start(init, task, scope);
  }

  /** Runs the task's template with its (substituted) arguments. */
  private async start(init: NodeInit, task: Obj, scope: Scope): Promise<NodeRecord> {
    const args = obj(task['arguments']);
    const artifacts = artifactArguments(args, (key) => scope.artifacts.get(key) ?? this.inputArtifact(key));
    if ('error' in artifacts) return this.ctx.settledNode(init, 'Error', artifacts.error);
    const parameters = new Map<string, string>();
    for (const p of objs(args['parameters'])) {
      const value = str(p['value']);
      if (value !== undefined) parameters.set(nameOf(p), value);
    }
    const child = await this.execute(this.ctx, {
      id: init.id,
      name: init.name,
      displayName: init.displayName,
      template: init.template,
      parameters,
      artifacts: artifacts.artifacts,
      boundary: this.boundary,
      depth: this.inv.depth + 1,
      onExit: this.inv.onExit,
    });
    this.boundary.report(child.phase);
    return child;
  }

  /** `inputs.artifacts.X` of this DAG, for `from: "{{inputs.artifacts.X}}"`. */
  private inputArtifact(key: string): ArtifactValue | undefined {
    const m = /^inputs\.artifacts\.(.+)$/.exec(key);
    return m ? this.bound.artifacts.get(m[1] ?? '') : undefined;
  }

  /** A task sees only its ancestors' outputs, as in Argo. */
  private ancestors(name: string): Set<string> {
    const seen = new Set<string>();
    const visit = (n: string): void => {
      for (const d of dependencies(this.byName.get(n) ?? {})) {
        if (!seen.has(d)) {
          seen.add(d);
          visit(d);
        }
      }
    };
    visit(name);
    return seen;
  }
}

const ARTIFACT_REF = /^(inputs\.artifacts\.|tasks\.[^.]+\.outputs\.artifacts\.)/;

const dependencies = (task: Obj): string[] => arr(task['dependencies']).flatMap((d) => str(d) ?? []);

/** Unique names, known dependencies, no cycles, and only what this executor implements. */
function checkTasks(tasks: Obj[]): string | undefined {
  const names = new Set<string>();
  for (const t of tasks) {
    const name = nameOf(t);
    if (!name) return 'a DAG task has no name';
    if (names.has(name)) return `duplicate task name "${name}"`;
    names.add(name);
    if (str(t['template']) === undefined) return `task "${name}": only tasks naming a template are supported (no templateRef or inline)`;
    for (const unsupported of ['depends', 'onExit', 'hooks', 'continueOn']) {
      if (t[unsupported] !== undefined) return `task "${name}": ${unsupported} is not supported by the local executor`;
    }
  }
  for (const t of tasks) {
    for (const d of dependencies(t)) if (!names.has(d)) return `task "${nameOf(t)}" depends on unknown task "${d}"`;
  }
  const byName = new Map(tasks.map((t) => [nameOf(t), t]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cyclic = (n: string): boolean => {
    if (state.get(n) === 'done') return false;
    if (state.get(n) === 'visiting') return true;
    state.set(n, 'visiting');
    const found = dependencies(byName.get(n) ?? {}).some(cyclic);
    state.set(n, 'done');
    return found;
  };
  const cycleAt = tasks.find((t) => cyclic(nameOf(t)));
  return cycleAt ? `dependency cycle involving task "${nameOf(cycleAt)}"` : undefined;
}

/** A task's `arguments.artifacts`: `from` references resolved to artifacts, `raw` data kept inline. */
function artifactArguments(args: Obj, resolve: (key: string) => ArtifactValue | undefined): { artifacts: Map<string, ArtifactValue> } | { error: string } {
  const artifacts = new Map<string, ArtifactValue>();
  for (const a of objs(args['artifacts'])) {
    const name = nameOf(a);
    const from = str(a['from']);
    if (from !== undefined) {
      const key = wholeTag(from);
      const value = key === undefined ? undefined : resolve(key);
      if (value !== undefined) artifacts.set(name, value);
      else if (a['optional'] !== true) return { error: `unable to resolve artifact "${name}" from ${from}` };
    } else if (isObj(a['raw'])) {
      artifacts.set(name, { raw: str(a['raw']['data']) ?? '' });
    } else if (Object.keys(a).some((k) => k !== 'name' && k !== 'optional')) {
      return { error: `artifact "${name}": only "from" and "raw" artifacts can be passed locally` };
    }
  }
  return { artifacts };
}

/** The DAG's declared outputs, taken from its tasks once it succeeded. */
function dagOutputs(tmpl: Obj, scope: Scope, global: Lookup): { outputs: NodeRecord['outputs'] } | { error: string } {
  const outputs: NodeRecord['outputs'] = { parameters: {}, artifacts: {} };
  const lookup = chain(global, fromMap(scope.params));
  const declared = obj(tmpl['outputs']);
  for (const p of objs(declared['parameters'])) {
    const from = obj(p['valueFrom']);
    const ref = str(from['parameter']);
    let value: string | undefined;
    if (ref !== undefined) {
      const key = wholeTag(ref);
      value = key !== undefined ? lookup(key) : unresolvedTags(ref, lookup).length === 0 ? substitute(ref, lookup) : undefined;
    } else if (str(p['value']) !== undefined) {
      value = substitute(str(p['value']) ?? '', lookup);
    }
    value ??= str(from['default']);
    if (value === undefined) return { error: `unable to resolve outputs.parameters.${nameOf(p)} from ${ref ?? 'nothing'}` };
    outputs.parameters[nameOf(p)] = value;
  }
  for (const a of objs(declared['artifacts'])) {
    const from = str(a['from']) ?? '';
    const key = wholeTag(from);
    const value = key === undefined ? undefined : scope.artifacts.get(key);
    if (value !== undefined && 'path' in value) outputs.artifacts[nameOf(a)] = value.path;
    else if (a['optional'] !== true) return { error: `unable to resolve outputs.artifacts.${nameOf(a)} from ${from || 'nothing'}` };
  }
  return { outputs };
}
