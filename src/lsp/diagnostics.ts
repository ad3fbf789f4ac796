/**
 * Diagnostics of an open buffer: exactly what `kfpdsl check` says about it (the same
 * compile path, codes, messages and hints), as LSP diagnostics. Related locations become
 * relatedInformation; the hint follows the message, as `check` prints it under the snippet.
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import { compileSource } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { nothingToCompile } from '../cli/sources.js';
import { LineMap } from './positions.js';
import { pathToUri } from './uri.js';
import type { Workspace } from './workspace.js';

/** What a client gets besides the text: the slug and the hint, for code actions later. */
export interface DiagnosticData {
  readonly slug: string;
  readonly hint?: string;
}

/** The diagnostics of one check of a buffer, by file, and whether they are `check`'s final word. */
export interface BufferCheck {
  readonly byFile: Map<string, LspDiagnostic[]>;
  /** True when the lowering (the target's size limits) was skipped and may still add diagnostics. */
  readonly partial: boolean;
}

/**
 * The diagnostics of checking the buffer at `path`, by file: the buffer's own, and those of the
 * modules it imports (a module's errors are reported at its own lines, as `check` does).
 * `fast`: the checks only (reusing the buffer's parse), not the lowering; a program without
 * errors then needs a second, full pass for `check`'s last diagnostics (the size limits).
 */
export function checkBuffer(ws: Workspace, path: string, fast = false): BufferCheck {
  const out = new Map<string, LspDiagnostic[]>([[path, []]]);
  const parsed = ws.parse(path);
  if (parsed === undefined) return { byFile: out, partial: false };
  const source = parsed.file;
  const result = compileSource(source, { checkOnly: true, host: ws.host, parsed: parsed.result, skipLowering: fast });
  const found = [...result.diagnostics];
  if (result.program && result.program.components.length === 0 && result.program.pipelines.length === 0) found.push(nothingToCompile(source));
  const seen = new Set<string>();
  for (const d of found) {
    // Internal errors have no file: they are shown in the buffer.
    const file = d.file ?? source;
    const key = `${file.path}\0${d.code}\0${d.span?.start}\0${d.span?.end}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!out.has(file.path)) out.set(file.path, []);
    out.get(file.path)!.push(toLsp(file.path === path ? parsed.lines : new LineMap(file.text), file.path, d));
  }
  return { byFile: out, partial: fast && result.program !== undefined };
}

function toLsp(lines: LineMap, path: string, d: Diagnostic): LspDiagnostic {
  const range = d.span ? lines.range(d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const message = d.hint ? `${d.message}\nhint: ${d.hint}` : d.message;
  const data: DiagnosticData = d.hint ? { slug: d.slug, hint: d.hint } : { slug: d.slug };
  const out: LspDiagnostic = {
    range,
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: 'kfpdsl',
    message,
    data,
  };
  const related: DiagnosticRelatedInformation[] = [];
  for (const r of d.related ?? []) {
    const rl = r.file.path === path ? lines : new LineMap(r.file.text);
    related.push({ location: { uri: pathToUri(r.file.path), range: rl.range(r.span) }, message: r.message });
  }
  if (related.length > 0) out.relatedInformation = related;
  return out;
}
