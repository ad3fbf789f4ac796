// Bundles the CLI into one file: importing chevrotain through its package entry costs
// ~250 ms (hundreds of lodash-es modules); bundled, the whole CLI loads in a few ms.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

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
