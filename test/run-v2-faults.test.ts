/**
 * The v2 executor (`kfpdsl run --target kfp-v2`) under signals, with real processes: SIGHUP,
 * SIGTERM and SIGINT during a task, during a limited loop, inside a called pipeline (a sub-DAG),
 * during a retry's backoff, and during the exit task. Each task leaves behind, on purpose, a
 * child in its group, a double-forked grandchild in its group and a grandchild in a session of
 * its own (setsid: it left the group); after kfpdsl exits none may be alive. run.json and
 * report.html say the run was interrupted and agree on every task's phase; the exit task runs as
 * `argo stop` lets it; nothing is left in $TMPDIR. The v1 executor is checked for the setsid
 * grandchild too (test/run-faults.test.ts covers the rest of it).
 *
 * No time is asserted: the test waits (polling, capped) for files the tasks write.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle } from './support/cli.js';
import { runAsync, waitFor, writeKfp, type CliRun } from './support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-run-v2-faults-'));
beforeAll(() => ensureBundle(), 120_000);

/** Every pid a test saw, killed at the end whatever happened (a failing test must not leave sleepers). */
const seen = new Set<number>();
afterAll(() => {
  for (const pid of seen) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** Alive and not a zombie (an orphan's new parent may be slow to reap it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

// `sleeper` notes each process it leaves as a file `pid-<tag>-<kind>-<pid>`, the main one last;
// `cleanup` (the exit task) notes that it ran and, when `hold`, waits for a `release` file
// with a setsid grandchild of its own.
const SOURCE = [
  'component sleeper(marks: str, tag: str, fail: bool) {',
  '  ```python',
  '  import os, subprocess, sys, time',
  '  def note(kind, pid):',
  '      open(os.path.join(marks, "pid-%s-%s-%d" % (tag, kind, pid)), "w").close()',
  '  note("child", subprocess.Popen(["sleep", "300"]).pid)',
  '  r, w = os.pipe()',
  '  if os.fork() == 0:',
  '      if os.fork() == 0:',
  '          os.write(w, str(os.getpid()).encode())',
  '          time.sleep(300)',
  '      os._exit(0)',
  '  os.wait()',
  '  os.close(w)',
  '  note("grandchild", int(os.read(r, 32)))',
  '  note("setsid", subprocess.Popen(["sleep", "300"], start_new_session=True).pid)',
  '  note("main", os.getpid())',
  '  if fail:',
  '      sys.exit(1)',
  '  time.sleep(300)',
  '  ```',
  '}',
  'component cleanup(marks: str, hold: bool) {',
  '  ```python',
  '  import os, subprocess, time',
  '  open(os.path.join(marks, "finally-ran"), "w").close()',
  '  if hold:',
  '      esc = subprocess.Popen(["sleep", "300"], start_new_session=True)',
  '      open(os.path.join(marks, "pid-finally-setsid-%d" % esc.pid), "w").close()',
  '      open(os.path.join(marks, "pid-finally-main-%d" % os.getpid()), "w").close()',
  '      while not os.path.exists(os.path.join(marks, "release")):',
  '          time.sleep(0.05)',
  '  ```',
  '}',
  'pipeline inner "inner" (marks: str) {',
  '  sleeper(marks, "sub", false)',
  '}',
  'pipeline "faults" (marks: str, mode: str, hold: bool = false) {',
  '  if mode == "task" {',
  '    sleeper(marks, "task", false)',
  '  }',
  '  if mode == "loop" {',
  '    for i in [1, 2, 3, 4] parallelism 2 {',
  '      sleeper(marks, "loop", false)',
  '    }',
  '  }',
  '  if mode == "sub" {',
  '    inner(marks)',
  '  }',
  '  if mode == "retry" {',
  '    sleeper(marks, "retry", true) {',
  '      retry: 3',
  '      backoff: "300s"',
  '    }',
  '  }',
  '  finally {',
  '    cleanup(marks, hold)',
  '  }',
  '}',
];
const source = writeKfp(scratch, 'faults.kfp', SOURCE);

const pidsIn = (marks: string, kind?: string): number[] => {
  const pids = readdirSync(marks)
    .filter((f) => f.startsWith('pid-') && (kind === undefined || f.split('-')[2] === kind))
    .map((f) => Number(f.split('-').pop()));
  for (const p of pids) seen.add(p);
  return pids;
};

interface Started {
  readonly marks: string;
  readonly tmp: string;
  readonly run: ReturnType<typeof runAsync>;
}

function start(mode: string, target: string, extra: string[] = []): Started {
  const marks = mkdtempSync(join(scratch, 'marks-'));
  const tmp = mkdtempSync(join(scratch, 'tmp-'));
  const run = runAsync(scratch, [source, '--target', target, '--skip-packages', '--arg', `marks=${marks}`, '--arg', `mode=${mode}`, ...extra], { TMPDIR: tmp });
  return { marks, tmp, run };
}

/** What every interrupted run must leave: no task process, run.json and report.html saying so and agreeing, no temporary. */
async function checkAfter(s: Started, r: CliRun, signal: NodeJS.Signals): Promise<void> {
  const pids = pidsIn(s.marks);
  expect(pids.length).toBeGreaterThanOrEqual(4);
  // kfpdsl has exited: whatever is still alive was left behind (the cap only catches a slow reaper).
  await waitFor(`every task process to end (${pids.filter(alive).join(', ')})`, () => !pids.some(alive), 10_000);
  expect(r.status, r.stderr).toBe(128 + constants.signals[signal]);
  expect(r.json?.interrupted).toBe(signal);
  expect(r.json?.phase).toBe('Failed');
  expect(r.json?.message).toBe(`interrupted by ${signal}`);
  const report = readFileSync(join(r.dir!, 'report.html'), 'utf8');
  expect(report).toContain(`interrupted by ${signal}`);
  const shown = [...report.matchAll(/id="task-[^"]*"[^>]*><summary>[^<]*<span class="phase-[a-z]+">(\w+)<\/span>/g)].map((m) => m[1]!).sort();
  expect(shown).toEqual(r.json!.tasks.map((t) => t.phase).sort());
  expect(readdirSync(s.tmp)).toEqual([]);
}

const exitTask = (r: CliRun) => r.json!.tasks.find((t) => t.name === 'cleanup')!;
const running = (r: CliRun) => r.json!.tasks.filter((t) => t.name.startsWith('sleeper') && t.phase !== 'Skipped').map((t) => [t.phase, t.message]);

describe('v2 executor: a signal stops every task process, the exit task runs, run.json says so', () => {
  it.each([
    ['task', 'SIGHUP', 1],
    ['loop', 'SIGTERM', 2],
    ['sub', 'SIGINT', 1],
  ] as const)('during a %s: %s', async (mode, signal, mains) => {
    const s = start(mode, 'kfp-v2');
    await waitFor('the tasks to start', () => pidsIn(s.marks, 'main').length === mains);
    s.run.child.kill(signal);
    const r = await s.run.done;
    await checkAfter(s, r, signal);
    const stopped = running(r);
    // The loop runs 2 of its 4 iterations at a time: the 2 waiting are omitted.
    expect(stopped.filter(([p]) => p === 'Failed')).toEqual(Array.from({ length: mains }, () => ['Failed', `interrupted by ${signal}`]));
    expect(stopped.filter(([p]) => p === 'Omitted')).toHaveLength(mode === 'loop' ? 2 : 0);
    expect(exitTask(r).phase).toBe('Succeeded');
    expect(existsSync(join(s.marks, 'finally-ran'))).toBe(true);
  }, 120_000);

  it('during a retry\'s backoff: the task fails as stopped, its first attempt\'s setsid grandchild is killed too', async () => {
    const s = start('retry', 'kfp-v2');
    await waitFor('the first attempt to fail and the backoff to start', () => s.run.stderr().includes('Retrying (attempt 2)'));
    s.run.child.kill('SIGHUP');
    const r = await s.run.done;
    await checkAfter(s, r, 'SIGHUP');
    expect(running(r)).toEqual([['Failed', 'interrupted by SIGHUP']]);
    expect(exitTask(r).phase).toBe('Succeeded');
  }, 120_000);

  it('during the exit task: one signal lets it finish (argo stop); a second kills it (argo terminate)', async () => {
    // No task before the exit task: `mode` matches no branch.
    const once = start('none', 'kfp-v2', ['--arg', 'hold=true']);
    await waitFor('the exit task to start', () => pidsIn(once.marks, 'main').length === 1);
    once.run.child.kill('SIGTERM');
    await waitFor('kfpdsl to say it stops', () => once.run.stderr().includes('argo stop'));
    writeFileSync(join(once.marks, 'release'), '');
    const r1 = await once.run.done;
    expect(r1.status, r1.stderr).toBe(128 + constants.signals.SIGTERM);
    expect(exitTask(r1).phase).toBe('Succeeded');
    expect(r1.json?.interrupted).toBe('SIGTERM');
    // The exit task's setsid grandchild ends with the run.
    const left = pidsIn(once.marks);
    await waitFor('every task process to end', () => !left.some(alive), 10_000);

    const twice = start('none', 'kfp-v2', ['--arg', 'hold=true']);
    await waitFor('the exit task to start', () => pidsIn(twice.marks, 'main').length === 1);
    twice.run.child.kill('SIGINT');
    await waitFor('kfpdsl to say it stops', () => twice.run.stderr().includes('argo stop'));
    twice.run.child.kill('SIGINT');
    const r2 = await twice.run.done;
    const pids = pidsIn(twice.marks);
    await waitFor('every task process to end', () => !pids.some(alive), 10_000);
    expect(r2.status, r2.stderr).toBe(130);
    expect(exitTask(r2)).toMatchObject({ phase: 'Failed', message: 'interrupted by SIGINT' });
    expect(r2.stderr).toContain('argo terminate');
    expect(readdirSync(twice.tmp)).toEqual([]);
  }, 120_000);
});

describe('v1 executor: what left the task\'s process group is killed too', () => {
  it('SIGHUP during a task', async () => {
    const s = start('task', 'kfp-v1');
    await waitFor('the task to start', () => pidsIn(s.marks, 'main').length === 1);
    s.run.child.kill('SIGHUP');
    const r = await s.run.done;
    await checkAfter(s, r, 'SIGHUP');
    expect(exitTask(r).phase).toBe('Succeeded');
  }, 120_000);
});
