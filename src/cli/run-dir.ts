/** Where one `kfpdsl run` keeps its files. */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A new run directory, `<prefix>-<4 hex digits>`: made by this run (mkdir without `recursive`
 * fails on one that exists), so nothing planted there beforehand (a symlink named run.json) is
 * written through. Private (0700): task logs and outputs live there.
 */
export function freshRunDir(parent: string, prefix: string, suffix: () => string = () => randomBytes(2).toString('hex')): { runId: string; runDir: string } {
  for (let tries = 0; ; tries++) {
    const runId = `${prefix}-${suffix()}`;
    const runDir = join(parent, runId);
    try {
      mkdirSync(runDir, { mode: 0o700 });
      return { runId, runDir };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 100) throw e;
    }
  }
}

