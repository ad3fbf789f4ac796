/**
 * A FileHost that serves files from memory, over another host: what a test uses (with no
 * disk behind it) and what the language server will use (unsaved editor buffers win over the
 * disk). Paths are POSIX and absolute; a relative path is taken from `cwd` (default `/`).
 */
import { posix } from 'node:path';
import type { FileHost, ReadOutcome } from './file-host.js';

/** A host with nothing in it: the base of a pure in-memory host. */
const EMPTY: FileHost = {
  realPath: (path) => {
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  },
  readRegularFile: () => ({ kind: 'error', code: 'ENOENT' }),
  exists: () => false,
  stat: () => undefined,
  listDirectory: () => [],
  resolveImport: (from, spec) => posix.resolve(posix.dirname(from), spec),
  displayPath: (path) => path,
};

export interface MemoryHostOptions {
  /** Where files not in memory are read from; by default there are none. */
  readonly base?: FileHost;
  /** The directory relative paths start from (default `/`). */
  readonly cwd?: string;
}

export class MemoryHost implements FileHost {
  private readonly files = new Map<string, string>();
  private readonly base: FileHost;
  private readonly cwd: string;
  private readonly relativeDisplay: boolean;

  constructor(files: Readonly<Record<string, string>> = {}, options: MemoryHostOptions = {}) {
    this.base = options.base ?? EMPTY;
    this.cwd = options.cwd ?? '/';
    this.relativeDisplay = options.cwd !== undefined;
    for (const [path, text] of Object.entries(files)) this.set(path, text);
  }

  /** Puts (or replaces) a buffer: it wins over the base host's file at that path. */
  set(path: string, text: string): void {
    this.files.set(this.absolute(path), text);
  }

  /** Drops a buffer (an editor closed it without saving): the base host's file shows again. */
  delete(path: string): void {
    this.files.delete(this.absolute(path));
  }

  private absolute(path: string): string {
    return posix.resolve(this.cwd, path);
  }

  /** Whether `dir` is a directory because a buffer lies below it. */
  private isBufferDirectory(dir: string): boolean {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    for (const p of this.files.keys()) if (p.startsWith(prefix)) return true;
    return false;
  }

  realPath(path: string): string {
    const abs = this.absolute(path);
    if (this.files.has(abs) || this.isBufferDirectory(abs)) return abs;
    return this.base.realPath(abs);
  }

  readRegularFile(path: string, maxBytes: number): ReadOutcome {
    const abs = this.absolute(path);
    const text = this.files.get(abs);
    if (text === undefined) return this.isBufferDirectory(abs) ? { kind: 'directory' } : this.base.readRegularFile(abs, maxBytes);
    const size = Buffer.byteLength(text, 'utf8');
    return size > maxBytes ? { kind: 'too-large', size } : { kind: 'text', text };
  }

  exists(path: string): boolean {
    return this.stat(path) !== undefined;
  }

  stat(path: string): 'file' | 'directory' | 'special' | undefined {
    const abs = this.absolute(path);
    if (this.files.has(abs)) return 'file';
    if (this.isBufferDirectory(abs)) return 'directory';
    return this.base.stat(abs);
  }

  listDirectory(path: string): string[] {
    const abs = this.absolute(path);
    const prefix = abs.endsWith('/') ? abs : `${abs}/`;
    const names = new Set(this.base.listDirectory(abs));
    for (const p of this.files.keys()) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]!);
    return [...names].sort();
  }

  resolveImport(from: string, spec: string): string {
    return posix.resolve(posix.dirname(this.absolute(from)), spec);
  }

  /** Relative to `cwd` when one was given and the path is below it; else absolute. */
  displayPath(path: string): string {
    if (!this.relativeDisplay) return path;
    const rel = posix.relative(this.cwd, path);
    return rel !== '' && !rel.startsWith('..') ? rel : path;
  }
}
