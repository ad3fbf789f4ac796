/**
 * Typed readers over the parsed workflow, which arrives as `unknown`: a bad field reads as
 * empty rather than throwing, and the executor reports what is missing in Argo's words.
 */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const objs = (v: unknown): Obj[] => arr(v).filter(isObj);

/** YAML scalars as Argo reads them: `value: 2` and `value: "2"` are the same parameter value. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Kubernetes IntOrString fields (`limit: 3`, `limit: "3"`); undefined when absent or not a number. */
export function intOrString(v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export const nameOf = (o: Obj): string => str(o['name']) ?? '';
