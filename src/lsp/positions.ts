/**
 * Offsets of the compiler (UTF-16 code units into a SourceFile's text) and LSP positions
 * (0-based line, UTF-16 character). Lines are counted as LSP clients count them (LF, CR LF,
 * CR); a SourceFile drops a byte order mark that the editor's text still has, so offsets are
 * shifted by it.
 */
import type { Position, Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Span } from '../source.js';

export class LineMap {
  private readonly doc: TextDocument;
  private readonly bom: number;

  constructor(text: string) {
    this.doc = TextDocument.create('file:///x', 'kfp', 0, text);
    this.bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  position(offset: number): Position {
    return this.doc.positionAt(offset + this.bom);
  }

  range(sp: Span): Range {
    return { start: this.position(sp.start), end: this.position(Math.max(sp.start, sp.end)) };
  }

  /** The compiler offset of an LSP position (clamped into the text, as TextDocument does). */
  offset(pos: Position): number {
    return Math.max(0, this.doc.offsetAt(pos) - this.bom);
  }
}
