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

/** A report and what its "did you mean" look-ups cost the budget they were made under. */
interface Entry {
  readonly report: FenceReport;
  readonly cells: number;
  readonly evaluations: number;
}

const cache = new Map<string, Entry>();

/** What the cache did since the process started, for tests that count work instead of timing it. */
export const fenceCacheWork = { hits: 0, misses: 0 };

function keyOf(body: string, iface: FenceInterface): string {
  // Only what fenceProblems reads (problems.ts): an output's other fields change nothing.
  return JSON.stringify([body, iface.componentName, iface.params, iface.valueOutputs.map((o) => [o.name, o.type]), iface.programGlobals, iface.minor]);
}

/**
 * fenceProblems(body, iface), computed once per distinct input. Callers never change what they get.
 * A check run shares one suggestion budget (src/diagnostics/suggest.ts): a hit charges it what the
 * report cost when it was made, and when the budget left could not have paid for that, the fence is
 * checked afresh, so a cached report never carries a hint the run's budget would have refused.
 */
export function cachedFenceProblems(body: string, iface: FenceInterface): FenceReport {
  const key = keyOf(body, iface);
  const budget = iface.suggestions;
  const hit = cache.get(key);
  if (hit && (!budget || (hit.cells === 0 && hit.evaluations === 0) || budget.cells + hit.cells <= budget.limit)) {
    fenceCacheWork.hits++;
    if (budget) {
      budget.cells += hit.cells;
      budget.evaluations += hit.evaluations;
    }
    return hit.report;
  }
  fenceCacheWork.misses++;
  const cells = budget?.cells ?? 0;
  const evaluations = budget?.evaluations ?? 0;
  const report = fenceProblems(body, iface);
  if (cache.size >= MAX_ENTRIES) cache.clear();
  // A report made with the budget already spent may lack hints a fresh budget would give: not kept.
  if (!budget?.spent) cache.set(key, { report, cells: (budget?.cells ?? 0) - cells, evaluations: (budget?.evaluations ?? 0) - evaluations });
  return report;
}
