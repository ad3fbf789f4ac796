/**
 * Argo's `when` evaluation: govaluate with every bare word read as a string, so that both
 * `"heads" == "heads"` and `heads == heads` hold. Operators: || && ! == != < <= > >= =~ !~
 * + - * / % and parentheses; values: numbers, '..' or ".." strings, true/false.
 * Comparing a number with a string by order is an error, as in govaluate.
 */
type Value = number | string | boolean;
type Tok = { kind: 'num'; value: number } | { kind: 'str'; value: string } | { kind: 'bool'; value: boolean } | { kind: 'op'; value: string };

export type WhenResult = { ok: true; value: boolean } | { ok: false; message: string };

export function evaluateWhen(expression: string): WhenResult {
  try {
    const parser = new Parser(tokenize(expression));
    const value = parser.parseExpression();
    parser.expectEnd();
    if (typeof value !== 'boolean') return fail(expression, `expected a boolean, got ${JSON.stringify(value)}`);
    return { ok: true, value };
  } catch (e) {
    return fail(expression, e instanceof Error ? e.message : String(e));
  }
}

const fail = (expression: string, why: string): WhenResult => ({ ok: false, message: `Invalid 'when' expression '${expression}': ${why}` });

const OPERATORS = ['||', '&&', '==', '!=', '<=', '>=', '=~', '!~', '<', '>', '!', '(', ')', '+', '-', '*', '/', '%'];

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
      const text = m?.[0] ?? c;
      toks.push({ kind: 'num', value: Number(text) });
      i += text.length;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        value += src[j];
        j++;
      }
      if (j >= src.length) throw new Error('unclosed string literal');
      toks.push({ kind: 'str', value });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z0-9_.]+/.exec(src.slice(i))?.[0] ?? c;
      // govaluate reads a bare word as a variable; Argo turns variables into strings.
      toks.push(word === 'true' || word === 'false' ? { kind: 'bool', value: word === 'true' } : { kind: 'str', value: word });
      i += word.length;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i));
      if (!op) throw new Error(`Invalid token: '${c}'`);
      toks.push({ kind: 'op', value: op });
      i += op.length;
    }
  }
  return toks;
}

// Precedence climbing, lowest first; comparators share one level and associate left, as in govaluate.
const LEVELS: readonly (readonly string[])[] = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>=', '=~', '!~'], ['+', '-'], ['*', '/', '%']];

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  parseExpression(level = 0): Value {
    const ops = LEVELS[level];
    if (!ops) return this.parseUnary();
    let left = this.parseExpression(level + 1);
    for (;;) {
      const t = this.toks[this.pos];
      if (t?.kind !== 'op' || !ops.includes(t.value)) return left;
      this.pos++;
      const right = this.parseExpression(level + 1);
      left = binary(t.value, left, right);
    }
  }

  expectEnd(): void {
    const t = this.toks[this.pos];
    if (t) throw new Error(`unexpected ${t.kind === 'op' ? `'${t.value}'` : JSON.stringify(t.value)}`);
  }

  private parseUnary(): Value {
    const t = this.toks[this.pos];
    if (t?.kind === 'op' && (t.value === '!' || t.value === '-')) {
      this.pos++;
      const v = this.parseUnary();
      if (t.value === '!') return !bool(v, '!');
      return -num(v, '-');
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Value {
    const t = this.toks[this.pos++];
    if (!t) throw new Error('unexpected end of expression');
    if (t.kind !== 'op') return t.value;
    if (t.value !== '(') throw new Error(`unexpected '${t.value}'`);
    const v = this.parseExpression();
    const close = this.toks[this.pos++];
    if (close?.kind !== 'op' || close.value !== ')') throw new Error("missing ')'");
    return v;
  }
}

function binary(op: string, l: Value, r: Value): Value {
  switch (op) {
    case '||':
      return bool(l, op) || bool(r, op);
    case '&&':
      return bool(l, op) && bool(r, op);
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(op, l, r);
    case '=~':
    case '!~': {
      const matches = new RegExp(text(r, op)).test(text(l, op));
      return op === '=~' ? matches : !matches;
    }
    case '+':
      return typeof l === 'string' || typeof r === 'string' ? String(l) + String(r) : num(l, op) + num(r, op);
    case '-':
      return num(l, op) - num(r, op);
    case '*':
      return num(l, op) * num(r, op);
    case '/':
      return num(l, op) / num(r, op);
    default:
      return num(l, op) % num(r, op);
  }
}

function compare(op: string, l: Value, r: Value): boolean {
  const both = (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string');
  if (!both) {
    const bad = typeof l === 'number' ? r : l;
    throw new Error(`Value '${String(bad)}' cannot be used with the comparator '${op}', it is not a number`);
  }
  if (op === '<') return l < r;
  if (op === '<=') return l <= r;
  if (op === '>') return l > r;
  return l >= r;
}

function bool(v: Value, op: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`Value '${String(v)}' cannot be used with the logical operator '${op}', it is not a bool`);
  return v;
}

function num(v: Value, op: string): number {
  if (typeof v !== 'number') throw new Error(`Value '${String(v)}' cannot be used with the modifier '${op}', it is not a number`);
  return v;
}

function text(v: Value, op: string): string {
  if (typeof v !== 'string') throw new Error(`Value '${String(v)}' cannot be used with the comparator '${op}', it is not a string`);
  return v;
}
