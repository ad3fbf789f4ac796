/**
 * Properties of `kfpdsl fmt` over every .kfp file of the repository (examples/ and
 * test/fixtures/, error fixtures included when they parse) and over variants of each made by
 * inserting a trailing comment, an own-line comment or a blank line between two tokens:
 *
 * - fmt never changes meaning: the compiled program (IR), the written files and the
 *   diagnostics' codes are those of the input. Only source positions may move with the lines
 *   (the IR's `origin` spans, the `.kfp` line a Python body is defined at), so those are
 *   masked on both sides;
 * - fmt is idempotent: fmt(fmt(x)) == fmt(x);
 * - every comment of the input is in the output, in the same order;
 * - a file with syntax errors is refused (no text) with those errors.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource, type CompileResult } from '../src/compile.js';
import { formatSource } from '../src/fmt/format.js';
import { SourceFile } from '../src/source.js';
import { parseSource } from '../src/syntax/parse.js';

const root = new URL('..', import.meta.url).pathname;

function kfpFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return kfpFiles(path);
      return name.endsWith('.kfp') ? [path] : [];
    })
    .sort();
}

const corpus = [...kfpFiles(join(root, 'examples')), ...kfpFiles(join(root, 'test/fixtures'))].map((p) => relative(root, p));

/** Keys of the IR that hold source positions, which move when fmt moves lines. */
const POSITION_KEYS = new Set(['origin', 'nameOrigin', 'parallelismOrigin', 'settingOrigins', 'bodyLine', 'span']);

/** What a compilation means, with the source positions masked. */
function meaning(result: CompileResult): unknown {
  return {
    diagnostics: result.diagnostics.map((d) => `${d.severity} ${d.code}`).sort(),
    program: result.program === undefined ? undefined : JSON.parse(JSON.stringify(result.program, (k, v: unknown) => (POSITION_KEYS.has(k) ? undefined : v))),
    files: result.files.map((f) => [
      f.path,
      f.text
        // The .kfp line a Python body is defined at (for tracebacks), and any `file.kfp:line` in a comment.
        .replace(/(_kfpdsl_define\((?:'[^']*'|"[^"]*"), )\d+/g, '$1N')
        .replace(/\.kfp:\d+(?::\d+)?/g, '.kfp:N'),
    ]),
  };
}

function commentsOf(path: string, text: string): string[] {
  return parseSource(new SourceFile(path, text)).comments.map((c) => c.image.trimEnd());
}

function isSyntaxError(code: string): boolean {
  return code.startsWith('KFP1');
}

/** The formatted text, checked for idempotence and kept comments; undefined when refused for syntax errors. */
function formatted(path: string, text: string): string | undefined {
  const result = formatSource(new SourceFile(path, text));
  if (result.text === undefined) {
    // The only acceptable refusal: syntax errors, reported as such (never an internal error).
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.map((d) => d.code).filter((c) => !isSyntaxError(c))).toEqual([]);
    return undefined;
  }
  const again = formatSource(new SourceFile(path, result.text));
  expect(again.text, `${path}: fmt(fmt(x)) == fmt(x)`).toBe(result.text);
  expect(commentsOf(path, result.text), `${path}: comments kept in order`).toEqual(commentsOf(path, text));
  return result.text;
}

/** Offsets just after a token (outside fences, strings and comments), evenly sampled; none after a ``` block. */
function gaps(path: string, text: string, count: number): number[] {
  const tokens = parseSource(new SourceFile(path, text)).tokens;
  const step = Math.max(1, Math.floor(tokens.length / count));
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i += step) {
    // A ``` block closes only on a line that holds nothing else.
    if (tokens[i]!.tokenType.name !== 'Fence') out.push(tokens[i]!.endOffset! + 1);
  }
  return out;
}

describe('fmt keeps the meaning of every file it formats', () => {
  for (const path of corpus) {
    it(path, () => {
      const text = readFileSync(join(root, path), 'utf8');
      const out = formatted(path, text);
      if (out === undefined) {
        // Refused: the same syntax errors that parsing reports.
        const syntax = parseSource(new SourceFile(path, text)).diagnostics.filter((d) => d.severity === 'error' && isSyntaxError(d.code));
        expect(syntax.length).toBeGreaterThan(0);
        return;
      }
      // Compiled from the same path so that imports resolve alike.
      expect(meaning(compileSource(new SourceFile(path, out)))).toEqual(meaning(compileSource(new SourceFile(path, text))));
    });
  }
});

describe('fmt with a comment or blank line between any two tokens', () => {
  const VARIANTS_PER_KIND = 8;
  for (const path of corpus) {
    it(path, () => {
      const text = readFileSync(join(root, path), 'utf8');
      if (formatted(path, text) === undefined) return;
      const shape = astShape(path, text);
      let n = 0;
      for (const at of gaps(path, text, VARIANTS_PER_KIND)) {
        for (const insert of [` # trailing ${n}\n`, `\n# own line ${n}\n`, '\n\n\n']) {
          const variant = text.slice(0, at) + insert + text.slice(at);
          const out = formatted(path, variant);
          expect(out, `${path} with ${JSON.stringify(insert)} at ${at}`).toBeDefined();
          expect(astShape(path, out!)).toBe(shape);
          n++;
        }
      }
    });
  }
});

/** The syntax tree without positions. */
function astShape(path: string, text: string): string {
  const doc = parseSource(new SourceFile(path, text)).document;
  return JSON.stringify(doc, (k, v: unknown) => (k === 'file' || k === 'span' || k.endsWith('Span') ? undefined : v));
}
