/**
 * `kfpdsl import`: a kfp v1 component.yaml or compiled pipeline (Argo Workflow YAML) → `.kfp`
 * text, formatted by `kfpdsl fmt`'s own formatter, with a warning (and a comment in the
 * output) for everything that has no `.kfp` form.
 */
import YAML, { isMap, isNode, type Document } from 'yaml';
import { yamlErrorMessage } from '../check/yaml-error.js';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { PYYAML } from '../kfp/pyyaml.js';
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

/** A kfp v1 compiled pipeline (`kind: Workflow`) or a component (a mapping `implementation`), judged from the parse however broken. */
function recognisable(doc: Document): boolean {
  const c = doc.contents;
  return isMap(c) && (c.get('kind') === 'Workflow' || isMap(c.get('implementation', true)));
}

/** The file as a diagnostic names it without any of its text (no snippet is printed). */
const unquoted = (path: string): SourceFile => new SourceFile(path, '');
const UNQUOTED_HINT = 'the content of other files is not shown';

/**
 * The first `name` (of a template, task, parameter, artifact, input, output, env variable,
 * volume…) that is not a string: `name: 5`, `name: true`, `name: null`. Argo and kfp refuse
 * such a file; the importer names things after them, so it says where instead of failing.
 * Loop items are data, whose `name` fields may be anything.
 */
function nonTextName(v: unknown, path: string): { path: string; what: string } | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = nonTextName(v[i], `${path}[${i}]`);
      if (bad) return bad;
    }
  } else if (isRecord(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'name' && x !== undefined && typeof x !== 'string') return { path: `${path}.name`, what: x === null ? 'null' : Array.isArray(x) ? 'a list' : typeof x === 'object' ? 'a mapping' : `the ${typeof x} ${String(x)}` };
      if (k === 'withItems') continue;
      const bad = nonTextName(x, `${path}.${k}`);
      if (bad) return bad;
    }
  }
  return undefined;
}

export function importYaml(path: string, text: string): ImportResult {
  const file = new SourceFile(path, text);
  let doc: Document;
  try {
    doc = YAML.parseDocument(text, { ...PYYAML, uniqueKeys: true, merge: false, prettyErrors: false, strict: true, maxAliasCount: 50 } as never);
  } catch (e) {
    return { diagnostics: [diag('ImportBadYaml', `\`${path}\` is not valid YAML: ${yamlErrorMessage(e instanceof Error ? e.message : String(e))}`, { file: unquoted(path), hint: UNQUOTED_HINT })] };
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    // Only a file that is recognisably kfp's is quoted: `kfpdsl import secrets.yaml` by mistake
    // must not print the secrets' line (nor YAML's message, which may quote a key or an alias).
    if (!recognisable(doc)) return { diagnostics: [diag('ImportBadYaml', `\`${path}\` is not valid YAML (line ${file.positionAt(e.pos[0]).line}), nor a kfp v1 pipeline or component`, { file: unquoted(path), hint: UNQUOTED_HINT })] };
    return { diagnostics: [diag('ImportBadYaml', `\`${path}\` is not valid YAML: ${yamlErrorMessage(e.message)}`, { file, span: { start: e.pos[0], end: Math.max(e.pos[0] + 1, e.pos[1]) } })] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    return { diagnostics: [diag('ImportBadYaml', `\`${path}\` cannot be read: ${yamlErrorMessage(e instanceof Error ? e.message : String(e))}`, recognisable(doc) ? { file, span: { start: 0, end: 0 } } : { file: unquoted(path), hint: UNQUOTED_HINT })] };
  }
  // Located (and so quoted) only in a file that is recognisably kfp's; any other is refused below unquoted.
  const badName = recognisable(doc) ? nonTextName(data, '') : undefined;
  if (badName) {
    return { diagnostics: [diag('ImportNotKfp', `\`${path}\` has a \`name\` that YAML reads as ${badName.what}, not as text (at \`${badName.path.replace(/^\./, '')}\`)`, { file, span: locate(doc, badName.path.replace(/^\./, '')), hint: 'quote it: Argo and kfp read every name as a string, and refuse the file otherwise' })] };
  }
  const warnings = new Warnings();
  let body: string;
  if (isRecord(data) && data['kind'] === 'Workflow' && isRecord(data['spec'])) {
    body = importWorkflow(data, warnings);
  } else if (isRecord(data) && isRecord(data['implementation'])) {
    body = importComponent(data as ComponentSpec, '', warnings).text;
  } else {
    const what = isRecord(data) && typeof data['pipelineSpec'] === 'object' ? 'a KFP v2 pipeline spec (kfpdsl imports kfp v1 only)' : isRecord(data) && typeof data['kind'] === 'string' ? `a ${String(data['kind'])}, not an Argo Workflow` : 'neither a kfp v1 compiled pipeline (an Argo Workflow) nor a component.yaml (a mapping with `implementation`)';
    return { diagnostics: [diag('ImportNotKfp', `\`${path}\` is ${what}`, { file: unquoted(path), hint: `give the YAML that \`dsl-compile\` wrote (the file you upload to KFP), or a component.yaml; ${UNQUOTED_HINT}` })] };
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
