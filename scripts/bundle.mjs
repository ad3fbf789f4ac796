// Bundles the CLI, because start-up time is most of what a `kfpdsl check` costs:
// importing chevrotain through its package entry alone takes ~250 ms (hundreds of
// lodash-es modules); bundled, the CLI parses in a few ms. Two artefacts come out:
// - dist/kfpdsl.cjs (+ a V8 code cache, dist/kfpdsl.cache), run by bin/kfpdsl.mjs;
// - dist/kfpdsl.blob, a V8 startup snapshot of the CLI already set up,
//   which bin/kfpdsl starts from when it was made by the same Node.js.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Run as `postinstall`, this also runs where the package is installed from its tarball,
// which ships the bundle but not the sources: nothing to do there.
if (process.argv.includes('--if-sources') && !existsSync(new URL('../src/cli/main.ts', import.meta.url))) process.exit(0);

const { build } = await import('esbuild');
// Templates arrive precompiled (scripts/hbs-precompile.mjs): the bundle carries only Handlebars' runtime.
const { hbsPlugin } = await import('./hbs-precompile.mjs');
const { englishOnlyPlugin } = await import('./english-only.mjs');
const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
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

for (const f of readdirSync(dist)) if (f.endsWith('.blob') || f.endsWith('.blob.node') || f.endsWith('.cache') || f === 'kfpdsl.mjs') rmSync(join(dist, f));

// The snapshot is only valid for the Node.js binary that made it: bin/kfpdsl compares that
// binary's path (kfpdsl.blob.node) with its own `node`, without starting node to ask.
const blob = join(dist, 'kfpdsl.blob');
// NODE_NO_WARNINGS: node warns that child_process (which commander loads) is unverified in snapshots; kfpdsl starts no process before main runs.
const snap = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', join(dist, 'kfpdsl-snapshot.cjs')], { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
if (snap.status !== 0) {
  rmSync(blob, { force: true });
  console.warn('bundle: no startup snapshot could be made; kfpdsl will start from the bundle');
} else {
  writeFileSync(`${blob}.node`, `${process.execPath}\n`);
}

// The code cache is made by running the CLI on a typical input, so that it holds the
// functions compiled during a run (V8 compiles lazily); bin/kfpdsl.mjs writes it.
const out = mkdtempSync(join(tmpdir(), 'kfpdsl-warm-'));
const warm = spawnSync(process.execPath, [join(root, 'bin/kfpdsl.mjs'), 'build', join(root, 'examples/add.kfp'), '-o', out], {
  env: { ...process.env, KFPDSL_WRITE_CODE_CACHE: join(dist, 'kfpdsl.cache') },
  stdio: 'ignore',
});
rmSync(out, { recursive: true, force: true });
if (warm.status !== 0) console.warn('bundle: warming run failed; bin/kfpdsl.mjs will run without a code cache');
