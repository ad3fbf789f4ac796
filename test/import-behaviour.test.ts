/**
 * `kfpdsl import` keeps behaviour, not just shape (issue 12, item 4): for each kfp v1 workflow
 * anchor whose containers can run on this machine, the original YAML runs under the repo's
 * independent Argo executor (test/support/mini-runner.ts, real `sh`/`python3`), the imported
 * `.kfp` runs under `kfpdsl run` (the real binary), and the two must agree task by task: the
 * same tasks (by Argo task name and loop iteration), each with the same output values (output
 * parameters and artifact contents) and the same printed output.
 *
 * Conditions run on both sides; anchors that flip coins run once per seed
 * (SEEDS), so that each branch is taken. The other anchors are listed in CANNOT_RUN with the
 * reason the original cannot run here (images whose tools this machine lacks, such as `gsutil`;
 * clusters; random failures). The lists together cover every anchor that imports and builds.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { shared, sharedDir } from './support/argo-strict.js';
import { anchors, NOT_YET } from './import-anchors.js';
import { runCli } from './support/cli.js';
import { runWorkflow } from './support/mini-runner.js';
import { runSync } from './support/run-cli.js';

/** Anchors whose original runs here, with the arguments for their required parameters. */
const RUNS: Record<string, Record<string, string>> = {
  'regenerated/opsgroups': {},
  'regenerated/preemptible_tpu_gpu': {},
  'regenerated/withitem_basic': { my_pipe_param: '10' },
  'regenerated/withitem_nested': { my_pipe_param: '10' },
  'regenerated/withparam_global': { loopidy_doop: '[3, 5, 7, 9]' },
  'regenerated/withparam_global_dict': { loopidy_doop: '[{"a": 1, "b": 2}, {"a": 10, "b": 20}]' },
  'regenerated/withparam_output': {},
  'regenerated/withparam_output_dict': {},
  'regenerated/coin': {},
  'regenerated/recursive_do_while': {},
  'regenerated/recursive_while': {},
  'samples/nested_condition': {},
  'probes/probe_data_passing': {},
  'probes/probe_mini': {},
  'regenerated/imagepullsecrets': { message: 'When the going gets tough, the tough get going' },
  'regenerated/parallelfor_item_argument_resolving': {},
  'samples/loop_parallelism': {},
  'samples/parallelism_sub_dag': {},
  'probes/probe_loops': {},
  'samples/dns_config': {},
  'samples/pipeline_parallelism_limits': {},
  'samples/pipeline_transformers': {},
  'samples/resource_spec': {},
  'samples/roc': {},
  'samples/runtime_resource_request': {},
};

const GSUTIL = 'its containers need `gsutil`/`wget` and the network';
/** Why the original cannot run on this machine under the mini-runner. */
const CANNOT_RUN: Record<string, string> = {
  'regenerated/add_pod_env': 'the pod-env labels are filled in by KFP on a cluster',
  'regenerated/artifact_passing_using_volume': 'files passed through subPath mounts of a volume, which the mini-runner does not mount',
  'regenerated/basic': GSUTIL,
  'regenerated/compose': GSUTIL,
  'regenerated/default_value': GSUTIL,
  'regenerated/input_artifact_raw_value': 'a template-level raw input artifact (the mini-runner wants it as an argument)',
  'regenerated/loop_over_lightweight_output': "kfp's original writes its list with `echo` to a directory that does not exist (it fails)",
  'regenerated/pipelineparams': GSUTIL,
  'regenerated/resourceop_basic': 'a Kubernetes resource template',
  'regenerated/sidecar': GSUTIL,
  'regenerated/timeout': 'a task that fails at random (it demonstrates the timeout)',
  'regenerated/volume': GSUTIL,
  'regenerated/volume_snapshotop_sequential': 'Kubernetes resource templates (volumes and snapshots)',
  'regenerated/volumeop_basic': 'a Kubernetes resource template (the volume)',
  'regenerated/volumeop_dag': 'a Kubernetes resource template (the volume)',
  'regenerated/volumeop_sequential': 'a Kubernetes resource template (the volume)',
  'samples/retry': 'tasks that fail at random (they demonstrate retries)',
  'samples/runtime_resource_request_gpu': 'a task that needs a GPU and tensorflow',
  'samples/secret': GSUTIL,
  'samples/use_run_id': '`{{workflow.uid}}`, which the mini-runner does not fill in',
  'probes/probe_control_flow': "its flip_coin writes its output with `echo` to a directory that does not exist (the original fails)",
  'probes/probe_naming': 'a pipeline parameter passed as a file (spec.arguments.artifacts), which the mini-runner does not take',
  'probes/probe_python_components': 'a pipeline parameter passed as a file (spec.arguments.artifacts), and a `pip install` from the network',
  'probes/probe_op_settings': 'tasks that read secrets, config maps and volumes of a cluster',
};

const base = join(sharedDir, 'anchors/kfp-v1');
/** `regenerated/coin`…; the goldens are the regenerated files without their metadata: the same runs. */
const names = anchors.map((f) => f.split('/').slice(-2).join('/').replace(/\.yaml$/, '')).filter((a) => !a.startsWith('golden/'));

/**
 * Anchors that import and build but do not behave the same, each with the warning (KFP0301)
 * that says so at import: never silently.
 */
const DIFFERS: Record<string, string> = {
  'regenerated/parallelfor_pipeline_param_in_items_resolving': 'loop items that hold task outputs',
};

/**
 * Anchors that flip coins with Python's `random`: both runs of each are repeated once per seed,
 * Python's generator seeded in every process of both (a sitecustomize.py on PYTHONPATH), so the
 * two draw the same numbers; seed 0 throws tails, 1 heads, and each branch of the conditions
 * is taken. coin only with heads: on tails its condition-3 reads an output of the skipped
 * condition-1, which Argo cannot resolve (the original fails).
 *
 * The recursive ones flip until tails, so each process takes the next seed (COUNTED: the n-th
 * Python process of a run seeds with seed + n, under a lock): from 2, seeds 2, 3 and 4 throw
 * heads and 5 tails, so flip and flip-2 (run in either order) agree and the recursion goes two
 * levels deep; from 11, flip and flip-2 both throw tails (11 and 12) and nothing recurses.
 */
const SEEDS: Record<string, number[]> = {
  'regenerated/coin': [1],
  'regenerated/recursive_while': [11, 2],
  'regenerated/recursive_do_while': [2],
  'samples/nested_condition': [0, 1],
};

const COUNTED = new Set(['regenerated/recursive_while', 'regenerated/recursive_do_while']);

/**
 * A directory whose sitecustomize.py seeds Python's `random` in every process started with it
 * on PYTHONPATH: with `seed`, or, counted, with seed + how many processes seeded before it.
 */
function seeding(seed: number, counted: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-seed-'));
  const count = [
    'import fcntl, os',
    `with open(${JSON.stringify(join(dir, 'count'))}, 'a+') as f:`,
    '    fcntl.flock(f, fcntl.LOCK_EX)',
    '    f.seek(0)',
    '    n = int(f.read() or 0)',
    '    f.truncate(0)',
    '    f.write(str(n + 1))',
  ];
  writeFileSync(join(dir, 'sitecustomize.py'), [...(counted ? count : ['n = 0']), 'import random', `random.seed(${seed} + n)`, ''].join('\n'));
  return dir;
}

/** Tasks whose output is random (a coin flip): only that they ran is compared. */
const RANDOM = new Set(['regenerated/preemptible_tpu_gpu flip']);

/**
 * `for-loop-2(1)/for-loop-4(0)/echo` or `p.for-loop-1(1).for-loop-2(0).echo` → `echo[1,0]`: the
 * task and its iterations; inside recursive graph components (`graph-…` DAGs, kfp's and the
 * import's alike) also how deep, from the second level: `flip-3^2`.
 */
function taskKey(path: string): string {
  const segments = path.split(/[/.]/);
  const leaf = segments.pop()!;
  const indices = [...path.matchAll(/\((\d+)\)/g)].map((m) => m[1]);
  // kfp's non-recursive graph components are inlined by the import, so one level is no level.
  const depth = segments.filter((s) => s.startsWith('graph-')).length;
  return `${leaf}${indices.length ? `[${indices.join(',')}]` : ''}${depth > 1 ? `^${depth}` : ''}`;
}

interface Observed {
  /** The output values, parameters and artifact contents, sorted and without duplicates (names differ between the two). */
  values: string[];
  out: string;
}

function values(parameters: Record<string, string>, artifacts: Record<string, string>): string[] {
  return [...new Set([...Object.values(parameters), ...Object.values(artifacts).map((f) => readFileSync(f, 'utf8'))])].sort();
}

function original(anchor: string, args: Record<string, string>, pythonPath?: string): Map<string, Observed> {
  const wf = YAML.parse(readFileSync(join(base, `${anchor}.yaml`), 'utf8')) as unknown;
  // The mini-runner's processes take this process's environment.
  const saved = process.env['PYTHONPATH'];
  if (pythonPath !== undefined) process.env['PYTHONPATH'] = pythonPath;
  let r;
  try {
    r = runWorkflow(wf, mkdtempSync(join(tmpdir(), 'kfpdsl-import-orig-')), args);
  } finally {
    if (saved === undefined) delete process.env['PYTHONPATH'];
    else process.env['PYTHONPATH'] = saved;
  }
  return new Map(r.tasks.map((t) => [taskKey(t.path), { values: values(t.parameters, t.artifacts), out: t.stdout }]));
}

function imported(anchor: string, args: Record<string, string>, pythonPath?: string): Map<string, Observed> {
  const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-run-'));
  writeFileSync(join(dir, 'kfpdsl.yaml'), '');
  const imp = runCli(['import', join(base, `${anchor}.yaml`), '-o', dir]);
  expect(imp.status, imp.stderr).toBe(0);
  const kfp = join(dir, readdirSync(dir).find((f) => f.endsWith('.kfp'))!);
  const run = runSync(dir, [kfp, '--root', dir, '--quiet', ...Object.entries(args).flatMap(([k, v]) => ['--arg', `${k}=${v}`])], pythonPath !== undefined ? { PYTHONPATH: pythonPath } : {}, dir);
  expect(run.status, `${run.stderr}\n${readFileSync(kfp, 'utf8')}`).toBe(0);
  // The mini-runner lists the tasks that ran: a task whose condition was false is left out here too.
  const ran = run.json!.tasks.filter((t) => t.phase !== 'Skipped' && t.phase !== 'Omitted');
  return new Map(ran.map((t) => [taskKey(t.id), { values: values(t.outputs.parameters, t.outputs.artifacts), out: t.log ? readFileSync(t.log, 'utf8') : '' }]));
}

describe.skipIf(shared.missing)(shared.title('an imported kfp v1 pipeline behaves as the original'), () => {
  it('every anchor either runs here or has its reason', () => {
    const builds = names.filter((a) => !(a.split('/')[1]! in NOT_YET));
    expect([...Object.keys(RUNS), ...Object.keys(CANNOT_RUN), ...Object.keys(DIFFERS)].sort()).toEqual(builds);
  });

  const cases = Object.entries(RUNS).flatMap(([anchor, args]) => (SEEDS[anchor] ?? [undefined]).map((seed) => [seed === undefined ? anchor : `${anchor} (seed ${seed})`, anchor, args, seed] as const));
  it.each(cases)('%s', (_, anchor, args, seed) => {
    const before = original(anchor, args, seed === undefined ? undefined : seeding(seed, COUNTED.has(anchor)));
    const after = imported(anchor, args, seed === undefined ? undefined : seeding(seed, COUNTED.has(anchor)));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    if (seed === 2) expect([...before.keys()], 'the recursion goes two levels deep').toContain('flip-3^2');
    if (seed === 11) expect([...before.keys()], 'nothing recurses').not.toContain('flip-3');
    for (const [key, b] of before) {
      const a = after.get(key)!;
      if (RANDOM.has(`${anchor} ${key}`)) continue;
      expect(a.values, `${key}: output values`).toEqual(b.values);
      expect(a.out, `${key}: printed output`).toContain(b.out.trimEnd());
    }
  });

  it.each(Object.entries(DIFFERS))('%s differs and the import says so', (anchor, warning) => {
    const imp = runCli(['import', join(base, `${anchor}.yaml`), '--format', 'short']);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stderr).toMatch(new RegExp(`warning KFP0301: not translated: ${warning}`));
  });
});
