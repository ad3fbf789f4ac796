/**
 * "did you mean …?" suggestions: the closest candidates by edit distance, as graphql-js does.
 *
 * Hostile input makes this quadratic: 6,000 misspelt calls among 6,000 components compare
 * 36 million pairs (32 s of CPU). Two things bound it. The edit distance stops as soon as the
 * candidate is out of reach (a band around the diagonal, and an early exit when a whole row is
 * over the threshold), and a check run shares one budget of table cells: once it is spent, the
 * remaining unknown names get no suggestion (their diagnostics keep every other word). A check
 * runs in source order, so the first errors, the ones printed under --max-errors, keep theirs,
 * and the same input always gets the same hints.
 */

/** Table cells a check run may spend on suggestions: about 0.1 s; 6,000 unknown names among 6,000 short ones get about 140 suggestions. */
export const SUGGESTION_CELLS = 40_000_000;

/** Work done by every look-up of this process, budgeted or not (the tests bound it: a quadratic regression fails without a clock). */
export const suggestionWork = { lookups: 0, evaluations: 0, cells: 0 };

/** What looking at one candidate costs, in cells, besides its edit distance's. */
const CANDIDATE_CELLS = 8;

/** What suggestions may still cost, and what they cost so far (counted, so tests can bound the work without a clock). */
export class SuggestionBudget {
  /** Edit distances computed (one per candidate looked at). */
  evaluations = 0;
  /** Cells of the edit-distance tables filled. */
  cells = 0;
  constructor(readonly limit: number = SUGGESTION_CELLS) {}
  get spent(): boolean {
    return this.cells >= this.limit;
  }
}

/** Two rows of the edit-distance table, reused by every look-up (grown to the longest candidate). */
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** The edit distance of `a` and `b` if it is at most `max`; otherwise any number above `max`. */
export function boundedLevenshtein(a: string, b: string, max: number, budget?: SuggestionBudget): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > max) return max + 1;
  if (rowA.length < n + 2) {
    rowA = new Int32Array(2 * n + 2);
    rowB = new Int32Array(2 * n + 2);
  }
  // Row i holds the distances of a[0..i) to b[0..j); only j within `max` of i can be <= max,
  // and a cell outside that band reads as max + 1.
  let prev = rowA;
  let cur = rowB;
  const top = Math.min(n, max);
  for (let j = 0; j <= top; j++) prev[j] = j;
  if (top < n) prev[top + 1] = max + 1;
  let cells = top + 1;
  let result = -1;
  for (let i = 1; i <= m && result < 0; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(n, i + max);
    cur[lo - 1] = lo === 1 ? i : max + 1;
    let rowMin = cur[lo - 1]!;
    const ai = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const up = j <= i - 1 + max ? prev[j]! : max + 1;
      const diagonal = prev[j - 1]! + (ai === b.charCodeAt(j - 1) ? 0 : 1);
      const left = cur[j - 1]!;
      const v = Math.min(up + 1, left + 1, diagonal);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < n) cur[hi + 1] = max + 1;
    cells += hi - lo + 1;
    // Every path to the last cell crosses this row: once all of it is over `max`, so is the distance.
    if (rowMin > max) result = max + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  suggestionWork.cells += cells;
  if (budget) budget.cells += cells;
  return result >= 0 ? result : prev[n]!;
}

/** The plain edit distance (tests and small lists). */
export function levenshtein(a: string, b: string): number {
  return boundedLevenshtein(a, b, Math.max(a.length, b.length));
}

/**
 * Candidates within a distance proportional to the input's length, closest first. With a
 * budget, a look-up the budget cannot finish suggests nothing (rather than the best of a part
 * of the candidates), and once it is spent no candidate is looked at.
 */
export function suggestionList(input: string, candidates: Iterable<string>, budget?: SuggestionBudget): string[] {
  suggestionWork.lookups++;
  if (budget?.spent) return [];
  const threshold = Math.floor(input.length * 0.4) + 1;
  const scored: [string, number][] = [];
  const lower = input.toLowerCase();
  for (const c of candidates) {
    suggestionWork.evaluations++;
    if (budget) {
      if (budget.spent) return [];
      budget.evaluations++;
      // A candidate out of reach costs too (the loop, the length test): a flood of them is paid for.
      budget.cells += CANDIDATE_CELLS;
      // One pair of long names could cost more than the whole budget (100,000 characters each:
      // 10^10 cells): a candidate the rest of the budget could not pay for is not suggested.
      if (Math.abs(c.length - input.length) <= threshold && input.length * Math.min(c.length + 1, 2 * threshold + 1) > budget.limit - budget.cells) continue;
    }
    // Out of reach by length alone: neither lower-cased nor compared (only letters outside ASCII
    // change length when lower-cased, never by 40% of a name).
    if (Math.abs(c.length - input.length) > threshold) continue;
    const d = lower === c.toLowerCase() ? 0.5 : boundedLevenshtein(input, c, threshold, budget);
    if (d <= threshold) scored.push([c, d]);
  }
  scored.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return scored.map(([c]) => c);
}

export function didYouMean(input: string, candidates: Iterable<string>, budget?: SuggestionBudget): string | undefined {
  const list = suggestionList(input, candidates, budget).slice(0, 3);
  if (list.length === 0) return undefined;
  if (list.length === 1) return `did you mean \`${list[0]}\`?`;
  return `did you mean ${list.slice(0, -1).map((s) => `\`${s}\``).join(', ')} or \`${list[list.length - 1]}\`?`;
}

/** Several candidate lists as one, without copying them (a look-up with a spent budget reads none). */
export function* allOf<T>(...lists: Iterable<T>[]): Iterable<T> {
  for (const l of lists) yield* l;
}
