#!/usr/bin/env node
// `kfpdsl lsp`'s live memory over many keystrokes (issue 11: memory after 1,000 edits grows by
// less than 20 MB), measured as the JavaScript heap after a full garbage collection: resident
// memory (bench/lsp.mjs) also counts what V8 keeps reserved for its young generation, which grows
// to a working size and stays, and says little about a leak.
//
//   node --expose-gc bench/lsp-heap.mjs [--edits N] [--root DIR]     (default 1000 edits; DIR: another checkout to measure)
//
// The server runs in this process (src/lsp/server.ts bundled with esbuild, over in-memory
// streams), so that gc() and process.memoryUsage() reach its heap; the client's share is small
// and the same at each reading. A 1,000-task pipeline is opened, then N one-character edits
// typed in task 500 (a digit added, then removed), each waited for until its diagnostics are
// published. Heap used after GC: after opening, after the first 100 edits, after all N.
//
// Prints figures only; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const edits = Number(arg('--edits')) || 1000;
const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
const root = resolve(arg('--root') ?? here);
const TASK = 500;

function pipeline(tasks) {
  const lines = ['component inc(n: int, by: int = 1) -> int {', '  ```python', '  return n + by', '  ```', '}', '', 'pipeline "big" (start: int = 0) {', '  t0 = inc(start)'];
  for (let i = 1; i < tasks; i++) lines.push(i === TASK ? `  t${i} = inc(t${i - 1}, by: 1)` : `  t${i} = inc(t${i - 1})`);
  lines.push(`  inc(t${tasks - 1})`, '}', '');
  return lines.join('\n');
}

const work = mkdtempSync(join(tmpdir(), 'kfpdsl-lsp-heap-'));
try {
  const { build } = await import('esbuild');
  const { hbsPlugin } = await import(pathToFileURL(join(here, 'scripts/hbs-precompile.mjs')).href);
  const bundle = join(work, 'server.cjs');
  await build({ entryPoints: [join(root, 'src/lsp/server.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20', plugins: [hbsPlugin], define: { KFPDSL_VERSION: '"bench"' }, logLevel: 'warning' });
  const { startLanguageServer } = await import(pathToFileURL(bundle).href);

  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  startLanguageServer(toServer, fromServer);
  const c = createMessageConnection(new StreamMessageReader(fromServer), new StreamMessageWriter(toServer));
  let waiting;
  c.onNotification('textDocument/publishDiagnostics', (p) => waiting?.(p));
  c.listen();
  await c.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  const uri = 'file:///tmp/kfpdsl-bench-lsp/big.kfp';
  const next = () => new Promise((res) => (waiting = res));
  const heapMb = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed / 1024 / 1024;
  };

  let got = next();
  c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'kfp', version: 1, text: pipeline(1000) } });
  await got;
  const atOpen = heapMb();
  let after100;
  const line = 7 + TASK;
  const column = `  t${TASK} = inc(t${TASK - 1}, by: 1`.length;
  for (let k = 0; k < edits; k++) {
    if (k === 100) after100 = heapMb();
    const range = { start: { line, character: column }, end: { line, character: column + (k % 2) } };
    got = next();
    c.sendNotification('textDocument/didChange', { textDocument: { uri, version: k + 2 }, contentChanges: [{ range, text: k % 2 === 0 ? '2' : '' }] });
    const p = await got;
    if (p.diagnostics.length > 0) throw new Error(`unexpected diagnostics: ${JSON.stringify(p.diagnostics[0])}`);
  }
  const atEnd = heapMb();
  const f = (x) => x.toFixed(1);
  const warm = after100 === undefined ? '' : `, ${f(after100)} MB after 100 edits`;
  console.log(`server heap used after GC: ${f(atOpen)} MB after open${warm}, ${f(atEnd)} MB after ${edits} edits (+${f(atEnd - atOpen)} MB since open; goal < 20 MB over 1,000 edits)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(0);
