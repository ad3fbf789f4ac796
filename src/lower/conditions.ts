/**
 * `when` expressions for Argo (govaluate). As kfp does, `==` and `!=` on strings and
 * booleans compare quoted text; numbers compare unquoted, so numerically. `else` and
 * `elif` arrive here already rewritten as negations of the earlier conditions.
 */
import type { IrCondExpr, IrValue } from '../ir/ir.js';

export type OperandResolver = (v: IrValue) => string;

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function whenExpression(e: IrCondExpr, resolve: OperandResolver, nested = false): string {
  const wrap = (s: string) => (nested ? `(${s})` : s);
  if ('compare' in e) {
    const l = resolve(e.left);
    const r = resolve(e.right);
    return wrap(e.numeric ? `${l} ${e.compare} ${r}` : `${quote(l)} ${e.compare} ${quote(r)}`);
  }
  if ('and' in e) return wrap(e.and.map((x) => whenExpression(x, resolve, true)).join(' && '));
  if ('or' in e) return wrap(e.or.map((x) => whenExpression(x, resolve, true)).join(' || '));
  if ('not' in e) return `!${whenExpression(e.not, resolve, true)}`;
  // kfp's bool serializer writes True/False; accept any casing a user might pass as a parameter.
  return wrap(`${quote(resolve(e.truthy))} == "True" || ${quote(resolve(e.truthy))} == "true"`);
}
