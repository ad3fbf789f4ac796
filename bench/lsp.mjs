#!/usr/bin/env node
// `kfpdsl lsp` latency and memory, measured as an editor sees them (issue 11's goals):
//
//   node bench/lsp.mjs [--edits N]     (default 200)
//   KFPDSL_BIN=/other/checkout/bin/kfpdsl node bench/lsp.mjs   (the same measures of another build)
//
// 1. A 1,000-task pipeline is opened; then N edits, each a full-text didChange that changes
//    one argument, each waited for: the time from sending the change to receiving its
//    publishDiagnostics (the server's 150 ms debounce is not counted: it is subtracted, so the
//    figure is the check's own cost plus the round trip). p50 and p95 (goal p95 <= 50 ms).
//    Then typing: N keystrokes in the middle of the pipeline (task 500's `by: 1` becomes
//    `by: 12` and back), each an incremental didChange of one character as an editor sends it,
//    which moves the text after it (the whole-text edits above keep their length). Then N/2
//    keystrokes that break the file and N/2 that mend it (`by: 1` becomes `by: 1(` and back):
//    a file with a syntax error is parsed whole, by the recovering parser; its CPU time per
//    keystroke, and the latency of the breaking ones.
// 2. Completion at the end of the pipeline, N requests: p50 and p95 (goal p95 <= 30 ms).
//    Beside the wall time, the server's CPU time (user+sys from /proc) per edit, which a loaded
//    machine does not inflate.
// 3. The server's resident memory (from /proc) after opening, after the first 100 edits and
//    after all N (goal: grows by less than 20 MB over 1,000 edits; run with --edits 1000). The
//    first edits grow V8's young generation to its working size: the growth after them is
//    the one that would keep going.
//
// Needs dist/ (`node scripts/bundle.mjs`). Prints figures only; asserts nothing.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const DEBOUNCE_MS = 150;
/** The task typed into, on line 7 + TYPED_TASK: `  t500 = inc(t499, by: 1)`. */
const TYPED_TASK = 500;
const edits = Number(process.argv[process.argv.indexOf('--edits') + 1]) || 200;
const root = new URL('..', import.meta.url).pathname;

function pipeline(tasks, seed) {
  const lines = ['component inc(n: int, by: int = 1) -> int {', '  ```python', '  return n + by', '  ```', '}', '', 'pipeline "big" (start: int = 0) {', `  t0 = inc(start, by: ${seed})`];
  for (let i = 1; i < tasks; i++) lines.push(i === TYPED_TASK ? `  t${i} = inc(t${i - 1}, by: 1)` : `  t${i} = inc(t${i - 1})`);
  lines.push(`  inc(t${tasks - 1})`, '}', '');
  return lines.join('\n');
}

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
// bin/kfpdsl is a shell script that starts node as its child (it stays to retry without the snapshot): measure the node process.
const serverPid = (pid) => {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return children.length > 0 ? serverPid(Number(children[0])) : pid;
};
const cpuMs = (pid) => {
  // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 a second on Linux).
  const fields = readFileSync(`/proc/${serverPid(pid)}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${serverPid(pid)}/status`, 'utf8'))[1]) / 1024;

const child = spawn(process.env.KFPDSL_BIN ?? `${root}bin/kfpdsl`, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
const c = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
let waiting;
c.onNotification('textDocument/publishDiagnostics', (p) => waiting?.(p));
c.listen();
await c.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
const uri = 'file:///tmp/kfpdsl-bench-lsp/big.kfp';
const next = () => new Promise((resolve) => (waiting = resolve));

let got = next();
c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'kfp', version: 1, text: pipeline(1000, 0) } });
await got;
const rssOpen = rssMb(child.pid);

const diag = [];
const cpuBefore = cpuMs(child.pid);
let rssWarm;
for (let v = 2; v < edits + 2; v++) {
  if (v === 102) rssWarm = rssMb(child.pid);
  got = next();
  const t = performance.now();
  c.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text: pipeline(1000, v) }] });
  const p = await got;
  diag.push(performance.now() - t - DEBOUNCE_MS);
  if (p.diagnostics.length > 0) throw new Error(`unexpected diagnostics: ${JSON.stringify(p.diagnostics[0])}`);
}
const rssEdits = rssMb(child.pid);
const cpuPerEdit = (cpuMs(child.pid) - cpuBefore) / edits;

// Typing: insert a digit after `by: 1` of task 500, then delete it, and so on.
const typed = [];
const typingLine = 7 + TYPED_TASK;
const typingColumn = `  t${TYPED_TASK} = inc(t${TYPED_TASK - 1}, by: 1`.length;
const cpuTyping = cpuMs(child.pid);
for (let k = 0; k < edits; k++) {
  const v = edits + 2 + k;
  const range = k % 2 === 0 ? { start: { line: typingLine, character: typingColumn }, end: { line: typingLine, character: typingColumn } } : { start: { line: typingLine, character: typingColumn }, end: { line: typingLine, character: typingColumn + 1 } };
  got = next();
  const t = performance.now();
  c.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range, text: k % 2 === 0 ? '2' : '' }] });
  const p = await got;
  typed.push(performance.now() - t - DEBOUNCE_MS);
  if (p.diagnostics.length > 0) throw new Error(`unexpected diagnostics: ${JSON.stringify(p.diagnostics[0])}`);
}
const cpuPerKeystroke = (cpuMs(child.pid) - cpuTyping) / edits;

// Breaking and mending: `by: 1(` is a syntax error, `by: 1` again is not.
const broken = [];
const cpuBroken = cpuMs(child.pid);
for (let k = 0; k < edits; k++) {
  const v = 2 * edits + 2 + k;
  const range = { start: { line: typingLine, character: typingColumn }, end: { line: typingLine, character: typingColumn + (k % 2) } };
  got = next();
  const t = performance.now();
  c.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range, text: k % 2 === 0 ? '(' : '' }] });
  const p = await got;
  if (k % 2 === 0) broken.push(performance.now() - t - DEBOUNCE_MS);
  if ((p.diagnostics.length > 0) !== (k % 2 === 0)) throw new Error(`unexpected diagnostics after keystroke ${k}: ${JSON.stringify(p.diagnostics)}`);
}
const cpuPerBroken = (cpuMs(child.pid) - cpuBroken) / edits;

const comp = [];
for (let i = 0; i < edits; i++) {
  const t = performance.now();
  await c.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1007, character: 6 } });
  comp.push(performance.now() - t);
}

const f = (x) => x.toFixed(1);
console.log(`didChange -> diagnostics, 1,000 tasks, ${edits} edits (debounce subtracted): p50 ${f(quantile(diag, 0.5))} ms, p95 ${f(quantile(diag, 0.95))} ms (goal p95 <= 50)`);
console.log(`server CPU (user+sys) per edit: ${f(cpuPerEdit)} ms`);
console.log(`breaking and mending, ${edits} keystrokes: the breaking ones p50 ${f(quantile(broken, 0.5))} ms, p95 ${f(quantile(broken, 0.95))} ms; server CPU per keystroke ${f(cpuPerBroken)} ms`);
console.log(`typing, ${edits} one-character didChanges in task ${TYPED_TASK}: p50 ${f(quantile(typed, 0.5))} ms, p95 ${f(quantile(typed, 0.95))} ms; server CPU per keystroke ${f(cpuPerKeystroke)} ms`);
console.log(`completion, ${edits} requests: p50 ${f(quantile(comp, 0.5))} ms, p95 ${f(quantile(comp, 0.95))} ms (goal p95 <= 30)`);
const warm = rssWarm === undefined ? '' : `, ${f(rssWarm)} MB after 100 edits`;
const sinceWarm = rssWarm === undefined ? '' : `; +${f(rssEdits - rssWarm)} MB after the first 100`;
console.log(`server RSS: ${f(rssOpen)} MB after open${warm}, ${f(rssEdits)} MB after ${edits} edits (+${f(rssEdits - rssOpen)} MB since open${sinceWarm}; goal < 20 MB over 1,000 edits)`);
await c.sendRequest('shutdown');
c.sendNotification('exit');
