/**
 * What a test needs from this machine (a tool on PATH, ../shared, a snapshot…), and the reason
 * it gives when skipped. Every skipped test says why: its title carries the reason, and the
 * reporter test/support/skipped-reporter.ts lists the skipped tests, grouped by reason, at the
 * end of every run.
 *
 *   const dot = requirement(hasDot, 'Graphviz `dot` is not on PATH');
 *   it.skipIf(dot.missing)(dot.title('DOT: Graphviz accepts it'), () => { … });
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The marker that opens a skip reason in a title; the reporter looks for it. */
export const SKIPPED_MARK = ' [skipped: ';

export interface Requirement {
  /** True when the test cannot run here. */
  readonly missing: boolean;
  /** Why, when missing. */
  readonly why: string;
  /** `title`, followed by ` [skipped: why]` when the requirement is missing. */
  title(title: string): string;
}

export function requirement(met: boolean, whyMissing: string): Requirement {
  return {
    missing: !met,
    why: whyMissing,
    title: (title) => (met ? title : `${title}${SKIPPED_MARK}${whyMissing}]`),
  };
}

/** Whether `command args…` runs and exits 0. */
export function runs(command: string, args: readonly string[]): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 60_000 });
  return r.error === undefined && r.status === 0;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** ../shared, the read-only reference material beside the repository. */
export const sharedDir: string = resolve(repoRoot, '..', 'shared');

/** `../shared/<sub>` must exist (kfp v1 anchors, schemas…: reference material that is not in the repository). */
export function sharedRequirement(sub: string): Requirement {
  const dir = join(sharedDir, sub);
  return requirement(existsSync(dir), `${dir} is absent (reference material beside the repository)`);
}
