/**
 * The KFP v1 UI reads a task's metrics and UI metadata from two artifacts of fixed names,
 * `mlpipeline-metrics` and `mlpipeline-ui-metadata` (kfp's `_is_legacy_output_name`). A
 * component with two `metrics` (or two `ui_metadata`) outputs would lower both to the same
 * artifact, and one would be lost without a word: refused here, for `--target kfp-v1` only
 * (plain Argo names each output after itself, and KFP v2 allows several `system.Metrics`).
 */
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrProgram } from '../ir/ir.js';
import type { SourceFile } from '../source.js';

const FIXED_NAMES = { metrics: 'mlpipeline-metrics', ui_metadata: 'mlpipeline-ui-metadata' } as const;

export function checkKfpUiOutputs(file: SourceFile, program: IrProgram, files?: ReadonlyMap<string, SourceFile>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const c of program.components) {
    // Most components have no output of either type: nothing to look for (100,000 components).
    if (!c.outputs.some((o) => o.type in FIXED_NAMES)) continue;
    for (const [type, artifact] of Object.entries(FIXED_NAMES)) {
      const ports = c.outputs.filter((o) => o.type === type).map((o) => `\`${o.name}\``);
      if (ports.length < 2) continue;
      const inFile = c.origin.file === undefined || c.origin.file === file.path ? file : files?.get(c.origin.file);
      // The IR keeps no span per port: point at the component's header line, which lists its outputs.
      const headerEnd = inFile ? inFile.text.indexOf('\n', c.origin.start) : -1;
      out.push(diag('DuplicateUiOutput', `component \`${c.name}\` has ${ports.length} \`${type}\` outputs (${ports.join(', ')}); KFP v1 keeps one \`${artifact}\` artifact per task, so all but one would be lost`, {
        file: inFile ?? file,
        span: inFile ? { start: c.origin.start, end: headerEnd < 0 || headerEnd > c.origin.end ? c.origin.end : headerEnd } : { start: 0, end: 0 },
        hint: `return every value from one \`${type}\` output, or build with \`--target argo\`, which keeps each output`,
      }));
    }
  }
  return out;
}
