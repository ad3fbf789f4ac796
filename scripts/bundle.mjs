// Bundles the CLI, because start-up time is most of what a `kfpdsl check` costs:
// importing chevrotain through its package entry alone takes ~250 ms (hundreds of
// lodash-es modules); bundled, the CLI parses in a few ms. Out come:
// - dist/kfpdsl.cjs (+ a V8 code cache, dist/kfpdsl.cache), run by bin/kfpdsl.mjs;
// - dist/kfpdsl.blob, a V8 startup snapshot of the CLI already set up (from
//   dist/kfpdsl-snapshot.cjs), which bin/kfpdsl starts from when this same Node.js runs it.
// The bundles hold every runtime dependency: an installed kfpdsl needs no node_modules.
//
// It runs as `postinstall`. Where there are sources (a clone: npm ci, npm install, pre-commit's
// install of the hooks), it bundles them. In a package installed from its tarball (bundles, no
// sources) it makes only the snapshot and the code cache, which belong to the Node.js that
// installs it, from the shipped bundles: that needs only node, no build tool, no network.
// (Not `prepare`: npm prints its banner on npm pack's stdout, where pre-commit reads the
// tarball's name.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WARM_UP = `component add(a: int, b: int) -> int {
  \`\`\`python
  return a + b
  \`\`\`
}

component show(text: str) {
  image: "alpine:3.19"
  command: ["echo", text]
}

pipeline "warm up" (x: int = 1) {
  s = add(x, 2)
  if s > 2 {
    show("big")
  }
}
`;

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const fromSources = existsSync(join(root, 'src/cli/main.ts'));
if (fromSources) await bundleSources();

async function bundleSources() {
  const { build } = await import('esbuild');
  // Templates arrive precompiled (scripts/hbs-precompile.mjs): the bundle carries only Handlebars' runtime.
  const { hbsPlugin } = await import('./hbs-precompile.mjs');
  const { englishOnlyPlugin } = await import('./english-only.mjs');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const common = {
    bundle: true,
    platform: 'node',
    // CommonJS: a vm.Script (for the code cache) and a snapshot entry must be scripts.
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    plugins: [hbsPlugin, englishOnlyPlugin],
    define: { KFPDSL_VERSION: JSON.stringify(pkg.version) },
    logLevel: 'warning',
  };
  await build({ ...common, entryPoints: [join(root, 'src/cli/index.ts')], outfile: join(dist, 'kfpdsl.cjs') });
  await build({ ...common, entryPoints: [join(root, 'src/cli/snapshot.ts')], outfile: join(dist, 'kfpdsl-snapshot.cjs') });
}

for (const f of readdirSync(dist)) if (f.endsWith('.blob') || f.endsWith('.blob.node') || f.endsWith('.cache') || f === 'kfpdsl.mjs') rmSync(join(dist, f));

// The V8 flags the snapshot is made with and started with (V8 refuses a blob under other flags;
// bin/kfpdsl reads them from kfpdsl.blob.node). --interrupt-budget: V8 optimises a function with
// TurboFan once it has run about this many bytes of bytecode (default 66 KiB). A build is short,
// and TurboFan's compiles cost it more CPU than the optimised code saves: 16 times the default
// took a 1,000-task build from ~610 to ~350 ms CPU and a 5,000-task one from ~1.5 s to ~1.1 s,
// while long runs (100,000 errors) still optimise, a little later. (--no-opt, which never
// optimises, did as well on builds but doubled the time of those long runs.)
const SNAPSHOT_FLAGS = ['--interrupt-budget=1048576'];

// The snapshot is only valid for the Node.js binary that made it: bin/kfpdsl compares that
// binary's path (kfpdsl.blob.node, first line) with its own `node`, without starting node to ask.
const blob = join(dist, 'kfpdsl.blob');
// NODE_NO_WARNINGS: node warns that child_process (which commander loads) is unverified in snapshots; kfpdsl starts no process before main runs.
const snap = spawnSync(process.execPath, [...SNAPSHOT_FLAGS, '--snapshot-blob', blob, '--build-snapshot', join(dist, 'kfpdsl-snapshot.cjs')], { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
if (snap.status !== 0) {
  rmSync(blob, { force: true });
  console.warn('bundle: no startup snapshot could be made; kfpdsl will start from the bundle');
} else {
  writeFileSync(`${blob}.node`, `${process.execPath}\n${SNAPSHOT_FLAGS.join(' ')}\n`);
}

// The code cache is made by running the CLI on a typical input, so that it holds the
// functions compiled during a run (V8 compiles lazily); bin/kfpdsl.mjs writes it. The input is
// written here: an installed package has no examples/.
const out = mkdtempSync(join(tmpdir(), 'kfpdsl-warm-'));
writeFileSync(join(out, 'warm.kfp'), WARM_UP);
const warm = spawnSync(process.execPath, [join(root, 'bin/kfpdsl.mjs'), 'build', join(out, 'warm.kfp'), '-o', join(out, 'out')], {
  env: { ...process.env, KFPDSL_WRITE_CODE_CACHE: join(dist, 'kfpdsl.cache') },
  stdio: 'ignore',
});
rmSync(out, { recursive: true, force: true });
if (warm.status !== 0) console.warn('bundle: warming run failed; bin/kfpdsl.mjs will run without a code cache');
