/**
 * Task and pipeline settings: `{ cpu: 1 .. 2, memory: "1G", retry: 3, … }` after a call,
 * and `timeout: "2h"` statements in a pipeline body. Each setting validates its value
 * here, so that a malformed quantity or a misspelt policy is a located error, not a
 * rejected workflow on the cluster. Which settings exist, and their documentation, is
 * settings-catalog.ts: here is one handler per setting of that table.
 */
import { keyedObject } from '../ir/ir.js';
import type { IrEnvVar, IrMount, IrPipelineSettings, IrSettingValue, IrSidecar, IrTaskSettings, IrValue, Json } from '../ir/ir.js';
import type { Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { CheckContext, constValue } from './context.js';
import { durationSeconds, GO_DURATION_MAX_HOURS, goDurationNanos, isCpuQuantity, isGoDuration, isIsoDuration, isMemoryQuantity, isoDurationHours, quantityValue } from './quantities.js';
import {
  PIPELINE_SETTINGS,
  PULL_POLICIES,
  RETRY_POLICIES,
  settingDef,
  TASK_SETTINGS,
  type PipelineSettingName,
  type SettingScope,
  type TaskSettingName,
} from './settings-catalog.js';

export interface SettingResolver {
  /** Resolves a reference (parameter, task output, loop item) to a value, reporting problems. */
  value(e: ast.Expr): IrValue | undefined;
  /** Resolves what may be mounted: a `volume(...)` task, or `pvc("name")`. */
  volume(e: ast.Expr): Omit<IrMount, 'path'> | undefined;
}

const GPU_VENDORS: Record<string, string> = { nvidia: 'nvidia.com/gpu', amd: 'amd.com/gpu' };

const TOLERATION_FIELDS = ['key', 'operator', 'value', 'effect', 'tolerationSeconds'];

/** Kubernetes' rules for a toleration (core/v1 Toleration), so that a typo is caught here and not by the API server. */
function tolerationProblem(t: { [key: string]: Json }): { message: string; hint?: string } | undefined {
  for (const k of Object.keys(t)) {
    if (!TOLERATION_FIELDS.includes(k)) return { message: `unknown toleration field \`${k}\``, hint: didYouMean(k, TOLERATION_FIELDS) ?? `fields are ${TOLERATION_FIELDS.join(', ')}` };
  }
  for (const k of ['key', 'value']) {
    if (t[k] !== undefined && typeof t[k] !== 'string') return { message: `toleration \`${k}\` must be a string` };
  }
  if (t['operator'] !== undefined && t['operator'] !== 'Exists' && t['operator'] !== 'Equal') {
    return { message: `toleration operator \`${String(t['operator'])}\` is not "Exists" or "Equal"` };
  }
  if (t['operator'] === 'Exists' && t['value'] !== undefined && t['value'] !== '') return { message: 'a toleration with operator "Exists" takes no value' };
  const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
  if (t['effect'] !== undefined && !effects.includes(String(t['effect']))) {
    return { message: `toleration effect \`${String(t['effect'])}\` is not one of ${effects.map((e) => `"${e}"`).join(', ')}`, hint: didYouMean(String(t['effect']), effects) };
  }
  const secs = t['tolerationSeconds'];
  if (secs !== undefined && (typeof secs !== 'number' || !Number.isInteger(secs))) return { message: '`tolerationSeconds` must be an integer' };
  if (t['key'] === undefined && t['operator'] !== 'Exists') return { message: 'a toleration without a key needs operator "Exists"' };
  return undefined;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Kubernetes' rules for label and annotation keys (an optional DNS prefix, then a name) and label values. */
function metadataProblem(m: Record<string, string>, labels: boolean): string | undefined {
  for (const [k, v] of Object.entries(m)) {
    const slash = k.lastIndexOf('/');
    const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
    const name = slash >= 0 ? k.slice(slash + 1) : k;
    if ((prefix !== undefined && !isDnsSubdomain(prefix)) || name.length > 63 || !QUALIFIED_NAME.test(name)) return `\`${k}\` is not a valid ${labels ? 'label' : 'annotation'} key`;
    if (labels && (v.length > 63 || (v !== '' && !QUALIFIED_NAME.test(v)))) return `\`${v}\` is not a valid label value`;
  }
  return undefined;
}

/** A map of label (or annotation) keys to values, checked by Kubernetes' rules: labels, annotations, node selectors. */
function labelMap(r: SettingReader, s: ast.Setting, labelValues: boolean): Record<string, string> | undefined {
  const m = r.stringMap(s, s.value);
  const problem = m ? metadataProblem(m, labelValues) : undefined;
  if (!problem) return m;
  return r.fail(s, problem, s.value.span, 'keys are `prefix/name` with name ≤ 63 of letters, digits, `-`, `_`, `.`; label values ≤ 63 of the same');
}

/** A Kubernetes object name (DNS-1123 subdomain), as secret and claim names must be. */
export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s);
}

/**
 * The integer fields settings land in, with their Go types (Argo v4.1 / Kubernetes, see
 * /work/shared/schemas): an IntOrString holds an int32. An int64 field is capped at 2^53 - 1,
 * the largest integer kfpdsl carries exactly (a JS number), which is 285 million years of
 * seconds; past it the value written would not be the value given.
 */
export const INT32_MAX = 2_147_483_647;
export const INT64_MAX_EXACT = Number.MAX_SAFE_INTEGER;
export const INT_FIELDS = {
  taskTimeout: { field: "the template's activeDeadlineSeconds", max: INT32_MAX, type: 'IntOrString, an int32' },
  pipelineTimeout: { field: 'spec.activeDeadlineSeconds', max: INT64_MAX_EXACT, type: 'int64' },
  parallelism: { field: 'parallelism', max: INT64_MAX_EXACT, type: 'int64' },
  ttl: { field: 'ttlStrategy.secondsAfterCompletion', max: INT32_MAX, type: 'int32' },
  retry: { field: 'retryStrategy.limit', max: INT32_MAX, type: 'IntOrString, an int32' },
  backoffFactor: { field: 'retryStrategy.backoff.factor', max: INT32_MAX, type: 'IntOrString, an int32' },
  podDisruptionBudget: { field: 'podDisruptionBudget.minAvailable', max: INT32_MAX, type: 'IntOrString, an int32' },
  gpu: { field: 'the GPU limit', max: INT64_MAX_EXACT, type: 'a quantity, int64' },
  // Signed fields of records the user writes whole: the least value is the negated most.
  tolerationSeconds: { field: 'a toleration\'s tolerationSeconds', max: INT64_MAX_EXACT, type: 'int64' },
  affinityWeight: { field: 'an affinity term\'s weight', max: INT32_MAX, type: 'int32' },
} as const;
export type IntField = keyof typeof INT_FIELDS;

/** Reports a value too large (or, for a signed field, too small) for its field (KFP5006); returns it when it fits. */
export function fitsField(ctx: CheckContext, value: number, field: IntField, span: Span, unit = ''): boolean {
  const f = INT_FIELDS[field];
  if (value < -f.max) {
    ctx.report('IntegerTooLarge', `${formatNumber(value)}${unit} is too small for ${f.field} (${f.type}: at least ${formatNumber(-f.max)}${unit})`, span, { hint: `write at least ${formatNumber(-f.max)}` });
    return false;
  }
  if (value <= f.max) return true;
  ctx.report('IntegerTooLarge', `${formatNumber(value)}${unit} is too large for ${f.field} (${f.type}: at most ${formatNumber(f.max)}${unit})`, span, {
    hint: unit ? `at most ${approxDuration(f.max)}` : `write at most ${formatNumber(f.max)}`,
  });
  return false;
}

const formatNumber = (n: number): string => (Number.isSafeInteger(n) ? String(n) : n.toExponential().replace('e+', 'e'));

function approxDuration(seconds: number): string {
  const days = seconds / 86400;
  return days >= 365 * 2 ? `${Math.floor(days / 365.25).toLocaleString('en-US')} years ("${Math.floor(days)}d")` : `"${Math.floor(days)}d"`;
}

/** Go's time.ParseDuration refuses more than 2^63 - 1 nanoseconds (about 292 years). */
const GO_DURATION_MAX_NS = 9_223_372_036_854_775_807n;
function goDurationFits(text: string): boolean {
  return goDurationNanos(text) <= GO_DURATION_MAX_NS;
}

function literal(e: ast.Expr): string | number | boolean | null | undefined {
  return e.kind === 'Literal' ? e.value : undefined;
}

class SettingReader {
  constructor(
    readonly ctx: CheckContext,
    readonly where: SettingScope,
  ) {}

  /** Reports under the setting's own code (settings-catalog.ts); an unknown name's range under InvalidSetting. */
  fail(s: ast.Setting, message: string, span: Span, hint?: string): undefined {
    this.ctx.report(settingDef(this.where, s.name.name)?.code ?? 'InvalidSetting', message, span, { hint, label: `invalid \`${s.name.name}\`` });
    return undefined;
  }

  string(s: ast.Setting, e: ast.Expr, example: string): string | undefined {
    const v = literal(e);
    if (typeof v === 'string' && v !== '') return v;
    return this.fail(s, `\`${s.name.name}\` must be a non-empty string`, e.span, `e.g. ${s.name.name}: ${example}`);
  }

  oneOf(s: ast.Setting, e: ast.Expr, allowed: readonly string[]): string | undefined {
    const v = literal(e);
    if (typeof v === 'string' && allowed.includes(v)) return v;
    return this.fail(s, `\`${s.name.name}\` must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, e.span, typeof v === 'string' ? didYouMean(v, allowed) : undefined);
  }

  positiveInt(s: ast.Setting, e: ast.Expr, allowZero = false): number | undefined {
    const v = literal(e);
    if (typeof v === 'number' && Number.isInteger(v) && (v > 0 || (allowZero && v === 0))) return v;
    return this.fail(s, `\`${s.name.name}\` must be a ${allowZero ? 'non-negative' : 'positive'} integer`, e.span);
  }

  bool(s: ast.Setting, e: ast.Expr): boolean | undefined {
    const v = literal(e);
    if (typeof v === 'boolean') return v;
    return this.fail(s, `\`${s.name.name}\` must be \`true\` or \`false\``, e.span);
  }

  duration(s: ast.Setting, e: ast.Expr, field?: IntField): number | undefined {
    const v = literal(e);
    const secs = typeof v === 'string' || typeof v === 'number' ? durationSeconds(v) : undefined;
    if (secs !== undefined) return field && !fitsField(this.ctx, secs, field, e.span, 's') ? undefined : secs;
    return this.fail(s, `\`${s.name.name}\` must be a duration`, e.span, 'e.g. "45s", "30m", "1h30m", "2d" or a number of seconds');
  }

  goDuration(s: ast.Setting, e: ast.Expr): string | undefined {
    const v = literal(e);
    // A number is seconds; written as Go reads it (`1e+21s` is no Go duration).
    const text = typeof v === 'number' && v > 0 && !String(v).includes('e') ? `${v}s` : typeof v === 'string' ? v : undefined;
    if (text !== undefined && isGoDuration(text)) {
      if (goDurationFits(text)) return text;
      this.ctx.report('IntegerTooLarge', `\`${text}\` is longer than a Go duration can be (2^63 - 1 nanoseconds)`, e.span, { hint: 'at most "2562047h" (about 292 years)' });
      return undefined;
    }
    return this.fail(s, `\`${s.name.name}\` must be a duration such as "10s" or "2m"`, e.span);
  }

  /** A positive (or non-negative) integer that fits its Argo/Kubernetes field. */
  boundedInt(s: ast.Setting, e: ast.Expr, field: IntField, allowZero = false): number | undefined {
    const n = this.positiveInt(s, e, allowZero);
    return n !== undefined && fitsField(this.ctx, n, field, e.span) ? n : undefined;
  }

  quantity(s: ast.Setting, e: ast.Expr, kind: 'cpu' | 'memory', resolver?: SettingResolver): IrSettingValue | undefined {
    if (e.kind === 'RefExpr' && resolver) return this.fromParameter(s, e, resolver);
    const v = literal(e);
    const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined;
    const ok = text !== undefined && (kind === 'cpu' ? isCpuQuantity(text) : isMemoryQuantity(text));
    if (ok) return typeof v === 'number' ? v : text;
    return this.fail(s, `\`${String(text ?? e.kind)}\` is not a valid ${kind === 'cpu' ? 'CPU' : 'memory'} quantity`, e.span,
      kind === 'cpu' ? 'e.g. cpu: 2, cpu: "500m" or cpu: "500m" .. 2 (request .. limit)' : 'e.g. memory: "512Mi", memory: "1G" .. "2G" (request .. limit)');
  }

  /**
   * A resource from a pipeline parameter, a task output or a loop item, as kfp's
   * set_memory_limit(param) allows: it cannot be checked here, and reaches the pod through
   * Argo's podSpecPatch, substituted when the pod is created.
   */
  fromParameter(s: ast.Setting, e: ast.RefExpr, resolver: SettingResolver): IrSettingValue | undefined {
    const v = resolver.value(e);
    if (!v) return undefined;
    if ('collect' in v || 'const' in v) return this.fail(s, `\`${s.name.name}\` takes one value, not a list collected from a loop`, e.span);
    return v as IrSettingValue;
  }

  stringMap(s: ast.Setting, e: ast.Expr): Record<string, string> | undefined {
    if (e.kind === 'DictExpr') {
      const out = keyedObject<string>();
      for (const en of e.entries) {
        const v = literal(en.value);
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return this.fail(s, `values of \`${s.name.name}\` must be strings`, en.value.span);
        out[en.key] = String(v);
      }
      return out;
    }
    return this.fail(s, `\`${s.name.name}\` must be a map`, e.span, `e.g. ${s.name.name}: { "key": "value" }`);
  }
}

/** Request .. limit: the request must not exceed the limit, or the API server rejects the pod. */
function requestLimit(r: SettingReader, s: ast.Setting, kind: 'cpu' | 'memory', out: IrTaskSettings, key: string, resolver: SettingResolver): void {
  const req = r.quantity(s, s.value, kind, resolver);
  const lim = s.upper ? r.quantity(s, s.upper, kind, resolver) : undefined;
  if (s.upper) {
    if (req !== undefined) (out.requests ??= {})[key] = req;
    if (lim !== undefined) (out.limits ??= {})[key] = lim;
    const a = quantityValue(String(req));
    const b = quantityValue(String(lim));
    if (a !== undefined && b !== undefined && a > b) r.fail(s, `the ${key} request ${req} is larger than the limit ${lim}`, s.span, 'write request .. limit');
  } else if (req !== undefined) {
    // A single value is a request and a limit at once, as for a guaranteed pod.
    (out.requests ??= {})[key] = req;
    (out.limits ??= {})[key] = req;
  }
}

function envSetting(r: SettingReader, s: ast.Setting, resolver: SettingResolver): IrEnvVar[] | undefined {
  if (s.value.kind !== 'DictExpr') return r.fail(s, '`env` must be a map of variable names to values', s.value.span, 'e.g. env: { MODE: "fast", TOKEN: secret("api", "token") }');
  const vars: IrEnvVar[] = [];
  for (const en of s.value.entries) {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(en.key)) {
      r.ctx.report('InvalidEnvName', `\`${en.key}\` is not a valid environment variable name`, en.keySpan, { hint: 'use letters, digits, `_`, `-` and `.`, not starting with a digit' });
      continue;
    }
    const v = en.value;
    if (v.kind === 'CallExpr' && (v.callee.name === 'secret' || v.callee.name === 'config_map')) {
      const args = v.args.map((a) => literal(a.value));
      if (v.args.length !== 2 || v.args.some((a) => a.name) || !args.every((a) => typeof a === 'string' && a !== '')) {
        r.ctx.report('InvalidSecretReference', `\`${v.callee.name}\` takes a name and a key`, v.span, { hint: `e.g. ${v.callee.name}("db-creds", "password")` });
        continue;
      }
      const ref = { name: args[0] as string, key: args[1] as string };
      if (!isDnsSubdomain(ref.name) || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) {
        r.ctx.report('InvalidSecretReference', !isDnsSubdomain(ref.name) ? `\`${ref.name}\` is not a valid Kubernetes ${v.callee.name === 'secret' ? 'secret' : 'config map'} name` : `\`${ref.key}\` is not a valid key`, v.span, {
          hint: 'names are lower-case letters, digits, `-` and `.`; keys letters, digits, `-`, `_` and `.`',
        });
        continue;
      }
      vars.push(v.callee.name === 'secret' ? { name: en.key, secret: ref } : { name: en.key, configMap: ref });
      continue;
    }
    if (v.kind === 'CallExpr') {
      r.ctx.report('UnknownName', `unknown function \`${v.callee.name}\``, v.callee.span, { hint: didYouMean(v.callee.name, ['secret', 'config_map']) ?? 'env values are literals, references, `secret(name, key)` or `config_map(name, key)`' });
      continue;
    }
    const c = constValue(v);
    if (c) {
      if (c.const === null || typeof c.const === 'object') {
        r.ctx.report('InvalidSetting', 'env values must be strings, numbers or booleans', v.span);
        continue;
      }
      vars.push({ name: en.key, value: { const: String(c.const) } });
      continue;
    }
    const value = resolver.value(v);
    if (value) vars.push({ name: en.key, value });
  }
  return vars;
}

function mountSetting(r: SettingReader, s: ast.Setting, resolver: SettingResolver): IrMount[] | undefined {
  if (s.value.kind !== 'DictExpr') return r.fail(s, '`mount` must map container paths to volumes', s.value.span, 'e.g. mount: { "/data": vol } or mount: { "/data": pvc("existing-claim") }');
  const mounts: IrMount[] = [];
  for (const en of s.value.entries) {
    if (!en.key.startsWith('/')) {
      r.ctx.report('InvalidMount', `mount path \`${en.key}\` must be absolute`, en.keySpan);
      continue;
    }
    const v = resolver.volume(en.value);
    if (v) mounts.push({ path: en.key, ...v });
  }
  return mounts;
}

const SIDECAR_FIELDS = ['name', 'image', 'command', 'args', 'env', 'mirror_volume_mounts'];

/**
 * `sidecars: [{ name: "proxy", image: "envoy:1.27", args: ["-c", "/etc/envoy.yaml"] }]` (kfp's
 * add_sidecar) and `init_containers: [...]` (add_init_container): containers beside or before
 * the main one.
 */
function userContainers(r: SettingReader, s: ast.Setting, what: string): IrSidecar[] | undefined {
  const v = jsonOf(s.value);
  const list = Array.isArray(v) ? v : v !== null && typeof v === 'object' ? [v] : undefined;
  const example = `e.g. ${s.name.name}: [{ name: "proxy", image: "envoy:1.27", args: ["--port", "9901"] }]`;
  if (!list || list.length === 0) return r.fail(s, `\`${s.name.name}\` must be a record or a list of records`, s.value.span, example);
  const out: IrSidecar[] = [];
  const strings = (x: Json | undefined): x is string[] => Array.isArray(x) && x.every((i) => typeof i === 'string');
  for (const item of list) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return r.fail(s, `each ${what} is a record`, s.value.span, example);
    const unknown = Object.keys(item).find((k) => !SIDECAR_FIELDS.includes(k));
    if (unknown !== undefined) return r.fail(s, `unknown ${what} field \`${unknown}\``, s.value.span, didYouMean(unknown, SIDECAR_FIELDS) ?? `fields are ${SIDECAR_FIELDS.join(', ')}`);
    const { name, image, command, args, env, mirror_volume_mounts: mirror } = item;
    if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63 || name === 'main' || name === 'wait') {
      return r.fail(s, `a ${what} needs a \`name\`: lower-case letters, digits and \`-\`, not \`main\` or \`wait\``, s.value.span, example);
    }
    if (typeof image !== 'string' || image === '') return r.fail(s, `${what} \`${name}\` needs an \`image\``, s.value.span, example);
    if (command !== undefined && !strings(command)) return r.fail(s, `${what} \`${name}\`: \`command\` is a list of strings`, s.value.span);
    if (args !== undefined && !strings(args)) return r.fail(s, `${what} \`${name}\`: \`args\` is a list of strings`, s.value.span);
    if (env !== undefined && (env === null || typeof env !== 'object' || Array.isArray(env) || !Object.values(env).every((x) => typeof x === 'string'))) {
      return r.fail(s, `${what} \`${name}\`: \`env\` maps names to strings`, s.value.span);
    }
    if (mirror !== undefined && typeof mirror !== 'boolean') return r.fail(s, `${what} \`${name}\`: \`mirror_volume_mounts\` is true or false`, s.value.span);
    if (out.some((o) => o.name === name)) return r.fail(s, `two ${what}s are named \`${name}\``, s.value.span);
    out.push({
      name,
      image,
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      ...(env ? { env: env as { [k: string]: string } } : {}),
      ...(mirror ? { mirrorVolumeMounts: true } : {}),
    });
  }
  return out;
}

function jsonOf(e: ast.Expr): Json | undefined {
  return constValue(e)?.const;
}

/**
 * Every value written under `key` at any depth of a record literal, with where it is written:
 * the integer fields inside records the user writes whole (a toleration's `tolerationSeconds`,
 * an affinity term's `weight`) are checked there, not where the whole record starts.
 */
function valuesUnder(e: ast.Expr, key: string, out: ast.Expr[] = []): ast.Expr[] {
  if (e.kind === 'ListExpr') for (const x of e.items) valuesUnder(x, key, out);
  else if (e.kind === 'DictExpr') for (const x of e.entries) x.key === key ? out.push(x.value) : valuesUnder(x.value, key, out);
  return out;
}

/** The integers under `key` fit `field`; a number that is no integer is refused too (Go decodes none into an int field). */
function integersUnderFit(r: SettingReader, s: ast.Setting, key: string, field: IntField): boolean {
  for (const v of valuesUnder(s.value, key)) {
    const n = literal(v);
    if (typeof n !== 'number') continue;
    if (!Number.isInteger(n)) {
      r.fail(s, `\`${key}\` must be an integer`, v.span);
      return false;
    }
    if (!fitsField(r.ctx, n, field, v.span)) return false;
  }
  return true;
}

/** What the task settings build up while they are read, one setting at a time. */
interface TaskSettingsState {
  readonly out: IrTaskSettings;
  readonly resolver: SettingResolver;
  gpu?: { count: IrSettingValue; setting: ast.Setting };
  vendor: string;
  retry?: IrTaskSettings['retry'];
  /** Written, valid or not: the backoff settings then do not also complain that it is missing. */
  retrySet: boolean;
  readonly retryExtras: { policy?: string; duration?: string; factor?: number; maxDuration?: string; first?: ast.Setting };
}

type TaskSettingHandler = (r: SettingReader, s: ast.Setting, t: TaskSettingsState) => void;

/** Only a request, or only a limit, as kfp's set_cpu_request / set_memory_limit and friends. */
const requestOrLimit: TaskSettingHandler = (r, s, t) => {
  const [, res, which] = /^(.*)_(request|limit)$/.exec(s.name.name)!;
  const q = r.quantity(s, s.value, res === 'cpu' ? 'cpu' : 'memory', t.resolver);
  const key = res === 'ephemeral_storage' ? 'ephemeral-storage' : res!;
  if (q !== undefined) (which === 'request' ? (t.out.requests ??= {}) : (t.out.limits ??= {}))[key] = q;
};

const userContainerSetting: TaskSettingHandler = (r, s, t) => {
  const name = s.name.name;
  const containers = userContainers(r, s, name === 'sidecars' ? 'sidecar' : 'init container');
  if (containers) t.out[name === 'sidecars' ? 'sidecars' : 'initContainers'] = containers;
};

const metadataSetting: TaskSettingHandler = (r, s, t) => {
  const m = labelMap(r, s, s.name.name === 'labels');
  if (m) t.out[s.name.name === 'labels' ? 'labels' : 'annotations'] = m;
};

/** One handler per task setting of settings-catalog.ts: the type makes this map exactly that list. */
const TASK_HANDLERS: { readonly [N in TaskSettingName]: TaskSettingHandler } = {
  cpu: (r, s, t) => requestLimit(r, s, 'cpu', t.out, 'cpu', t.resolver),
  memory: (r, s, t) => requestLimit(r, s, 'memory', t.out, 'memory', t.resolver),
  gpu: (r, s, t) => {
    const n = s.value.kind === 'RefExpr' ? r.fromParameter(s, s.value, t.resolver) : r.boundedInt(s, s.value, 'gpu');
    if (n !== undefined) t.gpu = { count: n, setting: s };
  },
  gpu_vendor: (r, s, t) => {
    const v = r.string(s, s.value, '"nvidia"');
    if (v) t.vendor = GPU_VENDORS[v] ?? (v.includes('/') ? v : r.fail(s, `unknown GPU vendor \`${v}\``, s.value.span, 'use "nvidia", "amd" or a full resource name such as "gpu.intel.com/i915"') ?? t.vendor);
  },
  ephemeral_storage: (r, s, t) => requestLimit(r, s, 'memory', t.out, 'ephemeral-storage', t.resolver),
  cpu_request: requestOrLimit,
  cpu_limit: requestOrLimit,
  memory_request: requestOrLimit,
  memory_limit: requestOrLimit,
  ephemeral_storage_request: requestOrLimit,
  ephemeral_storage_limit: requestOrLimit,
  env: (r, s, t) => {
    const env = envSetting(r, s, t.resolver);
    if (env) t.out.env = env;
  },
  retry: (r, s, t) => {
    t.retrySet = true;
    const n = r.boundedInt(s, s.value, 'retry', true);
    if (n !== undefined) t.retry = { limit: n };
  },
  retry_policy: (r, s, t) => {
    t.retryExtras.policy = r.oneOf(s, s.value, RETRY_POLICIES);
    t.retryExtras.first ??= s;
  },
  backoff: (r, s, t) => {
    t.retryExtras.duration = r.goDuration(s, s.value);
    t.retryExtras.first ??= s;
  },
  backoff_factor: (r, s, t) => {
    t.retryExtras.factor = r.boundedInt(s, s.value, 'backoffFactor');
    t.retryExtras.first ??= s;
  },
  backoff_max: (r, s, t) => {
    t.retryExtras.maxDuration = r.goDuration(s, s.value);
    t.retryExtras.first ??= s;
  },
  timeout: (r, s, t) => {
    const seconds = r.duration(s, s.value, 'taskTimeout');
    if (seconds !== undefined) t.out.timeoutSeconds = seconds;
  },
  cache: (r, s, t) => {
    const b = r.bool(s, s.value);
    if (b !== undefined) t.out.cache = b;
  },
  max_cache_staleness: (r, s, t) => {
    const v = r.string(s, s.value, '"P30D"');
    if (v && !isIsoDuration(v)) r.fail(s, `\`${v}\` is not an ISO-8601 duration`, s.value.span, 'e.g. "P30D" (30 days), "PT12H" (12 hours), "P0D" (never reuse)');
    else if (v && isoDurationHours(v)! > GO_DURATION_MAX_HOURS) {
      // Past it, Go's float-to-int conversion gives the cache server a meaningless (negative) staleness.
      r.ctx.report('IntegerTooLarge', `\`${v}\` is longer than kfp's cache server can hold (a Go duration: 2^63 - 1 nanoseconds)`, s.value.span, { hint: 'at most about 292 years, e.g. "P292Y"' });
    } else if (v) t.out.maxCacheStaleness = v;
  },
  node_selector: (r, s, t) => {
    const m = labelMap(r, s, true);
    if (m) t.out.nodeSelector = m;
  },
  tolerations: (r, s, t) => {
    const v = jsonOf(s.value);
    const list = Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : undefined;
    if (!list || !list.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      r.fail(s, '`tolerations` must be a record or a list of records', s.value.span, 'e.g. tolerations: [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }]');
      return;
    }
    const problem = list.map((x) => tolerationProblem(x as { [key: string]: Json })).find((p) => p !== undefined);
    if (problem) r.fail(s, problem.message, s.value.span, problem.hint);
    else if (integersUnderFit(r, s, 'tolerationSeconds', 'tolerationSeconds')) t.out.tolerations = list as { [key: string]: Json }[];
  },
  affinity: (r, s, t) => {
    const v = jsonOf(s.value);
    if (!v || typeof v !== 'object' || Array.isArray(v)) r.fail(s, '`affinity` must be a record (a Kubernetes Affinity)', s.value.span);
    else if (integersUnderFit(r, s, 'weight', 'affinityWeight')) t.out.affinity = v as { [key: string]: Json };
  },
  image_pull_policy: (r, s, t) => {
    t.out.imagePullPolicy = r.oneOf(s, s.value, PULL_POLICIES);
  },
  mount: (r, s, t) => {
    const m = mountSetting(r, s, t.resolver);
    if (m) t.out.mounts = m;
  },
  display_name: (r, s, t) => {
    const v = r.string(s, s.value, '"Train the model"');
    if (v) t.out.displayName = v;
  },
  labels: metadataSetting,
  annotations: metadataSetting,
  sidecars: userContainerSetting,
  init_containers: userContainerSetting,
};

export function checkTaskSettings(ctx: CheckContext, settings: readonly ast.Setting[], resolver: SettingResolver): IrTaskSettings {
  const r = new SettingReader(ctx, 'task');
  const t: TaskSettingsState = { out: {}, resolver, vendor: 'nvidia.com/gpu', retrySet: false, retryExtras: {} };
  const seen = new Map<string, ast.Setting>();
  for (const s of settings) {
    const name = s.name.name;
    if (!ctx.firstSetting(seen, s)) continue;
    const def = settingDef('task', name);
    if (s.upper && !def?.range) {
      r.fail(s, `\`${name}\` does not take a range`, s.upper.span);
      continue;
    }
    if (!def) {
      ctx.report('UnknownSetting', `unknown task setting \`${name}\``, s.name.span, {
        hint: didYouMean(name, TASK_SETTINGS) ?? `task settings are ${TASK_SETTINGS.map((x) => `\`${x}\``).join(', ')}`,
      });
      continue;
    }
    TASK_HANDLERS[def.name as TaskSettingName](r, s, t);
  }
  const { out, retry, retryExtras } = t;
  if (t.gpu) (out.limits ??= {})[t.vendor] = t.gpu.count;
  if (retryExtras.first && !t.retrySet) {
    r.fail(retryExtras.first, `\`${retryExtras.first.name.name}\` needs \`retry\``, retryExtras.first.name.span, 'e.g. retry: 3');
  }
  if (retry) {
    if (retryExtras.policy) retry.policy = retryExtras.policy;
    const backoff = {
      ...(retryExtras.duration ? { duration: retryExtras.duration } : {}),
      ...(retryExtras.factor ? { factor: retryExtras.factor } : {}),
      ...(retryExtras.maxDuration ? { maxDuration: retryExtras.maxDuration } : {}),
    };
    if (Object.keys(backoff).length > 0) retry.backoff = backoff;
    if (retry.limit > 0 || retry.policy) out.retry = retry;
  }
  return out;
}

type PipelineSettingHandler = (r: SettingReader, s: ast.Setting, out: IrPipelineSettings) => void;

/** One handler per pipeline setting of settings-catalog.ts: the type makes this map exactly that list. */
const PIPELINE_HANDLERS: { readonly [N in PipelineSettingName]: PipelineSettingHandler } = {
  timeout: (r, s, out) => {
    out.timeoutSeconds = r.duration(s, s.value, 'pipelineTimeout');
  },
  parallelism: (r, s, out) => {
    // Argo 4's CRDs require parallelism >= 1; kfp's `0` (unlimited) is written by leaving it out.
    out.parallelism = r.boundedInt(s, s.value, 'parallelism');
  },
  ttl: (r, s, out) => {
    out.ttlSeconds = r.duration(s, s.value, 'ttl');
  },
  image_pull_secrets: (r, s, out) => {
    const v = s.value;
    if (v.kind === 'ListExpr' && v.items.every((i) => i.kind === 'Literal' && typeof i.value === 'string' && i.value !== '')) {
      const names = v.items.map((i) => (i as ast.Literal).value as string);
      const bad = names.find((n) => !isDnsSubdomain(n));
      if (bad !== undefined) r.fail(s, `\`${bad}\` is not a valid Kubernetes secret name`, v.span, 'lower-case letters, digits, `-` and `.`, e.g. "regcred"');
      else out.imagePullSecrets = names;
    } else r.fail(s, '`image_pull_secrets` must be a list of secret names', v.span, 'e.g. image_pull_secrets: ["regcred"]');
  },
  image_pull_policy: (r, s, out) => {
    out.imagePullPolicy = r.oneOf(s, s.value, PULL_POLICIES);
  },
  service_account: (r, s, out) => {
    const v = r.string(s, s.value, '"pipeline-runner"');
    if (v !== undefined && !isDnsSubdomain(v)) r.fail(s, `\`${v}\` is not a valid service account name`, s.value.span, 'lower-case letters, digits, `-` and `.`');
    else out.serviceAccount = v;
  },
  node_selector: (r, s, out) => {
    // PipelineConf.set_default_pod_node_selector: every pod of the run.
    const m = labelMap(r, s, true);
    if (m) out.nodeSelector = m;
  },
  pod_disruption_budget: (r, s, out) => {
    // PipelineConf.set_pod_disruption_budget: the pods that must stay up, a count or a percentage.
    const v = literal(s.value);
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) {
      if (fitsField(r.ctx, v, 'podDisruptionBudget', s.value.span)) out.podDisruptionBudget = v;
    } else if (typeof v === 'string' && /^\d+%$/.test(v)) {
      // Kubernetes refuses a percentage over 100%.
      if (Number(v.slice(0, -1)) <= 100) out.podDisruptionBudget = v;
      else r.fail(s, `\`${v}\` is more than 100%`, s.value.span, 'e.g. pod_disruption_budget: "50%"');
    } else r.fail(s, '`pod_disruption_budget` is a number of pods or a percentage', s.value.span, 'e.g. pod_disruption_budget: "50%"');
  },
};

export function checkPipelineSetting(ctx: CheckContext, s: ast.Setting, out: IrPipelineSettings, seen: Map<string, ast.Setting>): void {
  const r = new SettingReader(ctx, 'pipeline');
  const name = s.name.name;
  if (!ctx.firstSetting(seen, s)) return;
  if (s.upper) {
    r.fail(s, `\`${name}\` does not take a range`, s.upper.span);
    return;
  }
  const def = settingDef('pipeline', name);
  if (def) PIPELINE_HANDLERS[def.name as PipelineSettingName](r, s, out);
  else {
    ctx.report('UnknownSetting', `unknown pipeline setting \`${name}\``, s.name.span, {
      hint: didYouMean(name, PIPELINE_SETTINGS) ?? `pipeline settings are ${PIPELINE_SETTINGS.map((x) => `\`${x}\``).join(', ')}`,
    });
  }
  for (const k of Object.keys(out) as (keyof IrPipelineSettings)[]) if (out[k] === undefined) delete out[k];
}
