/**
 * The local Argo executor, run for real: steps are real `sh` and `python3` processes. The
 * workflows come from the compiler, from kfp v1's own output (the shared anchors, when
 * present), or are written inline for what neither produces.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { runWorkflow, type NodeResult, type RunEvent, type RunOptions, type RunResult } from '../src/run/executor.js';
import { evaluateWhen } from '../src/run/when.js';
import { SourceFile } from '../src/source.js';
import { shared, sharedDir } from './support/argo-strict.js';

type Obj = Record<string, unknown>;

/**
 * Processes whose command line contains `text` (from /proc, Linux), once they are gone or a
 * minute has passed: a killed process may take a moment to leave, one that was not killed
 * sleeps for minutes.
 */
async function processesRunning(text: string): Promise<string[]> {
  for (let waited = 0; ; waited += 50) {
    const found = processesNow(text);
    if (found.length === 0 || waited >= 60_000) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function processesNow(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue; // ended meanwhile
    }
    if (cmd.includes(text)) found.push(`${pid}: ${cmd}`);
  }
  return found;
}

const root = mkdtempSync(join(tmpdir(), 'kfpdsl-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

async function run(workflow: unknown, options: Partial<RunOptions> = {}): Promise<RunResult & { runDir: string; events: RunEvent[] }> {
  const runDir = join(root, `run-${++runs}`);
  const events: RunEvent[] = [];
  const result = await runWorkflow({ workflow, runDir, onEvent: (e) => events.push(e), ...options });
  return { ...result, runDir, events };
}

function node(result: RunResult, id: string): NodeResult {
  const found = result.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}; nodes: ${result.nodes.map((n) => `${n.id}=${n.phase}`).join(', ')}`);
  return found;
}

const log = (n: NodeResult): string => readFileSync(join(n.dir ?? '', 'log'), 'utf8');
const artifact = (n: NodeResult, name: string): string => readFileSync(n.outputs.artifacts[name] ?? '', 'utf8');

function compiled(path: string): unknown {
  const result = compileSource(new SourceFile(path, readFileSync(path, 'utf8')));
  const file = result.files.find((f) => f.kind === 'workflow');
  if (!file) throw new Error(`no workflow compiled from ${path}: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return YAML.parse(file.text);
}

/** A hand-written workflow whose entrypoint is `main`. */
function workflow(templates: Obj[], spec: Obj = {}): Obj {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { generateName: 'test-' }, spec: { entrypoint: 'main', templates, ...spec } };
}

function sh(name: string, script: string, extra: Obj = {}): Obj {
  const { container, ...rest } = extra;
  return { name, container: { image: 'alpine', command: ['sh', '-c', script], ...(container as Obj | undefined) }, ...rest };
}

const dag = (tasks: Obj[], extra: Obj = {}): Obj => ({ name: 'main', dag: { tasks }, ...extra });

describe('compiled pipelines', () => {
  it('runs examples/add.kfp: 3 + 2, 3 - 2, and their product', async () => {
    const result = await run(compiled('examples/add.kfp'), { arguments: { value_1: '3', value_2: '2' } });
    expect(result.phase).toBe('Succeeded');
    expect(artifact(node(result, 'add-example.sum'), 'add-Output')).toBe('5');
    expect(artifact(node(result, 'add-example.diff'), 'subtract-Output')).toBe('1');
    expect(artifact(node(result, 'add-example.multiply'), 'multiply-Output')).toBe('5');
    expect(node(result, 'add-example.sum').outputs.parameters).toEqual({ 'add-Output': '5' });
    expect(node(result, 'add-example').children).toEqual(['add-example.diff', 'add-example.multiply', 'add-example.sum']);
    const sum = node(result, 'add-example.sum');
    expect(sum.dir).toBe(join(result.runDir, 'add-example.sum'));
    expect(readFileSync(join(sum.dir ?? '', 'inputs', 'parameters', 'value_1'), 'utf8')).toBe('3');
    const kinds = result.events.filter((e) => e.id === 'add-example.multiply').map((e) => e.kind);
    expect(kinds).toEqual(['started', 'succeeded']);
  });

  it('uses a parameter default, and reports a missing parameter as an Error result', async () => {
    const withDefault = await run(compiled('examples/add.kfp'), { arguments: { value_1: '10' } });
    expect(artifact(node(withDefault, 'add-example.multiply'), 'multiply-Output')).toBe('96');
    const missing = await run(compiled('examples/add.kfp'));
    expect(missing.phase).toBe('Error');
    expect(missing.message).toMatch(/workflow parameter "value_1" has no value/);
    expect(missing.nodes).toEqual([]);
  });
});

const kfpV1 = join(sharedDir, 'anchors/kfp-v1');
const anchor = (rel: string): unknown => YAML.parse(readFileSync(join(kfpV1, rel), 'utf8'));

describe.skipIf(shared.missing)(shared.title('kfp v1 output'), () => {
  it('probe_mini: a true condition runs echo, a false one skips it', async () => {
    const yes = await run(anchor('probes/probe_mini.yaml'));
    expect(yes.phase).toBe('Succeeded');
    expect(node(yes, 'calc.add').outputs.parameters['add-Output']).toBe('3.5');
    expect(node(yes, 'calc.add-2').outputs.parameters['add-2-Output']).toBe('6.5');
    expect(node(yes, 'calc.condition-1').phase).toBe('Succeeded');
    expect(log(node(yes, 'calc.condition-1.echo'))).toBe('6.5\n');

    const no = await run(anchor('probes/probe_mini.yaml'), { arguments: { x: '-10' } });
    expect(no.phase).toBe('Succeeded');
    expect(node(no, 'calc.condition-1').phase).toBe('Skipped');
    expect(node(no, 'calc.condition-1').message).toBe("when '-5.0 > 5' evaluated false");
    expect(no.nodes.some((n) => n.template === 'echo')).toBe(false);
  });

  it('withitem_basic: a loop over maps, {{item.a}} and {{item.b}}', async () => {
    const result = await run(anchor('golden/withitem_basic.yaml'));
    expect(result.phase).toBe('Succeeded');
    const group = node(result, 'my-pipeline.for-loop-2');
    expect(group.type).toBe('TaskGroup');
    expect(group.children).toEqual(['my-pipeline.for-loop-2(0)', 'my-pipeline.for-loop-2(1)']);
    expect(node(result, 'my-pipeline.for-loop-2(1)').displayName).toBe('for-loop-2(1:a:10,b:20)');
    expect(log(node(result, 'my-pipeline.for-loop-2(0).my-in-coop1'))).toBe('op1 1 10\n');
    expect(log(node(result, 'my-pipeline.for-loop-2(1).my-in-coop2'))).toBe('op2 20\n');
    expect(log(node(result, 'my-pipeline.my-out-cop'))).toBe('10\n');
  });

  it('withparam_output: a loop over a JSON list produced by a step', async () => {
    const result = await run(anchor('golden/withparam_output.yaml'));
    expect(result.phase).toBe('Succeeded');
    const children = node(result, 'my-pipeline.for-loop-1').children ?? [];
    expect(children).toHaveLength(11);
    expect(log(node(result, 'my-pipeline.for-loop-1(3).my-in-cop1'))).toBe('do output op1 item: 23\n');
    expect(log(node(result, 'my-pipeline.my-out-cop2'))).toMatch(/^do output op2, outp: \[20, 21,/);
  });

  it('coin: the branches taken agree with the flips', async () => {
    const result = await run(anchor('golden/coin.yaml'));
    expect(result.phase).toBe('Succeeded');
    const flip = node(result, 'pipeline-flip-coin.flip').outputs.parameters['flip-output'];
    expect(['heads', 'tails']).toContain(flip);
    const heads = node(result, 'pipeline-flip-coin.condition-1');
    const tails = node(result, 'pipeline-flip-coin.condition-3');
    expect([heads.phase, tails.phase]).toEqual(flip === 'heads' ? ['Succeeded', 'Skipped'] : ['Skipped', 'Succeeded']);
    if (flip === 'heads') {
      const again = node(result, 'pipeline-flip-coin.condition-1.flip-again').outputs.parameters['flip-again-output'];
      expect(heads.outputs.parameters['flip-again-output']).toBe(again);
      expect(node(result, 'pipeline-flip-coin.condition-1.condition-2').phase).toBe(again === 'tails' ? 'Succeeded' : 'Skipped');
      if (again === 'tails') expect(log(node(result, 'pipeline-flip-coin.condition-1.condition-2.print1'))).toBe('tails\n');
    }
  });

  it('basic: the exit handler runs after the pipeline, whatever its outcome', async () => {
    const result = await run(anchor('golden/basic.yaml'), { arguments: { message: 'a b b c', outputpath: join(root, 'nowhere') } });
    expect(node(result, 'save-most-frequent.exit-handler-1.get-frequent').outputs.parameters['get-frequent-word']).toBe('b');
    expect(result.exitHandler?.phase).toBe('Succeeded');
    expect(result.exitHandler?.id).toBe('save-most-frequent.onExit');
    expect(log(result.exitHandler as NodeResult)).toBe('exit!\n');
    // `save` pipes into gsutil, absent here: the run fails, the exit handler ran anyway.
    if (node(result, 'save-most-frequent.exit-handler-1.save').phase !== 'Succeeded') expect(result.phase).toBe('Failed');
  });

  // retry: under heavy load this run ended in Error once in about ten full suites, and it has not
  // been reproduced since (40 runs idle, 25 under load). The failing nodes are named when it fails.
  it('recursive_while: a DAG calling itself until the coin says tails', { retry: 2 }, async () => {
    const result = await run(anchor('golden/recursive_while.yaml'));
    const broken = result.nodes.filter((n) => n.phase === 'Error' || n.phase === 'Failed').map((n) => `${n.id}: ${n.phase} ${JSON.stringify(n)}`);
    expect(result.phase, broken.join('\n')).toBe('Succeeded');
    const conditions = result.nodes.filter((n) => n.template === 'condition-2').sort((a, b) => a.id.length - b.id.length);
    expect(conditions.at(-1)?.phase).toBe('Skipped');
    expect(conditions.slice(0, -1).every((n) => n.phase === 'Succeeded')).toBe(true);
    const flips = result.nodes.filter((n) => n.template === 'flip-3');
    expect(flips).toHaveLength(conditions.length - 1);
  });

  it('volumeop_basic: a PVC from a resource step, mounted by the next step', async () => {
    const result = await run(anchor('golden/volumeop_basic.yaml'), { arguments: { size: '1Gi' } });
    expect(result.phase).toBe('Succeeded');
    const pvc = node(result, 'volumeop-basic.create-pvc').outputs.parameters;
    expect(pvc['create-pvc-name']).toMatch(/^volumeop-basic-[a-z0-9]{5}-my-pvc$/);
    expect(pvc['create-pvc-size']).toBe('1Gi');
    expect(JSON.parse(pvc['create-pvc-manifest'] ?? '{}')).toMatchObject({ kind: 'PersistentVolumeClaim', metadata: { name: pvc['create-pvc-name'] } });
    expect(readFileSync(join(result.runDir, 'volumes', pvc['create-pvc-name'] ?? '', 'file1'), 'utf8')).toBe('foo\n');
  });

  it('probe_data_passing: artifacts through DAG inputs and outputs, and raw artifacts per item', async () => {
    const result = await run(anchor('probes/probe_data_passing.yaml'));
    expect(result.phase).toBe('Succeeded');
    expect(artifact(node(result, 'data-passing-probe.consume-file-2'), 'consume-file-2-copy')).toBe('hi\n');
    expect(artifact(node(result, 'data-passing-probe.for-loop-3(1).consume-file-3'), 'consume-file-3-copy')).toBe('y');
    // With the condition false, consume-file-2 asks for an artifact that was never made: an error, as in Argo.
    const skipped = await run(anchor('probes/probe_data_passing.yaml'), { arguments: { flag: 'no' } });
    expect(skipped.phase).toBe('Error');
    expect(node(skipped, 'data-passing-probe.consume-file-2').message).toMatch(/unable to resolve artifact "consume-file-copy"/);
  });
});

describe('hand-written workflows', () => {
  const counterVolume = { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] };
  const mountData = { volumeMounts: [{ name: 'data', mountPath: '/data' }] };

  it('retries a step that fails twice, then succeeds', async () => {
    const flaky = sh('flaky', 'n=$(cat /data/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > /data/count; echo "try {{retries}}"; [ $n -ge 3 ]', {
      container: mountData,
      retryStrategy: { limit: '3', retryPolicy: 'Always', backoff: { duration: '50ms', factor: 2 } },
    });
    const result = await run(workflow([dag([{ name: 'flaky', template: 'flaky' }]), flaky], counterVolume));
    expect(result.phase).toBe('Succeeded');
    const n = node(result, 'test.flaky');
    expect(n.attempts).toBe(3);
    expect(log(n)).toBe('try 2\n');
    expect(readFileSync(join(n.dir ?? '', 'log.1'), 'utf8')).toBe('try 0\n');
    expect(result.events.filter((e) => e.kind === 'retrying').map((e) => e.attempt)).toEqual([2, 3]);

    const limited = structuredClone(flaky);
    (limited['retryStrategy'] as Obj)['limit'] = 1;
    const failed = await run(workflow([dag([{ name: 'flaky', template: 'flaky' }]), limited], counterVolume));
    expect(failed.phase).toBe('Failed');
    expect(node(failed, 'test.flaky').attempts).toBe(2);
    expect(node(failed, 'test.flaky').message).toBe('Error (exit code 1) (attempt 2; No more retries left)');
  });

  it('does not retry an Error under the default OnFailure policy', async () => {
    const step = sh('step', 'exit 0', { outputs: { parameters: [{ name: 'p', valueFrom: { path: '/tmp/never' } }] }, retryStrategy: { limit: 2 } });
    const result = await run(workflow([dag([{ name: 'step', template: 'step' }]), step]));
    expect(result.phase).toBe('Error');
    expect(node(result, 'test.step')).toMatchObject({ phase: 'Error', attempts: 1 });
    expect(node(result, 'test.step').message).toMatch(/output parameter file not found: "p"/);
  });

  // The steps sleep for minutes: were they not stopped, the test would pass its 60 s timeout and fail.
  it('kills a step at its activeDeadlineSeconds, with its children', async () => {
    const result = await run(workflow([dag([{ name: 'slow', template: 'slow' }]), sh('slow', 'sleep 297.25 & wait', { activeDeadlineSeconds: 1 })]));
    expect(await processesRunning('sleep 297.25')).toEqual([]);
    expect(result.phase).toBe('Failed');
    expect(node(result, 'test.slow')).toMatchObject({ phase: 'Failed', message: 'activeDeadlineSeconds exceeded' });
  });

  it('stops the workflow at spec.activeDeadlineSeconds; the exit handler still runs', async () => {
    const result = await run(
      workflow([dag([{ name: 'slow', template: 'slow' }, { name: 'after', template: 'slow', dependencies: ['slow'] }]), sh('slow', 'sleep 298.25'), sh('bye', 'echo {{workflow.status}}')], {
        activeDeadlineSeconds: 1,
        onExit: 'bye',
      }),
    );
    expect(await processesRunning('sleep 298.25')).toEqual([]);
    expect(result.phase).toBe('Failed');
    expect(result.message).toBe('workflow activeDeadlineSeconds exceeded');
    expect(node(result, 'test.slow').phase).toBe('Failed');
    expect(node(result, 'test.after').phase).toBe('Omitted');
    expect(log(result.exitHandler as NodeResult)).toBe('Failed\n');
  });

  it('a failing step fails the run, its dependents are omitted, and the exit handler sees Failed', async () => {
    const result = await run(
      workflow(
        [
          dag([
            { name: 'bad', template: 'bad' },
            { name: 'next', template: 'ok', dependencies: ['bad'] },
            { name: 'other', template: 'ok' },
          ]),
          sh('bad', 'echo oops >&2; exit 3'),
          sh('ok', 'echo ok'),
          sh('bye', 'echo "{{workflow.status}}" > /tmp/status', { outputs: { parameters: [{ name: 'status', valueFrom: { path: '/tmp/status' } }] } }),
        ],
        { onExit: 'bye' },
      ),
    );
    expect(result.phase).toBe('Failed');
    expect(result.message).toMatch(/^child 'test-[a-z0-9]{5}\.bad' failed$/);
    expect(node(result, 'test.bad')).toMatchObject({ phase: 'Failed', message: 'Error (exit code 3)' });
    expect(log(node(result, 'test.bad'))).toBe('oops\n');
    expect(node(result, 'test.next')).toMatchObject({ phase: 'Omitted', type: 'Skipped' });
    expect(node(result, 'test.other').phase).toBe('Succeeded');
    expect(result.exitHandler).toMatchObject({ phase: 'Succeeded', outputs: { parameters: { status: 'Failed' } } });
  });

  it('with failFast, tasks waiting for a slot never start after a failure', async () => {
    const result = await run(
      workflow([dag([{ name: 'a', template: 'bad' }, { name: 'b', template: 'ok' }, { name: 'c', template: 'ok' }], { parallelism: 1 }), sh('bad', 'exit 1'), sh('ok', 'true')]),
    );
    expect(result.phase).toBe('Failed');
    expect(['a', 'b', 'c'].map((t) => node(result, `test.${t}`).phase)).toEqual(['Failed', 'Omitted', 'Omitted']);
  });

  it('aggregates a loop task outputs for fan-in', async () => {
    const double = sh('double', 'echo $(( {{inputs.parameters.n}} * 2 )) > /tmp/out', {
      inputs: { parameters: [{ name: 'n' }] },
      outputs: { parameters: [{ name: 'out', valueFrom: { path: '/tmp/out' } }] },
    });
    const sum = sh('sum', `python3 -c 'import json,sys; print(sum(int(x) for x in json.loads(sys.argv[1])))' '{{inputs.parameters.all}}'`, { inputs: { parameters: [{ name: 'all' }] } });
    const result = await run(
      workflow([
        dag([
          { name: 'double', template: 'double', withItems: [1, 2, 3], arguments: { parameters: [{ name: 'n', value: '{{item}}' }] } },
          { name: 'sum', template: 'sum', dependencies: ['double'], arguments: { parameters: [{ name: 'all', value: '{{tasks.double.outputs.parameters.out}}' }] } },
        ]),
        double,
        sum,
      ]),
    );
    expect(result.phase).toBe('Succeeded');
    expect(readFileSync(join(node(result, 'test.sum').dir ?? '', 'inputs', 'parameters', 'all'), 'utf8')).toBe('["2","4","6"]');
    expect(log(node(result, 'test.sum'))).toBe('12\n');
    expect(node(result, 'test.double(2)').displayName).toBe('double(2:3)');
  });

  it('exposes DAG outputs to the caller and loops with withParam over maps', async () => {
    const inner = {
      name: 'inner',
      inputs: { parameters: [{ name: 'x' }] },
      outputs: { parameters: [{ name: 'y', valueFrom: { parameter: '{{tasks.echo.outputs.parameters.v}}' } }] },
      dag: { tasks: [{ name: 'echo', template: 'echo', arguments: { parameters: [{ name: 'v', value: '{{inputs.parameters.x}}' }] } }] },
    };
    const echo = sh('echo', 'printf "%s" "{{inputs.parameters.v}}-{{pod.name}}" > /tmp/v', {
      inputs: { parameters: [{ name: 'v' }] },
      outputs: { parameters: [{ name: 'v', valueFrom: { path: '/tmp/v' } }] },
    });
    const result = await run(
      workflow([
        dag([{ name: 'call', template: 'inner', withParam: '[{"k": "a"}, {"k": "b"}]', arguments: { parameters: [{ name: 'x', value: '{{item.k}}' }] } }]),
        inner,
        echo,
      ]),
    );
    expect(result.phase).toBe('Succeeded');
    expect(node(result, 'test.call(1)').outputs.parameters['y']).toMatch(/^b-test-[a-z0-9]{5}-echo-\d+$/);
  });

  it('runs script templates and passes outputs.result', async () => {
    const script = { name: 'gen', script: { image: 'python:3.11', command: ['python3'], source: 'print(6 * 7)' } };
    const result = await run(
      workflow([
        dag([
          { name: 'gen', template: 'gen' },
          { name: 'show', template: 'show', dependencies: ['gen'], arguments: { parameters: [{ name: 'v', value: '{{tasks.gen.outputs.result}}' }] } },
        ]),
        script,
        sh('show', 'echo "got {{inputs.parameters.v}} $$HOME"', { inputs: { parameters: [{ name: 'v' }] } }),
      ]),
    );
    expect(result.phase).toBe('Succeeded');
    expect(node(result, 'test.gen').outputs.result).toBe('42');
    // Kubernetes turns `$$` into `$` before the shell sees it.
    expect(log(node(result, 'test.show'))).toBe(`got 42 ${process.env['HOME'] ?? ''}\n`);
  });

  it('evaluates when with &&, || and !', async () => {
    const result = await run(
      workflow([
        dag(
          [
            { name: 'yes', template: 'ok', when: '!({{inputs.parameters.n}} > 2) && ("{{inputs.parameters.s}}" == "b" || 3 >= 3)' },
            { name: 'no', template: 'ok', when: '{{inputs.parameters.s}} == a || !true' },
            { name: 'bad', template: 'ok', when: '{{inputs.parameters.s}} > 2' },
          ],
          { inputs: { parameters: [{ name: 'n', value: '1' }, { name: 's', value: 'b' }] } },
        ),
        sh('ok', 'true'),
      ]),
    );
    expect(node(result, 'test.yes').phase).toBe('Succeeded');
    expect(node(result, 'test.no')).toMatchObject({ phase: 'Skipped', message: "when 'b == a || !true' evaluated false" });
    expect(node(result, 'test.bad').phase).toBe('Error');
    expect(node(result, 'test.bad').message).toMatch(/cannot be used with the comparator '>'/);
    expect(result.phase).toBe('Error');
  });

  it('when expressions follow govaluate', () => {
    const value = (e: string): boolean | string => {
      const r = evaluateWhen(e);
      return r.ok ? r.value : r.message;
    };
    expect(value('"heads" == "heads"')).toBe(true);
    expect(value('heads == tails')).toBe(false);
    expect(value('37 > 5')).toBe(true);
    expect(value('3.5 <= 3.50')).toBe(true);
    expect(value('-10 < -3 && !(1 == 2)')).toBe(true);
    expect(value("'a' != \"a\" || 2 * 3 == 6")).toBe(true);
    expect(value('"5" == 5')).toBe(false);
    expect(value('1 + 1')).toMatch(/expected a boolean/);
    expect(value('{{tasks.x.outputs.result}} == 1')).toMatch(/^Invalid 'when' expression/);
    expect(value('(true')).toMatch(/missing '\)'/);
  });

  it('takes env from secrets and configMaps, and fails clearly when a secret is missing', async () => {
    const step = sh('step', 'echo "$PASSWORD $MODE $(CM) $POD"', {
      container: {
        env: [
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'my-secret', key: 'password' } } },
          { name: 'CM', valueFrom: { configMapKeyRef: { name: 'my-cm', key: 'k' } } },
          { name: 'MODE', value: 'fast-$(CM)' },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: "metadata.labels['workflows.argoproj.io/workflow']" } } },
        ],
      },
    });
    const wf = workflow([dag([{ name: 'step', template: 'step' }]), step]);
    const ok = await run(wf, { secrets: { 'my-secret': { password: 's3cret' } }, configMaps: { 'my-cm': { k: 'v' } } });
    expect(ok.phase).toBe('Succeeded');
    expect(log(node(ok, 'test.step'))).toMatch(/^<secret:my-secret\/password> fast-v v test-[a-z0-9]{5}\n$/);

    const missing = await run(wf, { configMaps: { 'my-cm': { k: 'v' } } });
    expect(missing.phase).toBe('Error');
    expect(node(missing, 'test.step').message).toBe('secret "my-secret" not found (env PASSWORD): pass it in the run\'s secrets');
  });

  it('a secret volume is readable by the task but lives outside the run directory; pod.json and the log name secrets, not values', async () => {
    const step = sh('step', 'cat /etc/creds/password; echo; echo "$(PASSWORD)" | wc -c', {
      container: {
        env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'my-secret', key: 'password' } } }],
        volumeMounts: [{ name: 'creds', mountPath: '/etc/creds' }],
      },
      volumes: [{ name: 'creds', secret: { secretName: 'my-secret' } }],
    });
    const result = await run(workflow([dag([{ name: 'step', template: 'step' }]), step]), { secrets: { 'my-secret': { password: 's3cret-vol' } } });
    expect(result.phase, node(result, 'test.step').message).toBe('Succeeded');
    // The task read the secret (11 bytes with the newline); its log shows the placeholder.
    expect(log(node(result, 'test.step'))).toBe('<secret:my-secret/password>\n11\n');
    const everything = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? everything(join(dir, e.name)) : [readFileSync(join(dir, e.name), 'utf8')]));
    expect(everything(result.runDir).filter((text) => text.includes('s3cret-vol'))).toEqual([]);
    expect(readFileSync(join(node(result, 'test.step').dir!, 'pod.json'), 'utf8')).toContain('<secret:my-secret/password>');
  });

  it('a stop signal ends running pods with its reason and still runs the exit handler; terminate ends the exit handler too', async () => {
    const wf = workflow([dag([{ name: 'nap', template: 'nap' }]), sh('nap', 'sleep 300'), sh('bye', 'echo bye')], { onExit: 'bye' });
    const stop = new AbortController();
    const stopped = run(wf, { stop: stop.signal, onEvent: (e) => e.kind === 'started' && e.template === 'nap' && stop.abort('interrupted by SIGTERM') });
    const r = await stopped;
    expect(r.phase).toBe('Failed');
    expect(r.message).toBe('interrupted by SIGTERM');
    expect(node(r, 'test.nap')).toMatchObject({ phase: 'Failed', message: 'interrupted by SIGTERM' });
    expect(r.exitHandler?.phase).toBe('Succeeded');

    const slowExit = workflow([dag([{ name: 'nap', template: 'nap' }]), sh('nap', 'sleep 300'), sh('bye', 'sleep 300')], { onExit: 'bye' });
    const halt = new AbortController();
    const terminated = await run(slowExit, {
      stop: halt.signal,
      terminate: halt.signal,
      onEvent: (e) => e.kind === 'started' && e.template === 'nap' && halt.abort('interrupted by SIGINT'),
    });
    expect(terminated.phase).toBe('Failed');
    expect(terminated.exitHandler?.phase).toBe('Omitted');
  });

  describe('parallelism', () => {
    /**
     * Each item records when it ran; the result is the most items that ever ran at once.
     * No timing decides it: every item waits at a barrier until `together` items have started
     * (a cap below `together` leaves the first ones waiting until their 60 s give up and the run
     * fails), so at least `together` overlap however busy the machine (a start is counted only once
     * its time is written: renamed into place, never seen half-written); a cap is proved by the
     * overlap never exceeding it (an item's start and end are written inside its own lifetime).
     */
    async function maxConcurrency(options: Partial<RunOptions>, dagExtra: Obj, spec: Obj, together: number): Promise<number> {
      const barrier = `n=0; while [ "$(ls /data | grep -c start)" -lt ${together} ]; do n=$((n+1)); [ $n -gt 3000 ] && exit 1; sleep 0.02; done`;
      const step = sh('step', `date +%s%N > /data/{{inputs.parameters.i}}.tmp; mv /data/{{inputs.parameters.i}}.tmp /data/{{inputs.parameters.i}}.start; ${barrier}; date +%s%N > /data/{{inputs.parameters.i}}.end`, {
        inputs: { parameters: [{ name: 'i' }] },
        container: mountData,
      });
      const items = [1, 2, 3, 4, 5, 6];
      const result = await run(
        workflow([dag([{ name: 'loop', template: 'step', withItems: items, arguments: { parameters: [{ name: 'i', value: '{{item}}' }] } }], dagExtra), step], { ...counterVolume, ...spec }),
        options,
      );
      expect(result.phase).toBe('Succeeded');
      const dir = join(result.runDir, 'volumes', 'data');
      expect(readdirSync(dir)).toHaveLength(12);
      const edges = items.flatMap((i) => [
        { t: BigInt(readFileSync(join(dir, `${i}.start`), 'utf8').trim()), d: 1 },
        { t: BigInt(readFileSync(join(dir, `${i}.end`), 'utf8').trim()), d: -1 },
      ]);
      edges.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.d - b.d));
      let now = 0;
      let max = 0;
      for (const e of edges) max = Math.max(max, (now += e.d));
      return max;
    }

    it('caps running pods at the parallelism option', async () => {
      expect(await maxConcurrency({ parallelism: 2 }, {}, {}, 2)).toBe(2);
    });
    it('caps a DAG children at its template parallelism', async () => {
      expect(await maxConcurrency({ parallelism: 10 }, { parallelism: 3 }, {}, 3)).toBe(3);
    });
    it('honors spec.parallelism', async () => {
      expect(await maxConcurrency({ parallelism: 10 }, {}, { parallelism: 1 }, 1)).toBe(1);
    });
    it('treats template parallelism: 0 (as kfp emits it) as unlimited', async () => {
      expect(await maxConcurrency({ parallelism: 6 }, { parallelism: 0 }, {}, 6)).toBe(6);
    });
  });

  it('returns an Error result for a bad workflow instead of throwing', async () => {
    expect((await run('nope')).message).toBe('the workflow is not an object');
    expect((await run({ kind: 'Workflow', spec: {} })).message).toBe('spec.entrypoint is missing');
    expect((await run(workflow([]))).message).toBe('entrypoint template "main" not found');
    const cycle = await run(workflow([dag([{ name: 'a', template: 'ok', dependencies: ['b'] }, { name: 'b', template: 'ok', dependencies: ['a'] }]), sh('ok', 'true')]));
    expect(cycle).toMatchObject({ phase: 'Error', message: 'dependency cycle involving task "a"' });
    const noTemplate = await run(workflow([dag([{ name: 'a', template: 'missing' }])]));
    expect(node(noTemplate, 'test.a')).toMatchObject({ phase: 'Error', message: 'template "missing" not found' });
    const noCommand = await run(workflow([{ name: 'main', container: { image: 'alpine' } }]));
    expect(noCommand.phase).toBe('Error');
    expect(node(noCommand, 'test').message).toMatch(/no command/);
    const notFound = await run(workflow([{ name: 'main', container: { image: 'alpine', command: ['no-such-command-kfpdsl'] } }]));
    expect(node(notFound, 'test')).toMatchObject({ phase: 'Failed', message: expect.stringMatching(/ENOENT/) });
  });
});
