/**
 * The calls kfpdsl makes to an Argo Server (argoproj/argo-workflows api/openapi-spec/swagger.json):
 * create a workflow in a namespace, read it back while it runs.
 */
import { ClusterError } from './errors.js';
import { send, type Connection } from './http.js';

/** Never retried: a second POST would start a second workflow. Returns the workflow's name. */
export async function createWorkflow(conn: Connection, namespace: string, workflow: unknown): Promise<string> {
  const what = `submit the workflow to namespace "${namespace}"`;
  const res = await send(conn, {
    method: 'POST',
    path: `/api/v1/workflows/${encodeURIComponent(namespace)}`,
    body: { contentType: 'application/json', data: Buffer.from(JSON.stringify({ namespace, workflow })) },
    what,
    idempotent: false,
  });
  const meta = (res.json as { metadata?: { name?: unknown } } | undefined)?.metadata;
  if (typeof meta?.name !== 'string' || meta.name === '') {
    throw new ClusterError('bad-response', `cannot ${what}: the answer from ${conn.base.origin} names no workflow`, 'check that --argo points at the Argo Server (port 2746)');
  }
  return meta.name;
}

export async function getWorkflow(conn: Connection, namespace: string, name: string): Promise<{ phase: string; message?: string; workflow: unknown }> {
  const res = await send(conn, {
    method: 'GET',
    path: `/api/v1/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`,
    what: `read the state of workflow ${name}`,
    idempotent: true,
  });
  const status = ((res.json as { status?: Record<string, unknown> } | undefined)?.status ?? {}) as Record<string, unknown>;
  return {
    phase: typeof status['phase'] === 'string' ? status['phase'] : '',
    ...(typeof status['message'] === 'string' && status['message'] ? { message: status['message'] } : {}),
    workflow: res.json,
  };
}

/** The Argo Server's linter on the workflow: creates nothing, so it is safe to retry. */
export async function lintWorkflow(conn: Connection, namespace: string, workflow: unknown): Promise<void> {
  await send(conn, {
    method: 'POST',
    path: `/api/v1/workflows/${encodeURIComponent(namespace)}/lint`,
    body: { contentType: 'application/json', data: Buffer.from(JSON.stringify({ namespace, workflow })) },
    what: `lint the workflow in namespace "${namespace}"`,
    idempotent: true,
  });
}
