// Schemas and validators: our hand-written schemas (schemas/*.json) through the generated ajv
// standalone validators, and the strict test-only oracles built on ../shared.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  validateArgoWorkflow,
  validateIr,
  validateKfpComponent,
  type ValidateFn,
} from '../src/generated/validators.js';
import { haveShared, shared, sharedDir, strictArgoErrors } from './support/argo-strict.js';
import { componentErrors } from './support/kfp-component-strict.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const anchors = resolve(sharedDir, 'anchors', 'kfp-v1');

function parseYaml(path: string): unknown {
  return YAML.parse(readFileSync(path, 'utf8'), { version: '1.1' }) as unknown;
}

/** ajv errors rendered as `instancePath message (param)` strings, for readable assertions. */
function schemaErrors(validate: ValidateFn, data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String(e.params['additionalProperty'])})`
        : e.keyword === 'required'
          ? ` (${String(e.params['missingProperty'])})`
          : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
  });
}

// -------------------------------------------------------------------------------------------
// A small, valid, kfp-like workflow: one container template, one DAG template calling it twice.

type Json = Record<string, any>;

function validWorkflow(): Json {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      generateName: 'add-pipeline-',
      annotations: { 'pipelines.kubeflow.org/kfp_sdk_version': '1.8.22' },
      labels: { 'pipelines.kubeflow.org/kfp_sdk_version': '1.8.22' },
    },
    spec: {
      entrypoint: 'add-pipeline',
      templates: [
        {
          name: 'add',
          container: {
            image: 'python:3.7',
            command: ['sh', '-ec', 'python3 -u -c "$0" "$@"', 'print(1)'],
            args: ['--a', '{{inputs.parameters.a}}', '--b', '{{inputs.parameters.b}}', '----output-paths', '/tmp/outputs/Output/data'],
            env: [{ name: 'MODE', value: 'fast' }],
            resources: { limits: { cpu: 1, memory: '1Gi' } },
          },
          inputs: { parameters: [{ name: 'a' }, { name: 'b', default: '2' }] },
          outputs: {
            parameters: [{ name: 'add-Output', valueFrom: { path: '/tmp/outputs/Output/data' } }],
            artifacts: [{ name: 'add-Output', path: '/tmp/outputs/Output/data' }],
          },
          metadata: {
            labels: { 'pipelines.kubeflow.org/enable_caching': 'true' },
            annotations: { 'pipelines.kubeflow.org/arguments.parameters': '{"a": "{{inputs.parameters.a}}"}' },
          },
          retryStrategy: { limit: 3, retryPolicy: 'OnFailure', backoff: { duration: '2m', factor: 2 } },
        },
        {
          name: 'add-pipeline',
          inputs: { parameters: [{ name: 'x' }] },
          parallelism: 2,
          dag: {
            tasks: [
              {
                name: 'add',
                template: 'add',
                arguments: { parameters: [{ name: 'a', value: '{{inputs.parameters.x}}' }] },
              },
              {
                name: 'add-2',
                template: 'add',
                dependencies: ['add'],
                when: '{{tasks.add.outputs.parameters.add-Output}} > 1',
                arguments: {
                  parameters: [
                    { name: 'a', value: '{{tasks.add.outputs.parameters.add-Output}}' },
                    { name: 'b', value: '{{workflow.parameters.x}}' },
                  ],
                },
              },
            ],
          },
        },
      ],
      arguments: { parameters: [{ name: 'x', value: '1' }] },
      serviceAccountName: 'pipeline-runner',
    },
  };
}

function variant(mutate: (wf: Json) => void): Json {
  const wf = validWorkflow();
  mutate(wf);
  return wf;
}

/** Broken variants both our schema and strictArgoErrors must reject, with the expected error. */
const brokenBoth: { name: string; wf: Json; schema: RegExp; strict: RegExp }[] = [
  {
    name: 'typo key containr',
    wf: variant((wf) => {
      const t = wf['spec'].templates[0];
      t.containr = t.container;
      delete t.container;
    }),
    schema: /^\/spec\/templates\/0 must NOT have additional properties \(containr\)$/,
    strict: /^templates\[add\]: must NOT have additional properties \(containr\)$/,
  },
  {
    name: 'upper-case template name',
    wf: variant((wf) => {
      wf['spec'].templates[0].name = 'Add';
      for (const t of wf['spec'].templates[1].dag.tasks) t.template = 'Add';
    }),
    schema: /^\/spec\/templates\/0\/name must match pattern/,
    strict: /^templates\[Add\]\.name: 'Add' has upper-case letters/,
  },
  {
    name: 'parallelism: 0',
    wf: variant((wf) => {
      wf['spec'].templates[1].parallelism = 0;
    }),
    schema: /^\/spec\/templates\/1\/parallelism must be >= 1$/,
    strict: /^templates\[add-pipeline\]\.parallelism: must be an integer >= 1/,
  },
  {
    name: 'generateName too long',
    wf: variant((wf) => {
      wf['metadata'].generateName = `${'a'.repeat(58)}-`;
    }),
    schema: /^\/metadata\/generateName must NOT have more than 58 characters$/,
    strict: /^metadata\.generateName: must be no more than 58 characters/,
  },
  {
    name: "bad parameter name 'a b'",
    wf: variant((wf) => {
      wf['spec'].arguments.parameters[0].name = 'a b';
    }),
    schema: /^\/spec\/arguments\/parameters\/0\/name must match pattern/,
    strict: /^arguments\.parameters\[a b\]\.name: 'a b' is invalid/,
  },
  {
    name: 'numeric parameter value',
    wf: variant((wf) => {
      wf['spec'].arguments.parameters[0].value = 1;
    }),
    schema: /^\/spec\/arguments\/parameters\/0\/value must be string$/,
    strict: /^arguments\.parameters\[x\]\.value: must be string$/,
  },
];

/** Broken variants only the semantic checks of strictArgoErrors can see. */
const brokenStrictOnly: { name: string; wf: Json; strict: RegExp }[] = [
  {
    name: 'dangling {{inputs.parameters.nope}}',
    wf: variant((wf) => {
      wf['spec'].templates[0].container.args.push('{{inputs.parameters.nope}}');
    }),
    strict: /^templates\[add\]: \{\{inputs\.parameters\.nope\}\} does not refer to a declared input parameter/,
  },
  {
    name: 'dependency on an unknown task',
    wf: variant((wf) => {
      wf['spec'].templates[1].dag.tasks[1].dependencies = ['add', 'nope'];
    }),
    strict: /^templates\[add-pipeline\]\.dag\.tasks\[add-2\]: dependency 'nope' not defined$/,
  },
  {
    name: 'dependency cycle',
    wf: variant((wf) => {
      wf['spec'].templates[1].dag.tasks[0].dependencies = ['add-2'];
    }),
    strict: /^templates\[add-pipeline\]\.dag\.tasks: dependency cycle detected: /,
  },
  {
    name: 'task calls an unknown template',
    wf: variant((wf) => {
      wf['spec'].templates[1].dag.tasks[0].template = 'nope';
    }),
    strict: /^templates\[add-pipeline\]\.dag\.tasks\[add\]\.template: template name 'nope' undefined$/,
  },
  {
    name: 'reference to an output the called template does not declare',
    wf: variant((wf) => {
      wf['spec'].templates[1].dag.tasks[1].when = '{{tasks.add.outputs.parameters.nope}} > 1';
    }),
    strict: /\{\{tasks\.add\.outputs\.parameters\.nope\}\} refers to output parameter 'nope'/,
  },
  {
    name: 'required input not supplied by the task',
    wf: variant((wf) => {
      wf['spec'].templates[1].dag.tasks[0].arguments = {};
    }),
    strict: /^templates\[add-pipeline\]\.dag\.tasks\[add\]: input parameter 'a' of template 'add' is not supplied/,
  },
  {
    name: 'undeclared workflow parameter',
    wf: variant((wf) => {
      wf['spec'].templates[1].dag.tasks[1].arguments.parameters[1].value = '{{workflow.parameters.y}}';
    }),
    strict: /\{\{workflow\.parameters\.y\}\} does not refer to a parameter in spec\.arguments\.parameters/,
  },
];

// -------------------------------------------------------------------------------------------

describe('src/generated/*.validator.js', () => {
  // That they match their generator is test/generated.test.ts's job.
  it('are plain ESM with no require() and no ajv-formats dependency', () => {
    for (const name of ['argo-workflow', 'kfp-component', 'kfp-ir']) {
      const js = readFileSync(resolve(repoRoot, 'src', 'generated', `${name}.validator.js`), 'utf8');
      expect(js.startsWith('// GENERATED by scripts/gen-validators.mjs')).toBe(true);
      expect(js).not.toMatch(/\brequire\(/);
      expect(js).not.toMatch(/ajv-formats/);
    }
    expect(typeof validateArgoWorkflow).toBe('function');
    expect(typeof validateKfpComponent).toBe('function');
    expect(typeof validateIr).toBe('function');
  });
});

describe('schemas/argo-workflow.schema.json (generated validator)', () => {
  it('accepts a small kfp-like workflow', () => {
    expect(schemaErrors(validateArgoWorkflow, validWorkflow())).toEqual([]);
  });

  it.each(brokenBoth.map((b) => [b.name, b] as const))('rejects: %s', (_name, b) => {
    const errs = schemaErrors(validateArgoWorkflow, b.wf);
    expect(errs.some((e) => b.schema.test(e)), errs.join('\n')).toBe(true);
  });

  it('rejects two template types and a parallelism on a container template', () => {
    const both = variant((wf) => {
      wf['spec'].templates[0].dag = { tasks: [{ name: 'x', template: 'add' }] };
    });
    expect(schemaErrors(validateArgoWorkflow, both)).toContain('/spec/templates/0 must match exactly one schema in oneOf');
    const par = variant((wf) => {
      wf['spec'].templates[0].parallelism = 2;
    });
    expect(schemaErrors(validateArgoWorkflow, par)).toContain('/spec/templates/0 must have required property \'dag\' (dag)');
  });

  it('does not see cross-references (those are strictArgoErrors territory)', () => {
    for (const b of brokenStrictOnly) {
      expect(schemaErrors(validateArgoWorkflow, b.wf), b.name).toEqual([]);
    }
  });

  describe.skipIf(shared.missing)(shared.title('kfp probes that use only the emitted subset'), () => {
    const files = ['probe_control_flow', 'probe_mini', 'probe_naming', 'probe_op_settings', 'probe_python_components'];
    it.each(files)('accepts %s.yaml', (f) => {
      expect(schemaErrors(validateArgoWorkflow, parseYaml(resolve(anchors, 'probes', `${f}.yaml`)))).toEqual([]);
    });
  });
});

describe.skipIf(shared.missing)(shared.title('strictArgoErrors (Argo v4.1.2 schema, patched and closed, + validate.go rules)'), () => {
  it('accepts the small kfp-like workflow', () => {
    expect(strictArgoErrors(validWorkflow())).toEqual([]);
  });

  it.each(brokenBoth.map((b) => [b.name, b] as const))('rejects: %s', (_name, b) => {
    const errs = strictArgoErrors(b.wf);
    expect(errs.some((e) => b.strict.test(e)), errs.join('\n')).toBe(true);
  });

  it.each(brokenStrictOnly.map((b) => [b.name, b] as const))('rejects: %s', (_name, b) => {
    const errs = strictArgoErrors(b.wf);
    expect(errs.some((e) => b.strict.test(e)), errs.join('\n')).toBe(true);
  });

  // kfp 1.8 emits `parallelism: 0` on ParallelFor templates; Argo >= 4.0 (full CRDs) rejects it.
  // Those files must fail for that reason only; every other kfp output must pass.
  const dirs = ['probes', 'regenerated', 'golden', 'samples'];
  const workflows = haveShared
    ? dirs.flatMap((d) =>
        readdirSync(resolve(anchors, d))
          .filter((f) => f.endsWith('.yaml') && !f.endsWith('.component.yaml'))
          .sort()
          .map((f) => `${d}/${f}`),
      )
    : [];

  it('finds the kfp probes', () => {
    expect(workflows.filter((w) => w.startsWith('probes/probe_')).length).toBeGreaterThanOrEqual(7);
  });

  it.each(workflows)('%s: valid, or rejected only for parallelism: 0', (rel) => {
    const path = resolve(anchors, rel);
    const text = readFileSync(path, 'utf8');
    const errs = strictArgoErrors(parseYaml(path));
    if (/^\s*parallelism: 0$/m.test(text)) {
      expect(errs.length).toBeGreaterThan(0);
      for (const e of errs) expect(e).toMatch(/^templates\[[^\]]+\]\.parallelism: must be an integer >= 1 \(got 0;/);
    } else {
      expect(errs).toEqual([]);
    }
  });
});

// -------------------------------------------------------------------------------------------

const generatedComponents = haveShared
  ? readdirSync(resolve(anchors, 'probes'))
      .filter((f) => f.startsWith('generated_') && f.endsWith('.component.yaml'))
      .sort()
  : [];
const upstreamComponents = haveShared
  ? readdirSync(resolve(anchors, 'components'))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
  : [];

function smallComponent(): Json {
  return {
    name: 'Add',
    inputs: [{ name: 'a', type: 'Float' }, { name: 'b', type: 'Float', default: '1', optional: true }],
    outputs: [{ name: 'Output', type: 'Float' }],
    implementation: {
      container: {
        image: 'python:3.7',
        command: ['python3', '-c', 'print(1)'],
        args: [
          '--a',
          { inputValue: 'a' },
          { if: { cond: { isPresent: 'b' }, then: ['--b', { inputValue: 'b' }] } },
          { concat: ['--out=', { outputPath: 'Output' }] },
        ],
      },
    },
  };
}

describe('schemas/kfp-component.schema.json (generated validator)', () => {
  it('accepts a small component with every placeholder kind', () => {
    expect(schemaErrors(validateKfpComponent, smallComponent())).toEqual([]);
  });

  it('rejects an unknown key', () => {
    const c = smallComponent();
    c['implementation'].container.entrypoint = ['x'];
    expect(schemaErrors(validateKfpComponent, c)).toContain('/implementation/container must NOT have additional properties (entrypoint)');
  });

  it('rejects a bad placeholder', () => {
    const c = smallComponent();
    c['implementation'].container.args.push({ inputValu: 'a' });
    const errs = schemaErrors(validateKfpComponent, c);
    expect(errs).toContain('/implementation/container/args/4 must match exactly one schema in oneOf');
  });

  it('requires a name', () => {
    const c = smallComponent();
    delete c['name'];
    expect(schemaErrors(validateKfpComponent, c)).toContain('/ must have required property \'name\' (name)');
  });

  describe.skipIf(shared.missing)(shared.title('kfp-generated components'), () => {
    it('finds the 5 generated_*.component.yaml probes', () => {
      expect(generatedComponents).toHaveLength(5);
    });
    it.each(generatedComponents)('accepts probes/%s', (f) => {
      expect(schemaErrors(validateKfpComponent, parseYaml(resolve(anchors, 'probes', f)))).toEqual([]);
    });
  });
});

describe.skipIf(shared.missing)(shared.title('componentErrors (kfp 1.8 compat schema + loader checks)'), () => {
  it('finds the 13 upstream components', () => {
    expect(upstreamComponents).toHaveLength(13);
  });

  it.each(upstreamComponents)('accepts components/%s', (f) => {
    expect(componentErrors(parseYaml(resolve(anchors, 'components', f)))).toEqual([]);
  });

  it.each(generatedComponents)('accepts probes/%s', (f) => {
    expect(componentErrors(parseYaml(resolve(anchors, 'probes', f)))).toEqual([]);
  });

  it('accepts the small component', () => {
    expect(componentErrors(smallComponent())).toEqual([]);
  });

  it('rejects an unknown key and a bad placeholder', () => {
    const c = smallComponent();
    c['implementation'].container.entrypoint = ['x'];
    c['implementation'].container.args.push({ inputValu: 'a' });
    const errs = componentErrors(c);
    expect(errs).toContain('/implementation/container: must NOT have additional properties (entrypoint)');
    expect(errs.some((e) => e.startsWith('/implementation/container/args/4: '))).toBe(true);
  });

  it('rejects placeholders naming undeclared inputs/outputs and duplicate names', () => {
    const c = smallComponent();
    c['implementation'].container.args.push({ inputValue: 'nope' }, { concat: [{ outputPath: 'missing' }] });
    c['inputs'].push({ name: 'a' });
    c['implementation'].container.fileOutputs = { other: '/tmp/x' };
    expect(componentErrors(c)).toEqual([
      "inputs: non-unique input name 'a'",
      "implementation.container.args[4]: {inputValue: nope} references non-existing input 'nope'",
      "implementation.container.args[5].concat[0]: {outputPath: missing} references non-existing output 'missing'",
      "implementation.container.fileOutputs: 'other' references non-existing output",
    ]);
  });
});

it('shared folder location: ../shared, or $KFPDSL_SHARED', () => {
  expect(sharedDir).toBe(process.env['KFPDSL_SHARED'] ? resolve(process.env['KFPDSL_SHARED']) : resolve(repoRoot, '..', 'shared'));
  expect(haveShared).toBe(existsSync(sharedDir));
});
