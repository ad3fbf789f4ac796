/** See chain.mjs. */
export function bigPipeline(n: number): string;
