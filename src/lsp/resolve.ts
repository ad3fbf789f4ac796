/**
 * Where a name is defined, found from the syntax trees alone (so that it works in a file with
 * errors): components (in the file, in the .kfp modules it imports, with or without `as`, and
 * component.yaml imports), and the bindings of a pipeline (its parameters, its tasks, the
 * loop variables around the name) or of a component (its parameters and outputs).
 */
import { importTarget } from '../project/confine.js';
import { findProjectRoot } from '../project/root.js';
import type { SourceFile, Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import type { AnyNode } from './locate.js';
import type { Workspace } from './workspace.js';

export interface ComponentSite {
  /** The file that defines it: the .kfp file, or the component.yaml. */
  readonly path: string;
  readonly file?: SourceFile;
  /** A `component` declaration; absent for a component.yaml. */
  readonly decl?: ast.ComponentDecl;
  /** The component's name in its file, or the start of a component.yaml. */
  readonly span: Span;
  /** For a component.yaml: the import that names it. */
  readonly imp?: ast.ImportDecl;
}

const isModule = (p: string): boolean => p.endsWith('.kfp');

/**
 * A pipeline with a call name seen as the component its callers call: its name, parameters and
 * outputs, so that definition, hover and signature help treat a pipeline call like a component call.
 */
function pipelineAsComponent(p: ast.PipelineDecl): ast.ComponentDecl | undefined {
  if (!p.callName) return undefined;
  return {
    kind: 'ComponentDecl', span: p.span, name: p.callName, params: p.params,
    ...(p.returns ? { returns: p.returns } : {}), ...(p.description ? { description: p.description } : {}), settings: [],
  };
}

/** The components and callable pipelines a document declares. */
function declaredCallables(doc: ast.Document): ast.ComponentDecl[] {
  return [...doc.components, ...doc.pipelines.flatMap((p) => pipelineAsComponent(p) ?? [])];
}

/**
 * The path an import names, as the checker resolves it; undefined when the checker would refuse
 * it (outside the project root, a link out of it, a module link to a file not named *.kfp), so
 * that the editor never opens or quotes (in hover) a file that a build would not read.
 */
export function importPath(ws: Workspace, from: string, imp: ast.ImportDecl): string | undefined {
  if (imp.path === '' || imp.path.includes('\0')) return undefined;
  const root = findProjectRoot(from, undefined, (p) => ws.host.exists(p));
  const target = importTarget(ws.host, root, from, imp.path, isModule(imp.path));
  // A missing file is still where the import points (go to definition opens nothing there).
  return target.kind === 'inside' || (target.kind === 'error' && target.code === 'ENOENT') ? target.requested : undefined;
}

function moduleComponent(ws: Workspace, from: string, imp: ast.ImportDecl, name: string): ComponentSite | undefined {
  const path = importPath(ws, from, imp);
  if (path === undefined) return undefined;
  const mod = ws.parse(path);
  const decl = mod ? declaredCallables(mod.doc).find((c) => c.name.name === name) : undefined;
  return decl && mod ? { path, file: mod.file, decl, span: decl.name.span } : undefined;
}

/** The component a call names (`train`, `lib.train`), as the checker's scope would find it. */
export function findComponent(ws: Workspace, doc: ast.Document, callee: string): ComponentSite | undefined {
  const from = doc.file.path;
  const local = declaredCallables(doc).find((c) => c.name.name === callee);
  if (local) return { path: from, file: doc.file, decl: local, span: local.name.span };
  const dot = callee.indexOf('.');
  if (dot > 0) {
    const alias = callee.slice(0, dot);
    const imp = doc.imports.find((i) => i.name?.name === alias && isModule(i.path));
    return imp ? moduleComponent(ws, from, imp, callee.slice(dot + 1)) : undefined;
  }
  const yaml = doc.imports.find((i) => i.name?.name === callee && !isModule(i.path));
  const yamlPath = yaml && importPath(ws, from, yaml);
  if (yamlPath !== undefined) return { path: yamlPath, span: { start: 0, end: 0 }, imp: yaml };
  for (const imp of doc.imports) {
    if (!isModule(imp.path) || imp.name) continue;
    const site = moduleComponent(ws, from, imp, callee);
    if (site) return site;
  }
  return undefined;
}

/** Every component a file can call, by the name it is called with. */
export function callableComponents(ws: Workspace, doc: ast.Document): Map<string, ComponentSite> {
  const out = new Map<string, ComponentSite>();
  const from = doc.file.path;
  for (const imp of doc.imports) {
    const path = importPath(ws, from, imp);
    if (path === undefined) continue;
    if (!isModule(imp.path)) {
      if (imp.name) out.set(imp.name.name, { path, span: { start: 0, end: 0 }, imp });
      continue;
    }
    const mod = ws.parse(path);
    if (!mod) continue;
    for (const c of declaredCallables(mod.doc)) {
      const key = imp.name ? `${imp.name.name}.${c.name.name}` : c.name.name;
      if (!out.has(key)) out.set(key, { path, file: mod.file, decl: c, span: c.name.span });
    }
  }
  for (const c of declaredCallables(doc)) out.set(c.name.name, { path: from, file: doc.file, decl: c, span: c.name.span });
  return out;
}

/** A name bound in a pipeline or component, and what binds it. */
export interface Binding {
  readonly ident: ast.Identifier;
  readonly node: ast.ParamDecl | ast.TaskStmt | ast.ForStmt;
}

/** Every task of a pipeline body, at any depth. */
export function tasksOf(body: readonly ast.Statement[]): ast.TaskStmt[] {
  const out: ast.TaskStmt[] = [];
  const stack: ast.Statement[] = [...body].reverse();
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (s.kind === 'TaskStmt') out.push(s);
    else if (s.kind === 'IfStmt') {
      const inner = [...s.branches.flatMap((b) => b.body), ...(s.elseBody ?? [])];
      for (let i = inner.length - 1; i >= 0; i--) stack.push(inner[i]!);
    } else if (s.kind === 'ForStmt' || s.kind === 'FinallyStmt') {
      for (let i = s.body.length - 1; i >= 0; i--) stack.push(s.body[i]!);
    }
  }
  return out;
}

/** The binding `name` refers to, seen from the chain of nodes around it. */
export function findBinding(path: readonly AnyNode[], name: string): Binding | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i]!;
    if (n.kind === 'ForStmt' && (n as ast.ForStmt).variable.name === name) return { ident: (n as ast.ForStmt).variable, node: n as ast.ForStmt };
    if (n.kind === 'PipelineDecl') {
      const p = n as ast.PipelineDecl;
      const task = tasksOf(p.body).find((t) => t.name?.name === name);
      if (task) return { ident: task.name!, node: task };
      const param = p.params.find((q) => q.name.name === name);
      return param ? { ident: param.name, node: param } : undefined;
    }
    if (n.kind === 'ComponentDecl') {
      const c = n as ast.ComponentDecl;
      const param = [...c.params, ...(c.returns?.outputs ?? [])].find((q) => q.name.name === name);
      return param ? { ident: param.name, node: param } : undefined;
    }
  }
  return undefined;
}

/** The output `name` of a component, or its single output (`-> int`, named `Output`). */
export function findOutput(decl: ast.ComponentDecl, name: string): ast.ParamDecl | undefined {
  const outputs = decl.returns?.outputs ?? [];
  return outputs.find((o) => o.name.name === name) ?? (decl.returns?.single ? outputs[0] : undefined);
}
