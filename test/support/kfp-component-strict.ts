// Strict kfp v1 component.yaml validator, for tests only.
//
// 1. The kfp-1.8-compat JSON schema from ../shared/schemas/kfp-component (draft-06; it accepts
//    all 287 component.yaml files of the kfp 1.8.22 tree), compiled once per process.
// 2. The loader checks that the schema does not model (kfp 1.8.22 `_structures.py`
//    `ComponentSpec._post_init`): unique input and output names; placeholders
//    (inputValue/inputPath/inputUri/isPresent/inputMetadata -> inputs, outputPath/outputUri ->
//    outputs, inputOutputPortName -> either) refer to declared names; `fileOutputs` keys are
//    declared outputs; graph `graphInput` / `outputValues` / `taskOutput.taskId` references resolve.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import _Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import _addFormats from 'ajv-formats';
import { sharedDir } from './argo-strict.js';

const Ajv = _Ajv.default;
const addFormats = _addFormats.default;
const require = createRequire(import.meta.url);

const COMPAT_SCHEMA = resolve(sharedDir, 'schemas', 'kfp-component', 'components.kfp-1.8-compat.json_schema.json');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objOf = (v: unknown): Obj => (isObj(v) ? v : {});
const arrOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

let cached: ValidateFunction | undefined;

function compatValidator(): ValidateFunction {
  if (cached) return cached;
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as Obj);
  addFormats(ajv);
  cached = ajv.compile(JSON.parse(readFileSync(COMPAT_SCHEMA, 'utf8')) as Obj);
  return cached;
}

const INPUT_PLACEHOLDERS = ['inputValue', 'inputPath', 'inputUri', 'isPresent', 'inputMetadata'];
const OUTPUT_PLACEHOLDERS = ['outputPath', 'outputUri'];

function loaderErrors(spec: Obj): string[] {
  const errors: string[] = [];
  const names = (list: unknown, what: string): Set<string> => {
    const seen = new Set<string>();
    for (const item of arrOf(list)) {
      const n = objOf(item)['name'];
      if (typeof n !== 'string') continue;
      if (seen.has(n)) errors.push(`${what}: non-unique ${what.slice(0, -1)} name '${n}'`);
      seen.add(n);
    }
    return seen;
  };
  const inputs = names(spec['inputs'], 'inputs');
  const outputs = names(spec['outputs'], 'outputs');
  const impl = objOf(spec['implementation']);

  const visit = (where: string, arg: unknown): void => {
    if (Array.isArray(arg)) {
      arg.forEach((a, i) => visit(`${where}[${i}]`, a));
      return;
    }
    if (!isObj(arg)) return;
    for (const [k, v] of Object.entries(arg)) {
      if (INPUT_PLACEHOLDERS.includes(k) && typeof v === 'string' && !inputs.has(v)) {
        errors.push(`${where}: {${k}: ${v}} references non-existing input '${v}'`);
      } else if (OUTPUT_PLACEHOLDERS.includes(k) && typeof v === 'string' && !outputs.has(v)) {
        errors.push(`${where}: {${k}: ${v}} references non-existing output '${v}'`);
      } else if (k === 'inputOutputPortName' && typeof v === 'string' && !inputs.has(v) && !outputs.has(v)) {
        errors.push(`${where}: {${k}: ${v}} references non-existing input or output '${v}'`);
      } else if (k === 'concat') {
        visit(`${where}.concat`, v);
      } else if (k === 'if') {
        const s = objOf(v);
        visit(`${where}.if.cond`, s['cond']);
        visit(`${where}.if.then`, s['then']);
        visit(`${where}.if.else`, s['else']);
      }
    }
  };

  const container = objOf(impl['container']);
  visit('implementation.container.image', container['image']);
  visit('implementation.container.command', container['command']);
  visit('implementation.container.args', container['args']);
  for (const [k, v] of Object.entries(objOf(container['env']))) visit(`implementation.container.env.${k}`, v);
  for (const k of Object.keys(objOf(container['fileOutputs']))) {
    if (!outputs.has(k)) errors.push(`implementation.container.fileOutputs: '${k}' references non-existing output`);
  }

  const graph = objOf(impl['graph']);
  const tasks = objOf(graph['tasks']);
  const checkArgument = (where: string, a: unknown): void => {
    const o = objOf(a);
    const gi = objOf(o['graphInput']);
    if (typeof gi['inputName'] === 'string' && !inputs.has(gi['inputName'])) {
      errors.push(`${where}: graphInput references non-existing input '${gi['inputName']}'`);
    }
    const to = objOf(o['taskOutput']);
    if (typeof to['taskId'] === 'string' && !(to['taskId'] in tasks)) {
      errors.push(`${where}: taskOutput references non-existing task '${to['taskId']}'`);
    }
  };
  for (const [tid, task] of Object.entries(tasks)) {
    for (const [an, a] of Object.entries(objOf(objOf(task)['arguments']))) {
      checkArgument(`implementation.graph.tasks.${tid}.arguments.${an}`, a);
    }
  }
  for (const [on, a] of Object.entries(objOf(graph['outputValues']))) {
    if (!outputs.has(on)) errors.push(`implementation.graph.outputValues: '${on}' references non-existing output`);
    checkArgument(`implementation.graph.outputValues.${on}`, a);
  }
  return errors;
}

/** Validate a parsed component.yaml; returns [] when valid. */
export function componentErrors(spec: unknown): string[] {
  const validate = compatValidator();
  const out: string[] = [];
  if (!validate(spec)) {
    for (const e of validate.errors ?? []) {
      const p = e.params as Record<string, unknown>;
      const extra = e.keyword === 'additionalProperties' ? ` (${String(p['additionalProperty'])})` : '';
      out.push(`${e.instancePath || '(root)'}: ${e.message ?? e.keyword}${extra}`);
    }
  }
  if (isObj(spec)) out.push(...loaderErrors(spec));
  return [...new Set(out)];
}
