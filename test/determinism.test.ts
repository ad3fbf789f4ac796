/**
 * Byte-deterministic output, which `build --check` relies on: the same bytes whatever the
 * time zone, the locale and the order the sources are named in.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle, listFiles, runCli } from './support/cli.js';

beforeAll(() => ensureBundle());

function buildTree(args: string[], env: Record<string, string>): Map<string, string> {
  const out = mkdtempSync(join(tmpdir(), 'kfpdsl-det-'));
  const r = runCli(['build', ...args, '-o', out], { env });
  expect(r.status).toBe(0);
  return new Map(listFiles(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
}

describe('deterministic output', () => {
  it('is the same across time zones, locales and input order', () => {
    const sources = ['examples/add.kfp', 'examples/parallel.kfp', 'examples/reuse.kfp'];
    const a = buildTree(sources, { TZ: 'UTC', LANG: 'C', LC_ALL: 'C' });
    const b = buildTree([...sources].reverse(), { TZ: 'Asia/Seoul', LANG: 'ko_KR.UTF-8', LC_ALL: 'ko_KR.UTF-8' });
    const c = buildTree(sources, { TZ: 'America/Los_Angeles', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' });
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect(a.size).toBeGreaterThan(10);
    for (const [k, v] of a) {
      expect(b.get(k)).toBe(v);
      expect(c.get(k)).toBe(v);
    }
  });

  it('reports diagnostics in the same order whatever the locale', () => {
    const args = ['check', 'test/fixtures/errors/KFP1101-syntax-error.kfp', 'test/fixtures/errors/KFP2001-unknown-component.kfp', '--format', 'short'];
    const a = runCli(args, { env: { LANG: 'C', LC_ALL: 'C' } });
    const b = runCli([...args.slice(0, 1), ...args.slice(1, 3).reverse(), ...args.slice(3)], { env: { LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' } });
    expect(a.stderr).not.toBe('');
    expect(b.stderr).toBe(a.stderr);
  });
});
