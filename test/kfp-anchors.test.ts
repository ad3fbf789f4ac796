/**
 * kfpdsl against kfp v1, construct by construct. For each anchor in ../shared/anchors/kfp-v1 (what
 * kfp 1.8.22 compiled), test/fixtures/anchors/<anchor>.kfp is the same pipeline in .kfp (its header
 * recalls the Python). Both compiled workflows are reduced by test/support/workflow-shape.ts to a
 * name-free shape (groups, tasks by component, dependencies, `when`, argv, artifacts and settings,
 * every value resolved to its ultimate source) and compared; the deterministic ones are also run,
 * both of them, with the local executor, and must produce the same tasks, phases and outputs.
 *
 * Deliberate differences that the shape does not see (each pinned in "what the shape hides" below):
 *  - names: tasks are named after bindings, templates after components, one template per
 *    component (kfp: one per task, named after it), groups and loop parameters numbered from 1;
 *  - constants travel as task arguments instead of being baked into per-task templates;
 *  - pipeline parameters are read as `{{workflow.parameters.x}}` instead of being threaded
 *    through every DAG's inputs;
 *  - the exit handler: `spec.onExit` names a DAG holding the `finally` tasks, and the body stays in
 *    the entrypoint (kfp: `onExit` names the exit op's container template, and the body is an
 *    `exit-handler-N` DAG); the shape makes both "an exit-handler group with its onExit";
 *  - no `pipeline_compilation_time` / `kfp_sdk_version` annotations and labels, no
 *    `component_ref` digests of loaded components.
 * Differences the shape does see are listed per anchor in `differences`, each with its reason;
 * every one first checks that kfp's shape really has what it replaces, so the list cannot go stale.
 *
 * kfp's goldens (golden/) carry stale, stripped metadata (see the anchors' README), so the shapes
 * are taken from regenerated/ (the same pipelines compiled by 1.8.22, identical once metadata is
 * removed: checked below) and probes/.
 *
 * kfp's output itself fails the strict Argo rules where it has a loop: `parallelism: 0`, which
 * Argo 4's CRDs reject (checked below too).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { runWorkflow } from '../src/run/executor.js';
import { SourceFile } from '../src/source.js';
import { shared, sharedDir, strictArgoErrors } from './support/argo-strict.js';
import { repoRoot } from './support/cli.js';
import { plainProgram } from './support/located-program.js';
import { allGroups, allTasks, componentIdentity, outputName, workflowShape, type ShapeOptions, type TaskShape, type WorkflowShape } from './support/workflow-shape.js';
import { requirement } from './support/requirements.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

const KFP_DIR = join(sharedDir, 'anchors', 'kfp-v1');
const FIXTURES = join(repoRoot, 'test', 'fixtures', 'anchors');

function compileFixture(name: string): { wf: Obj; errors: string[] } {
  const path = join(FIXTURES, `${name}.kfp`);
  const result = compileSource(new SourceFile(path, readFileSync(path, 'utf8')));
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
  const file = result.files.find((f) => f.kind === 'workflow');
  return { wf: file ? (YAML.parse(file.text) as Obj) : {}, errors };
}

const loadKfp = (rel: string): Obj => YAML.parse(readFileSync(join(KFP_DIR, rel), 'utf8')) as Obj;

// ---------------------------------------------------------------------------------------------
// Differences: each turns kfp's shape into ours for one reason, after checking kfp has it.

interface Difference {
  readonly why: string;
  apply(kfp: WorkflowShape): void;
}

const tasksWhere = (s: WorkflowShape, pred: (t: TaskShape) => boolean): TaskShape[] => {
  const found = allTasks(s).filter(pred);
  expect(found.length, 'a difference names tasks that kfp does not have').toBeGreaterThan(0);
  return found;
};
const theTask = (s: WorkflowShape, pred: (t: TaskShape) => boolean): TaskShape => {
  const found = tasksWhere(s, pred);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const withArgv = (component: string, ...fragment: string[]) => (t: TaskShape): boolean =>
  t.component === component && fragment.every((f) => (t.argv ?? []).some((a) => a.includes(f)));
const resources = (t: TaskShape): Record<string, Record<string, string>> => (t.settings['resources'] ??= {}) as Record<string, Record<string, string>>;

/** README "Differences from kfp v1": `parallelism: 0` (no limit) is left out; Argo 4's CRDs reject 0. */
const LOOP_PARALLELISM_ZERO: Difference = {
  why: 'kfp writes `parallelism: 0` on every ParallelFor DAG; kfpdsl leaves it out (Argo 4 rejects 0)',
  apply(kfp) {
    const loops = allGroups(kfp).filter((g) => g.kind === 'loop');
    expect(loops.length).toBeGreaterThan(0);
    for (const g of loops) {
      expect(g.parallelism).toBe(0);
      delete g.parallelism;
    }
  },
};

/** README "Differences from kfp v1": the default image of Python components. */
const DEFAULT_IMAGE: Difference = {
  why: 'Python components default to python:3.11 (kfp: python:3.7, end of life)',
  apply(kfp) {
    for (const t of tasksWhere(kfp, (t) => t.program !== undefined)) {
      expect(t.settings['image']).toBe('python:3.7');
      t.settings['image'] = 'python:3.11';
    }
  },
};

/** README "Differences from kfp v1": a Python component's flag and value are one argv element. */
const JOINED_FLAGS: Difference = {
  why: 'kfp passes `--flag` and its value as two argv elements (argparse takes a value starting with `-` for a flag); kfpdsl passes `--flag=value`',
  apply(kfp) {
    for (const t of tasksWhere(kfp, (t) => t.program !== undefined)) {
      const argv = t.argv ?? [];
      const joined: string[] = [];
      for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        // Flags come after the program (index 3 of the `sh -ec` command); `----output-paths` keeps nargs.
        if (i > 3 && /^--[a-z0-9][a-z0-9-]*$/.test(arg) && i + 1 < argv.length) joined.push(`${arg}=${argv[++i]!}`);
        else joined.push(arg);
      }
      expect(joined).not.toEqual(argv);
      t.argv = joined;
    }
  },
};

/**
 * Inherent to writing a raw ContainerOp as a container component: the op chose where it wrote its
 * `file_outputs` (`/tmp/out.json`); a component writes where it is told, at kfp's component path
 * `/tmp/outputs/<name>/data`. Its argv compares equal all the same (both are `<out:name>`).
 */
function rawOutputPaths(paths: Record<string, string>): Difference {
  return {
    why: `raw ContainerOp file_outputs paths ${Object.keys(paths).join(', ')} become component output paths`,
    apply(kfp) {
      let seen = 0;
      for (const t of allTasks(kfp)) {
        for (const key of ['outputParameters', 'outputArtifacts'] as const) {
          t[key] = t[key]?.map((o) => {
            const [name, path] = o.split(' = ') as [string, string];
            if (paths[path] === undefined) return o;
            seen++;
            return `${name} = ${paths[path]}`;
          });
        }
      }
      expect(seen).toBeGreaterThan(0);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The anchors

interface Anchor {
  /** test/fixtures/anchors/<name>.kfp */
  readonly name: string;
  /** The kfp v1 output, under anchors/kfp-v1/. */
  readonly kfp: string;
  /** The golden file that `kfp` regenerates, when there is one. */
  readonly golden?: string;
  /** Raw ContainerOps have no component_spec: compare by image + command. */
  readonly identity?: ShapeOptions['identity'];
  readonly differences: readonly Difference[];
  /** Argument sets for which both workflows are run and must behave alike. */
  readonly runs?: readonly Record<string, string>[];
}

const regenerated = (name: string, rest: Omit<Anchor, 'name' | 'kfp' | 'golden'>): Anchor => ({ name, kfp: `regenerated/${name}.yaml`, golden: `golden/${name}.yaml`, ...rest });

const ANCHORS: readonly Anchor[] = [
  // add -> add -> condition `> 5` -> echo
  { name: 'probe_mini', kfp: 'probes/probe_mini.yaml', differences: [DEFAULT_IMAGE, JOINED_FLAGS], runs: [{ x: '1.5' }, { x: '-10' }] },
  // loops over literal records; nested loops
  regenerated('withitem_basic', { identity: 'container', differences: [LOOP_PARALLELISM_ZERO], runs: [{}, { my_pipe_param: '7' }] }),
  regenerated('withitem_nested', { identity: 'container', differences: [LOOP_PARALLELISM_ZERO], runs: [{}] }),
  // loop over a list pipeline parameter; over a task output
  regenerated('withparam_global', {
    identity: 'container',
    differences: [LOOP_PARALLELISM_ZERO, rawOutputPaths({ '/tmp/out.json': '/tmp/outputs/out/data' })],
    runs: [{}, { loopidy_doop: '[1, 2]' }],
  }),
  regenerated('withparam_output', {
    identity: 'container',
    differences: [LOOP_PARALLELISM_ZERO, rawOutputPaths({ '/tmp/out.json': '/tmp/outputs/out/data' })],
    runs: [{}],
  }),
  // nested conditions on a random flip (structure only: the result is random)
  regenerated('coin', { identity: 'container', differences: [rawOutputPaths({ '/tmp/output': '/tmp/outputs/output/data' })] }),
  // exit handler (structure only: `save` needs gsutil)
  regenerated('basic', {
    identity: 'container',
    differences: [
      rawOutputPaths({ '/tmp/message.txt': '/tmp/outputs/word/data' }),
      {
        // Parity gap: README's parity table lists set_cpu/memory_request/limit as supported, but
        // `memory: "200M"` is request and limit at once; a request alone cannot be written.
        why: 'set_memory_request(200M) alone: kfpdsl can only write request and limit together',
        apply(kfp) {
          const t = theTask(kfp, withArgv('python:3.5-jessie sh -c', 'Counter'));
          expect(t.settings['resources']).toEqual({ requests: { memory: '200M' } });
          resources(t)['limits'] = { memory: '200M' };
        },
      },
      {
        // Same gap: `cpu: "0.5"` is request and limit; a limit alone cannot be written either.
        why: 'set_cpu_limit(0.5) alone: kfpdsl writes request and limit together',
        apply(kfp) {
          const t = theTask(kfp, withArgv('google/cloud-sdk sh -c'));
          expect(resources(t)['requests']).toBeUndefined();
          resources(t)['requests'] = { cpu: '0.5' };
        },
      },
      {
        // Not expressible: one accelerator resource per task (`gpu` + `gpu_vendor`); kfp's
        // gcp.use_tpu adds `cloud-tpus.google.com/v2` beside the GPU limit.
        why: 'a second accelerator limit (cloud-tpus.google.com/v2: 8 beside nvidia.com/gpu)',
        apply(kfp) {
          const t = theTask(kfp, withArgv('google/cloud-sdk sh -c'));
          expect(resources(t)['limits']).toEqual({ cpu: '0.5', 'nvidia.com/gpu': '2', 'cloud-tpus.google.com/v2': '8' });
          delete resources(t)['limits']!['cloud-tpus.google.com/v2'];
        },
      },
    ],
  }),
  // VolumeOp + mount; the PVC name keeps kfp's `{{workflow.name}}-` prefix
  regenerated('volumeop_basic', {
    identity: 'container',
    differences: [
      {
        why: 'pipeline parameters are typed in .kfp: kfp\'s untyped `size` is `size: str`',
        apply(kfp) {
          const spec = obj(kfp.pipelineSpec);
          expect(spec['inputs']).toEqual([{ name: 'size' }]);
          kfp.pipelineSpec = { ...spec, inputs: [{ name: 'size', type: 'String' }] };
        },
      },
    ],
    runs: [{ size: '1Gi' }],
  }),
  // task and pipeline timeouts (structure only: the steps fail at random)
  regenerated('timeout', { identity: 'container', differences: [] }),
  regenerated('imagepullsecrets', {
    identity: 'container',
    differences: [
      rawOutputPaths({ '/tmp/message.txt': '/tmp/outputs/word/data' }),
      {
        // `secretA` is no valid Kubernetes name, so no such secret can exist: kfp wrote it
        // anyway, kfpdsl reports KFP4027 (see the fixture's header).
        why: 'image pull secret `secretA` (not a valid Kubernetes name) is `secret-a`',
        apply(kfp) {
          expect(kfp.spec['imagePullSecrets']).toEqual([{ name: 'secretA' }]);
          kfp.spec['imagePullSecrets'] = [{ name: 'secret-a' }];
        },
      },
    ],
    runs: [{ message: 'the cat saw the dog and the bird' }],
  }),
  // constants into file inputs (raw artifacts)
  regenerated('input_artifact_raw_value', { identity: 'container', differences: [], runs: [{}] }),
  // files and values into and out of a condition and a loop; a loop item as a file
  { name: 'probe_data_passing', kfp: 'probes/probe_data_passing.yaml', differences: [LOOP_PARALLELISM_ZERO], runs: [{}, { flag: 'no' }] },
  // resources, env, secrets, retry, timeouts, scheduling, caching, pipeline settings
  {
    name: 'probe_op_settings',
    kfp: 'probes/probe_op_settings.yaml',
    differences: [
      {
        // README parity table: "pod disruption budget … not supported".
        why: 'PipelineConf.set_pod_disruption_budget (not supported)',
        apply(kfp) {
          expect(kfp.spec['podDisruptionBudget']).toEqual({ minAvailable: '50%' });
          delete kfp.spec['podDisruptionBudget'];
        },
      },
      {
        // Not in the README's parity table: there is no pipeline-level node selector setting.
        why: 'PipelineConf.set_default_pod_node_selector (no pipeline-level node_selector)',
        apply(kfp) {
          expect(kfp.spec['nodeSelector']).toEqual({ 'kubernetes.io/os': 'linux' });
          delete kfp.spec['nodeSelector'];
        },
      },
      {
        // README parity table: "resources from pipeline parameters (podSpecPatch) — not
        // supported: values are literals"; the same holds for node selectors. kfp's own quirk
        // (`set_gpu_limit(param, 'amd')` gives a resource literally named `amd`) goes with it.
        why: 'train-2: memory limit, GPU limit and node selector from pipeline parameters (podSpecPatch)',
        apply(kfp) {
          const t = theTask(kfp, withArgv('Train', '--epochs', '1'));
          expect(t.settings['podSpecPatch']).toBe('{"nodeSelector": {"pool": "<param:node_pool>"}, "containers": [{"name": "main", "resources": {"limits": {"memory": "<param:mem>"}}}]}');
          expect(t.settings['resources']).toEqual({ limits: { amd: '<param:gpus>' } });
          delete t.settings['podSpecPatch'];
          delete t.settings['resources'];
        },
      },
      {
        // Not in the README's parity table: only PVCs can be mounted (`volume(…)`, `pvc(…)`).
        why: 'train: a secret volume (add_volume + add_volume_mount) cannot be mounted',
        apply(kfp) {
          const t = theTask(kfp, withArgv('Train', '--epochs', '3'));
          expect(t.settings['mounts']).toEqual(['/secret <- {"secret":{"secretName":"my-secret"}}']);
          delete t.settings['mounts'];
        },
      },
      {
        // The parity gap of basic.yaml again: a request alone is request and limit.
        why: 'train: set_ephemeral_storage_request(1Gi) alone is also a limit in .kfp',
        apply(kfp) {
          const t = theTask(kfp, withArgv('Train', '--epochs', '3'));
          expect(resources(t)['limits']?.['ephemeral-storage']).toBeUndefined();
          resources(t)['limits'] = { ...resources(t)['limits'], 'ephemeral-storage': '1Gi' };
        },
      },
    ],
  },
];

/** kfp's strict-rule failures: only `parallelism: 0` on its loops. */
const KFP_STRICT = /^templates\[for-loop-\d+\]\.parallelism: must be an integer >= 1 \(got 0/;

// ---------------------------------------------------------------------------------------------
// Behaviour

const runRoot = mkdtempSync(join(tmpdir(), 'kfpdsl-anchors-'));
afterAll(() => rmSync(runRoot, { recursive: true, force: true }));

function readOutput(path: string): string {
  try {
    const st = statSync(path);
    return st.isDirectory() ? `<dir ${readdirSync(path).sort().join(',')}>` : readFileSync(path, 'utf8');
  } catch {
    return '<missing>';
  }
}

/** Files left on the run's volumes, as `<path in the volume>=<content>`. */
function volumeFiles(runDir: string): string[] {
  const root = join(runDir, 'volumes');
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}=${readFileSync(join(dir, e.name), 'utf8')}`);
    }
  };
  try {
    for (const claim of readdirSync(root)) walk(join(root, claim), `${claim}:`);
  } catch {
    /* no volumes */
  }
  return out.sort();
}

interface Observed {
  phase: string;
  /** One entry per container or resource node: component, phase, outputs and stdout. */
  tasks: string[];
  volumes: string[];
}

async function observe(workflow: Obj, args: Record<string, string>, options: ShapeOptions): Promise<Observed> {
  const wf = structuredClone(workflow);
  // A fixed name, so that `{{workflow.name}}` (in PVC names) is the same in both runs.
  wf['metadata'] = { ...obj(wf['metadata']), name: 'anchor-run' };
  const runDir = mkdtempSync(join(runRoot, 'run-'));
  const result = await runWorkflow({ workflow: wf, arguments: args, runDir });
  const templates = new Map(objs(obj(wf['spec'])['templates']).map((t) => [String(t['name']), t]));
  const tasks = result.nodes.flatMap((n) => {
    const t = templates.get(n.template);
    if (!t || !(isObj(t['container']) || isObj(t['resource']))) return [];
    const decls = new Map([...objs(obj(t['outputs'])['artifacts']), ...objs(obj(t['outputs'])['parameters'])].map((o) => [String(o['name']), String(o['path'] ?? obj(o['valueFrom'])['path'])]));
    const outputs: Record<string, string> = {};
    for (const [name, path] of Object.entries(n.outputs.artifacts)) outputs[outputName(t, name, decls.get(name))] = readOutput(path);
    for (const [name, value] of Object.entries(n.outputs.parameters)) {
      const key = outputName(t, name, decls.get(name));
      // A resource's manifest carries a fresh uid and timestamp; its name and size are compared.
      if (isObj(t['resource']) && key === 'manifest') continue;
      outputs[key] ??= value;
    }
    const sorted = Object.fromEntries(Object.entries(outputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return [JSON.stringify({ component: componentIdentity(t, options), phase: n.phase, outputs: sorted, stdout: n.outputs.result })];
  });
  return { phase: result.phase, tasks: tasks.sort(), volumes: volumeFiles(runDir) };
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(shared.missing)(shared.title('kfp v1 anchors: the same pipelines in .kfp'), () => {
  describe.each(ANCHORS)('$name', (anchor) => {
    const options: ShapeOptions = { identity: anchor.identity ?? 'component' };

    it('compiles without errors, and the output passes the strict Argo rules', () => {
      const { wf, errors } = compileFixture(anchor.name);
      expect(errors).toEqual([]);
      expect(strictArgoErrors(wf)).toEqual([]);
    });

    it("kfp's own output fails the strict rules only by `parallelism: 0` on its loops", () => {
      const kfp = loadKfp(anchor.kfp);
      const errors = strictArgoErrors(kfp);
      expect(errors.filter((e) => !KFP_STRICT.test(e))).toEqual([]);
      const loops = objs(obj(kfp['spec'])['templates']).filter((t) => t['parallelism'] === 0).length;
      expect(errors).toHaveLength(loops);
    });

    it.skipIf(anchor.golden === undefined)(requirement(anchor.golden !== undefined, 'kfp has no golden file for this pipeline').title('regenerated/ equals the golden file once metadata is removed'), () => {
      const strip = (wf: Obj): Obj => {
        const copy = structuredClone(wf);
        delete copy['metadata'];
        for (const t of objs(obj(copy['spec'])['templates'])) delete t['metadata'];
        return copy;
      };
      expect(strip(loadKfp(anchor.kfp))).toEqual(strip(loadKfp(anchor.golden!)));
    });

    it("has kfp v1's shape, but for the listed differences", () => {
      const ours = workflowShape(compileFixture(anchor.name).wf, options);
      const kfp = workflowShape(loadKfp(anchor.kfp), options);
      for (const d of anchor.differences) d.apply(kfp);
      // README "Differences from kfp v1": our programs define the function at its .kfp lines;
      // compared in kfp's plain form (plainProgram throws unless it has exactly that shape).
      for (const t of allTasks(ours)) if (t.program !== undefined) t.program = plainProgram(t.program);
      expect(ours).toEqual(kfp);
    });

    for (const args of anchor.runs ?? []) {
      it(`runs like kfp v1 with ${JSON.stringify(args)}`, async () => {
        const [ours, kfp] = await Promise.all([observe(compileFixture(anchor.name).wf, args, options), observe(loadKfp(anchor.kfp), args, options)]);
        expect(ours.tasks.length).toBeGreaterThan(0);
        expect(ours).toEqual(kfp);
      });
    }
  });

  // -------------------------------------------------------------------------------------------
  describe('what the runs show', () => {
    const run = async (name: string, args: Record<string, string>, identity?: ShapeOptions['identity']): Promise<Observed> =>
      observe(compileFixture(name).wf, args, { identity: identity ?? 'component' });
    const parsed = (o: Observed): { component: string; phase: string; outputs: Record<string, string>; stdout?: string }[] => o.tasks.map((t) => JSON.parse(t) as never);

    it('probe_mini: the condition is taken for x=1.5 (6.5 > 5) and not for x=-10', async () => {
      const taken = parsed(await run('probe_mini', { x: '1.5' }));
      expect(taken.map((t) => [t.component, t.outputs['Output'] ?? t.stdout])).toEqual(expect.arrayContaining([['Add', '3.5'], ['Add', '6.5'], ['Echo', '6.5']]));
      const skipped = parsed(await run('probe_mini', { x: '-10' }));
      expect(skipped.filter((t) => t.component === 'Echo' && t.phase === 'Succeeded')).toEqual([]);
    });

    it('withitem_nested: 2 outer x 3 inner iterations', async () => {
      const o = parsed(await run('withitem_nested', {}, 'container'));
      expect(o.map((t) => t.stdout).filter((s) => s?.startsWith('op1 ') && s.split(' ').length === 4).sort()).toEqual(
        ['op1 1 100 10', 'op1 1 200 10', 'op1 1 300 10', 'op1 10 100 10', 'op1 10 200 10', 'op1 10 300 10'],
      );
    });

    it('withparam_output: one iteration per item of the task output (20..30)', async () => {
      const o = parsed(await run('withparam_output', {}, 'container'));
      expect(o.filter((t) => t.stdout?.startsWith('do output op1 item: ')).length).toBe(11);
    });

    it('volumeop_basic: the step writes into the created claim, named {{workflow.name}}-my-pvc', async () => {
      const o = await run('volumeop_basic', { size: '1Gi' }, 'container');
      expect(o.volumes).toEqual(['anchor-run-my-pvc:file1=foo\n']);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('what the shape hides: deliberate differences in the raw YAML', () => {
    const ours = (name: string): Obj => compileFixture(name).wf;
    const spec = (wf: Obj): Obj => obj(wf['spec']);
    const template = (wf: Obj, name: string): Obj => objs(spec(wf)['templates']).find((t) => t['name'] === name) ?? {};
    const entry = (wf: Obj): Obj => template(wf, String(spec(wf)['entrypoint']));
    const yamlText = (wf: Obj): string => YAML.stringify(wf);

    it('no compilation time and no kfp_sdk_version (kfp: both)', () => {
      const kfp = loadKfp('probes/probe_mini.yaml');
      expect(yamlText(kfp)).toMatch(/pipeline_compilation_time/);
      expect(yamlText(kfp)).toMatch(/kfp_sdk_version/);
      expect(yamlText(ours('probe_mini'))).not.toMatch(/pipeline_compilation_time|kfp_sdk_version/);
    });

    it('pipeline parameters are read as {{workflow.parameters.x}} (kfp: threaded through DAG inputs)', () => {
      const kfp = loadKfp('regenerated/withitem_basic.yaml');
      expect(obj(entry(kfp)['inputs'])['parameters']).toEqual([{ name: 'my_pipe_param' }]);
      expect(yamlText(kfp)).not.toMatch(/workflow\.parameters\.my_pipe_param/);
      const wf = ours('withitem_basic');
      expect(entry(wf)['inputs']).toBeUndefined();
      expect(yamlText(wf)).toMatch(/\{\{workflow\.parameters\.my_pipe_param\}\}/);
      expect(yamlText(wf)).not.toMatch(/inputs\.parameters\.my_pipe_param/);
    });

    it('one template per component, constants as task arguments (kfp: a template per task, constants baked in)', () => {
      const kfp = loadKfp('probes/probe_mini.yaml');
      expect(objs(spec(kfp)['templates']).map((t) => t['name'])).toEqual(expect.arrayContaining(['add', 'add-2']));
      expect(obj(template(kfp, 'add')['container'])['args']).toContain('2');
      const wf = ours('probe_mini');
      expect(objs(spec(wf)['templates']).map((t) => t['name'])).not.toContain('add-2');
      const tasks = objs(obj(entry(wf)['dag'])['tasks']).filter((t) => t['template'] === 'add');
      expect(tasks.map((t) => objs(obj(t['arguments'])['parameters']).find((p) => p['name'] === 'b')?.['value']).sort()).toEqual(['2', '3']);
    });

    it('`parallelism: 0` is left out of loops (kfp writes it)', () => {
      const kfp = loadKfp('regenerated/withitem_nested.yaml');
      expect(objs(spec(kfp)['templates']).filter((t) => t['parallelism'] === 0)).toHaveLength(2);
      expect(yamlText(ours('withitem_nested'))).not.toMatch(/parallelism/);
    });

    it('the exit handler: onExit is a DAG of the finally tasks, the body stays in the entrypoint (kfp: onExit is the exit op, the body an exit-handler-N DAG)', () => {
      const kfp = loadKfp('regenerated/basic.yaml');
      expect(isObj(template(kfp, String(spec(kfp)['onExit']))['container'])).toBe(true);
      expect(objs(obj(entry(kfp)['dag'])['tasks']).map((t) => t['name'])).toEqual(['exit-handler-1']);
      const wf = ours('basic');
      expect(isObj(template(wf, String(spec(wf)['onExit']))['dag'])).toBe(true);
      expect(objs(obj(entry(wf)['dag'])['tasks'])).toHaveLength(2);
    });

    it("kfp's quirks are kept: the PVC is named {{workflow.name}}-<name>, outputs are <template>-<output>", () => {
      for (const wf of [loadKfp('regenerated/volumeop_basic.yaml'), ours('volumeop_basic')]) {
        const pvc = objs(spec(wf)['templates']).find((t) => isObj(t['resource']));
        const manifest = YAML.parse(String(obj(pvc?.['resource'])['manifest'])) as Obj;
        expect(obj(manifest['metadata'])['name']).toBe('{{workflow.name}}-my-pvc');
        expect(objs(obj(pvc?.['outputs'])['parameters']).map((p) => p['name'])).toEqual(['create-pvc-manifest', 'create-pvc-name', 'create-pvc-size']);
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  // kfp's pipeline_spec has no `inputs` key for a pipeline without parameters (golden coin.yaml).
  it('pipeline_spec leaves out `inputs` when the pipeline has no parameters, as kfp does', () => {
    const wf = compileFixture('coin').wf;
    const annotation = String(obj(obj(wf['metadata'])['annotations'])['pipelines.kubeflow.org/pipeline_spec']);
    expect(JSON.parse(annotation)).toEqual(JSON.parse(String(obj(obj(loadKfp('regenerated/coin.yaml')['metadata'])['annotations'])['pipelines.kubeflow.org/pipeline_spec'])));
  });
});
