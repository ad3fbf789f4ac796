/**
 * kfpdsl installs without a registry: `npm pack` makes a tarball that installs, with npm
 * offline, an empty npm cache and an unreachable registry (so nothing can be fetched), both
 * globally into a temporary prefix and as a devDependency of another project, as the README's
 * Install section says. The installed command then checks and builds exactly as the clone's
 * does. The package has no runtime dependencies: the bundle in dist/ holds them.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle, listFiles, repoRoot, runCli } from './support/cli.js';
import { requirement } from './support/requirements.js';
import { HANG_CAP_MS } from './support/caps.js';

const npm = requirement(spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0, '`npm` is not on PATH');

let work = '';
let tarball = '';
let env: NodeJS.ProcessEnv = {};

function sh(cmd: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: HANG_CAP_MS });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

beforeAll(() => {
  if (npm.missing) return;
  ensureBundle();
  work = mkdtempSync(join(tmpdir(), 'kfpdsl-install-'));
  writeFileSync(join(work, 'npmrc'), '');
  env = {
    ...process.env,
    // No registry and no cache to fetch from: an install that needs anything but the tarball fails.
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_offline: 'true',
    npm_config_cache: join(work, 'empty-npm-cache'),
    npm_config_userconfig: join(work, 'npmrc'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
  };
  delete env['NODE_OPTIONS'];
  // The bundle in dist/ is fresh (ensureBundle); --ignore-scripts: no lifecycle script may rebuild it under tests running in parallel.
  const packed = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work], repoRoot);
  expect(packed.status, packed.out).toBe(0);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The files a build of examples/add.kfp (copied into `dir`) writes, with their text, by the given command. */
function buildAdd(dir: string, kfpdsl: string[]): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(repoRoot, 'examples/add.kfp'), join(dir, 'add.kfp'));
  const r = spawnSync(kfpdsl[0]!, [...kfpdsl.slice(1), 'build', 'add.kfp'], { cwd: dir, env, encoding: 'utf8', timeout: HANG_CAP_MS });
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('installing from a tarball, offline', () => {
  it.skipIf(npm.missing)(npm.title('the package declares no runtime dependency, and the tarball holds the bundle but no sources'), () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg['dependencies']).toBeUndefined();
    const listing = sh('tar', ['-tzf', tarball], work);
    expect(listing.status).toBe(0);
    const files = listing.out.split('\n').filter((l) => l !== '');
    expect(files).toContain('package/bin/kfpdsl');
    expect(files).toContain('package/dist/kfpdsl.cjs');
    expect(files.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toEqual([]);
  });

  it.skipIf(npm.missing)(npm.title('`npm install -g --prefix <tmp> --offline <tgz>`: kfpdsl check and build work, and build as the clone does'), () => {
    const prefix = join(work, 'prefix');
    const installed = sh('npm', ['install', '-g', '--prefix', prefix, tarball], work);
    expect(installed.status, installed.out).toBe(0);
    const root = join(prefix, 'lib/node_modules/kfpdsl');
    expect(existsSync(join(root, 'node_modules')), 'nothing installed beside the package').toBe(false);
    const kfpdsl = join(prefix, 'bin/kfpdsl');

    const checked = sh(kfpdsl, ['check', join(repoRoot, 'examples/add.kfp')], work);
    expect(checked).toEqual({ status: 0, out: '' });
    const refused = sh(kfpdsl, ['check', join(repoRoot, 'test/fixtures/errors/KFP2001-unknown-component.kfp')], work);
    expect(refused.status).toBe(1);
    expect(refused.out).toContain('error[KFP2001]: unknown component `ad`');

    const fromInstall = buildAdd(join(work, 'built-by-install'), [kfpdsl]);
    const fromClone = buildAdd(join(work, 'built-by-clone'), [process.execPath, join(repoRoot, 'bin/kfpdsl.mjs')]);
    expect(Object.keys(fromInstall).length).toBeGreaterThan(2);
    expect(fromInstall).toEqual(fromClone);
    expect(sh(kfpdsl, ['--version'], work).out.trim()).toBe(runCli(['--version']).stdout.trim());
  });

  it.skipIf(npm.missing)(npm.title('as a devDependency of another project (`npm install --save-dev <tgz>`), run with `npx kfpdsl`'), () => {
    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "ml-pipelines", "version": "1.0.0", "private": true }\n');
    const installed = sh('npm', ['install', '--save-dev', tarball], project);
    expect(installed.status, installed.out).toBe(0);
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    expect(manifest.devDependencies?.['kfpdsl']).toMatch(/\.tgz$/);
    // npx finds the local install: with the registry unreachable, a fetch would fail the command.
    copyFileSync(join(repoRoot, 'examples/add.kfp'), join(project, 'add.kfp'));
    const checked = sh('npx', ['kfpdsl', 'check', 'add.kfp'], project);
    expect(checked).toEqual({ status: 0, out: '' });
  });
});
