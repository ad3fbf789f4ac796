/**
 * `data = volume("name", size: "1Gi", mode: "ReadWriteOnce", storage_class: "x", delete: true)`:
 * kfp's VolumeOp. Checks the claim name, size (a literal or a parameter), access modes,
 * storage class and whether the exit handler deletes it.
 */
import type { IrVolume } from '../ir/ir.js';
import { sanitizeK8sName } from '../names.js';
import type * as ast from '../syntax/ast.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { CheckContext, constValue } from './context.js';
import type { RefResolver } from './resolved.js';

const VOLUME_ARGS = ['size', 'mode', 'modes', 'storage_class', 'delete'];

export function checkVolume(ctx: CheckContext, s: ast.TaskStmt, info: { name: string; loops: readonly string[]; inExit: boolean }, ref: RefResolver, afterList: () => string[]): IrVolume | undefined {
  const named = new Map<string, ast.Argument>();
  let resourceName: string | undefined;
  for (const a of s.args) {
    if (!a.name) {
      if (resourceName !== undefined) ctx.report('TooManyArguments', '`volume` takes one positional argument, the claim name', a.span);
      else if (a.value.kind === 'Literal' && typeof a.value.value === 'string' && sanitizeK8sName(a.value.value) !== '') resourceName = sanitizeK8sName(a.value.value);
      else ctx.report('InvalidVolumeArgument', 'the volume name must be a non-empty string', a.value.span);
      continue;
    }
    if (!VOLUME_ARGS.includes(a.name.name)) {
      ctx.report('UnknownArgument', `\`volume\` has no argument \`${a.name.name}\``, a.name.span, { hint: didYouMean(a.name.name, VOLUME_ARGS) ?? `its arguments are the name, ${VOLUME_ARGS.join(', ')}` });
      continue;
    }
    named.set(a.name.name, a);
  }
  if (resourceName === undefined) resourceName = info.name;
  let size: IrVolume['size'] | undefined;
  const sizeArg = named.get('size');
  if (!sizeArg) ctx.report('MissingArgument', '`volume` needs a `size`', s.callee.span, { hint: 'e.g. volume("data", size: "1Gi")' });
  else {
    const v = sizeArg.value;
    if (v.kind === 'Literal' && typeof v.value === 'string' && /^[0-9]+(\.[0-9]+)?(E|Ei|P|Pi|T|Ti|G|Gi|M|Mi|K|Ki|k)?$/.test(v.value)) size = v.value;
    else if (v.kind === 'RefExpr') {
      const r = ref(v);
      if (r && 'param' in r.value) size = { param: r.value.param };
      else if (r) ctx.report('InvalidVolumeSize', 'a volume size comes from a literal or a pipeline parameter', v.span);
    } else ctx.report('InvalidVolumeSize', `\`${v.kind === 'Literal' ? String(v.value) : 'this'}\` is not a valid storage size`, v.span, { hint: 'e.g. "1Gi", "500Mi", "10G"' });
  }
  const MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
  let modes = ['ReadWriteMany'];
  const modeArg = named.get('mode') ?? named.get('modes');
  if (modeArg) {
    const v = constValue(modeArg.value)?.const;
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
    if (!list || list.length === 0 || !list.every((m) => typeof m === 'string' && MODES.includes(m))) {
      ctx.report('InvalidAccessMode', 'volume access modes are "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany" or "ReadWriteOncePod"', modeArg.value.span, {
        hint: typeof v === 'string' ? didYouMean(v, MODES) : undefined,
      });
    } else modes = list as string[];
  }
  let storageClass: string | undefined;
  const sc = named.get('storage_class');
  if (sc) {
    if (sc.value.kind === 'Literal' && typeof sc.value.value === 'string') storageClass = sc.value.value;
    else ctx.report('InvalidVolumeArgument', '`storage_class` must be a string', sc.value.span);
  }
  let deleteAtExit = false;
  const del = named.get('delete');
  if (del) {
    if (del.value.kind === 'Literal' && typeof del.value.value === 'boolean') deleteAtExit = del.value.value;
    else ctx.report('InvalidVolumeArgument', '`delete` is `true` or `false`', del.value.span);
    if (deleteAtExit && (info.loops.length > 0 || info.inExit)) {
      ctx.report('InvalidVolumeArgument', 'only a volume created at the top level of the pipeline can be deleted when it ends', del.span);
      deleteAtExit = false;
    }
  }
  if (s.settings.length > 0) ctx.report('UnknownSetting', 'a volume takes no task settings', s.settings[0]!.name.span);
  const after = afterList();
  if (size === undefined) return undefined;
  return {
    kind: 'volume',
    name: info.name,
    resourceName,
    size,
    modes,
    ...(storageClass ? { storageClass } : {}),
    ...(deleteAtExit ? { deleteAtExit } : {}),
    after,
    origin: { start: s.span.start, end: s.span.end },
  };
}
