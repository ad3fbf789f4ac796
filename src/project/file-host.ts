/**
 * How the compiler reads files other than the source it was given (imported component.yaml
 * files): through this small interface, as TypeScript's CompilerHost does, so that an editor
 * or a test can serve files from memory. `fsHost` is the real file system.
 *
 * `readRegularFile` opens nothing but a regular file of bounded size: a FIFO would block the
 * compiler forever and /dev/zero would never end, so the kind is checked on the open
 * descriptor (O_NONBLOCK, O_NOFOLLOW) before a single byte is read.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';

export type ReadOutcome =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'directory' }
  /** A FIFO, socket or device: never opened. */
  | { readonly kind: 'special' }
  | { readonly kind: 'too-large'; readonly size: number }
  /** An errno name such as ENOENT or EACCES. */
  | { readonly kind: 'error'; readonly code: string };

export interface FileHost {
  /** The absolute path with every symbolic link resolved; throws an errno error (ENOENT, ELOOP, …). */
  realPath(path: string): string;
  /** The text of `path` (a resolved path) if it is a regular file of at most `maxBytes` bytes. */
  readRegularFile(path: string, maxBytes: number): ReadOutcome;
  /** Whether anything exists at `path` (for finding the project root). */
  exists(path: string): boolean;
}

function errnoCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'EIO';
}

function kindOf(st: { isFile(): boolean; isDirectory(): boolean }): 'file' | 'directory' | 'special' {
  return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'special';
}

/** Kernel file systems: their "regular" files (/proc/self/environ) report size 0 and hold live process data. */
const KERNEL_FILES = /^\/(proc|sys|dev)(\/|$)/;

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

export const fsHost: FileHost = {
  realPath: (path) => realpathSync.native(path),
  readRegularFile,
  exists: existsSync,
};
