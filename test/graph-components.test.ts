/**
 * Imported graph components (kfp v1's `implementation.graph`, issue 15 item 3). A called one
 * becomes a DAG template of its own; its tasks' components are inline or imported beside it
 * (found by url, name or digest). The fixtures in test/fixtures/graph-import/ build for Argo,
 * pass the strict Argo rules and compute the right numbers under `kfpdsl run`; each graph in
 * errors/ is wrong in one way, pinned by `# ^^^ KFPxxxx` comments in its YAML (as the error
 * fixtures of test/fixtures/errors/ are).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { backendNamed } from '../src/backends/index.js';
import { compileSource } from '../src/compile.js';
import { renderAll } from '../src/diagnostics/render.js';
import { SourceFile } from '../src/source.js';
import { shared, strictArgoErrors } from './support/argo-strict.js';
import { ensureBundle, repoRoot } from './support/cli.js';
import { parsePlatformStrictly, parseSpecStrictly, sharedV2 } from './support/kfp-v2-strict.js';
import { runSync } from './support/run-cli.js';

type Obj = Record<string, unknown>;
const DIR = 'test/fixtures/graph-import';
const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-graph-import-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function compile(path: string, text = readFileSync(join(repoRoot, path), 'utf8'), target?: string) {
  return compileSource(new SourceFile(path, text), target ? { backend: backendNamed(target)! } : {});
}

function workflow(path: string): Obj {
  const r = compile(path);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const files = r.files.filter((f) => f.kind === 'workflow');
  expect(files).toHaveLength(1);
  return YAML.parse(files[0]!.text) as Obj;
}

const templates = (wf: Obj): Obj[] => (wf['spec'] as Obj)['templates'] as Obj[];
const dagTasks = (t: Obj): Obj[] => ((t['dag'] as Obj)['tasks'] as Obj[]);

describe('a called graph component is a DAG template', () => {
  it('graph.kfp: the graph runs its three tasks (one inline, two found by url and by name) in a template of its own', () => {
    const wf = workflow(`${DIR}/graph.kfp`);
    const graph = templates(wf).find((t) => t['name'] === 'graph-add-then-double')!;
    expect(graph).toBeDefined();
    expect(dagTasks(graph).map((t) => `${t['name']}:${t['template']}`)).toEqual(['add:add', 'add-2:add', 'add-then-double-greet:add-then-double-greet']);
    // Its inputs are the graph's (by the names a .kfp call writes), its outputs those outputValues binds.
    expect(((graph['inputs'] as Obj)['parameters'] as Obj[]).map((p) => p['name'])).toEqual(['first', 'second']);
    expect(((graph['outputs'] as Obj)['parameters'] as Obj[]).map((p) => p['name'])).toEqual(['doubled_result', 'message']);
    // The call passes the graph input's default (`second: '4'`) when the caller leaves it out.
    const call = dagTasks(templates(wf).find((t) => t['name'] === 'graph-import')!).find((t) => t['name'] === 'g')!;
    expect(call['template']).toBe('graph-add-then-double');
    expect(((call['arguments'] as Obj)['parameters'] as Obj[])).toEqual([{ name: 'first', value: '{{workflow.parameters.x}}' }, { name: 'second', value: '4' }]);
  });

  it.skipIf(shared.missing)('graph.kfp, twice.kfp, loop.kfp, module.kfp and clash.kfp pass the strict Argo rules', () => {
    for (const f of ['graph.kfp', 'twice.kfp', 'loop.kfp', 'module.kfp', 'clash.kfp']) expect(strictArgoErrors(workflow(`${DIR}/${f}`))).toEqual([]);
  });

  it('twice.kfp: a graph whose task is another graph (found by name) is a template calling that template; a child found by digest keeps its retry', () => {
    const wf = workflow(`${DIR}/twice.kfp`);
    const twice = templates(wf).find((t) => t['name'] === 'graph-twice')!;
    // Task names come from the components (as kfp names ops), in kfp's order (by name).
    expect(dagTasks(twice).map((t) => `${t['name']}:${t['template']}`)).toEqual(['add:add-2', 'add-then-double:graph-add-then-double']);
    // The digest's `add` retries (executionOptions), the url's does not: two templates.
    const adds = templates(wf).filter((t) => t['name'] === 'add' || t['name'] === 'add-2');
    expect(adds.map((t) => [t['name'], t['retryStrategy']])).toEqual([['add', undefined], ['add-2', { limit: 2 }]]);
  });

  it('loop.kfp: called in a loop and under an `if`, the graph is still one DAG template', () => {
    const wf = workflow(`${DIR}/loop.kfp`);
    expect(templates(wf).filter((t) => String(t['name']).startsWith('graph-')).map((t) => t['name'])).toEqual(['graph-add-then-double']);
    const calls = templates(wf).flatMap((t) => (t['dag'] ? dagTasks(t) : [])).filter((t) => t['template'] === 'graph-add-then-double');
    expect(calls).toHaveLength(2);
  });

  it('module.kfp: a .kfp module\'s pipeline calls a graph component the module imports; the program calls that pipeline', () => {
    const wf = workflow(`${DIR}/module.kfp`);
    expect(templates(wf).filter((t) => String(t['name']).startsWith('graph-')).map((t) => t['name']).sort()).toEqual(['graph-add-then-double', 'graph-doubled']);
  });

  it('clash.kfp: a graph component and a module\'s pipeline of the same name get a DAG template each', () => {
    const wf = workflow(`${DIR}/clash.kfp`);
    expect(templates(wf).filter((t) => String(t['name']).startsWith('graph-')).map((t) => t['name']).sort()).toEqual(['graph-add-then-double', 'graph-doubled', 'graph-lib-doubled']);
  });

  it('compiles the same twice, byte for byte', () => {
    const text = (p: string) => compile(p).files.map((f) => `${f.path}\n${f.text}`).join('\n');
    for (const f of ['graph.kfp', 'twice.kfp', 'loop.kfp', 'module.kfp', 'clash.kfp']) expect(text(`${DIR}/${f}`)).toBe(text(`${DIR}/${f}`));
  });

  it('--target kfp-v2: each called graph is a sub-DAG component, and the spec parses strictly', () => {
    for (const f of ['graph.kfp', 'twice.kfp', 'loop.kfp', 'module.kfp', 'clash.kfp']) {
      const r = compile(`${DIR}/${f}`, undefined, 'kfp-v2');
      expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), f).toEqual([]);
      expect(r.files.length, f).toBeGreaterThan(0);
      for (const file of r.files) {
        const docs = YAML.parseAllDocuments(file.text).map((d) => d.toJS() as Obj);
        const components = docs[0]!['components'] as Record<string, Obj>;
        // A graph becomes a component with a `dag` of its own, called from the root's DAG.
        expect(Object.values(components).some((c) => 'dag' in c), f).toBe(true);
        if (!sharedV2.missing) {
          parseSpecStrictly(docs[0]);
          if (docs[1]) parsePlatformStrictly(docs[1]);
        }
      }
    }
  });
});

describe('`kfpdsl run` executes a graph component', () => {
  beforeAll(() => ensureBundle());

  const logs = (r: ReturnType<typeof runSync>) => r.json!.tasks.filter((t) => t.log !== null).map((t) => readFileSync(t.log!, 'utf8').trim()).sort();

  it('graph.kfp: (3 + 4) * 2 = 14, and the inline task greets with it', () => {
    const r = runSync(scratch, [join(repoRoot, DIR, 'graph.kfp'), '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json!.phase).toBe('Succeeded');
    expect(logs(r)).toEqual(['3 + 4 = 7', '7 + 7 = 14', 'hello 14', 'result 14: hello 14']);
  });

  it('graph.kfp with --arg x=10: (10 + 4) * 2 = 28', () => {
    const r = runSync(scratch, [join(repoRoot, DIR, 'graph.kfp'), '--quiet', '--arg', 'x=10']);
    expect(r.status, r.stderr).toBe(0);
    expect(logs(r)).toContain('result 28: hello 28');
  });

  it('loop.kfp: (1 + 10) * 2 and (2 + 10) * 2 in the loop, (100 + 4) * 2 under the `if`', () => {
    const r = runSync(scratch, [join(repoRoot, DIR, 'loop.kfp'), '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(logs(r).filter((l) => l.startsWith('got'))).toEqual(['got 208', 'got 22', 'got 24']);
  });

  it('module.kfp: through a module, (5 + 0) * 2 = 10', () => {
    const r = runSync(scratch, [join(repoRoot, DIR, 'module.kfp'), '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(logs(r)).toContain('module: 10');
  });

  it('clash.kfp: the graph (1 + 4) * 2 = 10 and the module\'s pipeline (2 + 0) * 2 = 4 stay apart', () => {
    const r = runSync(scratch, [join(repoRoot, DIR, 'clash.kfp'), '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(logs(r).filter((l) => l.startsWith('clash'))).toEqual(['clash: 10', 'clash: 4']);
  });

  it('twice.kfp: a graph of graphs, (1 + 4) * 2 + 1 = 11', () => {
    const r = runSync(scratch, [join(repoRoot, DIR, 'twice.kfp'), '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(logs(r)).toEqual(['1 + 4 = 5', '10 + 1 = 11', '5 + 5 = 10', 'hello 10', 'twice: 11']);
  });
});

/** `# ^^^ KFPxxxx` lines of a YAML file: `CODE line:column width N` of the line above each. */
function annotations(text: string): string[] {
  const out: string[] = [];
  let target = 0;
  text.split('\n').forEach((line, i) => {
    const m = /^\s*#(\s*)(\^+)\s+(KFP\d{4})\s*$/.exec(line);
    if (!m) {
      target = i + 1;
      return;
    }
    out.push(`${m[3]} ${target}:${line.indexOf('^') + 1} width ${m[2]!.length}`);
  });
  return out.sort();
}

describe('a wrong graph is reported at its line of the YAML', () => {
  const errorsDir = `${DIR}/errors`;
  const graphs = readdirSync(join(repoRoot, errorsDir)).filter((f) => f.endsWith('.component.yaml')).sort();

  it.each(graphs)('%s', (name) => {
    const yamlPath = `${errorsDir}/${name}`;
    const source = `import "../add.component.yaml" as add\nimport "${name}" as g\n\npipeline "p" () {\n  g(first: 1)\n}\n`;
    const r = compile(`${errorsDir}/check.kfp`, source);
    expect(r.files).toEqual([]);
    const actual = r.diagnostics.map((d) => {
      expect(d.file!.path).toBe(yamlPath);
      const start = d.file!.positionAt(d.span!.start);
      const end = d.file!.positionAt(d.span!.end);
      return `${d.code} ${start.line}:${start.column} width ${end.line === start.line ? Math.max(1, end.column - start.column) : 1}`;
    });
    expect(actual.sort()).toEqual(annotations(readFileSync(join(repoRoot, yamlPath), 'utf8')));
    // Rendered as any diagnostic is: located, with a caret snippet and the import that brought the file in.
    const text = renderAll(r.diagnostics, 'pretty');
    expect(text).toContain(`--> ${yamlPath}:`);
    expect(text).toContain('imported here');
    expect(text).not.toMatch(/internal compiler error|\n\s+at /);
  });

  it('a graph that is imported but never called is not resolved (kfp loads graphs with URL children too)', () => {
    const r = compile(`${errorsDir}/check.kfp`, 'import "unknown-child.component.yaml" as g\n');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('an optional graph input without a default must be passed: a DAG template parameter needs a value', () => {
    const source = 'import "add.component.yaml" as add\nimport "optional-input.component.yaml" as opt\n\npipeline "p" () {\n  opt(1)\n}\n';
    const r = compile(`${DIR}/check.kfp`, source);
    expect(r.diagnostics.map((d) => `${d.code} ${d.file!.path}:${d.file!.positionAt(d.span!.start).line}`)).toEqual([`KFP3002 ${DIR}/check.kfp:5`]);
    const passed = compile(`${DIR}/check.kfp`, source.replace('opt(1)', 'opt(1, extra: 2)'));
    expect(passed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('a graph that includes itself is a cycle, reported at the task that does', () => {
    const r = compile(`${errorsDir}/check.kfp`, 'import "../self.component.yaml" as self\n\npipeline "p" () {\n  self()\n}\n');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['KFP3004']);
    expect(r.diagnostics[0]!.message).toMatch(/includes itself/);
  });
});
