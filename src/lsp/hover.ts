/**
 * Hover text (Markdown): a component's signature, docstring and image; a binding's type or
 * default; a setting's meaning and allowed values (from the settings catalog, the same table
 * the README and the checker use).
 */
import { parse as parseYaml } from 'yaml';
import { DEFAULT_PYTHON_IMAGE } from '../check/check-component.js';
import { settingDef } from '../check/settings-catalog.js';
import type { SourceFile } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { fenceParamAt } from './fence-names.js';
import { targetAt } from './locate.js';
import { findBinding, findComponent, findOutput, importPath, type ComponentSite } from './resolve.js';
import type { Workspace } from './workspace.js';

const fence = (code: string): string => `\`\`\`kfp\n${code}\n\`\`\``;
const slice = (file: SourceFile, e: { span: { start: number; end: number } }): string => file.text.slice(e.span.start, e.span.end);

function param(file: SourceFile, p: ast.ParamDecl): string {
  return `${p.name.name}: ${p.type.name}${p.default ? ` = ${slice(file, p.default)}` : ''}`;
}

function signature(file: SourceFile, c: ast.ComponentDecl): string {
  const params = c.params.map((p) => param(file, p)).join(', ');
  const r = c.returns;
  const returns = !r ? '' : r.single ? ` -> ${r.outputs[0]?.type.name ?? ''}` : ` -> (${r.outputs.map((o) => param(file, o)).join(', ')})`;
  const word = file.text.startsWith('pipeline', c.span.start) ? 'pipeline' : 'component';
  return `${word} ${c.name.name}(${params})${returns}`;
}

function imageOf(c: ast.ComponentDecl): string | undefined {
  const s = c.settings.find((x) => x.name.name === 'image');
  if (s && s.value.kind === 'Literal' && typeof s.value.value === 'string') return `\`${s.value.value}\``;
  return c.code ? `\`${DEFAULT_PYTHON_IMAGE}\` (the default for Python components)` : undefined;
}

/** A component's hover: from its declaration, or from the component.yaml it was imported from. */
export function componentHover(ws: Workspace, site: ComponentSite, calledAs: string, here: string): string {
  if (site.decl && site.file) {
    const parts = [fence(signature(site.file, site.decl))];
    if (site.decl.description) parts.push(site.decl.description.text.trim());
    const image = imageOf(site.decl);
    if (image) parts.push(`image: ${image}`);
    if (site.path !== here) parts.push(`from \`${site.path}\``);
    return parts.join('\n\n');
  }
  return yamlHover(ws, site.path, calledAs);
}

interface YamlSpec {
  name?: unknown;
  description?: unknown;
  inputs?: { name?: unknown; type?: unknown; default?: unknown; optional?: unknown }[];
  outputs?: { name?: unknown; type?: unknown }[];
  implementation?: { container?: { image?: unknown } };
}

function yamlHover(ws: Workspace, path: string, calledAs: string): string {
  const text = ws.text(path);
  let spec: YamlSpec | undefined;
  try {
    spec = text === undefined ? undefined : (parseYaml(text) as YamlSpec);
  } catch {
    spec = undefined;
  }
  // Only a file shaped like a component is described (as the checker quotes only those): a
  // secrets.yaml imported by mistake shows nothing of its content.
  const impl = spec && typeof spec === 'object' ? (spec.implementation as { container?: unknown; graph?: unknown } | undefined) : undefined;
  const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!spec || typeof spec !== 'object' || !isObject(impl) || !(isObject(impl!.container) || isObject(impl!.graph))) return `${fence(`component ${calledAs}`)}\n\nfrom \`${path}\` (not readable as a component.yaml)`;
  const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
  const inputs = (Array.isArray(spec.inputs) ? spec.inputs : []).map((i) => `${str(i.name)}${i.type ? `: ${str(i.type)}` : ''}${i.default !== undefined ? ` = ${JSON.stringify(i.default)}` : ''}`);
  const outputs = (Array.isArray(spec.outputs) ? spec.outputs : []).map((o) => `${str(o.name)}${o.type ? `: ${str(o.type)}` : ''}`);
  const parts = [fence(`component ${calledAs}(${inputs.join(', ')})${outputs.length > 0 ? ` -> (${outputs.join(', ')})` : ''}`)];
  if (typeof spec.description === 'string') parts.push(spec.description.trim());
  const image = spec.implementation?.container?.image;
  if (typeof image === 'string') parts.push(`image: \`${image}\``);
  parts.push(`from \`${path}\``);
  return parts.join('\n\n');
}

function settingHover(name: string, where: 'task' | 'pipeline' | 'component'): string | undefined {
  if (where === 'component') {
    const meaning: Record<string, string> = {
      image: 'The container image the component runs in.',
      packages: 'Python packages installed before the code runs (`pip install`), as kfp\'s `packages_to_install`.',
      command: 'The container\'s command (a list); parameters and outputs may appear in it.',
      args: 'The container\'s arguments (a list); parameters and outputs may appear in it.',
      env: 'Environment variables of the container (a map of strings).',
    };
    const m = meaning[name];
    return m ? `**${name}** (component setting)\n\n${m}` : undefined;
  }
  const d = settingDef(where, name);
  if (!d) return undefined;
  const lines = [`**${d.name}** (${d.where} setting)`, d.doc, `value: ${d.value}`];
  if (d.allowed) lines.push(`allowed: ${d.allowed.map((a) => `\`"${a}"\``).join(', ')}`);
  if (d.range) lines.push('takes `request .. limit`');
  if (d.needs) lines.push(`needs \`${d.needs}\``);
  lines.push(`example: \`${d.example}\``, `becomes: ${d.target}`);
  return lines.join('\n\n');
}

/** The hover text at `offset` of a parsed file, or undefined when there is nothing to say. */
export function hoverAt(ws: Workspace, doc: ast.Document, offset: number): { text: string; span: { start: number; end: number } } | undefined {
  // In a Python fence: the component parameter a name means (the generated function's parameter).
  const inFence = fenceParamAt(doc.file, doc, offset);
  if (inFence) {
    const kind = inFence.decl.params.includes(inFence.param) ? 'parameter' : 'file output: the path the code writes';
    return { text: fence(`(${kind}) ${param(doc.file, inFence.param)}`), span: inFence.span };
  }
  const { target, path } = targetAt(doc, offset);
  if (!target) return undefined;
  const file = doc.file;
  switch (target.kind) {
    case 'call': {
      const site = findComponent(ws, doc, target.callee.name);
      return site ? { text: componentHover(ws, site, target.callee.name, file.path), span: target.callee.span } : undefined;
    }
    case 'setting': {
      const text = settingHover(target.setting.name.name, target.where);
      return text ? { text, span: target.setting.name.span } : undefined;
    }
    case 'binding': {
      const b = findBinding(path, target.ident.name);
      if (!b) return undefined;
      return { text: bindingHover(ws, doc, file, b.node), span: target.ident.span };
    }
    case 'declaration': {
      const n = target.node;
      if (n.kind === 'ComponentDecl') return { text: componentHover(ws, { path: file.path, file, decl: n as ast.ComponentDecl, span: target.ident.span }, target.ident.name, file.path), span: target.ident.span };
      if (n.kind === 'ParamDecl' && (n as ast.ParamDecl).name !== target.ident) return undefined;
      return { text: bindingHover(ws, doc, file, n as ast.ParamDecl | ast.TaskStmt | ast.ForStmt), span: target.ident.span };
    }
    case 'output': {
      const b = findBinding(path, target.task.name);
      if (!b || b.node.kind !== 'TaskStmt') return undefined;
      const site = findComponent(ws, doc, b.node.callee.name);
      const out = site?.decl && findOutput(site.decl, target.output.name);
      return out && site?.file ? { text: fence(`output ${target.task.name}.${target.output.name}: ${out.type.name}`), span: target.output.span } : undefined;
    }
    case 'argument': {
      const site = findComponent(ws, doc, target.call.callee.name);
      const p = site?.decl?.params.find((q) => q.name.name === target.name.name);
      return p && site?.file ? { text: fence(`(parameter) ${param(site.file, p)}`), span: target.name.span } : undefined;
    }
    case 'import': {
      const path = importPath(ws, file.path, target.imp);
      return { text: path === undefined ? 'outside the project root: not read' : `\`${path}\``, span: target.imp.pathSpan };
    }
  }
}

function bindingHover(ws: Workspace, doc: ast.Document, file: SourceFile, node: ast.ParamDecl | ast.TaskStmt | ast.ForStmt): string {
  if (node.kind === 'ParamDecl') return fence(`(parameter) ${param(file, node)}`);
  if (node.kind === 'ForStmt') return fence(`(loop variable) ${node.variable.name} in ${slice(file, node.items)}`);
  const site = findComponent(ws, doc, node.callee.name);
  const head = fence(`(task) ${node.name?.name ?? ''} = ${node.callee.name}(…)`);
  return site ? `${head}\n\n${componentHover(ws, site, node.callee.name, file.path)}` : head;
}

