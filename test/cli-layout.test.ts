/**
 * Where `kfpdsl build` writes: each source D/S.kfp owns one directory, D/S/ without -o and
 * OUT/<D relative to the project root>/S/ with it, whatever else is built at the same time.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutputName, outputDirFor, sourceStem } from '../src/cli/layout.js';
import { SourceFile } from '../src/source.js';
import { ensureBundle, listFiles, repoRoot, runCli } from './support/cli.js';

beforeAll(() => ensureBundle());

const tmpDirs: string[] = [];
function tmp(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `kfpdsl-layout-${label}-`));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** Every file under `dir` with its contents, for byte-for-byte comparison of trees. */
function tree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((p) => [p, readFileSync(join(dir, p), 'utf8')]));
}

/** A source defining a component `add` (whose body differs per `tag`) and one pipeline. */
function source(tag: string, pipeline = `${tag} pipeline`): string {
  return [
    'component add(a: int, b: int) -> int {',
    '  ```python',
    `  return a + b  # ${tag}`,
    '  ```',
    '}',
    '',
    `pipeline "${pipeline}" (x: int = 1) {`,
    '  add(x, 2)',
    '}',
    '',
  ].join('\n');
}

/** A small project: package.json at the root, two sources sharing a component name in pipes/. */
function project(): string {
  const root = tmp('project');
  writeFileSync(join(root, 'package.json'), '{}\n');
  mkdirSync(join(root, 'pipes'));
  writeFileSync(join(root, 'pipes', 'alpha.kfp'), source('alpha'));
  writeFileSync(join(root, 'pipes', 'beta.kfp'), source('beta'));
  return root;
}

describe('one output directory per source', () => {
  it('`build examples -o out` puts each example in out/examples/<name>/, exactly its .expected tree', () => {
    const out = tmp('examples');
    const r = runCli(['build', 'examples', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    for (const name of ['add', 'conditional', 'parallel', 'reuse']) {
      expect(tree(join(out, 'examples', name))).toEqual(tree(join(repoRoot, 'examples', `${name}.expected`)));
    }
    expect(listFiles(out).every((f) => f.startsWith('examples/'))).toBe(true);
  });

  it('without -o, D/S.kfp is built into D/S/, and nothing else is written beside it', () => {
    const root = project();
    const r = runCli(['build', 'pipes/alpha.kfp'], { cwd: root });
    expect(r.status, r.stderr).toBe(0);
    expect(listFiles(join(root, 'pipes'))).toEqual(['alpha.kfp', 'alpha/.kfpdsl-manifest', 'alpha/alpha-pipeline.yaml', 'alpha/components/add.yaml', 'beta.kfp']);
  });

  it('two sources with a same-named component: built one at a time or together, the same tree, and no overwrite', () => {
    for (const out of [undefined, 'out']) {
      const one = project();
      const together = project();
      const o = out ? ['-o', out] : [];
      expect(runCli(['build', 'pipes/alpha.kfp', ...o], { cwd: one }).status).toBe(0);
      expect(runCli(['build', 'pipes/beta.kfp', ...o], { cwd: one }).status).toBe(0);
      expect(runCli(['build', 'pipes', ...o], { cwd: together }).status).toBe(0);
      const a = tree(one);
      expect(a).toEqual(tree(together));
      const base = out ? 'out/pipes' : 'pipes';
      expect(a[`${base}/alpha/components/add.yaml`]).toContain('# alpha');
      expect(a[`${base}/beta/components/add.yaml`]).toContain('# beta');
    }
  });

  it('the layout does not depend on the working directory (the project root does)', () => {
    const root = project();
    const elsewhere = tmp('cwd');
    const out = join(elsewhere, 'out');
    expect(runCli(['build', join(root, 'pipes', 'alpha.kfp'), '-o', out], { cwd: elsewhere }).status).toBe(0);
    expect(listFiles(out)).toContain('pipes/alpha/alpha-pipeline.yaml');
    // --root overrides the marker: the source is then placed relative to it.
    const out2 = join(elsewhere, 'out2');
    expect(runCli(['build', join(root, 'pipes', 'alpha.kfp'), '-o', out2, '--root', join(root, 'pipes')]).status).toBe(0);
    expect(listFiles(out2)).toContain('alpha/alpha-pipeline.yaml');
  });

  it('a source outside --root has no place under -o: KFP0013, nothing written', () => {
    const root = project();
    const out = join(root, 'out');
    const r = runCli(['build', 'pipes/alpha.kfp', '-o', out, '--root', join(root, 'elsewhere')], { cwd: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0013]');
    expect(r.stderr).toContain('--> pipes/alpha.kfp');
    expect(listFiles(out)).toEqual([]);
  });

  it('two sources that would share an output directory in one build: KFP0014, nothing written', () => {
    const a = tmp('collide-a');
    const b = tmp('collide-b');
    writeFileSync(join(a, 'same.kfp'), source('a'));
    writeFileSync(join(b, 'same.kfp'), source('b'));
    const out = join(tmp('collide-out'), 'out');
    // No markers: each source's own directory is its root, so both map to out/same/.
    const r = runCli(['build', join(a, 'same.kfp'), join(b, 'same.kfp'), '-o', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0014]');
    expect(listFiles(out)).toEqual([]);
  });
});

describe('build --check agrees with a full build on any subset', () => {
  it('passes on each file alone and on all after a full build; reports a changed, a missing and a stale file', () => {
    const root = project();
    writeFileSync(join(root, 'pipes', 'gamma.kfp'), source('gamma'));
    for (const o of [[], ['-o', 'out']]) {
      expect(runCli(['build', 'pipes', ...o], { cwd: root }).status).toBe(0);
      for (const subset of [['pipes/alpha.kfp'], ['pipes/beta.kfp', 'pipes/gamma.kfp'], ['pipes']]) {
        const r = runCli(['build', '--check', ...subset, ...o], { cwd: root });
        expect(r, subset.join(' ')).toMatchObject({ status: 0, stdout: '', stderr: '' });
      }
    }
    // The pipeline of beta is renamed: the old file is stale, the new one missing.
    writeFileSync(join(root, 'pipes', 'beta.kfp'), source('beta', 'renamed'));
    const r = runCli(['build', '--check', 'pipes/beta.kfp', '--format', 'short'], { cwd: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('pipes/beta.kfp: error KFP0015: out of date: pipes/beta/renamed.yaml is missing');
    expect(r.stderr).toContain('pipes/beta.kfp: error KFP0015: out of date: pipes/beta/beta-pipeline.yaml is no longer written by the build');
    // The other sources are still up to date.
    expect(runCli(['build', '--check', 'pipes/alpha.kfp', 'pipes/gamma.kfp'], { cwd: root }).status).toBe(0);
    // A build removes the stale file, and then --check agrees.
    expect(runCli(['build', 'pipes/beta.kfp'], { cwd: root }).status).toBe(0);
    expect(listFiles(join(root, 'pipes', 'beta'))).toEqual(['.kfpdsl-manifest', 'components/add.yaml', 'renamed.yaml']);
    expect(runCli(['build', '--check', 'pipes'], { cwd: root }).status).toBe(0);
  });

  it('--check --format json lists out-of-date files as diagnostics on stdout', () => {
    const root = project();
    const r = runCli(['build', '--check', 'pipes/alpha.kfp', '--format', 'json'], { cwd: root });
    expect(r.status).toBe(1);
    const diags = JSON.parse(r.stdout) as { code: string; file: string; message: string }[];
    expect(diags.map((d) => [d.code, d.file])).toEqual([
      ['KFP0015', 'pipes/alpha.kfp'],
      ['KFP0015', 'pipes/alpha.kfp'],
    ]);
  });
});

describe('never deleting what kfpdsl did not write', () => {
  it('a directory named like the source holding other files is refused (KFP0012) and left as it was', () => {
    const root = project();
    mkdirSync(join(root, 'pipes', 'alpha'));
    writeFileSync(join(root, 'pipes', 'alpha', '__init__.py'), 'x = 1\n');
    const before = tree(root);
    const r = runCli(['build', 'pipes'], { cwd: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0012]: the output directory `pipes/alpha` holds files kfpdsl did not write: `__init__.py`');
    expect(tree(root)).toEqual(before);
  });

  it('a file added to an output directory after a build stops the next build', () => {
    const root = project();
    expect(runCli(['build', 'pipes/alpha.kfp'], { cwd: root }).status).toBe(0);
    writeFileSync(join(root, 'pipes', 'alpha', 'components', 'notes.md'), 'mine\n');
    const r = runCli(['build', 'pipes/alpha.kfp'], { cwd: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('`components/notes.md`');
    expect(readFileSync(join(root, 'pipes', 'alpha', 'components', 'notes.md'), 'utf8')).toBe('mine\n');
  });

  it('an empty directory in the way is taken over; an output directory of an old layout (no manifest) is not', () => {
    const root = project();
    mkdirSync(join(root, 'pipes', 'alpha'));
    expect(runCli(['build', 'pipes/alpha.kfp'], { cwd: root }).status).toBe(0);
    renameSync(join(root, 'pipes', 'alpha', '.kfpdsl-manifest'), join(root, 'manifest'));
    const r = runCli(['build', 'pipes/alpha.kfp'], { cwd: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KFP0012');
  });

  it('a source named `...kfp` cannot write outside its directory: KFP0007', () => {
    const root = project();
    writeFileSync(join(root, 'pipes', '...kfp'), source('dots'));
    const before = tree(root);
    const r = runCli(['build', 'pipes/...kfp', 'pipes/alpha.kfp', '-o', 'out'], { cwd: root });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0007]');
    expect(tree(root)).toEqual(before);
  });
});

describe('output names are validated, never trusted', () => {
  it('a source stem must name a plain directory', () => {
    expect(sourceStem('a/b/train.kfp')).toBe('train');
    expect(sourceStem('a/b/my pipeline.kfp')).toBe('my pipeline');
    for (const bad of ['a/.kfp', 'a/...kfp', 'a/..kfp', 'a/.hidden.kfp', 'a/new\nline.kfp', 'a/train.txt']) expect(sourceStem(bad), bad).toBeUndefined();
  });

  it('compiled file names with a separator, `..` or a leading dot are refused before any write', () => {
    for (const ok of ['p.yaml', 'components/add.yaml', 'a-b_c.1.yaml']) expect(() => checkOutputName(ok)).not.toThrow();
    for (const bad of ['../p.yaml', 'components/../../x.yaml', '/etc/passwd', 'a/b.yaml', 'components/x/y.yaml', '.kfpdsl-manifest', '..', '']) {
      expect(() => checkOutputName(bad), bad).toThrow(/unsafe output file name/);
    }
  });

  it('outputDirFor places D/S.kfp at D/S or OUT/<D from the root>/S, and refuses what lies outside the root', () => {
    const src = new SourceFile('/proj/pipes/train.kfp', '');
    expect(outputDirFor(src, {})).toBe('/proj/pipes/train');
    expect(outputDirFor(src, { out: '/out', root: '/proj' })).toBe('/out/pipes/train');
    expect(outputDirFor(src, { out: '/out', root: '/proj/pipes' })).toBe('/out/train');
    expect(outputDirFor(src, { out: '/out', root: '/other' })).toMatchObject({ code: 'KFP0013' });
    expect(outputDirFor(new SourceFile('/proj/...kfp', ''), { out: '/out', root: '/proj' })).toMatchObject({ code: 'KFP0007' });
  });
});
