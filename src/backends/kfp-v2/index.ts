/**
 * `--target kfp-v2`: the KFP v2 pipeline spec (`PipelineSpec` as protobuf JSON, in YAML),
 * which Kubeflow Pipelines 2.x uploads and runs. One file per pipeline, holding every
 * component it uses (`components`, `deploymentSpec.executors`) and its DAGs (`root`, and
 * sub-DAG components for `if` and `for`), keys sorted as KFP's compiler writes them.
 *
 * A construct this backend does not lower yet is a located error (KFP5020, KFP5021) that
 * names it and points at `--target kfp-v1`; nothing is written then.
 */
import { stringify } from 'yaml';
import { diag } from '../../diagnostics/catalog.js';
import { hasErrors, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { IrComponent, IrNode, IrPipeline, IrProgram } from '../../ir/ir.js';
import { NameAllocator, sanitizeK8sName } from '../../names.js';
import { VERSION } from '../../version.js';
import type { Backend, BackendOptions, BackendResult, OutputFile } from '../backend.js';
import { DagLowering, type Refusal } from './dag.js';
import { componentKey, lowerComponent, portDefinitions, type JsonObject } from './executors.js';
import { pythonTypeName } from './types.js';

const HINT = 'build this pipeline with `--target kfp-v1` for now (issue 16 tracks the rest of kfp-v2)';

function componentsUsed(nodes: readonly IrNode[], into: Set<string>): Set<string> {
  for (const n of nodes) {
    if (n.kind === 'task') into.add(n.component);
    else if (n.kind === 'branch') {
      n.arms.forEach((a) => componentsUsed(a.body, into));
      if (n.else) componentsUsed(n.else.body, into);
    } else if (n.kind === 'loop') componentsUsed(n.body, into);
  }
  return into;
}

function componentRefusal(c: IrComponent): string | undefined {
  if (c.impl.kind === 'imported') return `the imported component \`${c.name}\` (a kfp v1 component.yaml)`;
  const ui = [...c.inputs, ...c.outputs].find((p) => p.type === 'metrics' || p.type === 'ui_metadata');
  if (ui) return `the \`${ui.type}\` port \`${ui.name}\` of component \`${c.name}\``;
  return undefined;
}

function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v === null || typeof v !== 'object') return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = sortedKeys((v as JsonObject)[k]);
  return out;
}

/** The header KFP's compiler writes: name, description, inputs with defaults. */
function header(p: IrPipeline, name: string): string {
  const lines = ['# PIPELINE DEFINITION', `# Name: ${name}`];
  if (p.description) lines.push(`# Description: ${p.description.split('\n').join('\n#              ')}`);
  if (p.params.length) {
    lines.push('# Inputs:');
    for (const q of p.params) lines.push(`#    ${q.name}: ${pythonTypeName(q.type)}${q.default ? ` [Default: ${JSON.stringify(q.default.const)}]` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** The PipelineSpec of one pipeline, as a plain object (protobuf JSON). */
export function pipelineSpec(program: IrProgram, p: IrPipeline, options: BackendOptions, refuse: (r: Refusal) => void): JsonObject {
  const name = sanitizeK8sName(p.displayName);
  const components: JsonObject = {};
  const executors: JsonObject = {};
  // Per-task copies for executor settings, named as KFP names a component's second use (`comp-x-2`).
  const keys = new NameAllocator();
  program.components.forEach((c) => keys.reserve(componentKey(c.name)));
  const variants = new Map<string, string>();
  const variant = (c: IrComponent, patch: JsonObject): string => {
    const id = `${c.name}\0${JSON.stringify(patch)}`;
    let key = variants.get(id);
    if (key === undefined) {
      key = keys.unique(componentKey(c.name));
      variants.set(id, key);
      const lowered = lowerComponent(c, options.sourcePathOf(c.origin.file ?? options.file.path));
      components[`comp-${key}`] = { ...lowered.spec, executorLabel: `exec-${key}` };
      const base = lowered.executor.container as JsonObject;
      const env = [...((base.env as unknown[] | undefined) ?? []), ...((patch.env as unknown[] | undefined) ?? [])];
      const container = { ...base, ...patch, ...(env.length ? { env } : {}) };
      executors[`exec-${key}`] = { container };
    }
    return `comp-${key}`;
  };
  const lowering = new DagLowering(p, program.components, refuse, variant);
  const { root, dagComponents } = lowering.lower();
  const used = componentsUsed(p.body, new Set());
  for (const c of program.components) {
    if (!used.has(c.name)) continue;
    const why = componentRefusal(c);
    if (why) {
      refuse({ what: 'type', detail: why, span: c.origin });
      continue;
    }
    const lowered = lowerComponent(c, options.sourcePathOf(c.origin.file ?? options.file.path));
    components[`comp-${componentKey(c.name)}`] = lowered.spec;
    executors[`exec-${componentKey(c.name)}`] = lowered.executor;
  }
  for (const [key, spec] of dagComponents) components[key] = spec;
  const params = portDefinitions(
    p.params.map((q) => ({ name: q.name, type: q.type, optional: q.default !== undefined, ...(q.default ? { default: q.default } : {}) })),
    true,
  );
  return {
    components,
    deploymentSpec: { executors },
    pipelineInfo: { name, ...(p.description ? { description: p.description } : {}) },
    root: { ...root, ...(params ? { inputDefinitions: params } : {}) },
    schemaVersion: '2.1.0',
    sdkVersion: `kfpdsl-${VERSION}`,
  };
}

export function lowerToKfpV2(program: IrProgram, options: BackendOptions): BackendResult {
  const diagnostics: Diagnostic[] = [];
  const files: OutputFile[] = [];
  const files_ = options.files;
  program.pipelines.forEach((p, i) => {
    const refuse = (r: Refusal): void => {
      const file = (r.span.file !== undefined ? files_?.get(r.span.file) : undefined) ?? options.file;
      const code = r.what === 'type' ? 'KfpV2UnsupportedType' : 'KfpV2NotSupported';
      diagnostics.push(diag(code, `--target kfp-v2 does not support ${r.detail} yet`, { file, span: { start: r.span.start, end: r.span.end }, hint: HINT }));
    };
    const spec = pipelineSpec(program, p, options, refuse);
    if (options.checkOnly || hasErrors(diagnostics)) return;
    const name = (spec.pipelineInfo as JsonObject).name as string;
    const text = header(p, name) + stringify(sortedKeys(spec), { lineWidth: 0, aliasDuplicateObjects: false, indentSeq: false });
    files.push({ path: `${name}.yaml`, kind: 'workflow', text, pipeline: i });
  });
  return { files: options.checkOnly || hasErrors(diagnostics) ? [] : files, diagnostics };
}

export const kfpV2Backend: Backend = {
  name: 'kfp-v2',
  description: 'Kubeflow Pipelines v2: the pipeline spec (schemaVersion 2.1.0) that KFP 2.x uploads and runs (first slice: see README)',
  lower: lowerToKfpV2,
};
