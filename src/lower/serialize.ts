/**
 * Values as kfp v1 writes them: argument strings (kfp's serialize_value per input type)
 * and Python's json.dumps (", " and ": " separators, ASCII escapes) for the JSON kfp
 * puts in annotations, so that the KFP UI and SDK read back exactly what they expect.
 */
import type { IrConst, IrType, Json } from '../ir/ir.js';

/** Python's repr() of a float: `2.0`, `0.1`, `1e-07`, `1e+16`, `inf`. */
export function pyFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(v);
  if (abs >= 1e16 || abs < 1e-4) {
    // Python switches to exponent form outside [1e-4, 1e16) and pads the exponent to two digits.
    const [mant, exp] = v.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '');
    return `${mant}e${sign}${digits.padStart(2, '0')}`;
  }
  const s = String(v);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

function asciiEscape(s: string): string {
  return s.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Python json.dumps(obj, sort_keys=sortKeys): ", "/": " separators and \uXXXX for non-ASCII. */
export function pyJsonDumps(value: unknown, sortKeys = true, floatKeys?: ReadonlySet<unknown>): string {
  const enc = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return asciiEscape(JSON.stringify(v));
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') {
      if (floatKeys?.has(v)) return pyFloatRepr(v);
      return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
    }
    if (Array.isArray(v)) return `[${v.map(enc).join(', ')}]`;
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    if (sortKeys) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${asciiEscape(JSON.stringify(k))}: ${enc(obj[k])}`).join(', ')}}`;
  };
  return enc(value);
}

/** kfp's serialize_value: the string a constant argument becomes for an input of the given type. */
export function serializeConst(c: IrConst, type: IrType): string {
  const v = c.const;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (c.isFloat || (type === 'float' && !Number.isInteger(v))) return pyFloatRepr(v);
    return String(v);
  }
  return pyJsonDumps(v as Json);
}

/** The Python source of a constant, for a default in a generated `def`. */
export function pythonLiteral(c: IrConst): string {
  const lit = (v: Json, isFloat: boolean): string => {
    if (v === null) return 'None';
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    if (typeof v === 'number') return isFloat ? pyFloatRepr(v) : Number.isInteger(v) ? String(v) : pyFloatRepr(v);
    if (typeof v === 'string') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map((x) => lit(x, false)).join(', ')}]`;
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${lit(x, false)}`).join(', ')}}`;
  };
  return lit(c.const, c.isFloat ?? false);
}
