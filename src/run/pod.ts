/**
 * A pod node: container, script or resource template, run attempt by attempt under its
 * retryStrategy. Each attempt holds one of its DAG's slots and one of the run's pod slots
 * only while it runs, never while backing off.
 */
import { randomUUID } from 'node:crypto';
import type { Boundary } from './boundary.js';
import { runContainerAttempt, type AttemptResult, type FinishOutputs } from './container.js';
import type { NodeInit, RunContext } from './context.js';
import type { PodFacts } from './env.js';
import type { Bound } from './inputs.js';
import { AbortError, sleep } from './limiter.js';
import { writeParamFile } from './outputs.js';
import { runResourceAttempt } from './resource.js';
import { nextRetry, parseRetryStrategy } from './retry.js';
import { intOrString, isObj, obj, str, type Obj } from './spec.js';
import { chain, deepSubstitute, fromMap } from './substitute.js';
import type { NodeRecord } from './types.js';

export interface PodRun {
  readonly init: NodeInit;
  readonly bound: Bound;
  readonly podName: string;
  readonly boundary: Boundary | undefined;
  readonly onExit: boolean;
  /** See ContainerAttempt.finish. */
  readonly finish?: FinishOutputs;
}

export async function runPod(ctx: RunContext, run: PodRun): Promise<NodeRecord> {
  const node = ctx.createNode(run.init);
  const { tmpl } = run.bound;
  const retry = parseRetryStrategy(tmpl['retryStrategy']);
  if ('error' in retry) return settled(ctx, node, 'Error', retry.error);
  const deadlineSeconds = intOrString(tmpl['activeDeadlineSeconds']);
  const signal = ctx.signal(run.onExit);
  const firstStart = Date.now();

  for (let attempt = 1; ; attempt++) {
    const slot = await takeSlots(ctx, run.boundary, signal, attempt > 1);
    if (slot === 'blocked') return settled(ctx, node, 'Omitted', 'omitted: an earlier task of the DAG failed (failFast)');
    if (slot === 'aborted') return settled(ctx, node, attempt === 1 ? 'Omitted' : 'Failed', ctx.stopMessage);
    // The directory is made once the pod really starts: an omitted pod leaves nothing behind.
    const dir = node.dir ?? ctx.stepDir(node.id);
    if (node.dir === undefined) {
      node.dir = dir;
      // The task's time is its own: from its first attempt's start, not from when it began
      // waiting for a free slot (a loop of 100 under `parallelism 2` waits most of the run).
      node.startedAt = Date.now();
      for (const [name, value] of run.bound.parameters) writeParamFile(dir, 'inputs', name, value);
    }
    ctx.emit(node, { kind: 'started', attempt });
    let result: AttemptResult;
    try {
      // `{{retries}}` is the attempt's index, 0 for the first run.
      const attemptTmpl = deepSubstitute(tmpl, (k) => (k === 'retries' ? String(attempt - 1) : undefined));
      if (isObj(attemptTmpl['resource'])) result = runResourceAttempt(ctx, attemptTmpl, dir);
      else {
        result = await runContainerAttempt(ctx, {
          tmpl: attemptTmpl,
          dir,
          attempt,
          artifacts: run.bound.artifacts,
          pod: podFacts(ctx, attemptTmpl, run),
          lookup: chain(ctx.global, fromMap(new Map([...run.bound.parameters].map(([k, v]) => [`inputs.parameters.${k}`, v])))),
          ...(deadlineSeconds !== undefined && deadlineSeconds > 0 ? { deadlineMs: deadlineSeconds * 1000 } : {}),
          ...(signal ? { signal } : {}),
          ...(run.finish ? { finish: run.finish } : {}),
        });
      }
    } catch (e) {
      result = { phase: 'Error', message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
    } finally {
      slot.release();
    }
    node.attempts = attempt;
    if (result.phase === 'Succeeded') {
      if (result.outputs) node.outputs = result.outputs;
      return settled(ctx, node, 'Succeeded');
    }
    const message = result.message ?? result.phase;
    const next = retry.strategy && !result.aborted ? nextRetry(retry.strategy, result.phase, attempt, Date.now() - firstStart) : { stop: '' };
    if ('stop' in next) return settled(ctx, node, result.phase, attempt > 1 ? `${message} (attempt ${attempt}; ${next.stop || 'not retried'})` : message);
    ctx.emit(node, { kind: 'retrying', attempt: attempt + 1, message });
    if (!(await sleep(next.waitMs, signal))) return settled(ctx, node, 'Failed', ctx.stopMessage);
  }
}

function settled(ctx: RunContext, node: NodeRecord, phase: 'Succeeded' | 'Failed' | 'Error' | 'Omitted', message?: string): NodeRecord {
  // A pod that never started took no time (it only waited).
  if (node.dir === undefined) delete node.startedAt;
  ctx.settle(node, phase, message);
  return node;
}

type Slot = { release: () => void } | 'blocked' | 'aborted';

/** The DAG's slot first, then the run's pod slot; failFast is checked again once both are held. */
async function takeSlots(ctx: RunContext, boundary: Boundary | undefined, signal: AbortSignal | undefined, retry: boolean): Promise<Slot> {
  let releaseBoundary = (): void => {};
  try {
    if (boundary) {
      const r = await boundary.enter(signal, retry);
      if (!r) return 'blocked';
      releaseBoundary = r;
    }
    const releasePod = await ctx.pods.acquire(signal);
    const release = (): void => {
      releasePod();
      releaseBoundary();
    };
    if (!retry && boundary?.blocked) {
      release();
      return 'blocked';
    }
    return { release };
  } catch (e) {
    releaseBoundary();
    if (e instanceof AbortError) return 'aborted';
    throw e;
  }
}

/** The pod's metadata as the downward API would show it. */
function podFacts(ctx: RunContext, tmpl: Obj, run: PodRun): PodFacts {
  const metadata = obj(tmpl['metadata']);
  const strings = (o: unknown): Record<string, string> =>
    Object.fromEntries(Object.entries(obj(o)).flatMap(([k, v]) => (str(v) !== undefined ? [[k, str(v) ?? '']] : [])));
  return {
    name: run.podName,
    uid: randomUUID(),
    labels: { ...strings(metadata['labels']), 'workflows.argoproj.io/workflow': ctx.wf.name },
    annotations: { ...strings(metadata['annotations']), 'workflows.argoproj.io/node-name': run.init.name, 'workflows.argoproj.io/node-id': run.init.id },
    serviceAccountName: str(tmpl['serviceAccountName']) ?? ctx.wf.serviceAccountName,
  };
}
