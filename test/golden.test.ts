/**
 * Golden outputs: every examples/<name>.kfp compiles without errors to exactly the files under
 * examples/<name>.expected/, byte for byte (`npx vitest run -u` regenerates them, and also
 * deletes expected files the compiler no longer produces). Each output is also checked for:
 * same value under YAML 1.1 and 1.2, non-ASCII text only in readable block scalars, the strict Argo / kfp component validators
 * (when ../shared is present), and deterministic compilation. The real binary must write the
 * same tree: the source's output directory, which also holds the `.kfpdsl-manifest` listing
 * what the build wrote (kept in the .expected directory too, as the binary writes it).
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseDocument, Scalar, visit } from 'yaml';
import { compileSource, type OutputFile } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { shared, strictArgoErrors } from './support/argo-strict.js';
import { listFiles, repoRoot, runCli } from './support/cli.js';
import { componentErrors } from './support/kfp-component-strict.js';

const MANIFEST = '.kfpdsl-manifest';

const examplesDir = join(repoRoot, 'examples');
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.kfp'))
  .map((f) => f.slice(0, -'.kfp'.length))
  .sort();

function compileExample(name: string): { files: OutputFile[]; errors: string[] } {
  const rel = `examples/${name}.kfp`;
  const result = compileSource(new SourceFile(rel, readFileSync(join(repoRoot, rel), 'utf8')));
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
  return { files: result.files, errors };
}

function updatingSnapshots(): boolean {
  const state = expect.getState().snapshotState as unknown as { _updateSnapshot?: string } | undefined;
  return state?._updateSnapshot === 'all';
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

it('there is at least one example', () => {
  expect(examples).toContain('add');
});

describe.each(examples)('examples/%s.kfp', (name) => {
  const expectedDir = join(examplesDir, `${name}.expected`);
  const first = compileExample(name);

  it('compiles without errors', () => {
    expect(first.errors).toEqual([]);
    expect(first.files.length).toBeGreaterThan(0);
  });

  it('produces exactly the files under the .expected directory', () => {
    const produced = first.files.map((f) => f.path).sort();
    expect(new Set(produced).size).toBe(produced.length);
    const onDisk = listFiles(expectedDir).filter((p) => p !== MANIFEST);
    const stale = onDisk.filter((p) => !produced.includes(p));
    // Never prune goldens on the strength of a failed compile.
    if (stale.length > 0 && updatingSnapshots() && first.errors.length === 0 && produced.length > 0) {
      for (const p of stale) rmSync(join(expectedDir, p));
    } else {
      expect(stale, `stale files in examples/${name}.expected/ (delete them, or run vitest -u)`).toEqual([]);
    }
    // Missing files are written by `-u` (toMatchFileSnapshot below); without it they fail here,
    // even where vitest would quietly write new snapshots.
    if (!updatingSnapshots()) {
      const missing = produced.filter((p) => !onDisk.includes(p));
      expect(missing, `files missing from examples/${name}.expected/ (run vitest -u)`).toEqual([]);
    }
  });

  describe.each(first.files.map((f) => [f.path, f] as const))('%s', (_path, file) => {
    it('matches the golden file byte for byte', async () => {
      await expect(file.text).toMatchFileSnapshot(join(expectedDir, file.path));
    });

    it('holds no control characters, non-ASCII text only in readable block scalars, and ends with one newline', () => {
      const bad = [...file.text].map((c, i) => [c, i] as const).find(([c]) => /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]/.test(c));
      expect(bad, bad ? `control character U+${bad[0].charCodeAt(0).toString(16)} at offset ${bad[1]}` : '').toBeUndefined();
      // Korean in a Python program stays readable (a literal block); anywhere else it is escaped.
      const quotedNonAscii: string[] = [];
      visit(parseDocument(file.text), {
        Scalar(_k, node) {
          const raw = node.range ? file.text.slice(node.range[0], node.range[1]) : '';
          if (node.type !== Scalar.BLOCK_LITERAL && /[^\x00-\x7f]/.test(raw)) quotedNonAscii.push(raw.slice(0, 60));
        },
      });
      expect(quotedNonAscii).toEqual([]);
      expect(file.text.endsWith('\n') && !file.text.endsWith('\n\n')).toBe(true);
    });

    it('parses to the same value under YAML 1.1 and 1.2', () => {
      const v11: unknown = parse(file.text, { version: '1.1' });
      const v12: unknown = parse(file.text, { version: '1.2' });
      expect(v11).toBeTypeOf('object');
      expect(v11).toEqual(v12);
    });

    it.skipIf(shared.missing)(shared.title(file.kind === 'workflow' ? 'passes the strict Argo validator' : 'passes the strict kfp component validator'), () => {
      const value: unknown = parse(file.text);
      expect(file.kind === 'workflow' ? strictArgoErrors(value) : componentErrors(value)).toEqual([]);
    });
  });

  it('compiles deterministically (twice gives identical bytes)', () => {
    const second = compileExample(name);
    expect(second.files).toEqual(first.files);
  });

  it('`kfpdsl build -o DIR` writes exactly the expected tree', () => {
    const out = mkdtempSync(join(tmpdir(), `kfpdsl-golden-${name}-`));
    tmpDirs.push(out);
    const r = runCli(['build', `examples/${name}.kfp`, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The repository is the project root: examples/<name>.kfp is built into <out>/examples/<name>/.
    expect(readdirSync(out)).toEqual(['examples']);
    const dir = join(out, 'examples', name);
    const written = listFiles(dir);
    expect(written).toEqual([MANIFEST, ...first.files.map((f) => f.path)].sort());
    for (const f of first.files) expect(readFileSync(join(dir, f.path), 'utf8'), f.path).toBe(f.text);
    // And the committed goldens are what the binary writes (with -u the manifest is copied in).
    if (updatingSnapshots()) {
      copyFileSync(join(dir, MANIFEST), join(expectedDir, MANIFEST));
      return;
    }
    expect(written).toEqual(listFiles(expectedDir));
    for (const p of written) expect(readFileSync(join(dir, p), 'utf8'), p).toBe(readFileSync(join(expectedDir, p), 'utf8'));
  });
});
