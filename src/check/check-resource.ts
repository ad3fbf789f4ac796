/**
 * `secret = resource(action: "create", manifest: {...}, success: "...", outputs: {...})`:
 * kfp's ResourceOp, an Argo resource template on any Kubernetes object. The manifest is a
 * record literal whose values may be parameters, task outputs or loop items; the task's
 * outputs are `name` and `manifest`, plus JSONPaths the user names.
 */
import { keyedObject } from '../ir/ir.js';
import type { IrResource, IrValue, Json } from '../ir/ir.js';
import type * as ast from '../syntax/ast.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { CheckContext } from './context.js';
import type { RefResolver } from './resolved.js';

const RESOURCE_ARGS = ['action', 'manifest', 'success', 'failure', 'outputs'];
const ACTIONS = ['create', 'apply', 'delete', 'replace', 'patch'] as const;

/** The outputs a resource task has, known from its call alone (so that references may come first). */
export function resourceOutputs(s: ast.TaskStmt): string[] {
  const outputs = s.args.find((a) => a.name?.name === 'outputs')?.value;
  const extra = outputs?.kind === 'DictExpr' ? outputs.entries.map((e) => e.key) : [];
  return ['name', 'manifest', ...extra.filter((k) => k !== 'name' && k !== 'manifest')];
}

/** The manifest as JSON, each reference replaced by `{"kfpdsl.ref": i}` with its value in `refs`. */
function manifestJson(ctx: CheckContext, e: ast.Expr, ref: RefResolver, refs: IrValue[]): Json | undefined {
  switch (e.kind) {
    case 'Literal':
      return e.value;
    case 'ListExpr': {
      const items = e.items.map((i) => manifestJson(ctx, i, ref, refs));
      return items.some((i) => i === undefined) ? undefined : (items as Json[]);
    }
    case 'DictExpr': {
      const out = keyedObject<Json>();
      for (const en of e.entries) {
        const v = manifestJson(ctx, en.value, ref, refs);
        if (v === undefined) return undefined;
        out[en.key] = v;
      }
      return out;
    }
    case 'RefExpr': {
      const r = ref(e);
      if (!r) return undefined;
      if ('collect' in r.value) {
        ctx.report('InvalidManifest', 'a manifest value cannot be a list collected from a loop', e.span);
        return undefined;
      }
      refs.push(r.value);
      return { 'kfpdsl.ref': refs.length - 1 };
    }
    default:
      ctx.report('InvalidManifest', 'a manifest holds literals, records, lists and references', e.span);
      return undefined;
  }
}

export function checkResource(ctx: CheckContext, s: ast.TaskStmt, name: string, ref: RefResolver, afterList: () => string[]): IrResource | undefined {
  const named = new Map<string, ast.Argument>();
  for (const a of s.args) {
    if (!a.name) {
      ctx.report('TooManyArguments', '`resource` takes named arguments only', a.span, { hint: 'e.g. resource(action: "create", manifest: { … })' });
      continue;
    }
    if (!RESOURCE_ARGS.includes(a.name.name)) {
      ctx.report('UnknownArgument', `\`resource\` has no argument \`${a.name.name}\``, a.name.span, { hint: didYouMean(a.name.name, RESOURCE_ARGS) ?? `its arguments are ${RESOURCE_ARGS.join(', ')}` });
      continue;
    }
    named.set(a.name.name, a);
  }
  const text = (arg: string): string | undefined => {
    const a = named.get(arg);
    if (!a) return undefined;
    if (a.value.kind === 'Literal' && typeof a.value.value === 'string' && a.value.value !== '') return a.value.value;
    ctx.report('InvalidResourceArgument', `\`${arg}\` must be a non-empty string`, a.value.span);
    return undefined;
  };
  const action = text('action') ?? 'create';
  if (!(ACTIONS as readonly string[]).includes(action)) {
    ctx.report('InvalidResourceArgument', `\`${action}\` is not a resource action`, named.get('action')!.value.span, { hint: didYouMean(action, ACTIONS) ?? `actions are ${ACTIONS.join(', ')}` });
  }
  const m = named.get('manifest');
  const refs: IrValue[] = [];
  let manifest: Json | undefined;
  if (!m) ctx.report('MissingArgument', '`resource` needs a `manifest`', s.callee.span, { hint: 'e.g. resource(manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" } })' });
  else if (m.value.kind !== 'DictExpr') ctx.report('InvalidManifest', 'the manifest is a record', m.value.span);
  else {
    manifest = manifestJson(ctx, m.value, ref, refs);
    const obj = manifest as { [k: string]: Json } | undefined;
    const meta = obj?.['metadata'] as { [k: string]: Json } | undefined;
    if (obj && (typeof obj['apiVersion'] !== 'string' || typeof obj['kind'] !== 'string' || !meta || typeof meta !== 'object' || (meta['name'] === undefined && meta['generateName'] === undefined))) {
      ctx.report('InvalidManifest', 'a manifest needs `apiVersion`, `kind` and `metadata` with a `name` or `generateName`', m.value.span);
      manifest = undefined;
    }
  }
  const outputs = keyedObject<string>();
  const o = named.get('outputs');
  if (o) {
    if (o.value.kind !== 'DictExpr') ctx.report('InvalidResourceOutput', '`outputs` maps output names to JSONPaths', o.value.span, { hint: 'e.g. outputs: { uid: "{.metadata.uid}" }' });
    else {
      for (const en of o.value.entries) {
        const v = en.value;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(en.key)) ctx.report('InvalidIdentifier', `output \`${en.key}\` is not an identifier`, en.keySpan);
        else if (v.kind === 'Literal' && typeof v.value === 'string' && /^\{.*\}$/.test(v.value)) outputs[en.key] = v.value;
        else ctx.report('InvalidResourceOutput', 'an output is a JSONPath such as "{.metadata.uid}"', v.span);
      }
    }
  }
  if (s.settings.length > 0) ctx.report('UnknownSetting', 'a resource takes no task settings', s.settings[0]!.name.span);
  const after = afterList();
  const success = text('success');
  const failure = text('failure');
  if (manifest === undefined || !(ACTIONS as readonly string[]).includes(action)) return undefined;
  return {
    kind: 'resource',
    name,
    action: action as IrResource['action'],
    manifest,
    refs,
    ...(success ? { successCondition: success } : {}),
    ...(failure ? { failureCondition: failure } : {}),
    outputs,
    after,
    origin: { start: s.span.start, end: s.span.end },
  };
}
