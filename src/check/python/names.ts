/**
 * The names a fence reads and the names it binds, for the undefined-name check (KFP6005).
 *
 * Deliberately flat: a name bound anywhere in the fence (any block, any nested function or
 * class, before or after the read) counts as defined everywhere in it. That misses some real
 * NameErrors (a name used before its assignment, a class attribute read from a method) but
 * never reports a name that Python could find: the check must have no false positives.
 * Names inside annotations are not reads (Python does not evaluate a local variable's
 * annotation, and string annotations are not code).
 */
import { N, preorder, type PyNode } from './pyright.js';

export interface NameUse {
  readonly name: string;
  /** Offsets into the parsed program. */
  readonly start: number;
  readonly end: number;
}

export interface FenceNames {
  /** Every name read, first occurrence of each, in source order. */
  readonly reads: readonly NameUse[];
  /** Every name bound anywhere: assignment and other targets, def, class, import, parameters, global, nonlocal, captures, del. */
  readonly bound: ReadonlySet<string>;
  /** `from m import *` binds names no one can list: the caller then checks nothing. */
  readonly wildcardImport: boolean;
}

const TARGET_WRAPPERS = new Set([N.Tuple, N.List, N.Unpack]);

/** Is this Name the target of an assignment-like statement (possibly inside a tuple or list target)? */
function isTarget(name: PyNode): boolean {
  let n = name;
  let p = n.parent;
  let declared = false;
  while (p && (TARGET_WRAPPERS.has(p.nodeType) || (p.nodeType === N.TypeAnnotation && p.d['valueExpr'] === n))) {
    if (p.nodeType === N.TypeAnnotation) declared = true;
    n = p;
    p = p.parent;
  }
  if (!p) return false;
  switch (p.nodeType) {
    case N.Assignment:
    case N.AugmentedAssignment:
      return p.d['leftExpr'] === n;
    case N.For:
    case N.ComprehensionFor:
      return p.d['targetExpr'] === n;
    case N.WithItem:
      return p.d['target'] === n;
    case N.Del:
      return true;
    default:
      // `x: int` on its own declares x.
      return declared;
  }
}

/** How a Name node is used: read, bound, or neither (an attribute, a keyword, a module path). */
function classify(name: PyNode): 'read' | 'bound' | 'none' {
  const p = name.parent;
  if (!p) return 'read';
  switch (p.nodeType) {
    case N.MemberAccess:
      return p.d['member'] === name ? 'none' : 'read';
    case N.Argument:
    case N.PatternClassArgument:
      return p.d['name'] === name ? 'none' : 'read';
    case N.ModuleName:
      return 'none'; // the binding of `import a.b` is made at the ImportAs
    case N.ImportFromAs:
      return p.d['alias'] === name || (p.d['alias'] === undefined && p.d['name'] === name) ? 'bound' : 'none';
    case N.ImportAs:
      return p.d['alias'] === name ? 'bound' : 'none';
    case N.Function:
    case N.Class:
    case N.Parameter:
    case N.TypeParameter:
    case N.TypeAlias:
    case N.Except:
      return p.d['name'] === name ? 'bound' : 'read';
    case N.Global:
    case N.Nonlocal:
      return 'bound';
    case N.AssignmentExpression:
      return p.d['name'] === name ? 'bound' : 'read';
    case N.PatternCapture:
    case N.PatternAs:
    case N.PatternMappingExpandEntry:
      return p.d['target'] === name ? 'bound' : 'read';
    default:
      return isTarget(name) ? 'bound' : 'read';
  }
}

/** Fields that hold annotations: not walked. */
function skipped(parent: PyNode, child: PyNode): boolean {
  const d = parent.d;
  switch (parent.nodeType) {
    case N.TypeAnnotation:
      return d['annotation'] === child;
    case N.Parameter:
      return d['annotation'] === child || d['annotationComment'] === child;
    case N.Function:
      return d['returnAnnotation'] === child || d['funcAnnotationComment'] === child;
    case N.Assignment:
      return d['annotationComment'] === child || d['chainedAnnotationComment'] === child;
    default:
      return false;
  }
}

/** Is the node inside an annotation (below `root`)? */
function inAnnotation(node: PyNode, root: PyNode): boolean {
  for (let n = node; n !== root && n.parent; n = n.parent) if (skipped(n.parent, n)) return true;
  return false;
}

/** The names of the code under `root`; `nodes` are its nodes when already listed (preorder). */
export function fenceNames(root: PyNode, nodes: readonly PyNode[] = preorder(root)): FenceNames {
  const reads = new Map<string, NameUse>();
  const bound = new Set<string>();
  let wildcardImport = false;
  for (const node of nodes) {
    if (node.nodeType === N.Name) {
      if (inAnnotation(node, root)) continue;
      const name = node.d['value'] as string;
      const use = classify(node);
      if (use === 'bound') bound.add(name);
      else if (use === 'read' && !reads.has(name)) reads.set(name, { name, start: node.start, end: node.start + node.length });
    } else if (node.nodeType === N.ImportFrom && node.d['isWildcardImport']) {
      wildcardImport = true;
    } else if (node.nodeType === N.ImportAs && node.d['alias'] === undefined) {
      // `import a.b.c` binds `a`.
      const parts = (node.d['module'] as PyNode).d['nameParts'] as PyNode[];
      if (parts[0]) bound.add(parts[0].d['value'] as string);
    }
  }
  return { reads: [...reads.values()].sort((a, b) => a.start - b.start), bound, wildcardImport };
}
