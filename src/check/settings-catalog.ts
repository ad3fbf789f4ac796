/**
 * Every task and pipeline setting, defined once: its name, where it is allowed, the shape of
 * its value, its allowed values, what it means and an example. From this table come the
 * checker's dispatch (settings.ts keys its handlers by these names, and the type system
 * makes that map exactly this list), the "did you mean" suggestions, the README's "Task
 * settings" and "Pipeline settings" tables (scripts/gen-readme-settings.mjs, kept in step by
 * test/settings-catalog.test.ts) and, next, the language server's hover and completion.
 *
 * Plain data (its one import is a type), so that the README script and an editor can load it alone.
 * The order is the order of the README rows and of the "settings are …" hints.
 */

import type { CodeName } from '../diagnostics/catalog.js';

export type SettingScope = 'task' | 'pipeline';

export interface SettingDef {
  readonly name: string;
  readonly where: SettingScope;
  /** The shape of the value, as a user reads it ("a duration", "a map of strings"…). */
  readonly value: string;
  /** The only values accepted, when the value is one of a closed list. */
  readonly allowed?: readonly string[];
  /** Takes `request .. limit`. */
  readonly range?: boolean;
  /** Another setting it needs beside it. */
  readonly needs?: string;
  /** One line: what the setting does. */
  readonly doc: string;
  /** The setting as written in .kfp. */
  readonly example: string;
  /** Where it lands in the Argo workflow, and its kfp v1 Python SDK counterpart. */
  readonly target: string;
  /** The diagnostic code of an invalid value. */
  readonly code: CodeName;
}

export const RETRY_POLICIES = ['Always', 'OnFailure', 'OnError', 'OnTransientError'] as const;
export const PULL_POLICIES = ['Always', 'Never', 'IfNotPresent'] as const;

const quantityRef = 'a literal is validated; a parameter, task output or loop item goes through `podSpecPatch`, as in kfp';

export const TASK_SETTING_DEFS = [
  {
    name: 'cpu',
    where: 'task',
    code: 'InvalidResourceQuantity',
    value: 'a CPU quantity (`2`, `"500m"`), or `request .. limit`; or a reference',
    range: true,
    doc: 'CPU for the task: one value is both request and limit.',
    example: 'cpu: "500m" .. 2',
    target: `\`resources.requests\` / \`limits\` \`cpu\` (kfp's \`set_cpu_request\`/\`set_cpu_limit\`); ${quantityRef}`,
  },
  {
    name: 'memory',
    where: 'task',
    code: 'InvalidResourceQuantity',
    value: 'a memory quantity (`"512Mi"`, `"1G"`), or `request .. limit`; or a reference',
    range: true,
    doc: 'Memory for the task: one value is both request and limit.',
    example: 'memory: "1G" .. "2G"',
    target: `\`resources.requests\` / \`limits\` \`memory\` (kfp's \`set_memory_request\`/\`set_memory_limit\`); ${quantityRef}`,
  },
  {
    name: 'gpu',
    where: 'task',
    code: 'InvalidGpu',
    value: 'a positive integer, or a reference',
    doc: 'GPUs for the task (a limit), of the vendor `gpu_vendor` names.',
    example: 'gpu: 1',
    target: "`resources.limits` `nvidia.com/gpu` (kfp's `set_gpu_limit`)",
  },
  {
    name: 'gpu_vendor',
    where: 'task',
    code: 'InvalidGpu',
    value: '`"nvidia"`, `"amd"` or a full resource name',
    doc: 'Which GPU resource `gpu` asks for (default `"nvidia"`).',
    example: 'gpu_vendor: "amd"',
    target: '`amd.com/gpu`, `nvidia.com/gpu` or the resource name given',
  },
  {
    name: 'ephemeral_storage',
    where: 'task',
    code: 'InvalidResourceQuantity',
    value: 'a storage quantity (`"10Gi"`), or `request .. limit`; or a reference',
    range: true,
    doc: 'Local scratch disk for the task: one value is both request and limit.',
    example: 'ephemeral_storage: "10Gi"',
    target: `\`resources.requests\` / \`limits\` \`ephemeral-storage\`; ${quantityRef}`,
  },
  {
    name: 'cpu_request',
    where: 'task',
    code: 'InvalidResourceQuantity',
    value: 'a CPU quantity, or a reference',
    doc: 'Only a CPU request, no limit.',
    example: 'cpu_request: "250m"',
    target: "`resources.requests.cpu` (kfp's `set_cpu_request`)",
  },
  {
    name: 'cpu_limit',
    where: 'task',
    code: 'InvalidResourceQuantity',
    value: 'a CPU quantity, or a reference',
    doc: 'Only a CPU limit, no request.',
    example: 'cpu_limit: 4',
    target: "`resources.limits.cpu` (kfp's `set_cpu_limit`)",
  },
  {
    name: 'memory_request',
    where: 'task',
    code: 'InvalidResourceQuantity',
    value: 'a memory quantity, or a reference',
    doc: 'Only a memory request, no limit.',
    example: 'memory_request: "512Mi"',
    target: "`resources.requests.memory` (kfp's `set_memory_request`)",
  },
  {
    name: 'memory_limit',
    where: 'task',
    code: 'InvalidResourceQuantity',
    value: 'a memory quantity, or a reference',
    doc: 'Only a memory limit, no request.',
    example: 'memory_limit: "4G"',
    target: "`resources.limits.memory` (kfp's `set_memory_limit`)",
  },
  {
    name: 'ephemeral_storage_request',
    where: 'task',
    code: 'InvalidResourceQuantity',
    value: 'a storage quantity, or a reference',
    doc: 'Only an ephemeral storage request, no limit.',
    example: 'ephemeral_storage_request: "1Gi"',
    target: "`resources.requests.ephemeral-storage` (kfp's `set_ephemeral_storage_request`)",
  },
  {
    name: 'ephemeral_storage_limit',
    where: 'task',
    code: 'InvalidResourceQuantity',
    value: 'a storage quantity, or a reference',
    doc: 'Only an ephemeral storage limit, no request.',
    example: 'ephemeral_storage_limit: "20Gi"',
    target: "`resources.limits.ephemeral-storage` (kfp's `set_ephemeral_storage_limit`)",
  },
  {
    name: 'env',
    where: 'task',
    code: 'InvalidSetting',
    value: 'a map of variable names to literals, references, `secret(name, key)` or `config_map(name, key)`',
    doc: "Environment variables of the task's container.",
    example: 'env: { MODE: "fast", PW: secret("db", "password"), CFG: config_map("c", "k"), N: n }',
    target: "`env` with `value` / `secretKeyRef` / `configMapKeyRef` (kfp's `add_env_variable`); references become template inputs",
  },
  {
    name: 'retry',
    where: 'task',
    code: 'InvalidRetry',
    value: 'a non-negative integer',
    doc: 'How many times a failed task is retried (0: never).',
    example: 'retry: 3',
    target: "`retryStrategy.limit` (kfp's `set_retry`)",
  },
  {
    name: 'retry_policy',
    where: 'task',
    code: 'InvalidRetry',
    needs: 'retry',
    value: 'one of',
    allowed: RETRY_POLICIES,
    doc: 'Which failures are retried.',
    example: 'retry_policy: "OnFailure"',
    target: "`retryStrategy.retryPolicy` (kfp's `set_retry(policy=…)`)",
  },
  {
    name: 'backoff',
    where: 'task',
    code: 'InvalidRetry',
    needs: 'retry',
    value: 'a Go duration (`"30s"`) or a number of seconds',
    doc: 'How long to wait before the first retry.',
    example: 'backoff: "30s"',
    target: "`retryStrategy.backoff.duration` (kfp's `set_retry(backoff_duration=…)`)",
  },
  {
    name: 'backoff_factor',
    where: 'task',
    code: 'InvalidRetry',
    needs: 'retry',
    value: 'a positive integer',
    doc: 'By how much the wait grows after each retry.',
    example: 'backoff_factor: 2',
    target: "`retryStrategy.backoff.factor` (kfp's `set_retry(backoff_factor=…)`)",
  },
  {
    name: 'backoff_max',
    where: 'task',
    code: 'InvalidRetry',
    needs: 'retry',
    value: 'a Go duration or a number of seconds',
    doc: 'The longest wait between retries.',
    example: 'backoff_max: "10m"',
    target: "`retryStrategy.backoff.maxDuration` (kfp's `set_retry(backoff_max_duration=…)`)",
  },
  {
    name: 'timeout',
    where: 'task',
    code: 'InvalidDuration',
    value: 'a duration (`"45s"`, `"1h30m"`, `"2d"`) or a number of seconds',
    doc: 'The task fails when it runs longer than this.',
    example: 'timeout: "1h"',
    target: "the template's `activeDeadlineSeconds` (kfp's `set_timeout`)",
  },
  {
    name: 'cache',
    where: 'task',
    code: 'InvalidSetting',
    value: '`true` or `false`',
    doc: "Whether KFP may reuse an earlier run's result of this task.",
    example: 'cache: false',
    target: 'label `pipelines.kubeflow.org/enable_caching`',
  },
  {
    name: 'max_cache_staleness',
    where: 'task',
    code: 'InvalidDuration',
    value: 'an ISO-8601 duration (`"P30D"`, `"PT12H"`)',
    doc: 'How old a cached result may be to be reused (`"P0D"`: never).',
    example: 'max_cache_staleness: "P30D"',
    target: "annotation `pipelines.kubeflow.org/max_cache_staleness` (kfp's `execution_options.caching_strategy.max_cache_staleness`)",
  },
  {
    name: 'node_selector',
    where: 'task',
    code: 'InvalidLabel',
    value: 'a map of label keys to label values',
    doc: 'Run the task only on nodes with these labels.',
    example: 'node_selector: { "cloud.google.com/gke-accelerator": "nvidia-tesla-t4" }',
    target: "the template's `nodeSelector` (kfp's `add_node_selector_constraint`)",
  },
  {
    name: 'tolerations',
    where: 'task',
    code: 'InvalidToleration',
    value: 'a Kubernetes toleration record, or a list of them',
    doc: 'Let the task run on nodes with matching taints.',
    example: 'tolerations: [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }]',
    target: "the template's `tolerations` (kfp's `add_toleration`)",
  },
  {
    name: 'affinity',
    where: 'task',
    code: 'InvalidSetting',
    value: 'a Kubernetes Affinity record',
    doc: 'Node and pod affinity rules for the task.',
    example: 'affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "In", values: ["gpu"] }] }] } } }',
    target: "the template's `affinity` (kfp's `add_affinity`)",
  },
  {
    name: 'image_pull_policy',
    where: 'task',
    code: 'InvalidSetting',
    value: 'one of',
    allowed: PULL_POLICIES,
    doc: "When the node pulls the task's image.",
    example: 'image_pull_policy: "Always"',
    target: "`container.imagePullPolicy` (kfp's `set_image_pull_policy`)",
  },
  {
    name: 'mount',
    where: 'task',
    code: 'InvalidMount',
    value: 'a map of absolute container paths to a `volume(...)` task or `pvc("claim")`',
    doc: 'Mount volumes into the container (a mounted `volume(...)` task runs first).',
    example: 'mount: { "/data": vol, "/models": pvc("models") }',
    target: "`volumes` + `volumeMounts` (kfp's `add_pvolumes`)",
  },
  {
    name: 'display_name',
    where: 'task',
    code: 'InvalidSetting',
    value: 'a non-empty string',
    doc: 'The name the KFP UI shows for the task.',
    example: 'display_name: "Train the model"',
    target: "annotation `pipelines.kubeflow.org/task_display_name` (kfp's `set_display_name`)",
  },
  {
    name: 'labels',
    where: 'task',
    code: 'InvalidLabel',
    value: 'a map of label keys to label values',
    doc: "Labels on the task's pod.",
    example: 'labels: { team: "vision" }',
    target: "the template's `metadata.labels` (kfp's `add_pod_label`)",
  },
  {
    name: 'annotations',
    where: 'task',
    code: 'InvalidLabel',
    value: 'a map of annotation keys to strings',
    doc: "Annotations on the task's pod.",
    example: 'annotations: { "owner": "ml-team" }',
    target: "the template's `metadata.annotations` (kfp's `add_pod_annotation`)",
  },
  {
    name: 'sidecars',
    where: 'task',
    code: 'InvalidSidecar',
    value: 'a record or a list of records: `name`, `image`, `command`, `args`, `env`, `mirror_volume_mounts`',
    doc: 'Containers running beside the main one; not started by `kfpdsl run`.',
    example: 'sidecars: [{ name: "proxy", image: "envoy:1.27", args: ["--port", "9901"] }]',
    target: "the template's `sidecars` (kfp's `add_sidecar`)",
  },
  {
    name: 'init_containers',
    where: 'task',
    code: 'InvalidSidecar',
    value: 'a record or a list of records, as `sidecars`',
    doc: 'Containers run to completion before the main one; not started by `kfpdsl run`.',
    example: 'init_containers: [{ name: "fetch", image: "alpine:3.19", command: ["sh", "-c", "echo ready"] }]',
    target: "the template's `initContainers` (kfp's `add_init_container`)",
  },
] as const satisfies readonly SettingDef[];

export const PIPELINE_SETTING_DEFS = [
  {
    name: 'timeout',
    where: 'pipeline',
    code: 'InvalidDuration',
    value: 'a duration or a number of seconds',
    doc: 'The run fails when it takes longer than this.',
    example: 'timeout: "12h"',
    target: "`spec.activeDeadlineSeconds` (kfp's `PipelineConf.set_timeout`)",
  },
  {
    name: 'parallelism',
    where: 'pipeline',
    code: 'InvalidParallelism',
    value: 'a positive integer',
    doc: 'At most this many pods of the run at once.',
    example: 'parallelism: 10',
    target: "`spec.parallelism` (kfp's `PipelineConf.set_parallelism`; kfp's `0`, unlimited, is leaving it out)",
  },
  {
    name: 'ttl',
    where: 'pipeline',
    code: 'InvalidDuration',
    value: 'a duration or a number of seconds',
    doc: 'Delete the finished run after this long.',
    example: 'ttl: "1d"',
    target: "`spec.ttlStrategy.secondsAfterCompletion` (kfp's `PipelineConf.set_ttl_seconds_after_finished`)",
  },
  {
    name: 'image_pull_secrets',
    where: 'pipeline',
    code: 'InvalidSecretReference',
    value: 'a list of Kubernetes secret names',
    doc: 'Secrets every pod of the run uses to pull its image.',
    example: 'image_pull_secrets: ["regcred"]',
    target: "`spec.imagePullSecrets` (kfp's `PipelineConf.set_image_pull_secrets`)",
  },
  {
    name: 'image_pull_policy',
    where: 'pipeline',
    code: 'InvalidSetting',
    value: 'one of',
    allowed: PULL_POLICIES,
    doc: "The default pull policy of every container (a task's own setting wins).",
    example: 'image_pull_policy: "IfNotPresent"',
    target: "each container's `imagePullPolicy` (kfp's `PipelineConf.set_image_pull_policy`)",
  },
  {
    name: 'service_account',
    where: 'pipeline',
    code: 'InvalidSetting',
    value: 'a Kubernetes service account name',
    doc: 'The service account the run\'s pods run as (default `pipeline-runner`).',
    example: 'service_account: "pipeline-runner"',
    target: '`spec.serviceAccountName`',
  },
  {
    name: 'node_selector',
    where: 'pipeline',
    code: 'InvalidLabel',
    value: 'a map of label keys to label values',
    doc: 'The default node selector of every pod of the run.',
    example: 'node_selector: { "pool": "batch" }',
    target: "`spec.nodeSelector` (kfp's `PipelineConf.set_default_pod_node_selector`)",
  },
  {
    name: 'pod_disruption_budget',
    where: 'pipeline',
    code: 'InvalidSetting',
    value: 'a number of pods or a percentage up to `"100%"`',
    doc: 'How many of the run\'s pods must stay up when nodes are drained.',
    example: 'pod_disruption_budget: "50%"',
    target: "`spec.podDisruptionBudget.minAvailable` (kfp's `PipelineConf.set_pod_disruption_budget`)",
  },
] as const satisfies readonly SettingDef[];

export type TaskSettingName = (typeof TASK_SETTING_DEFS)[number]['name'];
export type PipelineSettingName = (typeof PIPELINE_SETTING_DEFS)[number]['name'];

/** The names, in table order: for "did you mean" and for "settings are …". */
export const TASK_SETTINGS: readonly TaskSettingName[] = TASK_SETTING_DEFS.map((d) => d.name);
export const PIPELINE_SETTINGS: readonly PipelineSettingName[] = PIPELINE_SETTING_DEFS.map((d) => d.name);

const byName = <D extends SettingDef>(defs: readonly D[]): ReadonlyMap<string, D> => new Map(defs.map((d) => [d.name, d]));
const TASK_BY_NAME = byName<SettingDef>(TASK_SETTING_DEFS);
const PIPELINE_BY_NAME = byName<SettingDef>(PIPELINE_SETTING_DEFS);

/** The setting of that name allowed there, if any (an editor's hover; the checker's dispatch). */
export function settingDef(where: SettingScope, name: string): SettingDef | undefined {
  return (where === 'task' ? TASK_BY_NAME : PIPELINE_BY_NAME).get(name);
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const code = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

/** The README's table of the settings allowed there (scripts/gen-readme-settings.mjs writes it). */
export function settingsTableMarkdown(where: SettingScope): string {
  const defs: readonly SettingDef[] = where === 'task' ? TASK_SETTING_DEFS : PIPELINE_SETTING_DEFS;
  const rows = defs.map((d) => {
    const value = [d.value, d.allowed ? ` ${d.allowed.map((a) => code(`"${a}"`)).join(', ')}` : '', d.needs ? `; needs ${code(d.needs)}` : ''].join('');
    return `| ${code(d.name)} | ${cell(d.doc)} | ${cell(value)} | ${code(d.example)} | ${cell(d.target)} |`;
  });
  return ['| setting | meaning | value | example | Argo / KFP |', '|---|---|---|---|---|', ...rows].join('\n') + '\n';
}
