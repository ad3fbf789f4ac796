#!/usr/bin/env node
// In-process timings of the compiler's phases on generated chains (the same pipelines as
// bench/bench.mjs section 2): lex+parse, check, IR schema, shape+lower, limits, render,
// schema check of the output. Each size runs in a fresh process that first compiles a small
// warm-up file (as the CLI's start-up snapshot does), so the first timed run is what one
// `kfpdsl build` pays; later runs show what a warm JIT pays.
//
//   node bench/phases.mjs [sizes...]       (default: 1000 5000)
//   PHASES_NODE_FLAGS="--no-opt" node bench/phases.mjs   (node/V8 flags for the timed process;
//   by default the ones the CLI's snapshot runs with, from dist/kfpdsl.blob.node, if any)
//
// What it showed (2 loaded cores, Node 20): a first run pays mostly for a cold JIT, not for
// algorithms: the same phases run warm take a third to a tenth of it, and CPU time includes
// TurboFan's background compiles and the GC. `--no-opt` cut first-run CPU from 657 to 324 ms
// at 1,000 tasks and from 2,215 to 1,550 ms at 5,000 (medians of 5 and 3 alternating
// runs); the start-up snapshot would have to be built with the same flag (V8 refuses a blob
// made with other flags: exit 14), and large inputs would run without optimised code.
// What was done instead (scripts/bundle.mjs): the snapshot runs with --interrupt-budget at 16
// times V8's default, so that TurboFan starts later: 1,000 tasks 369 -> 171 ms CPU in total here
// (first run), 5,000 tasks 1,222 -> 851 ms, and long runs still get optimised code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigPipeline } from './chain.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

const WARM_UP = 'component add(a: int, b: int) -> int {\n  ```python\n  return a + b\n  ```\n}\n\ncomponent show(text: str) {\n  image: "alpine:3.19"\n  command: ["echo", text]\n}\n\npipeline "warm up" (x: int = 1) {\n  s = add(x, 2)\n  if s > 2 {\n    show("big")\n  }\n}\n';

async function child(n, runs) {
  const m = await import(process.env.PHASES_BUNDLE);
  const time = (phases, name, f) => {
    // CPU time, not wall: the machine is shared and wall time swings with its load.
    const t0 = process.cpuUsage();
    const r = f();
    const d = process.cpuUsage(t0);
    phases[name] = (phases[name] ?? 0) + (d.user + d.system) / 1000;
    return r;
  };
  const once = (text, path) => {
    const ph = {};
    const file = new m.SourceFile(path, text);
    const parsed = time(ph, 'parse', () => m.parseSource(file));
    if (parsed.diagnostics.length) throw new Error(JSON.stringify(parsed.diagnostics[0]));
    const checked = time(ph, 'check', () => m.check(parsed.document, { root: '/', host: m.fsHost }));
    time(ph, 'ir schema', () => m.validateIrProgram(checked.program));
    const specs = new Map();
    for (const c of checked.program.components) specs.set(c.name, time(ph, 'lower', () => m.componentSpec(c, { sourcePath: 'x.kfp' })));
    for (const ir of checked.program.pipelines) {
      const lowering = time(ph, 'lower', () => new m.WorkflowLowering(m.shapePipeline(ir), checked.program.components, specs, 'kfp'));
      const wf = time(ph, 'lower', () => lowering.lower());
      time(ph, 'limits', () => m.checkLimits(file, checked.program, ir.nameOrigin, wf, checked.files));
      const taskLines = new Map([...lowering.taskOrigins].map(([task, span]) => [task, file.positionAt(span.start).line]));
      time(ph, 'render', () => m.renderWorkflow(wf, { path: 'x.kfp', taskLines }));
      time(ph, 'out schema', () => m.argoSchemaErrors(wf));
    }
    ph.total = Object.values(ph).reduce((a, b) => a + b, 0);
    return ph;
  };
  once(WARM_UP, '/tmp/warm.kfp');
  const text = bigPipeline(n);
  const rows = [];
  for (let i = 0; i < runs; i++) rows.push(once(text, '/tmp/big.kfp'));
  process.stdout.write(JSON.stringify(rows));
}

if (process.env.PHASES_BUNDLE) {
  await child(Number(process.argv[2]), Number(process.argv[3]));
} else {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  const work = mkdtempSync(join(tmpdir(), 'kfpdsl-phases-'));
  try {
    const { build } = await import('esbuild');
    const { hbsPlugin } = await import('../scripts/hbs-precompile.mjs');
    const bundle = join(work, 'phases.mjs');
    await build({ entryPoints: [join(root, 'bench/phases-entry.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', plugins: [hbsPlugin], define: { KFPDSL_VERSION: '"bench"' }, logLevel: 'warning', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
    const fmt = (x) => x.toFixed(1).padStart(7);
    // The V8 flags `kfpdsl` runs with (the second line of dist/kfpdsl.blob.node), unless PHASES_NODE_FLAGS says otherwise.
    const made = join(root, 'dist/kfpdsl.blob.node');
    const flags = process.env.PHASES_NODE_FLAGS ?? (existsSync(made) ? (readFileSync(made, 'utf8').split('\n')[1] ?? '') : '');
    console.log(`V8 flags: ${flags || '(none)'}`);
    for (const n of sizes.length ? sizes : [1000, 5000]) {
      const r = spawnSync(process.execPath, [...flags.split(' ').filter(Boolean), fileURLToPath(import.meta.url), String(n), '4'], { env: { ...process.env, PHASES_BUNDLE: bundle }, encoding: 'utf8', maxBuffer: 1 << 28 });
      if (r.status !== 0) throw new Error(r.stderr);
      const rows = JSON.parse(r.stdout);
      const names = Object.keys(rows[0]);
      console.log(`\n${n} tasks, CPU ms per phase: first run (as one build pays) and later runs (warm JIT)`);
      console.log('phase       ' + rows.map((_, i) => `  run ${i + 1}`).join(''));
      for (const k of names) console.log(k.padEnd(12) + rows.map((row) => fmt(row[k])).join(''));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
