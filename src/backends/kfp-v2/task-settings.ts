/**
 * Task settings as KFP v2 spells them. What the container needs (resources, an accelerator,
 * literal env) goes into the executor's `PipelineContainerSpec`, so a task with such
 * settings gets its own copy of its component (`comp-train-2`, `exec-train-2`), as KFP's
 * compiler makes one per task; retries go on the task (`retryPolicy`). Anything else is
 * returned as refused, by setting name.
 */
import type { IrSettingValue, IrTaskSettings } from '../../ir/ir.js';
import { durationSeconds } from '../../check/quantities.js';
import type { JsonObject } from './executors.js';

export interface V2TaskSettings {
  /** Merged into the executor's `container` (absent: the component's shared executor). */
  readonly container?: JsonObject;
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

/** Go duration (`30s`, `1m30s`) → protobuf Duration JSON (`90s`). */
function protoDuration(d: string | undefined): string | undefined {
  if (d === undefined) return undefined;
  const s = durationSeconds(d);
  return s === undefined ? undefined : `${s}s`;
}

export function v2TaskSettings(settings: IrTaskSettings): V2TaskSettings {
  const { cache, displayName, requests, limits, env, retry, ...others } = settings;
  void cache;
  void displayName;
  const refused = Object.entries(others).filter(([, v]) => v !== undefined).map(([k]) => kfpSettingName(k));
  const resources: JsonObject = {};
  for (const [kind, map, cpuKey, memKey] of [
    ['requests', requests, 'resourceCpuRequest', 'resourceMemoryRequest'],
    ['limits', limits, 'resourceCpuLimit', 'resourceMemoryLimit'],
  ] as const) {
    for (const [resource, value] of Object.entries(map ?? {})) {
      const text = literal(value);
      if (text === undefined) {
        refused.push(`${kind} (a value known only at run time)`);
        continue;
      }
      if (resource === 'cpu') resources[cpuKey] = text;
      else if (resource === 'memory') resources[memKey] = text;
      else if (kind === 'limits' && /gpu$/.test(resource)) resources.accelerator = { resourceCount: text, resourceType: resource };
      else refused.push(`${kind} \`${resource}\``);
    }
  }
  const envList: JsonObject[] = [];
  for (const e of env ?? []) {
    if (e.value && 'const' in e.value && e.value.const !== null && typeof e.value.const !== 'object') envList.push({ name: e.name, value: String(e.value.const) });
    else refused.push(`env \`${e.name}\` (a secret, config map or run-time value)`);
  }
  const container: JsonObject = {};
  if (Object.keys(resources).length) container.resources = resources;
  if (envList.length) container.env = envList;
  const task: JsonObject = {};
  if (retry) {
    const backoff = retry.backoff;
    const duration = protoDuration(backoff?.duration);
    const max = protoDuration(backoff?.maxDuration);
    if (retry.policy !== undefined) refused.push('retry_policy');
    task.retryPolicy = {
      maxRetryCount: retry.limit,
      ...(duration ? { backoffDuration: duration } : {}),
      ...(backoff?.factor !== undefined ? { backoffFactor: backoff.factor } : {}),
      ...(max ? { backoffMaxDuration: max } : {}),
    };
  }
  return { ...(Object.keys(container).length ? { container } : {}), task, refused };
}
