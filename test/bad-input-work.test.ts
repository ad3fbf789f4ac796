/**
 * The work bad input costs, counted rather than timed: lexing errors past --max-errors are
 * counted, never built as diagnostics (one KFP1105 carries the count), and what is printed
 * and summed is the same as when all are built; large valid files never reach Chevrotain;
 * "did you mean" spends at most a budget of edit-distance cells per check run, and a hint
 * lists at most ten names.
 */
import { Lexer } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import * as T from '../grammar/tokens.js';
import { compileSource } from '../src/compile.js';
import { argoBackend } from '../src/backends/argo.js';
import { specWork } from '../src/lower/components.js';
import { DEFAULT_MAX_ERRORS, limitPerFile } from '../src/diagnostics/limit.js';
import { renderAll } from '../src/diagnostics/render.js';
import { boundedLevenshtein, didYouMean, levenshtein, SUGGESTION_CELLS, SuggestionBudget, suggestionWork } from '../src/diagnostics/suggest.js';
import { SourceFile } from '../src/source.js';
import { parseSource, parseWork } from '../src/syntax/parse.js';

const file = (text: string): SourceFile => new SourceFile('/tmp/kfpdsl-work/bad.kfp', text);

describe('lexing errors past --max-errors are counted, not built', () => {
  it('130,000 stray `;`: 100 diagnostics and one count of the other 129,900', () => {
    const r = compileSource(file(';\n'.repeat(130_000)), { checkOnly: true, maxErrors: DEFAULT_MAX_ERRORS });
    expect(r.diagnostics).toHaveLength(DEFAULT_MAX_ERRORS + 1);
    const count = r.diagnostics.at(-1)!;
    expect(count.code).toBe('KFP1105');
    expect(count.omitted).toBe(129_900);
    const shown = limitPerFile(r.diagnostics, DEFAULT_MAX_ERRORS);
    expect(shown).toHaveLength(DEFAULT_MAX_ERRORS + 1);
    expect(shown.at(-1)!.message).toBe('… and 129,900 more errors in this file, not shown');
  });

  it('prints what building all of them printed, at every cap', () => {
    // Unexpected characters, unterminated strings and syntax errors mixed, so that the kinds interleave.
    const text = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? ';' : i % 3 === 1 ? '"open' : '$ ;')).join('\n') + '\n';
    const all = compileSource(file(text), { checkOnly: true });
    for (const max of [1, 2, 5, 50, 100, 250]) {
      const capped = compileSource(file(text), { checkOnly: true, maxErrors: max });
      expect(capped.diagnostics.length).toBeLessThan(all.diagnostics.length);
      expect(renderAll(limitPerFile(capped.diagnostics, max), 'short')).toBe(renderAll(limitPerFile(all.diagnostics, max), 'short'));
    }
    // --max-errors 0 (all): nothing is left out.
    expect(compileSource(file(text), { checkOnly: true, maxErrors: 0 }).diagnostics).toHaveLength(all.diagnostics.length);
  });

  it('the count is the same on one line: 100,000 errors, 101 diagnostics', () => {
    const r = parseSource(file('; '.repeat(100_000)), { maxErrors: 100 });
    expect(r.diagnostics).toHaveLength(101);
    expect(r.diagnostics.at(-1)!.omitted).toBe(99_900);
  });
});

describe('large valid files take the fast descent', () => {
  it("the lexer keeps Chevrotain's first-character optimisation (a custom pattern without start_chars_hint would turn it off for every token)", () => {
    expect(() => new Lexer(T.allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true })).not.toThrow();
  });

  it('100,000 components and 100,000 calls of an unknown component: no file reaches Chevrotain', () => {
    const before = parseWork.chevrotain;
    const comps = Array.from({ length: 100_000 }, (_, i) => `component c${i}() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n`).join('');
    const p1 = parseSource(file(comps + 'pipeline "p" () {\n  c0()\n}\n'));
    expect(p1.document.components).toHaveLength(100_000);
    const p2 = parseSource(file('pipeline "p" () {\n' + '  nope(1)\n'.repeat(100_000) + '}\n'));
    expect(p2.document.pipelines[0]!.body).toHaveLength(100_000);
    expect(parseWork.chevrotain).toBe(before);
  });
});

describe('"did you mean" and the names a hint lists cost bounded work', () => {
  const reference = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
    return prev[b.length]!;
  };

  it('the banded edit distance with an early exit is the full table\'s wherever it is within its bound', () => {
    let seed = 17;
    const next = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const word = (): string => Array.from({ length: next(13) }, () => 'abc'[next(3)]).join('');
    for (let k = 0; k < 20_000; k++) {
      const [a, b, max] = [word(), word(), next(9)];
      const d = reference(a, b);
      expect(levenshtein(a, b)).toBe(d);
      const bounded = boundedLevenshtein(a, b, max);
      if (d <= max) expect(bounded).toBe(d);
      else expect(bounded).toBeGreaterThan(max);
    }
  });

  it('6,000 misspelt calls among 6,000 components: a tenth of the 36 million pairs at most, and every printed error keeps its hint', () => {
    const n = 6_000;
    const text = Array.from({ length: n }, (_, i) => `component comp${i}() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n`).join('') +
      'pipeline "p" () {\n' + Array.from({ length: n }, (_, i) => `  cmop${i}()\n`).join('') + '}\n';
    const before = { ...suggestionWork };
    const r = compileSource(file(text), { checkOnly: true });
    const evaluations = suggestionWork.evaluations - before.evaluations;
    const cells = suggestionWork.cells - before.cells;
    expect(r.diagnostics).toHaveLength(n);
    // Every pair compared, as before the budget: 36,000,000 evaluations (32 s of CPU).
    expect(evaluations).toBeLessThan((n * n) / 10);
    expect(cells).toBeLessThanOrEqual(SUGGESTION_CELLS);
    const shown = limitPerFile(r.diagnostics, DEFAULT_MAX_ERRORS).slice(0, -1);
    expect(shown).toHaveLength(DEFAULT_MAX_ERRORS);
    for (const d of shown) expect(d.hint).toMatch(/^did you mean `comp\d+`/);
    expect(shown[0]!.hint).toBe('did you mean `comp0`, `comp1` or `comp10`?');
    // The same input, the same hints: the budget is spent in source order.
    expect(compileSource(file(text), { checkOnly: true }).diagnostics.map((d) => d.hint)).toEqual(r.diagnostics.map((d) => d.hint));
  });

  it('5,000 tasks, 5,000 misspelt references and `after` names: a tenth of the pairs at most', () => {
    const n = 5_000;
    const lines = Array.from({ length: n }, (_, i) => `  t${i} = inc(${i})\n`).join('') + Array.from({ length: n }, (_, i) => `  inc(tt${i}) after tx${i}\n`).join('');
    const before = suggestionWork.evaluations;
    const r = compileSource(file('component inc(n: int) -> int {\n  ```python\n  return n + 1\n  ```\n}\npipeline "p" () {\n' + lines + '}\n'), { checkOnly: true });
    expect(r.diagnostics.filter((d) => d.code === 'KFP2002' || d.code === 'KFP2003')).toHaveLength(2 * n);
    // Each of the 10,000 names against 5,000 tasks (and parameters): 50,000,000 evaluations.
    expect(suggestionWork.evaluations - before).toBeLessThan((2 * n * n) / 10);
    const first = r.diagnostics.find((d) => d.code === 'KFP2002')!;
    expect(first.hint).toMatch(/^did you mean `t0`/);
  });

  it('a Python fence of 4,000 assignments and 4,000 misspelt reads: the check run\'s budget, and the printed errors keep their hints', () => {
    const n = 4_000;
    const body = Array.from({ length: n }, (_, i) => `  value${i} = ${i}\n`).join('') + Array.from({ length: n }, (_, i) => `  print(valeu${i})\n`).join('');
    const before = suggestionWork.evaluations;
    const r = compileSource(file('component f() {\n  ```python\n' + body + '  ```\n}\npipeline "p" () {\n  f()\n}\n'), { checkOnly: true });
    expect(r.diagnostics.filter((d) => d.code === 'KFP6005')).toHaveLength(n);
    // Every read against every assignment: 16,000,000 evaluations.
    expect(suggestionWork.evaluations - before).toBeLessThan((n * n) / 10);
    for (const d of limitPerFile(r.diagnostics, DEFAULT_MAX_ERRORS).slice(0, -1)) expect(d.hint).toMatch(/^did you mean `value\d+`/);
  });

  it('two names of 50,000 characters are not compared (10^10 cells): the budget would not cover them', () => {
    const long = 'a'.repeat(50_000);
    const before = suggestionWork.cells;
    const budget = new SuggestionBudget();
    expect(didYouMean(long + 'b', [long + 'c', 'x'], budget)).toBeUndefined();
    expect(suggestionWork.cells - before).toBeLessThan(10);
    // Unbudgeted (a fixed list of settings, a CLI argument), short names are compared as ever.
    expect(didYouMean('imgae', ['image', 'command'])).toBe('did you mean `image`?');
  });

  it('a component of 20,000 inputs: 20,000 unknown named arguments and a call with none list ten names each', () => {
    const n = 20_000;
    const params = Array.from({ length: n }, (_, i) => `i${i}: int`).join(', ');
    const comp = `component big(${params}) {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n`;
    const unknown = Array.from({ length: n }, (_, i) => `zzzzzzzzzzzz${i}: 1`).join(', ');
    const before = suggestionWork.evaluations;
    const r = compileSource(file(comp + `pipeline "p" () {\n  big(${unknown})\n  big()\n}\n`), { checkOnly: true });
    // Each unknown name against every input: 400,000,000 evaluations.
    expect(suggestionWork.evaluations - before).toBeLessThan((n * n) / 10);
    const codes = r.diagnostics.map((d) => d.code);
    expect(codes.filter((c) => c === 'KFP2005')).toHaveLength(n);
    const missing = r.diagnostics.find((d) => d.code === 'KFP3002')!;
    expect(missing.message).toBe('missing arguments for `i0`, `i1`, `i2`, `i3`, `i4`, `i5`, `i6`, `i7`, `i8`, `i9` … and 19,990 more of `big`');
    for (const d of r.diagnostics) expect((d.hint ?? '').length + d.message.length).toBeLessThan(300);
    expect(r.diagnostics[0]!.hint).toBe('its inputs are `i0`, `i1`, `i2`, `i3`, `i4`, `i5`, `i6`, `i7`, `i8`, `i9` … and 19,990 more');
  });
});

describe('component specs are made for the components a workflow calls', () => {
  it('check of 5,000 components, one called: one spec (a kfp-v1 build makes all 5,000, for their component.yaml)', () => {
    const text = Array.from({ length: 5_000 }, (_, i) => `component c${i}() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n`).join('') + 'pipeline "p" () {\n  c7()\n}\n';
    let before = specWork.made;
    expect(compileSource(file(text), { checkOnly: true }).diagnostics).toEqual([]);
    expect(specWork.made - before).toBe(1);
    before = specWork.made;
    const argo = compileSource(file(text), { backend: argoBackend });
    expect(argo.diagnostics).toEqual([]);
    expect(specWork.made - before).toBe(1);
    before = specWork.made;
    const built = compileSource(file(text));
    expect(specWork.made - before).toBe(5_000);
    expect(built.files.filter((f) => f.kind === 'component')).toHaveLength(5_000);
  });
});
