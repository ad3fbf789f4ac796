/**
 * Where kfpdsl writes, with hostile names and planted files:
 * - `build` (every target): two sources whose output directories differ only in case are one
 *   directory on macOS and Windows: a located KFP0014 and nothing written, not one silently
 *   replacing the other; a directory whose manifest names another source (what such a file
 *   system shows) is refused too.
 * - `import -o`: the file is written whole (no temporary left), a symlink planted at its name
 *   is replaced and its target untouched, and a 250-character source name still names a file.
 * - `kfpdsl run SPEC.yaml`: a parameter named `..` in a hand-written spec names a file of its
 *   step directory, not the directory above it.
 * - `kfpdsl runs show DIR` writes report.html only into a run directory.
 * - `kfpdsl run`: a run directory is one this run made (an existing one is never reused, so a
 *   planted `run.json` symlink is not written through), and a dangling `.gitignore` symlink is
 *   not followed.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshRunDir } from '../src/cli/run-dir.js';
import { runSync } from './support/run-cli.js';
import { repoRoot, runCli } from './support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-write-safety-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fresh = (what: string): string => mkdtempSync(join(scratch, `${what}-`));

const pipeline = (name: string): string => ['component add(a: int, b: int) -> int {', '  ```python', '  return a + b', '  ```', '}', `pipeline "${name}" (x: int = 1) {`, '  add(x, 2)', '}', ''].join('\n');

describe('build: outputs that one file system would merge', () => {
  it.each(['kfp-v1', 'argo', 'kfp-v2'])('sources differing only in case are a located KFP0014, and nothing is written (%s)', (target) => {
    const dir = fresh('case');
    writeFileSync(join(dir, 'package.json'), '{}\n');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'Train.kfp'), pipeline('upper'));
    writeFileSync(join(dir, 'src', 'train.kfp'), pipeline('lower'));
    const r = runCli(['build', 'src', '-o', 'out', '--target', target], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0014]: `src/train.kfp` and `src/Train.kfp` would write `out/src/train` and `out/src/Train`, one directory on a case-insensitive file system');
    expect(r.stderr).toContain(' --> src/train.kfp');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a directory nested in another source\'s, differing only in case, is refused too', () => {
    const dir = fresh('case-nested');
    writeFileSync(join(dir, 'package.json'), '{}\n');
    mkdirSync(join(dir, 'src', 'X'), { recursive: true });
    writeFileSync(join(dir, 'src', 'x.kfp'), pipeline('outer'));
    writeFileSync(join(dir, 'src', 'X', 'y.kfp'), pipeline('inner'));
    const r = runCli(['build', 'src', '-o', 'out'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0014]: `src/X/y.kfp` and `src/x.kfp` would write `out/src/X/y` inside the output directory of `src/x.kfp`');
  });

  it('a directory whose manifest names another source is not replaced', () => {
    const dir = fresh('owner');
    writeFileSync(join(dir, 'package.json'), '{}\n');
    writeFileSync(join(dir, 'Train.kfp'), pipeline('upper'));
    expect(runCli(['build', 'Train.kfp', '-o', 'out'], { cwd: dir }).status).toBe(0);
    // What a case-insensitive file system shows `train.kfp`'s build: `out/train` is `out/Train`.
    const manifest = join(dir, 'out', 'Train', '.kfpdsl-manifest');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('source Train.kfp', 'source train.kfp'));
    const before = readdirSync(join(dir, 'out', 'Train')).sort();
    const r = runCli(['build', 'Train.kfp', '-o', 'out'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0014]: the output directory `out/Train` holds the outputs of `train.kfp` (its .kfpdsl-manifest says so), not of `Train.kfp`');
    expect(readdirSync(join(dir, 'out', 'Train')).sort()).toEqual(before);
  });
});

describe('import -o', () => {
  const component = readFileSync(join(repoRoot, 'examples', 'components', 'word_count.component.yaml'), 'utf8');

  it('replaces a symlink planted at its output name, leaving the link\'s target alone, and leaves no temporary', () => {
    const dir = fresh('import-link');
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    writeFileSync(join(dir, 'wc.yaml'), component);
    mkdirSync(join(dir, 'out'));
    symlinkSync(victim, join(dir, 'out', 'wc.kfp'));
    const r = runCli(['import', 'wc.yaml', '-o', 'out'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(join(dir, 'out', 'wc.kfp')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'out', 'wc.kfp'), 'utf8')).toContain('component ');
    expect(readdirSync(join(dir, 'out'))).toEqual(['wc.kfp']);
  });

  it('a source name of 250 characters still names a file (a name holds 255 bytes)', () => {
    const dir = fresh('import-long');
    const long = `${'w'.repeat(245)}.yaml`;
    writeFileSync(join(dir, long), component);
    const r = runCli(['import', long, '-o', 'out'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const written = readdirSync(join(dir, 'out'));
    expect(written).toEqual([`${'w'.repeat(200)}.kfp`]);
  });
});

describe('run directories', () => {
  it('a run directory is always a new one: one that exists is never reused', () => {
    const parent = fresh('runs');
    const victim = join(scratch, 'victim.json');
    writeFileSync(victim, 'precious\n');
    mkdirSync(join(parent, 'p-20250101-000000-aaaa'));
    symlinkSync(victim, join(parent, 'p-20250101-000000-aaaa', 'run.json'));
    const suffixes = ['aaaa', 'bbbb'];
    const made = freshRunDir(parent, 'p-20250101-000000', () => suffixes.shift()!);
    expect(made.runId).toBe('p-20250101-000000-bbbb');
    expect(readdirSync(made.runDir)).toEqual([]);
    expect((lstatSync(made.runDir).mode & 0o777).toString(8)).toBe('700');
    expect(readlinkSync(join(parent, 'p-20250101-000000-aaaa', 'run.json'))).toBe(victim);
  });

  it('runs show writes report.html only into a run directory, not into any directory it is given', () => {
    const dir = fresh('not-a-run');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'p.kfp'), pipeline('p'));
    const r = runCli(['runs', 'show', 'src/'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('src/ is not a run directory');
    expect(readdirSync(join(dir, 'src'))).toEqual(['p.kfp']);
  });

  it('a dangling .gitignore symlink in .kfpdsl is not written through', () => {
    const dir = fresh('gitignore');
    writeFileSync(join(dir, 'p.kfp'), pipeline('p'));
    // Both exist: the run then keeps `.kfpdsl` out of git with a `.gitignore` there, unless one is there.
    mkdirSync(join(dir, '.kfpdsl', 'runs'), { recursive: true });
    const victim = join(dir, 'victim');
    symlinkSync(victim, join(dir, '.kfpdsl', '.gitignore'));
    const r = runCli(['run', 'p.kfp', '--skip-packages', '--format', 'short'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(victim)).toBe(false);
    expect(lstatSync(join(dir, '.kfpdsl', '.gitignore')).isSymbolicLink()).toBe(true);
  });
});

describe('kfpdsl run SPEC.yaml with hostile names', () => {
  it('a pipeline name of 300 characters with slashes names a run directory inside --run-dir (it was ENAMETOOLONG)', () => {
    const dir = fresh('long-name');
    writeFileSync(join(dir, 'p.kfp'), ['component hi() {', '  image: "alpine:3.19"', '  command: ["sh", "-c", "echo hi"]', '}', 'pipeline "long" () {', '  hi()', '}', ''].join('\n'));
    expect(runCli(['build', '--target', 'kfp-v2', 'p.kfp', '-o', 'out'], { cwd: dir }).status).toBe(0);
    const specPath = join(dir, 'out', 'p', 'long.yaml');
    const spec = readFileSync(specPath, 'utf8');
    const renamed = spec.replace(/^  name: long$/m, `  name: ../../${'E'.repeat(300)}/x`);
    expect(renamed).not.toBe(spec);
    writeFileSync(specPath, renamed);
    const r = runSync(dir, [specPath, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.dir!.startsWith(join(dir, 'runs-'))).toBe(true);
    expect(r.dir!.split('/').pop()!.length).toBeLessThan(255);
  });

  it('a parameter named `..` is a file of the step directory (it wrote over the step\'s inputs directory, an internal error)', () => {
    const dir = fresh('dots');
    writeFileSync(join(dir, 'p.kfp'), ['component hello(n: int) -> str {', '  ```python', '  return str(n)', '  ```', '}', 'pipeline "dots" () {', '  hello(7)', '}', ''].join('\n'));
    expect(runCli(['build', '--target', 'kfp-v2', 'p.kfp', '-o', 'out'], { cwd: dir }).status).toBe(0);
    const specPath = join(dir, 'out', 'p', 'dots.yaml');
    const spec = readFileSync(specPath, 'utf8');
    // The component's input `n` (a key quoted, as YAML 1.1 reads a plain `n` as false), wherever the spec names it, becomes `..`.
    const renamed = spec.replace(/^(\s+)(?:n|"n"):$/gm, "$1'..':").replaceAll("parameters['n']", "parameters['..']");
    expect(renamed).not.toBe(spec);
    writeFileSync(specPath, renamed);
    const r = runSync(dir, [specPath, '--skip-packages', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const task = r.json!.tasks[0]!;
    expect(task.outputs.parameters['Output']).toBe('7');
    expect(readFileSync(join(task.log!, '..', 'inputs', 'parameters', '_..'), 'utf8')).toBe('7');
  });
});
