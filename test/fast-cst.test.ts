/**
 * The fast descent (src/syntax/fast-cst.ts) builds a tree only where Chevrotain parses without
 * an error, and then exactly Chevrotain's CST; it gives up on every file Chevrotain finds an
 * error in: on every example and fixture, and on variants of each with a token deleted,
 * doubled or moved. Every example takes the fast path.
 * The AST parseSource builds from it, statement by statement, is the one built from
 * Chevrotain's whole tree. Also: a valid file never reaches Chevrotain, and the fast tree
 * grows linearly with the input.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CstElement, CstNode, IToken } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { KfpParser } from '../grammar/parser.js';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { cstToAst } from '../src/syntax/cst-to-ast.js';
import { fastCst } from '../src/syntax/fast-cst.js';
import { parseSource, parseWork } from '../src/syntax/parse.js';

function kfpFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return kfpFiles(p);
    return name.endsWith('.kfp') ? [p] : [];
  });
}

/** A CST as text: every node's name, location and children by key in order, tokens by type and offset. */
function shape(e: CstElement): unknown {
  if ('image' in e) return `${(e as IToken).tokenType.name}@${(e as IToken).startOffset}-${(e as IToken).endOffset}`;
  const n = e as CstNode;
  return {
    name: n.name,
    location: [n.location?.startOffset, n.location?.endOffset],
    recovered: n.recoveredNode ?? false,
    children: Object.entries(n.children).map(([k, v]) => [k, (v ?? []).map(shape)]),
  };
}

const parser = new KfpParser();

/** Chevrotain's tree (undefined when it reports an error) and the fast one, for the same tokens. */
function both(text: string): { lexed: boolean; chevrotain?: unknown; fast?: unknown; asts?: [string, string] } {
  const file = new SourceFile('/tmp/kfpdsl-fast/x.kfp', text);
  const parsed = parseSource(file);
  // Lexing errors and too-deep nesting never reach either parser.
  if (parsed.diagnostics.some((d) => d.code === 'KFP1001' || d.code === 'KFP1002' || d.code === 'KFP1003' || d.code === 'KFP1102')) return { lexed: false };
  parser.input = parsed.tokens;
  let cst: CstNode | undefined;
  try {
    cst = parser.program();
  } catch {
    cst = undefined;
  }
  const fast = fastCst(parsed.tokens);
  const valid = cst !== undefined && parser.errors.length === 0;
  // The AST that parseSource built in stages as the descent went, and the one built from Chevrotain's whole tree.
  const asts: [string, string] | undefined = valid ? [astText(parsed.document), astText(cstToAst(file, cst!).document)] : undefined;
  return { lexed: true, chevrotain: valid ? shape(cst!) : undefined, fast: fast ? shape(fast.cst) : undefined, ...(asts ? { asts } : {}) };
}

function astText(doc: unknown): string {
  return JSON.stringify(doc, (k, v: unknown) => (k === 'file' ? undefined : v));
}

/** The file's text with one token removed, doubled, or swapped with the next, at about 30 places each. */
function variants(text: string): string[] {
  const toks = parseSource(new SourceFile('/tmp/kfpdsl-fast/x.kfp', text)).tokens;
  const out: string[] = [];
  const step = Math.max(1, Math.floor(toks.length / 30));
  for (let i = 0; i < toks.length; i += step) {
    const t = toks[i]!;
    const a = t.startOffset;
    const b = t.endOffset! + 1;
    out.push(text.slice(0, a) + text.slice(b));
    out.push(text.slice(0, b) + ' ' + t.image + text.slice(b));
    const u = toks[i + 1];
    if (u) out.push(text.slice(0, a) + u.image + text.slice(b, u.startOffset) + t.image + text.slice(u.endOffset! + 1));
  }
  return out;
}

const files = [...kfpFiles('examples'), ...kfpFiles('test/fixtures')].sort();
/** Inputs on which both parsers built a tree, and those on which both found an error. */
const tally = { trees: 0, errors: 0 };

describe('the fast descent builds Chevrotain’s tree, or gives up where Chevrotain finds an error', () => {
  it('finds the inputs', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(files)('%s and its variants', (path) => {
    const text = readFileSync(path, 'utf8');
    for (const t of [text, ...variants(text)]) {
      const r = both(t);
      if (!r.lexed) continue;
      // What matters for correctness: a tree only where Chevrotain builds the same one. (Giving up
      // on a valid file only costs speed; the test below keeps every example on the fast path.)
      if (r.fast !== undefined || r.chevrotain === undefined) expect(r.fast, t).toEqual(r.chevrotain);
      if (r.asts && r.fast) expect(r.asts[0], t).toBe(r.asts[1]);
      if (r.fast) tally.trees++;
      else if (r.chevrotain === undefined) tally.errors++;
    }
  });

  it.each(kfpFiles('examples').sort())('%s takes the fast path', (path) => {
    const r = both(readFileSync(path, 'utf8'));
    expect(r.chevrotain, 'an example that does not parse').toBeDefined();
    expect(r.fast, 'grammar/parser.ts accepts a construct that src/syntax/fast-cst.ts does not know yet: add it there, the same way').toEqual(r.chevrotain);
  });

  it('compared many trees and many errors', () => {
    expect(tally.trees).toBeGreaterThan(500);
    expect(tally.errors).toBeGreaterThan(1_000);
  });

  it('every construct of the grammar, on one line and over several', () => {
    const text = [
      'import "lib/common.kfp"', 'import "x.kfp" as lib',
      'component a(x: int, y: str = "s", z: list = [1, 2.5, -3, true, false, null, {k: 1, "q": [],},],) -> (o: int, p: str,) {',
      '  """doc"""', '  ```python', '  return 1', '  ```', '  image: "i"', '  cpu: 1 .. 2', '}',
      'component b() -> int { image: "i" }',
      'pipeline "p" (n: int = 1, m: bool = not not true) {', '  """desc"""',
      '  t = a(1, y: "x", z: [n, n.x, (n)],)', '  u = lib.b() after t, t { retry: 2, cpu: "1" }', '  a(x: t.o == 1 and n < 2 or m != false, y: secret("a", "b"))',
      // Plain references as arguments (built without their CST: fast-cst.ts, argument), and the forms next to them that are not.
      '  a(n, y: n, z: t.o.p)', '  a(t.o, y: t, z: n.x,)', '  a(n == n, y: lib.b(n), z: (n))',
      '  if n >= 1 and not m { b() } elif n <= 2 { b() } elif n > 3 { b() } else { b() }',
      '  for i in [1, 2] parallelism 2 { a(i) }', '  for j in n { b() }', '  finally { b() }', '  ttl: "1d"', '}',
    ].join('\n');
    const r = both(text);
    expect(r.chevrotain).toBeDefined();
    expect(r.fast).toEqual(r.chevrotain);
    expect(r.asts![0]).toBe(r.asts![1]);
    const flat = both(text.replace(/\n/g, ' '));
    expect(flat.fast).toEqual(flat.chevrotain);
  });
});

describe('the fast descent does the work of a valid file, linearly', () => {
  const ECHO = 'component echo(text: str) {\n  image: "alpine:3.19"\n  command: ["echo", text]\n}\n';
  const call = (n: number): string => ECHO + 'pipeline "p" () {\n  echo(' + '"a", '.repeat(n) + '"a")\n}\n';

  it('a valid file never reaches Chevrotain; a broken one does', () => {
    const before = { ...parseWork };
    compileSource(new SourceFile('/tmp/kfpdsl-fast/ok.kfp', call(3)), { checkOnly: true });
    expect(parseWork.fast - before.fast).toBe(1);
    expect(parseWork.chevrotain - before.chevrotain).toBe(0);
    parseSource(new SourceFile('/tmp/kfpdsl-fast/bad.kfp', ECHO + 'pipeline "p" () { echo( }'));
    expect(parseWork.chevrotain - before.chevrotain).toBe(1);
  });

  it('100,000 arguments put 100 times the nodes and tokens of 1,000 in the tree', () => {
    const count = (n: number): number => {
      const before = parseWork.cstElements;
      parseSource(new SourceFile('/tmp/kfpdsl-fast/x.kfp', call(n)));
      return parseWork.cstElements - before;
    };
    const small = count(1_000);
    const big = count(100_000);
    // 4 per argument: the node arg and the settled node of its string (no expr, notExpr and
    // primary: a literal is built from its token), and the children arg and comma of the argument list.
    expect(big - small).toBe(99_000 * 4);
  });
});
