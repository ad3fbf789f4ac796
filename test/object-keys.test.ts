/**
 * Keys that name JavaScript object machinery (`__proto__`, `constructor`, `prototype`) are
 * ordinary keys in .kfp: each survives, in every position a user map reaches, through the real
 * compiler and its YAML output for kfp-v1 and for kfp-v2 (read back with the `yaml` package),
 * and through `kfpdsl run` (both executors) into a real Python task. A plain `{}` once
 * swallowed `__proto__` as its prototype (kfp-v2's key sorting did, in struct defaults).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runCli } from './support/cli.js';
import { requirement } from './support/requirements.js';

const KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const root = mkdtempSync(join(tmpdir(), 'kfpdsl-object-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Own keys, whatever the prototype (YAML/JSON readers make `__proto__` an own key). */
const own = (o: unknown): string[] => Object.keys(o as object);
const obj = (o: unknown): Record<string, unknown> => o as Record<string, unknown>;

/** Where the build put a file (the layout under `-o` may add a directory per source). */
function findOutput(dir: string, suffix: string): string {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      const found = findOutput(p, suffix);
      if (found) return found;
    } else if (p.endsWith(suffix)) return p;
  }
  return '';
}

function build(name: string, source: string): { workflow: Record<string, unknown>; dir: string } {
  const dir = join(root, name);
  const file = join(root, `${name}.kfp`);
  writeFileSync(file, source);
  const r = runCli(['build', file, '-o', dir]);
  expect(r.stderr).not.toMatch(/error/);
  expect(r.status).toBe(0);
  const workflowFile = findOutput(dir, '/keys.yaml');
  const workflow = YAML.parse(readFileSync(workflowFile, 'utf8'), { version: '1.1' }) as Record<string, unknown>;
  return { workflow, dir: join(workflowFile, '..') };
}

const templates = (wf: Record<string, unknown>): Record<string, unknown>[] => obj(wf['spec'])['templates'] as Record<string, unknown>[];
const template = (wf: Record<string, unknown>, name: string): Record<string, unknown> => templates(wf).find((t) => t['name'] === name)!;
const dagTasks = (wf: Record<string, unknown>, name: string): Record<string, unknown>[] => obj(template(wf, name)['dag'])['tasks'] as Record<string, unknown>[];
const argValue = (task: Record<string, unknown>, param: string): string =>
  ((obj(task['arguments'])['parameters'] as { name: string; value: string }[]).find((p) => p.name === param)!).value;

describe.each(KEYS)('the key `%s`', (key) => {
  const map = `{ ${key}: "v1", other: "v2" }`;
  const nested = `{ ${key}: { ${key}: 1 }, a: 1 }`;
  // Label and annotation keys must start with a letter or digit in Kubernetes: `__proto__` is
  // refused there with a located error (checked below), so those positions use the others.
  const metaKey = key === '__proto__' ? undefined : key;
  const source = `
component show(d: dict = ${nested}, s: str = "x") -> str {
  \`\`\`python
  return str(d) + s
  \`\`\`
}
component shell() {
  image: "alpine:3.19"
  command: ["sh", "-c", "env"]
  env: ${map}
}

pipeline "keys" (p: dict = ${nested}) {
  show(p, "a")
  show({ ${key}: [1], b: { ${key}: 2 } }) {
    env: ${map}
    ${metaKey ? `labels: { ${metaKey}: "l" }\n    annotations: { ${metaKey}: "a" }\n    node_selector: { ${metaKey}: "n" }` : ''}
  }
  for row in [{ ${key}: 1, a: 2 }, { ${key}: 3, a: 4 }] {
    show(s: row.a)
  }
  shell()
  r = resource(action: "create", manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: ${map} })
}
`;
  const { workflow: wf, dir } = build(`keys${KEYS.indexOf(key)}`, source);
  const entry = dagTasks(wf, 'keys');

  it('survives in a parameter default (the workflow argument and the pipeline spec)', () => {
    const p = (obj(obj(wf['spec'])['arguments'])['parameters'] as { name: string; value: string }[])[0]!;
    expect(own(JSON.parse(p.value))).toEqual(expect.arrayContaining([key, 'a']));
    expect(own(JSON.parse(p.value)[key])).toEqual([key]);
  });

  it('survives in a dict call argument', () => {
    const value = JSON.parse(argValue(entry.find((t) => t['name'] === 'show-2')!, 'd'));
    expect(own(value).sort()).toEqual(['b', key].sort());
    expect(own(value['b'])).toEqual([key]);
  });

  it('survives in loop records (withItems)', () => {
    const loop = entry.find((t) => t['withItems'] !== undefined)!;
    const items = loop['withItems'] as unknown[];
    expect(items.map((i) => own(i).sort())).toEqual([['a', key].sort(), ['a', key].sort()]);
  });

  it('survives in a task env and a component env', () => {
    const task = template(wf, 'show-2');
    const env = obj(task['container'])['env'] as { name: string; value: string }[];
    expect(env.find((e) => e.name === key)?.value).toBe('v1');
    const shell = template(wf, 'shell');
    expect((obj(shell['container'])['env'] as { name: string; value: string }[]).map((e) => e.name)).toContain(key);
    const spec = YAML.parse(readFileSync(join(dir, 'components', 'shell.yaml'), 'utf8'), { version: '1.1' });
    expect(own(spec.implementation.container.env)).toContain(key);
  });

  it('survives in the default of a component input (component.yaml and the Python program)', () => {
    const spec = YAML.parse(readFileSync(join(dir, 'components', 'show.yaml'), 'utf8'), { version: '1.1' });
    const d = spec.inputs.find((i: { name: string }) => i.name === 'd');
    expect(own(JSON.parse(d.default))).toContain(key);
    expect(spec.implementation.container.command.join('\n')).toContain(`"${key}": {"${key}": 1}`);
  });

  it('survives in a resource manifest', () => {
    const manifest = YAML.parse(obj(template(wf, 'r')['resource'])['manifest'] as string, { version: '1.1' });
    expect(own(manifest.data).sort()).toEqual(['other', key].sort());
  });

  const metaAllowed = requirement(metaKey !== undefined, '`__proto__` is not a valid Kubernetes label key (its refusal is tested below)');
  it.runIf(metaKey !== undefined)(metaAllowed.title('survives in labels, annotations and node selectors'), () => {
    const t = template(wf, 'show-2');
    expect(own(obj(t['metadata'])['labels'])).toContain(key);
    expect(own(obj(t['metadata'])['annotations'])).toContain(key);
    expect(own(t['nodeSelector'])).toEqual([key]);
  });
});

describe.each(KEYS)('the key `%s` in the KFP v2 pipeline spec and its platform spec', (key) => {
  const metaKey = key === '__proto__' ? undefined : key;
  const source = `
component show(d: dict = { ${key}: { ${key}: 1 }, a: 1 }, s: str = "x") -> str {
  \`\`\`python
  return str(d) + s
  \`\`\`
}
pipeline "keys" (p: dict = { ${key}: { ${key}: 1 }, a: 1 }) {
  show(p, "a")
  show({ ${key}: [1], b: { ${key}: 2 } }) {
    env: { ${key}: "v1", other: "v2" }
    ${metaKey ? `labels: { ${metaKey}: "l" }\n    annotations: { ${metaKey}: "a" }\n    node_selector: { ${metaKey}: "n" }` : ''}
  }
  for row in [{ ${key}: 1, a: 2 }] {
    show(s: row.a)
  }
}
`;
  const dir = join(root, `v2-keys${KEYS.indexOf(key)}`);
  const file = join(root, `v2-keys${KEYS.indexOf(key)}.kfp`);
  writeFileSync(file, source);
  const r = runCli(['build', '--target', 'kfp-v2', file, '-o', dir]);
  const [spec, platform] = r.status === 0 ? YAML.parseAllDocuments(readFileSync(findOutput(dir, '/keys.yaml'), 'utf8'), { version: '1.1' }).map((d) => d.toJS() as Record<string, any>) : [];

  it('builds', () => {
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
  });

  it('survives in struct defaults, a struct argument and loop records', () => {
    const p = spec!['root'].inputDefinitions.parameters.p.defaultValue;
    expect(own(p).sort()).toEqual(['a', key].sort());
    expect(own(p[key])).toEqual([key]);
    expect(own(spec!['components']['comp-show'].inputDefinitions.parameters.d.defaultValue).sort()).toEqual(['a', key].sort());
    const arg = spec!['root'].dag.tasks['show-2'].inputs.parameters.d.runtimeValue.constant;
    expect(own(arg).sort()).toEqual(['b', key].sort());
    expect(own(arg.b)).toEqual([key]);
    const loop = Object.values(spec!['root'].dag.tasks as Record<string, any>).find((t) => t.parameterIterator)!;
    expect(own(JSON.parse(loop.parameterIterator.items.raw)[0]).sort()).toEqual(['a', key].sort());
  });

  it('survives as an env name', () => {
    expect((spec!['deploymentSpec'].executors['exec-show-2'].container.env as { name: string }[]).map((e) => e.name)).toContain(key);
  });

  const metaAllowed = requirement(metaKey !== undefined, '`__proto__` is not a valid Kubernetes label key (its refusal is tested below)');
  it.runIf(metaKey !== undefined)(metaAllowed.title('survives in labels, annotations and node selectors'), () => {
    const k8s = platform!['platforms'].kubernetes.deploymentSpec.executors['exec-show-2'];
    expect(own(k8s.podMetadata.labels)).toEqual([key]);
    expect(own(k8s.podMetadata.annotations)).toEqual([key]);
    expect(own(k8s.nodeSelector.labels)).toEqual([key]);
  });
});

describe('a `__proto__` label key', () => {
  it('is refused with a located error, never dropped', () => {
    const file = join(root, 'label.kfp');
    writeFileSync(file, 'component f() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\npipeline "p" () {\n  f() {\n    labels: { __proto__: "x" }\n  }\n}\n');
    const r = runCli(['check', file]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/label\.kfp:7:\d+/);
    expect(r.stderr).toContain('`__proto__` is not a valid label key');
  });
});

describe('kfpdsl run', () => {
  it.each(['kfp-v1', 'kfp-v2'])('hands a `__proto__` key of a dict argument and of loop records to a real Python task (--target %s)', (target) => {
    const file = join(root, `run-${target}.kfp`);
    writeFileSync(
      file,
      `component show(d: dict, n: int) -> str {
  \`\`\`python
  import json
  return json.dumps(sorted(d.keys())) + "/" + str(n)
  \`\`\`
}
pipeline "p" () {
  for row in [{ __proto__: 1, a: 2 }] {
    show({ __proto__: { polluted: 1 }, constructor: 2, prototype: 3 }, row.__proto__)
  }
}
`,
    );
    const r = runCli(['run', '--target', target, file, '--run-dir', join(root, 'runs'), '--format', 'json', '--skip-packages']);
    expect(r.status, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as { tasks: { template: string; outputs: { artifacts: Record<string, string>; parameters?: Record<string, string> } }[] };
    // The v1 executor keeps the output as an artifact file, the v2 executor as a parameter (its component is `comp-show`).
    const outputs = target === 'kfp-v1'
      ? run.tasks.filter((t) => t.template === 'show').flatMap((t) => Object.values(t.outputs.artifacts).map((path) => readFileSync(path, 'utf8')))
      : run.tasks.filter((t) => t.template === 'comp-show').map((t) => t.outputs.parameters!['Output']);
    expect(outputs).toEqual(['["__proto__", "constructor", "prototype"]/1']);
  }, 120_000);
});
