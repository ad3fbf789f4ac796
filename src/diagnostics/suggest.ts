/** "did you mean …?" suggestions: the closest candidates by edit distance, as graphql-js does. */

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[n]!;
}

/** Candidates within a distance proportional to the input's length, closest first. */
export function suggestionList(input: string, candidates: Iterable<string>): string[] {
  const threshold = Math.floor(input.length * 0.4) + 1;
  const scored: [string, number][] = [];
  const lower = input.toLowerCase();
  for (const c of candidates) {
    const d = lower === c.toLowerCase() ? 0.5 : levenshtein(input, c);
    if (d <= threshold) scored.push([c, d]);
  }
  scored.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return scored.map(([c]) => c);
}

export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const list = suggestionList(input, candidates).slice(0, 3);
  if (list.length === 0) return undefined;
  if (list.length === 1) return `did you mean \`${list[0]}\`?`;
  return `did you mean ${list.slice(0, -1).map((s) => `\`${s}\``).join(', ')} or \`${list[list.length - 1]}\`?`;
}
