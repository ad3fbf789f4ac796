/**
 * report.html and `kfpdsl runs` from real runs (the bundled CLI, python3): the page's content
 * as text (test/browser.test.ts looks at it in Chromium), the path `run` prints, the listing,
 * `runs show` and `--open`, and what a run directory that is missing or half-written still gives.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRun, PAGE_LOG_BYTES } from '../src/report/collect.js';
import { renderReport } from '../src/report/render.js';
import { ensureBundle, repoRoot } from './support/cli.js';
import { HANG_CAP_MS } from './support/caps.js';
import { FAILING_KFP, runPipeline, scratch, writeKfp, type ReportRun } from './support/report-runs.js';

const root = scratch('kfpdsl-report-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const parent = join(root, 'runs');
let ok: ReportRun;
let bad: ReportRun;

beforeAll(() => {
  ensureBundle();
  ok = runPipeline(join(repoRoot, 'examples/parallel.kfp'), parent);
  bad = runPipeline(writeKfp(root, 'fail.kfp', FAILING_KFP), parent);
});

function cli(args: readonly string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kfpdsl.mjs'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: HANG_CAP_MS });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const report = (r: ReportRun): string => readFileSync(join(r.dir, 'report.html'), 'utf8');

describe('kfpdsl run writes report.html', () => {
  it('prints its path after the summary', () => {
    expect(ok.status).toBe(0);
    expect(ok.stdout.trimEnd().split('\n').at(-1)).toBe(`report: ${join(ok.dir, 'report.html')}`);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`report: ${join(bad.dir, 'report.html')}`);
    expect(statSync(join(ok.dir, 'report.html')).mode & 0o777).toBe(0o600);
  });

  it('goes to stderr with --format json, whose stdout stays one JSON document', () => {
    const r = runPipeline(join(repoRoot, 'examples/add.kfp'), join(root, 'json-runs'), ['--arg', 'value_1=3', '--format', 'json']);
    expect(r.status).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stderr).toContain(`report: ${join(r.dir, 'report.html')}`);
  });

  it('the successful run: every task with its status, outputs, logs, the graph coloured', () => {
    const html = report(ok);
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">/);
    expect(html).toContain('<span class="badge phase-succeeded" id="run-phase">Succeeded</span>');
    const run = JSON.parse(readFileSync(join(ok.dir, 'run.json'), 'utf8')) as { tasks: { id: string; name: string }[] };
    for (const t of run.tasks) expect(html).toContain(`data-task="${t.name}"`);
    for (const name of ['numbers', 'doubled', 'total', 'add']) expect(html).toMatch(new RegExp(`<g class="node node-box status-succeeded" data-id="t_${name}" data-task="${name}" data-status="Succeeded">`));
    expect(html).toContain('<h2>Timeline</h2>');
    expect(html).not.toContain('id="failure"');
    expect(html).not.toContain('location.reload');
    // Artifacts link to the files, relative to the page.
    expect(html).toMatch(/<a href="parallel-pipeline\.numbers\/outputs\/artifacts\/generate-random-list-Output">/);
  });

  it('the failed run: the traceback first, each attempt\'s log, statuses of skipped and omitted tasks', () => {
    const html = report(bad);
    expect(html).toContain('<span class="badge phase-failed" id="run-phase">Failed</span>');
    expect(html).toContain('<title>Failed · 실패하는 파이프라인</title>');
    const failure = html.indexOf('id="failure"');
    expect(failure).toBeGreaterThan(0);
    expect(failure).toBeLessThan(html.indexOf('<h2>Graph</h2>'));
    expect(html.slice(failure, html.indexOf('</section>', failure))).toMatch(/Traceback \(most recent call last\)[\s\S]*ValueError: 잘못된 값 6/);
    expect(html).toContain('<h4>attempt 1 ');
    expect(html).toContain('<h4>attempt 2 ');
    expect(html).toMatch(/data-task="b" data-status="Failed"/);
    expect(html).toMatch(/data-task="show-2" data-status="Skipped"/);
    expect(html).toMatch(/data-task="show" data-status="Omitted"/);
    expect(html).toContain('<tr><td>n</td><td>3</td></tr>');
  });

  it('metrics as tables', () => {
    const r = runPipeline(join(repoRoot, 'examples/export_metrics.kfp'), join(root, 'metrics'));
    expect(r.status).toBe(0);
    const html = report(r);
    expect(html).toContain('<h2>Metrics</h2>\n<h3>export-metric</h3><table class="list metrics"><tr><th>metric</th><th>value</th><th>format</th></tr><tr><td>auroc</td><td class="num">0.8</td><td>RAW</td></tr><tr><td>f1</td><td class="num">90.0%</td><td>PERCENTAGE</td></tr></table>');
  });

  it('keeps what it reads next to it: events.jsonl and graph.json', () => {
    const events = readFileSync(join(bad.dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string });
    expect(events[0]).toMatchObject({ kind: 'run', title: '실패하는 파이프라인', arguments: {} });
    expect(events.filter((e) => e.kind === 'retrying')).toHaveLength(1);
    expect(existsSync(join(bad.dir, 'graph.json'))).toBe(true);
  });
});

describe('kfpdsl runs', () => {
  it('lists the runs, newest first', () => {
    const r = cli(['runs', '--run-dir', parent]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN +STATUS +STARTED +TIME +TASKS +PIPELINE$/);
    expect(lines[1]).toMatch(/^pipeline-\d{8}-\d{6}-[0-9a-f]{4} +Failed +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +[\d.]+s +4 \(1 failed\) +실패하는 파이프라인$/);
    expect(lines[2]).toMatch(/^parallel-pipeline-\S+ +Succeeded /);
    const json = JSON.parse(cli(['runs', '--run-dir', parent, '--format', 'json']).stdout) as { runId: string; phase: string }[];
    expect(json.map((j) => j.phase)).toEqual(['Failed', 'Succeeded']);
  });

  it('an empty or absent run directory has no runs', () => {
    const r = cli(['runs', '--run-dir', join(root, 'none')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`no runs in ${join(root, 'none')}\n`);
  });

  it('runs show ID prints the summary again and the report path', () => {
    const id = bad.dir.slice(bad.dir.lastIndexOf('/') + 1);
    const r = cli(['runs', 'show', id, '--run-dir', parent]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${id}  Failed`);
    expect(r.stdout).toMatch(/^b +Failed +[\d.]+s \(2 tries\) +Error \(exit code 1\)/m);
    expect(r.stdout).toMatch(/^show-2 +Skipped +- +condition-2 was skipped/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`report: runs/${id}/report.html`);
    // A unique beginning of the id will do.
    expect(cli(['runs', 'show', 'parallel', '--run-dir', parent]).status).toBe(0);
  });

  it('an unknown or ambiguous id is a usage error', () => {
    const r = cli(['runs', 'show', 'parallel-pipelin', '--run-dir', parent]);
    expect(r.status).toBe(0);
    const none = cli(['runs', 'show', 'nothing-like-it', '--run-dir', parent]);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe(`error: no run "nothing-like-it" in ${parent} (list them with \`kfpdsl runs\`)\n`);
    const two = join(root, 'two');
    mkdirSync(join(two, 'a-1'), { recursive: true });
    mkdirSync(join(two, 'a-2'), { recursive: true });
    writeFileSync(join(two, 'a-1', 'workflow.yaml'), '');
    writeFileSync(join(two, 'a-2', 'workflow.yaml'), '');
    const amb = cli(['runs', 'show', 'a-', '--run-dir', two]);
    expect(amb.status).toBe(2);
    expect(amb.stderr).toBe('error: "a-" names 2 runs: a-1, a-2\n');
  });

  it('--open opens the report with $BROWSER', () => {
    const opened = join(root, 'opened.txt');
    const browser = join(root, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(browser, 0o755);
    const id = ok.dir.slice(ok.dir.lastIndexOf('/') + 1);
    const r = cli(['runs', 'show', id, '--run-dir', parent, '--open'], { BROWSER: browser });
    expect(r.status).toBe(0);
    // The opener is detached: wait for it (a hang is caught by the cap).
    const deadline = Date.now() + HANG_CAP_MS;
    while (!existsSync(opened) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    expect(readFileSync(opened, 'utf8')).toBe(join(ok.dir, 'report.html'));
  });
});

describe('a run directory that is missing or half-written still gives a report', () => {
  it('a run killed mid-way (no run.json, the last event half-written) says what is known', () => {
    const r = runPipeline(join(repoRoot, 'examples/add.kfp'), join(root, 'killed'), ['--arg', 'value_1=3']);
    rmSync(join(r.dir, 'run.json'));
    rmSync(join(r.dir, 'report.html'));
    const events = join(r.dir, 'events.jsonl');
    truncateSync(events, statSync(events).size - 20);
    // The run's pid is long gone: the report must not claim it is still going.
    const id = r.dir.slice(r.dir.lastIndexOf('/') + 1);
    const shown = cli(['runs', 'show', id, '--run-dir', join(root, 'killed')]);
    expect(shown.status).toBe(1);
    expect(shown.stdout).toContain(`${id}  Unfinished`);
    expect(shown.stdout).toContain('note: the run did not finish (run.json was never written');
    const html = readFileSync(join(r.dir, 'report.html'), 'utf8');
    expect(html).toContain('<span class="badge phase-unfinished" id="run-phase">Unfinished</span>');
    expect(html).toContain('the run did not finish');
    expect(html).toMatch(/data-task="sum" data-status="Succeeded"/);
    expect(html).not.toContain('location.reload');
    expect(cli(['runs', '--run-dir', join(root, 'killed')]).stdout).toMatch(/Unfinished/);
  });

  it('without graph.json and events: no picture, and the page says why', () => {
    const r = runPipeline(join(repoRoot, 'examples/add.kfp'), join(root, 'bare'), ['--arg', 'value_1=3']);
    for (const f of ['run.json', 'events.jsonl', 'graph.json', 'report.html']) rmSync(join(r.dir, f));
    const id = r.dir.slice(r.dir.lastIndexOf('/') + 1);
    const shown = cli(['runs', 'show', id, '--run-dir', join(root, 'bare')]);
    expect(shown.status).toBe(1);
    const html = readFileSync(join(r.dir, 'report.html'), 'utf8');
    expect(html).toContain("the pipeline&#39;s graph was not saved (graph.json is missing): no picture");
    expect(html).toContain('neither run.json nor events.jsonl is here');
    // The step directories still show which tasks started, with their logs.
    expect(html).toContain('add-example.sum');
  });

  it('a run.json that is not JSON is reported, not thrown', () => {
    const r = runPipeline(join(repoRoot, 'examples/add.kfp'), join(root, 'garbled'), ['--arg', 'value_1=3']);
    writeFileSync(join(r.dir, 'run.json'), '{"runId": "x", "tas');
    const id = r.dir.slice(r.dir.lastIndexOf('/') + 1);
    const shown = cli(['runs', 'show', id, '--run-dir', join(root, 'garbled')]);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toContain('note: the run summary (run.json) could not be read');
    expect(readFileSync(join(r.dir, 'report.html'), 'utf8')).toMatch(/data-task="sum" data-status="Succeeded"/);
  });
});

describe('a page of many tasks', () => {
  it('holds at most 8 MiB of logs; the rest are links', () => {
    // A run directory as a 150-iteration loop leaves it, each task with a 64 KiB log (written
    // here: a real run of that size would take minutes).
    const dir = join(root, 'many', 'p-1');
    mkdirSync(dir, { recursive: true });
    const lines = [JSON.stringify({ kind: 'run', runId: 'p-1', title: 'p', pipeline: 'p', arguments: {}, at: 1000, pid: 0 })];
    for (let i = 0; i < 150; i++) {
      const id = `p.for-loop-1(${i}).t`;
      mkdirSync(join(dir, id.replace(/[^A-Za-z0-9._-]/g, '_')));
      writeFileSync(join(dir, id.replace(/[^A-Za-z0-9._-]/g, '_'), 'log'), `${'x'.repeat(99)}\n`.repeat(655));
      lines.push(JSON.stringify({ kind: 'started', at: 2000 + i, id, displayName: 't', template: 't', type: 'Pod', attempt: 1 }));
      lines.push(JSON.stringify({ kind: 'succeeded', at: 3000 + i, id, displayName: 't', template: 't', type: 'Pod', phase: 'Succeeded' }));
    }
    writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
    const view = collectRun(dir);
    expect(view.tasks).toHaveLength(150);
    const logs = view.tasks.flatMap((t) => t.logs);
    const held = logs.reduce((n, l) => n + l.text.length, 0);
    expect(held).toBeLessThanOrEqual(PAGE_LOG_BYTES);
    expect(logs.filter((l) => l.linkOnly).length).toBeGreaterThan(0);
    expect(renderReport(view)).toContain('not on this page (it holds at most 8 MiB of logs)');
  });
});
