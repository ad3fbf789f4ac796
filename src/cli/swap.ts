/**
 * Replacing output directories all or nothing.
 *
 * Each directory is first written whole into a fresh private staging directory beside it
 * (`mkdtemp`: an exclusive, unpredictable name on the same file system, so that the final
 * `rename` cannot fail for crossing devices and a planted file or symlink is never
 * followed). Only when every staging directory is complete does the commit begin: the old
 * directory is renamed to a backup name, the staged one renamed into place, then the
 * backup removed. So a directory holds its old contents or its new ones, never a mix.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP while staging stop the build, remove every staging
 * directory and leave the old tree untouched. During the commit they are held until every
 * directory is swapped and every backup removed (the commit is renames only, and short).
 * SIGKILL cannot be caught: it can leave a staging directory or backup beside an output
 * directory, or (between the two renames) a backup where the directory was. The next build
 * of that directory recovers: a backup whose directory is missing is renamed back, and the
 * other leftovers of processes that are gone are removed.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sourceStem } from './layout.js';
import { MANIFEST, parseManifest } from './output-dir.js';

const STAGE_PREFIX = '.kfpdsl-new-';
const BACKUP_PREFIX = '.kfpdsl-old-';
const LEFTOVER = /^\.kfpdsl-(new|old)-(\d+)-/;

export interface DirWrite {
  /** The output directory, replaced whole. */
  readonly dir: string;
  /** Relative path → contents, the manifest included. */
  readonly files: ReadonlyMap<string, string>;
}

export type Outcome = { readonly kind: 'written' } | { readonly kind: 'interrupted'; readonly signal: NodeJS.Signals; readonly committed: boolean };

/** A failure with the directory it happened in, for the caller to turn into a diagnostic. */
export class WriteFailure extends Error {
  constructor(
    readonly dir: string,
    readonly path: string,
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

const HELD: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Catches the stopping signals until released; `received` is the first one seen. */
class SignalLatch {
  received: NodeJS.Signals | undefined;
  private readonly handler = (s: NodeJS.Signals): void => {
    this.received ??= s;
  };
  constructor() {
    for (const s of HELD) process.on(s, this.handler);
  }
  release(): void {
    for (const s of HELD) process.off(s, this.handler);
  }
}

/** Lets pending signal handlers run (they only run between turns of the event loop). */
function turn(): Promise<void> {
  return new Promise((resolveTurn) => setImmediate(resolveTurn));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finishes or undoes what a killed build left in `parent`: backups are put back where
 * their directory is missing, other staging directories and backups removed. Leftovers of
 * live processes (a build running now) are left alone.
 */
export function recoverLeftovers(parent: string, ownNames: ReadonlySet<string> = new Set()): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    const m = LEFTOVER.exec(name);
    if (!m || ownNames.has(name)) continue;
    const pid = Number(m[2]);
    // Our own pid on a leftover means an earlier process had it (pid 1 in containers).
    if (pid !== process.pid && isAlive(pid)) continue;
    const path = join(parent, name);
    if (m[1] === 'old') {
      let source: string | undefined;
      try {
        source = parseManifest(readFileSync(join(path, MANIFEST), 'utf8')).source;
      } catch {
        source = undefined;
      }
      const stem = source === undefined ? undefined : sourceStem(source);
      const home = stem === undefined ? undefined : join(parent, stem);
      if (home && !exists(home)) {
        renameSync(path, home);
        continue;
      }
      removeOurs(path);
      continue;
    }
    rmSync(path, { recursive: true, force: true });
  }
}

/** Removes the files a manifest lists and then the emptied directories; anything else stays. */
function removeOurs(dir: string): void {
  let listed: string[];
  try {
    listed = parseManifest(readFileSync(join(dir, MANIFEST), 'utf8')).files;
  } catch {
    listed = [];
  }
  for (const f of [...listed, MANIFEST]) rmSync(join(dir, f), { force: true });
  const dirs = new Set(listed.filter((f) => f.includes('/')).map((f) => dirname(f)));
  for (const d of [...dirs].sort().reverse()) tryRmdir(join(dir, d));
  tryRmdir(dir);
}

/**
 * `mkdir -p` that returns the topmost directory it made. Node's own recursive mkdirSync
 * loops forever where mkdir fails with ENOENT under an existing parent (in /proc, say).
 */
export function makeDirs(dir: string): string | undefined {
  const missing: string[] = [];
  for (let d = dir; !exists(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
  return missing[0];
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty: something not ours is in it, and it stays.
  }
}

/**
 * Writes every directory or none. Resolves when done or interrupted; throws WriteFailure
 * (after removing everything it staged) when the file system refuses a write.
 */
export async function replaceDirs(writes: readonly DirWrite[]): Promise<Outcome> {
  const latch = new SignalLatch();
  const staged: { stage: string; dir: string }[] = [];
  const madeParents: { top: string; leaf: string }[] = [];
  const ownNames = new Set<string>();
  const recovered = new Set<string>();
  const undo = (): void => {
    for (const s of staged) rmSync(s.stage, { recursive: true, force: true });
    // Directories made for this build are removed again, deepest first, while empty.
    for (const { top, leaf } of madeParents.reverse()) {
      for (let d = leaf; ; d = dirname(d)) {
        tryRmdir(d);
        if (d === top || dirname(d) === d) break;
      }
    }
  };
  try {
    for (const w of writes) {
      if (latch.received) break;
      const parent = dirname(w.dir);
      let stage: string;
      try {
        const made = makeDirs(parent);
        if (made !== undefined) madeParents.push({ top: made, leaf: parent });
        if (!recovered.has(parent)) {
          recovered.add(parent);
          recoverLeftovers(parent, ownNames);
        }
        stage = mkdtempSync(join(parent, `${STAGE_PREFIX}${process.pid}-`));
      } catch (e) {
        throw new WriteFailure(w.dir, parent, e);
      }
      ownNames.add(basename(stage));
      staged.push({ stage, dir: w.dir });
      for (const [rel, text] of w.files) {
        const path = join(stage, rel);
        try {
          if (rel.includes('/') && !exists(dirname(path))) mkdirSync(dirname(path));
          // 'wx': O_CREAT|O_EXCL, in a directory only we know the name of.
          writeFileSync(path, text, { flag: 'wx', mode: 0o644 });
        } catch (e) {
          throw new WriteFailure(w.dir, join(w.dir, rel), e);
        }
      }
      await turn();
    }
    await turn();
    if (latch.received) {
      undo();
      latch.release();
      return { kind: 'interrupted', signal: latch.received, committed: false };
    }
  } catch (e) {
    undo();
    await turn();
    latch.release();
    throw e;
  }
  // The commit: renames only, and no turn of the event loop, so no signal handler runs
  // (and nothing stops it) until every directory is in place.
  const backups: string[] = [];
  try {
    for (const { stage, dir } of staged) {
      if (exists(dir)) {
        const backup = join(dirname(dir), `${BACKUP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
        ownNames.add(basename(backup));
        renameSync(dir, backup);
        backups.push(backup);
      }
      renameSync(stage, dir);
    }
    for (const b of backups) removeOurs(b);
  } finally {
    // Signals that came during the commit reach the latch now: they are only dispatched
    // between turns of the event loop, so the latch must still be listening.
    await turn();
    latch.release();
  }
  return latch.received ? { kind: 'interrupted', signal: latch.received, committed: true } : { kind: 'written' };
}
