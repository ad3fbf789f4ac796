/**
 * Argo's `{{...}}` placeholders. Unknown tags are left as written, as Argo's controller does
 * (`allowUnresolved`): a later pass may resolve them, or they reach the step verbatim.
 */
import { isObj } from './spec.js';

export type Lookup = (key: string) => string | undefined;

const TAG = /\{\{([^{}]*)\}\}/g;

export function substitute(text: string, lookup: Lookup): string {
  return text.replace(TAG, (whole, tag: string) => lookup(tag.trim()) ?? whole);
}

/** The tags in `text` that `lookup` cannot resolve (trimmed, without braces). */
export function unresolvedTags(text: string, lookup: Lookup): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TAG)) {
    const tag = (m[1] ?? '').trim();
    if (lookup(tag) === undefined) out.push(tag);
  }
  return out;
}

/** Substitutes every string value (never keys) of a JSON-like value; returns a copy. */
export function deepSubstitute<T>(value: T, lookup: Lookup): T {
  return mapStrings(value, (s) => substitute(s, lookup)) as T;
}

export function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (isObj(value)) {
    // fromEntries defines own keys: `out[k] = …` would take a `__proto__` key as the prototype.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  }
  return value;
}

/** The first lookup that knows a key wins. */
export function chain(...lookups: Lookup[]): Lookup {
  return (key) => {
    for (const l of lookups) {
      const v = l(key);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

export const fromMap =
  (m: ReadonlyMap<string, string>): Lookup =>
  (key) =>
    m.get(key);

/** `{{tasks.a.outputs.artifacts.b}}` as a whole string → `tasks.a.outputs.artifacts.b`; else undefined. */
export function wholeTag(text: string): string | undefined {
  const m = /^\{\{([^{}]*)\}\}$/.exec(text.trim());
  return m ? (m[1] ?? '').trim() : undefined;
}
