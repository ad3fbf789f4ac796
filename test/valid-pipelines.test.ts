/** Random valid pipelines (test/support/valid-pipelines.ts) compile, validate and run. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { runWorkflow } from '../src/run/executor.js';
import { SourceFile } from '../src/source.js';
import { haveShared, strictArgoErrors } from './support/argo-strict.js';
import { validPipeline } from './support/valid-pipelines.js';

function compile(seed: number): unknown {
  const text = validPipeline(seed);
  const r = compileSource(new SourceFile(`generated-${seed}.kfp`, text));
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`seed ${seed}:\n${text}\n${errors.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  return YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text);
}

describe('random valid pipelines', () => {
  it('200 compile without errors and pass the strict Argo validator', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const wf = compile(seed);
      if (haveShared) {
        const errors = strictArgoErrors(wf);
        if (errors.length > 0) throw new Error(`seed ${seed}:\n${validPipeline(seed)}\n${errors.join('\n')}`);
      }
    }
  });

  it.each([1, 2, 3, 4, 5, 6])('seed %i runs to success', async (seed) => {
    const result = await runWorkflow({ workflow: compile(seed), runDir: mkdtempSync(join(tmpdir(), 'kfpdsl-gen-')), parallelism: 4 });
    const failed = result.nodes.filter((n) => n.phase === 'Failed' || n.phase === 'Error').map((n) => `${n.displayName}: ${n.message ?? ''}`);
    expect(failed, validPipeline(seed)).toEqual([]);
    expect(result.phase).toBe('Succeeded');
  });
});
