/** The diagnostic catalog: codes and slugs are unique, and every code is proven by a test. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../src/compile.js';
import { allDefs } from '../src/diagnostics/catalog.js';
import { MAX_SOURCE_BYTES } from '../src/syntax/parse.js';
import { SourceFile } from '../src/source.js';

const fixtures = readdirSync(new URL('./fixtures/errors/', import.meta.url)).filter((f) => f.endsWith('.kfp'));

/** Codes whose trigger is too large for a fixture file, with the test that proves them instead. */
const PROVEN_ELSEWHERE: Record<string, string> = {
  KFP0101: 'test/run-args.test.ts (command-line values of kfpdsl run)',
  KFP0102: 'test/run-args.test.ts',
  KFP0103: 'test/run-args.test.ts',
  KFP0104: 'test/run-args.test.ts',
  KFP0105: 'test/run-args.test.ts',
  KFP0110: 'test/run-venv.test.ts',
  KFP0111: 'test/run-venv.test.ts',
  KFP0112: 'test/run-v2.test.ts (a v2 pipeline spec the local run cannot carry out)',
  KFP0200: 'test/cluster-errors.test.ts (the CLI against a loopback contract server)',
  KFP0201: 'test/cluster-errors.test.ts (the CLI against a loopback contract server)',
  KFP0202: 'test/cluster-errors.test.ts (the CLI against a loopback contract server)',
  KFP0203: 'test/cluster-errors.test.ts (the CLI against a loopback contract server)',
  KFP0204: 'test/cluster-auth.test.ts (the CLI against a loopback contract server)',
  KFP0205: 'test/cluster-auth.test.ts (the CLI against a loopback contract server)',
  KFP0206: 'test/cluster-errors.test.ts (the CLI against a loopback contract server)',
  KFP0207: 'test/cluster-upload.test.ts (the CLI against a loopback contract server)',
  KFP0208: 'test/cluster-errors.test.ts (the CLI against a loopback contract server)',
  KFP0209: 'test/cluster-errors.test.ts (the CLI against a loopback contract server)',
  KFP0210: 'test/cluster-errors.test.ts (the CLI against a loopback contract server)',
  KFP0211: 'test/cluster-errors.test.ts (the CLI against a loopback contract server)',
  KFP0300: 'test/import-component.test.ts (kfpdsl import of bad input)',
  KFP0301: 'test/import-component.test.ts (a graph component)',
  KFP0302: 'test/import-component.test.ts (kfpdsl import of bad input)',
  KFP1103: 'this file: a source over the size limit',
  KFP1105: 'test/scale.test.ts: only the CLI prints it, past --max-errors',
  KFP5002: 'test/limits.test.ts',
  KFP5003: 'test/limits.test.ts',
  KFP5004: 'test/limits.test.ts',
};

describe('diagnostic catalog', () => {
  it('has unique codes and slugs', () => {
    const defs = allDefs();
    expect(new Set(defs.map((d) => d.code)).size).toBe(defs.length);
    expect(new Set(defs.map((d) => d.slug)).size).toBe(defs.length);
    for (const d of defs) expect(d.code).toMatch(/^KFP\d{4}$/);
  });

  it.each(allDefs().filter((d) => !d.code.startsWith('KFP9')).map((d) => [d.code, d.slug]))('%s (%s) has a fixture', (code) => {
    // KFP00xx are about paths and files on the command line, not a source's text: each is
    // proven through the real binary in test/cli-paths.test.ts (which checks it covers them all).
    const has = fixtures.some((f) => f.startsWith(`${code}-`)) || code in PROVEN_ELSEWHERE || code.startsWith('KFP00');
    expect(has).toBe(true);
  });

  it('KFP1103: a source over the size limit is refused before it is lexed', () => {
    const file = new SourceFile('huge.kfp', `# ${'x'.repeat(MAX_SOURCE_BYTES)}\n`);
    const r = compileSource(file);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['KFP1103']);
    expect(r.diagnostics[0]!.span).toEqual({ start: 0, end: 0 });
  });
});
