/**
 * What is at a position in a syntax tree: the chain of nodes that contain it (outermost
 * first), and what the innermost name there means (a component call, a binding, a task's
 * output, a setting, an import…). Hover, definition and completion all start here.
 */
import type * as ast from '../syntax/ast.js';

export type AnyNode = { readonly kind: string; readonly span: { start: number; end: number } };

/** The nodes whose span holds `offset` (an identifier's end counts: the cursor just after it). */
export function nodePath(doc: ast.Document, offset: number): AnyNode[] {
  const path: AnyNode[] = [doc];
  // Iteratively: blocks and expressions may nest deeply.
  let current: unknown = doc;
  for (;;) {
    const next = childAt(current, offset);
    if (!next) return path;
    path.push(next);
    current = next;
  }
}

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as AnyNode).kind === 'string' && typeof (v as AnyNode).span === 'object';
}

function holds(n: AnyNode, offset: number): boolean {
  return n.span.start <= offset && offset <= n.span.end;
}

/** Lists of nodes that follow each other without overlapping, found once per list of a parse. */
const ordered = new WeakMap<readonly unknown[], boolean>();

/**
 * Does the list hold only nodes, each ending where or before the next starts? Then at most two
 * of them (touching at the offset) hold an offset. Looking at every one of 10,000 statements
 * for each of the 10,000 names a "find references" resolves took 40 s.
 */
function inOrder(list: readonly unknown[]): boolean {
  let known = ordered.get(list);
  if (known === undefined) {
    known = list.every((x, i) => isNode(x) && (i === 0 || (list[i - 1] as AnyNode).span.end <= x.span.start));
    ordered.set(list, known);
  }
  return known;
}

/** The innermost-first child node (searching plain objects and arrays too) that holds `offset`; identifiers win over other nodes. */
function childAt(node: unknown, offset: number): AnyNode | undefined {
  let best: AnyNode | undefined;
  const stack: unknown[] = [];
  for (const [k, v] of Object.entries(node as object)) if (k !== 'file' && typeof v === 'object' && v !== null) stack.push(v);
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      if (v.length > 16 && inOrder(v)) {
        // Siblings in source order (statements, components): the one or two holding the offset, by binary search.
        let lo = 0;
        let hi = v.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((v[mid] as AnyNode).span.end < offset) lo = mid + 1;
          else hi = mid;
        }
        for (const x of v.slice(lo, lo + 2)) stack.push(x);
        continue;
      }
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
      continue;
    }
    if (isNode(v)) {
      if (!holds(v, offset)) continue;
      // Of two siblings that hold it (`lib` inside `lib.train`), the smaller one.
      if (!best || v.span.end - v.span.start < best.span.end - best.span.start) best = v;
      continue;
    }
    for (const [k, x] of Object.entries(v as object)) if (k !== 'file' && typeof x === 'object' && x !== null) stack.push(x);
  }
  return best;
}

export type Target =
  | { kind: 'call'; callee: ast.Identifier; task?: ast.TaskStmt }
  | { kind: 'binding'; ident: ast.Identifier }
  | { kind: 'output'; task: ast.Identifier; output: ast.Identifier }
  | { kind: 'setting'; setting: ast.Setting; where: 'task' | 'pipeline' | 'component' }
  | { kind: 'import'; imp: ast.ImportDecl }
  | { kind: 'argument'; call: ast.TaskStmt | ast.CallExpr; name: ast.Identifier }
  | { kind: 'declaration'; ident: ast.Identifier; node: AnyNode };

/** What the name at `offset` is, with the chain of nodes around it. */
export function targetAt(doc: ast.Document, offset: number): { target?: Target; path: AnyNode[] } {
  const path = nodePath(doc, offset);
  const inner = path[path.length - 1]!;
  const parent = path[path.length - 2];
  if (inner.kind === 'ImportDecl') {
    const imp = inner as ast.ImportDecl;
    if (imp.pathSpan.start <= offset && offset <= imp.pathSpan.end) return { target: { kind: 'import', imp }, path };
    return { path };
  }
  if (inner.kind !== 'Identifier' || !parent) return { path };
  const ident = inner as ast.Identifier;
  switch (parent.kind) {
    case 'TaskStmt': {
      const t = parent as ast.TaskStmt;
      if (ident === t.callee || ident === t.qualifier) return { target: { kind: 'call', callee: t.callee, task: t }, path };
      if (ident === t.name) return { target: { kind: 'declaration', ident, node: t }, path };
      if (t.after.includes(ident)) return { target: { kind: 'binding', ident }, path };
      return { path };
    }
    case 'CallExpr': {
      const c = parent as ast.CallExpr;
      return { target: { kind: 'call', callee: c.callee }, path };
    }
    case 'RefExpr': {
      const r = parent as ast.RefExpr;
      const i = r.parts.indexOf(ident);
      if (i === 0) return { target: { kind: 'binding', ident }, path };
      if (i === 1) return { target: { kind: 'output', task: r.parts[0]!, output: ident }, path };
      return { path };
    }
    case 'Setting': {
      const s = parent as ast.Setting;
      if (ident !== s.name) return { path };
      const owner = path.slice(0, -2).reverse().find((n) => n.kind === 'TaskStmt' || n.kind === 'ComponentDecl' || n.kind === 'PipelineDecl');
      const where = owner?.kind === 'TaskStmt' ? 'task' : owner?.kind === 'ComponentDecl' ? 'component' : 'pipeline';
      return { target: { kind: 'setting', setting: s, where }, path };
    }
    case 'Argument': {
      const a = parent as ast.Argument;
      const call = path[path.length - 3];
      if (ident === a.name && call && (call.kind === 'TaskStmt' || call.kind === 'CallExpr')) return { target: { kind: 'argument', call: call as ast.TaskStmt, name: ident }, path };
      return { path };
    }
    case 'ImportDecl':
      return { target: { kind: 'import', imp: parent as ast.ImportDecl }, path };
    case 'ParamDecl':
    case 'ComponentDecl':
    case 'ForStmt':
      return { target: { kind: 'declaration', ident, node: parent }, path };
    default:
      return { path };
  }
}
