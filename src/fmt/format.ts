/**
 * `kfpdsl fmt`: the canonical layout of a .kfp file, printed from the parser's syntax tree
 * with the comments of the source (print.ts; the layout rules are there and in writer.ts).
 * Code blocks and descriptions are re-indented as a whole and otherwise left alone
 * (verbatim.ts). Only files without lexing or syntax errors are formatted, and the result
 * is checked to parse to the same syntax tree, with the same comments, before it is
 * returned, so a formatter bug can never change a program.
 */
import type { IToken } from 'chevrotain';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { SourceFile } from '../source.js';
import { parseSource } from '../syntax/parse.js';
import type * as ast from '../syntax/ast.js';
import { printDocument } from './print.js';

export interface FormatResult {
  /** The formatted text; undefined when the file does not lex and parse cleanly. */
  readonly text?: string;
  /** Why there is no text: the lexing and syntax errors (or an internal error). Empty when `text` is set. */
  readonly diagnostics: Diagnostic[];
}

/** Diagnostics of the lexing and syntax phase (KFP1xxx): with any of these the file is not formatted. */
function isSyntaxDiagnostic(d: Diagnostic): boolean {
  return d.severity === 'error' && d.code.startsWith('KFP1');
}

const SPAN_KEYS = new Set(['span', 'nameSpan', 'pathSpan', 'keySpan', 'opSpan', 'elseSpan', 'keywordSpan', 'file']);

/** A syntax tree as JSON without positions, to compare two parses of the same program. */
export function astShape(doc: ast.Document): string {
  return JSON.stringify(doc, (key, value: unknown) => (SPAN_KEYS.has(key) ? undefined : value));
}

export function formatSource(file: SourceFile): FormatResult {
  try {
    return formatUnsafe(file);
  } catch (e) {
    // As in compileSource: no input may ever produce a stack trace.
    const message = e instanceof RangeError ? 'input too complex (stack exhausted)' : e instanceof Error ? e.message : String(e);
    return { diagnostics: [diag('Internal', `internal formatter error: ${message}`, { file })] };
  }
}

function formatUnsafe(file: SourceFile): FormatResult {
  const parsed = parseSource(file);
  const errors = parsed.diagnostics.filter(isSyntaxDiagnostic);
  if (!parsed.document || errors.length > 0) {
    return { diagnostics: errors.length > 0 ? errors : parsed.diagnostics.filter((d) => d.severity === 'error') };
  }
  const text = printDocument(file.text, parsed.document, parsed.tokens, parsed.comments);
  // Text already in canonical form (the usual case under `fmt --check`) is its own proof.
  if (text === file.text) return { text, diagnostics: [] };
  // The formatter must never change a program: the output has to parse to the same tree.
  const again = parseSource(new SourceFile(file.path, text));
  if (!again.document || again.diagnostics.some(isSyntaxDiagnostic) || astShape(again.document) !== astShape(parsed.document)) {
    return { diagnostics: [diag('Internal', 'internal formatter error: the formatted text would change the program; the file was left as it is', { file })] };
  }
  if (!sameComments(again.comments, parsed.comments)) {
    return { diagnostics: [diag('Internal', 'internal formatter error: the formatted text would lose a comment; the file was left as it is', { file })] };
  }
  return { text, diagnostics: [] };
}

/** The same comments in the same order (the printer only trims the white space that ends them). */
function sameComments(a: readonly IToken[], b: readonly IToken[]): boolean {
  return a.length === b.length && a.every((c, i) => c.image.trimEnd() === b[i]!.image.trimEnd());
}

/** Whether the file is already in canonical form (false too when it cannot be formatted). */
export function formatCheck(file: SourceFile): boolean {
  const result = formatSource(file);
  return result.text !== undefined && result.text === file.text;
}
