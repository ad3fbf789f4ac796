/** `kfpdsl fmt`: rewrites .kfp files in canonical form, or with --check lists those that are not. */
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { formatSource } from '../fmt/format.js';
import { diag } from '../diagnostics/catalog.js';
import { replaceContents } from './files.js';
import { SIGNAL_EXIT } from './report.js';
import { isDiagnostic, loadSource, collectSources } from './sources.js';

export function runFmt(paths: readonly string[], check: boolean, report: (d: readonly Diagnostic[]) => void): number {
  const changed = new Map<string, string>();
  const collected = collectSources(paths);
  const diagnostics: Diagnostic[] = [...collected.diagnostics];
  for (const path of collected.paths) {
    const source = loadSource(path);
    if (isDiagnostic(source)) {
      diagnostics.push(source);
      continue;
    }
    const result = formatSource(source);
    // One by one: a spread of 100,000 diagnostics overflows the stack.
    for (const d of result.diagnostics) diagnostics.push(d);
    if (result.text !== undefined && result.text !== source.text) changed.set(path, result.text);
  }
  report(diagnostics);
  if (hasErrors(diagnostics)) return 1;
  if (check) {
    for (const path of changed.keys()) process.stderr.write(`not formatted: ${path}\n`);
    if (changed.size > 0) process.stderr.write(`${changed.size} file${changed.size > 1 ? 's' : ''} would be reformatted; run kfpdsl fmt\n`);
    return changed.size > 0 ? 1 : 0;
  }
  // The rewrite is synchronous: with a handler installed, a signal that comes during it is
  // only acted on once every file is replaced.
  const held = (signal: NodeJS.Signals): void => {
    process.stderr.write(`interrupted (${signal}) after every file was formatted\n`);
    process.exitCode = SIGNAL_EXIT[signal] ?? 130;
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, held);
  try {
    replaceContents(changed);
  } catch (e) {
    const path = typeof e === 'object' && e !== null && 'path' in e ? String((e as { path: unknown }).path) : [...changed.keys()][0]!;
    report([diag('OutputNotWritable', `cannot rewrite \`${path}\`: ${e instanceof Error ? e.message : String(e)}; no file was changed`, { hint: 'check the permissions of the file and of its directory' })]);
    return 1;
  }
  for (const path of changed.keys()) process.stdout.write(`formatted ${path}\n`);
  return 0;
}
