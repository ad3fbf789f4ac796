// Running the real `kfpdsl` binary (bin/kfpdsl.mjs → dist/kfpdsl.cjs) from tests.
//
// `npm test` bundles first (pretest). When vitest is run directly, the bundle may be missing or
// older than the sources; ensureBundle() rebuilds it then, once, under a lock so that parallel
// test workers never spawn a half-written bundle.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HANG_CAP_MS } from './caps.js';

export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundle = join(repoRoot, 'dist', 'kfpdsl.cjs');
const lock = join(repoRoot, 'dist', '.bundle-lock');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

function bundleIsFresh(): boolean {
  if (!existsSync(bundle)) return false;
  const sources = Math.max(newestMtime(join(repoRoot, 'src')), newestMtime(join(repoRoot, 'package.json')));
  return statSync(bundle).mtimeMs >= sources;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

let checked = false;

/** Make sure dist/kfpdsl.cjs exists and is not older than src/ (rebuilding it if needed). */
export function ensureBundle(): void {
  if (checked) return;
  const deadline = Date.now() + HANG_CAP_MS;
  while (!bundleIsFresh()) {
    mkdirSync(dirname(lock), { recursive: true });
    let owner = false;
    try {
      mkdirSync(lock);
      owner = true;
    } catch {
      // Another worker is bundling (a minute, on a busy machine); a lock older than the hang cap is left over from a crash.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > HANG_CAP_MS) rmSync(lock, { recursive: true, force: true });
    }
    if (owner) {
      try {
        if (!bundleIsFresh()) {
          const r = spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: repoRoot, encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`node scripts/bundle.mjs failed:\n${r.stderr}`);
        }
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      break;
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for another worker to bundle dist/kfpdsl.cjs');
    sleep(100);
  }
  checked = true;
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `node bin/kfpdsl.mjs ...args` in the repository root (non-TTY, NO_COLOR unset unless given). */
export function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): CliResult {
  ensureBundle();
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kfpdsl.mjs'), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: HANG_CAP_MS,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `dir`, as sorted `/`-separated relative paths. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, prefix: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out.push(`${prefix}${e.name}`);
    }
  };
  walk(dir, '');
  return out.sort();
}
