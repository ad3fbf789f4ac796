/**
 * `kfpdsl run FILE.kfp`: compiles the file, picks one pipeline, and runs the Argo Workflow YAML
 * the compiler emitted (the very text `build` would write) with the local executor, each task
 * a process on this machine. Everything lands in a run directory: the per-task directories,
 * workflow.yaml (what ran) and run.json. Exit codes: 0 the run Succeeded, 1 it Failed (or the
 * source has errors), 2 usage errors and internal failures.
 */
import { randomBytes } from 'node:crypto';
import type { IrPipeline } from '../ir/ir.js';
import { pipelineK8sName } from '../names.js';
import { constants as osConstants } from 'node:os';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { backendNamed, DEFAULT_TARGET } from '../backends/index.js';
import { entryPipelines } from '../check/pipeline-calls.js';
import { compileSource } from '../compile.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { renderAll } from '../diagnostics/render.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { runWorkflow } from '../run/executor.js';
import { checkRunArgs } from './run-args.js';
import { preparePython } from './run-python.js';
import { Interrupts } from './run-signals.js';
import { UsageError } from './files.js';
import { checkRootOption, isDiagnostic, loadSource } from './sources.js';
import {
  explainStoreFailure,
  howToProvide,
  isStoreVar,
  pipelineParams,
  pipSteps,
  readEnvFile,
  readStoreFile,
  resolveStores,
  skipPackages,
  storeRefs,
  type Stores,
} from './run-inputs.js';
import { Progress, type ProgressMode } from './run-progress.js';
import { buildGraph, lineOfSource } from '../graph/graph.js';
import { LiveReport } from '../report/live.js';
import { uiArtifactsOf } from './run-ui-outputs.js';
import { paint, readMetrics, renderShort, renderSummary, runJson, runTasks, WorkflowShape, type SummaryInput } from './run-report.js';

export type RunFormat = 'pretty' | 'short' | 'json';

/** The options of `kfpdsl run`, as commander hands them over. */
export interface RunCliOptions {
  root?: string;
  arg?: string[];
  pipeline?: string;
  runDir?: string;
  parallelism?: string;
  secrets?: string;
  configMaps?: string;
  envFile?: string;
  seed?: string;
  skipPackages?: boolean;
  python?: string;
  format: RunFormat;
  quiet?: boolean;
  /** `--target`: the backend whose workflow runs (default kfp-v1). */
  target?: string;
}

/** Starts the run; the exit code is set on `process.exitCode` when it ends. */
export function startRun(file: string, opts: RunCliOptions): void {
  runCommand(file, opts).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof UsageError) process.stderr.write(`error: ${e.message}\n`);
      else process.stderr.write(`internal error: ${e instanceof Error ? e.message : String(e)}\nthis is a bug in kfpdsl; please report it with the input attached\n`);
      process.exitCode = e instanceof UsageError ? 2 : 3;
    },
  );
}

const IMAGES_NOTE = "images are not pulled: tasks run with this machine's sh and python3";

export async function runCommand(file: string, opts: RunCliOptions): Promise<number> {
  // After SIGHUP the terminal is gone and writes fail (EIO, EPIPE): the run must still finish
  // and write run.json, so a failed write to stdout or stderr is ignored.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const parallelism = opts.parallelism !== undefined ? positiveInt(opts.parallelism, '--parallelism', 1) : undefined;
  const seed = opts.seed !== undefined ? positiveInt(opts.seed, '--seed', 0, 4294967295) : undefined;
  const stderrColour = Boolean(process.stderr.isTTY) && !process.env['NO_COLOR'];
  const stdoutColour = Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];

  // 1. Compile, as build does.
  const source = loadSource(file);
  const badRoot = checkRootOption(opts.root);
  if (isDiagnostic(source) || badRoot) {
    process.stderr.write(renderAll(isDiagnostic(source) ? [source] : [badRoot!], opts.format, opts.format === 'pretty' && stderrColour));
    return 1;
  }
  // The local runner executes Argo Workflows. A KFP v2 pipeline spec runs the same task
  // programs (the same command lines, with v2's placeholders) in the same DAG, so `--target
  // kfp-v2` first checks that the pipeline lowers to KFP v2 (a construct v2 cannot express is
  // its located error, and nothing runs), then runs the kfp-v1 workflow's tasks.
  if (opts.target === 'kfp-v2') {
    const v2 = compileSource(source, { root: opts.root, checkOnly: true, backend: backendNamed('kfp-v2')! });
    if (hasErrors(v2.diagnostics)) {
      process.stderr.write(renderAll(v2.diagnostics, opts.format, opts.format === 'pretty' && stderrColour));
      const errors = v2.diagnostics.filter((d) => d.severity === 'error').length;
      if (opts.format === 'pretty') process.stderr.write(`\n${errors} error${errors > 1 ? 's' : ''} in ${file} for --target kfp-v2; nothing was run\n`);
      return 1;
    }
  }
  const runTarget = opts.target === 'kfp-v2' ? DEFAULT_TARGET : (opts.target ?? DEFAULT_TARGET);
  const compiled = compileSource(source, { root: opts.root, backend: backendNamed(runTarget)! });
  if (compiled.diagnostics.length > 0) process.stderr.write(renderAll(compiled.diagnostics, opts.format, opts.format === 'pretty' && stderrColour));
  if (hasErrors(compiled.diagnostics)) {
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error').length;
    if (opts.format === 'pretty') process.stderr.write(`\n${errors} error${errors > 1 ? 's' : ''} in ${file}; nothing was run\n`);
    return 1;
  }

  // 2. One pipeline: the only one, or the one --pipeline names.
  const pipelines = compiled.program?.pipelines ?? [];
  if (pipelines.length === 0) throw new UsageError(`${file} defines no pipeline`);
  const k8sName = (p: IrPipeline): string => pipelineK8sName(p.displayName);
  const listing = pipelines.map((p) => `"${p.displayName}"${k8sName(p) !== p.displayName ? ` (${k8sName(p)})` : ''}`).join(', ');
  let pipeline = pipelines[0]!;
  if (opts.pipeline !== undefined) {
    const named = pipelines.find((p) => p.displayName === opts.pipeline || k8sName(p) === opts.pipeline);
    if (!named) {
      const hint = didYouMean(opts.pipeline, new Set(pipelines.flatMap((p) => [p.displayName, k8sName(p)])));
      throw new UsageError(`${file} has no pipeline named "${opts.pipeline}"${hint ? `; ${hint}` : ''} (it defines ${listing})`);
    }
    pipeline = named;
  } else if (pipelines.length > 1) {
    // A file with sub-pipelines: the one pipeline no other calls is the one to run.
    const entries = entryPipelines(pipelines);
    if (entries.length !== 1) throw new UsageError(`${file} defines ${pipelines.length} pipelines; choose one with --pipeline NAME: ${listing}`);
    pipeline = entries[0]!;
  }
  const emitted = compiled.files.find((f) => f.kind === 'workflow' && f.pipeline === pipelines.indexOf(pipeline));
  if (!emitted) throw new Error(`no workflow was emitted for pipeline "${pipeline.displayName}"`);

  // 3. The workflow as emitted, with the pip prefix stripped in this run only: kfpdsl installs
  //    the packages into a virtual environment itself (or --skip-packages assumes them).
  const pip = pipSteps(YAML.parse(emitted.text));
  const yamlText = pip.length > 0 ? skipPackages(emitted.text, pip) : emitted.text;
  const workflow: unknown = YAML.parse(yamlText);

  // 4. Inputs: env file, secrets and config maps, arguments.
  const envFile = opts.envFile !== undefined ? readEnvFile(opts.envFile) : {};
  const files = {
    secret: opts.secrets !== undefined ? readStoreFile(opts.secrets, '--secrets') : ({} as Stores),
    configMap: opts.configMaps !== undefined ? readStoreFile(opts.configMaps, '--config-maps') : ({} as Stores),
  };
  const stores = resolveStores(storeRefs(workflow), files, [envFile, process.env]);
  const params = pipelineParams(workflow);
  const document = compiled.document;
  const checked = checkRunArgs(opts.arg ?? [], {
    file: source,
    decl: document?.pipelines[pipelines.indexOf(pipeline)],
    displayName: pipeline.displayName,
    params,
    types: new Map(pipeline.params.map((p) => [p.name, p.type])),
    configMaps: stores.configMaps,
  });
  if (checked.diagnostics.length > 0) {
    process.stderr.write(renderAll(checked.diagnostics, opts.format, opts.format === 'pretty' && stderrColour));
    const n = checked.diagnostics.length;
    if (opts.format === 'pretty') process.stderr.write(`\n${n} error${n > 1 ? 's' : ''} in the arguments of kfpdsl run; nothing was run\n`);
    return 2;
  }
  const args = checked.args;
  const explain = (message: string, template: string): string => explainStoreFailure(message, template, stores.missing);

  // Tasks see the env file, not the KFPDSL_SECRET_… variables: a secret reaches only the tasks that reference it.
  for (const [k, v] of Object.entries(envFile)) if (!isStoreVar(k)) process.env[k] = v;
  for (const k of Object.keys(process.env)) if (isStoreVar(k)) delete process.env[k];

  // 5. Python: each package set in a cached virtual environment, never the user's interpreter.
  const python = await preparePython({
    file: source,
    document,
    program: compiled.program!,
    steps: pip,
    ...(opts.python !== undefined ? { python: opts.python } : {}),
    skipPackages: opts.skipPackages ?? false,
    say: (text) => {
      if (!opts.quiet) process.stderr.write(`${paint(stderrColour).dim('note:')} ${text}\n`);
    },
  });
  if ('interruptedBy' in python) {
    process.stderr.write(`${python.interruptedBy}: stopped while preparing virtual environments; nothing was run\n`);
    return 128 + (osConstants.signals[python.interruptedBy] ?? 0);
  }
  if ('diagnostics' in python) {
    process.stderr.write(renderAll(python.diagnostics, opts.format, opts.format === 'pretty' && stderrColour));
    if (opts.format === 'pretty') process.stderr.write(`\nthe packages could not be installed; nothing was run\n`);
    return python.exitCode;
  }

  // 6. The run directory.
  const runId = `${k8sName(pipeline)}-${timestamp(new Date())}-${randomBytes(2).toString('hex')}`;
  const runDir = resolve(opts.runDir ?? join('.kfpdsl', 'runs'), runId);
  try {
    ignoreItself(dirname(runDir));
    // Private (0700): task logs and outputs live here.
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(runDir, 'workflow.yaml'), yamlText, { mode: 0o600 });
  } catch (e) {
    throw new UsageError(`cannot create the run directory ${runDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const shownRunDir = shownPath(runDir);
  // report.html from the start: open it during the run and it follows the run.
  const live = new LiveReport({ runDir, runId, title: pipeline.displayName, pipeline: k8sName(pipeline), arguments: args, graph: buildGraph(pipeline, lineOfSource(source)) });

  // 7. Notes, then the run.
  const notes: string[] = [];
  const startNotes: string[] = [`running "${pipeline.displayName}" as ${runId}`, IMAGES_NOTE];
  for (const ref of stores.missing) {
    const users = ref.template !== undefined ? ` (used by ${ref.template}; the task will fail)` : '';
    startNotes.push(`${howToProvide(ref)}${users}`);
  }
  if (pip.length > 0 && opts.skipPackages) {
    const list = [...new Set(pip.map((s) => s.packages))].join('; ');
    startNotes.push(`--skip-packages: pip install skipped; packages assumed present here: ${list}`);
    notes.push(`packages were assumed present (--skip-packages): ${list}`);
  }
  startNotes.push(...python.plan.notes);
  if (seed !== undefined) notes.push(`--seed ${seed} sets PYTHONHASHSEED and KFPDSL_SEED; Python's random module is not seeded by it`);

  const shape = new WorkflowShape(workflow);
  const mode: ProgressMode = opts.quiet ? 'quiet' : process.stderr.isTTY && opts.format === 'pretty' && process.env['TERM'] !== 'dumb' ? 'live' : 'plain';
  const progress = new Progress({ mode, stream: process.stderr, paint: paint(stderrColour), shape, runDir, explain });
  if (!opts.quiet) progress.print(startNotes.map((n) => `${paint(stderrColour).dim('note:')} ${n}\n`).join(''));

  const interrupts = new Interrupts((text) => progress.print(text));
  interrupts.install();
  const startedAt = Date.now();
  progress.begin();
  let result;
  try {
    result = await runWorkflow({
      workflow,
      arguments: args,
      runDir,
      ...(parallelism !== undefined ? { parallelism } : {}),
      secrets: stores.secrets,
      configMaps: stores.configMaps,
      onEvent: (e) => {
        progress.onEvent(e);
        live.onEvent(e);
      },
      ...(seed !== undefined ? { env: { PYTHONHASHSEED: String(seed), KFPDSL_SEED: String(seed) } } : {}),
      templateEnv: python.plan.templateEnv,
      stop: interrupts.stop.signal,
      terminate: interrupts.terminate.signal,
    });
  } finally {
    progress.end(mode === 'live' && Boolean(process.stdout.isTTY) && opts.format === 'pretty');
  }
  const finishedAt = Date.now();

  // 8. run.json and the summary.
  const tasks = runTasks(result, shape, explain, uiArtifactsOf(compiled.program!));
  const { metrics, problems } = readMetrics(tasks);
  notes.push(...problems);
  if (interrupts.signal !== undefined) {
    notes.push(`the run was interrupted by ${interrupts.signal}: running tasks were killed${interrupts.terminate.signal.aborted ? ' and `finally` too (a second signal)' : '; `finally` ran, as `argo stop` does'}`);
  }
  const json = runJson({ runId, pipeline: k8sName(pipeline), arguments: args, startedAt, finishedAt, interrupted: interrupts.signal }, result, tasks, metrics);
  const jsonText = `${JSON.stringify(json, null, 2)}\n`;
  writeFileSync(join(runDir, 'run.json'), jsonText, { mode: 0o600 });
  const reportPath = shownPath(live.finish());
  // Signals stay handled until run.json is written; then the default (end the process) is fine.
  interrupts.uninstall();

  const summary: SummaryInput = { runId, runDir, shownRunDir, result, durationMs: finishedAt - startedAt, tasks, metrics, notes };
  if (opts.format === 'json') process.stdout.write(jsonText);
  else if (opts.format === 'short' || opts.quiet) process.stdout.write(renderShort(summary));
  else process.stdout.write(renderSummary(summary, paint(stdoutColour)));
  // JSON and the one-line result keep stdout to themselves: the report's path goes to stderr there.
  if (opts.format === 'pretty' && !opts.quiet) process.stdout.write(`report: ${reportPath}\n`);
  else if (!opts.quiet) process.stderr.write(`report: ${reportPath}\n`);
  return interrupts.exitCode() ?? (result.phase === 'Succeeded' ? 0 : 1);
}

function positiveInt(text: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a whole number${min > 0 ? ` ≥ ${min}` : ''}${max < Number.MAX_SAFE_INTEGER ? ` ≤ ${max}` : ''}`);
  return n;
}

/** `20250131-235959`, local time. */
function timestamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

const GITIGNORE = '# Created by kfpdsl run: local runs hold task output and are not source.\n*\n';

/**
 * Makes the directory that holds run directories, and keeps it out of git as Python's venv and
 * pytest's cache do: a `.gitignore` of `*` in the first directory this creates (`.kfpdsl/` by
 * default), or in an existing `.kfpdsl/` that lacks one.
 */
export function ignoreItself(parent: string): void {
  const created = mkdirSync(parent, { recursive: true });
  let top = created;
  if (top === undefined) {
    for (let d = parent; dirname(d) !== d; d = dirname(d)) {
      if (basename(d) === '.kfpdsl') {
        top = d;
        break;
      }
    }
  }
  if (top === undefined) return;
  const ignore = join(top, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, GITIGNORE);
}

/** Relative to the working directory when inside it. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
