/**
 * The files the KFP SDK reads with PyYAML (component.yaml, a kfp v1 compiled pipeline) are read
 * by src/kfp/pyyaml.ts's schema as PyYAML reads them: YAML 1.1 with `y`/`n` left as strings.
 * Held to a fixed table, and, where python3 has PyYAML (Debian's pre-commit brings it, so CI
 * has it), to PyYAML itself on the table and on every plain scalar of the repository's YAML
 * fixtures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { PYYAML } from '../src/kfp/pyyaml.js';
import { ensureBundle, runCli } from './support/cli.js';

const TABLE: [string, unknown][] = [
  ['y', 'y'], ['Y', 'Y'], ['n', 'n'], ['N', 'N'],
  ['yes', true], ['Yes', true], ['YES', true], ['on', true], ['On', true], ['ON', true], ['true', true], ['True', true],
  ['no', false], ['NO', false], ['off', false], ['Off', false], ['false', false], ['FALSE', false],
  ['0755', 493], ['0o17', '0o17'], ['0x1F', 31], ['0b101', 5], ['1_000', 1000], ['1:20', 80], ['190:20:30', 685230],
  ['09', '09'], ['0:30', '0:30'], ['+12', 12],
  ['1.5', 1.5], ['1.', 1], ['.5', 0.5], ['-.5', '-.5'], ['1e3', '1e3'], ['1.0e3', '1.0e3'], ['1.0e+3', 1000], ['1_0.5', 10.5], ['1:20.5', 80.5],
  ['.inf', Infinity], ['-.Inf', -Infinity], ['.nan', NaN], ['.Nan', '.Nan'],
  ['~', null], ['null', null], ['Null', null], ['', null], ['nope', 'nope'], ['0X1F', '0X1F'],
];

const read = (text: string): unknown => YAML.parseDocument(text, PYYAML).toJS();

function pyyaml(scalars: readonly string[]): unknown[] | undefined {
  // Floats as their repr (JSON has no inf or nan), everything else as JSON.
  const program = 'import json, sys, yaml\nout = []\nfor s in json.load(sys.stdin):\n    v = yaml.safe_load("v: " + s)["v"]\n    out.append(["float", repr(v)] if isinstance(v, float) else v)\nprint(json.dumps(out))';
  const r = spawnSync('python3', ['-c', program], { input: JSON.stringify(scalars), encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as unknown[]) : undefined;
}
const hasPyYaml = pyyaml(['a']) !== undefined;

describe('component and pipeline YAML is read as PyYAML reads it', () => {
  it('the fixed table', () => {
    for (const [text, value] of TABLE) expect([text, (read(`v: ${text}`) as { v: unknown }).v]).toEqual([text, value]);
  });

  it.skipIf(!hasPyYaml)('agrees with PyYAML itself on the table (skipped where python3 has no PyYAML)', () => {
    const scalars = TABLE.map(([t]) => t);
    const theirs = pyyaml(scalars)!;
    const ours = scalars.map((s) => (read(`v: ${s}`) as { v: unknown }).v);
    // PyYAML's float reprs (`1000.0`, `inf`, `nan`) read back as numbers; its ints stay JSON numbers.
    const theirValues = theirs.map((v) => (Array.isArray(v) && v[0] === 'float' ? Number((v[1] as string).replace('inf', 'Infinity').replace('nan', 'NaN')) : v));
    const isFloat = theirs.map((v) => Array.isArray(v) && v[0] === 'float');
    expect(scalars.map((s, i) => [s, ours[i]])).toEqual(scalars.map((s, i) => [s, theirValues[i]]));
    // And an int is an int: `0755` is 493 to both, `1.` a float to PyYAML (our number 1 cannot say which).
    expect(scalars.filter((_, i) => !isFloat[i] && typeof ours[i] === 'number' && !Number.isInteger(ours[i]))).toEqual([]);
  });
});

describe('the CLI reads component.yaml files as the KFP SDK does', () => {
  let dir = '';
  beforeAll(() => {
    ensureBundle();
    dir = mkdtempSync(join(tmpdir(), 'kfpdsl-pyyaml-'));
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('`import "c.yaml"` takes `default: n` as the text PyYAML reads (it was refused: "must be string")', () => {
    writeFileSync(join(dir, 'answer.yaml'), 'name: answer\ninputs:\n- {name: answer, type: String, default: n}\nimplementation:\n  container:\n    image: alpine:3.19\n    command: [echo, {inputValue: answer}]\n');
    writeFileSync(join(dir, 'p.kfp'), 'import "answer.yaml" as answer\npipeline "p" () {\n  answer()\n}\n');
    const r = runCli(['check', 'p.kfp'], { cwd: dir });
    expect(r.stderr + r.stdout).not.toContain('KFP4003');
    expect(r.status).toBe(0);
  });

  it('`kfpdsl import` reads `default: 0755` as 493 (YAML 1.1 octal, as PyYAML), and `n` as text', () => {
    writeFileSync(join(dir, 'octal.yaml'), 'name: octal\ninputs:\n- {name: mode, type: Integer, default: 0755}\n- {name: answer, type: String, default: n}\nimplementation:\n  container:\n    image: alpine:3.19\n    command: [echo, {inputValue: mode}, {inputValue: answer}]\n');
    const r = runCli(['import', 'octal.yaml', '-o', 'imported'], { cwd: dir });
    expect(r.status).toBe(0);
    const text = readFileSync(join(dir, 'imported', 'octal.kfp'), 'utf8');
    expect(text).toContain('mode: int = 493');
    expect(text).toContain('answer: str = "n"');
  });
});
