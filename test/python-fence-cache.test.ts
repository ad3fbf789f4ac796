/**
 * The Python checks of a fence are remembered by its text and interface (src/check/python/
 * fence-cache.ts): checking a buffer again after an edit outside the fence parses no Python,
 * and the problems it reuses are placed where the fence is now. A change the checks depend on
 * (the fence's text, the component's name or outputs) checks again.
 */
import { describe, expect, it } from 'vitest';
import { cachedFenceProblems, fenceCacheWork } from '../src/check/python/fence-cache.js';
import type { FenceInterface } from '../src/check/python/problems.js';
import { SuggestionBudget } from '../src/diagnostics/suggest.js';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';

const component = (name: string, returns: string) => `component ${name}(n: int) -> ${returns} {\n  \`\`\`python\n  total = n + 1\n  print(totl)\n  return total\n  \`\`\`\n}\n\npipeline "p" () {\n  ${name}(1)\n}\n`;

/** The fence checks' diagnostics of a file: code and 1-based line:column. */
function fenceDiagnostics(text: string): string[] {
  const file = new SourceFile('/tmp/kfpdsl-fence-cache/p.kfp', text);
  return compileSource(file, { checkOnly: true, skipLowering: true })
    .diagnostics.filter((d) => d.code.startsWith('KFP6'))
    .map((d) => {
      const p = file.positionAt(d.span!.start);
      return `${d.code} ${p.line}:${p.column}`;
    });
}

describe('fence check cache', () => {
  it('reuses the problems of an unchanged fence, at its new place, and checks a changed one again', () => {
    const text = component('inc_cache_test', 'int');
    const first = { ...fenceCacheWork };
    expect(fenceDiagnostics(text)).toEqual(['KFP6005 4:9']);
    expect(fenceCacheWork.misses - first.misses).toBe(1);

    // Two lines added above: the same fence, moved.
    const second = { ...fenceCacheWork };
    expect(fenceDiagnostics(`# a comment\n\n${text}`)).toEqual(['KFP6005 6:9']);
    expect(fenceCacheWork.misses - second.misses).toBe(0);
    expect(fenceCacheWork.hits - second.hits).toBe(1);

    // What the checks read changed: the fence's text, the component's name, its outputs.
    const third = { ...fenceCacheWork };
    expect(fenceDiagnostics(text.replace('print(totl)', 'print(total)'))).toEqual([]);
    expect(fenceDiagnostics(component('inc_cache_test2', 'int'))).toEqual(['KFP6005 4:9']);
    expect(fenceDiagnostics(component('inc_cache_test', '(a: int)'))).toEqual(['KFP6005 4:9']);
    expect(fenceCacheWork.misses - third.misses).toBe(3);
  });

  it('charges a hit to the run\'s suggestion budget, and checks afresh when the budget left could not pay for it', () => {
    const body = 'total = 1\nprint(totl)\n';
    const iface: FenceInterface = { componentName: 'budget_cache_test', params: [], valueOutputs: [], programGlobals: [], minor: 11 };
    const hints = (r: ReturnType<typeof cachedFenceProblems>) => r.problems.filter((p) => p.code === 'UndefinedPythonName').map((p) => JSON.stringify(p));
    const fresh = new SuggestionBudget();
    const made = cachedFenceProblems(body, { ...iface, suggestions: fresh });
    expect(fresh.cells).toBeGreaterThan(0);
    const cost = fresh.cells;

    const again = new SuggestionBudget();
    const before = { ...fenceCacheWork };
    expect(hints(cachedFenceProblems(body, { ...iface, suggestions: again }))).toEqual(hints(made));
    expect(fenceCacheWork.hits - before.hits).toBe(1);
    expect(again.cells).toBe(cost);

    // A budget with less left than the report cost: computed again, and the answer is what that budget gives.
    const poor = new SuggestionBudget(cost - 1);
    poor.cells = cost - 1;
    const misses = fenceCacheWork.misses;
    const r = cachedFenceProblems(body, { ...iface, suggestions: poor });
    expect(fenceCacheWork.misses - misses).toBe(1);
    expect(hints(r)).not.toEqual(hints(made));
  });
});
