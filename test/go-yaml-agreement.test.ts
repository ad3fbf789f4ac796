/**
 * Go and JS read our output the same. Argo and the KFP API server read YAML with Go's
 * yaml.v2 (YAML 1.1 plus Go's strconv), the kfp SDK with PyYAML, our own tools with the JS
 * `yaml` package. Strings drawn at random (seeded) from the classes those readers type
 * differently — Go integer forms (`0X1F`, `0B101`, `0o17`, `_` separators), floats,
 * `.inf`/`.nan`, booleans and nulls in every letter case, sexagesimal numbers, timestamps —
 * and strings full of control characters, DEL, C1 controls and non-ASCII, plus every string
 * scalar of examples/*.expected, are put in every position a user string reaches (a call
 * argument, a task env value and NAME, an annotation and a label (value and KEY), a node
 * selector (value and KEY), a toleration value, a
 * secret's and a config map's name and key, a claim name, a resource manifest's annotation and
 * data key and value (YAML inside the YAML, read by Go again), a pipeline parameter default, a dict
 * default's and a dict argument's KEY and value, a component input default and description,
 * a pipeline description and display name, a container component's env, Python program text), compiled by
 * the real compiler for every target (kfp-v1, argo, kfp-v2: its pipeline spec and its
 * platform spec), and read back by test/support/go-yaml-resolve.ts (yaml.v2's rules) and by
 * `yaml` under YAML 1.1 and 1.2: all three must give the same documents, holding the string
 * unchanged wherever it was put.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { backendNamed } from '../src/backends/index.js';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { repoRoot } from './support/cli.js';
import { mulberry32 } from './support/fuzz-cases.js';
import { goRead, goReadAll, resolveGoPlain, type GoValue } from './support/go-yaml-resolve.js';
import { plainProgram } from './support/located-program.js';

// --- the resolver itself, against yaml.v2's documented results ---------------------------------

describe('the yaml.v2 resolver (test support)', () => {
  it.each([
    ['0X1F', 31n], ['0x1f', 31n], ['0B101', 5n], ['0b101', 5n], ['-0b101', -5n], ['0O17', 15n], ['0o17', 15n], ['0755', 493n],
    ['+0x1F', 31n], ['1_000', 1000n], ['-1_0', -10n], ['18446744073709551615', 18446744073709551615n], ['1e3', 1000], ['1.', 1],
    ['.5', 0.5], ['-.5', -0.5], ['1_0.5', 10.5], ['99999999999999999999', 1e20], ['y', true], ['N', false], ['ON', true], ['Off', false],
    ['~', null], ['', null], ['NULL', null], ['.Inf', Infinity], ['-.INF', -Infinity], ['+.inf', Infinity], ['1__', 1n],
  ] as const)('%s is typed', (text, want) => {
    expect(resolveGoPlain(text)).toEqual(want);
  });

  it.each(['yES', 'oN', 'nULL', '1:20', '190:20:30.15', '0x', '0b2', '09x', '1e999', '.', '-', '+', 'Inf', 'nan', 'ya', '0x1Fp3'])('%s stays a string', (text) => {
    expect(resolveGoPlain(text)).toBe(text);
  });

  it.each(['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43Z', '2001-12-14 21:59:43.10', '2001-1-2'])('%s is a timestamp', (text) => {
    expect(resolveGoPlain(text)).toEqual({ timestamp: text });
  });

  it.each(['2001-02-30', '2001-13-01', '2001-12-14 21:59:43.10 -5', '20011-12-14'])('%s is not a timestamp', (text) => {
    expect(resolveGoPlain(text)).not.toHaveProperty('timestamp');
  });

  it('rejects raw control characters and DEL, and surrogate escapes, as yaml.v2 does', () => {
    expect(goRead('a: "x\x7fy"\n').error).toMatch(/control characters/);
    expect(goRead('a: x\x01y\n').error).toMatch(/control characters/);
    expect(goRead('a: "\\uD800"\n').error).toMatch(/invalid Unicode/);
    expect(goRead('a: "\\x7F\\e\\0\\u00e9"\n').value).toEqual({ a: '\x7f\x1b\x00é' });
  });
});

// --- random strings ---------------------------------------------------------------------------

type Rand = () => number;
const pick = <T,>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const digits = (r: Rand, alphabet: string, max: number): string => {
  let s = '';
  const n = 1 + Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += (i > 0 && r() < 0.2 ? '_' : '') + pick(r, [...alphabet]);
  return s;
};
const randomCase = (r: Rand, s: string): string => [...s].map((c) => (r() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');

const NUMBERISH: ((r: Rand) => string)[] = [
  (r) => pick(r, ['', '+', '-']) + pick(r, ['0x', '0X']) + digits(r, '0123456789abcdefABCDEF', 8),
  (r) => pick(r, ['', '+', '-']) + pick(r, ['0b', '0B']) + digits(r, '01', 12),
  (r) => pick(r, ['', '+', '-']) + pick(r, ['0o', '0O', '0']) + digits(r, '01234567', 8),
  (r) => pick(r, ['', '+', '-']) + digits(r, '0123456789', 22),
  (r) => pick(r, ['', '+', '-']) + pick(r, ['', digits(r, '0123456789', 4)]) + '.' + digits(r, '0123456789', 4) + pick(r, ['', 'e', 'E']) + pick(r, ['', '+', '-']) + digits(r, '0123456789', 3),
  (r) => randomCase(r, pick(r, ['', '+', '-']) + '.' + pick(r, ['inf', 'nan', 'infinity'])),
  (r) => randomCase(r, pick(r, ['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~', '<<', 'nan', 'inf'])),
  (r) => pick(r, ['', '-', '+']) + digits(r, '0123456789', 3) + ':' + digits(r, '012345', 1) + digits(r, '0123456789', 1) + pick(r, ['', ':30', ':30.15', '.5']),
  (r) => `${digits(r, '0123456789', 4).replace(/_/g, '').padStart(4, '2')}-${1 + Math.floor(r() * 13)}-${1 + Math.floor(r() * 32)}${pick(r, ['', 'T12:30:45Z', 't1:2:3.5+01:00', ' 21:59:43.10', 'T25:00:00Z', 'x'])}`,
];

const CONTROLS = [...Array(0x20).keys(), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i)].map((c) => String.fromCharCode(c));
const OTHER = ['a', 'Z', '0', ' ', ':', '#', '-', '"', "'", '\\', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`', '\t', '\n', '\r', '\u2028', '\u2029', '\ufeff', 'é', '한', '🚀', '\ufffe'];

function controlString(r: Rand): string {
  let s = '';
  const n = 1 + Math.floor(r() * 12);
  for (let i = 0; i < n; i++) s += r() < 0.5 ? pick(r, CONTROLS) : pick(r, OTHER);
  return s;
}

function randomStrings(seed: number, count: number): string[] {
  const r = mulberry32(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(r() < 0.6 ? pick(r, NUMBERISH)(r) : controlString(r));
  return out;
}

/** Every string scalar (values and keys) in the checked-in example outputs. */
function exampleScalars(): string[] {
  const dir = join(repoRoot, 'examples');
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.yaml')) files.push(p);
    }
  };
  for (const e of readdirSync(dir)) if (e.endsWith('.expected')) walk(join(dir, e));
  const found = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string') found.add(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) (found.add(k), collect(x));
  };
  for (const f of files) collect(YAML.parse(readFileSync(f, 'utf8')));
  return [...found].sort();
}

// --- one pipeline holding a string in every position ---------------------------------------------

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const lit = (s: string): string => JSON.stringify(s);
/** Python text can hold anything but a line break inside a comment; the fence ends at ```. */
const commentText = (s: string): string => s.replace(/[\r\n\u2028\u2029\u0085\u000b\u000c\u001c-\u001e]/g, ' ').replace(/`/g, "'");

/** A description holds the string as a docstring can: no `"` or `\\` (its quotes and escapes), CR kept apart from the text (read as a line end). */
const docText = (s: string): string => s.replace(/"/g, "'").replace(/\\/g, '/').replace(/\r/g, ' ').replace(/`/g, "'").trim() || 'x';

/** Where Kubernetes takes the string: a label value (labels, node selectors, toleration values), an object name (secrets, config maps, claims), a secret's key. */
const isLabelValue = (s: string): boolean => LABEL_VALUE.test(s) && s.length <= 63;
const isObjectName = (s: string): boolean => s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s);
const isDataKey = (s: string): boolean => /^[-._a-zA-Z0-9]+$/.test(s);
/** A label or annotation key without a prefix, a node selector's key. */
const isLabelKey = (s: string): boolean => s.length <= 63 && /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(s);
/** An environment variable name as the checker takes it (`-1`, `.5`, `y` among them: typed to Go when plain). */
const isEnvName = (s: string): boolean => /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(s);
/** The object name and key a `secret(…)`/`config_map(…)` uses: the string where Kubernetes allows it. */
const secretRef = (s: string): [string, string] => [isObjectName(s) ? s : 'db', isDataKey(s) ? s : 'k'];

/** A resource task (Argo targets only: KFP v2 has none), whose manifest is YAML text inside the YAML, read by Go again. */
const resourceTask = (s: string): string =>
  `\n  cm = resource(action: "create", manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "agree-", annotations: { "example.com/v": ${lit(s)} } }, data: { ${lit(isDataKey(s) ? s : 'k')}: ${lit(s)} } })`;

/** The pipeline's display name holds the string where a name may (Kubernetes limits its length; `{{` is Argo's). */
const displayName = (s: string): string => (s.length <= 40 && !s.includes('{{') ? `agree ${s}` : 'agree');

function pipelineSource(s: string, target: Target = 'kfp-v1'): string {
  const [secretName, secretKey] = secretRef(s);
  const label = isLabelValue(s)
    ? `\n    labels: { "example.com/v": ${lit(s)} }\n    node_selector: { "example.com/v": ${lit(s)} }\n    tolerations: [{ key: "k", operator: "Equal", value: ${lit(s)}, effect: "NoSchedule" }]`
    : '';
  const claim = isObjectName(s) ? `\n    mount: { "/mnt": pvc(${lit(s)}) }` : '';
  // The string as a KEY where Kubernetes takes it: a label, annotation and node selector key; an env name.
  const keyed = isLabelKey(s) ? `\n  show("k") {\n    labels: { ${lit(s)}: "v" }\n    annotations: { ${lit(s)}: "v" }\n    node_selector: { ${lit(s)}: "v" }${isEnvName(s) ? `\n    env: { ${lit(s)}: "v" }` : ''}\n  }` : isEnvName(s) ? `\n  show("k") {\n    env: { ${lit(s)}: "v" }\n  }` : '';
  return `component show(s: str = ${lit(s)}) -> str {
  """${commentText(s).replace(/"/g, "'").replace(/\\/g, '/').trim() || 'x'}"""
  \`\`\`python
  # ${commentText(s)}
  return s
  \`\`\`
}
component shell() {
  image: "alpine:3.19"
  command: ["echo", ${lit(s)}]
  env: { V: ${lit(s)} }
}
component keep(d: dict) {
  image: "alpine:3.19"
  command: ["echo", d]
}
pipeline ${lit(displayName(s))} (p: str = ${lit(s)}, d: dict = {${lit(s)}: ${lit(s)}, "k": [${lit(s)}]}) {
  """${docText(s)}"""
  show(${lit(s)}) {
    env: { V: ${lit(s)}, S: secret(${lit(secretName)}, ${lit(secretKey)}), C: config_map(${lit(secretName)}, ${lit(secretKey)}) }
    annotations: { "example.com/v": ${lit(s)} }${label}${claim}
  }
  show(p)${keyed}
  shell()
  keep(d)
  keep({${lit(s)}: [${lit(s)}]})${target === 'kfp-v2' ? '' : resourceTask(s)}
}
`;
}

/** Go's reading, made comparable with JS: integers as numbers, objects with a prototype. */
function comparable(v: GoValue): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(comparable);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, comparable(x)]));
  return v;
}

interface Outcome {
  compiled: boolean;
  problems: string[];
}

const TARGETS = ['kfp-v1', 'argo', 'kfp-v2'] as const;
type Target = (typeof TARGETS)[number];

function checkString(s: string, target: Target = 'kfp-v1'): Outcome {
  const result = compileSource(new SourceFile('agree.kfp', pipelineSource(s, target)), { backend: backendNamed(target)! });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    // Refusing is allowed (a lone surrogate or a NUL, which no container can take), but only as a located user error, never as our bug.
    const bad = errors.filter((d) => d.code === 'KFP9001' || d.span === undefined);
    return { compiled: false, problems: bad.map((d) => `${d.code} ${d.message}`) };
  }
  const description = result.program!.pipelines[0]!.description ?? '';
  const problems: string[] = [];
  for (const f of result.files) {
    const go = goReadAll(f.text);
    if (go.error) {
      problems.push(`${f.path}: Go cannot read it: ${go.error}`);
      continue;
    }
    const goValues = go.values!.map(comparable);
    for (const version of ['1.1', '1.2'] as const) {
      const js = YAML.parseAllDocuments(f.text, { version }).map((d) => d.toJS() as unknown);
      if (!isDeepEqual(goValues, js)) problems.push(`${f.path}: Go and JS (YAML ${version}) read different values`);
    }
    const goValue = goValues[0];
    if (target === 'kfp-v2') problems.push(...v2Positions(goValues[0], goValues[1], s, description));
    else if (f.kind === 'workflow') problems.push(...workflowPositions(goValue, s, description, target));
    else if (f.path.endsWith('show.yaml')) problems.push(...componentPositions(goValue, s));
    else if (f.path.endsWith('shell.yaml')) {
      const c = (goValue as { implementation: { container: { env: Record<string, unknown>; command: unknown[] } } }).implementation.container;
      if (c.env['V'] !== s || c.command[1] !== s) problems.push(`${f.path}: container env or command changed`);
    }
  }
  if (result.files.length === 0) problems.push('nothing was written');
  return { compiled: true, problems };
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && isDeepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v ?? {}) as Obj;

/** A dict as kfp v1 passes it: JSON text. */
const jsonOf = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : undefined);

function workflowPositions(wf: unknown, s: string, description: string, target: Target): string[] {
  const problems: string[] = [];
  const spec = o(o(wf)['spec']);
  const templates = spec['templates'] as Obj[];
  const params = o(spec['arguments'])['parameters'] as Obj[];
  if (params[0]!['value'] !== s) problems.push('the parameter default changed');
  if (!isDeepEqual(jsonOf(params[1]!['value']), { [s]: s, k: [s] })) problems.push('the dict default (its key or value) changed');
  const pipelineSpec = o(o(o(wf)['metadata'])['annotations'])['pipelines.kubeflow.org/pipeline_spec'];
  if (target === 'kfp-v1' && o(jsonOf(pipelineSpec))['description'] !== description) problems.push('the pipeline description changed');
  if (target === 'kfp-v1' && o(jsonOf(pipelineSpec))['name'] !== displayName(s)) problems.push('the pipeline display name changed');
  const dag = o(templates.find((t) => t['name'] === spec['entrypoint'])!['dag'])['tasks'] as Obj[];
  const first = dag.find((t) => t['name'] === 'show')!;
  if ((o(first['arguments'])['parameters'] as Obj[])[0]!['value'] !== s) problems.push('the call argument changed');
  const show = templates.find((t) => t['name'] === 'show')!;
  const env = o(show['container'])['env'] as Obj[] | undefined;
  if (env?.find((e) => e['name'] === 'V')?.['value'] !== s) problems.push('the env value changed');
  const meta = o(show['metadata']);
  if (o(meta['annotations'])['example.com/v'] !== s) problems.push('the annotation changed');
  if (isLabelValue(s) && o(meta['labels'])['example.com/v'] !== s) problems.push('the label changed');
  if (isLabelValue(s) && o(show['nodeSelector'])['example.com/v'] !== s) problems.push('the node selector changed');
  if (isLabelValue(s) && o((show['tolerations'] as Obj[] | undefined)?.[0])['value'] !== s) problems.push('the toleration value changed');
  const [secretName, secretKey] = secretRef(s);
  const ref = (name: string, from: string): Obj => o(o(env?.find((e) => e['name'] === name)?.['valueFrom'])[from]);
  if (!isDeepEqual(ref('S', 'secretKeyRef'), { name: secretName, key: secretKey })) problems.push('the secret reference changed');
  if (!isDeepEqual(ref('C', 'configMapKeyRef'), { name: secretName, key: secretKey })) problems.push('the config map reference changed');
  if (isObjectName(s) && !(show['volumes'] as Obj[] | undefined)?.some((v) => o(v['persistentVolumeClaim'])['claimName'] === s)) problems.push('the claim name changed');
  // The keyed task: the string as a label, annotation and node selector key, and as an env name.
  if (isLabelKey(s) || isEnvName(s)) {
    const keyedTask = dag.find((x) => o(x['arguments'])['parameters'] !== undefined && ((o(x['arguments'])['parameters'] as Obj[])[0]?.['value'] === 'k'));
    const k = templates.find((x) => x['name'] === keyedTask?.['template']);
    const kMeta = o(o(k)['metadata']);
    if (isLabelKey(s) && (o(kMeta['labels'])[s] !== 'v' || o(kMeta['annotations'])[s] !== 'v' || o(o(k)['nodeSelector'])[s] !== 'v')) problems.push('a label, annotation or node selector key changed');
    if (isEnvName(s) && !(o(o(k)['container'])['env'] as Obj[] | undefined)?.some((e) => e['name'] === s && e['value'] === 'v')) problems.push('an env name changed');
  }
  // The manifest is YAML text that Argo hands to Kubernetes: read by Go's rules again.
  const manifestText = o(templates.find((t) => t['resource'] !== undefined)?.['resource'])['manifest'];
  const manifest = typeof manifestText === 'string' ? goRead(manifestText) : { error: 'no resource template' };
  if (manifest.error) problems.push(`the resource manifest: Go cannot read it: ${manifest.error}`);
  else {
    const m = comparable(manifest.value!) as Obj;
    if (!isDeepEqual(m, YAML.parse(manifestText as string, { version: '1.1' }))) problems.push('the resource manifest: Go and JS read different values');
    if (o(o(m['metadata'])['annotations'])['example.com/v'] !== s || o(m['data'])[isDataKey(s) ? s : 'k'] !== s) problems.push('the resource manifest changed');
  }
  // The user's lines travel as Python string literals (tracebacks name the .kfp line): read them back as kfp's plain program.
  const program = plainProgram((o(show['container'])['command'] as string[])[3] ?? '');
  if (!program.includes(`# ${commentText(s)}\n`)) problems.push('the Python program text changed');
  return problems;
}

/** The kfp-v2 pipeline spec (and its platform spec, which the annotations and labels make). */
function v2Positions(spec: unknown, platform: unknown, s: string, description: string): string[] {
  const problems: string[] = [];
  const root = o(spec)['root'] as Obj;
  const params = o(o(root['inputDefinitions'])['parameters']);
  if (o(params['p'])['defaultValue'] !== s) problems.push('the parameter default changed');
  if (!isDeepEqual(o(params['d'])['defaultValue'], { [s]: s, k: [s] })) problems.push('the dict default (its key or value) changed');
  if (o(o(spec)['pipelineInfo'])['description'] !== description) problems.push('the pipeline description changed');
  const tasks = o(o(root['dag'])['tasks']);
  const constant = (task: string, input: string): unknown => o(o(o(o(o(tasks[task])['inputs'])['parameters'])[input])['runtimeValue'])['constant'];
  if (constant('show', 's') !== s) problems.push('the call argument changed');
  if (!isDeepEqual(constant('keep-2', 'd'), { [s]: [s] })) problems.push('the dict argument (its key or value) changed');
  const componentParams = o(o(o(o(o(spec)['components'])['comp-show'])['inputDefinitions'])['parameters']);
  if (o(componentParams['s'])['defaultValue'] !== s) problems.push('the component input default changed');
  const executors = o(o(o(spec)['deploymentSpec'])['executors']);
  const container = (e: string): Obj => o(o(executors[e])['container']);
  if ((container('exec-show')['env'] as Obj[] | undefined)?.find((e) => e['name'] === 'V')?.['value'] !== s) problems.push('the env value changed');
  if ((container('exec-shell')['env'] as Obj[] | undefined)?.find((e) => e['name'] === 'V')?.['value'] !== s) problems.push('the container env changed');
  if ((container('exec-shell')['command'] as unknown[])[1] !== s) problems.push('the container command changed');
  const program = plainProgram((container('exec-show')['command'] as string[])[3] ?? '');
  if (!program.includes(`# ${commentText(s)}\n`)) problems.push('the Python program text changed');
  const k8s = o(o(o(o(o(platform)['platforms'])['kubernetes'])['deploymentSpec'])['executors'])['exec-show'] as Obj;
  const meta = o(k8s['podMetadata']);
  if (o(meta['annotations'])['example.com/v'] !== s) problems.push('the annotation changed');
  if (isLabelValue(s) && o(meta['labels'])['example.com/v'] !== s) problems.push('the label changed');
  if (isLabelValue(s) && o(o(k8s['nodeSelector'])['labels'])['example.com/v'] !== s) problems.push('the node selector changed');
  // protobuf JSON leaves out an empty string, which reads back as the field's default, "".
  if (isLabelValue(s) && (o((k8s['tolerations'] as Obj[] | undefined)?.[0])['value'] ?? '') !== s) problems.push('the toleration value changed');
  const [secretName, secretKey] = secretRef(s);
  const secret = o((k8s['secretAsEnv'] as Obj[] | undefined)?.[0]);
  if (secret['secretName'] !== secretName || o((secret['keyToEnv'] as Obj[] | undefined)?.[0])['secretKey'] !== secretKey) problems.push('the secret reference changed');
  const configMap = o((k8s['configMapAsEnv'] as Obj[] | undefined)?.[0]);
  if (configMap['configMapName'] !== secretName || o((configMap['keyToEnv'] as Obj[] | undefined)?.[0])['configMapKey'] !== secretKey) problems.push('the config map reference changed');
  if (isObjectName(s) && o((k8s['pvcMount'] as Obj[] | undefined)?.[0])['constant'] !== s) problems.push('the claim name changed');
  // The keyed task (show-3, its executor exec-show-3): the string as a key and as an env name.
  if (isLabelKey(s)) {
    const k = o(o(o(o(o(o(platform)['platforms'])['kubernetes'])['deploymentSpec'])['executors'])['exec-show-3']);
    const kMeta = o(k['podMetadata']);
    if (o(kMeta['labels'])[s] !== 'v' || o(kMeta['annotations'])[s] !== 'v' || o(o(k['nodeSelector'])['labels'])[s] !== 'v') problems.push('a label, annotation or node selector key changed');
  }
  if (isEnvName(s) && !(container('exec-show-3')['env'] as Obj[] | undefined)?.some((e) => e['name'] === s && e['value'] === 'v')) problems.push('an env name changed');
  return problems;
}

function componentPositions(spec: unknown, s: string): string[] {
  const inputs = o(spec)['inputs'] as Obj[];
  const program = plainProgram((o(o(o(spec)['implementation'])['container'])['command'] as string[])[3] ?? '');
  const problems: string[] = [];
  if (inputs[0]!['default'] !== s) problems.push('the component input default changed');
  if (!program.includes(`# ${commentText(s)}\n`)) problems.push('the component program text changed');
  return problems;
}

// --- the property ------------------------------------------------------------------------------

describe('Go (yaml.v2 rules) and JS read every output the same', () => {
  const SEED = 0x6f17;
  const randoms = randomStrings(SEED, 400);
  const examples = exampleScalars();

  it.each(TARGETS)('holds for random typed-looking and control-character strings in every position (--target %s)', (target) => {
    const failures: string[] = [];
    let compiled = 0;
    for (const s of randoms) {
      const out = checkString(s, target);
      if (out.compiled) compiled++;
      for (const p of out.problems) failures.push(`${JSON.stringify(s)}: ${p}`);
    }
    expect(failures.slice(0, 20)).toEqual([]);
    // The property must not hold vacuously: nearly every string compiles.
    expect(compiled).toBeGreaterThan(randoms.length * 0.9);
  }, 300_000);

  it.each(TARGETS)('holds for every string scalar of the examples\' expected outputs (--target %s)', (target) => {
    expect(examples.length).toBeGreaterThan(100);
    const failures: string[] = [];
    for (const s of examples) {
      const out = checkString(s, target);
      expect(out.compiled, JSON.stringify(s)).toBe(true);
      for (const p of out.problems) failures.push(`${JSON.stringify(s).slice(0, 80)}: ${p}`);
    }
    expect(failures.slice(0, 20)).toEqual([]);
  }, 300_000);

  it.each(TARGETS)('quotes the forms only Go types, as values and as keys (--target %s)', (target) => {
    for (const s of ['0X1F', '0B101', '0O755', '0o17', '+0x1F', '1_000', 'Y', 'n', 'OFF', 'on', '.Inf', '-.inf', '.NaN', '~', '1:20', '190:20:30.15', '2001-12-14', '2001-12-14 21:59:43.10', '<<', '=', '', '- x', '? x', ': x', '#x', 'a #b', 'a: b', ' x', 'x ', '@x', '`x', '%x', '!x', '&x', '*x', '|x', '>x', '{x', '[x', 'x\n', 'a\r\nb', 'a\rb', 'a\u0085b', 'a\u2028b', '\ufeffx', '\x7f', '\u0080', '__proto__', 'constructor', 'prototype', 'x'.repeat(2000)]) {
      expect(checkString(s, target), JSON.stringify(s)).toEqual({ compiled: true, problems: [] });
    }
  });

  it('refuses a lone surrogate where it is written, with a located error', () => {
    const result = compileSource(new SourceFile('agree.kfp', pipelineSource('\ud800')));
    expect(result.files).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toContain('KFP4010');
    expect(result.diagnostics.every((d) => d.span !== undefined)).toBe(true);
  });
});
