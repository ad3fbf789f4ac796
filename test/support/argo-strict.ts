// Strict Argo Workflow validator, for tests only.
//
// Two layers:
//  1. The published Argo v4.1.2 JSON schema (read from ../shared at test time), patched as
//     described in shared/schemas/argo-workflows/README.md: IntOrString -> string|integer,
//     Quantity -> string|number, and every definition with `properties` closed with
//     `additionalProperties: false` (what `argo lint` / `argo submit --strict` enforce).
//  2. Rules the schema lacks, checked in code: the v4 full CRD (name patterns, maxLength 128,
//     parallelism >= 1), Kubernetes object-meta rules (generateName, labels) and Argo
//     `workflow/validate/validate.go` (unique names, template types, DAG references and cycles,
//     variable resolution, argument/input matching), plus the run-time pod-name rule
//     (upper-case template names, argo-workflows#9670).
//
// Error strings look like `templates[add].container: must NOT have additional properties (containr)`.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import _Ajv2020, { _ } from 'ajv/dist/2020.js';
import _standaloneCode from 'ajv/dist/standalone/index.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import _addFormats from 'ajv-formats';
import { requirement, type Requirement } from './requirements.js';

const Ajv2020 = _Ajv2020.default;
const addFormats = _addFormats.default;
const standaloneCode = _standaloneCode.default;

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');

/**
 * Absolute path of the shared research folder: `<repo>/../shared`, or $KFPDSL_SHARED (a git
 * worktree elsewhere can point at the same folder).
 */
export const sharedDir: string = process.env['KFPDSL_SHARED'] ? resolve(process.env['KFPDSL_SHARED']) : resolve(repoRoot, '..', 'shared');
/** Whether the shared folder is present (tests that need it are skipped otherwise, saying why). */
export const haveShared: boolean = existsSync(sharedDir);
/** For `describe.skipIf(shared.missing)(shared.title('…'), …)`: the title says why when skipped. */
export const shared: Requirement = requirement(haveShared, `${sharedDir} (reference material, read-only) is absent; set KFPDSL_SHARED to its path`);

const ARGO_SCHEMA = resolve(sharedDir, 'schemas', 'argo-workflows', 'v4.1.2', 'schema.json');
const WORKFLOW_DEF = 'io.argoproj.workflow.v1alpha1.Workflow';

// ---------------------------------------------------------------------------------------------
// Small helpers for walking untyped data.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function objOf(v: unknown): Obj {
  return isObj(v) ? v : {};
}
function arrOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function strOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function namesOf(list: unknown): string[] {
  return arrOf(list)
    .map((x) => strOf(objOf(x)['name']))
    .filter((x): x is string => x !== undefined);
}

// ---------------------------------------------------------------------------------------------
// Layer 1: the patched, closed Argo schema (compiled once per process).

let cachedValidator: ValidateFunction | undefined;
let compileMs = 0;

/** Milliseconds spent compiling the shared Argo schema (0 until the first call). */
export function argoSchemaCompileMs(): number {
  return compileMs;
}

/**
 * Compiling the Argo schema takes seconds (2-3 idle, 6 on a busy machine), and every test file
 * that validates strictly would compile it again (vitest isolates files). So the compiled
 * validator is kept as code (ajv's standalone mode) in node_modules/.cache, keyed by a hash
 * of the schema, this file and the ajv versions: the same validator, compiled once per change.
 */
function argoSchemaValidator(): ValidateFunction {
  if (cachedValidator) return cachedValidator;
  const t0 = performance.now();
  const schemaText = readFileSync(ARGO_SCHEMA, 'utf8');
  const key = createHash('sha256')
    .update(schemaText)
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(readFileSync(resolve(repoRoot, 'package-lock.json')))
    .digest('hex')
    .slice(0, 16);
  const cacheFile = resolve(repoRoot, 'node_modules', '.cache', 'kfpdsl-test', `argo-strict-${key}.cjs`);
  if (!existsSync(cacheFile)) {
    const { ajv, validate } = newArgoAjv(schemaText);
    const code = standaloneCode(ajv, validate);
    mkdirSync(dirname(cacheFile), { recursive: true });
    // Written aside, then renamed: test files in parallel may race to write the same file.
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, cacheFile);
  }
  const v = createRequire(import.meta.url)(cacheFile) as ValidateFunction & { default?: ValidateFunction };
  cachedValidator = v.default ?? v;
  compileMs = performance.now() - t0;
  return cachedValidator;
}

function newArgoAjv(schemaText: string): { ajv: InstanceType<typeof Ajv2020>; validate: ValidateFunction } {
  const schema = JSON.parse(schemaText) as Obj & { $id: string };
  const defs = objOf(schema['definitions']);
  defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { type: ['string', 'integer'] };
  defs['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { type: ['string', 'number'] };
  for (const def of Object.values(defs)) {
    if (isObj(def) && 'properties' in def && !('additionalProperties' in def)) {
      def['additionalProperties'] = false;
    }
  }
  const ajv = new Ajv2020({
    strict: true,
    allowUnionTypes: true,
    allErrors: true,
    // The generated code takes its formats from ajv-formats and this one uint64 check.
    code: { source: true, formats: _`Object.assign({}, require("ajv-formats/dist/formats").fullFormats, { uint64: { type: "number", validate: (n) => Number.isInteger(n) && n >= 0 } })` },
  });
  for (const k of [
    'x-kubernetes-group-version-kind',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-patch-strategy',
    'x-kubernetes-patch-merge-key',
    'x-kubernetes-unions',
  ]) {
    ajv.addKeyword(k);
  }
  addFormats(ajv);
  ajv.addFormat('uint64', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
  ajv.addSchema(schema);
  const validate = ajv.getSchema(`${schema.$id}#/definitions/${WORKFLOW_DEF}`);
  if (!validate) throw new Error(`argo-strict: ${WORKFLOW_DEF} not found in ${ARGO_SCHEMA}`);
  return { ajv, validate };
}

/** Render a JSON pointer as `templates[add].container` (array items by their `name`). */
function displayPath(root: unknown, pointer: string): string {
  if (pointer === '') return '(root)';
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  let cur: unknown = root;
  for (const p of parts) {
    if (Array.isArray(cur)) {
      const i = Number(p);
      const item: unknown = cur[i];
      const name = strOf(objOf(item)['name']);
      out += name !== undefined ? `[${name}]` : `[${i}]`;
      cur = item;
    } else {
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? (out ? `.${p}` : p) : `[${JSON.stringify(p)}]`;
      cur = objOf(cur)[p];
    }
  }
  return out.startsWith('spec.') ? out.slice('spec.'.length) : out;
}

function formatAjvError(root: unknown, e: ErrorObject): string {
  const where = displayPath(root, e.instancePath);
  const p = e.params as Record<string, unknown>;
  let extra = '';
  if (e.keyword === 'additionalProperties') extra = ` (${String(p['additionalProperty'])})`;
  else if (e.keyword === 'enum') extra = ` (${JSON.stringify(p['allowedValues'])})`;
  else if (e.keyword === 'const') extra = ` (${JSON.stringify(p['allowedValue'])})`;
  return `${where}: ${e.message ?? e.keyword}${extra}`;
}

// ---------------------------------------------------------------------------------------------
// Layer 2: rules checked in code.

const TEMPLATE_TYPES = [
  'container',
  'script',
  'resource',
  'dag',
  'steps',
  'suspend',
  'containerSet',
  'data',
  'http',
  'plugin',
] as const;

const FIELD_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/; // workflowFieldNameFmt
const FIELD_MAX = 128; // workflowFieldMaxLength
const PARAM_NAME = /^[-a-zA-Z0-9_]+$/; // paramOrArtifactNameRegex
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const MAX_GENERATED_NAME = 58; // k8s names.MaxGeneratedNameLength
const MAX_OBJECT_NAME = 63; // argo maxCharsInObjectName
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ANNOTATIONS_MAX_BYTES = 256 * 1024;
const ARTIFACT_LOCATIONS = [
  'from',
  'fromExpression',
  'raw',
  's3',
  'gcs',
  'git',
  'http',
  'artifactory',
  'hdfs',
  'oss',
  'azure',
  'plugin',
];

interface Ctx {
  errors: string[];
  templates: Map<string, Obj>;
  workflowParams: Set<string>;
}

type Where = string;

function templateTypes(t: Obj): string[] {
  return TEMPLATE_TYPES.filter((k) => t[k] !== undefined && t[k] !== null);
}

function checkUniqueNames(ctx: Ctx, where: Where, list: unknown, kind: 'field' | 'param'): void {
  const seen = new Set<string>();
  arrOf(list).forEach((item, i) => {
    const name = strOf(objOf(item)['name']);
    if (name === undefined || name === '') {
      ctx.errors.push(`${where}[${i}].name: is required`);
      return;
    }
    if (kind === 'param') {
      if (!PARAM_NAME.test(name)) {
        ctx.errors.push(`${where}[${name}].name: '${name}' is invalid: must match ${PARAM_NAME.source}`);
      }
    } else {
      if (!FIELD_NAME.test(name)) {
        ctx.errors.push(`${where}[${name}].name: '${name}' is invalid: must match ${FIELD_NAME.source}`);
      }
      if (name.length > FIELD_MAX) {
        ctx.errors.push(`${where}[${name}].name: must be no more than ${FIELD_MAX} characters (has ${name.length})`);
      }
    }
    if (seen.has(name)) ctx.errors.push(`${where}[${name}].name: '${name}' is not unique`);
    seen.add(name);
  });
}

function checkLabelsAndAnnotations(ctx: Ctx, where: Where, meta: Obj): void {
  const labels = objOf(meta['labels']);
  for (const [k, v] of Object.entries(labels)) {
    const slash = k.lastIndexOf('/');
    const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
    const name = slash >= 0 ? k.slice(slash + 1) : k;
    if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
      ctx.errors.push(`${where}.labels[${JSON.stringify(k)}]: key prefix must be a DNS-1123 subdomain`);
    }
    if (name.length > 63 || !LABEL_NAME.test(name)) {
      ctx.errors.push(`${where}.labels[${JSON.stringify(k)}]: key name must be <= 63 characters matching ${LABEL_NAME.source}`);
    }
    if (typeof v === 'string' && (v.length > 63 || !LABEL_VALUE.test(v))) {
      ctx.errors.push(`${where}.labels[${JSON.stringify(k)}]: value must be <= 63 characters matching ${LABEL_VALUE.source}`);
    }
  }
  let size = 0;
  for (const [k, v] of Object.entries(objOf(meta['annotations']))) {
    size += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (size > ANNOTATIONS_MAX_BYTES) {
    ctx.errors.push(`${where}.annotations: total size ${size} bytes exceeds ${ANNOTATIONS_MAX_BYTES}`);
  }
}

function checkParallelism(ctx: Ctx, where: Where, owner: Obj): void {
  if (!('parallelism' in owner)) return;
  const p = owner['parallelism'];
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1) {
    const at = where ? `${where}.parallelism` : 'parallelism';
    ctx.errors.push(`${at}: must be an integer >= 1 (got ${JSON.stringify(p)}; Argo >= 4.0 CRD minimum 1)`);
  }
}

// ---- {{...}} variable references -----------------------------------------------------------

interface Scope {
  /** Name of the template being checked. */
  tmplName: string;
  inputParams: Set<string>;
  inputArtifacts: Set<string>;
  /** Sibling DAG tasks (by name), when inside a DAG template. */
  tasks?: Map<string, Obj>;
  /** Tasks whose outputs may be referenced (ancestors of the current task); undefined = any sibling. */
  ancestors?: Set<string>;
  /** Whether `{{item...}}` resolves (task with withItems/withParam). */
  items?: boolean;
}

/** Visit every string (keys and values) in `v`, like Argo's resolution over the JSON text. */
function eachString(v: unknown, fn: (s: string) => void): void {
  if (typeof v === 'string') fn(v);
  else if (Array.isArray(v)) for (const x of v) eachString(x, fn);
  else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      fn(k);
      eachString(x, fn);
    }
  }
}

const TAG = /\{\{([\s\S]*?)\}\}/g;

function checkTags(ctx: Ctx, where: Where, v: unknown, scope: Scope): void {
  const seen = new Set<string>();
  eachString(v, (s) => {
    for (const m of s.matchAll(TAG)) {
      const tag = (m[1] ?? '').trim();
      if (tag.startsWith('=') || seen.has(tag)) continue; // expression tags are not checked here
      seen.add(tag);
      const problem = tagProblem(ctx, tag, scope);
      if (problem) ctx.errors.push(`${where}: {{${tag}}} ${problem}`);
    }
  });
}

function tagProblem(ctx: Ctx, tag: string, scope: Scope): string | undefined {
  if (tag.startsWith('inputs.parameters.')) {
    const name = tag.slice('inputs.parameters.'.length);
    return scope.inputParams.has(name)
      ? undefined
      : `does not refer to a declared input parameter of template '${scope.tmplName}'`;
  }
  if (tag.startsWith('inputs.artifacts.')) {
    const rest = tag.slice('inputs.artifacts.'.length);
    const name = rest.endsWith('.path') ? rest.slice(0, -'.path'.length) : rest;
    return scope.inputArtifacts.has(name)
      ? undefined
      : `does not refer to a declared input artifact of template '${scope.tmplName}'`;
  }
  if (tag.startsWith('workflow.parameters.')) {
    const name = tag.slice('workflow.parameters.'.length);
    return ctx.workflowParams.has(name) ? undefined : `does not refer to a parameter in spec.arguments.parameters`;
  }
  if (tag === 'item' || tag.startsWith('item.')) {
    return scope.items ? undefined : 'used outside a task with withItems/withParam';
  }
  if (tag.startsWith('tasks.')) {
    if (!scope.tasks) return 'used outside a DAG template';
    const m = /^tasks\.([^.]+)\.(.*)$/.exec(tag);
    if (!m) return undefined;
    const taskName = m[1] ?? '';
    const rest = m[2] ?? '';
    const task = scope.tasks.get(taskName);
    if (!task) return `refers to '${taskName}', which is not a task of DAG template '${scope.tmplName}'`;
    if (scope.ancestors && !scope.ancestors.has(taskName)) {
      return `refers to task '${taskName}', which is not an ancestor (dependency) of this task: it would not resolve at run time`;
    }
    const called = ctx.templates.get(strOf(task['template']) ?? '');
    if (!called) return undefined; // reported elsewhere
    const outputs = objOf(called['outputs']);
    const out = /^outputs\.(parameters|artifacts)\.(.+)$/.exec(rest);
    if (out) {
      const kind = out[1] as 'parameters' | 'artifacts';
      const name = out[2] ?? '';
      if (!namesOf(outputs[kind]).includes(name)) {
        return `refers to output ${kind === 'parameters' ? 'parameter' : 'artifact'} '${name}', which template '${String(
          task['template'],
        )}' (task '${taskName}') does not declare`;
      }
    }
    return undefined;
  }
  return undefined;
}

// ---- arguments vs inputs ---------------------------------------------------------------------

function checkArgumentsAgainstInputs(
  ctx: Ctx,
  where: Where,
  args: Obj,
  target: Obj,
  targetName: string,
  opts: { extraArgsAllowed: boolean; requireArgValues: boolean },
): void {
  const inputs = objOf(target['inputs']);
  const inParams = arrOf(inputs['parameters']).map(objOf);
  const inArts = arrOf(inputs['artifacts']).map(objOf);
  const inParamNames = new Set(namesOf(inParams));
  const inArtNames = new Set(namesOf(inArts));
  const argParams = arrOf(args['parameters']).map(objOf);
  const argArts = arrOf(args['artifacts']).map(objOf);
  const argParamNames = new Set(namesOf(argParams));
  const argArtNames = new Set(namesOf(argArts));

  for (const p of argParams) {
    const name = strOf(p['name']);
    if (name === undefined) continue;
    if (!opts.extraArgsAllowed && !inParamNames.has(name)) {
      ctx.errors.push(`${where}.arguments.parameters[${name}]: template '${targetName}' has no input parameter '${name}'`);
    }
    if (opts.requireArgValues && p['value'] === undefined && p['valueFrom'] === undefined) {
      ctx.errors.push(`${where}.arguments.parameters[${name}]: value is required`);
    }
  }
  for (const a of argArts) {
    const name = strOf(a['name']);
    if (name === undefined) continue;
    if (!opts.extraArgsAllowed && !inArtNames.has(name)) {
      ctx.errors.push(`${where}.arguments.artifacts[${name}]: template '${targetName}' has no input artifact '${name}'`);
    }
    if (opts.requireArgValues && !ARTIFACT_LOCATIONS.some((k) => a[k] !== undefined)) {
      ctx.errors.push(`${where}.arguments.artifacts[${name}]: from, raw or an artifact location is required`);
    }
  }
  for (const p of inParams) {
    const name = strOf(p['name']);
    if (name === undefined) continue;
    if (p['value'] === undefined && p['default'] === undefined && p['valueFrom'] === undefined && !argParamNames.has(name)) {
      ctx.errors.push(`${where}: input parameter '${name}' of template '${targetName}' is not supplied (no argument, no default)`);
    }
  }
  for (const a of inArts) {
    const name = strOf(a['name']);
    if (name === undefined) continue;
    const hasOwnSource = a['optional'] === true || ARTIFACT_LOCATIONS.some((k) => a[k] !== undefined);
    if (!hasOwnSource && !argArtNames.has(name)) {
      ctx.errors.push(`${where}: input artifact '${name}' of template '${targetName}' is not supplied`);
    }
  }
}

// ---- DAG ----------------------------------------------------------------------------------------

function taskDependencies(task: Obj): string[] {
  const deps = arrOf(task['dependencies']).filter((d): d is string => typeof d === 'string');
  const depends = strOf(task['depends']);
  if (depends) {
    for (const tok of depends.replace(/&&|\|\||!|\(|\)/g, ' ').split(/\s+/)) {
      if (!tok) continue;
      const dot = tok.indexOf('.');
      deps.push(dot >= 0 ? tok.slice(0, dot) : tok);
    }
  }
  return deps;
}

function checkDag(ctx: Ctx, tw: Where, t: Obj, tname: string, inputParams: Set<string>, inputArtifacts: Set<string>): void {
  const dag = objOf(t['dag']);
  const tasksList = arrOf(dag['tasks']).map(objOf);
  if (tasksList.length === 0) ctx.errors.push(`${tw}.dag.tasks: must have at least one task`);
  checkUniqueNames(ctx, `${tw}.dag.tasks`, tasksList, 'field');

  const tasks = new Map<string, Obj>();
  for (const task of tasksList) {
    const n = strOf(task['name']);
    if (n !== undefined && !tasks.has(n)) tasks.set(n, task);
  }
  const deps = new Map<string, string[]>();
  for (const [n, task] of tasks) deps.set(n, taskDependencies(task));
  const usesDeps = tasksList.some((x) => x['dependencies'] !== undefined || x['depends'] !== undefined);
  const usesDepends = tasksList.some((x) => x['depends'] !== undefined);

  for (const [n, task] of tasks) {
    const w = `${tw}.dag.tasks[${n}]`;
    if (usesDeps && /^[0-9]/.test(n)) {
      ctx.errors.push(`${w}: name cannot begin with a digit when using either 'depends' or 'dependencies'`);
    }
    if (usesDepends && task['dependencies'] !== undefined) {
      ctx.errors.push(`${w}: cannot use both 'depends' and 'dependencies' in the same DAG template`);
    }
    if (usesDepends && task['continueOn'] !== undefined) {
      ctx.errors.push(`${w}: cannot use 'continueOn' when using 'depends'`);
    }
    for (const d of deps.get(n) ?? []) {
      if (!tasks.has(d)) ctx.errors.push(`${w}: dependency '${d}' not defined`);
    }
    const loops = ['withItems', 'withParam', 'withSequence'].filter((k) => task[k] !== undefined);
    if (loops.length > 1) ctx.errors.push(`${w}: only one of withItems, withParam, withSequence can be specified`);

    const tref = strOf(task['template']);
    if (tref === undefined) {
      if (task['templateRef'] === undefined && task['inline'] === undefined) {
        ctx.errors.push(`${w}: template is required`);
      }
      continue;
    }
    const called = ctx.templates.get(tref);
    if (!called) {
      ctx.errors.push(`${w}.template: template name '${tref}' undefined`);
      continue;
    }
    checkArgumentsAgainstInputs(ctx, w, objOf(task['arguments']), called, tref, {
      extraArgsAllowed: false,
      requireArgValues: true,
    });
  }

  // Cycles (depth-first search with colours).
  const colour = new Map<string, 1 | 2>();
  const reported = new Set<string>();
  const visit = (n: string, path: string[]): void => {
    const c = colour.get(n);
    if (c === 2) return;
    if (c === 1) {
      const cycle = [...path.slice(path.indexOf(n)), n].join('->');
      if (!reported.has(n)) ctx.errors.push(`${tw}.dag.tasks: dependency cycle detected: ${cycle}`);
      reported.add(n);
      return;
    }
    colour.set(n, 1);
    for (const d of deps.get(n) ?? []) if (tasks.has(d)) visit(d, [...path, n]);
    colour.set(n, 2);
  };
  for (const n of tasks.keys()) visit(n, []);

  // Ancestors (transitive dependencies), for variable scope.
  const ancestorsOf = (n: string): Set<string> => {
    const out = new Set<string>();
    const stack = [...(deps.get(n) ?? [])];
    while (stack.length) {
      const d = stack.pop() as string;
      if (out.has(d) || !tasks.has(d)) continue;
      out.add(d);
      stack.push(...(deps.get(d) ?? []));
    }
    return out;
  };

  for (const [n, task] of tasks) {
    checkTags(ctx, `${tw}.dag.tasks[${n}]`, task, {
      tmplName: tname,
      inputParams,
      inputArtifacts,
      tasks,
      ancestors: ancestorsOf(n),
      items: task['withItems'] !== undefined || task['withParam'] !== undefined || task['withSequence'] !== undefined,
    });
  }
  // The rest of the DAG template (outputs, metadata, ...): any sibling task may be referenced.
  const rest: Obj = { ...t, dag: { ...dag, tasks: undefined } };
  checkTags(ctx, tw, rest, { tmplName: tname, inputParams, inputArtifacts, tasks });

  for (const p of arrOf(objOf(t['outputs'])['parameters']).map(objOf)) {
    const vf = objOf(p['valueFrom']);
    if (p['value'] === undefined && vf['parameter'] === undefined && vf['expression'] === undefined) {
      ctx.errors.push(`${tw}.outputs.parameters[${String(p['name'])}]: valueFrom.parameter or expression must be specified for dag templates`);
    }
  }
}

// ---- templates ------------------------------------------------------------------------------

function checkTemplate(ctx: Ctx, t: Obj, index: number): void {
  const tname = strOf(t['name']) ?? `#${index}`;
  const tw = `templates[${tname}]`;
  const types = templateTypes(t);
  if (types.length === 0) {
    ctx.errors.push(`${tw}: template type unspecified: choose exactly one of ${TEMPLATE_TYPES.join(', ')}`);
  } else if (types.length > 1) {
    ctx.errors.push(`${tw}: multiple template types specified (${types.join(', ')}): choose exactly one`);
  }
  const type = types[0];
  if (/[A-Z]/.test(tname)) {
    ctx.errors.push(`${tw}.name: '${tname}' has upper-case letters: pod names '<workflow>-<template>-<hash>' would be invalid at run time (argo-workflows#9670)`);
  }
  checkParallelism(ctx, tw, t);
  if (t['parallelism'] !== undefined && type !== undefined && type !== 'dag' && type !== 'steps') {
    ctx.errors.push(`${tw}.parallelism: is only valid for steps and dag templates`);
  }

  const inputs = objOf(t['inputs']);
  const outputs = objOf(t['outputs']);
  checkUniqueNames(ctx, `${tw}.inputs.parameters`, inputs['parameters'], 'param');
  checkUniqueNames(ctx, `${tw}.inputs.artifacts`, inputs['artifacts'], 'param');
  checkUniqueNames(ctx, `${tw}.outputs.parameters`, outputs['parameters'], 'param');
  checkUniqueNames(ctx, `${tw}.outputs.artifacts`, outputs['artifacts'], 'param');
  checkLabelsAndAnnotations(ctx, `${tw}.metadata`, objOf(t['metadata']));

  const isLeaf = type !== undefined && type !== 'dag' && type !== 'steps';
  for (const a of arrOf(inputs['artifacts']).map(objOf)) {
    const an = String(a['name']);
    if (a['from'] !== undefined) ctx.errors.push(`${tw}.inputs.artifacts[${an}].from: not valid in inputs`);
    if (isLeaf && (type === 'container' || type === 'script') && a['path'] === undefined) {
      ctx.errors.push(`${tw}.inputs.artifacts[${an}].path: not specified`);
    }
    if (!isLeaf && a['path'] !== undefined) {
      ctx.errors.push(`${tw}.inputs.artifacts[${an}].path: only valid in container/script templates`);
    }
  }
  for (const a of arrOf(outputs['artifacts']).map(objOf)) {
    const an = String(a['name']);
    if ((type === 'container' || type === 'script') && a['path'] === undefined) {
      ctx.errors.push(`${tw}.outputs.artifacts[${an}].path: not specified`);
    }
    if (!isLeaf && a['path'] !== undefined) {
      ctx.errors.push(`${tw}.outputs.artifacts[${an}].path: only valid in container/script templates`);
    }
  }
  for (const p of arrOf(outputs['parameters']).map(objOf)) {
    if (p['value'] === undefined && p['valueFrom'] === undefined) {
      ctx.errors.push(`${tw}.outputs.parameters[${String(p['name'])}]: does not have valueFrom or value specified`);
    }
    if ((type === 'container' || type === 'script') && p['valueFrom'] !== undefined && objOf(p['valueFrom'])['path'] === undefined) {
      ctx.errors.push(`${tw}.outputs.parameters[${String(p['name'])}].valueFrom.path: must be specified for ${type} templates`);
    }
  }
  if (type === 'container' && !strOf(objOf(t['container'])['image'])) {
    ctx.errors.push(`${tw}.container.image: may not be empty`);
  }
  if (type === 'resource') {
    const action = strOf(objOf(t['resource'])['action']);
    if (action && !['get', 'create', 'apply', 'delete', 'replace', 'patch'].includes(action)) {
      ctx.errors.push(`${tw}.resource.action: must be one of get, create, apply, delete, replace, patch`);
    }
  }

  const inputParams = new Set(namesOf(inputs['parameters']));
  const inputArtifacts = new Set(namesOf(inputs['artifacts']));
  if (type === 'dag') {
    checkDag(ctx, tw, t, tname, inputParams, inputArtifacts);
  } else if (type === 'steps') {
    arrOf(t['steps']).forEach((group, gi) => {
      checkUniqueNames(ctx, `${tw}.steps[${gi}]`, group, 'field');
      for (const step of arrOf(group).map(objOf)) {
        const tref = strOf(step['template']);
        if (tref !== undefined && !ctx.templates.has(tref)) {
          ctx.errors.push(`${tw}.steps[${gi}][${String(step['name'])}].template: template name '${tref}' undefined`);
        }
      }
    });
  } else {
    checkTags(ctx, tw, t, { tmplName: tname, inputParams, inputArtifacts });
  }
}

function checkSemantics(wf: unknown): string[] {
  const errors: string[] = [];
  if (!isObj(wf)) return ['(root): must be an object'];
  const meta = objOf(wf['metadata']);
  const spec = objOf(wf['spec']);

  // metadata
  const name = strOf(meta['name']);
  const gen = strOf(meta['generateName']);
  if (!name && !gen) errors.push('metadata: name or generateName is required');
  if (name !== undefined) {
    if (!DNS1123_SUBDOMAIN.test(name)) errors.push(`metadata.name: '${name}' must be a lower-case DNS-1123 subdomain`);
    if (name.length > MAX_OBJECT_NAME) errors.push(`metadata.name: must be no more than ${MAX_OBJECT_NAME} characters`);
  }
  if (gen !== undefined) {
    const masked = gen.endsWith('-') ? `${gen.slice(0, -1)}a` : gen;
    if (!DNS1123_SUBDOMAIN.test(masked)) {
      errors.push(`metadata.generateName: '${gen}' must be a lower-case DNS-1123 name (trailing '-' allowed)`);
    }
    if (gen.length > MAX_GENERATED_NAME) {
      errors.push(`metadata.generateName: must be no more than ${MAX_GENERATED_NAME} characters (has ${gen.length}; Kubernetes truncates the base)`);
    }
  }
  const ctx: Ctx = { errors, templates: new Map(), workflowParams: new Set() };
  checkLabelsAndAnnotations(ctx, 'metadata', meta);

  // spec
  const templates = arrOf(spec['templates']).map(objOf);
  checkUniqueNames(ctx, 'templates', templates, 'field');
  for (const t of templates) {
    const n = strOf(t['name']);
    if (n !== undefined && !ctx.templates.has(n)) ctx.templates.set(n, t);
  }
  checkParallelism(ctx, '', spec);
  const args = objOf(spec['arguments']);
  checkUniqueNames(ctx, 'arguments.parameters', args['parameters'], 'param');
  checkUniqueNames(ctx, 'arguments.artifacts', args['artifacts'], 'param');
  for (const n of namesOf(args['parameters'])) ctx.workflowParams.add(n);

  const entry = strOf(spec['entrypoint']);
  if (entry === undefined || entry === '') {
    errors.push('entrypoint: is required');
  } else {
    const t = ctx.templates.get(entry);
    if (!t) errors.push(`entrypoint: template name '${entry}' undefined`);
    else checkArgumentsAgainstInputs(ctx, 'entrypoint', args, t, entry, { extraArgsAllowed: true, requireArgValues: false });
  }
  const onExit = strOf(spec['onExit']);
  if (onExit !== undefined) {
    const t = ctx.templates.get(onExit);
    if (!t) errors.push(`onExit: template name '${onExit}' undefined`);
    else checkArgumentsAgainstInputs(ctx, 'onExit', args, t, onExit, { extraArgsAllowed: true, requireArgValues: false });
  }
  templates.forEach((t, i) => checkTemplate(ctx, t, i));
  return errors;
}

// ---------------------------------------------------------------------------------------------

/**
 * Validate a parsed Workflow (JSON-like object) against the patched, closed Argo v4.1.2 schema
 * and the semantic rules above. Returns [] when valid.
 */
export function strictArgoErrors(workflow: unknown): string[] {
  const validate = argoSchemaValidator();
  const out: string[] = [];
  if (!validate(workflow)) {
    for (const e of validate.errors ?? []) out.push(formatAjvError(workflow, e));
  }
  out.push(...checkSemantics(workflow));
  return [...new Set(out)];
}
