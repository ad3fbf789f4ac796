/**
 * kfp v1's data passing through a volume (`data_passing_method = KubernetesVolume`: subPath
 * mounts and `-subpath` parameters, no Argo artifacts) imports as plain file passing, with a
 * located KFP0301 warning and a comment, since `.kfp` passes files through the artifact store:
 * under `kfpdsl run` the consumer reads what the producer wrote, as it did through the volume.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './support/cli.js';
import { runSync } from './support/run-cli.js';

const fixture = join(repoRoot, 'test/fixtures/import/volume-data-passing.yaml');

describe('kfpdsl import of data passed through a volume', () => {
  it('passes the files as files, and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-vp-'));
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
    const imp = runCli(['import', fixture, '-o', dir, '--format', 'short']);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stderr).toContain('volume-data-passing.yaml:13:3: warning KFP0301: not translated: the files passed between tasks through the volume `data-volume`');
    expect(runCli(['import', fixture, '--strict', '--format', 'short']).status).toBe(1);
    const kfp = join(dir, 'volume-data-passing.kfp');
    const text = readFileSync(kfp, 'utf8');
    expect(text).toContain('  # kfpdsl import: not translated: the files passed between tasks through the volume `data-volume`');
    expect(text).toContain('  producer = producer()\n  consumer = consumer(text: producer)\n');
    expect(text).not.toContain('subpath');
    const run = runSync(dir, [kfp, '--root', dir, '--quiet'], {}, dir);
    expect(run.status, run.stderr).toBe(0);
    const consumer = run.json!.tasks.find((t) => t.name === 'consumer')!;
    expect(readFileSync(consumer.log!, 'utf8')).toBe('from the producer\n');
  });
});
