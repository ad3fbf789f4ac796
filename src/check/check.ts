/**
 * The check phase: AST in, IR and diagnostics out. Name resolution and type checking
 * happen here; if any error is reported, the IR must not be lowered.
 *
 * A program is its source plus the .kfp modules it imports (check-module.ts); every file is
 * reached through the host in the options, never through the file system directly.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrProgram } from '../ir/ir.js';
import { pipelineK8sName } from '../names.js';
import type { SourceFile } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { checkArgoPlaceholders } from './argo-placeholders.js';
import type { ImportOptions } from './check-import.js';
import { ModuleLoader } from './check-module.js';
import { checkPipeline } from './check-pipeline.js';
import { CheckContext } from './context.js';
import { checkPipelineCalls, withPipelines } from './pipeline-calls.js';
import { importedPipelines } from './imported-pipelines.js';
import { graphComponents } from './graph-components.js';
import { calledNames, declareScope, programComponents } from './scope.js';

export type CheckOptions = ImportOptions;

/** The source's own path with links resolved, for finding cycles back to it; the path itself when the host does not hold it (an unsaved buffer). */
function realPathOf(doc: ast.Document, options: CheckOptions): string {
  const requested = options.host.resolveImport(doc.file.path, doc.file.path.split(/[\\/]/).pop()!);
  try {
    return options.host.realPath(requested);
  } catch {
    return requested;
  }
}

export interface CheckResult {
  program: IrProgram;
  diagnostics: Diagnostic[];
  /** The program's files (the source and its modules) by the path IR spans name (IrSpan.file). */
  files: ReadonlyMap<string, SourceFile>;
}

export function check(doc: ast.Document, options: CheckOptions): CheckResult {
  const ctx = new CheckContext(doc.file);
  const loader = new ModuleLoader(options, doc.file, () => realPathOf(doc, options));
  const scope = declareScope(ctx, doc, loader);
  checkArgoPlaceholders(ctx, doc);
  const called = calledNames(doc);
  const { list, byCallee, byOriginal } = programComponents(scope, called);
  const files = new Map([[doc.file.path, doc.file], ...loader.files]);
  // A module that could not be loaded would make every call to its components an unknown-component error.
  if (scope.incomplete) return { program: { components: list, pipelines: [] }, diagnostics: ctx.diagnostics, files };
  // A loop, not a flatMap: that made an array for each of 100,000 components.
  const graphNames = new Set<string>();
  for (const e of scope.entries.values()) if (!e.via && e.comp.impl.kind === 'imported' && e.comp.impl.graphRefs) graphNames.add(e.comp.name);
  const imports = importedPipelines(ctx, doc, loader, list, byOriginal, graphNames);
  const graphComponentIrs = graphComponents(ctx, scope, list, byCallee, called, options);
  const callable = withPipelines(ctx, doc, byCallee, imports.signatures);
  const pipelines = doc.pipelines.map((p) => checkPipeline(ctx, p, callable));
  checkPipelineCalls(ctx, doc.pipelines, pipelines);
  const graphs = [...imports.graphs(pipelines), ...graphComponentIrs];
  const names = new Map<string, ast.PipelineDecl>();
  doc.pipelines.forEach((p, i) => {
    // The name every Kubernetes target derives from the pipeline's (kfp's sanitize_k8s_name).
    const key = pipelineK8sName(pipelines[i]!.displayName);
    const prev = names.get(key);
    if (prev) {
      ctx.report('DuplicateName', `pipeline "${p.name}" has the same Kubernetes name as another pipeline (\`${key}\`)`, p.nameSpan, { related: [ctx.related(prev.nameSpan, 'the other one')] });
    } else names.set(key, p);
  });
  return { program: { components: list, pipelines, ...(graphs.length ? { graphs } : {}) }, diagnostics: ctx.diagnostics, files };
}
