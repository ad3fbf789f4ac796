/**
 * `kfpdsl run` under faults, with real processes: SIGINT, SIGTERM and SIGHUP stop every task
 * process and still run `finally` (as `argo stop` does); a second signal kills `finally` too
 * (`argo terminate`); run.json says what interrupted the run. Secrets never reach the disk,
 * task temporaries are removed, and a task that prints 50 MB leaves a capped log.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle } from './support/cli.js';
import { alive, runAsync, runSync, waitFor, writeKfp, type CliRun } from './support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-run-faults-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(() => ensureBundle(), 120_000);

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

// A task that starts a grandchild (`sleep`), records both PIDs in `marks`, and sleeps; `finally`
// records that it ran, and (when `slow_finally`) sleeps as well.
const sleepers = (marks: string): string =>
  writeKfp(scratch, 'sleepers.kfp', [
    'component sleeper(marks: str, tag: str) {',
    '  ```python',
    '  import os, subprocess, time',
    '  child = subprocess.Popen(["sleep", "300"])',
    '  with open(os.path.join(marks, "pids-" + tag), "w") as f:',
    '      f.write("%d %d" % (os.getpid(), child.pid))',
    '  time.sleep(300)',
    '  ```',
    '}',
    'component cleanup(marks: str, slow: bool) {',
    '  ```python',
    '  import os, subprocess, time',
    '  with open(os.path.join(marks, "finally-ran"), "w") as f:',
    '      f.write("yes")',
    '  if slow:',
    '      child = subprocess.Popen(["sleep", "300"])',
    '      with open(os.path.join(marks, "pids-finally"), "w") as f:',
    '          f.write("%d %d" % (os.getpid(), child.pid))',
    '      time.sleep(300)',
    '  ```',
    '}',
    'pipeline "sleepers" (slow_finally: bool = false) {',
    `  sleeper("${marks}", "a")`,
    `  sleeper("${marks}", "b")`,
    '  finally {',
    `    cleanup("${marks}", slow_finally)`,
    '  }',
    '}',
  ]);

const pidsIn = (marks: string, prefix = 'pids-'): number[] =>
  readdirSync(marks)
    .filter((f) => f.startsWith(prefix))
    .flatMap((f) => readFileSync(join(marks, f), 'utf8').trim().split(' ').map(Number));

describe('signals stop every task process; finally runs as argo stop runs it', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s', async (signal) => {
    const marks = mkdtempSync(join(scratch, 'marks-'));
    const path = sleepers(marks);
    const started = runAsync(scratch, [path]);
    await waitFor('both sleepers to start', () => readdirSync(marks).filter((f) => f.startsWith('pids-')).length === 2);
    const pids = pidsIn(marks);
    expect(pids).toHaveLength(4);
    expect(pids.every(alive)).toBe(true);
    started.child.kill(signal);
    const r: CliRun = await started.done;

    expect(r.status, r.stderr).toBe(128 + constants.signals[signal]);
    await waitFor('every task process to end', () => !pids.some(alive), 10_000);
    expect(r.json?.interrupted).toBe(signal);
    expect(r.json?.phase).toBe('Failed');
    expect(r.json?.message).toBe(`interrupted by ${signal}`);
    const byName = (template: string) => r.json!.tasks.filter((t) => t.template === template);
    expect(byName('sleeper').map((t) => [t.phase, t.message])).toEqual([
      ['Failed', `interrupted by ${signal}`],
      ['Failed', `interrupted by ${signal}`],
    ]);
    expect(byName('cleanup').map((t) => t.phase)).toEqual(['Succeeded']);
    expect(existsSync(join(marks, 'finally-ran'))).toBe(true);
    expect(r.stderr).toContain('argo stop');
  });

  it('a second SIGINT terminates: finally is killed too, and kfpdsl ends', async () => {
    const marks = mkdtempSync(join(scratch, 'marks-'));
    const started = runAsync(scratch, [sleepers(marks), '--arg', 'slow_finally=true']);
    await waitFor('both sleepers to start', () => readdirSync(marks).filter((f) => f.startsWith('pids-')).length === 2);
    const pids = pidsIn(marks);
    started.child.kill('SIGINT');
    await waitFor('finally to start', () => existsSync(join(marks, 'pids-finally')));
    const finallyPids = pidsIn(marks, 'pids-finally');
    expect(finallyPids.every(alive)).toBe(true);
    started.child.kill('SIGINT');
    const r = await started.done;
    expect(r.status, r.stderr).toBe(130);
    await waitFor('every task process to end', () => ![...pids, ...finallyPids].some(alive), 10_000);
    expect(r.json?.interrupted).toBe('SIGINT');
    expect(r.json!.tasks.find((t) => t.name === 'cleanup')?.phase).toBe('Failed');
    expect(r.stderr).toContain('argo terminate');
  });
});

describe('nothing secret or temporary is left behind', () => {
  it('a secret passed as $(DB_PASSWORD) in args reaches the task, and no file under the run dir holds it', () => {
    const secret = 'hunter2-kfpdsl-7f3a9c';
    const path = writeKfp(scratch, 'secret.kfp', [
      'component login() -> (out: file) {',
      '  image: "alpine:3.19"',
      // $0 is the secret as Kubernetes expands $(DB_PASSWORD) in args; the task checks it against its env.
      '  command: ["sh", "-c", "mkdir -p \\"$(dirname \\"$1\\")\\"; test \\"$0\\" = \\"$DB_PASSWORD\\" && echo same > \\"$1\\"", "$(DB_PASSWORD)", out]',
      '}',
      'component check_env() {',
      '  ```python',
      '  import os, tempfile',
      '  print("password length", len(os.environ["PW"]))',
      '  print("the password is", os.environ["PW"])  # masked in the log',
      '  tempfile.mkstemp()  # left behind on purpose: the attempt\'s TMPDIR goes with it',
      '  ```',
      '}',
      'pipeline "secret" () {',
      '  login() {',
      '    env: { DB_PASSWORD: secret("db-creds", "password") }',
      '  }',
      '  check_env() {',
      '    env: { PW: secret("db-creds", "password") }',
      '  }',
      '}',
    ]);
    const tmp = mkdtempSync(join(scratch, 'tmp-'));
    const secrets = join(scratch, 'secrets.json');
    writeFileSync(secrets, JSON.stringify({ 'db-creds': { password: secret } }));
    const r = runSync(scratch, [path, '--secrets', secrets], { TMPDIR: tmp });
    expect(r.status, r.stderr).toBe(0);
    const login = r.json!.tasks.find((t) => t.template === 'login')!;
    expect(readFileSync(login.outputs.artifacts['login-out']!, 'utf8')).toBe('same\n');
    const pod = JSON.parse(readFileSync(join(login.log!, '..', 'pod.json'), 'utf8')) as { argv: string[] };
    expect(pod.argv).toContain('<secret:db-creds/password>');
    expect(readFileSync(r.json!.tasks.find((t) => t.template === 'check-env')!.log!, 'utf8')).toContain('the password is <secret:db-creds/password>');
    const files = filesUnder(r.dir!);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toContain(secret);
    // The run directory is private, and so are the files that may hold task output.
    expect(statSync(r.dir!).mode & 0o077).toBe(0);
    for (const f of [join(r.dir!, 'run.json'), join(login.log!, '..', 'pod.json'), login.log!]) expect(statSync(f).mode & 0o077, f).toBe(0);
    // Every attempt's TMPDIR (the kfp wrapper's mktemp, Python's tempfile) is removed.
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a task printing 50 MB keeps the first and last MiB of its log and says how much was dropped', () => {
    const path = writeKfp(scratch, 'loud.kfp', [
      'component loud() {',
      '  ```python',
      '  import sys',
      '  sys.stdout.write("FIRST LINE\\n")',
      '  block = "x" * 1023 + "\\n"',
      '  for _ in range(50 * 1024):',
      '      sys.stdout.write(block)',
      '  sys.stdout.write("LAST LINE\\n")',
      '  ```',
      '}',
      'pipeline "loud" () {',
      '  loud()',
      '}',
    ]);
    const r = runSync(scratch, [path]);
    expect(r.status, r.stderr).toBe(0);
    const logPath = r.json!.tasks[0]!.log!;
    const size = statSync(logPath).size;
    expect(size).toBeLessThan(2 * 1024 * 1024 + 1024);
    const text = readFileSync(logPath, 'utf8');
    expect(text.startsWith('FIRST LINE\n')).toBe(true);
    expect(text.endsWith('LAST LINE\n')).toBe(true);
    const dropped = /\[kfpdsl: (\d+) bytes of this log were dropped here; the first 1048576 and the last 1048576 bytes are kept\]/.exec(text);
    expect(dropped).not.toBeNull();
    const printed = 'FIRST LINE\n'.length + 50 * 1024 * 1024 + 'LAST LINE\n'.length;
    expect(Number(dropped![1])).toBe(printed - 2 * 1024 * 1024);
  });
});
