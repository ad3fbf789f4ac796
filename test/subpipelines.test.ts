/**
 * Pipelines that call pipelines (issue 15). kfp v1's recursive graph components
 * (../shared/anchors/kfp-v1/golden/recursive_while.yaml, recursive_do_while.yaml) are written in
 * .kfp in test/fixtures/subpipelines/; kfp's golden workflow and ours are both run by the
 * independent mini-runner (test/support/mini-runner.ts) with the same scripted coin flips (real
 * python3, its random.randint replaced by test/support/scripted-random/sitecustomize.py) and
 * must print the same things; ours also runs under `kfpdsl run`. Then: a sub-pipeline in a loop,
 * in a condition, in `finally`, reused (one DAG template however often it is called), recursion
 * to depth 5, and every workflow passes the strict Argo rules.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { shared, sharedDir, strictArgoErrors } from './support/argo-strict.js';
import { ensureBundle, repoRoot, runCli } from './support/cli.js';
import { evaluateWhen, runWorkflow, type RunResult } from './support/mini-runner.js';
import { runSync } from './support/run-cli.js';

type Obj = Record<string, unknown>;
const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-subpipelines-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(() => ensureBundle());

const FIXTURES = join(repoRoot, 'test', 'fixtures', 'subpipelines');
const SITE = join(repoRoot, 'test', 'support', 'scripted-random');

/** Every workflow a source compiles to, by file name, with its diagnostics' codes. */
function compile(path: string, text = readFileSync(path, 'utf8')): { workflows: Map<string, Obj>; codes: string[] } {
  const result = compileSource(new SourceFile(path, text));
  const workflows = new Map(result.files.filter((f) => f.kind === 'workflow').map((f) => [f.path, YAML.parse(f.text) as Obj]));
  return { workflows, codes: result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code) };
}

const templates = (wf: Obj): Obj[] => ((wf['spec'] as Obj)['templates'] as Obj[]);

let runs = 0;
/** Runs `wf` with the mini-runner, random.randint answering `flips` in turn; what each task printed, in a stable order. */
function miniRun(wf: Obj, flips: readonly number[]): { printed: string[]; result: RunResult } {
  const dir = join(scratch, `mini-${runs++}`);
  const script = join(scratch, `flips-${runs}`);
  writeFileSync(script, flips.join(' '));
  const saved = { PYTHONPATH: process.env['PYTHONPATH'], SCRIPTED_RANDINT: process.env['SCRIPTED_RANDINT'] };
  process.env['PYTHONPATH'] = SITE;
  process.env['SCRIPTED_RANDINT'] = script;
  try {
    const result = runWorkflow(wf, dir);
    expect(readFileSync(script, 'utf8')).toBe(''); // every scripted flip was used
    return { printed: result.tasks.map((t) => t.stdout.trim()), result };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

// heads is 0, tails 1. The first two flips are the pipeline's flipA and flipB.
const SCRIPTS: readonly (readonly number[])[] = [
  [1, 0], // flipA tails: the while loop never runs; the do-while runs once
  [0, 1, 0, 0, 1], // three rounds
  [0, 0, 0, 0, 0, 0, 1], // five rounds
];

describe.skipIf(shared.missing)(shared.title('kfp v1 recursive graph components, in .kfp'), () => {
  for (const name of ['recursive_while', 'recursive_do_while']) {
    describe(name, () => {
      // Read when a test runs: the describe's body also runs (to list the skipped tests) where ../shared is absent.
      let golden: Obj | undefined;
      const kfp = (): Obj => (golden ??= YAML.parse(readFileSync(join(sharedDir, 'anchors', 'kfp-v1', 'golden', `${name}.yaml`), 'utf8')) as Obj);
      const ours = (): Obj => {
        const { workflows, codes } = compile(join(FIXTURES, `${name}.kfp`));
        expect(codes).toEqual([]);
        return workflows.get('pipeline-flip-coin.yaml')!;
      };

      it('compiles to one recursive DAG template, which passes the strict Argo rules', () => {
        const wf = ours();
        expect(strictArgoErrors(wf)).toEqual([]);
        const graphs = templates(wf).filter((t) => String(t['name']).startsWith('graph-'));
        expect(graphs.map((t) => t['name'])).toEqual(['graph-flip-component']);
        // The recursive call names the template it is in, as kfp's graph-flip-component-1 does.
        const inner = JSON.stringify(templates(wf).filter((t) => t['dag'] && t['name'] !== 'pipeline-flip-coin'));
        expect(inner).toContain('"template":"graph-flip-component"');
      });

      for (const flips of SCRIPTS) {
        const rounds = name === 'recursive_while' ? flips.slice(2).length : flips.slice(2).length;
        it(`prints what kfp's workflow prints with flips ${flips.join(',')} (${rounds} flips in the loop)`, () => {
          const a = miniRun(ours(), flips);
          const b = miniRun(kfp(), flips);
          expect(a.printed.length).toBeGreaterThan(2);
          expect(a.printed).toEqual(b.printed);
          expect(a.printed.at(-1)).toBe(`cool, it is over. ${flips[0] === 0 ? 'heads' : 'tails'}`);
        });
      }

      it('runs under `kfpdsl run` with the same result', () => {
        // flipA and flipB run at once under `kfpdsl run`: a script where they flip alike.
        const flips = SCRIPTS[2]!;
        const expected = miniRun(kfp(), flips).printed;
        const script = join(scratch, `run-${name}`);
        writeFileSync(script, flips.join(' '));
        const r = runSync(scratch, [join(FIXTURES, `${name}.kfp`), '--pipeline', 'pipeline flip coin'], { PYTHONPATH: SITE, SCRIPTED_RANDINT: script });
        expect(r.stderr).not.toMatch(/error/);
        expect(r.status).toBe(0);
        expect(r.json!.phase).toBe('Succeeded');
        const logs = r.json!.tasks.filter((t) => t.log !== null).map((t) => readFileSync(t.log!, 'utf8').trim());
        expect(logs.sort()).toEqual([...expected].sort());
      });
    });
  }
});

describe('the mini-runner reads `when` as Argo does', () => {
  it.each([
    ['"heads" == "heads"', true],
    ['"heads" == "tails"', false],
    ['3 > 2.5', true],
    ['!("a" != "a") && (1 < 0 || 2 <= 2)', true],
  ] as const)('%s is %s', (expr, value) => {
    expect(evaluateWhen(expr)).toBe(value);
  });
});

/** Writes files under a fresh directory; returns it. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'project-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const COMPONENTS = `
component step(label: str, n: int) -> (out: str) {
  image: "python:3.12"
  command: ["sh", "-c", "mkdir -p \\"$(dirname \\"$2\\")\\" && echo \\"$0-$1\\" | tee \\"$2\\"", label, n, out]
}
component show(text: str) { image: "alpine:3.19" command: ["echo", text] }
component inc(n: int) -> int {
  \`\`\`python
  return n + 1
  \`\`\`
}
`;

describe('pipelines called from a loop, a condition and finally', () => {
  const source = `${COMPONENTS}
pipeline sub "sub" (label: str, n: int = 0) -> (out: str = s.out) {
  s = step(label, n)
}

pipeline "main" (flag: bool = true) {
  for n in [1, 2, 3] {
    r = sub("loop", n)
    show(r.out)
  }
  if flag {
    c = sub("cond")
    show(c)
  }
  show(sub("inline", n: 7))
  finally { sub("finally", 9) }
}
`;
  const dir = project({ 'main.kfp': source });
  const main = join(dir, 'main.kfp');

  it('lowers every call to the one DAG template of the called pipeline, and passes the strict rules', () => {
    const { workflows, codes } = compile(main, source);
    expect(codes).toEqual([]);
    const wf = workflows.get('main.yaml')!;
    // The strict rules read the Argo schema from ../shared: checked where it is there.
    if (!shared.missing) expect(strictArgoErrors(wf)).toEqual([]);
    const callers = templates(wf).flatMap((t) => ((t['dag'] as Obj | undefined)?.['tasks'] as Obj[] | undefined) ?? []).filter((t) => t['template'] === 'graph-sub');
    expect(callers).toHaveLength(4); // loop, condition, inline, finally
    expect(templates(wf).filter((t) => String(t['name']).startsWith('graph-')).map((t) => t['name'])).toEqual(['graph-sub']);
    const sub = templates(wf).find((t) => t['name'] === 'graph-sub')!;
    expect(sub['outputs']).toEqual({ parameters: [{ name: 'out', valueFrom: { parameter: '{{tasks.s.outputs.parameters.step-out}}' } }] });
  });

  it('runs under `kfpdsl run`: each call runs the sub-pipeline with its arguments, and its output reaches the caller', () => {
    const r = runSync(scratch, [main, '--pipeline', 'main']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.json!.phase).toBe('Succeeded');
    const outs = r.json!.tasks.filter((t) => t.template === 'step').map((t) => readFileSync(t.log!, 'utf8').trim()).sort();
    expect(outs).toEqual(['cond-0', 'finally-9', 'inline-7', 'loop-1', 'loop-2', 'loop-3']);
    const shown = r.json!.tasks.filter((t) => t.template === 'show').map((t) => readFileSync(t.log!, 'utf8').trim()).sort();
    expect(shown).toEqual(['cond-0', 'inline-7', 'loop-1', 'loop-2', 'loop-3']);
  });

  it('with the condition false, the call in it is skipped (and without --pipeline, the one pipeline no other calls runs)', () => {
    const r = runSync(scratch, [main, '--arg', 'flag=false']);
    expect(r.json!.phase).toBe('Succeeded');
    const outs = r.json!.tasks.filter((t) => t.template === 'step' && t.phase === 'Succeeded').map((t) => readFileSync(t.log!, 'utf8').trim()).sort();
    expect(outs).toEqual(['finally-9', 'inline-7', 'loop-1', 'loop-2', 'loop-3']);
  });
});

describe('which pipeline a command takes without --pipeline', () => {
  const two = `${COMPONENTS}
pipeline sub "sub" (label: str) -> (out: str = s.out) {
  s = step(label, 1)
}

pipeline "main" () {
  show(sub("x"))
}
`;
  const dir = project({ 'two.kfp': two, 'three.kfp': `${two}\npipeline "other" () {\n  show(sub("y"))\n}\n` });

  it('graph draws the pipeline no other calls', () => {
    const r = runCli(['graph', join(dir, 'two.kfp')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('pipeline sub');
  });

  it('with two pipelines that no other calls, it still asks, naming only those two', () => {
    const r = runCli(['graph', join(dir, 'three.kfp')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('2 pipelines that no other calls ("main", "other"); choose one with --pipeline');
  });
});

describe('recursion', () => {
  const source = `${COMPONENTS}
pipeline count_to "count to" (n: int, limit: int) -> (out: str = s.out) {
  s = step("depth", n)
  if n < limit {
    count_to(inc(n), limit)
  }
}

pipeline "main" (limit: int = 5) {
  first = count_to(1, limit)
  show(first.out)
}
`;
  const dir = project({ 'main.kfp': source });
  const main = join(dir, 'main.kfp');

  it('to depth 5: the pipeline runs five times, each one level deeper, and stops when its condition fails', () => {
    const { workflows } = compile(main, source);
    if (!shared.missing) expect(strictArgoErrors(workflows.get('main.yaml')!)).toEqual([]);
    const r = runSync(scratch, [main, '--pipeline', 'main']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.json!.phase).toBe('Succeeded');
    const depths = r.json!.tasks.filter((t) => t.template === 'step' && t.phase === 'Succeeded').map((t) => readFileSync(t.log!, 'utf8').trim()).sort();
    expect(depths).toEqual(['depth-1', 'depth-2', 'depth-3', 'depth-4', 'depth-5']);
    const shown = r.json!.tasks.filter((t) => t.template === 'show').map((t) => readFileSync(t.log!, 'utf8').trim());
    expect(shown).toEqual(['depth-1']);
  });

  it('the mini-runner agrees', () => {
    const { workflows } = compile(main, source);
    const ran = runWorkflow(workflows.get('main.yaml')!, join(scratch, 'mini-recursion'), { limit: '5' });
    // The condition needs only parameters: each level recurses before (or while) it runs its own step.
    expect(ran.tasks.filter((t) => t.template === 'step').map((t) => t.stdout.trim()).sort()).toEqual(['depth-1', 'depth-2', 'depth-3', 'depth-4', 'depth-5']);
  });

  it('a recursion whose condition never fails is stopped by the depth limit, which the run reports', () => {
    const forever = project({
      'forever.kfp': `${COMPONENTS}
pipeline forever "forever" (n: int) {
  if n > 0 { forever(n) }
}
pipeline "main" () { forever(1) }
`,
    });
    const r = runSync(scratch, [join(forever, 'forever.kfp'), '--pipeline', 'main']);
    expect(r.status).not.toBe(0);
    expect(['Failed', 'Error']).toContain(r.json!.phase);
    expect(JSON.stringify(r.json!.tasks.map((t) => t.message))).toMatch(/nested more than 200 deep \(at \\"graph-forever\\"\): a pipeline that calls itself/);
  });
});

describe('train until good (examples/subpipelines.kfp before every example had to build for kfp-v2)', () => {
  it('recurses with twice the epochs until the score reaches the target, under `kfpdsl run`', () => {
    const r = runSync(scratch, [join(FIXTURES, 'train_until_good.kfp'), '--pipeline', 'subpipelines']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.json!.phase).toBe('Succeeded');
    const reports = r.json!.tasks.filter((t) => t.template === 'report' && t.log).map((t) => readFileSync(t.log!, 'utf8').trim());
    // The loop's three calls, then 1, 2, 4 and 8 epochs: 0.9961 is the first score above 0.95.
    expect(reports.sort()).toEqual(['1 epochs: score 0.5', '1 epochs: score 0.5', '2 epochs: score 0.75', '2 epochs: score 0.75', '4 epochs: score 0.9375', '4 epochs: score 0.9375', '8 epochs: score 0.9961']);
  });
});

describe('pipelines of .kfp modules', () => {
  const dir = project({
    'lib/train.kfp': `${COMPONENTS}
pipeline train "train" (n: int = 1) -> (model: str = f.out) {
  f = step("lib", n)
  report(f.out)
}
pipeline report "report" (text: str) { show(text) }
`,
    'main.kfp': `import "lib/train.kfp" as lib

component show(text: str) { image: "alpine:3.19" command: ["echo", "main", text] }

pipeline train "local" () { show("local") }

pipeline "main" () {
  for n in [1, 2] {
    t = lib.train(n)
    show(t.model)
  }
  train()
}
`,
  });

  it('are called through the alias, beside a local pipeline of the same name, and run', () => {
    const r = runSync(scratch, [join(dir, 'main.kfp'), '--pipeline', 'main']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.json!.phase).toBe('Succeeded');
    const logs = r.json!.tasks.map((t) => readFileSync(t.log!, 'utf8').trim()).sort();
    expect(logs).toEqual(['lib-1', 'lib-1', 'lib-2', 'lib-2', 'main lib-1', 'main lib-2', 'main local']);
    const built = compile(join(dir, 'main.kfp'));
    const names = templates(built.workflows.get('main.yaml')!).map((t) => t['name']);
    expect(names).toEqual(expect.arrayContaining(['graph-lib-train', 'graph-report', 'graph-train', 'show', 'show-2']));
  });

  it('an argument of the wrong type is an error located in the caller', () => {
    const text = readFileSync(join(dir, 'main.kfp'), 'utf8').replace('lib.train(n)', 'lib.train("x")');
    const { codes } = compile(join(dir, 'main.kfp'), text);
    expect(codes).toEqual(['KFP3001']);
  });
});
