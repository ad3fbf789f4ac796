/**
 * One HTTP(S) exchange with a cluster's API, on Node's own http/https (a custom CA and
 * `--insecure-skip-verify` need an agent option that the global fetch does not take).
 *
 * - Every request has a timeout (no byte from the server for `timeoutMs`).
 * - Only idempotent requests (GETs) are retried, with exponential backoff, on connection
 *   errors, timeouts and 5xx: a retried POST could create a second run.
 * - Failures become `ClusterError`s saying what went wrong and what to do; no stack trace.
 * - Credentials travel in headers only and never appear in a message (see secrets.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { ClusterError } from './errors.js';

export interface Connection {
  /** The server's base URL; its path (e.g. `/pipeline` behind a gateway) prefixes every API path. */
  readonly base: URL;
  /** What the server is, for messages: `KFP API`, `Argo Server`. */
  readonly server: string;
  /** Authorization and Cookie headers. */
  readonly headers: Readonly<Record<string, string>>;
  readonly ca?: Buffer | undefined;
  readonly insecure: boolean;
  readonly timeoutMs: number;
  /** Retries of an idempotent request after the first attempt. */
  readonly retries: number;
  /** Delay before the first retry; doubled each time. */
  readonly backoffMs: number;
  /** How the user tells kfpdsl who they are, for hints on 401/403. */
  readonly authHint: string;
}

export interface Request {
  readonly method: 'GET' | 'POST';
  /** The API path, e.g. `/apis/v1beta1/runs`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: { readonly contentType: string; readonly data: Buffer };
  /** What this request does, for messages: `upload the pipeline`. */
  readonly what: string;
  /** Safe to send twice (GET): retried on connection errors, timeouts and 5xx. */
  readonly idempotent: boolean;
  /** Statuses the caller handles itself (e.g. 404 for "no such thing yet"). */
  readonly expect?: readonly number[];
}

export interface Response {
  readonly status: number;
  /** The parsed JSON body (undefined when empty). */
  readonly json: unknown;
}

export function urlOf(conn: Connection, path: string, query?: Request['query']): URL {
  const url = new URL(conn.base.href);
  url.pathname = `${conn.base.pathname.replace(/\/+$/, '')}${path}`;
  url.search = '';
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function send(conn: Connection, req: Request): Promise<Response> {
  const attempts = req.idempotent ? conn.retries + 1 : 1;
  let last: ClusterError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(conn.backoffMs * 2 ** (attempt - 2));
    try {
      const res = await once(conn, req);
      if (res.status >= 200 && res.status < 300) return { status: res.status, json: parseJson(conn, req, res) };
      if (req.expect?.includes(res.status)) return { status: res.status, json: safeJson(res.text) };
      last = statusError(conn, req, res);
      if (res.status < 500) throw last;
    } catch (e) {
      if (!(e instanceof ClusterError)) throw e;
      last = e;
      if (!['unreachable', 'dropped', 'timeout', 'server'].includes(e.kind)) throw e;
    }
  }
  if (attempts > 1 && last) throw new ClusterError(last.kind, `${last.message} (tried ${attempts} times)`, last.hint, last.status);
  throw last!;
}

interface RawResponse {
  readonly status: number;
  readonly text: string;
}

function once(conn: Connection, req: Request): Promise<RawResponse> {
  const url = urlOf(conn, req.path, req.query);
  const where = `the ${conn.server} at ${conn.base.origin}`;
  const headers: Record<string, string> = { Accept: 'application/json', ...conn.headers };
  if (req.body) {
    headers['Content-Type'] = req.body.contentType;
    headers['Content-Length'] = String(req.body.data.length);
  }
  const tls = url.protocol === 'https:';
  const options: https.RequestOptions = { method: req.method, headers, ...(tls ? { rejectUnauthorized: !conn.insecure, ...(conn.ca ? { ca: conn.ca } : {}) } : {}) };
  return new Promise<RawResponse>((resolve, reject) => {
    let sent = false;
    const r = (tls ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => reject(networkError(e, where, req, true)));
      res.on('aborted', () => reject(networkError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), where, req, true)));
    });
    r.setTimeout(conn.timeoutMs, () => {
      r.destroy(Object.assign(new Error('timeout'), { code: 'KFPDSL_TIMEOUT' }));
    });
    r.on('finish', () => {
      sent = true;
    });
    r.on('error', (e) => reject(networkError(e, where, req, sent, conn.timeoutMs)));
    r.end(req.body?.data);
  });
}

function errno(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_SELF_SIGNED_CERT|HOSTNAME_MISMATCH|ERR_OSSL)/;

function networkError(e: Error, where: string, req: Request, sent: boolean, timeoutMs?: number): ClusterError {
  const code = errno(e);
  if (code === 'KFPDSL_TIMEOUT') {
    return new ClusterError(
      'timeout',
      `no answer from ${where} within ${(timeoutMs ?? 0) / 1000} s while trying to ${req.what}`,
      req.idempotent ? 'the server is slow or the network drops packets: try again, or raise --timeout' : `raise --timeout; the server may have done it anyway: look before you try again`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ClusterError('unreachable', `cannot reach ${where}: no such host`, 'check the host name in --host (or --argo)');
  if (code === 'ECONNREFUSED') return new ClusterError('unreachable', `cannot reach ${where}: connection refused`, 'check the host and port in --host (or --argo); with kubectl, is `kubectl port-forward` still running?');
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') return new ClusterError('unreachable', `cannot reach ${where}: ${code === 'ETIMEDOUT' ? 'the connection timed out' : 'no route to the host'}`, 'check --host and your network (VPN, proxy)');
  if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(e.message)) {
    return new ClusterError(
      'tls',
      `TLS with ${where} failed: ${e.message}`,
      'if the server uses a private CA, pass its certificate with --ca-file FILE; --insecure-skip-verify turns checking off (never in production); is it https at all?',
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test(e.message)) {
    return new ClusterError(
      'dropped',
      `${where} closed the connection while kfpdsl tried to ${req.what}`,
      req.idempotent || !sent
        ? 'try again; if it keeps happening, a proxy in front of the server may drop requests (check its logs, or whether --host should be https)'
        : 'the server may have done it anyway: look in the UI before you try again',
    );
  }
  return new ClusterError('unreachable', `cannot reach ${where}: ${e.message}`, 'check --host');
}

/** The server's own words: KFP's `error`/`message`, Argo's `message`. */
function serverMessage(text: string): string | undefined {
  const body = safeJson(text);
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const m = typeof b['message'] === 'string' && b['message'] ? b['message'] : typeof b['error'] === 'string' && b['error'] ? b['error'] : undefined;
    if (m) return m.length > 500 ? `${m.slice(0, 500)}…` : m;
  }
  const t = text.trim();
  return t && t.length <= 200 && !t.startsWith('<') ? t : undefined;
}

function statusError(conn: Connection, req: Request, res: RawResponse): ClusterError {
  const said = serverMessage(res.text);
  const tail = said ? `: ${said}` : '';
  const where = `the ${conn.server} at ${conn.base.origin}`;
  const s = res.status;
  const what = `cannot ${req.what}`;
  if (s === 401) return new ClusterError('unauthorized', `${what}: ${where} answered 401 Unauthorized${tail}`, conn.authHint, s);
  if (s === 403) {
    return new ClusterError('forbidden', `${what}: ${where} answered 403 Forbidden${tail}`, 'the token or cookie is valid but may not do this here: check --namespace (your profile namespace on multi-user Kubeflow) and your RBAC', s);
  }
  if (s === 404) {
    return new ClusterError(
      'not-found',
      `${what}: ${where} answered 404 Not Found for ${req.method} ${urlOf(conn, req.path).pathname}${tail}`,
      `check that --host is the API's base URL (behind a Kubeflow gateway it often ends in /pipeline) and that the namespace exists`,
      s,
    );
  }
  if (s === 409) return new ClusterError('conflict', `${what}: ${where} answered 409 Conflict${tail}`, 'the name is taken: choose another with --name or --version', s);
  if (s === 413) return new ClusterError('too-large', `${what}: ${where} answered 413 (the request is too large)${tail}`, 'KFP accepts uploads up to 32 MiB; split the pipeline or move large literals into files', s);
  if (s === 400) return new ClusterError('rejected', `${what}: ${where} refused it (400 Bad Request)${tail}`, 'the server says what it disliked above; a newer or older server may need a different --target', s);
  if (s >= 500) return new ClusterError('server', `${what}: ${where} failed with ${s}${tail}`, 'the server is failing: try again later, or look at its logs (ml-pipeline / argo-server pods)', s);
  if (s >= 300 && s < 400) {
    return new ClusterError(
      'unauthorized',
      `${what}: ${where} redirected to a login page (${s})`,
      `an auth proxy stands in front of the API: ${conn.authHint}`,
      s,
    );
  }
  return new ClusterError('bad-response', `${what}: ${where} answered ${s}${tail}`, 'check --host', s);
}

function safeJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseJson(conn: Connection, req: Request, res: RawResponse): unknown {
  if (res.text.trim() === '') return undefined;
  try {
    return JSON.parse(res.text) as unknown;
  } catch {
    throw new ClusterError(
      'bad-response',
      `cannot ${req.what}: the answer from ${conn.base.origin} is not JSON${res.text.trimStart().startsWith('<') ? ' (an HTML page: a login page or the UI, not the API)' : ''}`,
      `check that --host points at the ${conn.server}${conn.server === 'KFP API' ? ' (ml-pipeline-ui or ml-pipeline service, or the gateway path that leads to it)' : ''}; an auth proxy's login page means a token or cookie is missing`,
      res.status,
    );
  }
}
