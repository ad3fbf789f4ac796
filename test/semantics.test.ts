/**
 * A pipeline written the way a kfp user would, mixing every construct: loops over an
 * output with a parallelism cap, conditions inside loops and inside conditions, an
 * inner loop over records, fan-in of a loop output, if/elif/else on the fan-in, files
 * between tasks inside groups, calls written inside arguments, and finally. It must
 * pass the strict Argo validator and compute the right values when run.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { runWorkflow } from '../src/run/executor.js';
import type { NodeResult } from '../src/run/types.js';
import { SourceFile } from '../src/source.js';
import { haveShared, shared, sharedDir, strictArgoErrors } from './support/argo-strict.js';

const path = 'test/fixtures/pipelines/nested.kfp';

function compile(): unknown {
  const r = compileSource(new SourceFile(path, readFileSync(path, 'utf8')));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text);
}

function outputsOf(nodes: readonly NodeResult[], task: string): Record<string, string>[] {
  return nodes.filter((n) => n.type === 'Pod' && n.displayName.replace(/\(.*\)$/, '') === task && n.phase === 'Succeeded').map((n) => n.outputs.parameters);
}

describe('a pipeline mixing every construct', () => {
  it.skipIf(shared.missing)(shared.title('passes the strict Argo validator'), () => {
    expect(strictArgoErrors(compile())).toEqual([]);
  });

  it('runs: loops, nested conditions, fan-in, elif, files in groups, inline calls, finally', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'kfpdsl-semantics-'));
    const result = await runWorkflow({ workflow: compile(), runDir, arguments: { n: '4', label: 'v', threshold: '2' } });
    expect(result.phase).toBe('Succeeded');
    const nodes = result.nodes;
    // squares of 0..3
    expect(outputsOf(nodes, 'sq').map((o) => o['square-Output']).sort()).toEqual(['0', '1', '4', '9']);
    // describe_it only where the square exceeds the threshold (4 and 9)
    expect(outputsOf(nodes, 'd').map((o) => o['describe-it-text']).sort()).toEqual(['v:4', 'v:9']);
    // the file branch only for the big one: write → read (an inline call) → show
    expect(outputsOf(nodes, 'read').map((o) => o['read-Output'])).toEqual(['v:9|v']);
    // fan-in: the sum of every iteration's square
    expect(outputsOf(nodes, 't')[0]!['total-Output']).toBe('14');
    // 14 >= 10: the `if` branch ran, `elif` and `else` were skipped
    const shows = nodes.filter((n) => n.type === 'Pod' && n.template === 'show');
    expect(shows.length).toBeGreaterThan(0);
    // write(c.text) then read(...) inline at the top level
    expect(outputsOf(nodes, 'read-2').map((o) => o['read-Output'])).toEqual(['total:14|none']);
    // the inner loop over two records ran in each of the four outer iterations
    const inner = nodes.filter((n) => n.type === 'Pod' && n.displayName === 'show-3' && n.phase === 'Succeeded');
    expect(inner).toHaveLength(8);
    expect(result.exitHandler?.phase).toBe('Succeeded');
  });

  it('with threshold 100 no iteration takes the condition, and the total is unchanged', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'kfpdsl-semantics-'));
    const result = await runWorkflow({ workflow: compile(), runDir, arguments: { n: '4', label: 'v', threshold: '100' } });
    expect(result.phase).toBe('Succeeded');
    expect(outputsOf(result.nodes, 'd')).toEqual([]);
    expect(outputsOf(result.nodes, 't')[0]!['total-Output']).toBe('14');
  });
});

describe('group names taken by components', () => {
  const clash = 'test/fixtures/pipelines/name-clash.kfp';

  it('components named condition_1 and for_loop_2 push the groups to condition-1-2 and for-loop-2-2', async () => {
    const r = compileSource(new SourceFile(clash, readFileSync(clash, 'utf8')));
    expect(r.diagnostics).toEqual([]);
    const wf = YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text) as { spec: { templates: { name: string; dag?: { tasks: { name: string; template: string }[] } }[] } };
    const root = wf.spec.templates.find((t) => t.name === 'clash')!;
    expect(root.dag!.tasks).toContainEqual(expect.objectContaining({ name: 'condition-1', template: 'condition-1-2' }));
    if (haveShared) expect(strictArgoErrors(wf)).toEqual([]);
    const result = await runWorkflow({ workflow: wf, runDir: mkdtempSync(join(tmpdir(), 'kfpdsl-clash-')) });
    expect(result.phase).toBe('Succeeded');
    expect(result.nodes.filter((n) => n.type === 'Pod' && n.template === 'for-loop-2' && n.phase === 'Succeeded')).toHaveLength(2);
  });
});

describe('a task bound to a group name', () => {
  it('`condition_1 = step(n)` beside an `if` gets its own name: groups and tasks share one namespace', () => {
    const path = 'test/fixtures/pipelines/name-clash-task.kfp';
    const r = compileSource(new SourceFile(path, readFileSync(path, 'utf8')));
    expect(r.diagnostics).toEqual([]);
    const wf = YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text) as { spec: { templates: { name: string; dag?: { tasks: { name: string }[] } }[] } };
    const names = wf.spec.templates.find((t) => t.name === 'clash-two')!.dag!.tasks.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    if (haveShared) expect(strictArgoErrors(wf)).toEqual([]);
  });
});

describe('resources from pipeline parameters', () => {
  it('go through podSpecPatch (as kfp does), literals stay in the container', () => {
    const path = 'test/fixtures/pipelines/resources-from-params.kfp';
    const r = compileSource(new SourceFile(path, readFileSync(path, 'utf8')));
    expect(r.diagnostics).toEqual([]);
    const wf = YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text) as { spec: { templates: Record<string, unknown>[] } };
    const train = wf.spec.templates.find((t) => t['name'] === 'train')!;
    expect((train['container'] as Record<string, unknown>)['resources']).toEqual({ limits: { cpu: 2 }, requests: { cpu: '500m' } });
    expect(JSON.parse(train['podSpecPatch'] as string)).toEqual({
      containers: [
        {
          name: 'main',
          resources: {
            limits: { memory: '{{inputs.parameters.resources-limits-memory}}', 'nvidia.com/gpu': '{{inputs.parameters.resources-limits-nvidia-com-gpu}}' },
            requests: { memory: '{{inputs.parameters.resources-requests-memory}}' },
          },
        },
      ],
    });
    if (haveShared) expect(strictArgoErrors(wf)).toEqual([]);
  });
});

describe('sidecars and init containers', () => {
  it('become template sidecars and initContainers (kfp add_sidecar, add_init_container)', () => {
    const path = 'test/fixtures/pipelines/sidecars.kfp';
    const r = compileSource(new SourceFile(path, readFileSync(path, 'utf8')));
    expect(r.diagnostics).toEqual([]);
    const wf = YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text) as { spec: { templates: Record<string, unknown>[] } };
    const t = wf.spec.templates.find((x) => x['name'] === 'serve-model')!;
    expect(t['sidecars']).toEqual([
      { name: 'proxy', image: 'envoyproxy/envoy:v1.27.0', args: ['--config-path', '/data/envoy.yaml'], mirrorVolumeMounts: true },
      { name: 'logger', image: 'busybox:1.36', command: ['sh', '-c', 'tail -f /dev/null'], env: [{ name: 'LEVEL', value: 'info' }] },
    ]);
    expect(t['initContainers']).toEqual([{ name: 'fetch', image: 'busybox:1.36', command: ['sh', '-c', 'echo ready > /data/ready'], mirrorVolumeMounts: true }]);
    if (haveShared) expect(strictArgoErrors(wf)).toEqual([]);
  });
});

describe('resource(...): kfp ResourceOp', () => {
  const path = 'test/fixtures/pipelines/resource-op.kfp';
  type Wf = { spec: { templates: { name: string; resource?: { action: string; manifest: string; flags?: string[] }; outputs?: { parameters: { name: string; valueFrom: { jsonPath: string } }[] } }[] } };
  const compiled = (): Wf => {
    const r = compileSource(new SourceFile(path, readFileSync(path, 'utf8')));
    expect(r.diagnostics).toEqual([]);
    return YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text) as Wf;
  };

  it('creates with a manifest whose values come from parameters, and outputs name, manifest and named JSONPaths', () => {
    const wf = compiled();
    const secret = wf.spec.templates.find((t) => t.name === 'secret')!;
    expect(secret.resource!.action).toBe('create');
    expect(secret.outputs!.parameters.map((p) => [p.name, p.valueFrom.jsonPath])).toEqual([
      ['secret-manifest', '{}'],
      ['secret-name', '{.metadata.name}'],
      ['secret-uid', '{.metadata.uid}'],
    ]);
    const cleanup = wf.spec.templates.find((t) => t.name === 'cleanup')!;
    expect(cleanup.resource).toMatchObject({ action: 'delete', flags: ['--wait=false'] });
    expect(cleanup.outputs).toBeUndefined();
    if (haveShared) expect(strictArgoErrors(wf)).toEqual([]);
  });

  it.skipIf(shared.missing)(shared.title("its manifest is kfp's own for the resourceop_basic golden"), () => {
    const kfp = YAML.parse(readFileSync(join(sharedDir, 'anchors/kfp-v1/regenerated/resourceop_basic.yaml'), 'utf8')) as Wf;
    const theirs = YAML.parse(kfp.spec.templates.find((t) => t.name === 'create-my-secret')!.resource!.manifest);
    const ours = YAML.parse(compiled().spec.templates.find((t) => t.name === 'secret')!.resource!.manifest);
    expect(ours).toEqual(theirs);
  });

  it('runs: the secret is created and its generated name reaches the next task', async () => {
    const result = await runWorkflow({ workflow: compiled(), runDir: mkdtempSync(join(tmpdir(), 'kfpdsl-resource-')), arguments: { username: 'u', password: 'p' } });
    expect(result.phase).toBe('Succeeded');
    const secret = result.nodes.find((n) => n.displayName === 'secret')!;
    expect(secret.outputs.parameters['secret-name']).toMatch(/^my-secret-/);
  });
});

describe('pipeline-wide settings', () => {
  it('node_selector and pod_disruption_budget (kfp PipelineConf) reach the workflow spec', () => {
    const path = 'test/fixtures/pipelines/pipeline-conf.kfp';
    const r = compileSource(new SourceFile(path, readFileSync(path, 'utf8')));
    expect(r.diagnostics).toEqual([]);
    const wf = YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text) as { spec: Record<string, unknown> };
    expect(wf.spec['nodeSelector']).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(wf.spec['podDisruptionBudget']).toEqual({ minAvailable: '50%' });
    if (haveShared) expect(strictArgoErrors(wf)).toEqual([]);
  });
});
