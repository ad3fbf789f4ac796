/**
 * Find references: every name whose definition is the definition of the name at the cursor
 * (so references agree with go to definition by construction): a component's calls across
 * files, a binding's uses in its pipeline, a parameter's uses (named arguments and the
 * component's Python fence included). Searched in the open buffers and in every .kfp file of
 * the project (read through the host: an open buffer's unsaved text wins over the disk).
 */
import type { Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { definitionAt, type Place } from './definition.js';
import { fenceNames, fenceParam } from './fence-names.js';
import type { Workspace } from './workspace.js';

/** Every identifier of a document, longest first at each start (`lib.train` before `lib`). */
export function identifiers(doc: ast.Document): ast.Identifier[] {
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

export const samePlace = (a: Place, b: Place): boolean => a.path === b.path && a.span.start === b.span.start;

/** A reference: where it is, and the part of it that is the name (`train` of `lib.train`). */
export interface Reference extends Place {
  readonly name: Span;
}

/** The last segment of a (possibly qualified) identifier: what renaming a component changes. */
function nameSpan(id: { name: string; span: Span }): Span {
  const last = id.name.slice(id.name.lastIndexOf('.') + 1);
  return { start: id.span.end - last.length, end: id.span.end };
}

/** The references of the definition `def` (named `name`, when known: other names are skipped unread). */
export function referencesTo(ws: Workspace, def: Place, name: string | undefined, paths: readonly string[]): Reference[] {
  const out: Reference[] = [];
  for (const path of paths) {
    const parsed = ws.parse(path);
    if (!parsed) continue;
    let lastStart = -1;
    for (const id of identifiers(parsed.doc)) {
      if (id.span.start === lastStart || id.name === '') continue;
      lastStart = id.span.start;
      // Only a name that ends in the definition's can mean it (`train`, `lib.train`).
      if (name !== undefined && id.name !== name && !id.name.endsWith(`.${name}`)) continue;
      const d = definitionAt(ws, parsed.doc, id.span.start);
      if (d && samePlace(d, def)) out.push({ path, span: id.span, name: nameSpan(id) });
    }
    // A parameter's uses in its component's Python fence.
    if (path !== def.path) continue;
    for (const c of parsed.doc.components) {
      const param = name === undefined ? undefined : fenceParam(c, name);
      if (!param || param.name.span.start !== def.span.start) continue;
      for (const u of fenceNames(parsed.file, c)) if (u.name === name) out.push({ path, span: u.span, name: u.span });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.span.start - b.span.start));
}

/** The name a definition declares (its text), unless it is a whole file (a component.yaml). */
export function definedName(ws: Workspace, def: Place): string | undefined {
  if (def.span.end <= def.span.start) return undefined;
  return ws.text(def.path)?.slice(def.span.start, def.span.end);
}

export function referencesAt(ws: Workspace, doc: ast.Document, offset: number, includeDeclaration: boolean): Place[] {
  const def = definitionAt(ws, doc, offset);
  if (!def) return [];
  const refs = referencesTo(ws, def, definedName(ws, def), ws.projectFiles(doc.file.path));
  return refs.filter((r) => includeDeclaration || !samePlace(r, def)).map((r) => ({ path: r.path, span: r.span }));
}
