/**
 * Executing one template invocation: find the template, bind its inputs, and run it as a
 * DAG or as a pod. Whatever goes wrong becomes a node in Error, never an exception.
 */
import type { Boundary } from './boundary.js';
import type { NodeInit, RunContext } from './context.js';
import { runDag } from './dag.js';
import { bindInputs } from './inputs.js';
import { AbortError } from './limiter.js';
import { podName } from './naming.js';
import { runPod } from './pod.js';
import { isObj, type Obj } from './spec.js';
import type { ArtifactValue, NodeRecord, NodeType } from './types.js';

export interface Invocation {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly template: string;
  readonly parameters: ReadonlyMap<string, string>;
  readonly artifacts: ReadonlyMap<string, ArtifactValue>;
  /** The calling DAG's limits; absent for the entrypoint and the exit handler. */
  readonly boundary?: Boundary;
  readonly depth: number;
  /** Part of the exit handler: runs even after the workflow's deadline. */
  readonly onExit: boolean;
}

/** Recursive pipelines (a DAG calling itself under a `when`) must end somewhere. */
const MAX_DEPTH = 200;

export async function executeTemplate(ctx: RunContext, inv: Invocation): Promise<NodeRecord> {
  const tmpl = ctx.wf.templates.get(inv.template);
  const kind = tmpl ? templateKind(tmpl) : undefined;
  const init = (type: NodeType): NodeInit => ({ id: inv.id, name: inv.name, displayName: inv.displayName, template: inv.template, type });
  if (!tmpl) return ctx.settledNode(init('Skipped'), 'Error', `template "${inv.template}" not found`);
  const type: NodeType = kind === 'dag' ? 'DAG' : 'Pod';
  if (kind !== 'dag' && kind !== 'pod') return ctx.settledNode(init(type), 'Error', `template "${inv.template}": ${kind ?? 'no container, script, resource or dag'} is not supported by the local executor`);
  if (inv.depth > MAX_DEPTH) {
    return ctx.settledNode(init(type), 'Error', `templates nested more than ${MAX_DEPTH} deep (at "${inv.template}"): a pipeline that calls itself until a condition fails has not stopped; check that condition`);
  }
  if (ctx.signal(inv.onExit)?.aborted) return ctx.settledNode(init(type), 'Omitted', ctx.stopMessage);

  const pod = kind === 'pod' ? podName(ctx.wf.name, inv.template, inv.name) : undefined;
  const bound = bindInputs(ctx, tmpl, inv, pod);
  if ('error' in bound) return ctx.settledNode(init(type), 'Error', bound.error);
  if (pod !== undefined) return runPod(ctx, { init: init('Pod'), bound, podName: pod, boundary: inv.boundary, onExit: inv.onExit });

  // A nested DAG holds one of its parent's slots for as long as it runs.
  let release: (() => void) | undefined = () => {};
  try {
    if (inv.boundary) release = await inv.boundary.enter(ctx.signal(inv.onExit));
  } catch (e) {
    if (!(e instanceof AbortError)) throw e;
    return ctx.settledNode(init(type), 'Omitted', ctx.stopMessage);
  }
  if (!release) return ctx.settledNode(init(type), 'Omitted', 'omitted: an earlier task of the DAG failed (failFast)');
  try {
    return await runDag(ctx, inv, bound, executeTemplate);
  } finally {
    release();
  }
}

function templateKind(tmpl: Obj): 'dag' | 'pod' | string {
  if (isObj(tmpl['dag'])) return 'dag';
  if (isObj(tmpl['container']) || isObj(tmpl['script']) || isObj(tmpl['resource'])) return 'pod';
  for (const k of ['steps', 'suspend', 'containerSet', 'data', 'http', 'plugin']) if (tmpl[k] !== undefined) return `a ${k} template`;
  return 'a template without container, script, resource or dag';
}
