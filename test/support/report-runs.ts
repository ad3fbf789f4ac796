/**
 * Real runs for the run-report tests (test/run-report-html.test.ts, test/browser.test.ts):
 * `kfpdsl run` of the bundled CLI with this machine's python3, in a fresh run directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBundle, repoRoot } from './cli.js';
import { HANG_CAP_MS } from './caps.js';

/** A pipeline that fails: a condition taken and one not, a task that raises on both of its attempts, one omitted after it; Korean in names and logs. */
export const FAILING_KFP = `
component make(n: int) -> int {
  \`\`\`python
  return n * 2
  \`\`\`
}

component boom(x: int) -> int {
  \`\`\`python
  print("시작합니다", x)
  if x > 0:
      raise ValueError(f"잘못된 값 {x}")
  return x
  \`\`\`
}

component show(v: int) {
  \`\`\`python
  print(v)
  \`\`\`
}

pipeline "실패하는 파이프라인" (n: int = 3) {
  m = make(n)
  if m > 2 {
    b = boom(m) { retry: 1 }
    show(b)
  } else {
    show(m)
  }
}
`;

export interface ReportRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The parent of run directories (`--run-dir`). */
  readonly parent: string;
  /** The run directory. */
  readonly dir: string;
}

export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** `kfpdsl run FILE --run-dir <parent>` (non-TTY, no colour). */
export function runPipeline(file: string, parent: string, args: readonly string[] = [], cwd = repoRoot): ReportRun {
  ensureBundle();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('KFPDSL_')) env[k] = v;
  env['NO_COLOR'] = '1';
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kfpdsl.mjs'), 'run', file, '--run-dir', parent, ...args], { cwd, env, encoding: 'utf8', timeout: HANG_CAP_MS });
  if (r.error) throw r.error;
  const dirs = existsSync(parent) ? readdirSync(parent).filter((d) => d !== '.gitignore') : [];
  const newest = dirs.sort().at(-1);
  // No run directory: the run never started, and a test must not go on to write beside it.
  if (newest === undefined) throw new Error(`kfpdsl run ${file} made no run directory (exit ${r.status}):\n${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, parent, dir: join(parent, newest) };
}

export function writeKfp(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
