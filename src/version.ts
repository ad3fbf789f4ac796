/** kfpdsl's version, from package.json: baked in by the bundler (scripts/bundle.mjs) and by vitest.config.ts. */
declare const KFPDSL_VERSION: string | undefined;

export const VERSION: string = typeof KFPDSL_VERSION === 'string' ? KFPDSL_VERSION : '0.0.0-dev';
