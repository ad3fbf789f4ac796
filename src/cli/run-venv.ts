/**
 * Local runs never touch the user's Python: a component's `packages` are installed into a
 * virtual environment of their own, one per distinct package set and interpreter, cached under
 * `$XDG_CACHE_HOME/kfpdsl/venvs/` (default `~/.cache/kfpdsl/venvs/`) and reused by later runs.
 *
 * - The environment is made with `--system-site-packages`: like the image on a cluster, where
 *   kfp pip-installs on top of what the image already has, a task sees the interpreter's own
 *   packages plus its `packages`, and nothing is installed into the interpreter itself.
 * - It is built in a temporary directory beside its final place and renamed into place once
 *   complete, so two runs that race both succeed and a half-built environment is never used
 *   (an interrupted build leaves only a `.tmp-*` directory, removed by the next build of it).
 * - pip runs with the user's configuration (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX, pip.conf),
 *   so a private index or a directory of wheels works offline.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export interface Interpreter {
  /** What tasks and venv creation run (absolute when it was found). */
  readonly command: string;
  readonly version: string;
  /** sys.executable and sys.prefix: two installs of one version are told apart. */
  readonly executable: string;
  readonly prefix: string;
}

const PROBE = 'import sys, venv, ensurepip\nprint(sys.version.split()[0]); print(sys.executable); print(sys.prefix)';

/** Asks the interpreter who it is; an error says why it cannot make virtual environments. */
export function probePython(command: string): Interpreter | { error: string } {
  const r = spawnSync(command, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { error: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${command} was not found` : r.error.message };
  if (r.status !== 0) {
    const last = (r.stderr || r.stdout).trim().split('\n').pop() ?? '';
    if (/ensurepip|venv/.test(last)) return { error: `${command} cannot make virtual environments (${last}); on Debian and Ubuntu, install python3-venv` };
    return { error: `${command} is not a working Python 3 (${last || `exit code ${r.status}`})` };
  }
  const [version = '', executable = '', prefix = ''] = r.stdout.trim().split('\n');
  if (!/^3\./.test(version)) return { error: `${command} is Python ${version}, not Python 3` };
  return { command: executable && isAbsolute(executable) ? executable : command, version, executable, prefix };
}

/** `$XDG_CACHE_HOME/kfpdsl` (an absolute XDG_CACHE_HOME only, as the spec says), else `~/.cache/kfpdsl`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'kfpdsl');
}

/** The environment's directory name: the sorted requirements and the interpreter. */
export function venvKey(py: Interpreter, requirements: readonly string[]): string {
  const identity = JSON.stringify({ requirements: [...new Set(requirements)].sort(), python: py.version, executable: safeRealpath(py.executable), prefix: py.prefix });
  return `py${py.version.split('.').slice(0, 2).join('')}-${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}

export type VenvOutcome =
  | { readonly dir: string; readonly created: boolean }
  | { readonly failed: readonly string[]; readonly detail: string; readonly offline: boolean }
  | { readonly interrupted: true };

/** The file that marks a complete environment, with what it holds. */
const MARKER = 'kfpdsl-venv.json';

/**
 * The environment for `requirements`: reused when complete, else made and filled. `abort`
 * kills a build in progress (its temporary directory is removed).
 */
export async function ensureVenv(py: Interpreter, requirements: readonly string[], root: string, abort: AbortSignal, onMake: () => void = () => {}): Promise<VenvOutcome> {
  const venvs = join(root, 'venvs');
  const key = venvKey(py, requirements);
  const dir = join(venvs, key);
  if (existsSync(join(dir, MARKER))) return { dir, created: false };
  onMake();
  mkdirSync(venvs, { recursive: true, mode: 0o700 });
  removeStale(venvs, key);
  const tmp = mkdtempSync(join(venvs, `.tmp-${key}-`));
  try {
    // Without its own pip when the interpreter has one (it is seen through the system site
    // packages and installs into the environment): making the environment takes a second, not ten.
    const made = await run(py.command, ['-m', 'venv', '--without-pip', '--system-site-packages', tmp], abort);
    if (made === 'aborted') return { interrupted: true };
    if (made.code !== 0) return { failed: [...requirements], detail: lastLines(made.output), offline: false };
    const python = join(tmp, 'bin', 'python');
    const hasPip = await run(python, ['-c', 'import pip'], abort);
    if (hasPip === 'aborted') return { interrupted: true };
    if (hasPip.code !== 0) {
      const ensured = await run(python, ['-m', 'ensurepip', '--default-pip'], abort);
      if (ensured === 'aborted') return { interrupted: true };
      if (ensured.code !== 0) return { failed: [...requirements], detail: lastLines(ensured.output), offline: false };
    }
    const pip = await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', ...requirements], abort);
    if (pip === 'aborted') return { interrupted: true };
    if (pip.code !== 0) return { failed: failedRequirements(pip.output, requirements), detail: lastLines(pip.output), offline: looksOffline(pip.output) };
    relocate(tmp, dir);
    writeFileSync(join(tmp, MARKER), `${JSON.stringify({ requirements: [...requirements].sort(), python: py.version, executable: py.executable, createdAt: new Date().toISOString() }, null, 2)}\n`);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another run finished the same environment first: use theirs.
      const code = (e as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(join(dir, MARKER))) return { dir, created: false };
      throw e;
    }
    return { dir, created: true };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Leftovers of builds of this environment that were killed (older than an hour: a build in progress is younger). */
function removeStale(venvs: string, key: string): void {
  for (const name of readdirSync(venvs)) {
    if (!name.startsWith(`.tmp-${key}-`)) continue;
    const path = join(venvs, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already.
    }
  }
}

/** Scripts in bin/ name the directory they were made in (shebangs, activate): point them at the final one. */
function relocate(from: string, to: string): void {
  const bin = join(from, 'bin');
  for (const name of readdirSync(bin)) {
    const path = join(bin, name);
    try {
      const st = statSync(path);
      if (!st.isFile() || st.size > 1024 * 1024) continue;
      const text = readFileSync(path);
      if (text.includes(0) || !text.includes(from)) continue;
      writeFileSync(path, text.toString('utf8').split(from).join(to), { mode: st.mode });
    } catch {
      // A broken link or an unreadable file: not a script of ours.
    }
  }
}

/** Runs a command in its own process group, keeping the last 64 kB of its output; `abort` kills the group. */
function run(command: string, args: readonly string[], abort: AbortSignal): Promise<{ code: number | null; output: string } | 'aborted'> {
  return new Promise((resolve) => {
    if (abort.aborted) return resolve('aborted');
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: pipEnv(process.env) });
    let output = '';
    const keep = (c: Buffer): void => {
      output = (output + c.toString('utf8')).slice(-65536);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const onAbort = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    };
    abort.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      abort.removeEventListener('abort', onAbort);
      resolve({ code: -1, output: e.message });
    });
    child.on('close', (code) => {
      abort.removeEventListener('abort', onAbort);
      resolve(abort.aborted ? 'aborted' : { code, output });
    });
  });
}

/**
 * The user's environment for pip, minus what would send the install anywhere but the virtual
 * environment (PIP_USER, PIP_TARGET, PIP_PREFIX, PIP_ROOT); index settings are kept.
 */
function pipEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const k of ['PIP_USER', 'PIP_TARGET', 'PIP_PREFIX', 'PIP_ROOT', 'PYTHONHOME', 'VIRTUAL_ENV']) delete out[k];
  return out;
}

/** The requirements pip names as not found; all of them when it names none. */
export function failedRequirements(output: string, requirements: readonly string[]): string[] {
  const named = new Set<string>();
  for (const m of output.matchAll(/(?:No matching distribution found for|satisfies the requirement) (\S+)/g)) named.add(m[1]!);
  const failed = requirements.filter((r) => named.has(r) || [...named].some((n) => n.toLowerCase() === r.toLowerCase()));
  return failed.length > 0 ? failed : [...requirements];
}

function looksOffline(output: string): boolean {
  return /No matching distribution found|Could not find a version|NewConnectionError|Temporary failure in name resolution|Network is unreachable|Failed to establish a new connection|--no-index/.test(output);
}

function lastLines(output: string, n = 4): string {
  return output.trim().split('\n').filter((l) => l.trim() !== '').slice(-n).join('\n');
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * A directory holding `python3` and `python` scripts that run `py` (for tasks without packages
 * when --python is given): scripts rather than links, since a link to a venv's python would
 * not find its pyvenv.cfg. Made once per interpreter, race-safe as the environments are.
 */
export function pythonShims(py: Interpreter, root: string): string {
  const shims = join(root, 'shims');
  const dir = join(shims, createHash('sha256').update(py.command).digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'python3'))) return dir;
  mkdirSync(shims, { recursive: true, mode: 0o700 });
  const tmp = mkdtempSync(join(shims, '.tmp-'));
  const script = `#!/bin/sh\nexec '${py.command.replace(/'/g, `'\\''`)}' "$@"\n`;
  for (const name of ['python3', 'python']) writeFileSync(join(tmp, name), script, { mode: 0o755 });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
