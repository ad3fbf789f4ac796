/**
 * AST nodes kept across an edit (incremental.ts): the text after the edit moved by `delta`
 * characters, so every span from there on moves with it, and a span around the edit (an
 * enclosing pipeline or block) grows by it. Copies, never changes: the previous tree stays
 * valid, and a node the edit did not move keeps its identity (caches keyed by nodes, such as
 * the fence names of src/lsp/fence-names.ts, keep serving it; a moved node would give them
 * stale places).
 */
import type { Span } from '../source.js';

/** A plain `{ start, end }` (nodes and other parts have more fields). */
function isSpan(o: Record<string, unknown>): o is Span & Record<string, unknown> {
  if (typeof o['start'] !== 'number' || typeof o['end'] !== 'number') return false;
  let keys = 0;
  for (const _ in o) keys++;
  return keys === 2;
}

/** `value` (a node or part of one) with spans at or after `at` moved by `delta`, and spans across `at` lengthened by it. */
export function shifted<T>(value: T, at: number, delta: number): T {
  if (delta === 0) return value;
  return move(value, at, delta) as T;
}

function move(v: unknown, at: number, delta: number): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const m = move(v[i], at, delta);
      if (m !== v[i]) (out ??= v.slice())[i] = m;
    }
    return out ?? v;
  }
  const o = v as Record<string, unknown>;
  if (isSpan(o)) {
    if (o.start >= at) return { start: o.start + delta, end: o.end + delta };
    return o.end >= at ? { start: o.start, end: o.end + delta } : o;
  }
  // A node wholly before the edit holds nothing that moves (a node's span holds its parts).
  const span = o['span'] as Span | undefined;
  if (span !== undefined && span.end < at) return o;
  let out: Record<string, unknown> | undefined;
  for (const k in o) {
    const m = move(o[k], at, delta);
    if (m !== o[k]) (out ??= { ...o })[k] = m;
  }
  return out ?? o;
}

/**
 * `node` with the list at `path` (e.g. `['branches', 1, 'body']`) replaced by `list`, and its
 * other parts shifted: an enclosing node of an edit whose statements were reparsed.
 */
export function withList<T>(node: T, path: readonly (string | number)[], list: readonly unknown[], at: number, delta: number): T {
  if (path.length === 0) return list as T;
  const [key, ...rest] = path;
  const o = node as Record<string | number, unknown>;
  const copy = (Array.isArray(node) ? [...(node as unknown[])] : { ...o }) as Record<string | number, unknown>;
  for (const k of Object.keys(copy)) if (k !== String(key)) copy[k] = shifted(copy[k], at, delta);
  copy[key!] = withList(o[key!], rest, list, at, delta);
  return copy as T;
}
