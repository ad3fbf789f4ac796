/**
 * Progress of `kfpdsl run` on stderr: on a terminal, a table of tasks redrawn in place (status
 * icon, task, status, time); elsewhere, one plain line per change, `[  1.2s] sum  Succeeded`.
 * Every failure is followed by the last lines of the task's log, in both modes.
 */
import { join } from 'node:path';
import type { RunEvent } from '../run/types.js';
import { formatDuration, logTail, phaseColour, skippedWith, stepDirOf, taskLabel, width, type Paint, type TaskShape } from './run-report.js';

export type ProgressMode = 'live' | 'plain' | 'quiet';

export interface ProgressOptions {
  readonly mode: ProgressMode;
  readonly stream: NodeJS.WriteStream;
  readonly paint: Paint;
  readonly shape: TaskShape;
  readonly runDir: string;
  /** The failure message as shown to the user (missing secrets name the variable to set). */
  readonly explain: (message: string, template: string) => string;
  readonly tailLines?: number;
}

type RowStatus = 'Running' | 'Retrying' | 'Succeeded' | 'Failed' | 'Error' | 'Skipped' | 'Omitted';

interface Row {
  label: string;
  status: RowStatus;
  started: number;
  durationMs?: number;
  attempt?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ICON: Record<Exclude<RowStatus, 'Running'>, string> = { Retrying: '↻', Succeeded: '✓', Failed: '✗', Error: '✗', Skipped: '-', Omitted: '-' };
const LABEL_WIDTH = 12;

export class Progress {
  private readonly rows = new Map<string, Row>();
  private readonly start = Date.now();
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(private readonly o: ProgressOptions) {}

  begin(): void {
    if (this.o.mode !== 'live') return;
    this.started = true;
    this.o.stream.write('\u001b[?25l');
    this.timer = setInterval(() => this.draw(''), 100);
    this.timer.unref();
  }

  /** Stops redrawing; `clear` erases the live table (when the summary repeats it). */
  end(clear: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.started) return;
    if (this.timer) clearInterval(this.timer);
    if (clear) {
      this.o.stream.write(`${this.drawn > 0 ? `\u001b[${this.drawn}A\r` : ''}\u001b[J`);
      this.drawn = 0;
    } else this.draw('');
    this.o.stream.write('\u001b[?25h');
  }

  /** Text that stays (above the live table on a terminal). */
  print(text: string): void {
    if (this.o.mode === 'live' && this.started && !this.stopped) this.draw(text);
    else this.o.stream.write(text);
  }

  readonly onEvent = (e: RunEvent): void => {
    const leaf = this.o.shape.isLeaf(e.template) || (!this.o.shape.templates.has(e.template) && e.type === 'Pod');
    const label = taskLabel(e.id, e.displayName);
    if (e.kind === 'started') {
      if (!leaf) return;
      const row = this.rows.get(e.id);
      if (row) {
        row.status = 'Running';
        if (e.attempt !== undefined) row.attempt = e.attempt;
      } else this.rows.set(e.id, { label, status: 'Running', started: Date.now(), ...(e.attempt !== undefined ? { attempt: e.attempt } : {}) });
      if (this.o.mode === 'plain' && (e.attempt ?? 1) === 1) this.line(label, 'Running');
      return;
    }
    if (e.kind === 'retrying') {
      const row = this.rows.get(e.id);
      if (row) row.status = 'Retrying';
      const why = e.message !== undefined ? `: ${this.o.explain(e.message, e.template)}` : '';
      if (this.o.mode !== 'quiet') this.line(label, 'Retrying', ` (attempt ${e.attempt ?? '?'})${why}`);
      return;
    }
    const phase = e.phase ?? (e.kind === 'succeeded' ? 'Succeeded' : e.kind === 'skipped' ? 'Skipped' : 'Failed');
    if (leaf) {
      this.settle(e.id, label, phase, e.durationMs);
      const failed = phase === 'Failed' || phase === 'Error';
      if (failed) this.failure(e, label, phase);
      else if (this.o.mode === 'plain') this.line(label, phase, phase === 'Succeeded' ? `  ${formatDuration(e.durationMs ?? 0)}` : this.reason(e));
      return;
    }
    if (phase === 'Skipped' || phase === 'Omitted') {
      // A condition or loop that never ran: show the tasks it holds.
      const why = skippedWith({ displayName: e.displayName, phase, ...(e.message !== undefined ? { message: e.message } : {}) });
      for (const t of this.o.shape.leavesUnder(e.template, e.id)) {
        const l = taskLabel(t.id, t.name);
        this.settle(t.id, l, phase, 0);
        if (this.o.mode === 'plain') this.line(l, phase, `: ${why}`);
      }
      return;
    }
    // A group that failed by itself (not because a task inside it did): say why.
    if ((phase === 'Failed' || phase === 'Error') && e.message !== undefined && !/^child '/.test(e.message) && this.o.mode !== 'live') {
      this.line(label, phase, `: ${e.message}`);
    } else if ((phase === 'Failed' || phase === 'Error') && e.message !== undefined && !/^child '/.test(e.message)) {
      this.print(`${this.o.paint.red('✗')} ${label} ${phase}: ${e.message}\n`);
    }
  };

  private reason(e: RunEvent): string {
    if (e.message === undefined) return '';
    // `Omitted: omitted: depends condition not met` says it twice.
    const message = this.o.explain(e.message, e.template).replace(/^(skipped|omitted): /, '');
    return `: ${message}`;
  }

  private settle(id: string, label: string, status: RowStatus, durationMs: number | undefined): void {
    const row = this.rows.get(id) ?? { label, status, started: Date.now() };
    row.status = status;
    row.durationMs = durationMs ?? Date.now() - row.started;
    this.rows.set(id, row);
  }

  /** A failed task: its line, then the tail of its log. */
  private failure(e: RunEvent, label: string, phase: string): void {
    const p = this.o.paint;
    const message = e.message !== undefined ? this.o.explain(e.message, e.template) : phase;
    const head = this.o.mode === 'live' ? `${p.red('✗')} ${label} ${p.red(phase)}: ${message}\n` : this.format(label, phase, `: ${message}`);
    const tail = logTail(join(stepDirOf(this.o.runDir, e.id), 'log'), this.o.tailLines ?? 20);
    const body = tail.length > 0 ? `${p.dim(`  ┌ last ${tail.length} line${tail.length === 1 ? '' : 's'} of ${label}'s log`)}\n${tail.map((l) => `  ${p.dim('│')} ${l}\n`).join('')}` : '';
    this.print(head + body);
  }

  private line(label: string, status: string, rest = ''): void {
    this.print(this.format(label, status, rest));
  }

  private format(label: string, status: string, rest: string): string {
    const elapsed = `${((Date.now() - this.start) / 1000).toFixed(1).padStart(5)}s`;
    const colour = phaseColour(this.o.paint, status);
    return `[${elapsed}] ${label.padEnd(LABEL_WIDTH)} ${colour(status)}${rest}\n`;
  }

  // -------------------------------------------------------------------------
  // The live table

  private draw(permanent: string): void {
    const stream = this.o.stream;
    const body = this.render();
    stream.write(`${this.drawn > 0 ? `\u001b[${this.drawn}A\r` : ''}\u001b[J${permanent}${body.map((l) => `${l}\n`).join('')}`);
    this.drawn = body.length;
    this.frame++;
  }

  private render(): string[] {
    const p = this.o.paint;
    const now = Date.now();
    const columns = Math.max(20, (this.o.stream.columns || 80) - 1);
    const maxRows = Math.max(3, (this.o.stream.rows || 24) - 3);
    let entries = [...this.rows.entries()];
    let hidden = 0;
    if (entries.length > maxRows) {
      // Keep what is running or failed; drop the oldest of the rest.
      const keep = new Set(entries.filter(([, r]) => r.status === 'Running' || r.status === 'Retrying' || r.status === 'Failed' || r.status === 'Error').map(([id]) => id));
      for (const [id] of [...entries].reverse()) if (keep.size < maxRows - 1) keep.add(id);
      hidden = entries.length - keep.size;
      entries = entries.filter(([id]) => keep.has(id));
    }
    // icon, two gaps, an 11-column status and a time: the rest of the line is the label's.
    const labelWidth = Math.max(8, Math.min(40, columns - 25, Math.max(LABEL_WIDTH, ...entries.map(([, r]) => width(r.label)))));
    const lines = entries.map(([, r]) => {
      const icon = r.status === 'Running' ? p.yellow(SPINNER[this.frame % SPINNER.length] ?? '*') : phaseColour(p, r.status)(ICON[r.status]);
      const time = formatDuration(r.durationMs ?? now - r.started);
      const status = r.status === 'Retrying' || (r.status === 'Running' && (r.attempt ?? 1) > 1) ? `${r.status} #${r.attempt ?? '?'}` : r.status;
      const label = clip(r.label, labelWidth);
      return `${icon} ${label}${' '.repeat(Math.max(0, labelWidth - width(label)))}  ${phaseColour(p, r.status)(status.padEnd(11))} ${time}`;
    });
    const counts = new Map<string, number>();
    for (const r of this.rows.values()) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    const summary = [...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ');
    if (hidden > 0) lines.push(p.dim(`  … ${hidden} more`));
    lines.push(p.dim(`  ${summary || 'starting'} · ${formatDuration(now - this.start)}`));
    return lines;
  }
}

function clip(s: string, w: number): string {
  if (width(s) <= w) return s;
  let out = '';
  for (const ch of s) {
    if (width(out + ch) > w - 1) break;
    out += ch;
  }
  return `${out}…`;
}
