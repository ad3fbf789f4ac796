/**
 * The language server says what `kfpdsl check` says: every .kfp file of examples/ and
 * test/fixtures/ (but the modules others import, see `imported`) is opened in the real `kfpdsl lsp`, one at a time, and the diagnostics it
 * publishes (the file's own, and those of the modules it imports, published at the modules)
 * are compared with `kfpdsl check --format json` on the same file: code, severity, place,
 * message and hint. Both passes of the server are held to it: the first, fast one (which
 * skips the lowering) must already agree except for the diagnostics only the lowering gives
 * (the backends' own checks: size limits, KFP v1's one metrics artifact), and the full one
 * that follows a program without them must agree entirely.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Codes, type CodeName } from '../src/diagnostics/catalog.js';
import { ensureBundle, listFiles, repoRoot } from './support/cli.js';
import { fileUri, LspClient, type LspDiagnostic } from './support/lsp-client.js';

interface CheckDiagnostic {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  hint?: string;
  file: string;
  /** Absent for a diagnostic about the whole file (the server puts it at the file's start). */
  start?: { line: number; column: number };
  end?: { line: number; column: number };
}

const under = (dir: string): string[] => listFiles(dir).map((f) => join(dir, f));
const files = [...under(join(repoRoot, 'examples')), ...under(join(repoRoot, 'test', 'fixtures'))].filter((f) => f.endsWith('.kfp')).sort();
/** The codes only the lowering reports (found in src/lower and src/backends): the fast pass does not have them. */
const LOWERING_ONLY = new Set(
  ['lower', 'backends'].flatMap((d) => listFiles(join(repoRoot, 'src', d)).map((f) => readFileSync(join(repoRoot, 'src', d, f), 'utf8')))
    .flatMap((text) => [...text.matchAll(/\bdiag\('(\w+)'/g)].map((m) => Codes[m[1] as CodeName].code)),
);

function runCheck(paths: readonly string[]): Promise<CheckDiagnostic[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, 'bin', 'kfpdsl'), ['check', '--format', 'json', '--max-errors', '0', ...paths], { cwd: repoRoot });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8') || '[]') as CheckDiagnostic[]);
      } catch (e) {
        reject(new Error(`check: ${String(e)}`));
      }
    });
  });
}

/**
 * Paths in messages are shown relative to the working directory, which `check` has (the
 * repository here) and a language server has not (it shows them absolute): both are written
 * relative to the repository.
 */
const paths = (m: string): string => m.split(`\`${repoRoot}\``).join('`.`').split(`${repoRoot}/`).join('');
/** One line per diagnostic, in the same words for both sides (lines and columns 1-based). */
const fromCheck = (d: CheckDiagnostic): string =>
  `${d.code} ${d.severity} ${d.start?.line ?? 1}:${d.start?.column ?? 1}-${d.end?.line ?? 1}:${d.end?.column ?? 1} ${paths(d.message)}${d.hint ? `\nhint: ${paths(d.hint)}` : ''}`;
const fromLsp = (d: LspDiagnostic): string =>
  `${d.code} ${d.severity === 1 ? 'error' : 'warning'} ${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${paths(d.message)}`;

/** The .kfp modules a file imports directly. */
const importsOf = new Map(files.map((f) => [f, [...readFileSync(f, 'utf8').matchAll(/^import\s+"([^"]+\.kfp)"/gm)].map((m) => join(dirname(f), m[1]!))]));
/**
 * The files another .kfp file of the repository imports. `kfpdsl check MODULE` checks the
 * module's importers too (a change to it can break them), which a language server does only
 * for open importers: these are compared through their importers instead. The others have
 * no importers, so one `check` of them all says for each what its own compile says.
 */
const imported = new Set([...importsOf.values()].flat());
/**
 * The component.yaml files a file imports directly: an imported graph component's errors are
 * reported at its lines, so a file whose imported YAML has errors gets no full pass either.
 */
const yamlImportsOf = new Map(files.map((f) => [f, [...readFileSync(f, 'utf8').matchAll(/^import\s+"([^"]+)"\s+as\s/gm)].filter((m) => !m[1]!.endsWith('.kfp')).map((m) => join(dirname(f), m[1]!))]));
const compared = files.filter((f) => !imported.has(f));

/** A file's modules, at any depth. */
function modulesOf(file: string): Set<string> {
  const out = new Set<string>();
  const stack = [...(importsOf.get(file) ?? [])];
  while (stack.length > 0) {
    const m = stack.pop()!;
    if (out.has(m)) continue;
    out.add(m);
    stack.push(...(importsOf.get(m) ?? []));
  }
  return out;
}

/** A wait that fails, naming what it waited for, instead of hanging the test. */
async function within<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from the server: ${what}`)), 30_000)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

let expected = new Map<string, string[]>();
/** Whether a file's check (its modules' included) has errors besides the lowering's. */
const checkErrors = new Set<string>();
let lsp: LspClient;

beforeAll(async () => {
  ensureBundle();
  const all = await runCheck(compared);
  expected = byFile(all);
  for (const d of all) if (d.severity === 'error' && !LOWERING_ONLY.has(d.code)) checkErrors.add(isAbsolute(d.file) ? d.file : join(repoRoot, d.file));
  lsp = await LspClient.start();
}, 300_000);

afterAll(async () => {
  await lsp?.stop();
});

const byFile = (ds: CheckDiagnostic[]): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const d of ds) {
    // `check` names a file as it was given: here by its absolute path.
    const path = isAbsolute(d.file) ? d.file : join(repoRoot, d.file);
    if (!out.has(path)) out.set(path, []);
    out.get(path)!.push(fromCheck(d));
  }
  return out;
};

describe('kfpdsl lsp agrees with kfpdsl check', () => {
  it(`on each .kfp file of examples/ and test/fixtures/ (${files.length}; those that others import, through their importers)`, async () => {
    // Internal is reported wherever a phase fails; the rest are the backends' own checks.
    expect([...LOWERING_ONLY].filter((c) => c !== 'KFP9001').sort()).toEqual(expect.arrayContaining(['KFP5002', 'KFP5003', 'KFP5004']));
    const disagreements: string[] = [];
    expect(compared.length).toBeGreaterThan(100);
    /** What the server showed at each module, over all its importers. */
    const atModules = new Map<string, Set<string>>();
    for (const file of compared) {
      const own = expected.get(file) ?? [];
      const modules = modulesOf(file);
      // A program without errors gets a second, full pass (the lowering) after the first.
      const full = ![file, ...modules, ...(yamlImportsOf.get(file) ?? [])].some((f) => checkErrors.has(f));
      const uri = fileUri(file);
      const mark = lsp.mark();
      lsp.open(uri, readFileSync(file, 'utf8'));
      const name = relative(repoRoot, file);
      const first = await within(`${name}: diagnostics`, lsp.diagnostics(uri, 1, () => true, mark));
      const next = lsp.publishedSince(mark).findIndex((p) => p.uri === uri) + mark + 1;
      const last = full ? await within(`${name}: the full pass's diagnostics`, lsp.diagnostics(uri, 1, () => true, next)) : first;
      // Every notification sent before this answer has arrived (JSON-RPC keeps the order).
      await lsp.request('textDocument/documentSymbol', { textDocument: { uri } });
      const fastWant = own.filter((l) => !LOWERING_ONLY.has(l.slice(0, 7)));
      const got = (ds: LspDiagnostic[]) => ds.map(fromLsp).sort();
      if (JSON.stringify(got(first)) !== JSON.stringify([...fastWant].sort())) disagreements.push(`${name} (fast pass):\n  lsp:   ${JSON.stringify(got(first))}\n  check: ${JSON.stringify(fastWant)}`);
      if (JSON.stringify(got(last)) !== JSON.stringify([...own].sort())) disagreements.push(`${name}:\n  lsp:   ${JSON.stringify(got(last))}\n  check: ${JSON.stringify(own)}`);
      // The imported modules' diagnostics, published at the modules.
      const since = lsp.publishedSince(mark);
      const shown: string[] = [];
      for (const p of since) if (p.uri !== uri && p.diagnostics.length > 0 && !shown.includes(p.uri)) shown.push(p.uri);
      for (const m of modules) {
        const latest = [...since].reverse().find((p) => p.uri === fileUri(m));
        if (!atModules.has(m)) atModules.set(m, new Set());
        for (const l of got(latest?.diagnostics ?? [])) atModules.get(m)!.add(l);
      }
      const closeMark = lsp.mark();
      lsp.close(uri);
      // Closing clears what the modules showed: waited for, so that the next file starts clean.
      for (const m of shown) await within(`${name}: ${m} cleared on close`, lsp.diagnostics(m, 0, (ds) => ds.length === 0, closeMark));
    }
    for (const [m, lines] of atModules) {
      const want = [...new Set(expected.get(m) ?? [])].sort();
      if (JSON.stringify([...lines].sort()) !== JSON.stringify(want)) disagreements.push(`module ${relative(repoRoot, m)}:\n  lsp:   ${JSON.stringify([...lines].sort())}\n  check: ${JSON.stringify(want)}`);
    }
    expect(atModules.size).toBeGreaterThan(3);
    expect(disagreements).toEqual([]);
  }, 600_000);
});
