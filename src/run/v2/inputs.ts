/**
 * A v2 task's inputs, resolved in the DAG it runs in: constants (`runtimeValue`), the DAG's own
 * inputs (`componentInputParameter`, `componentInputArtifact`), its upstream tasks' outputs
 * (`taskOutputParameter`, `taskOutputArtifact`) and final status (`taskFinalStatus`, for exit
 * tasks), each through its `parameterExpressionSelector`; then its component's defaults. Also
 * the claims its executor mounts, whose names are values of the same DAG.
 */
import { arr, isObj, obj, str, type Obj } from '../spec.js';
import type { ArtifactValue } from '../types.js';
import type { Outcome, Scope, V2Run } from './dag.js';
import { applySelector, selectorField, type ParamValue } from './values.js';

/** The claims an executor task mounts (`pvcMount`), by mount path: constants, or values of the task's DAG (a claim CreatePVC made). */
export function claimsOf(run: V2Run, component: Obj, scope: Scope, done: ReadonlyMap<string, Outcome>): Map<string, string> | { error: string } {
  const claims = new Map<string, string>();
  const k8s = obj(run.spec.kubernetes[str(component['executorLabel']) ?? '']);
  for (const m0 of arr(k8s['pvcMount'])) {
    const m = obj(m0);
    const at = str(m['mountPath']) ?? '';
    let claim = str(m['constant']);
    if (claim === undefined) {
      const from = isObj(m['pvcNameParameter']) ? m['pvcNameParameter'] : m;
      const r = resolveParameter(run, from, scope, done, `the claim at ${at}`);
      if (r === undefined || 'error' in r) return { error: r === undefined ? `the claim mounted at ${at} has no name` : r.error };
      claim = String(r.value);
    }
    claims.set(at, claim);
  }
  return claims;
}

export interface Resolved {
  readonly parameters: Map<string, ParamValue>;
  readonly artifacts: Map<string, ArtifactValue>;
}

/** A task's inputs, from constants, its DAG's inputs and its upstream tasks' outputs. */
export function resolveInputs(run: V2Run, task: Obj, scope: Scope, done: ReadonlyMap<string, Outcome>): Resolved | { error: string } {
  const inputs = obj(task['inputs']);
  const parameters = new Map<string, ParamValue>();
  const artifacts = new Map<string, ArtifactValue>();
  for (const [name, spec0] of Object.entries(obj(inputs['parameters']))) {
    const r = resolveParameter(run, obj(spec0), scope, done, name);
    if (r === undefined) continue;
    if ('error' in r) return r;
    parameters.set(name, r.value);
  }
  // Constants that hold other inputs' placeholders (resources known at run time, as KFP passes them).
  for (const [name, v] of parameters) {
    if (typeof v === 'string' && v.includes('{{$.inputs.parameters[')) {
      parameters.set(name, v.replace(/\{\{\$\.inputs\.parameters\['([^']*)'\]\}\}/g, (whole, n: string) => (parameters.has(n) ? String(parameters.get(n)) : whole)));
    }
  }
  for (const [name, spec0] of Object.entries(obj(inputs['artifacts']))) {
    const spec = obj(spec0);
    const out = obj(spec['taskOutputArtifact']);
    if (isObj(spec['taskOutputArtifact'])) {
      const producer = str(out['producerTask']) ?? '';
      const key = str(out['outputArtifactKey']) ?? '';
      const v = done.get(producer)?.artifacts.get(key);
      if (v === undefined) return { error: `input artifact "${name}": task "${producer}" has no output artifact "${key}"` };
      artifacts.set(name, v);
    } else {
      const from = str(spec['componentInputArtifact']) ?? '';
      const v = scope.artifacts.get(from);
      if (v !== undefined) artifacts.set(name, v);
    }
  }
  return { parameters, artifacts };
}

/**
 * A constant that is exactly one of the run's placeholders is the run's value, as KFP v2's driver
 * fills it (backend/src/v2/driver resolve.go); the task's own (`pipeline_task_*`) are filled in
 * command lines only, by the launcher, as placeholders.ts does.
 */
function runValue(value: ParamValue, run: V2Run): ParamValue {
  if (value === '{{$.pipeline_job_uuid}}') return run.ctx.wf.uid;
  if (value === '{{$.pipeline_job_name}}' || value === '{{$.pipeline_job_resource_name}}') return run.ctx.wf.name;
  return value;
}

function resolveParameter(run: V2Run, spec: Obj, scope: Scope, done: ReadonlyMap<string, Outcome>, name: string): { value: ParamValue } | { error: string } | undefined {
  let value: ParamValue | undefined;
  if (isObj(spec['runtimeValue'])) value = runValue((spec['runtimeValue']['constant'] ?? null) as ParamValue, run);
  else if (spec['componentInputParameter'] !== undefined) {
    value = scope.parameters.get(str(spec['componentInputParameter']) ?? '');
    // An optional input of the DAG that was not given: the task's input is not given either.
    if (value === undefined) return undefined;
  } else if (isObj(spec['taskOutputParameter'])) {
    const producer = str(spec['taskOutputParameter']['producerTask']) ?? '';
    const key = str(spec['taskOutputParameter']['outputParameterKey']) ?? '';
    const o = done.get(producer);
    value = o?.parameters.get(key);
    if (value === undefined) return { error: `input "${name}": task "${producer}" has no output "${key}"${o && o.phase !== 'Succeeded' ? ` (it was ${o.phase.toLowerCase()})` : ''}` };
  } else if (isObj(spec['taskFinalStatus'])) {
    const producer = str(spec['taskFinalStatus']['producerTask']) ?? '';
    const o = done.get(producer);
    const state = o === undefined ? 'RUNTIME_STATE_UNSPECIFIED' : o.phase === 'Succeeded' ? 'SUCCEEDED' : o.phase === 'Skipped' ? 'SKIPPED' : o.phase === 'Omitted' ? 'CANCELED' : 'FAILED';
    value = { state, pipelineJobResourceName: run.ctx.wf.name, pipelineTaskName: producer, error: o?.message !== undefined && state === 'FAILED' ? { code: 2, message: o.message } : {} };
  } else return { error: `input "${name}" has no value` };
  const selector = str(spec['parameterExpressionSelector']);
  if (selector !== undefined) {
    const field = selectorField(selector);
    if (field === undefined) return { error: `input "${name}": the selector \`${selector}\` is not one the local run reads` };
    const r = applySelector(value, field);
    return 'error' in r ? { error: `input "${name}": ${r.error}` } : r;
  }
  return { value };
}

/** The component's defaults for inputs the task does not give; a required input without a value is an error. */
export function withDefaults(component: Obj, given: Map<string, ParamValue>, artifacts: Map<string, ArtifactValue>): Resolved | { error: string } {
  const parameters = new Map(given);
  for (const [name, def0] of Object.entries(obj(obj(component['inputDefinitions'])['parameters']))) {
    if (parameters.has(name)) continue;
    const def = obj(def0);
    if (def['defaultValue'] !== undefined) parameters.set(name, def['defaultValue'] as ParamValue);
    else if (def['isOptional'] !== true) return { error: `input "${name}" has no value` };
  }
  for (const [name, def0] of Object.entries(obj(obj(component['inputDefinitions'])['artifacts']))) {
    if (!artifacts.has(name) && obj(def0)['isOptional'] !== true) return { error: `input artifact "${name}" has no value` };
  }
  return { parameters, artifacts };
}
