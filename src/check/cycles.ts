/** Dependency cycles among tasks, found with an explicit stack so that long chains cannot exhaust the call stack. */
import type { Span } from '../source.js';

export type Edges = ReadonlyMap<string, readonly { to: string; span: Span }[]>;

/** Calls `report` once per distinct cycle with its tasks (first repeated last) and the edge that closes it. */
export function findCycles(tasks: Iterable<string>, edges: Edges, report: (cycle: string[], span: Span) => void): void {
  const state = new Map<string, 1 | 2>();
  const reported = new Set<string>();
  for (const start of tasks) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const iters = [(edges.get(start) ?? [])[Symbol.iterator]()];
    state.set(start, 1);
    while (iters.length > 0) {
      const step = iters[iters.length - 1]!.next();
      if (step.done) {
        state.set(path.pop()!, 2);
        iters.pop();
        continue;
      }
      const e = step.value;
      const st = state.get(e.to);
      if (st === 1) {
        const cycle = [...path.slice(path.indexOf(e.to)), e.to];
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          report(cycle, e.span);
        }
      } else if (st === undefined) {
        state.set(e.to, 1);
        path.push(e.to);
        iters.push((edges.get(e.to) ?? [])[Symbol.iterator]());
      }
    }
  }
}
