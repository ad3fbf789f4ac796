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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { shared, sharedDir, strictArgoErrors } from './support/argo-strict.js';
import { ensureBundle, repoRoot } from './support/cli.js';
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
      const kfp = YAML.parse(readFileSync(join(sharedDir, 'anchors', 'kfp-v1', 'golden', `${name}.yaml`), 'utf8')) as Obj;
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
          const b = miniRun(kfp, flips);
          expect(a.printed.length).toBeGreaterThan(2);
          expect(a.printed).toEqual(b.printed);
          expect(a.printed.at(-1)).toBe(`cool, it is over. ${flips[0] === 0 ? 'heads' : 'tails'}`);
        });
      }

      it('runs under `kfpdsl run` with the same result', () => {
        // flipA and flipB run at once under `kfpdsl run`: a script where they flip alike.
        const flips = SCRIPTS[2]!;
        const expected = miniRun(kfp, flips).printed;
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
