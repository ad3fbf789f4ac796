/**
 * Bad input costs linear time and prints a bounded amount: at most --max-errors diagnostics
 * per file (default 100) and a count of the rest; 100,000 errors, components or arguments
 * complete (a quadratic step would run into the 60 s cap) without overflowing the stack;
 * snippets of very long lines are cut around the caret. Every line ending (LF, CR LF, CR,
 * U+2028, U+2029) ends a `#` comment and a line. Speed figures: bench/bench.mjs section 4.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../src/compile.js';
import { diag } from '../src/diagnostics/catalog.js';
import { DEFAULT_MAX_ERRORS, limitPerFile } from '../src/diagnostics/limit.js';
import { renderAll } from '../src/diagnostics/render.js';
import { SourceFile } from '../src/source.js';
import { runCli } from './support/cli.js';

const ADD = 'component add(a: int, b: int) -> int {\n  ```python\n  return a + b\n  ```\n}\n';
const ECHO = 'component echo(text: str) {\n  image: "alpine:3.19"\n  command: ["echo", text]\n}\n';

function source(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-scale-'));
  const path = join(dir, 'bad.kfp');
  writeFileSync(path, text);
  return path;
}

describe('at most --max-errors diagnostics per file, then a count of the rest', () => {
  const semis = source(';\n'.repeat(130_000));

  it.each(['check', 'build', 'fmt'])('kfpdsl %s on 130,000 stray `;`: 100 errors, the count, no crash', (command) => {
    const r = runCli(command === 'build' ? ['build', semis, '-o', mkdtempSync(join(tmpdir(), 'kfpdsl-scale-out-'))] : [command, semis]);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/Maximum call stack|internal error/);
    expect(r.stderr.match(/^error\[KFP1001\]/gm)).toHaveLength(DEFAULT_MAX_ERRORS);
    expect(r.stderr).toContain('error[KFP1105]: … and 129,900 more errors in this file, not shown');
    expect(r.stderr.length).toBeLessThan(40_000);
  });

  it('--max-errors 5, --max-errors 0 (all) and --format json', () => {
    const small = source(';\n'.repeat(300));
    const five = runCli(['check', '--max-errors', '5', '--format', 'short', small]);
    expect(five.stderr.trim().split('\n')).toHaveLength(6);
    expect(five.stderr).toContain('… and 295 more errors');
    const all = runCli(['check', '--max-errors', '0', '--format', 'short', small]);
    expect(all.stderr.trim().split('\n')).toHaveLength(300);
    const json = runCli(['check', '--format', 'json', small]);
    const parsed = JSON.parse(json.stdout) as { code: string }[];
    expect(parsed).toHaveLength(DEFAULT_MAX_ERRORS + 1);
    expect(parsed.at(-1)!.code).toBe('KFP1105');
    expect(runCli(['check', '--max-errors', '-1', small]).status).toBe(2);
  });

  it('counts per file, each count right after its file, warnings counted apart', () => {
    const a = new SourceFile('a.kfp', 'x');
    const b = new SourceFile('b.kfp', 'x');
    const ds = [
      ...Array.from({ length: 4 }, () => diag('SyntaxError', 'e', { file: a, span: { start: 0, end: 1 } })),
      diag('UnusedTask', 'w', { file: a, span: { start: 0, end: 1 } }),
      ...Array.from({ length: 2 }, () => diag('SyntaxError', 'e', { file: b, span: { start: 0, end: 1 } })),
    ];
    const out = limitPerFile(ds, 2);
    expect(out.map((d) => `${d.file!.path} ${d.code} ${d.severity}`)).toEqual(['a.kfp KFP1101 error', 'a.kfp KFP1101 error', 'a.kfp KFP1105 error', 'b.kfp KFP1101 error', 'b.kfp KFP1101 error']);
    expect(out[2]!.message).toBe('… and 2 more errors and 1 more warning in this file, not shown');
    expect(limitPerFile(ds, 0)).toHaveLength(ds.length);
  });
});

describe('100,000 of anything completes, linearly', () => {
  it('100,000 errors on one line: each snippet is cut around its caret', () => {
    const file = new SourceFile('x.kfp', '; '.repeat(100_000));
    const r = compileSource(file, { checkOnly: true });
    expect(r.diagnostics).toHaveLength(100_000);
    const text = renderAll(r.diagnostics.slice(50_000, 50_010), 'pretty');
    for (const line of text.split('\n')) expect(line.length).toBeLessThan(140);
    expect(text).toContain(' --> x.kfp:1:100001');
  });

  it('100,000 errors on 100,000 lines', () => {
    const r = compileSource(new SourceFile('x.kfp', ';\n'.repeat(100_000)), { checkOnly: true });
    expect(r.diagnostics).toHaveLength(100_000);
    expect(r.diagnostics.at(-1)!.file!.positionAt(r.diagnostics.at(-1)!.span!.start).line).toBe(100_000);
  });

  it('a call with 100,000 arguments is one error', () => {
    const r = compileSource(new SourceFile('x.kfp', ECHO + 'pipeline "p" () {\n  echo(' + '"a", '.repeat(100_000) + '"a")\n}\n'), { checkOnly: true });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['KFP3003']);
    expect(r.diagnostics[0]!.message).toBe('`echo` takes 1 argument but 100001 were given');
  });

  // 20,000 rather than 100,000 where each costs more, to stay far from the 60 s cap on a busy machine.
  it('20,000 components (a case-insensitive name check made them quadratic: 40,000 took 63 s)', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `component c${i}() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n`).join('') + 'pipeline "p" () {\n  c0()\n}\n';
    const r = compileSource(new SourceFile('x.kfp', text), { checkOnly: true });
    expect(r.diagnostics).toEqual([]);
    expect(r.program!.components).toHaveLength(20_000);
  });

  it('20,000 calls of one unknown component', () => {
    const r = compileSource(new SourceFile('x.kfp', ADD + 'pipeline "p" () {\n' + '  ad(1, 2)\n'.repeat(20_000) + '}\n'), { checkOnly: true });
    expect(r.diagnostics).toHaveLength(20_000);
    expect(r.diagnostics[0]!.hint).toBe('did you mean `add`?');
  });
});

describe('line endings', () => {
  const program = '# a leading comment\n' + ADD + 'pipeline "p" () {\n  # another\n  add(1, nope)\n}\n';
  const endings: [string, string][] = [['LF', '\n'], ['CR LF', '\r\n'], ['CR', '\r'], ['U+2028', '\u2028'], ['U+2029', '\u2029']];

  it.each(endings)('%s ends a comment, and the error is at line 9, column 10', (_, br) => {
    // Inside the ``` block, line breaks are Python's (LF, CR LF, CR): U+2028 would not end a Python line.
    let text = program.replace(/\n/g, br);
    if (br === '\u2028' || br === '\u2029') text = text.replace(/```python[^`]*```/, (fence) => fence.split(br).join('\n'));
    const file = new SourceFile('x.kfp', text);
    const r = compileSource(file, { checkOnly: true });
    expect(r.diagnostics.map((d) => `${d.code} ${file.positionAt(d.span!.start).line}:${file.positionAt(d.span!.start).column}`)).toEqual(['KFP2002 9:10']);
    expect(renderAll(r.diagnostics, 'pretty')).toContain('9 |   add(1, nope)\n');
  });

  it('a CR-only file compiles to what its LF twin does', () => {
    const lf = '# comment\n' + ADD + 'pipeline "p" () {\n  add(1, 2)\n}\n';
    const a = compileSource(new SourceFile('x.kfp', lf));
    const b = compileSource(new SourceFile('x.kfp', lf.replace(/\n/g, '\r')));
    expect(a.diagnostics).toEqual([]);
    expect(b.files).toEqual(a.files);
  });

  it('kfpdsl check on a CR-only file with a leading comment reports its error (it used to exit 0)', () => {
    const path = source(program.replace(/\n/g, '\r'));
    const r = runCli(['check', path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KFP2002');
  });
});
