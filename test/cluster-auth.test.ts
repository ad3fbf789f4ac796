// Each way `upload`/`submit` log in, against the contract server, and the rule that no token
// or cookie is ever printed (stdout, stderr, --json), even when the server echoes it back.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addExample, contractServerPerTest, contracts, kfpdsl, type Result } from './support/cluster-cli.js';
import type { ContractServer } from './support/kfp-contract-server.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLWZvci10ZXN0cw.c2lnbmF0dXJl';
const COOKIE_VALUE = 'MTcwMDAwMDAwMHxzZXNzaW9uLXNlY3JldHw=';

function noSecrets(r: Result, ...secrets: string[]): void {
  for (const s of secrets) {
    expect(r.stdout).not.toContain(s);
    expect(r.stderr).not.toContain(s);
  }
}

describe.skipIf(contracts.missing)(contracts.title('kfpdsl upload/submit: auth'), () => {
  const startServer = contractServerPerTest();
  let server: ContractServer;

  it('--token is sent as a Bearer header on every request and never printed', async () => {
    server = await startServer({ credentials: { token: TOKEN } });
    const r = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'e', '--arg', 'value_1=1', '--token', TOKEN, '--wait', '--poll-interval', '0.05', '--json']);
    expect(r.status).toBe(0);
    expect(server.requests.length).toBeGreaterThan(3);
    for (const q of server.requests) expect(q.authorization).toBe(`Bearer ${TOKEN}`);
    noSecrets(r, TOKEN);
  });

  it('KFPDSL_TOKEN is used when --token is not given', async () => {
    server = await startServer({ credentials: { token: TOKEN } });
    const r = await kfpdsl(['upload', addExample, '--host', server.url], { KFPDSL_TOKEN: TOKEN });
    expect(r.status).toBe(0);
    expect(server.calls('UploadPipeline')[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    noSecrets(r, TOKEN);
  });

  it("in a pod: the projected service-account token at $KF_PIPELINES_SA_TOKEN_PATH (its newline dropped)", async () => {
    server = await startServer({ credentials: { token: TOKEN } });
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-sa-'));
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const r = await kfpdsl(['upload', addExample, '--host', server.url], { KF_PIPELINES_SA_TOKEN_PATH: join(dir, 'token') });
    expect(r.status).toBe(0);
    expect(server.calls('UploadPipeline')[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    const missing = await kfpdsl(['upload', addExample, '--host', server.url], { KF_PIPELINES_SA_TOKEN_PATH: join(dir, 'nope') });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('KF_PIPELINES_SA_TOKEN_PATH names');
  });

  it('--cookie NAME=VALUE sends an auth proxy session cookie, never printed', async () => {
    server = await startServer({ credentials: { cookie: `authservice_session=${COOKIE_VALUE}` } });
    const r = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'e', '--arg', 'value_1=1', '--cookie', `authservice_session=${COOKIE_VALUE}`]);
    expect(r.status).toBe(0);
    for (const q of server.requests) {
      expect(q.cookie).toBe(`authservice_session=${COOKIE_VALUE}`);
      expect(q.authorization).toBeUndefined();
    }
    noSecrets(r, COOKIE_VALUE);
  });

  it('the Argo Server gets the same Bearer token (KFPDSL_TOKEN), on submit and on every poll', async () => {
    server = await startServer({ credentials: { token: TOKEN } });
    const r = await kfpdsl(['submit', addExample, '--argo', server.url, '--namespace', 'ml', '--arg', 'value_1=1', '--wait', '--poll-interval', '0.05'], { KFPDSL_TOKEN: TOKEN });
    expect(r.status).toBe(0);
    expect(server.calls('WorkflowService_GetWorkflow').length).toBeGreaterThanOrEqual(2);
    for (const q of server.requests) expect(q.authorization).toBe(`Bearer ${TOKEN}`);
    noSecrets(r, TOKEN);
  });

  it('no credentials: 401 as a located diagnostic saying how to log in', async () => {
    server = await startServer({ credentials: { token: TOKEN } });
    const r = await kfpdsl(['upload', addExample, '--host', server.url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0204]: cannot look up pipeline "add example": the KFP API at');
    expect(r.stderr).toContain('answered 401 Unauthorized: Unauthenticated: no credentials');
    expect(r.stderr).toContain('--> examples/add.kfp:26:10');
    expect(r.stderr).toContain('hint: no credentials were sent: pass --token (or set KFPDSL_TOKEN), or --cookie');
    expect(server.calls('PipelineService_ListPipelinesV1')).toHaveLength(1);
  });

  it('a refused token or cookie that the server echoes back is redacted (403)', async () => {
    server = await startServer({ credentials: { token: 'the-right-token' } });
    const r = await kfpdsl(['upload', addExample, '--host', server.url, '--token', TOKEN, '--cookie', `oauth2_proxy_kubeflow=${COOKIE_VALUE}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0205]');
    expect(r.stderr).toContain('access denied for Bearer *** oauth2_proxy_kubeflow=***');
    noSecrets(r, TOKEN, COOKIE_VALUE);
  });
});
