/**
 * From command-line options to a `Connection`: the base URL, the credentials and TLS.
 *
 * Credentials, first found wins: `--token`, `$KFPDSL_TOKEN`, then (in a pod) the projected
 * service-account token at `$KF_PIPELINES_SA_TOKEN_PATH` (default
 * /var/run/secrets/kubeflow/pipelines/token), re-read on each command so a rotated token is
 * picked up. `--cookie NAME=VALUE` (repeatable) adds an auth proxy's session cookie.
 * Every secret is registered with `Secrets` so that nothing prints it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../cli/files.js';
import type { Connection } from './http.js';
import { Secrets } from './secrets.js';

export const DEFAULT_SA_TOKEN_PATH = '/var/run/secrets/kubeflow/pipelines/token';

export interface ConnectOptions {
  token?: string;
  cookie?: string[];
  caFile?: string;
  insecureSkipVerify?: boolean;
  timeout?: string;
  retries?: string;
}

/** Where the credentials came from, for a note and for the hint on 401. */
export type AuthSource = 'flag' | 'env' | 'sa-token' | 'cookie' | 'none';

export interface Connected {
  readonly conn: Connection;
  readonly secrets: Secrets;
  readonly auth: AuthSource;
}

export function parseBaseUrl(text: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a URL; write e.g. ${flag} http://localhost:8888`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} ${JSON.stringify(text)}: only http:// and https:// are supported`);
  if (url.username || url.password) throw new UsageError(`${flag}: do not put credentials in the URL; use --token, KFPDSL_TOKEN or --cookie`);
  if (url.search || url.hash) throw new UsageError(`${flag} ${JSON.stringify(text)}: give the base URL without ?query or #fragment`);
  return url;
}

function number(text: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a number from ${min} to ${max}`);
  return n;
}

export function connect(base: URL, server: string, opts: ConnectOptions, env: NodeJS.ProcessEnv = process.env): Connected {
  const secrets = new Secrets();
  const headers: Record<string, string> = {};
  let auth: AuthSource = 'none';
  let token: string | undefined;
  if (opts.token !== undefined) {
    token = opts.token;
    auth = 'flag';
  } else if (env['KFPDSL_TOKEN']) {
    token = env['KFPDSL_TOKEN'];
    auth = 'env';
  } else {
    const path = env['KF_PIPELINES_SA_TOKEN_PATH'] || DEFAULT_SA_TOKEN_PATH;
    if (existsSync(path)) {
      try {
        token = readFileSync(path, 'utf8');
        auth = 'sa-token';
      } catch (e) {
        throw new UsageError(`cannot read the service-account token ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    } else if (env['KF_PIPELINES_SA_TOKEN_PATH']) {
      throw new UsageError(`KF_PIPELINES_SA_TOKEN_PATH names ${path}, which does not exist`);
    }
  }
  if (token !== undefined) {
    token = token.trim();
    if (token === '' || /[\s\u0000-\u001f]/.test(token)) throw new UsageError('the token is empty or holds spaces or control characters');
    secrets.add(token);
    headers['Authorization'] = `Bearer ${token}`;
  }
  const cookies: string[] = [];
  for (const c of opts.cookie ?? []) {
    const eq = c.indexOf('=');
    if (eq <= 0 || /[;\s\u0000-\u001f]/.test(c)) throw new UsageError(`--cookie must be NAME=VALUE (one cookie, no spaces or ';'), e.g. --cookie authservice_session=…`);
    secrets.add(c.slice(eq + 1));
    cookies.push(c);
  }
  if (cookies.length > 0) {
    headers['Cookie'] = cookies.join('; ');
    if (auth === 'none') auth = 'cookie';
  }
  let ca: Buffer | undefined;
  if (opts.caFile !== undefined) {
    try {
      ca = readFileSync(opts.caFile);
    } catch (e) {
      throw new UsageError(`--ca-file ${opts.caFile}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    if (!/-----BEGIN CERTIFICATE-----/.test(ca.toString('latin1'))) throw new UsageError(`--ca-file ${opts.caFile}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
  }
  const timeoutMs = number(opts.timeout, '--timeout', 30, 0.001, 3600) * 1000;
  const retries = number(opts.retries, '--retries', 3, 0, 10);
  if (!Number.isInteger(retries)) throw new UsageError('--retries: expected a whole number');
  const conn: Connection = {
    base,
    server,
    headers,
    ca,
    insecure: opts.insecureSkipVerify ?? false,
    timeoutMs,
    retries,
    backoffMs: 250,
    authHint: authHint(auth),
  };
  return { conn, secrets, auth };
}

function authHint(auth: AuthSource): string {
  switch (auth) {
    case 'none':
      return 'no credentials were sent: pass --token (or set KFPDSL_TOKEN), or --cookie authservice_session=… / oauth2_proxy_kubeflow=… from a logged-in browser';
    case 'flag':
    case 'env':
      return `the token from ${auth === 'flag' ? '--token' : 'KFPDSL_TOKEN'} was refused: it may have expired (\`kubectl create token\` makes a new one) or be for another cluster`;
    case 'sa-token':
      return 'the projected service-account token was refused: check the pod\'s serviceAccount and its audience (pipelines.kubeflow.org)';
    case 'cookie':
      return 'the session cookie was refused: it may have expired; log in again in the browser and copy a fresh one';
  }
}
