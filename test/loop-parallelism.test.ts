/**
 * `for … parallelism N` limits how many iterations run at once, on a cluster and locally.
 * Argo applies a DAG template's `parallelism` to the child nodes of that DAG, and a loop's
 * iterations are children of the DAG holding the expanded loop task, so the limit must sit on
 * that DAG (kfp v1 put it on the loop body, where it limits nothing: kubeflow/pipelines#6588).
 *
 * Three independent checks: `kfpdsl run` runs real python3 tasks that record when each
 * iteration starts and ends, and the most iterations overlapping is N (more than one, so the
 * loop does run in parallel); the independent executor test/support/mini-runner.ts, which
 * schedules a DAG's children by Argo's rule, never has more than N iterations active; the
 * strict Argo validator accepts the workflow. Overlap is counted from the recorded intervals,
 * never compared with durations.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { haveShared, shared, strictArgoErrors } from './support/argo-strict.js';
import { runCli } from './support/cli.js';
import { runWorkflow } from './support/mini-runner.js';

const root = mkdtempSync(join(tmpdir(), 'kfpdsl-loop-parallelism-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ITEMS = [1, 2, 3, 4, 5, 6, 7, 8];
const LIMIT = 3;

/** Each iteration records its start and end (seconds since the epoch) as its output. */
const source = (body: string): string => `component timed(n: int, pause: float) -> str {
  \`\`\`python
  import time
  start = time.time()
  time.sleep(pause)
  return f"{n} {start} {time.time()}"
  \`\`\`
}
component summary(spans: list) -> str {
  \`\`\`python
  return str(len(spans))
  \`\`\`
}
pipeline "limited" (pause: float = 1.5) {
${body}
}
`;

const FLAT = `  for n in ${JSON.stringify(ITEMS)} parallelism ${LIMIT} {
    spans = timed(n, pause)
  }
  summary(spans)`;

/** The loop over a task's output (withParam) and inside a condition: the limit must hold there too. */
const NESTED = `  numbers = make_list()
  if pause > 0 {
    for n in numbers parallelism ${LIMIT} {
      spans = timed(n, pause)
    }
  }`;

const MAKE_LIST = `component make_list() -> list {
  \`\`\`python
  return ${JSON.stringify(ITEMS)}
  \`\`\`
}
`;

/** An inner limited loop inside an outer one, both over task outputs, reading a file made outside both. */
const NESTED_WITH_FILE = `component make(n: int) -> list {
  \`\`\`python
  return list(range(n))
  \`\`\`
}
component writer() -> (out: file) {
  \`\`\`python
  with open(out, "w") as f:
      f.write("hello")
  \`\`\`
}
component show(a: int, b: int, text: file, tag: str) -> str {
  \`\`\`python
  return f"{a}-{b}-{open(text).read()}-{tag}"
  \`\`\`
}
component total(values: list) -> int {
  \`\`\`python
  return len(values)
  \`\`\`
}
pipeline "nested" (tag: str = "t") {
  xs = make(3)
  w = writer()
  for a in xs parallelism 2 {
    ys = make(2)
    for b in ys parallelism 1 {
      s = show(a, b, w.out, tag)
    }
    t = total(s)
  }
  total(t)
}
`;

function compile(text: string): unknown {
  const r = compileSource(new SourceFile('limited.kfp', text));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text);
}

/** The most intervals open at one instant. */
function maxOverlap(spans: readonly [number, number][]): number {
  const events = spans.flatMap(([s, e]) => [[s, 1], [e, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of events) most = Math.max(most, (open += d));
  return most;
}

describe('loop parallelism', () => {
  it.each([['a literal list', source(FLAT)], ['a task output inside a condition', MAKE_LIST + source(NESTED)]])('kfpdsl run limits the iterations over %s', (_what, text) => {
    const file = join(root, `loop-${text.length}.kfp`);
    writeFileSync(file, text);
    // --parallelism well above the limit: only the loop's own limit may hold the iterations back.
    const r = runCli(['run', file, '--run-dir', join(root, 'runs'), '--format', 'json', '--skip-packages', '--parallelism', '16']);
    expect(r.status, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as { tasks: { template: string; outputs: { artifacts: Record<string, string> } }[] };
    const spans = run.tasks
      .filter((t) => t.template === 'timed')
      .map((t) => readFileSync(Object.values(t.outputs.artifacts)[0]!, 'utf8').split(' ').map(Number))
      .map(([, s, e]) => [s!, e!] as [number, number]);
    expect(spans).toHaveLength(ITEMS.length);
    const overlap = maxOverlap(spans);
    expect(overlap).toBeLessThanOrEqual(LIMIT);
    expect(overlap).toBeGreaterThan(1);
  }, 180_000);

  it('limited loops nest, and values and files from outside cross into them', () => {
    const file = join(root, 'nested.kfp');
    writeFileSync(file, NESTED_WITH_FILE);
    const r = runCli(['run', file, '--run-dir', join(root, 'runs'), '--format', 'json', '--skip-packages', '--parallelism', '16']);
    expect(r.status, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as { tasks: { name: string; template: string; outputs: { artifacts: Record<string, string> } }[] };
    const read = (template: string): string[] =>
      run.tasks.filter((t) => t.template === template).map((t) => readFileSync(Object.values(t.outputs.artifacts)[0]!, 'utf8')).sort();
    expect(read('show')).toEqual(['0-0-hello-t', '0-1-hello-t', '1-0-hello-t', '1-1-hello-t', '2-0-hello-t', '2-1-hello-t']);
    expect(read('total')).toEqual(['2', '2', '2', '3']);
  }, 180_000);

  it('the independent executor, scheduling by Argo\'s rule, never has more than the limit active', () => {
    const wf = compile(source(FLAT).replace('pause: float = 1.5', 'pause: float = 0'));
    const result = runWorkflow(wf, join(root, 'mini'));
    expect(result.tasks.filter((t) => t.template === 'timed')).toHaveLength(ITEMS.length);
    const holder = result.dags.find((d) => d.children === ITEMS.length)!;
    expect(holder.maxActive).toBe(LIMIT);
    // The fan-in after the loop received every iteration's output.
    const summary = result.tasks.find((t) => t.template === 'summary')!;
    expect(readFileSync(Object.values(summary.artifacts)[0]!, 'utf8')).toBe(String(ITEMS.length));
  }, 120_000);

  it('puts the limit on a DAG template that holds only the expanded loop task', () => {
    const wf = compile(source(FLAT)) as { spec: { templates: { name: string; parallelism?: number; dag?: { tasks: Record<string, unknown>[] } }[] } };
    const limited = wf.spec.templates.filter((t) => t.parallelism !== undefined);
    expect(limited.map((t) => [t.name, t.parallelism])).toEqual([['for-loop-1-parallelism', LIMIT]]);
    expect(limited[0]!.dag!.tasks).toHaveLength(1);
    expect(limited[0]!.dag!.tasks[0]!['withItems']).toEqual(ITEMS);
  });

  it.runIf(haveShared)(shared.title('passes the strict Argo validator'), () => {
    expect(strictArgoErrors(compile(source(FLAT)))).toEqual([]);
    expect(strictArgoErrors(compile(MAKE_LIST + source(NESTED)))).toEqual([]);
    expect(strictArgoErrors(compile(NESTED_WITH_FILE))).toEqual([]);
  });
});
