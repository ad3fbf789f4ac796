/**
 * Does the function body give back a value on every path? For KFP6003 (no `return value`
 * at all: the component can never produce its outputs) and KFP6004 (a path reaches the end
 * of the body, or a bare `return`, and gives back None).
 *
 * A path ends for good at `return`, `raise`, `assert False`, `sys.exit(…)`/`exit()`/
 * `os._exit(…)`, an `if` whose every branch ends, a `while True` without `break`, a `try`
 * whose body and handlers all end (or whose `finally` ends), a `match` with an irrefutable
 * case and every case ending, and a `with` whose body ends. Where Python's own rules are
 * looser than this (a context manager that swallows the exception), the body is taken to end:
 * the check may miss a path but does not invent one.
 */
import { children, enclosingScope, KEYWORD_FALSE, KEYWORD_TRUE, N, type PyNode } from './pyright.js';

/** The `return` statements of function `fn` itself (not of functions or classes nested in it), from all its nodes. */
export function ownReturns(nodes: readonly PyNode[], fn: PyNode): PyNode[] {
  return nodes.filter((n) => n.nodeType === N.Return && enclosingScope(n) === fn);
}

/** Does `fn` itself (not a nested function) contain `yield`? Then it is a generator, another matter. */
export function isGenerator(nodes: readonly PyNode[], fn: PyNode): boolean {
  return nodes.some((n) => (n.nodeType === N.Yield || n.nodeType === N.YieldFrom) && enclosingScope(n) === fn);
}

function statements(suite: unknown): PyNode[] {
  return ((suite as PyNode | undefined)?.d['statements'] as PyNode[] | undefined) ?? [];
}

/** Does control never reach the point after this block? */
export function blockEnds(stmts: readonly PyNode[]): boolean {
  return stmts.some(statementEnds);
}

function suiteEnds(suite: unknown): boolean {
  if (!suite) return false;
  const s = suite as PyNode;
  return s.nodeType === N.If ? statementEnds(s) : blockEnds(statements(s));
}

function statementEnds(s: PyNode): boolean {
  const d = s.d;
  switch (s.nodeType) {
    case N.StatementList:
      return (d['statements'] as PyNode[]).some(smallStatementEnds);
    case N.If:
      return suiteEnds(d['ifSuite']) && suiteEnds(d['elseSuite']);
    case N.While:
      if (isTruthyConstant(d['testExpr'] as PyNode)) return !breaks(d['whileSuite'] as PyNode);
      return d['elseSuite'] !== undefined && !breaks(d['whileSuite'] as PyNode) && suiteEnds(d['elseSuite']);
    case N.For:
      return d['elseSuite'] !== undefined && !breaks(d['forSuite'] as PyNode) && suiteEnds(d['elseSuite']);
    case N.Try: {
      if (suiteEnds(d['finallySuite'])) return true;
      const bodyEnds = suiteEnds(d['trySuite']) || suiteEnds(d['elseSuite']);
      return bodyEnds && (d['exceptClauses'] as PyNode[]).every((e) => suiteEnds(e.d['exceptSuite']));
    }
    case N.With:
      return suiteEnds(d['suite']);
    case N.Match: {
      const cases = d['cases'] as PyNode[];
      return cases.some((c) => c.d['isIrrefutable'] && c.d['guardExpr'] === undefined) && cases.every((c) => suiteEnds(c.d['suite']));
    }
    default:
      return false;
  }
}

const EXITS = new Set(['sys.exit', 'exit', 'quit', 'os._exit', 'os.abort']);

function smallStatementEnds(s: PyNode): boolean {
  switch (s.nodeType) {
    case N.Return:
    case N.Raise:
      return true;
    case N.Assert:
      return isFalseConstant(s.d['testExpr'] as PyNode);
    case N.Call:
      return EXITS.has(dottedName(s.d['leftExpr'] as PyNode) ?? '');
    default:
      return false;
  }
}

function dottedName(e: PyNode): string | undefined {
  if (e.nodeType === N.Name) return e.d['value'] as string;
  if (e.nodeType === N.MemberAccess) {
    const left = dottedName(e.d['leftExpr'] as PyNode);
    return left === undefined ? undefined : `${left}.${(e.d['member'] as PyNode).d['value'] as string}`;
  }
  return undefined;
}

function isTruthyConstant(e: PyNode): boolean {
  if (e.nodeType === N.Constant) return e.d['constType'] === KEYWORD_TRUE;
  if (e.nodeType === N.Number) return e.d['value'] !== 0 && e.d['value'] !== 0n;
  return false;
}

function isFalseConstant(e: PyNode): boolean {
  return (e.nodeType === N.Constant && e.d['constType'] === KEYWORD_FALSE) || (e.nodeType === N.Number && (e.d['value'] === 0 || e.d['value'] === 0n));
}

/**
 * Is there a `break` for this loop (not for a loop nested in it, nor in a nested function)?
 * A loop over a stack, not recursion: an expression in the loop may nest thousands deep.
 */
function breaks(node: PyNode): boolean {
  const stack: PyNode[] = [node];
  while (stack.length > 0) {
    for (const c of children(stack.pop()!)) {
      if (c.nodeType === N.Break) return true;
      if (c.nodeType === N.For || c.nodeType === N.While) {
        // Only their `else` belongs to our loop.
        if (c.d['elseSuite']) stack.push(c.d['elseSuite'] as PyNode);
        continue;
      }
      if (c.nodeType === N.Function || c.nodeType === N.Class || c.nodeType === N.Lambda) continue;
      stack.push(c);
    }
  }
  return false;
}
