/**
 * Binding a template's inputs, as Argo's ProcessArgs does: the template is first substituted
 * with the workflow's globals, then each input parameter takes the caller's argument, else
 * its `value`, else its `default` (none of them: an error), and each input artifact the
 * caller's artifact, else its own `raw` (unless optional). A second pass substitutes
 * `{{inputs.*}}`, `{{outputs.*.path}}` and `{{pod.name}}`; anything else is left for later.
 */
import type { RunContext } from './context.js';
import { isObj, nameOf, obj, objs, str, type Obj } from './spec.js';
import { deepSubstitute, fromMap } from './substitute.js';
import type { ArtifactValue } from './types.js';

export interface Bound {
  readonly tmpl: Obj;
  readonly parameters: ReadonlyMap<string, string>;
  readonly artifacts: ReadonlyMap<string, ArtifactValue>;
}

export function bindInputs(
  ctx: RunContext,
  raw: Obj,
  args: { parameters: ReadonlyMap<string, string>; artifacts: ReadonlyMap<string, ArtifactValue> },
  podName: string | undefined,
): Bound | { error: string } {
  const tmpl = deepSubstitute(raw, ctx.global);
  const inputs = obj(tmpl['inputs']);
  const vars = new Map<string, string>();

  const parameters = new Map<string, string>();
  for (const p of objs(inputs['parameters'])) {
    const name = nameOf(p);
    let value = args.parameters.get(name) ?? str(p['value']) ?? str(p['default']);
    const cmRef = obj(obj(p['valueFrom'])['configMapKeyRef']);
    if (value === undefined && str(cmRef['name']) !== undefined) value = ctx.opts.configMaps?.[str(cmRef['name']) ?? '']?.[str(cmRef['key']) ?? ''];
    if (value === undefined) return { error: `inputs.parameters.${name} was not supplied` };
    const allowed = Array.isArray(p['enum']) ? p['enum'].map(str) : undefined;
    if (allowed && !allowed.includes(value)) return { error: `inputs.parameters.${name} value "${value}" is not one of ${JSON.stringify(allowed)}` };
    parameters.set(name, value);
    vars.set(`inputs.parameters.${name}`, value);
  }

  const artifacts = new Map<string, ArtifactValue>();
  for (const a of objs(inputs['artifacts'])) {
    const name = nameOf(a);
    const value: ArtifactValue | undefined = args.artifacts.get(name) ?? (isObj(a['raw']) ? { raw: str(a['raw']['data']) ?? '' } : undefined);
    if (value !== undefined) artifacts.set(name, value);
    else if (a['optional'] !== true) return { error: `inputs.artifacts.${name} was not supplied` };
    const path = str(a['path']);
    if (path !== undefined) vars.set(`inputs.artifacts.${name}.path`, path);
  }

  const outputs = obj(tmpl['outputs']);
  for (const p of objs(outputs['parameters'])) {
    const path = str(obj(p['valueFrom'])['path']);
    if (path !== undefined) vars.set(`outputs.parameters.${nameOf(p)}.path`, path);
  }
  for (const a of objs(outputs['artifacts'])) {
    const path = str(a['path']);
    if (path !== undefined) vars.set(`outputs.artifacts.${nameOf(a)}.path`, path);
  }
  if (podName !== undefined) vars.set('pod.name', podName);

  return { tmpl: deepSubstitute(tmpl, fromMap(vars)), parameters, artifacts };
}
