/**
 * fenceProblems, remembered by what it depends on: the fence's text and the function the
 * generated program makes of it. The language server checks a buffer again at each pause in
 * typing, and parsing each fence's Python again (pyright's parser) was most of a component's
 * check; a keystroke outside a fence leaves its text, and so its problems, as they were. The
 * problems are offsets into the fence's program, not the .kfp file, so a fence that moved
 * reuses them. A `kfpdsl check` run sees each fence once and gains nothing, at the cost of one
 * look-up.
 */
import { fenceProblems, type FenceInterface, type FenceReport } from './problems.js';

/** Enough for every fence of a large project; past it, the cache starts again (no order to keep). */
const MAX_ENTRIES = 1000;

const cache = new Map<string, FenceReport>();

/** What the cache did since the process started, for tests that count work instead of timing it. */
export const fenceCacheWork = { hits: 0, misses: 0 };

function keyOf(body: string, iface: FenceInterface): string {
  // Only what fenceProblems reads (problems.ts): an output's other fields change nothing.
  return JSON.stringify([body, iface.componentName, iface.params, iface.valueOutputs.map((o) => [o.name, o.type]), iface.programGlobals, iface.minor]);
}

/** fenceProblems(body, iface), computed once per distinct input. Callers never change what they get. */
export function cachedFenceProblems(body: string, iface: FenceInterface): FenceReport {
  const key = keyOf(body, iface);
  const hit = cache.get(key);
  if (hit) {
    fenceCacheWork.hits++;
    return hit;
  }
  fenceCacheWork.misses++;
  const report = fenceProblems(body, iface);
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, report);
  return report;
}
