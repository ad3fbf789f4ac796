/**
 * The check phase is target-neutral: nothing under src/check/ imports a backend (src/lower/,
 * src/backends/), so any target can be added without the checks knowing it. Every import
 * and re-export specifier of every file under src/check/ is read and resolved.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/cli.js';

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourcesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** `import … from 'x'`, `export … from 'x'`, `import('x')`, `import 'x'`. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  return out;
}

describe('src/check imports no backend', () => {
  const checkDir = resolve(repoRoot, 'src', 'check');
  const files = sourcesUnder(checkDir);

  it('finds the checker sources and their imports', () => {
    expect(files.length).toBeGreaterThan(10);
    // The reader works: check-pipeline.ts imports the IR.
    expect(specifiers(readFileSync(join(checkDir, 'check-pipeline.ts'), 'utf8'))).toContain('../ir/ir.js');
  });

  it.each(files.map((f) => [relative(repoRoot, f), f]))('%s', (_rel, file) => {
    const bad = specifiers(readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(resolve(repoRoot, 'src'), resolve(dirname(file), s)).split('\\').join('/'))
      .filter((p) => p.startsWith('lower/') || p.startsWith('backends/') || p.startsWith('emit/'));
    expect(bad).toEqual([]);
  });
});
