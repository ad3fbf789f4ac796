/**
 * The compiler as one function per source file: source → tokens → CST → AST → checks
 * → target-neutral IR (schema-validated) → a backend (src/backends/: `kfp-v1` writes
 * Argo Workflow and component.yaml objects → Handlebars → YAML text, verified). Each phase stops the pipeline when it reports an error, so
 * later phases never see broken input and the user never sees cascades.
 */
import type { Backend, OutputFile } from './backends/backend.js';
import { kfpV1Backend } from './backends/kfp-v1.js';
import { check } from './check/check.js';
import { diag } from './diagnostics/catalog.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import type { VerifyMode } from './emit/verify.js';
import type { IrProgram } from './ir/ir.js';
import { withCalledComponents } from './ir/called.js';
import { validateIrProgram } from './ir/validate.js';
import { fsHost, type FileHost } from './project/file-host.js';
import { findProjectRoot } from './project/root.js';
import { sourcePathInProject } from './project/source-path.js';
import type { SourceFile } from './source.js';
import type { Document } from './syntax/ast.js';
import { parseSource, type ParseResult } from './syntax/parse.js';
import { checkRecovered } from './syntax/recovery.js';

export type { OutputFile } from './backends/backend.js';

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
  /** `--target`: what the program is lowered to (default: kfp-v1). */
  readonly backend?: Backend;
  /** How the written text is checked (src/emit/verify.ts), and with `full` the IR against its schema too; default `full`; `build` without `--verify` passes `schema`. */
  readonly verify?: VerifyMode;
  /** `--max-errors` (0 or absent: all): lexing errors past it are counted, not built (src/syntax/parse.ts). */
  readonly maxErrors?: number;
  /** The source already parsed (the language server keeps each buffer's parse): not parsed again. */
  readonly parsed?: ParseResult;
  /**
   * Stop after the checks (the language server's first, fast pass while the user types): the
   * lowering and its limits (workflow and annotation sizes), which take most of a large
   * file's time, are left to a second pass that runs the whole compile.
   */
  readonly skipLowering?: boolean;
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
  const parsed = options.parsed ?? parseSource(file, { maxErrors: options.maxErrors });
  // The project root, found once: imports may not leave it, and programs name the source by its path in it.
  const host = options.host ?? fsHost;
  const root = findProjectRoot(file.path, options.root, (p) => host.exists(p));
  if (parsed.recovery) {
    // After syntax errors the checks still run on what parsed; what they say about the broken parts is dropped.
    return { diagnostics: sortDiagnostics([...parsed.diagnostics, ...checkRecovered(parsed.document, parsed.recovery, { root, host })]), files: [] };
  }
  if (hasErrors(parsed.diagnostics)) return { diagnostics: sortDiagnostics(parsed.diagnostics), files: [] };
  const checked = check(parsed.document, { root, host });
  const diagnostics = [...parsed.diagnostics, ...checked.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics), files: [] };
  if (options.skipLowering) return { diagnostics: sortDiagnostics(diagnostics), files: [], program: checked.program, document: parsed.document };
  // The IR's schema checks the checker, not the program: it runs under full verification (check,
  // build --verify, the tests), and a plain build skips it (4% of a 1,000-task build's work); the
  // lowered object's own schema check still runs before anything is written. `check` lowers only
  // the called components, and validates only those.
  const irErrors = (options.verify ?? 'full') === 'full' ? validateIrProgram(options.checkOnly ? withCalledComponents(checked.program) : checked.program) : [];
  if (irErrors.length > 0) {
    diagnostics.push(diag('Internal', `the IR fails its schema: ${irErrors.slice(0, 3).join('; ')}`, { file }));
    return { diagnostics: sortDiagnostics(diagnostics), files: [] };
  }
  // Python programs name the .kfp file in tracebacks, by its path in the project.
  // A component from a .kfp module names the module, so its traceback lines are the module's.
  const sourcePaths = new Map<string, string>();
  const sourcePathOf = (path: string): string => {
    if (!sourcePaths.has(path)) sourcePaths.set(path, sourcePathInProject(path, root));
    return sourcePaths.get(path)!;
  };
  const lowered = (options.backend ?? kfpV1Backend).lower(checked.program, {
    file, sourcePathOf, files: checked.files, checkOnly: options.checkOnly ?? false, verify: options.verify ?? 'full',
  });
  diagnostics.push(...lowered.diagnostics);
  const files: OutputFile[] = lowered.files;
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics), files: [] };
  return { diagnostics: sortDiagnostics(diagnostics), files: options.checkOnly ? [] : files, program: checked.program, document: parsed.document };
}
