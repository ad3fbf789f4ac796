/**
 * Task processes that left their process group. Killing a task's group (process.ts) ends what
 * it started, except what called setsid() or setpgid() on its way (a daemon, `setsid cmd`,
 * `nohup … &` under a shell with job control): in a container those die with the container,
 * locally they would outlive the run. So every task process carries tags in its environment
 * (as Jenkins' ProcessTreeKiller tags builds with a cookie): one for the run and one for the
 * task, each unpredictable. A process keeps its environment across fork, exec and setsid, so
 * on Linux the strays are found in /proc/<pid>/environ and killed: a task's own when it is
 * stopped (a signal, a deadline), and the whole run's when the run ends. Elsewhere (no /proc)
 * only the process groups are killed. A program that clears its environment is not found.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** The environment variable holding the tags; tags of an enclosing kfpdsl run are kept before ours. */
export const TAGS_VAR = 'KFPDSL_PROCESS_TAGS';

export const newTag = (): string => `kfpdsl-${randomBytes(16).toString('hex')}`;

/** The value of TAGS_VAR for a task process: what this process inherited, then `tags`. */
export function tagsValue(inherited: string | undefined, tags: readonly string[]): string {
  return [...(inherited ? [inherited] : []), ...tags].join(' ');
}

/** Rounds of looking: a stray may fork between one look and its kill (a killed one cannot). */
const ROUNDS = 5;

/** Kills (SIGKILL) every process of this user whose environment holds `tag`; returns how many. */
export function killTagged(tag: string): number {
  const needle = Buffer.from(tag);
  const killed = new Set<number>();
  for (let round = 0; round < ROUNDS; round++) {
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      break;
    }
    let found = 0;
    for (const e of entries) {
      const pid = Number(e);
      if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || killed.has(pid)) continue;
      let environ: Buffer;
      try {
        // Another user's process cannot be read (EACCES), nor killed: skipped. A zombie's is empty.
        environ = readFileSync(`/proc/${pid}/environ`);
      } catch {
        continue;
      }
      if (environ.indexOf(needle) < 0) continue;
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
        found++;
      } catch {
        // Gone meanwhile.
      }
    }
    if (found === 0) break;
  }
  return killed.size;
}
