/**
 * What a run leaves behind and shows: the tasks (the pods that ran, and the tasks inside
 * skipped conditions and loops, which never got a node of their own), run.json, the metrics
 * read from the artifacts of `metrics` outputs (src/cli/run-ui-outputs.ts), and the
 * end-of-run summary tables.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sanitize } from '../run/naming.js';
import { arr, isObj, nameOf, obj, objs, str, type Obj } from '../run/spec.js';
import type { NodePhase, NodeResult, RunResult } from '../run/types.js';
import type { UiArtifacts } from './run-ui-outputs.js';

// ---------------------------------------------------------------------------
// The workflow's structure

/** A task the workflow would run: its node id (as the executor names it), task name and template. */
export interface TaskRef {
  readonly id: string;
  readonly name: string;
  readonly template: string;
}

/** What the progress and the summary need to know of what ran: which templates run a process, and what a group that never ran holds. */
export interface TaskShape {
  readonly templates: ReadonlyMap<string, unknown>;
  isLeaf(template: string): boolean;
  leavesUnder(template: string, id: string): TaskRef[];
}

export class WorkflowShape implements TaskShape {
  readonly templates = new Map<string, Obj>();

  constructor(workflow: unknown) {
    for (const t of objs(obj(obj(workflow)['spec'])['templates'])) this.templates.set(nameOf(t), t);
  }

  /** A template that runs something itself (container, script, resource…) rather than other templates. */
  isLeaf(template: string): boolean {
    const t = this.templates.get(template);
    return t !== undefined && !isObj(t['dag']) && !Array.isArray(t['steps']);
  }

  /** The leaf tasks a DAG (or steps) template would have run, as nodes under `id`. */
  leavesUnder(template: string, id: string, seen: ReadonlySet<string> = new Set()): TaskRef[] {
    const t = this.templates.get(template);
    if (!t || seen.has(template)) return [];
    const inner = new Set([...seen, template]);
    const children = [...objs(obj(t['dag'])['tasks']), ...arr(t['steps']).flatMap((group) => objs(group))];
    return children.flatMap((c) => {
      const name = nameOf(c);
      const child = str(c['template']) ?? '';
      const childId = `${id}.${name}`;
      return this.isLeaf(child) ? [{ id: childId, name, template: child }] : this.leavesUnder(child, childId, inner);
    });
  }
}

/** A task's label where it must be told apart from its siblings: loop iterations get their indices, `doubled(0)`. */
export function taskLabel(id: string, name: string): string {
  const indices = [...id.matchAll(/\((\d+)\)/g)].map((m) => m[1]);
  return indices.length > 0 ? `${name}(${indices.join(',')})` : name;
}

/** The step directory the executor gives a node (its sanitised id). */
export const stepDirOf = (runDir: string, id: string): string => join(runDir, sanitize(id));

// ---------------------------------------------------------------------------
// Tasks

export interface TaskView {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly template: string;
  readonly phase: NodePhase;
  readonly message?: string;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly durationMs: number;
  readonly attempts?: number;
  readonly outputs: { parameters: Record<string, string>; artifacts: Record<string, string> };
  /** The task's log file, when it ran. */
  readonly log?: string;
  /** Part of the exit handler (`finally`). */
  readonly exitHandler: boolean;
  /** Which of its artifacts are metrics and UI metadata (by the IR's output types). */
  readonly ui: UiArtifacts;
}

const notRun = (p: NodePhase): boolean => p === 'Skipped' || p === 'Omitted';

/**
 * The tasks of a finished run: every node of a leaf template; for a skipped or omitted group
 * (a condition, a loop), the tasks it holds, with its phase; and a group that failed by itself.
 */
export function runTasks(result: RunResult, shape: TaskShape, explain: (message: string, template: string) => string, uiOf: (template: string) => UiArtifacts): TaskView[] {
  const nodes = new Map<string, NodeResult>();
  for (const n of [...result.nodes, ...(result.exitHandler ? [result.exitHandler] : [])]) nodes.set(n.id, n);
  const exitId = result.exitHandler?.id;
  const exitIds = [...(exitId !== undefined ? [exitId] : []), ...(result.exitIds ?? [])];
  const isExit = (id: string): boolean => exitIds.some((e) => id === e || id.startsWith(`${e}.`) || id.startsWith(`${e}(`));
  const tasks: TaskView[] = [];
  for (const n of nodes.values()) {
    const leaf = shape.isLeaf(n.template) || (!shape.templates.has(n.template) && n.type === 'Pod');
    const childless = (n.children ?? []).length === 0;
    if (leaf || (childless && (n.phase === 'Failed' || n.phase === 'Error'))) {
      const log = n.dir !== undefined && existsSync(join(n.dir, 'log')) ? join(n.dir, 'log') : undefined;
      const message = n.message !== undefined ? explain(n.message, n.template) : undefined;
      tasks.push({
        id: n.id,
        name: n.displayName,
        label: taskLabel(n.id, n.displayName),
        template: n.template,
        phase: n.phase,
        ...(message !== undefined ? { message } : {}),
        ...(n.startedAt !== undefined ? { startedAt: n.startedAt } : {}),
        ...(n.finishedAt !== undefined ? { finishedAt: n.finishedAt } : {}),
        durationMs: n.startedAt !== undefined && n.finishedAt !== undefined ? n.finishedAt - n.startedAt : 0,
        ...(n.attempts !== undefined ? { attempts: n.attempts } : {}),
        outputs: { parameters: n.outputs.parameters, artifacts: n.outputs.artifacts },
        ...(log !== undefined ? { log } : {}),
        exitHandler: isExit(n.id),
        ui: uiOf(n.template),
      });
    } else if (childless && notRun(n.phase)) {
      for (const t of shape.leavesUnder(n.template, n.id)) {
        tasks.push({
          id: t.id,
          name: t.name,
          label: taskLabel(t.id, t.name),
          template: t.template,
          phase: n.phase,
          message: skippedWith(n),
          ...(n.startedAt !== undefined ? { startedAt: n.startedAt } : {}),
          ...(n.finishedAt !== undefined ? { finishedAt: n.finishedAt } : {}),
          durationMs: 0,
          outputs: { parameters: {}, artifacts: {} },
          exitHandler: isExit(t.id),
          ui: uiOf(t.template),
        });
      }
    }
  }
  return tasks.sort((a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Why a task inside a skipped group did not run: `condition-2 was skipped: when '…' evaluated false`. */
export function skippedWith(group: Pick<NodeResult, 'displayName' | 'phase' | 'message'>): string {
  return `${group.displayName} was ${group.phase.toLowerCase()}${group.message ? `: ${group.message}` : ''}`;
}

// ---------------------------------------------------------------------------
// Metrics

export interface Metric {
  readonly task: string;
  readonly name: string;
  readonly value: number;
  readonly format: string;
}

/** Every metrics artifact's `{"metrics": [{name, numberValue, format}]}`; unreadable ones are reported. */
export function readMetrics(tasks: readonly TaskView[]): { metrics: Metric[]; problems: string[] } {
  const metrics: Metric[] = [];
  const problems: string[] = [];
  for (const t of tasks) {
    for (const artifact of [...t.ui.metrics].sort()) readMetricsFile(t, artifact, metrics, problems);
  }
  return { metrics, problems };
}

function readMetricsFile(t: TaskView, artifact: string, metrics: Metric[], problems: string[]): void {
  const path = t.outputs.artifacts[artifact];
  if (path === undefined || !existsSync(path) || !statSync(path).isFile()) return;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    problems.push(`${t.label}: ${artifact} is not JSON (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  for (const m of arr(obj(data)['metrics'])) {
    const value = obj(m)['numberValue'];
    const name = str(obj(m)['name']);
    if (name === undefined || typeof value !== 'number') {
      problems.push(`${t.label}: a metric without a name or numeric numberValue: ${JSON.stringify(m)}`);
      continue;
    }
    metrics.push({ task: t.label, name, value, format: str(obj(m)['format']) ?? 'RAW' });
  }
}

export function formatMetric(m: Pick<Metric, 'value' | 'format'>): string {
  if (m.format === 'PERCENTAGE') return `${(m.value * 100).toFixed(1)}%`;
  return String(m.value);
}

// ---------------------------------------------------------------------------
// run.json

export interface RunInfo {
  readonly runId: string;
  readonly pipeline: string;
  readonly arguments: Record<string, string>;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** The signal that interrupted the run, if one did. */
  readonly interrupted?: NodeJS.Signals | undefined;
}

const sortedRecord = (r: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** run.json, its keys always in the same order; absent values are null. */
export function runJson(info: RunInfo, result: RunResult, tasks: readonly TaskView[], metrics: readonly Metric[]): Record<string, unknown> {
  return {
    runId: info.runId,
    pipeline: info.pipeline,
    arguments: info.arguments,
    phase: result.phase,
    message: result.message ?? null,
    interrupted: info.interrupted ?? null,
    startedAt: new Date(info.startedAt).toISOString(),
    finishedAt: new Date(info.finishedAt).toISOString(),
    durationMs: info.finishedAt - info.startedAt,
    tasks: tasks.map((t) => ({
      id: t.id,
      name: t.name,
      template: t.template,
      phase: t.phase,
      message: t.message ?? null,
      // When the task's first attempt started (not when it began waiting for a slot) and ended.
      startedAt: t.startedAt !== undefined && !notRun(t.phase) ? new Date(t.startedAt).toISOString() : null,
      finishedAt: t.finishedAt !== undefined && !notRun(t.phase) ? new Date(t.finishedAt).toISOString() : null,
      durationMs: t.durationMs,
      attempts: t.attempts ?? null,
      outputs: { parameters: sortedRecord(t.outputs.parameters), artifacts: sortedRecord(t.outputs.artifacts) },
      log: t.log ?? null,
    })),
    metrics: metrics.map((m) => ({ task: m.task, name: m.name, value: m.value, format: m.format })),
  };
}

// ---------------------------------------------------------------------------
// Display helpers

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export interface Paint {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

export function paint(colour: boolean): Paint {
  const wrap = (open: number, close: number) => (s: string): string => (colour ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

export function phaseColour(p: Paint, phase: string): (s: string) => string {
  if (phase === 'Succeeded') return p.green;
  if (phase === 'Failed' || phase === 'Error') return p.red;
  if (phase === 'Skipped' || phase === 'Omitted') return p.dim;
  return p.yellow;
}

const VALUE_WIDTH = 60;

export function truncate(s: string, width = VALUE_WIDTH): string {
  const chars = [...s];
  return chars.length <= width ? s : `${chars.slice(0, width - 1).join('')}…`;
}

/** kfp names outputs `<template>-<output>`; the summary shows `<output>`. */
const shortOutput = (template: string, name: string): string => (name.startsWith(`${template}-`) ? name.slice(template.length + 1) : name);

/** What the summary shows of a task's outputs: parameters, and small text artifacts by their content. */
export function outputLines(t: TaskView, runDir: string): string[] {
  const lines: string[] = [];
  const shown = new Set<string>();
  for (const [name, value] of Object.entries(t.outputs.parameters).sort(([a], [b]) => (a < b ? -1 : 1))) {
    shown.add(name);
    lines.push(`${shortOutput(t.template, name)} = ${truncate(oneLine(value))}`);
  }
  for (const [name, path] of Object.entries(t.outputs.artifacts).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (shown.has(name) || t.ui.metrics.has(name) || t.ui.uiMetadata.has(name)) continue;
    const text = smallText(path);
    lines.push(text !== undefined ? `${shortOutput(t.template, name)} = ${truncate(oneLine(text))}` : `${shortOutput(t.template, name)}: ${relative(runDir, path) || path}`);
  }
  return lines;
}

const oneLine = (s: string): string => s.trim().replace(/\r?\n/g, '\\n');

/** A file's text when it is small and looks like text. */
function smallText(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > 4096) return undefined;
    const buf = readFileSync(path);
    if (buf.includes(0)) return undefined;
    const text = buf.toString('utf8');
    return text.includes('\uFFFD') ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Left-aligned columns, two spaces apart; colour applied after padding. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], colours: readonly ((s: string, row: number) => string)[] = [], p?: Paint): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[], row: number): string =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(c)));
        const colour = row >= 0 ? colours[i] : undefined;
        return colour ? colour(padded, row) : padded;
      })
      .join('  ')
      .trimEnd();
  const head = line(header, -1);
  return [p ? p.bold(head) : head, ...rows.map((r, i) => line(r, i))].join('\n') + '\n';
}

/** Display width: wide (CJK) characters take two columns. */
export function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ? 2 : 1;
  }
  return w;
}

/** The longest log line the terminal shows whole: a task may print a megabyte without a newline. */
export const SHOWN_LINE_CHARS = 1000;
/** How much of the log's end is read for its last lines (its tail can be a mebibyte). */
const TAIL_READ_BYTES = 64 * 1024;

/** The last `n` lines of a task's log, if it has one, each cut to SHOWN_LINE_CHARS saying how much was cut. */
export function logTail(path: string | undefined, n = 20): string[] {
  if (path === undefined || !existsSync(path)) return [];
  let text: string;
  let partial: boolean;
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, TAIL_READ_BYTES);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      text = buf.toString('utf8');
      partial = length < size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
  const lines = text.replace(/\n$/, '').split(/\r?\n/);
  // The first line read may have begun before the part that was read: it is shown as cut.
  if (partial && lines.length > 0) lines[0] = `…${lines[0]}`;
  if (lines.length === 1 && lines[0] === '') return [];
  return lines.slice(-n).map((line) => (line.length <= SHOWN_LINE_CHARS ? line : `${line.slice(0, SHOWN_LINE_CHARS)}… [${line.length - SHOWN_LINE_CHARS} more characters on this line]`));
}

// ---------------------------------------------------------------------------
// The summary

export interface SummaryInput {
  readonly runId: string;
  readonly runDir: string;
  readonly shownRunDir: string;
  readonly result: RunResult;
  readonly durationMs: number;
  readonly tasks: readonly TaskView[];
  readonly metrics: readonly Metric[];
  readonly notes: readonly string[];
}

export function renderSummary(s: SummaryInput, p: Paint): string {
  const out: string[] = [];
  const colourOf = phaseColour(p, s.result.phase);
  out.push(`\n${p.bold(s.runId)}  ${colourOf(s.result.phase)}  ${formatDuration(s.durationMs)}${s.result.message ? `: ${s.result.message}` : ''}\n\n`);
  if (s.tasks.length > 0) {
    const rows: string[][] = [];
    const phases: string[] = [];
    for (const t of s.tasks) {
      const details = t.phase === 'Succeeded' ? outputLines(t, s.runDir) : [t.message ?? ''];
      const label = t.exitHandler ? `${t.label} (finally)` : t.label;
      const ran = t.phase !== 'Skipped' && t.phase !== 'Omitted';
      const time = ran ? formatDuration(t.durationMs) + (t.attempts !== undefined && t.attempts > 1 ? ` (${t.attempts} tries)` : '') : '-';
      rows.push([label, t.phase, time, details[0] ?? '']);
      phases.push(t.phase);
      for (const more of details.slice(1)) {
        rows.push(['', '', '', more]);
        phases.push('');
      }
    }
    out.push(table(['TASK', 'STATUS', 'TIME', 'DETAILS'], rows, [(c) => c, (c, r) => phaseColour(p, phases[r] ?? '')(c)], p));
  }
  if (s.metrics.length > 0) {
    out.push('\n');
    out.push(table(['METRIC', 'VALUE', 'TASK'], s.metrics.map((m) => [m.name, formatMetric(m), m.task]), [], p));
  }
  if (s.notes.length > 0) out.push('\n' + s.notes.map((n) => `note: ${n}\n`).join(''));
  out.push(`\nrun dir: ${s.shownRunDir}\n`);
  return out.join('');
}

/** One line for --format short and --quiet. */
export function renderShort(s: SummaryInput): string {
  const failed = s.tasks.filter((t) => t.phase === 'Failed' || t.phase === 'Error').length;
  const counts = `${s.tasks.length} task${s.tasks.length === 1 ? '' : 's'}${failed > 0 ? `, ${failed} failed` : ''}`;
  return `${s.result.phase} ${s.runId} (${counts}, ${formatDuration(s.durationMs)})${s.result.message ? `: ${s.result.message}` : ''} ${s.shownRunDir}\n`;
}
