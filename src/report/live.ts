/**
 * The run report while a run goes: `kfpdsl run` starts it once the run directory exists
 * (graph.json and the `run` line of events.jsonl are written, then report.html), hands it each
 * executor event (appended to events.jsonl with its time, and the page rewritten at most
 * every half second), and finishes it after run.json is written (the final page).
 * Every page is made from the directory's files (collect.ts), as `kfpdsl runs show` makes it,
 * and written whole (a temporary file renamed into place), so a browser never reads half a page.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { writeWhole } from '../cli/files.js';
import { join } from 'node:path';
import type { Graph } from '../graph/graph.js';
import type { RunEvent } from '../run/types.js';
import { collectRun, type RunStartLine } from './collect.js';
import { renderReport } from './render.js';

export const REPORT_FILE = 'report.html';

/** Writes report.html of a run directory from its files; returns its path. Never throws: a report is not worth failing a run for. */
export function writeReport(runDir: string): string {
  const path = join(runDir, REPORT_FILE);
  try {
    writeWhole(runDir, REPORT_FILE, renderReport(collectRun(runDir)), 0o600);
  } catch {
    // The run directory went away or is read-only: the run's own output still says everything.
  }
  return path;
}

export interface LiveStart {
  readonly runDir: string;
  readonly runId: string;
  readonly title: string;
  readonly pipeline: string;
  readonly arguments: Record<string, string>;
  readonly graph: Graph;
}

const REWRITE_MS = 500;

export class LiveReport {
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private interval = REWRITE_MS;
  readonly path: string;

  constructor(private readonly start: LiveStart) {
    this.path = join(start.runDir, REPORT_FILE);
    const line: RunStartLine = { kind: 'run', runId: start.runId, title: start.title, pipeline: start.pipeline, arguments: start.arguments, at: Date.now(), pid: process.pid };
    try {
      writeFileSync(join(start.runDir, 'graph.json'), `${JSON.stringify(start.graph)}\n`, { mode: 0o600 });
      writeFileSync(join(start.runDir, 'events.jsonl'), `${JSON.stringify(line)}\n`, { mode: 0o600 });
    } catch {
      // As in writeReport: the report says what it can.
    }
    writeReport(start.runDir);
  }

  readonly onEvent = (e: RunEvent): void => {
    if (this.finished) return;
    const { kind, id, displayName, template, type, phase, message, attempt } = e;
    try {
      appendFileSync(join(this.start.runDir, 'events.jsonl'), `${JSON.stringify({ kind, at: Date.now(), id, displayName, template, type, phase, message, attempt })}\n`);
    } catch {
      // See writeReport.
    }
    // At most one rewrite per interval, and at most a tenth of the run's time spent on them (a
    // page of thousands of tasks takes a while to make); unref'd, so a pending one never keeps
    // the process alive.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.finished) return;
      const t0 = Date.now();
      writeReport(this.start.runDir);
      this.interval = Math.max(REWRITE_MS, 10 * (Date.now() - t0));
    }, this.interval).unref();
  };

  /** The final page, from run.json; returns its path. */
  finish(): string {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return writeReport(this.start.runDir);
  }
}
