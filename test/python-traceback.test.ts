/**
 * Tracebacks from user code name the .kfp file and line, with the line as written there
 * (issue 9, item 3). The generated program runs with the real python3, through its `sh -ec`
 * wrapper as on a cluster, in a directory where the .kfp file does not exist (the program is
 * self-contained), and under `kfpdsl run`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import type { ComponentSpec, Placeholder } from '../src/lower/component-spec.js';
import { buildPythonComponent, type PythonComponent } from '../src/lower/python-component.js';
import { SourceFile } from '../src/source.js';
import { ensureBundle, repoRoot } from './support/cli.js';
import { runIds } from './support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'kfpdsl-traceback-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let runs = 0;

const DIVIDE_KFP = [
  '# divides two numbers', //                              1
  'component divide(a: int, b: int) -> float {', //        2
  '  """Divides a by b."""', //                            3
  '  ```python', //                                        4
  '  import math', //                                      5
  '  # 한글 주석', //                                       6
  '  ratio = a / b  # fails when b is 0', //               7
  '  return math.floor(ratio * 100) / 100', //            8
  '  ```', //                                              9
  '}',
  '',
  'pipeline "divide" (a: int = 1, b: int = 0) {',
  '  divide(a, b)',
  '}',
  '',
].join('\n');

/** Runs a component's container command (the `sh -ec` wrapper) with --name=value arguments, in `cwd`. */
function runCommand(spec: ComponentSpec, values: Record<string, string>, cwd: string): { status: number | null; stdout: string; stderr: string; outputs: Record<string, string> } {
  const dir = join(work, `run-${++runs}`);
  mkdirSync(dir, { recursive: true });
  const outputFiles = new Map<string, string>();
  const resolve = (p: Placeholder): string[] => {
    if (typeof p === 'string') return [p];
    if ('inputValue' in p) return [values[p.inputValue]!];
    if ('outputPath' in p) {
      outputFiles.set(p.outputPath, join(dir, 'outputs', p.outputPath, 'data'));
      return [outputFiles.get(p.outputPath)!];
    }
    if ('concat' in p) return [p.concat.flatMap(resolve).join('')];
    if ('if' in p && typeof p.if.cond === 'object' && 'isPresent' in p.if.cond) {
      const branch = values[p.if.cond.isPresent] !== undefined ? p.if.then : p.if.else;
      return branch === undefined ? [] : (Array.isArray(branch) ? branch : [branch]).flatMap(resolve);
    }
    throw new Error(`unexpected placeholder ${JSON.stringify(p)}`);
  };
  const c = spec.implementation.container;
  const argv = [...(c.command ?? []), ...(c.args ?? [])].flatMap(resolve);
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: 'utf8', env: { ...process.env, TMPDIR: dir, PYTHONIOENCODING: 'utf-8' } });
  if (r.error) throw r.error;
  const outputs: Record<string, string> = {};
  for (const [name, file] of outputFiles) if (existsSync(file)) outputs[name] = readFileSync(file, 'utf8');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs };
}

/** The program's traceback frame for the .kfp file: `File "<path>", line N, in <fn>` and the next line. */
function kfpFrame(stderr: string, path: string): { line: number; fn: string; text: string } | undefined {
  const lines = stderr.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`  File "${path}", line `));
  if (i < 0) return undefined;
  const m = /line (\d+), in (\S+)$/.exec(lines[i]!)!;
  return { line: Number(m[1]), fn: m[2]!, text: (lines[i + 1] ?? '').trim() };
}

describe('a traceback from user code points at the .kfp file', () => {
  const sourcePath = join(work, 'project', 'pipelines', 'divide.kfp');
  mkdirSync(join(work, 'project', 'pipelines'), { recursive: true });
  writeFileSync(join(work, 'project', 'kfpdsl.yaml'), ''); // marks the project root
  writeFileSync(sourcePath, DIVIDE_KFP);
  const elsewhere = join(work, 'elsewhere');
  mkdirSync(elsewhere, { recursive: true });

  const compiled = (path: string): ComponentSpec => {
    const r = compileSource(new SourceFile(path, DIVIDE_KFP));
    expect(r.diagnostics).toEqual([]);
    return YAML.parse(r.files.find((f) => f.path === 'components/divide.yaml')!.text) as ComponentSpec;
  };

  it('names the file by its path in the project, however the compiler was given it', () => {
    const program = String(compiled(sourcePath).implementation.container.command!.at(-1));
    expect(program).toContain("_kfpdsl_define('pipelines/divide.kfp', 4, (");
    const fromRelative = compiled(relative(process.cwd(), sourcePath));
    expect(fromRelative).toEqual(compiled(sourcePath));
    expect(compiled(`${join(work, 'project')}/./pipelines/../pipelines/divide.kfp`)).toEqual(compiled(sourcePath));
  });

  it('on a cluster: the task log shows the .kfp line and its original text', () => {
    const r = runCommand(compiled(sourcePath), { a: '1', b: '0' }, elsewhere);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ZeroDivisionError: division by zero\n$/);
    expect(kfpFrame(r.stderr, 'pipelines/divide.kfp')).toEqual({ line: 7, fn: 'divide', text: 'ratio = a / b  # fails when b is 0' });
    // Python 3.11+ underlines the failing expression; the carets line up with the text shown.
    const lines = r.stderr.split('\n');
    const at = lines.findIndex((l) => l.trim() === 'ratio = a / b  # fails when b is 0');
    if (/^\s*~*\^+~*\s*$/.test(lines[at + 1] ?? '')) expect(lines[at + 1]!.indexOf('~')).toBe(lines[at]!.indexOf('a / b'));
  });

  it('without an error, the program behaves as before: same output, nothing on stderr', () => {
    const r = runCommand(compiled(sourcePath), { a: '22', b: '7' }, elsewhere);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.outputs).toEqual({ Output: '3.14' });
  });

  it('under `kfpdsl run`: the task log names the .kfp line', () => {
    ensureBundle();
    const runDir = join(work, 'runs');
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kfpdsl.mjs'), 'run', sourcePath, '--run-dir', runDir], { cwd: elsewhere, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).not.toBe(0);
    const [runId] = runIds(runDir);
    const json = JSON.parse(readFileSync(join(runDir, runId!, 'run.json'), 'utf8')) as { tasks: { name: string; log: string }[] };
    const log = readFileSync(json.tasks.find((t) => t.name === 'divide')!.log, 'utf8');
    expect(kfpFrame(log, 'pipelines/divide.kfp')).toEqual({ line: 7, fn: 'divide', text: 'ratio = a / b  # fails when b is 0' });
  }, 120_000);
});

describe('the located program against kfp\'s plain one (python3)', () => {
  const base: PythonComponent = {
    functionName: 'work',
    inputs: [
      { name: 'text', type: 'str', optional: false },
      { name: 'n', type: 'int', optional: true, defaultPython: '2', defaultKfp: '2' },
    ],
    outputs: [
      { name: 'out', type: 'file' },
      { name: 'count', type: 'int' },
    ],
    singleReturn: true,
    image: 'python:3.11',
    packages: [],
    body: [
      'import sys', //                                     .kfp line 20
      'def helper(s):',
      '    if s == "boom":',
      '        raise ValueError("inner " + s)', //          23
      '    return [s] * n',
      'items = helper(text)', //                            25
      'print("items:", items)',
      'print("to stderr", file=sys.stderr)',
      'with open(out, "w") as f:',
      '    f.write("\\n".join(items))',
      'return len(items)',
    ].join('\n'),
  };
  const plain = buildPythonComponent(base);
  const located = buildPythonComponent({ ...base, origin: { path: 'dir/work.kfp', bodyLine: 20 } });

  it('prints, writes and returns exactly the same', () => {
    const cases: Record<string, string>[] = [{ text: 'x' }, { text: '-x', n: '3' }, { text: 'hé 한' }];
    for (const values of cases) {
      const a = runCommand(plain, values, work);
      const b = runCommand(located, values, work);
      expect(b).toEqual(a);
      expect(b.status).toBe(0);
    }
  });

  it('differs on failure only in where the frames point', () => {
    const a = runCommand(plain, { text: 'boom' }, work);
    const b = runCommand(located, { text: 'boom' }, work);
    expect(b.status).toBe(a.status);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr.split('\n').at(-2)).toBe('ValueError: inner boom');
    expect(a.stderr.split('\n').at(-2)).toBe('ValueError: inner boom');
    // Body line k (0-based) is .kfp line 20 + k.
    expect(kfpFrame(b.stderr, 'dir/work.kfp')).toEqual({ line: 25, fn: 'work', text: 'items = helper(text)' });
    expect(b.stderr).toContain('  File "dir/work.kfp", line 23, in helper\n    raise ValueError("inner " + s)\n');
    // kfp's plain program names its own temporary file for both frames.
    expect(a.stderr).not.toContain('work.kfp');
  });

  it('a SyntaxError (Python older than the code) names the .kfp line too', () => {
    // `type X = …` is Python 3.12 syntax; on an older python3 compile() fails at that line.
    const newer = buildPythonComponent({ ...base, outputs: [], singleReturn: false, body: 'type Pair = tuple\nprint("ok")', origin: { path: 'dir/new.kfp', bodyLine: 5 } });
    const r = runCommand(newer, { text: 'x' }, work);
    const version = spawnSync('python3', ['-c', 'import sys; print(sys.version_info >= (3, 12))'], { encoding: 'utf8' }).stdout.trim();
    if (version === 'True') expect(r.stdout).toBe('ok\n');
    else {
      expect(r.stderr).toContain('  File "dir/new.kfp", line 5\n    type Pair = tuple\n');
      expect(r.stderr).toMatch(/SyntaxError: invalid syntax\n$/);
    }
  });
});
