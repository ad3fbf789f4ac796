/**
 * Completion, from the text before the cursor and the (error-tolerant) syntax tree: after
 * `alias.` the module's components, after `task.` the task's outputs; at the start of a
 * line in a task's `{ }` the task settings, in a pipeline the pipeline settings and the
 * components; elsewhere the components and the bindings in scope.
 */
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { PIPELINE_SETTING_DEFS, TASK_SETTING_DEFS, type SettingDef } from '../check/settings-catalog.js';
import type * as ast from '../syntax/ast.js';
import { nodePath } from './locate.js';
import { callableComponents, findBinding, findComponent, tasksOf } from './resolve.js';
import type { Workspace } from './workspace.js';

function settingItem(d: SettingDef): CompletionItem {
  return {
    label: d.name,
    kind: CompletionItemKind.Property,
    detail: `${d.where} setting: ${d.value}`,
    documentation: { kind: 'markdown', value: `${d.doc}\n\nexample: \`${d.example}\`` },
    insertText: `${d.name}: \${1}`,
    insertTextFormat: InsertTextFormat.Snippet,
  };
}

const COMPONENT_SETTINGS = ['image', 'packages', 'command', 'args', 'env'];

/**
 * The block the cursor is in, from the text (a half-typed block has no syntax tree yet): the
 * innermost unclosed `{` and what its line says before it.
 */
function blockAround(text: string, offset: number): 'task' | 'pipeline' | 'component' | 'block' | undefined {
  let depth = 0;
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i];
    if (c === '}') depth++;
    else if (c === '{' && depth > 0) depth--;
    else if (c === '{') {
      const head = text.slice(text.lastIndexOf('\n', i - 1) + 1, i).trim();
      if (/^pipeline\b/.test(head)) return 'pipeline';
      if (/^component\b/.test(head)) return 'component';
      if (/^(if|elif|else|for|finally)\b/.test(head) || /^}\s*(elif|else)\b/.test(head)) return 'block';
      return head.endsWith(')') ? 'task' : undefined;
    }
  }
  return undefined;
}

export function completeAt(ws: Workspace, doc: ast.Document, offset: number): CompletionItem[] {
  const text = doc.file.text;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const path = nodePath(doc, offset);
  const components = callableComponents(ws, doc);

  const dotted = /([A-Za-z_]\w*)\.(\w*)$/.exec(before);
  if (dotted) {
    const head = dotted[1]!;
    const items: CompletionItem[] = [];
    for (const [name, site] of components) {
      if (name.startsWith(`${head}.`)) items.push({ label: name.slice(head.length + 1), kind: CompletionItemKind.Function, detail: site.path });
    }
    const b = findBinding(path, head);
    if (b?.node.kind === 'TaskStmt') {
      const site = findComponent(ws, doc, b.node.callee.name);
      for (const o of site?.decl?.returns?.outputs ?? []) items.push({ label: site!.decl!.returns!.single ? 'output' : o.name.name, kind: CompletionItemKind.Field, detail: o.type.name });
    }
    return items;
  }

  const items: CompletionItem[] = [];
  const atLineStart = /^\s*\w*$/.test(before);
  const owner = blockAround(text, offset);
  if (owner === 'task' && atLineStart) return TASK_SETTING_DEFS.map(settingItem);
  if (owner === 'component' && atLineStart) return COMPONENT_SETTINGS.map((name) => ({ label: name, kind: CompletionItemKind.Property, insertText: `${name}: \${1}`, insertTextFormat: InsertTextFormat.Snippet }));
  if (owner === 'pipeline' && atLineStart) items.push(...PIPELINE_SETTING_DEFS.map(settingItem));
  for (const [name, site] of components) {
    items.push({ label: name, kind: CompletionItemKind.Function, detail: site.decl ? `component ${name}(${site.decl.params.map((p) => `${p.name.name}: ${p.type.name}`).join(', ')})` : `component.yaml ${site.path}` });
  }
  const pipeline = path.find((n) => n.kind === 'PipelineDecl') as ast.PipelineDecl | undefined;
  if (pipeline && !atLineStart) {
    for (const p of pipeline.params) items.push({ label: p.name.name, kind: CompletionItemKind.Variable, detail: p.type.name });
    for (const t of tasksOf(pipeline.body)) if (t.name && t.name.name !== '') items.push({ label: t.name.name, kind: CompletionItemKind.Variable, detail: `task ${t.callee.name}` });
    for (const n of path) if (n.kind === 'ForStmt') items.push({ label: (n as ast.ForStmt).variable.name, kind: CompletionItemKind.Variable, detail: 'loop variable' });
  }
  if (atLineStart && !owner) for (const k of ['component', 'pipeline', 'import']) items.push({ label: k, kind: CompletionItemKind.Keyword });
  if (atLineStart && (owner === 'pipeline' || owner === 'block')) for (const k of ['if', 'for', 'finally']) items.push({ label: k, kind: CompletionItemKind.Keyword });
  return items;
}
