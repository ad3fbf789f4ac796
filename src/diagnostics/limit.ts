/**
 * `--max-errors N`: at most N diagnostics are printed per file (default 100; 0 prints all),
 * followed by one that counts the rest, so that a file of 130,000 stray `;` prints a page,
 * not 18 MiB. The exit code and the summary still count every diagnostic, also those the
 * parser only counted (a KFP1105 with `omitted`: they could never be among the first N).
 */
import { diag } from './catalog.js';
import type { Diagnostic } from './diagnostic.js';

export const DEFAULT_MAX_ERRORS = 100;

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** The first `max` diagnostics of each file (in the given order), each file's followed by a count of the rest of it. */
export function limitPerFile(diagnostics: readonly Diagnostic[], max: number): Diagnostic[] {
  if (max <= 0 || (diagnostics.length <= max && !diagnostics.some((d) => d.omitted !== undefined))) return [...diagnostics];
  interface PerFile { shown: number; errors: number; warnings: number; first?: Diagnostic; last: number }
  const files = new Map<string, PerFile>();
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const key = d.file?.path ?? '';
    let f = files.get(key);
    if (!f) files.set(key, (f = { shown: 0, errors: 0, warnings: 0, last: -1 }));
    if (d.omitted !== undefined) {
      // Counted by the parser, never built: only its count is reported.
      f.first ??= d;
      if (d.severity === 'error') f.errors += d.omitted;
      else f.warnings += d.omitted;
    } else if (f.shown < max) {
      f.shown++;
      f.last = out.length;
      out.push(d);
    } else {
      f.first ??= d;
      if (d.severity === 'error') f.errors++;
      else f.warnings++;
    }
  }
  // Each count goes right after its file's last shown diagnostic; inserted from the end so indexes hold.
  const counts = [...files.values()].filter((f) => f.first).sort((a, b) => b.last - a.last);
  for (const f of counts) {
    const parts = [f.errors > 0 ? plural(f.errors, 'more error') : '', f.warnings > 0 ? plural(f.warnings, 'more warning') : ''].filter(Boolean);
    const count = diag('TooManyDiagnostics', `… and ${parts.join(' and ')} in this file, not shown`, {
      severity: f.errors > 0 ? 'error' : 'warning',
      file: f.first!.file,
      hint: `at most ${max} diagnostics are shown per file; fix these first, or pass --max-errors 0 to see them all`,
    });
    out.splice(f.last + 1, 0, count);
  }
  return out;
}
