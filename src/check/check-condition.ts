/**
 * Conditions (`if number < 30 and flag`): operands are literals, parameters, task outputs
 * or loop items; `==` and `!=` compare values of one type (int and float mix), `<` and
 * friends compare numbers, and a lone operand must be a bool.
 */
import type { IrCondExpr } from '../ir/ir.js';
import type * as ast from '../syntax/ast.js';
import { CheckContext, constType, constValue } from './context.js';
import { isNumeric, type RefResolver, type Resolved } from './resolved.js';
import { describeType, type ValueType } from './types.js';

export function checkCondition(ctx: CheckContext, e: ast.Expr, ref: RefResolver): IrCondExpr | undefined {
  switch (e.kind) {
    case 'BoolExpr': {
      const parts = e.operands.map((o) => checkCondition(ctx, o, ref));
      if (parts.some((p) => !p)) return undefined;
      return e.op === 'and' ? { and: parts as IrCondExpr[] } : { or: parts as IrCondExpr[] };
    }
    case 'NotExpr': {
      const inner = checkCondition(ctx, e.operand, ref);
      return inner ? { not: inner } : undefined;
    }
    case 'CompareExpr': {
      const l = operand(ctx, e.left, ref);
      const r = operand(ctx, e.right, ref);
      if (!l || !r) return undefined;
      const lt = l.type;
      const rt = r.type;
      const unknown = (t: ValueType) => t === 'any' || t === 'file';
      const numeric = (isNumeric(lt) || unknown(lt)) && (isNumeric(rt) || unknown(rt)) && (isNumeric(lt) || isNumeric(rt));
      if (e.op === '==' || e.op === '!=') {
        const compatible = lt === rt || numeric || unknown(lt) || unknown(rt);
        if (!compatible) {
          ctx.report('InvalidCondition', `cannot compare \`${describeType(lt)}\` with \`${describeType(rt)}\``, e.opSpan, {
            label: `${describeType(lt)} ${e.op} ${describeType(rt)}`,
            hint: 'both sides of a comparison must have the same type (int and float mix)',
          });
          return undefined;
        }
      } else if (!numeric && !(unknown(lt) && unknown(rt))) {
        // Two untyped operands (loop items of a list parameter, say) may be ordered: the user knows they are numbers.
        ctx.report('InvalidCondition', `\`${e.op}\` compares numbers, not \`${describeType(isNumeric(lt) ? rt : lt)}\``, e.opSpan, {
          hint: 'use == or != for strings and booleans',
        });
        return undefined;
      }
      return { compare: e.op, left: l.value, right: r.value, numeric: numeric || (e.op !== '==' && e.op !== '!=') };
    }
    default: {
      const v = operand(ctx, e, ref);
      if (!v) return undefined;
      if (v.type !== 'bool' && v.type !== 'any') {
        ctx.report('InvalidCondition', `a condition must be a \`bool\`, found \`${describeType(v.type)}\``, e.span, { hint: 'compare it: `if n > 0 { … }`' });
        return undefined;
      }
      return { truthy: v.value };
    }
  }
}

function operand(ctx: CheckContext, e: ast.Expr, ref: RefResolver): Resolved | undefined {
  const c = constValue(e);
  if (c) {
    if (c.const === null || typeof c.const === 'object') {
      ctx.report('InvalidCondition', 'conditions compare numbers, strings and booleans', e.span);
      return undefined;
    }
    return { value: c, type: constType(c) };
  }
  if (e.kind !== 'RefExpr') {
    ctx.report('InvalidCondition', 'a condition compares literals, parameters, task outputs and loop items', e.span);
    return undefined;
  }
  const r = ref(e);
  if (r && 'collect' in r.value) {
    ctx.report('InvalidCondition', 'a condition cannot use outputs collected from a loop', e.span);
    return undefined;
  }
  return r;
}
