/**
 * Argo substitutes `{{…}}` tags anywhere in a template before its pod starts, Python
 * programs included: `'{{inputs.parameters.name}}'` in a ``` block is code injection from
 * a parameter value. Every such tag in text the user wrote (code blocks, component
 * descriptions, string literals) is a warning (KFP3103) that says what Argo will put there.
 *
 * Only what Argo really substitutes is reported: tags whose name starts with `inputs.`,
 * `outputs.`, `workflow.`, `steps.`, `tasks.`, `pod.`, `item`, `node.`, `retries`,
 * `lastRetry.` (argo-workflows `workflow/common`, and `resolveAllVariables`: unknown names
 * under those prefixes make validation fail), and `{{=…}}` expressions. Jinja-like
 * `{{ name }}` or Python's f-string `{{` pass through Argo untouched and are not reported.
 *
 * Intentional use is spelled with the language's own values (`workflow.uid`, `run.id`, …,
 * see WORKFLOW_VALUES), which compile to Argo's tags and are never warned about.
 */
import type { CheckContext } from './context.js';
import type * as ast from '../syntax/ast.js';
import { walkNodes } from '../syntax/walk.js';

/** The language's placeholder values: `workflow.uid` in a .kfp argument compiles to `{{workflow.uid}}`. */
export const WORKFLOW_VALUES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  workflow: { name: '{{workflow.name}}', uid: '{{workflow.uid}}', namespace: '{{workflow.namespace}}' },
  // kfp v1's dsl.RUN_ID_PLACEHOLDER is {{workflow.uid}}; KFP's run name is the workflow's name.
  run: { id: '{{workflow.uid}}', name: '{{workflow.name}}' },
};

const TAG = /\{\{([^{}]*)\}\}/g;

/** What Argo puts in place of a tag's name, or undefined when Argo leaves the tag alone. */
export function argoMeaning(name: string): string | undefined {
  const n = name.trim();
  if (n.startsWith('=')) return 'the result of evaluating this expression';
  let m: RegExpExecArray | null;
  if ((m = /^inputs\.parameters\.(.+)$/.exec(n))) return `the value of the template's input parameter \`${m[1]}\` (a parameter value becomes code)`;
  if ((m = /^inputs\.artifacts\.(.+?)\.path$/.exec(n))) return `the path of input artifact \`${m[1]}\``;
  if ((m = /^outputs\.(parameters|artifacts)\.(.+?)\.path$/.exec(n))) return `the path of output \`${m[2]}\``;
  if ((m = /^workflow\.parameters\.(.+)$/.exec(n))) return `the value of workflow parameter \`${m[1]}\` (a parameter value becomes code)`;
  if (n === 'workflow.name') return "the workflow's name";
  if (n === 'workflow.uid') return "the workflow's UID (kfp's run id)";
  if (n === 'workflow.namespace') return "the workflow's namespace";
  if (n === 'pod.name') return "the pod's name";
  if (n === 'item' || n.startsWith('item.')) return "the current loop item, or a failed validation outside a loop";
  if (n === 'retries') return 'the retry number';
  if (/^(tasks|steps)\./.test(n)) return 'a value of another task (or a failed validation)';
  if (/^(inputs|outputs|workflow|pod|node|lastRetry)\./.test(n)) return "a value of Argo's, or a failed validation when Argo does not know the name";
  return undefined;
}

export interface ArgoTag {
  /** Offset in the text searched. */
  readonly start: number;
  readonly end: number;
  readonly tag: string;
  readonly meaning: string;
}

export function findArgoTags(text: string): ArgoTag[] {
  const out: ArgoTag[] = [];
  if (!text.includes('{{')) return out;
  for (const m of text.matchAll(TAG)) {
    const meaning = argoMeaning(m[1]!);
    if (meaning) out.push({ start: m.index, end: m.index + m[0].length, tag: m[0], meaning });
  }
  return out;
}

const CODE_HINT = "to use a value, make it an input of the component (it reaches the program through argv); to keep the text, split the braces: '{' '{…}}'";
const STRING_HINT = 'Argo has no escape for `{{`; for the run itself write the value `workflow.name`, `workflow.uid`, `workflow.namespace`, `run.id` or `run.name` instead of a string';

/**
 * Reports each substituted tag in `region` (a span of the source). The tag is located in the
 * source text when it is written there; when escapes spell it (`\u007b{`), the region is.
 */
function reportRegion(ctx: CheckContext, region: { start: number; end: number }, value: string, where: 'code' | 'string'): void {
  const tags = findArgoTags(value);
  if (tags.length === 0) return;
  const raw = findArgoTags(ctx.file.text.slice(region.start, region.end));
  const located = raw.length > 0 ? raw.map((t) => ({ ...t, start: t.start + region.start, end: t.end + region.start })) : tags.map((t) => ({ ...t, start: region.start, end: region.end }));
  for (const t of located) {
    ctx.report('ArgoPlaceholder', `Argo replaces \`${t.tag}\` with ${t.meaning}`, { start: t.start, end: t.end }, {
      label: 'substituted by Argo before the pod starts',
      hint: where === 'code' ? CODE_HINT : STRING_HINT,
    });
  }
}

/** Every string literal under `root`. */
function stringLiterals(root: unknown, out: ast.Literal[]): void {
  walkNodes(root, (n) => {
    if (n.kind !== 'Literal') return true;
    if (typeof (n as ast.Literal).value === 'string') out.push(n as ast.Literal);
    return false;
  });
}

export function checkArgoPlaceholders(ctx: CheckContext, doc: ast.Document): void {
  // No `{{` in the source, and no `\u007b` escape that could spell a brace: nothing to find, no tree to walk.
  if (!ctx.file.text.includes('{{') && !/\\u007[bB]/.test(ctx.file.text)) return;
  for (const c of doc.components) {
    if (c.code) reportRegion(ctx, c.code.span, c.code.text, 'code');
    if (c.description) reportRegion(ctx, c.description.span, c.description.text, 'string');
  }
  const literals: ast.Literal[] = [];
  stringLiterals(doc.components.map((c) => [c.params, c.settings]), literals);
  stringLiterals(doc.pipelines.map((p) => [p.params, p.body]), literals);
  literals.sort((a, b) => a.span.start - b.span.start);
  for (const l of literals) reportRegion(ctx, l.span, l.value as string, 'string');
}
