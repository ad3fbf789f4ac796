/** Finding .kfp sources and writing outputs: all-or-nothing, never outside the output directory. */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export class UsageError extends Error {}

/** Expands files and directories (recursively, for `*.kfp`) into a sorted, de-duplicated list. */
export function collectSources(paths: readonly string[]): string[] {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && entry.name.endsWith('.kfp')) out.add(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    if (st.isDirectory()) walk(p);
    else out.add(p);
  }
  return [...out].sort();
}

export function readSource(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Joins an output-relative path to its directory, refusing anything that would land outside it. */
export function safeJoin(dir: string, rel: string): string {
  const root = resolve(dir);
  const full = resolve(root, rel);
  if (full !== root && !full.startsWith(root + sep)) throw new Error(`refusing to write outside ${dir}: ${rel}`);
  if (relative(root, full).split(sep).some((part) => part === '..')) throw new Error(`refusing to write outside ${dir}: ${rel}`);
  return full;
}

/**
 * Writes every file or none: each goes to a temporary sibling first, and only when all
 * temporaries exist are they renamed into place (rename is atomic on one file system).
 */
export function writeAll(files: ReadonlyMap<string, string>): void {
  const temps: [string, string][] = [];
  try {
    for (const [path, text] of files) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      temps.push([tmp, path]);
    }
  } catch (e) {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    throw e;
  }
  for (const [tmp, path] of temps) renameSync(tmp, path);
}
