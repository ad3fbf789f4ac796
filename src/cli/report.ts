/** Printing diagnostics: stderr for people, one JSON array on stdout for tools. */
import { weight, type Diagnostic } from '../diagnostics/diagnostic.js';
import { DEFAULT_MAX_ERRORS, limitPerFile } from '../diagnostics/limit.js';
import { renderAll, type Format } from '../diagnostics/render.js';

function useColour(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env['NO_COLOR'];
}

/**
 * Diagnostics go to stderr, except `--format json`: one array on stdout, empty or not, for tools to read.
 * At most `maxErrors` per file are printed (0: all), then a count of the rest.
 */
export function report(all: readonly Diagnostic[], format: Format, maxErrors: number = DEFAULT_MAX_ERRORS): void {
  const diagnostics = limitPerFile(all, maxErrors);
  if (format === 'json') {
    process.stdout.write(renderAll(diagnostics, 'json'));
    return;
  }
  if (diagnostics.length === 0) return;
  process.stderr.write(renderAll(diagnostics, format, format === 'pretty' && useColour()));
}

export function summary(diagnostics: readonly Diagnostic[], files: number, format: Format): void {
  if (format !== 'pretty') return;
  // A count from the parser (KFP1105 with `omitted`) stands for that many errors.
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors += weight(d);
    else warnings += weight(d);
  }
  if (errors + warnings === 0) return;
  const parts = [errors ? `${errors} error${errors > 1 ? 's' : ''}` : '', warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : ''].filter(Boolean);
  process.stderr.write(`\n${parts.join(', ')} in ${files} file${files === 1 ? '' : 's'}\n`);
}

/** 0, 1 when errors were reported, 3 when one of them is a bug in kfpdsl (KFP9xxx). */
export function exitStatus(diagnostics: readonly Diagnostic[]): number {
  if (diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('KFP9'))) return 3;
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

/** The exit status of a process that a signal stopped, as shells report it. */
export const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
