/**
 * A build killed at random points leaves what README.md ("How outputs are replaced")
 * promises. Two versions A and B of the same project (N small sources in 10 directories; B
 * changes every component and renames a third of the pipelines, so files also appear and
 * disappear) are built in turn into one -o directory, and each build is stopped by SIGINT or
 * SIGKILL at a point drawn from a seeded PRNG, either while compiling or while staging and
 * swapping (found by watching for the staging directories). Then:
 *
 * - SIGINT: the whole tree is exactly A or exactly B, with no temporary anywhere.
 * - SIGKILL: each source's directory is exactly its A or its B version, or is missing with
 *   its old version in a `.kfpdsl-old-*` backup beside it; a later build recovers: the tree
 *   is then exactly what it built, with no temporary left.
 *
 * No time is asserted: the timings only choose where to kill. The number of builds is fixed
 * (seeds × signals), each capped by vitest's timeout.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverLeftovers } from '../src/cli/swap.js';
import { ensureBundle, listFiles, repoRoot } from './support/cli.js';
import { mulberry32 } from './support/fuzz-cases.js';

/** Sources per version: each writes 3 files (workflow, component, manifest) into its own directory. */
const N = Number(process.env['KFPDSL_INTERRUPT_SOURCES'] ?? 200);
const DIRS = 10;
const SEEDS = [1, 2, 3];

const work = mkdtempSync(join(tmpdir(), 'kfpdsl-interrupt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }), 600_000);
beforeAll(() => ensureBundle(), 600_000);

type Version = 'A' | 'B';
type Tree = Map<string, Record<string, string>>; // source dir (pipes/dXX/sYYYY) → file → text

function writeProject(version: Version): string {
  const root = join(work, `project-${version}`);
  writeFileSync((mkdirSync(root, { recursive: true }), join(root, 'package.json')), '{}\n');
  for (let i = 0; i < N; i++) {
    const dir = join(root, 'pipes', `d${String(i % DIRS).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    const name = version === 'B' && i % 3 === 0 ? `q${i}` : `p${i}`;
    const text = ['component add(a: int, b: int) -> int {', '  ```python', `  return a + b  # ${version} ${i}`, '  ```', '}', '', `pipeline "${name}" (x: int = 1) {`, '  add(x, 2)', '}', ''];
    writeFileSync(join(dir, `s${String(i).padStart(4, '0')}.kfp`), text.join('\n'));
  }
  return root;
}

const LEFTOVER = /^\.kfpdsl-(new|old)-/;

interface Snapshot {
  readonly tree: Tree;
  /** Paths of staging directories and backups, relative to the output directory. */
  readonly leftovers: string[];
  /** Backups by the source directory they hold the old version of. */
  readonly backups: Map<string, Record<string, string>>;
}

function readDir(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((p) => [p, readFileSync(join(dir, p), 'utf8')]));
}

function snapshot(out: string): Snapshot {
  const tree: Tree = new Map();
  const leftovers: string[] = [];
  const backups = new Map<string, Record<string, string>>();
  if (!existsSync(out)) return { tree, leftovers, backups };
  for (const top of readdirSync(out)) {
    if (top !== 'pipes') leftovers.push(top);
  }
  const pipes = join(out, 'pipes');
  if (!existsSync(pipes)) return { tree, leftovers, backups };
  for (const d of readdirSync(pipes)) {
    if (LEFTOVER.test(d)) leftovers.push(`pipes/${d}`);
    if (!d.startsWith('d')) continue;
    for (const s of readdirSync(join(pipes, d))) {
      const path = join(pipes, d, s);
      if (LEFTOVER.test(s)) {
        leftovers.push(`pipes/${d}/${s}`);
        if (s.startsWith('.kfpdsl-old-') && existsSync(join(path, '.kfpdsl-manifest'))) {
          const source = /^source (.*)\.kfp$/m.exec(readFileSync(join(path, '.kfpdsl-manifest'), 'utf8'))?.[1];
          if (source) backups.set(`pipes/${d}/${source}`, readDir(path));
        }
      } else tree.set(`pipes/${d}/${s}`, readDir(path));
    }
  }
  return { tree, leftovers, backups };
}

function build(project: string, out: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; child: ReturnType<typeof spawn> }> & { child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'kfpdsl.mjs'), 'build', join(project, 'pipes'), '-o', out, '--root', project, '--format', 'short'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; child: typeof child }>((resolveDone) => child.on('close', (code, signal) => resolveDone({ code, signal, stderr, child })));
  return Object.assign(done, { child });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when a staging directory first appears under `out`, or when `done` settles first. */
async function stagingStarts(out: string, done: Promise<unknown>): Promise<boolean> {
  let finished = false;
  void done.then(() => (finished = true));
  const probe = join(out, 'pipes', 'd00');
  while (!finished) {
    try {
      if (readdirSync(probe).some((n) => n.startsWith('.kfpdsl-new-'))) return true;
    } catch {
      // not made yet
    }
    await sleep(2);
  }
  return false;
}

function sameTree(a: Tree, b: Tree): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (JSON.stringify(v) !== JSON.stringify(b.get(k))) return false;
  return true;
}

describe(`a build of ${N} sources (${3 * N} files) stopped at random points`, () => {
  const projects = { A: writeProject('A'), B: writeProject('B') };
  const expected = new Map<Version, Tree>();
  let stageAfterMs = 0;
  let writeWindowMs = 0;

  it('builds A and B whole, measuring where the staging begins (to choose kill points)', async () => {
    for (const v of ['A', 'B'] as const) {
      const out = join(work, `expected-${v}`);
      const t0 = Date.now();
      const run = build(projects[v], out);
      const staged = await stagingStarts(out, run);
      const t1 = Date.now();
      const r = await run;
      expect(r.code, r.stderr).toBe(0);
      if (staged) {
        stageAfterMs = Math.max(stageAfterMs, t1 - t0);
        writeWindowMs = Math.max(writeWindowMs, Date.now() - t1);
      }
      const s = snapshot(out);
      expect(s.leftovers).toEqual([]);
      expect(s.tree.size).toBe(N);
      expected.set(v, s.tree);
    }
    expect(sameTree(expected.get('A')!, expected.get('B')!)).toBe(false);
  }, 300_000);

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`${signal}: old tree or new tree, never a mix (seeds ${SEEDS.join(', ')})`, async () => {
      const out = join(work, `out-${signal}`);
      let current: Version = 'A';
      expect((await build(projects.A, out)).code).toBe(0);
      const outcomes: string[] = [];
      for (const seed of SEEDS) {
        const random = mulberry32(seed * 7919 + (signal === 'SIGINT' ? 1 : 2));
        const target: Version = current === 'A' ? 'B' : 'A';
        const run = build(projects[target], out);
        // A quarter of the kills land while compiling, the rest while staging or swapping.
        if (random() < 0.25) await sleep(random() * stageAfterMs);
        else if (await stagingStarts(out, run)) await sleep(random() * writeWindowMs * 1.2);
        run.child.kill(signal);
        const r = await run;
        const s = snapshot(out);
        const old = expected.get(current)!;
        const fresh = expected.get(target)!;
        if (signal === 'SIGINT') {
          expect(s.leftovers, `seed ${seed}`).toEqual([]);
          const isOld = sameTree(s.tree, old);
          const isNew = sameTree(s.tree, fresh);
          expect(isOld || isNew, `seed ${seed}: the tree is neither all old nor all new`).toBe(true);
          // Stopped by the signal itself (while compiling), by the build's own handler (130), or done before it came.
          expect([130, 0, null]).toContain(r.code);
          if (isNew) current = target;
          outcomes.push(`${seed}:${isNew ? 'new' : 'old'}:${r.code ?? r.signal}`);
        } else {
          let missing = 0;
          for (const [dir, files] of old) {
            const now = s.tree.get(dir);
            if (now === undefined) {
              missing++;
              expect(s.backups.get(dir), `seed ${seed}: ${dir} is missing and has no backup`).toEqual(files);
            } else {
              const ok = JSON.stringify(now) === JSON.stringify(files) || JSON.stringify(now) === JSON.stringify(fresh.get(dir));
              expect(ok, `seed ${seed}: ${dir} is a mix of old and new`).toBe(true);
            }
          }
          expect(missing, `seed ${seed}: at most the directory being swapped is missing`).toBeLessThanOrEqual(1);
          expect(s.tree.size + missing).toBe(N);
          // The next build (of either version) recovers and leaves no temporary.
          const next: Version = random() < 0.5 ? 'A' : 'B';
          const again = await build(projects[next], out);
          expect(again.code, again.stderr).toBe(0);
          const after = snapshot(out);
          expect(after.leftovers, `seed ${seed}: after the next build`).toEqual([]);
          expect(sameTree(after.tree, expected.get(next)!), `seed ${seed}: after the next build`).toBe(true);
          outcomes.push(`${seed}:${s.leftovers.length} leftovers,${missing} missing`);
          current = next;
        }
      }
      // Which phases the kills landed in varies with the machine's load; print it, assert nothing on it.
      console.log(`${signal}: ${outcomes.join(' ')}`);
    }, 300_000);
  }
});

describe('recovery after SIGKILL, directly', () => {
  it('puts a backup back where its directory is missing, removes other leftovers of dead processes, keeps those of live ones', () => {
    const parent = join(work, 'recover');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const mk = (name: string, files: Record<string, string>): void => {
      for (const [p, t] of Object.entries(files)) {
        mkdirSync(join(parent, name, p, '..'), { recursive: true });
        writeFileSync(join(parent, name, p), t);
      }
    };
    mk(`.kfpdsl-old-${dead}-aaaaaa`, { '.kfpdsl-manifest': 'source lost.kfp\nfile p.yaml\n', 'p.yaml': 'old\n' });
    mk(`.kfpdsl-old-${dead}-bbbbbb`, { '.kfpdsl-manifest': 'source here.kfp\nfile p.yaml\n', 'p.yaml': 'older\n' });
    mk('here', { '.kfpdsl-manifest': 'source here.kfp\nfile p.yaml\n', 'p.yaml': 'new\n' });
    mk(`.kfpdsl-new-${dead}-cccccc`, { 'p.yaml': 'half\n' });
    mk(`.kfpdsl-new-${process.ppid}-dddddd`, { 'p.yaml': 'a live build\n' });
    recoverLeftovers(parent);
    expect(listFiles(parent)).toEqual([`.kfpdsl-new-${process.ppid}-dddddd/p.yaml`, 'here/.kfpdsl-manifest', 'here/p.yaml', 'lost/.kfpdsl-manifest', 'lost/p.yaml']);
    expect(readFileSync(join(parent, 'lost', 'p.yaml'), 'utf8')).toBe('old\n');
    expect(readFileSync(join(parent, 'here', 'p.yaml'), 'utf8')).toBe('new\n');
  });
});
