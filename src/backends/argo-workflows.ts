/**
 * What the two Argo targets share: each pipeline lowered to an Argo Workflow (src/lower/),
 * checked against the cluster's limits, rendered and verified. `kfp-v1` adds its
 * component.yaml files and kfp's annotations; `argo` writes plain workflows.
 */
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { verifyRendered } from '../emit/verify.js';
import type { IrComponent, IrPipeline, IrProgram } from '../ir/ir.js';
import type { ComponentSpec } from '../kfp/component-spec.js';
import { componentSpec } from '../lower/components.js';
import { checkKfpUiOutputs } from '../lower/kfp-ui-outputs.js';
import { checkLimits } from '../lower/limits.js';
import { renderComponent, renderWorkflow } from '../lower/render.js';
import { shapePipeline, type ShapedPipeline } from '../lower/shape.js';
import { WorkflowLowering, type WorkflowFlavour } from '../lower/workflow.js';
import { argoSchemaErrors, componentSchemaErrors } from '../schema/validators.js';
import type { BackendOptions, BackendResult, OutputFile } from './backend.js';

export function lowerToArgo(program: IrProgram, options: BackendOptions, flavour: WorkflowFlavour): BackendResult {
  const { file, sourcePathOf, checkOnly, verify } = options;
  const sourcePath = sourcePathOf(file.path);
  const diagnostics: Diagnostic[] = [];
  const files: OutputFile[] = [];
  const specs = new Map<string, ComponentSpec>();
  if (flavour === 'kfp') {
    diagnostics.push(...checkKfpUiOutputs(file, program, options.files));
    if (hasErrors(diagnostics)) return { files: [], diagnostics };
  }
  // A component from a .kfp module names the module: in tracebacks and in its file's header.
  const specOf = (c: IrComponent): ComponentSpec => componentSpec(c, { sourcePath: sourcePathOf(c.origin.file ?? file.path) });
  // component.yaml is a KFP artifact (plain Argo has no use for it); `check` writes nothing. Then
  // only the called components' specs are made, by the lowering (specOf): 100,000 components, one
  // of them called, made 100,000 specs for one task.
  const writesComponents = flavour === 'kfp' && !checkOnly;
  for (const c of writesComponents ? program.components : []) {
    const componentPath = sourcePathOf(c.origin.file ?? file.path);
    const spec = componentSpec(c, { sourcePath: componentPath });
    specs.set(c.name, spec);
    // A graph component is only ever imported, never lowered (calls to one are refused): nothing to write.
    if (c.impl.kind === 'imported' && c.impl.graphRefs) continue;
    const v = verifyRendered(renderComponent(spec, { path: componentPath }), spec, `component \`${c.name}\``, componentSchemaErrors, file, verify);
    diagnostics.push(...v.diagnostics);
    if (v.text !== undefined) files.push({ path: `components/${c.name.toLowerCase()}.yaml`, kind: 'component', text: v.text });
  }
  // Called pipelines, shaped once for every workflow that calls them (their own names: a DAG of its own).
  // Each pipeline is shaped once: lowering only reads the shaped tree, so the workflow built for a
  // pipeline and the DAG template made where another calls it share it (shaping twice was a
  // fifth of lowering a 5,000-task chain).
  const shaped = new Map<IrPipeline, ShapedPipeline>();
  const shapeOf = (ir: IrPipeline): ShapedPipeline => {
    let p = shaped.get(ir);
    if (!p) shaped.set(ir, (p = shapePipeline(ir)));
    return p;
  };
  const callable = new Map<string, ShapedPipeline>();
  for (const ir of [...program.pipelines, ...(program.graphs ?? [])]) if (ir.name !== undefined) callable.set(ir.name, shapeOf(ir));
  program.pipelines.forEach((ir, i) => {
    const p = shapeOf(ir);
    const lowering = new WorkflowLowering(p, program.components, writesComponents ? specs : specOf, flavour, callable);
    const wf = lowering.lower();
    // Limits are checked on the lowered object, so `check` catches what only a cluster would reject.
    diagnostics.push(...checkLimits(file, program, ir.nameOrigin, wf, options.files));
    if (checkOnly || hasErrors(diagnostics)) return;
    const taskLines = new Map([...lowering.taskOrigins].map(([task, span]) => [task, file.positionAt(span.start).line]));
    // A called pipeline from a .kfp module has its lines in that file: its tasks get no comment.
    const templateTaskLines = new Map([...lowering.graphTaskOrigins].map(([template, origins]) => [
      template,
      new Map([...origins].filter(([, span]) => span.file === undefined || span.file === file.path).map(([task, span]) => [task, file.positionAt(span.start).line])),
    ]));
    const v = verifyRendered(renderWorkflow(wf, { path: sourcePath, taskLines, templateTaskLines }), wf, `pipeline "${p.displayName}"`, argoSchemaErrors, file, verify);
    diagnostics.push(...v.diagnostics);
    if (v.text !== undefined) files.push({ path: `${p.name}.yaml`, kind: 'workflow', text: v.text, pipeline: i });
  });
  return { files: checkOnly ? [] : files, diagnostics };
}
