// Handlebars templates are precompiled when the CLI is bundled (and when tests load
// them), so that kfpdsl ships only Handlebars' runtime: no template compiler, no
// source-map library, less to load on every start. The options are the ones the
// templates are written for: `strict` (a missing field throws instead of rendering
// empty), `noEscape` (no HTML entities), `data: false` (no @index frames: the templates use none,
// and each loop iteration then costs less), and only the YAML-writing helpers of src/lower/render.ts.
import Handlebars from 'handlebars';

export const HBS_OPTIONS = { strict: true, noEscape: true, data: false, knownHelpers: { value: true, item: true, key: true, comment: true, present: true }, knownHelpersOnly: true };

/** The JavaScript module text for one template: its precompiled spec as the default export. */
export function precompileModule(text) {
  return `export default ${Handlebars.precompile(text, HBS_OPTIONS)};\n`;
}

/** The esbuild plugin that loads `.hbs` imports precompiled (scripts/bundle.mjs, scripts/fuzz.mjs). */
export const hbsPlugin = {
  name: 'hbs-precompile',
  setup(build) {
    build.onLoad({ filter: /\.hbs$/ }, async (args) => {
      const { readFileSync } = await import('node:fs');
      return { contents: precompileModule(readFileSync(args.path, 'utf8')), loader: 'js' };
    });
  },
};
