/** Go to definition: components (across modules and component.yaml imports), bindings, outputs, named arguments, imports, and parameters used in a Python fence. */
import type * as ast from '../syntax/ast.js';
import type { Span } from '../source.js';
import { fenceParamAt } from './fence-names.js';
import { targetAt } from './locate.js';
import { findBinding, findComponent, findOutput, importPath } from './resolve.js';
import type { Workspace } from './workspace.js';

export interface Place {
  readonly path: string;
  readonly span: Span;
}

export function definitionAt(ws: Workspace, doc: ast.Document, offset: number): Place | undefined {
  // In a Python fence, a name that is one of the component's parameters means it.
  const inFence = fenceParamAt(doc.file, doc, offset);
  if (inFence) return { path: doc.file.path, span: inFence.param.name.span };
  const { target, path } = targetAt(doc, offset);
  if (!target) return undefined;
  const here = doc.file.path;
  switch (target.kind) {
    case 'call': {
      const site = findComponent(ws, doc, target.callee.name);
      return site && { path: site.path, span: site.span };
    }
    case 'binding': {
      const b = findBinding(path, target.ident.name);
      return b && { path: here, span: b.ident.span };
    }
    case 'declaration':
      return { path: here, span: target.ident.span };
    case 'output': {
      const b = findBinding(path, target.task.name);
      if (!b || b.node.kind !== 'TaskStmt') return undefined;
      const site = findComponent(ws, doc, b.node.callee.name);
      const out = site?.decl && findOutput(site.decl, target.output.name);
      return out && site ? { path: site.path, span: out.name.span } : undefined;
    }
    case 'argument': {
      const site = findComponent(ws, doc, target.call.callee.name);
      const p = site?.decl?.params.find((q) => q.name.name === target.name.name);
      return p && site ? { path: site.path, span: p.name.span } : undefined;
    }
    case 'import': {
      const path = importPath(ws, here, target.imp);
      return path === undefined ? undefined : { path, span: { start: 0, end: 0 } };
    }
    case 'setting':
      return undefined;
  }
}
