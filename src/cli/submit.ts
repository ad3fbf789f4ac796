/**
 * `kfpdsl submit FILE.kfp --host URL --experiment NAME`: compiles one pipeline as build does
 * and starts a run of it on KFP (v1beta1: the experiment is created when missing, the run
 * carries the workflow itself; v2beta1 for `--target kfp-v2`, the run carrying the pipeline spec), or with `--argo URL --namespace NS` on an Argo Server
 * (compiled for `--target argo` unless `--target kfp-v1` is given).
 * `--wait` follows the run, one line per task change, and exits with its outcome.
 * Exit codes: 0 started (with --wait: succeeded), 1 diagnostics or a failed run, 2 usage errors.
 */
import { entryPipelines } from '../check/pipeline-calls.js';
import { createWorkflow, getWorkflow, lintWorkflow } from '../cluster/argo.js';
import { hostOf, onStopFollowing } from '../cluster/command.js';
import { compileFile, type CompiledPipeline } from '../cluster/compiled.js';
import { connect, parseBaseUrl, type Connected } from '../cluster/connect.js';
import { ClusterError, clusterDiagnostic } from '../cluster/errors.js';
import { createExperiment, createRun, findExperiment, getRun } from '../cluster/kfp-v1.js';
import { createExperimentV2, createRunV2, findExperimentV2, getRunV2, typedArguments } from '../cluster/kfp-v2.js';
import { serializeConst } from '../lower/serialize.js';
import type { ClusterCliOptions } from '../cluster/options.js';
import { Output } from '../cluster/output.js';
import { Secrets } from '../cluster/secrets.js';
import { clusterBackend } from '../cluster/target.js';
import { FINAL_PHASES, NodeWatch } from '../cluster/watch.js';
import type { SourceFile } from '../source.js';
import { UsageError } from './files.js';
import { checkRunArgs } from './run-args.js';
import { pipelineParams } from './run-inputs.js';

export interface SubmitCliOptions extends ClusterCliOptions {
  experiment?: string;
  arg?: string[];
  runName?: string;
  argo?: string;
  wait?: boolean;
  pollInterval?: string;
  serviceAccount?: string;
  dryRun?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function stamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

export async function submitCommand(file: string, opts: SubmitCliOptions): Promise<number> {
  const onArgo = opts.argo !== undefined;
  if (onArgo && opts.host !== undefined) throw new UsageError('--host (KFP) and --argo (Argo Server) exclude each other: submit to one');
  if (onArgo && !opts.namespace) throw new UsageError('--argo needs --namespace NS: the namespace the workflow runs in (where the Argo controller watches)');
  if (onArgo && opts.experiment !== undefined) throw new UsageError('--experiment is a KFP notion; an Argo Server has none (drop it, or submit with --host)');
  if (opts.dryRun && !onArgo) throw new UsageError('--dry-run needs --argo URL --namespace NS: it asks the Argo Server\'s linter (KFP has no such call)');
  if (!onArgo && !opts.experiment) throw new UsageError('say which experiment the run belongs to: --experiment NAME (created if missing)');
  // An Argo Server gets plain Argo Workflows unless --target says otherwise; KFP gets kfp-v1.
  const backend = clusterBackend('submit', onArgo ? 'argo-server' : 'kfp', opts.target);
  const base = onArgo ? parseBaseUrl(opts.argo!, '--argo') : hostOf(opts);
  const pollMs = pollInterval(opts.pollInterval);

  const compiled = compileFile(file, opts.root, opts.pipeline, backend);
  if (!compiled.ok) {
    new Output(new Secrets(), false).diagnostics(compiled.diagnostics);
    process.stderr.write(`\nnothing was submitted\n`);
    return 1;
  }
  // A file with sub-pipelines: the one pipeline no other calls is the one to submit.
  const entries = compiled.pipelines.length > 1 ? entryPipelines(compiled.pipelines.map((c) => c.ir)) : [];
  if (compiled.pipelines.length > 1 && entries.length !== 1) {
    const listing = compiled.pipelines.map((p) => `"${p.ir.displayName}"`).join(', ');
    throw new UsageError(`${file} defines ${compiled.pipelines.length} pipelines; choose one with --pipeline NAME: ${listing}`);
  }
  const p = compiled.pipelines.find((c) => c.ir === (entries[0] ?? c.ir))!;

  // Arguments are checked here, as for `kfpdsl run`: a wrong type fails now, not in a pod.
  // Parameters fed by a config map get their value on the cluster.
  // A kfp-v2 pipeline spec has no Argo arguments: its parameters are the pipeline's own.
  const v2 = backend.name === 'kfp-v2';
  const params = v2
    ? p.ir.params.map((q) => ({ name: q.name, ...(q.default ? { value: serializeConst(q.default, q.type) } : {}) }))
    : pipelineParams(p.workflow).map((q) => (q.configMap && q.value === undefined ? { ...q, value: '' } : q));
  const checked = checkRunArgs(opts.arg ?? [], {
    file: compiled.source,
    decl: p.decl,
    displayName: p.ir.displayName,
    params,
    types: new Map(p.ir.params.map((q) => [q.name, q.type])),
    configMaps: {},
  });
  if (checked.diagnostics.length > 0) {
    new Output(new Secrets(), false).diagnostics(checked.diagnostics);
    process.stderr.write(`\nnothing was submitted\n`);
    return 2;
  }
  const given = new Set((opts.arg ?? []).map((a) => a.slice(0, a.indexOf('='))));
  const parameters = Object.entries(checked.args)
    .filter(([name]) => given.has(name))
    .map(([name, value]) => ({ name, value }));

  const connected = connect(base, onArgo ? 'Argo Server' : 'KFP API', opts);
  const out = new Output(connected.secrets, opts.json ?? false);
  out.diagnostics(compiled.warnings);
  try {
    return onArgo ? await onArgoServer(connected, out, p, parameters, opts, pollMs) : await onKfp(connected, out, p, parameters, opts, pollMs, v2 ? KFP_V2 : KFP_V1);
  } catch (e) {
    if (!(e instanceof ClusterError)) throw e;
    out.diagnostics([clusterDiagnostic(e, { file: compiled.source as SourceFile, span: p.span }, (s) => connected.secrets.redact(s))]);
    return 1;
  }
}

function pollInterval(text: string | undefined): number {
  if (text === undefined) return 5000;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0.01 || n > 3600) throw new UsageError(`--poll-interval ${JSON.stringify(text)}: expected seconds from 0.01 to 3600`);
  return n * 1000;
}

type Param = { name: string; value: string };

/** The KFP API calls of one target: v1beta1 with the Argo Workflow, v2beta1 with the pipeline spec. */
interface KfpApi {
  findExperiment: typeof findExperiment;
  createExperiment: typeof createExperiment;
  createRun(conn: Connected['conn'], r: { name: string; experimentId: string; p: CompiledPipeline; parameters: Param[]; serviceAccount?: string | undefined }): Promise<{ id: string }>;
  getRun(conn: Connected['conn'], id: string): Promise<{ status: string; error?: string | undefined; workflow?: unknown }>;
}

const KFP_V1: KfpApi = {
  findExperiment,
  createExperiment,
  createRun: (conn, r) => createRun(conn, { name: r.name, experimentId: r.experimentId, workflow: r.p.workflow, parameters: r.parameters, serviceAccount: r.serviceAccount }),
  getRun,
};

const KFP_V2: KfpApi = {
  findExperiment: findExperimentV2,
  createExperiment: createExperimentV2,
  createRun: (conn, r) =>
    createRunV2(conn, {
      name: r.name,
      experimentId: r.experimentId,
      documents: r.p.documents,
      parameters: typedArguments(r.parameters, new Map(r.p.ir.params.map((q) => [q.name, q.type]))),
      serviceAccount: r.serviceAccount,
    }),
  getRun: getRunV2,
};

async function onKfp(c: Connected, out: Output, p: CompiledPipeline, parameters: Param[], opts: SubmitCliOptions, pollMs: number, api: KfpApi): Promise<number> {
  const { conn } = c;
  const expName = opts.experiment!;
  let experiment = await api.findExperiment(conn, expName, opts.namespace);
  if (!experiment) {
    experiment = await api.createExperiment(conn, expName, opts.namespace);
    out.note(`note: created experiment "${expName}" (${experiment.id})\n`);
  }
  const name = opts.runName ?? `${p.ir.displayName} ${stamp(new Date())}`;
  const run = await api.createRun(conn, { name, experimentId: experiment.id, p, parameters, serviceAccount: opts.serviceAccount });
  const link = `${conn.base.href.replace(/\/+$/, '')}/#/runs/details/${run.id}`;
  out.result(`started run "${name}" (${run.id}) in experiment "${expName}": ${link}\n`);
  if (!opts.wait) {
    out.object({ runId: run.id, runName: name, experimentId: experiment.id, url: link });
    return 0;
  }
  out.note('note: following the run; Ctrl-C stops following, the run goes on\n');
  const watch = new NodeWatch();
  onStopFollowing(() => out.note(`\nstopped following; run ${run.id} goes on: ${link}\n`));
  for (;;) {
    const state = await api.getRun(conn, run.id);
    for (const line of watch.changes(state.workflow)) out.note(watch.format(line));
    if (FINAL_PHASES.has(state.status)) {
      const ok = state.status === 'Succeeded';
      const counts = watch.summary();
      out.result(`run ${run.id} ${state.status}${counts ? ` (${counts})` : ''}${state.error ? `: ${state.error}` : ''}\n`);
      out.object({ runId: run.id, runName: name, experimentId: experiment.id, url: link, status: state.status });
      return ok ? 0 : 1;
    }
    await sleep(pollMs);
  }
}

async function onArgoServer(c: Connected, out: Output, p: CompiledPipeline, parameters: Param[], opts: SubmitCliOptions, pollMs: number): Promise<number> {
  const { conn } = c;
  const ns = opts.namespace!;
  const workflow = structuredClone(p.workflow) as { metadata?: Record<string, unknown>; spec?: { arguments?: { parameters?: { name: string; value?: string }[] } } };
  for (const param of workflow.spec?.arguments?.parameters ?? []) {
    const given = parameters.find((q) => q.name === param.name);
    if (given) {
      param.value = given.value;
      delete (param as { valueFrom?: unknown }).valueFrom;
    }
  }
  if (opts.runName !== undefined) {
    workflow.metadata = { ...(workflow.metadata ?? {}), name: opts.runName };
    delete workflow.metadata['generateName'];
  }
  if (opts.serviceAccount !== undefined) (workflow.spec as Record<string, unknown>)['serviceAccountName'] = opts.serviceAccount;
  if (opts.dryRun) {
    await lintWorkflow(conn, ns, workflow);
    out.result(`the Argo Server accepts "${p.ir.displayName}" in namespace "${ns}" (linted; nothing was submitted)\n`);
    out.object({ linted: true, namespace: ns });
    return 0;
  }
  const name = await createWorkflow(conn, ns, workflow);
  const link = `${conn.base.href.replace(/\/+$/, '')}/workflows/${ns}/${name}`;
  out.result(`submitted workflow ${name} to namespace "${ns}": ${link}\n`);
  if (!opts.wait) {
    out.object({ workflow: name, namespace: ns, url: link });
    return 0;
  }
  out.note('note: following the workflow; Ctrl-C stops following, the workflow goes on\n');
  const watch = new NodeWatch();
  onStopFollowing(() => out.note(`\nstopped following; workflow ${name} goes on: ${link}\n`));
  for (;;) {
    const state = await getWorkflow(conn, ns, name);
    for (const line of watch.changes(state.workflow)) out.note(watch.format(line));
    if (FINAL_PHASES.has(state.phase)) {
      const counts = watch.summary();
      out.result(`workflow ${name} ${state.phase}${counts ? ` (${counts})` : ''}${state.message ? `: ${state.message}` : ''}\n`);
      out.object({ workflow: name, namespace: ns, url: link, status: state.phase });
      return state.phase === 'Succeeded' ? 0 : 1;
    }
    await sleep(pollMs);
  }
}
