import { defineConfig } from 'vitest/config';
// @ts-expect-error: a plain .mjs script, shared with scripts/bundle.mjs
import { precompileModule } from './scripts/hbs-precompile.mjs';
import { HANG_CAP_MS } from './test/support/caps.js';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The version the bundle bakes in (scripts/bundle.mjs), so that output headers match the binary's.
  define: { KFPDSL_VERSION: JSON.stringify(pkg.version) },
  plugins: [
    {
      // Handlebars templates are imported precompiled, as scripts/bundle.mjs does for the bundle.
      name: 'hbs-precompile',
      transform(code, id) {
        if (id.endsWith('.hbs')) return { code: (precompileModule as (text: string) => string)(code), map: null };
        return undefined;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // Most test files spend their time waiting on the processes they start (the CLI, python3,
    // pre-commit): three workers keep a 2-core machine busy (measured idle: 379 s with four,
    // 468 s with vitest's default for 2 cores; the figures in README's Quick start).
    maxWorkers: 3,
    // The default report, then every skipped test with the reason it gives.
    reporters: ['default', './test/support/skipped-reporter.ts'],
    // A cap that only a real hang reaches (test/support/caps.ts), never a busy machine.
    testTimeout: HANG_CAP_MS,
    hookTimeout: HANG_CAP_MS,
    // Every build in a test, the CLI's included, parses its output back and compares (src/emit/verify.ts).
    env: { KFPDSL_VERIFY: '1' },
  },
});
