// The Python parser (@zzzen/pyright-internal) requires its messages in 15 languages
// (1.5 MB); kfpdsl shows them in English only (src/check/python/pyright.ts sets the
// locale), so the bundle carries the English strings and an empty table for the others.
const LOCALES = /[\\/]localization[\\/]package\.nls\.[\w-]+\.json$/; // Go regexps: no look-ahead

/** The esbuild plugin that empties Pyright's non-English message tables (scripts/bundle.mjs). */
export const englishOnlyPlugin = {
  name: 'pyright-english-only',
  setup(build) {
    build.onLoad({ filter: LOCALES }, (args) => (/package\.nls\.en-us\.json$/.test(args.path) ? undefined : { contents: '{}', loader: 'json' }));
  },
};
