/**
 * How the compiler reads files other than the source it was given (imported .kfp modules and
 * component.yaml files): through this small interface, as TypeScript's CompilerHost does, so
 * that an editor or a test can serve files from memory (memory-host.ts). `fsHost` is the real
 * file system. The check phase reaches files and paths only through a host: it never imports
 * `node:fs`, resolves against the working directory or calls `process.cwd()` (a test scans it).
 *
 * `readRegularFile` opens nothing but a regular file of bounded size: a FIFO would block the
 * compiler forever and /dev/zero would never end, so the kind is checked on the open
 * descriptor (O_NONBLOCK, O_NOFOLLOW) before a single byte is read.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export type ReadOutcome =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'directory' }
  /** A FIFO, socket or device: never opened. */
  | { readonly kind: 'special' }
  | { readonly kind: 'too-large'; readonly size: number }
  /** An errno name such as ENOENT or EACCES. */
  | { readonly kind: 'error'; readonly code: string };

export interface DirectoryEntry {
  readonly name: string;
  /** What is there, links followed; undefined for a dangling link. */
  readonly kind: 'file' | 'directory' | 'special' | undefined;
  readonly link: boolean;
}

export interface FileHost {
  /** The absolute path with every symbolic link resolved; throws an errno error (ENOENT, ELOOP, …). */
  realPath(path: string): string;
  /** The text of `path` (a resolved path) if it is a regular file of at most `maxBytes` bytes. */
  readRegularFile(path: string, maxBytes: number): ReadOutcome;
  /** Whether anything exists at `path` (for finding the project root). */
  exists(path: string): boolean;
  /** What is at `path` (symbolic links followed), or undefined when nothing is. */
  stat(path: string): 'file' | 'directory' | 'special' | undefined;
  /** The names in a directory, sorted; empty when it cannot be read. */
  listDirectory(path: string): string[];
  /**
   * Optional, for walking a whole project: the entries of a directory, sorted by name, with what
   * each is (symbolic links followed) and whether it is a link; empty when it cannot be read.
   * The disk answers it from one readdir (a stat only per link); without it a walk asks
   * listDirectory, then stat and realPath for every entry.
   */
  listEntries?(path: string): DirectoryEntry[];
  /** The absolute, normalised path of `spec` written in the file `from` (itself a path as the host takes it). */
  resolveImport(from: string, spec: string): string;
  /** An absolute path as the user would write it: relative to the working directory when below it. */
  displayPath(path: string): string;
}

/** Whether `path` is `dir` or below it (both absolute and normalised). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function errnoCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'EIO';
}

function kindOf(st: { isFile(): boolean; isDirectory(): boolean }): 'file' | 'directory' | 'special' {
  return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'special';
}

/** Kernel file systems: their "regular" files (/proc/self/environ) report size 0 and hold live process data. */
export const KERNEL_FILES = /^\/(proc|sys|dev)(\/|$)/;

function readRegularFile(path: string, maxBytes: number): ReadOutcome {
  if (KERNEL_FILES.test(path)) return { kind: 'special' };
  try {
    // lstat first, so that a FIFO or device is never opened at all; the open below checks again.
    const before = kindOf(lstatSync(path));
    if (before !== 'file') return { kind: before };
  } catch (e) {
    return { kind: 'error', code: errnoCode(e) };
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    return { kind: 'error', code: errnoCode(e) };
  }
  try {
    // The file may have been swapped between lstat and open: what counts is what was opened.
    const st = fstatSync(fd);
    const kind = kindOf(st);
    if (kind !== 'file') return { kind };
    if (st.size > maxBytes) return { kind: 'too-large', size: st.size };
    // Read at most maxBytes + 1 whatever the size said: a file that grows is still bounded.
    const buf = Buffer.alloc(Math.min(maxBytes + 1, st.size + 1));
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > maxBytes) return { kind: 'too-large', size: n };
    return { kind: 'text', text: buf.subarray(0, n).toString('utf8') };
  } catch (e) {
    return { kind: 'error', code: errnoCode(e) };
  } finally {
    closeSync(fd);
  }
}

function stat(path: string): 'file' | 'directory' | 'special' | undefined {
  try {
    return kindOf(statSync(path));
  } catch {
    return undefined;
  }
}

function listDirectory(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}

function listEntries(path: string): DirectoryEntry[] {
  let dirents;
  try {
    dirents = readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
  }
  // Sorted as listDirectory sorts (by UTF-16 code units).
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return dirents.map((d) => {
    if (d.isSymbolicLink()) return { name: d.name, kind: stat(join(path, d.name)), link: true };
    return { name: d.name, kind: d.isFile() ? 'file' : d.isDirectory() ? 'directory' : 'special', link: false };
  });
}

export const fsHost: FileHost = {
  realPath: (path) => realpathSync.native(path),
  readRegularFile,
  exists: existsSync,
  stat,
  listDirectory,
  listEntries,
  // The one place a relative source path meets the working directory: the CLI's paths are relative to it.
  resolveImport: (from, spec) => resolve(dirname(resolve(from)), spec),
  displayPath: (path) => {
    const cwd = process.cwd();
    const rel = relative(cwd, path);
    return rel === '' ? '.' : isInside(cwd, path) ? rel : path;
  },
};
