/**
 * Fuzzing: no input crashes the compiler, hangs it, or produces an unlocated or internal
 * error, and whatever it writes stays inside the output directory and holds no raw control character.
 *
 * Cases (test/support/fuzz-cases.ts): MUTATIONS deterministic mutations of examples/*.kfp
 * and test/fixtures/errors/*.kfp, plus every 'core' hostile input (20,000 tasks, 5 MB
 * strings, a 9 MB file, 100,000-deep brackets, 100k-character names, thousands of errors,
 * pathological pipeline names, 1,000-input components, …). Each is compiled check-only and
 * in full.
 *
 * No limit here is a duration: the machine is shared, and a busy one must not fail the suite.
 * A blow-up is caught by counting what a compilation produced against the size of its input
 * (bytes of output, number of diagnostics: checkResult in test/support/fuzz-cases.ts); a hang
 * by HANG_MS, a cap so generous that only a real hang reaches it. Speed is measured in bench/.
 *
 * Hostile cases marked mayHang (they once ran for minutes) cannot run in this process: a
 * synchronous loop cannot be interrupted. They run in scripts/fuzz.mjs, whose worker is killed
 * after HANG_MS. Cases titled [KNOWN BUG] fail until the bug in KNOWN_BUGS is fixed.
 *
 * For many more cases: node scripts/fuzz.mjs 10000 [seed] (not part of npm test).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSource, type CompileResult } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { HANG_CAP_MS } from './support/caps.js';
import { checkResult, hostileCases, knownBugOf, loadSeeds, mutationCases, type FuzzCase } from './support/fuzz-cases.js';
import { requirement } from './support/requirements.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SEED = 20_240_601;
const MUTATIONS = 300;
/** A compilation still running after this long is a hang (the slowest takes 3 s idle, 12 s on a very busy machine). */
const HANG_MS = HANG_CAP_MS;

const seeds = loadSeeds(root);
const mutations = mutationCases(seeds, SEED, MUTATIONS);
const hostile = hostileCases().filter((c) => c.tier === 'core');
const inProcess = hostile.filter((c) => !c.mayHang);
const watched = hostile.filter((c) => c.mayHang);
/** Every watched compilation (check-only and full) reaching the hang cap, plus a minute to start. */
const WATCHED_TIMEOUT_MS = 60_000 + watched.length * 2 * HANG_MS;

const timings: { name: string; ms: number }[] = [];
let started = 0;

/** Seed paths are relative to the repository root; imports inside the seeds resolve against them. */
function sourcePath(path: string): string {
  return isAbsolute(path) || path.includes('\0') ? path : relative(process.cwd(), join(root, path)) || path;
}

function title(c: FuzzCase): string {
  return `${c.knownBug ? '[KNOWN BUG] ' : ''}${c.name}`;
}

/** Compiles one case both ways and returns every broken invariant (empty: all kept). */
function fuzz(c: FuzzCase): string[] {
  const file = new SourceFile(sourcePath(c.path), c.text);
  const problems: string[] = [];
  for (const checkOnly of [true, false]) {
    const mode = checkOnly ? 'check-only' : 'full';
    const t0 = performance.now();
    let result: CompileResult;
    try {
      result = compileSource(file, { checkOnly });
    } catch (e) {
      problems.push(`${mode}: compileSource threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      continue;
    }
    const ms = performance.now() - t0;
    timings.push({ name: `${c.name} (${mode})`, ms });
    // Only a hang gets here: it cannot be interrupted in this process, so it is reported when it ends.
    if (ms > HANG_MS) problems.push(`${mode}: HANG: ran for ${(ms / 1000).toFixed(0)} s (cap ${HANG_MS / 1000} s)`);
    for (const p of checkResult(result, checkOnly, file)) problems.push(`${mode}: ${p}`);
  }
  return problems;
}

function expectClean(c: FuzzCase): void {
  const problems = fuzz(c);
  const known = c.knownBug ?? knownBugOf(problems);
  expect(problems, known ? `KNOWN BUG ${known}` : `${c.name}: every invariant`).toEqual([]);
}

/** What the examples compile to before any fuzzing: the compiler must keep no state a bad input could spoil. */
const examples = seeds.filter((s) => s.path.startsWith('examples/'));
let before: string[] = [];
function compileExamples(): string[] {
  return examples.map((s) => JSON.stringify(compileSource(new SourceFile(sourcePath(s.path), readFileSync(join(root, s.path), 'utf8')))));
}

beforeAll(() => {
  started = performance.now();
  before = compileExamples();
});

afterAll(() => {
  const total = performance.now() - started;
  const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 5);
  console.log(
    `fuzz: ${mutations.length} mutations + ${inProcess.length} hostile cases in process + ${watched.length} in a watched worker, ` +
      `${(total / 1000).toFixed(1)} s in all; slowest compilations:\n${slowest.map((s) => `  ${s.ms.toFixed(0).padStart(6)} ms  ${s.name}`).join('\n')}`,
  );
});

describe('fuzz: mutated seeds', () => {
  it('has seeds and a deterministic generator', () => {
    expect(seeds.length).toBeGreaterThan(10);
    expect(mutationCases(seeds, SEED, 5).map((c) => c.text)).toEqual(mutations.slice(0, 5).map((c) => c.text));
    expect(new Set(mutations.map((c) => c.text)).size).toBeGreaterThan(MUTATIONS * 0.9);
  });

  it.each(mutations.map((c) => [title(c), c] as const))('%s', (_, c) => expectClean(c));
});

describe('fuzz: hostile inputs', () => {
  it.each(inProcess.map((c) => [title(c), c] as const))('%s', (_, c) => expectClean(c));

  // Cases that once ran for minutes: scripts/fuzz.mjs runs them in a worker thread and kills it
  // after HANG_MS, reporting a hang instead of hanging this test run.
  const names = watched.map((c) => c.name);
  const bugs = watched.filter((c) => c.knownBug).map((c) => `\n  ${c.name}: ${c.knownBug}`).join('');
  it.skipIf(names.length === 0)(requirement(names.length > 0, 'no hang-prone case in this tier').title(`${bugs ? '[KNOWN BUG] ' : ''}hang-prone cases: no compilation hangs (cap ${HANG_MS / 1000} s each), in a watched worker: ${names.join('; ')}`), () => {
    const filter = `^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;
    const run = spawnSync(
      process.execPath,
      [join(root, 'scripts', 'fuzz.mjs'), '0', '--only-hostile', '--filter', filter, '--hang', String(HANG_MS)],
      { cwd: root, encoding: 'utf8', timeout: WATCHED_TIMEOUT_MS },
    );
    const report = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
    expect(report, 'the worker ran every case').toContain(`${names.length} cases in`);
    const failed = report.slice(Math.max(0, report.indexOf('FAILED'))).trim();
    expect(run.status, `${bugs ? `known bugs:${bugs}\n` : ''}scripts/fuzz.mjs reports: ${failed}`).toBe(0);
  }, WATCHED_TIMEOUT_MS + 10_000);
});

describe('fuzz: aftermath', () => {
  it('the examples compile exactly as they did before the fuzzing', () => {
    expect(compileExamples()).toEqual(before);
  });
});
