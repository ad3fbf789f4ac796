/**
 * What the server knows: the open buffers, served to the compiler through a MemoryHost over
 * the real file system (an unsaved buffer wins over the file on disk, so a buffer that
 * imports another unsaved buffer sees its text), and each file's parse, cached by its text.
 */
import { fsHost } from '../project/file-host.js';
import { MemoryHost } from '../project/memory-host.js';
import { SourceFile } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { MAX_SOURCE_BYTES, parseSource, type ParseResult } from '../syntax/parse.js';
import { LineMap } from './positions.js';

export interface Parsed {
  readonly file: SourceFile;
  readonly doc: ast.Document;
  readonly result: ParseResult;
  readonly lines: LineMap;
}

export class Workspace {
  readonly host = new MemoryHost({}, { base: fsHost });
  /** Open buffers by path. */
  private readonly open = new Map<string, string>();
  private readonly parses = new Map<string, { text: string; parsed: Parsed }>();

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
    const result = parseSource(file);
    const parsed: Parsed = { file, doc: result.document, result, lines: new LineMap(text) };
    // Only buffers and the files they import are ever parsed: the cache stays small.
    this.parses.set(path, { text, parsed });
    return parsed;
  }

  lines(path: string): LineMap | undefined {
    return this.parse(path)?.lines;
  }
}
