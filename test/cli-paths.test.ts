/**
 * Mistakes in paths and arguments are diagnostics (KFP00xx) with the path and a hint, in every
 * format, exit 1, never "internal error" and never a stack trace. Each case runs the real
 * binary. This file also proves the KFP00xx codes for test/catalog.test.ts: the last test
 * checks that every one of them is exercised by a cli test.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDefs } from '../src/diagnostics/catalog.js';
import { ensureBundle, listFiles, repoRoot, runCli, type CliResult } from './support/cli.js';
import { requirement } from './support/requirements.js';

beforeAll(() => ensureBundle());

const ADD = join(repoRoot, 'examples', 'add.kfp');
const isRoot = process.getuid?.() === 0;
const notRoot = requirement(!isRoot, 'running as root: file permissions do not bind root');

const tmpDirs: string[] = [];
function tmp(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `kfpdsl-paths-${label}-`));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) {
    spawnSync('chmod', ['-R', 'u+rwx', d]);
    rmSync(d, { recursive: true, force: true });
  }
});

/** A user mistake: exit 1, the code in the pretty output, the path named, no internal error, no stack trace. */
function expectDiagnostic(r: CliResult, code: string, path: string): void {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toContain(`error[${code}]`);
  expect(r.stderr).toContain(path);
  expect(r.stderr).toContain('= hint:');
  expect(r.stdout + r.stderr).not.toMatch(/internal error|this is a bug|^ {4}at /m);
}

/** The same case in --format short and json: one line / one object with code, file and hint. */
function expectOtherFormats(args: string[], code: string, file: string, cwd?: string): void {
  const short = runCli([...args, '--format', 'short'], { cwd });
  expect(short.status).toBe(1);
  expect(short.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: error ${code}: .*\\[[a-z-]+\\] \\(hint: `, 'm'));
  const json = runCli([...args, '--format', 'json'], { cwd });
  expect(json.status).toBe(1);
  const diags = JSON.parse(json.stdout) as { code: string; file?: string; hint?: string }[];
  expect(diags).toContainEqual(expect.objectContaining({ code, file, hint: expect.any(String) as unknown }));
}

describe('output paths', () => {
  it('-o pointing at a file (ENOTDIR): KFP0010, nothing written', () => {
    const dir = tmp('ofile');
    const file = join(dir, 'taken');
    writeFileSync(file, 'not a directory\n');
    const r = runCli(['build', ADD, '-o', file]);
    expectDiagnostic(r, 'KFP0010', file);
    expect(readFileSync(file, 'utf8')).toBe('not a directory\n');
    expectOtherFormats(['build', ADD, '-o', file], 'KFP0010', ADD);
    // Deeper: a directory on the way is a file.
    expectDiagnostic(runCli(['build', ADD, '-o', join(file, 'sub')]), 'KFP0010', file);
  });

  it('the output directory itself is a file (D/S exists as a file, no -o): KFP0010', () => {
    const dir = tmp('sfile');
    copyFileSync(ADD, join(dir, 'add.kfp'));
    writeFileSync(join(dir, 'add'), 'mine\n');
    expectDiagnostic(runCli(['build', 'add.kfp'], { cwd: dir }), 'KFP0010', 'add');
    expect(readFileSync(join(dir, 'add'), 'utf8')).toBe('mine\n');
  });

  // As root, permissions do not stop a write; /sys refuses even root.
  const readOnly = isRoot ? (spawnSync('sh', ['-c', 'mkdir /sys/kfpdsl-probe'], { stdio: 'ignore' }).status !== 0 && readdirSync('/').includes('sys') ? '/sys' : undefined) : 'chmod';
  it.skipIf(readOnly === undefined)(requirement(readOnly !== undefined, 'neither chmod nor /sys refuses a write here').title('an output directory that cannot be written: KFP0011, nothing written (through chmod, or /sys as root)'), () => {
    let out: string;
    if (readOnly === 'chmod') {
      const dir = tmp('ro');
      chmodSync(dir, 0o555);
      out = join(dir, 'out');
    } else out = '/sys/kfpdsl-out';
    const r = runCli(['build', ADD, '-o', out]);
    expectDiagnostic(r, 'KFP0011', out);
    expect(r.stderr).toContain('nothing was written');
    expectOtherFormats(['build', ADD, '-o', out], 'KFP0011', ADD);
  });

  it.skipIf(notRoot.missing)(notRoot.title('a directory that cannot be written half-way through: KFP0011 and the other sources are not written either'), () => {
    const src = tmp('half');
    mkdirSync(join(src, 'a'));
    mkdirSync(join(src, 'b'));
    copyFileSync(ADD, join(src, 'a', 'one.kfp'));
    copyFileSync(ADD, join(src, 'b', 'two.kfp'));
    chmodSync(join(src, 'b'), 0o555);
    const r = runCli(['build', 'a', 'b'], { cwd: src });
    expectDiagnostic(r, 'KFP0011', 'b');
    expect(listFiles(join(src, 'a'))).toEqual(['one.kfp']);
  });
});

describe('input paths', () => {
  it('a mistyped path: KFP0001 for check, build, fmt and graph', () => {
    const dir = tmp('typo');
    for (const cmd of [['check'], ['build'], ['fmt'], ['graph'], ['build', '--check']]) {
      expectDiagnostic(runCli([...cmd, 'exmaples/add.kfp'], { cwd: dir }), 'KFP0001', 'exmaples/add.kfp');
    }
    expectOtherFormats(['check', 'exmaples/add.kfp'], 'KFP0001', 'exmaples/add.kfp', dir);
  });

  it('a directory with no .kfp file: KFP0002, not silence (check, build, fmt)', () => {
    const dir = tmp('empty');
    mkdirSync(join(dir, 'pipelines'));
    writeFileSync(join(dir, 'pipelines', 'README.md'), '# nothing\n');
    mkdirSync(join(dir, 'pipelines', '.hidden'));
    writeFileSync(join(dir, 'pipelines', '.hidden', 'skipped.kfp'), '');
    for (const cmd of [['check'], ['build'], ['fmt'], ['fmt', '--check']]) {
      expectDiagnostic(runCli([...cmd, 'pipelines'], { cwd: dir }), 'KFP0002', 'pipelines');
    }
    expectOtherFormats(['check', 'pipelines'], 'KFP0002', 'pipelines', dir);
    // One good path does not excuse a bad one.
    copyFileSync(ADD, join(dir, 'add.kfp'));
    expectDiagnostic(runCli(['check', 'add.kfp', 'pipelines'], { cwd: dir }), 'KFP0002', 'pipelines');
  });

  it('a file not named *.kfp: KFP0003', () => {
    const dir = tmp('ext');
    copyFileSync(ADD, join(dir, 'add.txt'));
    expectDiagnostic(runCli(['check', 'add.txt'], { cwd: dir }), 'KFP0003', 'add.txt');
    expectDiagnostic(runCli(['build', 'add.txt'], { cwd: dir }), 'KFP0003', 'add.txt');
    expect(listFiles(dir)).toEqual(['add.txt']);
  });

  it('a directory where one file is expected (EISDIR): KFP0004 for graph and run', () => {
    const dir = tmp('isdir');
    mkdirSync(join(dir, 'pipe.kfp'));
    expectDiagnostic(runCli(['graph', 'examples']), 'KFP0004', 'examples');
    expectDiagnostic(runCli(['graph', 'pipe.kfp'], { cwd: dir }), 'KFP0004', 'pipe.kfp');
    expectDiagnostic(runCli(['run', 'examples', '--run-dir', join(dir, 'runs')]), 'KFP0004', 'examples');
    expect(listFiles(dir)).toEqual([]);
  });

  it('a FIFO is not read (it would block): KFP0005', () => {
    const dir = tmp('fifo');
    if (spawnSync('mkfifo', [join(dir, 'pipe.kfp')]).status !== 0) return;
    expectDiagnostic(runCli(['check', 'pipe.kfp'], { cwd: dir }), 'KFP0005', 'pipe.kfp');
    expectDiagnostic(runCli(['graph', 'pipe.kfp'], { cwd: dir }), 'KFP0005', 'pipe.kfp');
    expectOtherFormats(['check', 'pipe.kfp'], 'KFP0005', 'pipe.kfp', dir);
  });

  it.skipIf(notRoot.missing)(notRoot.title('an unreadable file or directory: KFP0005'), () => {
    const dir = tmp('unreadable');
    copyFileSync(ADD, join(dir, 'secret.kfp'));
    chmodSync(join(dir, 'secret.kfp'), 0o000);
    expectDiagnostic(runCli(['check', 'secret.kfp'], { cwd: dir }), 'KFP0005', 'secret.kfp');
    mkdirSync(join(dir, 'closed'));
    chmodSync(join(dir, 'closed'), 0o000);
    expectDiagnostic(runCli(['check', 'closed'], { cwd: dir }), 'KFP0005', 'closed');
  });

  it('an empty .kfp file (or only comments): warning KFP0006, exit 0, nothing written; --deny warnings makes it fail', () => {
    const dir = tmp('emptyfile');
    writeFileSync(join(dir, 'empty.kfp'), '');
    writeFileSync(join(dir, 'comments.kfp'), '# to do\n\n');
    for (const f of ['empty.kfp', 'comments.kfp']) {
      for (const cmd of ['check', 'build']) {
        const r = runCli([cmd, f], { cwd: dir });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toContain('warning[KFP0006]: nothing to compile');
        expect(r.stderr).toContain(`--> ${f}`);
      }
      const denied = runCli(['check', f, '--deny', 'warnings', '--format', 'json'], { cwd: dir });
      expect(denied.status).toBe(1);
      expect(JSON.parse(denied.stdout)).toEqual([expect.objectContaining({ code: 'KFP0006', severity: 'error', file: f })]);
    }
    expect(listFiles(dir)).toEqual(['comments.kfp', 'empty.kfp']);
  });
});

it('--root naming nothing or a file: KFP0008 (build, check, graph)', () => {
  const dir = tmp('root');
  copyFileSync(ADD, join(dir, 'add.kfp'));
  for (const cmd of ['build', 'check', 'graph']) {
    expectDiagnostic(runCli([cmd, 'add.kfp', '--root', 'nowhere'], { cwd: dir }), 'KFP0008', 'nowhere');
    expectDiagnostic(runCli([cmd, 'add.kfp', '--root', 'add.kfp'], { cwd: dir }), 'KFP0008', 'add.kfp');
  }
  expect(listFiles(dir)).toEqual(['add.kfp']);
});

it('a source that is a symbolic link out of the root or to another kind of file: KFP0016, in every format, nothing read (test/import-links.test.ts has the rest)', () => {
  const dir = tmp('link');
  const outside = tmp('link-outside');
  writeFileSync(join(dir, 'kfpdsl.yaml'), '');
  writeFileSync(join(outside, 'secret.kfp'), 'TOKEN=do-not-print\n');
  writeFileSync(join(dir, 'secret.env'), 'TOKEN=do-not-print\n');
  symlinkSync(join(outside, 'secret.kfp'), join(dir, 'out.kfp'));
  symlinkSync('secret.env', join(dir, 'env.kfp'));
  for (const f of ['out.kfp', 'env.kfp']) {
    const r = runCli(['check', f], { cwd: dir });
    expectDiagnostic(r, 'KFP0016', f);
    expect(r.stdout + r.stderr).not.toContain('do-not-print');
    expectOtherFormats(['check', f], 'KFP0016', f, dir);
  }
});

it('every KFP00xx code in the catalog is exercised by a cli test', () => {
  const tests = readdirSync(join(repoRoot, 'test'))
    .filter((f) => /^cli.*\.test\.ts$/.test(f))
    .map((f) => readFileSync(join(repoRoot, 'test', f), 'utf8'))
    .join('\n');
  const codes = allDefs()
    .map((d) => d.code)
    .filter((c) => c.startsWith('KFP00'));
  expect(codes.length).toBeGreaterThan(10);
  expect(codes.filter((c) => !tests.includes(`'${c}'`) && !tests.includes(`[${c}]`) && !tests.includes(` ${c}:`))).toEqual([]);
});
