/**
 * `for … parallelism N` on the targets test/loop-parallelism.test.ts does not run: KFP v2 (the
 * spec's `iteratorPolicy.parallelismLimit` on every limited loop task, and the v2 executor
 * honouring it) and plain Argo (`kfpdsl run --target argo`), for a loop nested in a limited
 * loop and a limited loop inside a called pipeline (a sub-DAG). Each iteration records when it
 * starts and ends; the most iterations overlapping is counted from those intervals (never
 * compared with durations): at most the limit, and more than one where the limit allows it, so
 * that the loop does run in parallel.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { backendNamed } from '../src/backends/index.js';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { ensureBundle } from './support/cli.js';
import { runSync, writeKfp } from './support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-loop-parallelism-v2-'));
beforeAll(() => ensureBundle(), 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// `limited`: an outer loop of 3 (parallelism 1) holding a loop of 4 (parallelism 2), and a call
// of `inner`, whose loop of 6 has parallelism 2.
const LINES = [
  'component timed(n: int, pause: float) -> str {',
  '  ```python',
  '  import time',
  '  start = time.time()',
  '  time.sleep(pause)',
  '  return f"{n} {start} {time.time()}"',
  '  ```',
  '}',
  'component make(n: int) -> list {',
  '  ```python',
  '  return list(range(n))',
  '  ```',
  '}',
  'pipeline inner "inner" (pause: float = 1.0) {',
  '  for n in [1, 2, 3, 4, 5, 6] parallelism 2 {',
  '    timed(n, pause)',
  '  }',
  '}',
  'pipeline "limited" (pause: float = 1.0) {',
  '  for a in [1, 2, 3] parallelism 1 {',
  '    xs = make(4)',
  '    for b in xs parallelism 2 {',
  '      timed(b, pause)',
  '    }',
  '  }',
  '  inner(pause)',
  '}',
];
const source = writeKfp(scratch, 'limited.kfp', LINES);

/** The most intervals open at one instant. */
function maxOverlap(spans: readonly (readonly [number, number])[]): number {
  const events = spans.flatMap(([s, e]) => [[s, 1], [e, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of events) most = Math.max(most, (open += d));
  return most;
}

interface Span {
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

/** Every `timed` iteration's interval, from its output (a parameter on kfp-v2, a file on Argo). */
function spans(target: string): Span[] {
  const r = runSync(scratch, [source, '--target', target, '--format', 'json', '--skip-packages', '--parallelism', '16']);
  expect(r.status, r.stderr).toBe(0);
  return r.json!.tasks
    .filter((t) => /^(comp-)?timed(-\d+)?$/.test(t.template))
    .map((t) => {
      const text = t.outputs.parameters['Output'] ?? readFileSync(Object.values(t.outputs.artifacts)[0]!, 'utf8');
      const [, start, end] = text.split(' ').map(Number);
      return { id: t.id, start: start!, end: end! };
    });
}

function checkLimits(all: readonly Span[]): void {
  const inSub = all.filter((s) => s.id.includes('.inner.'));
  const nested = all.filter((s) => !s.id.includes('.inner.'));
  expect(inSub).toHaveLength(6);
  expect(nested).toHaveLength(12);
  const pairs = (xs: readonly Span[]): [number, number][] => xs.map((s) => [s.start, s.end]);
  // The called pipeline's loop: 2 at a time.
  expect(maxOverlap(pairs(inSub))).toBeLessThanOrEqual(2);
  expect(maxOverlap(pairs(inSub))).toBeGreaterThan(1);
  // The nested loops: one outer iteration at a time, each running 2 of its 4 at a time.
  expect(maxOverlap(pairs(nested))).toBeLessThanOrEqual(2);
  expect(maxOverlap(pairs(nested))).toBeGreaterThan(1);
  const outer = new Map<string, Span[]>();
  for (const s of nested) {
    const key = /\((\d+)\)/.exec(s.id)![1]!;
    outer.set(key, [...(outer.get(key) ?? []), s]);
  }
  expect(outer.size).toBe(3);
  const perOuter = [...outer.values()].map((xs) => [Math.min(...xs.map((s) => s.start)), Math.max(...xs.map((s) => s.end))] as [number, number]);
  expect(maxOverlap(perOuter)).toBe(1);
}

describe('loop parallelism on kfp-v2 and plain Argo', () => {
  it('kfp-v2 puts parallelismLimit on every limited loop task: nested, and inside a called pipeline', () => {
    const r = compileSource(new SourceFile(source, LINES.join('\n')), { backend: backendNamed('kfp-v2')! });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const spec = YAML.parseAllDocuments(r.files.find((f) => f.path === 'limited.yaml')!.text)[0]!.toJS() as { root: unknown; components: Record<string, unknown> };
    const limits: number[] = [];
    const visit = (dag: unknown): void => {
      for (const t of Object.values(((dag as { tasks?: Record<string, Record<string, unknown>> } | undefined)?.tasks ?? {}) as Record<string, Record<string, unknown>>)) {
        if (t['parameterIterator'] !== undefined) limits.push((t['iteratorPolicy'] as { parallelismLimit: number }).parallelismLimit);
      }
    };
    visit((spec.root as { dag: unknown }).dag);
    for (const c of Object.values(spec.components)) visit((c as { dag?: unknown }).dag);
    expect(limits.sort()).toEqual([1, 2, 2]);
  });

  it.each(['kfp-v2', 'argo'])('kfpdsl run --target %s honours each limit', (target) => {
    checkLimits(spans(target));
  }, 180_000);
});
