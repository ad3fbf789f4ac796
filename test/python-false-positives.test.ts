/**
 * The fence checks (KFP6001-KFP6005) must not report correct code. Measured on:
 * 1. every example and every test pipeline that is not an error fixture (the real compiler);
 * 2. the Python of kfp v1's own components and compiled pipelines in
 *    ../shared/anchors/kfp-v1 (component.yaml programs, golden and regenerated workflows,
 *    samples, probes): each top-level function, its body checked as a fence;
 * 3. the component functions of kfp v2's golden corpus, ../shared/anchors/kfp-v2/golden/*.py.
 * The Python of 2 and 3 is taken apart by python3 (test/support/python-functions.py).
 * Each part prints its counts; a probe (an undefined name added to every body) proves the
 * harness would see a report.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { fenceProblems, type FenceInterface } from '../src/check/python/problems.js';
import { LATEST_MINOR } from '../src/check/python/pyright.js';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { parseSource } from '../src/syntax/parse.js';
import { shared, sharedDir } from './support/argo-strict.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

function walk(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out;
}

interface ExtractedFunction {
  origin: string;
  name: string;
  params: string[];
  body: string;
  returns: number;
  globals: string[];
}

function extract(programs: { origin: string; source: string; kind: 'v1' | 'v2' }[]): ExtractedFunction[] | undefined {
  const r = spawnSync('python3', [join(root, 'test', 'support', 'python-functions.py')], { input: JSON.stringify({ programs }), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error || r.status !== 0) return undefined;
  return JSON.parse(r.stdout) as ExtractedFunction[];
}

function ifaceOf(f: ExtractedFunction): FenceInterface {
  const valueOutputs = Array.from({ length: f.returns }, (_, i) => ({ name: f.returns === 1 ? 'Output' : `out_${i}`, type: 'str' }));
  return { componentName: f.name, params: f.params, valueOutputs, programGlobals: f.globals, minor: LATEST_MINOR };
}

/** Counts by code, and the first few reports, for a failure message that shows what to look at. */
function tally(fns: ExtractedFunction[], probe = false): { counts: Record<string, number>; examples: string[] } {
  const counts: Record<string, number> = {};
  const examples: string[] = [];
  for (const f of fns) {
    const body = probe ? `${f.body}print(kfpdsl_probe_name)\n` : f.body;
    for (const p of fenceProblems(body, ifaceOf(f)).problems) {
      counts[p.code] = (counts[p.code] ?? 0) + 1;
      if (examples.length < 10) examples.push(`${f.origin} ${f.name}: ${p.code} ${p.message}`);
    }
  }
  return { counts, examples };
}

/** Strings in a YAML document that hold a Python program with a function. */
function pythonPrograms(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (/^(async )?def \w+\(|\n(async )?def \w+\(/.test(value)) out.push(value);
  } else if (Array.isArray(value)) value.forEach((v) => pythonPrograms(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => pythonPrograms(v, out));
  return out;
}

describe('Python fence checks: no false positives', () => {
  it('on every example and every test pipeline that is not an error fixture', () => {
    const files = [...walk(join(root, 'examples'), (p) => p.endsWith('.kfp')), ...walk(join(root, 'test', 'fixtures'), (p) => p.endsWith('.kfp') && !p.includes('/errors/'))];
    let fences = 0;
    const reports: string[] = [];
    for (const path of files) {
      const file = new SourceFile(path, readFileSync(path, 'utf8'));
      fences += parseSource(file).document?.components.filter((c) => c.code?.language === 'python').length ?? 0;
      for (const d of compileSource(file, { checkOnly: true }).diagnostics) if (d.code.startsWith('KFP6')) reports.push(`${path}: ${d.code} ${d.message}`);
    }
    console.log(`python fences, kfpdsl sources: ${files.length} files, ${fences} fences, ${reports.length} reports`);
    expect(fences).toBeGreaterThan(20);
    expect(reports).toEqual([]);
  });

  const v1 = join(sharedDir, 'anchors', 'kfp-v1');
  const v2 = join(sharedDir, 'anchors', 'kfp-v2', 'golden');

  it.skipIf(shared.missing)(shared.title('on the Python of kfp v1 components and compiled pipelines (../shared/anchors/kfp-v1)'), () => {
    const seen = new Set<string>();
    const programs: { origin: string; source: string; kind: 'v1' }[] = [];
    for (const path of walk(v1!, (p) => /\.ya?ml$/.test(p))) {
      for (const doc of YAML.parseAllDocuments(readFileSync(path, 'utf8'))) {
        for (const source of pythonPrograms(doc.toJS({ maxAliasCount: -1 }))) {
          if (seen.has(source)) continue;
          seen.add(source);
          programs.push({ origin: path.slice(v1!.length + 1), source, kind: 'v1' });
        }
      }
    }
    const fns = extract(programs);
    expect(fns, 'python3 could not take the programs apart').toBeDefined();
    const components = new Set(fns!.filter((f) => f.origin.startsWith('components/')).map((f) => f.origin));
    const { counts, examples } = tally(fns!);
    console.log(`python fences, kfp v1 anchors: ${programs.length} distinct programs (${components.size} component.yaml files with Python), ${fns!.length} functions (${fns!.filter((f) => f.returns > 0).length} returning values), reports: ${JSON.stringify(counts)}`);
    expect(fns!.length).toBeGreaterThan(20);
    expect(examples).toEqual([]);
    expect(tally(fns!, true).counts).toEqual({ UndefinedPythonName: fns!.length });
  });

  it.skipIf(shared.missing)(shared.title('on the component functions of kfp v2 golden pipelines (../shared/anchors/kfp-v2/golden)'), () => {
    const programs = walk(v2!, (p) => p.endsWith('.py')).map((path) => ({ origin: path.slice(v2!.length + 1), source: readFileSync(path, 'utf8'), kind: 'v2' as const }));
    const fns = extract(programs);
    expect(fns, 'python3 could not take the programs apart').toBeDefined();
    const { counts, examples } = tally(fns!);
    console.log(`python fences, kfp v2 golden: ${programs.length} modules, ${fns!.length} component functions (${fns!.filter((f) => f.returns > 0).length} returning values), reports: ${JSON.stringify(counts)}`);
    expect(fns!.length).toBeGreaterThan(20);
    expect(examples).toEqual([]);
    expect(tally(fns!, true).counts).toEqual({ UndefinedPythonName: fns!.length });
  });
});
