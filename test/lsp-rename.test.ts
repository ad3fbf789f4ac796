/**
 * `kfpdsl lsp` across a project, spoken to over JSON-RPC as an editor does: references in
 * files that are not open (read from the disk, where an open buffer's unsaved text wins),
 * rename across modules (refused, with the reason, when it would clash), and a component's
 * Python fence (its syntax errors as diagnostics, hover and definition of the parameters it uses).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileUri, LspClient, type LspDiagnostic } from './support/lsp-client.js';

type Range = LspDiagnostic['range'];
type Edits = Record<string, { range: Range; newText: string }[]>;
const pos = (line: number, character: number) => ({ line, character });
const range = (line: number, start: number, end: number): Range => ({ start: pos(line, start), end: pos(line, end) });

const STEPS = `component prep(data: str, n: int = 1) -> (out: str) {
  \`\`\`python
  text = data.strip()
  print(str.upper(data), n, text.data if False else "")
  return text
  \`\`\`
}

component show(x: str) {
  image: "alpine:3.19"
  command: ["echo", x]
}
`;

// a.kfp: imports the module unqualified; b.kfp (never opened) with `as s`.
const A = `import "lib/steps.kfp"

pipeline "a" (n: int = 2) {
  t1 = prep("x", n: n)
  t2 = prep(t1.out)
  for v in ["a", "b"] {
    show(v)
  }
  show(t2.out)
}
`;
const B = `import "lib/steps.kfp" as s

pipeline "b" () {
  r = s.prep(data: "y")
  s.show(r.out)
}
`;

let dir = '';
let lsp: LspClient;
const uri = (name: string): string => fileUri(join(dir, name));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kfpdsl-lsp-project-'));
  writeFileSync(join(dir, 'kfpdsl.yaml'), '');
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'steps.kfp'), STEPS);
  writeFileSync(join(dir, 'a.kfp'), A);
  writeFileSync(join(dir, 'b.kfp'), B);
  lsp = await LspClient.start();
  lsp.open(uri('a.kfp'), A);
  expect(await lsp.diagnostics(uri('a.kfp'), 1)).toEqual([]);
});

afterAll(async () => {
  await lsp?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const request = <R>(method: string, name: string, at: { line: number; character: number }, extra: object = {}): Promise<R> =>
  lsp.request<R>(method, { textDocument: { uri: uri(name) }, position: at, ...extra });

describe('kfpdsl lsp across a project', () => {
  it('finds references in files that are not open, and reads an open buffer over its file', async () => {
    const refs = await request<{ uri: string; range: Range }[]>('textDocument/references', 'a.kfp', pos(3, 8), { context: { includeDeclaration: true } });
    expect(refs).toEqual([
      { uri: uri('a.kfp'), range: range(3, 7, 11) },
      { uri: uri('a.kfp'), range: range(4, 7, 11) },
      // b.kfp was never opened: read from the disk.
      { uri: uri('b.kfp'), range: range(3, 6, 12) },
      { uri: uri('lib/steps.kfp'), range: range(0, 10, 14) },
    ]);
    // Opened with unsaved text (a second call): the buffer wins over the disk.
    lsp.open(uri('b.kfp'), B.replace('  s.show(r.out)\n', '  s.show(r.out)\n  s.prep("z")\n'));
    const again = await request<{ uri: string; range: Range }[]>('textDocument/references', 'a.kfp', pos(3, 8), { context: { includeDeclaration: false } });
    expect(again.filter((r) => r.uri === uri('b.kfp')).map((r) => r.range)).toEqual([range(3, 6, 12), range(5, 2, 8)]);
    lsp.close(uri('b.kfp'));
    // Definition from a file that is not open: `s.prep` in b.kfp is only on disk, but the module resolves.
    const def = await request<{ uri: string; range: Range }>('textDocument/definition', 'a.kfp', pos(4, 8));
    expect(def).toEqual({ uri: uri('lib/steps.kfp'), range: range(0, 10, 14) });
  });

  it('renames a component across modules, the qualified call by its last part', async () => {
    const prepare = await request<{ range: Range; placeholder: string }>('textDocument/prepareRename', 'a.kfp', pos(3, 8));
    expect(prepare).toEqual({ range: range(3, 7, 11), placeholder: 'prep' });
    const edit = await request<{ changes: Edits }>('textDocument/rename', 'a.kfp', pos(3, 8), { newName: 'prepare' });
    expect(edit.changes).toEqual({
      [uri('a.kfp')]: [{ range: range(3, 7, 11), newText: 'prepare' }, { range: range(4, 7, 11), newText: 'prepare' }],
      [uri('b.kfp')]: [{ range: range(3, 8, 12), newText: 'prepare' }],
      [uri('lib/steps.kfp')]: [{ range: range(0, 10, 14), newText: 'prepare' }],
    });
  });

  it('renames a component parameter in its Python fence and named arguments, not attributes that look alike', async () => {
    const edit = await request<{ changes: Edits }>('textDocument/rename', 'a.kfp', pos(3, 17), { newName: 'count' });
    // `n: n`: the argument's name is the parameter; its value is the pipeline's `n`, untouched.
    expect(edit.changes[uri('a.kfp')]).toEqual([{ range: range(3, 17, 18), newText: 'count' }]);
    expect(edit.changes[uri('lib/steps.kfp')]).toEqual([
      { range: range(0, 26, 27), newText: 'count' },
      { range: range(3, 25, 26), newText: 'count' },
    ]);
    const data = await request<{ changes: Edits }>('textDocument/rename', 'b.kfp', pos(3, 14), { newName: 'raw' });
    // In the fence: `data.strip()` and `str.upper(data)` are the parameter; `text.data` is an attribute.
    expect(data.changes[uri('lib/steps.kfp')]).toEqual([
      { range: range(0, 15, 19), newText: 'raw' },
      { range: range(2, 9, 13), newText: 'raw' },
      { range: range(3, 18, 22), newText: 'raw' },
    ]);
    expect(data.changes[uri('b.kfp')]).toEqual([{ range: range(3, 13, 17), newText: 'raw' }]);
  });

  it('renames tasks, pipeline parameters and loop variables in their pipeline', async () => {
    const task = await request<{ changes: Edits }>('textDocument/rename', 'a.kfp', pos(3, 2), { newName: 'first' });
    expect(task.changes).toEqual({ [uri('a.kfp')]: [{ range: range(3, 2, 4), newText: 'first' }, { range: range(4, 12, 14), newText: 'first' }] });
    const loop = await request<{ changes: Edits }>('textDocument/rename', 'a.kfp', pos(6, 10), { newName: 'word' });
    expect(loop.changes).toEqual({ [uri('a.kfp')]: [{ range: range(5, 6, 7), newText: 'word' }, { range: range(6, 9, 10), newText: 'word' }] });
    const param = await request<{ changes: Edits }>('textDocument/rename', 'a.kfp', pos(2, 15), { newName: 'size' });
    expect(param.changes).toEqual({ [uri('a.kfp')]: [{ range: range(2, 14, 15), newText: 'size' }, { range: range(3, 20, 21), newText: 'size' }] });
  });

  it('refuses a rename that would clash, or that is not a name, with the reason', async () => {
    const refused = (name: string, at: { line: number; character: number }, newName: string) =>
      request('textDocument/rename', name, at, { newName });
    // A task named like another task.
    await expect(refused('a.kfp', pos(3, 2), 't2')).rejects.toThrow(/clash/);
    // A component named like another component of its module.
    await expect(refused('a.kfp', pos(3, 8), 'show')).rejects.toThrow(/clash/);
    // A loop variable named like the pipeline parameter: `n` would mean something else inside the loop.
    lsp.change(uri('a.kfp'), A.replace('    show(v)\n', '    prep(v, n: n)\n'), 2);
    expect(await lsp.diagnostics(uri('a.kfp'), 2)).toEqual([]);
    await expect(refused('a.kfp', pos(5, 6), 'n')).rejects.toThrow(/clash/);
    lsp.change(uri('a.kfp'), A, 3);
    await lsp.diagnostics(uri('a.kfp'), 3);
    await expect(refused('a.kfp', pos(3, 2), '2nd')).rejects.toThrow(/not a name/);
    // What cannot be renamed says so at prepareRename.
    lsp.change(uri('a.kfp'), A.replace('    show(v)\n', '    show(v) { retry: 2 }\n'), 4);
    await lsp.diagnostics(uri('a.kfp'), 4);
    await expect(request('textDocument/prepareRename', 'a.kfp', pos(6, 16))).rejects.toThrow(/setting cannot be renamed/);
    await expect(request('textDocument/prepareRename', 'a.kfp', pos(4, 15))).rejects.toThrow(/output/);
    expect(lsp.alive).toBe(true);
  });

  it('in a Python fence: syntax errors as diagnostics, hover and definition of a parameter', async () => {
    lsp.open(uri('lib/steps.kfp'), STEPS.replace('return text', 'return (text'));
    const ds = await lsp.diagnostics(uri('lib/steps.kfp'), 1);
    expect(ds.map((d) => d.code)).toEqual(['KFP6001']);
    expect(ds[0]!.range.start.line).toBe(4);
    lsp.change(uri('lib/steps.kfp'), STEPS, 2);
    expect(await lsp.diagnostics(uri('lib/steps.kfp'), 2)).toEqual([]);
    const hover = await request<{ contents: { value: string }; range: Range }>('textDocument/hover', 'lib/steps.kfp', pos(2, 11));
    expect(hover.contents.value).toBe('```kfp\n(parameter) data: str\n```');
    expect(hover.range).toEqual(range(2, 9, 13));
    // `text` is the code's own variable: nothing to say.
    expect(await request('textDocument/hover', 'lib/steps.kfp', pos(4, 10))).toBeNull();
    const def = await request<{ uri: string; range: Range }>('textDocument/definition', 'lib/steps.kfp', pos(3, 26));
    expect(def).toEqual({ uri: uri('lib/steps.kfp'), range: range(0, 26, 27) });
  });

  it('checks again only the changed buffer and the open buffers that import it', async () => {
    const lib = 'component one(x: int) -> int {\n  ```python\n  return x\n  ```\n}\n';
    const user = 'import "lib.kfp"\n\npipeline "u" () {\n  one(1)\n}\n';
    const other = 'component two(y: int) -> int {\n  ```python\n  return y\n  ```\n}\n';
    mkdirSync(join(dir, 'inc'));
    writeFileSync(join(dir, 'inc', 'lib.kfp'), lib);
    lsp.open(uri('inc/lib.kfp'), lib);
    lsp.open(uri('inc/user.kfp'), user);
    lsp.open(uri('inc/other.kfp'), other);
    // Each without errors: a fast pass, then the full one.
    for (const name of ['inc/lib.kfp', 'inc/user.kfp', 'inc/other.kfp']) {
      expect(await lsp.diagnostics(uri(name), 1)).toEqual([]);
      const firstAt = lsp.publishedSince(0).findIndex((p) => p.uri === uri(name));
      expect(await lsp.diagnostics(uri(name), 1, () => true, firstAt + 1)).toEqual([]);
    }
    // Every publication of those passes has arrived once this is answered (JSON-RPC keeps the order).
    await request('textDocument/documentSymbol', 'inc/other.kfp', pos(0, 0));
    const mark = lsp.mark();
    lsp.change(uri('inc/lib.kfp'), lib.replace('one(x: int)', 'one(x: str)'), 2);
    // The importer sees the change (a type error), through its fast pass and its full one.
    const broken = await lsp.diagnostics(uri('inc/user.kfp'), 1, (ds) => ds.length > 0, mark);
    expect(broken.map((d) => d.code)).toEqual(['KFP3001']);
    await lsp.diagnostics(uri('inc/lib.kfp'), 2, () => true, lsp.publishedSince(mark).findIndex((p) => p.uri === uri('inc/lib.kfp')) + mark + 1);
    await request('textDocument/documentSymbol', 'inc/other.kfp', pos(0, 0));
    // The buffer that imports nothing changed was not checked again: nothing published for it.
    expect(lsp.publishedSince(mark).filter((p) => p.uri === uri('inc/other.kfp'))).toEqual([]);
    expect(lsp.publishedSince(mark).filter((p) => p.uri === uri('inc/lib.kfp')).length).toBe(2);
  });
});
