/**
 * The local executor for KFP v2 pipeline specs (`kfpdsl run --target kfp-v2`, `kfpdsl run
 * SPEC.yaml`): the spec's root DAG runs with the pipeline's arguments (dag.ts), each executor
 * task a local process as in the Argo executor (../executor.ts), whose run context, pod
 * runner, logs and step directories it shares. The result has the Argo executor's shape, so
 * that everything after the run (progress, summary, run.json, report.html) is the same code.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { RunContext, type WorkflowInfo } from '../context.js';
import { intOrString, obj, str } from '../spec.js';
import type { RunOptions, RunResult } from '../types.js';
import { runDag, type V2Run } from './dag.js';
import type { V2Spec } from './spec.js';
import { readParam, type ParamValue } from './values.js';

export interface V2RunOptions extends Omit<RunOptions, 'workflow'> {
  readonly spec: V2Spec;
}

export async function runPipelineSpec(opts: V2RunOptions): Promise<RunResult> {
  const parameters = pipelineArguments(opts.spec, opts.arguments ?? {});
  if ('error' in parameters) return { phase: 'Error', message: parameters.error, nodes: [] };
  const rootId = opts.spec.name;
  const info: WorkflowInfo = {
    name: `${rootId}-${randomSuffix()}`,
    uid: randomUUID(),
    namespace: 'default',
    serviceAccountName: 'default',
    rootId,
    templates: new Map(),
    volumes: [],
    claimTemplates: new Set(),
  };
  const ctx = new RunContext({ ...opts, workflow: undefined }, info, opts.parallelism !== undefined && opts.parallelism > 0 ? opts.parallelism : cpus().length);
  mkdirSync(opts.runDir, { recursive: true, mode: 0o700 });
  const run: V2Run = { ctx, spec: opts.spec, exitIds: [] };
  const deadline = intOrString(opts.spec.pipelineConfig['activeDeadlineSeconds']);
  const timer = deadline !== undefined && deadline > 0 ? setTimeout(() => ctx.deadline.abort(), deadline * 1000) : undefined;
  try {
    const root = ctx.createNode({ id: rootId, name: info.name, displayName: info.name, template: 'root', type: 'DAG' });
    root.children = [];
    const outcome = await runDag(run, obj(opts.spec.root['dag']), { id: rootId, name: info.name, parameters, artifacts: new Map(), onExit: false }, root.children);
    ctx.settle(root, outcome.phase, outcome.message);
    const phase: RunResult['phase'] = outcome.phase === 'Succeeded' ? 'Succeeded' : outcome.phase === 'Error' ? 'Error' : 'Failed';
    const message = ctx.deadline.signal.aborted ? ctx.stopMessage : phase === 'Succeeded' ? undefined : outcome.message;
    return { phase, ...(message !== undefined ? { message } : {}), nodes: ctx.results(), exitIds: run.exitIds };
  } catch (e) {
    // A bad spec never throws (check.ts found its problems before); reaching here is our bug.
    return { phase: 'Error', message: `internal error: ${e instanceof Error ? e.message : String(e)}`, nodes: ctx.results() };
  } finally {
    if (timer) clearTimeout(timer);
    ctx.endRun();
  }
}

/** The root's inputs: each argument read as its parameter's type, else its default; optional ones may stay unset. */
export function pipelineArguments(spec: V2Spec, args: Readonly<Record<string, string>>): Map<string, ParamValue> | { error: string } {
  const out = new Map<string, ParamValue>();
  const defs = obj(obj(spec.root['inputDefinitions'])['parameters']);
  for (const [name, def0] of Object.entries(defs)) {
    const def = obj(def0);
    const text = args[name];
    if (text !== undefined) {
      const r = readParam(text, str(def['parameterType']));
      if ('error' in r) return { error: `pipeline parameter "${name}": ${r.error}` };
      out.set(name, r.value);
    } else if (def['defaultValue'] !== undefined) out.set(name, def['defaultValue'] as ParamValue);
    else if (def['isOptional'] !== true) return { error: `pipeline parameter "${name}" has no value: pass it with --arg ${name}=VALUE` };
  }
  return out;
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
