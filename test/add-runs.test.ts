/**
 * Runs the compiled add example for real (test/support/mini-runner.ts: the DAG in dependency
 * order, parameters substituted, /tmp/outputs remapped to a temp dir, `command + args` executed
 * with the local sh and python3), with value_1=3 and value_2=2 (the default): sum=5, diff=1,
 * multiply=5. The hand-reconstructed kfp v1 YAML of the same tutorial pipeline
 * (test/fixtures/kfp-v1-add-example.yaml) is run the same way and must compute the same values
 * per component: the compiled workflow computes exactly as kfp v1's own YAML does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { repoRoot } from './support/cli.js';
import { runWorkflow, type RunResult, type TaskRun } from './support/mini-runner.js';
import { requirement } from './support/requirements.js';

const python = requirement(spawnSync('python3', ['--version']).status === 0 && spawnSync('sh', ['-c', 'command -v mktemp']).status === 0, '`python3` or `mktemp` is not on PATH');

const tmpDirs: string[] = [];
const tmp = (label: string): string => {
  const d = mkdtempSync(join(tmpdir(), `kfpdsl-run-${label}-`));
  tmpDirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

function ourWorkflow(): unknown {
  const result = compileSource(new SourceFile('examples/add.kfp', readFileSync(join(repoRoot, 'examples/add.kfp'), 'utf8')));
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const wf = result.files.find((f) => f.kind === 'workflow');
  if (!wf) throw new Error('examples/add.kfp produced no workflow');
  return parse(wf.text) as unknown;
}

function kfpWorkflow(): unknown {
  return parse(readFileSync(join(repoRoot, 'test/fixtures/kfp-v1-add-example.yaml'), 'utf8')) as unknown;
}

/** Output value of each task, keyed by its component name; from the `Output` artifact file. */
function resultsByComponent(run: RunResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of run.tasks) {
    const files = Object.values(t.artifacts);
    expect(files, `${t.path}: one output artifact`).toHaveLength(1);
    out[t.component ?? t.template] = readFileSync(files[0]!, 'utf8');
  }
  return out;
}

function byPath(run: RunResult): Record<string, TaskRun> {
  return Object.fromEntries(run.tasks.map((t) => [t.path, t]));
}

describe.skipIf(python.missing)(python.title('the add example runs (local sh + python3)'), () => {
  let ours: RunResult | undefined;
  const oursRun = (): RunResult => (ours ??= runWorkflow(ourWorkflow(), tmp('ours'), { value_1: '3' }));

  it('our workflow computes sum=5, diff=1, multiply=5 with value_1=3 and the default value_2=2', () => {
    const run = oursRun();
    const tasks = byPath(run);
    expect(Object.keys(tasks).sort()).toEqual(['diff', 'multiply', 'sum']);
    expect(readFileSync(tasks['sum']!.artifacts['add-Output']!, 'utf8')).toBe('5');
    expect(readFileSync(tasks['diff']!.artifacts['subtract-Output']!, 'utf8')).toBe('1');
    expect(readFileSync(tasks['multiply']!.artifacts['multiply-Output']!, 'utf8')).toBe('5');
    // multiply ran after both producers, with their values.
    expect(run.tasks.map((t) => t.path).indexOf('multiply')).toBe(2);
    expect(tasks['multiply']!.argv.slice(-4, -2)).toEqual(['--value-1=5', '--value-2=1']);
  });

  it('an explicit value_2 overrides the default', () => {
    const run = runWorkflow(ourWorkflow(), tmp('ours-override'), { value_1: '10', value_2: '4' });
    expect(resultsByComponent(run)).toEqual({ Add: '14', Subtract: '6', Multiply: '84' });
  });

  it("kfp v1's YAML (hand-reconstructed) computes the same, component by component", () => {
    const kfp = runWorkflow(kfpWorkflow(), tmp('kfp'), { value_1: '3' });
    expect(Object.keys(byPath(kfp)).sort()).toEqual(['add', 'multiply', 'subtract']);
    expect(resultsByComponent(kfp)).toEqual({ Add: '5', Subtract: '1', Multiply: '5' });
    expect(resultsByComponent(oursRun())).toEqual(resultsByComponent(kfp));
  });

  it('both agree on other inputs too (negative numbers, value_2 override)', () => {
    const cases: Record<string, string>[] = [
      { value_1: '-7', value_2: '3' },
      { value_1: '0' },
      { value_1: '123456789', value_2: '-987654321' },
    ];
    for (const params of cases) {
      const a = resultsByComponent(runWorkflow(ourWorkflow(), tmp('ours-more'), params));
      const b = resultsByComponent(runWorkflow(kfpWorkflow(), tmp('kfp-more'), params));
      expect(a, JSON.stringify(params)).toEqual(b);
    }
  });

  it('a non-integer argument fails in both, as argparse type=int rejects it', () => {
    expect(() => runWorkflow(ourWorkflow(), tmp('ours-bad'), { value_1: 'x' })).toThrow(/invalid int value/);
    expect(() => runWorkflow(kfpWorkflow(), tmp('kfp-bad'), { value_1: 'x' })).toThrow(/invalid int value/);
  });
});
