/**
 * The README's pre-commit configuration works as written: the block after the README's marker
 * comment is copied verbatim into a fresh git repository, with only `repo` (a clone of this
 * repository's committed HEAD) and `rev` (that commit) replaced, and the real pre-commit
 * framework installs the hooks and runs them on real commits: a broken .kfp file is refused
 * with its diagnostic, a .kfp without its compiled YAML or with stale YAML is refused by
 * kfpdsl-build-check, and the fixed commits land.
 *
 * pre-commit installs the hooks with npm from its own clone at `rev` (npm install, npm pack,
 * npm install -g), so this tests committed work only. npm prefers its cache
 * (npm_config_prefer_offline), which `npm ci` filled. The expected compiled files are made by
 * the kfpdsl that pre-commit installed, with `kfpdsl build <file>`, whatever layout it writes.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_CAP_MS } from './support/caps.js';
import { repoRoot } from './support/cli.js';
import { fencesOf } from './support/markdown.js';
import { requirement, runs } from './support/requirements.js';

const MARKER = '<!-- test/pre-commit.test.ts runs this block as written';
const tools = requirement(
  runs('pre-commit', ['--version']) && runs('git', ['--version']) && runs('npm', ['--version']),
  '`pre-commit`, `git` or `npm` is not on PATH (.ci/run installs pre-commit with apt-get)',
);

/** The README's pre-commit config: the first ```yaml fence after the marker comment. */
export function readmePreCommitConfig(readme: string): string {
  const at = readme.indexOf(MARKER);
  if (at < 0) throw new Error(`README.md has no "${MARKER}" comment`);
  const line = readme.slice(0, at).split('\n').length;
  const fence = fencesOf(readme).find((f) => f.line > line);
  if (!fence || fence.info !== 'yaml') throw new Error('no ```yaml fence after the marker in README.md');
  return `${fence.text}\n`;
}

/** The config with only `repo:` and `rev:` values replaced (comments kept). */
export function pointAt(config: string, repo: string, rev: string): string {
  const replaced = config.replace(/^(\s*- repo:\s*)\S+/m, `$1${repo}`).replace(/^(\s*rev:\s*)(.*?)(\s+#.*)?$/m, `$1${rev}$3`);
  if (!replaced.includes(`repo: ${repo}`) || !replaced.includes(`rev: ${rev}`)) throw new Error(`could not set repo and rev in:\n${config}`);
  return replaced;
}

let dir = '';
let repo = '';
let env: NodeJS.ProcessEnv = {};

function run(cmd: string, args: string[], cwd = repo): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: HANG_CAP_MS });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function commit(message: string): { status: number | null; out: string } {
  expect(run('git', ['add', '-A']).status).toBe(0);
  return run('git', ['commit', '-m', message]);
}

/** The kfpdsl command in the node environment pre-commit made for the hooks. */
function installedKfpdsl(): string {
  const home = env['PRE_COMMIT_HOME']!;
  for (const entry of readdirSync(home)) {
    const d = join(home, entry);
    if (!statSync(d).isDirectory()) continue;
    for (const nodeEnv of readdirSync(d).filter((e) => e.startsWith('node_env-'))) {
      const bin = join(d, nodeEnv, 'bin', 'kfpdsl');
      if (existsSync(bin)) return bin;
    }
  }
  throw new Error(`no kfpdsl installed under ${home}`);
}

describe.skipIf(tools.missing)(tools.title("the README's pre-commit config, run by the real pre-commit"), () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kfpdsl-pre-commit-'));
    repo = join(dir, 'repo');
    env = {
      ...process.env,
      PRE_COMMIT_HOME: join(dir, 'pre-commit-home'),
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      NO_COLOR: '1',
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    };
    delete env['NODE_OPTIONS'];
    // A clone holds the committed HEAD only, whatever the working tree has uncommitted.
    const hooks = join(dir, 'kfpdsl');
    expect(run('git', ['clone', '--quiet', repoRoot, hooks], dir).status).toBe(0);
    const head = run('git', ['rev-parse', 'HEAD'], hooks).out.trim();
    expect(head).toMatch(/^[0-9a-f]{40}$/);

    expect(run('git', ['init', '-q', repo], dir).status).toBe(0);
    const config = pointAt(readmePreCommitConfig(readFileSync(join(repoRoot, 'README.md'), 'utf8')), hooks, head);
    writeFileSync(join(repo, '.pre-commit-config.yaml'), config);
    expect(run('pre-commit', ['install']).status).toBe(0);
    const installed = run('pre-commit', ['install-hooks']);
    expect(installed.status, installed.out).toBe(0);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the README block names both hooks and a rev that says what to put there', () => {
    const config = readmePreCommitConfig(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
    expect(config).toContain('id: kfpdsl-check');
    expect(config).toContain('id: kfpdsl-build-check');
    expect(config).toMatch(/rev: .*(tag|commit|SHA)/);
  });

  it('refuses a commit with a broken .kfp file, showing the diagnostic', () => {
    copyFileSync(join(repoRoot, 'test/fixtures/errors/KFP2001-unknown-component.kfp'), join(repo, 'pipeline.kfp'));
    const refused = commit('broken');
    expect(refused.status).not.toBe(0);
    expect(refused.out).toContain('error[KFP2001]: unknown component `ad`');
    expect(refused.out).toContain('pipeline.kfp:8:9');
    expect(refused.out).toMatch(/kfpdsl check\.+Failed/);
  });

  it('refuses the fixed file while its compiled YAML is not committed (kfpdsl-build-check)', () => {
    writeFileSync(join(repo, 'pipeline.kfp'), readFileSync(join(repo, 'pipeline.kfp'), 'utf8').replace('ad(1, 2)', 'add(1, 2)'));
    const missing = commit('fixed, not compiled');
    expect(missing.status).not.toBe(0);
    expect(missing.out).toMatch(/kfpdsl check\.+Passed/);
    expect(missing.out).toMatch(/kfpdsl build --check\.+Failed/);
  });

  it('accepts the commit once `kfpdsl build <file>` has written the compiled YAML', () => {
    const built = run(installedKfpdsl(), ['build', 'pipeline.kfp']);
    expect(built.status, built.out).toBe(0);
    const accepted = commit('fixed and compiled');
    expect(accepted.out).toMatch(/kfpdsl check\.+Passed/);
    expect(accepted.out).toMatch(/kfpdsl build --check\.+Passed/);
    expect(accepted.status).toBe(0);
    expect(run('git', ['ls-files']).out.split('\n').filter((f) => f.endsWith('.yaml')).length).toBeGreaterThan(1);
  });

  it('refuses a change to the .kfp file whose committed YAML is now stale, and accepts it rebuilt', () => {
    writeFileSync(join(repo, 'pipeline.kfp'), readFileSync(join(repo, 'pipeline.kfp'), 'utf8').replace('add(1, 2)', 'add(1, 3)'));
    const stale = commit('changed, not rebuilt');
    expect(stale.status).not.toBe(0);
    expect(stale.out).toMatch(/kfpdsl check\.+Passed/);
    expect(stale.out).toMatch(/kfpdsl build --check\.+Failed/);

    expect(run(installedKfpdsl(), ['build', 'pipeline.kfp']).status).toBe(0);
    const rebuilt = commit('changed and rebuilt');
    expect(rebuilt.out).toMatch(/kfpdsl build --check\.+Passed/);
    expect(rebuilt.status).toBe(0);
  });
});
