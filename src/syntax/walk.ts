/**
 * Visits every node object under `root` (arrays are looked through), iteratively with an
 * explicit stack: expressions and blocks may nest deeper than recursion allows. `visit` returns
 * false to skip a node's children. A node's `file` and its spans (`span`, `nameSpan`,
 * `keywordSpan`…) hold no nodes and are not walked.
 */
export function walkNodes(root: unknown, visit: (node: { readonly kind?: string }) => boolean): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const x of node) stack.push(x);
      continue;
    }
    if (!visit(node as { kind?: string })) continue;
    const rec = node as Record<string, unknown>;
    for (const k in rec) {
      const v = rec[k];
      if (v !== null && typeof v === 'object' && k !== 'file' && !k.endsWith('pan')) stack.push(v);
    }
  }
}
