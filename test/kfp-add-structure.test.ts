/**
 * Structural comparison of our compiled examples/add.kfp with kfp v1's compiled YAML of the kfp v1
 * tutorial's add example (test/fixtures/kfp-v1-add-example.yaml, hand-reconstructed from
 * kfp 1.8.22's lowering rules; see its header). Structure, not bytes: every container task's
 * command + args is resolved to an "effective argv" by following `{{inputs.parameters.X}}`
 * through the DAG's task arguments to its ultimate source (`param:<workflow parameter>`,
 * `output:<producer component>.<output>` or a constant), and tasks are identified by their
 * component (the template's component_spec `name`), because task names differ.
 *
 * Deliberate differences, each pinned by a test named "deliberate difference: ..." below:
 *  1. task names come from the bindings (`sum`, `diff`, `multiply`), kfp's from the components
 *     (`add`, `subtract`, `multiply`);
 *  2. one template per component: template inputs are named after the component's inputs and
 *     arguments (constants too) travel as task arguments; kfp makes one template per task whose
 *     inputs are named after their source (`add-Output`) and inlines constants into `args`;
 *  3. the default image is python:3.11 (kfp: python:3.7);
 *  4. no `pipeline_compilation_time` annotation (output is reproducible), and no
 *     `kfp_sdk_version` annotation/labels (we are not the kfp SDK);
 *  5. examples/add.kfp carries docstrings (the tutorial has none): component and pipeline
 *     descriptions, and argparse's `description=`, differ accordingly;
 *  6. pipeline parameters are read as `{{workflow.parameters.x}}` where used, instead of being
 *     threaded through the entrypoint DAG's `inputs` (kfp) — both resolve to `param:x`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { shared, strictArgoErrors } from './support/argo-strict.js';
import { isLocated, plainProgram } from './support/located-program.js';
import { repoRoot } from './support/cli.js';
import { componentName } from './support/mini-runner.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

const PROGRAM = '<python program>';

/** Everything the comparison looks at, per component. */
interface ComponentView {
  readonly tasks: string[];
  readonly template: Obj;
  /** command + args with every placeholder resolved to its ultimate source; the program replaced by PROGRAM. */
  readonly argv: string[];
  /** The Python program, in kfp's plain form (see rawProgram). */
  readonly program: string;
  /** The Python program as compiled. */
  readonly rawProgram: string;
  readonly dependencies: string[];
  /** Output parameters and artifacts, as `<output name>=<path>` (name without the `<template>-` prefix). */
  readonly outputParameters: string[];
  readonly outputArtifacts: string[];
}

interface WorkflowView {
  readonly wf: Obj;
  readonly spec: Obj;
  readonly root: Obj;
  readonly components: Map<string, ComponentView>;
}

function view(wf: Obj): WorkflowView {
  const spec = obj(wf['spec']);
  const templates = new Map(arr(spec['templates']).map((t) => [String(t['name']), t]));
  const root = templates.get(String(spec['entrypoint']));
  if (!root) throw new Error('no entrypoint template');
  const tasks = arr(obj(root['dag'])['tasks']);
  const taskTemplate = (task: string): Obj => templates.get(String(tasks.find((t) => t['name'] === task)?.['template'])) ?? {};
  const taskComponent = (task: string): string => componentName(taskTemplate(task)) ?? `?${task}`;
  const rootInputs = new Set(arr(obj(root['inputs'])['parameters']).map((p) => String(p['name'])));

  /** The ultimate source of a DAG-level value (a task argument of the entrypoint DAG). */
  const dagSource = (value: string): string => {
    const whole = /^\{\{([^{}]+)\}\}$/.exec(value);
    if (!whole) return value.includes('{{') ? `mixed:${value}` : `const:${value}`;
    const ref = whole[1]!;
    let m: RegExpExecArray | null;
    if ((m = /^inputs\.parameters\.(.+)$/.exec(ref)) && rootInputs.has(m[1]!)) return `param:${m[1]}`;
    if ((m = /^workflow\.parameters\.(.+)$/.exec(ref))) return `param:${m[1]}`;
    if ((m = /^tasks\.([^.]+)\.outputs\.parameters\.(.+)$/.exec(ref))) {
      const producer = taskTemplate(m[1]!);
      const out = arr(obj(producer['outputs'])['parameters']).find((p) => p['name'] === m![2]);
      const path = String(obj(out?.['valueFrom'])['path']);
      const output = /^\/tmp\/outputs\/(.+)\/data$/.exec(path)?.[1] ?? `?${path}`;
      return `output:${taskComponent(m[1]!)}.${output}`;
    }
    return `unresolved:${value}`;
  };

  const components = new Map<string, ComponentView>();
  for (const task of tasks) {
    const name = String(task['name']);
    const template = taskTemplate(name);
    const component = taskComponent(name);
    const args = new Map(arr(obj(task['arguments'])['parameters']).map((p) => [String(p['name']), String(p['value'])]));
    const container = obj(template['container']);
    const raw = [...strings(container['command']), ...strings(container['args'])];
    const programIndex = raw.findIndex((s) => /^def \w+\(/.test(s));
    const argv = raw.map((s, i) =>
      i === programIndex
        ? PROGRAM
        : s.replace(/\{\{inputs\.parameters\.([^{}]+)\}\}/g, (_w, x: string) => {
            const v = args.get(x);
            return v === undefined ? `unresolved:${x}` : `<${dagSource(v)}>`;
          }),
    );
    const prefix = `${String(template['name'])}-`;
    const strip = (n: unknown): string => (String(n).startsWith(prefix) ? String(n).slice(prefix.length) : `!${String(n)}`);
    const outputs = obj(template['outputs']);
    const v: ComponentView = {
      tasks: [...(components.get(component)?.tasks ?? []), name],
      template,
      argv,
      // kfpdsl's program defines the function at its .kfp lines (README "Differences from kfp v1");
      // compared in kfp's plain form, and checked to be located in a test of its own.
      program: isLocated(raw[programIndex] ?? '') ? plainProgram(raw[programIndex]!) : (raw[programIndex] ?? ''),
      rawProgram: raw[programIndex] ?? '',
      dependencies: strings(task['dependencies']).map(taskComponent).sort(),
      outputParameters: arr(outputs['parameters']).map((p) => `${strip(p['name'])}=${String(obj(p['valueFrom'])['path'])}`),
      outputArtifacts: arr(outputs['artifacts']).map((a) => `${strip(a['name'])}=${String(a['path'])}`),
    };
    components.set(component, v);
  }
  return { wf, spec, root, components };
}

/** A kfp lightweight-component program split into the user function and the generated rest. */
function splitProgram(program: string): { func: string; rest: string } {
  const lines = program.split('\n');
  let end = 1;
  while (end < lines.length && (lines[end] === '' || /^\s/.test(lines[end]!))) end++;
  return { func: lines.slice(0, end).join('\n').trimEnd(), rest: lines.slice(end).join('\n') };
}

/** Drops an inlined `_deserialize_bool` definition (ours avoids distutils; see src/lower/python-component.ts). */
function withoutDeserializeBool(rest: string): string {
  return rest.replace(/^def _deserialize_bool\(.*\n(?:(?: .*)?\n)*?(?=\S)/m, '');
}

const DESCRIPTION = /^(_parser = argparse\.ArgumentParser\(prog=.*, description=)(.*)\)$/m;

function pipelineSpec(w: WorkflowView): Obj {
  return JSON.parse(String(obj(obj(w.wf['metadata'])['annotations'])['pipelines.kubeflow.org/pipeline_spec'])) as Obj;
}

let ours: WorkflowView;
let kfp: WorkflowView;
let oursText: string;
const COMPONENTS = ['Add', 'Multiply', 'Subtract'];

beforeAll(() => {
  const result = compileSource(new SourceFile('examples/add.kfp', readFileSync(join(repoRoot, 'examples/add.kfp'), 'utf8')));
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const file = result.files.find((f) => f.kind === 'workflow');
  if (!file) throw new Error('no workflow compiled from examples/add.kfp');
  oursText = file.text;
  ours = view(parse(oursText) as Obj);
  kfp = view(parse(readFileSync(join(repoRoot, 'test/fixtures/kfp-v1-add-example.yaml'), 'utf8')) as Obj);
});

describe('the kfp v1 fixture itself', () => {
  it('is a complete kfp-shaped add example (3 component tasks under the add-example DAG)', () => {
    expect([...kfp.components.keys()].sort()).toEqual(COMPONENTS);
    expect(kfp.spec['entrypoint']).toBe('add-example');
  });
  it.skipIf(shared.missing)(shared.title('passes the strict Argo validator'), () => {
    expect(strictArgoErrors(kfp.wf)).toEqual([]);
  });
});

/**
 * kfp's argv with each `--flag value` pair as one `--flag=value` element, as kfpdsl passes them
 * (so that values starting with `-` reach argparse as values); `----output-paths` keeps nargs.
 */
function joinedFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^--[a-z0-9][a-z0-9-]*$/.test(arg) && i + 1 < argv.length) out.push(`${arg}=${argv[++i]!}`);
    else out.push(arg);
  }
  return out;
}

describe('ours vs kfp v1: same structure', () => {
  it('the same components, one task each', () => {
    expect([...ours.components.keys()].sort()).toEqual(COMPONENTS);
    for (const c of COMPONENTS) expect(ours.components.get(c)!.tasks).toHaveLength(1);
  });

  it.each(COMPONENTS)('%s: the same effective argv (program text aside; `--flag=value` where kfp has two elements)', (c) => {
    const a = ours.components.get(c)!.argv;
    expect(a).toEqual(joinedFlags(kfp.components.get(c)!.argv));
    expect(a).toContain(PROGRAM);
  });

  it('the argv sources are what the tutorial wires up', () => {
    expect(ours.components.get('Multiply')!.argv.slice(-4)).toEqual([
      '--value-1=<output:Add.Output>',
      '--value-2=<output:Subtract.Output>',
      '----output-paths',
      '/tmp/outputs/Output/data',
    ]);
    expect(ours.components.get('Add')!.argv.slice(-4, -2)).toEqual(['--value-1=<param:value_1>', '--value-2=<param:value_2>']);
  });

  it.each(COMPONENTS)('%s: our program defines the function at its lines in examples/add.kfp; kfp\'s does not', (c) => {
    expect(ours.components.get(c)!.rawProgram).toMatch(/^_kfpdsl_define\('examples\/add\.kfp', \d+, \($/m);
    expect(isLocated(kfp.components.get(c)!.rawProgram)).toBe(false);
  });

  it.each(COMPONENTS)('%s: the generated program after the function is identical (argparse description aside)', (c) => {
    const a = splitProgram(ours.components.get(c)!.program);
    const b = splitProgram(kfp.components.get(c)!.program);
    const norm = (rest: string): string => withoutDeserializeBool(rest).replace(DESCRIPTION, '$1<description>)');
    expect(norm(a.rest)).toBe(norm(b.rest));
    expect(a.rest).toMatch(/^import argparse$/m);
  });

  it.each(COMPONENTS)('%s: the user function is identical once type hints are stripped (kfp does it too)', (c) => {
    const dropDocstring = (f: string): string => f.replace(/^ {4}(?:'''|""")[\s\S]*?(?:'''|""")\n/m, '');
    expect(dropDocstring(splitProgram(ours.components.get(c)!.program).func)).toBe(dropDocstring(splitProgram(kfp.components.get(c)!.program).func));
  });

  it.each(COMPONENTS)('%s: the same dependencies (as components)', (c) => {
    expect(ours.components.get(c)!.dependencies).toEqual(kfp.components.get(c)!.dependencies);
  });

  it('Multiply depends on Add and Subtract; they depend on nothing', () => {
    expect(ours.components.get('Multiply')!.dependencies).toEqual(['Add', 'Subtract']);
    expect(ours.components.get('Add')!.dependencies).toEqual([]);
  });

  it('the same workflow parameters and defaults', () => {
    expect(obj(ours.spec['arguments'])).toEqual(obj(kfp.spec['arguments']));
    expect(obj(ours.spec['arguments'])['parameters']).toEqual([{ name: 'value_1' }, { name: 'value_2', value: '2' }]);
  });

  it('the same entrypoint root: a DAG template, the same generateName and entrypoint', () => {
    expect(ours.spec['entrypoint']).toBe(kfp.spec['entrypoint']);
    expect(obj(ours.wf['metadata'])['generateName']).toBe(obj(kfp.wf['metadata'])['generateName']);
    const keys = (t: Obj): string[] => Object.keys(t).filter((k) => k !== 'name' && k !== 'inputs').sort();
    expect(keys(ours.root)).toEqual(keys(kfp.root));
    expect(keys(ours.root)).toEqual(['dag']);
    expect(arr(obj(ours.root['dag'])['tasks'])).toHaveLength(arr(obj(kfp.root['dag'])['tasks']).length);
    // Only the root is a DAG; every other template is a container template.
    const kinds = (w: WorkflowView): string[] => arr(w.spec['templates']).map((t) => (t['dag'] ? 'dag' : t['container'] ? 'container' : '?')).sort();
    expect(kinds(ours)).toEqual(kinds(kfp));
    expect(ours.wf['apiVersion']).toBe(kfp.wf['apiVersion']);
    expect(ours.wf['kind']).toBe(kfp.wf['kind']);
  });

  it('the same serviceAccountName', () => {
    expect(ours.spec['serviceAccountName']).toBe('pipeline-runner');
    expect(ours.spec['serviceAccountName']).toBe(kfp.spec['serviceAccountName']);
  });

  it.each(COMPONENTS)('%s: the same output parameters and artifacts (kept only where consumed by value)', (c) => {
    const a = ours.components.get(c)!;
    const b = kfp.components.get(c)!;
    expect(a.outputParameters).toEqual(b.outputParameters);
    expect(a.outputArtifacts).toEqual(b.outputArtifacts);
    expect(a.outputArtifacts).toEqual(['Output=/tmp/outputs/Output/data']);
    expect(a.outputParameters).toEqual(c === 'Multiply' ? [] : ['Output=/tmp/outputs/Output/data']);
  });

  it('the same pipeline_spec annotation inputs and name', () => {
    expect(pipelineSpec(ours)['inputs']).toEqual(pipelineSpec(kfp)['inputs']);
    expect(pipelineSpec(ours)['name']).toBe(pipelineSpec(kfp)['name']);
  });

  it.each(COMPONENTS)('%s: the same component interface in the component_spec annotation', (c) => {
    const spec = (w: WorkflowView): Obj => JSON.parse(String(obj(obj(w.components.get(c)!.template['metadata'])['annotations'])['pipelines.kubeflow.org/component_spec'])) as Obj;
    const a = spec(ours);
    const b = spec(kfp);
    expect([a['name'], a['inputs'], a['outputs']]).toEqual([b['name'], b['inputs'], b['outputs']]);
    // kfpdsl's one difference: `{concat: [--flag=, value]}` where kfp has `--flag`, value.
    const kfpArgs = obj(obj(b['implementation'])['container'])['args'] as unknown[];
    const joined = kfpArgs.flatMap((arg, i) => {
      if (typeof arg === 'string' && arg !== '----output-paths' && arg.startsWith('--')) return [{ concat: [`${arg}=`, kfpArgs[i + 1]] }];
      return typeof kfpArgs[i - 1] === 'string' && kfpArgs[i - 1] !== '----output-paths' && String(kfpArgs[i - 1]).startsWith('--') ? [] : [arg];
    });
    expect(obj(obj(a['implementation'])['container'])['args']).toEqual(joined);
  });

  it.each(COMPONENTS)('%s: the same template labels (kfp_sdk_version aside) and component_ref', (c) => {
    const meta = (w: WorkflowView): Obj => obj(w.components.get(c)!.template['metadata']);
    const labels = (w: WorkflowView): Obj => {
      const l = { ...obj(meta(w)['labels']) };
      delete l['pipelines.kubeflow.org/kfp_sdk_version'];
      return l;
    };
    expect(labels(ours)).toEqual(labels(kfp));
    expect(obj(meta(ours)['annotations'])['pipelines.kubeflow.org/component_ref']).toBe(obj(meta(kfp)['annotations'])['pipelines.kubeflow.org/component_ref']);
  });
});

describe('ours vs kfp v1: deliberate differences', () => {
  it('deliberate difference: task names come from the bindings (sum/diff/multiply vs add/subtract/multiply)', () => {
    const tasks = (w: WorkflowView): string[] => COMPONENTS.map((c) => w.components.get(c)!.tasks.join());
    expect(tasks(ours)).toEqual(['sum', 'multiply', 'diff']);
    expect(tasks(kfp)).toEqual(['add', 'multiply', 'subtract']);
  });

  it('deliberate difference: one template per component, inputs named after the component inputs, values passed as task arguments', () => {
    const inputs = (w: WorkflowView, c: string): unknown[] => arr(obj(w.components.get(c)!.template['inputs'])['parameters']).map((p) => p['name']);
    expect(inputs(ours, 'Multiply')).toEqual(['value_1', 'value_2']);
    expect(inputs(kfp, 'Multiply')).toEqual(['add-Output', 'subtract-Output']);
    // Our templates are named after components, kfp's after tasks.
    expect(String(ours.components.get('Add')!.template['name'])).toBe('add');
    expect(ours.components.get('Add')!.tasks).toEqual(['sum']);
  });

  it('deliberate difference: pipeline parameters are read as {{workflow.parameters.x}}, not threaded through the root DAG inputs', () => {
    const params = arr(obj(kfp.spec['arguments'])['parameters']).map((p) => ({ name: p['name'] }));
    expect(kfp.root['inputs']).toEqual({ parameters: params });
    expect(ours.root['inputs']).toBeUndefined();
    const sumArgs = arr(obj(arr(obj(ours.root['dag'])['tasks']).find((t) => t['name'] === 'sum')?.['arguments'])['parameters']);
    expect(sumArgs.map((p) => p['value'])).toEqual(['{{workflow.parameters.value_1}}', '{{workflow.parameters.value_2}}']);
  });

  it('deliberate difference: the default image is python:3.11 (kfp: python:3.7)', () => {
    for (const c of COMPONENTS) {
      expect(obj(ours.components.get(c)!.template['container'])['image']).toBe('python:3.11');
      expect(obj(kfp.components.get(c)!.template['container'])['image']).toBe('python:3.7');
    }
  });

  it('deliberate difference: no timestamp annotation (and no kfp_sdk_version annotation or labels)', () => {
    const ann = (w: WorkflowView): Obj => obj(obj(w.wf['metadata'])['annotations']);
    expect(ann(kfp)).toHaveProperty(['pipelines.kubeflow.org/pipeline_compilation_time']);
    expect(ann(ours)).not.toHaveProperty(['pipelines.kubeflow.org/pipeline_compilation_time']);
    expect(ann(ours)).not.toHaveProperty(['pipelines.kubeflow.org/kfp_sdk_version']);
    expect(oursText).not.toMatch(/kfp_sdk_version|compilation_time/);
  });

  it('deliberate difference: examples/add.kfp has docstrings, so descriptions differ (the tutorial has none)', () => {
    expect(pipelineSpec(kfp)).not.toHaveProperty('description');
    expect(pipelineSpec(ours)['description']).toBe('Adds, subtracts and multiplies two numbers.');
    for (const c of COMPONENTS) {
      expect(DESCRIPTION.exec(kfp.components.get(c)!.program)?.[2]).toBe("''");
      expect(DESCRIPTION.exec(ours.components.get(c)!.program)?.[2]).toMatch(/^'Returns the \w+ of two integers.*\.'$/);
    }
  });
});
