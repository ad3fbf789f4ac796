/**
 * The work bad input costs, counted rather than timed: lexing errors past --max-errors are
 * counted, never built as diagnostics (one KFP1105 carries the count), and what is printed
 * and summed is the same as when all are built; large valid files never reach Chevrotain.
 */
import { describe, expect, it } from 'vitest';
import { compileSource } from '../src/compile.js';
import { DEFAULT_MAX_ERRORS, limitPerFile } from '../src/diagnostics/limit.js';
import { renderAll } from '../src/diagnostics/render.js';
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
