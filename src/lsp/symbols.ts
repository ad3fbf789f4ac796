/** The outline: components, pipelines and, inside a pipeline, its tasks (within their if/for/finally blocks). */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type * as ast from '../syntax/ast.js';
import type { LineMap } from './positions.js';

export function documentSymbols(doc: ast.Document, lines: LineMap): DocumentSymbol[] {
  const sym = (name: string, detail: string, kind: SymbolKind, span: ast.Identifier['span'], selection: ast.Identifier['span'], children?: DocumentSymbol[]): DocumentSymbol => {
    const s: DocumentSymbol = { name: name === '' ? '?' : name, detail, kind, range: lines.range(span), selectionRange: lines.range(selection) };
    if (children && children.length > 0) s.children = children;
    return s;
  };
  const statements = (body: readonly ast.Statement[]): DocumentSymbol[] => {
    const out: DocumentSymbol[] = [];
    for (const s of body) {
      if (s.kind === 'TaskStmt') {
        const id = s.name ?? s.callee;
        out.push(sym(id.name, s.name ? s.callee.name : 'task', SymbolKind.Event, s.span, id.span));
      } else if (s.kind === 'IfStmt') {
        s.branches.forEach((b, i) => out.push(sym(i === 0 ? 'if' : 'elif', '', SymbolKind.Namespace, b.span, b.keywordSpan, statements(b.body))));
        if (s.elseBody && s.elseSpan) out.push(sym('else', '', SymbolKind.Namespace, s.elseSpan, s.elseSpan, statements(s.elseBody)));
      } else if (s.kind === 'ForStmt') {
        out.push(sym(`for ${s.variable.name}`, '', SymbolKind.Namespace, s.span, s.keywordSpan, statements(s.body)));
      } else if (s.kind === 'FinallyStmt') {
        out.push(sym('finally', '', SymbolKind.Namespace, s.span, s.keywordSpan, statements(s.body)));
      }
    }
    return out;
  };
  const all: { start: number; s: DocumentSymbol }[] = [];
  for (const c of doc.components) {
    all.push({ start: c.span.start, s: sym(c.name.name, `(${c.params.map((p) => `${p.name.name}: ${p.type.name}`).join(', ')})`, SymbolKind.Function, c.span, c.name.span) });
  }
  for (const p of doc.pipelines) {
    all.push({ start: p.span.start, s: sym(p.name, 'pipeline', SymbolKind.Module, p.span, p.nameSpan, statements(p.body)) });
  }
  return all.sort((a, b) => a.start - b.start).map((x) => x.s);
}
