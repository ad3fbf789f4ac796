/**
 * The seam between the front end and the targets. A backend takes the checked,
 * target-neutral IR (src/ir/ir.ts) and returns the files it writes and the diagnostics
 * only it can raise (a size limit of its output, a name its target cannot spell). It
 * decides its own names and shapes; nothing here knows Argo, KFP or Kubernetes, so that
 * a target such as KFP v2 (pipeline spec JSON) fits as well as the Argo ones.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrProgram } from '../ir/ir.js';
import type { SourceFile } from '../source.js';

export interface OutputFile {
  /** Relative to the output directory, always with `/`. */
  readonly path: string;
  /** `workflow`: what runs a pipeline; `component`: a reusable component definition. */
  readonly kind: 'workflow' | 'component';
  readonly text: string;
  /** For a workflow: the index of its pipeline in `IrProgram.pipelines`. */
  readonly pipeline?: number;
}

export interface BackendOptions {
  /** The source the program came from: diagnostics point into it. */
  readonly file: SourceFile;
  /** A source's path in its project (programs name it in tracebacks; outputs name it in their header). */
  readonly sourcePathOf: (path: string) => string;
  /** Every file of the program (the source and the .kfp modules it imports), by path: diagnostics may point into any. */
  readonly files?: ReadonlyMap<string, SourceFile>;
  /** `full`: parse every written text back and compare it with what was lowered; `schema`: the schema check only. */
  readonly verify: 'full' | 'schema';
  /**
   * `kfpdsl check`: raise the backend's diagnostics (they may need the lowered output, e.g.
   * its size) but render and return no files.
   */
  readonly checkOnly: boolean;
}

export interface BackendResult {
  readonly files: OutputFile[];
  readonly diagnostics: Diagnostic[];
}

export interface Backend {
  /** What `--target` calls it. */
  readonly name: string;
  /** One line for `--help` and usage errors. */
  readonly description: string;
  lower(program: IrProgram, options: BackendOptions): BackendResult;
}
