/**
 * src/syntax/lexer.ts is a hand-written scan that must give exactly what Chevrotain's lexer gives
 * for the token definitions of grammar/tokens.ts (the specification the parser is built from):
 * the same tokens (type, image, offsets), the same comments and the same error runs. Compared on
 * every example and fixture, on seeded mutations of them, on hostile cases, and on random texts
 * drawn from the characters where the definitions meet (quotes, backslashes, digits, signs,
 * exponents, dots, backquotes, every line break and space the language knows, and characters it
 * does not).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Lexer, type IToken } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import * as T from '../grammar/tokens.js';
import { tokenize } from '../src/syntax/lexer.js';
import { caseSeed, hostileCases, loadSeeds, mulberry32, mutationCases } from './support/fuzz-cases.js';

const root = join(import.meta.dirname, '..');
const chevrotain = new Lexer(T.allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: true });

const shape = (t: IToken) => [t.tokenType.name, t.tokenTypeIdx, t.image, t.startOffset, t.endOffset];
/** Chevrotain's offset-only tokens have no end offset: it follows from the image. */
const theirShape = (t: IToken) => [t.tokenType.name, t.tokenTypeIdx, t.image, t.startOffset, t.startOffset + t.image.length - 1];

function agree(text: string): void {
  const ours = tokenize(text);
  const theirs = chevrotain.tokenize(text);
  expect(ours.tokens.map(shape)).toEqual(theirs.tokens.map(theirShape));
  expect(ours.comments.map(shape)).toEqual(((theirs.groups['comments'] as IToken[] | undefined) ?? []).map(theirShape));
  expect(ours.errors).toEqual(theirs.errors.map((e) => ({ offset: e.offset, length: e.length })));
}

function kfpFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return kfpFiles(path);
    return name.endsWith('.kfp') ? [path] : [];
  });
}

/** Characters at the borders of the token definitions, each a few times more likely than the rest. */
const ALPHABET = [
  ...'"""\\\\\\``````---..==!!<<>>(){}[],:;#### \t\t\n\n\r\r\f\v',
  '\u00a0', '\ufeff', '\u2028', '\u2029', '\u0085', '\u00e9', '\ud83d', '\u{1F600}', '$', "'", '@', '+', '+', '*',
  ...'0123456789eeEE.._aZ',
  'in', 'int', 'import', 'as', 'after', 'if', 'elif', 'else', 'for', 'finally', 'and', 'or', 'not', 'true', 'false', 'null', 'component', 'pipeline',
  '```python\n', '\n```\n', '"""', '1.5', '-1', '1e5', '1e+', '2E-3', '->', '..',
];

function randomText(seed: number, length: number): string {
  const random = mulberry32(seed);
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return text;
}

describe('the hand-written lexer agrees with Chevrotain on grammar/tokens.ts', () => {
  it('on every example and fixture', () => {
    const files = [...kfpFiles(join(root, 'examples')), ...kfpFiles(join(root, 'test/fixtures'))];
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) agree(readFileSync(file, 'utf8'));
  });

  it('on 600 seeded mutations of them and every hostile case', () => {
    const seeds = loadSeeds(root);
    for (const c of mutationCases(seeds, 17, 600)) agree(c.text);
    for (const c of hostileCases()) if (c.tier === 'core' && !c.mayHang && c.text.length < 2_000_000) agree(c.text);
  });

  it('on 3,000 random texts from the characters where token definitions meet', () => {
    for (let i = 0; i < 3_000; i++) agree(randomText(caseSeed(2026, i), 1 + (i % 80)));
  });

  it('on every text of up to 5 characters from the alphabets of numbers, strings, fences and operators', () => {
    for (const alphabet of ['1.eE+-a', '"\\\n\rx`\u2028', '`\n p#\r', '-<>=!.a']) {
      let texts = [''];
      for (let n = 1; n <= 5; n++) {
        texts = texts.flatMap((t) => [...alphabet].map((c) => t + c));
        for (const t of texts) agree(t);
      }
    }
  });

  it('on every prefix of a text that uses every token', () => {
    const text = 'import "m.kfp" as m\n# c\ncomponent a(x: int = -1, y: float = 1.5e-3) -> str {\n  """doc"""\n  ```python\n  return "\\"x\\""\n  ```\n}\npipeline "p" () {\n  t = a(1) after b\n  if t.output == "a" and not (1 <= 2 or 3 >= 4) { for i in [1..3] { m.f(i) } } elif x != y {} else {} finally { }\n}\n';
    for (let n = 0; n <= text.length; n++) agree(text.slice(0, n));
  });
});
