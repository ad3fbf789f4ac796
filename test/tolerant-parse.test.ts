/**
 * The error-tolerant front end: parsing always gives a tree (recovered nodes marked), the
 * checks run on what parsed, and what they would say about the broken parts (cascades)
 * is dropped while the other errors of the file are still reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KfpParser } from '../grammar/parser.js';
import { compileSource } from '../src/compile.js';
import { Codes } from '../src/diagnostics/catalog.js';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import { SourceFile } from '../src/source.js';
import type * as ast from '../src/syntax/ast.js';
import { STATEMENT_RULES } from '../src/syntax/cst-to-ast.js';
import { parseSource } from '../src/syntax/parse.js';

const ADD = 'component add(a: int, b: int) -> int {\n  ```python\n  return a + b\n  ```\n}\n';
const SHOW = 'component show(text: str) {\n  image: "alpine:3.19"\n  command: ["echo", text]\n}\n';

function file(text: string): SourceFile {
  return new SourceFile('/tmp/kfpdsl-tolerant/x.kfp', text);
}

/** `CODE line:col text-under-the-span` for each diagnostic, to read failures at a glance. */
function located(text: string, diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const start = d.span?.start ?? 0;
    const before = text.slice(0, start);
    const line = before.split('\n').length;
    const col = start - before.lastIndexOf('\n');
    return `${d.code} ${line}:${col} ${text.slice(start, d.span?.end ?? start)}`;
  });
}

function check(text: string): string[] {
  const r = compileSource(file(text), { checkOnly: true });
  return located(text, r.diagnostics);
}

function firstTask(doc: ast.Document): ast.TaskStmt {
  const s = doc.pipelines[0]!.body[0]!;
  expect(s.kind).toBe('TaskStmt');
  return s as ast.TaskStmt;
}

describe('parsing always gives a tree', () => {
  it('a call cut short at the end of the file', () => {
    const r = parseSource(file('pipeline "p" () {\n  a = add(1,'));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['KFP1101']);
    const t = firstTask(r.document);
    expect(t.name?.name).toBe('a');
    expect(t.callee.name).toBe('add');
    expect(t.args.map((a) => (a.value.kind === 'Literal' ? a.value.value : '?'))).toEqual([1]);
    expect(t.recovered).toBe(true);
    expect(r.document.pipelines[0]!.recovered).toBe(true);
    expect(r.recovery?.names.has('a')).toBe(true);
  });

  it('a missing closing brace keeps every statement, unmarked', () => {
    const r = parseSource(file('pipeline "p" () {\n  a = add(1, 2)\n  b = add(a, 3)\n'));
    expect(r.diagnostics.map((d) => d.message)).toEqual(['expected `}`, found the end of the file']);
    const body = r.document.pipelines[0]!.body;
    expect(body.map((s) => (s.kind === 'TaskStmt' ? s.name?.name : s.kind))).toEqual(['a', 'b']);
    expect(body.every((s) => s.recovered === undefined)).toBe(true);
    expect(r.document.pipelines[0]!.recovered).toBe(true);
  });

  it('a stray token in a component header keeps the component and what follows', () => {
    const r = parseSource(file('component add(a: int b: int) -> int {\n  image: "x"\n}\npipeline "p" () {\n  x = add(1, 2)\n}\n'));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['KFP1101']);
    const c = r.document.components[0]!;
    expect(c.name.name).toBe('add');
    expect(c.params.map((p) => p.name.name)).toEqual(['a']);
    expect(c.recovered).toBe(true);
    expect(firstTask(r.document).callee.name).toBe('add');
    expect(r.recovery?.names.has('add')).toBe(true);
  });

  it('a missing value becomes a located placeholder', () => {
    const text = 'pipeline "p" () {\n  a = add(1, 2) { cpu: }\n}\n';
    const r = parseSource(file(text));
    const s = firstTask(r.document).settings[0]!;
    expect(s.name.name).toBe('cpu');
    expect(s.recovered).toBe(true);
    expect(s.value).toMatchObject({ kind: 'Literal', value: null, recovered: true });
    expect(s.value.span.start).toBe(text.indexOf('cpu') + 3);
  });

  it('an unterminated string is one error and still a string', () => {
    const r = parseSource(file('pipeline "p" () {\n  a = show("hello)\n  b = show("x")\n}\n'));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['KFP1002']);
    const arg = firstTask(r.document).args[0]!.value;
    expect(arg).toMatchObject({ kind: 'Literal', value: 'hello)' });
    expect(r.document.pipelines[0]!.body).toHaveLength(2);
  });

  it('every error fixture and half of every example give a document', () => {
    const dir = new URL('./fixtures/errors/', import.meta.url).pathname;
    const examples = new URL('../examples/', import.meta.url).pathname;
    const texts = [
      ...readdirSync(dir).filter((f) => f.endsWith('.kfp')).map((f) => readFileSync(dir + f, 'utf8')),
      ...readdirSync(examples).filter((f) => f.endsWith('.kfp')).map((f) => readFileSync(examples + f, 'utf8')),
    ];
    let cut = 0;
    for (const text of texts) {
      expect(parseSource(file(text)).document.kind).toBe('Document');
      // Every prefix at a line break: what an editor sees while the file is typed.
      const breaks = [...text.matchAll(/\n/g)].map((m) => m.index);
      for (const at of breaks.filter((_, i) => i % 3 === 0)) {
        const r = parseSource(file(text.slice(0, at)));
        expect(r.document.kind).toBe('Document');
        // Checking a recovered tree must never fail (an Internal error would hide the syntax errors).
        expect(compileSource(file(text.slice(0, at)), { checkOnly: true }).diagnostics.filter((d) => d.code === 'KFP9001')).toEqual([]);
        cut++;
      }
    }
    expect(cut).toBeGreaterThan(100);
  });
});

describe('checks run on what parsed, without cascades', () => {
  it('a syntax error in one task; the other tasks still report their errors', () => {
    const text = `${ADD}pipeline "p" () {\n  a = add(1 2)\n  b = nope(2)\n  c = add("x", 1)\n  d = add(a, 3)\n}\n`;
    expect(check(text)).toEqual([
      'KFP1101 7:13 2', // the syntax error (the parser drops `2`)
      // not: `add` misses argument `b` (the call that lost its `2`)
      'KFP2001 8:7 nope', // an unknown component in another task
      'KFP3001 9:11 "x"', // a type error in another task
      // not: anything about `d`, which uses the broken task `a`
    ]);
  });

  it('a call cut short: no missing argument, no unknown name for its task, no unused warning', () => {
    const text = `${ADD}${SHOW}pipeline "p" (unused: int = 1) {\n  a = add(1,\n}\n  s = show(a)\n`;
    const got = check(text);
    expect(got.filter((d) => d.startsWith('KFP1'))).not.toEqual([]);
    expect(got.filter((d) => !d.startsWith('KFP1'))).toEqual([]);
  });

  it('a broken component header: calls to it and to what uses them are not checked, others are', () => {
    const text = `component mul(a: int b: int) -> int {\n  image: "x"\n  command: ["mul", a, b]\n}\n${ADD}pipeline "p" () {\n  m = mul(1, 2, 3)\n  x = add(m, "s")\n  y = nope()\n  z = add(1, true)\n}\n`;
    expect(check(text)).toEqual(['KFP1101 1:22 b', 'KFP2001 13:7 nope', 'KFP3001 14:14 true']);
  });

  it('a name declared in tokens the parser skipped is not unknown', () => {
    const text = `${ADD}pipeline "p" (n: int, m: ) {\n  a = add(n, m)\n  b = add(q, 1)\n}\n`;
    expect(check(text)).toEqual(['KFP1101 6:26 )', 'KFP2002 8:11 q']);
  });

  it('an unterminated string is reported once; the next statements are checked', () => {
    const text = `${ADD}${SHOW}pipeline "p" () {\n  a = show("hello)\n  b = nope()\n  c = add(1, "2")\n}\n`;
    expect(check(text)).toEqual(['KFP1002 11:12 "', 'KFP2001 12:7 nope', 'KFP3001 13:14 "2"']);
  });

  it('an unterminated code block: no Python error about its text', () => {
    const text = 'component f(a: int) -> int {\n  ```python\n  return a +\n}\n';
    expect(check(text)).toEqual(['KFP1003 2:3 ```']);
  });

  it('errors in a loop body after a broken loop head are still reported', () => {
    const text = `${ADD}pipeline "p" () {\n  for i in [1, 2] parallelism {\n    b = add(i, q)\n  }\n}\n`;
    expect(check(text)).toEqual(['KFP1101 7:31 {', 'KFP2002 8:16 q']);
  });

  it('build writes nothing when there is a syntax error, even if the rest checks', () => {
    const text = `${ADD}pipeline "p" () {\n  a = add(1, 2)\n  b = add(a, 3) { retry: }\n}\n`;
    const r = compileSource(file(text));
    expect(r.files).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['KFP1101']);
  });

  it('a file that is too deep gives an empty document and no checks', () => {
    const text = `pipeline "p" () {\n  a = f(${'['.repeat(100)}\n}\n`;
    const r = parseSource(file(text));
    expect(r.document.pipelines).toEqual([]);
    expect(r.recovery?.gaveUp).toBe(true);
    expect(check(text).map((d) => d.split(' ')[0])).toEqual(['KFP1102']);
  });
});

describe('keyword spans come from tokens', () => {
  it('a second `finally` and an empty loop point at their keyword', () => {
    const twoFinally = `${ADD}pipeline "p" () {\n  a = add(1, 2)\n  finally { b = add(1, 2) }\n  finally { c = add(1, 2) }\n}\n`;
    expect(check(twoFinally)).toEqual([`${Codes.MisplacedFinally.code} 9:3 finally`]);
    const emptyLoop = `${ADD}pipeline "p" () {\n  a = add(1, 2)\n  for   i in [1] {\n  }\n}\n`;
    expect(check(emptyLoop)).toEqual([`${Codes.EmptyBlock.code} 8:3 for`]);
  });
});

describe('the CST → AST step is exhaustive', () => {
  it('every alternative of the grammar rule `statement` has a builder', () => {
    const productions = new KfpParser().getGAstProductions();
    const names: string[] = [];
    const walk = (p: unknown): void => {
      if (!p || typeof p !== 'object') return;
      const o = p as { nonTerminalName?: string; definition?: unknown[] };
      // A NonTerminal also links to the rule it names: stop there.
      if (o.nonTerminalName) return void names.push(o.nonTerminalName);
      for (const d of o.definition ?? []) walk(d);
    };
    walk(productions['statement']);
    expect(names.sort()).toEqual([...STATEMENT_RULES].sort());
  });
});
