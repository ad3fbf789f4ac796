/** Rewriting files in place (for `fmt`): through symlinks, keeping each file's mode, all or nothing. */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive } from '../process-alive.js';

export class UsageError extends Error {}

/**
 * Replaces the contents of every file or of none. Each new text goes to a temporary file
 * beside the file's real target (a symlink is followed, so the link stays a link), created
 * exclusively under an unpredictable name with the target's permission bits; only when all
 * are written are they renamed over their targets. The renames run without a turn of the
 * event loop, so SIGINT cannot stop them half-way; it is delivered afterwards.
 */
export function replaceContents(files: ReadonlyMap<string, string>): void {
  const temps: [string, string][] = [];
  const swept = new Set<string>();
  try {
    for (const [path, text] of files) {
      const target = realpathSync(path);
      if (!swept.has(dirname(target))) removeAbandonedTemps(dirname(target));
      swept.add(dirname(target));
      const mode = statSync(target).mode & 0o7777;
      const tmp = join(dirname(target), `.${basename(target)}.kfpdsl-${process.pid}-${randomBytes(6).toString('hex')}`);
      const fd = openSync(tmp, 'wx', 0o600);
      temps.push([tmp, target]);
      try {
        // The mode given to open is filtered by the umask: set it exactly.
        fchmodSync(fd, mode);
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
    }
  } catch (e) {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    throw e;
  }
  for (const [tmp, target] of temps) renameSync(tmp, target);
}

/**
 * Writes `dir/name` whole or not at all, for a file kfpdsl makes (`import -o`): the text goes to
 * a temporary file beside it, created exclusively under an unpredictable name, which is then
 * renamed over `name`. Whatever was at `name` is replaced, never followed: a symlink planted
 * there is replaced by the file, and its target stays as it was.
 */
export function writeWhole(dir: string, name: string, text: string, mode = 0o644): void {
  removeAbandonedTemps(dir);
  const tmp = join(dir, `.${name.slice(0, 100)}.kfpdsl-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      fchmodSync(fd, mode & ~process.umask());
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, name));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The temporaries above: `.<name>.kfpdsl-<pid>-<12 hex digits>`. */
const TEMP = /^\..*\.kfpdsl-(\d+)-[0-9a-f]{12}$/;

/**
 * Removes temporaries that a kfpdsl killed outright (SIGKILL) left in `dir`: those whose
 * process is gone. A live process's are its own business (another fmt at work).
 */
export function removeAbandonedTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      rmSync(join(dir, name), { force: true });
    } catch {
      // Not a file (a directory of that name is not ours): left alone.
    }
  }
}

