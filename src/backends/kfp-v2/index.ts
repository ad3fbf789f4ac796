/**
 * `--target kfp-v2`: the KFP v2 pipeline spec (`PipelineSpec` as protobuf JSON, in YAML),
 * which Kubeflow Pipelines 2.x uploads and runs. One file per pipeline, holding every
 * component it uses (`components`, `deploymentSpec.executors`) and its DAGs (`root`, and
 * sub-DAG components for `if`, `for`, `finally` and pipeline calls), keys sorted as KFP's compiler writes
 * them; when any task has Kubernetes settings, the platform spec follows as a second
 * document (`platforms.kubernetes`). A call of another pipeline is a sub-DAG component
 * holding a copy of that pipeline (pipeline-parts.ts, assemble.ts).
 *
 * A construct KFP v2 cannot express is a located error (KFP5020, KFP5021) that names it,
 * says why, and points at `--target kfp-v1`; nothing is written then.
 */
import { diag } from '../../diagnostics/catalog.js';
import { hasErrors, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { commentLine } from '../../emit/comment.js';
import { verifyRendered } from '../../emit/verify.js';
import { toYaml } from '../../emit/yaml.js';
import type { IrComponent, IrPipeline, IrProgram } from '../../ir/ir.js';
import { sanitizeK8sName } from '../../names.js';
import { VERSION } from '../../version.js';
import type { Backend, BackendOptions, BackendResult, OutputFile } from '../backend.js';
import type { Refusal } from './dag.js';
import { lowerComponent, NoV2Form, type JsonObject, type LoweredComponent } from './executors.js';
import { pipelineParts } from './pipeline-parts.js';
import { parameterType, pythonTypeName } from './types.js';

const HINT = 'build this pipeline with `--target kfp-v1` (the Argo Workflow of Kubeflow Pipelines 1.x), which expresses it';

function componentRefusal(c: IrComponent): string | undefined {
  if (c.impl.kind === 'imported' && c.impl.graphRefs) return `the imported graph component \`${c.name}\` (its tasks' components are not loaded)`;
  const ui = [...c.inputs, ...c.outputs].find((p) => p.type === 'ui_metadata');
  if (ui) return `the \`ui_metadata\` port \`${ui.name}\` of component \`${c.name}\` (kfp v1's output viewers; KFP v2 has none)`;
  return undefined;
}

/**
 * Keys sorted, into objects without a prototype: a struct default's keys are user text, and
 * `__proto__` assigned to a plain object would set its prototype instead of making a key.
 */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v === null || typeof v !== 'object') return v;
  const out = Object.create(null) as JsonObject;
  for (const k of Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = sortedKeys((v as JsonObject)[k]);
  return out;
}

/**
 * The header KFP's compiler writes: name, description, inputs with defaults, outputs (a file by
 * its artifact type). User text (a description, a default) goes through `commentLine`, which
 * escapes what would end the comment for a YAML 1.1 reader (CR, NEL, U+2028) or what Go
 * rejects in a stream (controls, DEL): a description holding `\r` must not become YAML.
 */
function header(p: IrPipeline, name: string): string {
  const lines = ['# PIPELINE DEFINITION', commentLine(`Name: ${name}`)];
  if (p.description) lines.push(...p.description.split('\n').map((l, i) => commentLine(`${i === 0 ? 'Description: ' : '             '}${l}`)));
  if (p.params.length) {
    lines.push('# Inputs:');
    for (const q of p.params) lines.push(commentLine(`   ${q.name}: ${pythonTypeName(q.type)}${q.default ? ` [Default: ${JSON.stringify(q.default.const)}]` : ''}`));
  }
  if (p.outputs?.length) {
    lines.push('# Outputs:');
    const sorted = [...p.outputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const o of sorted) lines.push(`#    ${o.name}: ${'collect' in o.value ? 'list' : parameterType(o.type) ? pythonTypeName(o.type) : o.type === 'metrics' ? 'system.Metrics' : 'system.Artifact'}`);
  }
  return lines.join('\n') + '\n';
}

/** The pipeline's documents: the PipelineSpec and, when any executor has Kubernetes settings, the PlatformSpec. */
export interface V2Documents {
  readonly spec: JsonObject;
  readonly platform?: JsonObject;
}

/** The PipelineSpec (and PlatformSpec) of one pipeline, as plain objects (protobuf JSON). */
export function pipelineDocuments(program: IrProgram, p: IrPipeline, options: BackendOptions, refuse: (r: Refusal) => void): V2Documents {
  const name = sanitizeK8sName(p.displayName);
  const lowered = new Map<string, LoweredComponent | undefined>();
  const lowerOnce = (c: IrComponent): LoweredComponent | undefined => {
    if (!lowered.has(c.name)) {
      const why = componentRefusal(c);
      let l: LoweredComponent | undefined;
      if (why) refuse({ what: 'type', detail: why, span: c.origin });
      else {
        try {
          l = lowerComponent(c, options.sourcePathOf(c.origin.file ?? options.file.path));
        } catch (e) {
          if (!(e instanceof NoV2Form)) throw e;
          refuse({ what: 'type', detail: `${e.message} in component \`${c.name}\``, span: c.origin });
        }
      }
      lowered.set(c.name, l);
    }
    return lowered.get(c.name);
  };
  const { parts, pipelineConfig: config } = pipelineParts({ program, refuse, lowered: lowerOnce }, p);
  const spec: JsonObject = {
    components: Object.fromEntries(parts.components),
    deploymentSpec: { executors: Object.fromEntries(parts.executors) },
    pipelineInfo: { name, ...(p.description ? { description: p.description } : {}) },
    root: parts.root,
    schemaVersion: '2.1.0',
    sdkVersion: `kfpdsl-${VERSION}`,
  };
  const platformExecutors = Object.fromEntries(parts.platform);
  const hasExecutors = Object.keys(platformExecutors).length > 0;
  if (!hasExecutors && !Object.keys(config).length) return { spec };
  // The second document, as KFP's compiler writes it when kfp-kubernetes set anything.
  const kubernetes: JsonObject = {
    ...(hasExecutors ? { deploymentSpec: { executors: platformExecutors } } : {}),
    ...(Object.keys(config).length ? { pipelineConfig: config } : {}),
  };
  return { spec, platform: { platforms: { kubernetes } } };
}

export function lowerToKfpV2(program: IrProgram, options: BackendOptions): BackendResult {
  const diagnostics: Diagnostic[] = [];
  const files: OutputFile[] = [];
  const files_ = options.files;
  // A called pipeline is lowered with each pipeline that calls it (and on its own): what it
  // cannot express is said once.
  const said = new Set<string>();
  program.pipelines.forEach((p, i) => {
    const refuse = (r: Refusal): void => {
      const file = (r.span.file !== undefined ? files_?.get(r.span.file) : undefined) ?? options.file;
      const code = r.what === 'integer' ? 'IntegerTooLarge' : r.what === 'type' ? 'KfpV2UnsupportedType' : r.what === 'too-large' ? 'WorkflowTooLarge' : 'KfpV2NotSupported';
      const key = `${code}\u0000${file.path}\u0000${r.span.start}\u0000${r.span.end}\u0000${r.detail}`;
      if (said.has(key)) return;
      said.add(key);
      const span = { start: r.span.start, end: r.span.end };
      if (r.what === 'too-large') {
        // KFP runs the spec as one Argo workflow: past 1 MiB, Argo refuses it, whatever the target.
        diagnostics.push(diag(code, `the kfp-v2 spec would be too large: ${r.detail}`, { file, span, severity: 'error', hint: 'KFP v2 runs the spec as one Argo workflow, refused over 1 MiB: call the pipeline from fewer places, or build with --target kfp-v1, where each called pipeline is one template however often it is called' }));
        return;
      }
      const message = r.what === 'integer' ? r.detail : `--target kfp-v2 cannot express ${r.detail}`;
      diagnostics.push(diag(code, message, { file, span, hint: r.hint ?? HINT }));
    };
    const { spec, platform } = pipelineDocuments(program, p, options, refuse);
    if (options.checkOnly || hasErrors(diagnostics)) return;
    const name = (spec.pipelineInfo as JsonObject).name as string;
    // Written by the one YAML writer of every target (src/emit/yaml.ts), so that Go's yaml.v2
    // (the KFP API server), PyYAML and JS read the same values, and checked as the Argo
    // targets' output is: each document parsed back must hold exactly what was lowered.
    const documents: string[] = [];
    for (const [what, doc] of [[`pipeline "${p.displayName}"`, spec], [`the platform spec of pipeline "${p.displayName}"`, platform]] as const) {
      if (!doc) continue;
      const sorted = sortedKeys(doc);
      const v = verifyRendered(toYaml(sorted), sorted, what, () => [], options.file, options.verify);
      diagnostics.push(...v.diagnostics);
      if (v.text !== undefined) documents.push(v.text);
    }
    if (hasErrors(diagnostics)) return;
    const text = header(p, name) + documents.join('---\n');
    files.push({ path: `${name}.yaml`, kind: 'workflow', text, pipeline: i });
  });
  return { files: options.checkOnly || hasErrors(diagnostics) ? [] : files, diagnostics };
}

export const kfpV2Backend: Backend = {
  name: 'kfp-v2',
  description: 'Kubeflow Pipelines v2: the pipeline spec (schemaVersion 2.1.0) and its Kubernetes platform spec, which KFP 2.x uploads and runs',
  lower: lowerToKfpV2,
};
