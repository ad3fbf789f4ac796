/**
 * The run's private temporary directory (attempts' TMPDIR and secret volumes), and what a run
 * that was killed outright (SIGKILL, the OOM killer, a crash) left of its own. Such a run could
 * not remove its directory, which may hold secret files in clear, nor kill its tasks, which
 * run on as orphans. Each directory is named with its run's process id and holds the run's
 * process tag (strays.ts), so the next run on the machine, finding one whose process is gone,
 * kills the processes tagged with it and removes it.
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killTagged } from './strays.js';
import { processAlive } from '../process-alive.js';

const PREFIX = 'kfpdsl-run-';
const TAG_FILE = 'tag';

/** A new scratch root for this run (0700, unpredictable name), after clearing what dead runs left. */
export function makeScratchRoot(tag: string): string {
  removeAbandoned();
  const root = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  writeFileSync(join(root, TAG_FILE), tag, { mode: 0o600, flag: 'wx' });
  return root;
}

/** Scratch roots of this user's runs whose process is gone: their tasks killed, the directories removed. */
export function removeAbandoned(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const m = /^kfpdsl-run-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    // A live process may be a run still going (or one that reused the pid): left alone.
    if (processAlive(pid)) continue;
    const dir = join(tmpdir(), name);
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      const tag = readFileSync(join(dir, TAG_FILE), 'utf8');
      if (/^kfpdsl-[0-9a-f]{32}$/.test(tag)) killTagged(tag);
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Not ours to read, or gone meanwhile.
    }
  }
}
