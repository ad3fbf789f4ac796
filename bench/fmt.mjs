#!/usr/bin/env node
// Speed of `kfpdsl fmt` on large files, in process (CPU milliseconds, median of N runs).
//
//   node bench/fmt.mjs [--runs N] [--src DIR]
//
// --runs N: runs per figure (default 7). --src DIR: bench the sources of another checkout
// (e.g. `git archive <commit> src grammar | tar -x -C DIR`) to compare before and after;
// a checkout without src/fmt/print.ts prints no `print` figure.
//
// For generated pipelines of 1,000 and 5,000 tasks (a chain with comments, blank lines,
// conditions, lists, dicts and settings blocks), written once with its indentation lost and
// once in canonical form, prints:
//   parse   parseSource (lexer, parser, CST -> AST)
//   print   printDocument alone (the AST printer, src/fmt/print.ts)
//   fmt     formatSource of the messy text: parse, print, re-parse and compare the trees
//   check   formatSource of the canonical text (what `fmt --check` does on a clean tree)
// then the cost per 1,000 tasks between the two sizes (linear growth gives equal slopes)
// and print's share of fmt. The sources are bundled with esbuild into a temporary directory.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const srcArg = process.argv.indexOf('--src');
const src = srcArg > 0 ? resolve(process.argv[srcArg + 1]) : root;

/** A chain of `n` tasks in canonical layout. */
function chain(n) {
  const out = ['# A chain of ' + n + ' tasks', 'component inc(x: int) -> int {', '  image: "python:3.11"', '  ```python', '  return x + 1', '  ```', '}', '', 'pipeline "chain" (start: int = 0) {', '  """A long chain."""', '  t0 = inc(start)'];
  for (let i = 1; i < n; i++) {
    if (i % 10 === 0) out.push('', `  # step ${i}`);
    out.push(`  t${i} = inc(x: t${i - 1}.output)${i % 7 === 0 ? '  # seventh' : ''}`);
    if (i % 50 === 0) out.push(`  if t${i}.output > 3 and not (t${i}.output == 5) {`, '    inc([1, 2, { a: "b" }]) {', '      retries: 2', '      cpu: 1 .. 2', '    }', '  }');
  }
  out.push('}', '');
  return out.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-bench-fmt-'));
try {
  const entry = join(dir, 'entry.ts');
  const hasPrinter = existsSync(join(src, 'src/fmt/print.ts'));
  writeFileSync(entry, [
    `export { formatSource } from ${JSON.stringify(join(src, 'src/fmt/format.ts'))};`,
    hasPrinter ? `export { printDocument } from ${JSON.stringify(join(src, 'src/fmt/print.ts'))};` : '',
    `export { parseSource } from ${JSON.stringify(join(src, 'src/syntax/parse.ts'))};`,
    `export { SourceFile } from ${JSON.stringify(join(src, 'src/source.ts'))};`,
  ].join('\n'));
  const outfile = join(dir, 'fmt.mjs');
  // Packages (chevrotain) resolve from this checkout's node_modules.
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning', absWorkingDir: root, nodePaths: [join(root, 'node_modules')] });
  const m = await import(pathToFileURL(outfile).href);

  const cpuMs = (fn) => {
    const times = [];
    let result;
    for (let i = 0; i < runs + 2; i++) {
      const a = process.cpuUsage();
      result = fn();
      const b = process.cpuUsage(a);
      if (i > 1) times.push((b.user + b.system) / 1000); // the first two runs warm up
    }
    times.sort((x, y) => x - y);
    return { ms: times[times.length >> 1], result };
  };

  const rows = [];
  for (const n of [1000, 5000]) {
    const canonical = chain(n);
    const messy = canonical.replace(/\n +/g, '\n');
    const clean = new m.SourceFile('chain.kfp', canonical);
    const parsed = m.parseSource(clean);
    if (!parsed.document) throw new Error('the generated pipeline does not parse');
    const parse = cpuMs(() => m.parseSource(clean)).ms;
    const print = m.printDocument ? cpuMs(() => m.printDocument(canonical, parsed.document, parsed.tokens, parsed.comments)) : { ms: NaN, result: canonical };
    const fmt = cpuMs(() => m.formatSource(new m.SourceFile('chain.kfp', messy)));
    const check = cpuMs(() => m.formatSource(clean));
    if (fmt.result.text !== canonical || check.result.text !== canonical || print.result !== canonical) throw new Error('fmt does not give the canonical text');
    rows.push({ n, bytes: canonical.length, parse, print: print.ms, fmt: fmt.ms, check: check.ms });
  }
  const f = (x) => (Number.isNaN(x) ? 'n/a' : x.toFixed(1)).padStart(8);
  console.log(`fmt of ${src}, CPU ms, median of ${runs} runs`);
  console.log('   tasks    bytes    parse    print      fmt    check');
  for (const r of rows) console.log(`${String(r.n).padStart(8)} ${String(r.bytes).padStart(8)} ${f(r.parse)} ${f(r.print)} ${f(r.fmt)} ${f(r.check)}`);
  const [a, b] = rows;
  const slope = (k) => ((b[k] - a[k]) / ((b.n - a.n) / 1000)).toFixed(1);
  console.log(`per 1,000 tasks (slope 1k -> 5k): parse ${slope('parse')} ms, print ${slope('print')} ms, fmt ${slope('fmt')} ms, check ${slope('check')} ms`);
  console.log(`per 1,000 tasks at 1k: fmt ${(a.fmt / (a.n / 1000)).toFixed(1)} ms; at 5k: fmt ${(b.fmt / (b.n / 1000)).toFixed(1)} ms`);
  console.log(`print / fmt at 5k: ${((b.print / b.fmt) * 100).toFixed(0)}%; check / fmt at 5k: ${(b.check / b.fmt).toFixed(2)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
