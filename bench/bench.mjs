#!/usr/bin/env node
// Whole-process timings of the kfpdsl CLI (the bundle, as users run it).
//
//   node bench/bench.mjs [--runs N]        (or BENCH_RUNS=N; default 11, plus 2 warm-ups)
//
// 1. `node -e 0` vs `kfpdsl build examples/add.kfp -o <tmp>` vs `kfpdsl check examples/add.kfp`:
//    medians of N alternating runs and ratios to `node -e 0` (the goal for build: <= 1.5x).
// 2. Generated pipelines of 1,000, 5,000 and 10,000 tasks (a chain of `inc` tasks with some
//    fan-out): `kfpdsl build`, alternating runs: wall, work after start-up (less a 1-task
//    build), by wall and CPU, output size, and the slope in ms per 1,000 tasks (goals: 1,000
//    tasks <= 150 ms of work, 5,000 <= 750 ms, linear). (10,000 tasks exceed
//    Argo's 1 MiB workflow limit, which kfpdsl reports as error KFP5002: timed up to that.)
// 3. `kfpdsl check` over 200 copies of examples/add.kfp in one call vs `node -e 0`.
// 4. Bad input at scale (the inputs of bench/hostile.mjs): 100,000 errors on one line and on
//    100,000 lines, 130,000 stray `;` (check, build, fmt), 32,000 type errors on one line,
//    100,000 components, a call with 100,000 arguments, 6,000 misspelt calls among 6,000
//    components, 10,000 misspelt references among 10,000 tasks, a Python fence of 4,000
//    misspelt reads, a component of 20,000 inputs called wrongly: wall and CPU seconds (one run, capped at 120 s), work (CPU less that of a
//    `check` of a one-task pipeline: start-up), bytes of diagnostics, exit code. Goals: 130,000
//    errors in under 1 s of work, each of the others under 2 s.
// 6. What `build --verify` (parse the written text back and compare) costs over a plain build,
//    on examples/add.kfp and on a 1,000-task chain, alternating runs.
// 5. `check` of 1,000-task pipelines with 1, 100 and 1,000 Python fences, by two bundles built
//    alike, with and without the fence checks (bench/python-fences.mjs): the checks' overhead.
//
//   node bench/bench.mjs --only 4           runs just section 4 (any of 1-6, comma-separated)
//   node bench/bench.mjs --against main      section 2 also builds with the kfpdsl of a git ref
//                                            (exported to a temp dir and bundled there), the two
//                                            builds taking turns run by run: before and after in
//                                            one run, under the same load
//
// `kfpdsl` is the installed command, bin/kfpdsl: it starts node from the CLI's start-up
// snapshot. `kfpdsl.mjs` is its fallback for other Node.js versions (bundle + code cache).
// Needs dist/ (`node scripts/bundle.mjs`; it is built here when missing).
// All temp dirs are created under the OS temp dir and removed on exit, even on failure.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigPipeline } from './chain.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const node = process.execPath;
const launcher = join(root, 'bin', 'kfpdsl');
const fallback = join(root, 'bin', 'kfpdsl.mjs');
/** The command line of the installed command: `kfpdsl ...args` through its sh launcher. */
const kfpdsl = (...args) => ({ cmd: launcher, args });
/** The fallback entry: `node bin/kfpdsl.mjs ...args`. */
const kfpdslMjs = (...args) => ({ cmd: node, args: [fallback, ...args] });

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  const raw = i >= 0 ? process.argv[i + 1] : process.env.BENCH_RUNS;
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: ${name} must be a positive integer (got ${raw})`);
    process.exit(2);
  }
  return n;
}
const RUNS = option('--runs', 11);
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? new Set(process.argv[onlyAt + 1].split(',').map(Number)) : new Set([1, 2, 3, 4, 5, 6]);
const WARMUPS = 2;
const againstAt = process.argv.indexOf('--against');
const AGAINST = againstAt >= 0 ? process.argv[againstAt + 1] : undefined;
if (againstAt >= 0 && !AGAINST) {
  console.error('bench: --against needs a git ref (a branch, a tag, a commit)');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'kfpdsl-bench-'));
const cleanup = () => rmSync(work, { recursive: true, force: true });
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

let seq = 0;
const freshDir = (label) => {
  const d = join(work, `${label}-${seq++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

/** Runs a command once (`{cmd, args}`, or node's args); returns wall milliseconds. Throws on an unexpected exit code. */
function timeOnce(what, expectStatus = 0) {
  const { cmd, args } = Array.isArray(what) ? { cmd: node, args: what } : what;
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  if (r.status !== expectStatus) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status} (expected ${expectStatus}):\n${(r.stderr || r.stdout).slice(0, 2000)}`);
  }
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median of `runs` timed runs after `warmups` untimed ones; `argsFor(i)` may give fresh args per run. */
function bench(argsFor, { runs = RUNS, warmups = WARMUPS } = {}) {
  for (let i = 0; i < warmups; i++) timeOnce(argsFor(i));
  const times = [];
  for (let i = 0; i < runs; i++) times.push(timeOnce(argsFor(i)));
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

function dirSize(dir) {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const s = dirSize(p);
      bytes += s.bytes;
      files += s.files;
    } else {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const fmtBytes = (b) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`);

function table(title, header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c]).length)));
  const line = (r) => r.map((x, c) => (c === 0 ? String(x).padEnd(widths[c]) : String(x).padStart(widths[c]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

// ---------------------------------------------------------------------------------------------

if (!existsSync(join(root, 'dist', 'kfpdsl.cjs'))) {
  console.log('bench: dist/ is missing; bundling (node scripts/bundle.mjs)');
  timeOnce([join(root, 'scripts', 'bundle.mjs')]);
}

console.log(`kfpdsl bench: node ${process.version}, ${process.platform}/${process.arch}, median of ${RUNS} runs after ${WARMUPS} warm-ups`);
// The variable makes every node parse its CA store as it starts (~50 ms): `node -e 0` pays it, and
// kfpdsl's build/check/fmt/graph do not (bin/kfpdsl unsets it), so section 1's ratios depend on it.
if (process.env.NODE_EXTRA_CA_CERTS) console.log('NODE_EXTRA_CA_CERTS is set: node -e 0 pays for reading it as it starts; kfpdsl build and check start without it');

// 1. Start-up: one small file. The commands take turns run by run (node -e 0, build, check, ...),
// so that a change in the machine's load hits them alike; the ratio to `node -e 0` is the figure.
/** Medians of `runs` rounds in which each command runs once, in turn, after `warmups` such rounds. */
function benchAlternating(commands, { runs = RUNS, warmups = WARMUPS } = {}) {
  const times = commands.map(() => []);
  for (let i = 0; i < warmups + runs; i++) {
    commands.forEach((argsFor, c) => {
      const ms = timeOnce(argsFor(i));
      if (i >= warmups) times[c].push(ms);
    });
  }
  return times.map((ts) => ({ median: median(ts), min: Math.min(...ts), max: Math.max(...ts) }));
}
const ratio = (ms) => `${(ms / baseline.median).toFixed(2)}x`;
let baseline;
if (ONLY.has(1)) {
  const [node0, build, check, buildMjs, checkMjs] = benchAlternating([
    () => ['-e', '0'],
    () => kfpdsl('build', 'examples/add.kfp', '-o', freshDir('add')),
    () => kfpdsl('check', 'examples/add.kfp'),
    () => kfpdslMjs('build', 'examples/add.kfp', '-o', freshDir('add')),
    () => kfpdslMjs('check', 'examples/add.kfp'),
  ]);
  baseline = node0;
  table('1. one small file (examples/add.kfp), alternating runs', ['command', 'median', 'min', 'max', 'vs node -e 0'], [
    ['node -e 0', fmtMs(baseline.median), fmtMs(baseline.min), fmtMs(baseline.max), '1.00x'],
    ['kfpdsl build add.kfp -o tmp (goal <= 1.5x)', fmtMs(build.median), fmtMs(build.min), fmtMs(build.max), ratio(build.median)],
    ['kfpdsl check add.kfp', fmtMs(check.median), fmtMs(check.min), fmtMs(check.max), ratio(check.median)],
    ['node bin/kfpdsl.mjs build (fallback)', fmtMs(buildMjs.median), fmtMs(buildMjs.min), fmtMs(buildMjs.max), ratio(buildMjs.median)],
    ['node bin/kfpdsl.mjs check (fallback)', fmtMs(checkMjs.median), fmtMs(checkMjs.min), fmtMs(checkMjs.max), ratio(checkMjs.median)],
  ]);
}
if (ONLY.has(3) && !baseline) baseline = bench(() => ['-e', '0']);

/**
 * The installed command of the kfpdsl at git ref `ref`: its tree exported (`git archive`) to a
 * temp dir, with this checkout's node_modules linked in and bundled there (snapshot included),
 * so that both builds start alike. Comparing within one run is the only fair comparison on a
 * shared machine: its load changes from minute to minute.
 */
function buildAt(ref) {
  const dir = freshDir('against');
  const archive = spawnSync('git', ['archive', '--format=tar', ref], { cwd: root, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${ref}: ${archive.stderr}`);
  const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar: ${untar.stderr}`);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const bundle = spawnSync(node, [join(dir, 'scripts', 'bundle.mjs')], { cwd: dir, encoding: 'utf8' });
  if (bundle.status !== 0) throw new Error(`bundling ${ref}: ${bundle.stderr}`);
  return join(dir, 'bin', 'kfpdsl');
}

// 2. Large generated pipelines. Argo rejects workflows over 1 MiB, and kfpdsl reports that as an
// error (KFP5002) after lowering, so a pipeline too big for Argo is timed up to that rejection.
// "Work" is a build's time less that of a 1-task chain's build (start-up and the fixed costs),
// runs alternating between the sizes so that a change in the machine's load hits them alike;
// the slope (ms per 1,000 tasks between sizes) shows whether it grows linearly.
if (ONLY.has(2)) {
  const sizes = [1, 1_000, 5_000, 10_000];
  // This tree's build, and with --against the ref's; they take turns at every size and run.
  const builds = [{ label: AGAINST ? 'this tree' : undefined, launcher }];
  if (AGAINST) builds.unshift({ label: AGAINST, launcher: buildAt(AGAINST) });
  const RUNS2 = Math.max(3, Math.min(RUNS, 5));
  const srcs = new Map(sizes.map((n) => {
    const src = join(freshDir(`big-src-${n}`), `big${n}.kfp`);
    writeFileSync(src, bigPipeline(Math.max(n, 2)));
    return [n, src];
  }));
  const timeCmd = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const runs = builds.map(() => ({ walls: new Map(sizes.map((n) => [n, []])), cpus: new Map(sizes.map((n) => [n, []])), last: new Map() }));
  for (let i = 0; i < RUNS2; i++) {
    for (const n of sizes) {
      builds.forEach((b, j) => {
        const { walls, cpus, last } = runs[j];
        const out = freshDir(`big-out-${n}`);
        const args = ['build', srcs.get(n), '-o', out];
        const t0 = performance.now();
        const r = timeCmd
          ? spawnSync(timeCmd, ['-f', 'BENCH-CPU %U %S', b.launcher, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 })
          : spawnSync(b.launcher, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
        walls.get(n).push(performance.now() - t0);
        if (r.error) throw r.error;
        const cpu = /^BENCH-CPU ([\d.]+) ([\d.]+)$/m.exec(r.stderr ?? '');
        if (cpu) cpus.get(n).push((Number(cpu[1]) + Number(cpu[2])) * 1000);
        last.set(n, { r, out });
      });
    }
  }
  builds.forEach((b, j) => {
    const { walls, cpus, last } = runs[j];
    const wall0 = median(walls.get(1));
    const cpu0 = cpus.get(1).length ? median(cpus.get(1)) : undefined;
    const work = (n) => median(walls.get(n)) - wall0;
    const cpuWork = (n) => (cpu0 === undefined ? undefined : median(cpus.get(n)) - cpu0);
    const bigRows = [];
    for (const n of sizes) {
      const { r, out } = last.get(n);
      const label = `${n.toLocaleString('en-US')} task${n === 1 ? '' : 's'}`;
      const cw = cpuWork(n);
      const target = n === 1_000 ? ' (goal <= 150 ms)' : n === 5_000 ? ' (goal <= 750 ms)' : '';
      let result = 'ok';
      let size = '-';
      if (r.status === 0) size = fmtBytes(dirSize(out).bytes);
      else result = `exit ${r.status}: ${(r.stderr.split('\n').find((l) => /^error/.test(l)) ?? r.stderr.split('\n')[0] ?? '').split(';')[0].slice(0, 90)}`;
      bigRows.push([label, fmtMs(median(walls.get(n))), n === 1 ? '-' : fmtMs(work(n)) + target, n === 1 || cw === undefined ? '-' : fmtMs(cw), size, result]);
    }
    const whose = b.label ? ` [${b.label}]` : '';
    table(`2. generated pipelines: kfpdsl build${whose}, median of ${RUNS2} alternating runs`, ['pipeline', 'wall', 'work (wall - 1 task)', 'work (cpu - 1 task)', 'output', 'result'], bigRows);
    const slope = (a, c, f) => ((f(c) - f(a)) / ((c - a) / 1000)).toFixed(1);
    console.log(`slope, wall: ${slope(1_000, 5_000, work)} ms per 1,000 tasks from 1k to 5k, ${slope(5_000, 10_000, work)} from 5k to 10k`);
    if (cpu0 !== undefined) console.log(`slope, cpu:  ${slope(1_000, 5_000, cpuWork)} ms per 1,000 tasks from 1k to 5k, ${slope(5_000, 10_000, cpuWork)} from 5k to 10k`);
  });
}

// 3. Many files in one call.
if (ONLY.has(3)) {
  const many = freshDir('many');
  for (let i = 0; i < 200; i++) copyFileSync(join(root, 'examples', 'add.kfp'), join(many, `add${String(i).padStart(3, '0')}.kfp`));
  const checkMany = bench(() => kfpdsl('check', many));
  table('3. kfpdsl check over 200 copies of add.kfp in one call', ['command', 'median', 'per file, net of node -e 0', 'vs node -e 0'], [
    ['node -e 0', fmtMs(baseline.median), '-', '1.00x'],
    ['kfpdsl check <200 files>', fmtMs(checkMany.median), fmtMs((checkMany.median - baseline.median) / 200), ratio(checkMany.median)],
  ]);
}

// 4. Bad input at scale: each run once (they are slow when something is quadratic), capped at 120 s.
if (ONLY.has(4)) {
  const ECHO = 'component echo(text: str) {\n  image: "alpine:3.19"\n  command: ["echo", text]\n}\n';
  // The inputs of bench/hostile.mjs (which times them over several runs, against another tree too).
  const { HOSTILE } = await import('./hostile.mjs');
  const cases = HOSTILE.map(([name, label, text]) => [label, text(), name === 'stray-semicolons' ? ['check', 'build', 'fmt'] : ['check']]);
  const timeCmd = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  /** CPU milliseconds of one run (user + sys, from /usr/bin/time), or undefined without it. */
  const cpuOf = (r) => {
    const m = /^BENCH-CPU ([\d.]+) ([\d.]+)$/m.exec(r.stderr ?? '');
    return m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined;
  };
  // Start-up: the median CPU of `check` on a one-task pipeline, taken from each run to give its work
  // (the goals: 130,000 errors under 1 s, the rest under 2 s).
  const startSrc = join(freshDir('scale-start'), 'ok.kfp');
  writeFileSync(startSrc, ECHO + 'pipeline "p" () {\n  echo("a")\n}\n');
  const startCpus = [];
  for (let i = 0; i < 5 && timeCmd; i++) {
    const r = spawnSync(timeCmd, ['-f', 'BENCH-CPU %U %S', launcher, 'check', startSrc], { cwd: root, encoding: 'utf8' });
    if (cpuOf(r) !== undefined) startCpus.push(cpuOf(r));
  }
  const startCpu = startCpus.length ? median(startCpus) : undefined;
  const rows = [];
  for (const [label, text, commands] of cases) {
    const dir = freshDir('scale');
    const src = join(dir, 'bad.kfp');
    for (const command of commands) {
      writeFileSync(src, text);
      const args = command === 'build' ? ['build', src, '-o', join(dir, 'out')] : command === 'fmt' ? ['fmt', src] : ['check', src];
      const t0 = performance.now();
      // CPU seconds (user + sys, from /usr/bin/time) say what the work costs on a busy machine; wall time does not.
      const r = timeCmd
        ? // timeout(1) kills the whole process group at 120 s: killing /usr/bin/time alone left bin/kfpdsl's node running.
          spawnSync(timeCmd, ['-f', 'BENCH-CPU %U %S', 'timeout', '-s', 'KILL', '120', launcher, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 130_000, killSignal: 'SIGKILL' })
        : spawnSync(launcher, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 120_000, killSignal: 'SIGKILL' });
      const ms = performance.now() - t0;
      const cpuMs = cpuOf(r);
      const cpu = cpuMs !== undefined ? fmtMs(cpuMs) : '-';
      const work = cpuMs !== undefined && startCpu !== undefined ? fmtMs(cpuMs - startCpu) : '-';
      const stderr = (r.stderr ?? '').replace(/^(Command exited with non-zero status \d+|Command terminated by signal 9|BENCH-CPU .*)\n/gm, '');
      const crashed = /Maximum call stack|internal error/.test(stderr) ? ' (crash)' : '';
      // Killed by timeout(1) (status 137, SIGKILL), or by spawnSync's own backstop.
      const killed = r.error !== undefined || (timeCmd !== undefined && r.status === 137);
      const result = killed ? `killed at ${fmtMs(ms)}` : `exit ${r.status}${crashed}`;
      rows.push([label, command, killed ? '> 120 s' : fmtMs(ms), killed ? '-' : cpu, killed ? '-' : work, fmtBytes(Buffer.byteLength(stderr)), String((stderr.match(/^error\[/gm) ?? []).length), result]);
    }
  }
  table('4. bad input at scale: one run each, capped at 120 s', ['input', 'command', 'wall', 'cpu', 'work (cpu - start-up)', 'stderr', 'errors shown', 'result'], rows);
  if (startCpu !== undefined) console.log(`start-up: ${fmtMs(startCpu)} CPU, the median of 5 \`kfpdsl check\` runs on a one-task pipeline`);
}

// 5. What checking the Python in fences costs `check` (bench/python-fences.mjs).
if (ONLY.has(5)) {
  const { benchPythonFences, HEADER } = await import('./python-fences.mjs');
  table('5. kfpdsl check with and without the Python fence checks (overhead from CPU time)', HEADER, await benchPythonFences(RUNS));
}

// 6. The cost of `build --verify` (src/emit/verify.ts: a plain build checks only the schema).
if (ONLY.has(6)) {
  const big = join(freshDir('verify-src'), 'big1000.kfp');
  writeFileSync(big, bigPipeline(1_000));
  const [addPlain, addVerify, bigPlain, bigVerify] = benchAlternating([
    () => kfpdsl('build', 'examples/add.kfp', '-o', freshDir('v')),
    () => kfpdsl('build', 'examples/add.kfp', '-o', freshDir('v'), '--verify'),
    () => kfpdsl('build', big, '-o', freshDir('v')),
    () => kfpdsl('build', big, '-o', freshDir('v'), '--verify'),
  ], { runs: Math.max(3, Math.min(RUNS, 7)), warmups: 1 });
  table('6. kfpdsl build with and without --verify (parse back and compare)', ['input', 'plain', '--verify', 'difference'], [
    ['examples/add.kfp', fmtMs(addPlain.median), fmtMs(addVerify.median), fmtMs(addVerify.median - addPlain.median)],
    ['1,000-task chain', fmtMs(bigPlain.median), fmtMs(bigVerify.median), fmtMs(bigVerify.median - bigPlain.median)],
  ]);
}
