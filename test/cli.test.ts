/**
 * The real command line: `node bin/kfpdsl.mjs ...` (the esbuild bundle), exit codes 0/1/2,
 * diagnostic formats, all-or-nothing writes, `build --check`, and no colour when not wanted.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles, repoRoot, runCli, type CliResult } from './support/cli.js';
import { requirement } from './support/requirements.js';

const ADD = 'examples/add.kfp';
const BAD = 'test/fixtures/errors/KFP2001-unknown-component.kfp';
const ANSI = /\u001b\[/;
const STACK = /^ {4}at /m;
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

const tmpDirs: string[] = [];
function tmp(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `kfpdsl-cli-${label}-`));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** No ANSI escapes and no stack traces anywhere in the output. */
function clean(r: CliResult): void {
  expect(r.stdout + r.stderr).not.toMatch(ANSI);
  expect(r.stdout + r.stderr).not.toMatch(STACK);
}

/** A .kfp file with two independent errors (two unknown components). */
function twoErrors(): string {
  const dir = tmp('two');
  const path = join(dir, 'two.kfp');
  writeFileSync(
    path,
    [
      'component add(a: int, b: int) -> int {',
      '  ```python',
      '  return a + b',
      '  ```',
      '}',
      '',
      'pipeline "p" () {',
      '  x = ad(1, 2)',
      '  y = sub(1, 2)',
      '}',
      '',
    ].join('\n'),
  );
  return path;
}

describe('usage', () => {
  it('--version prints the package.json version and exits 0', () => {
    const r = runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
    clean(r);
  });

  it('-V is --version', () => {
    expect(runCli(['-V']).stdout.trim()).toBe(version);
  });

  it('--help exits 0 and lists build and check', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\s+build\b/m);
    expect(r.stdout).toMatch(/^\s+check\b/m);
    clean(r);
  });

  it('build --help exits 0 and documents -o, --root, --check and --format', () => {
    const r = runCli(['build', '--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--out', '--root', '--check', '--format']) expect(r.stdout).toContain(flag);
  });

  it.each([
    ['an unknown command', ['frobnicate']],
    ['build without paths', ['build']],
    ['check without paths', ['check']],
    ['an unknown option', ['check', '--frob', ADD]],
    ['an unknown --format', ['check', '--format', 'xml', ADD]],
  ])('%s exits 2', (_what, args) => {
    const r = runCli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error/i);
    expect(r.stdout).toBe('');
    clean(r);
  });

  it('no command at all exits 2 (or shows help) without a stack trace', () => {
    const r = runCli([]);
    expect([0, 2]).toContain(r.status);
    clean(r);
  });

  it.each([
    ['check', ['check', 'no/such/file.kfp']],
    ['build', ['build', 'no/such/file.kfp', '-o', 'no/such/out']],
  ])('a nonexistent path is a diagnostic: exit 1 (%s)', (_cmd, args) => {
    const r = runCli(args);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0001]');
    expect(r.stderr).toContain('no/such/file.kfp');
    clean(r);
  });
});

describe('check', () => {
  it('a good file: exit 0, no output at all', () => {
    const r = runCli(['check', ADD]);
    expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('a bad file: exit 1, a rustc-style error with a --> location on stderr, no stack trace', () => {
    const r = runCli(['check', BAD]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error[KFP2001]');
    expect(r.stderr).toContain(`--> ${BAD}:8:9`);
    clean(r);
  });

  it('--format short: one line per diagnostic, path:line:col: error KFPxxxx: message', () => {
    const r = runCli(['check', '--format', 'short', BAD]);
    expect(r.status).toBe(1);
    // Every line is one diagnostic (warnings, if any, have the same shape).
    const SHORT = /^.+\.kfp:\d+:\d+: (error|warning) KFP\d{4}: \S/;
    const lines = r.stderr.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(SHORT);
    const errors = lines.filter((l) => l.includes(': error '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${BAD.replace(/\./g, '\\.')}:8:9: error KFP2001: unknown component`));
    clean(r);

    const two = twoErrors();
    const r2 = runCli(['check', '--format', 'short', two]);
    expect(r2.status).toBe(1);
    const lines2 = r2.stderr.trimEnd().split('\n');
    for (const l of lines2) expect(l).toMatch(SHORT);
    const errors2 = lines2.filter((l) => l.includes(': error '));
    expect(errors2.map((l) => /:(\d+):\d+: error KFP(\d+)/.exec(l)?.slice(1, 3).join(' '))).toEqual(['8 2001', '9 2001']);
  });

  it('--format json: an array of {code, severity, message, file, start, end, hint} on stdout', () => {
    const r = runCli(['check', '--format', 'json', BAD]);
    expect(r.status).toBe(1);
    const all = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(Array.isArray(all)).toBe(true);
    const diags = all.filter((d) => d['severity'] === 'error');
    expect(diags).toHaveLength(1);
    for (const d of all) expect(Object.keys(d)).toEqual(expect.arrayContaining(['code', 'severity', 'message', 'file', 'start', 'end']));
    expect(diags[0]).toMatchObject({
      code: 'KFP2001',
      severity: 'error',
      message: expect.stringContaining('unknown component') as unknown,
      file: BAD,
      start: { line: 8, column: 9 },
      end: { line: 8, column: 11 },
      hint: expect.any(String) as unknown,
    });
    clean(r);
  });

  it('--format json on a good file prints an empty array', () => {
    const r = runCli(['check', '--format', 'json', ADD]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('several files: every diagnostic of every file is reported', () => {
    const r = runCli(['check', '--format', 'json', BAD, twoErrors(), ADD]);
    expect(r.status).toBe(1);
    const diags = JSON.parse(r.stdout) as { severity: string; file: string }[];
    expect(diags.filter((d) => d.severity === 'error')).toHaveLength(3);
    expect(new Set(diags.filter((d) => d.severity === 'error').map((d) => d.file)).size).toBe(2);
  });
});

describe('build', () => {
  it('a good file: exit 0, writes the workflow and its components', () => {
    const out = tmp('good');
    const r = runCli(['build', ADD, '-o', out]);
    expect(r.status).toBe(0);
    // The repository is the project root: examples/add.kfp goes to <out>/examples/add/.
    expect(listFiles(out)).toEqual(['examples/add/.kfpdsl-manifest', 'examples/add/add-example.yaml', 'examples/add/components/add.yaml', 'examples/add/components/multiply.yaml', 'examples/add/components/subtract.yaml']);
    clean(r);
  });

  it('a bad file: exit 1 and nothing is written', () => {
    const out = tmp('bad');
    const r = runCli(['build', BAD, '-o', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP2001]');
    expect(listFiles(out)).toEqual([]);
    clean(r);
  });

  it('a directory with one good and one bad file: exit 1 and nothing is written', () => {
    const src = tmp('mixed-src');
    copyFileSync(join(repoRoot, ADD), join(src, 'a-good.kfp'));
    copyFileSync(join(repoRoot, BAD), join(src, 'b-bad.kfp'));
    const out = join(tmp('mixed-out'), 'out');
    const r = runCli(['build', src, '-o', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KFP2001');
    expect(listFiles(out)).toEqual([]);
    // Without -o the outputs would go beside the sources: still nothing.
    const r2 = runCli(['build', src]);
    expect(r2.status).toBe(1);
    expect(listFiles(src)).toEqual(['a-good.kfp', 'b-bad.kfp']);
  });

  it('--check: exit 0 right after a build, 1 naming the file once an output is modified or deleted', () => {
    const out = tmp('check');
    expect(runCli(['build', ADD, '-o', out]).status).toBe(0);
    const ok = runCli(['build', '--check', ADD, '-o', out]);
    expect(ok).toMatchObject({ status: 0, stdout: '' });

    const before = listFiles(out).map((p) => [p, readFileSync(join(out, p), 'utf8')]);
    const dir = join(out, 'examples', 'add');
    const modified = join(dir, 'components', 'multiply.yaml');
    writeFileSync(modified, `${readFileSync(modified, 'utf8')}# edited\n`);
    const stale = runCli(['build', '--check', ADD, '-o', out]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(`error[KFP0015]: out of date: ${modified} differs`);
    expect(stale.stderr).not.toContain(join(dir, 'add-example.yaml'));
    clean(stale);
    // --check writes nothing: the edit is still there.
    expect(readFileSync(modified, 'utf8')).toMatch(/# edited\n$/);

    rmSync(join(dir, 'add-example.yaml'));
    const missing = runCli(['build', '--check', ADD, '-o', out]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`out of date: ${join(dir, 'add-example.yaml')} is missing`);
    expect(listFiles(out)).toEqual(before.map(([p]) => p).filter((p) => p !== 'examples/add/add-example.yaml'));
  });

  it('--check on a bad file exits 1 with the diagnostics', () => {
    const r = runCli(['build', '--check', BAD, '-o', tmp('check-bad')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KFP2001');
  });
});

describe('colour', () => {
  it('non-TTY output (stdout and stderr are pipes) has no ANSI escapes, with or without NO_COLOR', () => {
    for (const env of [{ NO_COLOR: undefined }, { NO_COLOR: '1' }, { NO_COLOR: '1', TERM: 'xterm-256color' }]) {
      for (const args of [['check', BAD], ['build', BAD, '-o', tmp('colour')], ['--help'], ['frob']]) {
        clean(runCli(args, { env }));
      }
    }
  });

  const script = requirement(spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0, 'util-linux `script` (to make a terminal) is not on PATH');
  it.skipIf(script.missing)(script.title('on a TTY, NO_COLOR turns colour off'), () => {
    const run = (noColor: boolean): string => {
      const cmd = `${JSON.stringify(process.execPath)} bin/kfpdsl.mjs check ${BAD}`;
      const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
      if (noColor) env['NO_COLOR'] = '1';
      else delete env['NO_COLOR'];
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: repoRoot, env, encoding: 'utf8' });
      return r.stdout;
    };
    runCli(['--version']); // make sure the bundle exists
    const coloured = run(false);
    expect(coloured).toContain('KFP2001');
    expect(coloured).toMatch(ANSI);
    const plain = run(true);
    expect(plain).toContain('error[KFP2001]');
    expect(plain).not.toMatch(ANSI);
  });
});

describe('paths', () => {
  it('relative paths are taken from the working directory', () => {
    const dir = tmp('cwd');
    mkdirSync(join(dir, 'src'));
    copyFileSync(join(repoRoot, ADD), join(dir, 'src', 'add.kfp'));
    const r = runCli(['build', 'src/add.kfp', '-o', 'out'], { cwd: dir });
    expect(r.status).toBe(0);
    // No .git, package.json or kfpdsl.yaml above: the source's own directory is the root.
    expect(listFiles(join(dir, 'out'))).toContain('add/add-example.yaml');
  });
});
