/**
 * A container's environment as the kubelet builds it: `envFrom`, then `env` in order, each
 * value able to use `$(EARLIER_VAR)`; secrets and configMaps come from the run's options and
 * are never invented. Also Kubernetes' `$(VAR)` expansion of command and args.
 */
import { hostname } from 'node:os';
import type { RunContext } from './context.js';
import { isObj, nameOf, obj, objs, str, type Obj } from './spec.js';

export interface PodFacts {
  readonly name: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly serviceAccountName: string;
}

/**
 * `env` is what the process gets; `shown` is the same with every value that came from a secret
 * as `<secret:name/key>` (also inside values built from it with `$(VAR)`): what may be written
 * to disk (pod.json).
 */
export type EnvResult = { env: Map<string, string>; shown: Map<string, string> } | { error: string };

export const secretPlaceholder = (name: string, key: string): string => `<secret:${name}/${key}>`;

export function containerEnv(ctx: RunContext, container: Obj, pod: PodFacts): EnvResult {
  const env = new Map<string, string>();
  const shown = new Map<string, string>();
  for (const from of objs(container['envFrom'])) {
    const prefix = str(from['prefix']) ?? '';
    const ref = isObj(from['secretRef']) ? from['secretRef'] : isObj(from['configMapRef']) ? from['configMapRef'] : undefined;
    if (!ref) continue;
    const kind = isObj(from['secretRef']) ? 'secret' : 'configMap';
    const data = (kind === 'secret' ? ctx.opts.secrets : ctx.opts.configMaps)?.[str(ref['name']) ?? ''];
    if (!data) {
      if (ref['optional'] === true) continue;
      return { error: missing(kind, str(ref['name']) ?? '', 'envFrom') };
    }
    for (const [k, v] of Object.entries(data)) {
      env.set(prefix + k, v);
      shown.set(prefix + k, kind === 'secret' ? secretPlaceholder(str(ref['name']) ?? '', k) : v);
    }
  }
  for (const e of objs(container['env'])) {
    const name = nameOf(e);
    const value = str(e['value']);
    if (value !== undefined) {
      env.set(name, expandK8s(value, env));
      shown.set(name, expandK8s(value, shown));
      continue;
    }
    const from = obj(e['valueFrom']);
    // Neither value nor valueFrom: Kubernetes sets the variable to "".
    if (Object.keys(from).length === 0) {
      env.set(name, '');
      shown.set(name, '');
      continue;
    }
    const resolved = valueFrom(ctx, from, pod, name);
    if (typeof resolved === 'object') return resolved;
    if (resolved !== undefined) {
      env.set(name, resolved);
      const secret = obj(from['secretKeyRef']);
      shown.set(name, isObj(from['secretKeyRef']) ? secretPlaceholder(str(secret['name']) ?? '', str(secret['key']) ?? '') : resolved);
    }
  }
  return { env, shown };
}

function valueFrom(ctx: RunContext, from: Obj, pod: PodFacts, envName: string): string | undefined | { error: string } {
  for (const kind of ['secret', 'configMap'] as const) {
    const ref = from[kind === 'secret' ? 'secretKeyRef' : 'configMapKeyRef'];
    if (!isObj(ref)) continue;
    const store = str(ref['name']) ?? '';
    const key = str(ref['key']) ?? '';
    const data = (kind === 'secret' ? ctx.opts.secrets : ctx.opts.configMaps)?.[store];
    const value = data?.[key];
    if (value !== undefined) return value;
    if (ref['optional'] === true) return undefined;
    if (!data) return { error: missing(kind, store, `env ${envName}`) };
    return { error: `${kind} "${store}" has no key "${key}" (env ${envName})` };
  }
  const field = obj(from['fieldRef']);
  const path = str(field['fieldPath']);
  if (path !== undefined) return fieldValue(ctx, path, pod);
  // resourceFieldRef (cpu/memory limits) has no meaning on the host: left unset.
  return undefined;
}

function fieldValue(ctx: RunContext, path: string, pod: PodFacts): string | undefined {
  const indexed = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  // A missing label or annotation reads as "", as through the downward API.
  if (indexed) return (indexed[1] === 'labels' ? pod.labels : pod.annotations)[indexed[2] ?? ''] ?? '';
  const fields: Record<string, string> = {
    'metadata.name': pod.name,
    'metadata.namespace': ctx.wf.namespace,
    'metadata.uid': pod.uid,
    'spec.nodeName': hostname(),
    'spec.serviceAccountName': pod.serviceAccountName,
    'status.podIP': '127.0.0.1',
    'status.hostIP': '127.0.0.1',
  };
  return fields[path];
}

const missing = (kind: 'secret' | 'configMap', name: string, where: string): string =>
  `${kind} "${name}" not found (${where}): pass it in the run's ${kind === 'secret' ? 'secrets' : 'configMaps'}`;

/**
 * Kubernetes' `$(VAR)` expansion: a defined variable is replaced, an undefined one is left
 * as written, and `$$` is an escaped `$`.
 */
export function expandK8s(text: string, env: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '$' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = text.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i++;
        continue;
      }
      const name = text.slice(i + 2, close);
      out += env.get(name) ?? `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}
