#!/usr/bin/env node
// Issue 17, item 5: what bad input at scale costs `kfpdsl check`. The inputs are made here
// (bench/bench.mjs section 4 runs the same ones once each).
//
//   node bench/hostile.mjs [--runs N] [--only NAME,...] [--against DIR]
//       each input's `kfpdsl check`, N runs (default 3): median CPU (user + sys, from
//       /usr/bin/time) and wall, and the work (CPU less a one-task check's, the start-up).
//       --against DIR: also DIR/bin/kfpdsl (another checkout, e.g. a worktree of main with
//       dist/ built), run by run in turn with this one so that the machine's load hits both
//       alike, and the ratio of the works.
//   node bench/hostile.mjs --write DIR       writes the inputs as DIR/<name>.kfp
//   node bench/hostile.mjs --profile NAME    `node --cpu-prof` of an unminified bundle on one
//       input: the functions taking the most time, by self and total time
//
// Goals (the issue): 130,000 errors in under 1 s of work, each of the others under 2 s, and no
// step worse than linear (bench/bench.mjs section 4 and test/scale.test.ts check the output).
// CPU time is the figure on a shared machine: wall time swings with other jobs' load.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

const ADD = 'component add(a: int, b: int) -> int {\n  ```python\n  return a + b\n  ```\n}\n';
const ECHO = 'component echo(text: str) {\n  image: "alpine:3.19"\n  command: ["echo", text]\n}\n';
const container = (name) => `component ${name}() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n`;
const range = (n, f) => Array.from({ length: n }, (_, i) => f(i)).join('');

/** [name, what it is, text]: the rows of issue 17 item 5, then the inputs that were quadratic past them. */
export const HOSTILE = [
  ['errors-one-line', '100,000 errors on one line', () => '; '.repeat(100_000) + '\n'],
  ['errors-lines', '100,000 errors on 100,000 lines', () => ';\n'.repeat(100_000)],
  ['stray-semicolons', '130,000 stray `;`', () => ';\n'.repeat(130_000)],
  ['type-errors', '32,000 type errors on one line', () => ADD + 'pipeline "p" () {' + ' add("a", "b")'.repeat(16_000) + ' }\n'],
  ['unknown-calls', '100,000 calls of an unknown component', () => 'pipeline "p" () {\n' + '  nope(1)\n'.repeat(100_000) + '}\n'],
  ['components', '100,000 components (one called)', () => range(100_000, (i) => container(`c${i}`)) + 'pipeline "p" () {\n  c0()\n}\n'],
  ['arguments', 'a call with 100,000 arguments', () => ECHO + 'pipeline "p" () {\n  echo(' + '"a", '.repeat(100_000) + '"a")\n}\n'],
  // Every unknown name compared with every component: 36 million edit distances before the budget.
  ['misspelt', '6,000 misspelt calls among 6,000 components', () => range(6_000, (i) => container(`comp${i}`)) + 'pipeline "p" () {\n' + range(6_000, (i) => `  cmop${i}()\n`) + '}\n'],
  // Each unknown name and `after` compared with every task's name (main: killed at 100 s).
  ['misspelt-references', '10,000 tasks, 10,000 misspelt references and `after` names', () => ADD.replace('add(a: int, b: int)', 'inc(a: int, b: int)') + 'pipeline "p" () {\n' + range(10_000, (i) => `  t${i} = inc(${i}, 1)\n`) + range(10_000, (i) => `  inc(tt${i}, 1) after tx${i}\n`) + '}\n'],
  // Each undefined Python name compared with every name the fence defines (main: 18 s).
  ['python-names', 'a fence of 4,000 assignments and 4,000 misspelt reads', () => `component f() {\n  \`\`\`python\n${range(4_000, (i) => `  value${i} = ${i}\n`)}${range(4_000, (i) => `  print(valeu${i})\n`)}  \`\`\`\n}\npipeline "p" () {\n  f()\n}\n`],
  // Each problem's line found by a scan from the fence's first line (main: 13 s).
  ['python-undefined', 'a fence of 100,000 lines, each reading an undefined name', () => `component f() {\n  \`\`\`python\n${range(100_000, (i) => `  print(u${i})\n`)}  \`\`\`\n}\npipeline "p" () {\n  f()\n}\n`],
  // Each parameter looked up in the list of all (main: over a minute).
  ['pipeline-parameters', 'a pipeline of 100,000 unused parameters', () => ADD + `pipeline "p" (${range(100_000, (i) => `${i ? ', ' : ''}p${i}: int = 1`)}) {\n  add(1, 2)\n}\n`],
  // Each `after` name looked up in the list so far (main: 17 s).
  ['after-many', 'one task after 100,000 others', () => container('t') + `pipeline "p" () {\n${range(100_000, (i) => `  t${i} = t()\n`)}  t() after ${range(100_000, (i) => `${i ? ', ' : ''}t${i}`)}\n}\n`],
  // Each argument looked up, and each hint listing, over all 20,000 inputs.
  ['wide-component', 'a component of 20,000 inputs, 20,000 unknown named arguments', () => `component big(${range(20_000, (i) => `${i ? ', ' : ''}i${i}: int`)}) {\n  image: "alpine:3.19"\n  command: ["true"]\n}\npipeline "p" () {\n  big(${range(20_000, (i) => `${i ? ', ' : ''}zzzzzzzzzzzz${i}: 1`)})\n  big()\n}\n`],
];

function option(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtMs = (ms) => (Number.isNaN(ms) ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** One `check` of `src` by the kfpdsl under `tree`: { wall, cpu } in ms, and its exit status. */
function timeCheck(tree, src) {
  const t0 = performance.now();
  // timeout(1) kills the command's whole process group at 120 s: bin/kfpdsl is a shell script
  // whose node would outlive a kill of the shell alone.
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCH-CPU %U %S', 'timeout', '-s', 'KILL', '120', join(tree, 'bin', 'kfpdsl'), 'check', src], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 130_000, killSignal: 'SIGKILL' });
  const wall = performance.now() - t0;
  const m = /^BENCH-CPU ([\d.]+) ([\d.]+)$/m.exec(r.stderr ?? '');
  // Killed at 120 s (wall): no CPU figure, and `killed` in the exit column.
  if (r.error || !m || r.status === 137) return { wall, cpu: NaN, status: 'killed' };
  return { wall, cpu: (Number(m[1]) + Number(m[2])) * 1000, status: r.status };
}

async function profile(name) {
  const row = HOSTILE.find(([n]) => n === name);
  if (!row) throw new Error(`no input ${name}: ${HOSTILE.map(([n]) => n).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-hostile-prof-'));
  try {
    const { build } = await import('esbuild');
    const { hbsPlugin } = await import('../scripts/hbs-precompile.mjs');
    const { englishOnlyPlugin } = await import('../scripts/english-only.mjs');
    const bundle = join(dir, 'kfpdsl.cjs');
    // Unminified, with names: the profile names the functions of src/.
    await build({ bundle: true, platform: 'node', format: 'cjs', target: 'node20', keepNames: true, plugins: [hbsPlugin, englishOnlyPlugin], define: { KFPDSL_VERSION: '"bench"' }, logLevel: 'warning', entryPoints: [join(root, 'src/cli/index.ts')], outfile: bundle });
    const src = join(dir, `${name}.kfp`);
    writeFileSync(src, row[2]());
    const flags = existsSync(join(root, 'dist/kfpdsl.blob.node')) ? readFileSync(join(root, 'dist/kfpdsl.blob.node'), 'utf8').split('\n')[1].split(' ').filter(Boolean) : [];
    spawnSync(process.execPath, [...flags, '--cpu-prof', '--cpu-prof-dir', dir, bundle, 'check', src], { stdio: ['ignore', 'ignore', 'ignore'] });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
    const self = new Map();
    const total = new Map();
    let all = 0;
    p.samples.forEach((id, i) => {
      const dt = p.timeDeltas[i] ?? 0;
      all += dt;
      let n = byId.get(id);
      self.set(key(n), (self.get(key(n)) ?? 0) + dt);
      const seen = new Set();
      for (; n; n = parent.get(n.id)) if (!seen.has(key(n))) seen.add(key(n)) && total.set(key(n), (total.get(key(n)) ?? 0) + dt);
    });
    const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, t]) => `${fmtMs(t / 1000).padStart(8)} ${((100 * t) / all).toFixed(1).padStart(5)}%  ${k}`).join('\n');
    console.log(`${row[1]}: ${fmtMs(all / 1000)} sampled\n\nself time\n${top(self)}\n\ntotal time\n${top(total)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (option('--profile')) return profile(option('--profile'));
  const only = option('--only')?.split(',');
  const rows = HOSTILE.filter(([n]) => !only || only.includes(n));
  if (option('--write')) {
    mkdirSync(option('--write'), { recursive: true });
    for (const [name, , text] of rows) writeFileSync(join(option('--write'), `${name}.kfp`), text());
    return;
  }
  if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time for CPU times');
  const runs = Number(option('--runs') ?? 3);
  const trees = [root, ...(option('--against') ? [resolve(option('--against'))] : [])];
  const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-hostile-'));
  try {
    const startSrc = join(dir, 'one-task.kfp');
    writeFileSync(startSrc, ECHO + 'pipeline "p" () {\n  echo("a")\n}\n');
    const start = trees.map(() => []);
    for (let i = 0; i < 5; i++) trees.forEach((t, k) => start[k].push(timeCheck(t, startSrc).cpu));
    const startCpu = start.map(median);
    console.log(`start-up (CPU of a one-task check, median of 5): ${trees.map((t, k) => `${t === root ? 'this tree' : t} ${fmtMs(startCpu[k])}`).join(', ')}`);
    const header = ['input', ...trees.flatMap((t) => (t === root ? ['cpu', 'wall', 'work'] : ['cpu (against)', 'wall (against)', 'work (against)'])), ...(trees.length > 1 ? ['work ratio'] : []), 'exit'];
    const out = [header];
    for (const [name, label, text] of rows) {
      const src = join(dir, `${name}.kfp`);
      writeFileSync(src, text());
      const times = trees.map(() => []);
      let status;
      // Alternating, run by run: a change in the machine's load hits both trees alike.
      for (let i = 0; i < runs; i++) trees.forEach((t, k) => { const r = timeCheck(t, src); times[k].push(r); status = r.status; });
      const cells = [label];
      const works = [];
      times.forEach((ts, k) => {
        const cpu = median(ts.map((x) => x.cpu));
        works.push(cpu - startCpu[k]);
        cells.push(fmtMs(cpu), fmtMs(median(ts.map((x) => x.wall))), fmtMs(cpu - startCpu[k]));
      });
      if (trees.length > 1) cells.push(works.some(Number.isNaN) ? '-' : `${(works[0] / works[1]).toFixed(2)}x`);
      cells.push(String(status));
      out.push(cells);
      console.error(`  ${label}: done`);
    }
    const widths = header.map((_, c) => Math.max(...out.map((r) => r[c].length)));
    for (const [i, r] of out.entries()) {
      console.log(r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  '));
      if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    }
    console.log(`${runs} runs each, medians; work = CPU less the start-up; node ${process.version}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run, not imported (bench/bench.mjs section 4 imports HOSTILE).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
