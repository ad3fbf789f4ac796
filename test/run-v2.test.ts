/**
 * `kfpdsl run --target kfp-v2` and `kfpdsl run SPEC.yaml`: the KFP v2 pipeline spec run by the
 * v2 executor (src/run/v2/), for real (the bundled CLI, this machine's sh and python3).
 *
 * The v1 and v2 runs of one .kfp file must give the same task results: every example that
 * builds for kfp-v2 is run both ways with the same `--seed`. `--seed` sets KFPDSL_SEED but does
 * not seed Python's `random` (README), so the runs here put a `sitecustomize.py` on PYTHONPATH
 * that seeds it from KFPDSL_SEED: the examples that draw random numbers draw the same ones.
 *
 * The two targets name tasks differently (v1 after the variable, `doubled`; v2 as KFP's
 * compiler does, after the component, `print-op`) and name loops' and components' templates
 * differently (`for-loop-2`, `comp-add-2`), so a task is compared by its component, its loop
 * indices, its status and the values of its outputs (parameters, and files by their text).
 */
import { entryPipelines } from '../src/check/pipeline-calls.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendNamed } from '../src/backends/index.js';
import { compileSource } from '../src/compile.js';
import { hasErrors } from '../src/diagnostics/diagnostic.js';
import { CelError, evalCel, parseCel } from '../src/run/v2/cel.js';
import type { ParamValue } from '../src/run/v2/values.js';
import { SourceFile } from '../src/source.js';
import { ensureBundle, repoRoot } from './support/cli.js';
import { hermeticEnv, kfpdslBin, runAsync, runSync, waitFor, writeKfp, type CliRun, type RunTask } from './support/run-cli.js';

let scratch = '';
let seeded = '';
beforeAll(() => {
  ensureBundle();
  scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-run-v2-'));
  seeded = join(scratch, 'seeded');
  mkdirSync(seeded);
  writeFileSync(join(seeded, 'sitecustomize.py'), 'import os, random\nif os.environ.get("KFPDSL_SEED"):\n    random.seed(int(os.environ["KFPDSL_SEED"]))\n');
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The one file of that name under `dir` (build mirrors the source's directories). */
function findFile(dir: string, name: string): string {
  const found = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(name));
  expect(found).toHaveLength(1);
  return join(dir, found[0]!);
}

const run = (args: readonly string[], env: Record<string, string | undefined> = {}): CliRun => runSync(scratch, args, { PYTHONPATH: seeded, ...env });

/** The component a task ran, the same for both targets: `print-op` from `print-op-2` (v1) or `comp-print-op-2` (v2). */
const componentOf = (template: string): string => template.replace(/^comp-/, '').replace(/-\d+$/, '');

/** An output's name, the same for both targets: v1 prefixes the template (`print-op-Output`) and spells ports for Kubernetes. */
const outputName = (t: RunTask, name: string): string => name.replace(new RegExp(`^${t.template}-`), '').replace(/_/g, '-').toLowerCase();

const fileText = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8').replace(/\n$/, '') : '<missing>');

/** A run's tasks as comparable lines: `component(indices) Phase name=value …`, sorted. */
function results(r: CliRun): string[] {
  expect(r.json, r.stderr).toBeDefined();
  return r.json!.tasks
    .map((t) => {
      const outputs = new Map<string, string>();
      // kfp-v1 keeps an output both as a parameter and as a file; the parameter wins.
      for (const [n, path] of Object.entries(t.outputs.artifacts)) outputs.set(outputName(t, n), fileText(path));
      for (const [n, v] of Object.entries(t.outputs.parameters)) outputs.set(outputName(t, n), v);
      const indices = [...t.id.matchAll(/\((\d+)\)/g)].map((m) => m[1]).join(',');
      const shown = [...outputs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, v]) => `${n}=${JSON.stringify(v)}`);
      return [`${componentOf(t.template)}${indices ? `(${indices})` : ''}`, t.phase, ...shown].join(' ');
    })
    .sort();
}

/** A value each pipeline parameter without a default can take. */
function requiredArgs(path: string): string[] {
  const compiled = compileSource(new SourceFile(path, readFileSync(path, 'utf8')));
  const sample: Record<string, string> = { int: '3', float: '1.5', str: 'hello', bool: 'true', list: '[1, 2]', dict: '{"a": 1}' };
  // The pipeline `run` takes: the one no other pipeline of the file calls.
  const p = entryPipelines(compiled.program!.pipelines)[0]!;
  return p.params.filter((q) => q.default === undefined).flatMap((q) => ['--arg', `${q.name}=${sample[q.type] ?? 'x'}`]);
}

const examples = readdirSync(join(repoRoot, 'examples'))
  .filter((f) => f.endsWith('.kfp'))
  .sort();
/** The examples that build for kfp-v2 (a pipeline call builds once the kfp-v2 backend has sub-DAGs). */
const v2Examples = examples.filter((f) => {
  const path = join(repoRoot, 'examples', f);
  return !hasErrors(compileSource(new SourceFile(path, readFileSync(path, 'utf8')), { backend: backendNamed('kfp-v2')! }).diagnostics);
});

describe('every example that builds for kfp-v2 runs with the same task results on both targets', () => {
  it('every example builds for kfp-v2', () => {
    expect(v2Examples).toEqual(examples);
  });

  it.each(v2Examples)('examples/%s', (f) => {
    const path = `examples/${f}`;
    const args = [path, '--seed', '7', ...requiredArgs(join(repoRoot, path)), '--format', 'json'];
    // resources.kfp reads a secret into its env; a local run takes it from KFPDSL_SECRET_<NAME>_<KEY> (README, run).
    const secrets = { KFPDSL_SECRET_DB_CREDS_PASSWORD: 'hunter2' };
    const v1 = run([...args, '--target', 'kfp-v1'], secrets);
    const v2 = run([...args, '--target', 'kfp-v2'], secrets);
    expect(v1.status, v1.stderr).toBe(0);
    expect(v2.status, v2.stderr).toBe(0);
    expect(v2.json!.phase).toBe(v1.json!.phase);
    // A created volume is a resource task pair on v1 (the claim's manifest, `delete-data`) and
    // kfp-kubernetes' createpvc/deletepvc on v2: the example's own components are compared
    // result by result, the volume's tasks by number and status.
    const own = new Set(compileSource(new SourceFile(join(repoRoot, path), readFileSync(join(repoRoot, path), 'utf8'))).program!.components.map((c) => c.name.replace(/_/g, '-').toLowerCase()));
    const isOwn = (line: string): boolean => own.has(line.split(/[ (]/)[0]!);
    expect(results(v2).filter(isOwn)).toEqual(results(v1).filter(isOwn));
    const volumeTasks = (r: CliRun): string[] => results(r).filter((l) => !isOwn(l)).map((l) => l.split(' ')[1]!);
    expect(volumeTasks(v2)).toEqual(volumeTasks(v1));
    // Metrics are read from v2's system.Metrics artifacts as from v1's mlpipeline-metrics.
    const metrics = (r: CliRun): unknown => (r.json as unknown as { metrics: unknown }).metrics;
    expect(metrics(v2)).toEqual(metrics(v1));
    // The v2 run ran the spec: it is in the run directory, as `build --target kfp-v2` writes it.
    const built = compileSource(new SourceFile(join(repoRoot, path), readFileSync(join(repoRoot, path), 'utf8')), { backend: backendNamed('kfp-v2')! });
    const spec = readFileSync(join(v2.dir!, 'pipeline.yaml'), 'utf8');
    expect(spec).toContain('schemaVersion: 2.1.0');
    expect(built.files.some((file) => file.text === spec)).toBe(true);
  });
});

describe('v2 semantics, each run both ways', () => {
  it('a failing task: what waits for it is Omitted, the run Failed; the exit task runs after the failure', () => {
    const file = writeKfp(scratch, 'fails.kfp', [
      'component boom(x: int) -> int {',
      '  ```python',
      '  if x > 1:',
      '      raise ValueError("too big: %d" % x)',
      '  return x',
      '  ```',
      '}',
      '',
      'component echo(msg: str) -> str {',
      '  ```python',
      '  print(msg)',
      '  return msg',
      '  ```',
      '}',
      '',
      'pipeline "Fails" (n: int = 2) {',
      '  a = boom(n)',
      '  echo("after a") after a',
      '  finally {',
      '    echo("cleanup")',
      '  }',
      '}',
    ]);
    const v1 = run([file, '--target', 'kfp-v1', '--format', 'json']);
    const v2 = run([file, '--target', 'kfp-v2']);
    expect(v1.status).toBe(1);
    expect(v2.status, v2.stderr).toBe(1);
    expect(v2.json!.phase).toBe('Failed');
    expect(results(v2)).toEqual(results(v1));
    expect(results(v2)).toEqual(['boom Failed', 'echo Omitted', 'echo Succeeded output="cleanup"']);
    // The failure's log is shown, the exit task is marked as `finally`, and its log says it ran.
    expect(v2.stderr).toContain('ValueError: too big: 2');
    expect(v2.stdout).toMatch(/echo-\d \(finally\)\s+Succeeded/);
    const cleanup = v2.json!.tasks.find((t) => t.phase === 'Succeeded')!;
    expect(readFileSync(cleanup.log!, 'utf8')).toContain('cleanup');
    // With n = 1 nothing fails.
    const ok = run([file, '--target', 'kfp-v2', '--arg', 'n=1', '--format', 'json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(results(ok)).toEqual(['boom Succeeded output="1"', 'echo Succeeded output="after a"', 'echo Succeeded output="cleanup"']);
  });

  it('a condition, true and false, with elif and else', () => {
    const file = writeKfp(scratch, 'cond.kfp', [
      'component say(msg: str) -> str {',
      '  ```python',
      '  return msg',
      '  ```',
      '}',
      '',
      'pipeline "Cond" (x: int, name: str = "abc") {',
      '  if x > 5 {',
      '    say("big")',
      '  } elif x == 5 and name == "abc" {',
      '    say("five")',
      '  } else {',
      '    say("small")',
      '  }',
      '}',
    ]);
    for (const [x, expected] of [['7', 'big'], ['5', 'five'], ['2', 'small']] as const) {
      const v1 = run([file, '--target', 'kfp-v1', '--arg', `x=${x}`, '--format', 'json']);
      const v2 = run([file, '--target', 'kfp-v2', '--arg', `x=${x}`, '--format', 'json']);
      expect(v2.status, v2.stderr).toBe(0);
      expect(results(v2)).toEqual(results(v1));
      const ran = v2.json!.tasks.filter((t) => t.phase === 'Succeeded').map((t) => t.outputs.parameters['Output']);
      expect(ran).toEqual([expected]);
      expect(v2.json!.tasks.filter((t) => t.phase === 'Skipped')).toHaveLength(2);
    }
  });

  it('a loop over a task output with parallelism 1 runs one iteration at a time, and a fan-in collects every output', () => {
    const file = writeKfp(scratch, 'loop.kfp', [
      'component items() -> list {',
      '  ```python',
      '  return [3, 1, 2]',
      '  ```',
      '}',
      '',
      'component square(x: int) -> int {',
      '  ```python',
      '  import time',
      '  time.sleep(0.2)',
      '  return x * x',
      '  ```',
      '}',
      '',
      'component total(values: list) -> int {',
      '  ```python',
      '  return sum(int(v) for v in values)',
      '  ```',
      '}',
      '',
      'pipeline "Loop" () {',
      '  xs = items()',
      '  for x in xs parallelism 1 {',
      '    sq = square(x)',
      '  }',
      '  total(sq)',
      '}',
    ]);
    const v1 = run([file, '--target', 'kfp-v1', '--format', 'json']);
    const v2 = run([file, '--target', 'kfp-v2', '--format', 'json']);
    expect(v2.status, v2.stderr).toBe(0);
    expect(results(v2)).toEqual(results(v1));
    expect(results(v2)).toContain('total Succeeded output="14"');
    const squares = v2.json!.tasks.filter((t) => t.template.startsWith('comp-square')).sort((a, b) => (a.startedAt! < b.startedAt! ? -1 : 1));
    expect(squares.map((t) => t.outputs.parameters['Output'])).toEqual(['9', '1', '4']);
    for (let i = 1; i < squares.length; i++) expect(Date.parse(squares[i]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(squares[i - 1]!.finishedAt!));
  });

  it('collects only the outputs of iterations whose condition held (KFP v2\'s dsl.Collected), where the v1 run cannot', () => {
    // test/fixtures/kfp-v2/conditional_producer_and_consumers.kfp: `double(x)` under `if x >= 2` in a loop over [1, 2, 3].
    const file = 'test/fixtures/kfp-v2/conditional_producer_and_consumers.kfp';
    const v2 = run([file, '--target', 'kfp-v2', '--format', 'json']);
    expect(v2.status, v2.stderr).toBe(0);
    expect(results(v2)).toEqual(['add Succeeded output="10"', 'double(0) Skipped', 'double(1) Succeeded output="4"', 'double(2) Succeeded output="6"']);
    // Argo cannot read an output of a skipped condition: the v1 run errors there (as on a v1 cluster).
    const v1 = run([file, '--target', 'kfp-v1', '--format', 'json']);
    expect(v1.json!.phase).toBe('Error');
  });

  it('SIGINT stops the run as on the v1 target: the running task is killed, what waits for it omitted, the exit task still runs', async () => {
    const file = writeKfp(scratch, 'slow.kfp', [
      'component nap(s: int) -> int {',
      '  ```python',
      '  import time',
      '  time.sleep(s)',
      '  return s',
      '  ```',
      '}',
      '',
      'component echo(msg: str) {',
      '  ```python',
      '  print(msg)',
      '  ```',
      '}',
      '',
      'pipeline "Slow" () {',
      '  a = nap(60)',
      '  nap(1) after a',
      '  finally {',
      '    echo("cleanup")',
      '  }',
      '}',
    ]);
    const r = runAsync(scratch, [file, '--target', 'kfp-v2', '--format', 'short']);
    await waitFor('the first task to start', () => /\] nap\s+Running/.test(r.stderr()));
    r.child.kill('SIGINT');
    const done = await r.done;
    expect(done.status, done.stderr).toBe(130);
    expect(done.json!.interrupted).toBe('SIGINT');
    // In no particular order: the omitted task and the exit task settle at about the same time.
    expect(done.json!.tasks.map((t) => `${t.name} ${t.phase}`).sort()).toEqual(['echo Succeeded', 'nap Failed', 'nap-2 Omitted']);
  });

  it('applies the platform spec: secrets and config maps as env (masked in the log), a claim made by createpvc, metrics; ignores node selectors, tolerations, pull secrets', () => {
    // test/fixtures/kfp-v2/kubernetes.kfp: every Kubernetes setting kfp-v2 lowers into the platform spec.
    const dir = mkdtempSync(join(scratch, 'stores-'));
    writeFileSync(join(dir, 'secrets.yaml'), 'db-creds:\n  password: hunter22\n');
    writeFileSync(join(dir, 'config-maps.yaml'), 'app-config:\n  mode: fast\n');
    const args = ['test/fixtures/kfp-v2/kubernetes.kfp', '--secrets', join(dir, 'secrets.yaml'), '--config-maps', join(dir, 'config-maps.yaml'), '--format', 'json'];
    const v2 = run([...args, '--target', 'kfp-v2']);
    expect(v2.status, v2.stderr).toBe(0);
    const train = v2.json!.tasks.find((t) => t.name === 'train')!;
    const log = readFileSync(train.log!, 'utf8');
    // The secret is in the task's environment, and masked in its log; the claim is a directory of the run.
    expect(log).toMatch(/^<secret:db-creds\/password> fast \S+\/volumes\/[0-9a-f-]+-mypvc\/data 0\.1$/m);
    expect(log).not.toContain('hunter22');
    expect((v2.json as unknown as { metrics: unknown }).metrics).toEqual([{ task: 'evaluate', name: 'auroc', value: 0.8, format: 'RAW' }]);
    const v1 = run([...args, '--target', 'kfp-v1']);
    expect(v1.status, v1.stderr).toBe(0);
    const phases = (r: CliRun): string[] => r.json!.tasks.map((t) => t.phase);
    expect(phases(v2)).toEqual(phases(v1));
  });

  it('retries a failing task as its retry setting says, on both targets', () => {
    const counter = join(scratch, 'flaky-count');
    const file = writeKfp(scratch, 'flaky.kfp', [
      'component flaky() -> str {',
      '  ```python',
      '  import os',
      '  path = os.environ["FLAKY_COUNTER"]',
      '  n = int(open(path).read()) if os.path.exists(path) else 0',
      '  open(path, "w").write(str(n + 1))',
      '  if n % 2 == 0:',
      '      raise SystemExit("first try fails")',
      '  return "ok"',
      '  ```',
      '}',
      '',
      'pipeline "Flaky" () {',
      '  flaky() { retry: 2 }',
      '}',
    ]);
    for (const target of ['kfp-v1', 'kfp-v2']) {
      rmSync(counter, { force: true });
      const r = run([file, '--target', target, '--format', 'json'], { FLAKY_COUNTER: counter });
      expect(r.status, r.stderr).toBe(0);
      expect(r.json!.tasks.map((t) => [t.phase, t.attempts])).toEqual([['Succeeded', 2]]);
    }
  });
});

describe('kfpdsl run SPEC.yaml', () => {
  it('runs the spec that build --target kfp-v2 wrote, as run --target kfp-v2 runs the source', () => {
    const out = join(scratch, 'built');
    const b = spawnSync(process.execPath, [kfpdslBin, 'build', '--target', 'kfp-v2', 'examples/parallel.kfp', '-o', out], { cwd: repoRoot, env: hermeticEnv(), encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const spec = join(out, 'examples', 'parallel', 'parallel-pipeline.yaml');
    const fromSpec = run([spec, '--seed', '3', '--format', 'json']);
    const fromSource = run(['examples/parallel.kfp', '--target', 'kfp-v2', '--seed', '3', '--format', 'json']);
    expect(fromSpec.status, fromSpec.stderr).toBe(0);
    expect(results(fromSpec)).toEqual(results(fromSource));
    expect(readFileSync(join(fromSpec.dir!, 'pipeline.yaml'), 'utf8')).toBe(readFileSync(spec, 'utf8'));
    expect(fromSpec.json!.runId).toMatch(/^parallel-pipeline-\d{8}-\d{6}-[0-9a-f]{4}$/);
    // The report draws the spec's graph.
    expect(existsSync(join(fromSpec.dir!, 'report.html'))).toBe(true);
    expect(readFileSync(join(fromSpec.dir!, 'graph.json'), 'utf8')).toContain('"task":"total"');
  });

  it('takes --arg values by the spec\'s parameter types, and says which one is missing', () => {
    const file = writeKfp(scratch, 'params.kfp', [
      'component add(a: int, b: float) -> float {',
      '  ```python',
      '  return a + b',
      '  ```',
      '}',
      '',
      'pipeline "Params" (a: int, b: float = 0.5) {',
      '  add(a, b)',
      '}',
    ]);
    const out = join(scratch, 'params-built');
    const b = spawnSync(process.execPath, [kfpdslBin, 'build', '--target', 'kfp-v2', file, '-o', out], { cwd: repoRoot, env: hermeticEnv(), encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const spec = findFile(out, 'params.yaml');
    const ok = run([spec, '--arg', 'a=2', '--format', 'json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.json!.tasks[0]!.outputs.parameters['Output']).toBe('2.5');
    const missing = run([spec]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('error[KFP0105]');
    expect(missing.stderr).toContain('`a`');
    expect(missing.dir).toBeUndefined();
  });

  it('runs a task whose component is a DAG (a called pipeline): inputs passed in, outputs read back through dag.outputs', () => {
    // Written as KFP v2's compiler lays out a pipeline call (test/fixtures/run-v2/subdag.yaml).
    const r = run(['test/fixtures/run-v2/subdag.yaml', '--arg', 'start=5', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json!.tasks.map((t) => [t.id, t.phase, t.outputs.parameters['Output']])).toEqual([
      ['outer.inner.double', 'Succeeded', '10'],
      ['outer.show', 'Succeeded', '10: doubled 5'],
    ]);
  });

  it('KFP0112: what the local run cannot carry out is a located error, and nothing runs', () => {
    const dir = mkdtempSync(join(scratch, 'bad-'));
    const importer = join(dir, 'importer.yaml');
    writeFileSync(
      importer,
      [
        'components:',
        '  comp-importer:',
        '    executorLabel: exec-importer',
        '  comp-show:',
        '    executorLabel: exec-show',
        'deploymentSpec:',
        '  executors:',
        '    exec-importer:',
        '      importer:',
        '        artifactUri:',
        '          constant: gs://bucket/data.csv',
        '    exec-show:',
        '      container:',
        '        image: python:3.11',
        '        command: [python3, -c, "import sys; print(sys.argv)", "{{$}}"]',
        'pipelineInfo:',
        '  name: bad',
        'root:',
        '  dag:',
        '    tasks:',
        '      importer:',
        '        componentRef: {name: comp-importer}',
        '        taskInfo: {name: importer}',
        '      show:',
        '        componentRef: {name: comp-show}',
        '        taskInfo: {name: show}',
        '        triggerPolicy:',
        '          condition: size(inputs.parameter_values) > 0',
        'schemaVersion: 2.1.0',
        '',
      ].join('\n'),
    );
    const r = run([importer]);
    expect(r.status).toBe(1);
    expect(r.dir).toBeUndefined();
    const codes = [...r.stderr.matchAll(/error\[(KFP\d+)\]/g)].map((m) => m[1]);
    expect(codes).toEqual(['KFP0112', 'KFP0112', 'KFP0112']);
    expect(r.stderr).toContain('the importer executor "exec-importer" imports an artifact from storage');
    expect(r.stderr).toContain('`{{$}}`');
    expect(r.stderr).toContain('`size` is not part of the CEL');
    // Located: the condition's line of the YAML.
    expect(r.stderr).toMatch(/importer\.yaml:28:\d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);

    const notSpec = join(dir, 'workflow.yaml');
    writeFileSync(notSpec, 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: {}\n');
    const w = run([notSpec]);
    expect(w.status).toBe(1);
    expect(w.stderr).toContain('error[KFP0112]');
    expect(w.stderr).toContain('is not a KFP v2 pipeline spec');
    const v1 = run([importer, '--target', 'kfp-v1']);
    expect(v1.status).toBe(2);
    expect(v1.stderr).toContain('it runs as --target kfp-v2');
  });
});

describe('conditions: the CEL that KFP v2 conditions are written in', () => {
  const inputs = new Map<string, ParamValue>([
    ['n', 7],
    ['x', 0.25],
    ['s', 'heads'],
    ['b', true],
    ['t', '12'],
  ]);
  const value = (text: string): unknown => {
    const parsed = parseCel(text);
    if ('error' in parsed) throw new Error(parsed.error);
    return evalCel(parsed.expr, inputs);
  };
  it.each([
    ["int(inputs.parameter_values['n']) < 30", true],
    ["!(int(inputs.parameter_values['n']) < 30) && int(inputs.parameter_values['n']) > 5", false],
    ["inputs.parameter_values['s'] == 'heads'", true],
    ["inputs.parameter_values['s'] != 'it\\'s'", true],
    ["double(inputs.parameter_values['x']) >= 0.5 || inputs.parameter_values['b'] == true", true],
    ["(int(inputs.parameter_values['t']) == 12) && (inputs.parameter_values['s'] == \"heads\")", true],
    ["int(inputs.parameter_values['n']) > -1", true],
  ])('%s is %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });
  it('comparing a number with a string is an error, as in CEL, not false', () => {
    expect(() => value("inputs.parameter_values['n'] == 'seven'")).toThrow(CelError);
  });
  it('what is outside the subset does not parse', () => {
    expect(parseCel("size(inputs.parameter_values['s']) > 1")).toEqual({ error: '`size` is not part of the CEL that conditions use' });
    expect(parseCel("inputs.parameter_values['s'")).toHaveProperty('error');
  });
});
