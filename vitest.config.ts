import { defineConfig } from 'vitest/config';
// @ts-expect-error: a plain .mjs script, shared with scripts/bundle.mjs
import { precompileModule } from './scripts/hbs-precompile.mjs';
import { HANG_CAP_MS } from './test/support/caps.js';

export default defineConfig({
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
    // The default report, then every skipped test with the reason it gives.
    reporters: ['default', './test/support/skipped-reporter.ts'],
    // A cap that only a real hang reaches (test/support/caps.ts), never a busy machine.
    testTimeout: HANG_CAP_MS,
    hookTimeout: HANG_CAP_MS,
  },
});
