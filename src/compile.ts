/**
 * The compiler as one function per source file: source → tokens → CST → AST → checks
 * → IR (schema-validated) → Argo Workflow and component.yaml objects → Handlebars →
 * YAML text, verified. Each phase stops the pipeline when it reports an error, so
 * later phases never see broken input and the user never sees cascades.
 */
import { check } from './check/check.js';
import { checkLimits } from './check/limits.js';
import { diag } from './diagnostics/catalog.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import { verifyRendered, type VerifyMode } from './emit/verify.js';
import type { IrProgram } from './ir/ir.js';
import { validateIrProgram } from './ir/validate.js';
import { componentSpec } from './lower/components.js';
import type { ComponentSpec } from './lower/component-spec.js';
import { renderComponent, renderWorkflow } from './lower/render.js';
import { WorkflowLowering } from './lower/workflow.js';
import { argoSchemaErrors, componentSchemaErrors } from './schema/validators.js';
import { fsHost, type FileHost } from './project/file-host.js';
import { findProjectRoot } from './project/root.js';
import { sourcePathInProject } from './project/source-path.js';
import type { SourceFile } from './source.js';
import type { Document } from './syntax/ast.js';
import { parseSource } from './syntax/parse.js';

export interface OutputFile {
  /** Relative to the output directory, always with `/`. */
  readonly path: string;
  readonly kind: 'workflow' | 'component';
  readonly text: string;
}

export interface CompileResult {
  readonly diagnostics: Diagnostic[];
  readonly files: OutputFile[];
  readonly program?: IrProgram;
  /** The syntax tree the program was checked from (for `run`, which locates its own diagnostics in it). */
  readonly document?: Document;
}

export interface CompileOptions {
  /**
   * What `kfpdsl check` needs: the checks, and the workflow lowered to an object only to
   * measure it against the cluster's limits; nothing is rendered and no files come back.
   */
  readonly checkOnly?: boolean;
  /**
   * `--root DIR`: the project root that imports may not leave (see src/project/root.ts);
   * without it, the nearest directory above the source holding a root marker.
   */
  readonly root?: string | undefined;
  /** Where imported files are read from (default: the file system). */
  readonly host?: FileHost;
  /** How the written text is checked (src/emit/verify.ts); default `full`; `build` without `--verify` passes `schema`. */
  readonly verify?: VerifyMode;
}

export function compileSource(file: SourceFile, options: CompileOptions = {}): CompileResult {
  try {
    return compileUnsafe(file, options);
  } catch (e) {
    // No input may ever produce a stack trace: an exception here is our bug, reported as one.
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { diagnostics: [diag('Internal', `internal compiler error: ${message}`, { file })], files: [] };
  }
}

function compileUnsafe(file: SourceFile, options: CompileOptions): CompileResult {
  const parsed = parseSource(file);
  if (!parsed.document || hasErrors(parsed.diagnostics)) return { diagnostics: sortDiagnostics(parsed.diagnostics), files: [] };
  // The project root, found once: imports may not leave it, and programs name the source by its path in it.
  const host = options.host ?? fsHost;
  const root = findProjectRoot(file.path, options.root, (p) => host.exists(p));
  const checked = check(parsed.document, { root, host });
  const diagnostics = [...parsed.diagnostics, ...checked.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics), files: [] };
  const irErrors = validateIrProgram(checked.program);
  if (irErrors.length > 0) {
    diagnostics.push(diag('Internal', `the IR fails its schema: ${irErrors.slice(0, 3).join('; ')}`, { file }));
    return { diagnostics: sortDiagnostics(diagnostics), files: [] };
  }
  const files: OutputFile[] = [];
  const specs = new Map<string, ComponentSpec>();
  // Python programs name the .kfp file in tracebacks, by its path in the project.
  // A component from a .kfp module names the module, so its traceback lines are the module's.
  const sourcePaths = new Map<string, string>();
  const sourcePathOf = (path: string): string => {
    if (!sourcePaths.has(path)) sourcePaths.set(path, sourcePathInProject(path, root));
    return sourcePaths.get(path)!;
  };
  for (const c of checked.program.components) {
    const componentSource = sourcePathOf(c.origin.file ?? file.path);
    const spec = componentSpec(c, { sourcePath: componentSource });
    specs.set(c.name, spec);
    // A graph component is only ever imported, never lowered (calls to one are refused): nothing to write.
    if (options.checkOnly || (c.impl.kind === 'imported' && c.impl.graphRefs)) continue;
    const v = verifyRendered(renderComponent(spec, { path: componentSource }), spec, `component \`${c.name}\``, componentSchemaErrors, file, options.verify);
    diagnostics.push(...v.diagnostics);
    if (v.text !== undefined) files.push({ path: `components/${c.name.toLowerCase()}.yaml`, kind: 'component', text: v.text });
  }
  checked.program.pipelines.forEach((p, i) => {
    const lowering = new WorkflowLowering(p, checked.program.components, specs);
    const wf = lowering.lower();
    // Limits are checked on the lowered object, so `check` catches what only a cluster would reject.
    diagnostics.push(...checkLimits(file, checked.program, parsed.document!.pipelines[i]!.nameSpan, wf, checked.files));
    if (options.checkOnly || hasErrors(diagnostics)) return;
    const taskLines = new Map([...lowering.taskOrigins].map(([task, span]) => [task, file.positionAt(span.start).line]));
    const v = verifyRendered(renderWorkflow(wf, { path: sourcePathOf(file.path), taskLines }), wf, `pipeline "${p.displayName}"`, argoSchemaErrors, file, options.verify);
    diagnostics.push(...v.diagnostics);
    if (v.text !== undefined) files.push({ path: `${p.name}.yaml`, kind: 'workflow', text: v.text });
  });
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics), files: [] };
  return { diagnostics: sortDiagnostics(diagnostics), files: options.checkOnly ? [] : files, program: checked.program, document: parsed.document };
}
