/**
 * `kfpdsl lsp`, spoken to as an editor does: the real binary over stdio, JSON-RPC through
 * vscode-jsonrpc. Files live in a temporary project on disk; some are open buffers whose
 * unsaved text must win over the disk (an import of a buffer that was never saved included).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileUri, LspClient, type LspDiagnostic } from './support/lsp-client.js';

const ADD = `component add(a: int, b: int) -> int {
  """Adds two integers."""
  \`\`\`python
  return a + b
  \`\`\`
}
`;

const LIB = `component train(data: str, epochs: int = 3) -> (model: str) {
  """Trains a model."""
  image: "python:3.12"
  \`\`\`python
  return data
  \`\`\`
}
`;

let dir = '';
let lsp: LspClient;
const uri = (name: string): string => fileUri(join(dir, name));
type Range = LspDiagnostic['range'];
const pos = (line: number, character: number) => ({ line, character });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kfpdsl-lsp-'));
  // A project root marker: imports may not leave it.
  writeFileSync(join(dir, 'kfpdsl.yaml'), '');
  mkdirSync(join(dir, 'lib'));
  // On disk, lib/ml.kfp has no `train`: only the unsaved buffer has it.
  writeFileSync(join(dir, 'lib', 'ml.kfp'), 'component other(x: int) {\n  image: "alpine:3.19"\n  command: ["echo", x]\n}\n');
  lsp = await LspClient.start();
});

afterAll(async () => {
  await lsp?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kfpdsl lsp', () => {
  it('publishes the diagnostics `check` gives on open, and none once the buffer is fixed', async () => {
    const broken = `${ADD}\npipeline "p" (x: int = 1) {\n  ad(x, 2)\n}\n`;
    lsp.open(uri('a.kfp'), broken);
    const first = await lsp.diagnostics(uri('a.kfp'), 1);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ code: 'KFP2001', source: 'kfpdsl', severity: 1 });
    expect(first[0]!.message).toBe('unknown component `ad`\nhint: did you mean `add`?');
    expect(first[0]!.range).toEqual<Range>({ start: pos(8, 2), end: pos(8, 4) });
    // The hint is a quick fix.
    const actions = await lsp.request<{ title: string; edit: { changes: Record<string, { range: Range; newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri: uri('a.kfp') },
      range: first[0]!.range,
      context: { diagnostics: first },
    });
    expect(actions.map((a) => a.title)).toEqual(['Change to add']);
    expect(actions[0]!.edit.changes[uri('a.kfp')]).toEqual([{ range: first[0]!.range, newText: 'add' }]);
    lsp.change(uri('a.kfp'), broken.replace('ad(x', 'add(x'), 2);
    expect(await lsp.diagnostics(uri('a.kfp'), 2)).toEqual([]);
  });

  it('gives related locations as relatedInformation', async () => {
    lsp.open(uri('dup.kfp'), `${ADD}${ADD}`);
    const [d] = await lsp.diagnostics(uri('dup.kfp'), 1, (ds) => ds.length > 0);
    expect(d!.code).toBe('KFP2006');
    expect(d!.range.start).toEqual(pos(6, 10));
    expect(d!.relatedInformation).toEqual([{ location: { uri: uri('dup.kfp'), range: { start: pos(0, 10), end: pos(0, 13) } }, message: 'first defined here' }]);
  });

  it('a buffer that imports another unsaved buffer sees its text, not the disk', async () => {
    const main = `import "lib/ml.kfp" as ml\n\npipeline "m" (d: str = "x") {\n  t = ml.train(d, epochs: 2)\n  ml.other(t.model)\n}\n`;
    lsp.open(uri('main.kfp'), main);
    // lib/ml.kfp on disk lacks `train`: until its buffer is open, the call is unknown.
    const before = await lsp.diagnostics(uri('main.kfp'), 1);
    expect(before.map((d) => d.code)).toContain('KFP2001');
    lsp.open(uri('lib/ml.kfp'), `${LIB}\ncomponent other(x: str) {\n  image: "alpine:3.19"\n  command: ["echo", x]\n}\n`);
    await lsp.diagnostics(uri('lib/ml.kfp'), 1);
    expect(await lsp.diagnostics(uri('main.kfp'), 1, (ds) => ds.length === 0)).toEqual([]);

    // Definition of `ml.train` lands in the buffer's component, across modules.
    const def = await lsp.request<{ uri: string; range: Range }>('textDocument/definition', { textDocument: { uri: uri('main.kfp') }, position: pos(3, 9) });
    expect(def).toEqual({ uri: uri('lib/ml.kfp'), range: { start: pos(0, 10), end: pos(0, 15) } });
    // Hover: signature, docstring and image of the imported component.
    const hover = await lsp.request<{ contents: { value: string }; range: Range }>('textDocument/hover', { textDocument: { uri: uri('main.kfp') }, position: pos(3, 9) });
    expect(hover.contents.value).toContain('component train(data: str, epochs: int = 3) -> (model: str)');
    expect(hover.contents.value).toContain('Trains a model.');
    expect(hover.contents.value).toContain('image: `python:3.12`');
    expect(hover.range).toEqual({ start: pos(3, 6), end: pos(3, 14) });
    // `t.model`: the binding goes to the task, the output to the component's output.
    const binding = await lsp.request<{ uri: string; range: Range }>('textDocument/definition', { textDocument: { uri: uri('main.kfp') }, position: pos(4, 11) });
    expect(binding).toEqual({ uri: uri('main.kfp'), range: { start: pos(3, 2), end: pos(3, 3) } });
    const output = await lsp.request<{ uri: string; range: Range }>('textDocument/definition', { textDocument: { uri: uri('main.kfp') }, position: pos(4, 14) });
    expect(output).toEqual({ uri: uri('lib/ml.kfp'), range: { start: pos(0, LIB.indexOf('model')), end: pos(0, LIB.indexOf('model') + 5) } });
    // References of `train`, from its call: the declaration in the module buffer and the call, across files.
    const refs = await lsp.request<{ uri: string; range: Range }[]>('textDocument/references', { textDocument: { uri: uri('main.kfp') }, position: pos(3, 9), context: { includeDeclaration: true } });
    expect(refs).toEqual(expect.arrayContaining([
      { uri: uri('lib/ml.kfp'), range: { start: pos(0, 10), end: pos(0, 15) } },
      { uri: uri('main.kfp'), range: { start: pos(3, 6), end: pos(3, 14) } },
    ]));
    expect(refs).toHaveLength(2);
    // References of the task `t`, without its declaration: its one use.
    const uses = await lsp.request<{ uri: string; range: Range }[]>('textDocument/references', { textDocument: { uri: uri('main.kfp') }, position: pos(3, 2), context: { includeDeclaration: false } });
    expect(uses).toEqual([{ uri: uri('main.kfp'), range: { start: pos(4, 11), end: pos(4, 12) } }]);
  });

  it('finds and hovers a call of a pipeline, and its outputs, as a component call', async () => {
    const text = `${ADD}
pipeline twice "add twice" (x: int) -> (sum: int = s) {
  """Adds x to itself, twice."""
  s = add(add(x, x), x)
}

pipeline "main" () {
  t = twice(2)
  add(t.sum, 1)
}
`;
    lsp.open(uri('calls.kfp'), text);
    expect(await lsp.diagnostics(uri('calls.kfp'), 1)).toEqual([]);
    const def = await lsp.request<{ uri: string; range: Range }>('textDocument/definition', { textDocument: { uri: uri('calls.kfp') }, position: pos(13, 7) });
    expect(def).toEqual({ uri: uri('calls.kfp'), range: { start: pos(7, 9), end: pos(7, 14) } });
    const hover = await lsp.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: uri('calls.kfp') }, position: pos(13, 7) });
    expect(hover.contents.value).toContain('pipeline twice(x: int) -> (sum: int = s)');
    expect(hover.contents.value).toContain('Adds x to itself, twice.');
    const output = await lsp.request<{ uri: string; range: Range }>('textDocument/definition', { textDocument: { uri: uri('calls.kfp') }, position: pos(14, 9) });
    expect(output).toEqual({ uri: uri('calls.kfp'), range: { start: pos(7, 40), end: pos(7, 43) } });
  });

  it('shows the errors of an imported module that is not open at the module, as check does', async () => {
    writeFileSync(join(dir, 'lib', 'bad.kfp'), 'component bad(x: int) {\n  image: "alpine:3.19"\n  command: ["echo", y]\n}\n');
    lsp.open(uri('uses-bad.kfp'), 'import "lib/bad.kfp"\n\npipeline "u" () {\n  bad(1)\n}\n');
    const inModule = await lsp.diagnostics(uri('lib/bad.kfp'), 0, (ds) => ds.length > 0);
    expect(inModule.map((d) => [d.code, d.range.start])).toEqual([['KFP2002', pos(2, 20)]]);
    expect(await lsp.diagnostics(uri('uses-bad.kfp'), 1)).toEqual([]);
    // Fixed in an unsaved buffer: the module's own check now has nothing to say.
    lsp.open(uri('lib/bad.kfp'), 'component bad(x: int) {\n  image: "alpine:3.19"\n  command: ["echo", x]\n}\n');
    expect(await lsp.diagnostics(uri('lib/bad.kfp'), 1)).toEqual([]);
  });

  it('hovers a setting with its meaning and allowed values', async () => {
    const text = `${ADD}\npipeline "h" () {\n  add(1, 2) { retry_policy: "Always" }\n}\n`;
    lsp.open(uri('h.kfp'), text);
    const hover = await lsp.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: uri('h.kfp') }, position: pos(8, 16) });
    expect(hover.contents.value).toContain('**retry_policy** (task setting)');
    expect(hover.contents.value).toContain('`"OnFailure"`');
  });

  it('lists components, pipelines and tasks as document symbols', async () => {
    const text = `${ADD}\npipeline "s" (n: int) {\n  a = add(n, 1)\n  if a > 2 {\n    b = add(a, a)\n  }\n}\n`;
    lsp.open(uri('s.kfp'), text);
    const symbols = await lsp.request<{ name: string; detail: string; children?: { name: string; children?: { name: string }[] }[] }[]>('textDocument/documentSymbol', { textDocument: { uri: uri('s.kfp') } });
    expect(symbols.map((s) => s.name)).toEqual(['add', 's']);
    expect(symbols[1]!.children!.map((c) => c.name)).toEqual(['a', 'if']);
    expect(symbols[1]!.children![1]!.children!.map((c) => c.name)).toEqual(['b']);
    // Folding: the component (and its fence), the pipeline and its `if` block.
    const folds = await lsp.request<{ startLine: number; endLine: number }[]>('textDocument/foldingRange', { textDocument: { uri: uri('s.kfp') } });
    expect(folds.map((f) => [f.startLine, f.endLine])).toEqual([[0, 4], [2, 3], [7, 11], [9, 10]]);
  });

  it('formats through fmt, and leaves a file with syntax errors alone', async () => {
    const text = `${ADD}\npipeline "f" () {\n    add( 1,2 ) { cpu: 2, memory: "1G" }\n}\n`;
    lsp.open(uri('f.kfp'), text);
    const edits = await lsp.request<{ range: Range; newText: string }[]>('textDocument/formatting', { textDocument: { uri: uri('f.kfp') }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toContain('\n  add(1, 2) {');
    expect(edits[0]!.range.start).toEqual(pos(0, 0));
    lsp.change(uri('f.kfp'), `${ADD}\npipeline "f" () {\n  add(1, \n`, 2);
    expect(await lsp.request('textDocument/formatting', { textDocument: { uri: uri('f.kfp') }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });

  it('completes component names and task settings', async () => {
    const text = `import "lib/ml.kfp" as ml\n${ADD}\npipeline "c" () {\n  a = add(1, 2) {\n    re\n  }\n  b = ml.\n}\n`;
    lsp.open(uri('c.kfp'), text);
    const settings = await lsp.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri: uri('c.kfp') }, position: pos(10, 6) });
    expect(settings.map((i) => i.label)).toContain('retry_policy');
    expect(settings.map((i) => i.label)).not.toContain('add');
    const members = await lsp.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri: uri('c.kfp') }, position: pos(12, 9) });
    expect(members.map((i) => i.label).sort()).toEqual(['other', 'train']);
    // Signature help in a half-typed call: the second parameter is next.
    lsp.change(uri('c.kfp'), text.replace('b = ml.\n', 'b = ml.train("d", \n'), 2);
    const help = await lsp.request<{ signatures: { label: string }[]; activeParameter: number }>('textDocument/signatureHelp', { textDocument: { uri: uri('c.kfp') }, position: pos(12, 20) });
    expect(help.signatures[0]!.label).toBe('ml.train(data: str, epochs: int = 3)');
    expect(help.activeParameter).toBe(1);
  });

  it('survives bad input: a half-typed file, positions outside it, unknown files, unknown methods', async () => {
    const half = `${ADD}\npipeline "p" (x: int) {\n  s = add(x,\n  t = \n`;
    lsp.open(uri('half.kfp'), half);
    const ds = await lsp.diagnostics(uri('half.kfp'), 1);
    expect(ds.length).toBeGreaterThan(0);
    expect(ds.every((d) => /^KFP\d{4}$/.test(d.code) && !/at .*\(.*:\d+:\d+\)/.test(d.message))).toBe(true);
    expect(ds.some((d) => d.code.startsWith('KFP1'))).toBe(true);
    const outside = { textDocument: { uri: uri('half.kfp') }, position: pos(999, 999) };
    expect(await lsp.request('textDocument/hover', outside)).toBeNull();
    expect(await lsp.request('textDocument/definition', outside)).toBeNull();
    expect(Array.isArray(await lsp.request('textDocument/completion', outside))).toBe(true);
    const unknown = { textDocument: { uri: uri('never-opened.kfp') }, position: pos(0, 0) };
    expect(await lsp.request('textDocument/hover', unknown)).toBeNull();
    expect(await lsp.request('textDocument/documentSymbol', { textDocument: { uri: uri('never-opened.kfp') } })).toEqual([]);
    // A request missing its parameters is answered (empty), not a crash.
    expect(await lsp.request('textDocument/hover', {})).toBeNull();
    await expect(lsp.request('kfpdsl/noSuchMethod', {})).rejects.toThrow(/Unhandled method|not found/i);
    // A message that is not JSON, and a request with null parameters (answered with an LSP error).
    lsp.child.stdin.write('Content-Length: 9\r\n\r\n{not json');
    await expect(lsp.request('textDocument/hover', null)).rejects.toThrow();
    // A document whose text is not a string: the server logs it and answers empty.
    void lsp.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri('num.kfp'), languageId: 'kfp', version: 1, text: 42 } });
    expect(await lsp.request('textDocument/documentSymbol', { textDocument: { uri: uri('num.kfp') } })).toEqual([]);
    expect(lsp.alive).toBe(true);
    // Still serving after all that.
    lsp.change(uri('half.kfp'), `${ADD}\npipeline "p" (x: int) {\n  add(x, 1)\n}\n`, 2);
    expect(await lsp.diagnostics(uri('half.kfp'), 2)).toEqual([]);
  });
});
