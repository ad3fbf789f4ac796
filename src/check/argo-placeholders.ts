/**
 * Argo substitutes `{{…}}` tags anywhere in a template before its pod starts, Python
 * programs included: `'{{inputs.parameters.name}}'` in a ``` block is code injection from
 * a parameter value. KFP v2's launcher does the same with its `{{$…}}` keys in a command
 * line. Every such tag in text the user wrote (code blocks, component and pipeline
 * descriptions, pipeline names, string literals, dict keys, what `concat` joins, and the
 * text of an imported component.yaml) is a warning (KFP3103) that says what will be put there.
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

/**
 * The run values on `--target kfp-v2` (WORKFLOW_VALUES gives Argo's tags): KFP v2's driver fills
 * `{{$.pipeline_job_uuid}}` and `{{$.pipeline_job_resource_name}}` (the run's workflow name, as
 * `{{workflow.name}}` is on Argo) in a task argument that is exactly the placeholder
 * (driver resolve.go), and nowhere else; KFP v2 has no placeholder for the namespace (null).
 */
export const KFP_V2_RUN_VALUES: ReadonlyMap<string, string | null> = new Map([
  ['{{workflow.uid}}', '{{$.pipeline_job_uuid}}'],
  ['{{workflow.name}}', '{{$.pipeline_job_resource_name}}'],
  ['{{workflow.namespace}}', null],
]);

/** The language's spelling of a run value's Argo tag (`{{workflow.uid}}` → `run.id`), for messages. */
export function runValueName(tag: string): string {
  return tag === '{{workflow.uid}}' ? '`run.id` (`workflow.uid`)' : tag === '{{workflow.name}}' ? '`run.name` (`workflow.name`)' : '`workflow.namespace`';
}

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

/**
 * What KFP v2 puts in place of `{{$…}}` (`name` is the text between the braces, `$` first). Its
 * launcher replaces these keys wherever they occur in a container's command and args
 * (launcher_v2.go getPlaceholders, strings.ReplaceAll), Python programs included, and its
 * driver replaces the `pipeline_job_*` ones in task arguments.
 */
export function kfpV2Meaning(name: string): string {
  let m: RegExpExecArray | null;
  if (name === '$') return 'the executor input: every input value and output path, as JSON (a parameter value becomes code)';
  if ((m = /^\$\.inputs\.parameters\[(['"])(.*)\1\]/.exec(name))) return `the value of input parameter \`${m[2]}\` (a parameter value becomes code)`;
  if ((m = /^\$\.(inputs|outputs)\.artifacts\[(['"])(.*?)\2\]\.(\w+)/.exec(name))) return `the ${m[4]} of ${m[1] === 'inputs' ? 'input' : 'output'} artifact \`${m[3]}\``;
  if ((m = /^\$\.outputs\.parameters\[(['"])(.*?)\1\]\.output_file$/.exec(name))) return `the path of output \`${m[2]}\``;
  if (name === '$.pipeline_job_uuid') return "the run's id";
  if (name === '$.pipeline_job_name') return "the run's display name";
  if (name === '$.pipeline_job_resource_name') return "the run's resource name";
  if (name === '$.pipeline_task_name' || name === '$.pipeline_task_uuid') return "the task's name or id";
  if (name === '$.pipeline_root') return "the pipeline's artifact root";
  return "a value of KFP v2's, when it knows the name";
}

export interface ArgoTag {
  /** Offset in the text searched. */
  readonly start: number;
  readonly end: number;
  readonly tag: string;
  readonly meaning: string;
  /** Who substitutes it: Argo (every target runs on Argo), or KFP v2's launcher and driver. */
  readonly by: 'argo' | 'kfp-v2';
}

/**
 * The tags in `text` that Argo or KFP v2 would substitute. Argo's templates (valyala/fasttemplate)
 * take everything from a `{{` to the next `}}` as the tag, braces and line breaks included
 * (`{{=sprig.trim("{x}")}}` is one expression), trim it, and when the name is unknown but holds
 * another `{{`, try what follows the last one (util/template simpleReplace). So `{{{x.y}}}`
 * (an f-string's braces around a name) is left alone, while `{{a{{inputs.parameters.x}}` is not.
 * KFP v2 replaces its `{{$…}}` keys as plain substrings, wherever they start.
 */
export function findArgoTags(text: string): ArgoTag[] {
  const out: ArgoTag[] = [];
  if (!text.includes('{{')) return out;
  for (let i = text.indexOf('{{'); i >= 0; ) {
    const end = text.indexOf('}}', i + 2);
    if (end < 0) break;
    const inner = text.slice(i + 2, end);
    let start = i;
    let meaning = argoMeaning(inner);
    const nested = inner.lastIndexOf('{{');
    if (meaning === undefined && nested > 0) {
      meaning = argoMeaning(inner.slice(nested + 2));
      start = i + 2 + nested;
    }
    if (meaning !== undefined) out.push({ start, end: end + 2, tag: text.slice(start, end + 2), meaning, by: 'argo' });
    i = text.indexOf('{{', end + 2);
  }
  for (let i = text.indexOf('{{$'); i >= 0; ) {
    const end = text.indexOf('}}', i + 3);
    if (end < 0) break;
    out.push({ start: i, end: end + 2, tag: text.slice(i, end + 2), meaning: kfpV2Meaning(text.slice(i + 2, end)), by: 'kfp-v2' });
    i = text.indexOf('{{$', end + 2);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** A tag as a message shows it: on one line. */
const shown = (tag: string): string => tag.replace(/\r?\n/g, '\\n');

/** The warning's message and label for a tag. */
export function tagMessage(t: ArgoTag): { message: string; label: string } {
  return t.by === 'argo'
    ? { message: `Argo replaces \`${shown(t.tag)}\` with ${t.meaning}`, label: 'substituted by Argo before the pod starts' }
    : { message: `KFP v2 replaces \`${shown(t.tag)}\` with ${t.meaning} (\`--target kfp-v2\`)`, label: "substituted by KFP v2's launcher before the program starts" };
}

const CODE_HINT = "to use a value, make it an input of the component (it reaches the program through argv); to keep the text, split the braces: '{' '{…}}'";
const STRING_HINT = 'neither Argo nor KFP v2 has an escape for `{{`; for the run itself write the value `workflow.name`, `workflow.uid`, `workflow.namespace`, `run.id` or `run.name` instead of a string';

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
    const { message, label } = tagMessage(t);
    ctx.report('ArgoPlaceholder', message, { start: t.start, end: t.end }, { label, hint: where === 'code' ? CODE_HINT : STRING_HINT });
  }
}

/** Every string literal under `root`, every dict key, and every `concat(…)` call. */
function strings(root: unknown, out: { literals: ast.Literal[]; keys: { key: string; keySpan: { start: number; end: number } }[]; concats: ast.CallExpr[] }): void {
  walkNodes(root, (n) => {
    if (n.kind === 'Literal') {
      if (typeof (n as ast.Literal).value === 'string') out.literals.push(n as ast.Literal);
      return false;
    }
    if (n.kind === 'DictExpr') out.keys.push(...(n as ast.DictExpr).entries);
    if (n.kind === 'CallExpr' && (n as ast.CallExpr).callee.name === 'concat') out.concats.push(n as ast.CallExpr);
    return true;
  });
}

/**
 * A tag that only `concat("{{inputs.", "parameters.x}}")` assembles: each literal alone holds
 * none, the joined argument does. Values between literals join nothing (they are substituted
 * once, not scanned again), so a NUL (which no string may hold) stands for them.
 */
function reportConcat(ctx: CheckContext, call: ast.CallExpr): void {
  const parts: { from: number; to: number }[] = [];
  let joined = '';
  for (const a of call.args) {
    const v = a.value;
    const text = v.kind === 'Literal' && typeof v.value === 'string' ? v.value : '\0';
    parts.push({ from: joined.length, to: joined.length + text.length });
    joined += text;
  }
  for (const t of findArgoTags(joined)) {
    if (parts.some((p) => t.start >= p.from && t.end <= p.to)) continue; // inside one literal: reported there
    if (t.tag.includes('\0')) continue; // around a value: Argo's one pass leaves what it makes
    const { message, label } = tagMessage(t);
    ctx.report('ArgoPlaceholder', message, call.span, { label: `${label} (the joined text)`, hint: STRING_HINT });
  }
}

export function checkArgoPlaceholders(ctx: CheckContext, doc: ast.Document): void {
  // No `{{` in the source, no `\u007b` escape that could spell a brace, and no concat that could
  // join two halves into one: nothing to find, no tree to walk.
  const text = ctx.file.text;
  if (!text.includes('{{') && !/\\u007[bB]/.test(text) && !text.includes('concat')) return;
  for (const c of doc.components) {
    if (c.code) reportRegion(ctx, c.code.span, c.code.text, 'code');
    if (c.description) reportRegion(ctx, c.description.span, c.description.text, 'string');
  }
  for (const p of doc.pipelines) {
    // The display name lands in the workflow's annotations and KFP v2's pipelineInfo; the description too.
    reportRegion(ctx, p.nameSpan, p.name, 'string');
    if (p.description) reportRegion(ctx, p.description.span, p.description.text, 'string');
  }
  const found: Parameters<typeof strings>[1] = { literals: [], keys: [], concats: [] };
  strings(doc.components.map((c) => [c.params, c.settings]), found);
  strings(doc.pipelines.map((p) => [p.params, p.body]), found);
  const regions = [
    ...found.literals.map((l) => ({ span: l.span, value: l.value as string })),
    ...found.keys.map((k) => ({ span: k.keySpan, value: k.key })),
  ].sort((a, b) => a.span.start - b.span.start);
  for (const r of regions) reportRegion(ctx, r.span, r.value, 'string');
  for (const c of found.concats) reportConcat(ctx, c);
}
