/**
 * kfp v1's recursive graph component comes back from `kfpdsl import` as a `.kfp` pipeline that
 * calls itself under its `if`, and counts down the same way: the original under the test
 * suite's Argo executor (test/support/mini-runner.ts) and the import under `kfpdsl run` (the
 * real binary) run `dec` three levels deep with the same outputs. The ContainerOp output that
 * is compared by order and passed back as the `int` parameter is typed `int`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { repoRoot, runCli } from './support/cli.js';
import { runWorkflow } from './support/mini-runner.js';
import { runSync } from './support/run-cli.js';

const fixture = join(repoRoot, 'test/fixtures/import/countdown.yaml');

describe('kfpdsl import of a recursive graph component', () => {
  it('writes a pipeline that calls itself, which counts down as the original does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-rec-'));
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
    const imp = runCli(['import', fixture, '-o', dir]);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stderr).not.toContain('warning');
    const kfp = join(dir, 'countdown.kfp');
    const text = readFileSync(kfp, 'utf8');
    expect(text).toContain('  graph_down_1 = down_1(n: n)\n');
    expect(text).toContain('pipeline down_1 "graph-down-1" (n: int) {\n  dec = dec(n: n)\n  if dec > 0 {\n    graph_down_1 = down_1(n: dec)\n  }\n}');
    expect(text).toContain('component dec(n: int) -> (out: int) {');

    const original = runWorkflow(YAML.parse(readFileSync(fixture, 'utf8')), mkdtempSync(join(tmpdir(), 'kfpdsl-import-rec-orig-')));
    const before = original.tasks.map((t) => t.parameters['dec-out']).sort();
    expect(before).toEqual(['0', '1', '2']);

    const run = runSync(dir, [kfp, '--root', dir, '--quiet'], {}, dir);
    expect(run.status, run.stderr).toBe(0);
    const after = run.json!.tasks.filter((t) => t.name === 'dec' && t.phase === 'Succeeded').map((t) => t.outputs.parameters['dec-out']).sort();
    expect(after).toEqual(before);
  });
});
