/**
 * What the server knows: the open buffers, served to the compiler through a MemoryHost over
 * the real file system (an unsaved buffer wins over the file on disk, so a buffer that
 * imports another unsaved buffer sees its text), and each file's parse, cached by its text and
 * brought up to date incrementally (src/syntax/incremental.ts).
 */
import { join } from 'node:path';
import { fsHost, isInside } from '../project/file-host.js';
import { MemoryHost } from '../project/memory-host.js';
import { findProjectRoot } from '../project/root.js';
import { SourceFile } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { reparse } from '../syntax/incremental.js';
import { MAX_SOURCE_BYTES, parseSource, type ParseResult } from '../syntax/parse.js';
import { LineMap } from './positions.js';
import { importPath } from './resolve.js';

/** Folders never searched for .kfp files: dependencies, version control, build output. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', '.venv', 'venv', '__pycache__']);
/** A bound on the files a project search reads, so that a root set too high (a home folder) stays quick. */
const MAX_PROJECT_FILES = 2000;

export interface Parsed {
  readonly file: SourceFile;
  readonly doc: ast.Document;
  readonly result: ParseResult;
  readonly lines: LineMap;
}

export class Workspace {
  /** `host`: where files that are not buffers are read (a rename checks its edits over the server's own). */
  constructor(readonly host: MemoryHost = new MemoryHost({}, { base: fsHost })) {}

  /** Open buffers by path. */
  private readonly open = new Map<string, string>();
  /** `clean`: the last parse without diagnostics, which the next edits are reparsed from (see parse). */
  private readonly parses = new Map<string, { text: string; parsed: Parsed; clean?: ParseResult }>();

  setBuffer(path: string, text: string): void {
    this.open.set(path, text);
    this.host.set(path, text);
  }

  closeBuffer(path: string): void {
    this.open.delete(path);
    this.host.delete(path);
    this.parses.delete(path);
  }

  openPaths(): string[] {
    return [...this.open.keys()];
  }

  isOpen(path: string): boolean {
    return this.open.has(path);
  }

  /** The text of a file: the buffer when open, else the disk's; undefined when it cannot be read. */
  text(path: string): string | undefined {
    const buffer = this.open.get(path);
    if (buffer !== undefined) return buffer;
    const read = this.host.readRegularFile(path, MAX_SOURCE_BYTES);
    return read.kind === 'text' ? read.text : undefined;
  }

  /** The file parsed (error-tolerant: a half-typed file still has a syntax tree). */
  parse(path: string): Parsed | undefined {
    const text = this.text(path);
    if (text === undefined) return undefined;
    const cached = this.parses.get(path);
    if (cached && cached.text === text) return cached.parsed;
    const file = new SourceFile(path, text);
    // An edited buffer is reparsed from its last clean parse (incremental.ts reuses only those): a
    // keystroke costs the lines it touched, and so does the one that mends a line just broken.
    const result = cached?.clean ? reparse(cached.clean, file) : parseSource(file);
    const parsed: Parsed = { file, doc: result.document, result, lines: new LineMap(text) };
    const clean = result.diagnostics.length === 0 && !result.recovery ? result : cached?.clean;
    // Only buffers and the files they import are ever parsed: the cache stays small.
    this.parses.set(path, { text, parsed, ...(clean ? { clean } : {}) });
    return parsed;
  }

  /** The .kfp modules a file imports, as resolved paths (from its parse: a half-typed file too). */
  imports(path: string): string[] {
    const parsed = this.parse(path);
    if (!parsed) return [];
    const out: string[] = [];
    for (const imp of parsed.doc.imports) {
      if (!imp.path.endsWith('.kfp')) continue;
      // An import the checker refuses (outside the project) is no dependency to follow.
      const target = importPath(this, path, imp);
      if (target !== undefined) out.push(target);
    }
    return out;
  }

  /**
   * The files a search for references covers: the open buffers, and every .kfp file of the
   * project `from` belongs to (below its root; dependency and build folders skipped), sorted.
   */
  projectFiles(from: string): string[] {
    const out = new Set(this.open.keys());
    const root = findProjectRoot(from, undefined, (p) => this.host.exists(p));
    let realRoot = root;
    try {
      realRoot = this.host.realPath(root);
    } catch {
      // the root as found
    }
    // A symbolic link out of the project is outside it, as for imports: a rename must never edit there.
    const inside = (path: string): boolean => {
      try {
        return isInside(realRoot, this.host.realPath(path));
      } catch {
        return false;
      }
    };
    const stack = [root];
    let budget = MAX_PROJECT_FILES;
    while (stack.length > 0 && budget > 0) {
      const dir = stack.pop()!;
      for (const name of this.host.listDirectory(dir)) {
        if (SKIPPED_DIRS.has(name)) continue;
        const path = join(dir, name);
        const kind = this.host.stat(path);
        if (kind !== undefined && !inside(path)) continue;
        if (kind === 'directory') stack.push(path);
        else if (kind === 'file' && name.endsWith('.kfp') && budget-- > 0) out.add(path);
      }
    }
    return [...out].sort();
  }

  lines(path: string): LineMap | undefined {
    return this.parse(path)?.lines;
  }
}
