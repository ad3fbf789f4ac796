/**
 * Find references: every name, in the open buffers, whose definition is the definition of the
 * name at the cursor (so references agree with go to definition by construction): a
 * component's calls across files, a binding's uses in its pipeline, an output's uses.
 */
import type * as ast from '../syntax/ast.js';
import { definitionAt, type Place } from './definition.js';
import type { Workspace } from './workspace.js';

/** Every identifier of a document, longest first at each start (`lib.train` before `lib`). */
function identifiers(doc: ast.Document): ast.Identifier[] {
  const out: ast.Identifier[] = [];
  const stack: unknown[] = [doc.imports, doc.components, doc.pipelines];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if ((v as { kind?: string }).kind === 'Identifier') {
      out.push(v as ast.Identifier);
      continue;
    }
    for (const [k, x] of Object.entries(v)) if (k !== 'file' && typeof x === 'object') stack.push(x);
  }
  return out.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
}

const samePlace = (a: Place, b: Place): boolean => a.path === b.path && a.span.start === b.span.start;

export function referencesAt(ws: Workspace, doc: ast.Document, offset: number, includeDeclaration: boolean): Place[] {
  const def = definitionAt(ws, doc, offset);
  if (!def) return [];
  const out: Place[] = [];
  for (const path of ws.openPaths()) {
    const parsed = ws.parse(path);
    if (!parsed) continue;
    let lastStart = -1;
    for (const id of identifiers(parsed.doc)) {
      if (id.span.start === lastStart || id.name === '') continue;
      lastStart = id.span.start;
      const d = definitionAt(ws, parsed.doc, id.span.start);
      if (!d || !samePlace(d, def)) continue;
      const here: Place = { path, span: id.span };
      if (!includeDeclaration && samePlace(here, def)) continue;
      out.push(here);
    }
  }
  return out;
}
