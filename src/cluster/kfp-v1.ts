/**
 * The calls kfpdsl makes to the KFP API server, v1beta1 (KFP 1.x; still served by 2.x), as
 * its Swagger contract defines them (backend/api/v1beta1/swagger/*.swagger.json).
 */
import { ClusterError } from './errors.js';
import { send, type Connection } from './http.js';

const API = '/apis/v1beta1';

export interface Named {
  readonly id: string;
  readonly name: string;
}

/** The `filter` query parameter: a JSON `apiFilter` with one predicate `name EQUALS value`. */
function nameFilter(name: string): string {
  return JSON.stringify({ predicates: [{ key: 'name', op: 'EQUALS', string_value: name }] });
}

function namespaceQuery(namespace: string | undefined): Record<string, string | undefined> {
  return namespace ? { 'resource_reference_key.type': 'NAMESPACE', 'resource_reference_key.id': namespace } : {};
}

function field(conn: Connection, what: string, obj: unknown, key: string): string {
  const v = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
  if (typeof v !== 'string' || v === '') {
    throw new ClusterError('bad-response', `cannot ${what}: the answer from ${conn.base.origin} has no \`${key}\``, `check that --host points at the KFP API`);
  }
  return v;
}

function list(obj: unknown, key: string): Record<string, unknown>[] {
  const v = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object') : [];
}

export async function healthz(conn: Connection): Promise<void> {
  await send(conn, { method: 'GET', path: `${API}/healthz`, what: 'check the server', idempotent: true });
}

/** The pipeline named `name` (in `namespace`, or shared), if any. */
export async function findPipeline(conn: Connection, name: string, namespace: string | undefined): Promise<Named | undefined> {
  const what = `look up pipeline "${name}"`;
  const res = await send(conn, {
    method: 'GET',
    path: `${API}/pipelines`,
    query: { filter: nameFilter(name), page_size: '10', ...namespaceQuery(namespace) },
    what,
    idempotent: true,
  });
  const hit = list(res.json, 'pipelines').find((p) => p['name'] === name);
  return hit ? { id: field(conn, what, hit, 'id'), name } : undefined;
}

export interface Upload {
  readonly fileName: string;
  readonly text: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly namespace?: string | undefined;
}

/** A multipart/form-data body with the file in the field `uploadfile`, encoded by Node's own FormData. */
async function multipart(fileName: string, text: string): Promise<{ contentType: string; data: Buffer }> {
  const form = new FormData();
  form.append('uploadfile', new Blob([text], { type: 'application/x-yaml' }), fileName);
  const encoded = new Response(form);
  const contentType = encoded.headers.get('content-type') ?? 'multipart/form-data';
  return { contentType, data: Buffer.from(await encoded.arrayBuffer()) };
}

export interface Uploaded {
  readonly pipelineId: string;
  readonly versionId?: string;
}

export async function uploadPipeline(conn: Connection, u: Upload): Promise<Uploaded> {
  const what = `upload pipeline "${u.name}"`;
  const res = await send(conn, {
    method: 'POST',
    path: `${API}/pipelines/upload`,
    query: { name: u.name, description: u.description, namespace: u.namespace },
    body: await multipart(u.fileName, u.text),
    what,
    idempotent: false,
  });
  const pipelineId = field(conn, what, res.json, 'id');
  const dv = (res.json as Record<string, unknown>)['default_version'];
  const versionId = dv && typeof dv === 'object' && typeof (dv as Record<string, unknown>)['id'] === 'string' ? ((dv as Record<string, unknown>)['id'] as string) : undefined;
  return versionId ? { pipelineId, versionId } : { pipelineId };
}

export async function uploadVersion(conn: Connection, pipelineId: string, version: string, u: Upload): Promise<Uploaded> {
  const what = `upload version "${version}" of pipeline "${u.name}"`;
  const res = await send(conn, {
    method: 'POST',
    path: `${API}/pipelines/upload_version`,
    query: { name: version, pipelineid: pipelineId, description: u.description, namespace: u.namespace },
    body: await multipart(u.fileName, u.text),
    what,
    idempotent: false,
  });
  return { pipelineId, versionId: field(conn, what, res.json, 'id') };
}

export async function findExperiment(conn: Connection, name: string, namespace: string | undefined): Promise<Named | undefined> {
  const what = `look up experiment "${name}"`;
  const res = await send(conn, {
    method: 'GET',
    path: `${API}/experiments`,
    query: { filter: nameFilter(name), page_size: '10', ...namespaceQuery(namespace) },
    what,
    idempotent: true,
  });
  const hit = list(res.json, 'experiments').find((e) => e['name'] === name);
  return hit ? { id: field(conn, what, hit, 'id'), name } : undefined;
}

export async function createExperiment(conn: Connection, name: string, namespace: string | undefined): Promise<Named> {
  const what = `create experiment "${name}"`;
  const experiment: Record<string, unknown> = { name };
  if (namespace) experiment['resource_references'] = [{ key: { type: 'NAMESPACE', id: namespace }, relationship: 'OWNER' }];
  const res = await send(conn, {
    method: 'POST',
    path: `${API}/experiments`,
    body: { contentType: 'application/json', data: Buffer.from(JSON.stringify(experiment)) },
    what,
    idempotent: false,
  });
  return { id: field(conn, what, res.json, 'id'), name };
}

export interface NewRun {
  readonly name: string;
  readonly experimentId: string;
  /** The Argo Workflow as an object; sent as a JSON string in `pipeline_spec.workflow_manifest`. */
  readonly workflow: unknown;
  readonly parameters: readonly { name: string; value: string }[];
  readonly description?: string | undefined;
  readonly serviceAccount?: string | undefined;
}

/** Never retried: a second POST would start a second run. */
export async function createRun(conn: Connection, r: NewRun): Promise<Named> {
  const what = `start run "${r.name}"`;
  const run: Record<string, unknown> = {
    name: r.name,
    pipeline_spec: { workflow_manifest: JSON.stringify(r.workflow), parameters: r.parameters },
    resource_references: [{ key: { type: 'EXPERIMENT', id: r.experimentId }, relationship: 'OWNER' }],
  };
  if (r.description) run['description'] = r.description;
  if (r.serviceAccount) run['service_account'] = r.serviceAccount;
  const res = await send(conn, {
    method: 'POST',
    path: `${API}/runs`,
    body: { contentType: 'application/json', data: Buffer.from(JSON.stringify(run)) },
    what,
    idempotent: false,
  });
  const detail = res.json as Record<string, unknown> | undefined;
  return { id: field(conn, what, detail?.['run'], 'id'), name: r.name };
}

export interface RunState {
  /** Pending, Running, Succeeded, Skipped, Failed, Error (empty before the workflow starts). */
  readonly status: string;
  readonly error?: string | undefined;
  /** The Argo Workflow as it runs (with `status.nodes`), when the server has one yet. */
  readonly workflow?: unknown;
}

export async function getRun(conn: Connection, runId: string): Promise<RunState> {
  const what = `read the state of run ${runId}`;
  const res = await send(conn, { method: 'GET', path: `${API}/runs/${encodeURIComponent(runId)}`, what, idempotent: true });
  const detail = (res.json ?? {}) as Record<string, unknown>;
  const run = (detail['run'] ?? {}) as Record<string, unknown>;
  const runtime = (detail['pipeline_runtime'] ?? {}) as Record<string, unknown>;
  let workflow: unknown;
  if (typeof runtime['workflow_manifest'] === 'string' && runtime['workflow_manifest'] !== '') {
    try {
      workflow = JSON.parse(runtime['workflow_manifest']);
    } catch {
      workflow = undefined;
    }
  }
  return {
    status: typeof run['status'] === 'string' ? run['status'] : '',
    error: typeof run['error'] === 'string' && run['error'] ? run['error'] : undefined,
    workflow,
  };
}
