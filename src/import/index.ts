/**
 * `kfpdsl import`: a kfp v1 component.yaml or compiled pipeline (Argo Workflow YAML) → `.kfp`
 * text, formatted by `kfpdsl fmt`'s own formatter, with a warning (and a comment in the
 * output) for everything that has no `.kfp` form.
 */
import YAML, { isNode, type Document } from 'yaml';
import { yamlErrorMessage } from '../check/yaml-error.js';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatSource } from '../fmt/format.js';
import { SourceFile } from '../source.js';
import { importComponent } from './component.js';
import { importWorkflow } from './pipeline.js';
import { isRecord, Warnings, type ComponentSpec } from './types.js';

export interface ImportResult {
  /** The `.kfp` text; undefined when there are errors. */
  text?: string;
  diagnostics: Diagnostic[];
}

/** `spec.templates[3].name` → ['spec', 'templates', 3, 'name']. */
function pathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return keys;
}

function locate(doc: Document, path: string): { start: number; end: number } {
  const keys = pathKeys(path);
  // The deepest node that exists on the path: a warning about a missing field points at its parent.
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) return { start: node.range[0], end: Math.max(node.range[0] + 1, node.range[1]) };
  }
  return { start: 0, end: 0 };
}

export function importYaml(path: string, text: string): ImportResult {
  const file = new SourceFile(path, text);
  let doc: Document;
  try {
    doc = YAML.parseDocument(text, { uniqueKeys: true, merge: false, prettyErrors: false, strict: true, maxAliasCount: 50 } as never);
  } catch (e) {
    return { diagnostics: [diag('ImportBadYaml', `\`${path}\` is not valid YAML: ${yamlErrorMessage(e instanceof Error ? e.message : String(e))}`, { file, span: { start: 0, end: 0 } })] };
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    return { diagnostics: [diag('ImportBadYaml', `\`${path}\` is not valid YAML: ${yamlErrorMessage(e.message)}`, { file, span: { start: e.pos[0], end: Math.max(e.pos[0] + 1, e.pos[1]) } })] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    return { diagnostics: [diag('ImportBadYaml', `\`${path}\` cannot be read: ${e instanceof Error ? e.message : String(e)}`, { file, span: { start: 0, end: 0 } })] };
  }
  const warnings = new Warnings();
  let body: string;
  if (isRecord(data) && data['kind'] === 'Workflow' && isRecord(data['spec'])) {
    body = importWorkflow(data, warnings);
  } else if (isRecord(data) && isRecord(data['implementation'])) {
    body = importComponent(data as ComponentSpec, '', warnings).text;
  } else {
    const what = isRecord(data) && typeof data['pipelineSpec'] === 'object' ? 'a KFP v2 pipeline spec (kfpdsl imports kfp v1 only)' : isRecord(data) && typeof data['kind'] === 'string' ? `a ${String(data['kind'])}, not an Argo Workflow` : 'neither a kfp v1 compiled pipeline (an Argo Workflow) nor a component.yaml (a mapping with `implementation`)';
    return { diagnostics: [diag('ImportNotKfp', `\`${path}\` is ${what}`, { file, span: locate(doc, ''), hint: 'give the YAML that `dsl-compile` wrote (the file you upload to KFP), or a component.yaml' })] };
  }
  const diagnostics = warnings.list.map((w) => diag('ImportNotTranslated', `not translated: ${w.message} (at \`${w.path.replace(/^\./, '') || '(document)'}\`)`, { file, span: locate(doc, w.path.replace(/^\./, '')), hint: `kept as a \`# kfpdsl import: not translated:\` comment in the .kfp; ${w.hint ?? 'translate it by hand'}` }));
  const header = `# Imported by \`kfpdsl import\` from ${path.split(/[\\/]/).pop()}\n`;
  const formatted = formatSource(new SourceFile(path.replace(/\.ya?ml$/i, '') + '.kfp', header + body));
  if (formatted.text === undefined) {
    // A bug of the importer (it wrote text that does not parse): say so and keep the raw text for the report.
    return { diagnostics: [...diagnostics, ...formatted.diagnostics.map((d) => ({ ...d, message: `the imported text does not parse: ${d.message}` }))] };
  }
  return { text: formatted.text, diagnostics };
}
