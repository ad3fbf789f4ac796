// `kfpdsl upload` against a loopback KFP API server held to the v1beta1 Swagger contract.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addExample, contractServerPerTest, contracts, kfpdsl } from './support/cluster-cli.js';
import { repoRoot } from './support/cli.js';
import type { ContractServer } from './support/kfp-contract-server.js';

describe.skipIf(contracts.missing)(contracts.title('kfpdsl upload'), () => {
  const startServer = contractServerPerTest();
  let server: ContractServer;
  afterAll(() => undefined);

  it('uploads a new pipeline: multipart `uploadfile` holding exactly what build writes', async () => {
    server = await startServer();
    const r = await kfpdsl(['upload', addExample, '--host', server.url]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const p = server.pipelines[0]!;
    expect(r.stdout).toBe(`uploaded "add example" as a new pipeline ${p.id}: ${server.url}/#/pipelines/details/${p.id}\n`);
    const up = server.calls('UploadPipeline')[0]!;
    expect(up.query).toEqual({ name: 'add example', description: 'Adds, subtracts and multiplies two numbers.' });
    expect(up.file?.name).toBe('add-example.yaml');
    expect(up.file?.text).toBe(readFileSync(join(repoRoot, 'examples/add.expected/add-example.yaml'), 'utf8'));
    // It looked for the name first, with a contract-valid filter.
    expect(server.requests.map((q) => q.op)).toEqual(['PipelineService_ListPipelinesV1', 'UploadPipeline']);
  });

  it('uploads a new version when the name exists, with --version, --description and --namespace', async () => {
    server = await startServer();
    const first = await kfpdsl(['upload', addExample, '--host', server.url, '--name', 'adder', '--namespace', 'team-a']);
    expect(first.status).toBe(0);
    const r = await kfpdsl(['upload', addExample, '--host', server.url, '--name', 'adder', '--namespace', 'team-a', '--version', 'v2', '--description', 'second', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const p = server.pipelines[0]!;
    expect(server.pipelines).toHaveLength(1);
    expect(p.versions.map((v) => v.name)).toEqual(['adder', 'v2']);
    const up = server.calls('UploadPipelineVersion')[0]!;
    expect(up.query).toEqual({ name: 'v2', pipelineid: p.id, description: 'second', namespace: 'team-a' });
    expect(JSON.parse(r.stdout)).toEqual({ uploaded: [{ pipeline: 'adder', pipelineId: p.id, version: 'v2', versionId: p.versions[1]!.id, created: false }] });
    // The lookup was in the namespace.
    expect(server.calls('PipelineService_ListPipelinesV1')[1]!.query).toMatchObject({ 'resource_reference_key.type': 'NAMESPACE', 'resource_reference_key.id': 'team-a' });
  });

  it('without --version a new version is named by the UTC time', async () => {
    server = await startServer();
    expect((await kfpdsl(['upload', addExample, '--host', server.url])).status).toBe(0);
    const r = await kfpdsl(['upload', addExample, '--host', server.url]);
    expect(r.status).toBe(0);
    expect(server.pipelines[0]!.versions[1]!.name).toMatch(/^v\d{8}-\d{6}$/);
    expect(r.stdout).toMatch(/^uploaded "add example" as version "v\d{8}-\d{6}" of pipeline /);
  });

  it('a version name that exists is a located 409 diagnostic with a hint, nothing retried', async () => {
    server = await startServer();
    await kfpdsl(['upload', addExample, '--host', server.url]);
    await kfpdsl(['upload', addExample, '--host', server.url, '--version', 'v1']);
    const r = await kfpdsl(['upload', addExample, '--host', server.url, '--version', 'v1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[KFP0207]: cannot upload version "v1" of pipeline "add example": the KFP API at');
    expect(r.stderr).toContain('answered 409 Conflict: version v1 already exists');
    expect(r.stderr).toContain('--> examples/add.kfp:26:10');
    expect(r.stderr).toContain('hint: the name is taken');
    expect(server.calls('UploadPipelineVersion')).toHaveLength(2);
  });

  it('a source with errors uploads nothing and contacts no server', async () => {
    server = await startServer();
    const r = await kfpdsl(['upload', 'test/fixtures/errors/KFP2001-unknown-component.kfp', '--host', server.url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KFP2001');
    expect(r.stderr).toContain('nothing was uploaded');
    expect(server.requests).toEqual([]);
  });

  it('the usage errors: no --host, a host that is not a URL, a --target KFP cannot run', async () => {
    server = await startServer();
    const none = await kfpdsl(['upload', addExample]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('error: say where the KFP API is: --host URL');
    const bad = await kfpdsl(['upload', addExample, '--host', 'ftp://x']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('only http:// and https:// are supported');
    const argo = await kfpdsl(['upload', addExample, '--host', server.url, '--target', 'argo']);
    expect([argo.status, argo.stderr]).toEqual([2, 'error: upload sends pipelines to Kubeflow Pipelines, which runs --target kfp-v1 or kfp-v2 (not argo); to run plain Argo Workflows, use `kfpdsl submit FILE --argo URL --namespace NS`\n']);
    expect(server.requests).toEqual([]);
    const v1 = await kfpdsl(['upload', addExample, '--host', server.url, '--target', 'kfp-v1']);
    expect(v1.status).toBe(0);
    const env = await kfpdsl(['upload', addExample], { KFPDSL_HOST: server.url });
    expect(env.status).toBe(0);
  });
});
