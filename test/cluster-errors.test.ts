// Every way talking to a cluster fails, through the real CLI against the contract server:
// each is a diagnostic with its own code, located at the pipeline, with a hint; no stack trace;
// read-only requests are retried, requests that create something never are.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { addExample, contractServerPerTest, contracts, kfpdsl, type Result } from './support/cluster-cli.js';
import type { ContractServer } from './support/kfp-contract-server.js';
import { requirement, runs } from './support/requirements.js';

const openssl = requirement(runs('openssl', ['version']), '`openssl` is not on PATH (it makes the test certificate)');

function located(r: Result, code: string): void {
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`error[${code}]`);
  expect(r.stderr).toContain('--> examples/add.kfp:26:10');
  expect(r.stderr).toContain('= hint: ');
  expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
}

const submit = (url: string, ...more: string[]): string[] => ['submit', addExample, '--host', url, '--experiment', 'e', '--arg', 'value_1=1', ...more];

describe.skipIf(contracts.missing)(contracts.title('kfpdsl upload/submit: failures'), () => {
  const startServer = contractServerPerTest();
  let server: ContractServer;

  it('KFP0200: nothing listens at --host (read-only lookups retried, then the hint)', async () => {
    server = await startServer();
    const closed = await startServer();
    const url = closed.url;
    await closed.close();
    const r = await kfpdsl(['upload', addExample, '--host', url, '--retries', '1']);
    located(r, 'KFP0200');
    expect(r.stderr).toContain(`cannot reach the KFP API at ${url}: connection refused (tried 2 times)`);
  });

  it('KFP0201: a dropped connection on upload is not retried, and says the upload may have happened', async () => {
    server = await startServer();
    server.faults.push({ op: 'UploadPipeline', drop: true });
    const r = await kfpdsl(['upload', addExample, '--host', server.url]);
    located(r, 'KFP0201');
    expect(r.stderr).toContain('closed the connection while kfpdsl tried to upload pipeline "add example"');
    expect(r.stderr).toContain('the server may have done it anyway');
    expect(server.calls('UploadPipeline')).toHaveLength(1);
  });

  it('KFP0202: a slow server times out (--timeout); a read-only lookup is retried first', async () => {
    server = await startServer();
    server.faults.push({ op: 'PipelineService_ListPipelinesV1', delayMs: 3000, times: 2 });
    const r = await kfpdsl(['upload', addExample, '--host', server.url, '--timeout', '0.3', '--retries', '1']);
    located(r, 'KFP0202');
    expect(r.stderr).toContain('no answer from the KFP API at');
    expect(r.stderr).toContain('within 0.3 s while trying to look up pipeline "add example" (tried 2 times)');
    expect(server.calls('PipelineService_ListPipelinesV1')).toHaveLength(2);
  });

  it('KFP0204/KFP0205 401 and 403 are in test/cluster-auth.test.ts; KFP0206: a --host without the gateway path', async () => {
    server = await startServer();
    const r = await kfpdsl(['upload', addExample, '--host', `${server.url}/wrong`]);
    located(r, 'KFP0206');
    expect(r.stderr).toContain('answered 404 Not Found for GET /wrong/apis/v1beta1/pipelines');
    expect(r.stderr).toContain('hint: check that --host is the API\'s base URL');
    // The one request the contract server did not know: what this test provokes.
    expect(server.violations).toEqual(['GET /wrong/apis/v1beta1/pipelines: no such operation in the kfp-v1 contract']);
    server.violations.length = 0;
  });

  it('KFP0208: an upload over the server\'s limit (413)', async () => {
    server = await startServer({ maxUploadBytes: 1000 });
    const r = await kfpdsl(['upload', addExample, '--host', server.url]);
    located(r, 'KFP0208');
    expect(r.stderr).toContain('answered 413');
    expect(r.stderr).toContain('32 MiB');
  });

  it('KFP0209: a run the server refuses (400) is reported with the server\'s words', async () => {
    server = await startServer();
    server.faults.push({ op: 'RunService_CreateRunV1', status: 400 });
    const r = await kfpdsl(submit(server.url));
    located(r, 'KFP0209');
    expect(r.stderr).toContain('cannot start run "add example');
    expect(r.stderr).toContain('refused it (400 Bad Request): injected failure 400');
  });

  it('KFP0210: a 500 on a read is retried until it passes; on creating a run it is never retried', async () => {
    server = await startServer();
    server.faults.push({ op: 'ExperimentService_ListExperimentsV1', status: 503, times: 2 });
    server.faults.push({ op: 'RunService_GetRunV1', status: 500, times: 1 });
    const ok = await kfpdsl(submit(server.url, '--wait', '--poll-interval', '0.05'));
    expect(ok.stderr).not.toContain('error');
    expect(ok.status).toBe(0);
    expect(server.calls('ExperimentService_ListExperimentsV1')).toHaveLength(3);
    server.faults.push({ op: 'RunService_CreateRunV1', status: 500, times: 5 });
    const r = await kfpdsl(submit(server.url));
    located(r, 'KFP0210');
    expect(r.stderr).toContain('failed with 500: injected failure 500');
    expect(r.stderr).not.toContain('tried');
    expect(server.calls('RunService_CreateRunV1')).toHaveLength(2);
    expect(server.runs).toHaveLength(1);
  });

  it('a connection dropped while polling a run is retried: --wait still ends with the outcome', async () => {
    server = await startServer();
    server.faults.push({ op: 'RunService_GetRunV1', drop: true, times: 2 });
    const r = await kfpdsl(submit(server.url, '--wait', '--poll-interval', '0.05'));
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(server.calls('RunService_GetRunV1')).toHaveLength(4);
  });

  it('KFP0204: an auth proxy that redirects to its login page', async () => {
    server = await startServer();
    const proxy = http.createServer((_req, res) => res.writeHead(302, { location: '/dex/auth?client_id=kubeflow-oidc-authservice' }).end());
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const r = await kfpdsl(['upload', addExample, '--host', `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`]);
      located(r, 'KFP0204');
      expect(r.stderr).toContain('redirected to a login page (302)');
      expect(r.stderr).toContain('hint: an auth proxy stands in front of the API: no credentials were sent');
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('KFP0211: a host that is not the KFP API (an HTML page) is said to be one', async () => {
    server = await startServer();
    const page = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Kubeflow Central Dashboard</body></html>'));
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    try {
      const r = await kfpdsl(['upload', addExample, '--host', `http://127.0.0.1:${(page.address() as AddressInfo).port}`]);
      located(r, 'KFP0211');
      expect(r.stderr).toContain('is not JSON (an HTML page: a login page or the UI, not the API)');
    } finally {
      page.closeAllConnections();
      await new Promise((r) => page.close(r));
    }
  });

  describe.skipIf(openssl.missing)(openssl.title('TLS'), () => {
    let dir: string;
    let tls: { key: string; cert: string };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'kfpdsl-tls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    });

    it('KFP0203: a certificate from a private CA is refused, with the way out', async () => {
      server = await startServer({ tls });
      const r = await kfpdsl(['upload', addExample, '--host', server.url]);
      located(r, 'KFP0203');
      expect(r.stderr).toContain(`TLS with the KFP API at ${server.url} failed: self-signed certificate`);
      expect(r.stderr).toContain('--ca-file FILE');
      expect(server.requests).toEqual([]);
    });

    it('--ca-file trusts that CA; --insecure-skip-verify trusts anything', async () => {
      server = await startServer({ tls });
      const r = await kfpdsl(['upload', addExample, '--host', server.url, '--ca-file', join(dir, 'cert.pem')]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const s = await kfpdsl(['upload', addExample, '--host', server.url, '--insecure-skip-verify', '--version', 'v2']);
      expect(s.status).toBe(0);
      expect(server.pipelines[0]!.versions).toHaveLength(2);
      const bad = await kfpdsl(['upload', addExample, '--host', server.url, '--ca-file', join(dir, 'key.pem')]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('not a PEM certificate');
    });
  });
});
