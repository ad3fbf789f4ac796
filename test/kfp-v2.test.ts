/**
 * `--target kfp-v2` (issue 16, first slice): every example either builds to a pipeline spec
 * that parses strictly against KFP's pipeline_spec.proto (unknown fields rejected, as KFP's
 * backend does) or is refused with KFP5020/KFP5021 and nothing written; rewrites of KFP v2's
 * own pipelines compare equal to its compiler's output after a documented normalisation;
 * a Python component's program runs under real python3 with the placeholders the v2
 * launcher fills.
 *
 * The protos and KFP's compiled pipelines are read from ../shared at test time; without
 * them the proto and golden tests are skipped (and say so).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileRegistry, fromBinary, fromJson, type DescMessage, type Registry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kfpV2Backend } from '../src/backends/kfp-v2/index.js';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { sharedDir } from './support/argo-strict.js';
import { repoRoot, runCli } from './support/cli.js';
import { requirement } from './support/requirements.js';

const descriptorPath = join(sharedDir, 'schemas', 'kfp-v2', 'pipeline_spec.desc.pb');
const goldenDir = join(sharedDir, 'anchors', 'kfp-v2', 'golden');
const haveShared = existsSync(descriptorPath) && existsSync(goldenDir);
const sharedV2 = requirement(haveShared, `${descriptorPath} or ${goldenDir} is absent; set KFPDSL_SHARED to the shared folder`);

function pipelineSpecSchema(): { desc: DescMessage; registry: Registry } {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorPath)));
  const desc = registry.getMessage('ml_pipelines.PipelineSpec');
  if (!desc) throw new Error('ml_pipelines.PipelineSpec is not in the descriptor set');
  return { desc, registry };
}

/** Parses strictly: an unknown field, a wrong type or a bad enum value throws. */
function parseStrictly(spec: unknown): void {
  const { desc, registry } = pipelineSpecSchema();
  fromJson(desc, spec as never, { registry });
}

/**
 * The platform spec (the YAML's second document) strictly: `PlatformSpec`, then each
 * executor's Struct as a `kfp_kubernetes.KubernetesExecutorConfig`, as KFP's backend reads it.
 */
function parsePlatformStrictly(platform: unknown): void {
  const { registry } = pipelineSpecSchema();
  fromJson(registry.getMessage('ml_pipelines.PlatformSpec')!, platform as never, { registry });
  const config = registry.getMessage('kfp_kubernetes.KubernetesExecutorConfig');
  if (!config) throw new Error('kfp_kubernetes.KubernetesExecutorConfig is not in the descriptor set');
  const executors = (platform as { platforms: { kubernetes: { deploymentSpec?: { executors: Record<string, unknown> } } } }).platforms.kubernetes.deploymentSpec?.executors ?? {};
  for (const e of Object.values(executors)) fromJson(config, e as never, { registry });
}

/** Both documents of a build (the second absent when no Kubernetes setting is used). */
function documents(text: string): { spec: Record<string, any>; platform?: Record<string, any> } {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);
  expect(docs.length).toBeLessThanOrEqual(2);
  return { spec: docs[0]!, ...(docs[1] ? { platform: docs[1] } : {}) };
}

function compileV2(path: string): ReturnType<typeof compileSource> {
  return compileSource(new SourceFile(path, readFileSync(join(repoRoot, path), 'utf8')), { backend: kfpV2Backend });
}

function onlyFile(path: string): Record<string, unknown> {
  return bothDocuments(path).spec;
}

function bothDocuments(path: string): { spec: Record<string, any>; platform?: Record<string, any> } {
  const r = compileV2(path);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(r.files).toHaveLength(1);
  return documents(r.files[0]!.text);
}

const examples = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.kfp')).sort();
/** What builds: every example (a refused construct is shown by test/fixtures/kfp-v2-refused/ instead). */
const BUILT = ['add.kfp', 'conditional.kfp', 'data_passing_file.kfp', 'export_metrics.kfp', 'hangul.kfp', 'parallel.kfp', 'resources.kfp', 'reuse.kfp', 'subpipelines.kfp'];
/** A pipeline-wide `parallelism`, which KFP v2 cannot express (README, "--target kfp-v2"). */
const REFUSED = 'test/fixtures/kfp-v2-refused/pipeline-parallelism.kfp';

describe('kfp-v2: examples', () => {
  it.each(examples)('%s builds or is refused with a located KFP502x error', (name) => {
    const r = compileV2(`examples/${name}`);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (BUILT.includes(name)) {
      expect(errors).toEqual([]);
      expect(r.files.length).toBeGreaterThan(0);
      for (const f of r.files) {
        const { spec, platform } = documents(f.text);
        expect(f.text.startsWith('# PIPELINE DEFINITION\n')).toBe(true);
        expect(spec.schemaVersion).toBe('2.1.0');
        expect(String(spec.sdkVersion)).toMatch(/^kfpdsl-/);
        if (haveShared) parseStrictly(spec);
        if (haveShared && platform) parsePlatformStrictly(platform);
      }
    } else {
      expect(errors.length).toBeGreaterThan(0);
      expect(r.files).toEqual([]);
      for (const d of errors) {
        expect(d.code).toMatch(/^KFP502[01]$/);
        expect(d.span).toBeDefined();
        expect(d.message).toContain('--target kfp-v2 cannot express');
        expect(d.hint).toContain('--target kfp-v1');
      }
    }
  });
});

describe.skipIf(sharedV2.missing)(sharedV2.title('kfp-v2: the strict proto check itself'), () => {
  it('accepts every pipeline KFP v2 compiled', () => {
    const goldens = readdirSync(goldenDir).filter((f) => f.endsWith('.yaml'));
    expect(goldens.length).toBeGreaterThan(50);
    // The first document is the PipelineSpec (a second one, when present, is the platform spec).
    for (const g of goldens) parseStrictly(parseAllDocuments(readFileSync(join(goldenDir, g), 'utf8'))[0]!.toJS());
  });

  it('rejects an unknown field, as KFP\'s backend does', () => {
    const spec = onlyFile('examples/add.kfp');
    expect(() => parseStrictly({ ...spec, extraField: 1 })).toThrow(/extraField/);
    const root = spec.root as { dag: { tasks: Record<string, Record<string, unknown>> } };
    const [first] = Object.values(root.dag.tasks);
    first!.dependsOn = ['x'];
    expect(() => parseStrictly(spec)).toThrow(/dependsOn/);
  });
});

/**
 * KFP v2's own pipelines rewritten in .kfp, compared with its compiler's output after this
 * normalisation: the header comments and `sdkVersion` dropped (kfpdsl names itself); the
 * pipeline's outputs dropped, with the sub-DAG outputs that only carry them (compared
 * separately where the .kfp pipeline declares them, `-> (…)`); and a Python
 * component's command and args dropped on both sides where KFP's run its lightweight
 * executor (`kfp.dsl.executor_main`, pip-installing `kfp`) and ours runs kfpdsl's own program
 * (the same for kfp-v1). Each difference is asserted below.
 */
function normalised(spec: Record<string, unknown>, golden: Record<string, any>): Record<string, unknown> {
  const out = structuredClone(spec) as Record<string, any>;
  delete out.sdkVersion;
  // What the pipeline returns, exported through sub-DAGs (`condition-4` exporting `add`'s output), goes with it.
  const unexport = (dag: Record<string, any>, from: Record<string, any> | undefined): void => {
    const source = from?.valueFromParameter ?? from;
    const task = dag.tasks?.[source?.producerSubtask];
    const component = task && out.components[task.componentRef.name];
    if (!component?.dag) return;
    unexport(component.dag, component.dag.outputs?.parameters?.[source.outputParameterKey]);
    delete component.dag.outputs.parameters[source.outputParameterKey];
    delete component.outputDefinitions.parameters[source.outputParameterKey];
    for (const [o, k] of [[component.dag, 'outputs'], [component, 'outputDefinitions']] as const) if (!Object.keys(o[k].parameters).length) delete o[k];
  };
  for (const from of Object.values<any>(out.root?.dag?.outputs?.parameters ?? {})) unexport(out.root.dag, from);
  if (out.root) {
    delete out.root.outputDefinitions;
    delete out.root.dag?.outputs;
  }
  for (const [key, executor] of Object.entries<any>(out.deploymentSpec?.executors ?? {})) {
    if (lightweight(golden.deploymentSpec?.executors?.[key])) {
      delete executor.container.command;
      delete executor.container.args;
    }
  }
  return out;
}

const lightweight = (executor: any): boolean => JSON.stringify(executor?.container?.command ?? []).includes('kfp.dsl.executor_main');

describe.skipIf(sharedV2.missing)(sharedV2.title('kfp-v2: equal to KFP v2\'s compiler output'), () => {
  it.each([
    ['hello_world.kfp', 'hello_world.yaml'],
    ['container_io.kfp', 'container_io.yaml'],
    ['sequential.kfp', 'sequential_v2.yaml'],
    ['env_var.kfp', 'env-var.yaml'],
    ['parallelfor_pipeline_param.kfp', 'pipeline_with_parallelfor_pipeline_param.yaml'],
    ['nested_loops.kfp', 'pipeline_with_nested_loops.yaml'],
    ['loops_and_conditions.kfp', 'pipeline_with_loops_and_conditions.yaml'],
    ['take_nap.kfp', 'take_nap_compiled.yaml'],
    ['log_streaming.kfp', 'log_streaming_compiled.yaml'],
    ['long_running.kfp', 'long-running.yaml'],
    ['conditional_producer_and_consumers.kfp', 'conditional_producer_and_consumers.yaml'],
    ['identity.kfp', 'identity.yaml'],
  ])('%s ≡ %s', (kfp, golden) => {
    const { spec: ours, platform } = bothDocuments(`test/fixtures/kfp-v2/${kfp}`);
    const docs = parseAllDocuments(readFileSync(join(goldenDir, golden), 'utf8')).map((d) => d.toJS() as Record<string, any>);
    const theirs = docs[0]!;
    expect(normalised(ours, theirs)).toEqual(normalised(theirs, theirs));
    expect(platform).toEqual(docs[1]);
    // The deliberate differences, each asserted.
    expect(ours.sdkVersion).not.toBe(theirs.sdkVersion);
    // Where the .kfp pipeline declares outputs, they are KFP's root outputs (dropped above only where it declares none).
    const root = ours.root as Record<string, any>;
    if (root.outputDefinitions || ['container_io.kfp', 'env_var.kfp', 'identity.kfp'].includes(kfp)) {
      expect({ definitions: root.outputDefinitions, dag: root.dag.outputs }).toEqual({ definitions: theirs.root.outputDefinitions, dag: theirs.root.dag.outputs });
    }
    for (const [key, executor] of Object.entries<any>(theirs.deploymentSpec.executors)) {
      if (!lightweight(executor)) continue;
      const mine = JSON.stringify(ours.deploymentSpec.executors[key].container);
      expect(mine).not.toContain('pip install');
      expect(mine).not.toContain('kfp.dsl');
      expect(mine).toMatch(/\{\{\$\.(inputs|outputs)\.parameters\['/);
    }
  });
});

describe('kfp-v2: task settings', () => {
  it('resources, GPU and literal env on the task\'s own executor (one per task, as KFP makes them); retries as retryPolicy', () => {
    const spec = onlyFile('test/fixtures/kfp-v2/settings.kfp') as Record<string, any>;
    const tasks = spec.root.dag.tasks;
    expect(tasks.train.componentRef.name).toBe('comp-train');
    expect(tasks['train-2'].componentRef.name).toBe('comp-train-2');
    expect(tasks.train.retryPolicy).toEqual({ backoffDuration: '90s', backoffFactor: 2, maxRetryCount: 3 });
    const copy = spec.deploymentSpec.executors['exec-train'].container;
    expect(copy.resources).toEqual({
      accelerator: { resourceCount: '1', resourceType: 'nvidia.com/gpu' },
      resourceCpuLimit: '4',
      resourceCpuRequest: '2',
      resourceMemoryLimit: '2G',
      resourceMemoryRequest: '1G',
    });
    expect(copy.env).toEqual([{ name: 'MODE', value: 'fast' }]);
    expect(spec.deploymentSpec.executors['exec-train-2'].container.resources).toBeUndefined();
    expect(spec.components['comp-train-2'].executorLabel).toBe('exec-train-2');
    if (haveShared) parseStrictly(spec);
  });

  it('resources known at run time: a task input per channel and per field holding the placeholder, as KFP lays out set_cpu_limit(channel)', () => {
    const spec = onlyFile('test/fixtures/kfp-v2/runtime_resources.kfp') as Record<string, any>;
    if (haveShared) parseStrictly(spec);
    const task = spec.root.dag.tasks['sum-numbers'];
    const cpu = "{{$.inputs.parameters['pipelinechannel--cpu']}}";
    const memory = "{{$.inputs.parameters['pipelinechannel--memory-limit-Output']}}";
    expect(task.dependentTasks).toEqual(['memory-limit']);
    expect(task.inputs.parameters).toMatchObject({
      cpu_limit: { runtimeValue: { constant: cpu } },
      memory_request: { runtimeValue: { constant: memory } },
      accelerator_count: { runtimeValue: { constant: "{{$.inputs.parameters['pipelinechannel--gpus']}}" } },
      'pipelinechannel--cpu': { componentInputParameter: 'cpu' },
      'pipelinechannel--memory-limit-Output': { taskOutputParameter: { outputParameterKey: 'Output', producerTask: 'memory-limit' } },
    });
    expect(spec.deploymentSpec.executors['exec-sum-numbers'].container.resources).toMatchObject({ resourceCpuLimit: cpu, resourceMemoryRequest: memory });
    if (haveShared) {
      // The same layout as KFP's own (pipeline_with_string_machine_fields_*: limits only there).
      const golden = parseAllDocuments(readFileSync(join(goldenDir, 'pipeline_with_string_machine_fields_task_output.yaml'), 'utf8'))[0]!.toJS() as Record<string, any>;
      const theirs = golden.root.dag.tasks['sum-numbers'].inputs.parameters;
      expect(theirs.memory_limit).toEqual({ runtimeValue: { constant: memory } });
      expect(theirs['pipelinechannel--memory-limit-Output']).toEqual(task.inputs.parameters['pipelinechannel--memory-limit-Output']);
      expect(golden.deploymentSpec.executors['exec-sum-numbers'].container.resources.resourceMemoryLimit).toBe(memory);
    }
  });

  it('a setting KFP v2 cannot express is refused by its .kfp name, with why, and nothing is written', () => {
    const r = compileV2(REFUSED);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      '--target kfp-v2 cannot express the pipeline setting `parallelism` (KFP v2 limits parallelism per loop only: `for x in xs parallelism N`)',
    ]);
    expect(r.diagnostics[0]!.hint).toContain('--target kfp-v1');
    expect(r.files).toEqual([]);
    const source = `component c() {\n  \`\`\`python\n  print(1)\n  \`\`\`\n}\npipeline "p" () {\n  service_account: "sa"\n  c() {\n    max_cache_staleness: "P1D"\n    retry: 2\n    retry_policy: "Always"\n    sidecars: [{ name: "s", image: "busybox:1.36", mirror_volume_mounts: true }]\n  }\n}\n`;
    const file = new SourceFile('bad.kfp', source);
    const bad = compileSource(file, { backend: kfpV2Backend });
    expect(bad.files).toEqual([]);
    const located = bad.diagnostics.map((d) => `${file.positionAt(d.span!.start).line}: ${d.message.replace('--target kfp-v2 cannot express ', '')}`);
    // A pipeline setting is refused at its value (line 7), a task setting at its task (line 8).
    expect(located).toEqual([
      '7: the pipeline setting `service_account` (KFP v2 takes the service account per run, not in the pipeline spec)',
      '8: the task setting `max_cache_staleness` (KFP v2 caches without expiry: only `cache: false`)',
      '8: the task setting retry_policy "Always" (KFP v2 retries on failure only)',
      '8: the task setting sidecars `s` with `mirror_volume_mounts` (KFP v2 mounts named volumes only)',
    ]);
  });
});

describe('kfp-v2: the Kubernetes platform spec (second document)', () => {
  it('secrets and config maps as env, mounts, node selectors, tolerations, pull secrets, pod metadata, init containers and sidecars, as kfp-kubernetes writes them', () => {
    const { spec, platform } = bothDocuments('test/fixtures/kfp-v2/kubernetes.kfp');
    expect(platform).toBeDefined();
    if (haveShared) {
      parseStrictly(spec);
      parsePlatformStrictly(platform);
    }
    const k8s = platform!.platforms.kubernetes;
    expect(k8s.pipelineConfig).toEqual({ activeDeadlineSeconds: 7200, resourceTtlOnCompletion: 86400 });
    const train = k8s.deploymentSpec.executors['exec-train'];
    expect(train.secretAsEnv).toEqual([
      { keyToEnv: [{ envVar: 'DB_PASSWORD', secretKey: 'password' }], optional: false, secretName: 'db-creds', secretNameParameter: { runtimeValue: { constant: 'db-creds' } } },
    ]);
    expect(train.configMapAsEnv[0].keyToEnv).toEqual([{ configMapKey: 'mode', envVar: 'CFG' }]);
    // The pipeline's node selector merged under the task's; its pull secrets on every executor.
    expect(train.nodeSelector).toEqual({ labels: { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4', pool: 'default' } });
    expect(k8s.deploymentSpec.executors['exec-evaluate']).toEqual({
      imagePullSecret: [{ secretName: 'regcred', secretNameParameter: { runtimeValue: { constant: 'regcred' } } }],
      nodeSelector: { labels: { pool: 'default' } },
    });
    expect(train.tolerations).toEqual([{ effect: 'NoSchedule', key: 'nvidia.com/gpu', operator: 'Exists' }]);
    expect(train.activeDeadlineSeconds).toBe('3600');
    expect(train.imagePullPolicy).toBe('IfNotPresent');
    expect(train.podMetadata).toEqual({ annotations: { owner: 'ml' }, labels: { team: 'vision' } });
    expect(train.initContainers[1]).toEqual({ args: ['--port', '9901'], image: 'envoy:1.27', name: 'proxy', restartPolicy: 'Always' });
    // The volume: created in the root DAG (before the exit handler), read by the mount through the handler's input.
    expect(train.pvcMount).toEqual([
      { componentInputParameter: 'pipelinechannel--createpvc-name', mountPath: '/mnt', pvcNameParameter: { componentInputParameter: 'pipelinechannel--createpvc-name' } },
      { constant: 'models', mountPath: '/models', pvcNameParameter: { runtimeValue: { constant: 'models' } } },
    ]);
    const root = spec.root.dag.tasks;
    expect(root.createpvc.inputs.parameters).toEqual({
      access_modes: { runtimeValue: { constant: ['ReadWriteOnce'] } },
      pvc_name_suffix: { runtimeValue: { constant: '-mypvc' } },
      size: { runtimeValue: { constant: '1Gi' } },
      storage_class_name: { runtimeValue: { constant: 'standard' } },
    });
    expect(spec.deploymentSpec.executors['exec-createpvc']).toEqual({ container: { image: 'argostub/createpvc' } });
    // `delete: true`: an exit task of its own.
    expect(root.deletepvc).toMatchObject({
      dependentTasks: ['createpvc', 'exit-handler-1'],
      inputs: { parameters: { pvc_name: { taskOutputParameter: { outputParameterKey: 'name', producerTask: 'createpvc' } } } },
      triggerPolicy: { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' },
    });
    const body = spec.components['comp-exit-handler-1'].dag.tasks;
    expect(body.train.retryPolicy).toEqual({ maxRetryCount: 2 });
    expect(body.evaluate.cachingOptions).toEqual({});
    // metrics: a system.Metrics artifact.
    expect(spec.components['comp-evaluate'].outputDefinitions.artifacts.score.artifactType).toEqual({ schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' });
  });

  it('a pipeline without Kubernetes settings has one document', () => {
    const r = compileV2('examples/add.kfp');
    expect(parseAllDocuments(r.files[0]!.text)).toHaveLength(1);
  });
});

describe('kfp-v2: finally and imported components', () => {
  it('finally: the body in exit-handler-1, each exit task after it with ALL_UPSTREAM_TASKS_COMPLETED; a component.yaml with v2\'s sanitised names', () => {
    const { spec } = bothDocuments('examples/reuse.kfp');
    const root = spec.root.dag.tasks;
    expect(Object.keys(root).sort()).toEqual(['exit-handler-1', 'notify']);
    expect(root['exit-handler-1']).toEqual({
      componentRef: { name: 'comp-exit-handler-1' },
      inputs: { parameters: { 'pipelinechannel--greeting': { componentInputParameter: 'greeting' } } },
      taskInfo: { name: 'exit-handler-1' },
    });
    expect(root.notify).toMatchObject({ dependentTasks: ['exit-handler-1'], triggerPolicy: { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' } });
    const wc = spec.components['comp-word-count'];
    expect(Object.keys(wc.inputDefinitions.artifacts)).toEqual(['text_file']);
    expect(wc.inputDefinitions.parameters.min_length).toEqual({ defaultValue: 1, isOptional: true, parameterType: 'NUMBER_INTEGER' });
    expect(wc.outputDefinitions.parameters.count).toEqual({ parameterType: 'NUMBER_INTEGER' });
    expect(spec.deploymentSpec.executors['exec-word-count'].container.command.slice(-3)).toEqual([
      "{{$.inputs.artifacts['text_file'].path}}",
      "{{$.inputs.parameters['min_length']}}",
      "{{$.outputs.parameters['count'].output_file}}",
    ]);
    expect(spec.components['comp-exit-handler-1'].dag.tasks['word-count'].inputs.artifacts.text_file).toEqual({ taskOutputArtifact: { outputArtifactKey: 'out', producerTask: 'echo' } });
  });

  it('an `if` inside finally is refused at the `if`', () => {
    const source = `component c() {\n  \`\`\`python\n  print(1)\n  \`\`\`\n}\npipeline "p" (x: int = 1) {\n  c()\n  finally {\n    if x > 0 {\n      c()\n    }\n  }\n}\n`;
    const file = new SourceFile('fin.kfp', source);
    const r = compileSource(file, { backend: kfpV2Backend });
    expect(r.files).toEqual([]);
    expect(r.diagnostics.map((d) => [d.code, file.positionAt(d.span!.start).line, d.message])).toEqual([
      ['KFP5020', 9, '--target kfp-v2 cannot express an `if` inside `finally` (KFP v2 exit tasks are single tasks)'],
    ]);
  });
});

describe('kfp-v2: DAG shapes', () => {
  it('fan-in: the loop DAG declares a LIST output from its task; the consumer reads it from the loop task', () => {
    const spec = onlyFile('examples/parallel.kfp') as Record<string, any>;
    const loop = spec.components['comp-for-loop-1'];
    expect(loop.dag.outputs.parameters['pipelinechannel--print-op-Output']).toEqual({ valueFromParameter: { outputParameterKey: 'Output', producerSubtask: 'print-op' } });
    expect(loop.outputDefinitions.parameters['pipelinechannel--print-op-Output']).toEqual({ parameterType: 'LIST' });
    expect(spec.root.dag.tasks.total).toMatchObject({
      dependentTasks: ['for-loop-1'],
      inputs: { parameters: { values: { taskOutputParameter: { outputParameterKey: 'pipelinechannel--print-op-Output', producerTask: 'for-loop-1' } } } },
    });
    // A record field of the item: KFP's parseJson selector.
    expect(spec.components['comp-for-loop-3'].dag.tasks.add.inputs.parameters.a).toEqual({
      componentInputParameter: 'pipelinechannel--loop-item-param-2',
      parameterExpressionSelector: 'parseJson(string_value)["a"]',
    });
    if (haveShared) parseStrictly(spec);
  });

  it('if/else: condition-branches-N holding one condition DAG per arm, later arms negating earlier ones', () => {
    const spec = onlyFile('examples/conditional.kfp') as Record<string, any>;
    const root = spec.root.dag.tasks;
    expect(root['condition-branches-1']).toMatchObject({
      componentRef: { name: 'comp-condition-branches-1' },
      dependentTasks: ['generate-random'],
      inputs: { parameters: { 'pipelinechannel--generate-random-Output': { taskOutputParameter: { outputParameterKey: 'Output', producerTask: 'generate-random' } } } },
    });
    const arms = spec.components['comp-condition-branches-1'].dag.tasks;
    const ref = "int(inputs.parameter_values['pipelinechannel--generate-random-Output'])";
    expect(arms['condition-2'].triggerPolicy.condition).toBe(`${ref} < 30`);
    expect(arms['condition-3'].triggerPolicy.condition).toBe(`!(${ref} < 30)`);
    expect(spec.components['comp-condition-2'].dag.tasks['small-num'].inputs.parameters.num).toEqual({ componentInputParameter: 'pipelinechannel--generate-random-Output' });
    if (haveShared) parseStrictly(spec);
  });

  it('for: raw items and a list output as parameterIterator, parallelism as iteratorPolicy, a condition on the item', () => {
    const spec = onlyFile('test/fixtures/kfp-v2/loops.kfp') as Record<string, any>;
    const root = spec.root.dag.tasks;
    expect(root['for-loop-2'].parameterIterator).toEqual({ itemInput: 'pipelinechannel--loop-item-param-1', items: { raw: '[1, 2, 3]' } });
    expect(root['for-loop-3']).toMatchObject({
      dependentTasks: ['make-list'],
      iteratorPolicy: { parallelismLimit: 2 },
      parameterIterator: { itemInput: 'pipelinechannel--make-list-Output-loop-item', items: { inputParameter: 'pipelinechannel--make-list-Output' } },
      inputs: { parameters: { 'pipelinechannel--threshold': { componentInputParameter: 'threshold' } } },
    });
    expect(spec.components['comp-for-loop-3'].dag.tasks['condition-4'].triggerPolicy.condition).toBe(
      "int(inputs.parameter_values['pipelinechannel--make-list-Output-loop-item']) >= int(inputs.parameter_values['pipelinechannel--threshold'])",
    );
    expect(spec.root.inputDefinitions.parameters.threshold).toEqual({ defaultValue: 2, isOptional: true, parameterType: 'NUMBER_INTEGER' });
    if (haveShared) parseStrictly(spec);
  });
});

/** Fills an executor's placeholders as the v2 launcher does (values as text, output files as paths). */
function launch(executor: { container: { command: string[]; args: string[] } }, params: Record<string, string>, outDir: string): ReturnType<typeof spawnSync> {
  const fill = (s: string): string =>
    s
      .replace(/\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}/g, (_, n: string) => params[n]!)
      .replace(/\{\{\$\.outputs\.parameters\['([^']+)'\]\.output_file\}\}/g, (_, n: string) => join(outDir, 'parameters', n));
  const [cmd, ...rest] = [...executor.container.command, ...executor.container.args].map(fill);
  return spawnSync(cmd!, rest, { encoding: 'utf8', timeout: 60_000 });
}

describe('kfp-v2: a Python component runs under the v2 launcher\'s contract', () => {
  it('reads its inputs from parameter placeholders and writes its output parameter to output_file', () => {
    const spec = onlyFile('examples/add.kfp') as Record<string, any>;
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-v2-'));
    try {
      const r = launch(spec.deploymentSpec.executors['exec-add'], { value_1: '3', value_2: '4' }, dir);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(readFileSync(join(dir, 'parameters', 'Output'), 'utf8')).toBe('7');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kfp-v2: executors run under the v2 launcher\'s contract', () => {
  it('the imported component.yaml reads its artifact and writes its output parameter; a metrics output is a file at the artifact path', () => {
    const { spec } = bothDocuments('examples/reuse.kfp');
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-v2-'));
    try {
      const text = join(dir, 'text.txt');
      writeFileSync(text, 'hello wonderful pipelines of kubeflow\n');
      const fill = (s: string): string =>
        s
          .replace("{{$.inputs.artifacts['text_file'].path}}", text)
          .replace("{{$.inputs.parameters['min_length']}}", '5')
          .replace("{{$.outputs.parameters['count'].output_file}}", join(dir, 'parameters', 'count'));
      const [cmd, ...rest] = (spec.deploymentSpec.executors['exec-word-count'].container.command as string[]).map(fill);
      const r = spawnSync(cmd!, rest, { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(readFileSync(join(dir, 'parameters', 'count'), 'utf8')).toBe('4');
      const metrics = onlyFile('examples/export_metrics.kfp') as Record<string, any>;
      const exec = metrics.deploymentSpec.executors['exec-export-metric'].container;
      const out = join(dir, 'artifacts', 'mlpipeline_metrics');
      const all = [...exec.command, ...exec.args].map((s: string) => s.replace("{{$.outputs.artifacts['mlpipeline_metrics'].path}}", out));
      const m = spawnSync(all[0]!, all.slice(1), { encoding: 'utf8', timeout: 60_000 });
      expect(m.stderr).toBe('');
      expect(m.status).toBe(0);
      expect(JSON.parse(readFileSync(out, 'utf8')).metrics.map((x: { name: string }) => x.name)).toEqual(['auroc', 'f1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A minimal v2 launcher: fills an executor's command line as KFP's launcher does (a
 * parameter as its text, JSON for numbers, lists and structs; an input artifact as a local
 * path; an output parameter's `output_file` and an output artifact's `path` under `dir`;
 * `IfPresent` expanded by whether the input was given) and runs it.
 */
function launchV2(container: { command?: string[]; args?: string[] }, inputs: Record<string, unknown>, artifacts: Record<string, string>, dir: string, env: Record<string, string> = {}): ReturnType<typeof spawnSync> {
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  const fill = (s: string): string =>
    s
      .replace(/\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}/g, (_, n: string) => text(inputs[n]))
      .replace(/\{\{\$\.inputs\.artifacts\['([^']+)'\]\.path\}\}/g, (_, n: string) => artifacts[n]!)
      .replace(/\{\{\$\.outputs\.parameters\['([^']+)'\]\.output_file\}\}/g, (_, n: string) => join(dir, 'parameters', n))
      .replace(/\{\{\$\.outputs\.artifacts\['([^']+)'\]\.path\}\}/g, (_, n: string) => join(dir, 'artifacts', n));
  const expand = (s: string): string[] => {
    if (!s.startsWith('{"IfPresent"')) return [fill(s)];
    const p = (JSON.parse(s) as { IfPresent: { InputName: string; Then: string[]; Else?: string[] } }).IfPresent;
    return (p.InputName in inputs || p.InputName in artifacts ? p.Then : (p.Else ?? [])).flatMap(expand);
  };
  const [cmd, ...rest] = [...(container.command ?? []), ...(container.args ?? [])].flatMap(expand);
  return spawnSync(cmd!, rest, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env }, cwd: dir });
}

/** The variables KFP's driver sets from the platform spec's secrets and config maps (here with stand-in values). */
function platformEnv(platform: Record<string, any> | undefined, label: string): Record<string, string> {
  const config = platform?.platforms.kubernetes.deploymentSpec?.executors?.[label] ?? {};
  const env: Record<string, string> = {};
  for (const s of [...(config.secretAsEnv ?? []), ...(config.configMapAsEnv ?? [])]) for (const k of s.keyToEnv) env[k.envVar] = `value-of-${k.secretKey ?? k.configMapKey}`;
  return env;
}

/** Whether KFP's launcher reads the text back as the type (its metadata.TextToPbValue: Go's ParseInt, ParseFloat, ParseBool, JSON). */
function readsBack(text: string, type: string): boolean {
  const t = text.trim();
  const json = (): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  };
  switch (type) {
    case 'STRING':
      return true;
    case 'NUMBER_INTEGER':
      return /^[+-]?\d+$/.test(t);
    case 'NUMBER_DOUBLE':
      return t !== '' && !Number.isNaN(Number(t));
    case 'BOOLEAN':
      return ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(t);
    case 'LIST':
      return Array.isArray(json());
    case 'STRUCT': {
      const v = json();
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    }
    default:
      return false;
  }
}

const SAMPLE: Record<string, unknown> = { STRING: 'abc', NUMBER_INTEGER: 3, NUMBER_DOUBLE: 0.5, BOOLEAN: true, LIST: [1, 2], STRUCT: { a: 1 } };

describe('kfp-v2: every Python executor of the examples and anchors runs under the v2 launcher\'s contract', () => {
  const sources = [
    ...BUILT.map((e) => `examples/${e}`),
    ...['kfp-v2', 'kfp-v2-subdag'].flatMap((d) => readdirSync(join(repoRoot, 'test', 'fixtures', d)).filter((f) => f.endsWith('.kfp')).map((f) => `test/fixtures/${d}/${f}`)),
  ];
  /** Components whose program needs more than typed sample inputs: what they need. */
  const NEEDS: Record<string, string> = { 'exec-comp': 'the environment variable its input names (env_var.kfp)', 'exec-take-nap': 'to sleep for its input, in seconds', 'exec-print-message': 'a minute of printing', 'exec-fail-op': 'to fail (pipeline_as_exit_task.kfp)' };
  /** The same, for one source's executor and its copies (`exec-evaluate`, `exec-evaluate-2`… of a called pipeline). */
  const NEEDS_IN: Record<string, string> = {
    'subpipelines.kfp exec-fit': 'a CSV file of points',
    'subpipelines.kfp exec-evaluate': 'a model file with a slope',
    'resources.kfp exec-evaluate': 'the mounted volume\'s directory it lists',
    'pipeline_producer_consumer.kfp exec-add': 'a list of lists',
    'pipeline_producer_consumer.kfp exec-join-and-print': 'a list of strings',
  };
  const needs = (path: string, label: string): boolean => label in NEEDS || `${path.slice(path.lastIndexOf('/') + 1)} ${label.replace(/-\d+$/, '')}` in NEEDS_IN;
  it.each(sources)('%s', (path) => {
    const built = compileV2(path);
    expect(built.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // A file whose pipelines call each other builds a spec for each: every one's executors run.
    for (const file of built.files) {
      const { spec, platform } = documents(file.text);
      let ran = 0;
      for (const [label, executor] of Object.entries<any>(spec.deploymentSpec.executors)) {
        const container = executor.container;
        if (!JSON.stringify(container).includes('python3') || needs(path, label)) continue;
        const component = Object.values<any>(spec.components).find((c) => c.executorLabel === label);
        const inputs: Record<string, unknown> = {};
        // As the launcher: a default when the input has one, nothing for an optional input without.
        for (const [n, d] of Object.entries<any>(component.inputDefinitions?.parameters ?? {})) {
          if (d.defaultValue !== undefined) inputs[n] = d.defaultValue;
          else if (!d.isOptional) inputs[n] = SAMPLE[d.parameterType];
        }
        const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-v2-launch-'));
        try {
          const artifacts: Record<string, string> = {};
          for (const n of Object.keys(component.inputDefinitions?.artifacts ?? {})) {
            artifacts[n] = join(dir, `in-${n}`);
            // JSON, which is also text with words: what the examples' programs read.
            writeFileSync(artifacts[n]!, '{"a": 300, "b": 10}\n');
          }
          const r = launchV2(container, inputs, artifacts, dir, platformEnv(platform, label));
          expect(r.stderr, `${path} ${label}`).toBe('');
          expect(r.status, `${path} ${label}`).toBe(0);
          for (const [n, d] of Object.entries<any>(component.outputDefinitions?.parameters ?? {})) {
            expect(existsSync(join(dir, 'parameters', n)), `${label}: output ${n}`).toBe(true);
            expect(readsBack(readFileSync(join(dir, 'parameters', n), 'utf8'), d.parameterType), `${label}: output ${n} as ${d.parameterType}`).toBe(true);
          }
          for (const n of Object.keys(component.outputDefinitions?.artifacts ?? {})) expect(existsSync(join(dir, 'artifacts', n)), `${label}: artifact ${n}`).toBe(true);
          ran++;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const python = Object.entries<any>(spec.deploymentSpec.executors).filter(([l, e]) => JSON.stringify(e).includes('python3') && !needs(path, l));
      expect(ran).toBe(python.length);
    }
  });
});

describe('kfp-v2: the CLI', () => {
  it('build --target kfp-v2 writes the pipeline spec; a refused construct writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-v2-cli-'));
    try {
      const ok = runCli(['build', 'examples/add.kfp', '--target', 'kfp-v2', '-o', dir]);
      expect(ok.status).toBe(0);
      const text = readFileSync(join(dir, 'examples', 'add', 'add-example.yaml'), 'utf8');
      expect(text).toContain('schemaVersion: 2.1.0');
      const bad = runCli(['build', REFUSED, '--target', 'kfp-v2', '-o', join(dir, 'bad')]);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain('KFP5020');
      expect(existsSync(join(dir, 'bad'))).toBe(false);
      // run --target kfp-v2 runs the v2 spec itself (test/run-v2.test.ts compares it with the v1 run task by task).
      const run = runCli(['run', 'examples/add.kfp', '--target', 'kfp-v2', '--arg', 'value_1=1', '--run-dir', join(dir, 'runs'), '--format', 'json']);
      expect(run.stderr).not.toContain('error');
      expect(run.status).toBe(0);
      const v1 = runCli(['run', 'examples/add.kfp', '--target', 'kfp-v1', '--arg', 'value_1=1', '--run-dir', join(dir, 'runs-v1'), '--format', 'json']);
      // The targets name tasks and outputs differently (`sum` and `add-Output` on v1, `add` and `Output` on v2): the phases and values agree.
      const outputs = (text: string): unknown => {
        const r = JSON.parse(text) as { phase: string; tasks: { phase: string; outputs: { parameters: Record<string, string>; artifacts: Record<string, string> } }[] };
        const value = (t: (typeof r.tasks)[number]): string => Object.values(t.outputs.parameters)[0] ?? readFileSync(Object.values(t.outputs.artifacts)[0]!, 'utf8');
        return { phase: r.phase, tasks: r.tasks.map((t) => `${t.phase} ${value(t)}`).sort() };
      };
      expect(outputs(run.stdout)).toEqual(outputs(v1.stdout));
      const refused = runCli(['run', REFUSED, '--target', 'kfp-v2', '--run-dir', join(dir, 'runs-bad')]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('KFP5020');
      expect(existsSync(join(dir, 'runs-bad'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
