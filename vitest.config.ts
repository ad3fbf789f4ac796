import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      // Handlebars templates are imported as text, as esbuild's text loader does for the bundle.
      name: 'hbs-as-text',
      transform(code, id) {
        if (id.endsWith('.hbs')) return { code: `export default ${JSON.stringify(code)};`, map: null };
        return undefined;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
