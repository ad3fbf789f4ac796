// The contract server itself: a request that breaks the Swagger contract is caught, so the
// tests of upload/submit can fail. Each case sends one request kfpdsl must never send.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contracts } from './support/cluster-cli.js';
import { loadContracts, type Contract } from './support/kfp-contract.js';
import { ContractServer } from './support/kfp-contract-server.js';

describe.skipIf(contracts.missing)(contracts.title('the loopback contract server'), () => {
  let contract: Contract;
  let server: ContractServer;
  beforeAll(() => {
    contract = loadContracts();
  });
  afterEach(async () => {
    await server.close();
  });

  const post = (path: string, body: string, type = 'application/json'): Promise<Response> => fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('catches an unknown field in a JSON body (objects are closed, as grpc-gateway is)', async () => {
    server = await ContractServer.start({ contract });
    await post('/apis/v1beta1/experiments', JSON.stringify({ name: 'e', namespace: 'typo' }));
    expect(server.violations).toEqual(['ExperimentService_CreateExperimentV1: body: / must NOT have additional properties (namespace)']);
  });

  it('catches a wrong type, an undeclared query parameter, a bad filter and a bad Authorization header', async () => {
    server = await ContractServer.start({ contract });
    await post('/apis/v1beta1/runs', JSON.stringify({ name: 1, pipeline_spec: { workflow_manifest: {} } }));
    await fetch(`${server.url}/apis/v1beta1/pipelines?name=x&filter=${encodeURIComponent('{"predicates":[{"key":"name","op":"EQ"}]}')}`, { headers: { authorization: 'token abc' } });
    expect(server.violations.join('\n')).toMatch(/RunService_CreateRunV1: body: \/name must be string/);
    expect(server.violations.join('\n')).toMatch(/workflow_manifest must be string/);
    expect(server.violations).toContain('PipelineService_ListPipelinesV1: query parameter `name` is not declared');
    expect(server.violations).toContain('PipelineService_ListPipelinesV1: Authorization is not "Bearer <token>"');
    expect(server.violations.join('\n')).toMatch(/filter: \/predicates\/0\/op must be equal to one of the allowed values/);
  });

  it('catches an upload whose file is not in the multipart field `uploadfile`, or not multipart at all', async () => {
    server = await ContractServer.start({ contract });
    const form = new FormData();
    form.append('file', new Blob(['kind: Workflow\n']), 'p.yaml');
    await fetch(`${server.url}/apis/v1beta1/pipelines/upload`, { method: 'POST', body: form });
    await post('/apis/v1beta1/pipelines/upload', 'kind: Workflow\n', 'application/x-yaml');
    expect(server.violations).toEqual([
      'UploadPipeline: form field `file` is not declared',
      'UploadPipeline: form field `uploadfile` is missing',
      'UploadPipeline: Content-Type application/x-yaml is not multipart/form-data',
    ]);
  });

  it('catches an operation the API does not have, and an Argo workflow with a misspelt field', async () => {
    server = await ContractServer.start({ contract });
    await post('/apis/v1beta1/pipelines/import', '{}');
    await post('/api/v1/workflows/ns', JSON.stringify({ workflow: { metadata: { generateName: 'x-' }, spec: { entrypoint: 'x', templates: [{ name: 'x', contianer: { image: 'alpine' } }] } } }));
    expect(server.violations[0]).toBe('POST /apis/v1beta1/pipelines/import: no such operation in the kfp-v1 contract');
    expect(server.violations[1]).toMatch(/^WorkflowService_CreateWorkflow: body: \/workflow\/spec\/templates\/0 must NOT have additional properties \(contianer\)$/);
  });
});
