/**
 * No test measures speed (that is bench/'s job): the machine is shared, and a busy one must not
 * fail the suite. A hang is still caught, by one cap so generous that only a real hang reaches
 * it: vitest's test and hook timeouts (vitest.config.ts) and every process a test spawns.
 * Under heavy load a test that takes 2 s on an idle machine has taken 100 s.
 */
export const HANG_CAP_MS = 300_000;
