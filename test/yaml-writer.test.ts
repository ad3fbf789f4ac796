/**
 * The YAML writer (src/emit/yaml.ts, src/emit/scalar.ts) and the templates that call it
 * (src/lower/render.ts):
 * - it writes the same bytes as the `yaml` library's document model did
 *   (test/support/yaml-reference.ts) for every string but the multi-line ones it now keeps
 *   readable or escapes, on hostile strings and on seeded random ones;
 * - every output reads back to the same value under YAML 1.1, YAML 1.2 and Go's yaml.v2
 *   rules (test/support/go-yaml-resolve.ts);
 * - a multi-line string is a literal block exactly when every reader keeps it (each
 *   fallback case below), so Korean in a Python program stays readable;
 * - hostile strings in every position of a workflow and a component survive the templates;
 * - the header names the source by its project path, and DAG tasks carry their `.kfp` line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { commentLine } from '../src/emit/comment.js';
import { blockSafe } from '../src/emit/scalar.js';
import { toYaml } from '../src/emit/yaml.js';
import type { ArgoWorkflow } from '../src/lower/argo-types.js';
import { renderComponent, renderWorkflow } from '../src/lower/render.js';
import { SourceFile } from '../src/source.js';
import { VERSION } from '../src/version.js';
import { repoRoot } from './support/cli.js';
import { mulberry32 } from './support/fuzz-cases.js';
import { goRead } from './support/go-yaml-resolve.js';
import { referenceToYaml } from './support/yaml-reference.js';

const HOSTILE = [
  'on', 'off', 'yes', 'no', 'y', 'n', 'Y', 'N', 'ON', 'yES', 'True', 'false', 'null', 'Null', '~', '', ' ', '0755', '0o17', '0b101', '0x1F',
  '-0x1F', '1_000', '1e3', 'e5', 'E10', 'e-5', 'e5x', '.inf', '.nan', '12:30:00', '2020-01-01', '2020-1-2', '=', '<<', '.', '._', '0b_', '-', '- a', '? a', ': a', '#x', 'a #b',
  '@x', '`x', '%x', '!x', '&x', '*x', '|', '>', '{a}', '[a]', 'a: b', 'a:b', 'a:', '"q"', "'q'", `"q'`, '---', '--- x', '...', 'a\n---\nb', '%YAML',
  'line\nbreak', 'trailing\n', 'two\n\n', 'three\n\n\n', '\nlead', '  lead', 'lead\n  more', 'tab\there', 'x\n\ty', 'x \ny', 'x\n ', 'x\t\ny',
  '{{inputs.parameters.x}}', '{{workflow.name}}-pvc', '한글 주석', 'emoji 🚀', 'mixed 한 \n line', '\u2028sep', 'nul\u0000', 'cr\r\nlf',
  '0X1F', '0B101', '0O17', '+0x1F', 'NO', '.Inf', '-.INF', '.NaN', '1__0', '190:20:30.15', 'del\u007f', 'c1\u0085\u009f', 'esc\u001b', 'bom\ufeff',
  'a'.repeat(1100), 'k'.repeat(1030) + ': v', '/path/to/file', 'python:3.11', 'gcr.io/x/y:1.0', 'pipelines.kubeflow.org/x', 'name_1', '_x', 'x-y.z',
  'print("안녕")\nprint(1)\n', 'def f():\n    return "한"\n',
];

/** Random strings from characters YAML readers treat specially, seeded so that a failure can be replayed. */
function randomStrings(count: number, seed: number): string[] {
  const rand = mulberry32(seed);
  const pieces = ['a', 'Z', '0', '1', '7', '_', '-', '+', '.', ':', '#', ' ', '\n', '\t', "'", '"', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`', '?', '~', '=', '<<', 'e', 'x', 'o', 'b', 'on', 'null', '---', '한', '🚀', '\u0085', '\x7f', '\r'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = Math.floor(rand() * 8);
    for (let j = 0; j < n; j++) s += pieces[Math.floor(rand() * pieces.length)];
    out.push(s);
  }
  return out;
}

/** Where the writer means to differ from the library: multi-line strings it keeps readable (non-ASCII) or escapes (unsafe lines). */
function writerMayDiffer(s: string): boolean {
  return s.includes('\n') && (!blockSafe(s) || /[^\x00-\x7f]/.test(s));
}

function documentOf(s: string): Record<string, unknown> {
  return { key: s, list: [s, [s], {}, []], [s]: { nested: s }, empty: {}, n: 1.5, t: true, z: null };
}

function readsBack(text: string, value: unknown): void {
  expect(YAML.parse(text, { version: '1.1' })).toEqual(value);
  expect(YAML.parse(text, { version: '1.2' })).toEqual(value);
  const go = goRead(text);
  expect(go.error).toBeUndefined();
  // yaml.v2 reads integers as int64 (bigint here); the values compared are otherwise JSON.
  const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
  expect(json(go.value)).toEqual(json(value));
}

describe('the YAML writer', () => {
  it.each(HOSTILE.map((s) => [JSON.stringify(s).slice(0, 50), s]))('%s reads back the same under YAML 1.1, 1.2 and yaml.v2', (_l, s) => {
    const value = documentOf(s);
    readsBack(toYaml(value), value);
  });

  it.each(HOSTILE.filter((s) => !writerMayDiffer(s)).map((s) => [JSON.stringify(s).slice(0, 50), s]))('%s is written as the yaml library wrote it', (_l, s) => {
    const value = documentOf(s);
    expect(toYaml(value)).toBe(referenceToYaml(value));
  });

  it('agrees with the library and reads back on 3,000 random strings', () => {
    let compared = 0;
    for (const s of randomStrings(3000, 20261202)) {
      const value = documentOf(s);
      const text = toYaml(value);
      readsBack(text, value);
      if (!writerMayDiffer(s)) {
        expect(text, JSON.stringify(s)).toBe(referenceToYaml(value));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1500);
  });

  // The writer's fast paths (src/emit/scalar.ts): plain names and paths, unless they are a typed
  // word of any letter case (the lower-casing is skipped past the longest word), and Argo
  // references `{{…}}`, double-quoted as they are. Strings made to sit on their edges: every
  // letter case of every YAML 1.1 word, one character longer or shorter, e-numbers, numbers
  // in every base, and references holding what would need quotes or escapes.
  const FAST_PATH_EDGES = ((): string[] => {
    const cases = (w: string): string[] => (w === '' ? [''] : cases(w.slice(1)).flatMap((rest) => [w[0]!.toLowerCase() + rest, w[0]!.toUpperCase() + rest]));
    const words = ['null', 'y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'nulls', 'yess', 'onn', 'offf', 'truee', 'falsee', 'nul', 'ye', 'of', 'tru', 'fals'];
    const typed = words.flatMap(cases);
    const numbers = ['e1', 'E5', 'e-5', 'e+5', 'E-10', 'e5x', 'e', 'E', 'e_1', 'ex', '0x1F', '0o7', '0O7', '0b1', '0755', '1_0', '12:30', '1e3', '.5', 'x0x1F'];
    const inners = [
      'tasks.t3.outputs.parameters.inc-Output', 'inputs.parameters.x', 'item', 'workflow.name', '0x1F', '0o7', 'y', 'on', 'null', '', '-', '.', '_',
      'a b', 'a"b', "a'b", 'a\\b', 'a:b', 'a: b', 'a#b', 'a #b', '{x}', 'x}}{{y', '한', 'del\x7f', 'tab\tx', 'nl\nx', 'bom\ufeff', 'emoji🚀',
    ];
    const refs = inners.flatMap((x) => [`{{${x}}}`, `{{${x}}}x`, `x{{${x}}}`, `{${x}}`, `{{${x}}`, ` {{${x}}}`]);
    const plain = ['/a', '_', 'a.b', 'a-', 'a/', 'A1', '/', 'a..b', 'a//b', 'x-y.z', 'a\x7f', 'del\x7fx', '_on', 'on_', 'on-', 'on.', 'y/', 'n.'];
    return [...typed, ...numbers, ...refs, ...plain];
  })();

  it(`fast paths agree with the library and read back on ${FAST_PATH_EDGES.length} strings at their edges`, () => {
    expect(FAST_PATH_EDGES.length).toBeGreaterThan(500);
    for (const s of FAST_PATH_EDGES) {
      const value = documentOf(s);
      const text = toYaml(value);
      if (!writerMayDiffer(s)) expect(text, JSON.stringify(s)).toBe(referenceToYaml(value));
      readsBack(text, value);
    }
  });

  it('a lone surrogate is refused on the fast paths too', () => {
    for (const s of ['{{\ud800}}', '{{a\udc00}}', '\ud800', 'a\udfff']) expect(() => toYaml({ a: s }), JSON.stringify(s)).toThrow(/lone surrogate/);
  });

  it('writes a program holding Korean as a literal block, its lines verbatim', () => {
    const program = 'def greet():\n    print("안녕하세요")  # 인사\n    return "한"\n';
    const text = toYaml({ args: [program] });
    expect(text).toBe('args:\n- |\n  def greet():\n      print("안녕하세요")  # 인사\n      return "한"\n');
    readsBack(text, { args: [program] });
  });

  it('chooses the chomping indicator from the final line breaks', () => {
    expect(toYaml({ a: 'x\ny' })).toBe('a: |-\n  x\n  y\n');
    expect(toYaml({ a: 'x\ny\n' })).toBe('a: |\n  x\n  y\n');
    expect(toYaml({ a: 'x\ny\n\n\n' })).toBe('a: |+\n  x\n  y\n\n\n');
    expect(toYaml({ a: 'x\n\n\ny' })).toBe('a: |-\n  x\n\n\n  y\n');
  });

  // Every case where a multi-line string cannot be a block scalar: it is double-quoted and escaped instead.
  const FALLBACKS: [string, string][] = [
    ['a C0 control', 'x\n\u0001y'],
    ['a carriage return', 'x\r\ny'],
    ['DEL', 'x\n\u007f'],
    ['a C1 control', 'x\n\u0080'],
    ['NEL (a YAML 1.1 line break)', 'x\n\u0085y'],
    ['LS', 'x\n\u2028y'],
    ['PS', 'x\n\u2029y'],
    ['a BOM', '\ufeffx\ny'],
    ['U+FFFE', 'x\n\ufffe'],
    ['U+FFFF', 'x\n\uffff'],
    ['trailing spaces on a line', 'x  \ny'],
    ['a trailing tab on a line', 'x\t\ny'],
    ['trailing spaces on the last line', 'x\ny  '],
    ['a last line of blanks', 'x\n  '],
    ['a tab at a line start', 'x\n\ty'],
    ['a tab at the first line start', '\tx\ny'],
    ['a leading space on the first line', ' x\ny'],
    ['a leading line break', '\nx\ny'],
    ['only whitespace', '\n\n'],
    ['Korean and a trailing space', '안녕 \n하세요'],
  ];
  it.each(FALLBACKS)('falls back to a double-quoted scalar for %s', (_label, s) => {
    expect(blockSafe(s)).toBe(false);
    const text = toYaml({ a: s });
    expect(text.startsWith('a: "')).toBe(true);
    expect(text.endsWith('"\n')).toBe(true);
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
    readsBack(text, { a: s });
  });

  it('refuses a lone surrogate, which no YAML can hold', () => {
    expect(() => toYaml({ a: '\ud800' })).toThrow(/lone surrogate/);
    expect(() => toYaml({ a: 'x\n\udc00' })).toThrow(/lone surrogate/);
  });

  it('escapes astral characters in quoted scalars with \\U and keeps them raw in blocks', () => {
    expect(toYaml({ a: '🚀' })).toBe('a: "\\U0001F680"\n');
    expect(toYaml({ a: '🚀\nx' })).toBe('a: |-\n  🚀\n  x\n');
  });

  it('makes a comment line of any text', () => {
    expect(commentLine('a\nb\u2028c')).toBe('# a\\u000Ab\\u2028c');
    expect(YAML.parse(`${commentLine('x\ny: 1')}\na: 1\n`)).toEqual({ a: 1 });
  });
});

describe('the templates', () => {
  const pick = (i: number): string => HOSTILE[i % HOSTILE.length]!;

  it('carry hostile strings in every position of a workflow', () => {
    HOSTILE.forEach((_, i) => {
      const s = pick(i);
      const wf: ArgoWorkflow = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { generateName: 'x-', annotations: { 'example.com/a': s, [`k${i}`]: s }, labels: { 'example.com/l': s } },
        spec: {
          entrypoint: 'x',
          templates: [
            {
              name: 'c',
              container: { image: s, command: ['sh', '-c', s], args: [s, `--x=${s}`], env: [{ name: 'V', value: s }] },
              inputs: { parameters: [{ name: 'p', value: s }], artifacts: [{ name: 'a', path: '/a', raw: { data: s } }] },
              outputs: { parameters: [{ name: 'o', valueFrom: { path: s } }] },
              metadata: { annotations: { 'example.com/spec': s }, labels: { 'example.com/l': s } },
              retryStrategy: { limit: 2 },
            },
            { name: 'r', resource: { action: 'create', manifest: s } },
            {
              name: 'x',
              dag: { tasks: [{ name: 't', template: 'c', when: s, arguments: { parameters: [{ name: 'p', value: s }] }, withItems: [s, { k: s }] }] },
            },
          ],
          arguments: { parameters: [{ name: 'p', value: s }] },
          serviceAccountName: 'pipeline-runner',
          onExit: s,
        },
      };
      const text = renderWorkflow(wf, { path: 'hostile.kfp', taskLines: new Map([['t', 7]]) });
      readsBack(text, JSON.parse(JSON.stringify(wf)));
      expect(text).toContain('      # hostile.kfp:7\n      - name: t\n');
    });
  });

  it('carry hostile strings in every position of a component', () => {
    HOSTILE.forEach((_, i) => {
      const s = pick(i);
      const spec = {
        name: s || 'n',
        description: s || 'd',
        metadata: { annotations: { 'example.com/a': s }, labels: { 'example.com/l': s } },
        inputs: [{ name: s, type: 'String', description: s, default: s, optional: true }],
        outputs: [{ name: 'o', description: s }],
        implementation: { container: { image: s, command: ['python3', '-c', s], args: [s, { inputValue: s }], env: { V: s } } },
      };
      readsBack(renderComponent(spec, { path: 'hostile.kfp' }), spec);
    });
  });
});

describe('comments in compiled output', () => {
  const source = readFileSync(join(repoRoot, 'examples/add.kfp'), 'utf8');

  it('names the source by its path in the project and kfpdsl\'s version, whatever path it was given', () => {
    for (const path of ['examples/add.kfp', join(repoRoot, 'examples/add.kfp'), './examples/../examples/add.kfp']) {
      const r = compileSource(new SourceFile(path, source));
      expect(r.files.length).toBe(4);
      for (const f of r.files) expect(f.text.split('\n')[0]).toBe(`# Generated by kfpdsl ${VERSION} from examples/add.kfp: edit the source, not this file.`);
    }
  });

  it('puts each DAG task under the line of the .kfp that made it', () => {
    const wf = compileSource(new SourceFile('examples/add.kfp', source)).files.find((f) => f.kind === 'workflow')!.text;
    const lines = source.split('\n');
    const tagged = [...wf.matchAll(/# add\.kfp:(\d+)\n *- name: (\S+)/g)].map((m) => [m[2], lines[Number(m[1]) - 1]!.trim()]);
    expect(tagged).toEqual([
      ['diff', 'diff = subtract(value_1: value_1, value_2: value_2)  # named arguments work too'],
      ['multiply', 'multiply(sum, diff)  # a task with one output is used as a value'],
      ['sum', 'sum = add(value_1, value_2)'],
    ]);
  });
});
