// The usage block at the top of README.md's CLI reference names every command `kfpdsl --help`
// lists and every option of each (and of its subcommands) (`[auth…]` stands for upload's and submit's login options,
// spelt out on its own line), and no option the command does not have.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './support/cli.js';
import { fencesOf } from './support/markdown.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const reference = readme.slice(readme.indexOf('## CLI reference'));
const usage = fencesOf(reference)[0]!.text;
const AUTH = ['--token', '--cookie', '--ca-file', '--insecure-skip-verify', '--timeout', '--retries'];

/** Each `kfpdsl <command>` entry of the block, with its continuation lines. */
function entries(): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of usage.split('\n')) {
    const m = /^kfpdsl (\w+)/.exec(line);
    if (m) current = m[1];
    else if (!/^\s/.test(line)) current = undefined;
    if (current !== undefined) out.set(current, `${out.get(current) ?? ''} ${line}`);
  }
  return out;
}

const longOptions = (text: string): string[] => [...new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]))].sort();

describe('README.md: the CLI usage block', () => {
  const commands = [...runCli(['--help']).stdout.matchAll(/^ {2}(\w+) (?:\[options\] )?[<[]/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  const documented = entries();

  it('has an entry for every command and none for a command that does not exist', () => {
    expect(commands.length).toBeGreaterThanOrEqual(8);
    expect([...documented.keys()].sort()).toEqual([...commands].sort());
  });

  it.each(commands)('%s: every option, and only those', (cmd) => {
    const help = runCli([cmd, '--help']).stdout;
    // A command's subcommands (`runs show`) are documented in its entry: their options count too.
    const subcommands = [...help.slice(help.indexOf('\nCommands:')).matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]!).filter((c) => help.includes('\nCommands:') && c !== 'help');
    const helps = [help, ...subcommands.map((sub) => runCli([cmd, sub, '--help']).stdout)];
    // Option lines only: descriptions mention other commands' flags.
    const real = [...new Set(helps.flatMap((h) => longOptions(h.split('\n').filter((l) => /^ {2}-/.test(l)).map((l) => l.trim().split(/\s{2,}/)[0]!).join(' '))))].sort().filter((o) => o !== '--help');
    const entry = documented.get(cmd) ?? '';
    const shown = longOptions(entry).concat(entry.includes('[auth…]') ? AUTH : []).concat(/(^|\s)\[-o DIR\]/.test(entry) ? ['--out'] : []);
    // --version of a command prints kfpdsl's version (the block's last line says so); upload's is its own.
    const own = real.filter((o) => o !== '--version' || cmd === 'upload');
    expect([...new Set(shown)].sort()).toEqual(own);
  });

  it('the auth… line spells out the login options', () => {
    expect(usage).toMatch(/^\s+auth…:/m);
    for (const o of AUTH) expect(usage.slice(usage.indexOf('auth…:'))).toContain(o);
  });

  it('names --target (with each target) and --verify', () => {
    expect(usage).toContain('--verify');
    expect(usage).toContain('--target kfp-v1|argo');
  });
});
