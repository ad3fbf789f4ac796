/** Handlebars templates are imported precompiled (scripts/hbs-precompile.mjs, used by the bundler and by vitest). */
declare module '*.hbs' {
  import type { TemplateSpecification } from 'handlebars';
  const spec: TemplateSpecification;
  export default spec;
}
