/**
 * The VS Code extension's tools, for the tests of editors/vscode: they are installed in
 * editors/vscode/node_modules (`npm ci --prefix editors/vscode`, which .ci/run does), apart
 * from the compiler's. `tokenizeKfp` runs the real TextMate engine of VS Code (vscode-textmate
 * with the Oniguruma regex library) on the extension's grammar, with a real Python grammar for
 * the code fences.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './cli.js';
import { requirement } from './requirements.js';

export const extensionDir = join(repoRoot, 'editors', 'vscode');
export const extensionModules = join(extensionDir, 'node_modules');
export const grammarPath = join(extensionDir, 'syntaxes', 'kfp.tmLanguage.json');
export const pythonGrammarPath = join(extensionModules, 'tm-grammars', 'grammars', 'python.json');

export const extensionTools = requirement(
  existsSync(join(extensionModules, 'vscode-tmgrammar-test')) && existsSync(join(extensionModules, '@vscode', 'vsce')),
  "the VS Code extension's tools are not installed (npm ci --prefix editors/vscode, as .ci/run does)",
);

/** A binary of editors/vscode/node_modules/.bin, run with node (no shell, no PATH). */
export function extensionBin(pkg: string, file: string): string {
  return join(extensionModules, pkg, file);
}

export interface Token {
  /** 0-based line and columns (UTF-16) on that line. */
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

interface Textmate {
  Registry: new (options: unknown) => { loadGrammar(scope: string): Promise<Grammar | null> };
  INITIAL: unknown;
  parseRawGrammar(text: string, path: string): unknown;
}
interface Grammar {
  tokenizeLine(line: string, state: unknown): { tokens: { startIndex: number; endIndex: number; scopes: string[] }[]; ruleStack: unknown };
}
interface Oniguruma {
  loadWASM(data: ArrayBuffer): Promise<void>;
  OnigScanner: new (patterns: string[]) => unknown;
  OnigString: new (text: string) => unknown;
}

let grammar: Promise<Grammar> | undefined;
let initial: unknown;

function loadGrammar(): Promise<Grammar> {
  grammar ??= (async () => {
    const require = createRequire(join(extensionModules, 'index.js'));
    const tm = require('vscode-textmate') as Textmate;
    const onig = require('vscode-oniguruma') as Oniguruma;
    const wasm = readFileSync(join(extensionModules, 'vscode-oniguruma', 'release', 'onig.wasm'));
    await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const files: Record<string, string> = { 'source.kfp': grammarPath, 'source.python': pythonGrammarPath };
    const registry = new tm.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new onig.OnigScanner(p), createOnigString: (s: string) => new onig.OnigString(s) }),
      loadGrammar: async (scope: string) => (files[scope] ? tm.parseRawGrammar(readFileSync(files[scope], 'utf8'), files[scope]) : null),
    });
    const g = await registry.loadGrammar('source.kfp');
    if (!g) throw new Error(`could not load ${grammarPath}`);
    initial = tm.INITIAL;
    return g;
  })();
  return grammar;
}

/** Every token of `text`, as VS Code would colour it (lines split as VS Code splits them). */
export async function tokenizeKfp(text: string): Promise<Token[]> {
  const g = await loadGrammar();
  let state = initial;
  const out: Token[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const r = g.tokenizeLine(line, state);
    for (const t of r.tokens) out.push({ line: i, start: t.startIndex, end: t.endIndex, text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    state = r.ruleStack;
  });
  return out;
}
