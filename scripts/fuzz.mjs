#!/usr/bin/env node
// Fuzzes the compiler with many more cases than `npm test` runs (test/fuzz.test.ts).
//
//   node scripts/fuzz.mjs [count=10000] [seed=1] [options]
//     --start N      first mutation case index (default 0)
//     --hostile      also run every hostile case of test/support/fuzz-cases.ts
//     --only-hostile run only the hostile cases
//     --filter RE    run only the hostile cases whose name matches the regular expression RE
//     --dump N       print the source of mutation case N (of this seed) and exit
//     --hang MS      a compilation still running after MS ms is a hang (default 60000)
//     --slow MS      a compilation taking longer than MS ms is a failure (default: none; times
//                    depend on the machine's load, so only a human reading them should set one)
//
// The TypeScript sources are bundled on the fly with esbuild into a temp file. Cases run
// in a worker thread watched by the main thread, so a hang or a crash of the worker (a
// stack or heap exhaustion that escapes compileSource) is reported with its seed and case
// index and the run goes on with the next case. Exit status 1 when anything failed.
import { build } from 'esbuild';
import { hbsPlugin } from './hbs-precompile.mjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (isMainThread) process.chdir(root); // (workers share the cwd) seed paths (and the imports inside seeds) are relative to the repository root

if (isMainThread) await main();
else await work();

function parseArgs(argv) {
  const opts = { count: 10_000, seed: 1, start: 0, hostile: false, onlyHostile: false, filter: undefined, dump: undefined, hangMs: 60_000, slowMs: Infinity };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v)) throw new Error(`${a} needs a number`);
      return v;
    };
    if (a === '--start') opts.start = num();
    else if (a === '--hostile') opts.hostile = true;
    else if (a === '--only-hostile') opts.onlyHostile = opts.hostile = true;
    else if (a === '--filter') opts.filter = argv[++i];
    else if (a === '--dump') opts.dump = num();
    else if (a === '--hang') opts.hangMs = num();
    else if (a === '--slow') opts.slowMs = num();
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/fuzz.mjs [count=10000] [seed=1] [--start N] [--hostile] [--only-hostile] [--filter RE] [--dump N] [--hang MS] [--slow MS]');
      process.exit(0);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional[0] !== undefined) opts.count = Number(positional[0]);
  if (positional[1] !== undefined) opts.seed = Number(positional[1]);
  if (!Number.isInteger(opts.count) || opts.count < 0) throw new Error('count must be a non-negative integer');
  if (!Number.isInteger(opts.seed)) throw new Error('seed must be an integer');
  if (opts.onlyHostile) opts.count = 0;
  return opts;
}

async function bundle() {
  const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-fuzz-'));
  const file = join(dir, 'fuzz-bundle.mjs');
  const t0 = performance.now();
  const result = await build({
    stdin: {
      contents: [
        "export * from './test/support/fuzz-cases.ts';",
        "export { compileSource } from './src/compile.ts';",
        "export { SourceFile } from './src/source.ts';",
      ].join('\n'),
      resolveDir: root,
      sourcefile: 'fuzz-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    plugins: [hbsPlugin],
    // Some bundled CommonJS (handlebars) calls require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __fuzzRequire } from 'node:module'; const require = __fuzzRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  writeFileSync(file, result.outputFiles[0].text);
  return { dir, file, ms: performance.now() - t0 };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const b = await bundle();
  try {
    if (opts.dump !== undefined) {
      const lib = await import(pathToFileURL(b.file).href);
      const c = lib.mutationCase(lib.loadSeeds(root), opts.seed, opts.dump);
      process.stderr.write(`# ${c.name}\n# path: ${c.path}\n`);
      process.stdout.write(c.text);
      return;
    }
    await run(opts, b);
  } finally {
    rmSync(b.dir, { recursive: true, force: true });
  }
}

async function run(opts, b) {
  console.log(`fuzz: seed ${opts.seed}, mutation cases ${opts.start}..${opts.start + opts.count - 1}${opts.hostile ? ', plus the hostile cases' : ''} (bundled in ${b.ms.toFixed(0)} ms)`);
  // The queue: hostile cases (by position in hostileCases()) first, then mutations by index.
  const jobs = { hostile: opts.hostile, start: opts.start, end: opts.start + opts.count };
  const failures = [];
  const codes = new Map();
  const slowest = [];
  let done = 0;
  let clean = 0;
  const t0 = performance.now();

  // Each worker runs jobs from `from` on; on a hang or crash it is replaced, starting after the bad case.
  let from = { kind: jobs.hostile ? 'hostile' : 'mutation', index: jobs.hostile ? 0 : jobs.start };
  while (from) {
    from = await runWorker(b.file, opts, jobs, from, {
      onCase(m) {
        done++;
        if (m.clean) clean++;
        for (const [code, n] of Object.entries(m.codes)) codes.set(code, (codes.get(code) ?? 0) + n);
        slowest.push({ name: m.name, ms: m.ms });
        slowest.sort((x, y) => y.ms - x.ms);
        slowest.length = Math.min(slowest.length, 5);
        if (m.problems.length > 0) failures.push({ kind: m.kind, index: m.index, name: m.name, knownBug: m.knownBug, problems: m.problems });
        if (done % 1000 === 0) {
          const s = (performance.now() - t0) / 1000;
          console.log(`  ${done} cases, ${(done / s).toFixed(0)} cases/s, ${failures.length} failing`);
        }
      },
      onDeath(current, why) {
        done++;
        failures.push({ kind: current.kind, index: current.index, name: current.name, knownBug: current.knownBug, problems: [why] });
      },
    });
  }

  const secs = (performance.now() - t0) / 1000;
  console.log(`\n${done} cases in ${secs.toFixed(1)} s: ${(done / secs).toFixed(0)} cases/s (each compiled twice: check-only and full); ${clean} compiled without errors`);
  console.log('diagnostics by code (full compilations):');
  for (const [code, n] of [...codes].sort((x, y) => x[0].localeCompare(y[0]))) console.log(`  ${code} ${String(n).padStart(8)}`);
  console.log('slowest cases:');
  for (const s of slowest) console.log(`  ${s.ms.toFixed(0).padStart(6)} ms  ${s.name}`);
  if (failures.length === 0) {
    console.log('\nOK: no crash, hang, internal error, unlocated diagnostic or unsafe output');
    return;
  }
  const unknown = failures.filter((f) => !f.knownBug).length;
  console.log(`\nFAILED: ${failures.length} case(s): ${failures.length - unknown} like a known bug (KNOWN_BUGS in test/support/fuzz-cases.ts), ${unknown} new`);
  // The same bug tends to show up many times: group by the problem with names and numbers blurred.
  const groups = new Map();
  for (const f of failures) {
    for (const p of f.problems) {
      const key = p.replace(/^(check-only|full): /, '').replace(/pipeline \\"[^]*?\\"/g, 'pipeline "…"').replace(/`[^`]*`/g, '`…`').replace(/(?<!KFP\d*)\d+/g, 'N').slice(0, 160);
      const g = groups.get(key) ?? { count: 0, first: f };
      g.count++;
      groups.set(key, g);
    }
  }
  console.log(`\n${groups.size} distinct problem(s):`);
  for (const [key, g] of [...groups].sort((x, y) => y[1].count - x[1].count)) {
    console.log(`  ${String(g.count).padStart(5)} × ${key}\n          first: ${g.first.kind === 'mutation' ? `case ${g.first.index} (node scripts/fuzz.mjs 0 ${opts.seed} --dump ${g.first.index})` : g.first.name}`);
  }
  for (const f of failures.slice(0, 100)) {
    if (f === failures[0]) console.log('\nfailing cases:');
    console.log(`\n- ${f.name}${f.knownBug ? `\n  KNOWN BUG: ${f.knownBug}` : ''}`);
    if (f.kind === 'mutation') console.log(`  seed ${opts.seed}, case index ${f.index}; its source: node scripts/fuzz.mjs 0 ${opts.seed} --dump ${f.index}`);
    else console.log(`  hostile case #${f.index}; rerun: node scripts/fuzz.mjs --only-hostile`);
    for (const p of f.problems.slice(0, 10)) console.log(`  ${p}`);
  }
  if (failures.length > 100) console.log(`\n… and ${failures.length - 100} more`);
  process.exitCode = 1;
}

/** Runs one worker until it finishes (→ undefined) or dies (→ where the next one starts). */
function runWorker(bundleFile, opts, jobs, from, handlers) {
  return new Promise((resolvePromise, rejectPromise) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { bundleFile, seed: opts.seed, jobs, from, slowMs: opts.slowMs, filter: opts.filter },
      resourceLimits: { maxOldGenerationSizeMb: 4096, stackSizeMb: 984 / 1024 }, // about the main thread's stack, as the CLI has
      stdout: false,
      stderr: false,
    });
    let current;
    let settled = false;
    const next = (c) => {
      if (c.kind === 'hostile' && c.index + 1 < c.total) return { kind: 'hostile', index: c.index + 1 };
      if (c.kind === 'hostile') return jobs.start < jobs.end ? { kind: 'mutation', index: jobs.start } : undefined;
      return c.index + 1 < jobs.end ? { kind: 'mutation', index: c.index + 1 } : undefined;
    };
    const finish = (value) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      resolvePromise(value);
    };
    const die = (why) => {
      if (settled) return;
      if (!current) {
        settled = true;
        clearInterval(timer);
        void worker.terminate();
        rejectPromise(new Error(`the fuzz worker failed before its first case: ${why}`));
        return;
      }
      handlers.onDeath(current, why);
      void worker.terminate();
      finish(next(current));
    };
    const timer = setInterval(() => {
      if (current && performance.now() - current.startedAt > opts.hangMs) die(`${current.mode}: HANG: still running after ${opts.hangMs} ms`);
    }, 250);
    worker.on('message', (m) => {
      if (m.type === 'start') current = { ...m, startedAt: performance.now() };
      else if (m.type === 'case') {
        handlers.onCase(m);
        current = undefined;
      } else if (m.type === 'end') finish(undefined);
    });
    worker.on('error', (e) => die(`CRASH: the worker died: ${e?.stack ?? e}`));
    worker.on('exit', (code) => {
      if (!settled) die(`CRASH: the worker exited with code ${code}`);
    });
  });
}

async function work() {
  const { bundleFile, seed, jobs, from, slowMs, filter } = workerData;
  const lib = await import(pathToFileURL(bundleFile).href);
  const seeds = lib.loadSeeds(root);
  const post = (m) => parentPort.postMessage(m);

  const runCase = (kind, index, total, c) => {
    const problems = [];
    const codes = {};
    let clean = false;
    let ms = 0;
    const file = new lib.SourceFile(c.path, c.text);
    for (const checkOnly of [true, false]) {
      const mode = checkOnly ? 'check-only' : 'full';
      // the watchdog's clock restarts with each compilation
      post({ type: 'start', kind, index, total, name: c.name, mode, knownBug: c.knownBug });
      const t = performance.now();
      let result;
      try {
        result = lib.compileSource(file, { checkOnly });
      } catch (e) {
        problems.push(`${mode}: compileSource threw: ${e?.stack ?? e}`);
        continue;
      }
      const elapsed = performance.now() - t;
      ms += elapsed;
      if (elapsed > slowMs) problems.push(`${mode}: SLOW: ${elapsed.toFixed(0)} ms (limit ${slowMs} ms)`);
      for (const p of lib.checkResult(result, checkOnly, file)) problems.push(`${mode}: ${p}`);
      if (!checkOnly) {
        for (const d of result.diagnostics) codes[d.code] = (codes[d.code] ?? 0) + 1;
        clean = !result.diagnostics.some((d) => d.severity === 'error');
      }
    }
    post({ type: 'case', kind, index, name: c.name, knownBug: c.knownBug ?? lib.knownBugOf(problems), ms, codes, clean, problems: [...new Set(problems)] });
  };

  let start = from;
  if (start.kind === 'hostile') {
    const re = filter === undefined ? undefined : new RegExp(filter);
    const hostile = lib.hostileCases().filter((c) => !re || re.test(c.name));
    for (let i = start.index; i < hostile.length; i++) runCase('hostile', i, hostile.length, hostile[i]);
    start = { kind: 'mutation', index: jobs.start };
  }
  for (let i = start.index; i < jobs.end; i++) runCase('mutation', i, 0, lib.mutationCase(seeds, seed, i));
  post({ type: 'end' });
}
