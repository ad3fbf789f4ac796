/**
 * A local executor for Argo Workflows (the engine of `kfpdsl run`): runs a parsed Workflow on
 * this machine with Argo's semantics, each container step as a local process. The entrypoint
 * runs with the workflow's arguments, then `spec.onExit` with `{{workflow.status}}`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { RunContext, finalNode, type WorkflowInfo } from './context.js';
import { intOrString, isObj, nameOf, obj, objs, str, type Obj } from './spec.js';
import { executeTemplate } from './template.js';
import { failedOrError, type ArtifactValue, type NodeRecord, type RunOptions, type RunResult } from './types.js';

export type { NodeOutputs, NodePhase, NodeResult, NodeType, RunEvent, RunOptions, RunResult } from './types.js';

export async function runWorkflow(opts: RunOptions): Promise<RunResult> {
  try {
    return await run(opts);
  } catch (e) {
    // A bad workflow never throws; reaching here is our bug, reported as one.
    return { phase: 'Error', message: `internal error: ${e instanceof Error ? e.message : String(e)}`, nodes: [] };
  }
}

async function run(opts: RunOptions): Promise<RunResult> {
  const setup = prepare(opts);
  if ('error' in setup) return { phase: 'Error', message: setup.error, nodes: [] };
  try {
    return await runPrepared(setup);
  } finally {
    setup.ctx.endRun();
  }
}

async function runPrepared(setup: Exclude<ReturnType<typeof prepare>, { error: string }>): Promise<RunResult> {
  const { ctx, spec, parameters, artifacts } = setup;
  const opts = ctx.opts;
  // Private: logs, outputs and inputs of tasks live here.
  mkdirSync(opts.runDir, { recursive: true, mode: 0o700 });
  const args = { parameters, artifacts };

  const deadlineSeconds = intOrString(spec['activeDeadlineSeconds']);
  const timer = deadlineSeconds !== undefined && deadlineSeconds > 0 ? setTimeout(() => ctx.deadline.abort(), deadlineSeconds * 1000) : undefined;
  let entry: NodeRecord;
  try {
    entry = await executeTemplate(ctx, { id: ctx.wf.rootId, name: ctx.wf.name, displayName: ctx.wf.name, template: str(spec['entrypoint']) ?? '', ...args, depth: 0, onExit: false });
  } finally {
    if (timer) clearTimeout(timer);
  }

  let phase: RunResult['phase'] = entry.phase === 'Succeeded' ? 'Succeeded' : entry.phase === 'Error' ? 'Error' : 'Failed';
  let message = ctx.deadline.signal.aborted ? ctx.stopMessage : phase === 'Succeeded' ? undefined : entry.message;

  let exitHandler: NodeRecord | undefined;
  const onExit = str(spec['onExit']);
  if (onExit !== undefined) {
    ctx.globals.set('workflow.status', phase);
    ctx.globals.set('workflow.failures', failures(ctx.nodes));
    ctx.globals.set('workflow.duration', String((Date.now() - (entry.startedAt ?? Date.now())) / 1000));
    exitHandler = await executeTemplate(ctx, { id: `${ctx.wf.rootId}.onExit`, name: `${ctx.wf.name}.onExit`, displayName: `${ctx.wf.name}.onExit`, template: onExit, ...args, depth: 0, onExit: true });
    if (exitHandler.phase !== 'Succeeded' && phase === 'Succeeded') {
      phase = 'Failed';
      message = `exit handler failed: ${exitHandler.message ?? exitHandler.phase}`;
    }
  }
  return { phase, ...(message !== undefined ? { message } : {}), nodes: ctx.results(), ...(exitHandler ? { exitHandler: finalNode(exitHandler) } : {}) };
}

type Prepared = { ctx: RunContext; spec: Obj; parameters: Map<string, string>; artifacts: Map<string, ArtifactValue> } | { error: string };

/** Checks the workflow's shape and binds its arguments; every problem is a message. */
function prepare(opts: RunOptions): Prepared {
  const wf = opts.workflow;
  if (!isObj(wf)) return { error: 'the workflow is not an object' };
  if (wf['kind'] !== undefined && wf['kind'] !== 'Workflow') return { error: `expected kind Workflow, got ${JSON.stringify(wf['kind'])}` };
  const spec = obj(wf['spec']);
  const entrypoint = str(spec['entrypoint']);
  if (!entrypoint) return { error: 'spec.entrypoint is missing' };
  const templates = new Map<string, Obj>();
  for (const t of objs(spec['templates'])) {
    if (!nameOf(t)) return { error: 'a template has no name' };
    if (templates.has(nameOf(t))) return { error: `duplicate template name "${nameOf(t)}"` };
    templates.set(nameOf(t), t);
  }
  if (!templates.has(entrypoint)) return { error: `entrypoint template "${entrypoint}" not found` };
  const onExit = str(spec['onExit']);
  if (onExit !== undefined && !templates.has(onExit)) return { error: `onExit template "${onExit}" not found` };

  // Argo passes overrides for undeclared parameters through as well (`argo submit -p`).
  const parameters = new Map<string, string>();
  for (const p of objs(obj(spec['arguments'])['parameters'])) {
    const name = nameOf(p);
    const cmRef = obj(obj(p['valueFrom'])['configMapKeyRef']);
    const value = opts.arguments?.[name] ?? str(p['value']) ?? opts.configMaps?.[str(cmRef['name']) ?? '']?.[str(cmRef['key']) ?? ''];
    if (value === undefined) return { error: `workflow parameter "${name}" has no value: pass it in the run's arguments` };
    parameters.set(name, value);
  }
  for (const [name, value] of Object.entries(opts.arguments ?? {})) if (!parameters.has(name)) parameters.set(name, value);
  // Workflow-level artifacts can only be inline (`raw`) on this machine.
  const artifacts = new Map<string, ArtifactValue>();
  for (const a of objs(obj(spec['arguments'])['artifacts'])) {
    if (!isObj(a['raw'])) return { error: `workflow artifact "${nameOf(a)}": only raw artifacts are supported locally` };
    artifacts.set(nameOf(a), { raw: str(a['raw']['data']) ?? '' });
  }

  const metadata = obj(wf['metadata']);
  const generateName = str(metadata['generateName']);
  const name = str(metadata['name']) ?? `${generateName ?? `${entrypoint}-`}${randomSuffix()}`;
  const info: WorkflowInfo = {
    name,
    uid: randomUUID(),
    namespace: str(metadata['namespace']) ?? 'default',
    serviceAccountName: str(spec['serviceAccountName']) ?? 'default',
    rootId: str(metadata['name']) ?? generateName?.replace(/-$/, '') ?? entrypoint,
    templates,
    volumes: objs(spec['volumes']),
    claimTemplates: new Set(objs(spec['volumeClaimTemplates']).map((c) => str(obj(c['metadata'])['name']) ?? '')),
  };
  const requested = opts.parallelism !== undefined && opts.parallelism > 0 ? opts.parallelism : cpus().length;
  const specParallelism = intOrString(spec['parallelism']);
  const ctx = new RunContext(opts, info, specParallelism !== undefined && specParallelism > 0 ? Math.min(requested, specParallelism) : requested);

  ctx.globals.set('workflow.name', info.name);
  ctx.globals.set('workflow.uid', info.uid);
  ctx.globals.set('workflow.namespace', info.namespace);
  ctx.globals.set('workflow.serviceAccountName', info.serviceAccountName);
  ctx.globals.set('workflow.creationTimestamp', new Date().toISOString());
  for (const [k, v] of parameters) ctx.globals.set(`workflow.parameters.${k}`, v);
  ctx.globals.set('workflow.parameters', JSON.stringify([...parameters].map(([n, value]) => ({ name: n, value }))));
  return { ctx, spec, parameters, artifacts };
}

/** Five random lowercase letters and digits, like Kubernetes' generateName suffix. */
function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** `{{workflow.failures}}`: the failed pods, as Argo lists them for exit handlers. */
function failures(nodes: readonly NodeRecord[]): string {
  return JSON.stringify(
    nodes
      .filter((n) => n.type === 'Pod' && failedOrError(n.phase))
      .map((n) => ({ displayName: n.displayName, message: n.message ?? '', templateName: n.template, phase: n.phase, podName: n.name, finishedAt: new Date(n.finishedAt ?? Date.now()).toISOString() })),
  );
}
