/**
 * A v2 executor's command line with its placeholders filled, as KFP's launcher fills them:
 * `{{$.inputs.parameters['x']}}` (the value's text), `{{$.inputs.artifacts['x'].path}}`,
 * `{{$.outputs.artifacts['y'].path}}`, `{{$.outputs.parameters['p'].output_file}}`, the
 * `{{$.pipeline_…}}` names, and the structured `{"IfPresent": …}` and `{"Concat": …}`
 * arguments. Paths are container paths (local.ts maps them into the task's directory).
 * `check` finds, before the run, what this executor could not fill.
 */
import { paramText, type ParamValue } from './values.js';

/** Where a task's files live inside its (local) container. */
export const inputArtifactPath = (name: string): string => `/kfp/inputs/artifacts/${encodeURIComponent(name)}/data`;
export const outputArtifactPath = (name: string): string => `/kfp/outputs/artifacts/${encodeURIComponent(name)}/data`;
export const outputParamPath = (name: string): string => `/kfp/outputs/parameters/${encodeURIComponent(name)}`;

export interface Fill {
  readonly parameters: ReadonlyMap<string, ParamValue>;
  /** Input artifacts that have a value. */
  readonly artifacts: ReadonlySet<string>;
  readonly job: { name: string; uuid: string };
  readonly task: { name: string; uuid: string };
}

const TAG = /\{\{\$(?:\.([^{}]*))?\}\}/g;

type Resolver = (tag: string) => string | undefined;

function resolver(f: Fill | undefined): Resolver {
  return (tag) => {
    let m = /^inputs\.parameters\['([^']*)'\]$/.exec(tag);
    if (m) return f ? (f.parameters.has(m[1]!) ? paramText(f.parameters.get(m[1]!)!) : '') : '';
    m = /^inputs\.artifacts\['([^']*)'\]\.(path|uri)$/.exec(tag);
    if (m) return inputArtifactPath(m[1]!);
    m = /^outputs\.artifacts\['([^']*)'\]\.(path|uri)$/.exec(tag);
    if (m) return outputArtifactPath(m[1]!);
    m = /^outputs\.parameters\['([^']*)'\]\.output_file$/.exec(tag);
    if (m) return outputParamPath(m[1]!);
    if (tag === 'pipeline_job_name' || tag === 'pipeline_job_resource_name') return f?.job.name ?? '';
    if (tag === 'pipeline_job_uuid') return f?.job.uuid ?? '';
    if (tag === 'pipeline_task_name') return f?.task.name ?? '';
    if (tag === 'pipeline_task_uuid') return f?.task.uuid ?? '';
    return undefined;
  };
}

function fillText(s: string, r: Resolver, unknown: string[]): string {
  return s.replace(TAG, (whole, tag: string | undefined) => {
    const v = tag === undefined ? undefined : r(tag);
    if (v === undefined) unknown.push(whole);
    return v ?? whole;
  });
}

/** One argument: a string with placeholders, or the JSON of a structured placeholder (it may expand to none or several). */
function expand(arg: unknown, f: Fill | undefined, r: Resolver, unknown: string[]): string[] {
  if (typeof arg !== 'string') {
    unknown.push(JSON.stringify(arg));
    return [];
  }
  const structured = arg.startsWith('{"IfPresent"') || arg.startsWith('{"Concat"');
  if (!structured) return [fillText(arg, r, unknown)];
  let p: { IfPresent?: { InputName?: unknown; Then?: unknown; Else?: unknown }; Concat?: unknown };
  try {
    p = JSON.parse(arg) as typeof p;
  } catch {
    return [fillText(arg, r, unknown)];
  }
  const list = (x: unknown): unknown[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  if (p.Concat !== undefined) return [list(p.Concat).flatMap((x) => expand(x, f, r, unknown)).join('')];
  const ip = p.IfPresent!;
  if (typeof ip.InputName !== 'string') {
    unknown.push(arg);
    return [];
  }
  // Before the run (no Fill), both branches are checked.
  const present = f ? f.parameters.has(ip.InputName) || f.artifacts.has(ip.InputName) : true;
  const chosen = f ? (present ? ip.Then : ip.Else) : [...list(ip.Then), ...list(ip.Else)];
  return list(chosen).flatMap((x) => expand(x, f, r, unknown));
}

/** The filled command and args; `unknown` lists placeholders this executor cannot fill. */
export function fillCommand(command: readonly unknown[], args: readonly unknown[], f: Fill): { command: string[]; args: string[]; unknown: string[] } {
  const unknown: string[] = [];
  const r = resolver(f);
  return { command: command.flatMap((a) => expand(a, f, r, unknown)), args: args.flatMap((a) => expand(a, f, r, unknown)), unknown };
}

/** The placeholders of a command line that the local run cannot fill (checked before the run). */
export function unfillable(command: readonly unknown[], args: readonly unknown[]): string[] {
  const unknown: string[] = [];
  const r = resolver(undefined);
  for (const a of [...command, ...args]) expand(a, undefined, r, unknown);
  return [...new Set(unknown)];
}
