/** The one shape every problem takes, from the lexer to the writer. */
import type { SourceFile, Span } from '../source.js';

export type Severity = 'error' | 'warning';

export interface Related {
  readonly file: SourceFile;
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: string; // 'KFP2001'
  readonly slug: string; // 'unknown-component'
  readonly severity: Severity;
  readonly message: string; // lower-case, no trailing period, code in `backticks`
  readonly file?: SourceFile; // absent for usage and internal errors
  readonly span?: Span; // the smallest span that shows the problem
  readonly label?: string; // printed under the caret
  readonly hint?: string;
  readonly related?: readonly Related[];
  /**
   * Set only on a KFP1105 count: this many diagnostics of the file were counted but never
   * built (lexing errors past --max-errors, see src/syntax/parse.ts). It is never printed
   * itself: limitPerFile adds it to the file's "… and N more", the summary to its total.
   */
  readonly omitted?: number;
}

/** How many diagnostics `d` stands for: 1, or the count a KFP1105 carries. */
export function weight(d: Diagnostic): number {
  return d.omitted ?? 1;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Code-unit order, not the locale's: output must not depend on LANG. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Stable order: by file, then position, then code, so output never depends on check order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareText(a.file?.path ?? '', b.file?.path ?? '') ||
      (a.span?.start ?? -1) - (b.span?.start ?? -1) ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}
