/**
 * Durations as Argo reads them: a bare number is seconds (`5`, `"5"`), otherwise Go's
 * time.ParseDuration syntax (`"1s"`, `"2m"`, `"1h30m"`, `"500ms"`).
 */
import { str } from './spec.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `v` is absent or malformed. */
export function parseDuration(v: unknown): number | undefined {
  const s = str(v)?.trim();
  if (s === undefined || s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  if (!/^((\d+(\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 0);
  return total;
}
