/**
 * What kfpdsl knows about an output directory it owns, and what it finds in one on disk.
 *
 * Every output directory holds a `.kfpdsl-manifest` listing the source it was built from
 * and every file the build wrote. It is how kfpdsl tells its own files from anyone
 * else's: a build replaces a directory whole only when everything in it is listed, and
 * otherwise refuses (so that a Python package or notes that happen to sit where an
 * output directory goes are never deleted).
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST = '.kfpdsl-manifest';
const HEADER = '# Written by kfpdsl build, which replaces this directory whole on every build.\n# It lists every file the build wrote; the build refuses to touch a directory holding any other.\n';

export function manifestText(sourceName: string, files: readonly string[], target?: string): string {
  return `${HEADER}source ${sourceName}\n${target !== undefined ? `target ${target}\n` : ''}${[...files].sort().map((f) => `file ${f}\n`).join('')}`;
}

export interface Manifest {
  readonly source: string | undefined;
  readonly files: string[];
}

export function parseManifest(text: string): Manifest {
  let source: string | undefined;
  const files: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('source ')) source = line.slice('source '.length);
    else if (line.startsWith('file ')) files.push(line.slice('file '.length));
  }
  return { source, files };
}

export type DirState =
  | { readonly kind: 'absent' }
  /** A directory of ours (or an empty one): `files` are the manifest's entries present on disk. */
  | { readonly kind: 'ours'; readonly manifest: Manifest | undefined; readonly manifestText: string | undefined }
  | { readonly kind: 'foreign'; readonly entries: string[] }
  | { readonly kind: 'not-a-directory'; readonly path: string; readonly what: string };

function errno(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

/** Every file and directory under `dir`, relative, `/`-separated (directories end with `/`). */
function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        out.push(`${prefix}${e.name}/`);
        walk(join(d, e.name), `${prefix}${e.name}/`);
      } else out.push(`${prefix}${e.name}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** Drops entries inside a listed directory: `pkg/` stands for `pkg/a.py` too. */
function outermost(sorted: readonly string[]): string[] {
  const out: string[] = [];
  for (const e of sorted) if (!out.some((d) => d.endsWith('/') && e.startsWith(d))) out.push(e);
  return out;
}

/** What is at `dir` now, and whether a build may replace it. Throws only what it cannot classify (EACCES and such). */
export function inspectOutputDir(dir: string): DirState {
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    if (errno(e) === 'ENOENT') return { kind: 'absent' };
    if (errno(e) === 'ENOTDIR') return { kind: 'not-a-directory', path: firstFileOnTheWay(dir), what: 'a file' };
    throw e;
  }
  if (st.isSymbolicLink()) return { kind: 'not-a-directory', path: dir, what: 'a symbolic link' };
  if (!st.isDirectory()) return { kind: 'not-a-directory', path: dir, what: 'a file' };
  const entries = listTree(dir);
  if (entries.length === 0) return { kind: 'ours', manifest: undefined, manifestText: undefined };
  if (!entries.includes(MANIFEST)) return { kind: 'foreign', entries: outermost(entries) };
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST), 'utf8');
  } catch (e) {
    if (errno(e) === 'EISDIR') return { kind: 'foreign', entries: [`${MANIFEST}/`] };
    throw e;
  }
  const manifest = parseManifest(text);
  const listed = new Set([MANIFEST, ...manifest.files]);
  for (const f of manifest.files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) listed.add(`${parts.slice(0, i).join('/')}/`);
  }
  const foreign = entries.filter((e) => !listed.has(e));
  // A listed name that is now a directory (someone made `x.yaml/`) is not ours either.
  for (const f of manifest.files) if (entries.includes(`${f}/`)) foreign.push(`${f}/`);
  if (foreign.length > 0) return { kind: 'foreign', entries: outermost(foreign.sort()) };
  return { kind: 'ours', manifest, manifestText: text };
}

/** The first ancestor of `path` that exists and is not a directory (for ENOTDIR messages). */
export function firstFileOnTheWay(path: string): string {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const p = parts.slice(0, i).join('/') || '/';
    try {
      if (!lstatSync(p).isDirectory()) return p;
    } catch {
      return path;
    }
  }
  return path;
}
