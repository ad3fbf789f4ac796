/**
 * `--target argo`: plain Argo Workflows. Every example (and every anchor pipeline) compiles,
 * passes the strict Argo validator, and carries nothing only Kubeflow reads
 * (`pipelines.kubeflow.org/*`, `mlpipeline-*` artifacts, component.yaml files); the CLI
 * takes `--target` in build, check and run; and a few pipelines run to success under the
 * real `kfpdsl run --target argo`: if/elif/else, a loop with parallelism, files between
 * tasks, metrics.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { argoBackend } from '../src/backends/argo.js';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { shared, strictArgoErrors } from './support/argo-strict.js';
import { HANG_CAP_MS } from './support/caps.js';
import { ensureBundle, listFiles, repoRoot, runCli } from './support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'kfpdsl-target-argo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function kfpFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? kfpFiles(join(dir, e.name)) : e.name.endsWith('.kfp') ? [join(dir, e.name)] : []));
}

// The examples and the .kfp twins of kfp's own test pipelines (the anchors).
const sources = [...kfpFiles(join(repoRoot, 'examples')), ...kfpFiles(join(repoRoot, 'test', 'fixtures', 'anchors'))].map((f) => relative(repoRoot, f)).sort();

describe('--target argo compiles every example to plain Argo', () => {
  it('finds the examples', () => {
    expect(sources.filter((s) => s.startsWith('examples/')).length).toBeGreaterThanOrEqual(7);
  });

  it.each(sources)('%s', (path) => {
    const result = compileSource(new SourceFile(path, readFileSync(join(repoRoot, path), 'utf8')), { backend: argoBackend });
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
    // component.yaml is a KFP artifact: plain Argo gets workflows only.
    expect(result.files.map((f) => f.kind)).toEqual(result.program!.pipelines.map(() => 'workflow'));
    for (const f of result.files) {
      expect(f.text).not.toContain('pipelines.kubeflow.org');
      expect(f.text).not.toContain('mlpipeline-');
      expect(f.text).not.toContain('pipeline-runner');
      const wf = parse(f.text) as { metadata: { annotations: object }; spec: { templates: unknown[] } };
      expect(wf.metadata.annotations).toEqual({});
      if (!shared.missing) expect(strictArgoErrors(wf)).toEqual([]);
    }
  });

  it.skipIf(shared.missing)(shared.title('the strict validator is really applied (a kfp-only field fails it)'), () => {
    const result = compileSource(new SourceFile('examples/add.kfp', readFileSync(join(repoRoot, 'examples/add.kfp'), 'utf8')), { backend: argoBackend });
    const wf = parse(result.files[0]!.text) as { spec: Record<string, unknown> };
    wf.spec['unknownField'] = 1;
    expect(strictArgoErrors(wf)).not.toEqual([]);
  });

  it('metrics are an artifact named after their output, not mlpipeline-metrics', () => {
    const result = compileSource(new SourceFile('examples/export_metrics.kfp', readFileSync(join(repoRoot, 'examples/export_metrics.kfp'), 'utf8')), { backend: argoBackend });
    const wf = parse(result.files[0]!.text) as { spec: { templates: { name: string; outputs?: { artifacts?: { name: string }[] } }[] } };
    const names = wf.spec.templates.flatMap((t) => (t.outputs?.artifacts ?? []).map((a) => a.name));
    expect(names).toContain('export-metric-mlpipeline_metrics');
  });

  it('two metrics outputs of one component stay two artifacts (kfp-v1 refuses them: KFP5007)', () => {
    const text = 'component evaluate() -> (train: metrics, test: metrics) {\n  ```python\n  return ({"a": 1}, {"a": 2})\n  ```\n}\n\npipeline "p" () {\n  evaluate()\n}\n';
    const result = compileSource(new SourceFile('two-metrics.kfp', text), { backend: argoBackend });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const wf = parse(result.files[0]!.text) as { spec: { templates: { name: string; outputs?: { artifacts?: { name: string }[] } }[] } };
    const names = wf.spec.templates.flatMap((t) => (t.outputs?.artifacts ?? []).map((a) => a.name));
    expect(names).toEqual(expect.arrayContaining(['evaluate-train', 'evaluate-test']));
    expect(compileSource(new SourceFile('two-metrics.kfp', text)).diagnostics.map((d) => d.code)).toContain('KFP5007');
  });

  it('the kfp-v1 target of the same source keeps its kfp annotations (the flavour is per target)', () => {
    const result = compileSource(new SourceFile('examples/export_metrics.kfp', readFileSync(join(repoRoot, 'examples/export_metrics.kfp'), 'utf8')));
    const wf = result.files.find((f) => f.kind === 'workflow')!.text;
    expect(wf).toContain('pipelines.kubeflow.org/pipeline_spec');
    expect(wf).toContain('mlpipeline-metrics');
  });
});

describe('--target on the command line', () => {
  it('an unknown target is a usage error listing the targets', () => {
    for (const cmd of [['build', 'examples/add.kfp', '-o', join(root, 'x')], ['check', 'examples/add.kfp'], ['run', 'examples/add.kfp']]) {
      const r = runCli([...cmd, '--target', 'kfp-v3']);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain('kfp-v1');
      expect(r.stderr).toContain('argo');
      expect(r.stderr).toContain('kfp-v3');
    }
    expect(existsSync(join(root, 'x'))).toBe(false);
  });

  it('build --target argo writes workflows only and records the target; --check sees a switch of target', () => {
    const out = join(root, 'build');
    const built = runCli(['build', 'examples/add.kfp', '-o', out, '--target', 'argo']);
    expect(built.status, built.stderr).toBe(0);
    expect(listFiles(out)).toEqual(['examples/add/.kfpdsl-manifest', 'examples/add/add-example.yaml']);
    expect(readFileSync(join(out, 'examples/add/.kfpdsl-manifest'), 'utf8')).toContain('\ntarget argo\n');
    expect(runCli(['build', 'examples/add.kfp', '-o', out, '--target', 'argo', '--check']).status).toBe(0);
    const stale = runCli(['build', 'examples/add.kfp', '-o', out, '--check']);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('components/add.yaml is missing');
    // The default target is kfp-v1 and writes no `target` line: today's manifests are unchanged.
    expect(runCli(['build', 'examples/add.kfp', '-o', out]).status).toBe(0);
    expect(readFileSync(join(out, 'examples/add/.kfpdsl-manifest'), 'utf8')).not.toContain('target');
  });

  it('check --target argo checks', () => {
    const r = runCli(['check', 'examples/add.kfp', '--target', 'argo']);
    expect(r.status, r.stderr).toBe(0);
  });
});

interface RunJson {
  phase: string;
  tasks: { name: string; phase: string; outputs: { parameters: Record<string, string>; artifacts: Record<string, string> }; log: string | null }[];
}

/** `kfpdsl run --target argo`, for real, with this machine's sh and python3. */
function runArgo(path: string, args: readonly string[] = []): { status: number | null; stderr: string; json?: RunJson; workflow?: string } {
  ensureBundle();
  const parent = mkdtempSync(join(root, 'runs-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NO_COLOR' && !k.startsWith('KFPDSL_')) env[k] = v;
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kfpdsl.mjs'), 'run', path, '--target', 'argo', '--run-dir', parent, '--format', 'short', ...args], {
    cwd: repoRoot, env, encoding: 'utf8', timeout: HANG_CAP_MS,
  });
  if (r.error) throw r.error;
  const dirs = existsSync(parent) ? readdirSync(parent).filter((d) => d !== '.gitignore') : [];
  const dir = dirs[0] !== undefined ? join(parent, dirs[0]) : undefined;
  return {
    status: r.status,
    stderr: r.stderr,
    ...(dir && existsSync(join(dir, 'run.json')) ? { json: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunJson } : {}),
    ...(dir && existsSync(join(dir, 'workflow.yaml')) ? { workflow: readFileSync(join(dir, 'workflow.yaml'), 'utf8') } : {}),
  };
}

function source(name: string, text: string): string {
  const dir = mkdtempSync(join(root, 'src-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

const phases = (j: RunJson | undefined): string[] => (j?.tasks ?? []).map((t) => `${t.name}=${t.phase}`).sort();

describe('kfpdsl run --target argo', () => {
  it('if / elif / else: exactly the arm whose condition holds runs', () => {
    const path = source('branches.kfp', `component say(text: str) {
  \`\`\`python
  print(text)
  \`\`\`
}

pipeline "branches" (n: int = 5) {
  if n < 3 {
    say("small")
  } elif n < 10 {
    say("medium")
  } else {
    say("large")
  }
}
`);
    for (const [n, ran] of [['1', 'say'], ['5', 'say-2'], ['50', 'say-3']] as const) {
      const r = runArgo(path, ['--arg', `n=${n}`]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.json!.phase).toBe('Succeeded');
      expect(r.workflow).not.toContain('pipelines.kubeflow.org');
      const succeeded = r.json!.tasks.filter((t) => t.phase === 'Succeeded').map((t) => t.name);
      expect(succeeded, phases(r.json).join(', ')).toEqual([ran]);
    }
  });

  it('a loop with parallelism runs every iteration', () => {
    const r = runArgo('examples/parallel.kfp');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json!.phase).toBe('Succeeded');
    expect(r.workflow).toMatch(/parallelism: 4/);
    expect(r.json!.tasks.filter((t) => t.phase === 'Succeeded').length).toBeGreaterThanOrEqual(4);
  });

  it('files travel between tasks', () => {
    const r = runArgo('examples/data_passing_file.kfp');
    expect(r.status, r.stderr).toBe(0);
    const reader = r.json!.tasks.find((t) => t.name === 'read-file-and-multiply')!;
    expect(reader.phase).toBe('Succeeded');
    expect(Object.values(reader.outputs.parameters).concat(Object.values(reader.outputs.artifacts).map((p) => readFileSync(p, 'utf8'))).join(' ')).toContain('3000');
  });

  it('metrics are written to an ordinary artifact', () => {
    const r = runArgo('examples/export_metrics.kfp');
    expect(r.status, r.stderr).toBe(0);
    const t = r.json!.tasks.find((x) => x.name === 'export-metric')!;
    expect(t.phase).toBe('Succeeded');
    const artifact = t.outputs.artifacts['export-metric-mlpipeline_metrics'];
    expect(artifact, JSON.stringify(t.outputs)).toBeDefined();
    expect(JSON.parse(readFileSync(artifact!, 'utf8'))).toEqual({ metrics: expect.any(Array) });
  });
});
