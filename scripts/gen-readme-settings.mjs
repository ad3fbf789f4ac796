#!/usr/bin/env node
// Writes the README's "Task settings" and "Pipeline settings" tables from the settings
// catalog (src/check/settings-catalog.ts), between the markers
//   <!-- BEGIN GENERATED: task settings (npm run generate) --> … <!-- END GENERATED: task settings -->
// (and the same for pipeline settings), so that the README lists exactly the settings the
// checker knows, with the catalog's documentation.
//
//   node scripts/gen-readme-settings.mjs            rewrite README.md's tables
//   node scripts/gen-readme-settings.mjs --check    exit 1 if they differ
//
// The catalog is TypeScript with no imports: esbuild (already a dev dependency, for the bundle)
// turns it into JavaScript in memory. test/settings-catalog.test.ts checks the README the same way.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CATALOG = 'src/check/settings-catalog.ts';

const begin = (what) => `<!-- BEGIN GENERATED: ${what} settings (npm run generate) -->\n`;
const end = (what) => `<!-- END GENERATED: ${what} settings -->`;

/**
 * The README with its settings tables replaced by `tables` (scope -> markdown).
 * @param {string} readme
 * @param {{ task: string, pipeline: string }} tables
 */
export function withSettingsTables(readme, tables) {
  let out = readme;
  for (const what of ['task', 'pipeline']) {
    const a = out.indexOf(begin(what));
    const b = out.indexOf(end(what));
    if (a < 0 || b < a) throw new Error(`README.md: no ${begin(what).trim()} … ${end(what)} markers`);
    out = out.slice(0, a + begin(what).length) + tables[what] + out.slice(b);
  }
  return out;
}

async function loadCatalog(root) {
  const source = readFileSync(resolve(root, CATALOG), 'utf8');
  const { code } = await transform(source, { loader: 'ts', format: 'esm' });
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

async function main() {
  const catalog = await loadCatalog(repoRoot);
  const tables = { task: catalog.settingsTableMarkdown('task'), pipeline: catalog.settingsTableMarkdown('pipeline') };
  const path = resolve(repoRoot, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const next = withSettingsTables(readme, tables);
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('stale: README.md settings tables (run: npm run generate)');
      process.exitCode = 1;
    }
    return;
  }
  if (next !== readme) writeFileSync(path, next);
  console.log(`README.md: settings tables ${next === readme ? 'already current' : 'written'}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
