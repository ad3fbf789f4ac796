/**
 * The KFP UI's metrics contract, checked where the values are literal in the code: a
 * component with a `metrics` output whose body returns a dict literal gets its metric
 * names and formats checked at compile time. Everything else is checked by the
 * generated program at run time, before it writes the file.
 */
import type * as ast from '../syntax/ast.js';
import { CheckContext } from './context.js';

export const METRIC_NAME = /^[a-zA-Z]([-_a-zA-Z0-9]{0,62}[a-zA-Z0-9])?$/;

/** Literal `"name": value` pairs at the top level of `return {…}` dicts in the body, with their offsets. */
function returnedDictKeys(body: string): { key: string; offset: number; value: string }[] {
  const out: { key: string; offset: number; value: string }[] = [];
  const ret = /\breturn\s*\{/g;
  let m: RegExpExecArray | null;
  while ((m = ret.exec(body))) {
    let depth = 1;
    let i = m.index + m[0].length;
    const entry = /\s*(["'])((?:(?!\1)[^\\\n])*)\1\s*:\s*/y;
    while (i < body.length && depth > 0) {
      if (depth === 1) {
        entry.lastIndex = i;
        const e = entry.exec(body);
        if (e) {
          const valueStart = entry.lastIndex;
          out.push({ key: e[2]!, offset: i + e[0].indexOf(e[1]!), value: body.slice(valueStart, valueStart + 200) });
          i = valueStart;
          continue;
        }
      }
      const ch = body[i]!;
      if (ch === '{' || ch === '[' || ch === '(') depth++;
      else if (ch === '}' || ch === ']' || ch === ')') depth--;
      else if (ch === '"' || ch === "'") {
        const end = body.indexOf(ch, i + 1);
        if (end < 0) break;
        i = end;
      }
      i++;
    }
  }
  return out;
}

export function checkMetricsLiterals(ctx: CheckContext, c: ast.ComponentDecl): void {
  const metricsOutputs = (c.returns?.outputs ?? []).filter((o) => o.type.name === 'metrics');
  if (metricsOutputs.length === 0 || !c.code) return;
  // The body starts on the line after the opening fence; map offsets back through the dedent.
  const fence = ctx.file.text.slice(c.code.span.start, c.code.span.end);
  const bodyStart = c.code.span.start + fence.indexOf('\n') + 1;
  const rawBody = fence.slice(fence.indexOf('\n') + 1);
  for (const { key, offset, value } of returnedDictKeys(rawBody)) {
    if (key === 'metrics' && /^\[/.test(value)) continue; // the kfp form {"metrics": [...]}: checked at run time
    const start = bodyStart + offset;
    if (!METRIC_NAME.test(key)) {
      ctx.report('InvalidMetricName', `\`${key}\` is not a valid metric name`, { start, end: start + key.length + 2 }, {
        hint: 'the KFP UI accepts names of letters, digits, `-` and `_`, starting with a letter, at most 64 characters',
      });
    }
    const fmt = /^\{[^}]*["']format["']\s*:\s*["']([^"']*)["']/.exec(value);
    if (fmt && fmt[1] !== 'RAW' && fmt[1] !== 'PERCENTAGE') {
      ctx.report('InvalidMetricValue', `metric format \`${fmt[1]}\` is not RAW or PERCENTAGE`, { start, end: start + key.length + 2 }, { hint: 'use "RAW" (the default) or "PERCENTAGE"' });
    }
    const direct = /^(["'])/.exec(value);
    if (direct) {
      ctx.report('InvalidMetricValue', `metric \`${key}\` has a string value; metrics are numbers`, { start, end: start + key.length + 2 }, { hint: 'e.g. "auroc": 0.8' });
    }
  }
}
