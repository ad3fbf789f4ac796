// --help and --version (-V) work on every command, before or after its arguments, and never run
// the command; upload keeps --version for its version name and takes -V alone.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './support/cli.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const ADD = 'examples/add.kfp';
const commands = [...runCli(['--help']).stdout.matchAll(/^ {2}(\w+) (?:\[options\] )?[<[]/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
const tmp = mkdtempSync(join(tmpdir(), 'kfpdsl-help-version-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('--help and --version on every command', () => {
  it('the program lists its commands', () => {
    expect(commands).toEqual(expect.arrayContaining(['build', 'check', 'run', 'fmt', 'graph', 'import', 'upload', 'submit']));
  });

  it.each(commands)('%s --help (before or after an argument) and `help` with it print its usage and exit 0', (cmd) => {
    const r = runCli([cmd, '--help']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(new RegExp(`^Usage: kfpdsl ${cmd} `));
    expect(runCli(['help', cmd]).stdout).toBe(r.stdout);
    // After an argument too.
    expect(runCli([cmd, ADD, '--help']).stdout).toBe(r.stdout);
  });

  it.each(commands.filter((c) => c !== 'upload'))('%s FILE --version and -V print the version, exit 0 and run nothing', (cmd) => {
    for (const flag of ['--version', '-V']) {
      const out = join(tmp, `${cmd}${flag}`);
      const r = runCli([cmd, ADD, flag, ...(cmd === 'build' ? ['-o', out] : [])]);
      expect([r.status, r.stdout, r.stderr]).toEqual([0, `${version}\n`, '']);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('upload -V prints the version; upload --version stays the name of the version to upload', () => {
    const r = runCli(['upload', ADD, '-V']);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `${version}\n`, '']);
    const missing = runCli(['upload', ADD, '--version']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("option '--version <name>' argument missing");
  });
});
