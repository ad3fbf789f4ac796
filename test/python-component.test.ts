/**
 * Python function components, checked by running the generated program with the real python3
 * and by comparing against kfp 1.8.22's own output (the shared anchors, when present).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { shared, sharedDir } from './support/argo-strict.js';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { ComponentSpec, Placeholder } from '../src/lower/component-spec.js';
import {
  buildPythonComponent,
  componentDisplayName,
  kfpTypeName,
  type PyInput,
  type PyOutput,
  type PythonComponent,
} from '../src/lower/python-component.js';

const workDir = mkdtempSync(join(tmpdir(), 'kfpdsl-pycomp-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
let runCounter = 0;

function component(partial: Partial<PythonComponent> & Pick<PythonComponent, 'functionName' | 'body'>): PythonComponent {
  return { inputs: [], outputs: [], singleReturn: false, image: 'python:3.7', packages: [], ...partial };
}

function programOf(spec: ComponentSpec): string {
  const program = spec.implementation.container.command?.at(-1);
  if (typeof program !== 'string') throw new Error('no program in command');
  return program;
}

interface RunResult {
  status: number | null;
  stderr: string;
  /** Output name -> file contents (undefined when the program did not write it). */
  outputs: Record<string, string | undefined>;
}

/** Arguments the test supplies: input values, and contents of files for inputPath inputs. */
interface Supplied {
  values?: Record<string, string>;
  files?: Record<string, string>;
}

/** Resolves the component's `args` placeholders the way the kfp launcher would, with local temp paths. */
function resolveArgs(args: Placeholder[], supplied: Supplied, dir: string, outputPaths: Map<string, string>): string[] {
  const isPresent = (name: string) => supplied.values?.[name] !== undefined || supplied.files?.[name] !== undefined;
  const resolve = (p: Placeholder): string[] => {
    if (typeof p === 'string') return [p];
    if ('inputValue' in p) {
      const value = supplied.values?.[p.inputValue];
      if (value === undefined) throw new Error(`no value for input ${p.inputValue}`);
      return [value];
    }
    if ('inputPath' in p) {
      const content = supplied.files?.[p.inputPath];
      if (content === undefined) throw new Error(`no file for input ${p.inputPath}`);
      const file = join(dir, 'inputs', p.inputPath, 'data');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return [file];
    }
    if ('outputPath' in p) {
      // Parent directory deliberately not created: the program must create it, as in a pod.
      const file = join(dir, 'outputs', p.outputPath, 'data');
      outputPaths.set(p.outputPath, file);
      return [file];
    }
    if ('concat' in p) return [p.concat.flatMap(resolve).join('')];
    if ('if' in p) {
      const cond = p.if.cond;
      if (typeof cond !== 'object' || !('isPresent' in cond)) throw new Error('only isPresent conditions are generated');
      const branch = isPresent(cond.isPresent) ? p.if.then : p.if.else;
      if (branch === undefined) return [];
      return (Array.isArray(branch) ? branch : [branch]).flatMap(resolve);
    }
    throw new Error(`unexpected placeholder ${JSON.stringify(p)}`);
  };
  return args.flatMap(resolve);
}

/** Runs the program with python3; with `viaCommand`, runs the whole container command (the sh -ec wrapper). */
function run(spec: ComponentSpec, supplied: Supplied = {}, viaCommand = false): RunResult {
  const dir = join(workDir, `run-${++runCounter}`);
  mkdirSync(dir, { recursive: true });
  const outputPaths = new Map<string, string>();
  const argv = resolveArgs(spec.implementation.container.args ?? [], supplied, dir, outputPaths);
  const programFile = join(dir, 'program.py');
  writeFileSync(programFile, programOf(spec));
  const command = (spec.implementation.container.command ?? []).map((p) => {
    if (typeof p !== 'string') throw new Error('command placeholders are not generated');
    return p;
  });
  const [exe, ...rest] = viaCommand ? [...command, ...argv] : ['python3', programFile, ...argv];
  const result = spawnSync(exe ?? 'python3', rest, { encoding: 'utf8', env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
  if (result.error) throw result.error;
  const outputs: Record<string, string | undefined> = {};
  for (const [name, file] of outputPaths) outputs[name] = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  return { status: result.status, stderr: result.stderr, outputs };
}

function python(code: string, ...argv: string[]): string {
  const result = spawnSync('python3', ['-c', code, ...argv], { encoding: 'utf8', env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return result.stdout;
}

const input = (name: string, type: PyInput['type'], extra: Partial<PyInput> = {}): PyInput => ({ name, type, optional: false, ...extra });
const output = (name: string, type: PyOutput['type']): PyOutput => ({ name, type });

/** Line indices [start, end) of a top-level `def name(` block: the def and its indented or blank lines. */
function functionBlock(lines: string[], name: string): { start: number; end: number } {
  const start = lines.findIndex((line) => line.startsWith(`def ${name}(`));
  if (start < 0) throw new Error(`no def ${name}`);
  let end = start + 1;
  while (end < lines.length && (lines[end] === '' || /^\s/.test(lines[end] ?? ''))) end++;
  while (end > start + 1 && lines[end - 1] === '') end--; // blank lines after the block belong to no one
  return { start, end };
}

/** The program text before the user function, and from the first line after it. */
function splitAtFunction(program: string, name: string): { before: string; after: string } {
  const lines = program.split('\n');
  const { start, end } = functionBlock(lines, name);
  return { before: lines.slice(0, start).join('\n'), after: lines.slice(end).join('\n').replace(/^\n+/, '') };
}

function definitionText(program: string, name: string): string {
  const lines = program.split('\n');
  const { start, end } = functionBlock(lines, name);
  return lines.slice(start, end).join('\n');
}

// ---------------------------------------------------------------------------

describe('names and types', () => {
  it('maps the .kfp types to kfp type names', () => {
    expect(kfpTypeName('int')).toBe('Integer');
    expect(kfpTypeName('float')).toBe('Float');
    expect(kfpTypeName('str')).toBe('String');
    expect(kfpTypeName('bool')).toBe('Boolean');
    expect(kfpTypeName('list')).toBe('JsonArray');
    expect(kfpTypeName('dict')).toBe('JsonObject');
    expect(kfpTypeName('file')).toBeUndefined();
    expect(kfpTypeName('metrics')).toBe('Metrics');
    expect(kfpTypeName('ui_metadata')).toBe('UI_metadata');
  });

  it('derives display names exactly like kfp _python_function_name_to_component_name', () => {
    const names = ['types_demo', 'add', '_private__fn_', 'x__y', 'über_cool', 'a', 'train_model_v2'];
    // kfp's function, verbatim.
    const kfp = `
import json, re, sys
def _python_function_name_to_component_name(name):
    import re
    name_with_spaces = re.sub(' +', ' ', name.replace('_', ' ')).strip(' ')
    return name_with_spaces[0].upper() + name_with_spaces[1:]
print(json.dumps([_python_function_name_to_component_name(n) for n in json.loads(sys.argv[1])]))
`;
    const expected = JSON.parse(python(kfp, JSON.stringify(names))) as string[];
    expect(names.map(componentDisplayName)).toEqual(expected);
    expect(componentDisplayName('types_demo')).toBe('Types demo');
  });

  it('writes prog= and description= as Python repr() does', () => {
    const descriptions = [
      'plain',
      "it's",
      'say "hi"',
      `both ' and "`,
      'back\\slash\ttab\nnewline\rcr',
      '\x00\x1f\x7f\x80\x9f',
      '한국어 설명 — ünïcödé 😀',
      'nbsp\u00a0ideographic\u3000zero-width\u200bbidi\u202eline\u2028para\u2029',
      'private\ue000 unassigned\u0378 lone\ud800surrogate',
      '',
    ];
    const expected = JSON.parse(
      python('import json, sys\nprint(json.dumps([repr(s) for s in json.loads(sys.argv[1])]))', JSON.stringify(descriptions)),
    ) as string[];
    descriptions.forEach((description, i) => {
      const spec = buildPythonComponent(component({ functionName: 'my_fn', description, body: 'pass' }));
      const parserLine = programOf(spec)
        .split('\n')
        .find((line) => line.startsWith('_parser = '));
      expect(parserLine).toBe(`_parser = argparse.ArgumentParser(prog='My fn', description=${expected[i]})`);
      if (!description.includes('\ud800')) expect(run(spec).status).toBe(0); // the program is valid Python
    });
  });

  it('quotes packages with repr() in the pip prefix', () => {
    const spec = buildPythonComponent(
      component({ functionName: 'f', body: 'pass', packages: ['pandas==1.3.5', "we'ird", 'x @ git+https://h/r.git'] }),
    );
    const pip =
      `PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location ` +
      `'pandas==1.3.5' "we'ird" 'x @ git+https://h/r.git'`;
    expect(spec.implementation.container.command?.slice(0, 3)).toEqual(['sh', '-c', `(${pip} || ${pip} --user) && "$0" "$@"`]);
  });

  it('rejects components kfp or Python could not express', () => {
    const bad = (partial: Partial<PythonComponent>) => () => buildPythonComponent(component({ functionName: 'f', body: 'pass', ...partial }));
    expect(bad({ inputs: [input('a', 'int', { optional: true, defaultPython: '1' }), input('b', 'int')] })).toThrow(/follows an optional/);
    expect(bad({ outputs: [output('a', 'int'), output('b', 'int')], singleReturn: true })).toThrow(/exactly one returned output/);
    expect(bad({ inputs: [input('p', 'file', { optional: true, defaultPython: "'x'", defaultKfp: 'x' })] })).toThrow(/default to None/);
    expect(bad({ inputs: [input('x', 'int')], outputs: [output('x', 'file')] })).toThrow(/duplicate parameter 'x'/);
  });
});

describe('running the generated program with python3', () => {
  const add = component({
    functionName: 'add',
    inputs: [input('value_1', 'int'), input('value_2', 'int')],
    outputs: [output('Output', 'int')],
    singleReturn: true,
    body: 'return value_1 + value_2',
  });

  it('add(3, 2) writes 5', () => {
    const spec = buildPythonComponent(add);
    expect(spec.implementation.container.args).toEqual([
      { concat: ['--value-1=', { inputValue: 'value_1' }] },
      { concat: ['--value-2=', { inputValue: 'value_2' }] },
      '----output-paths',
      { outputPath: 'Output' },
    ]);
    const result = run(spec, { values: { value_1: '3', value_2: '2' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.outputs).toEqual({ Output: '5' });
  });

  it('runs through the container command (sh -ec wrapper) too', () => {
    const result = run(buildPythonComponent(add), { values: { value_1: '40', value_2: '2' } }, true);
    expect(result.status).toBe(0);
    expect(result.outputs).toEqual({ Output: '42' });
  });

  describe('every value type round-trips', () => {
    const types = ['int', 'float', 'str', 'bool', 'list', 'dict'] as const;
    const spec = buildPythonComponent(
      component({
        functionName: 'echo_all',
        inputs: types.map((t) => input(`in_${t}`, t)),
        outputs: types.map((t) => output(`out_${t}`, t)),
        body: `return (${types.map((t) => `in_${t}`).join(', ')})`,
      }),
    );
    const values = (overrides: Record<string, string> = {}) => ({
      values: {
        in_int: '7',
        in_float: '2.5',
        in_str: '안녕하세요, 세계! "quoted" \'single\'',
        in_bool: 'True',
        in_list: '[1, "x", {"b": 1, "a": 2}]',
        in_dict: '{"b": [1, 2], "a": 1}',
        ...overrides,
      },
    });

    it('serializes each output as kfp does', () => {
      const result = run(spec, values());
      expect(result.stderr).toBe('');
      expect(result.outputs).toEqual({
        out_int: '7',
        out_float: '2.5',
        out_str: '안녕하세요, 세계! "quoted" \'single\'',
        out_bool: 'True',
        out_list: '[1, "x", {"a": 2, "b": 1}]',
        out_dict: '{"a": 1, "b": [1, 2]}',
      });
    });

    it('keeps non-ASCII text inside JSON values (json.dumps escapes it)', () => {
      const result = run(spec, values({ in_dict: '{"이름": "값", "a": ["é"]}' }));
      expect(result.outputs.out_dict).toBe('{"a": ["\\u00e9"], "\\uc774\\ub984": "\\uac12"}');
      expect(JSON.parse(result.outputs.out_dict ?? '')).toEqual({ 이름: '값', a: ['é'] });
    });

    it.each([
      ['false', 'False'],
      ['yes', 'True'],
      ['0', 'False'],
      ['TRUE', 'True'],
      ['Off', 'False'],
      ['y', 'True'],
      ['t', 'True'],
      ['n', 'False'],
    ])('bool %s -> %s', (given, written) => {
      const result = run(spec, values({ in_bool: given }));
      expect(result.status).toBe(0);
      expect(result.outputs.out_bool).toBe(written);
    });

    it('rejects a bad bool string', () => {
      const result = run(spec, values({ in_bool: 'maybe' }));
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain("argument --in-bool: invalid _deserialize_bool value: 'maybe'");
      expect(result.outputs.out_bool).toBeUndefined();
    });

    it('does not depend on distutils (gone in Python 3.12)', () => {
      expect(programOf(spec)).not.toContain('distutils');
    });
  });

  it('_deserialize_bool accepts exactly what distutils strtobool accepts', (ctx) => {
    const hasDistutils = spawnSync('python3', ['-W', 'ignore', '-c', 'import distutils.util']).status === 0;
    // Python >= 3.12: nothing to compare with; the cases above still hold.
    if (!hasDistutils) ctx.skip('python3 has no distutils (removed in Python 3.12) to compare with');
    const ours = definitionText(programOf(buildPythonComponent(component({ functionName: 'f', inputs: [input('b', 'bool')], body: 'pass' }))), '_deserialize_bool');
    const candidates = ['y', 'Yes', 'T', 'true', 'ON', '1', 'n', 'NO', 'f', 'False', 'oFF', '0', '', ' true', 'true ', '2', 'maybe', 'yess', 'nope', '10', 'İ'];
    const compare = `
import json, sys, warnings
warnings.simplefilter('ignore')
from distutils.util import strtobool
exec(sys.argv[1])
def outcome(f, s):
    try:
        return repr(f(s))
    except ValueError as e:
        return 'ValueError: ' + str(e)
print(json.dumps([[outcome(lambda s: strtobool(s) == 1, s), outcome(_deserialize_bool, s)] for s in json.loads(sys.argv[2])]))
`;
    const pairs = JSON.parse(python(compare, ours, JSON.stringify(candidates))) as [string, string][];
    for (const [kfp, mine] of pairs) expect(mine).toBe(kfp);
  });

  describe('optional inputs', () => {
    const spec = buildPythonComponent(
      component({
        functionName: 'opts',
        inputs: [
          input('x', 'int', { optional: true, defaultPython: '5', defaultKfp: '5' }),
          input('s', 'str', { optional: true, defaultPython: 'None' }),
          input('name', 'str', { optional: true, defaultPython: "'abc'", defaultKfp: 'abc' }),
          input('flags', 'list', { optional: true, defaultPython: '[1, 2]', defaultKfp: '[1, 2]' }),
        ],
        outputs: [output('Output', 'str')],
        singleReturn: true,
        body: "return '%r|%r|%r|%r' % (x, s, name, flags)",
      }),
    );

    it('declares them optional with their kfp defaults', () => {
      expect(spec.inputs).toEqual([
        { name: 'x', type: 'Integer', default: '5', optional: true },
        { name: 's', type: 'String', optional: true },
        { name: 'name', type: 'String', default: 'abc', optional: true },
        { name: 'flags', type: 'JsonArray', default: '[1, 2]', optional: true },
      ]);
      expect(spec.implementation.container.args?.[0]).toEqual({ if: { cond: { isPresent: 'x' }, then: [{ concat: ['--x=', { inputValue: 'x' }] }] } });
    });

    it('uses the Python defaults when omitted', () => {
      const result = run(spec);
      expect(result.stderr).toBe('');
      expect(result.outputs).toEqual({ Output: "5|None|'abc'|[1, 2]" });
    });

    it('uses the given values when present', () => {
      const result = run(spec, { values: { x: '7', s: 'hi', name: 'z', flags: '[]' } });
      expect(result.outputs).toEqual({ Output: "7|'hi'|'z'|[]" });
    });
  });

  describe('file inputs and outputs', () => {
    const spec = buildPythonComponent(
      component({
        functionName: 'shout',
        inputs: [input('text', 'file'), input('times', 'int'), input('extra', 'file', { optional: true, defaultPython: 'None' })],
        outputs: [output('count', 'int'), output('loud', 'file')],
        body: [
          'with open(text, encoding="utf-8") as f:',
          '    data = f.read()',
          'if extra is not None:',
          '    with open(extra, encoding="utf-8") as f:',
          '        data += f.read()',
          '',
          'with open(loud, "w", encoding="utf-8") as f:',
          '    f.write(data.upper() * times)',
          'return (len(data),)',
        ].join('\n'),
      }),
    );

    it('passes paths with inputPath/outputPath and returned outputs through ----output-paths', () => {
      expect(spec.inputs).toEqual([{ name: 'text' }, { name: 'times', type: 'Integer' }, { name: 'extra', optional: true }]);
      // kfp order: OutputPath parameters first, then returned outputs.
      expect(spec.outputs).toEqual([{ name: 'loud' }, { name: 'count', type: 'Integer' }]);
      expect(spec.implementation.container.args).toEqual([
        { concat: ['--text=', { inputPath: 'text' }] },
        { concat: ['--times=', { inputValue: 'times' }] },
        { if: { cond: { isPresent: 'extra' }, then: [{ concat: ['--extra=', { inputPath: 'extra' }] }] } },
        { concat: ['--loud=', { outputPath: 'loud' }] },
        '----output-paths',
        { outputPath: 'count' },
      ]);
    });

    it('reads the input file and writes the output file', () => {
      const result = run(spec, { values: { times: '2' }, files: { text: 'héllo ' } });
      expect(result.stderr).toBe('');
      expect(result.outputs).toEqual({ loud: 'HÉLLO HÉLLO ', count: '6' });
    });

    it('reads an optional file input when given', () => {
      const result = run(spec, { values: { times: '1' }, files: { text: 'a', extra: 'b' } });
      expect(result.outputs).toEqual({ loud: 'AB', count: '2' });
    });
  });

  describe('metrics and UI metadata', () => {
    const spec = buildPythonComponent(
      component({
        functionName: 'evaluate',
        inputs: [input('m', 'dict'), input('ui', 'dict')],
        outputs: [output('mlpipeline_metrics', 'metrics'), output('mlpipeline_ui_metadata', 'ui_metadata')],
        body: 'return (m, ui)',
      }),
    );
    const ui = '{"version": 1, "outputs": [{"type": "markdown", "storage": "inline", "source": "# hi"}]}';
    const runWith = (metrics: string) => run(spec, { values: { m: metrics, ui } });

    it('declares Metrics and UI_metadata outputs', () => {
      expect(spec.outputs).toEqual([
        { name: 'mlpipeline_metrics', type: 'Metrics' },
        { name: 'mlpipeline_ui_metadata', type: 'UI_metadata' },
      ]);
    });

    it('converts the short form to the kfp form, with sorted keys', () => {
      const result = runWith('{"auroc": 0.8, "f1": {"value": 0.9, "format": "PERCENTAGE"}}');
      expect(result.stderr).toBe('');
      expect(result.outputs.mlpipeline_metrics).toBe(
        '{"metrics": [{"format": "RAW", "name": "auroc", "numberValue": 0.8}, {"format": "PERCENTAGE", "name": "f1", "numberValue": 0.9}]}',
      );
      expect(result.outputs.mlpipeline_ui_metadata).toBe(
        '{"outputs": [{"source": "# hi", "storage": "inline", "type": "markdown"}], "version": 1}',
      );
    });

    it('accepts the kfp form (format defaults to RAW)', () => {
      const result = runWith('{"metrics": [{"numberValue": 3, "name": "n-items"}, {"name": "acc", "numberValue": 0.5, "format": "PERCENTAGE"}]}');
      expect(result.outputs.mlpipeline_metrics).toBe(
        '{"metrics": [{"format": "RAW", "name": "n-items", "numberValue": 3}, {"format": "PERCENTAGE", "name": "acc", "numberValue": 0.5}]}',
      );
    });

    it.each([
      ['{"1bad": 0.5}', "Invalid metric name '1bad'"],
      ['{"bad-": 0.5}', "Invalid metric name 'bad-'"],
      [`{"${'a'.repeat(65)}": 0.5}`, 'Invalid metric name'],
      ['{"auroc": "0.8"}', "Invalid value '0.8' for metric 'auroc'"],
      ['{"auroc": true}', "Invalid value True for metric 'auroc'"],
      ['{"auroc": NaN}', "Invalid value nan for metric 'auroc'"],
      ['{"f1": {"value": 0.9, "format": "percent"}}', "Invalid format 'percent' for metric 'f1'"],
      ['{"f1": {"val": 0.9}}', "Invalid metric 'f1'"],
      ['{"metrics": [{"name": "x"}]}', 'Invalid metrics entry'],
    ])('rejects %s', (metrics, message) => {
      const result = runWith(metrics);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`ValueError: ${message}`);
      // kfp's output loop opens the file before serializing, so at most an empty file is left.
      expect(result.outputs.mlpipeline_metrics ?? '').toBe('');
    });

    it('accepts the longest valid name', () => {
      const name = 'a'.repeat(64);
      expect(runWith(`{"${name}": 1}`).outputs.mlpipeline_metrics).toBe(`{"metrics": [{"format": "RAW", "name": "${name}", "numberValue": 1}]}`);
    });
  });

  it('keeps the body text, blank lines and non-ASCII intact', () => {
    const body = '# 주석\nresult = []\n\nfor c in "héllo":\n    result.append(c)\n\nreturn "".join(result)\n';
    const spec = buildPythonComponent(component({ functionName: 'keep', outputs: [output('Output', 'str')], singleReturn: true, body }));
    expect(programOf(spec)).toContain('def keep():\n    # 주석\n    result = []\n\n    for c in "héllo":\n        result.append(c)\n\n    return "".join(result)\n');
    expect(run(spec).outputs).toEqual({ Output: 'héllo' });
  });
});

// ---------------------------------------------------------------------------
// Byte comparison against kfp 1.8.22's own create_component_from_func output.

const anchorDir = join(sharedDir, 'anchors/kfp-v1/probes');

describe.skipIf(shared.missing)(shared.title('matches kfp 1.8.22 output (anchors)'), () => {
  const loadAnchor = (name: string) => YAML.parse(readFileSync(join(anchorDir, `generated_${name}.component.yaml`), 'utf8')) as ComponentSpec;

  const KFP_DESERIALIZE_BOOL = 'def _deserialize_bool(s) -> bool:\n    from distutils.util import strtobool\n    return strtobool(s) == 1';

  /** Asserts everything except the user function block is identical, bar our distutils-free _deserialize_bool. */
  function expectSameAsKfp(ours: ComponentSpec, kfp: ComponentSpec, functionName: string): void {
    const json = (v: unknown) => JSON.stringify(v); // key order matters for the emitted YAML
    expect(Object.keys(ours)).toEqual(Object.keys(kfp));
    expect(ours.name).toBe(kfp.name);
    expect(ours.description).toBe(kfp.description);
    expect(json(ours.inputs)).toBe(json(kfp.inputs));
    expect(json(ours.outputs)).toBe(json(kfp.outputs));
    expect(ours.implementation.container.image).toBe(kfp.implementation.container.image);
    expect(json(ours.implementation.container.args)).toBe(json(joinedFlags(kfp.implementation.container.args ?? [])));
    expect(ours.implementation.container.command?.slice(0, -1)).toEqual(kfp.implementation.container.command?.slice(0, -1));

    const ourProgram = programOf(ours);
    let kfpProgram = programOf(kfp);
    if (kfpProgram.includes('_deserialize_bool')) {
      expect(kfpProgram).toContain(KFP_DESERIALIZE_BOOL + '\n\n');
      kfpProgram = kfpProgram.replace(KFP_DESERIALIZE_BOOL, definitionText(ourProgram, '_deserialize_bool'));
    }
    const ourParts = splitAtFunction(ourProgram, functionName);
    const kfpParts = splitAtFunction(kfpProgram, functionName);
    expect(ourParts.before).toBe(kfpParts.before);
    expect(ourParts.after).toBe(kfpParts.after);
    expect(ourProgram.endsWith('\n') && !ourProgram.endsWith('\n\n')).toBe(true);
  }

  /**
   * kfp's args with each `--flag`, value pair made one `{concat: [--flag=, value]}` element:
   * kfpdsl's one deliberate difference in the command line (values that start with `-`).
   */
  function joinedFlags(args: readonly Placeholder[]): Placeholder[] {
    const out: Placeholder[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const next = args[i + 1];
      if (typeof arg === 'string' && arg.startsWith('--') && arg !== '----output-paths' && next !== undefined && typeof next !== 'string') {
        out.push({ concat: [`${arg}=`, next] });
        i++;
      } else if (typeof arg === 'object' && 'if' in arg && Array.isArray(arg.if.then)) {
        out.push({ if: { ...arg.if, then: joinedFlags(arg.if.then) } });
      } else out.push(arg);
    }
    return out;
  }

  /** kfp types an unannotated parameter as nothing; the nearest .kfp type is str (same `type=str` in argparse). */
  function typedAsString(spec: ComponentSpec, names: string[]): ComponentSpec {
    const inputs = spec.inputs?.map(({ name, ...rest }) => (names.includes(name) ? { name, type: 'String', ...rest } : { name, ...rest }));
    return { ...spec, inputs };
  }

  it('add', () => {
    const ours = buildPythonComponent(
      component({
        functionName: 'add',
        description: 'Returns sum of two arguments',
        inputs: [input('a', 'float'), input('b', 'float')],
        outputs: [output('Output', 'float')],
        singleReturn: true,
        body: 'return a + b',
      }),
    );
    expectSameAsKfp(ours, loadAnchor('add'), 'add');
  });

  it('types_demo (untyped input expressed as str)', () => {
    const ours = buildPythonComponent(
      component({
        functionName: 'types_demo',
        description: 'Exercises every primitive type.',
        inputs: [
          input('i', 'int', { description: 'An integer.' }),
          input('f', 'float'),
          input('s', 'str', { description: 'A string.' }),
          input('b', 'bool'),
          input('l', 'list'),
          input('d', 'dict'),
          input('opt_i', 'int', { optional: true, defaultPython: '5', defaultKfp: '5' }),
          input('opt_s', 'str', { optional: true, defaultPython: 'None' }),
          input('opt_b', 'bool', { optional: true, defaultPython: 'False', defaultKfp: 'False' }),
          input('opt_l', 'list', { optional: true, defaultPython: 'None' }),
          input('untyped', 'str', { optional: true, defaultPython: 'None' }),
        ],
        outputs: [
          output('sum', 'int'),
          output('text', 'str'),
          output('flag', 'bool'),
          output('items', 'list'),
          output('mapping', 'dict'),
          output('ratio', 'float'),
        ],
        body: 'return (i + 1, s, b, l, d, f)',
      }),
    );
    expectSameAsKfp(ours, typedAsString(loadAnchor('types_demo'), ['untyped']), 'types_demo');
  });

  it('no_outputs (untyped input expressed as str)', () => {
    const ours = buildPythonComponent(component({ functionName: 'no_outputs', inputs: [input('msg', 'str')], body: 'print(msg)' }));
    expectSameAsKfp(ours, typedAsString(loadAnchor('no_outputs'), ['msg']), 'no_outputs');
  });

  it('with_packages', () => {
    const ours = buildPythonComponent(
      component({
        functionName: 'with_packages',
        inputs: [input('x', 'str')],
        outputs: [output('Output', 'str')],
        singleReturn: true,
        body: 'import pandas\nreturn x',
        packages: ['pandas==1.3.5', 'numpy'],
      }),
    );
    expectSameAsKfp(ours, loadAnchor('with_packages'), 'with_packages');
  });

  it('file_io (the expressible part: InputPath(), OutputPath(), optional inputs)', () => {
    // The anchor also uses typed paths (InputPath(str), 'Model', 'CSV'), file streams and
    // _path/_file suffix stripping, which .kfp has no syntax for; compare what overlaps.
    const kfp = loadAnchor('file_io');
    const ours = buildPythonComponent(
      component({
        functionName: 'file_io',
        inputs: [
          input('input_text', 'file'),
          input('number', 'int', { optional: true, defaultPython: '3', defaultKfp: '3' }),
          input('optional_input', 'file', { optional: true, defaultPython: 'None' }),
        ],
        outputs: [output('output_text', 'file')],
        body: 'pass',
        image: 'python:3.9',
      }),
    );
    const names = new Set(['input_text', 'number', 'optional_input', 'output_text']);
    const kfpArgs = kfp.implementation.container.args ?? [];
    const expectedArgs = kfpArgs.filter((arg, i) => {
      const placeholder = typeof arg === 'string' ? kfpArgs[i + 1] : arg; // a flag goes with the placeholder after it
      const name = JSON.stringify(placeholder).match(/"(?:inputPath|inputValue|outputPath|isPresent)":"([^"]+)"/)?.[1];
      return name !== undefined && names.has(name);
    });
    expect(JSON.stringify(ours.implementation.container.args)).toBe(JSON.stringify(joinedFlags(expectedArgs)));
    expect(ours.inputs?.[1]).toEqual(kfp.inputs?.find((i) => i.name === 'number'));
    expect(ours.implementation.container.command?.slice(0, -1)).toEqual(kfp.implementation.container.command?.slice(0, -1));

    const ourProgram = programOf(ours);
    const kfpProgram = programOf(kfp);
    // The OutputPath helper comes first, byte for byte, followed by one blank line.
    const helper = definitionText(kfpProgram, '_make_parent_dirs_and_return_path');
    expect(ourProgram.startsWith(helper + '\n\ndef file_io(')).toBe(true);
    const argparseLine = (program: string, flag: string) => program.split('\n').find((line) => line.startsWith(`_parser.add_argument("${flag}"`));
    expect(argparseLine(ourProgram, '--number')).toBe(argparseLine(kfpProgram, '--number'));
    // kfp's dest keeps the `_path` suffix it strips from the name; ours has none.
    expect(argparseLine(ourProgram, '--output-text')).toBe(argparseLine(kfpProgram, '--output-text')?.replace('output_text_path', 'output_text'));
    expect(argparseLine(ourProgram, '--input-text')).toBe(argparseLine(kfpProgram, '--input-text')?.replace('input_text_path', 'input_text'));
    expect(splitAtFunction(ourProgram, 'file_io').after).toBe(
      [
        'import argparse',
        "_parser = argparse.ArgumentParser(prog='File io', description='')",
        argparseLine(ourProgram, '--input-text'),
        argparseLine(ourProgram, '--number'),
        argparseLine(ourProgram, '--optional-input'),
        argparseLine(ourProgram, '--output-text'),
        '_parsed_args = vars(_parser.parse_args())',
        '',
        '_outputs = file_io(**_parsed_args)',
        '',
      ].join('\n'),
    );
    // The generated signature is valid Python despite an optional input before an output parameter.
    expect(run(ours, { files: { input_text: 'x' } }).status).toBe(0);
  });
});
