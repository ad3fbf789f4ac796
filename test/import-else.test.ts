/**
 * `kfpdsl import` recovers `else` and `elif` from kfp v1's complementary `dsl.Condition`s (kfp v1
 * has neither, so users wrote `Condition(x == "heads")` beside `Condition(x != "heads")`, and an
 * elif as a condition nested in the complement). The workflow below is what kfp 1.8 compiles for
 *
 *     pick = pick_op(side)
 *     with dsl.Condition(pick.output == 'heads'): echo_op('H')
 *     with dsl.Condition(pick.output != 'heads'):
 *         with dsl.Condition(pick.output == 'tails'): echo_op('T')
 *         with dsl.Condition(pick.output != 'tails'): echo_op('E')
 *     with dsl.Condition(pick.output == 'x'): echo_op('X')        # no complement: a plain if
 *
 * The import must read `if … {} elif … {} else {}` and, run with `kfpdsl run` for each side,
 * run exactly the task of that branch.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { runSync } from './support/run-cli.js';

const echo = (name: string, text: string): string => `  - name: ${name}
    container: {image: 'library/bash:4.4.23', command: [sh, -c], args: ['echo ${text}']}`;
const cond = (name: string, tasks: string): string => `  - name: ${name}
    inputs: {parameters: [{name: pick-output}]}
    dag:
      tasks:
${tasks}`;
const when = (task: string, template: string, op: string, value: string, from = '{{tasks.pick.outputs.parameters.pick-output}}'): string => `      - name: ${task}
        template: ${template}
        when: '"${from.replace('tasks.pick.outputs.parameters', 'inputs.parameters')}" ${op} "${value}"'
        arguments: {parameters: [{name: pick-output, value: '${from}'}]}`;

const WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: branches-
  annotations:
    pipelines.kubeflow.org/pipeline_spec: '{"inputs": [{"name": "side", "type": "String"}], "name": "branches"}'
spec:
  entrypoint: branches
  serviceAccountName: pipeline-runner
  arguments: {parameters: [{name: side}]}
  templates:
  - name: pick
    inputs: {parameters: [{name: side}]}
    container: {image: 'library/bash:4.4.23', command: [sh, -c], args: ['echo -n {{inputs.parameters.side}} > /tmp/out']}
    outputs: {parameters: [{name: pick-output, valueFrom: {path: /tmp/out}}]}
${echo('echo-heads', 'H')}
${echo('echo-tails', 'T')}
${echo('echo-edge', 'E')}
${echo('echo-x', 'X')}
${cond('condition-1', '      - {name: echo-heads, template: echo-heads}')}
${cond('condition-2', [when('condition-3', 'condition-3', '==', 'tails', '{{inputs.parameters.pick-output}}'), when('condition-4', 'condition-4', '!=', 'tails', '{{inputs.parameters.pick-output}}')].join('\n'))}
${cond('condition-3', '      - {name: echo-tails, template: echo-tails}')}
${cond('condition-4', '      - {name: echo-edge, template: echo-edge}')}
${cond('condition-5', '      - {name: echo-x, template: echo-x}')}
  - name: branches
    inputs: {parameters: [{name: side}]}
    dag:
      tasks:
      - name: pick
        template: pick
        arguments: {parameters: [{name: side, value: '{{inputs.parameters.side}}'}]}
${when('condition-1', 'condition-1', '==', 'heads').replace(/"\{\{inputs\.parameters\.pick-output\}\}"/, '"{{tasks.pick.outputs.parameters.pick-output}}"')}
        dependencies: [pick]
${when('condition-2', 'condition-2', '!=', 'heads').replace(/"\{\{inputs\.parameters\.pick-output\}\}"/, '"{{tasks.pick.outputs.parameters.pick-output}}"')}
        dependencies: [pick]
${when('condition-5', 'condition-5', '==', 'x').replace(/"\{\{inputs\.parameters\.pick-output\}\}"/, '"{{tasks.pick.outputs.parameters.pick-output}}"')}
        dependencies: [pick]
`;

describe('kfpdsl import recovers else and elif', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-else-'));
  writeFileSync(join(dir, 'kfpdsl.yaml'), '');
  writeFileSync(join(dir, 'branches.yaml'), WORKFLOW);
  const imp = runCli(['import', join(dir, 'branches.yaml'), '-o', dir]);
  const kfp = join(dir, 'branches.kfp');

  it('writes if / elif / else for complementary conditions, a plain if for the rest', () => {
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stderr).not.toContain('warning');
    const text = readFileSync(kfp, 'utf8');
    expect(text).toContain('  if pick == "heads" {\n    echo_heads = echo_heads()\n  } elif pick == "tails" {\n    echo_tails = echo_tails()\n  } else {\n    echo_edge = echo_edge()\n  }\n');
    expect(text).toContain('  if pick == "x" {\n    echo_x = echo_x()\n  }\n');
    expect(text).not.toContain('!=');
  });

  it.each([
    ['heads', 'echo-heads', 'H'],
    ['tails', 'echo-tails', 'T'],
    ['edge', 'echo-edge', 'E'],
    ['x', 'echo-edge', 'E'],
  ])('runs only the branch of side=%s', (side, task, printed) => {
    const run = runSync(dir, [kfp, '--root', dir, '--quiet', '--arg', `side=${side}`], {}, dir);
    expect(run.status, run.stderr).toBe(0);
    const ran = run.json!.tasks.filter((t) => t.phase === 'Succeeded').map((t) => t.name).sort();
    expect(ran).toEqual(['pick', task, ...(side === 'x' ? ['echo-x'] : [])].sort());
    const log = run.json!.tasks.find((t) => t.name === task)!.log!;
    expect(readFileSync(log, 'utf8').trim()).toBe(printed);
    expect(readdirSync(dir)).toContain('branches.kfp');
  });
});
