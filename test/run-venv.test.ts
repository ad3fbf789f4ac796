/**
 * Local runs never touch the user's Python: a component's `packages` go into a cached virtual
 * environment per package set. Offline, a tiny wheel built here is installed from a local
 * directory (PIP_NO_INDEX + PIP_FIND_LINKS); the "user's" interpreter is a throwaway virtual
 * environment passed with --python, and it gains nothing.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle } from './support/cli.js';
import { runAsync, runSync, waitFor, writeKfp } from './support/run-cli.js';
import { requirement } from './support/requirements.js';

// Debian and Ubuntu ship python3 without venv/ensurepip unless python3-venv is installed.
const canMakeVenvs = spawnSync('python3', ['-c', 'import venv, ensurepip'], { encoding: 'utf8' }).status === 0;
if (!canMakeVenvs) console.warn('test/run-venv.test.ts skipped: python3 cannot make virtual environments (install python3-venv)');

const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-run-venv-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const wheels = join(scratch, 'wheels');
const userVenv = join(scratch, 'user-venv');
const userPython = join(userVenv, 'bin', 'python');

/** A pure-Python wheel, written by python3's zipfile with a valid RECORD. */
const MAKE_WHEEL = `
import base64, hashlib, sys, zipfile
files = {
    "kfpdsl_demo_pkg/__init__.py": 'def hello():\\n    return "hello from kfpdsl_demo_pkg"\\n',
    "kfpdsl_demo_pkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: kfpdsl-demo-pkg\\nVersion: 1.0\\n",
    "kfpdsl_demo_pkg-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: kfpdsl-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
with zipfile.ZipFile(sys.argv[1] + "/kfpdsl_demo_pkg-1.0-py3-none-any.whl", "w") as z:
    for name, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
        z.writestr(name, data)
    record.append("kfpdsl_demo_pkg-1.0.dist-info/RECORD,,")
    z.writestr("kfpdsl_demo_pkg-1.0.dist-info/RECORD", "\\n".join(record) + "\\n")
`;

beforeAll(() => {
  if (!canMakeVenvs) return;
  ensureBundle();
  mkdirSync(wheels);
  const wheel = spawnSync('python3', ['-c', MAKE_WHEEL, wheels], { encoding: 'utf8' });
  if (wheel.status !== 0) throw new Error(wheel.stderr);
  // The "user's" interpreter: a virtual environment of its own, without pip.
  const venv = spawnSync('python3', ['-m', 'venv', '--without-pip', userVenv], { encoding: 'utf8' });
  if (venv.status !== 0) throw new Error(venv.stderr);
}, 180_000);

const offline = (cache: string): Record<string, string> => ({ XDG_CACHE_HOME: cache, PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels, PIP_DISABLE_PIP_VERSION_CHECK: '1' });

const usesPackage = (): string =>
  writeKfp(scratch, 'pkg.kfp', [
    'component use_pkg() -> str {',
    '  packages: ["kfpdsl-demo-pkg==1.0"]',
    '  ```python',
    '  import sys',
    '  import kfpdsl_demo_pkg',
    '  print("executable:", sys.executable)',
    '  return kfpdsl_demo_pkg.hello()',
    '  ```',
    '}',
    'component plain() {',
    '  ```python',
    '  import sys',
    '  print("executable:", sys.executable)',
    '  ```',
    '}',
    'pipeline "pkg" () {',
    '  use_pkg()',
    '  plain()',
    '}',
  ]);

/** What the interpreter can import and what its site-packages hold: the user's Python, observed. */
function snapshot(python: string): string {
  const r = spawnSync(python, ['-c', 'import importlib.util, site, os; print(importlib.util.find_spec("kfpdsl_demo_pkg")); print(sorted(n for d in site.getsitepackages() if os.path.isdir(d) for n in os.listdir(d)))'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

const venvsIn = (cache: string): string[] => (existsSync(join(cache, 'kfpdsl', 'venvs')) ? readdirSync(join(cache, 'kfpdsl', 'venvs')) : []);
const taskLog = (r: ReturnType<typeof runSync>, template: string): string => readFileSync(r.json!.tasks.find((t) => t.template === template)!.log!, 'utf8');

describe.skipIf(!canMakeVenvs)(requirement(canMakeVenvs, 'python3 cannot make virtual environments').title('packages go into a cached virtual environment, never into the user\'s Python'), () => {
  it('installs from a local wheel directory, leaves --python unchanged, and the second run reuses the environment', () => {
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const before = { user: snapshot(userPython), system: snapshot('python3') };
    expect(before.user).toMatch(/^None\n/);

    const first = runSync(scratch, [usesPackage(), '--python', userPython], offline(cache));
    expect(first.status, first.stderr).toBe(0);
    const out = first.json!.tasks.find((t) => t.template === 'use-pkg')!.outputs;
    expect(out.parameters['use-pkg-Output'] ?? readFileSync(out.artifacts['use-pkg-Output']!, 'utf8')).toBe('hello from kfpdsl_demo_pkg');
    const venvs = venvsIn(cache);
    expect(venvs).toHaveLength(1);
    const venv = join(cache, 'kfpdsl', 'venvs', venvs[0]!);
    // The task with packages ran in the environment; the one without ran with --python.
    expect(taskLog(first, 'use-pkg')).toContain(`executable: ${venv}/bin/python`);
    expect(taskLog(first, 'plain')).toContain(`executable: ${userPython}`);
    expect(first.stderr).toContain(`made the virtual environment ${venv}`);
    // The pip prefix is not run again by the task.
    const ran = JSON.parse(readFileSync(join(first.json!.tasks.find((t) => t.template === 'use-pkg')!.log!, '..', 'pod.json'), 'utf8')) as { argv: string[] };
    expect(ran.argv.slice(0, 3)).toEqual(['sh', '-c', '"$0" "$@"']);
    expect(ran.argv.join(' ')).not.toContain('pip install');

    // Neither the user's interpreter nor the system's gained anything.
    expect(snapshot(userPython)).toBe(before.user);
    expect(snapshot('python3')).toBe(before.system);

    const marker = readFileSync(join(venv, 'kfpdsl-venv.json'), 'utf8');
    const second = runSync(scratch, [usesPackage(), '--python', userPython], offline(cache));
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain(`reused the virtual environment ${venv}`);
    expect(second.stderr).not.toContain('making a virtual environment');
    expect(venvsIn(cache)).toEqual(venvs);
    expect(readFileSync(join(venv, 'kfpdsl-venv.json'), 'utf8')).toBe(marker);
  }, 240_000);

  it('two runs racing on an empty cache both succeed and leave one environment, no temporaries', async () => {
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const path = usesPackage();
    const a = runAsync(scratch, [path], offline(cache));
    const b = runAsync(scratch, [path], offline(cache));
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.status, ra.stderr).toBe(0);
    expect(rb.status, rb.stderr).toBe(0);
    expect(venvsIn(cache)).toHaveLength(1);
    expect(venvsIn(cache)[0]).toMatch(/^py3\d+-[0-9a-f]{16}$/);
    for (const r of [ra, rb]) expect(r.json!.tasks.find((t) => t.template === 'use-pkg')!.phase).toBe('Succeeded');
  }, 240_000);

  it('offline without the package: KFP0110 at the packages line, suggesting --skip-packages; nothing runs, nothing is cached', () => {
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const path = writeKfp(scratch, 'missing.kfp', [
      'component needs() {',
      '  packages: ["kfpdsl-demo-pkg==1.0", "kfpdsl-not-a-package==9.9"]',
      '  ```python',
      '  print("never")',
      '  ```',
      '}',
      'pipeline "missing" () {',
      '  needs()',
      '}',
    ]);
    const r = runSync(scratch, [path], offline(cache));
    expect(r.status).toBe(1);
    expect(r.dir).toBeUndefined();
    expect(r.stderr).toContain('error[KFP0110]: could not install `kfpdsl-not-a-package==9.9` into a virtual environment');
    expect(r.stderr).toMatch(/--> .*missing\.kfp:2:13/);
    expect(r.stderr).toContain('pass --skip-packages');
    expect(venvsIn(cache)).toEqual([]);
  }, 240_000);

  it('SIGINT while pip works kills pip and leaves no half-made environment', async () => {
    // An index that accepts connections and never answers: pip waits until it is killed.
    const sockets: Socket[] = [];
    let closed = 0;
    const server = createServer((s) => {
      sockets.push(s);
      s.resume();
      s.on('close', () => closed++);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const cache = mkdtempSync(join(scratch, 'cache-'));
      const started = runAsync(scratch, [usesPackage()], { XDG_CACHE_HOME: cache, PIP_INDEX_URL: `http://127.0.0.1:${port}/simple`, PIP_TIMEOUT: '120', PIP_RETRIES: '0' });
      await waitFor('pip to ask the index', () => sockets.length > 0);
      started.child.kill('SIGINT');
      const r = await started.done;
      expect(r.status, r.stderr).toBe(130);
      expect(r.stderr).toContain('SIGINT: stopped while preparing virtual environments; nothing was run');
      expect(r.dir).toBeUndefined();
      expect(venvsIn(cache)).toEqual([]);
      // pip is gone: its connections were closed by the kernel when it was killed.
      await waitFor('pip to be killed', () => closed === sockets.length);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  }, 240_000);

  it('--python that is not an interpreter is KFP0111, exit 2', () => {
    const r = runSync(scratch, [usesPackage(), '--python', join(scratch, 'no-such-python')], offline(mkdtempSync(join(scratch, 'cache-'))));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[KFP0111]');
    expect(r.stderr).toContain('no-such-python was not found');
    expect(r.dir).toBeUndefined();
  });
});
