// Bundles the CLI into one file: importing chevrotain through its package entry costs
// ~250 ms (hundreds of lodash-es modules); bundled, the whole CLI loads in a few ms.
import { existsSync, readFileSync } from 'node:fs';

// Run as `postinstall`, this also runs where the package is installed from its tarball,
// which ships the bundle but not the sources: nothing to do there.
if (process.argv.includes('--if-sources') && !existsSync(new URL('../src/cli/main.ts', import.meta.url))) process.exit(0);

const { build } = await import('esbuild');

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: [new URL('../src/cli/main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/kfpdsl.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  loader: { '.hbs': 'text' },
  define: { KFPDSL_VERSION: JSON.stringify(pkg.version) },
  // Some bundled CommonJS (handlebars) calls require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __kfpdslRequire } from 'node:module'; const require = __kfpdslRequire(import.meta.url);" },
  logLevel: 'warning',
});
