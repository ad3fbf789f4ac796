/**
 * `kfpdsl fmt` as a writer of files: through a symlink to its target (the link stays a
 * link), keeping each file's permission bits, all files or none, and no temporaries left:
 * also none that an fmt killed outright (SIGKILL) left beside its files.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle, listFiles, runCli } from './support/cli.js';

beforeAll(() => ensureBundle());

const tmpDirs: string[] = [];
function tmp(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `kfpdsl-fmtfiles-${label}-`));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** Valid, but not in canonical form (indentation and spacing). */
const UNFORMATTED = ['component add(a:int,b:int)->int{', '```python', 'return a + b', '```', '}', 'pipeline "p"(x:int=1){', '      add(x,2)', '}', ''].join('\n');

describe('fmt writes files faithfully', () => {
  it('keeps a 0600 file 0600 and a 0755 file 0755 (whatever the umask)', () => {
    const dir = tmp('mode');
    for (const mode of [0o600, 0o755, 0o640]) {
      const f = join(dir, `m${mode.toString(8)}.kfp`);
      writeFileSync(f, UNFORMATTED);
      chmodSync(f, mode);
    }
    const r = runCli(['fmt', dir]);
    expect(r.status, r.stderr).toBe(0);
    for (const mode of [0o600, 0o755, 0o640]) {
      const f = join(dir, `m${mode.toString(8)}.kfp`);
      expect(readFileSync(f, 'utf8')).not.toBe(UNFORMATTED);
      expect(statSync(f).mode & 0o7777, f).toBe(mode);
    }
    expect(listFiles(dir)).toEqual(['m600.kfp', 'm640.kfp', 'm755.kfp']);
  });

  it('writes through a symlink: the link stays a link, its target (in another directory) is formatted', () => {
    const dir = tmp('link');
    // The project root (a source's link may not leave it: KFP0016, test/import-links.test.ts).
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
    mkdirSync(join(dir, 'real'));
    mkdirSync(join(dir, 'pipes'));
    const target = join(dir, 'real', 'p.kfp');
    writeFileSync(target, UNFORMATTED);
    chmodSync(target, 0o600);
    symlinkSync('../real/p.kfp', join(dir, 'pipes', 'p.kfp'));
    const r = runCli(['fmt', 'pipes/p.kfp'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(join(dir, 'pipes', 'p.kfp')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'pipes', 'p.kfp'))).toBe('../real/p.kfp');
    expect(readFileSync(target, 'utf8')).not.toBe(UNFORMATTED);
    expect(statSync(target).mode & 0o7777).toBe(0o600);
    // fmt --check now agrees, and no temporary is left beside the target or the link.
    expect(runCli(['fmt', '--check', 'pipes/p.kfp'], { cwd: dir }).status).toBe(0);
    expect(listFiles(dir)).toEqual(['kfpdsl.yaml', 'pipes/p.kfp', 'real/p.kfp']);
  });

  it('a file with errors stops fmt before any file is written', () => {
    const dir = tmp('all');
    writeFileSync(join(dir, 'a.kfp'), UNFORMATTED);
    writeFileSync(join(dir, 'b.kfp'), 'component {\n');
    const r = runCli(['fmt', dir]);
    expect(r.status).toBe(1);
    expect(readFileSync(join(dir, 'a.kfp'), 'utf8')).toBe(UNFORMATTED);
    expect(listFiles(dir)).toEqual(['a.kfp', 'b.kfp']);
  });
});

describe('temporaries of an fmt killed outright', () => {
  it('a later fmt removes those of a process that is gone, and keeps those of a live one', () => {
    const dir = tmp('killed');
    writeFileSync(join(dir, 'p.kfp'), UNFORMATTED);
    // What SIGKILL during the write leaves: `.p.kfp.kfpdsl-<pid>-<hex>` of a process now gone.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const dead = join(dir, `.p.kfp.kfpdsl-${gone}-0123456789ab`);
    const live = join(dir, `.p.kfp.kfpdsl-${process.pid}-0123456789ab`);
    writeFileSync(dead, 'half');
    writeFileSync(live, 'another fmt at work');
    const r = runCli(['fmt', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(readFileSync(join(dir, 'p.kfp'), 'utf8')).not.toBe(UNFORMATTED);
  });
});

