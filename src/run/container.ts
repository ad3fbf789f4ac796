/**
 * One attempt of a container (or script) template: a fresh file system under the step
 * directory, input artifacts materialized, declared paths rewritten to host paths, the
 * process run, and the outputs collected.
 */
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunContext } from './context.js';
import { containerEnv, expandK8s, secretPlaceholder, type PodFacts } from './env.js';
import { collectOutputs } from './outputs.js';
import { PathMap } from './paths.js';
import { runProcess } from './process.js';
import { arr, isObj, obj, objs, str, type Obj } from './spec.js';
import { newTag, TAGS_VAR, tagsValue } from './strays.js';
import type { Lookup } from './substitute.js';
import type { ArtifactValue, NodeOutputs } from './types.js';
import { resolveMounts } from './volumes.js';

export interface AttemptResult {
  phase: 'Succeeded' | 'Failed' | 'Error';
  message?: string;
  outputs?: NodeOutputs;
  /** Stopped by the workflow's deadline: never retried. */
  aborted?: boolean;
}

export interface ContainerAttempt {
  readonly tmpl: Obj;
  readonly dir: string;
  readonly attempt: number;
  readonly artifacts: ReadonlyMap<string, ArtifactValue>;
  readonly pod: PodFacts;
  /** Resolves `{{...}}` left in spec-level volumes. */
  readonly lookup: Lookup;
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Reads the collected outputs further (a v2 launcher types its output parameters); an error fails the attempt. */
  readonly finish?: FinishOutputs;
}

/** `host` maps a container path to where the attempt's file system keeps it. */
export type FinishOutputs = (outputs: NodeOutputs, host: (containerPath: string) => string) => { outputs: NodeOutputs } | { error: string };

export async function runContainerAttempt(ctx: RunContext, a: ContainerAttempt): Promise<AttemptResult> {
  const scratch = ctx.attemptScratch();
  try {
    return await attempt(ctx, a, scratch);
  } finally {
    removeQuietly(scratch);
  }
}

/** Cleanup never turns an attempt's outcome into an error (the run's end removes any leftover). */
function removeQuietly(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Something still writing there: removed with the run's scratch directory.
  }
}

/** Files that may hold task output or what a task was given: readable by this user only. */
const PRIVATE = { mode: 0o600 } as const;

async function attempt(ctx: RunContext, a: ContainerAttempt, scratch: string): Promise<AttemptResult> {
  const script = isObj(a.tmpl['script']) ? a.tmpl['script'] : undefined;
  const container = script ?? obj(a.tmpl['container']);
  freshAttemptDirs(a.dir, a.attempt);
  // Each attempt has its own TMPDIR, removed with it: the kfp wrapper's `mktemp` and Python's
  // tempfile leave nothing behind in the user's /tmp.
  const tmp = join(scratch, 'tmp');
  mkdirSync(tmp);

  const mounts = resolveMounts(ctx, a.tmpl, a.dir, a.lookup, scratch);
  if ('error' in mounts) return { phase: 'Error', message: mounts.error };
  const workingDir = str(container['workingDir']);
  const fsRoot = join(a.dir, 'fs');
  const cwd = workingDir ? new PathMap(fsRoot, mounts.mounts, a.dir).host(workingDir) : a.dir;
  const paths = new PathMap(fsRoot, mounts.mounts, cwd);
  mkdirSync(cwd, { recursive: true });
  const known = declaredPaths(a.tmpl, mounts.mounts.map((m) => m.mountPath), workingDir);

  const staged = stageInputs(a.tmpl, a.artifacts, paths);
  if (staged) return { phase: 'Error', message: staged };
  prepareOutputDirs(a.tmpl, paths);

  const env = containerEnv(ctx, container, a.pod);
  if ('error' in env) return { phase: 'Error', message: env.error };
  const rewrite = (s: string): string => paths.rewrite(s, known);
  for (const [k, v] of env.env) env.env.set(k, rewrite(v));
  const expand = (s: unknown): string => expandK8s(rewrite(str(s) ?? ''), env.env);

  const argv = [...arr(container['command']).map(expand), ...arr(container['args']).map(expand)];
  // What pod.json records: secrets as `<secret:name/key>`, never their values.
  const shown = [...arr(container['command']), ...arr(container['args'])].map((s) => expandK8s(rewrite(str(s) ?? ''), env.shown));
  if (script) {
    const source = join(a.dir, 'script');
    writeFileSync(source, rewrite(str(script['source']) ?? ''), PRIVATE);
    argv.splice(arr(container['command']).length, 0, source);
    shown.splice(arr(container['command']).length, 0, source);
  }
  if (argv.length === 0) return { phase: 'Error', message: 'the container has no command: the image entrypoint cannot be run locally' };
  writeFileSync(join(a.dir, 'pod.json'), `${JSON.stringify({ pod: a.pod.name, image: str(container['image']), argv: shown, cwd }, null, 2)}\n`, PRIVATE);

  const base = { ...stringEnv(process.env), TMPDIR: tmp, TMP: tmp, TEMP: tmp, ...Object.fromEntries(env.env), ...ctx.opts.env };
  // Set last, so that no setting hides it: it is how processes that left the task's group are found.
  const tag = newTag();
  const tags = { [TAGS_VAR]: tagsValue(process.env[TAGS_VAR], [ctx.tag, tag]) };
  const run = await runProcess({
    argv,
    cwd,
    env: { ...base, ...ctx.opts.templateEnv?.(str(a.tmpl['name']) ?? '', base), ...tags },
    tag,
    logPath: join(a.dir, 'log'),
    mask: secretMask(ctx),
    ...(a.deadlineMs !== undefined ? { deadlineMs: a.deadlineMs } : {}),
    ...(a.signal ? { signal: a.signal } : {}),
  });
  if (run.aborted) return { phase: 'Failed', message: ctx.stopMessage, aborted: true };
  if (run.timedOut) return { phase: 'Failed', message: 'activeDeadlineSeconds exceeded' };
  // The command as pod.json shows it: a secret named in it (`$(TOOL)`) stays `<secret:name/key>`.
  if (run.startError !== undefined) return { phase: 'Failed', message: `cannot run ${JSON.stringify(shown[0])}: ${run.startError}` };
  if (run.exitCode !== 0) {
    return { phase: 'Failed', message: run.exitCode === null ? `terminated by ${run.termSignal ?? 'a signal'}` : `Error (exit code ${run.exitCode})` };
  }
  const collected = collectOutputs(a.tmpl, paths, a.dir, run.stdout);
  if ('error' in collected) return { phase: 'Error', message: collected.error };
  if (a.finish) {
    const finished = a.finish(collected.outputs, (p) => paths.host(p));
    return 'error' in finished ? { phase: 'Failed', message: finished.error } : { phase: 'Succeeded', outputs: finished.outputs };
  }
  return { phase: 'Succeeded', outputs: collected.outputs };
}

/** Each attempt is a new pod: a clean file system, with earlier logs kept as `log.<n>`. */
function freshAttemptDirs(dir: string, attempt: number): void {
  for (const d of ['fs', 'volumes', 'outputs']) rmSync(join(dir, d), { recursive: true, force: true });
  const log = join(dir, 'log');
  if (attempt > 1 && existsSync(log)) renameSync(log, join(dir, `log.${attempt - 1}`));
  mkdirSync(join(dir, 'fs'), { recursive: true });
}

/** Every container path the template declares; these are what get rewritten in its strings. */
function declaredPaths(tmpl: Obj, mountPaths: readonly string[], workingDir: string | undefined): string[] {
  const inputs = objs(obj(tmpl['inputs'])['artifacts']).map((a) => str(a['path']));
  const outputs = obj(tmpl['outputs']);
  const outArtifacts = objs(outputs['artifacts']).map((a) => str(a['path']));
  const outParams = objs(outputs['parameters']).map((p) => str(obj(p['valueFrom'])['path']));
  return [...inputs, ...outArtifacts, ...outParams, ...mountPaths, workingDir].filter((p): p is string => p !== undefined);
}

/** Copies each input artifact to its path; returns an error message, if any. */
function stageInputs(tmpl: Obj, artifacts: ReadonlyMap<string, ArtifactValue>, paths: PathMap): string | undefined {
  for (const spec of objs(obj(tmpl['inputs'])['artifacts'])) {
    const name = str(spec['name']) ?? '';
    const path = str(spec['path']);
    const value = artifacts.get(name);
    if (value === undefined) continue;
    if (path === undefined) return `input artifact "${name}" has no path`;
    const host = paths.host(path);
    mkdirSync(dirname(host), { recursive: true });
    if ('raw' in value) writeFileSync(host, value.raw, PRIVATE);
    else if (existsSync(value.path)) cpSync(value.path, host, { recursive: true });
    else return `input artifact "${name}": ${value.path} does not exist`;
  }
  return undefined;
}

/** Directories like /tmp exist in every image; create the parents of declared output files. */
function prepareOutputDirs(tmpl: Obj, paths: PathMap): void {
  const outputs = obj(tmpl['outputs']);
  const files = [...objs(outputs['artifacts']).map((a) => str(a['path'])), ...objs(outputs['parameters']).map((p) => str(obj(p['valueFrom'])['path']))];
  for (const f of files) if (f !== undefined) mkdirSync(dirname(paths.host(f)), { recursive: true });
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Every secret value of the run, as its placeholder: a task that prints one leaves `<secret:name/key>` in its log. */
function secretMask(ctx: RunContext): Map<string, string> {
  const mask = new Map<string, string>();
  for (const [name, data] of Object.entries(ctx.opts.secrets ?? {})) for (const [key, value] of Object.entries(data)) if (!mask.has(value)) mask.set(value, secretPlaceholder(name, key));
  return mask;
}
