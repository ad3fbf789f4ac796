/**
 * The container file system, mapped onto the host. Declared paths (artifacts, output
 * parameter files, mount points) live under the step's `fs/` directory or in the mounted
 * volume's host directory, and every occurrence of one in a command string is rewritten, so
 * the unchanged program reads and writes the host files.
 */
import { isAbsolute, join, posix } from 'node:path';

export interface Mount {
  /** Absolute container path, without a trailing slash. */
  readonly mountPath: string;
  readonly host: string;
}

const PATH_CHAR = 'A-Za-z0-9._\\-';

export class PathMap {
  private readonly mounts: Mount[];

  constructor(
    private readonly fsRoot: string,
    mounts: readonly Mount[],
    /** Host directory that relative container paths resolve against (the working directory). */
    private readonly cwd: string,
  ) {
    // Longest mount point first, so nested mounts win.
    this.mounts = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  }

  host(containerPath: string): string {
    if (!isAbsolute(containerPath)) return join(this.cwd, containerPath);
    const p = normalize(containerPath);
    for (const m of this.mounts) {
      if (p === m.mountPath) return m.host;
      if (p.startsWith(`${m.mountPath}/`)) return join(m.host, p.slice(m.mountPath.length + 1));
    }
    return join(this.fsRoot, p);
  }

  /**
   * Rewrites each occurrence of a known absolute path that stands on its own: not preceded by a
   * path character or `/`, and not continued by a path character (a following `/` is fine, so
   * `/mnt/file1` maps through the `/mnt` mount).
   */
  rewrite(text: string, containerPaths: readonly string[]): string {
    const paths = [...new Set(containerPaths.filter((p) => isAbsolute(p)).map(normalize))].filter((p) => p !== '/');
    if (paths.length === 0) return text;
    paths.sort((a, b) => b.length - a.length);
    const alternatives = paths.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const re = new RegExp(`(?<![${PATH_CHAR}/])(?:${alternatives})(?![${PATH_CHAR}])`, 'g');
    return text.replace(re, (p) => this.host(p));
  }
}

export function normalize(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
