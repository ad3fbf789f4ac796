/**
 * `kfpdsl run` of a KFP v2 pipeline spec: one compiled from a .kfp file by `--target kfp-v2`,
 * or a spec YAML given as the file (`kfpdsl run pipeline.yaml`, e.g. one that `kfpdsl build
 * --target kfp-v2` wrote). The spec is checked for what the local run cannot carry out
 * (src/run/v2/check.ts), each problem a KFP0112 located in the YAML, and is then run by the
 * v2 executor (src/run/v2/executor.ts).
 */
import { yamlErrorMessage } from '../check/yaml-error.js';
import YAML from 'yaml';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrPipeline, IrType } from '../ir/ir.js';
import type { CompileResult } from '../compile.js';
import { pipelineK8sName } from '../names.js';
import { arr, isObj, obj, str, type Obj } from '../run/spec.js';
import { checkV2Spec } from '../run/v2/check.js';
import { runPipelineSpec } from '../run/v2/executor.js';
import { specGraph } from '../run/v2/graph.js';
import { isPipelineSpec, readV2Spec, type V2Spec } from '../run/v2/spec.js';
import { paramText, type ParamValue } from '../run/v2/values.js';
import { SourceFile, type Span } from '../source.js';
import type { Preparation, PreparedRun } from './run-prepare.js';
import { pipRequirements, WITHOUT_PIP, type PipelineParam, type PipStep, type StoreRef } from './run-inputs.js';
import type { TaskRef, TaskShape } from './run-report.js';
import type { UiArtifacts } from './run-ui-outputs.js';

/** A file `kfpdsl run` reads as a pipeline spec rather than as a .kfp source. */
export const isSpecPath = (path: string): boolean => /\.ya?ml$/i.test(path);

/** `kfpdsl run SPEC.yaml`. */
export function prepareSpecFile(source: SourceFile): Preparation {
  const parsed = parseSpec(source);
  if ('diagnostics' in parsed) return parsed;
  return v2Run(source, parsed.docs, undefined);
}

/** `kfpdsl run --target kfp-v2 FILE.kfp`: the spec the v2 backend emitted for the pipeline. */
export function prepareCompiledSpec(kfp: SourceFile, compiled: CompileResult, pipeline: IrPipeline, emitted: string): Preparation {
  // Problems point into the spec as built (a construct kfpdsl emits always runs; this guards that).
  const spec = new SourceFile(`${kfp.path} (built for kfp-v2)`, emitted);
  const parsed = parseSpec(spec);
  if ('diagnostics' in parsed) return parsed;
  const prepared = v2Run(spec, parsed.docs, { kfp, compiled, pipeline });
  return prepared;
}

/** Whether the first document is recognisably a pipeline spec (its parse however broken): only then is the file quoted. */
function looksLikeSpec(docs: readonly YAML.Document.Parsed[]): boolean {
  const first = docs[0]?.contents;
  return YAML.isMap(first) && (first.has('root') || first.has('deploymentSpec') || first.has('pipelineInfo'));
}

function parseSpec(source: SourceFile): { docs: YAML.Document.Parsed[] } | Exclude<Preparation, { run: PreparedRun }> {
  const docs = YAML.parseAllDocuments(source.text, { uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    const e = d.errors[0];
    if (e) {
      // Only a file recognisably a pipeline spec is quoted: `kfpdsl run secrets.yaml` by mistake
      // must not print the secrets' line (nor YAML's message, which may quote a key or an alias).
      if (!looksLikeSpec(list)) {
        return refuse(source, [diag('V2NotRunnable', `${source.path} is not valid YAML (line ${source.positionAt(e.pos[0]).line}), nor a KFP v2 pipeline spec`, {
          file: new SourceFile(source.path, ''),
          hint: 'kfpdsl run takes a .kfp file, or the YAML that `kfpdsl build --target kfp-v2` (or KFP v2\'s compiler) writes; the content of other files is not shown',
        })]);
      }
      return refuse(source, [diag('V2NotRunnable', `${source.path} is not YAML: ${yamlErrorMessage(e.message)}`, { file: source, span: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) } })]);
    }
    try {
      // Converted once here, where a failure is the file's: aliases past the `yaml` package's cap
      // (a "billion laughs") throw, which was an internal error.
      d.toJS();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const file = looksLikeSpec(list) ? source : new SourceFile(source.path, '');
      return refuse(source, [diag('V2NotRunnable', `${source.path} cannot be read: ${yamlErrorMessage(message)}`, { file, span: { start: d.range[0], end: d.range[0] + 1 }, hint: 'a pipeline spec uses few YAML aliases (`*name`), if any; this file expands them past what is read' })]);
    }
  }
  if (list.length === 0 || !isPipelineSpec(list[0]!.toJS())) {
    return refuse(source, [
      diag('V2NotRunnable', `${source.path} is not a KFP v2 pipeline spec (it has no \`root\` DAG and \`deploymentSpec\`)`, {
        file: source,
        hint: 'kfpdsl run takes a .kfp file, or the YAML that `kfpdsl build --target kfp-v2` (or KFP v2\'s compiler) writes',
      }),
    ]);
  }
  return { docs: list };
}

function refuse(source: SourceFile, diagnostics: Diagnostic[]): Exclude<Preparation, { run: PreparedRun }> {
  const n = diagnostics.length;
  return { diagnostics, exitCode: 1, summary: `${n} problem${n > 1 ? 's' : ''} in ${source.path} for a local run; nothing was run` };
}

/** The span of the YAML node at `path` (or of its nearest ancestor that is there). */
function spanAt(doc: YAML.Document.Parsed, path: readonly (string | number)[]): Span | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (YAML.isNode(node) && node.range) return { start: node.range[0], end: node.range[1] };
  }
  return undefined;
}

const IR_TYPES: Record<string, IrType> = { NUMBER_INTEGER: 'int', NUMBER_DOUBLE: 'float', STRING: 'str', BOOLEAN: 'bool', LIST: 'list', STRUCT: 'dict' };

interface FromKfp {
  readonly kfp: SourceFile;
  readonly compiled: CompileResult;
  readonly pipeline: IrPipeline;
}

function v2Run(source: SourceFile, docs: YAML.Document.Parsed[], from: FromKfp | undefined): Preparation {
  const spec = readV2Spec(docs.map((d) => d.toJS() as unknown));
  const problems = checkV2Spec(spec);
  if (problems.length > 0) {
    return refuse(
      source,
      problems.map((p) => {
        const span = spanAt(docs[0]!, p.path);
        return diag('V2NotRunnable', p.message, {
          file: source,
          ...(span ? { span } : {}),
          hint: from ? 'run it with --target kfp-v1, which runs the same pipeline as an Argo Workflow' : 'run it on Kubeflow Pipelines 2.x (`kfpdsl upload`), or run its .kfp source with kfpdsl run',
        });
      }),
    );
  }
  const pip = stripPip(spec);
  const defs = obj(obj(spec.root['inputDefinitions'])['parameters']);
  const params: PipelineParam[] = Object.entries(defs).map(([name, d]) => {
    const def = obj(d)['defaultValue'];
    return { name, ...(def !== undefined ? { value: paramText(def as ParamValue) } : {}) };
  });
  const types = from ? new Map(from.pipeline.params.map((p) => [p.name, p.type])) : new Map(Object.entries(defs).map(([n, d]) => [n, IR_TYPES[str(obj(d)['parameterType']) ?? ''] ?? 'str']));
  const program = from?.compiled.program;
  return {
    run: {
      title: from?.pipeline.displayName ?? spec.name,
      k8sName: from ? pipelineK8sName(from.pipeline.displayName) : pipelineK8sName(spec.name),
      file: from?.kfp ?? source,
      decl: from && program ? from.compiled.document?.pipelines[program.pipelines.indexOf(from.pipeline)] : undefined,
      params,
      types,
      refs: storeRefsV2(spec),
      pip,
      specFile: 'pipeline.yaml',
      text: source.text,
      shape: new SpecShape(spec),
      uiOf: uiArtifactsV2(spec),
      graph: specGraph(spec, from?.pipeline.displayName ?? spec.name),
      document: from?.compiled.document,
      program,
      execute: (o) => runPipelineSpec({ ...o, spec }),
    },
  };
}

/** The executors whose command starts with the pip prefix: taken out here, as for the v1 target (run.ts installs the packages). */
function stripPip(spec: V2Spec): PipStep[] {
  const out: PipStep[] = [];
  for (const [label, e] of Object.entries(spec.executors)) {
    const container = obj(obj(e)['container']);
    const requirements = pipRequirements(container['command']);
    if (!requirements) continue;
    (container['command'] as unknown[])[2] = WITHOUT_PIP;
    out.push({ template: label, packages: requirements.join(', '), requirements });
  }
  return out;
}

/**
 * Every secret and config map the platform spec hands to an executor, as env or as files, once
 * per component that runs the executor (a task's "template" is its component: the messages of
 * a task that misses one name it).
 */
function storeRefsV2(spec: V2Spec): StoreRef[] {
  const refs: StoreRef[] = [];
  const name = (o: Obj, field: string): string => str(o[field]) ?? str(obj(obj(o[`${field}Parameter`])['runtimeValue'])['constant']) ?? '';
  for (const [template, c] of Object.entries(spec.components)) {
    const k = obj(spec.kubernetes[str(obj(c)['executorLabel']) ?? '']);
    for (const s of arr(k['secretAsEnv']).map(obj)) for (const e of arr(s['keyToEnv']).map(obj)) refs.push({ kind: 'secret', name: name(s, 'secretName'), key: str(e['secretKey']) ?? '', optional: s['optional'] === true, template });
    for (const c of arr(k['configMapAsEnv']).map(obj)) for (const e of arr(c['keyToEnv']).map(obj)) refs.push({ kind: 'configMap', name: name(c, 'configMapName'), key: str(e['configMapKey']) ?? '', optional: c['optional'] === true, template });
    for (const s of arr(k['secretAsVolume']).map(obj)) refs.push({ kind: 'secret', name: name(s, 'secretName'), optional: s['optional'] === true, template });
    for (const c of arr(k['configMapAsVolume']).map(obj)) refs.push({ kind: 'configMap', name: name(c, 'configMapName'), optional: c['optional'] === true, template });
  }
  return refs;
}

/** Metrics outputs are the components' `system.Metrics` artifacts (v2 has no UI metadata outputs). */
function uiArtifactsV2(spec: V2Spec): (template: string) => UiArtifacts {
  return (template) => {
    const artifacts = obj(obj(obj(spec.components[template])['outputDefinitions'])['artifacts']);
    const metrics = Object.entries(artifacts).filter(([, d]) => str(obj(obj(d)['artifactType'])['schemaTitle']) === 'system.Metrics').map(([n]) => n);
    return { metrics: new Set(metrics), uiMetadata: new Set() };
  };
}

/** The spec's structure for the progress and the summary: a task's "template" is its component. */
class SpecShape implements TaskShape {
  readonly templates: ReadonlyMap<string, unknown>;
  constructor(private readonly spec: V2Spec) {
    this.templates = new Map(Object.entries(spec.components));
  }

  isLeaf(template: string): boolean {
    const c = this.spec.components[template];
    return isObj(c) && !isObj(c['dag']);
  }

  leavesUnder(template: string, id: string, seen: ReadonlySet<string> = new Set()): TaskRef[] {
    const c = this.spec.components[template];
    if (!isObj(c) || !isObj(c['dag']) || seen.has(template)) return [];
    const inner = new Set([...seen, template]);
    return Object.entries(obj(c['dag']['tasks'])).flatMap(([name, t0]) => {
      const t = obj(t0);
      const ref = str(obj(t['componentRef'])['name']) ?? '';
      const childId = `${id}.${name}`;
      const display = str(obj(t['taskInfo'])['name']) ?? name;
      return this.isLeaf(ref) ? [{ id: childId, name: display, template: ref }] : this.leavesUnder(ref, childId, inner);
    });
  }
}

