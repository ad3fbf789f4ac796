/**
 * Task settings onto a container template, as kfp's ContainerOp methods put them
 * (kfp/compiler/_op_to_template.py): resources, env, retries, timeouts, caching,
 * scheduling, mounts. Values that come from the pipeline at run time become template
 * inputs, passed by the DAG task like any other argument.
 */
import type { IrPipelineSettings, IrSidecar, IrTaskSettings, IrValue } from '../ir/ir.js';
import type { ShapedVolume as IrVolume } from './shape.js';
import { sanitizeK8sName } from '../names.js';
import { toYaml } from '../emit/yaml.js';
import type { ArgoParameter, ArgoTemplate } from './argo-types.js';

export function applyTaskSettings(
  t: ArgoTemplate,
  s: IrTaskSettings,
  pipeline: IrPipelineSettings,
  valueText: (v: IrValue) => string,
  volumeClaimRef: (volumeTask: string) => string,
): ArgoParameter[] {
  const args: ArgoParameter[] = [];
  const c = t.container!;
  const inputs = t.inputs!.parameters!;
  const md = t.metadata!;
  const env = (c.env as unknown[] | undefined) ?? [];
  for (const e of s.env ?? []) {
    if (e.secret) env.push({ name: e.name, valueFrom: { secretKeyRef: { key: e.secret.key, name: e.secret.name } } });
    else if (e.configMap) env.push({ name: e.name, valueFrom: { configMapKeyRef: { key: e.configMap.key, name: e.configMap.name } } });
    else if (e.value && 'const' in e.value) env.push({ name: e.name, value: String(e.value.const) });
    else if (e.value) {
      const input = `env-${sanitizeK8sName(e.name, true)}`;
      inputs.push({ name: input });
      args.push({ name: input, value: valueText(e.value) });
      env.push({ name: e.name, value: `{{inputs.parameters.${input}}}` });
    }
  }
  if (env.length) c.env = env;
  const imagePullPolicy = s.imagePullPolicy ?? pipeline.imagePullPolicy;
  if (imagePullPolicy) c.imagePullPolicy = imagePullPolicy;
  // Literal quantities go in the container; quantities from pipeline parameters go through
  // Argo's podSpecPatch, which is substituted at run time (kfp does the same).
  const resources: Record<'limits' | 'requests', Record<string, string | number>> = { limits: {}, requests: {} };
  const patched: Record<'limits' | 'requests', Record<string, string>> = { limits: {}, requests: {} };
  for (const which of ['limits', 'requests'] as const) {
    const quantities = s[which];
    // for…in, not Object.entries: a build runs this for every task, mostly before V8 optimises it.
    for (const key in quantities) {
      const v = quantities[key]!;
      if (typeof v !== 'object') {
        resources[which][key] = v;
        continue;
      }
      const input = `resources-${which}-${sanitizeK8sName(key)}`;
      inputs.push({ name: input });
      args.push({ name: input, value: valueText(v) });
      patched[which][key] = `{{inputs.parameters.${input}}}`;
    }
  }
  /** The non-empty ones of `limits` and `requests`, in that order; undefined when both are empty. */
  const present = <T extends object>(r: Record<'limits' | 'requests', T>): Partial<Record<'limits' | 'requests', T>> | undefined => {
    const limits = hasKeys(r.limits);
    const requests = hasKeys(r.requests);
    if (!limits && !requests) return undefined;
    return { ...(limits ? { limits: r.limits } : {}), ...(requests ? { requests: r.requests } : {}) };
  };
  const literal = present(resources);
  if (literal) c.resources = literal;
  const fromParams = present(patched);
  if (fromParams) t.podSpecPatch = JSON.stringify({ containers: [{ name: 'main', resources: fromParams }] });
  const volumes: { name: string; persistentVolumeClaim: { claimName: string; readOnly?: boolean } }[] = [];
  const mounts: { mountPath: string; name: string; readOnly?: boolean }[] = [];
  for (const m of s.mounts ?? []) {
    let name: string;
    if (m.volumeTask) {
      name = m.volumeTask;
      const input = `${m.volumeTask}-name`;
      if (!inputs.some((p) => p.name === input)) {
        inputs.push({ name: input });
        args.push({ name: input, value: volumeClaimRef(m.volumeTask) });
      }
      if (!volumes.some((v) => v.name === name)) volumes.push({ name, persistentVolumeClaim: { claimName: `{{inputs.parameters.${input}}}` } });
    } else {
      name = `pvc-${sanitizeK8sName(m.claim!)}`.slice(0, 63).replace(/-+$/, '');
      if (!volumes.some((v) => v.name === name)) volumes.push({ name, persistentVolumeClaim: { claimName: m.claim! } });
    }
    mounts.push({ mountPath: m.path, name, ...(m.readOnly ? { readOnly: true } : {}) });
  }
  if (mounts.length) c.volumeMounts = mounts;
  if (s.nodeSelector) t.nodeSelector = s.nodeSelector;
  if (s.tolerations) t.tolerations = s.tolerations;
  if (s.affinity) t.affinity = s.affinity;
  if (s.displayName) md.annotations!['pipelines.kubeflow.org/task_display_name'] = s.displayName;
  if (s.maxCacheStaleness) md.annotations!['pipelines.kubeflow.org/max_cache_staleness'] = s.maxCacheStaleness;
  if (s.annotations) md.annotations = { ...s.annotations, ...md.annotations };
  if (s.labels) md.labels = { ...s.labels, ...md.labels };
  if (s.cache === false) md.labels!['pipelines.kubeflow.org/enable_caching'] = 'false';
  if (s.retry) {
    t.retryStrategy = {
      limit: s.retry.limit,
      ...(s.retry.policy ? { retryPolicy: s.retry.policy } : {}),
      ...(s.retry.backoff ? { backoff: s.retry.backoff } : {}),
    };
  }
  if (s.timeoutSeconds) t.activeDeadlineSeconds = s.timeoutSeconds;
  if (volumes.length) t.volumes = volumes.sort((a, b) => (a.name < b.name ? -1 : 1));
  if (s.initContainers) t.initContainers = s.initContainers.map(userContainer);
  if (s.sidecars) t.sidecars = s.sidecars.map(userContainer);
  return args;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function claimManifest(v: IrVolume, size: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: `{{workflow.name}}-${v.resourceName}` },
    spec: {
      accessModes: v.modes,
      resources: { requests: { storage: size } },
      ...(v.storageClass ? { storageClassName: v.storageClass } : {}),
    },
  };
}

/**
 * kfp's `vop.delete()`: a resource template deleting the claim, run from the exit
 * handler. The claim's name is known without its creating task (`{{workflow.name}}-…`),
 * which an exit handler could not reference. `--wait=false`, as kfp does.
 */
export function volumeDeleteTemplate(name: string, v: IrVolume): ArgoTemplate {
  const manifest = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `{{workflow.name}}-${v.resourceName}` } };
  return { name, resource: { action: 'delete', manifest: toYaml(manifest), flags: ['--wait=false'] } };
}

/** A sidecar or init container as Argo takes it (kfp's UserContainer). */
function userContainer(sc: IrSidecar): Record<string, unknown> {
  return {
    name: sc.name,
    image: sc.image,
    ...(sc.command ? { command: sc.command } : {}),
    ...(sc.args ? { args: sc.args } : {}),
    ...(sc.env ? { env: Object.entries(sc.env).map(([name, value]) => ({ name, value })) } : {}),
    ...(sc.mirrorVolumeMounts ? { mirrorVolumeMounts: true } : {}),
  };
}

/** kfp's VolumeOp: a resource template that creates a PersistentVolumeClaim named after the run. */
export function volumeTemplate(name: string, v: IrVolume, size: string): ArgoTemplate {
  return {
    name,
    resource: { action: 'create', manifest: toYaml(claimManifest(v, size)) },
    ...(typeof v.size === 'object' ? { inputs: { parameters: [{ name: 'size' }] } } : {}),
    outputs: {
      parameters: [
        { name: `${name}-manifest`, valueFrom: { jsonPath: '{}' } },
        { name: `${name}-name`, valueFrom: { jsonPath: '{.metadata.name}' } },
        { name: `${name}-size`, valueFrom: { jsonPath: '{.status.capacity.storage}' } },
      ],
    },
  };
}
