/**
 * `kfpdsl build`: every source compiled into its own output directory (layout.ts), written
 * all or nothing (swap.ts), or with --check compared with what is on disk.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { backendNamed, DEFAULT_TARGET } from '../backends/index.js';
import { compileSource } from '../compile.js';
import { diag } from '../diagnostics/catalog.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { applyPolicy } from '../diagnostics/policy.js';
import type { Format } from '../diagnostics/render.js';
import type { SourceFile } from '../source.js';
import { checkOutputName, outputDirFor } from './layout.js';
import { inspectOutputDir, MANIFEST, manifestText, type DirState } from './output-dir.js';
import { exitStatus, report, SIGNAL_EXIT, summary } from './report.js';
import { checkRootOption, loadSources, nothingToCompile, uniqueDiagnostics } from './sources.js';
import { replaceDirs, WriteFailure, type DirWrite } from './swap.js';

export interface BuildOptions {
  format: Format;
  deny: string[];
  allow: string[];
  out?: string;
  root?: string;
  check?: boolean;
  /** `--target`: the backend's name (default kfp-v1). */
  target?: string;
  /** `--max-errors`: diagnostics printed per file (0: all). */
  maxErrors?: number;
  /** `--verify`: parse every output back and compare it with what was meant (src/emit/verify.ts); KFPDSL_VERIFY=1 does too. */
  verify?: boolean;
}

interface Unit {
  readonly source: SourceFile;
  readonly dir: string;
  /** Relative path → text, the manifest last. */
  readonly files: Map<string, string>;
}

function errno(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

const NOT_A_DIRECTORY = new Set(['ENOTDIR', 'EEXIST']);

function inspect(unit: Unit): { state?: DirState; diagnostic?: Diagnostic } {
  let state: DirState;
  try {
    state = inspectOutputDir(unit.dir);
  } catch (e) {
    if (/^E[A-Z]+$/.test(errno(e))) {
      return { diagnostic: diag('OutputNotWritable', `cannot read the output directory \`${unit.dir}\`: ${errno(e) === 'EACCES' ? 'permission denied' : (e as Error).message}`, { file: unit.source, hint: 'check its permissions, or choose another directory with -o' }) };
    }
    throw e;
  }
  if (state.kind === 'not-a-directory') {
    return {
      diagnostic: diag('OutputNotADirectory', `\`${state.path}\` is ${state.what}, so the output directory \`${unit.dir}\` cannot be made`, {
        file: unit.source,
        hint: state.path === unit.dir ? 'move it away, or choose another directory with -o' : 'choose an output directory with -o that is a directory or does not exist yet',
      }),
    };
  }
  if (state.kind === 'foreign') {
    const shown = state.entries.slice(0, 5).map((e) => `\`${e}\``).join(', ') + (state.entries.length > 5 ? ` and ${state.entries.length - 5} more` : '');
    return {
      diagnostic: diag('ForeignOutput', `the output directory \`${unit.dir}\` holds files kfpdsl did not write: ${shown}`, {
        file: unit.source,
        hint: `a build replaces \`${unit.dir}\` whole, and never deletes what it did not write; move those files, or build with -o OUT to write elsewhere`,
      }),
    };
  }
  // Built from another source: on a case-insensitive file system `a.kfp`'s directory is `A.kfp`'s.
  const owner = state.kind === 'ours' ? state.manifest?.source : undefined;
  if (owner !== undefined && owner !== basename(unit.source.path)) {
    return {
      diagnostic: diag('OutputCollision', `the output directory \`${unit.dir}\` holds the outputs of \`${owner}\` (its ${MANIFEST} says so), not of \`${basename(unit.source.path)}\``, {
        file: unit.source,
        hint: `names that differ only in case are one directory on a case-insensitive file system: rename one of the sources (or, if \`${owner}\` is gone, delete \`${unit.dir}\`)`,
      }),
    };
  }
  return { state };
}

/** Missing, different and no-longer-written files of one directory, as `build --check` reports them. */
function outOfDate(unit: Unit, state: DirState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const hint = 'run kfpdsl build with the same arguments, and commit the result';
  const say = (path: string, what: string): void => {
    out.push(diag('OutOfDate', `out of date: ${join(unit.dir, path)} ${what}`, { file: unit.source, hint }));
  };
  const onDisk = state.kind === 'ours' && state.manifest ? new Set(state.manifest.files) : new Set<string>();
  for (const [rel, text] of unit.files) {
    if (rel === MANIFEST) continue;
    let current: string | undefined;
    try {
      current = readFileSync(join(unit.dir, rel), 'utf8');
    } catch {
      current = undefined;
    }
    if (current === undefined) say(rel, 'is missing');
    else if (current !== text) say(rel, 'differs from what build would write');
  }
  for (const rel of [...onDisk].sort()) if (!unit.files.has(rel)) say(rel, 'is no longer written by the build (a build deletes it)');
  if (out.length === 0 && state.kind === 'ours' && state.manifestText !== unit.files.get(MANIFEST)) say(MANIFEST, state.manifestText === undefined ? 'is missing' : 'differs from what build would write');
  return out;
}

/**
 * A directory's name as a case-insensitive file system (macOS's and Windows' defaults) compares
 * it: two names equal here are one directory there.
 */
const folded = (path: string): string => path.normalize('NFC').toLowerCase();

/** Two sources may not share an output directory, nor may one's lie inside another's; names are compared as a case-insensitive file system does. */
function collisions(units: readonly Unit[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byDir = [...units].map((u) => ({ u, abs: resolve(u.dir), key: folded(resolve(u.dir)) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let i = 0; i < byDir.length; i++) {
    for (let j = i + 1; j < byDir.length; j++) {
      const a = byDir[i]!;
      const b = byDir[j]!;
      if (b.key !== a.key && !b.key.startsWith(a.key + sep)) break;
      const same = b.key === a.key;
      const where = b.abs === a.abs
        ? `both write \`${a.u.dir}\``
        : same
          ? `would write \`${b.u.dir}\` and \`${a.u.dir}\`, one directory on a case-insensitive file system (macOS, Windows)`
          : `would write \`${b.u.dir}\` inside the output directory of \`${a.u.source.path}\``;
      out.push(
        diag('OutputCollision', `\`${b.u.source.path}\` and \`${a.u.source.path}\` ${where}`, {
          file: b.u.source,
          hint: b.abs === a.abs ? 'with -o, sources are placed by their path under the project root: give a --root that holds both, or rename one' : same ? 'rename one of the sources so that their names differ in more than case' : 'rename one of the sources, or the directory',
        }),
      );
    }
  }
  return out;
}

export function runBuild(paths: readonly string[], opts: BuildOptions): number | Promise<number> {
  // A module's importers are built (or, with --check, compared) too: their output holds the module's
  // components, and `build --check`'s advice to run `build` with the same arguments must then fix them.
  const loaded = loadSources(paths, { root: opts.root });
  const badRoot = checkRootOption(opts.root);
  const diagnostics: Diagnostic[] = badRoot ? [badRoot, ...loaded.diagnostics] : [...loaded.diagnostics];
  const units: Unit[] = [];
  const target = opts.target ?? DEFAULT_TARGET;
  for (const source of loaded.sources) {
    const result = compileSource(source, { root: opts.root, backend: backendNamed(target)!, verify: opts.verify || process.env.KFPDSL_VERIFY === '1' ? 'full' : 'schema', maxErrors: opts.maxErrors });
    // One by one: a spread of 100,000 diagnostics overflows the stack.
    for (const d of result.diagnostics) diagnostics.push(d);
    if (hasErrors(result.diagnostics)) continue;
    if (result.program && result.program.components.length === 0 && result.program.pipelines.length === 0) {
      diagnostics.push(nothingToCompile(source));
      continue;
    }
    const dir = outputDirFor(source, opts);
    if (typeof dir !== 'string') {
      diagnostics.push(dir);
      continue;
    }
    const files = new Map<string, string>();
    for (const f of result.files) {
      checkOutputName(f.path);
      files.set(f.path, f.text);
    }
    // The target is recorded (when not the default) so that `build --check` sees a switch of target.
    files.set(MANIFEST, manifestText(basename(source.path), [...files.keys()], target === DEFAULT_TARGET ? undefined : target));
    units.push({ source, dir, files });
  }
  diagnostics.push(...collisions(units));
  const states = new Map<Unit, DirState>();
  if (!hasErrors(diagnostics)) {
    for (const unit of units) {
      const r = inspect(unit);
      if (r.diagnostic) diagnostics.push(r.diagnostic);
      else states.set(unit, r.state!);
    }
  }
  if (opts.check && !hasErrors(diagnostics)) {
    for (const unit of units) diagnostics.push(...outOfDate(unit, states.get(unit)!));
  }
  const shown = applyPolicy(uniqueDiagnostics(diagnostics), opts);
  const finish = (): number => {
    report(shown, opts.format, opts.maxErrors);
    summary(shown, loaded.sources.length, opts.format);
    if (opts.check && opts.format === 'pretty') {
      const stale = shown.filter((d) => d.code === 'KFP0015').length;
      if (stale > 0) process.stderr.write(`${stale} compiled file${stale > 1 ? 's are' : ' is'} out of date; run kfpdsl build to update\n`);
    }
    return exitStatus(shown);
  };
  if (hasErrors(shown) || opts.check) return finish();
  return writeUnits(units, opts, shown, finish);
}

async function writeUnits(units: readonly Unit[], opts: BuildOptions, shown: Diagnostic[], finish: () => number): Promise<number> {
  const writes: DirWrite[] = units.map((u) => ({ dir: u.dir, files: u.files }));
  let outcome;
  try {
    outcome = await replaceDirs(writes);
  } catch (e) {
    if (!(e instanceof WriteFailure)) throw e;
    const unit = units.find((u) => u.dir === e.dir)!;
    const code = errno(e.error);
    if (NOT_A_DIRECTORY.has(code)) {
      shown.push(diag('OutputNotADirectory', `cannot make the output directory \`${e.dir}\`: a part of the path is a file; nothing was written`, { file: unit.source, hint: 'choose an output directory with -o that is a directory or does not exist yet' }));
    } else if (/^E[A-Z]+$/.test(code)) {
      // Whatever the file system refuses (permissions, read-only, full, a pseudo file
      // system like /proc) is about the place, not about kfpdsl.
      const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code === 'ENOSPC' || code === 'EDQUOT' ? 'no space left' : e.message;
      shown.push(diag('OutputNotWritable', `cannot write \`${e.path}\`: ${why}; nothing was written`, { file: unit.source, hint: 'check the permissions of the output directory, or choose another with -o' }));
    } else throw e.error;
    return finish();
  }
  const code = finish();
  if (outcome.kind === 'interrupted') {
    process.stderr.write(outcome.committed ? `interrupted (${outcome.signal}) after every output was written\n` : `interrupted (${outcome.signal}); nothing was written\n`);
    return SIGNAL_EXIT[outcome.signal] ?? 130;
  }
  if (opts.format === 'pretty') {
    const lines: string[] = [];
    for (const u of units) for (const rel of u.files.keys()) if (rel !== MANIFEST) lines.push(`wrote ${join(u.dir, rel)}\n`);
    process.stdout.write(lines.join(''));
  }
  return code;
}

