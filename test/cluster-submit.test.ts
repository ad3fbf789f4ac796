// `kfpdsl submit` against loopback KFP API and Argo servers held to their Swagger contracts.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { addExample, contractServerPerTest, contracts, kfpdsl, startKfpdsl } from './support/cluster-cli.js';
import { waitFor } from './support/run-cli.js';
import { repoRoot } from './support/cli.js';
import type { ContractServer } from './support/kfp-contract-server.js';

const built = (): unknown => YAML.parse(readFileSync(join(repoRoot, 'examples/add.expected/add-example.yaml'), 'utf8'));

describe.skipIf(contracts.missing)(contracts.title('kfpdsl submit'), () => {
  const startServer = contractServerPerTest();
  let server: ContractServer;

  it('creates the missing experiment and a run carrying the compiled workflow and the --arg values', async () => {
    server = await startServer();
    const r = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'nightly', '--arg', 'value_1=5', '--run-name', 'first']);
    expect(r.status).toBe(0);
    const run = server.runs[0]!;
    const exp = server.experiments[0]!;
    expect(exp.name).toBe('nightly');
    expect(r.stderr).toBe(`note: created experiment "nightly" (${exp.id})\n`);
    expect(r.stdout).toBe(`started run "first" (${run.id}) in experiment "nightly": ${server.url}/#/runs/details/${run.id}\n`);
    expect(run.workflow).toEqual(built());
    // Only the arguments given; the server keeps the workflow's defaults for the rest.
    expect(run.parameters).toEqual([{ name: 'value_1', value: '5' }]);
    expect(run.experimentId).toBe(exp.id);
    expect(server.requests.map((q) => q.op)).toEqual(['ExperimentService_ListExperimentsV1', 'ExperimentService_CreateExperimentV1', 'RunService_CreateRunV1']);
    // A second submit finds the experiment instead of creating it.
    const again = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'nightly', '--arg', 'value_1=6', '--json', '--service-account', 'pipeline-runner']);
    expect(again.status).toBe(0);
    expect(server.experiments).toHaveLength(1);
    const second = server.runs[1]!;
    expect(JSON.parse(again.stdout)).toEqual({ runId: second.id, runName: second.name, experimentId: exp.id, url: `${server.url}/#/runs/details/${second.id}` });
    expect(second.name).toMatch(/^add example \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(server.calls('RunService_CreateRunV1')[1]!.body).toMatchObject({ service_account: 'pipeline-runner' });
  });

  it('--wait follows the run to success: one line per task change, exit 0', async () => {
    server = await startServer();
    const r = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'e', '--arg', 'value_1=1', '--wait', '--poll-interval', '0.05']);
    expect(r.status).toBe(0);
    const run = server.runs[0]!;
    expect(r.stdout).toContain(`run ${run.id} Succeeded (3 succeeded)\n`);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('['));
    expect(lines.map((l) => l.replace(/^\[\s*[\d.]+s\] /, '').replace(/\s+/g, ' '))).toEqual([
      'diff Running',
      'multiply Running',
      'sum Running',
      'diff Succeeded',
      'multiply Succeeded',
      'sum Succeeded',
    ]);
    expect(server.calls('RunService_GetRunV1')).toHaveLength(2);
  });

  it('--wait follows the run to failure: the failed task and its message, exit 1', async () => {
    server = await startServer();
    server.failTask = 'multiply';
    const r = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'e', '--arg', 'value_1=1', '--wait', '--poll-interval', '0.05']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\] multiply\s+Failed: Error \(exit code 1\)\n/);
    expect(r.stdout).toContain(`run ${server.runs[0]!.id} Failed (1 failed, 2 succeeded)`);
  });

  it('Ctrl-C while following stops following, not the run: it says where the run is and exits 130', async () => {
    server = await startServer();
    const k = startKfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'e', '--arg', 'value_1=1', '--wait', '--poll-interval', '60']);
    await waitFor('the first poll', () => /\] sum\s+Running/.test(k.stderr()));
    k.child.kill('SIGINT');
    const r = await k.done;
    expect(r.status).toBe(130);
    expect(r.stderr).toContain(`stopped following; run ${server.runs[0]!.id} goes on: ${server.url}/#/runs/details/${server.runs[0]!.id}\n`);
    expect(server.calls('RunService_GetRunV1')).toHaveLength(1);
  });

  it('--arg values are checked before anything is sent', async () => {
    server = await startServer();
    const r = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'e', '--arg', 'value_1=five', '--arg', 'valu_2=1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('KFP0104');
    expect(r.stderr).toContain('KFP0102');
    expect(r.stderr).toContain('nothing was submitted');
    const missing = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'e']);
    expect(missing.stderr).toContain('KFP0105');
    expect(server.requests).toEqual([]);
  });

  it('--argo --namespace submits the workflow to the Argo Server and --wait follows it', async () => {
    server = await startServer();
    const r = await kfpdsl(['submit', addExample, '--argo', server.url, '--namespace', 'ml', '--arg', 'value_1=7', '--wait', '--poll-interval', '0.05']);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    const w = server.workflows[0]!;
    expect(w.namespace).toBe('ml');
    expect(w.name).toMatch(/^add-example-[0-9a-f]{5}$/);
    const sent = server.calls('WorkflowService_CreateWorkflow')[0]!.body as { workflow: { spec: { arguments: { parameters: { name: string; value: string }[] } } } };
    expect(sent.workflow.spec.arguments.parameters).toEqual([
      { name: 'value_1', value: '7' },
      { name: 'value_2', value: '2' },
    ]);
    expect(r.stdout).toContain(`submitted workflow ${w.name} to namespace "ml": ${server.url}/workflows/ml/${w.name}\n`);
    expect(r.stdout).toContain(`workflow ${w.name} Succeeded (3 succeeded)\n`);
  });

  it('--argo compiles for --target argo (plain Argo Workflows); --target kfp-v1 sends what build writes', async () => {
    server = await startServer();
    const out = mkdtempSync(join(tmpdir(), 'kfpdsl-submit-target-'));
    try {
      const b = await kfpdsl(['build', addExample, '--target', 'argo', '-o', out]);
      expect(b.status).toBe(0);
      const plain = YAML.parse(readFileSync(join(out, 'examples/add/add-example.yaml'), 'utf8')) as { spec: { arguments: { parameters: { name: string; value: string }[] } } };
      for (const p of plain.spec.arguments.parameters) if (p.name === 'value_1') p.value = '7';
      const r = await kfpdsl(['submit', addExample, '--argo', server.url, '--namespace', 'ml', '--arg', 'value_1=7']);
      expect(r.status).toBe(0);
      const sent = (server.calls('WorkflowService_CreateWorkflow')[0]!.body as { workflow: unknown }).workflow;
      expect(sent).toEqual(plain);
      expect(JSON.stringify(sent)).not.toContain('pipelines.kubeflow.org');
      const kfp = await kfpdsl(['submit', addExample, '--argo', server.url, '--namespace', 'ml', '--target', 'kfp-v1', '--arg', 'value_1=7']);
      expect(kfp.status).toBe(0);
      const v1 = built() as typeof plain;
      for (const p of v1.spec.arguments.parameters) if (p.name === 'value_1') p.value = '7';
      expect((server.calls('WorkflowService_CreateWorkflow')[1]!.body as { workflow: unknown }).workflow).toEqual(v1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('--target argo cannot go to KFP (--host): a usage error that says where it can go', async () => {
    server = await startServer();
    const r = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'e', '--target', 'argo']);
    expect([r.status, r.stderr]).toEqual([2, 'error: a KFP run carries a kfp-v1 workflow or a kfp-v2 pipeline spec: --target argo cannot go to --host; submit it to an Argo Server with --argo URL --namespace NS\n']);
    const unknown = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'e', '--target', 'nope']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("option '--target <target>' argument 'nope' is invalid");
    expect(server.requests).toEqual([]);
  });

  it('--argo to a failing workflow exits 1; a missing namespace is a located 404 with a hint', async () => {
    server = await startServer();
    server.failTask = 'sum';
    const r = await kfpdsl(['submit', addExample, '--argo', server.url, '--namespace', 'ml', '--arg', 'value_1=7', '--wait', '--poll-interval', '0.05']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/workflow add-example-\w+ Failed \(1 failed, 2 succeeded\): child '.*sum' failed/);
    const ns = await kfpdsl(['submit', addExample, '--argo', server.url, '--namespace', 'missing', '--arg', 'value_1=7']);
    expect(ns.status).toBe(1);
    expect(ns.stderr).toContain('error[KFP0206]: cannot submit the workflow to namespace "missing"');
    expect(ns.stderr).toContain('namespaces \\"missing\\" not found'.replace(/\\/g, ''));
  });

  it('--argo --dry-run asks the Argo Server\'s linter and creates nothing', async () => {
    server = await startServer();
    const r = await kfpdsl(['submit', addExample, '--argo', server.url, '--namespace', 'ml', '--arg', 'value_1=7', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('the Argo Server accepts "add example" in namespace "ml" (linted; nothing was submitted)\n');
    expect(server.requests.map((q) => q.op)).toEqual(['WorkflowService_LintWorkflow']);
    expect(server.workflows).toEqual([]);
    server.faults.push({ op: 'WorkflowService_LintWorkflow', status: 400 });
    const bad = await kfpdsl(['submit', addExample, '--argo', server.url, '--namespace', 'ml', '--arg', 'value_1=7', '--dry-run']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('error[KFP0209]: cannot lint the workflow in namespace "ml"');
    const kfp = await kfpdsl(['submit', addExample, '--host', server.url, '--experiment', 'e', '--dry-run']);
    expect(kfp.status).toBe(2);
  });

  it('usage errors: --argo without --namespace, --host with --argo, no --experiment', async () => {
    server = await startServer();
    const a = await kfpdsl(['submit', addExample, '--argo', server.url]);
    expect([a.status, a.stderr]).toEqual([2, 'error: --argo needs --namespace NS: the namespace the workflow runs in (where the Argo controller watches)\n']);
    const b = await kfpdsl(['submit', addExample, '--argo', server.url, '--host', server.url, '--namespace', 'x']);
    expect(b.status).toBe(2);
    const c = await kfpdsl(['submit', addExample, '--host', server.url]);
    expect(c.stderr).toContain('--experiment NAME');
    expect(server.requests).toEqual([]);
  });
});
