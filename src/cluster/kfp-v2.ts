/**
 * The calls kfpdsl makes to the KFP API server for `--target kfp-v2`: v2beta1 (KFP 2.x), as
 * its Swagger contract defines them (backend/api/v2beta1/swagger/*.swagger.json), in the
 * shape KFP's own SDK client sends (kfp/client/client.py): a pipeline is looked up by
 * `name`, an experiment by `display_name`; a run carries the pipeline spec itself (or, when
 * the YAML has a platform spec, `{pipeline_spec, platform_spec}`), its arguments as typed
 * values in `runtime_config.parameters`.
 */
import { ClusterError } from './errors.js';
import { send, type Connection } from './http.js';
import type { Named, Upload, Uploaded } from './kfp-v1.js';

const API = '/apis/v2beta1';

/** The `filter` query parameter: a JSON `v2beta1Filter` with one predicate `key EQUALS value`. */
function equalsFilter(key: string, value: string): string {
  return JSON.stringify({ predicates: [{ operation: 'EQUALS', key, string_value: value }] });
}

function field(conn: Connection, what: string, obj: unknown, key: string): string {
  const v = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
  if (typeof v !== 'string' || v === '') {
    throw new ClusterError('bad-response', `cannot ${what}: the answer from ${conn.base.origin} has no \`${key}\``, 'check that --host points at the KFP API of Kubeflow Pipelines 2.x');
  }
  return v;
}

function list(obj: unknown, key: string): Record<string, unknown>[] {
  const v = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object') : [];
}

const json = (value: unknown): { contentType: string; data: Buffer } => ({ contentType: 'application/json', data: Buffer.from(JSON.stringify(value)) });

/** A multipart/form-data body with the file in the field `uploadfile`, encoded by Node's own FormData. */
async function multipart(fileName: string, text: string): Promise<{ contentType: string; data: Buffer }> {
  const form = new FormData();
  form.append('uploadfile', new Blob([text], { type: 'application/x-yaml' }), fileName);
  const encoded = new Response(form);
  return { contentType: encoded.headers.get('content-type') ?? 'multipart/form-data', data: Buffer.from(await encoded.arrayBuffer()) };
}

export async function findPipelineV2(conn: Connection, name: string, namespace: string | undefined): Promise<Named | undefined> {
  const what = `look up pipeline "${name}"`;
  const res = await send(conn, { method: 'GET', path: `${API}/pipelines`, query: { filter: equalsFilter('name', name), page_size: '10', namespace }, what, idempotent: true });
  const hit = list(res.json, 'pipelines').find((p) => p['name'] === name || p['display_name'] === name);
  return hit ? { id: field(conn, what, hit, 'pipeline_id'), name } : undefined;
}

export async function uploadPipelineV2(conn: Connection, u: Upload): Promise<Uploaded> {
  const what = `upload pipeline "${u.name}"`;
  const res = await send(conn, {
    method: 'POST',
    path: `${API}/pipelines/upload`,
    query: { name: u.name, display_name: u.name, description: u.description, namespace: u.namespace },
    body: await multipart(u.fileName, u.text),
    what,
    idempotent: false,
  });
  return { pipelineId: field(conn, what, res.json, 'pipeline_id') };
}

export async function uploadVersionV2(conn: Connection, pipelineId: string, version: string, u: Upload): Promise<Uploaded> {
  const what = `upload version "${version}" of pipeline "${u.name}"`;
  const res = await send(conn, {
    method: 'POST',
    path: `${API}/pipelines/upload_version`,
    query: { name: version, display_name: version, pipelineid: pipelineId, description: u.description },
    body: await multipart(u.fileName, u.text),
    what,
    idempotent: false,
  });
  return { pipelineId, versionId: field(conn, what, res.json, 'pipeline_version_id') };
}

export async function findExperimentV2(conn: Connection, name: string, namespace: string | undefined): Promise<Named | undefined> {
  const what = `look up experiment "${name}"`;
  const res = await send(conn, { method: 'GET', path: `${API}/experiments`, query: { filter: equalsFilter('display_name', name), page_size: '10', namespace }, what, idempotent: true });
  const hit = list(res.json, 'experiments').find((e) => e['display_name'] === name);
  return hit ? { id: field(conn, what, hit, 'experiment_id'), name } : undefined;
}

export async function createExperimentV2(conn: Connection, name: string, namespace: string | undefined): Promise<Named> {
  const what = `create experiment "${name}"`;
  const res = await send(conn, { method: 'POST', path: `${API}/experiments`, body: json({ display_name: name, ...(namespace ? { namespace } : {}) }), what, idempotent: false });
  return { id: field(conn, what, res.json, 'experiment_id'), name };
}

export interface NewRunV2 {
  readonly name: string;
  readonly experimentId: string;
  /** The YAML's documents: the PipelineSpec, then the PlatformSpec when there is one. */
  readonly documents: readonly unknown[];
  /** Arguments as typed JSON values (a `NUMBER_INTEGER` parameter gets a number). */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly serviceAccount?: string | undefined;
}

/** Never retried: a second POST would start a second run. */
export async function createRunV2(conn: Connection, r: NewRunV2): Promise<Named> {
  const what = `start run "${r.name}"`;
  const [spec, platform] = r.documents;
  const run: Record<string, unknown> = {
    display_name: r.name,
    experiment_id: r.experimentId,
    // As KFP's client sends a two-document YAML (its _PipelineDoc.to_dict).
    pipeline_spec: platform ? { pipeline_spec: spec, platform_spec: platform } : spec,
    runtime_config: { parameters: r.parameters },
  };
  if (r.serviceAccount) run['service_account'] = r.serviceAccount;
  const res = await send(conn, { method: 'POST', path: `${API}/runs`, body: json(run), what, idempotent: false });
  return { id: field(conn, what, res.json, 'run_id'), name: r.name };
}

/** v2beta1's RuntimeState as the phases `--wait` prints (Argo's words, as for kfp-v1). */
const PHASE: Record<string, string> = {
  PENDING: 'Pending',
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  SKIPPED: 'Skipped',
  FAILED: 'Failed',
  CANCELING: 'Running',
  CANCELED: 'Canceled',
  PAUSED: 'Pending',
};

export interface RunStateV2 {
  readonly status: string;
  readonly error?: string | undefined;
  /** The run's tasks in the shape NodeWatch reads (`status.nodes`): the leaf tasks of `run_details.task_details`. */
  readonly workflow: unknown;
}

export async function getRunV2(conn: Connection, runId: string): Promise<RunStateV2> {
  const what = `read the state of run ${runId}`;
  const res = await send(conn, { method: 'GET', path: `${API}/runs/${encodeURIComponent(runId)}`, what, idempotent: true });
  const run = (res.json ?? {}) as Record<string, unknown>;
  const nodes: Record<string, unknown> = {};
  for (const t of list(run['run_details'], 'task_details')) {
    // A DAG (root, a condition, a loop) has child tasks; the user's tasks have none.
    if (Array.isArray(t['child_tasks']) && t['child_tasks'].length > 0) continue;
    const id = String(t['task_id'] ?? t['display_name'] ?? '');
    const err = t['error'] as { message?: unknown } | undefined;
    nodes[id] = {
      type: 'Pod',
      displayName: t['display_name'],
      phase: PHASE[String(t['state'])] ?? 'Pending',
      startedAt: t['start_time'] ?? t['create_time'],
      ...(typeof err?.message === 'string' ? { message: err.message } : {}),
    };
  }
  const error = run['error'] as { message?: unknown } | undefined;
  return {
    status: PHASE[String(run['state'])] ?? '',
    error: typeof error?.message === 'string' && error.message ? error.message : undefined,
    workflow: { status: { nodes } },
  };
}

/** A pipeline's arguments as v2 takes them: text turned into the parameter's type. */
export function typedArguments(args: readonly { name: string; value: string }[], types: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, value } of args) {
    const t = types.get(name);
    if (t === 'int' || t === 'float') out[name] = Number(value);
    else if (t === 'bool') out[name] = value === 'true' || value === 'True';
    else if (t === 'list' || t === 'dict') {
      try {
        out[name] = JSON.parse(value) as unknown;
      } catch {
        out[name] = value;
      }
    } else out[name] = value;
  }
  return out;
}
