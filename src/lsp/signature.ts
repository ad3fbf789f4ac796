/**
 * Signature help inside a component call: the call is found from the text before the cursor
 * (a half-typed call has no syntax tree yet): the innermost unclosed `(` and the name before
 * it; the active parameter is the named argument being typed, or the one at the comma count.
 */
import type { SignatureHelp } from 'vscode-languageserver';
import type * as ast from '../syntax/ast.js';
import { findComponent } from './resolve.js';
import type { Workspace } from './workspace.js';

export function signatureAt(ws: Workspace, doc: ast.Document, offset: number): SignatureHelp | null {
  const text = doc.file.text;
  let depth = 0;
  let commas = 0;
  let open = -1;
  // Back to the call's `(`, over nested brackets; strings are skipped only within the line (enough for arguments).
  for (let i = offset - 1; i >= 0 && offset - i < 10_000; i--) {
    const c = text[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) {
        if (c === '(') open = i;
        break;
      }
      depth--;
    } else if (c === ',' && depth === 0) commas++;
  }
  if (open < 0) return null;
  const name = /([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)?)\s*$/.exec(text.slice(Math.max(0, open - 200), open))?.[1];
  if (!name) return null;
  const site = findComponent(ws, doc, name);
  const decl = site?.decl;
  if (!decl || !site.file) return null;
  const src = site.file.text;
  const labels = decl.params.map((p) => `${p.name.name}: ${p.type.name}${p.default ? ` = ${src.slice(p.default.span.start, p.default.span.end)}` : ''}`);
  const named = /(?:^|[(,]\s*)([A-Za-z_]\w*)\s*:[^,]*$/.exec(text.slice(open + 1, offset))?.[1];
  const byName = named === undefined ? -1 : decl.params.findIndex((p) => p.name.name === named);
  return {
    signatures: [
      {
        label: `${name}(${labels.join(', ')})`,
        ...(decl.description ? { documentation: decl.description.text.trim() } : {}),
        parameters: labels.map((label) => ({ label })),
      },
    ],
    activeSignature: 0,
    activeParameter: byName >= 0 ? byName : Math.min(commas, Math.max(0, labels.length - 1)),
  };
}
