/**
 * Rule: the task graph has no cycle. Every rule that makes one task depend on another
 * (an argument, `after`, a mount, a manifest reference) records the edge here, with the
 * span that made it; the cycle check runs once the whole pipeline is resolved.
 */
import type { Span } from '../source.js';
import { listPath } from '../diagnostics/name-list.js';
import { findCycles } from './cycles.js';
import type { PipelineState } from './pipeline-state.js';

export function edge(ps: PipelineState, from: string, to: string, span: Span): void {
  const list = ps.edges.get(from) ?? [];
  list.push({ to, span });
  ps.edges.set(from, list);
}

export function checkCycles(ps: PipelineState): void {
  findCycles([...ps.tasks.values()].map((t) => t.id), ps.edges, (cycle, span) =>
    ps.ctx.report('DependencyCycle', `tasks depend on each other in a cycle: ${listPath(cycle.map((c) => displayName(ps, c)), (n) => n)}`, span, {
      label: 'this dependency closes the cycle',
      hint: 'a pipeline is a DAG; remove one of these dependencies',
    }),
  );
}

export function displayName(ps: PipelineState, id: string): string {
  for (const t of ps.tasks.values()) if (t.id === id) return t.binding ?? id;
  return id;
}
