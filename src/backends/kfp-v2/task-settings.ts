/**
 * Task settings as KFP v2 spells them. What the container needs (resources, an accelerator,
 * literal env) goes into the executor's `PipelineContainerSpec`; what the pod needs
 * (secrets and config maps as env, node selectors, tolerations, node affinity, pull policy,
 * the pod's deadline, labels and annotations, init containers and sidecars) goes into its
 * `KubernetesExecutorConfig` (the platform spec, kubernetes_executor_config.proto), spelled
 * as kfp-kubernetes writes it; retries go on the task (`retryPolicy`). Both are per
 * executor, and every task has its own (`comp-train-2`, `exec-train-2`, as KFP makes
 * them). Mounts need the DAG (a volume is
 * a task's output) and are lowered in dag.ts. Anything else is returned as refused, by
 * setting name.
 */
import { KFP_V2_RUN_VALUES, runValueName } from '../../check/argo-placeholders.js';
import type { IrSettingValue, IrSidecar, IrTaskSettings } from '../../ir/ir.js';
import { goDurationNanos } from '../../check/quantities.js';
import type { JsonObject } from './executors.js';

export interface V2TaskSettings {
  /** Merged into the executor's `container` (absent: the component's shared executor). */
  readonly container?: JsonObject;
  /** The executor's `KubernetesExecutorConfig` fields (absent: none). */
  readonly kubernetes?: JsonObject;
  /** Merged into the task (`retryPolicy`). */
  readonly task: JsonObject;
  /** Settings with no v2 form here yet. */
  readonly refused: string[];
}

const SPELLED: { [irName: string]: string } = { timeoutSeconds: 'timeout', ttlSeconds: 'ttl', mounts: 'mount', maxCacheStaleness: 'max_cache_staleness' };

/** A setting as .kfp spells it (`node_selector`), from its IR name (`nodeSelector`). */
export function kfpSettingName(irName: string): string {
  return SPELLED[irName] ?? irName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const literal = (v: IrSettingValue): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/**
 * A Go duration (`30s`, `1m30s`, `1.5s`, `100ms`, as Argo takes them and the checker let
 * through) → protobuf Duration JSON (`90s`, `1.500s`, `0.100s`), exactly: seconds and up to nine
 * digits of fraction. Go's limit (2^63 - 1 ns, checked) is within Duration's (10,000 years).
 */
export function protoDuration(d: string | undefined): string | undefined {
  if (d === undefined) return undefined;
  const ns = goDurationNanos(d);
  const seconds = ns / 1_000_000_000n;
  // protobuf's JSON form: the fraction in 3, 6 or 9 digits (`1.500s`), as KFP's compiler writes it.
  let fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  while (fraction.endsWith('000')) fraction = fraction.slice(0, -3);
  return `${seconds}${fraction ? `.${fraction}` : ''}s`;
}

/** A name known when compiling, as kfp-kubernetes writes it: the deprecated field and the parameter beside it. */
export function constantName(field: string, name: string): JsonObject {
  return { [field]: name, [`${field}Parameter`]: { runtimeValue: { constant: name } } };
}

/** kfp-kubernetes' `Toleration`, as protobuf JSON writes it: empty strings left out, `tolerationSeconds` (int64) as text. */
function toleration(t: { [key: string]: unknown }): JsonObject {
  const out: JsonObject = {};
  for (const k of ['effect', 'key', 'operator', 'value']) if (typeof t[k] === 'string' && t[k] !== '') out[k] = t[k];
  const seconds = t.tolerationSeconds ?? t.toleration_seconds;
  if (typeof seconds === 'number') out.tolerationSeconds = String(seconds);
  return out;
}

function container(s: IrSidecar, sidecar: boolean, refused: string[], setting: string): JsonObject {
  if (s.mirrorVolumeMounts) refused.push(`${setting} \`${s.name}\` with \`mirror_volume_mounts\` (KFP v2 mounts named volumes only)`);
  const env = Object.entries(s.env ?? {}).map(([name, value]) => ({ name, value }));
  return {
    name: s.name,
    image: s.image,
    ...(s.command?.length ? { command: s.command } : {}),
    ...(s.args?.length ? { args: s.args } : {}),
    ...(env.length ? { env } : {}),
    // A sidecar is a Kubernetes native sidecar: an init container that keeps running.
    ...(sidecar ? { restartPolicy: 'Always' } : {}),
  };
}

/**
 * A resource known only at run time, as KFP lays it out: the value comes in as a task input
 * (`pipelinechannel--cpu_limit`) and the container's field holds its placeholder. Returns
 * that placeholder, or undefined when the value cannot be read here (refused by the caller).
 */
export type RuntimeResource = (value: Exclude<IrSettingValue, string | number>, input: string) => string | undefined;

const RESOURCE_INPUT: { [k: string]: string } = { resourceCpuRequest: 'cpu_request', resourceMemoryRequest: 'memory_request', resourceCpuLimit: 'cpu_limit', resourceMemoryLimit: 'memory_limit' };

export function v2TaskSettings(settings: IrTaskSettings, runtime?: RuntimeResource): V2TaskSettings {
  const { cache, displayName, requests, limits, env, retry, mounts, timeoutSeconds, nodeSelector, tolerations, affinity, imagePullPolicy, labels, annotations, initContainers, sidecars, ...others } = settings;
  void cache;
  void displayName;
  void mounts;
  const refused = Object.entries(others)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => `\`${kfpSettingName(k)}\`${k === 'maxCacheStaleness' ? ' (KFP v2 caches without expiry: only `cache: false`)' : ''}`);
  const resources: JsonObject = {};
  for (const [kind, map, cpuKey, memKey] of [
    ['requests', requests, 'resourceCpuRequest', 'resourceMemoryRequest'],
    ['limits', limits, 'resourceCpuLimit', 'resourceMemoryLimit'],
  ] as const) {
    for (const [resource, value] of Object.entries(map ?? {})) {
      const field = resource === 'cpu' ? cpuKey : resource === 'memory' ? memKey : kind === 'limits' && /gpu$/.test(resource) ? 'accelerator' : undefined;
      let text = literal(value);
      if (text === undefined && field !== undefined && runtime) text = runtime(value as Exclude<IrSettingValue, string | number>, RESOURCE_INPUT[field] ?? 'accelerator_count');
      if (text === undefined) {
        refused.push(`${kind} of \`${resource}\` known only at run time`);
        continue;
      }
      if (resource === 'cpu') resources[cpuKey] = text;
      else if (resource === 'memory') resources[memKey] = text;
      else if (kind === 'limits' && /gpu$/.test(resource)) resources.accelerator = { resourceCount: text, resourceType: resource };
      else refused.push(`${kind} of \`${resource}\` (KFP v2's containers have cpu, memory and accelerators only)`);
    }
  }
  const k8s: JsonObject = {};
  const envList: JsonObject[] = [];
  const secretEnv: JsonObject[] = [];
  const configMapEnv: JsonObject[] = [];
  for (const e of env ?? []) {
    if (e.secret) secretEnv.push({ keyToEnv: [{ envVar: e.name, secretKey: e.secret.key }], optional: false, ...constantName('secretName', e.secret.name) });
    else if (e.configMap) configMapEnv.push({ keyToEnv: [{ configMapKey: e.configMap.key, envVar: e.name }], optional: false, ...constantName('configMapName', e.configMap.name) });
    // KFP v2 fills its run placeholders in task arguments only: `env: { ID: run.id }` would reach the program as `{{workflow.uid}}`.
    else if (e.value && 'const' in e.value && typeof e.value.const === 'string' && KFP_V2_RUN_VALUES.has(e.value.const)) refused.push(`env \`${e.name}\` set to ${runValueName(e.value.const)} (KFP v2 fills run values in task arguments only: make it an input of the component)`);
    else if (e.value && 'const' in e.value && e.value.const !== null && typeof e.value.const !== 'object') envList.push({ name: e.name, value: String(e.value.const) });
    else refused.push(`env \`${e.name}\` (a value known only at run time)`);
  }
  if (secretEnv.length) k8s.secretAsEnv = secretEnv;
  if (configMapEnv.length) k8s.configMapAsEnv = configMapEnv;
  if (nodeSelector && Object.keys(nodeSelector).length) k8s.nodeSelector = { labels: { ...nodeSelector } };
  if (tolerations?.length) k8s.tolerations = tolerations.map((t) => toleration(t as { [key: string]: unknown }));
  if (affinity) {
    const { nodeAffinity, ...rest } = affinity;
    if (nodeAffinity !== undefined) k8s.nodeAffinity = [{ nodeAffinityJson: { runtimeValue: { constant: nodeAffinity } } }];
    for (const k of Object.keys(rest)) refused.push(`affinity \`${k}\` (KFP v2 takes pod affinity as terms, not as JSON)`);
  }
  if (imagePullPolicy !== undefined) k8s.imagePullPolicy = imagePullPolicy;
  if (timeoutSeconds !== undefined) k8s.activeDeadlineSeconds = String(timeoutSeconds);
  if ((labels && Object.keys(labels).length) || (annotations && Object.keys(annotations).length)) {
    k8s.podMetadata = { ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}), ...(labels && Object.keys(labels).length ? { labels: { ...labels } } : {}) };
  }
  const inits = [...(initContainers ?? []).map((s) => container(s, false, refused, 'init_containers')), ...(sidecars ?? []).map((s) => container(s, true, refused, 'sidecars'))];
  if (inits.length) k8s.initContainers = inits;
  const ctr: JsonObject = {};
  if (Object.keys(resources).length) ctr.resources = resources;
  if (envList.length) ctr.env = envList;
  const task: JsonObject = {};
  if (retry) {
    const backoff = retry.backoff;
    const duration = protoDuration(backoff?.duration);
    const max = protoDuration(backoff?.maxDuration);
    // KFP v2 retries a failed task, which is Argo's default policy, OnFailure; it has no other.
    if (retry.policy !== undefined && retry.policy !== 'OnFailure') refused.push(`retry_policy "${retry.policy}" (KFP v2 retries on failure only)`);
    task.retryPolicy = {
      maxRetryCount: retry.limit,
      ...(duration ? { backoffDuration: duration } : {}),
      ...(backoff?.factor !== undefined ? { backoffFactor: backoff.factor } : {}),
      ...(max ? { backoffMaxDuration: max } : {}),
    };
  }
  return { ...(Object.keys(ctr).length ? { container: ctr } : {}), ...(Object.keys(k8s).length ? { kubernetes: k8s } : {}), task, refused };
}

/**
 * Pipeline settings: those with a Kubernetes form apply to every executor (pull secrets,
 * pull policy and node selector, as kfp-kubernetes would set them on each task), the run's
 * deadline and TTL go to `platforms.kubernetes.pipelineConfig`; the rest is refused by name.
 */
export interface V2PipelineSettings {
  readonly everyExecutor: JsonObject;
  readonly pipelineConfig: JsonObject;
  readonly refused: { setting: string; why: string }[];
}

export function v2PipelineSettings(settings: { [key: string]: unknown }): V2PipelineSettings {
  const everyExecutor: JsonObject = {};
  const pipelineConfig: JsonObject = {};
  const refused: { setting: string; why: string }[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    if (key === 'imagePullSecrets') everyExecutor.imagePullSecret = (value as string[]).map((name) => constantName('secretName', name));
    else if (key === 'imagePullPolicy') everyExecutor.imagePullPolicy = value;
    else if (key === 'nodeSelector') everyExecutor.nodeSelector = { labels: { ...(value as object) } };
    else if (key === 'timeoutSeconds') pipelineConfig.activeDeadlineSeconds = value;
    else if (key === 'ttlSeconds') pipelineConfig.resourceTtlOnCompletion = value;
    else if (key === 'parallelism') refused.push({ setting: 'parallelism', why: ' (KFP v2 limits parallelism per loop only: `for x in xs parallelism N`)' });
    else if (key === 'serviceAccount') refused.push({ setting: 'service_account', why: ' (KFP v2 takes the service account per run, not in the pipeline spec)' });
    else refused.push({ setting: kfpSettingName(key), why: key === 'podDisruptionBudget' ? ' (KFP v2 has no pod disruption budget)' : '' });
  }
  return { everyExecutor, pipelineConfig, refused };
}
