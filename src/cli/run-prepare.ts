/**
 * What `kfpdsl run` runs, whatever it was given: a .kfp file compiled for a target (the
 * kfp-v1 Argo Workflow, or the KFP v2 pipeline spec: run-v2.ts), or a v2 pipeline spec YAML
 * (run-v2.ts). Each becomes a PreparedRun, the one shape run.ts needs for the rest (arguments,
 * secrets, Python environments, the run directory, progress, report and summary), with the
 * executor that runs it (src/run/executor.ts, or src/run/v2/executor.ts).
 */
import YAML from 'yaml';
import { backendNamed, DEFAULT_TARGET } from '../backends/index.js';
import { entryPipelines } from '../check/pipeline-calls.js';
import { compileSource, type CompileResult } from '../compile.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { buildGraph, lineOfSource, type Graph } from '../graph/graph.js';
import type { IrPipeline, IrProgram, IrType } from '../ir/ir.js';
import { pipelineK8sName } from '../names.js';
import { runWorkflow } from '../run/executor.js';
import type { RunOptions, RunResult } from '../run/types.js';
import type { SourceFile } from '../source.js';
import type { Document, PipelineDecl } from '../syntax/ast.js';
import { UsageError } from './files.js';
import { pipelineParams, pipSteps, skipPackages, storeRefs, type PipelineParam, type PipStep, type StoreRef } from './run-inputs.js';
import { WorkflowShape, type TaskShape } from './run-report.js';
import { uiArtifactsOf, type UiArtifacts } from './run-ui-outputs.js';

export interface PreparedRun {
  /** The pipeline's display name, and its Kubernetes name (the run id's start). */
  readonly title: string;
  readonly k8sName: string;
  /** Where arguments' and packages' diagnostics point: the .kfp file, or the spec. */
  readonly file: SourceFile;
  readonly decl: PipelineDecl | undefined;
  readonly params: readonly PipelineParam[];
  readonly types: ReadonlyMap<string, IrType>;
  readonly refs: readonly StoreRef[];
  readonly pip: readonly PipStep[];
  /** What runs, written into the run directory under `specFile`. */
  readonly specFile: string;
  readonly text: string;
  readonly shape: TaskShape;
  readonly uiOf: (template: string) => UiArtifacts;
  readonly graph: Graph;
  /** The compiled source, when there is one (for packages' diagnostics). */
  readonly document: Document | undefined;
  readonly program: IrProgram | undefined;
  /** Runs it (pip prefixes already taken out: kfpdsl installs the packages itself, or --skip-packages assumes them). */
  readonly execute: (o: Omit<RunOptions, 'workflow'>) => Promise<RunResult>;
}

/** Diagnostics to print (and the exit code), or the run. */
export type Preparation = { run: PreparedRun } | { diagnostics: Diagnostic[]; exitCode: number; summary: string };

export interface KfpRunRequest {
  readonly source: SourceFile;
  readonly root: string | undefined;
  readonly target: string;
  readonly pipeline: string | undefined;
  /** Prints warnings of a compile that went on. */
  readonly warn: (diagnostics: Diagnostic[]) => void;
}

/** Compiles a .kfp file for its target and picks the pipeline to run. */
export function compileForRun(r: KfpRunRequest): { compiled: CompileResult; pipeline: IrPipeline; text: string } | Exclude<Preparation, { run: PreparedRun }> {
  const backend = backendNamed(r.target) ?? backendNamed(DEFAULT_TARGET)!;
  const compiled = compileSource(r.source, { root: r.root, backend });
  if (compiled.diagnostics.length > 0 && !hasErrors(compiled.diagnostics)) r.warn(compiled.diagnostics);
  if (hasErrors(compiled.diagnostics)) {
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error').length;
    const forTarget = r.target !== DEFAULT_TARGET ? ` for --target ${r.target}` : '';
    return { diagnostics: compiled.diagnostics, exitCode: 1, summary: `${errors} error${errors > 1 ? 's' : ''} in ${r.source.path}${forTarget}; nothing was run` };
  }
  const pipeline = choosePipeline(compiled.program?.pipelines ?? [], r.pipeline, r.source.path);
  const emitted = compiled.files.find((f) => f.kind === 'workflow' && f.pipeline === compiled.program!.pipelines.indexOf(pipeline));
  if (!emitted) throw new Error(`no ${r.target} output was emitted for pipeline "${pipeline.displayName}"`);
  return { compiled, pipeline, text: emitted.text };
}

const k8sName = (p: IrPipeline): string => pipelineK8sName(p.displayName);

/** The only pipeline, the one --pipeline names, or the one no other pipeline of the file calls. */
function choosePipeline(pipelines: readonly IrPipeline[], wanted: string | undefined, file: string): IrPipeline {
  if (pipelines.length === 0) throw new UsageError(`${file} defines no pipeline`);
  const listing = pipelines.map((p) => `"${p.displayName}"${k8sName(p) !== p.displayName ? ` (${k8sName(p)})` : ''}`).join(', ');
  if (wanted !== undefined) {
    const named = pipelines.find((p) => p.displayName === wanted || k8sName(p) === wanted);
    if (!named) {
      const hint = didYouMean(wanted, new Set(pipelines.flatMap((p) => [p.displayName, k8sName(p)])));
      throw new UsageError(`${file} has no pipeline named "${wanted}"${hint ? `; ${hint}` : ''} (it defines ${listing})`);
    }
    return named;
  }
  if (pipelines.length === 1) return pipelines[0]!;
  // A file with sub-pipelines: the one pipeline no other calls is the one to run.
  const entries = entryPipelines([...pipelines]);
  if (entries.length !== 1) throw new UsageError(`${file} defines ${pipelines.length} pipelines; choose one with --pipeline NAME: ${listing}`);
  return entries[0]!;
}

/** A .kfp pipeline as the kfp-v1 (or plain argo) target's Argo Workflow, run by the Argo executor. */
export function argoRun(source: SourceFile, compiled: CompileResult, pipeline: IrPipeline, emitted: string): PreparedRun {
  // The workflow as emitted, with the pip prefix stripped in this run only: kfpdsl installs
  // the packages into a virtual environment itself (or --skip-packages assumes them).
  const pip = pipSteps(YAML.parse(emitted));
  const text = pip.length > 0 ? skipPackages(emitted, pip) : emitted;
  const workflow: unknown = YAML.parse(text);
  const program = compiled.program!;
  return {
    title: pipeline.displayName,
    k8sName: k8sName(pipeline),
    file: source,
    decl: compiled.document?.pipelines[program.pipelines.indexOf(pipeline)],
    params: pipelineParams(workflow),
    types: new Map(pipeline.params.map((p) => [p.name, p.type])),
    refs: storeRefs(workflow),
    pip,
    specFile: 'workflow.yaml',
    text,
    shape: new WorkflowShape(workflow),
    uiOf: uiArtifactsOf(program),
    graph: buildGraph(pipeline, lineOfSource(source)),
    document: compiled.document,
    program,
    execute: (o) => runWorkflow({ ...o, workflow }),
  };
}
