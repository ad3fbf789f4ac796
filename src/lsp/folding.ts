/** Folding ranges: components, pipelines, their blocks (if/elif/else, for, finally, a task's settings), code fences and descriptions. */
import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import type { Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import type { LineMap } from './positions.js';

export function foldingRanges(doc: ast.Document, lines: LineMap): FoldingRange[] {
  const out: FoldingRange[] = [];
  const fold = (sp: Span, kind?: FoldingRangeKind): void => {
    const start = lines.position(sp.start).line;
    // The closing line (`}`, a fence's end) stays visible.
    const end = lines.position(sp.end).line - 1;
    if (end > start) out.push(kind ? { startLine: start, endLine: end, kind } : { startLine: start, endLine: end });
  };
  const body = (statements: readonly ast.Statement[]): void => {
    for (const s of statements) {
      if (s.kind === 'TaskStmt') fold(s.span);
      else if (s.kind === 'IfStmt') {
        for (const b of s.branches) {
          fold(b.span);
          body(b.body);
        }
        if (s.elseBody && s.elseSpan) {
          fold(s.elseSpan);
          body(s.elseBody);
        }
      } else if (s.kind === 'ForStmt' || s.kind === 'FinallyStmt') {
        fold(s.span);
        body(s.body);
      }
    }
  };
  if (doc.imports.length > 1) fold({ start: doc.imports[0]!.span.start, end: doc.imports[doc.imports.length - 1]!.span.end + 1 }, FoldingRangeKind.Imports);
  for (const c of doc.components) {
    fold(c.span);
    if (c.description) fold(c.description.span, FoldingRangeKind.Comment);
    if (c.code) fold(c.code.span);
  }
  for (const p of doc.pipelines) {
    fold(p.span);
    if (p.description) fold(p.description.span, FoldingRangeKind.Comment);
    body(p.body);
  }
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}
