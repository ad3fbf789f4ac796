/**
 * report.html: one self-contained page about a run (collect.ts reads what it shows). From
 * the top: the run's status, what could not be known, the failure (its message and the
 * traceback from the failed task's log), the DAG coloured by status, a timeline (each task's
 * wait and run), the tasks with their outputs, artifact links and logs of every attempt, the
 * metrics, the arguments. While the run goes the page reloads itself every two seconds (the
 * run rewrites it as tasks start and end). Nothing is fetched; the page declares UTF-8.
 */
import type { Graph, GraphItem } from '../graph/graph.js';
import { detailsOf, PAGE_STYLE, TIP_SCRIPT } from '../graph/html.js';
import { esc, scriptJson } from '../graph/markup.js';
import { PHASE_COLOURS, renderSvg, type NodeStatus } from '../graph/svg.js';
import type { RunView, TaskPhase, TaskRow } from './collect.js';

const REPORT_STYLE = `
.badge{display:inline-block;padding:1px 10px;border-radius:10px;font-weight:bold;color:#fff;background:#757575}
${Object.entries(PHASE_COLOURS)
  .map(([p, c]) => `.phase-${p}>td.phase,span.phase-${p}{color:${c.stroke};font-weight:bold}span.badge.phase-${p}{background:${c.stroke};color:#fff}`)
  .join('\n')}
.badge.phase-unfinished,.badge.phase-unknown{background:#ef6c00}
.live{background:#e3f2fd;border:1px solid #90caf9;padding:6px 10px;border-radius:6px;margin:8px 0}
.notes{background:#fff8e1;border:1px solid #ffe082;padding:6px 10px 6px 28px;border-radius:6px}
.failure{background:#ffebee;border:1px solid #ef9a9a;padding:8px 12px;border-radius:6px;margin:12px 0}
.failure h2{margin-top:0;border:none;color:#b71c1c}
pre{background:#263238;color:#eceff1;padding:8px 10px;border-radius:4px;overflow:auto;max-height:480px;font:12px/1.4 "DejaVu Sans Mono",Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word}
table.list{border-collapse:collapse;margin:4px 0}
table.list th,table.list td{text-align:left;padding:3px 12px 3px 0;border-bottom:1px solid #eeeeee;vertical-align:top}
table.list td.num{text-align:right;font-variant-numeric:tabular-nums}
.timeline{display:grid;grid-template-columns:minmax(120px,max-content) 1fr max-content;gap:3px 10px;align-items:center;font-size:12px}
.timeline .track{position:relative;height:14px;background:#fafafa;border-radius:3px}
.timeline .wait{position:absolute;top:4px;height:6px;background:#cfd8dc;border-radius:3px}
.timeline .run{position:absolute;top:0;height:14px;border-radius:3px;min-width:2px;background:#757575}
${Object.entries(PHASE_COLOURS)
  .map(([p, c]) => `.timeline .run.phase-${p}{background:${c.stroke}}`)
  .join('\n')}
details.task{border:1px solid #e0e0e0;border-radius:6px;margin:6px 0;padding:4px 10px}
details.task>summary{cursor:pointer;font-weight:bold}
.muted{color:#757575}
`;

/** Keeps open task sections open when the page reloads itself during a run. */
const KEEP_OPEN_SCRIPT = `
(function(){
  var key = 'kfpdsl-open:' + location.pathname;
  var open = JSON.parse(sessionStorage.getItem(key) || '[]');
  open.forEach(function(id){ var d = document.getElementById(id); if (d) d.open = true; });
  document.querySelectorAll('details.task').forEach(function(d){
    d.addEventListener('toggle', function(){
      var ids = Array.prototype.map.call(document.querySelectorAll('details.task[open]'), function(x){ return x.id; });
      sessionStorage.setItem(key, JSON.stringify(ids));
    });
  });
})();
`;

const RELOAD_SCRIPT = 'setTimeout(function(){ location.reload(); }, 2000);';

const failed = (p: string): boolean => p === 'Failed' || p === 'Error';
const notRun = (p: string): boolean => p === 'Skipped' || p === 'Omitted';

function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const iso = (t: number | undefined): string => (t !== undefined ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

/** A link to a file of the run directory (the page lives there); an absolute path stays as it is. */
function fileHref(rel: string): string {
  const path = rel.startsWith('/') ? rel : rel.split('/').map(encodeURIComponent).join('/');
  return rel.startsWith('/') ? `file://${path.split('/').map(encodeURIComponent).join('/')}` : path;
}

/** Status of each graph node by Argo name: tasks from their rows (loop iterations together), skipped groups from the events. */
function statusOf(view: RunView): (task: string) => NodeStatus | undefined {
  const rows = new Map<string, TaskRow[]>();
  for (const t of view.tasks) rows.set(t.name, [...(rows.get(t.name) ?? []), t]);
  const insideSkipped = new Map<string, TaskPhase>();
  const walk = (items: readonly GraphItem[], skipped: TaskPhase | undefined): void => {
    for (const it of items) {
      const own = it.task !== undefined ? view.groups.get(it.task) : undefined;
      const s = skipped ?? (it.kind === 'group' ? own : undefined);
      if (it.task !== undefined && s !== undefined) insideSkipped.set(it.task, s);
      if (it.kind === 'group') walk(it.children, s);
    }
  };
  if (view.graph) walk(view.graph.items, undefined);
  const running = view.phase === 'Running';
  return (task) => {
    const rs = rows.get(task);
    if (!rs || rs.length === 0) {
      const skipped = insideSkipped.get(task);
      if (skipped) return { phase: skipped, text: skipped };
      // A group: coloured only when skipped; a task not (yet) seen.
      if (view.graph && isGroup(view.graph, task)) return undefined;
      return running ? { phase: 'Pending', text: 'Pending' } : { phase: 'Pending', text: 'not run' };
    }
    const count = (p: (x: string) => boolean): number => rs.filter((r) => p(r.phase)).length;
    const n = rs.length;
    const of = (k: number): string => (n > 1 ? `${k}/${n} ` : '');
    if (count(failed) > 0) return { phase: 'Failed', text: `${of(count(failed))}Failed` };
    if (count((p) => p === 'Running') > 0) return { phase: 'Running', text: `${of(count((p) => p === 'Running'))}Running` };
    if (count((p) => p === 'Succeeded') === n) {
      const d = Math.max(...rs.map((r) => (r.finishedAt ?? 0) - (r.startedAt ?? 0)));
      return { phase: 'Succeeded', text: `${n > 1 ? `${n}× ` : ''}Succeeded ${duration(d)}` };
    }
    if (count(notRun) === n) return { phase: rs[0]!.phase, text: rs[0]!.phase };
    return { phase: 'Succeeded', text: `${of(count((p) => p === 'Succeeded'))}Succeeded` };
  };
}

function isGroup(g: Graph, task: string): boolean {
  const walk = (items: readonly GraphItem[]): boolean => items.some((it) => it.kind === 'group' && (it.task === task || walk(it.children)));
  return walk(g.items);
}

/** Task name → the tasks it waits for (data, `after`, and what its enclosing groups wait for). */
function upstreamOf(g: Graph | undefined): Map<string, Set<string>> {
  const up = new Map<string, Set<string>>();
  if (!g) return up;
  const taskOfId = new Map<string, string>();
  const inside = new Map<string, string[]>();
  const walk = (items: readonly GraphItem[], groups: string[]): void => {
    for (const it of items) {
      if (it.kind === 'group') {
        inside.set(it.id, []);
        walk(it.children, [...groups, it.id]);
      } else if (it.task !== undefined) {
        taskOfId.set(it.id, it.task);
        for (const gid of groups) inside.get(gid)!.push(it.task);
      }
    }
  };
  walk(g.items, []);
  for (const e of g.edges) {
    const from = taskOfId.get(e.from);
    if (from === undefined) continue;
    const targets = e.toGroup ? (inside.get(e.to) ?? []) : [taskOfId.get(e.to)].filter((t): t is string => t !== undefined);
    for (const t of targets) up.set(t, (up.get(t) ?? new Set()).add(from));
  }
  return up;
}

function header(view: RunView): string {
  const end = view.finishedAt;
  const took = view.startedAt !== undefined && end !== undefined ? ` · ${duration(end - view.startedAt)}` : '';
  const lines = [
    `<h1>${esc(view.title)}</h1>`,
    `<p class="meta"><span class="badge phase-${view.phase.toLowerCase()}" id="run-phase">${esc(view.phase)}</span> ${esc(view.runId)}${view.startedAt !== undefined ? ` · started ${esc(iso(view.startedAt))}` : ''}${took}</p>`,
  ];
  if (view.message) lines.push(`<p>${esc(view.message)}</p>`);
  if (view.phase === 'Running') lines.push('<p class="live">The run is going: this page reloads itself every 2 seconds.</p>');
  if (view.notes.length > 0) lines.push(`<ul class="notes">${view.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  return lines.join('\n');
}

/** The part of a failed task's log that says why: from the last Python traceback on, or its last lines. */
export function failureExcerpt(log: string): string {
  const lines = log.replace(/\n$/, '').split('\n');
  let from = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.startsWith('Traceback (most recent call last)')) {
      from = i;
      break;
    }
  }
  const picked = from >= 0 ? lines.slice(from) : lines.slice(-30);
  return picked.slice(-80).join('\n');
}

function failures(view: RunView): string {
  const bad = view.tasks.filter((t) => failed(t.phase));
  if (bad.length === 0) return '';
  const parts = bad.map((t) => {
    const last = t.logs.at(-1);
    const excerpt = last ? failureExcerpt(last.text) : '';
    return `<h3><a href="#${esc(taskAnchor(t))}">${esc(t.label)}</a> <span class="phase-${t.phase.toLowerCase()}">${esc(t.phase)}</span></h3>${t.message ? `<p>${esc(t.message)}</p>` : ''}${excerpt ? `<pre class="traceback">${esc(excerpt)}</pre>` : ''}`;
  });
  return `<section class="failure" id="failure"><h2>Failed: ${bad.map((t) => esc(t.label)).join(', ')}</h2>\n${parts.join('\n')}</section>`;
}

function graphSection(view: RunView): string {
  if (!view.graph) return '';
  const status = statusOf(view);
  return `<h2>Graph</h2>\n<div class="graph">\n${renderSvg(view.graph, { status })}</div>\n<div class="tip" id="kfpdsl-tip"></div>\n<script type="application/json" id="kfpdsl-details">${scriptJson(
    detailsOf(view.graph, (task) => {
      const s = status(task);
      return s ? [['status', s.text]] : [];
    }),
  )}</script>`;
}

function timeline(view: RunView): string {
  const ran = view.tasks.filter((t) => t.startedAt !== undefined && !notRun(t.phase));
  if (ran.length === 0) return '';
  const start = Math.min(view.startedAt ?? Infinity, ...ran.map((t) => t.startedAt!));
  // A page of a run still going draws running tasks up to now (such pages are never compared);
  // otherwise the last thing recorded ends the time axis.
  const now = view.finishedAt ?? (view.phase === 'Running' ? Date.now() : Math.max(...view.tasks.map((t) => t.finishedAt ?? t.startedAt ?? start)));
  const span = Math.max(1, now - start);
  const up = upstreamOf(view.graph);
  const pct = (t: number): string => `${(((t - start) / span) * 100).toFixed(2)}%`;
  const rows = [...ran]
    .sort((a, b) => a.startedAt! - b.startedAt! || (a.id < b.id ? -1 : 1))
    .map((t) => {
      const begin = t.startedAt!;
      const end = t.finishedAt ?? now;
      // Ready when the last task it waits for ended (before it began): the wait is for a free slot.
      const deps = up.get(t.name) ?? new Set<string>();
      const ready = Math.max(start, ...view.tasks.filter((d) => deps.has(d.name) && d.finishedAt !== undefined && d.finishedAt <= begin).map((d) => d.finishedAt!));
      const wait = begin - ready;
      const title = `${t.label}: ${wait >= 50 ? `waited ${duration(wait)}, ` : ''}ran ${duration(end - begin)} (${t.phase})`;
      return `<div class="label"><a href="#${esc(taskAnchor(t))}">${esc(t.label)}</a></div><div class="track" title="${esc(title)}">${wait >= 50 ? `<div class="wait" style="left:${pct(ready)};width:${pct(begin - ready + start)}"></div>` : ''}<div class="run phase-${t.phase.toLowerCase()}" style="left:${pct(begin)};width:${pct(end - begin + start)}"></div></div><div class="muted">${esc(duration(end - begin))}${wait >= 50 ? ` (waited ${esc(duration(wait))})` : ''}</div>`;
    });
  return `<h2>Timeline</h2>\n<p class="muted">Grey: waiting for a free slot after its inputs were ready; coloured: running (all attempts).</p>\n<div class="timeline">${rows.join('\n')}</div>`;
}

const taskAnchor = (t: TaskRow): string => `task-${t.id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

function taskSection(t: TaskRow): string {
  const parts: string[] = [];
  const time = t.startedAt !== undefined && t.finishedAt !== undefined && !notRun(t.phase) ? ` · ${duration(t.finishedAt - t.startedAt)}` : '';
  const tries = t.attempts !== undefined && t.attempts > 1 ? ` · ${t.attempts} attempts` : '';
  parts.push(`<summary>${esc(t.label)} <span class="phase-${t.phase.toLowerCase()}">${esc(t.phase)}</span><span class="muted">${esc(time + tries)}</span></summary>`);
  parts.push(`<p class="muted">template ${esc(t.template)}${t.startedAt !== undefined && !notRun(t.phase) ? ` · started ${esc(iso(t.startedAt))}` : ''}</p>`);
  if (t.message) parts.push(`<p>${esc(t.message)}</p>`);
  if (t.parameters.length > 0) {
    parts.push(`<table class="list"><tr><th>output parameter</th><th>value</th></tr>${t.parameters.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v.length > 2000 ? `${v.slice(0, 2000)}…` : v)}</td></tr>`).join('')}</table>`);
  }
  if (t.artifacts.length > 0) {
    parts.push(`<table class="list"><tr><th>output artifact</th><th>file</th></tr>${t.artifacts.map(([k, p]) => `<tr><td>${esc(k)}</td><td><a href="${esc(fileHref(p))}">${esc(p)}</a></td></tr>`).join('')}</table>`);
  }
  for (const l of t.logs) {
    if (l.linkOnly) {
      parts.push(`<h4>${esc(l.title)} <a class="muted" href="${esc(fileHref(l.file))}">${esc(l.file)}</a></h4><p class="muted">not on this page (it holds at most 8 MiB of logs): open the file</p>`);
      continue;
    }
    const skipped = l.omitted > 0 ? `<p class="muted">the first ${l.omitted} bytes are left out; the whole log is <a href="${esc(fileHref(l.file))}">${esc(l.file)}</a></p>` : '';
    parts.push(`<h4>${esc(l.title)} <a class="muted" href="${esc(fileHref(l.file))}">${esc(l.file)}</a></h4>${skipped}<pre class="log">${l.text === '' ? '<span class="muted">(empty)</span>' : esc(l.text)}</pre>`);
  }
  if (t.logs.length === 0 && !notRun(t.phase)) parts.push('<p class="muted">no log</p>');
  return `<details class="task phase-${t.phase.toLowerCase()}" id="${esc(taskAnchor(t))}" data-task="${esc(t.name)}"${failed(t.phase) ? ' open' : ''}>${parts.join('\n')}</details>`;
}

function tasksSection(view: RunView): string {
  if (view.tasks.length === 0) return '<h2>Tasks</h2>\n<p class="muted">no task is known to have started</p>';
  const rows = view.tasks.map(
    (t) =>
      `<tr class="phase-${t.phase.toLowerCase()}"><td><a href="#${esc(taskAnchor(t))}">${esc(t.label)}</a></td><td class="phase">${esc(t.phase)}</td><td>${esc(t.startedAt !== undefined && !notRun(t.phase) ? iso(t.startedAt) : '')}</td><td class="num">${esc(t.startedAt !== undefined && t.finishedAt !== undefined && !notRun(t.phase) ? duration(t.finishedAt - t.startedAt) : '')}</td><td class="num">${t.attempts ?? ''}</td></tr>`,
  );
  return `<h2>Tasks</h2>\n<table class="list" id="tasks"><tr><th>task</th><th>status</th><th>started</th><th>time</th><th>attempts</th></tr>${rows.join('')}</table>\n${view.tasks.map(taskSection).join('\n')}`;
}

function metricsSection(view: RunView): string {
  if (view.metrics.length === 0) return '';
  const byTask = new Map<string, typeof view.metrics>();
  for (const m of view.metrics) byTask.set(m.task, [...(byTask.get(m.task) ?? []), m]);
  const tables = [...byTask].map(
    ([task, ms]) =>
      `<h3>${esc(task)}</h3><table class="list metrics"><tr><th>metric</th><th>value</th><th>format</th></tr>${ms.map((m) => `<tr><td>${esc(m.name)}</td><td class="num">${esc(m.format === 'PERCENTAGE' ? `${(m.value * 100).toFixed(1)}%` : String(m.value))}</td><td>${esc(m.format)}</td></tr>`).join('')}</table>`,
  );
  return `<h2>Metrics</h2>\n${tables.join('\n')}`;
}

function argumentsSection(view: RunView): string {
  if (view.arguments.length === 0) return '';
  return `<h2>Arguments</h2>\n<table class="list" id="arguments"><tr><th>parameter</th><th>value</th></tr>${view.arguments.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

export function renderReport(view: RunView): string {
  const live = view.phase === 'Running';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kfpdsl">
<title>${esc(`${view.phase} · ${view.title}`)}</title>
<style>${PAGE_STYLE}${REPORT_STYLE}</style>
</head>
<body>
${header(view)}
${failures(view)}
${graphSection(view)}
${timeline(view)}
${tasksSection(view)}
${metricsSection(view)}
${argumentsSection(view)}
<script>${view.graph ? TIP_SCRIPT : ''}${KEEP_OPEN_SCRIPT}${live ? RELOAD_SCRIPT : ''}</script>
</body>
</html>
`;
}
