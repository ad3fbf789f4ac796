/** Rule: parameters never used and task outputs never consumed are warnings (in a pipeline that otherwise checks). */
import { isUiOutput } from './resolved.js';
import type { PipelineState } from './pipeline-state.js';

export function checkUnused(ps: PipelineState): void {
  // Unused names are worth a warning only in a pipeline that otherwise checks: after an error they are noise.
  if (ps.ctx.diagnostics.some((d) => d.severity === 'error')) return;
  for (const [name, sym] of ps.scope) {
    if (ps.used.has(name)) continue;
    if (sym.kind === 'param') {
      ps.ctx.report('UnusedParameter', `pipeline parameter \`${name}\` is never used`, sym.span, { hint: 'remove it, or pass it to a task' });
    } else if (sym.task.isVolume || (sym.task.component?.outputs.some((o) => !isUiOutput(o.type)) ?? false)) {
      // A bound task without outputs is only named for `after`; unused, it is harmless.
      ps.ctx.report('UnusedTask', sym.task.isVolume ? `volume \`${name}\` is never mounted` : `the outputs of \`${name}\` are never used`, sym.span, {
        hint: sym.task.isVolume ? `mount it: { mount: { "/data": ${name} } }` : `drop \`${name} =\` if the task is run only for its effects`,
      });
    }
  }
}

