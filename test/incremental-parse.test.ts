/**
 * The incremental reparse (src/syntax/incremental.ts) gives exactly what parseSource gives the
 * edited text: the AST, the diagnostics, the recovery and the tokens, positions included,
 * after chains of seeded random edits of every example and fixture (keystrokes that break the
 * file and ones that keep it valid, lines duplicated, deleted or commented out, edits undone).
 * And it does little work: a keystroke in one task of a 1,000-task pipeline relexes that
 * task's line, the trees before it are the same objects and the previous parse is left as it was.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../src/lsp/workspace.js';
import { MemoryHost } from '../src/project/memory-host.js';
import { SourceFile } from '../src/source.js';
import { reparse, reparseWork } from '../src/syntax/incremental.js';
import { parseSource, parseWork, type ParseResult } from '../src/syntax/parse.js';
import { mulberry32 } from './support/fuzz-cases.js';

function kfpFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return kfpFiles(p);
    return name.endsWith('.kfp') ? [p] : [];
  });
}

/** A parse as text: everything a caller can see, the SourceFile objects left out (their text is the input). */
function parseText(r: ParseResult): string {
  const tokens = r.tokens.map((t) => `${t.tokenType.name}@${t.startOffset}-${t.endOffset}`);
  const comments = r.comments.map((t) => `${t.startOffset}-${t.endOffset}`);
  const recovery = r.recovery && { regions: [...r.recovery.regions].sort((a, b) => a.start - b.start || a.end - b.end), names: [...r.recovery.names].sort(), gaveUp: r.recovery.gaveUp };
  return JSON.stringify({ document: r.document, diagnostics: r.diagnostics, recovery, tokens, comments }, (k, v: unknown) => (k === 'file' ? undefined : v), 1);
}


const CHARS = ['a', 'x', '_', '1', '0', ' ', '\n', '(', ')', '{', '}', ',', ':', '=', '.', '"', '#', '`', '-', '\t'];

/** One random edit of `text`. */
function edit(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  const lines = text.split('\n');
  const line = Math.floor(r() * lines.length);
  switch (Math.floor(r() * 9)) {
    case 0: // a keystroke
      return text.slice(0, at) + CHARS[Math.floor(r() * CHARS.length)]! + text.slice(at);
    case 1: // a deletion of one to three characters
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 3));
    case 2: // a name or number typed into: a letter or digit next to a letter or digit
    case 3: {
      const spots = [...text.matchAll(/[A-Za-z0-9_]/g)].map((m) => m.index);
      if (spots.length === 0) return text;
      const i = spots[Math.floor(r() * spots.length)]!;
      return text.slice(0, i) + (r() < 0.5 ? 'z' : '7') + text.slice(i);
    }
    case 4: // a line duplicated
      return [...lines.slice(0, line + 1), lines[line]!, ...lines.slice(line + 1)].join('\n');
    case 5: // a line deleted
      return [...lines.slice(0, line), ...lines.slice(line + 1)].join('\n');
    case 6: // a line commented out, or a comment or blank line added
      if (r() < 0.5) return [...lines.slice(0, line), `# ${lines[line]}`, ...lines.slice(line + 1)].join('\n');
      return [...lines.slice(0, line), r() < 0.5 ? '  # note' : '', ...lines.slice(line)].join('\n');
    case 7: // a character of a name or number deleted
    default: {
      const spots = [...text.matchAll(/[A-Za-z0-9_](?=[A-Za-z0-9_])/g)].map((m) => m.index);
      if (spots.length === 0) return text;
      const i = spots[Math.floor(r() * spots.length)]!;
      return text.slice(0, i) + text.slice(i + 1);
    }
  }
}

const root = new URL('..', import.meta.url).pathname;
const files = [...kfpFiles(join(root, 'examples')), ...kfpFiles(join(root, 'test/fixtures'))].sort();

describe('incremental reparse', () => {
  it('equals a full parse after seeded random edits of every example and fixture', () => {
    let edits = 0;
    const before = { ...reparseWork };
    for (const [n, path] of files.entries()) {
      const r = mulberry32(1000 + n);
      const original = readFileSync(path, 'utf8');
      let text = original;
      let previous = parseSource(new SourceFile(path, text));
      for (let i = 0; i < 12; i++) {
        // Every third edit goes back to the file as written: a broken file is mostly mended again.
        const next = i % 3 === 2 ? original : edit(text, r);
        const file = new SourceFile(path, next);
        const incremental = reparse(previous, file);
        const full = parseSource(file);
        expect(parseText(incremental), `${path}, edit ${i}`).toBe(parseText(full));
        previous = incremental;
        text = next;
        edits++;
      }
    }
    expect(edits).toBeGreaterThan(1000);
    // Most edits that keep the file valid take the short way (a broken file is parsed whole).
    expect(reparseWork.incremental - before.incremental).toBeGreaterThan(edits / 3);
  });

  it('equals a full parse after seeded random edits of a pipeline of nested blocks', () => {
    const lines = ['component add(a: int, b: int) -> int {', '  ```python', '  return a + b', '  ```', '}', '', 'pipeline "nested" (n: int = 1) {', '  t0 = add(n, 1)'];
    for (let i = 1; i < 40; i++) {
      if (i % 4 === 0) lines.push(`  for x${i} in [1, 2] parallelism 2 {`, `    if x${i} > ${i} {`, `      u${i} = add(x${i}, t${i - 1})`, '    } elif n == 2 {', `      add(n, ${i})`, '    } else {', `      add(x${i}, 3) { retries: 2 }`, '    }', '  }', `  t${i} = add(t${i - 1}, 2)`);
      else if (i % 7 === 0) lines.push('  finally {', `    add(n, ${i})  # cleanup`, '  }', `  t${i} = add(t${i - 1}, n)`);
      else lines.push(`  t${i} = add(t${i - 1}, ${i})`);
    }
    lines.push('}', '');
    const original = lines.join('\n');
    const path = '/tmp/kfpdsl-incremental/nested-random.kfp';
    const r = mulberry32(7);
    let text = original;
    let previous = parseSource(new SourceFile(path, text));
    const before = { ...reparseWork };
    for (let i = 0; i < 300; i++) {
      const next = i % 3 === 2 ? original : edit(text, r);
      const file = new SourceFile(path, next);
      const incremental = reparse(previous, file);
      expect(parseText(incremental), `edit ${i}`).toBe(parseText(parseSource(file)));
      previous = incremental;
      text = next;
    }
    expect(reparseWork.incremental - before.incremental).toBeGreaterThan(100);
  });

  it('a keystroke in a 1,000-task pipeline relexes one line, keeps the trees before it and leaves the previous parse alone', () => {
    const lines = ['component inc(n: int) -> int {', '  ```python', '  return n + 1', '  ```', '}', '', 'pipeline "big" (start: int = 0) {', '  t0 = inc(start)'];
    for (let i = 1; i < 1000; i++) lines.push(`  t${i} = inc(t${i - 1})`);
    lines.push('}', '');
    const text = lines.join('\n');
    const path = '/tmp/kfpdsl-incremental/big.kfp';
    const previous = parseSource(new SourceFile(path, text));
    const previousText = parseText(previous);
    const at = text.indexOf('t500 = inc(t499)') + 't500 = inc(t4'.length;
    const file = new SourceFile(path, text.slice(0, at) + '9' + text.slice(at));
    const before = { ...reparseWork };
    const next = reparse(previous, file);
    expect(reparseWork.incremental - before.incremental).toBe(1);
    expect(reparseWork.tokens - before.tokens).toBe(6);
    expect(parseText(next)).toBe(parseText(parseSource(file)));
    expect(parseText(previous)).toBe(previousText);
    expect(next.document.components[0]).toBe(previous.document.components[0]);
    expect(next.document.pipelines[0]!.body[499]).toBe(previous.document.pipelines[0]!.body[499]);
    expect(next.document.pipelines[0]!.body[501]).not.toBe(previous.document.pipelines[0]!.body[501]);

    // A keystroke that breaks the line, well inside it: straight to the recovering parser.
    const brokenFile = new SourceFile(path, text.slice(0, at) + '=' + text.slice(at));
    const work = { ...reparseWork };
    const fast = parseWork.fast;
    const broken = reparse(previous, brokenFile);
    expect(reparseWork.broken - work.broken).toBe(1);
    expect(reparseWork.tokens - work.tokens).toBe(8);
    expect(parseWork.fast).toBe(fast);
    expect(parseText(broken)).toBe(parseText(parseSource(brokenFile)));
  });

  it('lines that only the text after them can mend are not taken for broken', () => {
    const text = 'component a() -> int {\n  image: "alpine"\n  command: ["true"]\n}\n\npipeline "p" () {\n  s = a()\n  a()\n}\n';
    const path = '/tmp/kfpdsl-incremental/mend.kfp';
    const previous = parseSource(new SourceFile(path, text));
    // `t =` alone is no statement, but with the next line it is `t = a()`.
    const file = new SourceFile(path, text.replace('  s = a()\n', '  s = a()\n  t =\n'));
    const work = { ...reparseWork };
    const next = reparse(previous, file);
    expect(reparseWork.broken - work.broken).toBe(0);
    expect(next.diagnostics).toEqual([]);
    expect(parseText(next)).toBe(parseText(parseSource(file)));
  });

  it('an edit inside nested blocks relexes its line; one across a block header relexes the enclosing statement', () => {
    const text = [
      'component add(a: int, b: int) -> int {', '  ```python', '  return a + b', '  ```', '}', '',
      'pipeline "nested" (n: int = 1) {', '  for x in [1, 2, 3] {', '    if x > 1 {', '      s = add(x, n)', '      add(s, 2)', '    } else {', '      add(x, 3)', '    }', '  }', '  add(n, 4)', '}', '',
    ].join('\n');
    const path = '/tmp/kfpdsl-incremental/nested.kfp';
    const previous = parseSource(new SourceFile(path, text));
    const check = (next: string, tokens: number) => {
      const file = new SourceFile(path, next);
      const before = { ...reparseWork };
      const r = reparse(previous, file);
      expect(reparseWork.incremental - before.incremental).toBe(1);
      expect(reparseWork.tokens - before.tokens).toBe(tokens);
      expect(parseText(r)).toBe(parseText(parseSource(file)));
    };
    // `add(x, 3)` in the `else` block: its own 6 tokens.
    check(text.replace('add(x, 3)', 'add(x, 33)'), 6);
    // A statement added in the `if` block, on the line of `add(s, 2)`: both statements.
    check(text.replace('      add(s, 2)', '      add(s, 2)\n      add(s, 5)'), 12);
    // The condition of the `if`: the whole `if` statement (its header is not among statements).
    check(text.replace('x > 1', 'x > 10'), 29);
  });

  it("the language server's workspace reparses a buffer from its last clean parse: the keystroke that mends a line is cheap too", () => {
    const ws = new Workspace(new MemoryHost({}));
    const path = '/tmp/kfpdsl-incremental/ws.kfp';
    const text = 'component a() -> int {\n  image: "alpine"\n  command: ["true"]\n}\n\npipeline "p" () {\n  s = a()\n  a()\n  a()\n}\n';
    ws.setBuffer(path, text);
    ws.parse(path);
    ws.setBuffer(path, text.replace('  a()\n  a()', '  a()\n  a(=)'));
    expect(ws.parse(path)!.result.diagnostics.length).toBeGreaterThan(0);
    const work = { ...reparseWork };
    ws.setBuffer(path, text.replace('  a()\n  a()', '  a()\n  a(1)'));
    const mended = ws.parse(path)!;
    expect(reparseWork.incremental - work.incremental).toBe(1);
    expect(reparseWork.tokens - work.tokens).toBe(4);
    expect(parseText(mended.result)).toBe(parseText(parseSource(mended.file)));
  });

  it('a keystroke that breaks the file is parsed whole, with its syntax error', () => {
    const text = 'component a() {\n  image: "alpine"\n  command: ["true"]\n}\n\npipeline "p" () {\n  a()\n  a()\n}\n';
    const path = '/tmp/kfpdsl-incremental/small.kfp';
    const previous = parseSource(new SourceFile(path, text));
    const file = new SourceFile(path, text.replace('  a()\n  a()', '  a()\n  a(('));
    const before = { ...reparseWork };
    const next = reparse(previous, file);
    expect(reparseWork.full - before.full).toBe(1);
    expect(next.diagnostics.map((d) => d.code)).toContain('KFP1101');
    expect(parseText(next)).toBe(parseText(parseSource(file)));
  });
});
