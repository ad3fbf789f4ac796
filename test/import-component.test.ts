/**
 * `kfpdsl import component.yaml`, through the real binary: every kfp v1 component.yaml in the
 * anchors becomes a `.kfp` component that builds without errors, is a fixed point of
 * `kfpdsl fmt`, and whose built component.yaml has the original's interface (inputs, outputs,
 * which are optional, defaults). kfp-generated Python components come back as a Python fence.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { identifier } from '../src/import/kfp-text.js';
import { haveShared, shared, sharedDir } from './support/argo-strict.js';
import { runCli } from './support/cli.js';

interface IO {
  name: string;
  optional?: boolean;
  default?: unknown;
}

const dirs = ['components', 'probes'].map((d) => join(sharedDir, 'anchors/kfp-v1', d));
const files = haveShared ? dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.component.yaml')).map((f) => join(d, f))).sort() : [];
// A graph component (a pipeline saved as a component) has no `.kfp` component form.
const GRAPH = 'retail_product_stockout_prediction_pipeline.component.yaml';

function importTo(file: string): { dir: string; kfp: string; stderr: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-importc-'));
  writeFileSync(join(dir, 'kfpdsl.yaml'), '');
  const r = runCli(['import', file, '-o', dir]);
  const name = readdirSync(dir).find((f) => f.endsWith('.kfp'));
  return { dir, kfp: name ? join(dir, name) : '', stderr: r.stderr, status: r.status };
}

describe.skipIf(shared.missing)(shared.title('kfpdsl import of the kfp v1 component.yaml anchors'), () => {
  it('finds the 18 anchors', () => {
    expect(files).toHaveLength(18);
  });

  it.each(files.filter((f) => !f.endsWith(GRAPH)).map((f) => [f.split('/').pop()!, f]))('%s: builds, is formatted, keeps its interface', (_name, file) => {
    const r = importTo(file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('KFP0301');
    expect(runCli(['fmt', '--check', r.kfp]).status).toBe(0);
    const built = runCli(['build', '--root', r.dir, r.kfp, '-o', join(r.dir, 'out')]);
    expect(built.status, built.stderr).toBe(0);
    const compDir = join(r.dir, 'out', r.kfp.split('/').pop()!.replace(/\.kfp$/, ''), 'components');
    const [yamlName] = readdirSync(compDir);
    const after = YAML.parse(readFileSync(join(compDir, yamlName!), 'utf8')) as { inputs?: IO[]; outputs?: IO[] };
    const before = YAML.parse(readFileSync(file, 'utf8')) as { inputs?: IO[]; outputs?: IO[] };
    const shape = (ios: IO[] | undefined) => (ios ?? []).map((io) => `${identifier(io.name)}${io.optional || io.default !== undefined ? '?' : ''}`).sort();
    expect(shape(after.inputs)).toEqual(shape(before.inputs));
    expect((after.outputs ?? []).map((o) => identifier(o.name)).sort()).toEqual((before.outputs ?? []).map((o) => identifier(o.name)).sort());
  });

  it('turns a kfp-generated Python component back into a typed Python fence', () => {
    const r = importTo(join(sharedDir, 'anchors/kfp-v1/probes/generated_types_demo.component.yaml'));
    const text = readFileSync(r.kfp, 'utf8');
    expect(text).toContain('component types_demo(i: int, f: float, s: str, b: bool, l: list, d: dict, opt_i: int = 5, opt_s: str = null, opt_b: bool = false, opt_l: list = null, untyped: str = null) -> (sum: int, text: str, flag: bool, items: list, mapping: dict, ratio: float)');
    expect(text).toContain('```python\n  return (i + 1, s, b, l, d, f)\n  ```');
    expect(text).not.toContain('argparse');
  });

  it('recovers pip packages and the base image', () => {
    const text = readFileSync(importTo(join(sharedDir, 'anchors/kfp-v1/probes/generated_with_packages.component.yaml')).kfp, 'utf8');
    expect(text).toContain('image: "python:3.7"');
    expect(text).toContain('packages: ["pandas==1.3.5", "numpy"]');
    expect(text).toMatch(/-> str \{/);
  });

  it('a graph component is a located KFP0301 warning and a comment; --strict exits 1', () => {
    const file = join(sharedDir, 'anchors/kfp-v1/components', GRAPH);
    const r = importTo(file);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`warning\\[KFP0301\\][^\\n]*graph component[\\s\\S]*${GRAPH}:\\d+:\\d+`));
    expect(readFileSync(r.kfp, 'utf8')).toContain('# kfpdsl import: not translated: a graph component');
    expect(runCli(['import', '--strict', file]).status).toBe(1);
  });
});

describe('kfpdsl import of bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-importbad-'));
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('KFP0302: YAML that does not parse, located, no stack trace, nothing written', () => {
    const r = runCli(['import', write('bad.yaml', 'name: x\nimplementation: {container: [\n'), '-o', join(dir, 'o1')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error\[KFP0302\][\s\S]*bad\.yaml:\d+:\d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('KFP0302: an alias bomb is refused', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    const r = runCli(['import', write('bomb.yaml', `${bomb}\n`)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KFP0302');
  });

  it('KFP0300: a KFP v2 spec and a plain mapping are not kfp v1', () => {
    const v2 = runCli(['import', write('v2.yaml', 'pipelineSpec: {pipelineInfo: {name: x}}\n')]);
    expect(v2.status).toBe(1);
    expect(v2.stderr).toMatch(/error\[KFP0300\][^\n]*KFP v2/);
    const other = runCli(['import', write('other.yaml', '- 1\n- 2\n')]);
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('KFP0300');
  });
});
