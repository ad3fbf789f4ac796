/**
 * `kfpdsl run FILE.kfp`: compiles the file, picks one pipeline, and runs the Argo Workflow YAML
 * the compiler emitted (the very text `build` would write) with the local executor, each task
 * a process on this machine. Everything lands in a run directory: the per-task directories,
 * workflow.yaml (what ran) and run.json. Exit codes: 0 the run Succeeded, 1 it Failed (or the
 * source has errors), 2 usage errors and internal failures.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { compileSource } from '../compile.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { renderAll } from '../diagnostics/render.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { runWorkflow } from '../run/executor.js';
import { UsageError } from './files.js';
import { checkRootOption, isDiagnostic, loadSource } from './sources.js';
import {
  bindParams,
  explainStoreFailure,
  howToProvide,
  isStoreVar,
  parseArgs,
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
  format: RunFormat;
  quiet?: boolean;
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
  const compiled = compileSource(source, { root: opts.root });
  if (compiled.diagnostics.length > 0) process.stderr.write(renderAll(compiled.diagnostics, opts.format, opts.format === 'pretty' && stderrColour));
  if (hasErrors(compiled.diagnostics)) {
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error').length;
    if (opts.format === 'pretty') process.stderr.write(`\n${errors} error${errors > 1 ? 's' : ''} in ${file}; nothing was run\n`);
    return 1;
  }

  // 2. One pipeline: the only one, or the one --pipeline names.
  const pipelines = compiled.program?.pipelines ?? [];
  if (pipelines.length === 0) throw new UsageError(`${file} defines no pipeline`);
  const listing = pipelines.map((p) => `"${p.displayName}"${p.name !== p.displayName ? ` (${p.name})` : ''}`).join(', ');
  let pipeline = pipelines[0]!;
  if (opts.pipeline !== undefined) {
    const named = pipelines.find((p) => p.displayName === opts.pipeline || p.name === opts.pipeline);
    if (!named) {
      const hint = didYouMean(opts.pipeline, new Set(pipelines.flatMap((p) => [p.displayName, p.name])));
      throw new UsageError(`${file} has no pipeline named "${opts.pipeline}"${hint ? `; ${hint}` : ''} (it defines ${listing})`);
    }
    pipeline = named;
  } else if (pipelines.length > 1) {
    throw new UsageError(`${file} defines ${pipelines.length} pipelines; choose one with --pipeline NAME: ${listing}`);
  }
  const emitted = compiled.files.find((f) => f.kind === 'workflow' && f.path === `${pipeline.name}.yaml`);
  if (!emitted) throw new Error(`no workflow was emitted for pipeline "${pipeline.displayName}"`);

  // 3. The workflow as emitted; --skip-packages rewrites the pip prefix, in this run only.
  const pip = pipSteps(YAML.parse(emitted.text));
  const yamlText = opts.skipPackages && pip.length > 0 ? skipPackages(emitted.text, pip) : emitted.text;
  const workflow: unknown = YAML.parse(yamlText);

  // 4. Inputs: env file, secrets and config maps, arguments.
  const envFile = opts.envFile !== undefined ? readEnvFile(opts.envFile) : {};
  const files = {
    secret: opts.secrets !== undefined ? readStoreFile(opts.secrets, '--secrets') : ({} as Stores),
    configMap: opts.configMaps !== undefined ? readStoreFile(opts.configMaps, '--config-maps') : ({} as Stores),
  };
  const stores = resolveStores(storeRefs(workflow), files, [envFile, process.env]);
  const params = pipelineParams(workflow);
  const given = parseArgs(opts.arg ?? [], params, pipeline.displayName);
  const args = bindParams(params, given, stores.configMaps, pipeline.displayName);
  const explain = (message: string, template: string): string => explainStoreFailure(message, template, stores.missing);

  // Tasks see the env file, not the KFPDSL_SECRET_… variables: a secret reaches only the tasks that reference it.
  for (const [k, v] of Object.entries(envFile)) if (!isStoreVar(k)) process.env[k] = v;
  for (const k of Object.keys(process.env)) if (isStoreVar(k)) delete process.env[k];

  // 5. The run directory.
  const runId = `${pipeline.name}-${timestamp(new Date())}-${randomBytes(2).toString('hex')}`;
  const runDir = resolve(opts.runDir ?? join('.kfpdsl', 'runs'), runId);
  try {
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'workflow.yaml'), yamlText);
  } catch (e) {
    throw new UsageError(`cannot create the run directory ${runDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const shownRunDir = shownPath(runDir);

  // 6. Notes, then the run.
  const notes: string[] = [];
  const startNotes: string[] = [`running "${pipeline.displayName}" as ${runId}`, IMAGES_NOTE];
  for (const ref of stores.missing) {
    const users = ref.template !== undefined ? ` (used by ${ref.template}; the task will fail)` : '';
    startNotes.push(`${howToProvide(ref)}${users}`);
  }
  if (pip.length > 0) {
    const list = [...new Set(pip.map((s) => s.packages))].join('; ');
    if (opts.skipPackages) {
      startNotes.push(`--skip-packages: pip install skipped; packages assumed present here: ${list}`);
      notes.push(`packages were assumed present (--skip-packages): ${list}`);
    } else {
      startNotes.push(`${pip.map((s) => s.template).join(', ')} install${pip.length === 1 ? 's' : ''} packages with pip when ${pip.length === 1 ? 'it runs' : 'they run'} (${list}); offline this fails: pass --skip-packages if they are installed here`);
    }
  }
  if (seed !== undefined) notes.push(`--seed ${seed} sets PYTHONHASHSEED and KFPDSL_SEED; Python's random module is not seeded by it`);

  const shape = new WorkflowShape(workflow);
  const mode: ProgressMode = opts.quiet ? 'quiet' : process.stderr.isTTY && opts.format === 'pretty' && process.env['TERM'] !== 'dumb' ? 'live' : 'plain';
  const progress = new Progress({ mode, stream: process.stderr, paint: paint(stderrColour), shape, runDir, explain });
  if (!opts.quiet) progress.print(startNotes.map((n) => `${paint(stderrColour).dim('note:')} ${n}\n`).join(''));

  const interrupted = (signal: NodeJS.Signals): void => {
    progress.end(false);
    killChildren();
    process.stderr.write(`\ninterrupted (${signal}): the run was stopped; its files are in ${shownRunDir}\n`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

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
      onEvent: progress.onEvent,
      ...(seed !== undefined ? { env: { PYTHONHASHSEED: String(seed), KFPDSL_SEED: String(seed) } } : {}),
    });
  } finally {
    progress.end(mode === 'live' && Boolean(process.stdout.isTTY) && opts.format === 'pretty');
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
  const finishedAt = Date.now();

  // 7. run.json and the summary.
  const tasks = runTasks(result, shape, explain);
  const { metrics, problems } = readMetrics(tasks);
  notes.push(...problems);
  const json = runJson({ runId, pipeline: pipeline.name, arguments: args, startedAt, finishedAt }, result, tasks, metrics);
  const jsonText = `${JSON.stringify(json, null, 2)}\n`;
  writeFileSync(join(runDir, 'run.json'), jsonText);

  const summary: SummaryInput = { runId, runDir, shownRunDir, result, durationMs: finishedAt - startedAt, tasks, metrics, notes };
  if (opts.format === 'json') process.stdout.write(jsonText);
  else if (opts.format === 'short' || opts.quiet) process.stdout.write(renderShort(summary));
  else process.stdout.write(renderSummary(summary, paint(stdoutColour)));
  return result.phase === 'Succeeded' ? 0 : 1;
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

/** Relative to the working directory when inside it. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * Each task runs in its own process group (so that Ctrl-C on the terminal does not reach it):
 * on an interrupt, kill the groups of this process's children.
 */
function killChildren(): void {
  const pids = new Set<number>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === process.pid) pids.add(Number(entry));
      } catch {
        // Gone already.
      }
    }
  } catch {
    const r = spawnSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' });
    for (const line of (r.stdout ?? '').split('\n')) if (/^\d+$/.test(line.trim())) pids.add(Number(line.trim()));
  }
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}
