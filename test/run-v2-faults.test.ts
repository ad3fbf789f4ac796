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
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ensureBundle } from './support/cli.js';
import { alive, kfpdslBin, runAsync, waitFor, writeKfp, type CliRun } from './support/run-cli.js';

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

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

describe('v2 executor: secrets of the platform spec are never written in clear', () => {
  const PASSWORD = 'hunter2-kfpdsl-v2-5b1e';
  const TOOL = '/opt/secret-tool-kfpdsl-9c4d';
  const secretSource = writeKfp(scratch, 'secret.kfp', [
    'component login() -> (out: file) {',
    '  image: "alpine:3.19"',
    // $0 is the secret as Kubernetes expands $(DB_PASSWORD) in args; the task checks it against its env and prints it.
    '  command: ["sh", "-c", "mkdir -p \\"$(dirname \\"$1\\")\\"; echo \\"given $0\\"; test \\"$0\\" = \\"$DB_PASSWORD\\" && echo same > \\"$1\\"", "$(DB_PASSWORD)", out]',
    '}',
    // The command itself is a secret: it does not exist, and the error must not name it.
    'component tool() {',
    '  image: "alpine:3.19"',
    '  command: ["$(TOOL)", "--version"]',
    '}',
    'pipeline "secret" () {',
    '  login() {',
    '    env: { DB_PASSWORD: secret("db-creds", "password") }',
    '  }',
    '  tool() {',
    '    env: { TOOL: secret("db-creds", "tool") }',
    '  }',
    '}',
  ]);
  const secrets = join(scratch, 'secrets.json');
  writeFileSync(secrets, JSON.stringify({ 'db-creds': { password: PASSWORD, tool: TOOL } }));

  const noSecretAnywhere = (r: CliRun, tmp: string): void => {
    const files = filesUnder(r.dir!);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) for (const s of [PASSWORD, TOOL]) expect(readFileSync(file, 'utf8'), file).not.toContain(s);
    for (const s of [PASSWORD, TOOL]) {
      expect(r.stdout).not.toContain(s);
      expect(r.stderr).not.toContain(s);
    }
    expect(readdirSync(tmp)).toEqual([]);
  };

  it.each(['kfp-v2', 'kfp-v1'])('secretAsEnv in args and as the command (%s)', async (target) => {
    const tmp = mkdtempSync(join(scratch, 'tmp-'));
    const r = await runAsync(scratch, [secretSource, '--target', target, '--secrets', secrets, '--format', 'json'], { TMPDIR: tmp }).done;
    expect(r.status, r.stderr).toBe(1);
    const login = r.json!.tasks.find((t) => t.name === 'login')!;
    expect(login.phase).toBe('Succeeded');
    expect(readFileSync(Object.values(login.outputs.artifacts)[0]!, 'utf8')).toBe('same\n');
    expect(readFileSync(login.log!, 'utf8')).toContain('given <secret:db-creds/password>');
    const pod = JSON.parse(readFileSync(join(login.log!, '..', 'pod.json'), 'utf8')) as { argv: string[] };
    expect(pod.argv).toContain('<secret:db-creds/password>');
    const tool = r.json!.tasks.find((t) => t.name === 'tool')!;
    expect(tool.message).toMatch(/^cannot run "<secret:db-creds\/tool>": /);
    noSecretAnywhere(r, tmp);
  }, 120_000);

  it('secretAsVolume in a spec run as SPEC.yaml: the files are there for the task, and removed', async () => {
    const out = mkdtempSync(join(scratch, 'spec-'));
    const b = spawnSync(process.execPath, [kfpdslBin, 'build', '--target', 'kfp-v2', secretSource, '-o', out], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const specPath = filesUnder(out).find((f) => f.endsWith('secret.yaml'))!;
    const docs = YAML.parseAllDocuments(readFileSync(specPath, 'utf8')).map((d) => d.toJS() as Record<string, any>);
    const login = docs[1]!['platforms']['kubernetes']['deploymentSpec']['executors']['exec-login'];
    login['secretAsVolume'] = [{ secretName: 'db-creds', mountPath: '/etc/creds', optional: false }];
    docs[0]!['deploymentSpec']['executors']['exec-login']['container']['command'] = ['sh', '-c', 'test "$0" = "$(cat /etc/creds/password)" && echo "same $(cat /etc/creds/password)"; mkdir -p "$(dirname "$1")"; echo x > "$1"', '$(DB_PASSWORD)', "{{$.outputs.artifacts['out'].path}}"];
    writeFileSync(specPath, docs.map((d) => YAML.stringify(d)).join('---\n'));
    const tmp = mkdtempSync(join(scratch, 'tmp-'));
    const r = await runAsync(scratch, [specPath, '--secrets', secrets, '--format', 'json'], { TMPDIR: tmp }).done;
    const ran = r.json!.tasks.find((t) => t.name === 'login')!;
    expect(ran.phase, r.stderr).toBe('Succeeded');
    expect(readFileSync(ran.log!, 'utf8')).toBe('same <secret:db-creds/password>\n');
    noSecretAnywhere(r, tmp);
  }, 120_000);
});

describe('a run killed outright (SIGKILL): the next run clears what it left', () => {
  it('its scratch directory, holding a secret volume in clear, is removed and its orphaned task killed', async () => {
    const PASSWORD = 'hunter2-kfpdsl-killed-77aa';
    const secretsFile = join(scratch, 'secrets-killed.json');
    writeFileSync(secretsFile, JSON.stringify({ 'db-creds': { password: PASSWORD } }));
    const marks = mkdtempSync(join(scratch, 'marks-'));
    const src = writeKfp(scratch, 'hold.kfp', ['component hold() {', '  image: "alpine:3.19"', '  command: ["sh", "-c", "sleep 300"]', '}', 'pipeline "hold" () {', '  hold()', '}']);
    const out = mkdtempSync(join(scratch, 'spec-'));
    const b = spawnSync(process.execPath, [kfpdslBin, 'build', '--target', 'kfp-v2', src, '-o', out], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const specPath = filesUnder(out).find((f) => f.endsWith('hold.yaml'))!;
    const docs = YAML.parseAllDocuments(readFileSync(specPath, 'utf8')).map((d) => d.toJS() as Record<string, any>);
    // `$$$$`: Kubernetes turns `$$` into `$`, and the shell's `$$` is its pid (sleep is exec'd or its child: the group dies with either).
    docs[0]!['deploymentSpec']['executors']['exec-hold']['container']['command'] = ['sh', '-c', `echo > ${marks}/pid-hold-main-$$$$; sleep 300`];
    docs.push({ platforms: { kubernetes: { deploymentSpec: { executors: { 'exec-hold': { secretAsVolume: [{ secretName: 'db-creds', mountPath: '/etc/creds', optional: false }] } } } } } });
    writeFileSync(specPath, docs.map((d) => YAML.stringify(d)).join('---\n'));

    const tmp = mkdtempSync(join(scratch, 'tmp-'));
    const killed = runAsync(scratch, [specPath, '--secrets', secretsFile], { TMPDIR: tmp });
    await waitFor('the task to start', () => pidsIn(marks, 'main').length === 1);
    killed.child.kill('SIGKILL');
    await killed.done;
    const orphan = pidsIn(marks, 'main')[0]!;
    // What SIGKILL leaves: the orphaned task, and the secret in clear in TMPDIR.
    expect(alive(orphan)).toBe(true);
    const left = filesUnder(tmp);
    expect(left.some((f) => readFileSync(f, 'utf8') === PASSWORD)).toBe(true);

    const next = writeKfp(scratch, 'next.kfp', ['component hi() {', '  image: "alpine:3.19"', '  command: ["sh", "-c", "echo hi"]', '}', 'pipeline "next" () {', '  hi()', '}']);
    const r = await runAsync(scratch, [next], { TMPDIR: tmp }).done;
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
    await waitFor('the orphaned task to end', () => !alive(orphan), 10_000);
  }, 120_000);
});

describe('v2 executor: a task\'s log is capped, and so is what the terminal shows of it', () => {
  it('a failing task printing a 40 MB line keeps the head and tail of its log; the terminal shows its last lines cut', async () => {
    const path = writeKfp(scratch, 'loud.kfp', [
      'component loud() {',
      '  image: "alpine:3.19"',
      '  command: ["sh", "-c", "echo FIRST; head -c 41943040 /dev/zero | tr \'\\\\0\' x; echo; echo LAST; exit 1"]',
      '}',
      'pipeline "loud" () {',
      '  loud()',
      '}',
    ]);
    const r = await runAsync(scratch, [path, '--target', 'kfp-v2']).done;
    expect(r.status, r.stderr.slice(0, 2000)).toBe(1);
    const log = readFileSync(r.json!.tasks[0]!.log!, 'utf8');
    expect(log.length).toBeLessThan(2 * 1024 * 1024 + 1024);
    expect(log.startsWith('FIRST\n')).toBe(true);
    expect(log.endsWith('\nLAST\n')).toBe(true);
    const dropped = /\[kfpdsl: (\d+) bytes of this log were dropped here/.exec(log);
    expect(Number(dropped![1])).toBe('FIRST\n'.length + 40 * 1024 * 1024 + '\nLAST\n'.length - 2 * 1024 * 1024);
    // The terminal: the log's last lines, each at most 1000 characters and a note of the rest.
    const lines = r.stderr.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(1200);
    expect(r.stderr).toMatch(/x… \[\d+ more characters on this line\]/);
    expect(r.stderr).toContain('LAST');
  }, 120_000);
});
