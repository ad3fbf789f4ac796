/**
 * The VS Code extension's TextMate grammar (editors/vscode/syntaxes/kfp.tmLanguage.json):
 * - it is what scripts/gen-tmgrammar.mjs makes from the lexer's tokens, the type names and the
 *   run placeholders (one definition of each);
 * - the scope assertions of editors/vscode/test/grammar/*.kfp hold under vscode-tmgrammar-test,
 *   and those files are real .kfp (they check clean, but for invalid.kfp);
 * - every example tokenizes with no invalid scope, and its scopes are the snapshot in
 *   editors/vscode/test/snapshots/ (made by vscode-tmgrammar-snap; after a change to an example or the
 *   grammar, `npx vitest run test/vscode-grammar.test.ts -u` renews them: review the diff);
 * - it agrees with the real lexer on every .kfp of the repository and the README's programs:
 *   each token the lexer makes gets the scope of its kind, and what the lexer rejects is invalid.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Lexer, type IToken, type TokenType } from 'chevrotain';
import { afterAll, describe, expect, it } from 'vitest';
import * as T from '../grammar/tokens.js';
import { SourceFile } from '../src/source.js';
import { parseSource } from '../src/syntax/parse.js';
import { HANG_CAP_MS } from './support/caps.js';
import { repoRoot, runCli } from './support/cli.js';
import { fencesOf } from './support/markdown.js';
import { extensionBin, extensionDir, extensionTools, pythonGrammarPath, tokenizeKfp, type Token } from './support/textmate.js';

type Generator = {
  generateTmGrammar(root?: string): Promise<string>;
  tmGrammar(lexicon: unknown): unknown;
  loadLexicon(root?: string): Promise<{ keywords: { name: string; word: string }[] }>;
  KEYWORD_SCOPES: Record<string, string>;
  GRAMMAR: string;
};
const generator = (): Promise<Generator> => import(pathToFileURL(join(repoRoot, 'scripts', 'gen-tmgrammar.mjs')).href) as Promise<Generator>;

const testCases = join(extensionDir, 'test', 'grammar');
const snapshots = join(extensionDir, 'test', 'snapshots');
const examples = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.kfp')).sort();

const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-tmgrammar-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function kfpFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return kfpFiles(path);
      return name.endsWith('.kfp') ? [path] : [];
    })
    .sort();
}

/** Runs a vscode-tmgrammar-test binary (the unit runner or the snapshot one) with the extension's manifest and a Python grammar. */
function tmgrammar(bin: 'unit.js' | 'snapshot.js', args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [extensionBin('vscode-tmgrammar-test', `dist/${bin}`), '--config', join(extensionDir, 'package.json'), '-g', pythonGrammarPath, ...args], {
    encoding: 'utf8',
    timeout: HANG_CAP_MS,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

describe('the grammar is generated', () => {
  it('is what scripts/gen-tmgrammar.mjs makes from the lexer, the types and the placeholders (else: npm run generate)', async () => {
    const gen = await generator();
    const text = await gen.generateTmGrammar(repoRoot);
    expect(readFileSync(join(repoRoot, gen.GRAMMAR), 'utf8') === text, `${gen.GRAMMAR} is stale: run npm run generate`).toBe(true);
  });

  it('refuses a keyword the lexer has and the generator gives no scope', async () => {
    const gen = await generator();
    const lexicon = await gen.loadLexicon(repoRoot);
    expect(() => gen.tmGrammar({ ...lexicon, keywords: [...lexicon.keywords, { name: 'While', word: 'while' }] })).toThrow(/no scope for the keyword token\(s\) While/);
    expect(lexicon.keywords.map((k) => k.word)).toEqual(T.keywords.map((k) => (k.PATTERN as RegExp).source));
  });
});

describe('the language configuration', () => {
  const config = JSON.parse(readFileSync(join(extensionDir, 'language-configuration.json'), 'utf8')) as {
    comments: { lineComment: string };
    brackets: [string, string][];
    autoClosingPairs: { open: string; close: string }[];
    wordPattern: string;
    folding: { markers: { start: string; end: string } };
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  };

  it("comments with the lexer's comment character, pairs the lexer's brackets, closes quotes, descriptions and fences", () => {
    expect(T.Comment.PATTERN).toBeInstanceOf(RegExp);
    expect((T.Comment.PATTERN as RegExp).source.startsWith(config.comments.lineComment)).toBe(true);
    const images = (pairs: [TokenType, TokenType][]) => pairs.map(([a, b]) => [(a.PATTERN as RegExp).source.replace(/\\/g, ''), (b.PATTERN as RegExp).source.replace(/\\/g, '')]);
    expect(config.brackets).toEqual(images([[T.LBrace, T.RBrace], [T.LBracket, T.RBracket], [T.LParen, T.RParen]]));
    const closes = Object.fromEntries(config.autoClosingPairs.map((p) => [p.open, p.close]));
    expect(closes).toMatchObject({ '{': '}', '[': ']', '(': ')', '"': '"', '"""': '"""', '```': '```' });
  });

  it('has regular expressions that compile and mean what they say', () => {
    const word = new RegExp(`^(?:${config.wordPattern})$`);
    for (const w of ['train_model', 'x1', '42', '-3', '1.5e-3']) expect(word.test(w), w).toBe(true);
    expect(new RegExp(config.folding.markers.start).test('  # region settings')).toBe(true);
    expect(new RegExp(config.folding.markers.end).test('  # endregion')).toBe(true);
    expect(new RegExp(config.indentationRules.increaseIndentPattern).test('pipeline "p" () {  # a comment')).toBe(true);
    expect(new RegExp(config.indentationRules.decreaseIndentPattern).test('  }')).toBe(true);
  });
});

describe.skipIf(extensionTools.missing)(extensionTools.title('vscode-tmgrammar-test'), () => {
  const cases = readdirSync(testCases).filter((f) => f.endsWith('.kfp')).sort();

  it('holds every scope assertion of editors/vscode/test/grammar/*.kfp', () => {
    const r = tmgrammar('unit.js', ['--compact', join(testCases, '*.kfp')]);
    expect(r.status, r.out).toBe(0);
    for (const c of cases) expect(r.out).toContain(c);
  });

  it('fails on an assertion the grammar does not meet (the runner can fail)', () => {
    const dir = join(scratch, 'wrong');
    cpSync(testCases, dir, { recursive: true });
    const path = join(dir, 'pipeline.kfp');
    writeFileSync(path, readFileSync(path, 'utf8').replace('keyword.control.conditional.elif.kfp', 'keyword.control.conditional.if.kfp'));
    const r = tmgrammar('unit.js', ['--compact', path]);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/missing required scopes: \[ keyword\.control\.conditional\.if\.kfp \]/i);
  });

  it('tests real .kfp: every case but invalid.kfp checks without a diagnostic, and invalid.kfp has only the errors it shows', () => {
    const valid = cases.filter((c) => c !== 'invalid.kfp').map((c) => join(testCases, c));
    const ok = runCli(['check', ...valid]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const bad = runCli(['check', '--format', 'json', join(testCases, 'invalid.kfp')]);
    expect(bad.status).toBe(1);
    const codes = new Set((JSON.parse(bad.stdout) as { code: string }[]).map((d) => d.code));
    // A character no token takes, a string left open, a bad escape, a brace too many, a fence that is not Python, a component left open.
    for (const code of ['KFP1001', 'KFP1002', 'KFP1104', 'KFP1101', 'KFP4050', 'KFP6001']) expect(codes, code).toContain(code);
  });
});

describe.skipIf(extensionTools.missing)(extensionTools.title('the examples'), () => {
  it.each(examples)('%s tokenizes with no invalid scope, as in its snapshot (vscode-tmgrammar-snap)', async (name) => {
    const dir = mkdtempSync(join(scratch, 'snap-'));
    cpSync(join(repoRoot, 'examples', name), join(dir, name));
    const r = tmgrammar('snapshot.js', ['-s', 'source.kfp', '-u', join(dir, name)]);
    expect(r.status, r.out).toBe(0);
    const snap = readFileSync(join(dir, `${name}.snap`), 'utf8');
    expect(snap).not.toMatch(/invalid\./);
    expect(snap).toContain('source.python');
    await expect(snap).toMatchFileSnapshot(join(snapshots, `${name}.snap`));
  });
});

/** The real lexer, as src/syntax/parse.ts builds it. */
const lexer = new Lexer(T.allTokens, { positionTracking: 'full', ensureOptimizations: false, skipValidations: true });

/** Where each offset of `text` is, as a line and a column on it (lines split as tokenizeKfp splits them). */
function positions(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (const m of text.matchAll(/\r\n|\r|\n/g)) starts.push(m.index + m[0].length);
  return (offset) => {
    let line = starts.length - 1;
    while (starts[line]! > offset) line--;
    return { line, column: offset - starts[line]! };
  };
}

/** What scope a token of each kind must have. */
function expectedScope(token: IToken, keywordScopes: Record<string, string>, syntaxErrors: boolean): RegExp {
  const name = token.tokenType.name;
  if (keywordScopes[name]) return new RegExp(`^${keywordScopes[name].replace(/\./g, '\\.')}$`);
  switch (name) {
    case 'Comment':
      return /^comment\.line\.number-sign\.kfp$/;
    case 'StringLiteral':
      return /^string\.quoted\.double\.kfp$/;
    case 'TripleString':
      return /^string\.quoted\.(triple|docstring)\.kfp$/;
    case 'Fence':
      return /^punctuation\.definition\.fence\.begin\.kfp$/;
    case 'IntLiteral':
      return /^constant\.numeric\.integer\.kfp$/;
    case 'FloatLiteral':
      return /^constant\.numeric\.float\.kfp$/;
    case 'UnterminatedString':
      return /^invalid\.illegal\.unterminated-string\.kfp$/;
    case 'Identifier':
      // A name: what it names, or `parallelism` in a loop.
      return token.image === 'parallelism'
        ? /^(keyword\.control\.loop\.parallelism\.kfp|variable\..*|support\.type\..*|entity\.name\..*)$/
        : /^(variable\.(parameter|other|language)\..*|support\.type\.(primitive|property-name\.(setting|key))\.kfp|entity\.name\.(function|namespace|type|variable)\..*)$/;
    default:
      // Punctuation and operators; in a file the parser rejects, a closing bracket with nothing open may be marked.
      return syntaxErrors ? /^((punctuation|keyword\.operator)\..*|invalid\.illegal\.unmatched-bracket)\.kfp$/ : /^(punctuation|keyword\.operator)\..*\.kfp$/;
  }
}

interface Source {
  readonly name: string;
  readonly text: string;
}

function corpus(): Source[] {
  const files = [...kfpFiles(join(repoRoot, 'examples')), ...kfpFiles(join(repoRoot, 'test', 'fixtures')), ...kfpFiles(testCases)];
  const readme = fencesOf(readFileSync(join(repoRoot, 'README.md'), 'utf8'))
    .filter((f) => f.info === 'kfp' || f.info === 'kfp fragment')
    .map((f) => ({ name: `README.md:${f.line}`, text: `${f.text}\n` }));
  return [...files.map((p) => ({ name: relative(repoRoot, p), text: readFileSync(p, 'utf8') })), ...readme];
}

/** The scopes of the grammar's token at `offset`. */
function scopesAt(tokens: readonly Token[], where: { line: number; column: number }): readonly string[] {
  const t = tokens.find((x) => x.line === where.line && x.start <= where.column && where.column < x.end);
  return t?.scopes ?? [];
}

describe.skipIf(extensionTools.missing)(extensionTools.title('the grammar and the lexer agree'), () => {
  const sources = corpus();

  it('on the kind of every token of every .kfp in the repository and every program in README.md', async () => {
    const { KEYWORD_SCOPES } = await generator();
    const disagreements: string[] = [];
    let checked = 0;
    for (const source of sources) {
      const lexed = lexer.tokenize(source.text);
      const tokens = await tokenizeKfp(source.text);
      const at = positions(source.text);
      // Only Python fences, and no syntax error (which the grammar marks where it can: a stray bracket, a bad escape).
      const syntaxErrors = parseSource(new SourceFile(source.name, source.text)).diagnostics.some((d) => d.code.startsWith('KFP1'));
      const clean = !syntaxErrors && !lexed.tokens.some((t) => t.tokenType === T.Fence && !/^```(python)?[ \t]*[\r\n]/.test(t.image));
      for (const token of [...lexed.tokens, ...(lexed.groups['comments'] ?? [])]) {
        if (token.tokenType.name.startsWith('Unterminated') && token.tokenType !== T.UnterminatedString) continue;
        const where = at(token.startOffset);
        const scopes = scopesAt(tokens, where);
        const want = expectedScope(token, KEYWORD_SCOPES, syntaxErrors);
        checked++;
        if (!scopes.some((s) => want.test(s))) {
          disagreements.push(`${source.name}:${where.line + 1}:${where.column + 1} ${token.tokenType.name} ${JSON.stringify(token.image.slice(0, 30))}: ${scopes.join(' ')}`);
        }
      }
      // Where the lexer takes everything, the grammar marks nothing invalid.
      if (clean) {
        for (const t of tokens) if (t.scopes.some((s) => s.startsWith('invalid.'))) disagreements.push(`${source.name}:${t.line + 1}:${t.start + 1} invalid ${JSON.stringify(t.text)}: ${t.scopes.join(' ')}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(checked).toBeGreaterThan(5_000);
    expect(sources.length).toBeGreaterThan(100);
  });

  it('on what the lexer rejects: every unexpected character and every string with an escape JSON has not', async () => {
    let rejected = 0;
    const misses: string[] = [];
    for (const source of sources) {
      const lexed = lexer.tokenize(source.text);
      if (lexed.errors.length === 0 && !lexed.tokens.some((t) => t.tokenType === T.StringLiteral && !isJsonString(t.image))) continue;
      const tokens = await tokenizeKfp(source.text);
      const at = positions(source.text);
      for (const e of lexed.errors) {
        rejected++;
        const where = at(e.offset);
        if (!scopesAt(tokens, where).some((s) => s.startsWith('invalid.illegal.'))) misses.push(`${source.name}:${where.line + 1}:${where.column + 1} ${JSON.stringify(source.text.slice(e.offset, e.offset + e.length))}`);
      }
      for (const t of lexed.tokens.filter((x) => x.tokenType === T.StringLiteral && !isJsonString(x.image))) {
        rejected++;
        const where = at(t.startOffset);
        const inside = tokens.filter((x) => x.line === where.line && x.start >= where.column && x.end <= where.column + t.image.length);
        if (!inside.some((x) => x.scopes.includes('invalid.illegal.escape.kfp'))) misses.push(`${source.name}:${where.line + 1}:${where.column + 1} ${t.image}`);
      }
    }
    expect(misses).toEqual([]);
    expect(rejected).toBeGreaterThanOrEqual(5);
  });
});

function isJsonString(image: string): boolean {
  try {
    JSON.parse(image);
    return true;
  } catch {
    return false;
  }
}

it('names its snapshots after the examples (no stale snapshot is kept)', () => {
  const snaps = readdirSync(snapshots).filter((f) => f.endsWith('.snap')).map((f) => basename(f, '.snap'));
  expect(snaps.sort(), 'an example was added or removed: npx vitest run test/vscode-grammar.test.ts -u (and delete the snapshot of a removed one)').toEqual(examples);
});
