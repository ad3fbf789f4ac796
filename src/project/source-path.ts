/**
 * How generated programs name a .kfp source (in tracebacks): its path relative to the project
 * root (see root.ts), with `/` separators. The name is then the same whichever directory the
 * compiler ran in and however the path was given (`examples/add.kfp`, `./examples/add.kfp`, an
 * absolute path), so compiled output stays byte-identical, and it is the path to open from the
 * repository's top, where `kfpdsl run` and editors usually run.
 */
import { relative, resolve, sep } from 'node:path';
import { findProjectRoot } from './root.js';

export function sourcePathInProject(sourcePath: string, root?: string): string {
  return relative(findProjectRoot(sourcePath, root), resolve(sourcePath)).split(sep).join('/');
}
