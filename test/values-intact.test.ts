/**
 * Every string value reaches the Python program exactly as written (issue 9, item 5): values
 * that start with `-`, empty ones, Korean, spaces, quotes, backslashes and newlines, each as a
 * component default, as a literal argument (to a required and to an optional `= null` input),
 * as a pipeline parameter given at run time and as a pipeline parameter's default.
 *
 * The pipeline runs twice, for real: through `kfpdsl run` (the CLI binary) and through the
 * independent Argo executor in test/support/mini-runner.ts, which substitutes the workflow's
 * placeholders itself. Each task prints what its program received as JSON (ASCII), one line per
 * value, and the test compares those with the values it wrote into the source.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { ensureBundle, repoRoot } from './support/cli.js';
import { runWorkflow } from './support/mini-runner.js';
import { runIds } from './support/run-cli.js';

const VALUES: Record<string, string> = {
  dash: '-x',
  double_dash: '--y',
  lone_dash: '-',
  negative: '-5',
  flag_like: '--value=1',
  empty: '',
  korean: '한글 값',
  spaces: '  two  spaces  ',
  single_quote: "it's",
  double_quote: 'say "hi"',
  backslash: 'C:\\dir\\new',
  newline: 'line 1\nline 2\n',
};
const LABELS = Object.keys(VALUES);

/** A .kfp string literal: JSON escapes, as the language defines. */
const lit = (s: string): string => JSON.stringify(s);

/** A Python fence printing every input as `RECEIVED <kind>:<label> <json>`. */
function printAll(kind: string): string {
  const pairs = LABELS.map((l) => `("${kind}:${l}", ${l})`).join(', ');
  const code = `import json\nfor name, value in [${pairs}]:\n    print("RECEIVED", name, json.dumps(value))`;
  return '  ```python\n' + code.split('\n').map((line) => `  ${line}`).join('\n') + '\n  ```\n';
}

/** One task per way of passing a value, each taking all the values (fewer processes to start). */
function pipelineSource(): string {
  const inputs = (value: (l: string) => string) => LABELS.map((l) => `${l}: str${value(l)}`).join(', ');
  const args = (value: (l: string) => string) => LABELS.map((l) => `${l}: ${value(l)}`).join(', ');
  const params = [...LABELS.map((l) => `p_${l}: str`), ...LABELS.map((l) => `q_${l}: str = ${lit(VALUES[l]!)}`)].join(', ');
  return [
    `component defaults(${inputs((l) => ` = ${lit(VALUES[l]!)}`)}) {\n${printAll('default')}}\n`,
    `component literal(${inputs(() => '')}) {\n${printAll('literal')}}\n`,
    `component optional(${inputs(() => ' = null')}) {\n${printAll('optional')}}\n`,
    `component parameter(${inputs(() => '')}) {\n${printAll('parameter')}}\n`,
    `component parameter_default(${inputs(() => '')}) {\n${printAll('parameter_default')}}\n`,
    `pipeline "values intact" (${params}) {`,
    '  defaults()',
    `  literal(${args((l) => lit(VALUES[l]!))})`,
    `  optional(${args((l) => lit(VALUES[l]!))})`,
    `  parameter(${args((l) => `p_${l}`)})`,
    `  parameter_default(${args((l) => `q_${l}`)})`,
    '}',
    '',
  ].join('\n');
}

/** What every task must have printed: `kind:label` → the value. */
function expected(): Map<string, string> {
  const out = new Map<string, string>();
  for (const kind of ['default', 'literal', 'optional', 'parameter', 'parameter_default']) for (const l of LABELS) out.set(`${kind}:${l}`, VALUES[l]!);
  return out;
}

/** The `RECEIVED <name> <json>` lines of some task logs. */
function received(logs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const log of logs) {
    for (const line of log.split('\n')) {
      const m = /^RECEIVED (\S+) (.*)$/.exec(line);
      if (!m) continue;
      if (out.has(m[1]!)) throw new Error(`${m[1]} printed twice`);
      out.set(m[1]!, JSON.parse(m[2]!) as string);
    }
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'kfpdsl-values-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sourcePath = join(work, 'values.kfp');
writeFileSync(sourcePath, pipelineSource());
const runArgs = Object.fromEntries(LABELS.map((l) => [`p_${l}`, VALUES[l]!]));

describe('string values reach the program intact', () => {
  beforeAll(() => ensureBundle(), 120_000);

  it('compiles each flag and its value into one argv element', () => {
    const r = compileSource(new SourceFile(sourcePath, readFileSync(sourcePath, 'utf8')));
    expect(r.diagnostics).toEqual([]);
    const component = r.files.find((f) => f.path === 'components/literal.yaml')!;
    const spec = YAML.parse(component.text) as { implementation: { container: { args: unknown[] } } };
    expect(spec.implementation.container.args).toEqual(LABELS.map((l) => ({ concat: [`--${l.replaceAll('_', '-')}=`, { inputValue: l }] })));
    const optional = YAML.parse(r.files.find((f) => f.path === 'components/optional.yaml')!.text) as typeof spec;
    expect(optional.implementation.container.args[0]).toEqual({ if: { cond: { isPresent: 'dash' }, then: [{ concat: ['--dash=', { inputValue: 'dash' }] }] } });
  });

  it('under `kfpdsl run`', () => {
    const runDir = join(work, 'runs');
    const argv = [join(repoRoot, 'bin', 'kfpdsl.mjs'), 'run', sourcePath, '--run-dir', runDir, '--parallelism', '4'];
    for (const [k, v] of Object.entries(runArgs)) argv.push('--arg', `${k}=${v}`);
    const r = spawnSync(process.execPath, argv, { cwd: work, encoding: 'utf8', timeout: 300_000 });
    if (r.error) throw r.error;
    expect(r.status, r.stderr).toBe(0);
    const [runId] = runIds(runDir);
    const json = JSON.parse(readFileSync(join(runDir, runId!, 'run.json'), 'utf8')) as { tasks: { name: string; phase: string; log: string | null }[] };
    expect(json.tasks).toHaveLength(5);
    for (const t of json.tasks) expect(t.phase, t.name).toBe('Succeeded');
    const logs = json.tasks.map((t) => (t.log && existsSync(t.log) ? readFileSync(t.log, 'utf8') : ''));
    expect(received(logs)).toEqual(expected());
  }, 300_000);

  it('under the independent Argo executor (test/support/mini-runner.ts)', () => {
    const r = compileSource(new SourceFile(sourcePath, readFileSync(sourcePath, 'utf8')));
    const workflow = YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text) as unknown;
    const result = runWorkflow(workflow, join(work, 'mini'), runArgs);
    expect(result.tasks).toHaveLength(5);
    expect(received(result.tasks.map((t) => t.stdout))).toEqual(expected());
  }, 300_000);
});
