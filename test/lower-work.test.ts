/**
 * The work lowering does, counted rather than timed: a container task's template is built once
 * per task shape (component, which inputs are given and how, settings), however many tasks
 * share it; every later task of a shape only computes its arguments. Reusing shapes must not
 * change a byte: every example and a pipeline mixing shapes are compared with the output of
 * building every task's template (`lowerWork.reuseShapes = false`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bigPipeline as chain } from '../bench/chain.mjs';
import { compileSource, type OutputFile } from '../src/compile.js';
import { shapeWork } from '../src/lower/shape.js';
import { lowerWork } from '../src/lower/workflow.js';
import { SourceFile } from '../src/source.js';
import { repoRoot } from './support/cli.js';

function build(text: string, path = '/tmp/kfpdsl-lower-work/p.kfp'): { files: readonly OutputFile[]; built: number } {
  const before = lowerWork.templatesBuilt;
  const r = compileSource(new SourceFile(path, text), { root: '/tmp/kfpdsl-lower-work' });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { files: r.files, built: lowerWork.templatesBuilt - before };
}

/** The same build with every task's template built from scratch. */
function buildUnshared(text: string, path?: string): readonly OutputFile[] {
  lowerWork.reuseShapes = false;
  try {
    return build(text, path).files;
  } finally {
    lowerWork.reuseShapes = true;
  }
}

afterEach(() => {
  lowerWork.reuseShapes = true;
});

const MIXED = `
component echo(text: str, times: int = 1) -> (out: file) {
  image: "alpine:3.19"
  command: ["sh", "-c", "for i in $(seq \\"$1\\"); do echo \\"$0\\"; done > \\"$2\\"", text, times, out]
}

component shout(text: str, suffix: str = null) -> (out: file) {
  image: "alpine:3.19"
  command: ["sh", "-c", "echo \\"$0\\" > \\"$1\\""]
  args: [concat(text, "!"), out, if_present(suffix, [concat("--suffix=", suffix)])]
}

component read(f: file, n: int) -> int {
  \`\`\`python
  with open(f) as h:
      return len(h.read()) + n
  \`\`\`
}

pipeline "mixed" (greeting: str = "hi", k: int = 2, mem: str = "1G") {
  a = echo(greeting)
  b = echo(greeting, times: 3)
  c = echo("constant", times: k)
  shout(greeting)
  shout(greeting, suffix: "x")
  shout(greeting, suffix: greeting)
  r1 = read(a.out, 1)
  read("a constant file", 2)
  read("another constant file", r1)
  read("a constant file", 7)
  read(b.out, 3) {
    memory: mem
  }
  read(b.out, 8) {
    memory: mem
  }
  read(c.out, 4) {
    memory: "2G"
  }
  read(c.out, 5) {
    memory: "2G"
  }
  read(a.out, 6) {
    memory: mem
    retry: 2
  }
  if r1 > 2 {
    echo(greeting, times: r1)
    read(a.out, k)
  }
  for x in [1, 2, 3] {
    echo(greeting, times: x)
    read(b.out, x)
  }
}
`;

describe('container templates are built per task shape, not per task', () => {
  it('a chain of 2,000 tasks builds as many templates as one of 200: one', () => {
    const small = build(chain(200));
    const large = build(chain(2_000));
    expect(small.built).toBe(1);
    expect(large.built).toBe(small.built);
  });

  it('each pipeline is shaped once, also where another pipeline calls it', () => {
    let before = shapeWork.pipelines;
    build(chain(300));
    expect(shapeWork.pipelines - before).toBe(1);
    const path = join(repoRoot, 'examples', 'subpipelines.kfp');
    const text = readFileSync(path, 'utf8');
    const pipelines = (text.match(/^pipeline /gm) ?? []).length;
    expect(pipelines).toBeGreaterThan(1);
    before = shapeWork.pipelines;
    const r = compileSource(new SourceFile(path, text), { root: repoRoot });
    expect(r.files.length).toBeGreaterThan(0);
    expect(shapeWork.pipelines - before).toBe(pipelines);
  });

  it('without reuse every task builds its template: the count follows the tasks', () => {
    const before = lowerWork.templatesBuilt;
    buildUnshared(chain(200));
    expect(lowerWork.templatesBuilt - before).toBe(200);
  });

  it('tasks whose templates hold their own values are built each time (constant file inputs, settings from values)', () => {
    const { built } = build(MIXED);
    // 19 container tasks of 14 shapes. Built: the first task of each shape (14), and again the
    // second task of a shape that holds the task's own values: read("a constant file", …) and
    // read(b.out, …) with memory from a parameter (16). Reused: read(c.out) with memory "2G",
    // and in the loop both tasks, whose shapes (a value for each input) the tasks in the
    // condition built first.
    expect(built).toBe(16);
  });

  it('a pipeline mixing shapes compiles to the same bytes with and without reuse', () => {
    const shared = build(MIXED).files;
    expect(shared.map((f) => f.path)).toEqual(buildUnshared(MIXED).map((f) => f.path));
    expect(shared.map((f) => f.text)).toEqual(buildUnshared(MIXED).map((f) => f.text));
  });

  const examples = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.kfp')).sort();
  it.each(examples)('examples/%s compiles to the same bytes with and without reuse', (name) => {
    const path = join(repoRoot, 'examples', name);
    const text = readFileSync(path, 'utf8');
    const r = compileSource(new SourceFile(path, text), { root: repoRoot });
    lowerWork.reuseShapes = false;
    const unshared = compileSource(new SourceFile(path, text), { root: repoRoot });
    lowerWork.reuseShapes = true;
    expect(r.files.length).toBeGreaterThan(0);
    expect(r.files.map((f) => [f.path, f.text])).toEqual(unshared.files.map((f) => [f.path, f.text]));
  });
});
