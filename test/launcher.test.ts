/**
 * The installed command, bin/kfpdsl (POSIX sh), starts node from the V8 start-up snapshot
 * dist/kfpdsl.blob when it can, and from the plain bundle (bin/kfpdsl.mjs) otherwise. The
 * snapshot must never break a command: each way it can be unusable is tried here through the
 * real launcher, on a copy of bin/ and dist/ in a temporary directory.
 *
 * To see which way the launcher went, the copy's `node` is a wrapper script that logs its
 * arguments and runs the real node; dist/kfpdsl.blob.node names that wrapper, as it would
 * name the node that made the blob.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle, repoRoot } from './support/cli.js';
import { requirement } from './support/requirements.js';
import { HANG_CAP_MS } from './support/caps.js';

const BROKEN = join(repoRoot, 'test/fixtures/errors/KFP2001-unknown-component.kfp');
const ADD = join(repoRoot, 'examples/add.kfp');

let work = '';
beforeAll(() => {
  ensureBundle();
  work = mkdtempSync(join(tmpdir(), 'kfpdsl-launcher-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Launch {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** One line per time `node` was started: 'snapshot' or 'bundle'. */
  readonly starts: string[];
}

let copies = 0;
/** A copy of the installed package (bin/, dist/) whose blob names a logging `node` wrapper as its maker. */
function installCopy(): { pkg: string; path: string; log: string } {
  const dir = join(work, `copy-${++copies}`);
  const pathDir = join(dir, 'path');
  const log = join(dir, 'node.log');
  mkdirSync(pathDir, { recursive: true });
  const wrapper = join(pathDir, 'node');
  writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\nexec '${process.execPath}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  // Older than any blob, as an installed node is older than the snapshot made with it.
  utimesSync(wrapper, new Date('2001-01-01'), new Date('2001-01-01'));
  const pkg = join(dir, 'pkg');
  cpSync(join(repoRoot, 'bin'), join(pkg, 'bin'), { recursive: true });
  cpSync(join(repoRoot, 'dist'), join(pkg, 'dist'), { recursive: true });
  if (existsSync(join(pkg, 'dist/kfpdsl.blob'))) {
    // The first line names the node that made the blob; the next, the V8 flags it was made with, stays.
    const [, ...flags] = readFileSync(join(repoRoot, 'dist/kfpdsl.blob.node'), 'utf8').split('\n');
    writeFileSync(join(pkg, 'dist/kfpdsl.blob.node'), [wrapper, ...flags].join('\n'));
  }
  return { pkg, path: pathDir, log };
}

function launch(copy: { pkg: string; path: string; log: string }, args: string[], env: Record<string, string> = {}): Launch {
  rmSync(copy.log, { force: true });
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PATH: `${copy.path}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1', ...env };
  if (!('NODE_OPTIONS' in env)) delete childEnv['NODE_OPTIONS'];
  const r = spawnSync(join(copy.pkg, 'bin/kfpdsl'), args, { cwd: repoRoot, env: childEnv, encoding: 'utf8', timeout: HANG_CAP_MS });
  if (r.error) throw r.error;
  const starts = existsSync(copy.log)
    ? readFileSync(copy.log, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((first) => (first === '--snapshot-blob' ? 'snapshot' : first.endsWith('/bin/kfpdsl.mjs') ? 'bundle' : `other: ${first}`))
    : [];
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, starts };
}

/** The broken fixture's diagnostic, exactly once, and exit 1: the command ran once to the end, whichever way it started. */
function expectBrokenReported(r: Launch): void {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr.split('error[KFP2001]: unknown component `ad`').length - 1).toBe(1);
  expect(r.stderr).toContain('KFP2001-unknown-component.kfp:8:9');
}

const blob = requirement(existsSync(join(repoRoot, 'dist/kfpdsl.blob')), 'dist/kfpdsl.blob is absent: `npm run bundle` could not make a start-up snapshot with this node');

describe('the launcher, bin/kfpdsl', () => {
  it('NODE_OPTIONS with a V8 flag: `kfpdsl check examples/add.kfp` succeeds (the repository\'s own launcher)', () => {
    const r = spawnSync(join(repoRoot, 'bin/kfpdsl'), ['check', ADD], { env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' }, encoding: 'utf8', timeout: HANG_CAP_MS });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(blob.missing)(blob.title('starts from the snapshot when it can, and passes exit statuses 0, 1 and 2 through without a second start'), () => {
    const copy = installCopy();
    const ok = launch(copy, ['check', ADD]);
    expect(ok).toMatchObject({ status: 0, stderr: '', starts: ['snapshot'] });
    const broken = launch(copy, ['check', BROKEN]);
    expectBrokenReported(broken);
    expect(broken.starts).toEqual(['snapshot']);
    const usage = launch(copy, ['check', '--no-such-option']);
    expect(usage.status).toBe(2);
    expect(usage.starts).toEqual(['snapshot']);
    expect(launch(copy, ['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.skipIf(blob.missing)(blob.title('V8 flags in NODE_OPTIONS: the bundle, from the start'), () => {
    const copy = installCopy();
    const r = launch(copy, ['check', BROKEN], { NODE_OPTIONS: '--max-old-space-size=4096' });
    expectBrokenReported(r);
    expect(r.starts).toEqual(['bundle']);
  });

  it('another node first on PATH (a wrapper script, another version): the bundle', () => {
    const copy = installCopy();
    // The blob names a node that is not the one on PATH.
    writeFileSync(join(copy.pkg, 'dist/kfpdsl.blob.node'), `${process.execPath}\n`);
    const r = launch(copy, ['check', BROKEN]);
    expectBrokenReported(r);
    expect(r.starts).toEqual(['bundle']);
  });

  it('no snapshot at all (missing blob): the bundle', () => {
    const copy = installCopy();
    rmSync(join(copy.pkg, 'dist/kfpdsl.blob'), { force: true });
    const r = launch(copy, ['check', BROKEN]);
    expectBrokenReported(r);
    expect(r.starts).toEqual(['bundle']);
  });

  it.skipIf(blob.missing)(blob.title('the node that made the blob was replaced since (a newer file): the bundle'), () => {
    const copy = installCopy();
    utimesSync(join(copy.path, 'node'), new Date(), new Date(Date.now() + 60_000));
    const r = launch(copy, ['check', BROKEN]);
    expectBrokenReported(r);
    expect(r.starts).toEqual(['bundle']);
  });

  it.skipIf(blob.missing)(blob.title('a blob node refuses (made by another V8 or with other V8 flags, the binary replaced under an older date): exit 14, then the bundle'), () => {
    const copy = installCopy();
    // The same binary with another V8 flag makes a blob that this node refuses exactly as a replaced node refuses an old one.
    const made = spawnSync(process.execPath, ['--max-semi-space-size=2', '--snapshot-blob', join(copy.pkg, 'dist/kfpdsl.blob'), '--build-snapshot', join(copy.pkg, 'dist/kfpdsl-snapshot.cjs')], {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
      timeout: HANG_CAP_MS,
    });
    expect(made.status, made.stderr).toBe(0);
    const r = launch(copy, ['check', BROKEN]);
    expectBrokenReported(r);
    expect(r.starts).toEqual(['snapshot', 'bundle']);
    expect(r.stderr).toContain('node exited with status 14');
  });

  it.skipIf(blob.missing)(blob.title('a damaged blob (bytes overwritten, or cut short): node fails to load it, then the bundle'), () => {
    const copy = installCopy();
    const file = join(copy.pkg, 'dist/kfpdsl.blob');
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(64, 0x58), 0, 64, 1000);
    closeSync(fd);
    const damaged = launch(copy, ['check', BROKEN]);
    expectBrokenReported(damaged);
    expect(damaged.starts).toEqual(['snapshot', 'bundle']);
    expect(damaged.stderr).toMatch(/node exited with status (133|134|139) when started from/);

    truncateSync(file, 100_000);
    const cut = launch(copy, ['check', ADD]);
    expect(cut.status, cut.stderr).toBe(0);
    expect(cut.starts).toEqual(['snapshot', 'bundle']);
  });

  it('NODE_EXTRA_CA_CERTS: unset for build, check, fmt and graph (no connection, no process), kept for the other commands', () => {
    // node warns on stderr as it starts when the file cannot be read: the warning shows whether node saw the variable.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: join(work, 'no-such-ca.pem') };
    delete env['NODE_OPTIONS'];
    const check = spawnSync(join(repoRoot, 'bin/kfpdsl'), ['check', ADD], { env, encoding: 'utf8', timeout: HANG_CAP_MS });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    const version = spawnSync(join(repoRoot, 'bin/kfpdsl'), ['--version'], { env, encoding: 'utf8', timeout: HANG_CAP_MS });
    expect(version.stderr).toContain('Ignoring extra certs from');
    expect(version.status).toBe(0);
  });

  it.skipIf(blob.missing)(blob.title('`kfpdsl run` never starts twice: the bundle, from the start'), () => {
    const copy = installCopy();
    const r = launch(copy, ['run', '--help']);
    expect(r.status).toBe(0);
    expect(r.starts).toEqual(['bundle']);
  });
});
