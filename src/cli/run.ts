/**
 * `kfpdsl run FILE.kfp`: compiles the file, picks one pipeline, and runs what the compiler
 * emitted for the target (the very text `build` would write) with a local executor, each task
 * a process on this machine: the kfp-v1 Argo Workflow by default, the KFP v2 pipeline spec with
 * `--target kfp-v2`; `kfpdsl run SPEC.yaml` runs a v2 pipeline spec as it is (run-v2.ts).
 * Everything lands in a run directory: the per-task directories, workflow.yaml or
 * pipeline.yaml (what ran) and run.json. Exit codes: 0 the run Succeeded, 1 it Failed (or the
 * source has errors), 2 usage errors and internal failures.
 */
import { constants as osConstants } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { DEFAULT_TARGET } from '../backends/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { renderAll } from '../diagnostics/render.js';
import type { SourceFile } from '../source.js';
import { checkRunArgs } from './run-args.js';
import { preparePython } from './run-python.js';
import { Interrupts } from './run-signals.js';
import { UsageError, writeWhole } from './files.js';
import { freshRunDir } from './run-dir.js';
import { checkRootOption, isDiagnostic, loadSource } from './sources.js';
import { explainStoreFailure, howToProvide, isStoreVar, readEnvFile, readStoreFile, resolveStores, type Stores } from './run-inputs.js';
import { Progress, type ProgressMode } from './run-progress.js';
import { argoRun, compileForRun, type Preparation } from './run-prepare.js';
import { isSpecPath, prepareCompiledSpec, prepareSpecFile } from './run-v2.js';
import { LiveReport } from '../report/live.js';
import { paint, readMetrics, renderShort, renderSummary, runJson, runTasks, type SummaryInput } from './run-report.js';

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

  // 1. What runs: the .kfp file compiled for the target (the kfp-v1 Argo Workflow, or the
  //    KFP v2 pipeline spec), or a v2 pipeline spec YAML given as it is.
  const source = loadSource(file, opts.root);
  const badRoot = checkRootOption(opts.root);
  if (isDiagnostic(source) || badRoot) {
    process.stderr.write(renderAll(isDiagnostic(source) ? [source] : [badRoot!], opts.format, opts.format === 'pretty' && stderrColour));
    return 1;
  }
  const print = (diagnostics: Diagnostic[]): void => void process.stderr.write(renderAll(diagnostics, opts.format, opts.format === 'pretty' && stderrColour));
  const prepared = prepare(source, opts, print);
  if (!('run' in prepared)) {
    print(prepared.diagnostics);
    if (opts.format === 'pretty') process.stderr.write(`\n${prepared.summary}\n`);
    return prepared.exitCode;
  }
  const it = prepared.run;
  const pip = it.pip;

  // 4. Inputs: env file, secrets and config maps, arguments.
  const envFile = opts.envFile !== undefined ? readEnvFile(opts.envFile) : {};
  const files = {
    secret: opts.secrets !== undefined ? readStoreFile(opts.secrets, '--secrets') : ({} as Stores),
    configMap: opts.configMaps !== undefined ? readStoreFile(opts.configMaps, '--config-maps') : ({} as Stores),
  };
  const stores = resolveStores(it.refs, files, [envFile, process.env]);
  const checked = checkRunArgs(opts.arg ?? [], {
    file: it.file,
    decl: it.decl,
    displayName: it.title,
    params: it.params,
    types: it.types,
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
    file: it.file,
    document: it.document,
    program: it.program,
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
  const parent = resolve(opts.runDir ?? join('.kfpdsl', 'runs'));
  let made: { runId: string; runDir: string };
  try {
    ignoreItself(parent);
    // A name holds 255 bytes: a spec's pipeline name can be longer (k8sName is ASCII).
    made = freshRunDir(parent, `${it.k8sName.slice(0, 200).replace(/-+$/, '')}-${timestamp(new Date())}`);
    writeFileSync(join(made.runDir, it.specFile), it.text, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw new UsageError(`cannot create a run directory in ${parent}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { runId, runDir } = made;
  const shownRunDir = shownPath(runDir);
  // report.html from the start: open it during the run and it follows the run.
  const live = new LiveReport({ runDir, runId, title: it.title, pipeline: it.k8sName, arguments: args, graph: it.graph });

  // 7. Notes, then the run.
  const notes: string[] = [];
  const startNotes: string[] = [`running "${it.title}"${it.specFile === 'pipeline.yaml' ? ' (its KFP v2 pipeline spec)' : ''} as ${runId}`, IMAGES_NOTE];
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

  const shape = it.shape;
  const mode: ProgressMode = opts.quiet ? 'quiet' : process.stderr.isTTY && opts.format === 'pretty' && process.env['TERM'] !== 'dumb' ? 'live' : 'plain';
  const progress = new Progress({ mode, stream: process.stderr, paint: paint(stderrColour), shape, runDir, explain });
  if (!opts.quiet) progress.print(startNotes.map((n) => `${paint(stderrColour).dim('note:')} ${n}\n`).join(''));

  const interrupts = new Interrupts((text) => progress.print(text));
  interrupts.install();
  const startedAt = Date.now();
  progress.begin();
  let result;
  try {
    result = await it.execute({
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
  const tasks = runTasks(result, shape, explain, it.uiOf);
  const { metrics, problems } = readMetrics(tasks);
  notes.push(...problems);
  if (interrupts.signal !== undefined) {
    notes.push(`the run was interrupted by ${interrupts.signal}: running tasks were killed${interrupts.terminate.signal.aborted ? ' and `finally` too (a second signal)' : '; `finally` ran, as `argo stop` does'}`);
  }
  const json = runJson({ runId, pipeline: it.k8sName, arguments: args, startedAt, finishedAt, interrupted: interrupts.signal }, result, tasks, metrics);
  const jsonText = `${JSON.stringify(json, null, 2)}\n`;
  // Whole or not at all: a run killed while writing it leaves none rather than half of one.
  writeWhole(runDir, 'run.json', jsonText, 0o600);
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

/** What runs (run-prepare.ts): usage errors are thrown, diagnostics returned. */
function prepare(source: SourceFile, opts: RunCliOptions, warn: (d: Diagnostic[]) => void): Preparation {
  if (isSpecPath(source.path)) {
    if (opts.target !== undefined && opts.target !== 'kfp-v2') throw new UsageError(`${source.path} is a pipeline spec: it runs as --target kfp-v2 (a kfp-v1 run needs the .kfp source)`);
    return prepareSpecFile(source);
  }
  const target = opts.target ?? DEFAULT_TARGET;
  const c = compileForRun({ source, root: opts.root, target, pipeline: opts.pipeline, warn });
  if (!('compiled' in c)) return c;
  return target === 'kfp-v2' ? prepareCompiledSpec(source, c.compiled, c.pipeline, c.text) : { run: argoRun(source, c.compiled, c.pipeline, c.text) };
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
  // `wx`: a dangling symlink named .gitignore is not written through; one that exists (another run's) is kept.
  try {
    writeFileSync(ignore, GITIGNORE, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** Relative to the working directory when inside it. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
