/**
 * One executor task of a v2 pipeline, run as the local executor runs a pod: the container spec
 * with its placeholders filled (placeholders.ts) becomes the equivalent Argo container
 * template (its files declared where the placeholders point, its Kubernetes settings as env
 * and volumes), and src/run/pod.ts runs it: attempts under the task's retryPolicy, the step
 * directory, the log, the events. Output parameters are then read as KFP's launcher reads
 * them, by type; a file that is not its type fails the task, as it fails the launcher.
 * kfp-kubernetes' CreatePVC and DeletePVC stubs (`argostub/…`), which KFP's driver carries out
 * itself, need no process: a claim is a directory of the run (ctx.volumeDir).
 */
import type { RunContext } from '../context.js';
import { podName } from '../naming.js';
import { runPod } from '../pod.js';
import { arr, obj, objs, str, type Obj } from '../spec.js';
import type { ArtifactValue, NodeOutputs, NodeRecord } from '../types.js';
import { fillCommand, inputArtifactPath, outputArtifactPath, outputParamPath, type Fill } from './placeholders.js';
import { paramText, readParam, type ParamValue } from './values.js';

export interface ExecutorTask {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  /** The component (the node's template, as the summary and report name it). */
  readonly ref: string;
  /** The executor label: its Python environment is chosen by it. */
  readonly label: string;
  readonly executor: Obj;
  /** This executor's `platforms.kubernetes` settings. */
  readonly kubernetes: Obj;
  readonly component: Obj;
  readonly fill: Fill;
  readonly artifacts: ReadonlyMap<string, ArtifactValue>;
  /** Claim names of the `pvcMount`s, resolved by the DAG, by mount path. */
  readonly claims: ReadonlyMap<string, string>;
  /** The task's `retryPolicy`. */
  readonly retry: Obj | undefined;
  readonly onExit: boolean;
}

export interface ExecutorOutcome {
  readonly node: NodeRecord;
  /** Output parameters, typed. */
  readonly parameters: Map<string, ParamValue>;
}

export async function runExecutorTask(ctx: RunContext, t: ExecutorTask): Promise<ExecutorOutcome> {
  const container = obj(t.executor['container']);
  const image = str(container['image']) ?? '';
  const init = { id: t.id, name: t.name, displayName: t.displayName, template: t.ref, type: 'Pod' as const };
  if (image === 'argostub/createpvc' || image === 'argostub/deletepvc') return pvcStub(ctx, t, init, image === 'argostub/createpvc');
  if (ctx.signal(t.onExit)?.aborted) return { node: ctx.settledNode(init, 'Omitted', ctx.stopMessage), parameters: new Map() };

  const filled = fillCommand(arr(container['command']), arr(container['args']), t.fill);
  const outputTypes = new Map(Object.entries(obj(obj(t.component['outputDefinitions'])['parameters'])).map(([n, d]) => [n, str(obj(d)['parameterType'])]));
  const outputArtifacts = Object.keys(obj(obj(t.component['outputDefinitions'])['artifacts']));
  const k8s = kubernetesParts(t.kubernetes, t.claims);
  const tmpl: Obj = {
    name: t.label,
    container: {
      image,
      command: filled.command,
      args: filled.args,
      env: [...objs(container['env']), ...k8s.env],
      volumeMounts: k8s.mounts,
    },
    volumes: k8s.volumes,
    inputs: { artifacts: [...t.artifacts.keys()].map((name) => ({ name, path: inputArtifactPath(name) })) },
    outputs: {
      // A missing file is reported by `finish`, in the launcher's words.
      parameters: [...outputTypes.keys()].map((name) => ({ name, valueFrom: { path: outputParamPath(name), default: MISSING } })),
      artifacts: outputArtifacts.map((name) => ({ name, path: outputArtifactPath(name) })),
    },
    ...(t.retry ? { retryStrategy: retryStrategy(t.retry) } : {}),
    ...(k8s.deadline !== undefined ? { activeDeadlineSeconds: k8s.deadline } : {}),
  };
  const parameters = new Map<string, ParamValue>();
  const node = await runPod(ctx, {
    init,
    bound: { tmpl, parameters: new Map([...t.fill.parameters].map(([k, v]) => [k, paramText(v)])), artifacts: t.artifacts },
    podName: podName(ctx.wf.name, t.label, t.name),
    boundary: undefined,
    onExit: t.onExit,
    finish: (outputs) => {
      parameters.clear();
      const shown: NodeOutputs = { ...outputs, parameters: {} };
      for (const [name, type] of outputTypes) {
        const text = outputs.parameters[name];
        if (text === undefined || text === MISSING) return { error: `output parameter "${name}" was not written (${outputParamPath(name)})` };
        const read = readParam(text, type);
        if ('error' in read) return { error: `output parameter "${name}": ${read.error} (its type is ${type ?? 'STRING'})` };
        parameters.set(name, read.value);
        shown.parameters[name] = text;
      }
      return { outputs: shown };
    },
  });
  return { node, parameters };
}

/** Stands for "no file": a text no program writes (Argo's `valueFrom.default` needs one). */
const MISSING = '\u0000kfpdsl: not written\u0000';

function retryStrategy(p: Obj): Obj {
  const backoff: Obj = {};
  if (str(p['backoffDuration']) !== undefined) backoff['duration'] = str(p['backoffDuration']);
  if (p['backoffFactor'] !== undefined) backoff['factor'] = p['backoffFactor'];
  if (str(p['backoffMaxDuration']) !== undefined) backoff['maxDuration'] = str(p['backoffMaxDuration']);
  // KFP v2 retries a task whose program failed (an output it did not write counts); a task that
  // could not start (a missing secret) stays as it is, as kfpdsl's v2 target and Argo's OnFailure have it.
  return { limit: p['maxRetryCount'] ?? 0, retryPolicy: 'OnFailure', ...(Object.keys(backoff).length ? { backoff } : {}) };
}

interface K8sParts {
  env: Obj[];
  mounts: Obj[];
  volumes: Obj[];
  deadline?: string;
}

/** A name the platform spec gives as a constant (`secretName`, or a `…Parameter` holding a constant). */
function constantName(o: Obj, field: string): string {
  return str(o[field]) ?? str(obj(obj(o[`${field}Parameter`])['runtimeValue'])['constant']) ?? '';
}

/**
 * The platform spec's settings that change what a process sees: secrets and config maps (as
 * env and as files), claims and empty dirs, field paths, the pod's deadline. The rest (node
 * selectors, tolerations, affinity, pull secrets and policy, labels) places a pod on a
 * cluster, and a local run has no cluster.
 */
function kubernetesParts(k: Obj, claims: ReadonlyMap<string, string>): K8sParts {
  const env: Obj[] = [];
  const mounts: Obj[] = [];
  const volumes: Obj[] = [];
  let n = 0;
  const mount = (volume: Obj, mountPath: string): void => {
    const name = `v2-volume-${++n}`;
    volumes.push({ name, ...volume });
    mounts.push({ name, mountPath });
  };
  for (const s of objs(k['secretAsEnv'])) {
    for (const e of objs(s['keyToEnv'])) env.push({ name: str(e['envVar']), valueFrom: { secretKeyRef: { name: constantName(s, 'secretName'), key: str(e['secretKey']), optional: s['optional'] === true } } });
  }
  for (const s of objs(k['configMapAsEnv'])) {
    for (const e of objs(s['keyToEnv'])) env.push({ name: str(e['envVar']), valueFrom: { configMapKeyRef: { name: constantName(s, 'configMapName'), key: str(e['configMapKey']), optional: s['optional'] === true } } });
  }
  for (const f of objs(k['fieldPathAsEnv'])) env.push({ name: str(f['name']), valueFrom: { fieldRef: { fieldPath: str(f['fieldPath']) } } });
  for (const s of objs(k['secretAsVolume'])) mount({ secret: { secretName: constantName(s, 'secretName'), optional: s['optional'] === true } }, str(s['mountPath']) ?? '');
  for (const c of objs(k['configMapAsVolume'])) mount({ configMap: { name: constantName(c, 'configMapName'), optional: c['optional'] === true } }, str(c['mountPath']) ?? '');
  for (const e of objs(k['emptyDirMounts'])) mount({ emptyDir: {} }, str(e['mountPath']) ?? '');
  for (const [mountPath, claimName] of claims) mount({ persistentVolumeClaim: { claimName } }, mountPath);
  const deadline = str(k['activeDeadlineSeconds']);
  return { env, mounts, volumes, ...(deadline !== undefined ? { deadline } : {}) };
}

/** CreatePVC names the claim `<uuid><pvc_name_suffix>` (or `pvc_name`), as KFP's driver does; DeletePVC removes nothing locally. */
function pvcStub(ctx: RunContext, t: ExecutorTask, init: Parameters<RunContext['createNode']>[0], create: boolean): ExecutorOutcome {
  const node = ctx.createNode(init);
  const parameters = new Map<string, ParamValue>();
  if (create) {
    const given = t.fill.parameters.get('pvc_name');
    const suffix = t.fill.parameters.get('pvc_name_suffix');
    const name = typeof given === 'string' && given !== '' ? given : `${ctx.wf.uid}${typeof suffix === 'string' ? suffix : ''}`;
    parameters.set('name', name);
    node.outputs = { parameters: { name }, artifacts: {} };
  }
  // The claim's directory stays in the run directory, for looking at after the run.
  ctx.settle(node, 'Succeeded');
  return { node, parameters };
}
