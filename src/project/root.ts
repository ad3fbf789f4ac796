/**
 * The project root: the directory a source belongs to. Imports may not leave it, and
 * `build -o DIR` mirrors each source's place under it, so that a source's outputs are a
 * pure function of its path (the same whether one file or a hundred are built).
 *
 * The root is the nearest ancestor directory of the source (its own directory included)
 * that holds `.git`, `package.json` or a `kfpdsl.yaml` project file; `--root DIR` overrides
 * it. With none of them, the source's own directory is the root.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const ROOT_MARKERS: readonly string[] = ['.git', 'package.json', 'kfpdsl.yaml'];

/** Absolute path of the project root of `sourcePath` (a file), or `explicit` when given. */
export function findProjectRoot(sourcePath: string, explicit?: string, exists: (p: string) => boolean = existsSync): string {
  if (explicit !== undefined) return resolve(explicit);
  const start = dirname(resolve(sourcePath));
  for (let dir = start; ; dir = dirname(dir)) {
    if (ROOT_MARKERS.some((m) => exists(resolve(dir, m)))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
