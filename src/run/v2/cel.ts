/**
 * The subset of CEL that `triggerPolicy.condition` holds as KFP's compiler (and kfpdsl) write
 * it: `inputs.parameter_values['x']` operands, `int(…)`, `double(…)`, `string(…)`, literals
 * (strings, numbers, true, false, null), comparisons, `!`, `&&`, `||` and parentheses. A
 * condition is parsed before the run (an expression outside the subset cannot run locally)
 * and evaluated when its task's inputs are known. As in CEL, comparing values of different
 * types is an error, not false.
 */
import type { ParamValue } from './values.js';

export type Cel =
  | { lit: ParamValue }
  | { input: string }
  | { call: 'int' | 'double' | 'string'; arg: Cel }
  | { not: Cel }
  | { op: '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>='; left: Cel; right: Cel };

type Token = { kind: 'str'; value: string } | { kind: 'num'; value: number } | { kind: 'id'; value: string } | { kind: 'op'; value: string };

class CelSyntax extends Error {}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') {
          const e = text[i + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
          i += 2;
        } else s += text[i++];
      }
      if (i >= text.length) throw new CelSyntax('a string literal is not closed');
      i++;
      out.push({ kind: 'str', value: s });
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      out.push({ kind: 'num', value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (id) {
      out.push({ kind: 'id', value: id[0] });
      i += id[0].length;
      continue;
    }
    const op = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', '.', '-'].find((o) => text.startsWith(o, i));
    if (!op) throw new CelSyntax(`unexpected ${JSON.stringify(c)}`);
    out.push({ kind: 'op', value: op });
    i += op.length;
  }
  return out;
}

/** Parses a condition; an error message names what is outside the subset. */
export function parseCel(text: string): { expr: Cel } | { error: string } {
  try {
    const p = new Parser(tokenize(text));
    const expr = p.or();
    if (!p.done()) throw new CelSyntax(`unexpected ${JSON.stringify(p.peekText())}`);
    return { expr };
  } catch (e) {
    if (e instanceof CelSyntax) return { error: e.message };
    throw e;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.i >= this.tokens.length;
  }
  peekText(): string {
    const t = this.tokens[this.i];
    return t === undefined ? 'end' : String(t.value);
  }
  private isOp(v: string): boolean {
    const t = this.tokens[this.i];
    return t?.kind === 'op' && t.value === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) throw new CelSyntax(`expected ${JSON.stringify(v)}, found ${JSON.stringify(this.peekText())}`);
    this.i++;
  }

  or(): Cel {
    let left = this.and();
    while (this.isOp('||')) {
      this.i++;
      left = { op: '||', left, right: this.and() };
    }
    return left;
  }
  private and(): Cel {
    let left = this.compare();
    while (this.isOp('&&')) {
      this.i++;
      left = { op: '&&', left, right: this.compare() };
    }
    return left;
  }
  private compare(): Cel {
    const left = this.unary();
    for (const op of ['==', '!=', '<=', '>=', '<', '>'] as const) {
      if (this.isOp(op)) {
        this.i++;
        return { op, left, right: this.unary() };
      }
    }
    return left;
  }
  private unary(): Cel {
    if (this.isOp('!')) {
      this.i++;
      return { not: this.unary() };
    }
    if (this.isOp('-')) {
      this.i++;
      const t = this.tokens[this.i++];
      if (t?.kind !== 'num') throw new CelSyntax('`-` before something other than a number');
      return { lit: -t.value };
    }
    return this.primary();
  }
  private primary(): Cel {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new CelSyntax('the expression ends too soon');
    if (t.kind === 'str' || t.kind === 'num') return { lit: t.value };
    if (t.kind === 'op' && t.value === '(') {
      const e = this.or();
      this.expect(')');
      return e;
    }
    if (t.kind !== 'id') throw new CelSyntax(`unexpected ${JSON.stringify(t.value)}`);
    if (t.value === 'true' || t.value === 'false') return { lit: t.value === 'true' };
    if (t.value === 'null') return { lit: null };
    if (t.value === 'int' || t.value === 'double' || t.value === 'string') {
      this.expect('(');
      const arg = this.or();
      this.expect(')');
      return { call: t.value, arg };
    }
    if (t.value === 'inputs') {
      this.expect('.');
      const field = this.tokens[this.i++];
      if (field?.kind !== 'id' || field.value !== 'parameter_values') throw new CelSyntax('only `inputs.parameter_values[…]` is read');
      this.expect('[');
      const key = this.tokens[this.i++];
      if (key?.kind !== 'str') throw new CelSyntax('`inputs.parameter_values[…]` takes a quoted name');
      this.expect(']');
      return { input: key.value };
    }
    throw new CelSyntax(`\`${t.value}\` is not part of the CEL that conditions use`);
  }
}

export class CelError extends Error {}

/** Evaluates a parsed condition over the task's parameter inputs; throws CelError as CEL would fail. */
export function evalCel(e: Cel, inputs: ReadonlyMap<string, ParamValue>): ParamValue {
  if ('lit' in e) return e.lit;
  if ('input' in e) {
    if (!inputs.has(e.input)) throw new CelError(`no such key: ${e.input}`);
    return inputs.get(e.input)!;
  }
  if ('call' in e) return convert(e.call, evalCel(e.arg, inputs));
  if ('not' in e) return !truth(evalCel(e.not, inputs));
  if (e.op === '&&') return truth(evalCel(e.left, inputs)) && truth(evalCel(e.right, inputs));
  if (e.op === '||') return truth(evalCel(e.left, inputs)) || truth(evalCel(e.right, inputs));
  const l = evalCel(e.left, inputs);
  const r = evalCel(e.right, inputs);
  if (e.op === '==' || e.op === '!=') {
    sameType(l, r, e.op);
    const eq = JSON.stringify(l) === JSON.stringify(r);
    return e.op === '==' ? eq : !eq;
  }
  sameType(l, r, e.op);
  if (typeof l !== 'number' && typeof l !== 'string') throw new CelError(`no such overload: ${typeName(l)} ${e.op} ${typeName(r)}`);
  const lt = (l as number | string) < (r as number | string);
  const gt = (l as number | string) > (r as number | string);
  return e.op === '<' ? lt : e.op === '<=' ? !gt : e.op === '>' ? gt : !lt;
}

function truth(v: ParamValue): boolean {
  if (typeof v !== 'boolean') throw new CelError(`no such overload: a ${typeName(v)} where a bool is needed`);
  return v;
}

function sameType(l: ParamValue, r: ParamValue, op: string): void {
  if (typeName(l) !== typeName(r)) throw new CelError(`no such overload: ${typeName(l)} ${op} ${typeName(r)}`);
}

function typeName(v: ParamValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'string';
}

function convert(to: 'int' | 'double' | 'string', v: ParamValue): ParamValue {
  if (to === 'string') return typeof v === 'string' ? v : JSON.stringify(v);
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) n = Number(v);
  else if (typeof v === 'boolean' && to === 'int') n = v ? 1 : 0;
  else throw new CelError(`${to}(${JSON.stringify(v)}): not a number`);
  // CEL's int() truncates toward zero; ints and doubles compare as numbers here.
  return to === 'int' ? Math.trunc(n) : n;
}
