/**
 * Quick fixes from diagnostics' hints: a hint that says "did you mean `x`?" or "did you mean
 * `x`, `y` or `z`?" (the checker's suggestions, src/diagnostics/suggest.ts) offers to replace
 * the diagnostic's range with each candidate. Only where the range is one name or one string
 * (then the candidate is quoted): anything larger is not a spelling to correct.
 */
import { CodeActionKind, type CodeAction, type Diagnostic, type Range } from 'vscode-languageserver';
import type { DiagnosticData } from './diagnostics.js';

const DID_YOU_MEAN = /did you mean ((?:`[^`]+`(?:, | or )?)+)\?/;

export function quickFixes(uri: string, diagnostics: readonly Diagnostic[], textOf: (r: Range) => string): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const data = d.data as DiagnosticData | undefined;
    const m = typeof data?.hint === 'string' ? DID_YOU_MEAN.exec(data.hint) : null;
    if (!m) continue;
    const current = textOf(d.range);
    const quoted = /^"[^"\n]*"$/.test(current);
    if (!quoted && !/^[A-Za-z_][\w.]*$/.test(current)) continue;
    const candidates = [...m[1]!.matchAll(/`([^`]+)`/g)].map((c) => c[1]!);
    candidates.forEach((c, i) => {
      const newText = quoted ? JSON.stringify(c) : c;
      out.push({
        title: `Change to ${newText}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: i === 0 && candidates.length === 1,
        edit: { changes: { [uri]: [{ range: d.range, newText }] } },
      });
    });
  }
  return out;
}
