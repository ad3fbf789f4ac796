// Running `kfpdsl run` from tests, synchronously or as a child process the test can signal.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export interface RunTask {
  id: string;
  name: string;
  template: string;
  phase: string;
  message: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number;
  attempts: number | null;
  outputs: { parameters: Record<string, string>; artifacts: Record<string, string> };
  log: string | null;
}

export interface RunJson {
  runId: string;
  phase: string;
  message: string | null;
  interrupted: string | null;
  durationMs: number;
  tasks: RunTask[];
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The run directory (absent when nothing ran). */
  dir?: string;
  json?: RunJson;
}

export const kfpdslBin = join(repoRoot, 'bin', 'kfpdsl.mjs');

/** The environment without colour settings or KFPDSL_… variables, plus `extra` (undefined deletes). */
export function hermeticEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NO_COLOR' && !k.startsWith('KFPDSL_')) merged[k] = v;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

/** The run directories under `parent` (its `.gitignore`, and anything else hidden, left out). */
export function runIds(parent: string): string[] {
  return readdirSync(parent).filter((d) => !d.startsWith('.'));
}

/** Reads the one run directory under `parent`, if the run made one. */
export function readRunDir(parent: string, r: Omit<CliRun, 'dir' | 'json'>): CliRun {
  const out: CliRun = { ...r };
  if (!existsSync(parent)) return out;
  const dirs = runIds(parent);
  if (dirs.length !== 1) throw new Error(`expected one run directory in ${parent}, found ${dirs.join(', ')}`);
  out.dir = join(parent, dirs[0]!);
  const jsonPath = join(out.dir, 'run.json');
  if (existsSync(jsonPath)) out.json = JSON.parse(readFileSync(jsonPath, 'utf8')) as RunJson;
  return out;
}

/** `kfpdsl run ARGS --run-dir <fresh dir under scratch>`, waiting for it. */
export function runSync(scratch: string, args: readonly string[], env: Record<string, string | undefined> = {}, cwd = repoRoot): CliRun {
  // Not created here: a run that stops before it starts leaves no directory.
  const parent = join(mkdtempSync(join(scratch, 'runs-')), 'runs');
  const r = spawnSync(process.execPath, [kfpdslBin, 'run', ...args, '--run-dir', parent], { cwd, env: hermeticEnv(env), encoding: 'utf8', timeout: 180_000 });
  if (r.error) throw r.error;
  return readRunDir(parent, { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr });
}

/** Starts `kfpdsl run` in the background; `done` resolves with the run once it exits. */
export function runAsync(
  scratch: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): { child: ChildProcess; done: Promise<CliRun>; stderr: () => string } {
  const parent = join(mkdtempSync(join(scratch, 'runs-')), 'runs');
  const child = spawn(process.execPath, [kfpdslBin, 'run', ...args, '--run-dir', parent], { cwd: repoRoot, env: hermeticEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kfpdsl run did not exit within 120 s\n${stderr}`));
    }, 120_000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve(readRunDir(parent, { status, signal, stdout, stderr }));
    });
  });
  return { child, done, stderr: () => stderr };
}

/** Writes a .kfp file in a fresh directory under `scratch`. */
export function writeKfp(scratch: string, name: string, lines: readonly string[]): string {
  const dir = mkdtempSync(join(scratch, 'src-'));
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Polls `test` every 50 ms until it holds (a cap of 60 s catches a hang, never a slow machine). */
export async function waitFor(what: string, test: () => boolean, capMs = 60_000): Promise<void> {
  const until = Date.now() + capMs;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Alive and not a zombie (an orphan's new parent may be slow to reap it). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
