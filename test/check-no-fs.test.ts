/**
 * The check phase reaches files only through the host (src/project/file-host.ts), so that an
 * editor's unsaved buffers and a test's in-memory files are what it sees: no module under
 * src/check imports `node:fs`, calls `process.cwd()`, or resolves a path against the working
 * directory with `path.resolve`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const checkDir = new URL('../src/check/', import.meta.url).pathname;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** What the check phase may not use, each with the pattern that finds it. */
const FORBIDDEN: [string, RegExp][] = [
  ['node:fs', /from\s+['"](node:)?fs(\/promises)?['"]|require\(\s*['"](node:)?fs/],
  ['process.cwd()', /process\s*\.\s*cwd/],
  ['path.resolve', /import\s*\{[^}]*\bresolve\b[^}]*\}\s*from\s*['"](node:)?path['"]|\bpath\.resolve\(/],
];

describe('the check phase never touches the file system', () => {
  const files = tsFiles(checkDir);

  it('finds the sources it scans', () => {
    expect(files.map((f) => relative(checkDir, f))).toEqual(expect.arrayContaining(['check.ts', 'check-import.ts', 'check-module.ts', 'scope.ts']));
  });

  it.each(FORBIDDEN)('no %s under src/check', (_what, pattern) => {
    const hits = files.filter((f) => pattern.test(readFileSync(f, 'utf8'))).map((f) => relative(checkDir, f));
    expect(hits).toEqual([]);
  });

  it('the patterns find what they look for', () => {
    expect(FORBIDDEN[0]![1].test("import { readFileSync } from 'node:fs';")).toBe(true);
    expect(FORBIDDEN[1]![1].test('const d = process.cwd();')).toBe(true);
    expect(FORBIDDEN[2]![1].test("import { dirname, resolve } from 'node:path';")).toBe(true);
  });
});
