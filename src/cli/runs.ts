/**
 * `kfpdsl runs`: the runs under a run directory (default `.kfpdsl/runs`), newest first; `kfpdsl
 * runs show ID` prints one run's summary again from its files (src/report/collect.ts), writes
 * its report.html anew (so a run that was killed gets a page that says what is known) and
 * prints its path; `--open` opens that page with $BROWSER, or the system's opener.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { didYouMean } from '../diagnostics/suggest.js';
import { collectRun, readEvents, type RunView } from '../report/collect.js';
import { writeReport } from '../report/live.js';
import { formatDuration, paint, phaseColour, table, truncate } from './run-report.js';
import { UsageError } from './files.js';

export interface RunsOptions {
  runDir: string;
  format?: 'pretty' | 'json';
}

/** Run directories: those holding a run.json or an events.jsonl (what `kfpdsl run` writes first). */
function runDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isRunDir(join(root, d.name)))
    .map((d) => join(root, d.name));
}

const isRunDir = (dir: string): boolean => ['run.json', 'events.jsonl', 'workflow.yaml', 'pipeline.yaml'].some((f) => existsSync(join(dir, f)));

function startOf(dir: string, view?: RunView): number {
  if (view?.startedAt !== undefined) return view.startedAt;
  const start = readEvents(dir).start;
  return start?.at ?? statSync(dir).mtimeMs;
}

export function listRuns(opts: RunsOptions): number {
  const root = resolve(opts.runDir);
  const views = runDirs(root).map((d) => collectRun(d));
  views.sort((a, b) => startOf(b.runDir, b) - startOf(a.runDir, a) || (a.runId < b.runId ? -1 : 1));
  if (opts.format === 'json') {
    process.stdout.write(`${JSON.stringify(views.map((v) => ({ runId: v.runId, pipeline: v.title, phase: v.phase, startedAt: v.startedAt !== undefined ? new Date(v.startedAt).toISOString() : null, durationMs: v.startedAt !== undefined && v.finishedAt !== undefined ? v.finishedAt - v.startedAt : null, tasks: v.tasks.length, runDir: v.runDir })), null, 2)}\n`);
    return 0;
  }
  if (views.length === 0) {
    process.stdout.write(`no runs in ${opts.runDir}\n`);
    return 0;
  }
  const p = paint(Boolean(process.stdout.isTTY) && !process.env['NO_COLOR']);
  const rows = views.map((v) => {
    const failed = v.tasks.filter((t) => t.phase === 'Failed' || t.phase === 'Error').length;
    return [
      v.runId,
      v.phase,
      v.startedAt !== undefined ? new Date(v.startedAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-',
      v.startedAt !== undefined && v.finishedAt !== undefined ? formatDuration(v.finishedAt - v.startedAt) : '-',
      `${v.tasks.length}${failed > 0 ? ` (${failed} failed)` : ''}`,
      truncate(v.title, 40),
    ];
  });
  process.stdout.write(table(['RUN', 'STATUS', 'STARTED', 'TIME', 'TASKS', 'PIPELINE'], rows, [(c) => c, (c, r) => phaseColour(p, rows[r]![1]!)(c)], p));
  return 0;
}

/** A run by its id, a unique beginning of it, or a path to its directory. */
function findRun(id: string, root: string): string {
  if (id.includes('/') && existsSync(id) && statSync(id).isDirectory()) {
    // `runs show` writes report.html there: only into a directory that `kfpdsl run` made.
    if (!isRunDir(id)) throw new UsageError(`${id} is not a run directory (it has no run.json, events.jsonl or the pipeline kfpdsl run copies there)`);
    return resolve(id);
  }
  const dirs = runDirs(root);
  const names = dirs.map((d) => basename(d));
  const exact = dirs.find((d) => basename(d) === id);
  if (exact) return exact;
  const prefixed = dirs.filter((d) => basename(d).startsWith(id));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) throw new UsageError(`"${id}" names ${prefixed.length} runs: ${prefixed.map((d) => basename(d)).sort().join(', ')}`);
  const hint = didYouMean(id, new Set(names));
  throw new UsageError(`no run "${id}" in ${root}${hint ? `; ${hint}` : names.length > 0 ? ` (list them with \`kfpdsl runs\`)` : ''}`);
}

export function showRun(id: string, opts: RunsOptions & { open?: boolean }): number {
  const dir = findRun(id, resolve(opts.runDir));
  const view = collectRun(dir);
  const report = writeReport(dir);
  const p = paint(Boolean(process.stdout.isTTY) && !process.env['NO_COLOR']);
  process.stdout.write(renderView(view, p));
  process.stdout.write(`report: ${shown(report)}\n`);
  if (opts.open) openInBrowser(report);
  return view.phase === 'Succeeded' ? 0 : view.phase === 'Running' ? 0 : 1;
}

function renderView(v: RunView, p: ReturnType<typeof paint>): string {
  const out: string[] = [];
  const took = v.startedAt !== undefined && v.finishedAt !== undefined ? `  ${formatDuration(v.finishedAt - v.startedAt)}` : '';
  out.push(`${p.bold(v.runId)}  ${phaseColour(p, v.phase)(v.phase)}${took}${v.message ? `: ${v.message}` : ''}\n`);
  out.push(`pipeline: ${v.title}\n\n`);
  if (v.tasks.length > 0) {
    const rows = v.tasks.map((t) => {
      const ran = t.phase !== 'Skipped' && t.phase !== 'Omitted' && t.startedAt !== undefined && t.finishedAt !== undefined;
      const details = t.phase === 'Succeeded' ? t.parameters.map(([k, val]) => `${k.startsWith(`${t.template}-`) ? k.slice(t.template.length + 1) : k} = ${val}`).join(', ') : (t.message ?? '');
      return [t.label, t.phase, ran ? formatDuration(t.finishedAt! - t.startedAt!) + (t.attempts !== undefined && t.attempts > 1 ? ` (${t.attempts} tries)` : '') : '-', truncate(details.replace(/\r?\n/g, '\\n'))];
    });
    out.push(table(['TASK', 'STATUS', 'TIME', 'DETAILS'], rows, [(c) => c, (c, r) => phaseColour(p, rows[r]![1]!)(c)], p));
  }
  if (v.metrics.length > 0) out.push(`\n${table(['METRIC', 'VALUE', 'TASK'], v.metrics.map((m) => [m.name, m.format === 'PERCENTAGE' ? `${(m.value * 100).toFixed(1)}%` : String(m.value), m.task]), [], p)}`);
  if (v.notes.length > 0) out.push(`\n${v.notes.map((n) => `note: ${n}\n`).join('')}`);
  out.push(`\nrun dir: ${shown(v.runDir)}\n`);
  return out.join('');
}

/** $BROWSER (as Python's webbrowser reads it), else the system's opener; a failure to open is said, not fatal. */
function openInBrowser(path: string): void {
  const browser = process.env['BROWSER'];
  const [cmd, args] = browser ? [browser, [path]] : process.platform === 'darwin' ? ['open', [path]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', path]] : ['xdg-open', [path]];
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.on('error', (e) => process.stderr.write(`could not open the report with ${cmd}: ${e.message}; open ${path} in a browser\n`));
    child.unref();
  } catch (e) {
    process.stderr.write(`could not open the report with ${cmd}: ${e instanceof Error ? e.message : String(e)}; open ${path} in a browser\n`);
  }
}

/** Relative to the working directory when inside it, as `kfpdsl run` prints paths. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
