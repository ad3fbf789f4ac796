// `kfpdsl upload` and `submit` with `--target kfp-v2`: KFP's v2beta1 API, against the loopback
// contract server held to ../shared/schemas/kfp-api/v2beta1 (every request and every answer
// checked; unknown fields rejected), as the v1beta1 tests do.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { addExample, contractServerPerTest, contracts, kfpdsl } from './support/cluster-cli.js';
import type { ContractServer } from './support/kfp-contract-server.js';

const k8sFixture = 'test/fixtures/kfp-v2/kubernetes.kfp';

describe.skipIf(contracts.missing)(contracts.title('kfpdsl upload/submit --target kfp-v2 (v2beta1)'), () => {
  const startServer = contractServerPerTest();
  let server: ContractServer;

  it('upload: a new pipeline with the spec\'s both documents, then a new version of it', async () => {
    server = await startServer();
    const r = await kfpdsl(['upload', k8sFixture, '--host', server.url, '--target', 'kfp-v2']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const p = server.pipelines[0]!;
    expect(p.name).toBe('k8s');
    expect(r.stdout).toBe(`uploaded "k8s" as a new pipeline ${p.id}: ${server.url}/#/pipelines/details/${p.id}\n`);
    const docs = parseAllDocuments(p.versions[0]!.text).map((d) => d.toJS() as Record<string, any>);
    expect(docs).toHaveLength(2);
    expect(docs[0]!.schemaVersion).toBe('2.1.0');
    expect(Object.keys(docs[1]!.platforms.kubernetes.deploymentSpec.executors)).toEqual(['exec-evaluate', 'exec-train']);
    const upload = server.calls('UploadPipeline')[0]!;
    expect(upload.path).toBe('/apis/v2beta1/pipelines/upload');
    expect(upload.query).toEqual({ name: 'k8s', display_name: 'k8s' });
    const again = await kfpdsl(['upload', k8sFixture, '--host', server.url, '--target', 'kfp-v2', '--version', 'v2', '--json']);
    expect(again.status).toBe(0);
    const v = p.versions[1]!;
    expect(JSON.parse(again.stdout)).toEqual({ uploaded: [{ pipeline: 'k8s', pipelineId: p.id, version: 'v2', versionId: v.id, created: false }] });
    expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'GET /apis/v2beta1/pipelines',
      'POST /apis/v2beta1/pipelines/upload',
      'GET /apis/v2beta1/pipelines',
      'POST /apis/v2beta1/pipelines/upload_version',
    ]);
  });

  it('submit: creates the experiment, a run carrying {pipeline_spec, platform_spec} and typed arguments; --wait follows the tasks', async () => {
    server = await startServer();
    const r = await kfpdsl(['submit', k8sFixture, '--host', server.url, '--target', 'kfp-v2', '--experiment', 'nightly', '--arg', 'lr=0.5', '--run-name', 'first', '--wait', '--poll-interval', '0.05']);
    expect(r.status).toBe(0);
    const run = server.runsV2[0]!;
    const exp = server.experiments[0]!;
    expect(run.parameters).toEqual({ lr: 0.5 });
    expect(run.experimentId).toBe(exp.id);
    const body = server.calls('RunService_CreateRun')[0]!.body as Record<string, any>;
    expect(Object.keys(body.pipeline_spec).sort()).toEqual(['pipeline_spec', 'platform_spec']);
    expect(body.pipeline_spec.platform_spec.platforms.kubernetes.pipelineConfig).toEqual({ activeDeadlineSeconds: 7200, resourceTtlOnCompletion: 86400 });
    expect(r.stdout).toContain(`started run "first" (${run.id}) in experiment "nightly"`);
    expect(r.stdout).toContain(`run ${run.id} Succeeded (3 succeeded)\n`);
    expect(server.requests.map((q) => q.op)).toEqual([
      'ExperimentService_ListExperiments',
      'ExperimentService_CreateExperiment',
      'RunService_CreateRun',
      'RunService_GetRun',
      'RunService_GetRun',
    ]);
  });

  it('submit: a pipeline without platform spec sends the spec itself; a failed task fails the run (exit 1)', async () => {
    server = await startServer();
    server.failTask = 'multiply';
    const r = await kfpdsl(['submit', addExample, '--host', server.url, '--target', 'kfp-v2', '--experiment', 'e', '--arg', 'value_1=3', '--wait', '--poll-interval', '0.05']);
    expect(r.status).toBe(1);
    const body = server.calls('RunService_CreateRun')[0]!.body as Record<string, any>;
    expect(body.pipeline_spec.schemaVersion).toBe('2.1.0');
    expect(body.runtime_config).toEqual({ parameters: { value_1: 3 } });
    expect(r.stderr).toMatch(/multiply\s+Failed: Error \(exit code 1\)/);
    expect(r.stdout).toContain('Failed (1 failed, 2 succeeded): task multiply failed');
  });

  it('a bad argument is refused before anything is sent; --target kfp-v2 with --argo is a usage error', async () => {
    server = await startServer();
    const bad = await kfpdsl(['submit', addExample, '--host', server.url, '--target', 'kfp-v2', '--experiment', 'e', '--arg', 'value_1=x']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('KFP0104');
    const argo = await kfpdsl(['submit', addExample, '--argo', server.url, '--namespace', 'ns', '--target', 'kfp-v2']);
    expect(argo.status).toBe(2);
    expect(argo.stderr).toContain('a KFP v2 pipeline spec goes to KFP: --host URL');
    expect(server.requests).toEqual([]);
  });
});
