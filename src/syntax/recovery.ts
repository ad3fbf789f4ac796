/**
 * After syntax errors the checks still run on what parsed, so that a file with a typo in
 * one task still reports the real problems of the others. What they say about the broken
 * parts is noise: an unknown name that a statement cut short would have declared, a
 * missing argument in a call that ends early, a placeholder that is not a type. This file
 * says which check diagnostics to keep:
 *
 * - none that overlaps a recovered region (a statement, parameter, setting or header that
 *   holds a syntax error or was rebuilt by the parser's recovery: cst-to-ast.ts);
 * - none that is about a task statement referring to a name the broken parts declared
 *   (a task calling a component whose header is broken, using a task that failed to parse);
 * - no unknown-name error for such a name, even when recovery skipped its declaration
 *   altogether (those names are read off the skipped tokens);
 * - no "unused" warning (what uses a name may be in the part that did not parse);
 * - nothing at all when parsing gave up (too large, too deep, too many errors).
 */
import type { CstNode, IToken } from 'chevrotain';
import { Codes } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../source.js';
import type * as ast from './ast.js';
import type { RecoveryInfo } from './cst-to-ast.js';
import { check } from '../check/check.js';
import type { ImportOptions } from '../check/check-import.js';

export interface Recovery extends RecoveryInfo {
  /** Parsing stopped early; the document is empty and nothing about it is worth checking. */
  readonly gaveUp: boolean;
}

/** Codes whose span is the unknown name itself. */
const UNKNOWN_NAME_CODES = new Set<string>([Codes.UnknownName.code, Codes.UnknownTask.code, Codes.UnknownComponent.code]);
const UNUSED_CODES = new Set<string>([Codes.UnusedTask.code, Codes.UnusedParameter.code]);

/**
 * Names declared by tokens that recovery skipped (they are in no CST node): `x =`, `x:`,
 * `component x`, `as x`, `for x`. Over-approximate on purpose: these only silence errors.
 */
export function namesInSkippedTokens(cst: CstNode, tokens: readonly IToken[]): Set<string> {
  // The tree's tokens marked by start offset in a byte per character: a Set of every token's
  // offset was a third of the time of parsing a large file with an error (a keystroke's parse).
  const last = tokens[tokens.length - 1];
  const inTree = new Uint8Array(last ? last.endOffset! + 2 : 1);
  const mark = (n: CstNode): void => {
    const children = n.children;
    for (const key in children) {
      for (const c of children[key]!) {
        // A token inserted by recovery has no offset (NaN) and is in no token list.
        if (!('image' in c)) mark(c);
        else if (!Number.isNaN(c.startOffset)) inTree[c.startOffset] = 1;
      }
    }
  };
  mark(cst);
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (inTree[t.startOffset] === 1 || t.tokenType.name !== 'Identifier') continue;
    const prev = tokens[i - 1]?.tokenType.name;
    const next = tokens[i + 1]?.tokenType.name;
    if (next === 'Equals' || next === 'Colon' || prev === 'Component' || prev === 'As' || prev === 'For') names.add(t.image);
  }
  return names;
}

/** Answers "does this span overlap any region?" in O(log n): a diagnostic count can be as large as the file. */
function regionIndex(regions: readonly Span[]): (d: Span) => boolean {
  const sorted = regions.map((r) => ({ start: r.start, end: Math.max(r.end, r.start + 1) })).sort((a, b) => a.start - b.start);
  const maxEnd: number[] = [];
  for (const r of sorted) maxEnd.push(Math.max(r.end, maxEnd[maxEnd.length - 1] ?? -Infinity));
  return (d) => {
    // A zero-width span (a missing token) sits at a point; it overlaps a region that holds or ends at that point.
    const last = d.start === d.end ? d.start : d.end - 1;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.start <= last) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && (d.start === d.end ? maxEnd[lo - 1]! >= d.start : maxEnd[lo - 1]! > d.start);
  };
}

/** A place in a pipeline that refers to names: a task, a setting, a condition, a loop header. */
interface Use {
  readonly span: Span;
  readonly uses: Set<string>;
  /** The name this place declares (a task's binding, a loop variable), which is broken if what it uses is. */
  readonly declares?: string;
}

function usesOf(doc: ast.Document): Use[] {
  const out: Use[] = [];
  const collect = (e: ast.Expr, into: Set<string>): void => {
    switch (e.kind) {
      case 'RefExpr':
        if (e.parts[0]) into.add(e.parts[0].name);
        return;
      case 'CallExpr':
        for (const a of e.args) collect(a.value, into);
        return;
      case 'ListExpr':
        for (const i of e.items) collect(i, into);
        return;
      case 'DictExpr':
        for (const en of e.entries) collect(en.value, into);
        return;
      case 'CompareExpr':
        collect(e.left, into);
        collect(e.right, into);
        return;
      case 'BoolExpr':
        for (const o of e.operands) collect(o, into);
        return;
      case 'NotExpr':
        collect(e.operand, into);
        return;
      case 'Literal':
        return;
    }
  };
  const settingUses = (s: ast.Setting, into: Set<string>): void => {
    collect(s.value, into);
    if (s.upper) collect(s.upper, into);
  };
  const walk = (stmts: readonly ast.Statement[]): void => {
    for (const s of stmts) {
      switch (s.kind) {
        case 'TaskStmt': {
          const uses = new Set<string>([s.callee.name, ...s.after.map((a) => a.name)]);
          for (const a of s.args) collect(a.value, uses);
          for (const st of s.settings) settingUses(st, uses);
          out.push({ span: s.span, uses, ...(s.name ? { declares: s.name.name } : {}) });
          break;
        }
        case 'Setting': {
          const uses = new Set<string>();
          settingUses(s, uses);
          out.push({ span: s.span, uses });
          break;
        }
        case 'IfStmt':
          for (const b of s.branches) {
            const uses = new Set<string>();
            collect(b.cond, uses);
            out.push({ span: b.cond.span, uses });
            walk(b.body);
          }
          if (s.elseBody) walk(s.elseBody);
          break;
        case 'ForStmt': {
          const uses = new Set<string>();
          collect(s.items, uses);
          out.push({ span: { start: s.span.start, end: s.items.span.end }, uses, declares: s.variable.name });
          walk(s.body);
          break;
        }
        case 'FinallyStmt':
          walk(s.body);
          break;
      }
    }
  };
  for (const p of doc.pipelines) walk(p.body);
  return out;
}

/**
 * The spans of the places that use a broken name, directly or through a task that does
 * (`m = mul(…)` with `mul`'s header broken makes `m.output` suspect too). Linear: each
 * name is expanded once.
 */
function placesUsing(doc: ast.Document, broken: ReadonlySet<string>): Span[] {
  const uses = usesOf(doc);
  const byName = new Map<string, Use[]>();
  for (const u of uses) {
    for (const n of u.uses) {
      let list = byName.get(n);
      if (!list) byName.set(n, (list = []));
      list.push(u);
    }
  }
  const seen = new Set<string>(broken);
  const queue = [...broken];
  const hit = new Set<Use>();
  while (queue.length > 0) {
    for (const u of byName.get(queue.pop()!) ?? []) {
      if (hit.has(u)) continue;
      hit.add(u);
      if (u.declares !== undefined && !seen.has(u.declares)) {
        seen.add(u.declares);
        queue.push(u.declares);
      }
    }
  }
  return [...hit].map((u) => u.span);
}

/** The check diagnostics worth showing beside the syntax errors that `recovery` describes. */
export function dropCascades(doc: ast.Document, recovery: Recovery, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  if (recovery.gaveUp) return [];
  const inRegion = regionIndex([...recovery.regions, ...placesUsing(doc, recovery.names)]);
  const text = doc.file.text;
  return diagnostics.filter((d) => {
    if (UNUSED_CODES.has(d.code)) return false;
    const sp = d.span;
    if (!sp) return true;
    if (UNKNOWN_NAME_CODES.has(d.code) && recovery.names.has(text.slice(sp.start, sp.end))) return false;
    return !inRegion(sp);
  });
}

/**
 * The checks of a document that parsed with errors, without their cascades. A check that
 * trips over a recovered node (its bug, but a likely one) must not hide the syntax errors:
 * its diagnostics are then dropped.
 */
export function checkRecovered(doc: ast.Document, recovery: Recovery, options: ImportOptions): Diagnostic[] {
  if (recovery.gaveUp) return [];
  let found: readonly Diagnostic[];
  try {
    found = check(doc, options).diagnostics;
  } catch {
    return [];
  }
  return dropCascades(doc, recovery, found);
}
