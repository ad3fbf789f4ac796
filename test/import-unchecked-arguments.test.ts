/**
 * kfp v1 checks no task argument against its component's spec: a task may give text built
 * around references (`"{{prefix}}-{{item}}"`) or a record loop item to a `String` input. `.kfp`
 * refuses both (KFP3001), so `kfpdsl import` takes such a component from its compiled template,
 * where each reference is an input of its own and the text is in the command, and says why in a
 * comment. The import then prints what the original prints: the original under the test
 * suite's Argo executor (test/support/mini-runner.ts), the import under `kfpdsl run`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { repoRoot, runCli } from './support/cli.js';
import { runWorkflow } from './support/mini-runner.js';
import { runSync } from './support/run-cli.js';

const fixture = join(repoRoot, 'test/fixtures/import/unchecked-arguments.yaml');

describe('kfpdsl import of arguments kfp did not check', () => {
  it('imports the compiled templates, which print what the original prints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-unchecked-'));
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
    const imp = runCli(['import', fixture, '-o', dir]);
    expect(imp.status, imp.stderr).toBe(0);
    const kfp = join(dir, 'unchecked-arguments.kfp');
    const text = readFileSync(kfp, 'utf8');
    expect(text).toContain('    echo = echo(prefix: prefix, item: item)\n    echo_2 = echo_2(msg: item)\n');
    expect(text).toContain('component echo(prefix: str, item: dict) {\n  # The compiled template, not its component_spec: kfp passed it arguments its declared input types do not take');
    expect(text).toContain('command: ["echo", concat(prefix, "-", item)]');

    const original = runWorkflow(YAML.parse(readFileSync(fixture, 'utf8')), mkdtempSync(join(tmpdir(), 'kfpdsl-import-unchecked-orig-')));
    const before = original.tasks.map((t) => t.stdout).sort();
    expect(before).toEqual(['p-{"a":1,"b":"x"}\n', 'p-{"a":2,"b":"y"}\n', '{"a":1,"b":"x"}\n', '{"a":2,"b":"y"}\n'].sort());

    const run = runSync(dir, [kfp, '--root', dir, '--quiet'], {}, dir);
    expect(run.status, run.stderr).toBe(0);
    const after = run.json!.tasks.filter((t) => t.log).map((t) => readFileSync(t.log!, 'utf8')).sort();
    expect(after).toEqual(before);
  });
});
