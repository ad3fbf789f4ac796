/**
 * The check phase: AST in, IR and diagnostics out. Name resolution and type checking
 * happen here; if any error is reported, the IR must not be lowered.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrComponent, IrProgram } from '../ir/ir.js';
import { pipelineK8sName } from '../names.js';
import type * as ast from '../syntax/ast.js';
import { checkArgoPlaceholders } from './argo-placeholders.js';
import { checkComponent } from './check-component.js';
import { checkImport, type ImportOptions } from './check-import.js';
import { checkPipeline } from './check-pipeline.js';
import { CheckContext } from './context.js';

export function check(doc: ast.Document, options: ImportOptions = {}): { program: IrProgram; diagnostics: Diagnostic[] } {
  const ctx = new CheckContext(doc.file);
  const components = new Map<string, IrComponent>();
  const declared = new Map<string, ast.Identifier>();
  /** By lower-case name, to find `Add` beside `add` in one look-up (a scan of `declared` made N components cost N²). */
  const byLowerCase = new Map<string, ast.Identifier>();
  for (const imp of doc.imports) {
    const prev = declared.get(imp.name.name);
    if (prev) {
      ctx.report('DuplicateName', `\`${imp.name.name}\` is already defined`, imp.name.span, { related: [ctx.related(prev.span, 'first defined here')] });
      continue;
    }
    declared.set(imp.name.name, imp.name);
    if (!byLowerCase.has(imp.name.name.toLowerCase())) byLowerCase.set(imp.name.name.toLowerCase(), imp.name);
    const ir = checkImport(ctx, imp, options);
    if (ir) components.set(imp.name.name, ir);
  }
  for (const c of doc.components) {
    const prev = declared.get(c.name.name);
    const ir = checkComponent(ctx, c);
    if (prev) {
      ctx.report('DuplicateName', `component \`${c.name.name}\` is defined twice`, c.name.span, { label: 'defined again here', related: [ctx.related(prev.span, 'first defined here')] });
      continue;
    }
    const sameFile = byLowerCase.get(c.name.name.toLowerCase());
    if (sameFile) {
      // component.yaml files are named after components; on macOS and Windows `Add` and `add` would be one file.
      ctx.report('DuplicateName', `component \`${c.name.name}\` differs from \`${sameFile.name}\` only in case`, c.name.span, { related: [ctx.related(sameFile.span, 'the other one')] });
      continue;
    }
    declared.set(c.name.name, c.name);
    byLowerCase.set(c.name.name.toLowerCase(), c.name);
    components.set(c.name.name, ir);
  }
  checkArgoPlaceholders(ctx, doc);
  const pipelines = doc.pipelines.map((p) => checkPipeline(ctx, p, components));
  const names = new Map<string, ast.PipelineDecl>();
  doc.pipelines.forEach((p, i) => {
    // The name every Kubernetes target derives from the pipeline's (kfp's sanitize_k8s_name).
    const key = pipelineK8sName(pipelines[i]!.displayName);
    const prev = names.get(key);
    if (prev) {
      ctx.report('DuplicateName', `pipeline "${p.name}" has the same Kubernetes name as another pipeline (\`${key}\`)`, p.nameSpan, { related: [ctx.related(prev.nameSpan, 'the other one')] });
    } else names.set(key, p);
  });
  return { program: { components: [...components.values()], pipelines }, diagnostics: ctx.diagnostics };
}
