/**
 * kfp's VolumeOp imports as `volume(…)` and its `pvolumes` as `mount` settings, and the result
 * behaves as kfp's: under `kfpdsl run` (volumes are shared directories) the three steps of
 * volumeop_sequential share the claim, so step3 reads the files step1 and step2 wrote.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shared, sharedDir } from './support/argo-strict.js';
import { runCli } from './support/cli.js';
import { runSync } from './support/run-cli.js';

describe.skipIf(shared.missing)(shared.title('imported volumes are shared between the tasks that mount them'), () => {
  it('volumeop_sequential: step3 prints what step1 wrote and step2 copied', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-vol-'));
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
    const imp = runCli(['import', join(sharedDir, 'anchors/kfp-v1/regenerated/volumeop_sequential.yaml'), '-o', dir]);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stderr).not.toContain('warning');
    const kfp = join(dir, 'volumeop_sequential.kfp');
    const text = readFileSync(kfp, 'utf8');
    expect(text).toContain('mypvc = volume("newpvc", size: "10Gi", mode: "ReadWriteMany")');
    expect(text).toContain('mount: { "/mnt": mypvc }');
    expect(text).not.toContain('mypvc_name');
    const run = runSync(dir, [kfp, '--root', dir, '--quiet'], {}, dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.json!.tasks.map((t) => `${t.name} ${t.phase}`).sort()).toEqual(['mypvc Succeeded', 'step1 Succeeded', 'step2 Succeeded', 'step3 Succeeded']);
    const step3 = run.json!.tasks.find((t) => t.name === 'step3')!;
    expect(readFileSync(step3.log!, 'utf8')).toBe('1\n1\n');
  });
});
