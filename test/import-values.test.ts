/**
 * `kfpdsl import` writes `.kfp` source from YAML: every value of a hostile component.yaml
 * must come back unchanged when the `.kfp` is built (strings full of controls, DEL, C1
 * controls, NEL, LS/PS, a BOM, quotes, backslashes, backquotes, Argo's `{{…}}`, Go-typed
 * look-alikes; dict keys `__proto__`, `constructor`, `<<`, `=`, `y`; env names
 * `constructor` and `__proto__`), and the `.kfp` text holds none of the invisible characters
 * raw: each is an escape a reader can see. The rebuilt component.yaml is read by the yaml.v2
 * rules reader (test/support/go-yaml-resolve.ts). What has no `.kfp` form (a description
 * holding `"""`) is a warning and a comment, and a name or description of another type
 * (`name: 5`, which Argo and kfp refuse) a located error or warning, never an internal error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { importYaml } from '../src/import/index.js';
import { SourceFile } from '../src/source.js';
import { repoRoot } from './support/cli.js';
import { goRead } from './support/go-yaml-resolve.js';

const VALUES = [
  '0X1F', 'y', 'on', '1:20', '2001-12-14', '<<', '=', '~', '', ' lead', 'trail ', 'a #b', 'a: b', '- x', '? x', '@x', '`tick`', '{{workflow.name}}',
  'a\u0085b', 'a\u2028b', 'a\u2029b', 'x\x7fy', '\u0080', '\u009f', '\ufeffbom', 'soft\u00adhyphen', '\ufffe', 'tab\there', 'cr\rlf', 'crlf\r\nx', 'trail\n', 'q"uote', "it's", 'back\\slash', '\x01\x1b', 'é한🚀',
];
const KEYS: [string, unknown][] = [['__proto__', { polluted: 1 }], ['constructor', 1], ['prototype', 2], ['<<', 3], ['=', 4], ['y', 5], ['0X1F', 6], ['a\u0085b', 7]];

function componentYaml(): string {
  const dict = JSON.stringify(Object.fromEntries(KEYS));
  const lines = ['name: Hostile', 'inputs:'];
  VALUES.forEach((v, i) => lines.push(`- {name: in${i}, type: String, default: ${JSON.stringify(v)}}`));
  lines.push(`- {name: dd, type: JsonObject, default: ${JSON.stringify(dict)}}`);
  lines.push('implementation:', '  container:', '    image: alpine:3.19');
  lines.push(`    command: [echo, ${VALUES.map((_, i) => `{inputValue: in${i}}`).join(', ')}, {inputValue: dd}]`);
  lines.push(`    args: [${VALUES.map((v) => JSON.stringify(v)).join(', ')}]`);
  lines.push(`    env: {constructor: ${JSON.stringify(VALUES[18])}, __proto__: ${JSON.stringify(VALUES[21])}, V: ${JSON.stringify(VALUES[20])}}`);
  return lines.join('\n') + '\n';
}

type Spec = { inputs: { name: string; default?: string }[]; implementation: { container: { args: string[]; env: Record<string, string> } } };

describe('kfpdsl import: a hostile component.yaml round-trips through .kfp', () => {
  const original = componentYaml();
  const imported = importYaml('hostile.yaml', original);

  it('imports without errors, and the .kfp holds no invisible character raw', () => {
    expect(imported.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(imported.text).toBeDefined();
    expect(imported.text!).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u2028\u2029\ufeff\ufffe\uffff]/);
  });

  it('builds to a component.yaml holding every value, dict key and env name of the original', () => {
    const built = compileSource(new SourceFile('hostile.kfp', imported.text!));
    expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const file = built.files.find((f) => f.path === 'components/hostile.yaml')!;
    const go = goRead(file.text);
    expect(go.error).toBeUndefined();
    const rebuilt = go.value as unknown as Spec;
    const before = YAML.parse(original, { version: '1.1' }) as Spec;
    expect(rebuilt).toEqual(YAML.parse(file.text, { version: '1.2' }));
    VALUES.forEach((v, i) => expect(rebuilt.inputs.find((x) => x.name === `in${i}`)?.default, JSON.stringify(v)).toBe(v));
    expect(rebuilt.implementation.container.args).toEqual(VALUES);
    expect(rebuilt.implementation.container.env).toEqual(before.implementation.container.env);
    expect(Object.keys(rebuilt.implementation.container.env).sort()).toEqual(['V', '__proto__', 'constructor']);
    const dd = JSON.parse(rebuilt.inputs.find((x) => x.name === 'dd')!.default!) as Record<string, unknown>;
    expect(dd).toEqual(JSON.parse(before.inputs.find((x) => x.name === 'dd')!.default!));
    expect(Object.keys(dd).sort()).toEqual(['0X1F', '<<', '=', '__proto__', 'a\u0085b', 'constructor', 'prototype', 'y']);
  });
});

describe('kfpdsl import: what no .kfp form holds is said, never dropped or a crash', () => {
  it('a description a docstring cannot hold is a warning and a comment', () => {
    const yaml = 'name: C\ndescription: "say \\"\\"\\"hi\\"\\"\\" now"\nimplementation:\n  container:\n    image: alpine:3.19\n    command: [echo]\n';
    const r = importYaml('c.yaml', yaml);
    expect(r.diagnostics.map((d) => [d.code, d.span?.start])).toEqual([['KFP0301', yaml.indexOf('"say')]]);
    expect(r.text).toContain('# kfpdsl import: not translated: a description holding `"""`');
  });

  /** Every `name` and `description` of a real file replaced by a value of another type: a located diagnostic, never an exception. */
  it.each(['test/fixtures/import/countdown.yaml', 'examples/components/word_count.component.yaml'])('%s with a name or description of another type', (fixture) => {
    const original = YAML.parse(readFileSync(join(repoRoot, fixture), 'utf8')) as unknown;
    const paths: (string | number)[][] = [];
    const visit = (v: unknown, p: (string | number)[]): void => {
      if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...p, i]));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) (k === 'name' || k === 'description' ? paths.push([...p, k]) : visit(x, [...p, k]));
    };
    visit(original, []);
    expect(paths.length).toBeGreaterThan(3);
    for (const p of paths) {
      for (const bad of [5, true, null, ['x'], { a: 1 }]) {
        const copy = structuredClone(original) as Record<string | number, unknown>;
        let at = copy;
        for (const k of p.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
        at[p[p.length - 1]!] = bad;
        const text = YAML.stringify(copy);
        const r = importYaml('x.yaml', text);
        const what = `${p.join('.')} = ${JSON.stringify(bad)}`;
        if (r.text === undefined) expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), what).toEqual(['KFP0300']);
        expect(r.diagnostics.every((d) => d.span !== undefined), what).toBe(true);
      }
    }
  });
});
