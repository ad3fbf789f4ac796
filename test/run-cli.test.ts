/**
 * `kfpdsl run`, for real: the bundled binary runs the compiled examples with this machine's sh
 * and python3. Outputs are read from run.json by task name (the examples may change slightly).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { ensureBundle, repoRoot } from './support/cli.js';
import { HANG_CAP_MS } from './support/caps.js';

interface Task {
  id: string;
  name: string;
  template: string;
  phase: string;
  message: string | null;
  durationMs: number;
  attempts: number | null;
  outputs: { parameters: Record<string, string>; artifacts: Record<string, string> };
  log: string | null;
}

interface RunJson {
  runId: string;
  pipeline: string;
  arguments: Record<string, string>;
  phase: string;
  message: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  tasks: Task[];
  metrics: { task: string; name: string; value: number; format: string }[];
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The run directory (absent when nothing ran). */
  dir?: string;
  json?: RunJson;
}

const root = mkdtempSync(join(tmpdir(), 'kfpdsl-run-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;

// `node scripts/bundle.mjs` when dist/kfpdsl.mjs is missing or older than src/, under the lock the
// other CLI tests share, so that no test worker spawns a half-written bundle.
beforeAll(() => ensureBundle());

/** Runs `kfpdsl run ...args --run-dir <fresh dir>` (non-TTY) and reads the run directory it made. */
function run(args: readonly string[], env: Record<string, string | undefined> = {}): Run {
  const parent = join(root, `runs-${++count}`);
  // Hermetic: no colour settings or KFPDSL_… variables from the outside, only those given.
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NO_COLOR' && !k.startsWith('KFPDSL_')) merged[k] = v;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  else merged[k] = v;
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kfpdsl.mjs'), 'run', ...args, '--run-dir', parent], {
    cwd: repoRoot,
    env: merged,
    encoding: 'utf8',
    timeout: HANG_CAP_MS,
  });
  if (r.error) throw r.error;
  const result: Run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  if (existsSync(parent)) {
    // The run directory, beside the .gitignore that keeps the parent kfpdsl made out of git.
    const dirs = readdirSync(parent).filter((d) => d !== '.gitignore');
    expect(dirs).toHaveLength(1);
    result.dir = join(parent, dirs[0]!);
    const jsonPath = join(result.dir, 'run.json');
    if (existsSync(jsonPath)) result.json = JSON.parse(readFileSync(jsonPath, 'utf8')) as RunJson;
  }
  return result;
}

function tasks(r: Run, name: string): Task[] {
  return (r.json?.tasks ?? []).filter((t) => t.name === name);
}

function task(r: Run, name: string): Task {
  const found = tasks(r, name);
  if (found.length !== 1) throw new Error(`expected one task "${name}", found ${found.length}: ${(r.json?.tasks ?? []).map((t) => `${t.name}=${t.phase}`).join(', ')}\n${r.stderr}`);
  return found[0]!;
}

/** A task's only output: its output parameter, or else the file of its only (non-metrics) artifact. */
function output(t: Task): string {
  const params = Object.values(t.outputs.parameters);
  if (params.length === 1) return params[0]!;
  const artifacts = Object.entries(t.outputs.artifacts).filter(([n]) => n !== 'mlpipeline-metrics');
  if (artifacts.length !== 1) throw new Error(`task ${t.name} has ${artifacts.length} artifacts`);
  return readFileSync(artifacts[0]![1], 'utf8');
}

const log = (t: Task): string => (t.log ? readFileSync(t.log, 'utf8') : '');

function tempKfp(name: string, text: string): string {
  const dir = mkdtempSync(join(root, 'src-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('kfpdsl run examples/add.kfp', () => {
  it('runs sum, diff and multiply, writing run.json and the workflow it ran', () => {
    const r = run(['examples/add.kfp', '--arg', 'value_1=3', '--arg', 'value_2=2']);
    expect(r.status, r.stderr).toBe(0);
    const json = r.json!;
    expect(Object.keys(json)).toEqual(['runId', 'pipeline', 'arguments', 'phase', 'message', 'interrupted', 'startedAt', 'finishedAt', 'durationMs', 'tasks', 'metrics']);
    expect(json.phase).toBe('Succeeded');
    expect(json.arguments).toEqual({ value_1: '3', value_2: '2' });
    expect(json.runId).toMatch(/^add-example-\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(r.dir!.endsWith(json.runId)).toBe(true);
    for (const [name, value] of [['sum', '5'], ['diff', '1'], ['multiply', '5']] as const) {
      const t = task(r, name);
      expect(t.phase).toBe('Succeeded');
      expect(output(t).trim()).toBe(value);
      expect(Object.keys(t)).toEqual(['id', 'name', 'template', 'phase', 'message', 'startedAt', 'finishedAt', 'durationMs', 'attempts', 'outputs', 'log']);
    }
    // Progress lines on stderr (not a terminal: plain lines, no escapes); the summary on stdout.
    expect(r.stderr).toMatch(/^\[\s*\d+\.\d+s\] sum\s+Succeeded/m);
    expect(r.stderr).toContain("images are not pulled: tasks run with this machine's sh and python3");
    expect(r.stderr + r.stdout).not.toMatch(/\u001b\[/);
    expect(r.stdout).toMatch(/multiply\s+Succeeded\s+\S+\s+Output = 5/);
    expect(r.stdout).toContain(`run dir: `);
    // The YAML run is the YAML the compiler emits.
    const compiled = compileSource(new SourceFile('examples/add.kfp', readFileSync(join(repoRoot, 'examples/add.kfp'), 'utf8')));
    expect(readFileSync(join(r.dir!, 'workflow.yaml'), 'utf8')).toBe(compiled.files.find((f) => f.kind === 'workflow')!.text);
  });

  it('--format json prints run.json on stdout', () => {
    const r = run(['examples/add.kfp', '--arg', 'value_1=10', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as RunJson;
    expect(printed).toEqual(r.json);
    expect(output(task(r, 'multiply')).trim()).toBe('96');
  });

  it('--quiet prints no progress and one result line', () => {
    const r = run(['examples/add.kfp', '--arg', 'value_1=1', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^Succeeded add-example-/);
  });
});

describe('kfpdsl run: control flow', () => {
  it.each([1, 2, 3])('examples/conditional.kfp runs exactly the matching branch (run %i)', () => {
    const r = run(['examples/conditional.kfp']);
    expect(r.status, r.stderr).toBe(0);
    const generated = tasks(r, 'number').length === 1 ? task(r, 'number') : r.json!.tasks.find((t) => t.template === 'generate-random')!;
    const number = Number(output(generated));
    expect(Number.isInteger(number)).toBe(true);
    const small = task(r, 'small-num');
    const large = task(r, 'large-num');
    if (number < 30) {
      expect(small.phase).toBe('Succeeded');
      expect(large.phase).toBe('Skipped');
      expect(log(small)).toContain(`Small number: ${number}`);
    } else {
      expect(large.phase).toBe('Succeeded');
      expect(small.phase).toBe('Skipped');
      expect(log(large)).toContain(`Large number: ${number}`);
    }
  });

  it('examples/parallel.kfp runs print_op once per generated item and fans the results in', () => {
    const r = run(['examples/parallel.kfp']);
    expect(r.status, r.stderr).toBe(0);
    const generator = r.json!.tasks.find((t) => t.template === 'generate-random-list')!;
    const items = JSON.parse(output(generator)) as number[];
    const prints = r.json!.tasks.filter((t) => t.template === 'print-op');
    expect(prints).toHaveLength(items.length);
    expect(prints.every((t) => t.phase === 'Succeeded')).toBe(true);
    expect(prints.map((t) => Number(output(t))).sort((a, b) => a - b)).toEqual(items.map((i) => i * 2).sort((a, b) => a - b));
    const total = r.json!.tasks.find((t) => t.template === 'total')!;
    expect(total.phase).toBe('Succeeded');
    const received = /doubled: (.*)/.exec(log(total))?.[1] ?? '';
    for (const i of items) expect(received).toContain(`'${i * 2}'`);
    expect(Number(output(total))).toBe(items.reduce((a, i) => a + i * 2, 0));
  });
});

describe('kfpdsl run: failures', () => {
  const failing = (): string =>
    tempKfp(
      'failing.kfp',
      [
        'component boom(x: int) -> int {',
        '  ```python',
        '  if x > 1:',
        '      raise ValueError("boom: x is too big")',
        '  return x',
        '  ```',
        '}',
        '',
        'component notify(message: str) {',
        '  ```python',
        '  print("notify:", message)',
        '  ```',
        '}',
        '',
        'pipeline "failing" (x: int = 5) {',
        '  boom(x)',
        '  finally {',
        '    notify("the end")',
        '  }',
        '}',
        '',
      ].join('\n'),
    );

  it('a task that raises fails the run (exit 1), shows its traceback, and the exit handler still runs', () => {
    const r = run([failing()]);
    expect(r.status).toBe(1);
    expect(r.json!.phase).toBe('Failed');
    expect(task(r, 'boom').phase).toBe('Failed');
    expect(r.stderr).toMatch(/boom\s+Failed/);
    expect(r.stderr).toContain('Traceback (most recent call last)');
    expect(r.stderr).toContain('ValueError: boom: x is too big');
    const notify = task(r, 'notify');
    expect(notify.phase).toBe('Succeeded');
    expect(log(notify)).toContain('notify: the end');
  });

  it('the same pipeline succeeds when the parameter avoids the failure', () => {
    const r = run([failing(), '--arg', 'x=1']);
    expect(r.status, r.stderr).toBe(0);
    expect(output(task(r, 'boom')).trim()).toBe('1');
  });

  it('source errors exit 1 with diagnostics and run nothing', () => {
    const r = run(['test/fixtures/errors/KFP2001-unknown-component.kfp']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KFP2001');
    expect(r.dir).toBeUndefined();
  });
});

describe('kfpdsl run: metrics, secrets, volumes, reuse', () => {
  it('examples/export_metrics.kfp shows the metrics table', () => {
    const r = run(['examples/export_metrics.kfp']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^METRIC\s+VALUE\s+TASK$/m);
    expect(r.stdout).toMatch(/^auroc\s+0\.8\s/m);
    expect(r.stdout).toMatch(/^f1\s+90\.0%\s/m);
    expect(r.json!.metrics).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'auroc', value: 0.8, format: 'RAW' }), expect.objectContaining({ name: 'f1', value: 0.9, format: 'PERCENTAGE' })]),
    );
  });

  it.each(['kfp-v1', 'argo'])('--target %s: the metrics table comes from every output of type metrics, whatever its name', (target) => {
    const file = tempKfp(
      'scores.kfp',
      [
        'component score() -> (quality: metrics, note: str) {',
        '  ```python',
        '  return ({"auroc": 0.75}, "done")',
        '  ```',
        '}',
        '',
        'component timing() -> (speed: metrics) {',
        '  ```python',
        '  return {"latency_ms": 12}',
        '  ```',
        '}',
        '',
        'pipeline "scores" () {',
        '  score()',
        '  timing()',
        '}',
        '',
      ].join('\n'),
    );
    const r = run([file, '--target', target]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^METRIC\s+VALUE\s+TASK$/m);
    expect(r.stdout).toMatch(/^auroc\s+0\.75\s+score$/m);
    expect(r.stdout).toMatch(/^latency_ms\s+12\s+timing$/m);
    expect(r.json!.metrics.map((m) => m.name).sort()).toEqual(['auroc', 'latency_ms']);
    // The metrics files are in the table, not among the task's outputs.
    expect(r.stdout).toContain('note = done');
    expect(r.stdout).not.toMatch(/quality|speed/);
  });

  it('examples/resources.kfp without its secret fails, naming the variable to set', () => {
    const r = run(['examples/resources.kfp']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KFPDSL_SECRET_DB_CREDS_PASSWORD');
    expect(r.stdout).toContain('KFPDSL_SECRET_DB_CREDS_PASSWORD');
    const train = r.json!.tasks.find((t) => t.template === 'train')!;
    expect(train.phase).toMatch(/Error|Failed/);
    expect(train.message).toContain('KFPDSL_SECRET_DB_CREDS_PASSWORD');
  });

  it('examples/resources.kfp with --secrets shares the volume between train and evaluate', () => {
    const secrets = join(mkdtempSync(join(root, 'secrets-')), 'secrets.yaml');
    writeFileSync(secrets, 'db-creds:\n  password: hunter2\n');
    const r = run(['examples/resources.kfp', '--secrets', secrets]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const train = r.json!.tasks.find((t) => t.template === 'train')!;
    const evaluate = r.json!.tasks.find((t) => t.template === 'evaluate')!;
    expect(log(train)).toContain('password set: True');
    expect(log(evaluate)).toContain('weights.txt');
  });

  it('KFPDSL_SECRET_… variables are not passed to tasks; --env-file variables are', () => {
    const path = tempKfp(
      'peek.kfp',
      ['component peek() -> str {', '  ```python', '  import os', '  return ",".join(sorted(k for k in os.environ if k.startswith(("KFPDSL_", "EXTRA_"))))', '  ```', '}', 'pipeline "peek" () {', '  peek()', '}', ''].join('\n'),
    );
    const envFile = join(mkdtempSync(join(root, 'env-')), 'run.env');
    writeFileSync(envFile, 'export EXTRA_SETTING=on # a comment\nKFPDSL_SECRET_OTHER_KEY=x\n');
    const r = run([path, '--env-file', envFile, '--seed', '7'], { KFPDSL_SECRET_DB_CREDS_PASSWORD: 'hunter2' });
    expect(r.status, r.stderr).toBe(0);
    expect(output(task(r, 'peek')).trim()).toBe('EXTRA_SETTING,KFPDSL_PROCESS_TAGS,KFPDSL_SEED');
  });

  it('a secret can come from KFPDSL_SECRET_… in the environment or an --env-file', () => {
    const fromEnv = run(['examples/resources.kfp'], { KFPDSL_SECRET_DB_CREDS_PASSWORD: 'hunter2' });
    expect(fromEnv.status, fromEnv.stderr).toBe(0);
    const envFile = join(mkdtempSync(join(root, 'env-')), 'run.env');
    writeFileSync(envFile, '# secrets for the local run\nKFPDSL_SECRET_DB_CREDS_PASSWORD="hunter2"\nEXTRA_SETTING=on\n');
    const fromFile = run(['examples/resources.kfp', '--env-file', envFile]);
    expect(fromFile.status, fromFile.stderr).toBe(0);
    expect(log(fromFile.json!.tasks.find((t) => t.template === 'train')!)).toContain('password set: True');
  });

  it('examples/reuse.kfp runs the imported component and the container components with local sh', () => {
    const r = run(['examples/reuse.kfp']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json!.tasks.every((t) => t.phase === 'Succeeded')).toBe(true);
    const echo = r.json!.tasks.find((t) => t.template === 'echo')!;
    const count = r.json!.tasks.find((t) => t.template === 'word-count')!;
    const minFile = join(dirname(count.log!), 'inputs', 'parameters', 'Min-length');
    const min = existsSync(minFile) ? Number(readFileSync(minFile, 'utf8')) : 1;
    const expected = output(echo)
      .split(/\s+/)
      .filter((w) => w.length >= min).length;
    expect(expected).toBeGreaterThan(0);
    expect(Number(output(count))).toBe(expected);
    expect(output(r.json!.tasks.find((t) => t.template === 'shout')!)).toMatch(/^[A-Z ]+!\n?$/);
  });
});

describe('kfpdsl run: packages and seeds', () => {
  const withPackages = (): string =>
    tempKfp(
      'packages.kfp',
      [
        'component env_report() -> str {',
        '  packages: ["kfpdsl-no-such-package==0.0.1"]',
        '  ```python',
        '  import os',
        '  return os.environ.get("PYTHONHASHSEED", "-") + " " + os.environ.get("KFPDSL_SEED", "-")',
        '  ```',
        '}',
        '',
        'pipeline "packages" () {',
        '  env_report()',
        '}',
        '',
      ].join('\n'),
    );

  it('offline, the packages cannot be installed: a located KFP0110 suggesting --skip-packages, and nothing runs', () => {
    const r = run([withPackages()], { PIP_NO_INDEX: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', XDG_CACHE_HOME: mkdtempSync(join(root, 'cache-')) });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0110]');
    expect(r.stderr).toContain('pass --skip-packages');
    expect(r.stderr).toMatch(/kfpdsl-no-such-package/);
    expect(r.dir).toBeUndefined();
  });

  it('--skip-packages runs the command without pip and says so; --seed sets PYTHONHASHSEED and KFPDSL_SEED', () => {
    const r = run([withPackages(), '--skip-packages', '--seed', '42']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('packages were assumed present');
    expect(output(task(r, 'env-report')).trim()).toBe('42 42');
    // workflow.yaml is what ran: the emitted YAML with only the pip prefix replaced.
    const ran = YAML.parse(readFileSync(join(r.dir!, 'workflow.yaml'), 'utf8')) as { spec: { templates: { name: string; container?: { command: string[] } }[] } };
    const command = ran.spec.templates.find((t) => t.name === 'env-report')!.container!.command;
    expect(command.slice(0, 4)).toEqual(['sh', '-c', '"$0" "$@"', 'sh']);
    expect(JSON.parse(readFileSync(join(dirname(task(r, 'env-report').log!), 'pod.json'), 'utf8')).argv.join(' ')).not.toContain('pip install');
  });
});

describe('kfpdsl run: usage errors exit 2', () => {
  it('an unknown --arg, with a suggestion', () => {
    const r = run(['examples/add.kfp', '--arg', 'value1=3']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('value1');
    expect(r.stderr).toContain('did you mean `value_1`');
    expect(r.dir).toBeUndefined();
  });

  it('a required parameter without a value', () => {
    const r = run(['examples/add.kfp']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('value_1');
    expect(r.dir).toBeUndefined();
  });

  it('a file with several pipelines needs --pipeline', () => {
    const path = tempKfp(
      'two.kfp',
      ['component hi(name: str) {', '  ```python', '  print("hi", name)', '  ```', '}', 'pipeline "First One" () {', '  hi("a")', '}', 'pipeline "second" () {', '  hi("b")', '}', ''].join('\n'),
    );
    const none = run([path]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('"First One"');
    expect(none.stderr).toContain('"second"');
    const chosen = run([path, '--pipeline', 'first-one']);
    expect(chosen.status, chosen.stderr).toBe(0);
    expect(log(task(chosen, 'hi'))).toContain('hi a');
    expect(run([path, '--pipeline', 'third']).status).toBe(2);
  });

  it('bad numbers and formats', () => {
    expect(run(['examples/add.kfp', '--arg', 'value_1=1', '--parallelism', '0']).status).toBe(2);
    expect(run(['examples/add.kfp', '--arg', 'value_1=1', '--seed', 'x']).status).toBe(2);
    expect(run(['examples/add.kfp', '--arg', 'value_1=1', '--format', 'xml']).status).toBe(2);
    expect(run(['examples/nope.kfp']).status).toBe(1); // a path mistake is a diagnostic (KFP0001)
  });
});
