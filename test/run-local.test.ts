/**
 * What a local run leaves on this machine: `.kfpdsl/` keeps itself out of git, and each task's
 * recorded time is its own running time (not the wait for a free slot).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle, repoRoot } from './support/cli.js';
import { hermeticEnv, kfpdslBin, runSync, writeKfp } from './support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-run-local-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(() => ensureBundle(), 120_000);

describe('.kfpdsl/ ignores itself', () => {
  it('the default run directory root holds a .gitignore of `*`, so git sees nothing new', () => {
    const repo = mkdtempSync(join(scratch, 'repo-'));
    expect(spawnSync('git', ['init', '-q'], { cwd: repo }).status).toBe(0);
    const r = spawnSync(process.execPath, [kfpdslBin, 'run', join(repoRoot, 'examples', 'add.kfp'), '--arg', 'value_1=3', '--quiet'], {
      cwd: repo,
      env: hermeticEnv(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(repo, '.kfpdsl', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: repo, encoding: 'utf8' });
    expect(status.stdout).toBe('');
  });

  it('a --run-dir that kfpdsl creates ignores itself too; an existing one is left alone', () => {
    const fresh = join(scratch, 'fresh-parent', 'runs');
    const r = spawnSync(process.execPath, [kfpdslBin, 'run', 'examples/add.kfp', '--arg', 'value_1=3', '--quiet', '--run-dir', fresh], {
      cwd: repoRoot,
      env: hermeticEnv(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(scratch, 'fresh-parent', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    const existing = mkdtempSync(join(scratch, 'existing-'));
    expect(runSync(existing, ['examples/add.kfp', '--arg', 'value_1=3', '--quiet']).status).toBe(0);
    expect(existsSync(join(existing, '.gitignore'))).toBe(false);
  });
});

describe('task times', () => {
  it('under --parallelism 1 each loop iteration is timed from its own start: the intervals never overlap', () => {
    const path = writeKfp(scratch, 'times.kfp', [
      'component nap(n: int) -> int {',
      '  ```python',
      '  import time',
      '  time.sleep(0.4)',
      '  return n',
      '  ```',
      '}',
      'pipeline "times" () {',
      '  for n in [1, 2, 3, 4] {',
      '    nap(n)',
      '  }',
      '}',
    ]);
    const r = runSync(scratch, [path, '--parallelism', '1', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const naps = r.json!.tasks.filter((t) => t.name === 'nap');
    expect(naps).toHaveLength(4);
    const spans = naps.map((t) => [Date.parse(t.startedAt!), Date.parse(t.finishedAt!)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    // One at a time, each counted from its own start: together they fit in the run.
    const total = naps.reduce((sum, t) => sum + t.durationMs, 0);
    expect(total).toBeLessThanOrEqual(r.json!.durationMs);
    for (const t of naps) expect(t.durationMs).toBe(Date.parse(t.finishedAt!) - Date.parse(t.startedAt!));
  });
});
