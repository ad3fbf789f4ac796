/**
 * The pictures and the run report in a real browser: Debian's Chromium, driven by
 * playwright-core, headless, with every request that is not a local file blocked (the pages must
 * work offline). For the SVG and HTML of every example, and for the report of a failed and a
 * successful real run (and of a run still going): the page loads without console errors or
 * network requests, every task is on it, statuses have their colours, the HTML's hover shows a
 * task's details, Korean text arrives as UTF-8. Screenshots land in $KFPDSL_SCREENSHOTS (default:
 * kfpdsl-screenshots in the temporary directory). Skipped, saying so, when Chromium is missing
 * (.ci/run installs it).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryPipelines } from '../src/check/pipeline-calls.js';
import { compileSource } from '../src/compile.js';
import { buildGraph, type GraphItem } from '../src/graph/graph.js';
import { SourceFile } from '../src/source.js';
import { HANG_CAP_MS } from './support/caps.js';
import { ensureBundle, repoRoot, runCli } from './support/cli.js';
import { FAILING_KFP, runPipeline, scratch, writeKfp, type ReportRun } from './support/report-runs.js';
import { requirement } from './support/requirements.js';

const CHROMIUM = process.env['KFPDSL_CHROMIUM'] ?? '/usr/bin/chromium';
const browser = requirement(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`);
const shots = process.env['KFPDSL_SCREENSHOTS'] ?? join(tmpdir(), 'kfpdsl-screenshots');

const EXAMPLES = readdirSync(join(repoRoot, 'examples'))
  .filter((f) => f.endsWith('.kfp'))
  .map((f) => f.slice(0, -4))
  .sort();

/** The colours src/graph/svg.ts gives each status, as the browser computes them. */
const STROKE = { Succeeded: 'rgb(46, 125, 50)', Failed: 'rgb(198, 40, 40)', Skipped: 'rgb(158, 158, 158)', Omitted: 'rgb(158, 158, 158)', Running: 'rgb(21, 101, 192)' };

// This project's TypeScript has no DOM types: what the page-side functions use, declared here.
interface DomElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  getBBox(): { width: number; height: number };
  textContent: string | null;
}
interface DomWindow {
  document: { characterSet: string; getElementById(id: string): DomElement | null };
  getComputedStyle(e: DomElement): { stroke: string };
}

const root = scratch('kfpdsl-browser-');
let context: BrowserContext | undefined;
/** Every request the pages made that was not for a local file (all blocked). */
const network: string[] = [];

beforeAll(async () => {
  if (browser.missing) return;
  ensureBundle();
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  context = await chromium.launchPersistentContext(join(root, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    offline: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) await route.continue();
    else {
      network.push(url);
      await route.abort();
    }
  });
});

afterAll(async () => {
  await context?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

async function open(path: string): Promise<Opened> {
  const page = await context!.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${path}`, { waitUntil: 'load' });
  return { page, errors };
}

async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  const file = join(shots, `${name}.png`);
  // An SVG document has no scrolling body for a full-page shot: the viewport it is.
  await page.screenshot({ path: file, fullPage });
  expect(statSync(file).size).toBeGreaterThan(1000);
}

function tasksOf(name: string): string[] {
  const rel = `examples/${name}.kfp`;
  const r = compileSource(new SourceFile(rel, readFileSync(join(repoRoot, rel), 'utf8')), { checkOnly: true });
  const out: string[] = [];
  const walk = (items: readonly GraphItem[]): void => {
    for (const it of items) {
      if (it.kind === 'group') walk(it.children);
      else if (it.task !== undefined) out.push(it.task);
    }
  };
  // The pipeline `graph` draws without --pipeline: the one no other pipeline of the file calls.
  walk(buildGraph(entryPipelines(r.program!.pipelines)[0]!).items);
  return out;
}

/** Every `data-task` node drawn, with its box: none may be empty or off the picture. */
async function drawnTasks(page: Page): Promise<string[]> {
  return page.$$eval('svg.kfpdsl-graph g.node[data-task]', (nodes) =>
    (nodes as unknown as DomElement[]).map((n) => {
      const b = n.getBBox();
      return b.width > 20 && b.height > 20 ? n.getAttribute('data-task')! : `${n.getAttribute('data-task')} (not drawn)`;
    }),
  );
}

describe.each(EXAMPLES)('browser: the pictures of %s', (name) => {
  it.skipIf(browser.missing)(browser.title('SVG: every task drawn, offline, no errors'), async () => {
    const svg = runCli(['graph', `examples/${name}.kfp`, '--format', 'svg']);
    expect(svg.status).toBe(0);
    const file = join(root, `${name}.svg`);
    writeFileSync(file, svg.stdout);
    const { page, errors } = await open(file);
    expect((await drawnTasks(page)).sort()).toEqual(tasksOf(name).sort());
    await shoot(page, `graph-${name}-svg`, false);
    expect(errors).toEqual([]);
    expect(network).toEqual([]);
    await page.close();
  });

  it.skipIf(browser.missing)(browser.title('HTML: every task drawn, hover shows the details'), async () => {
    const html = runCli(['graph', `examples/${name}.kfp`, '--format', 'html']);
    expect(html.status).toBe(0);
    const file = join(root, `${name}.html`);
    writeFileSync(file, html.stdout);
    const { page, errors } = await open(file);
    expect(await page.evaluate(() => (globalThis as unknown as DomWindow).document.characterSet)).toBe('UTF-8');
    const tasks = tasksOf(name);
    expect((await drawnTasks(page)).sort()).toEqual([...tasks].sort());
    const first = tasks[0]!;
    await page.hover(`svg.kfpdsl-graph g.node[data-task="${first}"]`);
    const tip = page.locator('#kfpdsl-tip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    const text = await tip.innerText();
    expect(text).toContain(`task\t${first}`);
    expect(text).toMatch(/source\texamples\/\w+\.kfp:\d+/);
    await shoot(page, `graph-${name}-html`);
    expect(errors).toEqual([]);
    expect(network).toEqual([]);
    await page.close();
  });
});

describe('browser: run reports', () => {
  let ok: ReportRun;
  let bad: ReportRun;
  beforeAll(() => {
    if (browser.missing) return;
    ok = runPipeline(join(repoRoot, 'examples/parallel.kfp'), join(root, 'runs'));
    bad = runPipeline(writeKfp(root, 'fail.kfp', FAILING_KFP), join(root, 'runs'));
  });

  const statusOf = (page: Page, task: string): Promise<{ status: string | null; stroke: string }> =>
    page.$eval(`svg.kfpdsl-graph g.node[data-task="${task}"]`, (n) => {
      const w = globalThis as unknown as DomWindow;
      const e = n as unknown as DomElement;
      return { status: e.getAttribute('data-status'), stroke: w.getComputedStyle(e.querySelector('rect')!).stroke };
    });

  it.skipIf(browser.missing)(browser.title('a successful run: every task green, the timeline, the logs'), async () => {
    expect(ok.status).toBe(0);
    const { page, errors } = await open(join(ok.dir, 'report.html'));
    expect(await page.locator('#run-phase').innerText()).toBe('Succeeded');
    for (const t of ['numbers', 'doubled', 'total', 'add']) expect(await statusOf(page, t)).toEqual({ status: 'Succeeded', stroke: STROKE.Succeeded });
    const run = JSON.parse(readFileSync(join(ok.dir, 'run.json'), 'utf8')) as { tasks: { id: string }[] };
    expect(await page.locator('.timeline .run').count()).toBe(run.tasks.length);
    expect(await page.locator('details.task').count()).toBe(run.tasks.length);
    expect(await page.locator('#failure').count()).toBe(0);
    await shoot(page, 'report-succeeded');
    expect(errors).toEqual([]);
    expect(network).toEqual([]);
    await page.close();
  });

  it.skipIf(browser.missing)(browser.title('a failed run: the traceback at the top, statuses coloured, Korean as UTF-8'), async () => {
    expect(bad.status).toBe(1);
    const { page, errors } = await open(join(bad.dir, 'report.html'));
    expect(await page.evaluate(() => (globalThis as unknown as DomWindow).document.characterSet)).toBe('UTF-8');
    expect(await page.locator('h1').innerText()).toBe('실패하는 파이프라인');
    expect(await page.locator('#run-phase').innerText()).toBe('Failed');
    expect(await statusOf(page, 'm')).toEqual({ status: 'Succeeded', stroke: STROKE.Succeeded });
    expect(await statusOf(page, 'b')).toEqual({ status: 'Failed', stroke: STROKE.Failed });
    expect(await statusOf(page, 'show-2')).toEqual({ status: 'Skipped', stroke: STROKE.Skipped });
    expect(await statusOf(page, 'show')).toEqual({ status: 'Omitted', stroke: STROKE.Omitted });
    const failure = page.locator('#failure');
    expect(await failure.innerText()).toContain('ValueError: 잘못된 값 6');
    const [failureBox, graphBox] = [await failure.boundingBox(), await page.locator('svg.kfpdsl-graph').boundingBox()];
    expect(failureBox!.y).toBeLessThan(graphBox!.y);
    // The failed task's section is open, with the log of each attempt.
    const logs = page.locator('details.task[data-task="b"] pre.log');
    expect(await logs.count()).toBe(2);
    expect(await logs.nth(0).innerText()).toContain('시작합니다 6');
    await shoot(page, 'report-failed');
    expect(errors).toEqual([]);
    expect(network).toEqual([]);
    await page.close();
  });

  it.skipIf(browser.missing)(browser.title('while the run goes, the open page follows it to the end'), async () => {
    const slow = writeKfp(
      root,
      'slow.kfp',
      `component wait_a_bit(s: float) -> str {
  \`\`\`python
  import time
  time.sleep(s)
  return "done"
  \`\`\`
}

pipeline "slow" () {
  a = wait_a_bit(3.0)
  wait_a_bit(0.5) after a
}
`,
    );
    const parent = join(root, 'live');
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'kfpdsl.mjs'), 'run', slow, '--run-dir', parent, '--quiet'], { stdio: 'ignore' });
    let exited = false;
    const ended = new Promise<number | null>((res) =>
      child.on('exit', (code) => {
        exited = true;
        res(code);
      }),
    );
    try {
      // The page exists from the start of the run.
      let page: string | undefined;
      await expect
        .poll(
          () => {
            const dirs = existsSync(parent) ? readdirSync(parent).filter((d) => d !== '.gitignore') : [];
            page = dirs.length === 1 && existsSync(join(parent, dirs[0]!, 'report.html')) ? join(parent, dirs[0]!, 'report.html') : undefined;
            // A run that ended before its page was seen fails here, not at the cap.
            return page !== undefined || exited;
          },
          { timeout: HANG_CAP_MS, interval: 100 },
        )
        .toBe(true);
      expect(page, 'the run ended before report.html appeared').toBeDefined();
      const { page: p, errors } = await open(page!);
      expect(await p.locator('#run-phase').innerText()).toBe('Running');
      expect(await p.locator('.live').innerText()).toContain('reloads itself');
      // The first task goes blue while it runs (the page has reloaded by then)…
      await p.waitForFunction(() => (globalThis as unknown as DomWindow).document.getElementById('run-phase')?.textContent === 'Running' && (globalThis as unknown as DomWindow).document.getElementById('kfpdsl-details') !== null && /data-status="Running"/.test(((globalThis as unknown as { document: { body: { innerHTML: string } } }).document.body.innerHTML)), undefined, { timeout: HANG_CAP_MS, polling: 200 });
      expect(await statusOf(p, 'a')).toEqual({ status: 'Running', stroke: STROKE.Running });
      await shoot(p, 'report-running');
      // It reloads itself until the run is over.
      await p.waitForFunction(() => (globalThis as unknown as DomWindow).document.getElementById('run-phase')?.textContent === 'Succeeded', undefined, { timeout: HANG_CAP_MS, polling: 200 });
      expect(await ended).toBe(0);
      expect(await statusOf(p, 'a')).toEqual({ status: 'Succeeded', stroke: STROKE.Succeeded });
      expect(await statusOf(p, 'wait-a-bit')).toEqual({ status: 'Succeeded', stroke: STROKE.Succeeded });
      expect(errors).toEqual([]);
      expect(network).toEqual([]);
      await p.close();
    } finally {
      child.kill();
    }
  });
});
