/**
 * `kfpdsl run --arg`: names, types and missing values are checked before any task starts, as
 * diagnostics located in the .kfp file (exit 2, nothing run). The type check agrees with the
 * real python3 on what int(), float(), kfp's bool strings and json.loads accept.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { valueProblem } from '../src/cli/run-args.js';
import { ensureBundle } from './support/cli.js';
import { runSync } from './support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-run-args-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(() => ensureBundle(), 120_000);

const typed = 'test/fixtures/run/typed.kfp';
const good = ['--arg', 'n=3', '--arg', 'ratio=1e-3', '--arg', 'flag=True', '--arg', 'xs=[1, "a"]', '--arg', 'd={"k": [1]}', '--arg', "s=it's"];

describe('kfpdsl run --arg: every problem at once, before anything runs', () => {
  it('bad values, an unknown name, a malformed flag, a repeated one and a missing parameter: exit 2, no run directory', () => {
    const r = runSync(scratch, [typed, '--arg', 'n=x1', '--arg', 'ratio=abc', '--arg', 'flag=maybe', '--arg', 'xs={"a":1}', '--arg', 'd=[1', '--arg', 'ration=2', '--arg', 'bad', '--arg', 'n=4']);
    expect(r.status).toBe(2);
    expect(r.dir).toBeUndefined();
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const codes = [...r.stderr.matchAll(/error\[(KFP\d{4})\]/g)].map((m) => m[1]);
    expect(codes).toEqual(['KFP0104', 'KFP0104', 'KFP0104', 'KFP0104', 'KFP0104', 'KFP0102', 'KFP0101', 'KFP0103', 'KFP0105']);
    // Located at the declaration, with the type and a hint.
    expect(r.stderr).toContain('--arg ratio=abc: `ratio` is a `float` and this is not a number\n --> test/fixtures/run/typed.kfp:7:34');
    expect(r.stderr).toContain('declared `float` here');
    expect(r.stderr).toContain('did you mean `ratio`?');
    expect(r.stderr).toContain("pipeline \"typed\" needs a value for parameter `s`\n --> test/fixtures/run/typed.kfp:7:72");
    expect(r.stderr).toContain('9 errors in the arguments of kfpdsl run; nothing was run');
  });

  it('--format short and json carry the same codes', () => {
    const short = runSync(scratch, [typed, ...good.map((a) => (a === 'n=3' ? 'n=1.5' : a)), '--format', 'short']);
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/^test\/fixtures\/run\/typed\.kfp:7:22: error KFP0104: --arg n=1\.5: `n` is an `int`/m);
    const json = runSync(scratch, [typed, ...good.slice(0, -2), '--format', 'json']);
    expect(json.status).toBe(2);
    expect((JSON.parse(json.stderr) as { code: string; slug: string }[]).map((d) => `${d.code} ${d.slug}`)).toEqual(['KFP0105 missing-arg']);
  });

  it('values that fit reach the program as given', () => {
    const r = runSync(scratch, [typed, ...good, '--arg', 'opt=-7']);
    expect(r.status, r.stderr).toBe(0);
    const show = r.json!.tasks.find((t) => t.name === 'show')!;
    expect(readFileSync(show.log!, 'utf8')).toContain(`3 0.001 True [1, 'a'] {'k': [1]} "it's" -7`);
  });
});

describe('the type check agrees with python3', () => {
  const candidates = [
    '3', '-3', '+3', ' 3 ', '3_000', '3__0', '_3', '3_', '1.5', '.5', '5.', '1e3', '1E-3', '1_0.5', 'inf', '-Infinity', 'nan', 'NaN', 'infx',
    '', ' ', 'abc', '0x10', '1e', 'e1', '.', '1.2.3', '٣', 'true', 'True', 'FALSE', 'yes', 'No', 'on', 'OFF', 't', 'f', 'y', '1', '0', '2', 'maybe',
    '[]', '[1, "a"]', '{}', '{"k": 1}', 'null', '"x"', '[1', '{"a":}', ' [1] ',
  ];
  const python = `
import json, sys
def strtobool(s):
    v = s.lower()
    if v in ('y', 'yes', 't', 'true', 'on', '1'): return True
    if v in ('n', 'no', 'f', 'false', 'off', '0'): return False
    raise ValueError(v)
def ok(f, s):
    try:
        f(s)
        return True
    except Exception:
        return False
out = {}
for s in json.load(sys.stdin):
    out[s] = {
        'int': ok(int, s),
        'float': ok(float, s),
        'bool': ok(strtobool, s),
        'list': ok(lambda v: isinstance(json.loads(v), list) or 1 / 0, s),
        'dict': ok(lambda v: isinstance(json.loads(v), dict) or 1 / 0, s),
    }
print(json.dumps(out))
`;

  it.each(['int', 'float', 'bool', 'list', 'dict'] as const)('%s', (type) => {
    const r = spawnSync('python3', ['-c', python], { input: JSON.stringify(candidates), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const verdicts = JSON.parse(r.stdout) as Record<string, Record<string, boolean>>;
    // Python accepts non-ASCII digits ('٣') for int() and float(); the check is ASCII-only and refuses them.
    const differences = candidates.filter((s) => s !== '٣' && verdicts[s]![type] !== (valueProblem(type, s) === undefined));
    expect(differences).toEqual([]);
  });
});
