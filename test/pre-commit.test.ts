/**
 * The real pre-commit framework (Debian's package) running this repository's hooks
 * (.pre-commit-hooks.yaml) in a throwaway git repository: a commit with a broken .kfp
 * file is refused with the diagnostic, a fixed one passes, and kfpdsl-build-check
 * refuses a commit whose compiled YAML is missing or stale.
 *
 * pre-commit installs the hook with npm from a clone of this repository at HEAD, so
 * the test uses committed work. npm runs offline (`npm_config_offline`): it installs
 * only what `npm ci` already put in the npm cache, nothing from the network.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const hasPreCommit = spawnSync('pre-commit', ['--version']).status === 0;
const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { status: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** The kfpdsl command in the node environment pre-commit made for the hooks. */
function findInstalledKfpdsl(home: string): string {
  for (const repo of readdirSync(home)) {
    const dir = join(home, repo);
    if (!statSync(dir).isDirectory()) continue;
    for (const env of readdirSync(dir).filter((d) => d.startsWith('node_env-'))) {
      const bin = join(dir, env, 'bin', 'kfpdsl');
      if (existsSync(bin)) return bin;
    }
  }
  throw new Error(`no kfpdsl installed under ${home}`);
}

describe.skipIf(!hasPreCommit || head === '')('pre-commit hooks', () => {
  it('refuses a broken .kfp, accepts a fixed one, and checks compiled YAML is up to date', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-pre-commit-'));
    const repo = join(dir, 'repo');
    const env = {
      ...process.env,
      PRE_COMMIT_HOME: join(dir, 'cache'),
      npm_config_offline: 'true',
      NO_COLOR: '1',
      GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com',
    };
    expect(run('git', ['init', '-q', repo], dir, env).status).toBe(0);
    writeFileSync(
      join(repo, '.pre-commit-config.yaml'),
      `repos:\n  - repo: ${root}\n    rev: ${head}\n    hooks:\n      - id: kfpdsl-check\n      - id: kfpdsl-build-check\n`,
    );
    expect(run('pre-commit', ['install'], repo, env).status).toBe(0);
    const installed = run('pre-commit', ['install-hooks'], repo, env);
    expect(installed.out).not.toMatch(/error/i);
    expect(installed.status).toBe(0);

    copyFileSync(join(root, 'test/fixtures/errors/KFP2001-unknown-component.kfp'), join(repo, 'pipeline.kfp'));
    run('git', ['add', '.'], repo, env);
    const refused = run('git', ['commit', '-m', 'broken'], repo, env);
    expect(refused.status).not.toBe(0);
    expect(refused.out).toContain('error[KFP2001]: unknown component `ad`');
    expect(refused.out).toContain('pipeline.kfp:8:9');

    // Fixed, but the compiled workflow is not committed: build-check refuses.
    writeFileSync(join(repo, 'pipeline.kfp'), readFileSync(join(repo, 'pipeline.kfp'), 'utf8').replace('ad(1, 2)', 'add(1, 2)'));
    run('git', ['add', '.'], repo, env);
    const stale = run('git', ['commit', '-m', 'fixed'], repo, env);
    expect(stale.status).not.toBe(0);
    expect(stale.out).toMatch(/out of date: .*p\.yaml/);

    // With the compiled YAML beside it, both hooks pass and the commit lands. It is compiled by the
    // kfpdsl that pre-commit installed (HEAD's), which may differ from this working tree's.
    const installedBin = findInstalledKfpdsl(env.PRE_COMMIT_HOME);
    expect(run(installedBin, ['build', 'pipeline.kfp'], repo, env).status).toBe(0);
    run('git', ['add', '.'], repo, env);
    const accepted = run('git', ['commit', '-m', 'fixed and compiled'], repo, env);
    expect(accepted.out).toMatch(/kfpdsl check\.+Passed/);
    expect(accepted.status).toBe(0);
  }, 300_000);
});
