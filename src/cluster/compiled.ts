/**
 * The pipelines of one .kfp file, compiled exactly as `kfpdsl build` compiles them (through
 * `compileSource`, with the backend of `--target`): the YAML text that build would write, its object, and where the pipeline
 * is declared (cluster failures are reported there).
 */
import YAML from 'yaml';
import { UsageError } from '../cli/files.js';
import { checkRootOption, isDiagnostic, loadSource } from '../cli/sources.js';
import type { Backend } from '../backends/backend.js';
import { compileSource } from '../compile.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { IrPipeline } from '../ir/ir.js';
import { pipelineK8sName } from '../names.js';
import type { SourceFile, Span } from '../source.js';
import type { PipelineDecl } from '../syntax/ast.js';

export interface CompiledPipeline {
  readonly ir: IrPipeline;
  readonly decl: PipelineDecl | undefined;
  /** The pipeline's name in the source, where its diagnostics point. */
  readonly span: Span | undefined;
  /** `<name>.yaml`, as build names it. */
  readonly fileName: string;
  readonly text: string;
  /** The first document: the Argo Workflow (kfp-v1, argo) or the PipelineSpec (kfp-v2). */
  readonly workflow: Record<string, unknown>;
  /** Every document (kfp-v2 adds the PlatformSpec as a second one). */
  readonly documents: Record<string, unknown>[];
}

export type Compiled =
  | { readonly ok: true; readonly source: SourceFile; readonly pipelines: CompiledPipeline[]; readonly warnings: Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

export function compileFile(file: string, root: string | undefined, only: string | undefined, backend: Backend): Compiled {
  const source = loadSource(file, root);
  const badRoot = checkRootOption(root);
  if (isDiagnostic(source)) return { ok: false, diagnostics: [source] };
  if (badRoot) return { ok: false, diagnostics: [badRoot] };
  const compiled = compileSource(source, { root, backend });
  if (hasErrors(compiled.diagnostics)) return { ok: false, diagnostics: compiled.diagnostics };
  const all = compiled.program?.pipelines ?? [];
  if (all.length === 0) throw new UsageError(`${file} defines no pipeline`);
  let chosen = all;
  if (only !== undefined) {
    const named = all.find((p) => p.displayName === only || pipelineK8sName(p.displayName) === only);
    if (!named) {
      const hint = didYouMean(only, new Set(all.flatMap((p) => [p.displayName, pipelineK8sName(p.displayName)])));
      const listing = all.map((p) => `"${p.displayName}"`).join(', ');
      throw new UsageError(`${file} has no pipeline named "${only}"${hint ? `; ${hint}` : ''} (it defines ${listing})`);
    }
    chosen = [named];
  }
  const pipelines = chosen.map((ir): CompiledPipeline => {
    // The workflow the backend wrote for this pipeline (the IR has no Kubernetes name; the backend made it).
    const emitted = compiled.files.find((f) => f.kind === 'workflow' && f.pipeline === all.indexOf(ir));
    if (!emitted) throw new Error(`no workflow was emitted for pipeline "${ir.displayName}"`);
    const decl = compiled.document?.pipelines[all.indexOf(ir)];
    const documents = YAML.parseAllDocuments(emitted.text).map((d) => d.toJS() as Record<string, unknown>);
    return { ir, decl, span: decl?.nameSpan, fileName: emitted.path, text: emitted.text, workflow: documents[0]!, documents };
  });
  return { ok: true, source, pipelines, warnings: compiled.diagnostics };
}
