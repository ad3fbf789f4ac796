/**
 * A reader of YAML that follows Go's gopkg.in/yaml.v2 (what Argo, kubectl and the KFP API
 * server use), written for tests from its resolve.go, reader.go and scannerc.go (v2 branch)
 * and the documented behaviour of Go's strconv and time.Parse. It is deliberately separate
 * from the compiler's own quoting rule (src/emit/typed-lookalikes.ts): the property test
 * checks that what we write reads the same here and in the JS `yaml` package.
 *
 * Structure (maps, sequences, quoting, escapes) is parsed by the `yaml` package; what this
 * adds is what differs in Go: how a plain scalar is typed (resolveGoPlain), which
 * characters a stream may hold (goRejectsCharacter) and which escapes a double-quoted
 * scalar may use.
 */
import YAML, { isMap, isScalar, isSeq, Scalar, type Node } from 'yaml';

export type GoValue = string | number | bigint | boolean | null | { timestamp: string } | { merge: true } | GoValue[] | { [key: string]: GoValue };

// --- strconv -------------------------------------------------------------------------------

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseUint(s, 0, 64) without the underscore rule (yaml.v2 strips `_` first): digits after an optional base prefix. */
function parseUintBase0(s: string): bigint | undefined {
  let base = 10;
  let digits = s;
  if (s.length >= 2 && s[0] === '0') {
    const p = s[1]!.toLowerCase();
    if (p === 'x') [base, digits] = [16, s.slice(2)];
    else if (p === 'b') [base, digits] = [2, s.slice(2)];
    else if (p === 'o') [base, digits] = [8, s.slice(2)];
    else [base, digits] = [8, s.slice(1)];
  }
  if (digits === '') return undefined;
  let n = 0n;
  for (const ch of digits) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    n = n * BigInt(base) + BigInt(d);
  }
  return n > UINT64_MAX ? undefined : n;
}

/** strconv.ParseInt(s, 0, 64): an optional sign, then as ParseUint, within int64. */
function parseIntBase0(s: string): bigint | undefined {
  const neg = s.startsWith('-');
  const body = s.startsWith('-') || s.startsWith('+') ? s.slice(1) : s;
  const u = parseUintBase0(body);
  if (u === undefined) return undefined;
  const v = neg ? -u : u;
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** strconv.ParseUint(s, 0, 64): no sign at all. */
function parseUint(s: string): bigint | undefined {
  return /^[-+]/.test(s) ? undefined : parseUintBase0(s);
}

/** Go's underscoreOK: `_` only between digits (a base prefix counting as a digit). */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1]!.toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1]!.toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-f]/i.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/**
 * strconv.ParseFloat(s, 64) for the decimal forms yaml.v2 lets reach it (a `.` first, or its
 * float pattern): undefined when invalid or out of range (Go returns ±Inf with ErrRange then,
 * and yaml.v2 treats any error as "not a float").
 */
function parseFloatDecimal(s: string): number | undefined {
  if (/^[-+]?(inf|infinity|nan)$/i.test(s)) return undefined; // never reached: yaml.v2 maps `.inf` itself
  if (s.includes('_') && !underscoreOK(s)) return undefined;
  const plain = s.replace(/_/g, '');
  if (!/^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(plain)) return undefined;
  const v = Number(plain);
  return Number.isFinite(v) ? v : undefined;
}

// --- time.Parse, for the four layouts yaml.v2 tries ---------------------------------------

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Go's getnum(s, false): one or two digits. */
function num12(s: string, at: number): [number, number] | undefined {
  const d = (i: number): boolean => i < s.length && s[i]! >= '0' && s[i]! <= '9';
  if (!d(at)) return undefined;
  if (!d(at + 1)) return [Number(s[at]), at + 1];
  return [Number(s.slice(at, at + 2)), at + 2];
}

/** "2006-1-2", then (per layout) `T`/`t`/` ` and "15:4:5" with an optional fraction, then (T/t) "Z07:00". */
function parseGoTimestamp(s: string): boolean {
  if (!/^[0-9]{4}-/.test(s)) return false;
  const year = Number(s.slice(0, 4));
  const month = num12(s, 5);
  if (!month || month[0] < 1 || month[0] > 12 || s[month[1]] !== '-') return false;
  const day = num12(s, month[1] + 1);
  if (!day || day[0] < 1) return false;
  const dayOk = day[0] <= (month[0] === 2 && !isLeap(year) ? 28 : DAYS[month[0] - 1]!);
  let at = day[1];
  if (at === s.length) return dayOk; // "2006-1-2"
  const sep = s[at]!;
  if (sep !== 'T' && sep !== 't' && sep !== ' ') return false;
  const parts: number[] = [];
  at++;
  for (let k = 0; k < 3; k++) {
    if (k > 0) {
      if (s[at] !== ':') return false;
      at++;
    }
    const n = num12(s, at);
    if (!n) return false;
    parts.push(n[0]);
    at = n[1];
  }
  if (parts[0]! > 23 || parts[1]! > 59 || parts[2]! > 59) return false;
  if ((s[at] === '.' || s[at] === ',') && /[0-9]/.test(s[at + 1] ?? '')) {
    at++;
    while (at < s.length && /[0-9]/.test(s[at]!)) at++;
  }
  if (sep === ' ') return at === s.length && dayOk;
  // Z07:00: `Z`, or ±hh:mm.
  if (s[at] === 'Z') return at + 1 === s.length && dayOk;
  const tz = s.slice(at);
  const m = /^[-+]([0-9]{2}):([0-9]{2})$/.exec(tz);
  return m !== null && Number(m[1]) <= 24 && Number(m[2]) <= 60 && dayOk;
}

// --- resolve.go -------------------------------------------------------------------------

const WORD_VALUES = new Map<string, GoValue>();
for (const [value, words] of [
  [true, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']],
  [false, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']],
  [null, ['', '~', 'null', 'Null', 'NULL']],
  [NaN, ['.nan', '.NaN', '.NAN']],
  [Infinity, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']],
  [-Infinity, ['-.inf', '-.Inf', '-.INF']],
] as const) {
  for (const w of words) WORD_VALUES.set(w, value);
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** The value yaml.v2 gives a plain (unquoted, untagged) scalar. */
export function resolveGoPlain(text: string): GoValue {
  const first = text[0];
  const hint = text === '' ? 'N' : first === '+' || first === '-' ? 'S' : /[0-9]/.test(first!) ? 'D' : 'yYnNtTfFoO~'.includes(first!) ? 'M' : first === '.' ? '.' : '';
  if (text === '<<') return { merge: true };
  if (hint === '') return text;
  if (WORD_VALUES.has(text)) return WORD_VALUES.get(text)!;
  if (hint === '.') {
    const f = parseFloatDecimal(text);
    return f === undefined ? text : f;
  }
  if (hint === 'D' || hint === 'S') {
    if (parseGoTimestamp(text)) return { timestamp: text };
    const plain = text.replace(/_/g, '');
    const i = parseIntBase0(plain);
    if (i !== undefined) return i;
    const u = parseUint(plain);
    if (u !== undefined) return u;
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = parseFloatDecimal(plain);
      if (f !== undefined) return f;
    }
    if (plain.startsWith('0b')) {
      const b = parseUintBase0(plain);
      if (b !== undefined) return b;
    } else if (plain.startsWith('-0b')) {
      const b = parseUintBase0(plain.slice(1));
      if (b !== undefined) return -b;
    }
  }
  return text;
}

// --- reader.go / scannerc.go -------------------------------------------------------------

/** yaml.v2's reader: `control characters are not allowed` for anything outside this set. */
export function goRejectsCharacter(text: string): number | undefined {
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const ok =
      cp === 0x09 || cp === 0x0a || cp === 0x0d || (cp >= 0x20 && cp <= 0x7e) || cp === 0x85 ||
      (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) return i;
    i += cp > 0xffff ? 2 : 1;
  }
  return undefined;
}

/** Escapes yaml.v2's scanner accepts in a double-quoted scalar; `\u`/`\U` must not name a surrogate. */
function goEscapeProblem(source: string): string | undefined {
  for (let i = 0; i < source.length; i++) {
    if (source[i] !== '\\') continue;
    const c = source[i + 1] ?? '';
    if ('0abt\tnvfre "/\\N_LP\n'.includes(c) && c !== '') {
      i++;
      continue;
    }
    const width = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
    if (width === 0) return `unknown escape \\${c}`;
    const hex = source.slice(i + 2, i + 2 + width);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return `bad escape \\${c}${hex}`;
    const cp = parseInt(hex, 16);
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return `found invalid Unicode character escape code \\${c}${hex}`;
    i += 1 + width;
  }
  return undefined;
}

export interface GoReadResult {
  readonly value?: GoValue;
  readonly error?: string;
}

/** Reads a YAML document as yaml.v2 would into interface{} (map keys resolved the same way). */
export function goRead(text: string): GoReadResult {
  const all = goReadAll(text);
  if (all.error) return { error: all.error };
  if (all.values!.length !== 1) return { error: `expected one document, found ${all.values!.length}` };
  return { value: all.values![0]! };
}

/** Every document of a stream (a kfp-v2 pipeline spec and its platform spec), as yaml.v2's Decoder reads them one by one. */
export function goReadAll(text: string): { readonly values?: GoValue[]; readonly error?: string } {
  const bad = goRejectsCharacter(text);
  if (bad !== undefined) return { error: `yaml: control characters are not allowed (U+${text.codePointAt(bad)!.toString(16).toUpperCase().padStart(4, '0')} at ${bad})` };
  const docs = YAML.parseAllDocuments(text, { version: '1.1', keepSourceTokens: true, uniqueKeys: true, merge: false });
  const values: GoValue[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) return { error: doc.errors[0]!.message };
    const one = goConvert(doc.contents as Node);
    if (one.error) return { error: one.error };
    values.push(one.value!);
  }
  return { values };
}

function goConvert(root: Node | null | undefined): GoReadResult {
  let problem: string | undefined;
  const convert = (node: Node | null | undefined): GoValue => {
    if (node === null || node === undefined) return null;
    if (isMap(node)) {
      const out: { [key: string]: GoValue } = Object.create(null) as { [key: string]: GoValue };
      for (const pair of node.items) {
        const k = convert(pair.key as Node);
        if (typeof k !== 'string') {
          problem ??= `a map key yaml.v2 reads as ${JSON.stringify(String(k))} of another type`;
          continue;
        }
        out[k] = convert(pair.value as Node);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((n) => convert(n as Node));
    if (isScalar(node)) {
      if (node.tag) return String(node.value); // no explicit tags are emitted; keep going if one is
      if (node.type === Scalar.PLAIN) return resolveGoPlain(node.source ?? String(node.value));
      if (node.type === Scalar.QUOTE_DOUBLE) {
        const src = node.srcToken && 'source' in node.srcToken ? node.srcToken.source : '';
        const p = goEscapeProblem(src.slice(1, -1));
        if (p) problem ??= `yaml: ${p}`;
      }
      return String(node.value);
    }
    problem ??= `unexpected node ${String(node)}`;
    return null;
  };
  const value = convert(root);
  return problem ? { error: problem } : { value };
}
