/**
 * `--deny` and `--allow`: per-code policy over warnings. `--deny warnings` makes every
 * warning an error (for CI and pre-commit), `--deny KFP3101` or `--deny unused-output`
 * just that one; `--allow` silences a warning. Errors cannot be allowed.
 */
import type { Diagnostic } from './diagnostic.js';

export interface Policy {
  readonly deny: readonly string[];
  readonly allow: readonly string[];
}

function matches(d: Diagnostic, names: readonly string[]): boolean {
  return names.some((n) => n === d.code || n === d.slug || n.toUpperCase() === d.code);
}

export function applyPolicy(diagnostics: readonly Diagnostic[], policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    if (d.severity === 'warning' && matches(d, policy.allow)) continue;
    if (d.severity === 'warning' && (policy.deny.includes('warnings') || matches(d, policy.deny))) out.push({ ...d, severity: 'error' });
    else out.push(d);
  }
  return out;
}
