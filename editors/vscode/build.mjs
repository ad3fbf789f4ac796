// Bundles the extension's client (src/extension.ts with vscode-languageclient) into one
// CommonJS file, dist/extension.js, so that the .vsix carries no node_modules. `vscode` is
// the editor's own module, provided at run time. Run by `vsce package` (vscode:prepublish).
//
//   node build.mjs [outfile]     (default: dist/extension.js)
import { build } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Bundles the client into `outfile`; resolves when it is written. */
export async function bundleExtension(outfile = resolve(here, 'dist/extension.js')) {
  await build({
    entryPoints: [resolve(here, 'src/extension.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // VS Code 1.91 (the oldest that vscode-languageclient 11 supports) runs extensions on Node.js 20.
    target: 'node20',
    external: ['vscode'],
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleExtension(process.argv[2] ? resolve(process.argv[2]) : undefined);
