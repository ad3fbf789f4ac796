/**
 * The program restricted to the components its pipelines call. `check` validates only that
 * part of the IR against its schema: nothing else of it is lowered there, and 100,000
 * uncalled components were 8% of checking a file of them. (A build of kfp-v1 lowers every
 * component, for its component.yaml; with full verification it validates them all.)
 */
import type { IrNode, IrProgram } from './ir.js';

export function withCalledComponents(program: IrProgram): IrProgram {
  const called = new Set<string>();
  const visit = (nodes: readonly IrNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'task') called.add(n.component);
      else if (n.kind === 'loop') visit(n.body);
      else if (n.kind === 'branch') {
        for (const arm of n.arms) visit(arm.body);
        if (n.else) visit(n.else.body);
      }
    }
  };
  for (const p of [...program.pipelines, ...(program.graphs ?? [])]) {
    visit(p.body);
    visit(p.exit ?? []);
  }
  return { ...program, components: program.components.filter((c) => called.has(c.name)) };
}
