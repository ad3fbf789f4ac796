/**
 * What `kfpdsl run` feeds the executor besides the workflow: the pipeline's arguments, the
 * secrets and config maps it references (from files or KFPDSL_SECRET_… / KFPDSL_CONFIGMAP_…
 * variables, never invented), an env file, and the local-only rewrite of pip install prefixes.
 * (`--arg` values are checked in run-args.ts.)
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { isObj, nameOf, obj, objs, str, type Obj } from '../run/spec.js';
import { UsageError } from './files.js';

// ---------------------------------------------------------------------------
// Pipeline parameters

export interface PipelineParam {
  readonly name: string;
  /** The default in the workflow (`spec.arguments.parameters[].value`). */
  readonly value?: string;
  /** `valueFrom.configMapKeyRef`: the value comes from a config map at run time. */
  readonly configMap?: { readonly name: string; readonly key: string };
}

export function pipelineParams(workflow: unknown): PipelineParam[] {
  return objs(obj(obj(obj(workflow)['spec'])['arguments'])['parameters']).map((p) => {
    const ref = obj(obj(p['valueFrom'])['configMapKeyRef']);
    const value = str(p['value']);
    const cmName = str(ref['name']);
    return {
      name: nameOf(p),
      ...(value !== undefined ? { value } : {}),
      ...(cmName !== undefined ? { configMap: { name: cmName, key: str(ref['key']) ?? '' } } : {}),
    };
  });
}

// ---------------------------------------------------------------------------
// Secrets and config maps

export type StoreKind = 'secret' | 'configMap';
export type Stores = Record<string, Record<string, string>>;

/** A reference to a secret or config map somewhere in the workflow; `key` is absent for whole-store uses (envFrom, volumes). */
export interface StoreRef {
  readonly kind: StoreKind;
  readonly name: string;
  readonly key?: string;
  readonly optional: boolean;
  /** The template that uses it (absent for workflow-level references). */
  readonly template?: string;
}

const PREFIX: Record<StoreKind, string> = { secret: 'KFPDSL_SECRET_', configMap: 'KFPDSL_CONFIGMAP_' };
const envPart = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/** `KFPDSL_SECRET_DB_CREDS_PASSWORD` for secret "db-creds" key "password"; without a key, the prefix plus `<KEY>`. */
export function storeVar(kind: StoreKind, name: string, key?: string): string {
  return `${PREFIX[kind]}${envPart(name)}_${key === undefined ? '<KEY>' : envPart(key)}`;
}

export function isStoreVar(name: string): boolean {
  return name.startsWith(PREFIX.secret) || name.startsWith(PREFIX.configMap);
}

/** Every secret and config map the workflow references, with the template that references it. */
export function storeRefs(workflow: unknown): StoreRef[] {
  const spec = obj(obj(workflow)['spec']);
  const refs: StoreRef[] = [];
  const optional = (o: Obj): boolean => o['optional'] === true;
  const volumeRefs = (volumes: unknown, template?: string): void => {
    for (const v of objs(volumes)) {
      const at = template !== undefined ? { template } : {};
      // A secret volume names its secret `secretName`, a config map volume `name`.
      for (const [kind, nameKey] of [['secret', 'secretName'], ['configMap', 'name']] as const) {
        const src = v[kind];
        if (!isObj(src)) continue;
        const items = objs(src['items']);
        const name = str(src[nameKey]) ?? '';
        if (items.length > 0) for (const i of items) refs.push({ kind, name, key: str(i['key']) ?? '', optional: optional(src), ...at });
        else refs.push({ kind, name, optional: optional(src), ...at });
      }
    }
  };
  for (const p of objs(obj(spec['arguments'])['parameters'])) {
    const ref = obj(obj(p['valueFrom'])['configMapKeyRef']);
    if (str(ref['name']) !== undefined) refs.push({ kind: 'configMap', name: str(ref['name']) ?? '', key: str(ref['key']) ?? '', optional: optional(ref) });
  }
  volumeRefs(spec['volumes']);
  for (const t of objs(spec['templates'])) {
    const template = nameOf(t);
    const container = obj(t['container'] ?? t['script']);
    for (const e of objs(container['env'])) {
      const from = obj(e['valueFrom']);
      for (const [field, kind] of [['secretKeyRef', 'secret'], ['configMapKeyRef', 'configMap']] as const) {
        const ref = from[field];
        if (isObj(ref)) refs.push({ kind, name: str(ref['name']) ?? '', key: str(ref['key']) ?? '', optional: optional(ref), template });
      }
    }
    for (const from of objs(container['envFrom'])) {
      for (const [field, kind] of [['secretRef', 'secret'], ['configMapRef', 'configMap']] as const) {
        const ref = from[field];
        if (isObj(ref)) refs.push({ kind, name: str(ref['name']) ?? '', optional: optional(ref), template });
      }
    }
    volumeRefs(t['volumes'], template);
  }
  return refs;
}

/** Reads a `{name: {key: value}}` JSON or YAML file; scalar values become strings. */
export function readStoreFile(path: string, flag: string): Stores {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let data: unknown;
  try {
    data = YAML.parse(text);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: not valid JSON or YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (data === null || data === undefined) return {};
  const shape = `${flag} ${path}: expected a mapping of names to {key: value} mappings`;
  if (!isObj(data)) throw new UsageError(shape);
  const out: Stores = {};
  for (const [name, entries] of Object.entries(data)) {
    if (!isObj(entries)) throw new UsageError(`${shape}; "${name}" is not a mapping`);
    const store: Record<string, string> = {};
    for (const [key, value] of Object.entries(entries)) {
      const s = str(value);
      if (s === undefined) throw new UsageError(`${shape}; "${name}.${key}" is not a string`);
      store[key] = s;
    }
    out[name] = store;
  }
  return out;
}

export interface ResolvedStores {
  readonly secrets: Stores;
  readonly configMaps: Stores;
  /** References with no value anywhere (and not optional): the tasks using them will fail. */
  readonly missing: StoreRef[];
}

/**
 * The secrets and config maps for the run. For each referenced key the first of these wins:
 * the --secrets/--config-maps file, then each of `envs` in order (--env-file, then the environment).
 */
export function resolveStores(refs: readonly StoreRef[], files: { secret: Stores; configMap: Stores }, envs: readonly Readonly<Record<string, string | undefined>>[]): ResolvedStores {
  const lookup = (name: string): string | undefined => {
    for (const env of envs) if (env[name] !== undefined) return env[name];
    return undefined;
  };
  const out: Record<StoreKind, Stores> = { secret: structuredClone(files.secret), configMap: structuredClone(files.configMap) };
  const missing: StoreRef[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const stores = out[ref.kind];
    if (ref.key !== undefined) {
      const fromEnv = stores[ref.name]?.[ref.key] === undefined ? lookup(storeVar(ref.kind, ref.name, ref.key)) : undefined;
      if (fromEnv !== undefined) (stores[ref.name] ??= {})[ref.key] = fromEnv;
    } else if (stores[ref.name] === undefined) {
      // A whole store (envFrom, volume): every variable with its prefix is a key, named as the variable spells it.
      const prefix = `${PREFIX[ref.kind]}${envPart(ref.name)}_`;
      const found: Record<string, string> = {};
      for (const env of [...envs].reverse()) {
        for (const [k, v] of Object.entries(env)) if (k.startsWith(prefix) && k.length > prefix.length && v !== undefined) found[k.slice(prefix.length)] = v;
      }
      if (Object.keys(found).length > 0) stores[ref.name] = found;
    }
    const present = ref.key !== undefined ? stores[ref.name]?.[ref.key] !== undefined : stores[ref.name] !== undefined;
    const id = `${ref.kind}\0${ref.name}\0${ref.key ?? ''}\0${ref.template ?? ''}`;
    if (!present && !ref.optional && !seen.has(id)) {
      seen.add(id);
      missing.push(ref);
    }
  }
  return { secrets: out.secret, configMaps: out.configMap, missing };
}

/** How to provide a missing secret or config map, naming the variable to set. */
export function howToProvide(ref: StoreRef): string {
  const flag = ref.kind === 'secret' ? '--secrets' : '--config-maps';
  const what = ref.key !== undefined ? `${ref.kind} "${ref.name}" key "${ref.key}"` : `${ref.kind} "${ref.name}"`;
  const example = ref.key !== undefined ? `{"${ref.name}": {"${ref.key}": …}}` : `{"${ref.name}": {KEY: …}}`;
  return `${what} is not set: set ${storeVar(ref.kind, ref.name, ref.key)}${ref.key === undefined ? ' for each key' : ''} or pass ${flag} FILE with ${example}`;
}

/**
 * The executor's message for a task that failed on a missing secret or config map, with what to
 * set: `secret "db-creds" key "password" is not set: set KFPDSL_SECRET_DB_CREDS_PASSWORD or …`.
 */
export function explainStoreFailure(message: string, template: string, missing: readonly StoreRef[]): string {
  const m = /^(secret|configMap) "([^"]*)"/.exec(message);
  if (!m) return message;
  const hits = missing.filter((r) => r.kind === m[1] && r.name === m[2] && (r.template === template || r.template === undefined));
  if (hits.length === 0) return message;
  const where = /\((env [^)]*|envFrom)\)/.exec(message)?.[0];
  return hits.map((r) => howToProvide(r)).join('; ') + (where ? ` ${where}` : '');
}

// ---------------------------------------------------------------------------
// --env-file

/** A dotenv file: `KEY=value` lines, `# comments`, optional `export`, single or double quotes. */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--env-file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new UsageError(`--env-file ${path}:${i + 1}: expected NAME=value`);
    const name = m[1]!;
    let value = m[2]!;
    if (value.startsWith('"')) {
      const end = /^"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(value);
      if (!end) throw new UsageError(`--env-file ${path}:${i + 1}: unterminated "`);
      value = end[1]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c));
    } else if (value.startsWith("'")) {
      const end = /^'([^']*)'\s*(?:#.*)?$/.exec(value);
      if (!end) throw new UsageError(`--env-file ${path}:${i + 1}: unterminated '`);
      value = end[1]!;
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    out[name] = value;
  });
  return out;
}

// ---------------------------------------------------------------------------
// --skip-packages

/** kfp's `packages_to_install` prefix: `sh -c "(pip install … || pip install … --user) && \"$0\" \"$@\""`. */
const PIP_PREFIX = /^\(PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install\b([\s\S]*?)(?:\|\|[\s\S]*)?\) && "\$0" "\$@"$/;
const NO_PIP = '"$0" "$@"';

export interface PipStep {
  readonly template: string;
  /** The requirements, comma-separated, for messages. */
  readonly packages: string;
  /** The requirements as pip is given them. */
  readonly requirements: readonly string[];
}

/** Templates whose command starts with the pip install prefix, with the packages it installs. */
export function pipSteps(workflow: unknown): PipStep[] {
  const out: PipStep[] = [];
  for (const t of objs(obj(obj(workflow)['spec'])['templates'])) {
    const requirements = pipRequirements(obj(t['container'])['command']);
    if (requirements) out.push({ template: nameOf(t), packages: requirements.join(', '), requirements });
  }
  return out;
}

/** The requirements of a command line that starts with the generated pip prefix (either target's). */
export function pipRequirements(command: unknown): string[] | undefined {
  if (!Array.isArray(command) || command[0] !== 'sh' || command[1] !== '-c' || typeof command[2] !== 'string') return undefined;
  const m = PIP_PREFIX.exec(command[2]);
  if (!m) return undefined;
  return [...(m[1] ?? '').matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((w) => w[1] ?? w[2] ?? w[3] ?? '').filter((w) => w !== '' && !w.startsWith('--'));
}

/** The command line without the pip prefix: the wrapped command, run directly. */
export const WITHOUT_PIP = NO_PIP;

/**
 * Rewrites each pip prefix to run the wrapped command directly. The edit is made in the text
 * (the scalar's range replaced by a quoted string), so everything else stays byte for byte.
 */
export function skipPackages(text: string, steps: readonly PipStep[]): string {
  const doc = YAML.parseDocument(text);
  const templates = doc.getIn(['spec', 'templates']);
  if (!YAML.isSeq(templates)) return text;
  const wanted = new Set(steps.map((s) => s.template));
  const ranges: [number, number][] = [];
  templates.items.forEach((t, i) => {
    if (!YAML.isMap(t) || !wanted.has(String(t.get('name')))) return;
    const node = doc.getIn(['spec', 'templates', i, 'container', 'command', 2], true);
    if (YAML.isScalar(node) && node.range) ranges.push([node.range[0], node.range[1]]);
  });
  let out = text;
  for (const [from, to] of ranges.sort((a, b) => b[0] - a[0])) out = out.slice(0, from) + JSON.stringify(NO_PIP) + out.slice(to);
  return out;
}
