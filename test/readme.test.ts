/**
 * The README's `.kfp` snippets are real programs: every ```kfp or ````kfp fence in README.md is
 * compiled by the real compiler and must give no diagnostic at all (no error, no warning). A
 * fence whose info string says `fragment` (````kfp fragment) is a piece that cannot stand alone
 * and is not compiled; the README says so in a comment, and there should be few of them.
 *
 * Each snippet is compiled as if it stood at its place in README.md (blank lines before it), so
 * a failure points at README.md:line:col.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../src/compile.js';
import { renderShort } from '../src/diagnostics/render.js';
import { SourceFile } from '../src/source.js';
import { repoRoot } from './support/cli.js';
import { fencesOf } from './support/markdown.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const kfpFences = fencesOf(readme).filter((f) => f.info.split(/\s+/)[0] === 'kfp');
const compiled = kfpFences.filter((f) => !f.info.split(/\s+/).includes('fragment'));
const fragments = kfpFences.filter((f) => f.info.split(/\s+/).includes('fragment'));

describe('README.md: every kfp fence compiles', () => {
  it('has kfp fences, most of them complete programs, and documents the fragment marker', () => {
    expect(compiled.length).toBeGreaterThanOrEqual(5);
    expect(fragments.length).toBeLessThan(compiled.length);
    expect(readme).toMatch(/<!--[^]*````kfp fragment[^]*-->/);
  });

  it.each(compiled.map((f) => [`README.md:${f.line}`, f] as const))('%s compiles with no diagnostic', (_, fence) => {
    const file = new SourceFile('README.md', `${'\n'.repeat(fence.line)}${fence.text}\n`);
    const result = compileSource(file);
    expect(result.diagnostics.map((d) => renderShort(d))).toEqual([]);
  });

  it('the first snippet is the add example, whose run the Quick start shows', () => {
    const first = compileSource(new SourceFile('README.md', compiled[0]!.text));
    const example = compileSource(new SourceFile('examples/add.kfp', readFileSync(join(repoRoot, 'examples/add.kfp'), 'utf8')));
    const names = (r: typeof first) => r.files.map((f) => f.path).sort();
    expect(names(first)).toEqual(names(example));
  });
});
