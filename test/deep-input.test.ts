/**
 * Input nested or chained far past anything real (issue 17, item 5: no input crashes the stack,
 * bad input costs linear time, output stays bounded): a Python fence 10,000 brackets or 100
 * blocks deep, pipelines calling each other 10,000 levels deep or in a cycle of 10,000, and
 * pipelines that each call the next twice (2^64 copies for KFP v2). Each ends in a located
 * diagnostic with a stable code, never KFP9001. Python's own limits are checked against python3.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_IMPORT_DEPTH } from '../src/check/check-module.js';
import { MAX_CALL_DEPTH } from '../src/check/pipeline-calls.js';
import { wrapBody } from '../src/check/python/fence.js';
import { PYTHON_MAX_BRACKETS, PYTHON_MAX_INDENT } from '../src/check/python/pyright.js';
import { kfpV2Backend } from '../src/backends/kfp-v2/index.js';
import { compileSource } from '../src/compile.js';
import { renderAll } from '../src/diagnostics/render.js';
import { SourceFile } from '../src/source.js';
import { runCli } from './support/cli.js';
import { LspClient } from './support/lsp-client.js';

const ADD = 'component add(a: int, b: int) -> int {\n  ```python\n  return a + b\n  ```\n}\n';
const range = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('');

interface Found {
  code: string;
  message: string;
  at: string;
  related: number;
}

function check(text: string, target?: 'kfp-v2'): Found[] {
  const file = new SourceFile('deep.kfp', text);
  const r = compileSource(file, target ? { backend: kfpV2Backend, checkOnly: true } : { checkOnly: true });
  return r.diagnostics.map((d) => {
    const p = d.span ? file.positionAt(d.span.start) : { line: 0, column: 0 };
    return { code: d.code, message: d.message, at: `${p.line}:${p.column}`, related: d.related?.length ?? 0 };
  });
}

function fence(body: string): string {
  return `component f() {\n  \`\`\`python\n${body.replace(/^/gm, '  ')}\n  \`\`\`\n}\npipeline "p" () {\n  f()\n}\n`;
}

/** What python3 says of the program kfpdsl makes of `body`: 'ok' or its last line of error. */
function python(body: string): string {
  const r = spawnSync('python3', ['-c', 'import sys; compile(sys.stdin.read(), "f", "exec")'], { input: wrapBody(body), encoding: 'utf8' });
  return r.status === 0 ? 'ok' : r.stderr.trim().split('\n').at(-1)!;
}

describe('a Python fence nested past what Python accepts', () => {
  const parens = (n: number): string => `x = ${'('.repeat(n)}1${')'.repeat(n)}\nprint(x)`;
  const mixed = (n: number): string => `x = ${'([{'.repeat(n / 3)}${'}])'.repeat(n / 3)}\nprint(x)`;
  const blocks = (n: number): string => range(n, (i) => `${' '.repeat(i)}if x:\n`) + `${' '.repeat(n)}pass\nx = 1`;

  it('10,000 parentheses: KFP6001 at the 201st, as Python says it (it used to overflow the stack: KFP9001)', () => {
    expect(check(fence(parens(10_000)))).toEqual([{ code: 'KFP6001', message: 'Python syntax error: too many nested parentheses', at: `3:${7 + PYTHON_MAX_BRACKETS}`, related: 0 }]);
    expect(check(fence(mixed(9_999))).map((d) => d.message)).toEqual(['Python syntax error: too many nested parentheses']);
  });

  it('the limits are exactly Python\'s: 200 brackets and 100 levels of indentation', () => {
    for (const [body, refused] of [
      [parens(PYTHON_MAX_BRACKETS), false],
      [parens(PYTHON_MAX_BRACKETS + 1), true],
      [mixed(198), false],
      [mixed(201), true],
      [blocks(PYTHON_MAX_INDENT - 2), false],
      [blocks(PYTHON_MAX_INDENT - 1), true],
    ] as const) {
      const ours = check(fence(body)).filter((d) => d.code === 'KFP6001');
      expect(ours.length > 0, body.slice(0, 40)).toBe(refused);
      expect(python(body) !== 'ok', body.slice(0, 40)).toBe(refused);
    }
  });

  it('2,000 levels of blocks: too many levels of indentation, at the first line past the limit (the function body is the first level)', () => {
    const found = check(fence(blocks(2_000)));
    // Where python3 reports it: line 101 of the program (the `def` is line 1), body line 100: .kfp line 102, after 2 + 99 spaces.
    expect(found).toEqual([{ code: 'KFP6001', message: 'Python syntax error: too many levels of indentation', at: '102:102', related: 0 }]);
  });

  it.each([
    ['lambda', `x = ${'lambda: '.repeat(10_000)}1`],
    ['not', `x = ${'not '.repeat(100_000)}1`],
    ['unary minus', `x = ${'-'.repeat(100_000)}1`],
    ['conditional expressions', `x = ${'a if b else '.repeat(50_000)}c`],
    ['powers', `x = 2${' ** 2'.repeat(100_000)}`],
  ])('%s nested 10,000+ deep without brackets: one KFP6001 on its line, no crash', (_, body) => {
    const found = check(fence(`y = 1\n${body}\nprint(x, y)`));
    expect(found.map((d) => `${d.code} ${d.at}`)).toEqual(['KFP6001 4:3']);
  });
});

describe('pipelines that call pipelines, 10,000 deep', () => {
  const chain = (n: number): string => ADD + range(n, (i) => `pipeline p${i} "p${i}" () {\n  ${i + 1 < n ? `p${i + 1}()` : 'add(1, 2)'}\n}\n`);

  it('a chain of 10,000: one KFP1102 at the call into level 65 (it used to overflow the stack: KFP9001)', () => {
    const found = check(chain(10_000));
    // Pipeline i's call is on line 7 + 3i.
    expect(found).toEqual([{ code: 'KFP1102', message: `pipelines call each other 10000 levels deep; at most ${MAX_CALL_DEPTH} are accepted`, at: `${7 + 3 * (MAX_CALL_DEPTH - 1)}:3`, related: 1 }]);
  });

  it(`a chain of ${MAX_CALL_DEPTH} is accepted, and one more is not`, () => {
    expect(check(chain(MAX_CALL_DEPTH))).toEqual([]);
    expect(check(chain(MAX_CALL_DEPTH + 1)).map((d) => d.code)).toEqual(['KFP1102']);
  });

  it('a recursion counts as one level: a pipeline calling itself under an `if` in a chain of 60', () => {
    const text = chain(60).replace('pipeline p30 "p30" () {\n  p31()', 'pipeline p30 "p30" (n: int = 1) {\n  p31()\n  if n < 3 { p30(n) }');
    expect(check(text)).toEqual([]);
  });

  it('a cycle of 10,000 pipelines with no condition: one KFP3030, its message and notes bounded', () => {
    const text = ADD + range(10_000, (i) => `pipeline p${i} "p${i}" () {\n  p${(i + 1) % 10_000}()\n}\n`);
    const found = check(text);
    expect(found.map((d) => `${d.code} ${d.at}`)).toEqual(['KFP3030 7:3']);
    expect(found[0]!.message).toMatch(/^pipelines call each other with no condition: `p0` → `p1` → .* … 9,991 more … → `p0`$/);
    expect(found[0]!.related).toBeLessThan(10);
  });

  it('each pipeline calling the next one twice, 64 deep: the KFP v2 copies are refused past a cap (a 2 KB file hung the build)', () => {
    const text = ADD + range(64, (i) => `pipeline p${i} "p${i}" () {\n  ${i + 1 < 64 ? `p${i + 1}()\n  p${i + 1}()` : 'add(1, 2)'}\n}\n`);
    const found = check(text, 'kfp-v2');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((d) => d.code === 'KFP5002' && /would make [\d,]+ components \(at most 5,000\)/.test(d.message))).toBe(true);
    // Argo's targets have one template per called pipeline: nothing to refuse.
    expect(check(text)).toEqual([]);
  });

  it('ten levels of two calls each (1,024 copies) still build for KFP v2', () => {
    const text = ADD + range(10, (i) => `pipeline p${i} "p${i}" () {\n  ${i + 1 < 10 ? `p${i + 1}()\n  p${i + 1}()` : 'add(1, 2)'}\n}\n`);
    const r = compileSource(new SourceFile('deep.kfp', text), { backend: kfpV2Backend });
    expect(r.diagnostics).toEqual([]);
    expect(r.files.length).toBeGreaterThan(0);
  });
});

describe('wide and long inputs that were quadratic', () => {
  it('a pipeline of 100,000 parameters: 100,000 KFP3102 (each parameter was looked up in the list: over a minute)', () => {
    const text = ADD + `pipeline "p" (${range(100_000, (i) => `${i ? ', ' : ''}p${i}: int = 1`)}) {\n  add(1, 2)\n}\n`;
    const found = check(text);
    expect(found.filter((d) => d.code === 'KFP3102')).toHaveLength(100_000);
  });

  it('10,000 loops side by side are lowered (each loop\'s node was searched for among its siblings)', () => {
    const text = ADD + `pipeline "p" () {\n${range(10_000, (i) => `  for i${i} in [1, 2] { add(i${i}, 1) }\n`)}}\n`;
    const r = compileSource(new SourceFile('deep.kfp', text));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['KFP5002']);
  });

  it('one task after 100,000 others (each name was searched for in the list so far)', () => {
    const text = 'component t() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n' + `pipeline "p" () {\n${range(100_000, (i) => `  t${i} = t()\n`)}  t() after ${range(100_000, (i) => `${i ? ', ' : ''}t${i}`)}\n}\n`;
    expect(check(text).map((d) => d.code)).toEqual(['KFP5002']);
  });

  it('a dependency cycle of 10,000 tasks: one KFP3004 of bounded length (it printed 99 KB)', () => {
    const text = 'component t() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n' + `pipeline "p" () {\n${range(10_000, (i) => `  t${i} = t() after t${(i + 1) % 10_000}\n`)}}\n`;
    const found = check(text);
    expect(found.map((d) => d.code)).toEqual(['KFP3004']);
    expect(found[0]!.message).toMatch(/^tasks depend on each other in a cycle: t0 → t1 → .* → … 9,991 more … → t0$/);
  });
});

describe('modules importing modules', () => {
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-deep-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }
  const component = (i: number): string => `component c${i}() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n`;
  const main = 'import "m0.kfp"\npipeline "p" () {\n  c0()\n}\n';

  function checkFile(path: string): Found[] {
    const file = new SourceFile(path, readFileSync(path, 'utf8'));
    return compileSource(file, { checkOnly: true }).diagnostics.map((d) => {
      const p = d.file && d.span ? d.file.positionAt(d.span.start) : { line: 0, column: 0 };
      return { code: d.code, message: d.message, at: `${d.file ? basename(d.file.path) : ''}:${p.line}:${p.column}`, related: d.related?.length ?? 0 };
    });
  }

  it(`a chain of 10,000 modules: KFP1102 at the import into level ${MAX_IMPORT_DEPTH + 1} (it overflowed the stack: KFP9001)`, () => {
    const files: Record<string, string> = { 'main.kfp': main };
    for (let i = 0; i < 10_000; i++) files[`m${i}.kfp`] = (i + 1 < 10_000 ? `import "m${i + 1}.kfp"\n` : '') + component(i);
    const dir = project(files);
    expect(checkFile(join(dir, 'main.kfp'))).toEqual([{ code: 'KFP1102', message: `modules import each other more than ${MAX_IMPORT_DEPTH} levels deep`, at: `m${MAX_IMPORT_DEPTH - 1}.kfp:1:8`, related: 1 }]);
  });

  it(`a chain of ${MAX_IMPORT_DEPTH} modules is accepted`, () => {
    const files: Record<string, string> = { 'main.kfp': main };
    for (let i = 0; i < MAX_IMPORT_DEPTH; i++) files[`m${i}.kfp`] = (i + 1 < MAX_IMPORT_DEPTH ? `import "m${i + 1}.kfp"\n` : '') + component(i);
    expect(checkFile(join(project(files), 'main.kfp'))).toEqual([]);
  });

  it('an import cycle of 40 files: one KFP2011, its message and notes bounded', () => {
    const files: Record<string, string> = { 'main.kfp': main };
    for (let i = 0; i < 40; i++) files[`m${i}.kfp`] = `import "m${(i + 1) % 40}.kfp"\n` + component(i);
    const found = checkFile(join(project(files), 'main.kfp'));
    expect(found.map((d) => `${d.code} ${d.at}`)).toEqual(['KFP2011 m39.kfp:1:8']);
    expect(found[0]!.message).toMatch(/^import cycle: `[^`]*m0\.kfp` → .* … 31 more … → `[^`]*m0\.kfp`$/);
    expect(found[0]!.related).toBeLessThanOrEqual(10);
  });
});

describe('a fence of 100,000 lines with 100,000 problems', () => {
  it('each KFP6005 at its own line (their lines were found by a scan from the first: 13 s of CPU; bench/hostile.mjs python-undefined)', () => {
    const found = check(fence(range(100_000, (i) => `print(u${i})\n`)));
    expect(found).toHaveLength(100_000);
    expect(found.every((d) => d.code === 'KFP6005')).toBe(true);
    const lines = new Set(found.map((d) => d.at));
    expect(lines.size).toBe(100_000);
    expect(found.find((d) => d.message === 'name `u99999` is not defined')!.at).toBe('100002:9');
  });
});

describe('what a diagnostic shows of hostile text', () => {
  const pretty = (text: string): string => {
    const file = new SourceFile('shown.kfp', text);
    return renderAll(compileSource(file, { checkOnly: true }).diagnostics, 'pretty');
  };
  /** The snippet line and the caret line under it, for the diagnostic whose label is `label`. */
  function caret(out: string, label: string): { line: string; marks: string } {
    const rows = out.split('\n');
    const i = rows.findIndex((r) => r.includes(label) && /\^/.test(r));
    return { line: rows[i - 1]!.replace(/^\d+ \| /, ''), marks: rows[i]!.replace(/^\s+\| /, '') };
  }
  /** Columns a terminal gives each character of `s`: the test's own table for the characters it uses. */
  const columns = (s: string): number => [...s].reduce((n, ch) => n + (/[\u0300-\u036f]/.test(ch) ? 0 : /[\u1100-\u11ff\uac00-\ud7a3\u4e00-\u9fff]|\p{Extended_Pictographic}/u.test(ch) ? 2 : 1), 0);

  it.each([
    ['Hangul', '한글한글'],
    ['CJK', '表表'],
    ['combining accents', 'e\u0301e\u0301e\u0301'],
    ['emoji', '😀😀'],
    ['a tab', '\t'],
  ])('with %s before it on the line, the caret stands under what it marks', (_, text) => {
    // A raw tab in a string is an error of its own (KFP1104): the tab goes between the settings.
    const [value, gap] = text === '\t' ? ['x', '\t'] : [text, ' '];
    const out = pretty(`${ADD}pipeline "p" () {\n  add(1, 2) { labels: { a: "${value}" },${gap}cpu: "zz" }\n}\n`);
    const { line, marks } = caret(out, 'invalid `cpu`');
    const at = marks.indexOf('^');
    // The caret's column is the width of the text before `"zz"` on the line shown.
    expect(at).toBe(columns(line.slice(0, line.indexOf('"zz"'))));
    expect(marks.slice(at).match(/^\^+/)![0]).toHaveLength(4);
  });

  it('the caret under a wide string spans its width', () => {
    const out = pretty(`${ADD}pipeline "p" () {\n  add("表e\u0301😀", 2)\n}\n`);
    const { marks } = caret(out, 'this is str');
    expect(marks.trim().match(/^\^+/)![0]).toHaveLength(columns('"表e\u0301😀"'));
  });

  it('control characters from the source are shown as their pictures, never written raw (ESC wrote escape sequences into the terminal)', () => {
    const out = pretty('pipeline "p" () {\n  nope() # \x1b[31mred\x1b[0m \f \v \u0085 \u202e x\n}\n');
    expect(out).toContain('nope() # ␛[31mred␛[0m ␌ ␋ \ufffd \ufffd x');
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
    const short = renderAll(compileSource(new SourceFile('s.kfp', 'pipeline "p" () {\n  \x1b\n}\n'), { checkOnly: true }).diagnostics, 'short');
    expect(short).toContain('unexpected character `␛`');
    expect(short).not.toContain('\x1b');
  });
});

describe('a U+2028 or U+2029 inside a fence', () => {
  it.each([
    ['U+2028', '\u2028'],
    ['U+2029', '\u2029'],
  ])('%s in a Python string and comment: later findings keep their .kfp line (they were put lines too early)', (_, sep) => {
    for (const br of ['\n', '\r\n', '\r']) {
      const text = ['component f() {', '  ```python', `  x = "a${sep}b"  # c${sep}d`, '  print(zz)', '  ```', '}', 'pipeline "p" () {', '  f()', '}', ''].join(br);
      const file = new SourceFile('ls.kfp', text);
      const [d] = compileSource(file, { checkOnly: true }).diagnostics;
      expect(d!.code).toBe('KFP6005');
      expect(text.slice(d!.span!.start, d!.span!.end)).toBe('zz');
      // The .kfp file counts the two separators as line breaks: `print(zz)` is its line 6.
      expect(file.positionAt(d!.span!.start)).toEqual({ line: 6, column: 9 });
    }
  });
});

describe('hostile YAML read by import, check and run', () => {
  function dir(files: Record<string, string>): string {
    const d = mkdtempSync(join(tmpdir(), 'kfpdsl-deep-yaml-'));
    writeFileSync(join(d, 'package.json'), '{}');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
    return d;
  }
  const deepFlow = `name: x\nimplementation:\n  container:\n    image: a\n    command: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
  // Nine aliases of nine aliases …, 9^9 nodes once expanded.
  const laughs = 'a: &a [x, x, x, x, x, x, x, x, x]\n' + range(8, (i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]\n`);

  it('kfpdsl import and an import in a .kfp of YAML nested 100,000 deep: a located error that says so', () => {
    const d = dir({ 'deep.yaml': deepFlow, 'main.kfp': 'import "deep.yaml" as c\npipeline "p" () {\n  c()\n}\n' });
    const imported = runCli(['import', join(d, 'deep.yaml')]);
    expect(imported.status).toBe(1);
    expect(imported.stderr).toMatch(/error\[KFP0302\]: `[^`]*deep\.yaml` is not valid YAML: nested too deeply to read/);
    expect(imported.stderr).not.toMatch(/call stack/i);
    const checked = runCli(['check', join(d, 'main.kfp')]);
    expect(checked.stderr).toContain('error[KFP4003]: invalid YAML: nested too deeply to read');
    expect(checked.stderr).not.toMatch(/call stack|KFP9001|internal/i);
  });

  it('kfpdsl run of a spec whose aliases expand past the cap: KFP0112, exit 1 (it was an internal error, exit 3)', () => {
    const d = dir({ 'laughs.yaml': laughs, 'wf.yaml': `${laughs}apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n` });
    for (const f of ['laughs.yaml', 'wf.yaml']) {
      const r = runCli(['run', join(d, f)]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error[KFP0112]');
      expect(r.stderr).toContain('cannot be read: Excessive alias count');
      expect(r.stderr).not.toMatch(/internal error/);
    }
  });
});

describe('the language server on a large buffer', () => {
  it('find references of a component called 20,000 times: every call (each was located by a look at every statement: 40 s for 10,000)', async () => {
    const c = await LspClient.start();
    try {
      const uri = 'file:///tmp/kfpdsl-deep-refs.kfp';
      c.open(uri, ADD + 'pipeline "p" () {\n' + '  add(1, 2)\n'.repeat(20_000) + '}\n', 1);
      await c.diagnostics(uri, 1);
      const refs = await c.request<{ range: { start: { line: number } } }[]>('textDocument/references', { textDocument: { uri }, position: { line: 0, character: 11 }, context: { includeDeclaration: true } });
      expect(refs).toHaveLength(20_001);
      expect(refs.at(-1)!.range.start.line).toBe(20_005);
    } finally {
      await c.stop();
    }
  });
});
