/**
 * Fuzz cases for the compiler: deterministic mutations of the seed programs
 * (examples/*.kfp and test/fixtures/errors/*.kfp) plus a fixed list of hostile inputs
 * (huge, deeply nested, pathological names), and the invariants every compilation must
 * keep whatever its input: it returns, every diagnostic is well formed and located (and
 * none is an internal error), and output paths and text are safe.
 *
 * Used by test/fuzz.test.ts (a few hundred cases) and scripts/fuzz.mjs (thousands, bundled
 * on the fly with esbuild), so this file takes the repository root as an argument and
 * never uses import.meta.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompileResult } from '../../src/compile.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import type { SourceFile } from '../../src/source.js';

export interface SeedSource {
  /** Relative to the repository root, with `/`; imports in the seed resolve against it. */
  readonly path: string;
  readonly text: string;
}

export interface FuzzCase {
  /** Stable and unique: `mutation #<index> of <seed path>` or `hostile: <what>`. */
  readonly name: string;
  /** The SourceFile path, relative to the repository root (imports in it resolve from there). */
  readonly path: string;
  readonly text: string;
  /**
   * Known to fail until the compiler is fixed (from KNOWN_BUGS below). Such a case is still
   * run and still asserted on, so it fails until the fix; the text only labels the failure.
   */
  readonly knownBug?: string;
}

// ---------------------------------------------------------------------------------------
// Randomness

/** mulberry32: a tiny, fast, seedable 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The seed of case `index` of a run seeded with `seed`: each case is reproducible on its own. */
export function caseSeed(seed: number, index: number): number {
  return fmix32((fmix32(seed >>> 0) + Math.imul(index + 1, 0x9e3779b9)) >>> 0);
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------------------
// Seeds

/** examples/*.kfp and test/fixtures/errors/*.kfp, sorted, so that case N is always the same. */
export function loadSeeds(repoRoot: string): SeedSource[] {
  const out: SeedSource[] = [];
  for (const dir of ['examples', 'test/fixtures/errors']) {
    for (const name of readdirSync(join(repoRoot, dir)).filter((f) => f.endsWith('.kfp')).sort()) {
      out.push({ path: `${dir}/${name}`, text: readFileSync(join(repoRoot, dir, name), 'utf8') });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Mutations

/** Words, numbers, strings, fences, comments, multi-character operators, white space, any other character. */
const TOKEN =
  /```[^]*?```|"""[^]*?"""|"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|->|\.\.|==|!=|<=|>=|\s+|[^]/gu;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

const PUNCTUATION = ['{', '}', '(', ')', '[', ']', ',', ':', '=', '->', '..', '.', '==', '!=', '<', '>', '<=', '>=', '"', '"""', '```', '#', '-'];
const KEYWORDS = [
  'if', 'elif', 'else', 'for', 'in', 'finally', 'component', 'pipeline', 'import', 'as', 'after', 'and', 'or', 'not',
  'true', 'false', 'null', 'parallelism', 'image', 'command', 'args', 'cpu', 'memory', 'gpu', 'mount', 'env', 'retry',
  'timeout', 'cache', 'volume', 'secret', 'concat', 'if_present', 'int', 'float', 'str', 'bool', 'list', 'dict',
  'file', 'metrics', 'ui_metadata', 'python', 'x', '_', 'self', 'class', 'lambda', 'None',
];
/** Odd characters: NUL, lone surrogate halves, CR, tabs, BOM, emoji, Korean, line and paragraph separators, controls. */
const ODD = [
  '\0', '\ud800', '\udfff', '\udc00x', '\r', '\r\n', '\t', '\ufeff', '😀', '👩‍👩‍👧', '한글', '가', '\u2028', '\u2029',
  '\u00a0', '\u200b', '\u202e', '\x7f', '\x1b[31m', '\v', '\f', '\\', "'", '`', '$', '%', '@', '~', 'é', 'İ', 'ß', '\ufffd',
  '\ud83d', '${{', '{{', '}}', '{{{x}}}', '\\u0000', '\\x', '\\', '\\"',
];
const NUMBERS = ['0', '-0', '1', '-1', '9007199254740991', '9007199254740993', '1e309', '-1e309', '1.5', '0.0000001', '99999999999999999999', '1e-400', '007', '-9223372036854775808'];
const STRINGS = [
  '""', '" "', '"../../etc/passwd"', '"/"', '"\\\\"', '"\\n"', '"\\u0000"', '"\\x00"', '"\\z"', '"{{x}}"', '"$(x)"', '"{{inputs.parameters.x}}"',
  '"한글"', '"😀"', '"a: b"', '"- x"', '"*alias"', '"&anchor"', '"!!binary"', '"?"', '"null"', '"yes"', '"no"', '"~"', '"0x1F"',
  '"1Gi"', '"-1Gi"', '"1e3"', '"2h"', '"-2h"', '"OnFailure"', '"IfNotPresent"', '"python:3.11"', '"#"', '"%"',
];

type Mutator = (tokens: string[], rng: Rng, seeds: readonly SeedSource[]) => void;

function isSpace(tok: string): boolean {
  return /^\s+$/.test(tok);
}

/** An index of a token that is not white space (or any index when there is none). */
function solidIndex(tokens: readonly string[], rng: Rng): number {
  for (let tries = 0; tries < 8; tries++) {
    const i = rng.int(tokens.length);
    if (!isSpace(tokens[i]!)) return i;
  }
  return rng.int(tokens.length);
}

const MUTATORS: readonly (readonly [string, number, Mutator])[] = [
  ['delete', 6, (t, r) => {
    t.splice(solidIndex(t, r), 1 + (r.chance(0.2) ? r.int(4) : 0));
  }],
  ['duplicate', 4, (t, r) => {
    const i = solidIndex(t, r);
    t.splice(i, 0, t[i]!);
  }],
  ['swap', 4, (t, r) => {
    const i = solidIndex(t, r);
    const j = solidIndex(t, r);
    [t[i], t[j]] = [t[j]!, t[i]!];
  }],
  ['insert punctuation', 5, (t, r) => {
    t.splice(r.int(t.length + 1), 0, r.pick(PUNCTUATION));
  }],
  ['insert keyword', 4, (t, r) => {
    t.splice(r.int(t.length + 1), 0, ` ${r.pick(KEYWORDS)} `);
  }],
  ['replace with keyword', 3, (t, r) => {
    const i = solidIndex(t, r);
    if (/^[A-Za-z_]/.test(t[i]!)) t[i] = r.pick(KEYWORDS);
    else t[i] = r.pick(PUNCTUATION);
  }],
  ['odd characters', 4, (t, r) => {
    t.splice(r.int(t.length + 1), 0, r.pick(ODD));
  }],
  ['random bytes', 2, (t, r) => {
    let s = '';
    for (let n = 1 + r.int(8); n > 0; n--) s += String.fromCharCode(r.chance(0.5) ? r.int(128) : r.int(0x10000));
    t.splice(r.int(t.length + 1), 0, s);
  }],
  ['replace number', 2, (t, r) => {
    const nums = t.map((x, i) => (/^-?\d/.test(x) ? i : -1)).filter((i) => i >= 0);
    t[nums.length > 0 ? r.pick(nums) : solidIndex(t, r)] = r.pick(NUMBERS);
  }],
  ['replace string', 3, (t, r) => {
    const strs = t.map((x, i) => (x.startsWith('"') ? i : -1)).filter((i) => i >= 0);
    t[strs.length > 0 ? r.pick(strs) : solidIndex(t, r)] = r.pick(STRINGS);
  }],
  ['garble string', 2, (t, r) => {
    const strs = t.map((x, i) => (x.startsWith('"') || x.startsWith('`') ? i : -1)).filter((i) => i >= 0);
    if (strs.length === 0) return;
    const i = r.pick(strs);
    const s = t[i]!;
    const at = 1 + r.int(Math.max(1, s.length - 1));
    t[i] = s.slice(0, at) + r.pick(ODD) + s.slice(at);
  }],
  ['splice from another seed', 2, (t, r, seeds) => {
    const other = tokenize(r.pick(seeds).text);
    if (other.length === 0) return;
    const from = r.int(other.length);
    t.splice(r.int(t.length + 1), 0, ...other.slice(from, from + 1 + r.int(40)));
  }],
  ['repeat a slice', 1, (t, r) => {
    const from = r.int(t.length);
    const slice = t.slice(from, from + 1 + r.int(30));
    const times = 2 + r.int(60);
    const out: string[] = [];
    for (let k = 0; k < times; k++) out.push(...slice);
    t.splice(from, 0, ...out);
  }],
  ['rename to a long or odd name', 1, (t, r) => {
    const ids = t.map((x, i) => (/^[A-Za-z_]/.test(x) ? i : -1)).filter((i) => i >= 0);
    if (ids.length === 0) return;
    const name = r.pick(['_', '__', 'a'.repeat(64), 'b'.repeat(300), 'X'.repeat(2000), 'if_', 'Class', 'None', 'async', 'await', 'lambda', 'def', 'return', 'True', 'print', 'inputs', 'outputs']);
    const old = t[r.pick(ids)]!;
    // rename every occurrence, so the program may stay valid
    for (let i = 0; i < t.length; i++) if (t[i] === old) t[i] = name;
  }],
];

/** Tokens of one kind (identifiers, strings, numbers): swapping two keeps most programs parseable. */
function sameKindIndexes(t: readonly string[], r: Rng): number[] {
  const kind = r.pick([/^[A-Za-z_]/, /^"[^"]/, /^-?\d/]);
  return t.map((x, i) => (kind.test(x) ? i : -1)).filter((i) => i >= 0);
}

/** Line-level edits: the token list is rebuilt from the edited lines. */
function lineEdit(edit: (lines: string[], r: Rng, seeds: readonly SeedSource[]) => void): Mutator {
  return (t, r, seeds) => {
    const lines = t.join('').split('\n');
    edit(lines, r, seeds);
    t.splice(0, t.length, ...tokenize(lines.join('\n')));
  };
}

function mutator(name: string): readonly [string, number, Mutator] {
  const m = MUTATORS.find((x) => x[0] === name);
  if (!m) throw new Error(`no mutator ${name}`);
  return m;
}

const QUIET_ODD = ODD.filter((c) => !/["\\\n\r]/.test(c));

/** Mutations that mostly keep the program parseable, so that the checks and the lowering run. */
const GENTLE: readonly (readonly [string, number, Mutator])[] = [
  mutator('replace number'),
  mutator('replace string'),
  mutator('rename to a long or odd name'),
  ['swap same-kind tokens', 4, (t, r) => {
    const idx = sameKindIndexes(t, r);
    if (idx.length < 2) return;
    const i = r.pick(idx);
    const j = r.pick(idx);
    [t[i], t[j]] = [t[j]!, t[i]!];
  }],
  ['copy a same-kind token', 4, (t, r) => {
    const idx = sameKindIndexes(t, r);
    if (idx.length < 2) return;
    t[r.pick(idx)] = t[r.pick(idx)]!;
  }],
  ['delete a line', 4, lineEdit((lines, r) => void lines.splice(r.int(lines.length), 1))],
  ['duplicate a line', 4, lineEdit((lines, r) => {
    const i = r.int(lines.length);
    lines.splice(i, 0, ...Array<string>(1 + (r.chance(0.2) ? r.int(20) : 0)).fill(lines[i]!));
  })],
  ['swap two lines', 3, lineEdit((lines, r) => {
    const i = r.int(lines.length);
    const j = r.int(lines.length);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  })],
  ['move a line', 2, lineEdit((lines, r) => {
    const [line] = lines.splice(r.int(lines.length), 1);
    lines.splice(r.int(lines.length + 1), 0, line ?? '');
  })],
  ['copy a line from another seed', 3, lineEdit((lines, r, seeds) => {
    lines.splice(r.int(lines.length + 1), 0, r.pick(r.pick(seeds).text.split('\n')));
  })],
  ['odd characters in a string or comment', 2, (t, r) => {
    const idx = t.map((x, i) => (/^("[^"]|#|```)/.test(x) && x.length > 2 ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) return;
    const i = r.pick(idx);
    const s = t[i]!;
    const at = 1 + r.int(s.length - 2);
    t[i] = s.slice(0, at) + r.pick(QUIET_ODD) + s.slice(at);
  }],
];

function pickMutator(rng: Rng, from: readonly (readonly [string, number, Mutator])[]): readonly [string, number, Mutator] {
  let w = rng.int(from.reduce((s, m) => s + m[1], 0));
  for (const m of from) {
    w -= m[1];
    if (w < 0) return m;
  }
  return from[0]!;
}

/**
 * One mutated source: 1–4 mutations, either wild (anything, at the token level) or gentle
 * (mostly keeping the syntax, so that later phases run), then sometimes a truncation.
 */
export function mutate(seed: SeedSource, seeds: readonly SeedSource[], caseSeedValue: number): { text: string; ops: string[] } {
  const rng = new Rng(caseSeedValue);
  const tokens = tokenize(seed.text);
  const gentle = rng.chance(0.45);
  const ops: string[] = [gentle ? 'gentle' : 'wild'];
  const n = 1 + rng.int(gentle ? 3 : 4);
  for (let k = 0; k < n; k++) {
    if (tokens.length === 0) tokens.push(rng.pick(KEYWORDS));
    const m = pickMutator(rng, gentle ? GENTLE : MUTATORS);
    m[2](tokens, rng, seeds);
    ops.push(m[0]);
  }
  let text = tokens.join('');
  if (rng.chance(gentle ? 0.02 : 0.1)) {
    // truncation at any UTF-16 offset, possibly between a surrogate pair or inside \r\n
    text = text.slice(0, rng.int(text.length + 1));
    ops.push('truncate');
  }
  return { text, ops };
}

/** Case `index` of a run: everything comes from the case's own PRNG, so any one case can be rebuilt alone. */
export function mutationCase(seeds: readonly SeedSource[], seed: number, index: number): FuzzCase & { ops: string[] } {
  const cs = caseSeed(seed, index);
  // half the cases start from an example (a valid program), half from any seed
  const examples = seeds.filter((s) => s.path.startsWith('examples/'));
  const pool = cs % 2 === 0 && examples.length > 0 ? examples : seeds;
  const src = pool[(cs >>> 1) % pool.length]!;
  const { text, ops } = mutate(src, seeds, cs);
  return { name: `mutation #${index} of ${src.path} (seed ${seed}; ${ops.join(', ')})`, path: src.path, text, ops };
}

export function mutationCases(seeds: readonly SeedSource[], seed: number, count: number, start = 0): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = start; i < start + count; i++) out.push(mutationCase(seeds, seed, i));
  return out;
}

// ---------------------------------------------------------------------------------------
// Hostile inputs

const COMPONENT_ADD = 'component add(a: int, b: int) -> int {\n  ```python\n  return a + b\n  ```\n}\n';
const COMPONENT_ECHO = 'component echo(text: str) {\n  image: "alpine:3.19"\n  command: ["echo", text]\n}\n';
const CONTAINER = (name: string, params = '') => `component ${name}(${params}) {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n`;

function pipeline(name: string, body: string, params = ''): string {
  return `pipeline ${JSON.stringify(name)} (${params}) {\n${body}}\n`;
}

/**
 * Compiler bugs found by this fuzzer and not fixed yet, by hostile case name. The cases
 * stay in the suite and fail until the bug is fixed; then delete the entry here.
 */
export const KNOWN_BUGS: Readonly<Record<string, string>> = {};

/** How the known bugs show up in a failing case's problems, so that a mutation hitting one says so. */
const KNOWN_BUG_SIGNS: readonly (readonly [RegExp, string])[] = [
  [/dag\/tasks must NOT have fewer than 1 items/, 'pipeline with no tasks'],
  [/tolerations\/\d+\/operator must be equal/, 'toleration with an unknown operator'],
  [/tolerations\/\d+\/effect must be equal/, 'toleration with an unknown effect'],
  [/imagePullSecrets\/\d+\/name must match/, 'image pull secret that is not a Kubernetes name'],
  [/a single return needs exactly one returned output/, 'python component with a single file output'],
  [/template output does not hold the lowered value/, 'loop over [-0]'],
  [/unsafe output path "components\/[^"]*[A-Z]/, 'component with an upper-case name'],
];

/** The known bug (from KNOWN_BUGS) that these problems look like, if any. */
export function knownBugOf(problems: readonly string[]): string | undefined {
  for (const [sign, name] of KNOWN_BUG_SIGNS) {
    const bug = KNOWN_BUGS[name];
    if (bug && problems.some((p) => sign.test(p))) return `like hostile case "${name}": ${bug}`;
  }
  return undefined;
}

export interface HostileOptions {
  /** 'core' cases run in `npm test`; 'extended' ones only in scripts/fuzz.mjs --hostile. */
  readonly tier?: 'core' | 'extended';
  /** Ran for minutes once (a bug since fixed): test/fuzz.test.ts runs it only in a worker that is killed on a hang. */
  readonly mayHang?: boolean;
  readonly path?: string;
}

export interface HostileCase extends FuzzCase {
  readonly tier: 'core' | 'extended';
  readonly mayHang: boolean;
}

function hostile(name: string, text: string, opts: HostileOptions = {}): HostileCase {
  const knownBug = KNOWN_BUGS[name];
  const c = { name: `hostile: ${name}`, path: opts.path ?? 'fuzz/hostile.kfp', text, tier: opts.tier ?? 'core', mayHang: opts.mayHang ?? false };
  return knownBug ? { ...c, knownBug } : c;
}

/** Every hostile input (some are megabytes; the text is built on each call). */
export function hostileCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const ext = { tier: 'extended' } as const;
  const longId = 'x'.repeat(100_000);

  // --- size
  {
    let body = '';
    for (let i = 0; i < 20_000; i++) body += `  t${i} = add(${i}, ${i === 0 ? 1 : `t${i - 1}`})\n`;
    out.push(hostile('pipeline with 20,000 chained tasks', COMPONENT_ADD + pipeline('big', body)));
  }
  {
    let body = '';
    for (let i = 0; i < 20_000; i++) body += `  t${i} = add(${i}, ${i === 19_999 ? 1 : `t${i + 1}`})\n`;
    out.push(hostile('reverse dependency chain of 20,000 tasks', COMPONENT_ADD + pipeline('big', body)));
  }
  out.push(hostile('pipeline with 20,000 independent tasks', COMPONENT_ADD + pipeline('wide', '  add(1, 2)\n'.repeat(20_000)), { mayHang: true }));
  out.push(hostile('5 MB string literal', COMPONENT_ECHO + pipeline('long string', `  echo("${'a'.repeat(5 * 1024 * 1024)}")\n`)));
  out.push(hostile('5 MB string literal of escapes', COMPONENT_ECHO + pipeline('escapes', `  echo("${'\\n\\"'.repeat((5 * 1024 * 1024) / 4)}")\n`), ext));
  out.push(hostile('5 MB description', `component c() {\n  """${'d '.repeat(2.5 * 1024 * 1024)}"""\n  image: "a:1"\n  command: ["x"]\n}\n` + pipeline('p', '  c()\n'), ext));
  out.push(hostile('5 MB python block', `component c() {\n  \`\`\`python\n${'  x = 1\n'.repeat((5 * 1024 * 1024) / 8)}  \`\`\`\n}\n` + pipeline('p', '  c()\n'), ext));
  out.push(hostile('9 MB file (over the 8 MiB limit)', COMPONENT_ADD + '#'.repeat(9 * 1024 * 1024) + '\n' + pipeline('p', '  add(1, 2)\n')));
  out.push(hostile('9 MB file of non-ASCII', '한'.repeat(9 * 1024 * 1024)));
  out.push(hostile('8 MiB exactly of white space', ' '.repeat(8 * 1024 * 1024), ext));
  out.push(hostile('empty file', ''));
  out.push(hostile('only a BOM', '\ufeff'));
  out.push(hostile('BOM then a program', '\ufeff' + COMPONENT_ADD + pipeline('p', '  add(1, 2)\n')));
  out.push(hostile('CRLF line ends', (COMPONENT_ADD + pipeline('p', '  add(1, 2)\n')).replace(/\n/g, '\r\n')));
  out.push(hostile('1,000,000 newlines', '\n'.repeat(1_000_000), ext));
  out.push(hostile('1,000,000 CRs', '\r'.repeat(1_000_000), ext));
  out.push(hostile('a 1 MB line of one token', 'a'.repeat(1024 * 1024), ext));

  // --- nesting
  out.push(hostile('[[[[ 100,000 deep', COMPONENT_ECHO + pipeline('p', `  echo(${'['.repeat(100_000)}${']'.repeat(100_000)})\n`)));
  out.push(hostile('(((( 100,000 deep', COMPONENT_ECHO + pipeline('p', `  echo(${'('.repeat(100_000)}"a"${')'.repeat(100_000)})\n`)));
  out.push(hostile('{{{{ 100,000 deep', COMPONENT_ECHO + pipeline('p', `  echo(${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)})\n`)));
  out.push(hostile('[[[[ 100,000 unclosed', '['.repeat(100_000)));
  out.push(hostile('{{{{ 100,000 unclosed', '{'.repeat(100_000)));
  out.push(hostile(']]]] 100,000 unopened', ']'.repeat(100_000), ext));
  out.push(hostile('if a { 5,000 deep', COMPONENT_ECHO + pipeline('p', `  ${'if a { '.repeat(5_000)}echo("x") ${'} '.repeat(5_000)}\n`, 'a: bool = true')));
  {
    let body = '';
    for (let i = 0; i < 60; i++) body += `${'  '.repeat(i + 1)}if a {\n`;
    body += '  echo("x")\n';
    for (let i = 59; i >= 0; i--) body += `${'  '.repeat(i + 1)}}\n`;
    out.push(hostile('if a { 60 deep (under the limit)', COMPONENT_ECHO + pipeline('p', body, 'a: bool = true'), { mayHang: true }));
  }
  {
    let body = '';
    for (let i = 0; i < 60; i++) body += `for x${i} in [1, 2] { `;
    body += 'echo("x") ' + '} '.repeat(60);
    out.push(hostile('for 60 deep (under the limit)', COMPONENT_ECHO + pipeline('p', `  ${body}\n`), { mayHang: true }));
  }
  {
    const body = `if n == 0 { echo("0") }${Array.from({ length: 10_000 }, (_, i) => ` elif n == ${i + 1} { echo("${i + 1}") }`).join('')} else { echo("x") }`;
    out.push(hostile('elif chain of 10,000', COMPONENT_ECHO + pipeline('p', `  ${body}\n`, 'n: int = 1'), { mayHang: true }));
  }
  out.push(hostile('not not not … 100,000', COMPONENT_ECHO + pipeline('p', `  if ${'not '.repeat(100_000)}a { echo("x") }\n`, 'a: bool = true')));
  out.push(hostile('not not not … 1,000', COMPONENT_ECHO + pipeline('p', `  if ${'not '.repeat(1_000)}a { echo("x") }\n`, 'a: bool = true'), ext));
  out.push(hostile('a or a or … 100,000', COMPONENT_ECHO + pipeline('p', `  if a${' or a'.repeat(100_000)} { echo("x") }\n`, 'a: bool = true'), ext));
  out.push(hostile('a and a and … 100,000', COMPONENT_ECHO + pipeline('p', `  if a${' and a'.repeat(100_000)} { echo("x") }\n`, 'a: bool = true'), ext));
  out.push(hostile('a.b.b.b … 100,000', COMPONENT_ECHO + pipeline('p', `  echo(a${'.b'.repeat(100_000)})\n`, 'a: str = "x"')));
  out.push(hostile('a == a == a … 10,000', COMPONENT_ECHO + pipeline('p', `  if a${' == a'.repeat(10_000)} { echo("x") }\n`, 'a: bool = true'), ext));
  out.push(hostile('list of 100,000 items', COMPONENT_ECHO + pipeline('p', `  for x in [${'1, '.repeat(100_000)}1] { echo("x") }\n`), ext));
  out.push(hostile('dict of 100,000 entries', COMPONENT_ECHO + pipeline('p', `  for x in [{${Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`).join(', ')}}] { echo("x") }\n`), ext));
  out.push(hostile('call with 100,000 arguments', COMPONENT_ECHO + pipeline('p', `  echo(${'"a", '.repeat(100_000)}"a")\n`), ext));
  out.push(hostile('after list of 10,000 tasks', COMPONENT_ADD + pipeline('p', `  a = add(1, 2)\n  add(1, 2) after ${'a, '.repeat(9_999)}a\n`), ext));

  // --- long identifiers
  out.push(hostile('100k-character component name', `component ${longId}(a: int) {\n  image: "a:1"\n  command: ["x"]\n}\n` + pipeline('p', `  ${longId}(1)\n`)));
  out.push(hostile('100k-character parameter name', `component c(${longId}: int) {\n  image: "a:1"\n  command: ["x", ${longId}]\n}\n` + pipeline('p', `  c(1)\n`, `${longId}: int = 1`)));
  out.push(hostile('100k-character task name', COMPONENT_ADD + pipeline('p', `  ${longId} = add(1, 2)\n  add(${longId}, 1)\n`)));
  out.push(hostile('100k-character output name', `component c() -> (${longId}: int) {\n  \`\`\`python\n  return 1\n  \`\`\`\n}\n` + pipeline('p', `  t = c()\n`)));
  out.push(hostile('100k-character loop variable', COMPONENT_ECHO + pipeline('p', `  for ${longId} in ["a"] { echo(${longId}) }\n`)));
  out.push(hostile('100k-character setting name', COMPONENT_ADD + pipeline('p', `  add(1, 2) { ${longId}: 1 }\n`), ext));
  out.push(hostile('100k-character number', COMPONENT_ADD + pipeline('p', `  add(${'9'.repeat(100_000)}, 1)\n`)));
  out.push(hostile('100k-character float', COMPONENT_ADD + pipeline('p', `  add(1.${'9'.repeat(100_000)}, 1)\n`), ext));

  // --- many errors
  out.push(hostile('10,000 syntax errors', COMPONENT_ADD + pipeline('p', '  add(1, 2) )\n'.repeat(10_000)), { mayHang: true }));
  out.push(hostile('10,000 top-level junk tokens', ') '.repeat(10_000)));
  out.push(hostile('10,000 unexpected characters', '$ '.repeat(10_000)));
  out.push(hostile('10,000 unterminated strings', '"\n'.repeat(10_000)));
  out.push(hostile('10,000 unknown components', pipeline('p', '  nope(1)\n'.repeat(10_000)), ext));
  out.push(hostile('10,000 type errors', COMPONENT_ADD + pipeline('p', '  add("a", "b")\n'.repeat(10_000)), ext));
  out.push(hostile('10,000 duplicate components', COMPONENT_ADD.repeat(10_000), ext));
  out.push(hostile('10,000 duplicate pipelines', pipeline('p', '').repeat(10_000), ext));
  out.push(hostile('10,000-task dependency cycle', COMPONENT_ADD + pipeline('p', Array.from({ length: 10_000 }, (_, i) => `  t${i} = add(1, t${(i + 1) % 10_000})\n`).join(''))));

  // --- pathological names
  const names: [string, string][] = [
    ['500-character pipeline name', 'p'.repeat(500)],
    ['500-character pipeline name with spaces', 'long name '.repeat(50)],
    ['pipeline name ../', '../'],
    ['pipeline name ../../etc/passwd', '../../etc/passwd'],
    ['pipeline name /', '/'],
    ['pipeline name /abs/path', '/abs/path'],
    ['pipeline name \\', '\\'],
    ['pipeline name ..\\..\\x', '..\\..\\x'],
    ['pipeline name .', '.'],
    ['pipeline name ..', '..'],
    ['pipeline name with NUL', 'a\0b'],
    ['pipeline name NUL only', '\0'],
    ['pipeline name Korean', '한글 파이프라인'],
    ['pipeline name emoji', '😀 pipeline 🚀'],
    ['pipeline name lone surrogate', '\ud800x'],
    ['pipeline name empty', ''],
    ['pipeline name spaces', '   '],
    ['pipeline name components/x', 'components/x'],
    ['pipeline name -', '-'],
    ['pipeline name CON', 'CON'],
    ['pipeline name with a newline', 'a\nb'],
    ['pipeline name YAML-ish', 'a: b # c'],
    ['pipeline name template', '{{workflow.name}}'],
  ];
  for (const [what, name] of names) out.push(hostile(what, COMPONENT_ADD + pipeline(name, '  add(1, 2)\n')));
  // raw characters inside the quoted name, not escapes
  out.push(hostile('pipeline name with a raw NUL', COMPONENT_ADD + `pipeline "a\0b" () {\n  add(1, 2)\n}\n`));
  out.push(hostile('pipeline name with a raw lone surrogate', COMPONENT_ADD + `pipeline "\udc00" () {\n  add(1, 2)\n}\n`));
  out.push(hostile('two pipelines with the same file name', COMPONENT_ADD + pipeline('a b', '  add(1, 2)\n') + pipeline('A-B', '  add(1, 2)\n')));
  out.push(hostile('component named like the components directory', CONTAINER('components') + pipeline('components/x', '  components()\n')));
  out.push(hostile('SourceFile path with ../ and NUL', COMPONENT_ADD + pipeline('p', '  add(1, 2)\n'), { path: '../\0/한글 😀.kfp' }));
  out.push(hostile('import of a directory', 'import "." as x\n' + pipeline('p', '  x()\n')));
  out.push(hostile('import of an empty path', 'import "" as x\n' + pipeline('p', '  x()\n')));
  out.push(hostile('import with NUL in the path', 'import "a\\u0000b" as x\n' + pipeline('p', '  x()\n')));
  out.push(hostile('import of a .kfp file as YAML', 'import "../examples/add.kfp" as x\n' + pipeline('p', '  x()\n')));
  // Outside the project root, and special files: refused before they are opened (a FIFO would
  // block forever, /dev/zero never end); a FIFO needs a file on disk: test/import-safety.test.ts.
  out.push(hostile('import of /dev/zero', 'import "/dev/zero" as x\n' + pipeline('p', '  x()\n')));
  out.push(hostile('import of /proc/self/environ', 'import "/proc/self/environ" as x\n' + pipeline('p', '  x()\n')));
  out.push(hostile('import of ../../../../etc/shadow', 'import "../../../../../../../../etc/shadow" as x\n' + pipeline('p', '  x()\n')));

  // --- wide components
  {
    const params = Array.from({ length: 1_000 }, (_, i) => `in_${i}: int`).join(', ');
    const outs = Array.from({ length: 1_000 }, (_, i) => `out_${i}: int`).join(', ');
    const args = Array.from({ length: 1_000 }, (_, i) => `${i}`).join(', ');
    out.push(hostile('component with 1,000 inputs', `component wide(${params}) -> int {\n  \`\`\`python\n  return 1\n  \`\`\`\n}\n` + pipeline('p', `  wide(${args})\n`)));
    out.push(hostile('container component with 1,000 inputs', `component wide(${params}) {\n  image: "a:1"\n  command: ["x", ${Array.from({ length: 1_000 }, (_, i) => `in_${i}`).join(', ')}]\n}\n` + pipeline('p', `  wide(${args})\n`)));
    out.push(hostile('component with 1,000 outputs', `component wide() -> (${outs}) {\n  image: "a:1"\n  command: ["x"]\n}\n` + pipeline('p', `  w = wide()\n`), ext));
    out.push(hostile('component with 1,000 inputs, none given', `component wide(${params}) -> int {\n  \`\`\`python\n  return 1\n  \`\`\`\n}\n` + pipeline('p', `  wide()\n`)));
    out.push(hostile('1,000 components', Array.from({ length: 1_000 }, (_, i) => CONTAINER(`c${i}`)).join('') + pipeline('p', Array.from({ length: 1_000 }, (_, i) => `  c${i}()\n`).join('')), ext));
    out.push(hostile('1,000 pipelines', COMPONENT_ADD + Array.from({ length: 1_000 }, (_, i) => pipeline(`p${i}`, '  add(1, 2)\n')).join(''), ext));
  }

  // --- small programs the mutation fuzzer found crashing (kept as fixed regressions)
  out.push(hostile('pipeline with no tasks', pipeline('p', '')));
  out.push(hostile('pipeline with only a description', pipeline('p', '  """nothing to do"""\n')));
  out.push(hostile('toleration with an unknown operator', CONTAINER('c') + pipeline('p', '  c() { tolerations: [{ key: "k", operator: "/" }] }\n')));
  out.push(hostile('toleration with an unknown effect', CONTAINER('c') + pipeline('p', '  c() { tolerations: [{ key: "k", operator: "Exists", effect: "Sometimes" }] }\n')));
  out.push(hostile('image pull secret that is not a Kubernetes name', CONTAINER('c') + pipeline('p', '  image_pull_secrets: ["Reg Cred"]\n  c()\n')));
  out.push(hostile('python component with a single file output', 'component c() -> file {\n  ```python\n  pass\n  ```\n}\n' + pipeline('p', '  c()\n')));
  out.push(hostile('loop over [-0]', CONTAINER('c', 'a: int') + pipeline('p', '  for x in [-0] {\n    c(x)\n  }\n')));
  out.push(hostile('retry: -0 with a retry policy', CONTAINER('c') + pipeline('p', '  c() {\n    retry: -0\n    retry_policy: "OnFailure"\n  }\n')));
  out.push(hostile('component with an upper-case name', CONTAINER('Class') + pipeline('p', '  Class()\n')));
  out.push(hostile('components Add and add', CONTAINER('Add') + CONTAINER('add') + pipeline('p', '  Add()\n  add()\n')));
  return out;
}

// ---------------------------------------------------------------------------------------
// Invariants

/** Output files stay inside the output directory and have plain names. */
export const OUTPUT_PATH = /^(components\/)?[a-z0-9_][-a-z0-9_.]*\.yaml$/;
const CODE = /^KFP\d{4}$/;

function checkSpan(what: string, file: SourceFile | undefined, sp: { start: number; end: number } | undefined, problems: string[]): void {
  if (!file) {
    problems.push(`${what} has no file`);
    return;
  }
  if (!sp) {
    problems.push(`${what} has no span`);
    return;
  }
  const len = file.text.length;
  if (!Number.isInteger(sp.start) || !Number.isInteger(sp.end) || !(0 <= sp.start && sp.start <= sp.end && sp.end <= len)) {
    problems.push(`${what} has span ${sp.start}..${sp.end} outside 0..${len}`);
  }
}

function describe(d: Diagnostic): string {
  const msg = typeof d.message === 'string' && d.message.length > 200 ? d.message.slice(0, 200) + '…' : d.message;
  return `${d.code} ${JSON.stringify(msg)}`;
}

/**
 * Work is bounded by the input, counted rather than timed: at most this many characters of
 * output per character of input (plus OUTPUT_BASE), and one diagnostic per character. The
 * largest ratios today: about 60 for a two-line pipeline (a Python component's program and
 * kfp's boilerplate), 40 for 1,000-input components; a quadratic expansion of 20,000 tasks
 * or a diagnostic repeated per pair of nodes goes far past either.
 */
export const OUTPUT_PER_INPUT_CHAR = 100;
export const OUTPUT_BASE = 64 * 1024;

/** Every invariant one compilation of `input` must keep; returns the broken ones (empty: all kept). */
export function checkResult(result: CompileResult, checkOnly: boolean, input: SourceFile): string[] {
  const problems: string[] = [];
  if (!result || !Array.isArray(result.diagnostics) || !Array.isArray(result.files)) return ['result is not {diagnostics, files}'];
  const size = input.text.length;
  if (result.diagnostics.length > size + 1) problems.push(`BLOW-UP: ${result.diagnostics.length} diagnostics for ${size} characters of input`);
  const written = result.files.reduce((n, f) => n + f.text.length, 0);
  if (written > OUTPUT_BASE + OUTPUT_PER_INPUT_CHAR * size) problems.push(`BLOW-UP: ${written} characters of output for ${size} of input (at most ${OUTPUT_PER_INPUT_CHAR} each + ${OUTPUT_BASE})`);
  for (const d of result.diagnostics) {
    const what = `diagnostic ${describe(d)}`;
    if (typeof d.code !== 'string' || !CODE.test(d.code)) problems.push(`${what} has a malformed code`);
    if (typeof d.message !== 'string' || d.message.length === 0) problems.push(`${what} has no message`);
    if (d.severity !== 'error' && d.severity !== 'warning') problems.push(`${what} has severity ${String(d.severity)}`);
    if (typeof d.code === 'string' && d.code.startsWith('KFP9')) {
      problems.push(`internal error: ${what}`);
      continue;
    }
    checkSpan(what, d.file, d.span, problems);
    for (const r of d.related ?? []) checkSpan(`${what} (related ${JSON.stringify(r.message)})`, r.file, r.span, problems);
  }
  const hasError = result.diagnostics.some((d) => d.severity === 'error');
  if (hasError && result.files.length > 0) problems.push(`${result.files.length} output files despite errors`);
  if (checkOnly && result.files.length > 0) problems.push('output files from a check-only compilation');
  if (!hasError && !checkOnly) {
    const seen = new Set<string>();
    for (const f of result.files) {
      if (!OUTPUT_PATH.test(f.path)) problems.push(`unsafe output path ${JSON.stringify(f.path.slice(0, 300))}`);
      if (seen.has(f.path)) problems.push(`two output files named ${JSON.stringify(f.path.slice(0, 300))}`);
      seen.add(f.path);
      // Non-ASCII text may be written raw (readable block scalars, comments: src/emit/scalar.ts); controls, DEL, C1, LS/PS and a BOM never.
      const bad = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/.exec(f.text);
      if (bad) problems.push(`raw control character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')} in ${f.path.slice(0, 300)} at ${bad.index}`);
    }
  }
  return problems;
}
