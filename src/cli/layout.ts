/**
 * Where `kfpdsl build` puts a source's outputs: a pure function of the source's path, so
 * that building one file or a hundred, or any subset of them, gives the same tree.
 *
 *   D/S.kfp            →  D/S/                       (no -o: beside the source)
 *   D/S.kfp -o OUT     →  OUT/<D relative to the project root>/S/
 *
 * Inside it: `<pipeline name>.yaml` per pipeline and `components/<component>.yaml` per
 * component, plus the `.kfpdsl-manifest` that lists them (see output-dir.ts).
 */
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { findProjectRoot } from '../project/root.js';
import type { SourceFile } from '../source.js';

export interface LayoutOptions {
  /** `-o DIR` */
  readonly out?: string | undefined;
  /** `--root DIR` */
  readonly root?: string | undefined;
}

/** The stem of `D/S.kfp`, or undefined when it cannot name a directory (`.kfp`, `...kfp`, `.hidden.kfp`). */
export function sourceStem(path: string): string | undefined {
  const stem = basename(path).replace(/\.kfp$/, '');
  if (!path.endsWith('.kfp') || stem === '' || stem.startsWith('.') || /[\x00-\x1f\x7f/\\]/.test(stem)) return undefined;
  return stem;
}

/** The output directory of one source, or the diagnostic saying why it has none. */
export function outputDirFor(source: SourceFile, opts: LayoutOptions): string | Diagnostic {
  const stem = sourceStem(source.path);
  if (stem === undefined) {
    return diag('InvalidSourceName', `\`${basename(source.path)}\` cannot name an output directory`, {
      file: source,
      hint: 'the output directory is named after the source without `.kfp`; rename the file so that this is a name that does not start with `.`',
    });
  }
  if (opts.out === undefined) return join(dirname(source.path), stem);
  const root = rootOf(dirname(resolve(source.path)), opts.root);
  const rel = relative(root, resolve(dirname(source.path)));
  if (rel === '..' || rel.startsWith(`..${'/'}`) || rel.startsWith('..\\') || isAbsolute(rel)) {
    return diag('SourceOutsideRoot', `\`${source.path}\` is outside the project root \`${root}\`, so it has no place under -o`, {
      file: source,
      hint: 'with -o, each source\'s outputs go to OUT/<its directory relative to the root>/<name>/; give a --root that holds every source',
    });
  }
  return join(opts.out, rel, stem);
}

/** Roots by source directory: a build of thousands of files looks each directory up once. */
const roots = new Map<string, string>();
function rootOf(dir: string, explicit: string | undefined): string {
  if (explicit !== undefined) return resolve(explicit);
  let root = roots.get(dir);
  if (root === undefined) {
    root = findProjectRoot(join(dir, 'x.kfp'));
    roots.set(dir, root);
  }
  return root;
}

const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}$/;

/**
 * Checks a compiled file's path relative to its output directory: at most
 * `components/<name>`, every part a plain name. The compiler only makes such names;
 * anything else is our bug, and must never become a write outside the directory.
 */
export function checkOutputName(rel: string): void {
  const parts = rel.split('/');
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'components') || !parts.every((p) => SAFE_SEGMENT.test(p))) {
    throw new Error(`refusing an unsafe output file name: ${JSON.stringify(rel)}`);
  }
}
