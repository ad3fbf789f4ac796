/** `kfpdsl fmt`: rewrites .kfp files in canonical form, or with --check lists those that are not. */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatSource } from '../fmt/format.js';
import { SourceFile } from '../source.js';
import { collectSources, readSource, writeAll } from './files.js';

export function runFmt(paths: readonly string[], check: boolean, report: (d: readonly Diagnostic[]) => void): number {
  const changed = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const path of collectSources(paths)) {
    const text = readSource(path);
    const result = formatSource(new SourceFile(path, text));
    // One by one: a spread of 100,000 diagnostics overflows the stack.
    for (const d of result.diagnostics) diagnostics.push(d);
    if (result.text !== undefined && result.text !== text) changed.set(path, result.text);
  }
  report(diagnostics);
  if (diagnostics.length > 0) return 1;
  if (check) {
    for (const path of changed.keys()) process.stderr.write(`not formatted: ${path}\n`);
    if (changed.size > 0) process.stderr.write(`${changed.size} file${changed.size > 1 ? 's' : ''} would be reformatted; run kfpdsl fmt\n`);
    return changed.size > 0 ? 1 : 0;
  }
  writeAll(changed);
  for (const path of changed.keys()) process.stdout.write(`formatted ${path}\n`);
  return 0;
}
