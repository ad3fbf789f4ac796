/**
 * .kfp modules through the real CLI: `build` of an importing file, `build --check` and `check`
 * when only the module changed (what the pre-commit hooks pass), a module's error printed once
 * for several importers, `graph` and `kfpdsl run` of a pipeline whose components come from a module.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_CAP_MS } from './support/caps.js';
import { ensureBundle, repoRoot } from './support/cli.js';

beforeAll(() => ensureBundle());
const base = mkdtempSync(join(tmpdir(), 'kfpdsl-modules-cli-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let count = 0;

const LIB = `component add(a: int, b: int) -> int {
  \`\`\`python
  return a + b
  \`\`\`
}

component double(x: int) -> int {
  \`\`\`python
  return 2 * x
  \`\`\`
}
`;
const MAIN = `import "lib/common.kfp" as lib

pipeline "sum" (x: int = 1) {
  s = lib.add(x, 2)
  lib.double(s)
}
`;

/** A fresh project (kfpdsl.yaml marks its root) holding `files`. */
function project(files: Record<string, string>): string {
  const dir = join(base, `p${++count}`);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  writeFileSync(join(dir, 'kfpdsl.yaml'), '');
  return dir;
}

function kfpdsl(cwd: string, ...args: string[]) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NO_COLOR' && !k.startsWith('KFPDSL_')) env[k] = v;
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kfpdsl.mjs'), ...args], { cwd, env, encoding: 'utf8', timeout: HANG_CAP_MS });
  if (r.error) throw r.error;
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('kfpdsl with .kfp modules', () => {
  it('build writes the importer\'s pipeline and the components it uses; build --check passes, then fails when only the module changed', () => {
    const dir = project({ 'lib/common.kfp': LIB, 'main.kfp': MAIN });
    const built = kfpdsl(dir, 'build', 'main.kfp');
    expect(built.out).toContain('wrote main/sum.yaml');
    expect(built.status).toBe(0);
    expect(readFileSync(join(dir, 'main/components/add.yaml'), 'utf8')).toContain('return a + b');
    expect(kfpdsl(dir, 'build', '--check', 'main.kfp').status).toBe(0);
    writeFileSync(join(dir, 'lib/common.kfp'), LIB.replace('return a + b', 'return b + a'));
    // What pre-commit runs when only the module changed: the importer is compared too.
    const stale = kfpdsl(dir, 'build', '--check', 'lib/common.kfp');
    expect(stale.status).toBe(1);
    expect(stale.out).toMatch(/out of date: main\/components\/add\.yaml differs/);
    expect(stale.out).toMatch(/out of date: main\/sum\.yaml differs/);
    // ... and the advice, `build` with the same arguments, brings the importer up to date.
    const rebuilt = kfpdsl(dir, 'build', 'lib/common.kfp');
    expect(rebuilt.out).toContain('wrote main/sum.yaml');
    expect(readFileSync(join(dir, 'main/components/add.yaml'), 'utf8')).toContain('return b + a');
    expect(kfpdsl(dir, 'build', '--check', 'lib/common.kfp').status).toBe(0);
  });

  it('check of a module checks its importers, and a module error is printed once for two importers', () => {
    const dir = project({ 'lib/common.kfp': LIB, 'main.kfp': MAIN, 'other.kfp': MAIN.replace('"sum"', '"other"') });
    expect(kfpdsl(dir, 'check', 'lib/common.kfp').status).toBe(0);
    writeFileSync(join(dir, 'lib/common.kfp'), LIB.replace('component double', 'component twice'));
    const broken = kfpdsl(dir, 'check', '--format', 'short', 'lib/common.kfp');
    expect(broken.status).toBe(1);
    expect(broken.out).toContain('main.kfp:5:3: error KFP2001');
    expect(broken.out).toContain('other.kfp:5:3: error KFP2001');
    writeFileSync(join(dir, 'lib/common.kfp'), LIB.replace('b: int', 'b: nope'));
    const inModule = kfpdsl(dir, 'check', '--format', 'short', '.');
    expect(inModule.out.match(/lib\/common\.kfp:1:\d+: error KFP2008/g)).toHaveLength(1);
  });

  it('graph draws a pipeline whose components come from a module', () => {
    const dir = project({ 'lib/common.kfp': LIB, 'main.kfp': MAIN });
    const g = kfpdsl(dir, 'graph', 'main.kfp');
    expect(g.status).toBe(0);
    expect(g.out).toMatch(/\bs\b/);
    expect(g.out).toMatch(/double/);
  });

  it('kfpdsl run runs it with python3', () => {
    const dir = project({ 'lib/common.kfp': LIB, 'main.kfp': MAIN });
    const r = kfpdsl(dir, 'run', 'main.kfp', '--run-dir', join(dir, 'runs'), '--arg', 'x=5');
    expect(r.out).toMatch(/Succeeded/);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/double\s+Succeeded.*Output = 14/);
  });
});
