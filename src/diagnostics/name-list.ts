/**
 * Names listed in a message or hint ("its inputs are `a`, `b`"), at most LISTED_NAMES of them
 * and a count of the rest: a component of 100,000 inputs called wrongly 100,000 times would
 * otherwise print (and build) every name in every diagnostic, 10^10 characters.
 */

export const LISTED_NAMES = 10;

/** `a`, `b`, `c`, each as `show` writes it; past LISTED_NAMES, `… and 9,990 more` (the rest are not read). */
export function listNames<T>(items: readonly T[], show: (item: T) => string = (n) => `\`${String(n)}\``): string {
  const shown = items.slice(0, LISTED_NAMES).map(show).join(', ');
  return items.length <= LISTED_NAMES ? shown : `${shown} … and ${(items.length - LISTED_NAMES).toLocaleString('en-US')} more`;
}

/**
 * A path or cycle (`a` → `b` → `a`), at most LISTED_NAMES steps: past that its first ones,
 * a count, and its last, which closes a cycle. A cycle of 10,000 tasks printed 99 KB.
 */
export function listPath(items: readonly string[], show: (item: string) => string = (n) => `\`${n}\``): string {
  if (items.length <= LISTED_NAMES) return items.map(show).join(' → ');
  const head = items.slice(0, LISTED_NAMES - 1).map(show);
  return [...head, `… ${(items.length - LISTED_NAMES).toLocaleString('en-US')} more …`, show(items.at(-1)!)].join(' → ');
}
