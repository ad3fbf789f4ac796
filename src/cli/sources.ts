/**
 * Finding and reading the .kfp sources named on the command line. Every mistake in a path
 * (a typo, a directory without sources, a directory where one file is wanted, a file that
 * cannot be read) is a diagnostic with a stable code, never an exception.
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, realpathSync, statSync, constants as fsc } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { fsHost, isInside, KERNEL_FILES, type FileHost } from '../project/file-host.js';
import { findProjectRoot } from '../project/root.js';
import { SourceFile } from '../source.js';
import { MAX_SOURCE_BYTES, parseSource } from '../syntax/parse.js';

/** A diagnostic about a path rather than a place in a source: it carries the path as its file. */
export function pathDiag(name: Parameters<typeof diag>[0], path: string, message: string, hint?: string): Diagnostic {
  return diag(name, message, { file: new SourceFile(path, ''), hint });
}

function errnoCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

function reason(e: unknown): string {
  const code = errnoCode(e);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'ENOTDIR') return 'a part of the path is a file, not a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'ENAMETOOLONG') return 'the path is too long';
  return e instanceof Error ? e.message : String(e);
}

export interface Collected {
  readonly paths: string[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Expands files and directories (recursively, for `*.kfp`, skipping `node_modules` and
 * dot-directories) into a sorted, de-duplicated list. A path that does not exist, a file
 * not named `*.kfp`, or a directory holding no `.kfp` file is an error: a typo in CI must
 * never pass for "nothing to check".
 */
export function collectSources(paths: readonly string[]): Collected {
  const out = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      diagnostics.push(pathDiag('UnreadableSource', dir, `cannot read the directory \`${dir}\`: ${reason(e)}`, 'check its permissions'));
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.kfp') && (entry.isFile() || entry.isSymbolicLink())) out.add(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT') diagnostics.push(pathDiag('NoSuchPath', p, `no such file or directory: \`${p}\``, 'check the spelling; relative paths start from the working directory'));
      else diagnostics.push(pathDiag('UnreadableSource', p, `cannot read \`${p}\`: ${reason(e)}`));
      continue;
    }
    if (st.isDirectory()) {
      const before = out.size + diagnostics.length;
      walk(p);
      if (out.size + diagnostics.length === before) {
        diagnostics.push(pathDiag('NoSources', p, `no .kfp file under \`${p}\``, 'kfpdsl looks for *.kfp files in the directory and its subdirectories, skipping node_modules and names that start with `.`'));
      }
    } else if (!p.endsWith('.kfp')) {
      diagnostics.push(pathDiag('NotKfpFile', p, `\`${p}\` is not a .kfp file`, 'kfpdsl reads sources named *.kfp (the name is also what names the output directory)'));
    } else out.add(p);
  }
  return { paths: [...out].sort(), diagnostics };
}

/**
 * A source reached through a symbolic link is read only if the link ends at a .kfp file inside
 * the project root, as an import would be: `evil.kfp -> /proc/self/environ` or `-> ../.env`,
 * committed in a pull request and checked by the pre-commit hook, would otherwise print that
 * file's lines in its syntax errors.
 */
function linkedSourceProblem(path: string, root: string | undefined): Diagnostic | undefined {
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch {
    return undefined; // the open below reports why
  }
  // /proc's "regular" files hold the process's environment and memory, whatever their name.
  if (KERNEL_FILES.test(real)) return pathDiag('UnreadableSource', path, `cannot read \`${path}\`: a kernel file (/proc, /sys, /dev)`, 'sources must be regular files');
  if (real === resolve(path)) return undefined;
  // `run` also takes a pipeline spec (.yaml): the link must end at a file of the kind named.
  const ext = extname(path);
  if (ext === '' || extname(real) !== ext) {
    return pathDiag('SourceLinkOutside', path, `\`${path}\` is a symbolic link to a file not named *${ext}`, `kfpdsl reads ${ext || '.kfp'} files only; the content of others is not shown`);
  }
  const projectRoot = findProjectRoot(path, root);
  let realRoot = projectRoot;
  try {
    realRoot = realpathSync.native(projectRoot);
  } catch {
    // the root as found
  }
  if (isInside(realRoot, real)) return undefined;
  return pathDiag('SourceLinkOutside', path, `\`${path}\` is a symbolic link to a file outside the project root \`${projectRoot}\``,
    'sources and their imports stay inside the project root (the nearest directory holding .git, package.json or kfpdsl.yaml); give --root DIR to widen it');
}

/**
 * Reads one source. Only regular files are read (a FIFO or a device would block or never
 * end); the check is made on the opened descriptor, so a file swapped after the check is
 * not read either. `root` is `--root` when given.
 */
export function loadSource(path: string, root?: string): SourceFile | Diagnostic {
  const linked = linkedSourceProblem(path, root);
  if (linked) return linked;
  let fd: number;
  try {
    fd = openSync(path, fsc.O_RDONLY | (fsc.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') return pathDiag('NoSuchPath', path, `no such file: \`${path}\``, 'check the spelling; relative paths start from the working directory');
    if (code === 'EISDIR') return pathDiag('IsADirectory', path, `\`${path}\` is a directory, not a .kfp file`, 'this command takes one .kfp file');
    return pathDiag('UnreadableSource', path, `cannot read \`${path}\`: ${reason(e)}`, errnoCode(e) === 'EACCES' ? 'check the file\'s permissions' : undefined);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return pathDiag('IsADirectory', path, `\`${path}\` is a directory, not a .kfp file`, 'this command takes one .kfp file');
    if (!st.isFile()) return pathDiag('UnreadableSource', path, `cannot read \`${path}\`: not a regular file`, 'sources must be regular files (or symbolic links to them)');
    // Not read at all: a file of gigabytes would fill the memory before the parser refused it.
    if (st.size > MAX_SOURCE_BYTES) return pathDiag('TooLarge', path, `\`${path}\` is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`, 'is this the right file?');
    return new SourceFile(path, readFileSync(fd, 'utf8'));
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'EISDIR') return pathDiag('IsADirectory', path, `\`${path}\` is a directory, not a .kfp file`, 'this command takes one .kfp file');
    return pathDiag('UnreadableSource', path, `cannot read \`${path}\`: ${reason(e)}`);
  } finally {
    closeSync(fd);
  }
}

export function isDiagnostic(x: SourceFile | Diagnostic): x is Diagnostic {
  return !(x instanceof SourceFile);
}

function realOrResolved(host: FileHost, path: string): string {
  try {
    return host.realPath(path);
  } catch {
    return path;
  }
}

/** A `.kfp` file found under the project root: its path as walked, and its real path. */
interface Found {
  readonly path: string;
  readonly real: string;
}

/** `dir` + `name`, for a `dir` that is absolute and normalised (path.join, which normalises again, is a tenth of a walk's cost). */
function child(dir: string, name: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

/**
 * The `*.kfp` files under `dir` (absolute, normalised; `real` is its real path) as the host
 * lists them, skipping `node_modules` and dot-names (as collectSources does). The host follows
 * symbolic links: a directory already walked (by its real path) is not walked again, so a link
 * to a parent cannot loop. The real path of an entry that is not a link is its directory's real
 * path and its name, so only links are resolved (a build walks the whole project: see importersOf).
 */
function kfpFilesUnder(host: FileHost, dir: string, real: string, out: Found[] = [], walked = new Set<string>(), realRoot = real): Found[] {
  if (walked.has(real)) return out;
  walked.add(real);
  const entries = host.listEntries ? host.listEntries(dir) : host.listDirectory(dir).map((name) => ({ name, kind: host.stat(child(dir, name)), link: true }));
  for (const { name, kind, link } of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (kind !== 'directory' && !(kind === 'file' && name.endsWith('.kfp'))) continue;
    const p = child(dir, name);
    const r = link ? realOrResolved(host, p) : child(real, name);
    // A link out of the project is outside it, as for imports: a `vendor -> /` link would walk the machine.
    if (link && !isInside(realRoot, r)) continue;
    if (kind === 'directory') kfpFilesUnder(host, p, r, out, walked, realRoot);
    else out.push({ path: p, real: r });
  }
  return out;
}

/**
 * The .kfp files of the project that import one of `paths`, directly or through other modules,
 * and are not among them. `build --check` and `check` add them: the pre-commit framework passes
 * only the files that changed, and when only a module changed, its importers' compiled output
 * (which holds the module's components) is what goes stale or breaks. The project is read
 * through `host`, as the compiler reads modules, so that an editor's unsaved buffers count too.
 */
export function importersOf(paths: readonly string[], root: string | undefined, host: FileHost = fsHost): string[] {
  // Command-line paths are relative to the working directory: resolved as if imported by a file there.
  const absolute = (p: string): string => host.resolveImport('./(command line)', p);
  const named = new Set(paths.map((p) => realOrResolved(host, absolute(p))));
  const roots = new Set(paths.map((p) => findProjectRoot(absolute(p), root === undefined ? undefined : absolute(root), (q) => host.exists(q))));
  /** Imported module (real path) → the files importing it. */
  const importedBy = new Map<string, Set<string>>();
  const shownAs = new Map<string, string>();
  for (const projectRoot of roots) {
    for (const { path: p, real } of kfpFilesUnder(host, projectRoot, realOrResolved(host, projectRoot))) {
      const loaded = host.readRegularFile(real, MAX_SOURCE_BYTES);
      // Most files import no module: they are not parsed at all.
      if (loaded.kind !== 'text' || !/\bimport\b[^\n]*\.kfp"/.test(loaded.text)) continue;
      shownAs.set(real, host.displayPath(p));
      const doc = parseSource(new SourceFile(p, loaded.text)).document;
      for (const imp of doc?.imports ?? []) {
        if (!imp.path.endsWith('.kfp')) continue;
        const target = realOrResolved(host, host.resolveImport(p, imp.path));
        if (!importedBy.has(target)) importedBy.set(target, new Set());
        importedBy.get(target)!.add(real);
      }
    }
  }
  const found = new Set<string>();
  const queue = [...named];
  while (queue.length > 0) {
    for (const importer of importedBy.get(queue.pop()!) ?? []) {
      if (named.has(importer) || found.has(importer)) continue;
      found.add(importer);
      queue.push(importer);
    }
  }
  return [...found].map((r) => shownAs.get(r) ?? r).sort();
}

/**
 * The sources under `paths`, read, plus a diagnostic for each path that could not be; with
 * `importers`, also the project's files that import them (see importersOf).
 */
export function loadSources(paths: readonly string[], importers?: { root: string | undefined }): { sources: SourceFile[]; diagnostics: Diagnostic[] } {
  const collected = collectSources(paths);
  if (importers && collected.paths.length > 0) collected.paths.push(...importersOf(collected.paths, importers.root));
  const sources: SourceFile[] = [];
  const diagnostics = [...collected.diagnostics];
  for (const p of collected.paths) {
    const s = loadSource(p, importers?.root);
    if (isDiagnostic(s)) diagnostics.push(s);
    else sources.push(s);
  }
  return { sources, diagnostics };
}

/** A source with no component and no pipeline (empty, or only comments): worth a warning, since nothing comes of it. */
export function nothingToCompile(source: SourceFile): Diagnostic {
  return diag('EmptySource', `nothing to compile in \`${source.path}\`: it declares no component and no pipeline`, {
    file: source,
    hint: 'add a `component` or a `pipeline`, or delete the file',
  });
}

/** `--root DIR` must name a directory: a typo there would silently change where outputs go. */
export function checkRootOption(root: string | undefined): Diagnostic | undefined {
  if (root === undefined) return undefined;
  try {
    if (statSync(root).isDirectory()) return undefined;
    return pathDiag('RootNotADirectory', root, `--root \`${root}\` is not a directory`, 'give the directory that holds your project');
  } catch {
    return pathDiag('RootNotADirectory', root, `--root: no such directory: \`${root}\``, 'check the spelling; relative paths start from the working directory');
  }
}

/**
 * Diagnostics of several sources, each reported once: a module imported by several of them is
 * checked with each, and its errors (at its own lines) would otherwise be printed once per importer.
 */
export function uniqueDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  // Same code, file, span and message: compared only among those of one file at one offset
  // (a string key per diagnostic was most of the cost of printing 100,000 of them).
  const seen = new Map<string, Map<number, Diagnostic[]>>();
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const path = d.file?.path ?? '';
    let at = seen.get(path);
    if (!at) seen.set(path, (at = new Map()));
    const start = d.span?.start ?? -1;
    const here = at.get(start);
    const end = d.span?.end ?? -1;
    if (here?.some((o) => o.code === d.code && (o.span?.end ?? -1) === end && o.message === d.message)) continue;
    if (here) here.push(d);
    else at.set(start, [d]);
    out.push(d);
  }
  return out;
}
