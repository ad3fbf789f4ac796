// The compiler's phases, one by one, for bench/phases.mjs (bundled by it with esbuild).
export { parseSource } from '../src/syntax/parse.js';
export { check } from '../src/check/check.js';
export { validateIrProgram } from '../src/ir/validate.js';
export { componentSpec } from '../src/lower/components.js';
export { checkLimits } from '../src/lower/limits.js';
export { renderComponent, renderWorkflow } from '../src/lower/render.js';
export { shapePipeline } from '../src/lower/shape.js';
export { WorkflowLowering } from '../src/lower/workflow.js';
export { argoSchemaErrors } from '../src/schema/validators.js';
export { SourceFile } from '../src/source.js';
export { fsHost } from '../src/project/file-host.js';
export { compileSource } from '../src/compile.js';
