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
import { HANG_CAP_MS } from './caps.js';

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
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: HANG_CAP_MS });
  return r.error === undefined && r.status === 0;
}
