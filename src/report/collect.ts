/**
 * What a run directory says about its run, for the report (render.ts) and `kfpdsl runs`: read
 * from the files alone, so a report can be made for any run, during it, after it, or after it
 * was killed. The files, each written by `kfpdsl run` (src/report/live.ts, src/cli/run.ts):
 *
 * - `run.json`: the finished run (statuses, times, outputs, metrics); absent until the end;
 * - `events.jsonl`: a `run` line when it starts (id, pipeline, arguments, time, pid), then one
 *   line per executor event, each with its time: what is known of a run that did not finish;
 * - `graph.json`: the pipeline's graph model (src/graph/graph.ts), for the picture;
 * - the step directories: each task's logs (`log`, and `log.1`, `log.2`… of earlier attempts).
 *
 * Whatever is missing or unreadable is said in `notes`, never thrown.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Graph } from '../graph/graph.js';
import { sanitize } from '../run/naming.js';
import { processAlive } from '../process-alive.js';

export type TaskPhase = 'Succeeded' | 'Failed' | 'Error' | 'Skipped' | 'Omitted' | 'Running' | 'Pending';

export interface TaskLog {
  /** `attempt 1`, …, or `log` when there was one attempt. */
  readonly title: string;
  /** The file, relative to the run directory. */
  readonly file: string;
  readonly text: string;
  /** Bytes left out at the start (the page shows a log's end). */
  readonly omitted: number;
  /** The page already holds as much log text as it may: this log is only linked. */
  readonly linkOnly?: boolean;
}

export interface TaskRow {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly template: string;
  readonly phase: TaskPhase;
  readonly message?: string;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly attempts?: number;
  readonly logs: TaskLog[];
  readonly parameters: [string, string][];
  /** Output artifacts: name and path (relative to the run directory when inside it). */
  readonly artifacts: [string, string][];
}

export interface MetricRow {
  readonly task: string;
  readonly name: string;
  readonly value: number;
  readonly format: string;
}

export type RunPhase = 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Unfinished' | 'Unknown';

export interface RunView {
  readonly runDir: string;
  readonly runId: string;
  readonly title: string;
  readonly phase: RunPhase;
  readonly message?: string;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly arguments: [string, string][];
  readonly tasks: TaskRow[];
  readonly metrics: MetricRow[];
  readonly graph?: Graph;
  /** Phases of groups (conditions, loops) by Argo name, from the events. */
  readonly groups: Map<string, TaskPhase>;
  /** What could not be read, and what that means for the page. */
  readonly notes: string[];
}

/** The most of a log the page holds: its last 64 KiB. */
const LOG_BYTES = 64 * 1024;
/** The most of all logs one page holds (a loop of thousands of tasks): later logs are links only. */
export const PAGE_LOG_BYTES = 8 * 1024 * 1024;

/** Log bytes the page being collected holds so far (collectRun resets it). */
let budget = PAGE_LOG_BYTES;

export interface RunEventLine {
  kind: string;
  at: number;
  id?: string;
  displayName?: string;
  template?: string;
  type?: string;
  phase?: string;
  message?: string;
  attempt?: number;
}

export interface RunStartLine {
  kind: 'run';
  runId: string;
  title: string;
  pipeline: string;
  arguments: Record<string, string>;
  at: number;
  pid: number;
}

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const time = (v: unknown): number | undefined => {
  const t = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(t) ? t : undefined;
};

function readJson(path: string, notes: string[], what: string): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    notes.push(`${what} (${basename(path)}) could not be read: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** The events file, line by line; a half-written last line (the run was killed while writing it) is left out. */
export function readEvents(runDir: string): { start?: RunStartLine; events: RunEventLine[] } {
  const path = join(runDir, 'events.jsonl');
  if (!existsSync(path)) return { events: [] };
  let start: RunStartLine | undefined;
  const events: RunEventLine[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let v: Record<string, unknown>;
    try {
      v = obj(JSON.parse(line));
    } catch {
      continue;
    }
    if (v['kind'] === 'run') start = v as unknown as RunStartLine;
    else if (typeof v['kind'] === 'string' && typeof v['at'] === 'number') events.push(v as unknown as RunEventLine);
  }
  return { ...(start ? { start } : {}), events };
}

/** Is the process that started the run still there? (It may be another process by now; then the page says Running until `runs show` is asked again.) */
function alive(pid: number | undefined): boolean {
  return pid !== undefined && Number.isInteger(pid) && pid > 0 && processAlive(pid);
}

export function collectRun(runDir: string): RunView {
  budget = PAGE_LOG_BYTES;
  const notes: string[] = [];
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) {
    return { runDir, runId: basename(runDir), title: basename(runDir), phase: 'Unknown', arguments: [], tasks: [], metrics: [], groups: new Map(), notes: [`the run directory ${runDir} does not exist`] };
  }
  const graph = readJson(join(runDir, 'graph.json'), notes, "the pipeline's graph") as Graph | undefined;
  if (graph === undefined && !notes.some((n) => n.includes('graph.json'))) notes.push("the pipeline's graph was not saved (graph.json is missing): no picture");
  const run = obj(readJson(join(runDir, 'run.json'), notes, 'the run summary'));
  const { start, events } = readEvents(runDir);
  const groups = groupPhases(events);
  const title = start?.title ?? str(run['pipeline']) ?? basename(runDir);
  const runId = str(run['runId']) ?? start?.runId ?? basename(runDir);

  if (Array.isArray(run['tasks'])) {
    const tasks = run['tasks'].map((t) => taskFromJson(obj(t), runDir));
    const metrics = (Array.isArray(run['metrics']) ? run['metrics'] : []).flatMap((m): MetricRow[] => {
      const o = obj(m);
      return typeof o['value'] === 'number' ? [{ task: str(o['task']) ?? '', name: str(o['name']) ?? '', value: o['value'], format: str(o['format']) ?? 'RAW' }] : [];
    });
    const phase = str(run['phase']);
    const startedAt = time(run['startedAt']);
    const finishedAt = time(run['finishedAt']);
    const message = str(run['message']);
    return {
      runDir,
      runId,
      title,
      phase: phase === 'Succeeded' || phase === 'Failed' || phase === 'Error' ? phase : 'Unknown',
      ...(message !== undefined ? { message } : {}),
      ...(startedAt !== undefined ? { startedAt } : {}),
      ...(finishedAt !== undefined ? { finishedAt } : {}),
      arguments: Object.entries(obj(run['arguments'])).map(([k, v]) => [k, String(v)]),
      tasks,
      metrics,
      ...(graph ? { graph } : {}),
      groups,
      notes,
    };
  }

  // No run.json: the run is going, or it was killed. What the events say.
  const running = alive(start?.pid);
  if (!start && events.length === 0) notes.push('neither run.json nor events.jsonl is here: nothing is known of the tasks');
  else if (!running) notes.push('the run did not finish (run.json was never written: it was killed, or its machine stopped); statuses are the last ones it recorded, and tasks it had started are shown as Running');
  const tasks = tasksFromEvents(events, runDir);
  if (tasks.length === 0 && events.length === 0) {
    // Without events, the step directories at least show which tasks started.
    for (const d of stepDirs(runDir)) tasks.push({ id: d, name: d.slice(d.lastIndexOf('.') + 1), label: d, template: '', phase: 'Running', logs: logsOf(runDir, join(runDir, d)), parameters: [], artifacts: [] });
  }
  return {
    runDir,
    runId,
    title,
    phase: running ? 'Running' : start || events.length > 0 ? 'Unfinished' : 'Unknown',
    ...(start ? { startedAt: start.at } : {}),
    arguments: Object.entries(start?.arguments ?? {}).map(([k, v]) => [k, String(v)]),
    tasks,
    metrics: [],
    ...(graph ? { graph } : {}),
    groups,
    notes,
  };
}

function stepDirs(runDir: string): string[] {
  try {
    return readdirSync(runDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

function taskFromJson(t: Record<string, unknown>, runDir: string): TaskRow {
  const id = str(t['id']) ?? '';
  const name = str(t['name']) ?? id;
  const outputs = obj(t['outputs']);
  const startedAt = time(t['startedAt']);
  const finishedAt = time(t['finishedAt']);
  const message = str(t['message']);
  const attempts = typeof t['attempts'] === 'number' ? t['attempts'] : undefined;
  const log = str(t['log']);
  const phase = str(t['phase']) as TaskPhase | undefined;
  return {
    id,
    name,
    label: labelOf(id, name),
    template: str(t['template']) ?? '',
    phase: phase ?? 'Pending',
    ...(message !== undefined ? { message } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    ...(attempts !== undefined ? { attempts } : {}),
    logs: logsOf(runDir, log !== undefined ? join(log, '..') : join(runDir, sanitize(id))),
    parameters: Object.entries(obj(outputs['parameters'])).map(([k, v]) => [k, String(v)]),
    artifacts: Object.entries(obj(outputs['artifacts'])).map(([k, v]) => [k, relativeTo(runDir, String(v))]),
  };
}

/** Loop iterations get their indices: `doubled(0)` (as the terminal summary shows them). */
function labelOf(id: string, name: string): string {
  const indices = [...id.matchAll(/\((\d+)\)/g)].map((m) => m[1]);
  return indices.length > 0 ? `${name}(${indices.join(',')})` : name;
}

function relativeTo(runDir: string, path: string): string {
  const prefix = runDir.endsWith('/') ? runDir : `${runDir}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** A step's logs, earliest attempt first: `log.1`, `log.2`, …, then `log` (the last attempt). */
function logsOf(runDir: string, dir: string): TaskLog[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f === 'log' || /^log\.\d+$/.test(f));
  } catch {
    return [];
  }
  const earlier = names.filter((f) => f !== 'log').sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const ordered = [...earlier, ...(names.includes('log') ? ['log'] : [])];
  return ordered.map((f, i) => {
    const path = join(dir, f);
    const { text, omitted, linkOnly } = tail(path);
    return { title: ordered.length === 1 ? 'log' : `attempt ${i + 1}`, file: relativeTo(runDir, path), text, omitted, ...(linkOnly ? { linkOnly } : {}) };
  });
}

function tail(path: string): { text: string; omitted: number; linkOnly?: boolean } {
  try {
    const size = statSync(path).size;
    if (Math.min(size, LOG_BYTES) > budget) return { text: '', omitted: size, linkOnly: true };
    const buf = readFileSync(path);
    budget -= Math.min(buf.length, LOG_BYTES);
    if (buf.length <= LOG_BYTES) return { text: buf.toString('utf8'), omitted: 0 };
    // Start at a line after the cut, so that no character is split.
    const cut = buf.subarray(buf.length - LOG_BYTES);
    const nl = cut.indexOf(10);
    return { text: cut.subarray(nl + 1).toString('utf8'), omitted: buf.length - cut.length + nl + 1 };
  } catch {
    return { text: '', omitted: 0 };
  }
}

const POD_TYPES = new Set(['Pod']);

/** Tasks as the events left them: the last event of each pod node wins; a started one is Running. */
function tasksFromEvents(events: readonly RunEventLine[], runDir: string): TaskRow[] {
  const byId = new Map<string, { e: RunEventLine; startedAt?: number; finishedAt?: number; attempts?: number; phase: TaskPhase }>();
  for (const e of events) {
    if (e.id === undefined || !POD_TYPES.has(e.type ?? '')) continue;
    const cur = byId.get(e.id) ?? { e, phase: 'Running' as TaskPhase };
    cur.e = e;
    if (e.kind === 'started') {
      cur.startedAt ??= e.at;
      cur.attempts = e.attempt ?? 1;
      cur.phase = 'Running';
    } else if (e.kind === 'retrying') cur.phase = 'Running';
    else if (e.phase !== undefined) {
      cur.phase = e.phase as TaskPhase;
      cur.finishedAt = e.at;
    }
    byId.set(e.id, cur);
  }
  return [...byId.entries()].map(([id, s]) => {
    const name = s.e.displayName ?? id;
    return {
      id,
      name,
      label: labelOf(id, name),
      template: s.e.template ?? '',
      phase: s.phase,
      ...(s.e.message !== undefined && s.phase !== 'Running' ? { message: s.e.message } : {}),
      ...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}),
      ...(s.finishedAt !== undefined ? { finishedAt: s.finishedAt } : {}),
      ...(s.attempts !== undefined ? { attempts: s.attempts } : {}),
      logs: logsOf(runDir, join(runDir, sanitize(id))),
      parameters: [],
      artifacts: [],
    };
  });
}

/** Conditions and loops that were skipped or omitted, by their Argo name. */
function groupPhases(events: readonly RunEventLine[]): Map<string, TaskPhase> {
  const out = new Map<string, TaskPhase>();
  for (const e of events) {
    if (e.type === 'Pod' || e.displayName === undefined || e.phase === undefined) continue;
    if (e.phase === 'Skipped' || e.phase === 'Omitted') out.set(e.displayName, e.phase);
  }
  return out;
}
