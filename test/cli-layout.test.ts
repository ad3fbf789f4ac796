/** Where `kfpdsl build` writes: straight into -o for one source, a subdirectory per file for several. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle, listFiles, runCli } from './support/cli.js';

beforeAll(() => ensureBundle());

describe('build output layout', () => {
  it('writes one subdirectory per source when several are built into -o (the examples share component names)', () => {
    const out = mkdtempSync(join(tmpdir(), 'kfpdsl-layout-'));
    const r = runCli(['build', 'examples', '-o', out]);
    expect(r.status).toBe(0);
    const files = listFiles(out);
    expect(files).toContain('add/add-example.yaml');
    expect(files).toContain('add/components/add.yaml');
    expect(files).toContain('parallel/components/add.yaml');
    expect(files).toContain('reuse/components/word_count.yaml');
    expect(files.every((f) => /^[a-z_]+\//.test(f))).toBe(true);
  });
});
